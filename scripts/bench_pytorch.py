"""PyTorch side of scripts/bench-vs-pytorch.sh: the book's network, optimiser and batch
size, timed the way `actlab bench train` times actlab. Prints one JSON object.

  python bench_pytorch.py --act ReLU --mode preloaded --epochs 3 --threads 2 --data DIR
      [--hidden 1024,1024,1024,1024] [--batch-size 512] [--images 12800]
      [--conv 6,16 --hidden 120,84]

With --conv the network starts with actlab's convolutions (`conv = [...]`: 5x5 kernels,
the first padded by 2, each followed by the activation and 2x2 average pooling): LeNet-5.

With --device cuda the network, the data and every step are on the GPU (the batch's loss
and hits are still read back every batch, as the book does, which also waits for the
GPU); scripts/bench-gpu.sh times it against actlab on wgpu.

With --images N only the first N training images are used and the epoch and dead-neuron
times are scaled to 60,000 images (the scaling table of scripts/bench-scaling.sh).

Modes: `preloaded` keeps the normalised training set in one tensor and slices batches
from a per-epoch permutation; `dataloader` is the book's pipeline (torchvision
FashionMNIST, ToTensor + Normalize, DataLoader with shuffle).
"""

import argparse
import gzip
import json
import pathlib
import shutil
import statistics
import tempfile
import time

import numpy as np
import torch
from torch import nn

from book_model import STAF, TeLU, normalised, read_idx


def find(data_dir, stem):
    for name in (stem, stem + ".gz"):
        if (pathlib.Path(data_dir) / name).exists():
            return pathlib.Path(data_dir) / name
    raise SystemExit(f"{data_dir}: no {stem}[.gz]")


ACTIVATIONS = {
    "ReLU": nn.ReLU,
    "TeLU": TeLU,
    "STAF": STAF,
    "GELU": nn.GELU,
    "PReLU": nn.PReLU,
    "LeakyReLU": nn.LeakyReLU,
    "Tanh": nn.Tanh,
    "Sigmoid": nn.Sigmoid,
}


class SimpleNetwork(nn.Module):
    def __init__(self, act, hidden=(256, 192, 128, 64), conv=()):
        super().__init__()
        self.act = act
        channels = [1, *conv]
        self.conv = nn.ModuleList(
            nn.Conv2d(a, b, 5, padding=2 if i == 0 else 0)
            for i, (a, b) in enumerate(zip(channels, channels[1:])))
        side = 28
        for i in range(len(conv)):
            side = (side + (4 if i == 0 else 0) - 4) // 2
        features = channels[-1] * side * side if conv else 784
        sizes = [features, *hidden]
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.out = nn.Linear(sizes[-1], 10)

    def forward(self, x, hidden=None):
        if len(self.conv):
            x = x.view(x.size(0), 1, 28, 28)
            for layer in self.conv:
                x = self.act(layer(x))
                if hidden is not None:
                    hidden.append(x.transpose(0, 1).flatten(1).t())
                x = nn.functional.avg_pool2d(x, 2)
        x = x.view(x.size(0), -1)
        for layer in self.hidden:
            x = self.act(layer(x))
            if hidden is not None:
                hidden.append(x)
        return self.out(x)


def book_loader(data_dir, train, batch_size):
    """The book's torchvision pipeline, on a copy of the files in torchvision's layout."""
    from torchvision import datasets, transforms

    root = pathlib.Path(tempfile.mkdtemp())
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for stem in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                 "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        src = find(data_dir, stem)
        # torchvision reads the raw files; give it them decompressed.
        data = src.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        (raw / stem).write_bytes(data)
    transform = transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))]
    )
    dataset = datasets.FashionMNIST(root=str(root), train=train, download=False,
                                    transform=transform)
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=train)
    return loader, root


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--act", default="ReLU", choices=sorted(ACTIVATIONS))
    p.add_argument("--mode", default="preloaded", choices=["preloaded", "dataloader"])
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--data", required=True)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--hidden", default="256,192,128,64", help="hidden widths, comma-separated")
    p.add_argument("--conv", default="", help="convolutions' channels, comma-separated")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--images", type=int, default=60000,
                   help="train on the first N images; times are scaled to 60,000")
    args = p.parse_args()
    widths = tuple(int(w) for w in args.hidden.split(","))
    channels = tuple(int(c) for c in args.conv.split(",") if c)
    batch_size = args.batch_size

    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: this torch sees no CUDA device")
    if args.device == "cuda" and args.mode == "dataloader":
        raise SystemExit("--device cuda times preloaded tensors only (--mode preloaded)")
    device = torch.device(args.device)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = SimpleNetwork(ACTIVATIONS[args.act](), widths, channels).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.8)
    loss_fn = nn.CrossEntropyLoss()

    x_train = normalised(read_idx(find(args.data, "train-images-idx3-ubyte"))).view(-1, 784)
    y_train = torch.from_numpy(read_idx(find(args.data, "train-labels-idx1-ubyte")).astype(np.int64))
    x_train, y_train = x_train[: args.images], y_train[: args.images]
    scale = 60000 / x_train.size(0)
    x_test = normalised(read_idx(find(args.data, "t10k-images-idx3-ubyte"))).view(-1, 784)
    y_test = torch.from_numpy(read_idx(find(args.data, "t10k-labels-idx1-ubyte")).astype(np.int64))
    x_train, y_train, x_test, y_test = (t.to(device) for t in (x_train, y_train, x_test, y_test))

    cleanup = None
    if args.mode == "dataloader":
        loader, cleanup = book_loader(args.data, True, 128)

    epoch_s, eval_s = [], []
    for _ in range(args.epochs):
        model.train()
        start = time.perf_counter()
        if args.mode == "preloaded":
            order = torch.randperm(x_train.size(0), device=device)
            for i in range(0, x_train.size(0), batch_size):
                idx = order[i : i + batch_size]
                inputs, labels = x_train[idx], y_train[idx]
                optimizer.zero_grad()
                outputs = model(inputs)
                loss = loss_fn(outputs, labels)
                loss.backward()
                optimizer.step()
                # The book reads the loss and the hits back every batch; so does actlab.
                _ = loss.item()
                _ = (outputs.argmax(1) == labels).sum().item()
        else:
            for inputs, labels in loader:
                optimizer.zero_grad()
                outputs = model(inputs)
                loss = loss_fn(outputs, labels)
                loss.backward()
                optimizer.step()
                _ = loss.item()
                _ = (outputs.argmax(1) == labels).sum().item()
        epoch_s.append((time.perf_counter() - start) * scale)

        model.eval()
        start = time.perf_counter()
        with torch.no_grad():
            for i in range(0, x_test.size(0), 1000):
                out = model(x_test[i : i + 1000])
                _ = loss_fn(out, y_test[i : i + 1000]).item()
                _ = (out.argmax(1) == y_test[i : i + 1000]).sum().item()
        eval_s.append(time.perf_counter() - start)

    # One dead-neuron pass over the 60,000 training images (max |h| per unit).
    start = time.perf_counter()
    with torch.no_grad():
        maxima = None
        for i in range(0, x_train.size(0), 1000):
            hidden = []
            model(x_train[i : i + 1000], hidden)
            batch = [h.abs().amax(0) for h in hidden]
            maxima = batch if maxima is None else [torch.maximum(a, b) for a, b in zip(maxima, batch)]
        _ = [int((m == 0).sum()) for m in maxima]
    dead_s = (time.perf_counter() - start) * scale
    if cleanup is not None:
        shutil.rmtree(cleanup, ignore_errors=True)

    measured = epoch_s[1:] if len(epoch_s) > 1 else epoch_s
    print(json.dumps({
        "system": f"pytorch-{args.mode}",
        "torch": torch.__version__,
        "device": torch.cuda.get_device_name(0) if args.device == "cuda" else "cpu",
        "activation": args.act,
        "threads": args.threads,
        "hidden": list(widths),
        "conv": list(channels),
        "batch_size": batch_size,
        "train_images": x_train.size(0),
        "epoch_s": statistics.median(measured),
        "eval_s": statistics.median(eval_s[1:] if len(eval_s) > 1 else eval_s),
        "dead_neuron_pass_s": dead_s,
    }))


if __name__ == "__main__":
    main()

"""PyTorch fixtures for `actlab import` and `actlab export`: the book's SimpleNetwork
(dldna/chapter_04/models/base.py, with chapter 4's TeLU and STAF), hidden widths 32,16,
and actlab's ConvNetwork (LeNet-5: conv 6,16, hidden 120,84; `CNN-` cases), trained
briefly on FashionMNIST so that no weight is at its initial value, saved as PyTorch
state dicts (torch.save(model.state_dict())) and as safetensors, with the logits of the
first test images and the test-set accuracy that PyTorch computes.

    python scripts/interop_fixtures.py crates/actlab/tests/fixtures/pytorch [DATA_DIR]

Needs torch, safetensors and numpy (scripts/check-pytorch-export.sh makes such a venv).
"""

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
from safetensors.torch import save_file

from book_model import STAF, ConvNetwork, SimpleNetwork, TeLU, normalised, read_idx


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def main():
    out = Path(sys.argv[1])
    data = Path(sys.argv[2] if len(sys.argv) > 2 else "/usr/share/datasets/fashion-mnist")
    out.mkdir(parents=True, exist_ok=True)
    train_x = normalised(read_idx(data / "train-images-idx3-ubyte.gz"))
    train_y = torch.from_numpy(read_idx(data / "train-labels-idx1-ubyte.gz").astype(np.int64))
    test_x = normalised(read_idx(data / "t10k-images-idx3-ubyte.gz"))
    test_y = torch.from_numpy(read_idx(data / "t10k-labels-idx1-ubyte.gz").astype(np.int64))

    cases = {
        "ReLU": lambda: nn.ReLU(),
        "PReLU": lambda: nn.PReLU(),
        "TeLU": lambda: TeLU(),
        "STAF": lambda: STAF(),
        # One PReLU per hidden layer: imports as scope per-layer.
        "PReLU-per-layer": lambda: [nn.PReLU(), nn.PReLU()],
        # LeNet-5; per-neuron PReLU has one slope per channel of a convolution.
        "CNN-ReLU": lambda: nn.ReLU(),
        "CNN-TeLU": lambda: TeLU(),
        "CNN-PReLU-per-neuron": lambda: [nn.PReLU(n) for n in (6, 16, 120, 84)],
    }
    shapes = {"hidden": [32, 16]}
    cnn = {"conv": [6, 16], "hidden": [120, 84]}
    fixtures = {}
    for seed, (name, make) in enumerate(cases.items()):
        torch.manual_seed(seed)
        if name.startswith("CNN-"):
            model = ConvNetwork(make(), conv=cnn["conv"], hidden_shape=cnn["hidden"])
        else:
            model = SimpleNetwork(make(), hidden_shape=shapes["hidden"])
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        generator = torch.Generator().manual_seed(seed)
        for _ in range(200):
            batch = torch.randint(0, len(train_x), (128,), generator=generator)
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(train_x[batch]), train_y[batch])
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            logits = model(test_x)
        correct = int((logits.argmax(1) == test_y).sum())
        pt = out / f"{name}.pt"
        torch.save(model.state_dict(), pt)
        files = {"pt": pt.name}
        if name in ("ReLU", "STAF", "CNN-ReLU"):
            st = out / f"{name}.safetensors"
            # safetensors refuses tensors that share memory (the shared activation).
            save_file({k: v.clone().contiguous() for k, v in model.state_dict().items()}, st)
            files["safetensors"] = st.name
        fixtures[name] = {
            "activation": name.removeprefix("CNN-").split("-")[0],
            **(cnn if name.startswith("CNN-") else shapes),
            "files": files,
            "sha256": {kind: sha256(out / f) for kind, f in files.items()},
            "keys": sorted(model.state_dict().keys()),
            "logits": logits[:5].tolist(),
            "test_correct": correct,
            "test_accuracy": correct / len(test_y),
        }
        print(f"{name}: test accuracy {correct / len(test_y):.4f}, keys {len(model.state_dict())}")
    (out / "fixtures.json").write_text(json.dumps(
        {"torch": torch.__version__, "cases": fixtures}, indent=1))


if __name__ == "__main__":
    main()

"""Runs the book's SimpleNetwork forward pass (or actlab's ConvNetwork's: LeNet-5) in
numpy (float64) on files written by `actlab export`, read with the `safetensors`
package, and compares the logits and the test accuracy with `actlab eval`'s. Neither
Burn nor PyTorch is involved: the networks, the convolution and the four activations
are written out below from their definitions.

    python check_export_numpy.py DATA_DIR CASE.json [...]

Each CASE.json comes from scripts/export-cases.sh. Exits 1 on the first mismatch.

Tolerance: actlab computes in float32, this in float64; logits of the book's network
(|logit| up to about 30) agree to 1e-4 + 1e-5 |logit| (float32 sums of 784 products
err by about 1e-6 relative). A prediction may differ only where the two largest
logits are within that tolerance of each other.
"""

import gzip
import json
import sys
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file


def read_idx(path):
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    rank = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def activation(name, params, maps=False):
    """The book's activations (chapter 4), with their parameters from the file; on a
    convolution's maps `[batch, channels, h, w]` a per-channel parameter applies along
    the channels."""
    if name == "ReLU":
        return lambda x: np.maximum(x, 0.0)
    if name == "PReLU":
        a = params["weight"]
        if maps and a.size > 1:
            a = a[:, None, None]
        return lambda x: np.where(x > 0, x, a * x)
    if name == "TeLU":
        alpha = params["alpha"]
        return lambda x: np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))
    if name == "STAF":
        c, omega, phi = params["C"], params["Omega"], params["Phi"]
        return lambda x: sum(c[i] * np.sin(omega[i] * x + phi[i]) for i in range(len(c)))
    raise SystemExit(f"no numpy definition of {name}")


def conv2d(x, w, b, padding):
    """A 5x5 convolution of maps `[batch, in, h, w]` by weights `[out, in, 5, 5]`."""
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    k = w.shape[-1]
    windows = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))
    return np.einsum("bihwkl,oikl->bohw", windows, w, optimize=True) + b[None, :, None, None]


def avg_pool(x):
    """2x2 average pooling, stride 2."""
    b, c, h, w = x.shape
    x = x[:, :, : h // 2 * 2, : w // 2 * 2]
    return x.reshape(b, c, h // 2, 2, w // 2, 2).mean(axis=(3, 5))


def network(state, act):
    """The book's `layers` Sequential: Linear at even indices, the activation after each
    hidden one at the odd index that follows it. With convolutions (4-d weights), first
    per convolution i the Conv2d at 3i (the first padded by 2), its activation at 3i + 1
    and average pooling at 3i + 2; a Flatten at 3c; then the Linear layers from 3c + 1."""
    modules = {}
    for key, value in state.items():
        prefix, index, name = key.split(".")
        assert prefix == "layers", key
        modules.setdefault(int(index), {})[name] = value.astype(np.float64)
    convs = sorted(i for i in modules if modules[i].get("weight", np.zeros(0)).ndim == 4)
    assert convs == list(range(0, 3 * len(convs), 3)), sorted(modules)
    steps = []
    if convs:
        steps.append(lambda x: x.reshape(-1, 1, 28, 28))
    for n, index in enumerate(convs):
        w, b = modules[index]["weight"], modules[index]["bias"]
        steps.append(lambda x, w=w, b=b, p=2 if n == 0 else 0: conv2d(x, w, b, p))
        steps.append(activation(act, modules.get(index + 1, {}), maps=True))
        steps.append(avg_pool)
    if convs:
        steps.append(lambda x: x.reshape(x.shape[0], -1))
    first = 3 * len(convs) + 1 if convs else 0
    linear = sorted(i for i in modules if i >= first and (i - first) % 2 == 0)
    assert linear == list(range(first, first + 2 * len(linear), 2)), sorted(modules)
    for index in linear:
        w, b = modules[index]["weight"], modules[index]["bias"]
        steps.append(lambda x, w=w, b=b: x @ w.T + b)
        if index != linear[-1]:
            # A parameter-free activation has no keys: its index is simply absent.
            steps.append(activation(act, modules.get(index + 1, {})))
    return steps


def main():
    data = Path(sys.argv[1])
    images = read_idx(data / "t10k-images-idx3-ubyte.gz").reshape(-1, 784)
    x = (images.astype(np.float64) / 255.0 - 0.5) / 0.5
    labels = read_idx(data / "t10k-labels-idx1-ubyte.gz").astype(np.int64)
    for path in sys.argv[2:]:
        case = json.loads(Path(path).read_text())
        steps = network(load_file(case["file"]), case["act"])
        outputs = []
        # In chunks: a convolution's windows of 10,000 images would not fit in memory.
        for start in range(0, len(x), 500):
            h = x[start : start + 500]
            for step in steps:
                h = step(h)
            outputs.append(h)
        h = np.concatenate(outputs)
        ours = np.asarray(case["eval"]["logits"], dtype=np.float64)
        n = len(ours)
        tolerance = 1e-4 + 1e-5 * np.abs(h[:n])
        diff = np.abs(h[:n] - ours)
        worst = float(np.max(diff - tolerance))
        top2 = np.sort(h, axis=1)[:, -2:]
        near_tie = (top2[:, 1] - top2[:, 0]) <= 2e-4 + 2e-5 * np.abs(top2[:, 1])
        predicted = h.argmax(1)
        correct = int((predicted == labels).sum())
        theirs = case["eval"]["test_correct"]
        # Where actlab's logits are logged, a differing prediction must be a near tie;
        # beyond them, so must any difference in the count.
        disagree = predicted[:n] != ours.argmax(1)
        ties = int(near_tie.sum())
        line = (f"{case['name']}: numpy {correct}/10000 correct, actlab {theirs}; "
                f"logits of {n} images differ by at most {float(diff.max()):.1e} "
                f"({'within' if worst <= 0 else 'beyond'} tolerance); "
                f"{ties} near ties")
        ok = worst <= 0 and bool(near_tie[:n][disagree].all()) and abs(correct - theirs) <= ties
        print(("" if ok else "MISMATCH: ") + line)
        if not ok:
            sys.exit(1)


if __name__ == "__main__":
    main()

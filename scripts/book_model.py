"""The book's model code (chapter 4, dldna/chapter_04/models), shared by the PyTorch
scripts: TeLU and STAF as the chapter defines them, the book's SimpleNetwork, and the
FashionMNIST files read and normalised as torchvision does.
"""

import gzip
import pathlib

import numpy as np
import torch
from torch import nn


def read_idx(path):
    raw = pathlib.Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    rank = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def normalised(images):
    return (torch.from_numpy(images.astype(np.float32)) / 255.0 - 0.5) / 0.5


class TeLU(nn.Module):
    """The book's TeLU."""

    def __init__(self):
        super().__init__()
        self.alpha = nn.Parameter(torch.tensor(1.0))

    def forward(self, x):
        return torch.where(x > 0, x, self.alpha * (torch.exp(x) - 1))


class STAF(nn.Module):
    """The book's STAF: a Python loop over 25 sinusoids."""

    def __init__(self, tau=25):
        super().__init__()
        self.tau = tau
        self.C = nn.Parameter(torch.randn(tau))
        self.Omega = nn.Parameter(torch.randn(tau))
        self.Phi = nn.Parameter(torch.randn(tau))

    def forward(self, x):
        result = torch.zeros_like(x)
        for i in range(self.tau):
            result += self.C[i] * torch.sin(self.Omega[i] * x + self.Phi[i])
        return result


class SimpleNetwork(nn.Module):
    """dldna/chapter_04/models/base.py: Linear layers under `layers`, the activation
    instance appended after each hidden one (one shared instance, as the book does; a
    list gives one per layer)."""

    def __init__(self, act_func, input_shape=784, num_classes=10,
                 hidden_shape=(256, 192, 128, 64), no_act=False):
        super().__init__()
        self.input_shape = input_shape
        layers = []
        current = input_shape
        for i, width in enumerate(hidden_shape):
            layers.append(nn.Linear(current, width))
            if not no_act:
                layers.append(act_func[i] if isinstance(act_func, list) else act_func)
            current = width
        layers.append(nn.Linear(current, num_classes))
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        x = x.view(-1, self.input_shape)
        return self.layers(x)


class ConvNetwork(nn.Module):
    """actlab's network with convolutions (`conv = [...]`; LeNet-5 as d2l.ai trains it on
    FashionMNIST with conv=(6, 16), hidden_shape=(120, 84)), with the keys `actlab export`
    writes: under `layers`, per convolution a 5x5 Conv2d (the first padded by 2), the
    activation and 2x2 average pooling; a Flatten; then the Linear layers with the
    activation after each hidden one, as SimpleNetwork. One shared activation instance, or
    a list with one per activated layer (convolutions first)."""

    def __init__(self, act_func, conv=(6, 16), hidden_shape=(120, 84), num_classes=10):
        super().__init__()
        acts = iter(act_func) if isinstance(act_func, list) else None
        act = (lambda: next(acts)) if acts else (lambda: act_func)
        layers, channels, side = [], 1, 28
        for i, out in enumerate(conv):
            padding = 2 if i == 0 else 0
            layers += [nn.Conv2d(channels, out, 5, padding=padding), act(), nn.AvgPool2d(2)]
            channels, side = out, (side + 2 * padding - 4) // 2
        layers.append(nn.Flatten())
        current = channels * side * side
        for width in hidden_shape:
            layers += [nn.Linear(current, width), act()]
            current = width
        layers.append(nn.Linear(current, num_classes))
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x.view(-1, 1, 28, 28))


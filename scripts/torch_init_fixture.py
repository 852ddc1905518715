"""torch.nn.init's gains and the spread of each scheme's weights, for a layer of fixed
fans: the fixture of crates/nets/tests/initialisation.rs, which checks that actlab's
formulas are PyTorch's.

    bash scripts/check-init-pytorch.sh
"""
import json
import sys

import torch
from torch import nn

FAN_IN, FAN_OUT = 400, 300
# Draws per scheme: the sample standard deviation of 20 layers' weights.
LAYERS = 20

torch.manual_seed(0)
gains = {
    name: nn.init.calculate_gain(*args)
    for name, args in {
        "ReLU": ("relu",),
        "LeakyReLU": ("leaky_relu", 0.01),
        "Tanh": ("tanh",),
        "SELU": ("selu",),
        "Sigmoid": ("sigmoid",),
        "linear": ("linear",),
    }.items()
}
relu = gains["ReLU"]


def weights():
    # PyTorch's Linear weight is [fan_out, fan_in].
    return torch.empty(FAN_OUT, FAN_IN, dtype=torch.float64)


schemes = {
    "pytorch": lambda: nn.Linear(FAN_IN, FAN_OUT, dtype=torch.float64).weight.detach(),
    "he-normal": lambda: nn.init.kaiming_normal_(weights(), nonlinearity="relu"),
    "he-uniform": lambda: nn.init.kaiming_uniform_(weights(), nonlinearity="relu"),
    "he-normal-fan-out": lambda: nn.init.kaiming_normal_(weights(), mode="fan_out", nonlinearity="relu"),
    "he-uniform-fan-out": lambda: nn.init.kaiming_uniform_(weights(), mode="fan_out", nonlinearity="relu"),
    "xavier-normal": lambda: nn.init.xavier_normal_(weights()),
    "xavier-uniform": lambda: nn.init.xavier_uniform_(weights()),
    # LeCun normal, N(0, 1/fan_in): Kaiming normal with the linear gain.
    "lecun-normal": lambda: nn.init.kaiming_normal_(weights(), nonlinearity="linear"),
    "orthogonal": lambda: nn.init.orthogonal_(weights(), gain=relu),
}
spread = {}
for name, draw in schemes.items():
    drawn = torch.cat([draw().flatten() for _ in range(LAYERS)])
    spread[name] = {"std": drawn.std().item(), "max_abs": drawn.abs().max().item(), "n": drawn.numel()}

json.dump(
    {
        "torch": torch.__version__,
        "fan_in": FAN_IN,
        "fan_out": FAN_OUT,
        "gain_used": "ReLU",
        "gains": gains,
        "schemes": spread,
    },
    sys.stdout,
    indent=1,
)
print()

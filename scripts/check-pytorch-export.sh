#!/usr/bin/env bash
# actlab's exported weights in PyTorch: imports the committed PyTorch fixtures
# (crates/actlab/tests/fixtures/pytorch, made by scripts/interop_fixtures.py), exports
# them again, and exports the book's network trained by actlab for one epoch with ReLU,
# PReLU, TeLU and STAF; each file is loaded
# into the book's SimpleNetwork with load_state_dict(strict=True), and PyTorch's logits
# and test accuracy are compared with `actlab eval`'s (and, for the fixtures, with the
# original PyTorch model's logits, which must be equal bit for bit).
#
#   bash scripts/check-pytorch-export.sh
#
# PyTorch comes from PyPI into a venv outside the repository (several GB the first
# time): $ACTLAB_TORCH_VENV, default ~/.cache/actlab-torch-venv.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${ACTLAB_TORCH_VENV:-$HOME/.cache/actlab-torch-venv}"
source scripts/python-venv.sh
python_venv "$venv" "torch, safetensors, numpy" torch safetensors numpy
bash scripts/export-cases.sh 5 "$venv/bin/python" scripts/check_pytorch_export.py

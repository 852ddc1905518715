#!/usr/bin/env bash
# actlab's exported weights checked without actlab or PyTorch: the files of
# scripts/export-cases.sh read with the `safetensors` package and run through the
# book's network written in numpy (scripts/check_export_numpy.py); logits and test
# accuracy must agree with `actlab eval`'s. CI runs it.
#
#   bash scripts/check-export-numpy.sh
#
# numpy and safetensors come from PyPI into a venv outside the repository (about
# 30 MB): $ACTLAB_NUMPY_VENV, default ~/.cache/actlab-numpy-venv.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${ACTLAB_NUMPY_VENV:-$HOME/.cache/actlab-numpy-venv}"
source scripts/python-venv.sh
python_venv "$venv" "safetensors.numpy, numpy" safetensors numpy
bash scripts/export-cases.sh 10000 "$venv/bin/python" scripts/check_export_numpy.py

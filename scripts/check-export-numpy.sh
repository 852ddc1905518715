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
if ! "$venv/bin/python" -c "import safetensors.numpy, numpy" 2>/dev/null; then
  echo "== creating $venv with safetensors and numpy from PyPI"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet safetensors numpy
fi
data="${ACTLAB_DATA:-/usr/share/datasets/fashion-mnist}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash scripts/export-cases.sh "$work" 10000 > "$work/cases"
mapfile -t cases < "$work/cases"
echo "== run in numpy"
"$venv/bin/python" scripts/check_export_numpy.py "$data" "${cases[@]}"

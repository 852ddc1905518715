#!/usr/bin/env bash
# The PyTorch modules a study writes (discovered.py) computed by PyTorch: values,
# derivatives and parameter gradients of each at fixed inputs, written as the fixture
# that crates/search/tests/discovered.rs compares with actlab's own values.
#
#   bash scripts/check-discovered-pytorch.sh results/reference/search-rediscovery
#
# PyTorch comes from PyPI into a venv outside the repository (several GB the first
# time): $ACTLAB_TORCH_VENV, default ~/.cache/actlab-torch-venv.
set -euo pipefail
cd "$(dirname "$0")/.."
study=${1:?give a study folder, e.g. results/reference/search-rediscovery}
venv="${ACTLAB_TORCH_VENV:-$HOME/.cache/actlab-torch-venv}"
source scripts/python-venv.sh
python_venv "$venv" "torch" torch
"$venv/bin/python" scripts/check_discovered_pytorch.py "$study" crates/search/tests/fixtures/discovered-pytorch.json
cargo test --release --workspace --test discovered

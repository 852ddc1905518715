#!/usr/bin/env bash
# torch.nn.init's gains and each scheme's weight spread for a layer of fixed fans, written
# as the fixture crates/nets/tests/initialisation.rs compares actlab's formulas with.
#
#   bash scripts/check-init-pytorch.sh
#
# PyTorch comes from PyPI into a venv outside the repository (several GB the first
# time): $ACTLAB_TORCH_VENV, default ~/.cache/actlab-torch-venv.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${ACTLAB_TORCH_VENV:-$HOME/.cache/actlab-torch-venv}"
source scripts/python-venv.sh
python_venv "$venv" "torch" torch
"$venv/bin/python" scripts/torch_init_fixture.py > crates/nets/tests/fixtures/torch-init.json
cargo test --release --workspace --test initialisation

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
if ! "$venv/bin/python" -c "import torch, safetensors, numpy" 2>/dev/null; then
  echo "== creating $venv with torch, safetensors and numpy from PyPI"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet torch safetensors numpy
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/actlab-target}"
cargo build --release -q -p actlab
bin="$CARGO_TARGET_DIR/release/actlab"
data="${ACTLAB_DATA:-/usr/share/datasets/fashion-mnist}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fixtures=crates/actlab/tests/fixtures/pytorch
cases=()

case_file() { # name act hidden-json scope run [fixture-case]
  local name=$1 act=$2 hidden=$3 scope=$4 run=$5 fixture=${6:-}
  "$bin" export --run "$run" --to "$work/$name.safetensors" > /dev/null
  "$bin" eval --run "$run" --logits 5 --json > "$work/$name.eval.json"
  python3 - "$work" "$name" "$act" "$hidden" "$scope" "$fixture" "$fixtures/fixtures.json" <<'PY'
import json, sys
work, name, act, hidden, scope, fixture, fixtures = sys.argv[1:]
case = {"name": name, "file": f"{work}/{name}.safetensors", "act": act,
        "hidden": json.loads(hidden), "scope": scope,
        "eval": json.load(open(f"{work}/{name}.eval.json"))}
if fixture:
    case["fixture"] = json.load(open(fixtures))["cases"][fixture]
json.dump(case, open(f"{work}/{name}.case.json", "w"))
PY
  cases+=("$work/$name.case.json")
}

echo "== fixtures: import, export, load in PyTorch"
for fixture in ReLU PReLU TeLU STAF PReLU-per-layer; do
  act=${fixture%%-*}
  scope=shared; [[ $fixture == *per-layer ]] && scope=per-layer
  "$bin" import "$fixtures/$fixture.pt" --acts "$act" --name "$fixture" --out "$work/imported" > /dev/null
  case_file "fixture-$fixture" "$act" "[32, 16]" "$scope" "$work/imported/$fixture/$act-s0" "$fixture"
done
echo "== the book's network trained by actlab (1 epoch): export, load in PyTorch"
"$bin" train --acts ReLU,PReLU,TeLU,STAF --epochs 1 --name trained --out "$work" --quiet > /dev/null
for act in ReLU PReLU TeLU STAF; do
  case_file "trained-$act" "$act" "[256, 192, 128, 64]" shared "$work/trained/$act-s7"
done
"$venv/bin/python" scripts/check_pytorch_export.py "$data" "${cases[@]}"

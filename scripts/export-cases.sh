#!/usr/bin/env bash
# The export checks' shared half: writes the cases — the committed PyTorch fixtures
# (crates/actlab/tests/fixtures/pytorch) imported and exported again, and the book's
# network trained by actlab for one epoch with ReLU, PReLU, TeLU and STAF and LeNet-5
# with per-channel PReLU, exported — and hands them to a checker. Each case is a
# CASE.json beside its .safetensors: the file, the activation, the convolutions, the
# widths, the scope, `actlab eval --logits LOGITS --json`, and
# for a fixture its PyTorch logits.
#
#   bash scripts/export-cases.sh LOGITS PYTHON CHECKER.py   # runs: PYTHON CHECKER.py DATA_DIR CASE.json...
#
# check-pytorch-export.sh (PyTorch loads the files) and check-export-numpy.sh (numpy runs
# the book's forward pass on them) call it, so both check the same files.
set -euo pipefail
cd "$(dirname "$0")/.."
logits=$1 python=$2 checker=$3
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/actlab-target}"
cargo build --release -q -p actlab
bin="$CARGO_TARGET_DIR/release/actlab"
data="${ACTLAB_DATA:-/usr/share/datasets/fashion-mnist}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cases=()
fixtures=crates/actlab/tests/fixtures/pytorch

case_file() { # name act conv-json hidden-json scope run [fixture-case]
  local name=$1 act=$2 conv=$3 hidden=$4 scope=$5 run=$6 fixture=${7:-}
  "$bin" export --run "$run" --to "$work/$name.safetensors" > /dev/null
  "$bin" eval --run "$run" --logits "$logits" --json > "$work/$name.eval.json"
  python3 - "$work" "$name" "$act" "$conv" "$hidden" "$scope" "$fixture" "$fixtures/fixtures.json" <<'PY'
import json, sys
work, name, act, conv, hidden, scope, fixture, fixtures = sys.argv[1:]
case = {"name": name, "file": f"{work}/{name}.safetensors", "act": act,
        "conv": json.loads(conv), "hidden": json.loads(hidden), "scope": scope,
        "eval": json.load(open(f"{work}/{name}.eval.json"))}
if fixture:
    case["fixture"] = json.load(open(fixtures))["cases"][fixture]
json.dump(case, open(f"{work}/{name}.case.json", "w"))
PY
  cases+=("$work/$name.case.json")
}

echo "== fixtures: import, export"
for fixture in ReLU PReLU TeLU STAF PReLU-per-layer CNN-ReLU CNN-TeLU CNN-PReLU-per-neuron; do
  act=${fixture#CNN-}; act=${act%%-*}
  scope=shared; [[ $fixture == *per-layer ]] && scope=per-layer; [[ $fixture == *per-neuron ]] && scope=per-neuron
  conv="[]" hidden="[32, 16]"; [[ $fixture == CNN-* ]] && conv="[6, 16]" hidden="[120, 84]"
  "$bin" import "$fixtures/$fixture.pt" --acts "$act" --name "$fixture" --out "$work/imported" > /dev/null
  case_file "fixture-$fixture" "$act" "$conv" "$hidden" "$scope" "$work/imported/$fixture/$act-s0" "$fixture"
done
echo "== the book's network trained by actlab (1 epoch): export"
"$bin" train --acts ReLU,PReLU,TeLU,STAF --epochs 1 --name trained --out "$work" --quiet > /dev/null
for act in ReLU PReLU TeLU STAF; do
  case_file "trained-$act" "$act" "[]" "[256, 192, 128, 64]" shared "$work/trained/$act-s7"
done
echo "== LeNet-5 with a PReLU slope per channel and unit, trained by actlab (1 epoch): export"
"$bin" train --acts PReLU --scope per-neuron --conv 6,16 --hidden 120,84 --epochs 1 --name lenet --out "$work" --quiet > /dev/null
case_file "trained-LeNet-PReLU" PReLU "[6, 16]" "[120, 84]" per-neuron "$work/lenet/PReLU-s7"
echo "== checked by $checker"
"$python" "$checker" "$data" "${cases[@]}"

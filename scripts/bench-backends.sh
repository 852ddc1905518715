#!/usr/bin/env bash
# Seconds per training epoch and per test-set evaluation, ndarray against flex, for
# ReLU, TeLU and STAF on the book's network (batch 128, SGD), from the release binary.
# The backends alternate within each round so that machine load hits both alike.
#
#   bash scripts/bench-backends.sh [ROUNDS] [EPOCHS]      (defaults: 3 rounds, 2 epochs)
#
# Prints medians over rounds x epochs; the first epoch of each run is dropped as warm-up
# when EPOCHS > 1.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
epochs=${2:-2}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/actlab-target}"
cargo build --release -q -p actlab
bin="$CARGO_TARGET_DIR/release/actlab"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
  for act in ReLU TeLU STAF; do
    for device in flex ndarray; do
      "$bin" train --acts "$act" --epochs "$epochs" --device "$device" --threads 1 \
        --quiet --out "$work" --name "$device-$act-$round" > /dev/null
    done
  done
done
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$work" "$epochs" <<'PY'
import json, pathlib, statistics, sys
work, epochs = pathlib.Path(sys.argv[1]), int(sys.argv[2])
skip = 1 if epochs > 1 else 0
times = {}
for record in work.glob("*/*/run.json"):
    device, act, _ = record.parent.parent.name.split("-")
    for e in json.loads(record.read_text())["epochs"][skip:]:
        times.setdefault((device, act, "train"), []).append(e["train_seconds"])
        times.setdefault((device, act, "eval"), []).append(e["eval_seconds"])
print(f"{'activation':<10} {'part':<6} {'flex s':>8} {'ndarray s':>10} {'ndarray/flex':>13}  samples")
for act in ["ReLU", "TeLU", "STAF"]:
    for part in ["train", "eval"]:
        f = statistics.median(times[("flex", act, part)])
        n = statistics.median(times[("ndarray", act, part)])
        print(f"{act:<10} {part:<6} {f:>8.3f} {n:>10.3f} {n / f:>13.2f}  {len(times[('flex', act, part)])}")
PY

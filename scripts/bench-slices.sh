#!/usr/bin/env bash
# The data-parallel step against the whole batch, side by side on this machine: epochs of
# the book's network (batch 128) and of 4 x 1024 (batch 128, on the first 5,120 training
# images, times scaled to 60,000) with `--slices 1, 2, 4` on one thread and on two, the
# order of the slice counts alternating between rounds.
#
# Then whether the slices change what is learnt: ReLU and GELU, seeds 1 to 5, 5 epochs,
# trained whole and with `--slices 4`, seed by seed.
#
#   bash scripts/bench-slices.sh [ROUNDS] [OUT]
#       ROUNDS (default 5); OUT (default results/reference/speed/slices.md), with the raw
#       measurements as JSON lines beside it (OUT with .jsonl for .md).
#
# About 15 minutes with the defaults on a 2-core AMD EPYC. scripts/slices_table.py turns
# the raw lines into the tables: medians over rounds, per round the sliced epoch over the
# whole-batch epoch measured next to it with a sign test across rounds, and the final
# test accuracies seed by seed.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
out=${2:-results/reference/speed/slices.md}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "bench-slices: ROUNDS must be a positive whole number, got '$rounds'" >&2; exit 2; }
[[ $out == *.md ]] || { echo "bench-slices: OUT must end in .md, got '$out'" >&2; exit 2; }

source scripts/bench-common.sh
raw="${out%.md}.jsonl"
scratch=$(mktemp)
runs=$(mktemp -d)
trap 'rm -rf "$scratch" "$runs"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $rounds rounds"
for round in $(seq "$rounds"); do
  echo "== round $round (load $(load))"
  order="1 2 4"
  (( round % 2 )) || order="4 2 1"
  for shape in "256,192,128,64 60000 3" "1024,1024,1024,1024 5120 2"; do
    read -r hidden images epochs <<< "$shape"
    for threads in 1 2; do
      for slices in $order; do
        t=$(printf '{"part": "timing", "round": %s, "load": %s}' "$round" "$(load)")
        "$bin" bench train --acts ReLU --epochs "$epochs" --hidden "$hidden" --images "$images" \
          --slices "$slices" --threads "$threads" --data-dir "$data" --json 2>/dev/null | tag "$t"
      done
    done
  done
done

echo "== accuracy: ReLU and GELU, seeds 1-5, 5 epochs, whole and 4 slices"
for slices in 1 4; do
  "$bin" train --acts ReLU,GELU --seeds 5 --epochs 5 --slices "$slices" --name "slices-$slices" \
    --out "$runs" --jobs 2 --data-dir "$data" --quiet > /dev/null
done
"$py" -c '
import json, pathlib, sys
for record in sorted(pathlib.Path(sys.argv[1]).glob("slices-*/*/run.json")):
    r = json.loads(record.read_text())
    print(json.dumps({"part": "accuracy", "activation": r["network"]["activation"]["kind"],
                      "seed": r["train"]["seed"], "slices": r["train"].get("slices", 1),
                      "epochs": len(r["epochs"]), "test_accuracy": r["epochs"][-1]["test_accuracy"]}))' "$runs" >> "$scratch"

mkdir -p "$(dirname "$out")"
cp "$scratch" "$raw"
"$py" scripts/slices_table.py "$raw" "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates ':!crates/*/tests' || echo -dirty)" \
  "$(nproc)-core $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" "$rounds" > "$out"
echo "wrote $out and $raw"
cat "$out"

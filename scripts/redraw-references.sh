#!/usr/bin/env bash
# Redraws every committed reference figure and report from the committed records, after a
# change to how figures look (nothing is retrained: the records are the data). The two
# cheap probe sets that need no trained run (gradients at initialisation, activation
# surfaces) are computed again under the current file names.
# Usage: scripts/redraw-references.sh   (then look at the PNGs before committing)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/actlab-target}"
cargo build --release -p actlab --quiet
actlab="$CARGO_TARGET_DIR/release/actlab"
refs=results/reference

# Files the current names replace, and figure data that its record already holds.
rm -f "$refs"/*/figures/experiment.{json,svg,png} "$refs"/*/figures/comparison.json \
  "$refs"/probes-gradients/*-figure.* "$refs"/figures/surface-*-figure.* \
  "$refs"/*/dead-neurons-*-figure.json "$refs"/*/*/probes/*-figure.json

# Every experiment: its summary (written again by a resume with nothing left to train;
# this needs the dataset), its figures, and its report where one is committed.
for config in "$refs"/*/experiment.json; do
  dir="$(dirname "$config")"
  "$actlab" train --resume "$dir" --quiet > /dev/null
  "$actlab" plot --from "$dir" > /dev/null
  if [[ -f "$dir/index.html" ]]; then "$actlab" report "$dir" > /dev/null; fi
done

# Every committed probe report: its figure beside it.
for report in "$refs"/*/dead-neurons-*.json "$refs"/*/*/probes/*.json; do
  case "$report" in *-figure.json) continue ;; esac
  "$actlab" plot --from "$report" > /dev/null
done

# Figures computed from nothing but the registry and the dataset.
"$actlab" plot acts --out "$refs/figures" --force > /dev/null
# Their committed reports are data like any record (computed again on another CPU they
# would differ in the last bits): drawn again from them, computed only when missing.
for report in "$refs"/probes-gradients/gradients-*.json "$refs"/figures/surface-*.json; do
  case "$report" in *-figure.json|*'*'*) continue ;; esac
  "$actlab" plot --from "$report" > /dev/null
done
[[ -e "$refs/probes-gradients/gradients-ReLU.json" ]] ||
  "$actlab" probe gradients --acts ReLU,Sigmoid,TeLU --out "$refs/probes-gradients" > /dev/null
[[ -e "$refs/figures/surface-ReLU.json" ]] ||
  "$actlab" probe surface --acts ReLU,GELU,TeLU,STAF --out "$refs/figures" > /dev/null
# A surface's SVG holds thousands of polygons (1 MB): its report and PNG are committed.
rm -f "$refs"/figures/surface-*-figure.svg
# The dead-unit comparison in the README: the trained ReLU and Swish runs, and the
# untrained 7-layer ReLU network.
"$actlab" plot dead-neurons "$refs"/book-ch4/ReLU-s7/probes/dead-neurons-epoch-15.json \
  "$refs"/book-ch4/Swish-s7/probes/dead-neurons-epoch-15.json \
  "$refs"/book-ch4/dead-neurons-init-ReLU-7layer-s7.json --out "$refs/figures" --force > /dev/null
echo "redrawn; look at the PNGs under $refs before committing"

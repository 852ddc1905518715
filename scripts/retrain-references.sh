#!/usr/bin/env bash
# Retrains the committed reference experiments after a change that moves last bits (a
# new matrix-product kernel, vectorised activation functions), computes again the probes
# that come from their trained runs, and prints, per run, the final test accuracy before
# and after (scripts/reference-drift.py compares them with the five-seed spread).
#
#   bash scripts/retrain-references.sh [EXPERIMENT ...]
#       default: book-ch4 book-ch4-seeds book-ch4-curvature zoo-3-epochs zoo-3-epochs-lr0.01
#
# Each experiment is trained again from its own experiment.json (`train --resume` on the
# folder with its run folders moved aside); the old run folders are left under
# $ACTLAB_OLD_REFS (default /tmp/actlab-old-references) for the comparison. Figures and
# reports are redrawn afterwards by scripts/redraw-references.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/actlab-target}"
cargo build --release -p actlab --quiet
# A private copy of the binary: a rebuild during the hour of retraining must not mix two
# versions of the code into one set of references.
bin_dir="$(mktemp -d)"
trap 'rm -rf "$bin_dir"' EXIT
cp "$CARGO_TARGET_DIR/release/actlab" "$bin_dir/actlab"
actlab="$bin_dir/actlab"
refs=results/reference
old_root="${ACTLAB_OLD_REFS:-/tmp/actlab-old-references}"
experiments=("$@")
[[ ${#experiments[@]} -gt 0 ]] ||
  experiments=(book-ch4 book-ch4-seeds book-ch4-curvature zoo-3-epochs zoo-3-epochs-lr0.01)

for name in "${experiments[@]}"; do
  dir="$refs/$name"
  old="$old_root/$name"
  echo "== $name"
  rm -rf "$old"
  mkdir -p "$old"
  for run in "$dir"/*/run.json; do
    mv "$(dirname "$run")" "$old/"
  done
  start=$(date +%s)
  "$actlab" train --resume "$dir" --jobs 2 --quiet > /dev/null
  echo "   trained in $(( $(date +%s) - start )) s"
done

# Probes computed from trained runs, where the references hold them.
for name in "${experiments[@]}"; do
  for run in "$refs/$name"/*/run.json; do
    run="$(dirname "$run")"
    probes="$old_root/$name/$(basename "$run")/probes"
    [[ -d "$probes" ]] || continue
    [[ -e "$probes/dead-neurons-epoch-15.json" ]] && "$actlab" probe dead-neurons --run "$run" --force > /dev/null
    [[ -e "$probes/outputs-epoch-15.json" ]] && "$actlab" probe outputs --run "$run" --force > /dev/null
    [[ -e "$probes/hessian-epoch-15.json" ]] && "$actlab" probe hessian --run "$run" --force > /dev/null
    [[ -e "$probes/landscape-line-epoch-15.json" ]] && "$actlab" probe landscape --run "$run" --threads 2 --force > /dev/null
    echo "   probes of $run again"
  done
done

python3 scripts/reference-drift.py "$old_root" "${experiments[@]/#/$refs/}"

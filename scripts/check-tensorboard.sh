#!/usr/bin/env bash
# actlab's TensorBoard event files, read back by TensorBoard itself: trains two short
# runs with --tensorboard --track grads (running losses, per-layer statistics, weight
# histograms, hyper-parameters), exports the committed book-ch4 references with
# `actlab tensorboard`, and checks every scalar, histogram and hyper-parameter that
# TensorBoard's EventAccumulator reads against each run's run.json
# (scripts/check_tensorboard.py). About a minute once built.
#
#   bash scripts/check-tensorboard.sh
#
# TensorBoard comes from PyPI into a venv outside the repository:
# $ACTLAB_TB_VENV, default ~/.cache/actlab-tb-venv.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${ACTLAB_TB_VENV:-$HOME/.cache/actlab-tb-venv}"
source scripts/python-venv.sh
python_venv "$venv" "tensorboard, numpy" tensorboard numpy
echo "== $("$venv/bin/python" -c 'import tensorboard; print("tensorboard", tensorboard.__version__)')"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/actlab-target}"
cargo build --release -q -p actlab
bin="$CARGO_TARGET_DIR/release/actlab"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== training with --tensorboard --track grads (ReLU, TeLU, PReLU; 2 epochs)"
"$bin" train --acts ReLU,TeLU,PReLU --epochs 2 --track grads --tensorboard \
  --name tb-check --out "$work" --quiet
pairs=()
for run in "$work"/tb-check/*-s7; do
  pairs+=("$run=$run/tensorboard")
done

echo "== exporting the committed book-ch4 references with actlab tensorboard"
"$bin" tensorboard results/reference/book-ch4 --out "$work/export"
for run in results/reference/book-ch4/*-s*/; do
  run=${run%/}
  pairs+=("$run=$work/export/book-ch4/$(basename "$run")")
done

echo "== reading back with TensorBoard's EventAccumulator"
"$venv/bin/python" scripts/check_tensorboard.py "${pairs[@]}"

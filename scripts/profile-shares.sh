#!/usr/bin/env bash
# Where a training epoch's time goes, by kind of work, on one thread and on two: perf
# samples every thread of `actlab bench train` (call graphs from DWARF) and each sample is
# counted under the first kind its stack shows (scripts/profile_shares.py): matrix
# products, activations, the optimiser, the loss, Burn's autodiff bookkeeping, threads
# waiting for work, the dead-neuron pass and evaluation, start-up, and the rest.
#
#   bash scripts/profile-shares.sh [ACTS] [THREADS...]     (default: ReLU,STAF 1 2)
#
# Needs `perf` (linux-perf); prints one markdown table per activation.
set -euo pipefail
cd "$(dirname "$0")/.."
acts=${1:-ReLU,STAF}
shift || true
threads=("$@")
[[ ${#threads[@]} -gt 0 ]] || threads=(1 2)
command -v perf > /dev/null || { echo "profile-shares: needs perf (apt-get install linux-perf)" >&2; exit 2; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/actlab-target}"
cargo build --release -q -p actlab
bin="$CARGO_TARGET_DIR/release/actlab"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); actlab $(git rev-parse --short HEAD)"
IFS=, read -ra names <<< "$acts"
for act in "${names[@]}"; do
  columns=()
  for t in "${threads[@]}"; do
    perf record -q -F 999 --call-graph dwarf,32768 -o "$scratch/$act-$t.data" -- \
      "$bin" bench train --acts "$act" --epochs 2 --threads "$t" --no-verify > /dev/null 2>&1
    perf script -i "$scratch/$act-$t.data" 2> /dev/null > "$scratch/$act-$t.txt"
    columns+=("$t=$scratch/$act-$t.txt")
  done
  echo
  echo "$act, \`actlab bench train --acts $act --epochs 2\`, share of all samples of every thread:"
  echo
  python3 scripts/profile_shares.py "${columns[@]}"
done

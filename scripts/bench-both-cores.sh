#!/usr/bin/env bash
# Both cores at work: the speed targets of the data-parallel issue measured side by side on
# this machine, with the machine's own limits. actlab and PyTorch (preloaded tensors,
# OMP_WAIT_POLICY=PASSIVE) alternate within every round, on one thread and on two:
#
#   - `actlab bench peak`: the cores' FMA limit and the product peak, 1 and 2 threads;
#   - the book's network (ReLU and STAF, batch 128, 3 epochs, the first a warm-up):
#     epoch, test evaluation, dead-neuron pass;
#   - 4 x 1024 and 4 x 2048, batch 128 and 512 (ReLU, on the first N training images,
#     times scaled to 60,000), with actlab's products as a share of the product peak.
#
#   bash scripts/bench-both-cores.sh [ROUNDS] [WIDE_ROUNDS] [OUT]
#       ROUNDS (default 5) rounds of the book's network, WIDE_ROUNDS (default 2) of the
#       wide ones; OUT (default results/reference/speed/both-cores.md), with the raw
#       measurements as JSON lines beside it (OUT with .jsonl for .md).
#   ACTLAB_OLD_BIN=PATH also times an older actlab binary on the book's network in the
#   same rounds (the "old" column).
#
# About 25 minutes with the defaults on a 2-core AMD EPYC. Medians over rounds; every
# round's load average is in the raw file. A shared virtual machine's speed moves between
# rounds (its FMA limit by up to a third), hence five rounds of the book's network.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
wide_rounds=${2:-2}
out=${3:-results/reference/speed/both-cores.md}
for n in "$rounds" "$wide_rounds"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "bench-both-cores: ROUNDS and WIDE_ROUNDS must be positive whole numbers, got '$n'" >&2; exit 2; }
done
[[ $out == *.md ]] || { echo "bench-both-cores: OUT must end in .md, got '$out'" >&2; exit 2; }
old_bin="${ACTLAB_OLD_BIN:-}"
[[ -z $old_bin || -x $old_bin ]] || { echo "bench-both-cores: ACTLAB_OLD_BIN=$old_bin is not an executable" >&2; exit 2; }

source scripts/bench-common.sh
raw="${out%.md}.jsonl"
scratch=$(mktemp)
trap 'rm -f "$scratch"' EXIT

tags() { printf '{"system": "%s", "round": %s, "load": %s, "part": "%s"}' "$1" "$2" "$(load)" "$3"; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "torch $("$py" -c 'import torch; print(torch.__version__)'), actlab $("$bin" --version | cut -d' ' -f2), $rounds rounds"
t=$(tags actlab-peak 0 peak); "$bin" bench peak --threads 1,2 --json 2>/dev/null | tag "$t"
systems="new torch"
[[ -n $old_bin ]] && systems="old new torch"
for round in $(seq "$rounds"); do
  echo "== book round $round (load $(load))"
  for threads in 1 2; do
    order=$systems
    (( round % 2 )) || order=$(echo "$systems" | tr ' ' '\n' | tac | xargs)
    for system in $order; do
      t=$(tags "$system" "$round" book)
      case $system in
        new | old)
          b=$bin; [[ $system == old ]] && b=$old_bin
          "$b" bench train --acts ReLU,STAF --epochs 3 --threads "$threads" --data-dir "$data" --json 2>/dev/null | tag "$t" ;;
        torch)
          "$py" scripts/bench_pytorch.py --act ReLU --mode preloaded --epochs 3 --threads "$threads" --data "$data" | tag "$t" ;;
      esac
    done
  done
done
for round in $(seq "$wide_rounds"); do
  echo "== wide round $round (load $(load))"
  for shape in "1024,1024,1024,1024 5120" "2048,2048,2048,2048 2048"; do
    read -r hidden images <<< "$shape"
    for batch in 128 512; do
      for threads in 1 2; do
        order="new torch"
        (( round % 2 )) || order="torch new"
        for system in $order; do
          t=$(tags "$system" "$round" wide)
          if [[ $system == new ]]; then
            "$bin" bench train --acts ReLU --epochs 2 --hidden "$hidden" --batch-size "$batch" \
              --images "$images" --threads "$threads" --data-dir "$data" --json 2>/dev/null | tag "$t"
          else
            "$py" scripts/bench_pytorch.py --act ReLU --mode preloaded --epochs 2 --hidden "$hidden" \
              --batch-size "$batch" --images "$images" --threads "$threads" --data "$data" | tag "$t"
          fi
        done
      done
    done
  done
done

mkdir -p "$(dirname "$out")"
cp "$scratch" "$raw"
"$py" scripts/both_cores_table.py "$raw" "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates ':!crates/*/tests' || echo -dirty)" \
  "$(nproc)-core $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" "$rounds" "$wide_rounds" > "$out"
echo "wrote $out and $raw"
cat "$out"

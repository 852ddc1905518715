#!/usr/bin/env bash
# LeNet-5 (conv 6,16, hidden 120,84; actlab's `--conv`) trained by actlab and by PyTorch
# on this machine, side by side: ReLU and TeLU, SGD (lr 1e-3, momentum 0.8: the speed of
# a step does not depend on them), batch 128, 1 and 2 threads. actlab and PyTorch
# (preloaded tensors, OMP_WAIT_POLICY=PASSIVE; the same network in bench_pytorch.py
# --conv) alternate within every round; the table gives medians over rounds of seconds
# per 60,000-image epoch (timed on the first 12,800 images and scaled; the first epoch of
# every run is a warm-up), test-set evaluation and the dead-neuron pass, with actlab /
# PyTorch and each round's load. Writes results/reference/speed/cnn.md.
#
#   bash scripts/bench-cnn.sh [ROUNDS]      (default 3; about 4 minutes a round here)
#
# PyTorch: see scripts/bench-common.sh ($ACTLAB_BENCH_VENV).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
images=12800

source scripts/bench-common.sh
results=$(mktemp)
trap 'rm -f "$results"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "torch $("$py" -c 'import torch; print(torch.__version__)'), actlab $("$bin" --version | cut -d' ' -f2), $rounds rounds"
for round in $(seq "$rounds"); do
  echo "== round $round (load $(load))"
  for act in ReLU TeLU; do
    for threads in 1 2; do
      if (( round % 2 )); then order="actlab torch"; else order="torch actlab"; fi
      for system in $order; do
        l=$(load)
        if [[ $system == actlab ]]; then
          "$bin" bench train --acts "$act" --epochs 2 --conv 6,16 --hidden 120,84 \
            --images "$images" --threads "$threads" --data-dir "$data" --json 2>/dev/null |
            "$py" -c "import json,sys; [print(json.dumps({**r, 'system': 'actlab', 'threads': $threads, 'load': $l})) for r in json.load(sys.stdin)]" >> "$results"
        else
          "$py" scripts/bench_pytorch.py --act "$act" --mode preloaded --epochs 2 \
            --conv 6,16 --hidden 120,84 --images "$images" --threads "$threads" --data "$data" |
            "$py" -c "import json,sys; r=json.load(sys.stdin); r['load']=$l; print(json.dumps(r))" >> "$results"
        fi
      done
      echo "   $act, $threads thread(s) done (load $(load))"
    done
  done
done

"$py" - "$results" "$rounds" "$images" <<'PY' | tee results/reference/speed/cnn.md
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
def pick(system, act, threads, key):
    vals = [r[key] for r in rows if r["system"].startswith(system)
            and r["activation"] == act and r["threads"] == threads]
    return statistics.median(vals) if vals else float("nan")
loads = [r["load"] for r in rows]
print("# LeNet-5: actlab and PyTorch side by side")
print()
print(f"`bash scripts/bench-cnn.sh {sys.argv[2]}`: LeNet-5 (`--conv 6,16 --hidden 120,84`), batch 128,")
print(f"medians of {sys.argv[2]} rounds, actlab and PyTorch alternating (load {min(loads):.2f}-{max(loads):.2f});")
print(f"training epochs timed on the first {sys.argv[3]} images and scaled to 60,000.")
print()
print("| activation | threads | measure | actlab (s) | PyTorch (s) | actlab / PyTorch |")
print("|---|---:|---|---:|---:|---:|")
measures = [("training epoch", "epoch_s"), ("test-set evaluation", "eval_s"),
            ("dead-neuron pass", "dead_neuron_pass_s")]
for act in ("ReLU", "TeLU"):
    for threads in (1, 2):
        for label, key in measures:
            a, p = pick("actlab", act, threads, key), pick("pytorch", act, threads, key)
            print(f"| {act} | {threads} | {label} | {a:.3f} | {p:.3f} | {a / p:.2f} |")
PY

#!/usr/bin/env bash
# How actlab's lead over PyTorch holds as the network widens and the batch grows: ReLU,
# SGD (lr 1e-3, momentum 0.8), hidden widths (the book's, 4 x 512, 4 x 1024, 4 x 2048) x
# batch sizes (128, 512) x threads (1, 2). actlab and PyTorch (preloaded tensors,
# OMP_WAIT_POLICY=PASSIVE) alternate within every round; the table gives medians over
# rounds of seconds per 60,000-image epoch, and actlab / PyTorch, with each round's load.
#
#   bash scripts/bench-scaling.sh [ROUNDS]      (default 3; about 6 minutes a round here)
#
# Wide networks train on the first N images of the training set (N chosen per width so
# that a measured epoch takes seconds, a multiple of 512) and the time is scaled to
# 60,000 (`actlab bench train --images N`, `bench_pytorch.py --images N`); the first epoch
# of every run is a warm-up. Writes results/reference/speed/scaling.md.
#
# PyTorch: see scripts/bench-common.sh ($ACTLAB_BENCH_VENV).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}

source scripts/bench-common.sh
results=$(mktemp)
trap 'rm -f "$results"' EXIT

# hidden widths and the training images each is timed on
shapes=(
  "256,192,128,64 60000"
  "512,512,512,512 15360"
  "1024,1024,1024,1024 5120"
  "2048,2048,2048,2048 2048"
)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "torch $("$py" -c 'import torch; print(torch.__version__)'), actlab $("$bin" --version | cut -d' ' -f2), $rounds rounds"
for round in $(seq "$rounds"); do
  echo "== round $round (load $(load))"
  for shape in "${shapes[@]}"; do
    read -r hidden images <<< "$shape"
    for batch in 128 512; do
      for threads in 1 2; do
        if (( round % 2 )); then order="actlab torch"; else order="torch actlab"; fi
        for system in $order; do
          l=$(load)
          if [[ $system == actlab ]]; then
            "$bin" bench train --acts ReLU --epochs 2 --hidden "$hidden" --batch-size "$batch" \
              --images "$images" --threads "$threads" --data-dir "$data" --json 2>/dev/null |
              "$py" -c "import json,sys; [print(json.dumps({**r, 'system': 'actlab', 'load': $l})) for r in json.load(sys.stdin)]" >> "$results"
          else
            "$py" scripts/bench_pytorch.py --act ReLU --mode preloaded --epochs 2 \
              --hidden "$hidden" --batch-size "$batch" --images "$images" \
              --threads "$threads" --data "$data" |
              "$py" -c "import json,sys; r=json.load(sys.stdin); r['load']=$l; print(json.dumps(r))" >> "$results"
          fi
        done
        echo "   $hidden batch $batch, $threads thread(s) done (load $(load))"
      done
    done
  done
done

"$py" - "$results" "$rounds" <<'PY' | tee results/reference/speed/scaling.md
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
def pick(system, hidden, batch, threads, key="epoch_s"):
    vals = [r[key] for r in rows if r["system"].startswith(system) and r["hidden"] == hidden
            and r["batch_size"] == batch and r["threads"] == threads]
    return statistics.median(vals) if vals else float("nan")
def loads(system):
    vals = [r["load"] for r in rows if r["system"].startswith(system)]
    return f"{min(vals):.2f}-{max(vals):.2f}"
shapes = sorted({tuple(r["hidden"]) for r in rows}, key=lambda h: sum(h))
print("# actlab and PyTorch as networks widen and batches grow (ReLU, SGD)")
print()
print(f"`bash scripts/bench-scaling.sh {sys.argv[2]}`: seconds per 60,000-image training epoch, medians of")
print(f"{sys.argv[2]} rounds, actlab and PyTorch alternating; wide networks timed on the first N images")
print("and scaled (N in the table). Target: actlab / PyTorch <= 0.7 on 2 threads.")
print()
print("| hidden | batch | images | actlab 1 thr | actlab 2 thr | PyTorch 1 thr | PyTorch 2 thr | ratio 1 thr | ratio 2 thr | actlab 2 thr / 1 thr |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for hidden in shapes:
    h = list(hidden)
    for batch in (128, 512):
        a1, a2 = pick("actlab", h, batch, 1), pick("actlab", h, batch, 2)
        p1, p2 = pick("pytorch", h, batch, 1), pick("pytorch", h, batch, 2)
        images = next(r["train_images"] for r in rows if r["hidden"] == h)
        name = "the book's" if h == [256, 192, 128, 64] else f"4 x {h[0]}"
        print(f"| {name} | {batch} | {images} | {a1:.3f} | {a2:.3f} | {p1:.3f} | {p2:.3f} | "
              f"{a1 / p1:.2f} | {a2 / p2:.2f} | {a1 / a2:.2f}x |")
print()
print(f"load average during actlab runs {loads('actlab')}, PyTorch runs {loads('pytorch')}")
torch_version = next(r["torch"] for r in rows if "torch" in r)
print(f"torch {torch_version}; machine: see the script's first lines of output")
PY

#!/usr/bin/env bash
# actlab on wgpu against PyTorch on CUDA, side by side on one machine: the book's
# comparison (ReLU, GELU, TeLU and STAF epochs of the book's network, batch 128) and the
# scaling table's shapes (4 x 512, 4 x 1024, 4 x 2048; batch 128 and 512), ReLU, SGD lr
# 1e-3 momentum 0.8. The systems alternate within every round; the table gives medians
# over rounds of seconds per 60,000-image epoch (wide networks timed on the first N
# images and scaled, as in bench-scaling.sh) and actlab / PyTorch.
#
#   bash scripts/bench-gpu.sh [ROUNDS]        (default 3) writes results/reference/gpu/bench-gpu.md
#   bash scripts/bench-gpu.sh --quick         one round, the book's network on 5,120 images,
#                                             printed only: the check that the script runs
#
# Where torch sees no CUDA device (this project's machines: no GPU, wgpu on Mesa's
# lavapipe), PyTorch runs on the CPU, the table says so, and no record is written: a
# software rasteriser against a CPU says nothing about a GPU.
#
# PyTorch: see scripts/bench-common.sh ($ACTLAB_BENCH_VENV); CUDA needs a torch built
# for it (PyPI's Linux wheels are).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3
quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1; rounds=1 ;;
    *) rounds=$arg ;;
  esac
done

invocation="bash scripts/bench-gpu.sh${*:+ $*}"
bench_features=wgpu
source scripts/bench-common.sh
scratch=$(mktemp)
trap 'rm -f "$scratch"' EXIT

torch_device=$("$py" -c 'import torch; print("cuda" if torch.cuda.is_available() else "cpu")')
if (( quick )); then
  shapes=("256,192,128,64 5120 128")
  acts=(ReLU STAF)
else
  shapes=(
    "256,192,128,64 60000 128"
    "512,512,512,512 15360 128" "512,512,512,512 15360 512"
    "1024,1024,1024,1024 5120 128" "1024,1024,1024,1024 5120 512"
    "2048,2048,2048,2048 2048 128" "2048,2048,2048,2048 2048 512"
  )
  acts=(ReLU GELU TeLU STAF)
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "torch $("$py" -c 'import torch; print(torch.__version__)') on $torch_device, actlab $("$bin" --version | cut -d' ' -f2) on wgpu, $rounds rounds"

# One timing of each system for activation $1 on the shape "$2" (hidden, images, batch).
time_both() {
  local act=$1 hidden images batch order system
  read -r hidden images batch <<< "$2"
  if (( round % 2 )); then order="actlab torch"; else order="torch actlab"; fi
  for system in $order; do
    if [[ $system == actlab ]]; then
      "$bin" bench train --acts "$act" --epochs 2 --hidden "$hidden" --batch-size "$batch" \
        --images "$images" --device wgpu --data-dir "$data" --json 2> /dev/null |
        tag "{\"system\": \"actlab-wgpu\", \"load\": $(load)}"
    else
      "$py" scripts/bench_pytorch.py --act "$act" --mode preloaded --epochs 2 --device "$torch_device" \
        --hidden "$hidden" --batch-size "$batch" --images "$images" --data "$data" |
        tag "{\"system\": \"pytorch-$torch_device\", \"load\": $(load)}"
    fi
  done
}

for round in $(seq "$rounds"); do
  echo "== round $round (load $(load))"
  for act in "${acts[@]}"; do
    time_both "$act" "${shapes[0]}"
    echo "   $act, the book's network: done"
  done
  for shape in "${shapes[@]:1}"; do
    time_both ReLU "$shape"
    echo "   ReLU $shape: done"
  done
done

table() {
  "$py" - "$scratch" "$rounds" "$torch_device" "$invocation" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
rounds, torch_device, invocation = sys.argv[2], sys.argv[3], sys.argv[4]
def med(system, act, hidden, batch):
    vals = [r["epoch_s"] for r in rows if r["system"] == system and r["activation"] == act
            and r["hidden"] == hidden and r["batch_size"] == batch]
    return statistics.median(vals) if vals else float("nan")
adapter = next((r["device"] for r in rows if r["system"] == "actlab-wgpu"), "?")
torch_name = next((r.get("device", "cpu") for r in rows if r["system"].startswith("pytorch")), "?")
print("# actlab on wgpu against PyTorch on " + ("CUDA" if torch_device == "cuda" else "the CPU"))
print()
print(f"`{invocation}`: seconds per 60,000-image training epoch, medians of {rounds}")
print(f"rounds, the systems alternating; actlab on {adapter}, PyTorch on {torch_name}.")
print()
print("| activation | hidden | batch | images | actlab wgpu | PyTorch | actlab / PyTorch |")
print("|---|---|---:|---:|---:|---:|---:|")
keys = sorted({(r["activation"], tuple(r["hidden"]), r["batch_size"], r["train_images"]) for r in rows
               if r["system"] == "actlab-wgpu"}, key=lambda k: (sum(k[1]), k[2], k[0]))
for act, hidden, batch, images in keys:
    a = med("actlab-wgpu", act, list(hidden), batch)
    p = med(f"pytorch-{torch_device}", act, list(hidden), batch)
    print(f"| {act} | {'-'.join(map(str, hidden))} | {batch} | {images} | {a:.3f} | {p:.3f} | {a / p:.2f} |")
loads = [r["load"] for r in rows]
print()
print(f"load average {min(loads):.2f}-{max(loads):.2f}")
PY
}

if [[ $torch_device == cuda && $quick == 0 ]]; then
  mkdir -p results/reference/gpu
  table | tee results/reference/gpu/bench-gpu.md
else
  table
  echo "(not recorded: $([[ $quick == 1 ]] && echo "--quick" || echo "no CUDA device"))"
fi

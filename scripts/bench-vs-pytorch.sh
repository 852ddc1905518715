#!/usr/bin/env bash
# actlab against PyTorch on this machine, side by side: the book's network (784-256-192-
# 128-64-10), SGD lr 1e-3 momentum 0.8, batch 128, the same thread count. The systems
# alternate within every round so that machine load falls on both alike; the table gives
# medians over rounds and the ratio actlab / PyTorch, with the load average of each round.
#
#   bash scripts/bench-vs-pytorch.sh [ROUNDS] [EPOCHS] [--no-full]
#       ROUNDS (default 3) x EPOCHS (default 3; the first epoch of each run is a warm-up)
#       the full configs/book-ch4.toml is also timed end to end (one process, one thread;
#       about 5 minutes) unless --no-full is given
#
# PyTorch: see scripts/bench-common.sh ($ACTLAB_BENCH_VENV).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3
epochs=3
full=1
positional=()
for arg in "$@"; do
  case "$arg" in
    --no-full) full=0 ;;
    *) positional+=("$arg") ;;
  esac
done
[[ ${#positional[@]} -gt 0 ]] && rounds=${positional[0]}
[[ ${#positional[@]} -gt 1 ]] && epochs=${positional[1]}
threads=2
# Every smooth activation of the registry (issue target: epoch <= 1.2 ReLU epochs).
smooth="GELU,Mish,SiLU,Swish,Tanh,Sigmoid,TeLU,ELU,SELU,CELU,Softplus,TanhExp"

source scripts/bench-common.sh
results=$(mktemp)
trap 'rm -f "$results"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "torch $("$py" -c 'import torch; print(torch.__version__)'), actlab $("$bin" --version | cut -d' ' -f2), $threads threads, $rounds rounds x $epochs epochs"
for round in $(seq "$rounds"); do
  echo "== round $round (load $(load))"
  for act in ReLU TeLU STAF; do
    # Alternate which system goes first.
    if (( round % 2 )); then order="actlab torch"; else order="torch actlab"; fi
    for system in $order; do
      l=$(load)
      if [[ $system == actlab ]]; then
        for t in 1 "$threads"; do
          "$bin" bench train --acts "$act" --epochs "$epochs" --threads "$t" --data-dir "$data" --json |
            "$py" -c "import json,sys; [print(json.dumps({**r, 'system': 'actlab', 'load': $l})) for r in json.load(sys.stdin)]" >> "$results"
        done
      else
        "$py" scripts/bench_pytorch.py --act "$act" --mode preloaded --epochs "$epochs" \
          --threads "$threads" --data "$data" |
          "$py" -c "import json,sys; r=json.load(sys.stdin); r['load']=$l; print(json.dumps(r))" >> "$results"
      fi
    done
  done
  # The smooth activations against ReLU, actlab alone, one thread (fused kernels).
  l=$(load)
  "$bin" bench train --acts "ReLU,$smooth" --epochs "$epochs" --threads 1 --data-dir "$data" --json |
    "$py" -c "import json,sys; [print(json.dumps({**r, 'system': 'actlab-smooth', 'load': $l})) for r in json.load(sys.stdin)]" >> "$results"
  # The book's own pipeline (torchvision's FashionMNIST + DataLoader), when installed.
  if "$py" -c "import torchvision" 2>/dev/null; then
    l=$(load)
    "$py" scripts/bench_pytorch.py --act ReLU --mode dataloader --epochs 2 --threads "$threads" --data "$data" |
      "$py" -c "import json,sys; r=json.load(sys.stdin); r['load']=$l; print(json.dumps(r))" >> "$results"
  fi
done

# Wall time and peak RSS of a child process, measured by Python (no GNU time or bc needed).
measure() {
  python3 - "$@" <<'PY'
import json, resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(json.dumps({"wall_s": time.perf_counter() - start,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024}))
PY
}

echo "== peak memory"
rss_mb=$(measure "$bin" train --acts ReLU --epochs 1 --quiet --data-dir "$data" --out "$(mktemp -d)" |
  "$py" -c "import json,sys; print(json.load(sys.stdin)['peak_rss_mb'])")
echo "{\"system\": \"actlab\", \"peak_rss_mb\": $rss_mb}" >> "$results"
if (( full )); then
  echo "== configs/book-ch4.toml end to end"
  full_s=$(measure "$bin" train --config configs/book-ch4.toml --threads 1 --data-dir "$data" --out "$(mktemp -d)" --quiet |
    "$py" -c "import json,sys; print(json.load(sys.stdin)['wall_s'])")
  echo "{\"system\": \"actlab\", \"full_book_s\": $full_s}" >> "$results"
fi

"$py" - "$results" "$threads" "$smooth" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
threads = int(sys.argv[2])
smooth = sys.argv[3].split(",")
def med(system, act, key, t=threads):
    vals = [r[key] for r in rows if r.get("system") == system and r.get("activation") == act
            and r.get("threads", t) == t and key in r]
    return statistics.median(vals) if vals else float("nan")
def loads(system):
    vals = [r["load"] for r in rows if r.get("system") == system and "load" in r]
    return f"{min(vals):.2f}-{max(vals):.2f}" if vals else "-"
A, P = "actlab", "pytorch-preloaded"
print()
print(f"| measure | actlab | PyTorch | ratio | target | holds |")
print(f"|---|---:|---:|---:|---|---|")
relu_a, relu_p = med(A, "ReLU", "epoch_s"), med(P, "ReLU", "epoch_s")
relu_a1 = med(A, "ReLU", "epoch_s", 1)
lines = []
lines.append(("ReLU training epoch, 2 threads (s)", relu_a, relu_p, relu_a / relu_p, "<= 0.5 x PyTorch", relu_a / relu_p <= 0.5))
lines.append(("ReLU training epoch, actlab 1 thread (s)", relu_a1, relu_p, relu_a1 / relu_p, "(for reference)", None))
a = med(A, "STAF", "epoch_s") / relu_a
p = med(P, "STAF", "epoch_s") / relu_p
lines.append(("STAF epoch / ReLU epoch", a, p, a / p, "<= 2.0", a <= 2.0))
relu_smooth = med("actlab-smooth", "ReLU", "epoch_s", 1)
for act in smooth:
    a = med("actlab-smooth", act, "epoch_s", 1) / relu_smooth
    p = med(P, act, "epoch_s") / relu_p
    lines.append((f"{act} epoch / ReLU epoch, 1 thread", a, p, a / p, "<= 1.2", a <= 1.2))
for key, name in (("eval_s", "test-set evaluation, 10k (s)"), ("dead_neuron_pass_s", "dead-neuron pass, 60k (s)")):
    a, p = med(A, "ReLU", key), med(P, "ReLU", key)
    lines.append((name, a, p, a / p, "<= 0.7 x PyTorch", a / p <= 0.7))
dl = med("pytorch-dataloader", "ReLU", "epoch_s")
lines.append(("ReLU epoch vs the book's DataLoader pipeline (s)", relu_a, dl, relu_a / dl, "(for reference)", None))
full = [r["full_book_s"] for r in rows if "full_book_s" in r]
if full:
    lines.append(("full configs/book-ch4.toml, one process, one thread (s)", full[0], float("nan"), float("nan"), "<= 270 s", full[0] <= 270))
else:
    lines.append(("full configs/book-ch4.toml (s), skipped: --no-full", float("nan"), float("nan"), float("nan"), "<= 270 s", None))
rss = [r["peak_rss_mb"] for r in rows if "peak_rss_mb" in r]
lines.append(("peak RSS while training (MB)", rss[0], float("nan"), float("nan"), "<= 400 MB", rss[0] <= 400))
for name, a, p, ratio, target, ok in lines:
    fmt = lambda v: "-" if v != v else f"{v:.3f}"
    holds = "-" if ok is None else ("yes" if ok else "no")
    print(f"| {name} | {fmt(a)} | {fmt(p)} | {fmt(ratio)} | {target} | {holds} |")
print()
print(f"load average during actlab runs {loads(A)}, PyTorch runs {loads(P)}")
PY

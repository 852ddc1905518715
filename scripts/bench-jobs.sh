#!/usr/bin/env bash
# A sweep trained one run at a time, then with --jobs N, back to back on the same
# machine: both wall times, the throughput ratio, and whether every run's record came
# out bit-identical (every epoch's losses and accuracies).
# Usage: scripts/bench-jobs.sh [CONFIG] [N]   (default configs/book-ch4.toml, 2 jobs)
set -euo pipefail
cd "$(dirname "$0")/.."
config="${1:-configs/book-ch4.toml}"
jobs="${2:-2}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/actlab-target}"
cargo build --release -p actlab --quiet
actlab="$CARGO_TARGET_DIR/release/actlab"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
timed() {
  local start end
  start=$(date +%s.%N)
  "$actlab" train --config "$config" --out "$out" --quiet "$@" > /dev/null
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.1f}')"
}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
one=$(timed --name one)
echo "one at a time: ${one} s   (load after: $(cut -d' ' -f1-3 /proc/loadavg))"
many=$(timed --name many --jobs "$jobs")
echo "--jobs $jobs: ${many} s   (load after: $(cut -d' ' -f1-3 /proc/loadavg))"
python3 - "$out" "$one" "$many" <<'PY'
import json, pathlib, sys
out, one, many = pathlib.Path(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
keys = ["train_loss", "train_accuracy", "test_loss", "test_accuracy"]
epochs = lambda p: [[e[k] for k in keys] for e in json.loads(p.read_text())["epochs"]]
runs = sorted(p.parent.name for p in (out / "one").glob("*/run.json"))
differ = [r for r in runs if epochs(out / "one" / r / "run.json") != epochs(out / "many" / r / "run.json")]
print(f"throughput ratio: {one / many:.2f}; {len(runs) - len(differ)} of {len(runs)} records bit-identical")
sys.exit(1 if differ else 0)
PY

#!/usr/bin/env bash
# A sweep trained one run at a time, then with --jobs N, back to back on the same
# machine: both wall times, the throughput ratio, and whether every run's record came
# out bit-identical (every epoch's losses and accuracies). Prints a markdown table, and
# writes it to OUT when given (results/reference/speed/jobs.md is the committed one,
# which docs/speed.md quotes and crates/actlab/tests/record_numbers.rs checks).
# Usage: scripts/bench-jobs.sh [CONFIG] [N] [OUT]   (default configs/book-ch4.toml, 2 jobs)
set -euo pipefail
cd "$(dirname "$0")/.."
config="${1:-configs/book-ch4.toml}"
jobs="${2:-2}"
report="${3:-}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/actlab-target}"
cargo build --release -p actlab --quiet
actlab="$CARGO_TARGET_DIR/release/actlab"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }
timed() {
  local start end
  start=$(date +%s.%N)
  "$actlab" train --config "$config" --out "$out" --quiet "$@" > /dev/null
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.1f}')"
}
load_before=$(load)
one=$(timed --name one)
load_one=$(load)
many=$(timed --name many --jobs "$jobs")
load_many=$(load)
python3 - "$out" "$one" "$many" "$jobs" "$config" "$load_before" "$load_one" "$load_many" "$report" <<'PY'
import json, pathlib, platform, subprocess, sys
out, one, many = pathlib.Path(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
jobs, config, before, after_one, after_many, report = sys.argv[4:10]
keys = ["train_loss", "train_accuracy", "test_loss", "test_accuracy"]
epochs = lambda p: [[e[k] for k in keys] for e in json.loads(p.read_text())["epochs"]]
runs = sorted(p.parent.name for p in (out / "one").glob("*/run.json"))
differ = [r for r in runs if epochs(out / "one" / r / "run.json") != epochs(out / "many" / r / "run.json")]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
table = f"""# A sweep one run at a time, then --jobs {jobs}

`bash scripts/bench-jobs.sh {config} {jobs}`, back to back, on {cpu} ({len(__import__('os').sched_getaffinity(0))} cores), revision {rev}; load average before {before}, after the first sweep {after_one}, after the second {after_many}.

| measure | value |
|---|---:|
| one run at a time (s) | {one:.1f} |
| --jobs {jobs} (s) | {many:.1f} |
| throughput ratio | {one / many:.2f} |
| records bit-identical | {len(runs) - len(differ)} of {len(runs)} |
"""
print(table)
if report:
    pathlib.Path(report).write_text(table)
sys.exit(1 if differ else 0)
PY

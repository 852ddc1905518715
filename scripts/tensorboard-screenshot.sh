#!/usr/bin/env bash
# Opens an experiment in a real TensorBoard and saves two screenshots (headless
# chromium, as scripts/report-screenshot.sh does): the time series of every run, and
# the HParams table. The events are exported from the records with `actlab tensorboard`.
#   bash scripts/tensorboard-screenshot.sh results/reference/book-ch4 OUT_PREFIX
#   -> OUT_PREFIX-timeseries.png, OUT_PREFIX-hparams.png
# Needs Debian's chromium; TensorBoard comes from the venv of scripts/check-tensorboard.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
experiment="$1"
prefix="$2"
venv="${ACTLAB_TB_VENV:-$HOME/.cache/actlab-tb-venv}"
[[ -x "$venv/bin/tensorboard" ]] || { echo "no TensorBoard in $venv: run scripts/check-tensorboard.sh once" >&2; exit 2; }
browser="$(command -v chromium || command -v chromium-browser || true)"
[[ -n "$browser" ]] || { echo "no chromium on PATH (apt-get install chromium)" >&2; exit 2; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/actlab-target}"
cargo build --release -q -p actlab
logdir=$(mktemp -d)
"$CARGO_TARGET_DIR/release/actlab" tensorboard "$experiment" --out "$logdir"
port=$(( 20000 + RANDOM % 20000 ))
"$venv/bin/tensorboard" --logdir "$logdir" --port "$port" > "$logdir/tensorboard.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$logdir"' EXIT
for _ in $(seq 60); do
  curl -sf "http://localhost:$port/data/runs" > /dev/null && break
  sleep 0.5
done
# forceSVG: headless chromium has no WebGL, which TensorBoard's charts use by default.
shot() {
  "$browser" --headless --no-sandbox --hide-scrollbars --window-size="$2" \
    --virtual-time-budget=20000 --screenshot="$3" \
    "http://localhost:$port/?darkMode=false&forceSVG=true#$1" 2>/dev/null
  [[ -s "$3" ]] || { echo "chromium wrote no screenshot for #$1" >&2; exit 1; }
  echo "$3"
}
shot timeseries 1600,1100 "$prefix-timeseries.png"
shot hparams 1600,900 "$prefix-hparams.png"

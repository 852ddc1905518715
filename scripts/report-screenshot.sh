#!/usr/bin/env bash
# Opens an experiment's report (actlab report DIR) in a real browser, headless, and saves
# a screenshot: the check that index.html renders offline as a page, not just as text.
# Needs Debian's chromium (apt-get install chromium).
#   bash scripts/report-screenshot.sh results/reference/book-ch4 report.png [WIDTH,HEIGHT]
set -euo pipefail
dir="$(cd "$1" && pwd)"
out="$2"
size="${3:-1400,2400}"
[[ -f "$dir/index.html" ]] || { echo "$dir/index.html: missing; run actlab report $1 first" >&2; exit 2; }
browser="$(command -v chromium || command -v chromium-browser || true)"
[[ -n "$browser" ]] || { echo "no chromium on PATH (apt-get install chromium)" >&2; exit 2; }
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="$size" \
  --screenshot="$out" "file://$dir/index.html" 2>/dev/null
[[ -s "$out" ]] || { echo "chromium wrote no screenshot" >&2; exit 1; }
echo "$out"

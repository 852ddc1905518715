#!/usr/bin/env bash
# Fuzzes the parsers that read user files: the IDX reader (raw and gzip) and the
# experiment config parser. Needs a nightly toolchain and cargo-fuzz:
#   rustup toolchain install nightly && cargo install cargo-fuzz
# Usage: scripts/fuzz.sh [RUNS]   (default 1000000 executions per target)
# Then keeps each corpus small: the set cover of its coverage edges.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
runs="${1:-1000000}"
targets=(idx config expr)
cargo +nightly fuzz build -O
target_dir="$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
host="$(rustc -vV | sed -n 's/^host: //p')"
for target in "${targets[@]}"; do
    echo "== $target: $runs executions"
    log="$(mktemp)"
    if ! cargo +nightly fuzz run -O "$target" -- -runs="$runs" -max_len=4096 >"$log" 2>&1; then
        tail -n 30 "$log"
        echo "fuzz target $target failed; the input is in fuzz/artifacts/$target/" >&2
        exit 1
    fi
    grep -E '^Done' "$log"
    minimal="$(mktemp -d)"
    "$target_dir/$host/release/$target" -set_cover_merge=1 -use_counters=0 \
        "$minimal" "corpus/$target" >/dev/null 2>&1
    rm -rf "corpus/$target" && mv "$minimal" "corpus/$target"
    echo "   corpus: $(ls "corpus/$target" | wc -l) files"
done

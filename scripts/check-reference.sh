#!/usr/bin/env bash
# Retrains every run recorded under a reference experiment folder from its run.json alone
# (`actlab rerun`) and checks that all of its epochs come out identical: the guard that
# a code change has not silently moved the committed reference numbers. A record whose
# `numerics` are portable repeats on any x86-64 CPU with AVX2 and FMA, at any thread
# count; one that is not (BSpline, mixtures) only on the machine kind it came from.
# Usage: scripts/check-reference.sh [EXPERIMENT_DIR | RUN_DIR ...]
#        (default: results/reference/book-ch4; a run folder retrains that run alone)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p actlab --quiet
bin="${CARGO_TARGET_DIR:-$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')}/release/actlab"
dirs=("$@")
[[ ${#dirs[@]} -gt 0 ]] || dirs=(results/reference/book-ch4)
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
failed=0
for dir in "${dirs[@]}"; do
    records=("$dir"/*/run.json)
    [[ -f "$dir/run.json" ]] && records=("$dir/run.json")
    for record in "${records[@]}"; do
        if "$bin" rerun "$record" --out "$scratch" --force --quiet; then
            :
        else
            failed=$((failed + 1))
        fi
    done
done
if [[ $failed -gt 0 ]]; then
    echo "$failed run(s) did not reproduce" >&2
    exit 1
fi
echo "every run reproduced"

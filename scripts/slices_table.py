"""Writes the markdown record of scripts/bench-slices.sh from its raw JSON lines.

    python scripts/slices_table.py RAW.jsonl REVISION MACHINE ROUNDS > OUT.md

Per network and thread count: the median epoch over rounds of each slice count (each
round's value in parentheses); then, for each slice count above 1, the per-round ratio of
its epoch to the whole batch's epoch of the same round, with the number of rounds in which
the slices were faster and the two-sided sign-test p-value of that count (the rounds are
paired, and a sign test assumes nothing about how a shared machine's speed moves).
Last, the final test accuracy of every seed trained whole and sliced, and the difference
in test images (of 10,000) next to the spread between seeds.
"""

import datetime
import json
import math
import statistics
import sys

raw, revision, machine, rounds = sys.argv[1:5]
lines = [json.loads(line) for line in open(raw) if line.strip()]
rows = [r for r in lines if r.get("part") == "timing"]
accuracy = [r for r in lines if r.get("part") == "accuracy"]
if not rows:
    sys.exit(f"slices_table: {raw} holds no measurements")

SHAPES = [((256, 192, 128, 64), "book network, 784-256-192-128-64-10"), ((1024,) * 4, "4 × 1024")]


def epochs(hidden, threads, slices):
    """Round -> epoch seconds."""
    return {
        r["round"]: r["epoch_s"]
        for r in rows
        if tuple(r["hidden"]) == hidden and r["threads"] == threads and r.get("slices", 1) == slices
    }


def sign_test(wins, n):
    """Two-sided exact binomial p-value of `wins` successes in `n` fair trials."""
    if n == 0:
        return math.nan
    tail = min(wins, n - wins)
    p = sum(math.comb(n, k) for k in range(tail + 1)) / 2**n
    return min(1.0, 2 * p)


def cell(values):
    if not values:
        return "—"
    values = [values[k] for k in sorted(values)]
    return f"{statistics.median(values):.3f} ({', '.join(f'{v:.2f}' for v in values)})"


loads = [r["load"] for r in rows if "load" in r]
slice_counts = sorted({r.get("slices", 1) for r in rows})
print(f"# The data-parallel step against the whole batch ({datetime.date.today()})")
print()
print(f"Machine: {machine}; load average {min(loads):.2f}–{max(loads):.2f} during the runs.")
print(f"actlab {revision}; `bash scripts/bench-slices.sh {rounds}`: ReLU, batch 128, "
      "`actlab bench train --slices S --threads T`; the book's network on the 60,000 images "
      "(3 epochs, the first a warm-up), 4 × 1024 on the first 5,120 (2 epochs), times "
      "scaled to 60,000. Medians over rounds, each round's value in parentheses.")
print()
for hidden, label in SHAPES:
    print(f"## {label}")
    print()
    print("| threads | " + " | ".join(f"slices = {s}" for s in slice_counts) + " |")
    print("|---|" + "---:|" * len(slice_counts))
    for threads in (1, 2):
        cells = [cell(epochs(hidden, threads, s)) for s in slice_counts]
        print(f"| {threads} | " + " | ".join(cells) + " |")
    print()
    print("| threads | slices | sliced / whole epoch, median of rounds | rounds faster | sign test p |")
    print("|---|---:|---:|---:|---:|")
    for threads in (1, 2):
        whole = epochs(hidden, threads, 1)
        for s in slice_counts:
            if s == 1:
                continue
            sliced = epochs(hidden, threads, s)
            paired = [(sliced[k], whole[k]) for k in sorted(sliced) if k in whole]
            ratios = [a / b for a, b in paired]
            wins = sum(a < b for a, b in paired)
            ratio = statistics.median(ratios) if ratios else math.nan
            print(f"| {threads} | {s} | {ratio:.2f} | {wins} of {len(paired)} | {sign_test(wins, len(paired)):.3f} |")
    print()

if accuracy:
    counts = sorted({r["slices"] for r in accuracy})
    epochs_trained = sorted({r["epochs"] for r in accuracy})
    print(f"## What is learnt: final test accuracy, whole batch and {counts[-1]} slices")
    print()
    print(f"ReLU and GELU, seeds 1 to 5, {epochs_trained[-1]} epochs, the book's settings "
          "otherwise; the difference in test images of the 10,000, against the seeds' spread.")
    print()
    print("| activation | seed | " + " | ".join(f"slices = {c} (%)" for c in counts)
          + " | difference, test images |")
    print("|---|---:|" + "---:|" * len(counts) + "---:|")
    by = {(r["activation"], r["seed"], r["slices"]): r["test_accuracy"] for r in accuracy}
    for act in sorted({r["activation"] for r in accuracy}, key=lambda a: a != "ReLU"):
        seeds = sorted({r["seed"] for r in accuracy if r["activation"] == act})
        for seed in seeds:
            values = [by[(act, seed, c)] for c in counts]
            images = round((values[-1] - values[0]) * 10000)
            print(f"| {act} | {seed} | " + " | ".join(f"{100 * v:.2f}" for v in values)
                  + f" | {images:+d} |")
        whole = [100 * by[(act, seed, counts[0])] for seed in seeds]
        print(f"| {act} | spread between seeds (sd, whole batch) | {statistics.stdev(whole):.2f} |"
              + " |" * len(counts))
    print()

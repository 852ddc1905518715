"""How far retrained reference runs moved, against the noise that seeds give.

  python3 scripts/reference-drift.py OLD_ROOT EXPERIMENT_DIR ...

OLD_ROOT holds each experiment's previous run folders (OLD_ROOT/<experiment>/<run>/run.json,
as scripts/retrain-references.sh leaves them). For every run: the final test accuracy
before and after, the change, and the five-seed spread of its activation (seeds 1-5 of
book-ch4-seeds, the previous records): mean, standard deviation, min-max. A change counts
as within the seed noise when |change| <= 2 sd of the five seeds (and the table says
whether the new value lies inside min-max). Prints a Markdown table; exit status 1 when
some change exceeds the noise.
"""

import json
import pathlib
import statistics
import sys


def final_accuracy(record_path):
    record = json.loads(pathlib.Path(record_path).read_text())
    return 100.0 * record["epochs"][-1]["test_accuracy"], record


def activation(record):
    return record["network"]["activation"]["kind"] if record["network"].get("activation") else "Identity"


def main():
    old_root = pathlib.Path(sys.argv[1])
    experiments = [pathlib.Path(p) for p in sys.argv[2:]]
    seeds_dir = old_root / "book-ch4-seeds"
    if not seeds_dir.is_dir():
        seeds_dir = pathlib.Path("results/reference/book-ch4-seeds")
    spread = {}
    for path in sorted(seeds_dir.glob("*/run.json")):
        acc, record = final_accuracy(path)
        spread.setdefault(activation(record), []).append(acc)

    print("| experiment | run | before % | after % | change | five seeds: mean ± sd (min–max) | within 2 sd | inside min–max |")
    print("|---|---|---:|---:|---:|---|---|---|")
    beyond = 0
    changed = 0
    total = 0
    for experiment in experiments:
        for path in sorted(experiment.glob("*/run.json")):
            old = old_root / experiment.name / path.parent.name / "run.json"
            if not old.exists():
                continue
            before, _ = final_accuracy(old)
            after, record = final_accuracy(path)
            total += 1
            changed += before != after
            seeds = spread.get(activation(record), [])
            if len(seeds) >= 2:
                mean, sd = statistics.mean(seeds), statistics.stdev(seeds)
                ok = abs(after - before) <= 2 * sd
                inside = min(seeds) <= after <= max(seeds)
                noise = f"{mean:.2f} ± {sd:.2f} ({min(seeds):.2f}–{max(seeds):.2f})"
                verdict, where = ("yes" if ok else "NO"), ("yes" if inside else "no")
                beyond += not ok
            else:
                noise, verdict, where = "no five-seed record", "-", "-"
            print(f"| {experiment.name} | {path.parent.name} | {before:.2f} | {after:.2f} | "
                  f"{after - before:+.2f} | {noise} | {verdict} | {where} |")
    print()
    print(f"{total} runs retrained, {changed} with another final accuracy, "
          f"{beyond} moved by more than 2 sd of their activation's seeds")
    sys.exit(1 if beyond else 0)


if __name__ == "__main__":
    main()

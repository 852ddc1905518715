"""Writes the markdown record of scripts/bench-both-cores.sh from its raw JSON lines.

    python scripts/both_cores_table.py RAW.jsonl REVISION MACHINE ROUNDS WIDE_ROUNDS > OUT.md

Medians over rounds (each round's values in parentheses), the targets of the data-parallel
issue with whether each holds, and for each the floor this machine's measured limits put
under it: the products' FLOPs at the product peak and at the FMA limit.
"""

import datetime
import json
import math
import statistics
import sys

raw, revision, machine, rounds, wide_rounds = sys.argv[1:6]
rows = [json.loads(line) for line in open(raw) if line.strip()]
if not rows:
    sys.exit(f"both_cores_table: {raw} holds no measurements")


def runs(system, part, act="ReLU", threads=None, hidden=None, batch=None):
    out = []
    for r in rows:
        if r.get("system") != system or r.get("part") != part or r.get("activation") != act:
            continue
        if threads is not None and r.get("threads") != threads:
            continue
        if hidden is not None and tuple(r.get("hidden", ())) != hidden:
            continue
        if batch is not None and r.get("batch_size") != batch:
            continue
        out.append(r)
    return sorted(out, key=lambda r: r["round"])


def med(values):
    return statistics.median(values) if values else math.nan


def cell(values, digits=2):
    if not values:
        return "—"
    lead = f"{med(values):.{digits}f}"
    if len(values) == 1:
        return lead
    return f"{lead} ({', '.join(f'{v:.{digits}f}' for v in values)})"


def fmt(v, digits=2):
    return "—" if v != v else f"{v:.{digits}f}"


peak = {r["threads"]: r for r in rows if r.get("system") == "actlab-peak"}
BOOK = (256, 192, 128, 64)
loads = [r["load"] for r in rows if "load" in r]

print(f"# Both cores at work: actlab and PyTorch side by side ({datetime.date.today()})")
print()
print(f"Machine: {machine}; load average {min(loads):.2f}–{max(loads):.2f} during the runs.")
print(f"actlab at revision {revision}; {rounds} rounds of the book's network, {wide_rounds} of the")
print("wide ones. Written by")
print("`bash scripts/bench-both-cores.sh` (the raw measurements, one JSON object per run with")
print("its round and load, are the `.jsonl` file beside this one). Medians over rounds, each")
print("round's value in parentheses; seconds per 60,000-image epoch.")
print()
print("## This machine's limits (`actlab bench peak`, best of 5)")
print()
print("| threads | FMA limit GFLOP/s | product 1024³ GFLOP/s | share |")
print("|---:|---:|---:|---:|")
for t in sorted(peak):
    p = peak[t]
    print(f"| {t} | {p['fma_gflops']:.1f} | {p['product_gflops']:.1f} | {100 * p['product_gflops'] / p['fma_gflops']:.0f} % |")
print()


def epoch_gflop(r):
    # Times are of a 60,000-image epoch (`--images` runs are scaled to it).
    steps = math.ceil(60_000 / r["batch_size"])
    return (r["products"]["forward_gflop"] + r["products"]["backward_gflop"]) * steps


def values(system, part, key, **kw):
    return [r[key] for r in runs(system, part, **kw)]


# The book's network.
systems = [s for s in ("old", "new", "torch") if runs(s, "book", threads=1)]
names = {"old": "actlab old", "new": "actlab", "torch": "PyTorch"}
print("## The book's network (784-256-192-128-64-10, batch 128)")
print()
print("| measure | " + " | ".join(names[s] for s in systems) + " |")
print("|---|" + "---:|" * len(systems))
for label, act, key, t in [
    ("ReLU epoch, 1 thread", "ReLU", "epoch_s", 1),
    ("ReLU epoch, 2 threads", "ReLU", "epoch_s", 2),
    ("STAF epoch, 1 thread", "STAF", "epoch_s", 1),
    ("STAF epoch, 2 threads", "STAF", "epoch_s", 2),
    ("test evaluation, 1 thread", "ReLU", "eval_s", 1),
    ("test evaluation, 2 threads", "ReLU", "eval_s", 2),
    ("dead-neuron pass, 1 thread", "ReLU", "dead_neuron_pass_s", 1),
    ("dead-neuron pass, 2 threads", "ReLU", "dead_neuron_pass_s", 2),
]:
    digits = 3 if key != "epoch_s" else 2
    cells = [cell(values(s, "book", key, act=act, threads=t), digits) for s in systems]
    print(f"| {label} | " + " | ".join(cells) + " |")
print()
print("PyTorch's dead-neuron pass takes the largest |h| of each unit; actlab's also counts")
print("silent outputs per unit, the largest slope and the pre-activations' mean and spread.")
print()

# The wide networks.
print("## Wider networks, ReLU")
print()
print("| hidden | batch | actlab 1 thr | actlab 2 thr | speed-up | PyTorch 1 thr | PyTorch 2 thr | speed-up | actlab / PyTorch, 2 thr | actlab products, 2 thr: share of peak (fwd / bwd / epoch) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
wide = {}
for width in (1024, 2048):
    hidden = (width,) * 4
    for batch in (128, 512):
        a1 = values("new", "wide", "epoch_s", threads=1, hidden=hidden, batch=batch)
        a2 = values("new", "wide", "epoch_s", threads=2, hidden=hidden, batch=batch)
        p1 = values("torch", "wide", "epoch_s", threads=1, hidden=hidden, batch=batch)
        p2 = values("torch", "wide", "epoch_s", threads=2, hidden=hidden, batch=batch)
        if not (a1 and a2 and p1 and p2):
            continue
        two = runs("new", "wide", threads=2, hidden=hidden, batch=batch)
        share = {
            part: med([100 * r["products"][f"{part}_gflops"] / r["products"]["limits"]["product_gflops"] for r in two])
            for part in ("forward", "backward", "epoch")
        }
        wide[(width, batch)] = (med(a1), med(a2), med(p1), med(p2), share)
        print(f"| 4 × {width} | {batch} | {cell(a1, 1)} | {cell(a2, 1)} | {med(a1) / med(a2):.2f} | {cell(p1, 1)} | {cell(p2, 1)} | "
              f"{med(p1) / med(p2):.2f} | {med(a2) / med(p2):.2f} | {share['forward']:.0f} % / {share['backward']:.0f} % / {share['epoch']:.0f} % |")
print()

# The targets.
book1 = runs("new", "book", threads=1)
book2 = runs("new", "book", threads=2)
relu1, relu2 = med(values("new", "book", "epoch_s", threads=1)), med(values("new", "book", "epoch_s", threads=2))
torch1, torch2 = med(values("torch", "book", "epoch_s", threads=1)), med(values("torch", "book", "epoch_s", threads=2))
staf1 = med(values("new", "book", "epoch_s", act="STAF", threads=1))
staf2 = med(values("new", "book", "epoch_s", act="STAF", threads=2))
eval2, eval_torch = med(values("new", "book", "eval_s", threads=2)), med(values("torch", "book", "eval_s", threads=2))
dead2, dead_torch = med(values("new", "book", "dead_neuron_pass_s", threads=2)), med(values("torch", "book", "dead_neuron_pass_s", threads=2))
book_gflop = epoch_gflop(book2[0]) if book2 else math.nan
per_sample = book2[0]["products"]["forward_gflop"] / book2[0]["batch_size"] if book2 else math.nan
p2 = peak.get(2, {"fma_gflops": math.nan, "product_gflops": math.nan})

print("## The targets")
print()
print("The floor: the products alone (their FLOPs counted by `bench train`) at this machine's")
print("2-core product peak and FMA limit, in the target's own terms.")
print()
print("| target | goal | measured | holds | floor: products at the product peak / at the FMA limit |")
print("|---|---|---:|---|---|")


def target(name, goal, value, ok, floor=""):
    print(f"| {name} | {goal} | {fmt(value)} | {'yes' if ok else 'no'} | {floor} |")


floor_s = (book_gflop / p2["product_gflops"], book_gflop / p2["fma_gflops"])
target("book ReLU epoch, 2 threads / 1 thread", "≤ 0.60", relu2 / relu1, relu2 / relu1 <= 0.6,
       f"{floor_s[0] / relu1:.2f} / {floor_s[1] / relu1:.2f}")
target("book ReLU epoch, 2 threads, / PyTorch's", "≤ 0.35", relu2 / torch2, relu2 / torch2 <= 0.35,
       f"{floor_s[0] / torch2:.2f} / {floor_s[1] / torch2:.2f} ({floor_s[0]:.2f} / {floor_s[1]:.2f} s)")
p1 = peak.get(1, {"fma_gflops": math.nan, "product_gflops": math.nan})
for (width, batch), (a1, a2, q1, q2, share) in wide.items():
    # The ceiling of a speed-up: how much faster the machine's own product and FMA
    # limit are on two cores than on one.
    target(f"2-thread speed-up, 4 × {width}, batch {batch}", "≥ 1.8", a1 / a2, a1 / a2 >= 1.8,
           f"ceiling {p2['product_gflops'] / p1['product_gflops']:.2f} / {p2['fma_gflops'] / p1['fma_gflops']:.2f}")
for (width, batch), (a1, a2, q1, q2, share) in wide.items():
    gflop = med([epoch_gflop(r) for r in runs("new", "wide", threads=2, hidden=(width,) * 4, batch=batch)])
    target(f"actlab / PyTorch, 2 threads, 4 × {width}, batch {batch}", "≤ 0.6", a2 / q2, a2 / q2 <= 0.6,
           f"{gflop / p2['product_gflops'] / q2:.2f} / {gflop / p2['fma_gflops'] / q2:.2f}")
target("actlab / PyTorch, 2 threads, book", "≤ 0.6", relu2 / torch2, relu2 / torch2 <= 0.6,
       f"{floor_s[0] / torch2:.2f} / {floor_s[1] / torch2:.2f}")
# STAF's floor: its products are ReLU's, so with the activation free it is one ReLU epoch.
target("STAF epoch in ReLU epochs, 1 thread", "≤ 1.6", staf1 / relu1, staf1 / relu1 <= 1.6, "1.00 (the activation free)")
target("STAF epoch in ReLU epochs, 2 threads", "≤ 1.6", staf2 / relu2, staf2 / relu2 <= 1.6, "1.00 (the activation free)")
eval_gflop = per_sample * 10_000
target("test evaluation, 2 threads, / PyTorch's", "≤ 0.6", eval2 / eval_torch, eval2 / eval_torch <= 0.6,
       f"{eval_gflop / p2['product_gflops'] / eval_torch:.2f} / {eval_gflop / p2['fma_gflops'] / eval_torch:.2f}")
dead_gflop = per_sample * 60_000
target("dead-neuron pass, 2 threads, / PyTorch's", "≤ 0.6", dead2 / dead_torch, dead2 / dead_torch <= 0.6,
       f"{dead_gflop / p2['product_gflops'] / dead_torch:.2f} / {dead_gflop / p2['fma_gflops'] / dead_torch:.2f}")
for batch in (128, 512):
    if (1024, batch) in wide:
        share = wide[(1024, batch)][4]["epoch"]
        parts = wide[(1024, batch)][4]
        target(f"4 × 1024 products, batch {batch}, share of the 2-core product peak (%)", "≥ 80", share, share >= 80,
               f"forward {parts['forward']:.0f} %, backward {parts['backward']:.0f} %; the rest of the epoch is not products")

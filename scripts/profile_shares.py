"""Folds `perf script` output (call graphs) into shares by kind of work.

    python scripts/profile_shares.py THREADS=FILE [THREADS=FILE ...]

Each sample counts under the first kind in KINDS whose marker appears anywhere in its
stack, so a product called from the dead-neuron pass counts as the dead-neuron pass,
and a product in training as a product. One column per file, a markdown table.
"""

import sys

# (kind, markers): the first kind whose marker is in a sample's stack takes the sample
# (the optimiser before the activations: its pieces run on `acts::fused::each_piece`).
KINDS = [
    ("start-up: dataset, checksums, `bench peak`", ("md5", "inflate", "vmath::peak", "data::idx", "data::mnist")),
    ("dead-neuron pass", ("probe::dead",)),
    ("test evaluation", ("evaluate",)),
    ("matrix products (`vmath::gemm`)", ("vmath::gemm", "nets::dense::product")),
    ("optimiser (`nets::update`)", ("nets::update", "burn_optim")),
    ("loss (cross-entropy)", ("cross_entropy",)),
    ("activations (fused kernels, Burn's element-wise operations)", ("acts::", "burn_flex::ops::activation", "burn_flex::ops::unary", "burn_flex::ops::binary")),
    ("batch assembly", ("Batcher", "data::batch", "data::loader")),
    ("Burn's autodiff bookkeeping", ("burn_autodiff",)),
    ("threads waiting for work (Rayon)", ("sched_yield", "wait_until_cold", "futex", "rayon_core::sleep")),
]
OTHER = "other"


def shares(path):
    counts = {}
    total = 0
    with open(path, errors="replace") as f:
        stack = []
        for line in f.read().split("\n") + [""]:
            if line.strip():
                stack.append(line)
                continue
            if stack:
                text = "\n".join(stack[1:])
                kind = next((k for k, marks in KINDS if any(m in text for m in marks)), OTHER)
                counts[kind] = counts.get(kind, 0) + 1
                total += 1
            stack = []
    if total == 0:
        sys.exit(f"profile_shares: no samples in {path}")
    return {k: 100 * v / total for k, v in counts.items()}, total


columns = []
for arg in sys.argv[1:]:
    threads, _, path = arg.partition("=")
    columns.append((threads, *shares(path)))
print("| kind of work | " + " | ".join(f"{t} thread(s)" for t, _, _ in columns) + " |")
print("|---|" + "---:|" * len(columns))
for kind in [k for k, _ in KINDS] + [OTHER]:
    cells = [f"{s.get(kind, 0.0):.1f} %" for _, s, _ in columns]
    print(f"| {kind} | " + " | ".join(cells) + " |")
print("| samples | " + " | ".join(str(n) for _, _, n in columns) + " |")

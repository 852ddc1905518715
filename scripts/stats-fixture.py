#!/usr/bin/env python3
"""Independent reference values for crates/stats (tests/against_scipy.rs).

Welch's test (t, df, p-values) comes from SciPy. Intervals use Student t quantiles
solved to 40 digits with mpmath: SciPy 1.14's t.ppf is good to only about 1e-10
relative at small df (t.ppf(0.975, 1) = 12.706204736432 where tan(0.475 pi) =
12.706204736175), so its intervals are recorded too, as "scipy_ci", for a looser
cross-check. Holm's adjustment, the probability of improvement and Hedges' g are
written out here by hand, and the bootstrap is replayed from its seed with this
file's own SplitMix64.

    python3 -m venv ~/.cache/actlab-stats-venv && ~/.cache/actlab-stats-venv/bin/pip install scipy==1.14.1 mpmath==1.3.0
    ~/.cache/actlab-stats-venv/bin/python scripts/stats-fixture.py > crates/stats/tests/fixtures/scipy.json
"""
import json

import mpmath
import numpy as np
import scipy
from scipy import stats

mpmath.mp.dps = 40

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return (self.next_u64() * n) >> 64


def critical(df, confidence=0.95):
    """Two-sided Student t critical value, exact to double precision."""
    df = mpmath.mpf(df)
    target = (1 + mpmath.mpf(confidence)) / 2

    def cdf(t):
        return 1 - mpmath.betainc(df / 2, mpmath.mpf(1) / 2, 0, df / (df + t * t), regularized=True) / 2

    return mpmath.findroot(lambda t: cdf(t) - target, float(stats.t.ppf(0.975, float(df))))


def interval(centre, se, df):
    half = critical(df) * mpmath.mpf(se)
    return [float(mpmath.mpf(centre) - half), float(mpmath.mpf(centre) + half)]


def improvement(x, y):
    x, y = np.asarray(x)[:, None], np.asarray(y)[None, :]
    return float(((x > y) + 0.5 * (x == y)).mean())


def bootstrap(x, y, seed, resamples):
    rng = SplitMix64(seed)
    values = []
    for _ in range(resamples):
        xs = [x[rng.below(len(x))] for _ in x]
        ys = [y[rng.below(len(y))] for _ in y]
        values.append(improvement(xs, ys))
    return [float(v) for v in np.percentile(values, [2.5, 97.5])]


def holm(p):
    order = sorted(range(len(p)), key=lambda i: p[i])
    adjusted, running = [0.0] * len(p), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(p) - rank) * p[i]))
        adjusted[i] = running
    return adjusted


def hedges(x, y):
    nx, ny = len(x), len(y)
    pooled = np.sqrt(((nx - 1) * np.var(x, ddof=1) + (ny - 1) * np.var(y, ddof=1)) / (nx + ny - 2))
    return float((1 - 3 / (4 * (nx + ny) - 9)) * (np.mean(x) - np.mean(y)) / pooled)


def describe(x):
    n = len(x)
    scipy_ci = stats.t.interval(0.95, n - 1, loc=np.mean(x), scale=stats.sem(x))
    return {"x": x, "mean": float(np.mean(x)), "sd": float(np.std(x, ddof=1)),
            "ci": interval(np.mean(x), stats.sem(x), n - 1),
            "scipy_ci": [float(scipy_ci[0]), float(scipy_ci[1])], "median": float(np.median(x))}


# Five seeds of the book's Hardswish and STAF (results/reference before 0.2), and
# samples of other sizes, spreads and separations: a p-value near 1, one near 1e-9.
hardswish = [76.09, 77.92, 78.13, 77.91, 78.41]
staf = [87.62, 86.58, 88.66, 87.07, 87.79]
relu = [81.4, 82.0, 81.7, 82.3, 81.1]
pairs = [
    ("Hardswish vs ReLU", hardswish, relu),
    ("STAF vs ReLU", staf, relu),
    ("ReLU vs ReLU shifted", relu, [v + 0.05 for v in [81.3, 82.1, 81.6, 82.4, 81.0]]),
    ("3 vs 7, unequal spread", [80.1, 83.9, 79.2], [81.0, 81.2, 80.9, 81.1, 81.3, 80.8, 81.05]),
    ("far apart", [90.01, 90.02, 89.99, 90.0], [80.0, 80.05, 79.97, 80.02]),
]
cases = []
for name, x, y in pairs:
    res = stats.ttest_ind(x, y, equal_var=False)
    scipy_ci = res.confidence_interval(0.95)
    difference = np.mean(x) - np.mean(y)
    margin = 0.5
    worse = stats.ttest_ind([v + margin for v in x], y, equal_var=False, alternative="less")
    cases.append({
        "name": name, "x": x, "y": y,
        "t": float(res.statistic), "df": float(res.df), "p": float(res.pvalue),
        "ci": interval(difference, difference / res.statistic, res.df),
        "scipy_ci": [float(scipy_ci.low), float(scipy_ci.high)],
        "margin": margin, "p_worse": float(worse.pvalue),
        "improvement": improvement(x, y),
        "bootstrap": {"seed": 2026, "resamples": 2000, "ci": bootstrap(x, y, 2026, 2000)},
        "hedges_g": hedges(x, y),
    })
holm_p = [0.04, 0.5, 0.01, 0.03, 0.0012, 0.2]
print(json.dumps({
    "scipy": scipy.__version__,
    "mpmath": mpmath.__version__,
    "welch": cases,
    "holm": {"p": holm_p, "adjusted": holm(holm_p)},
    "describe": [describe(hardswish), describe(staf), describe([81.4, 82.0])],
}, indent=1))

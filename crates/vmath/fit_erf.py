"""Fits the two polynomials of vmath's erf (src/math.rs, `erf_parts`).

erf(t) = t P(t^2) on [0, 0.9277] (relative error weighted), and
erfc(t) = exp(-t Q(t)) on [0.9277, 4] (weighted by t, i.e. erfc's relative error),
least squares at 4000 Chebyshev nodes in float64, then rounded to float32; prints the
coefficients (lowest degree first) and the largest error on a fine grid.
Needs numpy: python3 crates/vmath/fit_erf.py
"""
import math

import numpy as np

N = 4000


def nodes(a, b):
    return np.cos(np.pi * (np.arange(N) + 0.5) / N) * 0.5 * (b - a) + 0.5 * (a + b)


def solve(basis, y, weight):
    c, *_ = np.linalg.lstsq(basis * weight[:, None], y * weight, rcond=None)
    return np.float32(c).astype(np.float64)


split = 0.927734375
t = nodes(0.0, split)
y = np.array([math.erf(v) / v for v in t])
p = solve(np.vstack([t ** (2 * k) for k in range(6)]).T, y, 1 / y)
grid = np.linspace(1e-4, split, 20001)
exact = np.array([math.erf(v) / v for v in grid])
err = np.max(np.abs(np.vstack([grid ** (2 * k) for k in range(6)]).T @ p - exact) / exact)
print("P", [repr(float(np.float32(v))) for v in p], "max relative error", err)

t = nodes(split, 4.0)
y = np.array([-math.log(math.erfc(v)) / v for v in t])
q = solve(np.vstack([t**k for k in range(8)]).T, y, t)
grid = np.linspace(split, 4.0, 20001)
exact = np.array([-math.log(math.erfc(v)) / v for v in grid])
err = np.max(np.abs(np.vstack([grid**k for k in range(8)]).T @ q - exact) * grid)
print("Q", [repr(float(np.float32(v))) for v in q], "max relative error in erfc", err)

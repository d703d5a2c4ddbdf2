"""Fit the Chebyshev coefficients of the core ``erf`` decomposition (backends/decompositions.py).

Run once; prints the coefficient tables. Two tiers: one accurate to ~1e-15 (float64) and a
cheaper one accurate to ~3e-8 (float32 and narrower). Regions:

- |x| <= 1.25:      erf(x) = x * p(x*x),              p a Chebyshev series in 2*(x/1.25)**2 - 1
- 1.25 < |x| < hi:  erf(x) = 1 - exp(-x*x) / x * q(t), q a Chebyshev series in t = 1/x mapped
                    to [-1, 1]; hi is 6 (float64) or 4 (float32), beyond which erf is +-1.

The reference is Python's ``math.erf`` / ``math.erfc``.
"""

import math

import numpy as np
from numpy.polynomial import chebyshev as C

SPLIT = 1.25


def inner(deg):
    u = np.linspace(0, SPLIT * SPLIT, 4001)
    x = np.sqrt(u)
    f = np.array([math.erf(v) / v if v else 2 / math.sqrt(math.pi) for v in x])
    return C.chebfit(u / (SPLIT * SPLIT) * 2 - 1, f, deg)


def outer(deg, hi):
    lo_t, hi_t = 1 / hi, 1 / SPLIT
    t = np.linspace(lo_t, hi_t, 8001)
    g = np.array([math.erfc(1 / v) / v * math.exp(1 / (v * v)) for v in t])
    mid, half = (hi_t + lo_t) / 2, (hi_t - lo_t) / 2
    return C.chebfit((t - mid) / half, g, deg), mid, half


if __name__ == "__main__":
    for name, d_in, d_out, hi in (("F64", 12, 18, 6.0), ("F32", 7, 7, 4.0)):
        c_in = inner(d_in)
        c_out, mid, half = outer(d_out, hi)
        print(f"_ERF_{name} = (")
        print(f"    {hi!r}, {mid!r}, {half!r},")
        print("    (" + ", ".join(repr(float(c)) for c in c_in) + "),")
        print("    (" + ", ".join(repr(float(c)) for c in c_out) + "),")
        print(")")

"""Fit the Chebyshev tables of the core ``erf``/``erfc`` decomposition (run once; prints them).

``ember/backends/decompositions_special.py`` computes erf and erfc over required kernels:

- ``|x| <= 1``:      ``erf(x) = x * P(2*x*x - 1)``;
- ``1 < |x| <= 4``:  ``erfc(|x|) = exp(-x*x) * M((2*|x| - 5) / 3)``;
- ``|x| > 4``:       ``erfc(|x|) = exp(-x*x) / |x| * Q(8 / |x| - 1)``
  (``Q -> 1/sqrt(pi)`` as ``|x| -> inf``).

Two tiers: float64 (~1e-16 relative) and float32 (~1e-8). The references come from mpmath
at 50 digits (a development tool only; ember never imports it). Each table holds the
Chebyshev coefficients of the interpolant at 80 Chebyshev nodes, computed in mpmath and
trimmed where they fall below the tier's precision.
"""

import mpmath

mpmath.mp.dps = 50
NODES = 80


def inner(s):  # s in [-1, 1] -> x*x = (s + 1) / 2
    x = mpmath.sqrt((s + 1) / 2)
    return 2 / mpmath.sqrt(mpmath.pi) if x == 0 else mpmath.erf(x) / x


def middle(s):  # x = (3 s + 5) / 2 in [1, 4]
    x = (3 * s + 5) / 2
    return mpmath.erfc(x) * mpmath.exp(x * x)


def tail(s):  # 1/x = (s + 1) / 8 in (0, 1/4]
    t = (s + 1) / 8
    if t == 0:
        return 1 / mpmath.sqrt(mpmath.pi)
    x = 1 / t
    return mpmath.erfc(x) * mpmath.exp(x * x) * x


def chebyshev(f, tol):
    n = NODES
    nodes = [mpmath.cos(mpmath.pi * (k + mpmath.mpf(1) / 2) / n) for k in range(n)]
    values = [f(x) for x in nodes]
    coeffs = []
    for j in range(n):
        c = 2 * mpmath.fsum(v * mpmath.cos(mpmath.pi * j * (k + mpmath.mpf(1) / 2) / n)
                            for k, v in enumerate(values)) / n
        coeffs.append(c / 2 if j == 0 else c)
    scale = abs(coeffs[0])
    keep = n
    while keep > 1 and abs(coeffs[keep - 1]) < tol * scale:
        keep -= 1
    return [float(c) for c in coeffs[:keep]]


def max_error(f, coeffs):
    worst = 0.0
    for i in range(401):
        s = mpmath.mpf(-1) + 2 * mpmath.mpf(i) / 400
        b1 = b2 = mpmath.mpf(0)
        for c in reversed(coeffs[1:]):
            b1, b2 = 2 * s * b1 - b2 + c, b1
        approx = s * b1 - b2 + coeffs[0]
        worst = max(worst, float(abs(approx / f(s) - 1)))
    return worst


if __name__ == "__main__":
    for tier, tol in (("F64", 1e-17), ("F32", 2e-9)):
        print(f"_ERF_{tier} = (")
        for name, f in (("inner", inner), ("middle", middle), ("tail", tail)):
            coeffs = chebyshev(f, tol)
            print(f"    # {name}: {len(coeffs)} terms, max relative error "
                  f"{max_error(f, coeffs):.1e}")
            print("    (" + ", ".join(repr(c) for c in coeffs) + "),")
        print(")")

"""Core decompositions of the tensor library's optional ops into required kernels.

Elementwise special functions (trigonometric and hyperbolic inverses, erf family, gamma
family, modified Bessel functions), float helpers (fmax, fmod, hypot, copysign, ...),
integer shifts, scans (cummax, cummin, logcumsumexp) and searchsorted. Each function
takes the kernel table ``k`` first, as in ``decompositions``; they are re-exported there.

Accuracy: float64 inputs are computed in float64 to about 1e-15 relative; float32 in
float32; float16 and bfloat16 are computed in float32 and rounded, as PyTorch does.
Elementwise functions accept ``out=`` like the required elementwise kernels; binary ones
accept a Python scalar for either operand.
"""

from __future__ import annotations

import math

from .. import _dtype

LN2 = math.log(2.0)
LN10 = math.log(10.0)
_LOG_2PI_HALF = 0.5 * math.log(2 * math.pi)
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


# -- helpers -----------------------------------------------------------------------------
def _finish(k, result, out):
    if out is None:
        return result
    return k.assign(out, result)


def _float_dtype(x):
    return _dtype.from_numpy_dtype(x.dtype)


def _in_float32(k, x, fn):
    """``fn(x)`` computed in float32 for float16/bfloat16 ``x`` (PyTorch's opmath)."""
    if x.dtype.itemsize < 4:
        return k.astype(fn(k.astype(x, _dtype.float32)), _float_dtype(x))
    return fn(x)


def _unary(fn):
    """An elementwise decomposition ``name(k, x, out=None)`` from ``fn(k, x)``."""
    def op(k, x, out=None):
        return _finish(k, _in_float32(k, x, lambda v: fn(k, v)), out)
    op.__name__ = fn.__name__
    op.__doc__ = fn.__doc__
    return op


def _is_array(x):
    return hasattr(x, "shape") and hasattr(x, "dtype")


def _horner(k, x, coeffs):
    """``sum(c_i * x**i)`` for coefficients in increasing order."""
    acc = coeffs[-1]
    for c in coeffs[-2::-1]:
        acc = k.add(k.mul(acc, x), c) if _is_array(acc) else k.add(k.mul(x, acc), c)
    return acc


def _clenshaw(k, s, coeffs):
    """The Chebyshev series ``sum c_j T_j(s)`` (Clenshaw's recurrence)."""
    s2 = k.add(s, s)
    b1, b2 = coeffs[-1], 0.0
    for c in coeffs[-2:0:-1]:
        b1, b2 = k.add(k.sub(k.mul(s2, b1), b2), c), b1
    return k.add(k.sub(k.mul(s, b1), b2), coeffs[0])


# -- exponentials, logarithms, trigonometry -----------------------------------------------
@_unary
def exp2(k, x):
    """2 ** x."""
    return k.pow(2.0, x)


@_unary
def log2(k, x):
    """log(x) / log(2)."""
    return k.div(k.log(x), LN2)


@_unary
def log10(k, x):
    """log(x) / log(10)."""
    return k.div(k.log(x), LN10)


@_unary
def tan(k, x):
    """sin(x) / cos(x)."""
    return k.div(k.sin(x), k.cos(x))


@_unary
def atan(k, x):
    """atan2(x, 1)."""
    return k.atan2(x, 1.0)


def _one_minus_x2_sqrt(k, x):
    return k.sqrt(k.mul(k.sub(1.0, x), k.add(x, 1.0)))  # (1-x)(1+x): exact near |x| = 1


@_unary
def asin(k, x):
    """atan2(x, sqrt(1 - x*x)); NaN outside [-1, 1]."""
    return k.atan2(x, _one_minus_x2_sqrt(k, x))


@_unary
def acos(k, x):
    """atan2(sqrt(1 - x*x), x); NaN outside [-1, 1]."""
    return k.atan2(_one_minus_x2_sqrt(k, x), x)


@_unary
def sinh(k, x):
    """(expm1(x) - expm1(-x)) / 2 (no cancellation near 0; inf where exp(|x|) is, as
    PyTorch)."""
    return k.mul(k.sub(k.expm1(x), k.expm1(k.neg(x))), 0.5)


@_unary
def cosh(k, x):
    """(exp(x) + exp(-x)) / 2."""
    return k.mul(k.add(k.exp(x), k.exp(k.neg(x))), 0.5)


_BIG = 1e8  # beyond it x*x is not needed: asinh(x) = log(2x)


@_unary
def asinh(k, x):
    """sign(x) * log1p(|x| + x*x / (1 + sqrt(1 + x*x)))."""
    a = k.abs(x)
    small = k.minimum(a, _BIG)
    sq = k.mul(small, small)
    near = k.log1p(k.add(small, k.div(sq, k.add(k.sqrt(k.add(sq, 1.0)), 1.0))))
    far = k.add(k.log(a), LN2)
    r = k.where(k.lt(a, _BIG), near, far)
    return k.where(k.lt(x, 0), k.neg(r), r)


@_unary
def acosh(k, x):
    """log1p((x - 1) + sqrt((x - 1)(x + 1))); NaN below 1."""
    small = k.minimum(x, _BIG)
    t = k.sub(small, 1.0)
    near = k.log1p(k.add(t, k.sqrt(k.mul(t, k.add(small, 1.0)))))
    far = k.add(k.log(x), LN2)
    return k.where(k.lt(x, _BIG), near, far)


@_unary
def atanh(k, x):
    """sign(x) * log1p(2|x| / (1 - |x|)) / 2."""
    a = k.abs(x)
    r = k.mul(k.log1p(k.div(k.add(a, a), k.sub(1.0, a))), 0.5)
    return k.where(k.lt(x, 0), k.neg(r), r)


# -- the error function -------------------------------------------------------------------
# Chebyshev tables (tools/fit_special_functions.py): erf(x) = x * P(2x^2 - 1) for |x| <= 1;
# erfc(x) = exp(-x^2) * M((2x - 5) / 3) on (1, 4]; erfc(x) = exp(-x^2) / x * Q(8/x - 1) beyond.
_ERF_F64 = (
    (0.9754769393826541, -0.14226120510371365, 0.010035582187599796, -0.0005768764699767485,
     2.741993125219606e-05, -1.1043175507344507e-06, 3.8488755420345036e-08,
     -1.1808582533875466e-09, 3.2334215826050907e-11, -7.991015947004549e-13,
     1.7990725113961456e-14, -3.718635487818693e-16),
    (0.24442575284923573, -0.13589862891594598, 0.03563511414853497, -0.00888409861822249,
     0.002118423997553177, -0.00048539876408003704, 0.00010727375453771771,
     -2.2936634481904863e-05, 4.7568746915755546e-06, -9.58994483266277e-07,
     1.8829006882958966e-07, -3.606320662143091e-08, 6.7476020519374555e-09,
     -1.234907042333986e-09, 2.213150119337267e-10, -3.887955444797815e-11,
     6.701388253274511e-12, -1.1342374261033591e-12, 1.886555920176928e-13,
     -3.0857804893548754e-14, 4.966710292058389e-15, -7.871154824211007e-16,
     1.2288878845149862e-16, -1.891087633190591e-17, 2.869742042877484e-18),
    (0.5579806323959606, -0.008176370652593417, -0.001893800698918767, 8.135191807225853e-05,
     6.886433482931834e-06, -8.66842697260929e-07, -1.0605985681160552e-08,
     9.128665955359679e-09, -5.137073029655299e-10, -7.515699719704348e-11,
     1.3379723228335024e-11, -6.823772973728953e-14, -2.121390789408522e-13,
     2.2951219659613427e-14, 1.4778079350327186e-15, -6.23994341272092e-16,
     4.380197359621281e-17, 8.250479751101904e-18),
)
_ERF_F32 = (
    _ERF_F64[0][:7],
    _ERF_F64[1][:14],
    _ERF_F64[2][:8],
)


def _exp_neg_square(k, a):
    """exp(-a*a) for 0 <= a <= 30 without the rounding error of a*a: a = hi + lo."""
    hi = k.div(k.trunc(k.mul(a, 16.0)), 16.0)  # hi*hi is exact
    lo = k.sub(a, hi)
    return k.mul(k.exp(k.neg(k.mul(hi, hi))), k.exp(k.neg(k.mul(lo, k.add(a, hi)))))


def _erf_parts(k, x):
    """(|x| <= 1 mask, erf(|x|) there, erfc(|x|) beyond) for float32/float64 ``x``."""
    c_in, c_mid, c_tail = _ERF_F64 if x.dtype.itemsize == 8 else _ERF_F32
    a = k.abs(x)
    inner = k.le(a, 1.0)
    s = k.minimum(a, 1.0)
    erf_near = k.mul(s, _clenshaw(k, k.sub(k.mul(k.mul(s, s), 2.0), 1.0), c_in))
    b = k.minimum(k.maximum(a, 1.0), 30.0)  # erfc(30) underflows float64
    e = _exp_neg_square(k, b)
    mid = k.mul(e, _clenshaw(k, k.div(k.sub(k.add(b, b), 5.0), 3.0), c_mid))
    tail = k.mul(k.div(e, b), _clenshaw(k, k.sub(k.div(8.0, k.maximum(b, 4.0)), 1.0), c_tail))
    erfc_far = k.where(k.le(b, 4.0), mid, tail)
    return inner, erf_near, erfc_far


def _erf(k, x):
    inner, erf_near, erfc_far = _erf_parts(k, x)
    r = k.where(inner, erf_near, k.sub(1.0, erfc_far))
    r = k.where(k.isnan(x), x, r)
    return k.where(k.lt(x, 0), k.neg(r), r)


def _erfc(k, x):
    inner, erf_near, erfc_far = _erf_parts(k, x)
    neg = k.lt(x, 0)
    near = k.sub(1.0, k.where(neg, k.neg(erf_near), erf_near))
    far = k.where(neg, k.sub(2.0, erfc_far), erfc_far)
    r = k.where(inner, near, far)
    return k.where(k.isnan(x), x, r)


@_unary
def erf(k, x):
    """The error function (Chebyshev fits; exact at 0, +-1 at +-inf)."""
    return _erf(k, x)


@_unary
def erfc(k, x):
    """1 - erf(x), with full relative precision in the tail."""
    return _erfc(k, x)


_GILES_CENTRAL = (1.50140941, 0.246640727, -0.00417768164, -0.00125372503, 0.00021858087,
                  -4.39150654e-06, -3.5233877e-06, 3.43273939e-07, 2.81022636e-08)
_GILES_TAIL = (2.83297682, 1.00167406, 0.00943887047, -0.0076224613, 0.00573950773,
               -0.00367342844, 0.00134934322, 0.000100950558, -0.000200214257)


@_unary
def erfinv(k, x):
    """Inverse of erf: Giles' single-precision estimate, then Newton steps on erf/erfc."""
    w = k.neg(k.log(k.mul(k.sub(1.0, x), k.add(x, 1.0))))
    w = k.minimum(w, 1e30)  # |x| = 1 (handled below) must not poison the polynomial
    central = _horner(k, k.sub(w, 2.5), _GILES_CENTRAL)
    tail = _horner(k, k.sub(k.sqrt(w), 3.0), _GILES_TAIL)
    y = k.mul(k.where(k.lt(w, 5.0), central, tail), x)
    a = k.abs(x)
    big = k.gt(a, 0.5)
    sgn = k.sign(x)  # (a where of two Python scalars would be float64); x = 0 is set below
    one_minus = k.log(k.sub(1.0, a))  # exact for |x| > 1/2
    for _ in range(4 if x.dtype.itemsize == 8 else 2):
        # Newton on erf(y) = x in the centre; in the tails on log(erfc(|y|)) = log(1 - |x|),
        # nearly quadratic in |y|, so that a far start still converges quadratically
        ya = k.minimum(k.abs(y), 26.0)
        slope = k.mul(_exp_neg_square(k, ya), _TWO_OVER_SQRT_PI)
        e = _erfc(k, ya)
        far = k.mul(k.add(ya, k.div(k.mul(k.sub(k.log(e), one_minus), e), slope)), sgn)
        near = k.sub(y, k.div(k.sub(_erf(k, y), x), slope))
        y = k.where(big, far, near)
    y = k.where(k.eq(a, 1.0), k.mul(sgn, math.inf), y)
    y = k.where(k.gt(a, 1.0), math.nan, y)
    return k.where(k.eq(x, 0.0), x, y)  # keeps the sign of zero


# -- the gamma family ---------------------------------------------------------------------
def _shift(x):
    """Arguments are raised to at least this before the asymptotic series (lower in float32,
    where the cancellation of the shift costs more than the series' truncation)."""
    return 12 if x.dtype.itemsize == 8 else 5
# Stirling: lgamma(y) = (y - 1/2) log y - y + log(2 pi)/2 + sum B_2j / (2j (2j-1) y^(2j-1))
_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156)
# digamma: psi(y) = log y - 1/(2y) - sum B_2j / (2j y^2j)
_PSI = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12)
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)


def _reduce_half(k, x):
    """x - round(x), in [-1/2, 1/2]: sin(pi x) and tan(pi x) of it lose no precision."""
    return k.sub(x, k.round(x))


def _lgamma_positive(k, z):
    """lgamma for z >= 1/2: shift up to _SHIFT, then Stirling's series."""
    y, prod, shift = z, None, _shift(z)
    for _ in range(shift):
        low = k.lt(y, shift)
        prod = k.where(low, y, 1.0) if prod is None else k.where(low, k.mul(prod, y), prod)
        y = k.where(low, k.add(y, 1.0), y)
    inv = k.div(1.0, y)
    series = k.mul(_horner(k, k.mul(inv, inv), _STIRLING), inv)
    main = k.sub(k.mul(k.sub(y, 0.5), k.log(y)), y)
    return k.sub(k.add(k.add(main, _LOG_2PI_HALF), series), k.log(prod))


@_unary
def lgamma(k, x):
    """log |Gamma(x)|: Stirling with an upward shift; reflection below 1/2; inf at poles."""
    reflect = k.lt(x, 0.5)
    z = k.where(reflect, k.sub(1.0, x), x)
    z = k.where(k.eq(k.abs(z), math.inf), 1.0, z)
    pos = _lgamma_positive(k, z)
    sin = k.abs(k.sin(k.mul(_reduce_half(k, x), math.pi)))
    refl = k.sub(k.log(k.div(math.pi, sin)), pos)
    r = k.where(reflect, refl, pos)
    r = k.where(k.logical_or(k.eq(x, 1.0), k.eq(x, 2.0)), 0.0, r)  # exact zeros
    return k.where(k.eq(k.abs(x), math.inf), math.inf, k.where(k.isnan(x), x, r))


def _digamma_positive(k, z):
    y, acc, shift = z, None, _shift(z)
    for _ in range(shift):
        low = k.lt(y, shift)
        term = k.where(low, k.div(1.0, y), 0.0)
        acc = term if acc is None else k.add(acc, term)
        y = k.where(low, k.add(y, 1.0), y)
    inv = k.div(1.0, y)
    inv2 = k.mul(inv, inv)
    series = k.mul(_horner(k, inv2, _PSI), inv2)
    return k.sub(k.sub(k.sub(k.log(y), k.mul(inv, 0.5)), series), acc)


def _cot_pi(k, x):
    """cot(pi x) accurately: cos/sin of pi r (r = x - round(x)) for |r| <= 1/4, and
    sign(r) tan(pi (1/2 - |r|)) (exact at r = +-1/2) beyond."""
    r = _reduce_half(k, x)
    a = k.abs(r)
    near = k.div(k.cos(k.mul(r, math.pi)), k.sin(k.mul(r, math.pi)))
    t = k.mul(k.sub(0.5, a), math.pi)
    far = k.div(k.sin(t), k.cos(t))
    far = k.where(k.lt(r, 0), k.neg(far), far)
    return k.where(k.le(a, 0.25), near, far)


@_unary
def digamma(k, x):
    """psi(x): an upward shift, then the asymptotic series; reflection for x < 0."""
    neg = k.lt(x, 0)
    z = k.where(neg, k.sub(1.0, x), x)
    z = k.where(k.eq(z, math.inf), 1.0, z)
    pos = _digamma_positive(k, k.where(k.eq(z, 0), 1.0, z))
    refl = k.sub(pos, k.mul(_cot_pi(k, x), math.pi))
    r = k.where(neg, refl, pos)
    r = k.where(k.eq(x, math.inf), math.inf, r)
    r = k.where(k.logical_and(neg, k.eq(x, k.trunc(x))), math.nan, r)  # poles: NaN
    zero = k.eq(x, 0)  # -inf at +0, +inf at -0 (the sign of 1/x, negated)
    r = k.where(zero, k.div(-1.0, x), r)
    return k.where(k.eq(x, -math.inf), math.nan, r)


def _cot_derivative(n):
    """Coefficients (increasing powers of c) of the n-th derivative of cot as a
    polynomial in c = cot: P_0 = c, P_{m+1}(c) = -(1 + c^2) P_m'(c)."""
    p = [0.0, 1.0]
    for _ in range(n):
        d = [i * p[i] for i in range(1, len(p))] or [0.0]
        nxt = [0.0] * (len(d) + 2)
        for i, c in enumerate(d):
            nxt[i] -= c
            nxt[i + 2] -= c
        p = nxt
    return p


def _hurwitz_zeta_positive(k, s, q):
    """zeta(s, q) = sum_i (q + i)^-s for integer s >= 2 and q > 0 (Euler-Maclaurin)."""
    limit = _shift(q) + s
    y, acc = q, None
    for _ in range(limit):
        low = k.lt(y, limit)
        term = k.where(low, k.pow(y, float(-s)), 0.0)
        acc = term if acc is None else k.add(acc, term)
        y = k.where(low, k.add(y, 1.0), y)
    inv = k.div(1.0, y)
    ys = k.pow(y, float(-s))
    tail = k.add(k.div(k.mul(ys, y), float(s - 1)), k.mul(ys, 0.5))
    # sum_j B_2j / (2j)! * s (s+1) ... (s+2j-2) * y^(-s-2j+1)
    term = k.mul(ys, inv)  # y^(-s-1)
    rising, fact = float(s), 2.0
    inv2 = k.mul(inv, inv)
    for j, b in enumerate(_BERNOULLI, start=1):
        tail = k.add(tail, k.mul(term, b / fact * rising))
        term = k.mul(term, inv2)
        rising *= (s + 2 * j - 1) * (s + 2 * j)
        fact *= (2 * j + 1) * (2 * j + 2)
    return k.add(acc, tail)


def polygamma(k, n, x, out=None):
    """The n-th derivative of digamma: (-1)^(n+1) n! zeta(n+1, x); reflection for x < 0."""
    if n == 0:
        return digamma(k, x, out=out)

    def compute(x):
        neg = k.lt(x, 0)
        z = k.where(neg, k.sub(1.0, x), x)
        z = k.where(k.le(z, 0), 1.0, z)
        z = k.where(k.eq(z, math.inf), 1.0, z)
        pos = k.mul(_hurwitz_zeta_positive(k, n + 1, z), (-1.0) ** (n + 1) * math.factorial(n))
        refl = k.sub(k.mul(pos, (-1.0) ** n),
                     k.mul(_horner(k, _cot_pi(k, x), _cot_derivative(n)), math.pi ** (n + 1)))
        r = k.where(neg, refl, pos)
        pole = k.logical_and(k.le(x, 0), k.eq(x, k.trunc(x)))  # also -inf, as PyTorch
        r = k.where(pole, (-1.0) ** (n + 1) * math.inf, r)
        return k.where(k.logical_or(k.isnan(x), k.eq(x, math.inf)), math.nan, r)

    return _finish(k, _in_float32(k, x, compute), out)


# -- modified Bessel functions of the first kind -----------------------------------------
def _bessel_i(k, x, order, scaled):
    """I_order(x) (order 0 or 1), times exp(-|x|) when ``scaled``: the power series up to
    |x| = 30 (15 in float32), the asymptotic (Hankel) series beyond."""
    split, terms = (30.0, 64) if x.dtype.itemsize == 8 else (15.0, 32)
    a = k.abs(x)
    s = k.minimum(a, split)
    u = k.mul(k.mul(s, s), 0.25)
    near = 1.0  # sum_j u^j / (j! (j+order)!), nested so that no coefficient underflows
    for j in range(terms, 0, -1):
        near = k.add(k.mul(k.mul(u, near), 1.0 / (j * (j + order))), 1.0)
    if order == 1:
        near = k.mul(near, k.mul(s, 0.5))
    if scaled:
        near = k.mul(near, k.exp(k.neg(s)))
    b = k.maximum(a, split)
    mu = 4.0 * order * order
    coeffs, t = [1.0], 1.0
    for j in range(1, 40):
        t *= -(mu - (2 * j - 1) ** 2) / (8.0 * j)
        coeffs.append(t)
    series = k.div(_horner(k, k.div(1.0, b), coeffs), k.sqrt(k.mul(b, 2 * math.pi)))
    far = series if scaled else k.mul(k.exp(b), series)  # overflows where exp does
    r = k.where(k.le(a, split), near, far)
    if order == 1:
        r = k.where(k.lt(x, 0), k.neg(r), r)
    return k.where(k.isnan(x), x, r)


@_unary
def i0(k, x):
    """The modified Bessel function of the first kind, order 0."""
    return _bessel_i(k, x, 0, False)


@_unary
def i0e(k, x):
    """i0(x) * exp(-|x|)."""
    return _bessel_i(k, x, 0, True)


@_unary
def i1(k, x):
    """The modified Bessel function of the first kind, order 1."""
    return _bessel_i(k, x, 1, False)


@_unary
def i1e(k, x):
    """i1(x) * exp(-|x|)."""
    return _bessel_i(k, x, 1, True)


# -- float helpers -----------------------------------------------------------------------
def signbit(k, x, out=None):
    """Whether the sign bit is set: x < 0, and -0.0. (The sign of a NaN cannot be read with
    arithmetic kernels; this decomposition says False for every NaN.)"""
    if x.dtype.kind == "b" or x.dtype.kind == "u":
        r = k.ne(x, x)  # all False
    elif x.dtype.kind == "i":
        r = k.lt(x, 0)
    else:
        r = k.logical_or(k.lt(x, 0), k.logical_and(k.eq(x, 0), k.lt(k.div(1.0, x), 0)))
    return _finish(k, r, out)


def _scalar_signbit(v):
    return math.copysign(1.0, v) < 0


def copysign(k, x, y, out=None):
    """|x| with the sign bit of y (see ``signbit`` for NaN signs)."""
    if not _is_array(x):  # a Python scalar takes y's dtype
        x = k.full((), x, _float_dtype(y), None)
    ax = k.abs(x) if _is_array(x) else abs(x)
    if not _is_array(y):
        r = k.neg(ax) if _scalar_signbit(y) else k.mul(ax, 1.0)
    else:
        neg = signbit(k, y)
        r = k.where(neg, k.neg(ax) if _is_array(ax) else -ax, ax)
    return _finish(k, r, out)


def _nan_mask(k, v):
    return k.isnan(v) if _is_array(v) else (v != v)


def fmax(k, x, y, out=None):
    """maximum ignoring NaN: the other operand where one is NaN."""
    m = k.maximum(x, y)
    if _is_float(x, y):
        m = k.where(_nan_mask(k, x), y, k.where(_nan_mask(k, y), x, m))
    return _finish(k, m, out)


def fmin(k, x, y, out=None):
    """minimum ignoring NaN: the other operand where one is NaN."""
    m = k.minimum(x, y)
    if _is_float(x, y):
        m = k.where(_nan_mask(k, x), y, k.where(_nan_mask(k, y), x, m))
    return _finish(k, m, out)


def _is_float(*operands):
    for v in operands:
        if _is_array(v):
            return v.dtype.kind == "f" or v.dtype.kind == "V" or v.dtype.name == "bfloat16"
    return False


def fmod(k, x, y, out=None):
    """C's fmod: the remainder with the sign of x (remainder() has the sign of y)."""
    # of magnitudes, remainder() is fmod, and exact; then x's sign (-0.0 included)
    r = k.remainder(k.abs(x) if _is_array(x) else abs(x), k.abs(y) if _is_array(y) else abs(y))
    x_neg = signbit(k, x) if _is_array(x) else _scalar_signbit(x)
    r = k.where(x_neg, k.neg(r), r) if _is_array(x_neg) else (k.neg(r) if x_neg else r)
    if _is_float(x, y):  # fmod(x, +-inf) = x, remainder() would give inf or nan
        y_inf = k.eq(k.abs(y), math.inf) if _is_array(y) else abs(y) == math.inf
        x_fin = k.ne(k.abs(x), math.inf) if _is_array(x) else abs(x) != math.inf
        r = k.where(k.logical_and(y_inf, x_fin), x, r)
        if _is_array(x):  # the sign of a zero result is the sign of x
            r = k.where(k.eq(r, 0), k.mul(x, 0.0), r)
    return _finish(k, r, out)


def hypot(k, x, y, out=None):
    """sqrt(x*x + y*y) without overflow or underflow; inf if either is infinite."""
    ax = k.abs(x) if _is_array(x) else abs(x)
    ay = k.abs(y) if _is_array(y) else abs(y)
    big = k.maximum(ax, ay)
    small = k.minimum(ax, ay)
    safe = k.where(k.eq(big, 0), 1.0, big)
    ratio = k.div(small, safe)
    r = k.mul(big, k.sqrt(k.add(k.mul(ratio, ratio), 1.0)))
    inf = k.logical_or(k.eq(ax, math.inf) if _is_array(ax) else ax == math.inf,
                       k.eq(ay, math.inf) if _is_array(ay) else ay == math.inf)
    return _finish(k, k.where(inf, math.inf, r), out)


def logaddexp(k, x, y, out=None):
    """log(exp(x) + exp(y)) = max + log1p(exp(-|x - y|))."""
    m = k.maximum(x, y)
    d = k.abs(k.sub(x, y))
    r = k.add(m, k.log1p(k.exp(k.neg(d))))
    same = k.eq(x, y)  # equal infinities would give inf - inf
    r = k.where(same, k.add(m, LN2), r)
    return _finish(k, r, out)


def _bits(x, y):
    v = x if _is_array(x) else y
    return 8 * v.dtype.itemsize, v.dtype.kind == "u"


def bitwise_left_shift(k, x, y, out=None):
    """x * 2**y, wrapping as the integer type does; 0 for shifts outside [0, bits)."""
    bits, _ = _bits(x, y)
    yc = k.clip(y, 0, bits - 1) if _is_array(y) else min(max(y, 0), bits - 1)
    r = k.mul(x, k.pow(2, yc) if _is_array(yc) else 2 ** yc)
    if _is_array(y):
        r = k.where(k.logical_or(k.lt(y, 0), k.ge(y, bits)), 0, r)
    elif y < 0 or y >= bits:
        r = k.mul(r, 0)
    return _finish(k, r, out)


def bitwise_right_shift(k, x, y, out=None):
    """floor(x / 2**y) (arithmetic shift); the sign (0 or -1) for shifts outside [0, bits-1)."""
    bits, unsigned = _bits(x, y)
    top = bits if unsigned else bits - 1  # 2**top does not fit a signed type
    yc = k.clip(y, 0, top - 1) if _is_array(y) else min(max(y, 0), top - 1)
    r = k.floor_divide(x, k.pow(2, yc) if _is_array(yc) else 2 ** yc)
    # -1 or 0 in x's dtype (a where of two Python ints would be int64)
    sign = k.neg(k.astype(k.lt(x, 0), _float_dtype(x))) if _is_array(x) else (
        -1 if x < 0 else 0)
    if _is_array(y):
        r = k.where(k.logical_or(k.lt(y, 0), k.ge(y, top)), sign, r)
    elif y < 0 or y >= top:
        r = k.add(k.mul(r, 0), sign)
    return _finish(k, r, out)


# -- scans -------------------------------------------------------------------------------
def _key(axis, start, stop, ndim):
    return (slice(None),) * axis + (slice(start, stop),) + (Ellipsis,)


def _scan(k, x, axis, combine):
    """Inclusive scan of ``combine`` along ``axis`` (Hillis-Steele: log2(n) steps)."""
    n = x.shape[axis]
    step = 1
    while step < n:
        head = k.getitem(x, _key(axis, 0, step, x.ndim))
        rest = combine(k.getitem(x, _key(axis, step, None, x.ndim)),
                       k.getitem(x, _key(axis, 0, n - step, x.ndim)))
        x = k.concatenate([k.copy(head), rest], axis)
        step *= 2
    return x


def _positions(k, x, axis):
    n = x.shape[axis]
    shape = tuple(n if i == axis else 1 for i in range(x.ndim))
    return k.reshape(k.arange(0, n, 1, _dtype.int64, None), shape)


def _cumextreme(k, x, axis, kernel):
    if x.shape[axis] == 0:
        return k.copy(x), k.full(x.shape, 0, _dtype.int64, None)
    values = _scan(k, x, axis, getattr(k, kernel))
    record = k.eq(x, values)  # where the running extreme is (re)attained
    if x.dtype.kind == "f" or _is_float(x):
        record = k.logical_or(record, k.isnan(x))
    at = k.where(record, _positions(k, x, axis), 0)
    indices = _scan(k, at, axis, k.maximum)  # the latest record so far
    return values, indices


def cummax(k, x, axis):
    """(running maximum, index of its latest occurrence); NaN propagates."""
    return _cumextreme(k, x, axis, "maximum")


def cummin(k, x, axis):
    """(running minimum, index of its latest occurrence); NaN propagates."""
    return _cumextreme(k, x, axis, "minimum")


def logcumsumexp(k, x, axis):
    """log(cumsum(exp(x))) as a scan of logaddexp (no overflow or underflow)."""
    if x.shape[axis] == 0:
        return k.copy(x)
    return _in_float32(k, x, lambda v: _scan(k, v, axis, k.logaddexp))


# -- searching ---------------------------------------------------------------------------
def searchsorted(k, sorted_sequence, values, right):
    """Indices where ``values`` would be inserted into the last axis of ``sorted_sequence``.

    ``sorted_sequence`` is 1-D, or (..., n) with ``values`` (..., m) sharing its leading
    dimensions. A vectorised binary search with PyTorch's comparisons (a NaN anywhere
    sends the search right), so results match PyTorch's even with NaNs.
    """
    n = sorted_sequence.shape[-1]
    lo = k.full(values.shape, 0, _dtype.int64, None)
    hi = k.full(values.shape, n, _dtype.int64, None)
    if n == 0:
        return lo
    batched = sorted_sequence.ndim > 1
    for _ in range(n.bit_length() + 1):
        mid = k.floor_divide(k.add(lo, hi), 2)
        at = k.minimum(mid, n - 1)
        probe = k.take_along_axis(sorted_sequence, at, -1) if batched else \
            k.getitem(sorted_sequence, (at,))
        stop = k.gt(probe, values) if right else k.ge(probe, values)
        go_right = k.logical_not(stop)
        active = k.lt(lo, hi)
        lo = k.where(k.logical_and(active, go_right), k.add(mid, 1), lo)
        hi = k.where(k.logical_and(active, stop), mid, hi)
    return lo


# -- views -------------------------------------------------------------------------------
def diagonal(k, x, offset, axis1, axis2):
    """A view of the diagonal x[..., i, i + offset] over axes (axis1, axis2), moved last.

    The two axes are ordered by stride and merged with ``reshape`` (a view whenever they
    are mergeable, which covers contiguous, transposed and sliced arrays); the diagonal is
    then a strided slice. Layouts whose two axes cannot merge get a copy (not a view).
    """
    nd = x.ndim
    if x.strides[axis1] < x.strides[axis2] and x.shape[axis1] > 1 and x.shape[axis2] > 1:
        axis1, axis2, offset = axis2, axis1, -offset
    rest = [i for i in range(nd) if i not in (axis1, axis2)]
    v = k.permute(x, tuple(rest) + (axis1, axis2))
    a, b = v.shape[-2], v.shape[-1]
    lead = tuple(v.shape[:-2])
    if offset >= 0:
        length, start = max(0, min(a, b - offset)), offset
    else:
        length, start = max(0, min(a + offset, b)), -offset * b
    if length == 0:
        return k.getitem(k.reshape(k.getitem(v, (Ellipsis, slice(0, 0), slice(0, 0))),
                                   lead + (0,)), (Ellipsis,))
    s_a, s_b = v.strides[-2], v.strides[-1]
    if a == 1 or b == 1 or s_a == b * s_b:
        flat = k.reshape(v, lead + (a * b,))
        stop = start + (length - 1) * (b + 1) + 1
        return k.getitem(flat, (Ellipsis, slice(start, stop, b + 1)))
    rows = k.arange(max(0, -offset), max(0, -offset) + length, 1, _dtype.int64, None)
    cols = k.arange(max(0, offset), max(0, offset) + length, 1, _dtype.int64, None)
    return k.getitem(v, (Ellipsis, rows, cols))


# -- scatter with a reduction ------------------------------------------------------------
def _segmented_scan(k, vals, ids, combine):
    """Inclusive scan of ``combine`` within runs of equal ``ids`` (1-D, sorted by id)."""
    n = vals.shape[0]
    step = 1
    while step < n:
        cur, prev = k.getitem(vals, (slice(step, None),)), k.getitem(vals, (slice(0, n - step),))
        same = k.eq(k.getitem(ids, (slice(step, None),)), k.getitem(ids, (slice(0, n - step),)))
        rest = k.where(same, combine(cur, prev), cur)
        vals = k.concatenate([k.copy(k.getitem(vals, (slice(0, step),))), rest], 0)
        step *= 2
    return vals


def scatter_reduce(k, x, index, values, axis, reduce):
    """x[..., index[i], ...] = reduce(x[...], values[i]) in place along ``axis`` (``values``
    has ``index``'s shape; repeats combine): reduce is "sum", "prod", "amax" or "amin".

    Destinations are sorted (stable), each run of equal destinations is reduced with a
    segmented scan, and its last element is combined into x.
    """
    combine = {"sum": k.add, "prod": k.mul, "amax": k.maximum, "amin": k.minimum}[reduce]
    m = 1
    for n in index.shape:
        m *= n
    if m == 0:
        return x
    nd = x.ndim
    lin = None
    for d in range(nd):
        if d == axis:
            coord = index
        else:
            shape = tuple(index.shape[d] if i == d else 1 for i in range(nd))
            coord = k.reshape(k.arange(0, index.shape[d], 1, _dtype.int64, None), shape)
        lin = coord if lin is None else k.add(k.mul(lin, x.shape[d]), coord)
    lin = k.reshape(k.copy(k.broadcast_to(lin, tuple(index.shape))), (m,))
    vals = k.reshape(k.copy(values), (m,))
    order = k.sort(lin, 0, False, True)[1]
    ids = k.getitem(lin, (order,))
    vals = _segmented_scan(k, k.getitem(vals, (order,)), ids, combine)
    last = k.concatenate([k.ne(k.getitem(ids, (slice(1, None),)),
                               k.getitem(ids, (slice(0, m - 1),))),
                          k.full((1,), True, _dtype.bool, None)], 0)
    (pos,) = k.nonzero(last)
    dest = k.getitem(ids, (pos,))
    red = k.getitem(vals, (pos,))
    coords = []
    for d in range(nd - 1, -1, -1):
        coords.append(k.remainder(dest, x.shape[d]))
        dest = k.floor_divide(dest, x.shape[d])
    key = tuple(reversed(coords))
    k.setitem(x, key, combine(k.getitem(x, key), red))
    return x

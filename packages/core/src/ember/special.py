"""``ember.special``: PyTorch's ``torch.special`` (the erf and gamma families, Bessel
functions, expit/logit, entr, ndtr, softmax, xlogy, ...)."""

from __future__ import annotations

import math

from .autograd.function import Function
from .ops import special_math as _sm

erf = _sm.erf
erfc = _sm.erfc
erfinv = _sm.erfinv
gammaln = _sm.lgamma
digamma = psi = _sm.digamma
polygamma = _sm.polygamma
i0 = _sm.i0
i0e = _sm.special_i0e
i1 = _sm.special_i1
i1e = _sm.special_i1e
logit = _sm.logit
sinc = _sm.sinc
xlogy = _sm.xlogy
xlog1py = _sm.xlog1py
exp2 = _sm.exp2

_SQRT1_2 = 1 / math.sqrt(2)
_SQRT2 = math.sqrt(2)


def _float(name, x):
    _sm.check_tensor(name, x)
    return _sm._floating(x)


def _out(result, out):
    return _sm._out(result, out)


def expit(input, *, out=None):
    """The logistic sigmoid 1 / (1 + exp(-x))."""
    return _out(_float("special_expit", input).sigmoid(), out)


def expm1(input, *, out=None):
    return _out(_float("special_expm1", input).expm1(), out)


def log1p(input, *, out=None):
    return _out(_float("special_log1p", input).log1p(), out)


def round(input, *, decimals=0, out=None):  # noqa: A001 - PyTorch's name
    from .ops.pointwise import round as rnd

    return rnd(input, decimals=decimals, out=out)


class Entr(Function):
    _internal = True

    @staticmethod
    def forward(ctx, x):
        from .ops.pointwise import where

        ctx.save_for_backward(x)
        x = x.detach()
        safe = where(x > 0, x, 1.0)
        r = where(x > 0, -x * safe.log(), where(x == 0, 0.0, -math.inf))
        return where(x.isnan(), x, r)._data

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * -(x.log() + 1)


def entr(input, *, out=None):
    """-x log x elementwise: 0 at 0, -inf below 0."""
    from ._tensor import _wrap

    x = _float("special_entr", input)
    if _sm._state.enabled and x.requires_grad:
        return _out(Entr.apply(x), out)
    return _out(_wrap(Entr.forward(_sm._NoCtx(), x), x._device), out)


class Erfcx(Function):
    _internal = True

    @staticmethod
    def forward(ctx, x):
        out = _erfcx_data(x.detach())
        ctx.save_for_backward(x, out)
        return out._data

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        return g * (2 * x * erfcx(x) - 2 / math.sqrt(math.pi))


def _erfcx_data(x):
    from .ops.pointwise import where

    # exp(x^2) erfc(x) directly while exp(x^2) is finite, then the asymptotic series
    # 1/(x sqrt(pi)) * sum_k (-1)^k (2k-1)!! / (2 x^2)^k
    split = 25.0 if x.dtype is ember_float64() else 9.0
    small = where(x < split, x, 0.0)
    direct = (small * small).exp() * erfc(small)
    big = where(x >= split, x, split)
    half_inv2 = 0.5 / (big * big)
    series = 1.0
    for k in range(12, 0, -1):
        series = 1 - half_inv2 * (2 * k - 1) * series
    series = series / (big * math.sqrt(math.pi))
    return where(x < split, direct, series)


def ember_float64():
    from . import _dtype

    return _dtype.float64


def erfcx(input, *, out=None):
    """The scaled complementary error function exp(x^2) erfc(x)."""
    x = _float("special_erfcx", input)
    if _sm._state.enabled and x.requires_grad:
        return _out(Erfcx.apply(x), out)
    return _out(_erfcx_data(x), out)


def ndtr(input, *, out=None):
    """The standard normal CDF."""
    x = _float("special_ndtr", input)
    return _out(erfc(-x * _SQRT1_2) * 0.5, out)


def _erfcinv_data(y):
    """x >= 0 with erfc(x) = y for y in [0, 1]: erfinv(1 - y) while 1 - y keeps digits,
    then Newton steps on log(erfc(x)) = log(y) (nearly quadratic in x in the tail)."""
    from .ops.pointwise import where

    tiny = 1e-10 if y.dtype is ember_float64() else 1e-4
    safe = where(y > 0, y, 1.0)
    log_y = safe.log()
    # the tail's leading behaviour: erfc(x) ~ exp(-x^2) / (x sqrt(pi))
    t = (-log_y).clamp(min=1.0)
    guess = (t - 0.5 * (t * math.pi).log()).clamp(min=0.5).sqrt()
    x = where(y < tiny, guess, erfinv(1 - where(y < tiny, 0.5, y)))
    steps = 4 if y.dtype is ember_float64() else 2
    for _ in range(steps):
        xc = x.clamp(max=27.2)
        e = erfc(xc)
        slope = (-(xc * xc)).exp() * (2 / math.sqrt(math.pi))
        ok = (e > 0) & (slope > 0)
        step = (where(ok, e, 1.0).log() - log_y) * where(ok, e, 1.0) / where(ok, slope, 1.0)
        x = where(ok & (y < 0.5), xc + step, x)
    x = where(y == 0, math.inf, x)
    return where(y.isnan() | (y < 0) | (y > 2), math.nan, x)


class Ndtri(Function):
    _internal = True

    @staticmethod
    def forward(ctx, p):
        out = _ndtri_data(p.detach())
        ctx.save_for_backward(out)
        return out._data

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * math.sqrt(2 * math.pi) * (out * out * 0.5).exp()


def _ndtri_data(p):
    from .ops.pointwise import where

    lower = p < 0.5
    q = where(lower, p, 1 - p)  # exact for p >= 1/2
    x = _erfcinv_data(q * 2) * _SQRT2
    r = where(lower, -x, x)
    return where((p < 0) | (p > 1) | p.isnan(), math.nan, r)


def ndtri(input, *, out=None):
    """The inverse of ``ndtr`` (the standard normal quantile), accurate in both tails."""
    p = _float("special_ndtri", input)
    if _sm._state.enabled and p.requires_grad:
        return _out(Ndtri.apply(p), out)
    return _out(_ndtri_data(p), out)


def log_ndtr(input, *, out=None):
    """log(ndtr(x)), accurate in both tails."""
    from .ops.pointwise import where

    x = _float("special_log_ndtr", input)
    t = where(x < 0, -x, 0.0) * _SQRT1_2
    lower = (erfcx(t) * 0.5).log() - t * t  # log(erfc(t) / 2) for x < 0
    upper = (-erfc(where(x >= 0, x, 0.0) * _SQRT1_2) * 0.5).log1p()
    return _out(where(x < 0, lower, upper), out)


def multigammaln(input, p, *, out=None):
    """The multivariate log-gamma function of dimension p."""
    from .ops.creation import arange

    x = _float("special_multigammaln", input)
    if p < 1:
        raise RuntimeError(f"p has to be greater than or equal to 1, but got {p}")
    if x.numel() and bool((x <= (p - 1) / 2).any()):
        raise RuntimeError(f"All elements must be greater than (p-1)/2, but got {(p - 1) / 2}")
    shifts = arange(p, dtype=x.dtype, device=x.device) * -0.5
    result = _sm.lgamma(x.unsqueeze(-1) + shifts).sum(-1) + p * (p - 1) / 4 * math.log(math.pi)
    return _out(result, out)


def softmax(input, dim, *, dtype=None):
    from .ops.reduction import softmax as sm

    return sm(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    from .ops.reduction import log_softmax as lsm

    return lsm(input, dim, dtype=dtype)


def logsumexp(input, dim, keepdim=False, *, out=None):
    from .ops.reduction import logsumexp as lse

    return _out(lse(input, dim, keepdim), out)


__all__ = ["digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1",
           "gammaln", "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr", "log_softmax", "logit",
           "logsumexp", "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round", "sinc",
           "softmax", "xlog1py", "xlogy"]

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


def entr(input, *, out=None):
    """-x log x elementwise: 0 at 0, -inf below 0."""
    from .ops.pointwise import where

    x = _float("special_entr", input)
    safe = where(x > 0, x, 1.0)
    r = where(x > 0, -x * safe.log(), where(x == 0, 0.0, -math.inf))
    return _out(where(x.isnan(), x, r), out)


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

    # exp(x^2) erfc(x): directly up to 25, then the asymptotic series of the tail
    small = where(x < 25, x, 0.0)
    direct = (small * small).exp() * erfc(small)
    big = where(x >= 25, x, 25.0)
    inv2 = 1 / (big * big)
    series = (1 - inv2 * 0.5 * (1 - inv2 * 1.5 * (1 - inv2 * 2.5 * (1 - inv2 * 3.5)))) / (
        big * math.sqrt(math.pi))
    return where(x < 25, direct, series)


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


def ndtri(input, *, out=None):
    """The inverse of ``ndtr``."""
    p = _float("special_ndtri", input)
    return _out(erfinv(2 * p - 1) * _SQRT2, out)


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

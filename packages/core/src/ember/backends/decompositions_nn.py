"""Core decompositions of the fused nn ops (layer_norm, rms_norm, cross_entropy, gelu,
dropout) and their gradients into required kernels; re-exported by ``decompositions``.

They compute what ``ember.nn.functional`` computed before these ops existed, in the same
order, so backends without fused kernels give the same values as before.
"""

from __future__ import annotations

import math

from .. import _dtype

SQRT1_2 = 1 / math.sqrt(2.0)
INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
TANH_BETA = math.sqrt(2 / math.pi)
TANH_KAPPA = 0.044715


def _trailing(x, ndim):
    return tuple(range(x.ndim - ndim, x.ndim))


def _leading_sum(k, t, ndim):
    """The gradient of a weight shaped as t's last ndim axes: t summed over the others."""
    return k.sum(t, tuple(range(t.ndim - ndim)), False)


def _affine(k, xhat, weight, bias):
    out = xhat if weight is None else k.mul(xhat, weight)
    return out if bias is None else k.add(out, bias)


# -- normalisation ----------------------------------------------------------------------
def layer_norm(k, x, weight, bias, ndim, eps):
    axes = _trailing(x, ndim)
    mean = k.mean(x, axes, True)
    centred = k.sub(x, mean)
    rstd = k.div(1, k.sqrt(k.add(k.mean(k.mul(centred, centred), axes, True), eps)))
    return _affine(k, k.mul(centred, rstd), weight, bias), mean, rstd


def _normalized_grad(k, g, xhat, rstd, weight, axes, centre):
    """d loss / d x of xhat * weight, xhat = (x [- mean]) * rstd over axes."""
    gxhat = g if weight is None else k.mul(g, weight)
    scale = 1.0 / math.prod(xhat.shape[a] for a in axes)
    mean_gx = k.mul(k.sum(k.mul(gxhat, xhat), axes, True), scale)
    if centre:
        gxhat = k.sub(gxhat, k.mul(k.sum(gxhat, axes, True), scale))
    return k.mul(k.sub(gxhat, k.mul(xhat, mean_gx)), rstd)


def layer_norm_backward(k, g, x, mean, rstd, weight, ndim, mask):
    xhat = k.mul(k.sub(x, mean), rstd)
    gx = _normalized_grad(k, g, xhat, rstd, weight, _trailing(x, ndim), True) if mask[0] \
        else None
    gw = _leading_sum(k, k.mul(g, xhat), ndim) if mask[1] else None
    gb = _leading_sum(k, g, ndim) if mask[2] else None
    return gx, gw, gb


def rms_norm(k, x, weight, ndim, eps):
    rstd = k.rsqrt(k.add(k.mean(k.mul(x, x), _trailing(x, ndim), True), eps))
    return _affine(k, k.mul(x, rstd), weight, None), rstd


def rms_norm_backward(k, g, x, rstd, weight, ndim, mask):
    xhat = k.mul(x, rstd)
    gx = _normalized_grad(k, g, xhat, rstd, weight, _trailing(x, ndim), False) if mask[0] \
        else None
    gw = _leading_sum(k, k.mul(g, xhat), ndim) if mask[1] else None
    return gx, gw


# -- cross-entropy ------------------------------------------------------------------------
def cross_entropy(k, x, target):
    n = x.shape[0]
    peak = k.amax(x, (1,), True)  # an infinite peak makes the row's loss nan, as in PyTorch
    shifted = k.sub(x, peak)
    log_total = k.log(k.sum(k.exp(shifted), (1,), True))
    picked = k.take_along_axis(shifted, k.reshape(target, (n, 1)), 1)
    losses = k.sub(log_total, picked)
    return k.reshape(losses, (n,)), k.reshape(k.add(log_total, peak), (n,))


def cross_entropy_backward(k, g, x, target, lse):
    n = x.shape[0]
    g = k.reshape(g, (n, 1))
    gx = k.mul(k.exp(k.sub(x, k.reshape(lse, (n, 1)))), g)
    rows = k.reshape(target, (n, 1))
    k.put_along_axis(gx, rows, k.sub(k.take_along_axis(gx, rows, 1), g), 1)
    return gx


# -- GELU -----------------------------------------------------------------------------------
def _gelu_aux(k, x, approximate):
    """Phi(x), or tanh(sqrt(2/pi) * (x + kappa x^3)) for the tanh approximation."""
    if approximate == "tanh":
        return k.tanh(k.mul(k.add(x, k.mul(k.mul(k.mul(x, x), x), TANH_KAPPA)), TANH_BETA))
    return k.mul(k.add(k.erf(k.mul(x, SQRT1_2)), 1), 0.5)


def gelu(k, x, approximate):
    aux = _gelu_aux(k, x, approximate)
    if approximate == "tanh":
        return k.mul(k.mul(x, 0.5), k.add(aux, 1)), aux
    return k.mul(x, aux), aux


def gelu_backward(k, g, x, aux, approximate):
    if aux is None:
        aux = _gelu_aux(k, x, approximate)
    if approximate == "tanh":
        left = k.mul(k.add(aux, 1), 0.5)
        slope = k.mul(k.add(k.mul(k.mul(x, x), 3 * TANH_KAPPA), 1), TANH_BETA)
        right = k.mul(k.mul(k.mul(x, 0.5), k.sub(1, k.mul(aux, aux))), slope)
        return k.mul(g, k.add(left, right))
    pdf = k.mul(k.exp(k.mul(k.mul(x, x), -0.5)), INV_SQRT_2PI)
    return k.mul(g, k.add(aux, k.mul(x, pdf)))


# -- dropout --------------------------------------------------------------------------------
def dropout(k, gen, x, p):
    dtype = _dtype.from_numpy_dtype(x.dtype)
    draws = k.uniform(gen, x.shape, 0.0, 1.0, dtype)
    mask = k.mul(k.astype(k.ge(draws, p), dtype), 1.0 / (1.0 - p))
    return k.mul(x, mask), mask

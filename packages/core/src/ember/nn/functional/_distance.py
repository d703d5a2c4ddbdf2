"""Distances and norms: cosine_similarity, pairwise_distance, pdist, normalize."""

from __future__ import annotations

import math

from ... import _dtype
from ..._tensor import _wrap, _wrap_dim
from ...autograd.function import Function
from ...ops._util import require_floating_norm
from ...ops.pointwise import where

__all__ = ["cosine_similarity", "normalize", "pairwise_distance", "pdist"]


class VectorNorm(Function):
    """The p-norm over ``axes``; its gradient is 0 where the norm is 0, as PyTorch's."""

    _internal = True

    @staticmethod
    def forward(ctx, x, p, axes, keepdim):
        k = x._device._k
        d = x._data
        if p == 2:
            out = k.sqrt(k.sum(k.mul(d, d), axes, keepdim))
        elif p == 1:
            out = k.sum(k.abs(d), axes, keepdim)
        elif p == math.inf:
            out = k.amax(k.abs(d), axes, keepdim)
        elif p == -math.inf:
            out = k.amin(k.abs(d), axes, keepdim)
        elif p == 0:
            out = k.sum(k.astype(k.ne(d, 0), _dtype.from_numpy_dtype(d.dtype)), axes, keepdim)
        else:
            out = k.pow(k.sum(k.pow(k.abs(d), p), axes, keepdim), 1.0 / p)
        ctx.save_for_backward(x, _wrap(out, x._device))
        ctx.args = (p, axes, keepdim)
        return out

    @staticmethod
    def backward(ctx, g):
        x, norm = ctx.saved_tensors
        p, axes, keepdim = ctx.args
        if not keepdim:
            shape = [1 if (axes is None or i in axes) else n for i, n in enumerate(x.shape)]
            g, norm = g.reshape(shape), norm.reshape(shape)
        if p == 0:
            return x * 0, None, None, None
        if p == 1:
            return g * x.sign(), None, None, None
        if p in (math.inf, -math.inf):
            mask = (x.abs() == norm) | x.abs().isnan()
            count = mask.sum(axes if axes is not None else tuple(range(x.ndim)), keepdim=True)
            return x.sign() * (g / count) * mask, None, None, None
        zero = norm == 0
        safe = where(zero, 1.0, norm)
        if p == 2:
            scaled = x / safe
        else:
            scaled = x * x.abs() ** (p - 2) / safe ** (p - 1)
        return where(zero, 0.0, g * scaled), None, None, None


def _norm(x, p, dim, keepdim):
    if isinstance(dim, int):
        dim = (dim,)
    axes = None if dim is None else tuple(sorted(_wrap_dim(d, max(x.ndim, 1)) for d in dim))
    if x.ndim == 0:
        axes = None
    p = float(p) if p not in ("fro",) else 2.0
    return VectorNorm.apply(x, p, axes, keepdim)


def _clamp_value(x, low):
    """``x`` clamped below at ``low`` in value, with the gradient of ``x`` (PyTorch's
    no_grad clamp_min_ on a clone)."""
    return x + (x.detach().clamp(min=low) - x.detach())


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps)) along ``dim``."""
    if not x1.is_floating_point():
        x1 = x1.to(_dtype.get_default_dtype())
    if not x2.is_floating_point():
        x2 = x2.to(_dtype.get_default_dtype())
    from ...ops._util import broadcast_shapes

    shape = broadcast_shapes(x1.shape, x2.shape)
    a, b = x1.expand(shape), x2.expand(shape)
    n1 = _clamp_value(_norm(a, 2, dim, True), eps)
    n2 = _clamp_value(_norm(b, 2, dim, True), eps)
    return ((a / n1) * (b / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """The p-norm of x1 - x2 + eps over the last dimension."""
    output_dim = max(x1.ndim, x2.ndim)
    inner = max(x1.ndim, x2.ndim) - 1
    if output_dim == 0:
        return _norm(x1 - x2 + eps, p, None, keepdim)
    return _norm(x1 - x2 + eps, p, inner, keepdim)


def pdist(input, p=2):
    """p-norm distances between the rows of a 2-D input, for pairs i < j (row-major)."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    n = input.shape[0]
    if n < 2:
        return input.new_zeros((0,))
    from ...ops.creation import tensor

    rows, cols = [], []
    for i in range(n):
        for j in range(i + 1, n):
            rows.append(i)
            cols.append(j)
    i = tensor(rows, device=input.device)
    j = tensor(cols, device=input.device)
    return _norm(input[i] - input[j], p, 1, False)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p, eps) along ``dim``."""
    require_floating_norm(input)
    denom = _norm(input, p, dim, True).clamp(min=eps).expand_as(input)
    result = input / denom
    if out is not None:
        out.copy_(result)
        return out
    return result



"""Reductions: sum, mean, prod, max/min, arg-reductions, var/std, logsumexp, norm, scans."""

from __future__ import annotations

import builtins
import math

from .. import _dtype, return_types
from .._tensor import Tensor, _wrap, _wrap_dim
from ..autograd.function import Function
from ..autograd.grad_mode import state as _state
from ._util import require_floating, require_floating_norm


def reduce_axes(x, dim):
    """Normalise a ``dim`` argument (None, int, or sequence) to a sorted tuple or None."""
    if dim is None:
        return None
    nd = x._data.ndim
    if isinstance(dim, int):
        dim = (dim,)
    elif not len(dim):
        return None  # dim=() or [] reduces over every dimension, as in PyTorch
    axes = tuple(sorted({_wrap_dim(d, nd) for d in dim}))
    if len(axes) != len(tuple(dim)):
        raise RuntimeError("dim appears multiple times in the list of dims")
    return axes if nd else None


def _grad_expand(g, shape, axes, keepdim):
    """Broadcast a reduction's gradient back over the reduced axes: a broadcast view, which
    AccumulateGrad copies if it lands in a ``.grad``."""
    kept = shape if keepdim or axes is None else \
        tuple(1 if i in axes else n for i, n in enumerate(shape))
    if not (g._requires_grad and _state.enabled):  # the plain backward: no graph to record
        k = g._device._k
        data = g._data if kept is shape else k.reshape(g._data, kept)
        return _wrap(k.broadcast_to(data, shape), g._device)
    from .shape import Expand

    return Expand.apply(g if kept is shape else g.reshape(kept), shape)


def _count(shape, axes):
    return math.prod(shape[a] for a in axes) if axes is not None else math.prod(shape)


class Sum(Function):
    _internal = True

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = x._data.shape, axes, keepdim
        return x._device._k.sum(x._data, axes, keepdim)

    @staticmethod
    def backward(ctx, g):
        return _grad_expand(g, ctx.shape, ctx.axes, ctx.keepdim), None, None


class SumDim(Sum):  # sum(dim): PyTorch's sum.dim_IntList
    _node_name = "SumBackward1"


def sum(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A001 - PyTorch's name
    if dtype is not None:
        input = input.to(dtype)
    return (Sum if dim is None else SumDim).apply(input, reduce_axes(input, dim), keepdim)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    from .pointwise import where

    return sum(where(input.isnan(), 0, input), dim, keepdim, dtype=dtype)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    if not input.is_floating_point():
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {_legacy(input.dtype)}")
    axes = reduce_axes(input, dim)
    n = _count(input._data.shape, axes)
    if not n:
        return sum(input, axes, keepdim) * float("nan")
    return (Mean if dim is None else MeanDim).apply(input, axes, keepdim)


class Mean(Function):
    """The backend's mean kernel (fused where it has one); the gradient is spread evenly."""

    _internal = True

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = x._data.shape, axes, keepdim
        ctx.count = _count(x._data.shape, axes)
        return x._device._k.mean(x._data, axes, keepdim)

    @staticmethod
    def backward(ctx, g):
        return _grad_expand(g, ctx.shape, ctx.axes, ctx.keepdim) / ctx.count, None, None


class MeanDim(Mean):
    _node_name = "MeanBackward1"


_legacy = _dtype.scalar_type_name


class Prod(Function):
    _internal = True

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.save_for_backward(x)
        ctx.axes, ctx.keepdim = axes, keepdim
        return x._device._k.prod(x._data, axes, keepdim)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        axes, keepdim, shape = ctx.axes, ctx.keepdim, x._data.shape
        # product of the others: exclusive cumprods from both sides (handles zeros exactly)
        flat_axes = axes if axes is not None else tuple(range(len(shape)))
        moved = x.permute([d for d in range(len(shape)) if d not in flat_axes] + list(flat_axes))
        lead = moved.shape[:len(shape) - len(flat_axes)]
        m = moved.reshape(tuple(lead) + (-1,))
        ones = m[..., :1] * 0 + 1
        left = _cat_last(ones, m[..., :-1].cumprod(-1))
        right = _cat_last(ones, m.flip(-1)[..., :-1].cumprod(-1)).flip(-1) \
            if m.shape[-1] > 1 else ones
        others = (left * right).reshape(moved.shape)
        inverse = [0] * len(shape)
        for i, d in enumerate([d for d in range(len(shape)) if d not in flat_axes]
                              + list(flat_axes)):
            inverse[d] = i
        others = others.permute(inverse)
        return _grad_expand(g, shape, axes, keepdim) * others, None, None


def _cat_last(a, b):
    from .shape import cat

    return cat([a, b], -1)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    return Prod.apply(input, reduce_axes(input, dim), keepdim)


class _KernelReduction(Function):
    """The backend's reduction kernel ``kernel(x, axes, keepdim)``; the backward gets the
    input and the result saved, and ``ctx.axes``, ``ctx.keepdim``."""

    _internal = True
    kernel = ""

    @classmethod
    def forward(cls, ctx, x, axes, keepdim):
        out = getattr(x._device._k, cls.kernel)(x._data, axes, keepdim)
        ctx.save_for_backward(x, _wrap(out, x._device))
        ctx.axes, ctx.keepdim = axes, keepdim
        return out


class _Extreme(_KernelReduction):
    """amax / amin: the gradient is shared evenly between tied extreme values."""

    _internal = True

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        shape, axes, keepdim = x._data.shape, ctx.axes, ctx.keepdim
        hit = (x == _grad_expand(out, shape, axes, keepdim)).to(g.dtype)
        count = hit.sum(axes, keepdim=True) if axes is not None else hit.sum().reshape(
            (1,) * len(shape))
        return _grad_expand(g, shape, axes, keepdim) * hit / count, None, None


class Amax(_Extreme):
    kernel = "amax"


class Amin(_Extreme):
    kernel = "amin"


class Max(Amax):  # max(): PyTorch also shares the gradient between ties
    _node_name = "MaxBackward1"


class Min(Amin):
    _node_name = "MinBackward1"


class _ExtremeDim(Function):
    """max(dim) / min(dim) values: ``x`` at ``index`` (the arg-extremes, dim kept); the
    gradient goes to those positions."""

    _internal = True

    @staticmethod
    def forward(ctx, x, dim, index, keepdim):
        ctx.save_for_backward(index)
        ctx.dim, ctx.shape, ctx.keepdim = dim, x._data.shape, keepdim
        k = x._device._k
        out = k.take_along_axis(x._data, index._data, dim)
        if not keepdim:
            shape = out.shape
            out = k.reshape(out, shape[:dim] + shape[dim + 1:])
        return out

    @staticmethod
    def backward(ctx, g):
        from .indexing import scatter_add

        (index,) = ctx.saved_tensors
        if not ctx.keepdim:
            g = g.unsqueeze(ctx.dim)
        zeros = _wrap(g._device._k.zeros(ctx.shape, g.dtype, g._device.index), g._device)
        return scatter_add(zeros, ctx.dim, index, g), None, None, None


class MaxDim(_ExtremeDim):
    _node_name = "MaxBackward0"


class MinDim(_ExtremeDim):
    _node_name = "MinBackward0"


def _check_nonempty(op, x, axes):
    shape = x._data.shape
    if x.numel() == 0 and (axes is None or builtins.any(shape[a] == 0 for a in axes)):
        if axes is None and op not in ("argmax", "argmin"):  # PyTorch's types and words
            raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() "
                               "== 0. Specify the reduction dim with the 'dim' argument.")
        raise IndexError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0."
                         if axes is None else f"{op}(): Expected reduction dim {axes[0]} to have "
                         "non-zero size.")


def amax(input, dim=(), keepdim=False):
    axes = reduce_axes(input, dim) if dim != () else None
    _check_nonempty("amax", input, axes)
    return Amax.apply(input, axes, keepdim)


def amin(input, dim=(), keepdim=False):
    axes = reduce_axes(input, dim) if dim != () else None
    _check_nonempty("amin", input, axes)
    return Amin.apply(input, axes, keepdim)


def _arg(kernel, input, dim, keepdim):
    if dim is None:
        _check_nonempty(kernel, input, None)
        flat = input._data if input._data.ndim <= 1 else input.reshape(-1)._data
        out = getattr(input._device._k, kernel)(flat, None if flat.ndim == 0 else 0, False)
        if keepdim:
            out = input._device._k.reshape(out, (1,) * input._data.ndim)
        return _wrap(out, input._device)
    d = _wrap_dim(dim, input._data.ndim)
    _check_nonempty(kernel, input, (d,))
    axis = d if input._data.ndim else None
    return _wrap(getattr(input._device._k, kernel)(input._data, axis, keepdim), input._device)


def argmax(input, dim=None, keepdim=False):
    if input._data.dtype.kind == "b":
        raise RuntimeError("argmax(): does not support bool input")
    return _arg("argmax", input, dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    if input._data.dtype.kind == "b":
        raise RuntimeError("argmin(): does not support bool input")
    return _arg("argmin", input, dim, keepdim)


def _max_min(name, input, dim, keepdim, other):
    from .pointwise import maximum, minimum

    if isinstance(dim, Tensor):
        other, dim = dim, None
    if other is not None:
        return (maximum if name == "max" else minimum)(input, other)
    if dim is None:
        _check_nonempty(name, input, None)
        return (Max if name == "max" else Min).apply(input, None, False)
    d = _wrap_dim(dim, input._data.ndim)
    _check_nonempty(name, input, (d,))
    if input._data.ndim == 0:
        return getattr(return_types, name)(input.clone(), _wrap(
            input._device._k.zeros((), _dtype.int64, input._device.index), input._device))
    # NaN propagates: argmax of a NaN row is its first NaN, as in PyTorch
    indices = _arg("argmax" if name == "max" else "argmin", input, d, True)
    values = (MaxDim if name == "max" else MinDim).apply(input, d, indices, keepdim)
    if not keepdim:
        indices = _wrap(input._device._k.reshape(indices._data, values._data.shape),
                        input._device)
    return getattr(return_types, name)(values, indices)


def max(input, dim=None, keepdim=False, *, other=None):  # noqa: A001
    return _max_min("max", input, dim, keepdim, other)


def min(input, dim=None, keepdim=False, *, other=None):  # noqa: A001
    return _max_min("min", input, dim, keepdim, other)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if isinstance(unbiased, (int, list, tuple)) and not isinstance(unbiased, bool):
        dim, unbiased = unbiased, None  # var(x, dim) called positionally as var(x, 1)
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    if not input.is_floating_point():
        raise RuntimeError("std and var only support floating point and complex dtypes")
    return Var.apply(input, reduce_axes(input, dim), correction, keepdim)


class Var(Function):
    """The backend's var kernel; d var / dx = 2 (x - mean) / (n - correction)."""

    _internal = True

    @staticmethod
    def forward(ctx, x, axes, correction, keepdim):
        ctx.save_for_backward(x)
        ctx.axes, ctx.correction, ctx.keepdim = axes, correction, keepdim
        return x._device._k.var(x._data, axes, correction, keepdim)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        shape, axes = x._data.shape, ctx.axes
        dof = _count(shape, axes) - ctx.correction
        centred = x - x.mean(axes if axes is not None else None, keepdim=True)
        scale = 2.0 / dof if dof > 0 else math.inf
        return _grad_expand(g, shape, axes, ctx.keepdim) * centred * scale, None, None, None


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return Std.apply(var(input, dim, unbiased, keepdim, correction=correction), 2)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return (var(input, dim, unbiased, keepdim, correction=correction),
            mean(input, reduce_axes(input, dim if not isinstance(unbiased, int) or
                                    isinstance(unbiased, bool) else unbiased), keepdim))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    v, m = var_mean(input, dim, unbiased, keepdim, correction=correction)
    return Std.apply(v, 2), m


def logsumexp(input, dim, keepdim=False):
    axes = reduce_axes(input, dim)
    if not input.is_floating_point():
        input = input.to(_dtype.get_default_dtype())
    if input.numel() == 0:  # log of an empty sum: -inf (amax would refuse an empty input)
        return input.exp().sum(axes, keepdim).log()
    return LogSumExp.apply(input, axes, keepdim)


class LogSumExp(_KernelReduction):
    """The backend's (stable) logsumexp kernel; the gradient is softmax(x) * g."""

    _internal = True
    _node_name = "LogsumexpBackward0"
    kernel = "logsumexp"

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        shape, axes = x._data.shape, ctx.axes
        kept = tuple(1 if axes is None or i in axes else n for i, n in enumerate(shape))
        if not ctx.keepdim:
            out, g = out.reshape(kept), g.reshape(kept)
        return g * (x - out).exp(), None, None


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    require_floating_norm(input)
    axes = reduce_axes(input, dim)
    if p in ("fro", 2, 2.0, None):
        return LinalgVectorNorm.apply((input * input).sum(axes, keepdim), 2)
    if p in (float("inf"), "inf"):
        return input.abs().amax(axes if axes is not None else (), keepdim)
    if p in (float("-inf"), "-inf"):
        return input.abs().amin(axes if axes is not None else (), keepdim)
    if p == 1:
        return input.abs().sum(axes, keepdim)
    if p == 0:
        return (input != 0).to(input.dtype).sum(axes, keepdim)
    if isinstance(p, (int, float)):
        return LinalgVectorNorm.apply((input.abs() ** p).sum(axes, keepdim), p)
    raise RuntimeError(f"norm(): unsupported norm type {p!r}")


class _SafeRoot(Function):
    """``t ** (1/p)`` of a non-negative ``t``, whose gradient is 0 where ``t`` is 0: PyTorch's
    norm and std backward mask that case (the chain rule alone gives inf * 0 = nan)."""

    _internal = True

    @staticmethod
    def forward(ctx, t, p):
        k = t._device._k
        out = k.sqrt(t._data) if p == 2 else k.pow(t._data, 1.0 / p)
        ctx.save_for_backward(t, _wrap(out, t._device))
        ctx.p = p
        return out

    @staticmethod
    def backward(ctx, g):
        t, out = ctx.saved_tensors
        zero = t == 0
        safe = t.masked_fill(zero, 1)  # no 0/0 computed (and no NumPy warning about it)
        return (g * out / (safe * ctx.p)).masked_fill(zero, 0), None


class LinalgVectorNorm(_SafeRoot):
    """The root of a p-norm (its node is named as PyTorch's)."""

    _internal = True


class Std(_SafeRoot):
    """The square root of a variance (its node is named as PyTorch's)."""

    _internal = True


class Cumsum(Function):
    _internal = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return x._device._k.cumsum(x._data, dim)

    @staticmethod
    def backward(ctx, g):
        return g.flip(ctx.dim).cumsum(ctx.dim).flip(ctx.dim), None


def cumsum(input, dim, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    d = _wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        return input.clone() if input.dtype._kind == 2 else input.to(_dtype.int64)
    return Cumsum.apply(input, d)


def cumprod(input, dim, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    d = _wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0:  # integers accumulate in int64, as in cumsum
        return input.clone() if input.dtype._kind == 2 else input.to(_dtype.int64)
    if input._requires_grad:
        # differentiable through logs would fail at zeros; use the product of prefixes
        pieces = [input.narrow(d, 0, 1)]
        for i in range(1, input.shape[d]):
            pieces.append(pieces[-1] * input.narrow(d, i, 1))
        from .shape import cat

        return cat(pieces, d)
    return _wrap(input._device._k.cumprod(input._data, d), input._device)


def all(input, dim=None, keepdim=False):  # noqa: A001
    out = _wrap(input._device._k.all(input._data, reduce_axes(input, dim), keepdim),
                input._device)
    return out.to(_dtype.uint8) if input.dtype is _dtype.uint8 else out  # PyTorch keeps uint8


def any(input, dim=None, keepdim=False):  # noqa: A001
    out = _wrap(input._device._k.any(input._data, reduce_axes(input, dim), keepdim),
                input._device)
    return out.to(_dtype.uint8) if input.dtype is _dtype.uint8 else out


def count_nonzero(input, dim=None):
    return (input != 0).sum(dim)


# -- softmax and sorting ------------------------------------------------------------------
class Softmax(Function):
    _internal = True

    @staticmethod
    def forward(ctx, x, dim):
        out = x._device._k.softmax(x._data, dim)
        ctx.save_for_backward(_wrap(out, x._device))
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return out * (g - (g * out).sum(ctx.dim, keepdim=True)), None


class LogSoftmax(Function):
    _internal = True

    @staticmethod
    def forward(ctx, x, dim):
        out = x._device._k.log_softmax(x._data, dim)
        ctx.save_for_backward(_wrap(out, x._device))
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g - out.exp() * g.sum(ctx.dim, keepdim=True), None


def _softmax(fn, name, input, dim, dtype):
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        raise TypeError(f"{name}() missing required argument 'dim'")
    ndim = builtins.max(input._data.ndim, 1)
    dim = _wrap_dim(dim, ndim)
    # PyTorch names its kernel for the last dimension differently in its error
    require_floating(input, f"{name}_lastdim_kernel_impl" if dim == ndim - 1
                     else f"{name}_kernel_impl")
    if input._data.ndim == 0:
        return fn.apply(input.reshape(1), 0).reshape(())
    return fn.apply(input, dim)


def softmax(input, dim=None, dtype=None):
    """``exp(x) / exp(x).sum(dim)``, computed stably (``torch.softmax``)."""
    return _softmax(Softmax, "softmax", input, dim, dtype)


def log_softmax(input, dim=None, dtype=None):
    """``x - logsumexp(x, dim)`` (``torch.log_softmax``)."""
    return _softmax(LogSoftmax, "log_softmax", input, dim, dtype)


__all__ = [_n for _n, _v in list(globals().items())
           if not _n.startswith("_") and callable(_v) and not isinstance(_v, type)
           and getattr(_v, "__module__", None) == __name__]

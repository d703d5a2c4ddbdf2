"""More reductions and scans: nanmean, aminmax, cummax, cummin, logcumsumexp."""

from __future__ import annotations

from .. import _dtype, return_types
from .._tensor import Tensor, _wrap, _wrap_dim
from ..autograd import grad_mode
from ..autograd.function import Function
from ._util import require_floating

_state = grad_mode.state


def _check(name, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")


_legacy = _dtype.scalar_type_name


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """The mean of the non-NaN elements."""
    _check("nanmean", input)
    if dtype is not None:
        input = input.to(dtype)
    if not input.is_floating_point():
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype "
                           f"but got {_legacy(input.dtype)}")
    keep = ~input.isnan()
    result = input.nansum(dim, keepdim) / keep.sum(dim, keepdim)
    if out is not None:
        from .pointwise import _out as write

        return write(result, out)
    return result


def aminmax(input, *, dim=None, keepdim=False, out=None):
    """(amin, amax) in one call."""
    _check("aminmax", input)
    if input.numel() == 0 and (dim is None or input.shape[_wrap_dim(dim, input.ndim)] == 0):
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                           "operation has no identity.")
    if dim is None:
        if keepdim:
            shape = (1,) * input.ndim
            result = return_types.aminmax(input.amin().reshape(shape),
                                          input.amax().reshape(shape))
        else:
            result = return_types.aminmax(input.amin(), input.amax())
    else:
        d = _wrap_dim(dim, input.ndim)
        if input.ndim == 0:
            result = return_types.aminmax(input.clone(), input.clone())
        else:
            result = return_types.aminmax(input.amin(d, keepdim), input.amax(d, keepdim))
    if out is not None:
        from .pointwise import _out as write

        write(result[0], out[0])
        write(result[1], out[1])
        return return_types.aminmax(*out)
    return result


# -- running extremes --------------------------------------------------------------------
class _CumExtreme(Function):
    _internal = True
    kernel = ""

    @classmethod
    def forward(cls, ctx, x, dim):
        k = x._device._k
        values, indices = getattr(k, cls.kernel)(x._data, dim)
        ctx.save_for_backward(_wrap(indices, x._device))
        ctx.dim, ctx.shape = dim, x._data.shape
        return values, indices

    @staticmethod
    def backward(ctx, gv, gi):
        (indices,) = ctx.saved_tensors
        zeros = _wrap(gv._device._k.full(ctx.shape, 0, gv.dtype, gv._device.index), gv._device)
        return zeros.scatter_add(ctx.dim, indices, gv), None


class Cummax(_CumExtreme):
    _internal = True
    kernel = "cummax"


class Cummin(_CumExtreme):
    _internal = True
    kernel = "cummin"


def _cum_extreme(name, cls, tuple_cls, input, dim, out):
    _check(name, input)
    d = _wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        values = input.clone()
        indices = _wrap(input._device._k.full((), 0, _dtype.int64, input._device.index),
                        input._device)
        result = tuple_cls(values, indices)
    elif _state.enabled and input._requires_grad:
        result = tuple_cls(*cls.apply(input, d))
    else:
        v, i = getattr(input._device._k, cls.kernel)(input._data, d)
        result = tuple_cls(_wrap(v, input._device), _wrap(i, input._device))
    if out is not None:
        from .pointwise import _out as write

        write(result[0], out[0])
        write(result[1], out[1])
        return tuple_cls(*out)
    return result


def cummax(input, dim, *, out=None):
    """(running maximum along ``dim``, index of its latest occurrence); NaN propagates."""
    return _cum_extreme("cummax", Cummax, return_types.cummax, input, dim, out)


def cummin(input, dim, *, out=None):
    """(running minimum along ``dim``, index of its latest occurrence); NaN propagates."""
    return _cum_extreme("cummin", Cummin, return_types.cummin, input, dim, out)


# -- logcumsumexp ------------------------------------------------------------------------
class Logcumsumexp(Function):
    _internal = True

    @staticmethod
    def forward(ctx, x, dim):
        out = x._device._k.logcumsumexp(x._data, dim)
        ctx.save_for_backward(x, _wrap(out, x._device))
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, g):
        # PyTorch's formula (after TensorFlow's): split the gradient by sign and take
        # logcumsumexp in reverse, so that nothing overflows
        from .pointwise import where

        x, out = ctx.saved_tensors
        dim = ctx.dim
        import numpy as np

        lowest = float(np.finfo(np.float32 if g.dtype is _dtype.bfloat16 else
                                g.dtype.numpy).min)
        log_abs = g.abs().log()
        pos = where(g > 0, log_abs, lowest)
        neg = where(g < 0, log_abs, lowest)

        def reverse(t):
            return logcumsumexp(t.flip(dim), dim).flip(dim)

        return (reverse(pos - out) + x).exp() - (reverse(neg - out) + x).exp(), None


def logcumsumexp(input, dim, *, out=None):
    """log(cumsum(exp(input))) along ``dim``, without overflow."""
    _check("logcumsumexp", input)
    require_floating(input, "logcumsumexp_out_cpu")
    d = _wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        result = input.clone()
    elif _state.enabled and input._requires_grad:
        result = Logcumsumexp.apply(input, d)
    else:
        result = _wrap(input._device._k.logcumsumexp(input._data, d), input._device)
    if out is not None:
        from .pointwise import _out as write

        return write(result, out)
    return result


__all__ = ["aminmax", "cummax", "cummin", "logcumsumexp", "nanmean"]

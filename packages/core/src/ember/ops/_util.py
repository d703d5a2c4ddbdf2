"""Shared helpers of the op implementations: promotion, device checks, broadcasting."""

from __future__ import annotations

from .. import _dtype
from .._tensor import Tensor, _wrap

_float, _int64, _bool = _dtype.float32, _dtype.int64, _dtype.bool


def _combine(higher, lower):
    """PyTorch's combine_categories: a lower-priority participant wins only a higher category."""
    if higher is None:
        return lower
    if lower is None or higher._kind == 2:
        return higher
    if higher is _dtype.bool or lower._kind == 2:
        return _dtype.promote_types(higher, lower)
    return higher


def result_type(*operands) -> _dtype.dtype:
    """The dtype PyTorch gives an op over these tensors and Python scalars."""
    dim = zero = wrapped = None
    for x in operands:
        if isinstance(x, Tensor):
            d = x.dtype
            if x._data.ndim:
                dim = d if dim is None else _dtype.promote_types(dim, d)
            else:
                zero = d if zero is None else _dtype.promote_types(zero, d)
        elif x is not None:
            d = _SCALAR_DTYPES[_dtype.scalar_kind(x)]()
            wrapped = d if wrapped is None else _dtype.promote_types(wrapped, d)
    return _combine(dim, _combine(zero, wrapped))


_SCALAR_DTYPES = (lambda: _bool, lambda: _int64, _dtype.get_default_dtype)


def same_device(op, *tensors):
    """The common device of the tensor operands; 0-d cpu tensors may join any device."""
    dev = None
    for t in tensors:
        if isinstance(t, Tensor):
            if dev is None:
                dev = t._device
            elif t._device is not dev:
                if t._data.ndim == 0 and t._device.type == "cpu":
                    continue
                if dev.type == "cpu" and _first_is_scalar_cpu(tensors, dev):
                    dev = t._device
                    continue
                raise RuntimeError(f"Expected all tensors to be on the same device, but found at "
                                   f"least two devices, {dev} and {t._device}! (when checking "
                                   f"arguments for {op})")
    return dev


def _first_is_scalar_cpu(tensors, dev):
    return all(not isinstance(t, Tensor) or t._device is not dev or t._data.ndim == 0
               for t in tensors)


def cast(x, dtype, dev=None):
    """``x`` as a tensor of ``dtype`` on ``dev`` (Python scalars pass through; NumPy scalars
    become Python scalars, weak as in PyTorch: float32 tensor + np.float64(2) is float32)."""
    if not isinstance(x, Tensor):
        return x.item() if hasattr(x, "item") and hasattr(x, "dtype") else x
    if dev is not None and x._device is not dev:
        x = x.to(dev)
    return x if x._data.dtype is dtype.numpy else x.to(dtype)


def broadcast_shapes(*shapes):
    """The broadcast of shapes, or PyTorch's RuntimeError naming the mismatched sizes.

    As PyTorch's infer_size: shapes are combined pairwise, each pair compared from the last
    dimension, so the message names the rightmost mismatch (a is the shape so far)."""
    out = ()
    for shape in shapes:
        shape = tuple(shape)
        if shape == out:
            continue
        na, nb = len(out), len(shape)
        ndim = na if na > nb else nb
        res = [1] * ndim
        for i in range(ndim - 1, -1, -1):
            off = ndim - 1 - i
            a = out[na - 1 - off] if off < na else 1
            b = shape[nb - 1 - off] if off < nb else 1
            if a != b and a != 1 and b != 1:
                raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b "
                                   f"({b}) at non-singleton dimension {i}")
            res[i] = b if a == 1 else a
        out = tuple(res)
    return out


def sum_to_shape(g, shape):
    """Reduce a broadcast gradient back to ``shape`` (a differentiable Tensor op)."""
    gshape = g._data.shape
    if gshape == tuple(shape):
        return g
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape)
                                      if n == 1 and gshape[i + lead] != 1)
    if axes:
        g = g.sum(axes, keepdim=True)
    return g.reshape(shape) if lead or g._data.shape != tuple(shape) else g


def not_implemented(kernel, dtype) -> NotImplementedError:
    """PyTorch's error for a kernel that has no version for ``dtype``."""
    return NotImplementedError(f"\"{kernel}\" not implemented for "
                               f"'{_dtype.scalar_type_name(dtype)}'")


def require_floating(x, kernel):
    """PyTorch's NotImplementedError for a kernel that has no integer or bool version."""
    if not x.is_floating_point():
        raise not_implemented(kernel, x.dtype)


def require_floating_norm(x, name="linalg.vector_norm"):
    """PyTorch's RuntimeError for a norm of an integer or bool tensor."""
    if not x.is_floating_point():
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_dtype.scalar_type_name(x.dtype)}")


def new_like(data, t):
    return _wrap(data, t._device)


def default_float():
    return _dtype.get_default_dtype()

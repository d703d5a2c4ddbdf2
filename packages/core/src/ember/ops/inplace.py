"""In-place ops: writing into a tensor's memory while keeping autograd and views right.

Without autograd an in-place op writes straight into the tensor's array. With autograd it
computes the out-of-place result from a clone of the old value, writes it into the tensor
and moves the tensor's history onto the new node; for a view, its base's history moves
onto a ``CopySlices`` node so gradients of the base see the write.
"""

from __future__ import annotations

from .. import _dtype
from .._tensor import Tensor, _wrap
from ..autograd import grad_mode
from ..autograd.function import Function
from ._util import broadcast_shapes, result_type

_state = grad_mode.state


def check_leaf(t):
    """The checks before any write into ``t``: overlapping memory, leaves that need grad."""
    strides = t._data.strides
    shape = t._data.shape
    if 0 in strides and 0 not in shape and any(s == 0 and n > 1 for s, n in zip(strides, shape)):
        raise RuntimeError("unsupported operation: more than one element of the written-to "
                           "tensor refers to a single memory location. Please clone() the tensor "
                           "before performing the operation.")
    if not _state.enabled:
        return
    if t._requires_grad and t.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    base = t._base
    if base is not None and base._requires_grad and base.grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")


def _check_cast(t, dtype, op):
    if dtype is not t.dtype and not _can_cast(dtype, t.dtype):
        raise RuntimeError(f"result type {_name(dtype)} can't be cast to the desired output type "
                           f"{_name(t.dtype)}")


def _can_cast(src, dst):
    return src._kind <= dst._kind


_name = _dtype.scalar_type_name


def elementwise_(self, kernel, other, op_fn):
    """``self = op(self, other)`` in place, for an elementwise kernel that takes ``out=``."""
    check_leaf(self)
    needs_grad = _state.enabled and (self._requires_grad or
                                     (isinstance(other, Tensor) and other._requires_grad))
    if needs_grad:
        return rebase(self, op_fn(_old_value(self), other))
    dtype = result_type(self, other)
    if kernel == "div" and dtype._kind != 2:  # true division of integers gives floats
        from .._dtype import get_default_dtype

        dtype = get_default_dtype()
    _check_cast(self, dtype, kernel)
    k = self._device._k
    if isinstance(other, Tensor):
        if other._device is not self._device and other._data.ndim:
            from ._util import same_device

            same_device(kernel + "_", self, other)
        if other._data.shape != self._data.shape:
            _check_shape(self, other._data.shape)
        y = other.to(self._device).to(self.dtype)._data
    else:
        y = other.item() if hasattr(other, "item") else other  # a NumPy scalar: a Python one
    if dtype is not self.dtype:  # e.g. float += int stays float; compute then cast
        k.assign(self._data, getattr(k, kernel)(k.astype(self._data, dtype), y))
    else:
        getattr(k, kernel)(self._data, y, out=self._data)
    self._bump()
    return self


def _check_shape(self, other_shape):
    shape = broadcast_shapes(self._data.shape, other_shape)
    if shape != self._data.shape:
        raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the "
                           f"broadcast shape {list(shape)}")


def _old_value(self):
    from .shape import clone

    return clone(self) if self._requires_grad else self.detach().clone()


def apply_(self, result):
    """Write out-of-place ``result`` into ``self`` (no autograd involved)."""
    check_leaf(self)
    if result._data.shape != self._data.shape:
        _check_shape(self, result._data.shape)
    _check_cast(self, result.dtype, "copy")
    self._device._k.assign(self._data, result.to(self._device)._data)
    self._bump()
    return self


def rebase(self, result):
    """Write ``result`` into ``self`` and make ``result``'s node the tensor's history."""
    if result._data.shape != self._data.shape:
        _check_shape(self, result._data.shape)
    _check_cast(self, result.dtype, "copy")
    if result.dtype is not self.dtype:
        result = result.to(self.dtype)
    self._device._k.assign(self._data, result._data)
    self._bump()
    base = self._base
    if base is not None and self._view_fn is not None and (base._requires_grad
                                                           or result._requires_grad):
        new_base = CopySlices.apply(base, result, self._view_fn)
        base.grad_fn, base._out_nr, base._requires_grad = new_base.grad_fn, 0, True
        view = self._view_fn(base)
        self.grad_fn, self._out_nr = view.grad_fn, view._out_nr
        self._requires_grad = True
        self._view_version = self._vc[0]
        return self
    if result.grad_fn is not None:
        self.grad_fn, self._out_nr, self._requires_grad = result.grad_fn, result._out_nr, True
    elif self.grad_fn is not None and _state.enabled:
        # overwritten by a constant (fill_, zero_, ...): the old history gets zero gradient
        old = _wrap(self._data, self._device)
        old.grad_fn, old._out_nr, old._requires_grad = self.grad_fn, self._out_nr, True
        filled = Fill.apply(old, result)
        self.grad_fn, self._out_nr = filled.grad_fn, filled._out_nr
    return self


class Fill(Function):
    """A tensor overwritten by a constant (PyTorch's FillBackward0): zero gradient."""

    _internal = True

    @staticmethod
    def forward(ctx, old, value):
        return value._data

    @staticmethod
    def backward(ctx, g):
        return g * 0, None


class CopySlices(Function):
    """``base`` with the region ``view_fn(base)`` replaced by ``value``."""

    _internal = True

    @staticmethod
    def forward(ctx, base, value, view_fn):
        ctx.view_fn = view_fn
        return base._data  # the write into base's memory has already happened

    @staticmethod
    def backward(ctx, g):
        grad_base = g.clone()
        with grad_mode.no_grad():
            ctx.view_fn(grad_base).zero_()
        return grad_base, ctx.view_fn(g), None


def resize_and_copy(out, result):
    """The ``out=`` argument: write ``result`` into ``out`` (its shape must match or be empty)."""
    if out._data.shape != result._data.shape:
        if out.numel() != 0:
            raise RuntimeError(f"output with shape {list(out.shape)} doesn't match the result "
                               f"shape {list(result.shape)}")
        out._data = out._device._k.empty(result._data.shape, out.dtype, out._device.index)
    if out.dtype is not result.dtype and result.dtype._kind > out.dtype._kind:
        raise RuntimeError(f"result type {_name(result.dtype)} can't be cast to the desired "
                           f"output type {_name(out.dtype)}")
    out._device._k.assign(out._data, result.to(out._device).to(out.dtype)._data)
    out._bump()
    return out

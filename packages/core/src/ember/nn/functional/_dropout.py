"""Dropout family: dropout, dropout1d/2d/3d, alpha_dropout, feature_alpha_dropout."""

from __future__ import annotations

import warnings

from ... import _dtype
from ..._tensor import _wrap
from ...autograd import grad_mode
from ...autograd.function import Function
from ...random import default_generator_for
from ._activation import _in_place

_state = grad_mode.state

__all__ = ["alpha_dropout", "dropout", "dropout1d", "dropout2d", "dropout3d",
           "feature_alpha_dropout"]


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(x, p, shape):
    """A native array of 1/(1-p) where kept (probability 1-p) and 0 elsewhere: the mask that
    the dropout kernel draws for ones of ``shape``."""
    dev = x._device
    k = dev._k
    ones = k.ones(shape, x.dtype, dev.index)
    return k.dropout(default_generator_for(dev).native, ones, p)[1]


class Mul(Function):
    """x * mask, the mask drawn once (with x by the dropout kernel when ``mask`` is None) and
    saved for the backward; named so that its node prints as PyTorch's dropout node does:
    ``MulBackward0``."""

    _internal = True

    @staticmethod
    def forward(ctx, x, mask, p):
        dev = x._device
        if mask is None:
            out, drawn = dev._k.dropout(default_generator_for(dev).native, x._data, p)
            mask = _wrap(drawn, dev)
        else:
            out = dev._k.mul(x._data, mask._data)
        ctx.save_for_backward(mask)
        return out

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        if not _state.enabled:
            return _wrap(g._device._k.mul(g._data, mask._data), g._device), None, None
        return g * mask, None, None


def _apply_mask(input, mask, inplace, p=None):
    if inplace:
        return _in_place(input, lambda x: Mul.apply(x, mask, p))
    return Mul.apply(input, mask, p)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1/(1-p) (training only)."""
    _check_p(p)
    if not training or p == 0.0:
        return input
    if not input.is_floating_point():  # the mask's scale 1/(1-p) is a float
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{_dtype.scalar_type_name(input.dtype)}")
    if p == 1.0:
        return _apply_mask(input, input.new_zeros(()), inplace)
    return _apply_mask(input, None, inplace, p)


def _feature_dropout(input, p, training, inplace, batched_dim, name):
    _check_p(p)
    if not training or p == 0.0:
        return input
    if input.ndim == batched_dim - 1:  # unbatched: (C, *)
        shape = (input.shape[0],) + (1,) * (input.ndim - 1)
    else:
        shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    if p == 1.0:
        return _apply_mask(input, input.new_zeros(()), inplace)
    mask = _wrap(_keep_mask(input, p, shape), input._device)
    return _apply_mask(input, mask, inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) inputs."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D "
                           "input. Note that dropout1d exists to provide channel-wise dropout on "
                           "inputs with 1 spatial dimension, a channel dimension, and an optional "
                           "batch dimension (i.e. 2D or 3D inputs).")
    return _feature_dropout(input, p, training, inplace, 3, "dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) inputs."""
    inp_dim = input.ndim
    if inp_dim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {inp_dim}-D input to dropout2d, which is "
                      "deprecated and will result in an error in a future release. To retain the "
                      "behavior and silence this warning, please use dropout instead. Note that "
                      "dropout2d exists to provide channel-wise dropout on inputs with 2 spatial "
                      "dimensions, a channel dimension, and an optional batch dimension (i.e. 3D "
                      "or 4D inputs).", stacklevel=2)
    if inp_dim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
                      "1D dropout behavior is desired - input is interpreted as shape (N, C, L), "
                      "where C is the channel dim. This behavior will change in a future release "
                      "to interpret the input as one without a batch dimension, i.e. shape (C, "
                      "H, W). To maintain the 1D channel-wise dropout behavior, please switch to "
                      "using dropout1d instead.", stacklevel=2)
    return _feature_dropout(input, p, training, inplace, 3 if inp_dim == 3 else 4, "dropout2d")


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) inputs."""
    inp_dim = input.ndim
    if inp_dim not in (4, 5):
        warnings.warn(f"dropout3d: Received a {inp_dim}-D input to dropout3d, which is "
                      "deprecated and will result in an error in a future release. To retain the "
                      "behavior and silence this warning, please use dropout instead. Note that "
                      "dropout3d exists to provide channel-wise dropout on inputs with 3 spatial "
                      "dimensions, a channel dimension, and an optional batch dimension (i.e. 4D "
                      "or 5D inputs).", stacklevel=2)
    return _feature_dropout(input, p, training, inplace, 5, "dropout3d")


_ALPHA = 1.7580993408473766


def _alpha(input, p, training, inplace, shape):
    _check_p(p)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * input.new_zeros(())
    dev = input._device
    k = dev._k
    draws = k.uniform(default_generator_for(dev).native, shape, 0.0, 1.0, input.dtype)
    keep = _wrap(k.astype(k.ge(draws, p), input.dtype), dev)
    a = 1.0 / ((_ALPHA * _ALPHA * p + 1) * (1 - p)) ** 0.5
    b = (keep - 1) * (_ALPHA * a) + _ALPHA * a * p
    mask = keep * a
    if inplace:
        return _in_place(input, lambda x: x * mask + b)
    return input * mask + b


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps a SELU network's mean and variance."""
    return _alpha(input, p, training, inplace, input._data.shape)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """alpha_dropout of whole channels."""
    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    return _alpha(input, p, training, inplace, shape)

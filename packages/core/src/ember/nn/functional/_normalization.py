"""Normalisation: batch_norm, instance_norm, layer_norm, group_norm, rms_norm,
local_response_norm.

batch_norm and layer_norm are one autograd node each; their backward is written with
Tensor ops (so double backward works).
"""

from __future__ import annotations

from ... import _dtype
from ..._tensor import _wrap
from ...autograd import grad_mode
from ...autograd.function import Function

_state = grad_mode.state

__all__ = ["batch_norm", "group_norm", "instance_norm", "layer_norm", "local_response_norm",
           "rms_norm"]


def _finfo_eps(dtype):
    import numpy as np

    return float(np.finfo(dtype.numpy).eps) if dtype is not _dtype.bfloat16 else 0.0078125


# -- the shared normalise-then-affine node ----------------------------------------------------
class _Normalize(Function):
    """(x - mean) * rstd over ``axes`` (statistics of x, or given constants), then * w + b.

    ``w`` and ``b`` are already shaped to broadcast against x (or None).
    """

    _internal = True

    @staticmethod
    def forward(ctx, x, w, b, axes, eps, stats):
        k, dev = x._device._k, x._device
        d = x._data
        if stats is None:
            mean = k.mean(d, axes, True)
            centred = k.sub(d, mean)
            var = k.mean(k.mul(centred, centred), axes, True)
        else:
            mean, var = stats[0]._data, stats[1]._data
            centred = k.sub(d, mean)
        rstd = k.div(1, k.sqrt(k.add(var, eps)))
        xhat = k.mul(centred, rstd)
        out = xhat
        if w is not None:
            out = k.mul(out, w._data)
        if b is not None:
            out = k.add(out, b._data)
        elif w is None:
            out = k.copy(out) if out is d else out
        ctx.save_for_backward(_wrap(xhat, dev), _wrap(rstd, dev), w, x)
        ctx.meta = (axes, stats is None, x._data.shape,
                    None if b is None else b._data.shape,
                    None if w is None else w._data.shape, eps)
        ctx.stats = stats
        ctx.mean_var = (_wrap(mean, dev), _wrap(var, dev))
        return out

    @staticmethod
    def backward(ctx, g):
        xhat, rstd, w, x = ctx.saved_tensors
        axes, batch_stats, shape, b_shape, w_shape, eps = ctx.meta
        if _state.enabled:  # create_graph: rebuild xhat from x so the backward differentiates
            if batch_stats:
                mean = x.mean(axes, keepdim=True)
                centred = x - mean
                var = (centred * centred).mean(axes, keepdim=True)
            else:
                mean, var = ctx.stats
                centred = x - mean
            rstd = (var + eps).rsqrt()
            xhat = centred * rstd
        gx_needed, gw_needed, gb_needed = ctx.needs_input_grad[:3]
        from ...ops._util import sum_to_shape

        gw = sum_to_shape(g * xhat, w_shape) if gw_needed else None
        gb = sum_to_shape(g, b_shape) if gb_needed else None
        gx = None
        if gx_needed:
            gxhat = g * w if w is not None else g
            if batch_stats:
                n = 1
                for a in axes:
                    n *= shape[a]
                mean_g = gxhat.sum(axes, keepdim=True) * (1.0 / n)
                mean_gx = (gxhat * xhat).sum(axes, keepdim=True) * (1.0 / n)
                gx = (gxhat - mean_g - xhat * mean_gx) * rstd
            else:
                gx = gxhat * rstd
        return gx, gw, gb, None, None, None


class NativeBatchNorm(_Normalize):
    """batch_norm's node (prints as PyTorch's ``NativeBatchNormBackward0``)."""

    _internal = True


class NativeLayerNorm(_Normalize):
    """layer_norm's node (prints as PyTorch's ``NativeLayerNormBackward0``)."""

    _internal = True


def _channel_shape(x, c_dim=1):
    shape = [1] * x.ndim
    shape[c_dim] = x.shape[c_dim]
    return tuple(shape)


def _verify_batch_size(size):
    size_prods = size[0]
    for i in range(len(size) - 2):
        size_prods *= size[i + 2]
    if size_prods == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                         f"{size}")


def _update_running(running, batch_value, momentum):
    with grad_mode.no_grad():
        running.mul_(1 - momentum).add_(batch_value.detach().to(running.dtype) * momentum)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalise each channel (dim 1) by batch statistics (training) or running ones."""
    if training:
        _verify_batch_size(input.size())
    if input.ndim < 2:
        raise ValueError(f"expected 2D or 3D input (got {input.ndim}D input)")
    c = input.shape[1]
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    axes = (0,) + tuple(range(2, input.ndim))
    cshape = _channel_shape(input)
    w = weight.reshape(cshape) if weight is not None else None
    b = bias.reshape(cshape) if bias is not None else None
    if training or running_mean is None or running_var is None:
        out = NativeBatchNorm.apply(input, w, b, axes, eps, None)
        if training and running_mean is not None and running_var is not None:
            mean, var = out.grad_fn.mean_var if out.grad_fn is not None else _stats(input, axes)
            n = input.numel() // c
            _update_running(running_mean, mean.reshape(c), momentum)
            _update_running(running_var, var.reshape(c) * (n / max(n - 1, 1)), momentum)
        return out
    stats = (running_mean.reshape(cshape).to(input.dtype),
             running_var.reshape(cshape).to(input.dtype))
    return NativeBatchNorm.apply(input, w, b, axes, eps, stats)


def _stats(x, axes):
    with grad_mode.no_grad():
        mean = x.mean(axes, keepdim=True)
        centred = x - mean
        return mean, (centred * centred).mean(axes, keepdim=True)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalise each (sample, channel) plane over its spatial positions."""
    if use_input_stats:
        size = input.size()
        prod = 1
        for s in size[2:]:
            prod *= s
        if prod == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input "
                             f"size {size}")
    axes = tuple(range(2, input.ndim))
    cshape = _channel_shape(input)
    w = weight.reshape(cshape) if weight is not None else None
    b = bias.reshape(cshape) if bias is not None else None
    if not use_input_stats and running_mean is not None and running_var is not None:
        stats = (running_mean.reshape(cshape).to(input.dtype),
                 running_var.reshape(cshape).to(input.dtype))
        return _Normalize.apply(input, w, b, axes, eps, stats)
    out = _Normalize.apply(input, w, b, axes, eps, None)
    if running_mean is not None and running_var is not None:
        mean, var = out.grad_fn.mean_var if out.grad_fn is not None else _stats(input, axes)
        n = 1
        for a in axes:
            n *= input.shape[a]
        c = input.shape[1]
        _update_running(running_mean, mean.reshape(-1, c).mean(0), momentum)
        _update_running(running_var, (var * (n / max(n - 1, 1))).reshape(-1, c).mean(0),
                        momentum)
    return out


def _check_normalized_shape(input, normalized_shape, name="layer_norm"):
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    nd = len(normalized_shape)
    if input.ndim < nd or tuple(input.shape[input.ndim - nd:]) != normalized_shape:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input with "
                           f"shape [*, {', '.join(str(s) for s in normalized_shape)}], but got "
                           f"input of size{input.shape}")
    return normalized_shape


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing ``normalized_shape`` dimensions, then scale and shift."""
    normalized_shape = _check_normalized_shape(input, normalized_shape)
    nd = len(normalized_shape)
    axes = tuple(range(input.ndim - nd, input.ndim))
    return NativeLayerNorm.apply(input, weight, bias, axes, eps, None)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x**2) + eps) over the trailing dimensions, times ``weight``."""
    normalized_shape = _check_normalized_shape(input, normalized_shape, "rms_norm")
    if eps is None:
        eps = _finfo_eps(input.dtype)
    axes = tuple(range(input.ndim - len(normalized_shape), input.ndim))
    out = input * ((input * input).mean(axes, keepdim=True) + eps).rsqrt()
    if weight is not None:
        out = out * weight
    return out


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise groups of channels per sample, then scale and shift per channel."""
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.ndim}")
    n, c = input.shape[0], input.shape[1]
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {input.shape} and num_groups={num_groups}")
    grouped = input.reshape(n, num_groups, -1)
    out = _Normalize.apply(grouped, None, None, (2,), eps, None).reshape(input.shape)
    cshape = _channel_shape(input)
    if weight is not None:
        out = out * weight.reshape(cshape)
    if bias is not None:
        out = out + bias.reshape(cshape)
    return out


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """x / (k + alpha * mean of x**2 over ``size`` neighbouring channels) ** beta."""
    dim = input.ndim
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    from ...ops.shape import cat

    sq = input * input
    c = input.shape[1]
    before, after = size // 2, (size - 1) // 2
    pad_shape = list(input.shape)
    parts = []
    if before:
        pad_shape[1] = before
        parts.append(sq.new_zeros(tuple(pad_shape)))
    parts.append(sq)
    if after:
        pad_shape[1] = after
        parts.append(sq.new_zeros(tuple(pad_shape)))
    padded = cat(parts, 1) if len(parts) > 1 else sq
    window = padded.narrow(1, 0, c)
    for i in range(1, size):
        window = window + padded.narrow(1, i, c)
    div = (window * (alpha / size) + k) ** beta
    return input / div



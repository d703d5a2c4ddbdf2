"""Normalisation: batch_norm, instance_norm, layer_norm, group_norm, rms_norm,
local_response_norm.

batch_norm, layer_norm and rms_norm are one autograd node each. layer_norm and rms_norm run
the backend's (fused where it has them) kernels forward and backward; batch_norm's backward,
and every backward that records a graph (double backward), is written with Tensor ops.
"""

from __future__ import annotations

from ... import _dtype
from ..._tensor import _wrap
from ...autograd import grad_mode
from ...autograd.function import Function
from ...ops._util import require_floating

_state = grad_mode.state

__all__ = ["batch_norm", "group_norm", "instance_norm", "layer_norm", "local_response_norm",
           "rms_norm"]


def _finfo_eps(dtype):
    import numpy as np

    return float(np.finfo(dtype.numpy).eps) if dtype is not _dtype.bfloat16 else 0.0078125


# -- the normalise-then-affine nodes ---------------------------------------------------------
def _native(t):
    return None if t is None else t._data


def _rebuild(x, axes, eps, stats):
    """(xhat, rstd) of x with Tensor ops, so that a backward recording a graph differentiates.

    stats: "mean_var" (x's mean and variance over axes), "rms" (x's root mean square) or
    given constant (mean, var) tensors.
    """
    if stats == "rms":
        rstd = ((x * x).mean(axes, keepdim=True) + eps).rsqrt()
        return x * rstd, rstd
    if stats == "mean_var":
        mean = x.mean(axes, keepdim=True)
        centred = x - mean
        var = (centred * centred).mean(axes, keepdim=True)
    else:
        mean, var = stats
        centred = x - mean
    rstd = (var + eps).rsqrt()
    return centred * rstd, rstd


def _grads(g, xhat, rstd, w, axes, stats, needs, w_shape, b_shape):
    """The gradients (x, w, b) of xhat * w + b with Tensor ops (``stats`` as in _rebuild)."""
    from ...ops._util import sum_to_shape

    gw = sum_to_shape(g * xhat, w_shape) if needs[1] else None
    gb = sum_to_shape(g, b_shape) if needs[2] else None
    gx = None
    if needs[0]:
        gxhat = g * w if w is not None else g
        if stats in ("mean_var", "rms"):
            n = 1
            for a in axes:
                n *= xhat.shape[a]
            mean_gx = (gxhat * xhat).sum(axes, keepdim=True) * (1.0 / n)
            if stats == "mean_var":
                gxhat = gxhat - gxhat.sum(axes, keepdim=True) * (1.0 / n)
            gx = (gxhat - xhat * mean_gx) * rstd
        else:
            gx = gxhat * rstd
    return gx, gw, gb


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
        ctx.save_for_backward(_wrap(xhat, dev), _wrap(rstd, dev), w, x)
        ctx.meta = (axes, "mean_var" if stats is None else stats, _shape(b), _shape(w), eps)
        ctx.mean_var = (_wrap(mean, dev), _wrap(var, dev))
        return out

    @staticmethod
    def backward(ctx, g):
        xhat, rstd, w, x = ctx.saved_tensors
        axes, stats, b_shape, w_shape, eps = ctx.meta
        if _state.enabled:  # create_graph: rebuild xhat from x so the backward differentiates
            xhat, rstd = _rebuild(x, axes, eps, stats)
        return (*_grads(g, xhat, rstd, w, axes, stats, ctx.needs_input_grad, w_shape, b_shape),
                None, None, None)


def _shape(t):
    return None if t is None else t._data.shape


class NativeBatchNorm(_Normalize):
    """batch_norm's node (prints as PyTorch's ``NativeBatchNormBackward0``)."""

    _internal = True


class NativeLayerNorm(Function):
    """layer_norm over the last ``ndim`` axes: the backend's ``layer_norm`` kernel, whose
    mean and rstd feed ``layer_norm_backward`` (``NativeLayerNormBackward0``)."""

    _internal = True

    @staticmethod
    def forward(ctx, x, w, b, ndim, eps):
        dev = x._device
        out, mean, rstd = dev._k.layer_norm(x._data, _native(w), _native(b), ndim, eps)
        ctx.save_for_backward(x, w, _wrap(mean, dev), _wrap(rstd, dev))
        ctx.meta = (ndim, eps, _shape(b))
        return out

    @staticmethod
    def backward(ctx, g):
        x, w, mean, rstd = ctx.saved_tensors
        ndim, eps, b_shape = ctx.meta
        needs = ctx.needs_input_grad[:3]
        if _state.enabled:  # create_graph: Tensor ops from x
            axes = tuple(range(x.ndim - ndim, x.ndim))
            xhat, rstd = _rebuild(x, axes, eps, "mean_var")
            grads = _grads(g, xhat, rstd, w, axes, "mean_var", needs, _shape(w), b_shape)
        else:
            dev = g._device
            grads = [None if a is None else _wrap(a, dev) for a in dev._k.layer_norm_backward(
                g._data, x._data, mean._data, rstd._data, _native(w), ndim, needs)]
        return (*grads, None, None)


class FusedRmsNorm(Function):
    """rms_norm over the last ``ndim`` axes: the backend's ``rms_norm`` kernel, whose rstd
    feeds ``rms_norm_backward`` (``FusedRmsNormBackward0``, as PyTorch's fused node)."""

    _internal = True

    @staticmethod
    def forward(ctx, x, w, ndim, eps):
        dev = x._device
        out, rstd = dev._k.rms_norm(x._data, _native(w), ndim, eps)
        ctx.save_for_backward(x, w, _wrap(rstd, dev))
        ctx.meta = (ndim, eps)
        return out

    @staticmethod
    def backward(ctx, g):
        x, w, rstd = ctx.saved_tensors
        ndim, eps = ctx.meta
        needs = ctx.needs_input_grad[:2]
        if _state.enabled:  # create_graph: Tensor ops from x
            axes = tuple(range(x.ndim - ndim, x.ndim))
            xhat, rstd = _rebuild(x, axes, eps, "rms")
            grads = _grads(g, xhat, rstd, w, axes, "rms", needs + (False,), _shape(w), None)
            return grads[0], grads[1], None, None
        dev = g._device
        grads = dev._k.rms_norm_backward(g._data, x._data, rstd._data, _native(w), ndim, needs)
        return (*[None if a is None else _wrap(a, dev) for a in grads], None, None)


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
    require_floating(input, "batch_norm")
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
                           f"input of size{list(input.shape)}")
    return normalized_shape


def _check_param_shapes(normalized_shape, **params):
    for name, t in params.items():
        if t is not None and tuple(t.shape) != normalized_shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but "
                               f"got {name} of shape {list(t.shape)} and normalized_shape = "
                               f"{list(normalized_shape)}")


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing ``normalized_shape`` dimensions, then scale and shift."""
    normalized_shape = _check_normalized_shape(input, normalized_shape)
    _check_param_shapes(normalized_shape, weight=weight, bias=bias)
    require_floating(input, "LayerNormKernelImpl")
    return NativeLayerNorm.apply(input, weight, bias, len(normalized_shape), eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x**2) + eps) over the trailing dimensions, times ``weight``."""
    normalized_shape = _check_normalized_shape(input, normalized_shape, "rms_norm")
    _check_param_shapes(normalized_shape, weight=weight)
    require_floating(input, "rms_norm")
    if eps is None:
        eps = _finfo_eps(input.dtype)
    return FusedRmsNorm.apply(input, weight, len(normalized_shape), eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise groups of channels per sample, then scale and shift per channel."""
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.ndim}")
    n, c = input.shape[0], input.shape[1]
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {input.shape} and num_groups={num_groups}")
    require_floating(input, "GroupNormKernelImpl")
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



"""Activations and the softmax family (``torch.nn.functional``), written with Tensor ops.

Hot ones (softmax, log_softmax, gelu) are single autograd Functions: their forward calls
the backend kernel (``softmax``/``log_softmax`` are optional kernels with core
decompositions), their backward is Tensor ops, with a kernel-only path when no graph of
the backward is being recorded.
"""

from __future__ import annotations

import warnings

from ... import _dtype
from ..._tensor import Tensor, _wrap, _wrap_dim
from ...autograd import grad_mode
from ...autograd.function import Function
from ...backends import decompositions_nn as _nn
from ...ops import inplace as _inplace
from ...ops._util import require_floating
from ...ops.pointwise import where
from ...ops.reduction import log_softmax as _core_log_softmax
from ...ops.reduction import softmax as _core_softmax
from ...ops.special_math import erf as _erf

_state = grad_mode.state

__all__ = [
    "celu", "celu_", "elu", "elu_", "gelu", "glu", "hardshrink", "hardsigmoid", "hardswish",
    "hardtanh", "hardtanh_", "leaky_relu", "leaky_relu_", "log_softmax", "logsigmoid", "mish",
    "prelu", "relu", "relu6", "relu_", "rrelu", "rrelu_", "selu", "selu_", "sigmoid", "silu",
    "softmax", "softmin", "softplus", "softshrink", "softsign", "tanh", "tanhshrink",
    "threshold", "threshold_",
]


def _in_place(input, fn):
    """Write ``fn(input)`` into ``input`` (PyTorch's ``inplace=True``), keeping autograd right."""
    _inplace.check_leaf(input)
    if _state.enabled and input._requires_grad:
        return _inplace.rebase(input, fn(_inplace._old_value(input)))
    return _inplace.apply_(input, fn(input))


def _maybe_inplace(input, inplace, fn):
    return _in_place(input, fn) if inplace else fn(input)


def _const(x):
    """``x`` without autograd history (a branch value whose gradient PyTorch defines as 0)."""
    return x.detach()


# -- relu family --------------------------------------------------------------------------
def relu(input, inplace=False):
    """max(x, 0)."""
    if inplace:
        return relu_(input)
    return input.relu()


def relu_(input):
    return _in_place(input, lambda x: x.relu())


def _hardtanh(x, min_val, max_val):
    if x.is_floating_point():
        return Hardtanh.apply(x, float(min_val), float(max_val))
    inside = (x > min_val) & (x < max_val)
    return where(inside, x, _const(x).clamp(min_val, max_val))


class Hardtanh(Function):
    """clip(x, low, high) as one node; the gradient is 0 at and beyond the bounds."""

    _internal = True

    @staticmethod
    def forward(ctx, x, low, high):
        ctx.save_for_backward(x)
        ctx.bounds = (low, high)
        return x._device._k.clip(x._data, low, high)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        low, high = ctx.bounds
        return g * ((x > low) & (x < high)), None, None


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clamp to [min_val, max_val]; the gradient is 0 at and beyond the bounds."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if not input.is_floating_point():  # integers keep their dtype, with integral bounds
        if input.dtype is _dtype.bool:
            raise RuntimeError("Bool inputs not supported for hardtanh")
        min_val, max_val = int(min_val), int(max_val)
    return _maybe_inplace(input, inplace, lambda x: _hardtanh(x, min_val, max_val))


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x for x > 0, else negative_slope * x."""
    require_floating(input, "leaky_relu_cpu")
    return _maybe_inplace(input, inplace, lambda x: where(x > 0, x, x * negative_slope))


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


def prelu(input, weight):
    """leaky_relu with a learnt slope per channel (dim 1), or one shared slope."""
    if not isinstance(weight, Tensor):
        raise TypeError("prelu(): argument 'weight' must be Tensor")
    if input.dtype is not weight.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got "
                           f"{_dtype.scalar_type_name(input.dtype)} and "
                           f"{_dtype.scalar_type_name(weight.dtype)}")
    w = weight
    if w.numel() != 1:
        if input.ndim == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if input.ndim >= 2 else input.shape[0]
        if w.numel() != channels:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {w.numel()} and channel size = "
                               f"{channels}.")
        if input.ndim >= 2:
            w = w.reshape((1, channels) + (1,) * (input.ndim - 2))
    elif w.ndim:
        w = w.reshape(())
    return where(input > 0, input, w * input)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """leaky_relu with a random slope in [lower, upper] (training) or their mean (eval)."""
    require_floating(input, "leaky_relu_cpu")
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    from ...ops.creation import empty

    slope = empty(input.shape, dtype=input.dtype, device=input.device).uniform_(lower, upper)
    return _maybe_inplace(input, inplace, lambda x: where(x >= 0, x, x * slope))


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, True)


def threshold(input, threshold, value, inplace=False):
    """x where x > threshold, else value."""
    if input.dtype is _dtype.bool:
        raise NotImplementedError("\"threshold_cpu\" not implemented for 'Bool'")
    return _maybe_inplace(input, inplace,
                          lambda x: where(x > threshold, x, _scalar_like(value, x)))


def _scalar_like(value, x):
    return _wrap(x._device._k.full((), value, x.dtype, x._device.index), x._device)


def threshold_(input, threshold, value):
    return _maybe_inplace(input, True, lambda x: where(x > threshold, x, _scalar_like(value, x)))


# -- exponential family ------------------------------------------------------------------
def elu(input, alpha=1.0, inplace=False):
    """x for x > 0, else alpha * (exp(x) - 1)."""
    require_floating(input, "elu_cpu")
    return _maybe_inplace(input, inplace, lambda x: where(x > 0, x, x.expm1() * alpha))


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """scale * elu(x, alpha) with SELU's constants."""
    require_floating(input, "elu_cpu")
    return _maybe_inplace(input, inplace, lambda x: where(x > 0, x * _SELU_SCALE,
                                                          x.expm1() * (_SELU_ALPHA * _SELU_SCALE)))


def selu_(input):
    return selu(input, True)


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    require_floating(input, "elu_cpu")
    return _maybe_inplace(input, inplace,
                          lambda x: where(x > 0, x, (x * (1.0 / alpha)).expm1() * alpha))


def celu_(input, alpha=1.0):
    return celu(input, alpha, True)


# -- smooth activations --------------------------------------------------------------------
class Gelu(Function):
    """x * Phi(x) (exact) or its tanh approximation, as one node (``GeluBackward0``): the
    backend's ``gelu`` kernel forward and ``gelu_backward`` kernel backward, which reuses
    the forward's Phi(x) (or tanh) where the backend keeps it."""

    _internal = True

    @staticmethod
    def forward(ctx, x, approximate):
        ctx.approximate = approximate
        out, aux = x._device._k.gelu(x._data, approximate)
        ctx.save_for_backward(x, None if aux is None else _wrap(aux, x._device))
        return out

    @staticmethod
    def backward(ctx, g):
        x, aux = ctx.saved_tensors
        if not _state.enabled:
            k = x._device._k
            return _wrap(k.gelu_backward(g._data, x._data, None if aux is None else aux._data,
                                         ctx.approximate), x._device), None
        if ctx.approximate == "tanh":  # differentiable, for double backward
            x_sq = x * x
            t = ((x + x_sq * x * _nn.TANH_KAPPA) * _nn.TANH_BETA).tanh()
            left_derivative = (t + 1) * 0.5
            right_derivative = x * 0.5 * (1 - t * t) * ((x_sq * (3 * _nn.TANH_KAPPA) + 1)
                                                        * _nn.TANH_BETA)
            return g * (left_derivative + right_derivative), None
        cdf = (_erf(x * _nn.SQRT1_2) + 1) * 0.5
        pdf = (x * x * -0.5).exp() * _nn.INV_SQRT_2PI
        return g * (cdf + x * pdf), None


def gelu(input, approximate="none"):
    """x * Phi(x); ``approximate='tanh'`` uses PyTorch's tanh approximation."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    require_floating(input, "GeluKernelImpl")
    return Gelu.apply(input, approximate)


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


def silu(input, inplace=False):
    """x * sigmoid(x)."""
    require_floating(input, "silu_cpu")
    return _maybe_inplace(input, inplace, Silu.apply)


class Silu(Function):
    """x * sigmoid(x) as one node; the gradient is s * (1 + x * (1 - s))."""

    _internal = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        k = x._device._k
        return k.mul(x._data, k.sigmoid(x._data))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        s = x.sigmoid()
        return g * s * (1 + x * (1 - s))


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta, linear where beta * x > threshold."""
    require_floating(input, "softplus_cpu")
    scaled = input * beta
    over = scaled > threshold
    soft = where(over, _const(scaled) * 0, scaled).exp().log1p() * (1.0 / beta)
    return where(over, input, soft)


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    require_floating(input, "mish_cpu")
    return _maybe_inplace(input, inplace, lambda x: x * softplus(x).tanh())


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6 (gradient as PyTorch's at the kinks)."""
    require_floating(input, "hardswish_cpu")

    def fn(x):
        return where(x <= -3, x * 0, where(x < 3, x * (x + 3) * (1 / 6), x))
    return _maybe_inplace(input, inplace, fn)


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6."""
    require_floating(input, "hardsigmoid_cpu")

    def fn(x):
        flat = (_const(x) >= 3).to(x.dtype)
        return where((x > -3) & (x < 3), x * (1 / 6) + 0.5, flat)
    return _maybe_inplace(input, inplace, fn)


def logsigmoid(input):
    """log(sigmoid(x)), computed stably as min(x, 0) - log1p(exp(-|x|))."""
    require_floating(input, "log_sigmoid_cpu")
    return input.clamp(max=0) - (-input.abs()).exp().log1p()


def softsign(input):
    return input / (input.abs() + 1)


def tanhshrink(input):
    return input - input.tanh()


def softshrink(input, lambd=0.5):
    """x - lambd above lambd, x + lambd below -lambd, else 0."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    require_floating(input, "softshrink_check")
    return where(input > lambd, input - lambd, where(input < -lambd, input + lambd, input * 0))


def hardshrink(input, lambd=0.5):
    """x outside [-lambd, lambd], else 0."""
    require_floating(input, "hardshrink_cpu")
    return where((input >= -lambd) & (input <= lambd), input * 0, input)


def glu(input, dim=-1):
    """a * sigmoid(b) for the two halves a, b of ``input`` along ``dim``."""
    require_floating(input, "glu_cpu")
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _wrap_dim(dim, input.ndim)
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    a, b = input.split(n // 2, d)
    return a * b.sigmoid()


# -- softmax family (the nodes are core's: ember.softmax / ember.log_softmax) ---------------
def _get_softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_input(input, dim, dtype, name):
    if dim is None:
        dim = _get_softmax_dim(name, input.ndim, 4)
    if dtype is not None:
        input = input.to(dtype)  # (the core op checks the dtype)
    return input, _wrap_dim(dim, max(input.ndim, 1))


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim``."""
    x, d = _softmax_input(input, dim, dtype, "softmax")
    return _core_softmax(x, d)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along ``dim`` (negated first, as PyTorch does)."""
    if dim is None:
        dim = _get_softmax_dim("softmin", input.ndim, 3)
    return softmax(-input, dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """x - logsumexp(x) along ``dim``."""
    x, d = _softmax_input(input, dim, dtype, "log_softmax")
    return _core_log_softmax(x, d)


def gumbel_softmax(logits, tau=1.0, hard=False, eps=1e-10, dim=-1):
    """Samples of the Gumbel-softmax distribution (straight-through one-hot when ``hard``)."""
    from ...ops.creation import empty_like, zeros_like

    gumbels = -empty_like(logits).exponential_().log()
    y_soft = softmax((logits + gumbels) / tau, dim)
    if hard:
        index = y_soft.max(dim, keepdim=True)[1]
        y_hard = zeros_like(logits).scatter(dim, index, 1.0)
        return y_hard - y_soft.detach() + y_soft
    return y_soft

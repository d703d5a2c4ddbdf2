"""Loss functions (``torch.nn.functional``): each reduces with 'none' | 'mean' | 'sum'.

``nll_loss`` is one autograd node over the backend's gather/scatter kernels. The common
``cross_entropy`` (logits (N, C), class targets, no label smoothing) is one node over the
backend's fused ``cross_entropy`` kernels; its other forms are log_softmax + nll_loss.
"""

from __future__ import annotations

import math
import warnings

from ... import _dtype
from ..._tensor import Tensor, _wrap
from ...autograd import grad_mode
from ...autograd.function import Function, once_differentiable
from ...ops.pointwise import where
from .. import _reduction as _Reduction
from ._activation import log_softmax, logsigmoid
from ._distance import pairwise_distance

_state = grad_mode.state
_INT64 = _dtype.int64.numpy

__all__ = [
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cosine_embedding_loss",
    "cross_entropy", "ctc_loss", "gaussian_nll_loss", "hinge_embedding_loss", "huber_loss",
    "kl_div", "l1_loss", "linear_cross_entropy", "margin_ranking_loss", "mse_loss",
    "multi_margin_loss",
    "multilabel_margin_loss", "multilabel_soft_margin_loss", "nll_loss", "poisson_nll_loss",
    "smooth_l1_loss", "soft_margin_loss", "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
]


def _reduction(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        return _Reduction.legacy_get_string(size_average, reduce)
    _Reduction.get_enum(reduction)
    return reduction


def _reduce(loss, reduction):
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction in ("mean", "elementwise_mean"):
        return loss.mean()
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _warn_size(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=3)


def _broadcast(input, target):
    if input.shape == target.shape:
        return input, target
    from ...ops._util import broadcast_shapes

    shape = broadcast_shapes(input.shape, target.shape)
    return input.expand(shape), target.expand(shape)


def _scalar_type_name(t):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
            "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
            "uint8": "Byte", "bool": "Bool"}[t.dtype.name]


# -- nll_loss -------------------------------------------------------------------------------
class NllLoss(Function):
    """Negative log-likelihood over a 2-D input (N, C) and class targets (N,)."""

    _internal = True

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction):
        k, dev = x._device._k, x._device
        n, c = x._data.shape
        safe, w = _targets(x, target, weight, ignore_index)
        key = (k.arange(0, n, 1, _dtype.int64, dev.index), safe)  # (row, target) pairs
        losses = k.neg(k.mul(k.getitem(x._data, key), w))
        ctx.key = key
        ctx.save_for_backward(_wrap(w, dev))
        ctx.meta = (n, c, reduction)
        out, ctx.wsum = _reduce_rows(k, losses, w, reduction)
        return out

    @staticmethod
    def backward(ctx, g):
        (w,) = ctx.saved_tensors
        n, c, reduction = ctx.meta
        if not _state.enabled:
            k, dev = g._device._k, g._device
            scale = k.neg(k.mul(w._data, g._data))
            if reduction == "mean":
                scale = k.div(scale, ctx.wsum)
            grad = k.zeros((n, c), g.dtype, dev.index)
            k.setitem(grad, ctx.key, scale)
            return _wrap(grad, dev), None, None, None, None
        from ...ops.creation import zeros
        from ...ops.indexing import IndexPut

        scale = -(w * g)
        if reduction == "mean":
            scale = scale / _wrap(ctx.wsum, g._device)
        grad = IndexPut.apply(zeros((n, c), dtype=g.dtype, device=g.device), scale, ctx.key)
        return grad, None, None, None, None


def _targets(x, target, weight, ignore_index):
    """(targets with ignored ones as 0, per-row weights) for (N, C) scores; IndexError for a
    target outside [0, C)."""
    dev = x._device
    k = dev._k
    n, c = x._data.shape
    t = target._data
    valid = k.ne(t, ignore_index)
    safe = k.where(valid, t, 0)
    if n:
        out_of_range = k.logical_or(k.lt(safe, 0), k.ge(safe, c))
        if bool(dev._backend.to_host(k.any(out_of_range, None, False))):
            host = dev._backend.to_host(safe).reshape(-1)
            bad = next(int(v) for v in host if not 0 <= v < c)
            raise IndexError(f"Target {bad} is out of bounds.")
    w = k.astype(valid, x.dtype)
    if weight is not None:
        w = k.mul(w, k.getitem(weight._data, (safe,)))
    return safe, w


def _reduce_rows(k, losses, w, reduction):
    """(loss, mean's weight total or None) of weighted per-row losses, as nll_loss reduces."""
    if reduction == "none":
        return losses, None
    total = k.sum(losses, None, False)
    if reduction == "sum":
        return total, None
    wsum = k.sum(w, None, False)
    return k.div(total, wsum), wsum


class CrossEntropy(Function):
    """log_softmax + nll_loss of logits (N, C) as one node over the backend's fused
    ``cross_entropy`` kernels; it prints as PyTorch's cross_entropy node, NllLossBackward0."""

    _internal = True

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction):
        k = x._device._k
        safe, w = _targets(x, target, weight, ignore_index)
        losses, lse = k.cross_entropy(x._data, safe)
        out, wsum = _reduce_rows(k, k.mul(losses, w), w, reduction)
        ctx.save_for_backward(x, _wrap(w, x._device))
        ctx.meta = (safe, lse, wsum, reduction)
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        safe, lse, wsum, reduction = ctx.meta
        dev = x._device
        if not _state.enabled:
            k = dev._k
            scale = k.mul(w._data, g._data)
            if wsum is not None:
                scale = k.div(scale, wsum)
            return _wrap(k.cross_entropy_backward(scale, x._data, safe, lse), dev), \
                None, None, None, None
        from ...ops.creation import zeros
        from ...ops.indexing import IndexPut
        from ...ops.reduction import softmax

        scale = w * g  # differentiable, for double backward
        if wsum is not None:
            scale = scale / _wrap(wsum, dev)
        n, c = x.shape
        rows = (dev._k.arange(0, n, 1, _dtype.int64, dev.index), safe)
        onehot = IndexPut.apply(zeros((n, c), dtype=g.dtype, device=g.device), scale, rows)
        return softmax(x, 1) * scale.unsqueeze(1) - onehot, None, None, None, None


CrossEntropy._backward_cls.__name__ = CrossEntropy._backward_cls.__qualname__ = \
    "NllLossBackward0"


def _check_weight(weight, c):
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != c):
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no "
                           f"classes but got weight tensor of shape: {list(weight.shape)}")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """-input[n, target[n]] (weighted), over inputs (N, C), (C,) or (N, C, d1, ...)."""
    if (size_average is None and reduce is None and weight is None
            and target.__class__ is Tensor and target._data.dtype == _INT64
            and input._data.ndim == 2 and target._data.ndim == 1
            and input._data.shape[0] == target._data.shape[0]
            and reduction in ("mean", "sum", "none")):  # the common case, checked cheaply
        return NllLoss.apply(input, target, None, ignore_index, reduction)
    reduction = _reduction(size_average, reduce, reduction)
    if not isinstance(target, Tensor) or target.dtype not in (_dtype.int64, _dtype.uint8):
        found = _scalar_type_name(target) if isinstance(target, Tensor) else type(target)
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {found}")
    if target.dtype is not _dtype.int64:
        target = target.long()
    nd = input.ndim
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd == 1:
        if target.ndim != 0:
            raise RuntimeError("0D target tensor expected, multi-target not supported")
        _check_weight(weight, input.shape[0])
        out = NllLoss.apply(input.unsqueeze(0), target.reshape(1), weight, ignore_index,
                            reduction)
        return out.reshape(()) if reduction == "none" else out
    if input.shape[0] != (target.shape[0] if target.ndim else 1) or target.ndim != nd - 1:
        if target.ndim >= 1 and input.shape[0] != target.shape[0]:
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                             f"batch_size ({target.shape[0]}).")
        raise RuntimeError(f"Expected target size {[input.shape[0]] + list(input.shape[2:])}, "
                           f"got {list(target.shape)}")
    c = input.shape[1]
    _check_weight(weight, c)
    if nd == 2:
        return NllLoss.apply(input, target, weight, ignore_index, reduction)
    if tuple(target.shape[1:]) != tuple(input.shape[2:]):
        raise RuntimeError(f"Expected target size {[input.shape[0]] + list(input.shape[2:])}, "
                           f"got {list(target.shape)}")
    flat = input.movedim(1, -1).reshape(-1, c)
    out = NllLoss.apply(flat, target.reshape(-1), weight, ignore_index, reduction)
    return out.reshape(target.shape) if reduction == "none" else out


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """log_softmax over the class dimension, then nll_loss (or soft-target cross-entropy)."""
    reduction = _reduction(size_average, reduce, reduction)
    if (label_smoothing == 0.0 and input.__class__ is Tensor and input._data.ndim == 2
            and input.dtype.is_floating_point and target.__class__ is Tensor
            and target._data.dtype == _INT64 and target._data.ndim == 1
            and input._data.shape[0] == target._data.shape[0]):
        _check_weight(weight, input._data.shape[1])
        return CrossEntropy.apply(input, target, weight, ignore_index, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing}")
    class_dim = 0 if input.ndim == 1 else 1
    logp = log_softmax(input, class_dim)
    c = input.shape[class_dim]
    if target.is_floating_point() and target.shape == input.shape:
        # class probabilities
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / c
        prod = logp * target
        if weight is not None:
            _check_weight(weight, c)
            shape = [1] * input.ndim
            shape[class_dim] = c
            prod = prod * weight.reshape(shape)
        loss = -prod.sum(class_dim)
        if reduction == "mean":
            return loss.sum() / (input.numel() // c) if input.numel() else loss.sum() / 0.0
        return loss.sum() if reduction == "sum" else loss
    nll = nll_loss(logp, target, weight, None, ignore_index, None, reduction)
    if label_smoothing <= 0:
        return nll
    ignore_mask = target == ignore_index
    if weight is not None:
        shape = [1] * input.ndim
        shape[class_dim] = c
        smooth = -(logp * weight.reshape(shape)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    smooth = smooth.masked_fill(ignore_mask, 0.0)
    if reduction == "mean":
        if weight is not None:
            safe = target.masked_fill(ignore_mask, 0)
            tgt_w = weight.gather(0, safe.reshape(-1)).reshape(safe.shape)
            ret = smooth.sum() / tgt_w.masked_fill(ignore_mask, 0).sum()
        else:
            ret = smooth.sum() / (~ignore_mask).sum()
    elif reduction == "sum":
        ret = smooth.sum()
    else:
        ret = smooth
    return nll * (1 - label_smoothing) + ret * (label_smoothing / c)


def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None,
                         reduction="mean", ignore_index=None, label_smoothing=0.0, options=None):
    """cross_entropy(linear(input, linear_weight, linear_bias), target); ``linear_weight`` is
    (num_classes, *out_features, in_features). ``options`` (PyTorch's chunking) is ignored."""
    from ._linear import linear

    if input.ndim < 1 or input.ndim > 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.ndim}")
    if linear_weight.ndim < 2:
        raise RuntimeError(f"expected linear_weight with dimensionality at least 2, got "
                           f"{linear_weight.ndim}")
    num_batches = tuple(input.shape[:-1])
    in_features = input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError("expected equal input and linear_weight last dimensions "
                           f"(in_features), got {input.shape[-1]} and "
                           f"{linear_weight.shape[-1]}, respectively")
    num_classes = linear_weight.shape[0]
    out_features = tuple(linear_weight.shape[1:-1])
    logits_shape = (*num_batches, num_classes, *out_features)
    if target.shape == logits_shape and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains "
                           "probabilities")
    total = num_classes
    for n in out_features:
        total *= n
    logits = linear(input, linear_weight.reshape(total, in_features),
                    None if linear_bias is None else linear_bias.reshape(total))
    return cross_entropy(logits.reshape(logits_shape), target, weight=weight,
                         reduction=reduction,
                         ignore_index=ignore_index if ignore_index is not None else -100,
                         label_smoothing=label_smoothing)


# -- regression losses ---------------------------------------------------------------------
def _weighted(loss, weight, input, reduction):
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / weight.sum()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', "
                     "'sum'.")


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """|input - target|."""
    _warn_size(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    x, y = _broadcast(input, target)
    loss = (x - y).abs()
    if weight is not None:
        return _weighted(loss, weight, input, reduction)
    return _reduce(loss, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """(input - target) ** 2."""
    _warn_size(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    x, y = _broadcast(input, target)
    if (weight is None and x.dtype is y.dtype and x.is_floating_point() and x.numel()
            and x._device is y._device
            and reduction in ("none", "sum", "mean")):
        return MseLoss.apply(x, y, reduction)
    d = x - y
    loss = d * d
    if weight is not None:
        return _weighted(loss, weight, input, reduction)
    return _reduce(loss, reduction)


class MseLoss(Function):
    """(x - y) ** 2, reduced, as one node (PyTorch's MseLossBackward0)."""

    _internal = True

    @staticmethod
    def forward(ctx, x, y, reduction):
        ctx.save_for_backward(x, y)
        ctx.reduction = reduction
        k = x._device._k
        d = k.sub(x._data, y._data)
        loss = k.mul(d, d)
        if reduction == "none":
            return loss
        return (k.sum if reduction == "sum" else k.mean)(loss, None, False)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        gx = (x - y) * (g * (2.0 / x.numel() if ctx.reduction == "mean" else 2.0))
        ga, gb = ctx.needs_input_grad[:2]
        return gx if ga else None, -gx if gb else None, None


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d**2 / beta where |d| < beta, else |d| - 0.5 beta."""
    _warn_size(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    x, y = _broadcast(input, target)
    d = x - y
    ad = d.abs()
    if beta == 0.0:
        return _reduce(ad, reduction)
    loss = where(ad < beta, d * d * (0.5 / beta), ad - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d**2 where |d| < delta, else delta * (|d| - 0.5 delta)."""
    _warn_size(input, target)
    _Reduction.get_enum(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    x, y = _broadcast(input, target)
    d = x - y
    ad = d.abs()
    loss = where(ad < delta, d * d * 0.5, (ad - 0.5 * delta) * delta)
    if weight is not None:
        if weight.shape != input.shape:
            raise ValueError("Weights and input must have the same size.")
        loss = loss * weight
    return _reduce(loss, reduction)


# -- binary losses ----------------------------------------------------------------------------
def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """-w (y log x + (1 - y) log(1 - x)), the logs clamped at -100 as in PyTorch."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         "size.")
    with grad_mode.no_grad():
        if input.numel() and bool(((input < 0) | (input > 1)).any()):
            raise RuntimeError("all elements of input should be between 0 and 1")
    loss = -(target * input.log().clamp(min=-100) + (1 - target) * (1 - input).log().clamp(
        min=-100))
    if weight is not None:
        from ...ops._util import broadcast_shapes

        loss = loss * weight.expand(broadcast_shapes(target.shape, weight.shape))
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """binary_cross_entropy(sigmoid(input), target), computed stably; ``pos_weight`` scales
    the positive term."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    softplus_neg = (-input.abs()).exp().log1p() + (-input).clamp(min=0)  # log(1 + exp(-x))
    if pos_weight is not None:
        log_weight = (pos_weight - 1) * target + 1
        loss = (1 - target) * input + log_weight * softplus_neg
    else:
        loss = (1 - target) * input + softplus_neg
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """target * (log(target) - input) (input holds log-probabilities)."""
    if size_average is not None or reduce is not None:
        reduction = _Reduction.legacy_get_string(size_average, reduce)
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and "
                          "the support size.'batchmean' divides only by the batch size, and "
                          "aligns with the KL div math definition.'mean' will be changed to "
                          "behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
        if reduction != "batchmean":
            _Reduction.get_enum(reduction)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = where(target > 0, target * where(target > 0, target, 1.0).log(), 0.0) \
            - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim != 0 else total
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """exp(input) - target * input (log_input), or input - target * log(input + eps)."""
    reduction = _reduction(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        safe = where(target > 1, target, 1.0)
        stirling = safe * safe.log() - safe + (safe * (2 * math.pi)).log() * 0.5
        loss = loss + where(target > 1, stirling, 0.0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """0.5 (log(var) + (input - target)**2 / var), var clamped to eps."""
    from ...ops.creation import ones_like

    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * ones_like(input)
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif input.ndim == var.ndim and sum(y for x, y in zip(input.shape, var.shape)
                                            if x != y) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with grad_mode.no_grad():
        var.clamp_(min=eps)
    d = input - target
    loss = (var.log() + d * d / var) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# -- margin losses ----------------------------------------------------------------------------
def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    """max(0, -target * (input1 - input2) + margin)."""
    reduction = _reduction(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.shape}, input2: {input2.shape}, "
                           f"target: {target.shape} ")
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """input where target == 1, max(0, margin - input) where target == -1."""
    reduction = _reduction(size_average, reduce, reduction)
    margin_clamp = (margin - input).clamp(min=0)
    loss = where(target != 1, margin_clamp, 0.0) + where(target != -1, input, 0.0)
    return _reduce(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target * input))."""
    reduction = _reduction(size_average, reduce, reduction)
    return _reduce((-input * target).exp().log1p(), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """Mean over classes of the binary logistic loss of each class."""
    reduction = _reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    return _reduce(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """sum over target classes j and other classes i of max(0, 1 - (x[j] - x[i])) / C.

    ``target`` holds class indices, ended by the first -1.
    """
    from ...ops.creation import zeros_like

    reduction = _reduction(size_average, reduce, reduction)
    squeeze = input.ndim <= 1
    x = input.reshape(1, -1) if squeeze else input
    t = target.reshape(1, -1) if squeeze else target
    if t.shape != x.shape:
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    n, c = x.shape
    # slots before the first -1 hold targets
    valid = (t >= 0).long().cumprod(1).bool()
    safe = where(valid, t, 0)
    is_target = zeros_like(x, dtype=_dtype.bool)
    is_target = (zeros_like(x).scatter_add(1, safe, valid.to(x.dtype)) > 0) | is_target
    x_t = x.gather(1, safe)                                   # (n, slots)
    margins = (1 - (x_t.unsqueeze(2) - x.unsqueeze(1))).clamp(min=0)   # (n, slots, c)
    keep = valid.unsqueeze(2) & ~is_target.unsqueeze(1)
    loss = where(keep, margins, 0.0).sum((1, 2)) / c
    if squeeze:
        loss = loss.reshape(()) if input.ndim == 1 else loss.reshape(())
    return _reduce(loss, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """sum over i != y of max(0, margin - x[y] + x[i]) ** p (times weight[y]) / C."""
    reduction = _reduction(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    squeeze = input.ndim <= 1
    x = input.reshape(1, -1) if squeeze else input
    t = target.reshape(-1).long()
    n, c = x.shape
    x_y = x.gather(1, t.reshape(n, 1))
    z = (x - x_y + margin).clamp(min=0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight.gather(0, t).reshape(n, 1)
    from ...ops.creation import arange

    not_y = arange(c, device=input.device).reshape(1, c) != t.reshape(n, 1)
    loss = where(not_y, z, 0.0).sum(1) / c
    if squeeze:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """1 - cos(x1, x2) where target == 1, max(0, cos(x1, x2) - margin) where target == -1."""
    reduction = _reduction(size_average, reduce, reduction)
    targ_dim = target.ndim
    if targ_dim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if targ_dim == 1 and not (input1.ndim == 2 and input2.ndim == 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with "
                           f"sizes {list(input1.shape)} and {list(input2.shape)}.")
    if targ_dim == 0 and not (input1.ndim == 1 and input2.ndim == 1):
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with "
                           f"sizes {list(input1.shape)} and {list(input2.shape)}.")
    eps = 1e-12
    prod_sum = (input1 * input2).sum(targ_dim)
    mag1 = (input1 * input1).sum(targ_dim) + eps
    mag2 = (input2 * input2).sum(targ_dim) + eps
    cos = prod_sum / (mag1 * mag2).sqrt()
    loss = where(target == 1, 1 - cos, 0.0) + where(target == -1, (cos - margin).clamp(min=0),
                                                    0.0)
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """max(0, margin + d(a, p) - d(a, n)) with the p-norm pairwise distance."""
    reduction = _reduction(size_average, reduce, reduction)
    a_dim, p_dim, n_dim = anchor.ndim, positive.ndim, negative.ndim
    if not (a_dim == p_dim == n_dim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {a_dim}D, positive "
                           f"{p_dim}D, and negative {n_dim}D inputs")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        from ...ops.pointwise import minimum

        d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((d_pos - d_neg + margin).clamp(min=0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """triplet_margin_loss with any distance function (pairwise_distance by default)."""
    _Reduction.get_enum(reduction)
    if margin <= 0:
        raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, "
                         f"got {margin} instead")
    a_dim, p_dim, n_dim = anchor.ndim, positive.ndim, negative.ndim
    if not (a_dim == p_dim == n_dim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {a_dim}D, positive "
                           f"{p_dim}D, and negative {n_dim}D inputs")
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        from ...ops.pointwise import minimum

        d_neg = minimum(d_neg, dist(positive, negative))
    return _reduce((d_pos - d_neg + margin).clamp(min=0), reduction)


# -- CTC --------------------------------------------------------------------------------------
def _logaddexp(k, a, b):
    peak = k.maximum(a, b)
    empty = k.eq(peak, -math.inf)
    safe = k.where(empty, 0.0, peak)
    total = k.add(k.exp(k.sub(a, safe)), k.exp(k.sub(b, safe)))
    return k.where(empty, -math.inf, k.add(k.log(k.where(empty, 1.0, total)), safe))


class CtcLoss(Function):
    """The CTC negative log-likelihood per sample, by the forward-backward algorithm.

    As PyTorch's, the gradient with respect to ``log_probs`` assumes they are normalised
    (log_softmax outputs): exp(lp) - (alpha * beta summed per label) / p.
    """

    _internal = True

    @staticmethod
    def forward(ctx, log_probs, targets, input_lengths, target_lengths, blank, zero_infinity):
        k, dev = log_probs._device._k, log_probs._device
        lp = log_probs._data                          # (T, N, C)
        t_max, n, c = lp.shape
        ext, ext_len, in_len, tgt_len = _ctc_extended(k, dev, targets, input_lengths,
                                                      target_lengths, blank, n)
        s = ext.shape[1]
        dt = _dtype.from_numpy_dtype(lp.dtype)
        neg_inf = k.full((n, s), -math.inf, dt, dev.index)
        # emissions[t] = lp[t, n, ext[n, s]]
        idx = k.reshape(ext, (1, n, s))
        emit = k.take_along_axis(lp, k.broadcast_to(idx, (t_max, n, s)), 2)  # (T, N, S)
        pos = k.reshape(k.arange(0, s, 1, _dtype.int64, dev.index), (1, s))
        # s-2 transitions allowed where ext[s] is not blank and differs from ext[s-2]
        shifted = _shift(k, ext, 2, blank, _dtype.int64, dev)
        skip = k.logical_and(k.ne(ext, blank), k.ne(ext, shifted))
        # alphas
        alphas = []
        a = neg_inf
        first = k.lt(pos, 2)
        a = k.where(first, k.getitem(emit, (0, Ellipsis)), neg_inf)
        a = k.where(k.lt(pos, k.reshape(ext_len, (n, 1))), a, neg_inf)
        alphas.append(a)
        for t in range(1, t_max):
            prev1 = _shift(k, a, 1, -math.inf, dt, dev)
            prev2 = _shift(k, a, 2, -math.inf, dt, dev)
            acc = _logaddexp(k, a, prev1)
            acc = k.where(skip, _logaddexp(k, acc, prev2), acc)
            new = k.add(acc, k.getitem(emit, (t, Ellipsis)))
            active = k.reshape(k.lt(t, in_len), (n, 1))
            a = k.where(active, new, a)
            alphas.append(a)
        # the likelihood: alpha at the last two extended positions of each sample's last step
        last = k.reshape(k.sub(ext_len, 1), (n, 1))
        a_last = k.take_along_axis(a, last, 1)
        a_prev = k.take_along_axis(a, k.maximum(k.sub(last, 1), 0), 1)
        a_prev = k.where(k.gt(last, 0), a_prev, -math.inf)
        nll = k.neg(k.reshape(_logaddexp(k, a_last, a_prev), (n,)))
        ctx.save_for_backward(log_probs)
        ctx.state = (alphas, emit, ext, ext_len, in_len, skip, nll, zero_infinity)
        if zero_infinity:
            nll = k.where(k.eq(nll, math.inf), 0.0, nll)
        return nll

    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        (log_probs,) = ctx.saved_tensors
        alphas, emit, ext, ext_len, in_len, skip, nll, zero_infinity = ctx.state
        k, dev = log_probs._device._k, log_probs._device
        lp = log_probs._data
        t_max, n, c = lp.shape
        s = ext.shape[1]
        dt = _dtype.from_numpy_dtype(lp.dtype)
        pos = k.reshape(k.arange(0, s, 1, _dtype.int64, dev.index), (1, s))
        last = k.reshape(k.sub(ext_len, 1), (n, 1))
        nxt_skip = _shift(k, skip, -2, False, _dtype.bool, dev)
        grad = k.zeros((t_max, n, c), dt, dev.index)
        b = None
        for t in range(t_max - 1, -1, -1):
            at_end = k.reshape(k.eq(k.sub(in_len, 1), t), (n, 1))
            init = k.where(k.logical_or(k.eq(pos, last), k.eq(pos, k.sub(last, 1))),
                           k.getitem(emit, (t, Ellipsis)), -math.inf)
            if b is None:
                b = k.full((n, s), -math.inf, dt, dev.index)
            nxt1 = _shift(k, b, -1, -math.inf, dt, dev)
            nxt2 = _shift(k, b, -2, -math.inf, dt, dev)
            acc = _logaddexp(k, b, nxt1)
            acc = k.where(nxt_skip, _logaddexp(k, acc, nxt2), acc)
            step = k.add(acc, k.getitem(emit, (t, Ellipsis)))
            active = k.reshape(k.lt(t, in_len), (n, 1))
            b = k.where(at_end, init, k.where(active, step, b))
            b = k.where(k.lt(pos, k.reshape(ext_len, (n, 1))), b, -math.inf)
            # log(sum over s with ext[s] == c of alpha*beta), per (n, c)
            ab = k.add(alphas[t], b)                                   # (N, S)
            peak = k.amax(ab, (1,), True)
            peak = k.where(k.eq(peak, -math.inf), 0.0, peak)
            summed = k.zeros((n, c), dt, dev.index)
            k.add_along_axis(summed, ext, k.exp(k.sub(ab, peak)), 1)
            hit = k.gt(summed, 0)
            lcab = k.where(hit, k.add(k.log(k.where(hit, summed, 1.0)), peak), -math.inf)
            lp_t = k.getitem(lp, (t, Ellipsis))
            row = k.sub(k.exp(lp_t), k.exp(k.sub(k.add(lcab, k.reshape(nll, (n, 1))), lp_t)))
            row = k.where(active, row, 0.0)
            k.setitem(grad, (t, Ellipsis), row)
        scale = g._data
        if zero_infinity:
            scale = k.where(k.eq(nll, math.inf), 0.0, scale)
        grad = k.mul(grad, k.reshape(scale, (1, n, 1)))
        grad = k.where(k.isnan(grad), 0.0, grad) if zero_infinity else grad
        return _wrap(grad, dev), None, None, None, None, None


def _shift(k, a, by, fill, dtype, dev):
    """Columns of the 2-D native array ``a`` moved ``by`` places right (left if negative),
    the vacated columns set to ``fill``."""
    n, s = a.shape
    m = min(abs(by), s)
    pad = k.full((n, m), fill, dtype, dev.index)
    if m == s:
        return pad
    if by > 0:
        return k.concatenate([pad, k.getitem(a, (slice(None), slice(None, s - m)))], 1)
    return k.concatenate([k.getitem(a, (slice(None), slice(m, None))), pad], 1)


def _ctc_extended(k, dev, targets, input_lengths, target_lengths, blank, n):
    """Targets with blanks between and around labels, shape (N, 2 * max_len + 1)."""
    from ...ops.creation import tensor

    in_len = input_lengths if isinstance(input_lengths, Tensor) else tensor(list(input_lengths))
    tgt_len = target_lengths if isinstance(target_lengths, Tensor) else tensor(
        list(target_lengths))
    in_len = in_len.to(dev).long()._data
    tgt_len = tgt_len.to(dev).long()
    host_len = [int(v) for v in tgt_len.tolist()]
    tgt_len = tgt_len._data
    t = targets.to(dev).long()
    max_len = max(host_len) if host_len else 0
    if t.ndim == 1:  # concatenated targets
        rows, start = [], 0
        for length in host_len:
            rows.append(t[start:start + length].tolist() + [blank] * (max_len - length))
            start += length
        t = tensor(rows, dtype=_dtype.int64, device=dev) if n else t.reshape(0, 0)
    t = t[:, :max_len]._data if max_len else k.zeros((n, 0), _dtype.int64, dev.index)
    s = 2 * max_len + 1
    ext = k.full((n, s), blank, _dtype.int64, dev.index)
    if max_len:
        k.setitem(ext, (slice(None), slice(1, s, 2)), t)
    ext_len = k.add(k.mul(tgt_len, 2), 1)
    return ext, ext_len, in_len, tgt_len


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """Connectionist Temporal Classification loss over log_probs (T, N, C) or (T, C)."""
    _Reduction.get_enum(reduction)
    unbatched = log_probs.ndim == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
        targets = targets.unsqueeze(0) if targets.ndim == 1 else targets
        if isinstance(input_lengths, Tensor):
            input_lengths = input_lengths.reshape(1)
        if isinstance(target_lengths, Tensor):
            target_lengths = target_lengths.reshape(1)
        input_lengths = input_lengths if isinstance(input_lengths, Tensor) else \
            [int(v) for v in (input_lengths if isinstance(input_lengths, (list, tuple))
                              else [input_lengths])]
        target_lengths = target_lengths if isinstance(target_lengths, Tensor) else \
            [int(v) for v in (target_lengths if isinstance(target_lengths, (list, tuple))
                              else [target_lengths])]
    loss = CtcLoss.apply(log_probs, targets, input_lengths, target_lengths, blank,
                         zero_infinity)
    if reduction == "mean":
        from ...ops.creation import tensor

        lengths = target_lengths if isinstance(target_lengths, Tensor) else tensor(
            list(target_lengths))
        lengths = lengths.to(loss.device).to(loss.dtype).clamp(min=1)
        return (loss / lengths).mean()
    if reduction == "sum":
        return loss.sum()
    return loss.reshape(()) if unbatched else loss



"""Embeddings: embedding (padding_idx, max_norm, scale_grad_by_freq), embedding_bag, one_hot."""

from __future__ import annotations

from ... import _dtype
from ..._tensor import Tensor, _wrap
from ...autograd import grad_mode
from ...autograd.function import Function
from ...ops.indexing import IndexPutAccumulate

_state = grad_mode.state

__all__ = ["embedding", "embedding_bag", "one_hot"]


class Embedding(Function):
    """weight[indices]; the gradient skips ``padding_idx`` (``EmbeddingBackward0``)."""

    _internal = True

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        k = weight._device._k
        flat = k.reshape(indices._data, (indices.numel(),))
        ctx.save_for_backward(indices)
        ctx.meta = (weight._data.shape, padding_idx, scale_grad_by_freq)
        rows = k.getitem(weight._data, (flat,))
        return k.reshape(rows, indices._data.shape + weight._data.shape[1:])

    @staticmethod
    def backward(ctx, g):
        (indices,) = ctx.saved_tensors
        shape, padding_idx, by_freq = ctx.meta
        k, dev = g._device._k, g._device
        count = indices.numel()
        flat = k.reshape(indices._data, (count,))
        rows = g.reshape(count, shape[1])
        keep = None
        if padding_idx is not None:
            keep = k.ne(flat, padding_idx)
        if by_freq:
            counts = k.zeros((shape[0],), g.dtype, dev.index)
            k.index_add_at(counts, (flat,), k.full(flat.shape, 1, g.dtype, dev.index))
            per_row = k.reshape(k.getitem(counts, (flat,)), (count, 1))
            rows = rows / _wrap(per_row, dev)
        if keep is not None:
            rows = rows * _wrap(k.reshape(k.astype(keep, g.dtype), (count, 1)), dev)
        if not _state.enabled:
            out = k.zeros(shape, g.dtype, dev.index)
            k.index_add_at(out, (flat,), rows._data)
            return _wrap(out, dev), None, None, None
        return IndexPutAccumulate.apply(rows, (flat,), shape), None, None, None


def _renorm_(weight, indices, max_norm, norm_type):
    """Rescale in place the rows of ``weight`` that ``indices`` use and whose norm exceeds
    ``max_norm`` (PyTorch's embedding_renorm_)."""
    with grad_mode.no_grad():
        from ...ops.creation import tensor

        rows = sorted(set(int(i) for i in indices.reshape(-1).tolist()))
        if not rows:
            return
        idx = tensor(rows, device=weight.device)
        picked = weight[idx]
        if norm_type == 2:
            norms = (picked * picked).sum(1).sqrt()
        else:
            norms = (picked.abs() ** norm_type).sum(1) ** (1.0 / norm_type)
        scale = (max_norm / (norms + 1e-7)).clamp(max=1.0)
        weight[idx] = picked * scale.unsqueeze(1)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` at the integer ``input`` indices."""
    if sparse:
        raise NotImplementedError("ember has no sparse tensors: use sparse=False")
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = weight.size(0) + padding_idx
    if not isinstance(input, Tensor) or input.dtype._kind != 1:
        kind = input.dtype.name if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {kind} instead (while "
                           "checking arguments for embedding)")
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    if input.numel():
        hi, lo = int(input.max()), int(input.min())
        if hi >= weight.shape[0] or lo < 0:
            raise IndexError("index out of range in self")
    if max_norm is not None:
        input = input.contiguous()
        _renorm_(weight, input, max_norm, norm_type)
    if input.device != weight.device:
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least "
                           f"two devices, {weight.device} and {input.device}!")
    return Embedding.apply(weight, input.long() if input.dtype is not _dtype.int64 else input,
                           padding_idx, scale_grad_by_freq)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """Sums, means or maxima of bags of embeddings (bags: rows of a 2-D input, or ``offsets``
    into a 1-D input)."""
    from ...ops.creation import tensor

    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.ndim}")
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is "
                         f"not None, then it must have the same shape as the input "
                         f"({input.shape})")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. "
                                  f"per_sample_weights is only supported for mode='sum' (got "
                                  f"mode='{mode}'). Please open a feature request on GitHub.")
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is "
                             "a mini-batch of fixed length sequences. However, found offsets of "
                             f"type {type(offsets).__name__}")
        b, length = input.shape
        starts = list(range(0, b * length, length))
        flat = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        starts = [int(v) for v in offsets.tolist()]
        if include_last_offset:
            starts = starts[:-1]
        flat = input
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.ndim}")
    n = flat.shape[0]
    nbags = len(starts)
    ends = starts[1:] + [n if not (include_last_offset and input.ndim == 1)
                         else int(offsets[-1])]
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.shape[0]
    if max_norm is not None:
        _renorm_(weight, flat, max_norm, norm_type)
    idx = [int(v) for v in flat.tolist()]
    members = [[j for j in range(s, e) if idx[j] != padding_idx] for s, e in zip(starts, ends)]
    emb = embedding(flat, weight, scale_grad_by_freq=scale_grad_by_freq)
    if per_sample_weights is not None:
        emb = emb * per_sample_weights.unsqueeze(1)
    dim = weight.shape[1]
    width = max((len(m) for m in members), default=0)
    if width == 0:
        return weight.new_zeros((nbags, dim))
    # (bags, width) positions into emb, padded with an extra row n (zeros or -inf)
    grid = tensor([m + [n] * (width - len(m)) for m in members], dtype=_dtype.int64,
                  device=weight.device)
    fill = float("-inf") if mode == "max" else 0.0
    from ...ops.shape import cat

    padded = cat([emb, emb.new_full((1, dim), fill)], 0)
    gathered = padded[grid.reshape(-1)].reshape(nbags, width, dim)
    counts = tensor([len(m) for m in members], dtype=weight.dtype, device=weight.device)
    if mode == "sum":
        return gathered.sum(1)
    if mode == "mean":
        return gathered.sum(1) / counts.clamp(min=1).unsqueeze(1)
    out = gathered.amax(1)
    return out.masked_fill((counts == 0).unsqueeze(1), 0.0)


def one_hot(tensor, num_classes=-1):
    """(..., num_classes) int64 with 1 at each index of ``tensor``."""
    from ...ops.creation import arange

    if not isinstance(tensor, Tensor) or tensor.dtype is not _dtype.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() == 0:
        if num_classes == -1:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    else:
        if int(tensor.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        if num_classes == -1:
            num_classes = int(tensor.max()) + 1
        elif int(tensor.max()) >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    classes = arange(num_classes, device=tensor.device)
    return (tensor.unsqueeze(-1) == classes).long()

"""More indexing: scatter_reduce (all reductions), index_add/copy/fill/put/reduce,
masked_scatter, take, put, argwhere, the *_scatter ops and tril/triu_indices.

Forward passes use the ``scatter_reduce``, ``index_add_at`` and ``setitem`` kernels;
backward passes are PyTorch's formulas written with Tensor ops.
"""

from __future__ import annotations

from .. import _dtype
from .._tensor import Tensor, _wrap, _wrap_dim
from ..autograd import grad_mode
from ..autograd.function import Function
from ._util import same_device

_state = grad_mode.state
_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def _check(name, x, position=1, arg="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position {position}) must be Tensor, not "
                        f"{type(x).__name__}")


_legacy = _dtype.scalar_type_name


def _where(c, a, b):
    from .pointwise import where

    return where(c, a, b)


def _identity(dtype, reduce):
    import numpy as np

    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype._kind == 2:
        return float("-inf") if reduce == "amax" else float("inf")
    if dtype is _dtype.bool:
        return reduce == "amin"
    info = np.iinfo(dtype.numpy)
    return int(info.min) if reduce == "amax" else int(info.max)


def _region(index):
    return tuple(slice(0, n) for n in index._data.shape)


def _scatter_reduce_data(x, dim, index, src, reduce, include_self):
    """The forward of scatter_reduce on tensors without history (a new tensor)."""
    k = x._device._k
    out = k.copy(x._data)
    values = src._data[_region(index)] if src._data.shape != index._data.shape else src._data
    kernel_reduce = "sum" if reduce == "mean" else reduce
    if not include_self:
        k.put_along_axis(out, index._data, _identity(x.dtype, reduce), dim)
    if index.numel():
        k.scatter_reduce(out, index._data, k.copy(values), dim, kernel_reduce)
    if reduce == "mean":
        counts = k.full(x._data.shape, 1 if include_self else 0, x.dtype, x._device.index)
        if index.numel():
            k.add_along_axis(counts, index._data, k.full(index._data.shape, 1, x.dtype,
                                                         x._device.index), dim)
        counts = k.maximum(counts, 1)
        out = k.floor_divide(out, counts) if x.dtype._kind != 2 else k.div(out, counts)
    return out


class ScatterReduce(Function):
    _internal = True

    @staticmethod
    def forward(ctx, x, dim, index, src, reduce, include_self):
        out = _scatter_reduce_data(x, dim, index, src, reduce, include_self)
        ctx.save_for_backward(x, index, src, _wrap(out, x._device))
        ctx.dim, ctx.reduce, ctx.include_self = dim, reduce, include_self
        return out

    @staticmethod
    def backward(ctx, g):
        x, index, src, result = ctx.saved_tensors
        dim, reduce, include_self = ctx.dim, ctx.reduce, ctx.include_self
        src = src[_region(index)] if src.shape != index.shape else src
        if reduce == "sum":
            gx, gs = g, g.gather(dim, index)
        elif reduce == "mean":
            n = x * 0 + (1.0 if include_self else 0.0)
            n = n.scatter_add(dim, index, src * 0 + 1)
            n = _where(n == 0, 1.0, n)
            gx, gs = g / n, g.gather(dim, index) / n.gather(dim, index)
        elif reduce == "prod":
            masked_x = _where(x == 0, 1.0, x)
            masked_result = scatter_reduce(masked_x, dim, index, src, "prod",
                                           include_self=include_self)
            gx = g * masked_result / masked_x
            src_zero = src == 0
            zeros_at = (x * 0).scatter_add(dim, index, src_zero.to(x.dtype)).gather(dim, index)
            single = src_zero & (zeros_at == 1)
            masked_src = _where(single, 1.0, src)
            masked_src_result = scatter_reduce(x, dim, index, masked_src, "prod",
                                               include_self=include_self)
            gs = _where(single, (g * masked_src_result).gather(dim, index),
                        (g * result).gather(dim, index) / _where(src_zero, 1.0, src))
        else:  # amax / amin: shared evenly by every element equal to the result
            value = result.gather(dim, index)
            x_hit = (x == result).to(g.dtype)  # counted even when include_self=False,
            s_hit = (src == value).to(g.dtype)  # as PyTorch does
            count = x_hit.scatter_add(dim, index, s_hit)
            share = g / count
            gx = x_hit * share
            gs = s_hit * share.gather(dim, index)
        if not include_self:
            gx = gx.scatter(dim, index, 0.0)
        gsrc = None
        if ctx.needs_input_grad[3]:
            full = ctx.saved_tensors[2]
            if full.shape != index.shape:
                from .indexing import IndexPutAccumulate, normalize_key

                key, _ = normalize_key(full, _region(index))
                gs = IndexPutAccumulate.apply(gs, key, full._data.shape)
            gsrc = gs
        return (gx if ctx.needs_input_grad[0] else None), None, None, gsrc, None, None


def _check_index(name, input, dim, index, src=None):
    if not isinstance(index, Tensor) or index.dtype is not _dtype.int64:
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")
    d = _wrap_dim(dim, input._data.ndim)
    if index._data.ndim != max(input._data.ndim, 1) and index.numel() and input._data.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input "
                           "tensor")
    same_device(name, input, index, src)
    if index.numel():
        size = input._data.shape[d] if input._data.ndim else 1
        lo, hi = int(index.min()), int(index.max())
        if lo < -size or hi >= size:
            bad = hi if hi >= size else lo
            raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size "
                               f"{size}")
        if lo < 0:
            index = _where(index < 0, index + size, index)
    return d, index


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """input with ``src`` reduced into it at ``index`` along ``dim``: reduce is "sum",
    "prod", "mean", "amax" or "amin"; ``include_self=False`` leaves input's values out."""
    _check("scatter_reduce", input)
    if reduce not in _REDUCTIONS:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    d, index = _check_index("scatter_reduce", input, dim, index, src)
    if not isinstance(src, Tensor):
        raise TypeError("scatter_reduce(): argument 'src' must be Tensor")
    if src.dtype is not input.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if input._data.ndim == 0:
        out = scatter_reduce(input.reshape(1), 0, index.reshape(-1), src.reshape(-1), reduce,
                             include_self=include_self)
        return out.reshape(())
    if _state.enabled and (input._requires_grad or src._requires_grad):
        return ScatterReduce.apply(input, d, index, src, reduce, bool(include_self))
    return _wrap(_scatter_reduce_data(input, d, index, src, reduce, include_self),
                 input._device)


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """scatter_reduce of ``source``'s slices into the rows ``index`` (1-D) along ``dim``."""
    _check("index_reduce", input)
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    d = _check_index_1d("index_reduce", input, dim, index, source)
    shape = [1] * source.ndim
    shape[d] = index.shape[0]
    full = index.reshape(shape).expand(source.shape) if source.ndim else index
    return scatter_reduce(input, d, full.contiguous(), source, reduce, include_self=include_self)


# -- index_* ------------------------------------------------------------------------------
def _check_index_1d(name, input, dim, index, source=None):
    if not isinstance(index, Tensor) or index.dtype not in (_dtype.int64, _dtype.int32):
        got = _legacy(index.dtype) if isinstance(index, Tensor) else type(index).__name__
        raise RuntimeError(f"{name}_(): Expected dtype int32/int64 for index but got: {got}")
    if index._data.ndim > 1:
        raise IndexError(f"{name}_(): Index is supposed to be a vector")
    d = _wrap_dim(dim, input._data.ndim)
    if source is not None and isinstance(source, Tensor):
        n = source.shape[d] if source._data.ndim else 1
        if index.numel() != n:
            raise RuntimeError(f"{name}_(): Number of indices ({index.numel()}) should be equal "
                               f"to source.size(dim): ({n}), for dim: {d}")
        same_device(name, input, index, source)
    if index.numel():
        size = input.shape[d] if input._data.ndim else 1
        lo, hi = int(index.min()), int(index.max())
        if lo < -size or hi >= size:
            raise IndexError("index out of range in self")
    return d


def _key(d, index):
    return (slice(None),) * d + (index.long().reshape(-1),)


def index_add(input, dim, index, source, *, alpha=1):
    """input with ``alpha * source``'s slices added to the rows ``index`` along ``dim``
    (repeated indices accumulate)."""
    from .indexing import IndexPutAccumulate, normalize_key

    _check("index_add", input)
    d = _check_index_1d("index_add", input, dim, index, source)
    src = source * alpha if alpha != 1 else source
    src = src.to(input.dtype)
    if input._data.ndim == 0:
        return input + src.reshape(())
    key, _ = normalize_key(input, _key(d, index))
    return input + IndexPutAccumulate.apply(src, key, input._data.shape)


def index_copy(input, dim, index, source):
    """input with the rows ``index`` along ``dim`` replaced by ``source``'s slices."""
    from .indexing import IndexPut, normalize_key

    _check("index_copy", input)
    d = _check_index_1d("index_copy", input, dim, index, source)
    if source.dtype is not input.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, "
                           f"but got (self) {_legacy(input.dtype)} and (source) "
                           f"{_legacy(source.dtype)}")
    if input._data.ndim == 0:
        return source.reshape(()).clone()
    key, _ = normalize_key(input, _key(d, index))
    return IndexPut.apply(input, source, key)


def index_fill(input, dim, index, value):
    """input with the rows ``index`` along ``dim`` set to ``value`` (a number or 0-d tensor)."""
    from .indexing import IndexPut, normalize_key

    _check("index_fill", input)
    d = _check_index_1d("index_fill", input, dim, index)
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but "
                               f"got tensor with {value._data.ndim} dimension(s).")
        value = value.to(input.dtype)
    else:
        value = _wrap(input._device._k.full((), value, input.dtype, input._device.index),
                      input._device)
    if input._data.ndim == 0:
        return value.clone() if index.numel() else input.clone()
    key, _ = normalize_key(input, _key(d, index))
    return IndexPut.apply(input, value, key)


def index_put(input, indices, values, accumulate=False):
    """input with ``values`` put at the advanced index ``indices`` (a tuple of tensors);
    ``accumulate=True`` adds, repeats included."""
    from .indexing import IndexPut, IndexPutAccumulate, normalize_key

    _check("index_put", input)
    key, _ = normalize_key(input, tuple(indices))
    if not isinstance(values, Tensor):
        values = _wrap(input._device._k.full((), values, input.dtype, input._device.index),
                       input._device)
    values = values.to(input.dtype)
    if accumulate:
        target = input[tuple(indices)]
        return input + IndexPutAccumulate.apply(values.expand(target.shape), key,
                                                input._data.shape)
    return IndexPut.apply(input, values, key)


def put(input, index, source, accumulate=False):
    """index_put on the flattened input."""
    _check("put", input)
    flat = index_put(input.reshape(-1), (index.reshape(-1),), source.reshape(-1), accumulate)
    return flat.reshape(input.shape)


def masked_scatter(input, mask, source):
    """input with the positions where ``mask`` is true filled, in order, from ``source``."""
    from .indexing import IndexPut, normalize_key
    from .shape import expand

    _check("masked_scatter", input)
    if not isinstance(mask, Tensor) or mask.dtype is not _dtype.bool:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with "
                           f"dtype {_legacy(mask.dtype) if isinstance(mask, Tensor) else mask}")
    from ._util import broadcast_shapes

    shape = broadcast_shapes(input.shape, mask.shape)
    x = expand(input, shape) if tuple(input.shape) != shape else input
    mask = expand(mask, shape) if tuple(mask.shape) != shape else mask
    n = int(mask.sum())
    if source.numel() < n:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"masked_scatter_: expected self and source to have same dtypes but "
                           f"got {_legacy(input.dtype)} and {_legacy(source.dtype)}")
    key, _ = normalize_key(x, mask)
    return IndexPut.apply(x.contiguous() if x is not input else x,
                          source.reshape(-1)[:n], key)


def take(input, index):
    """input.flatten()[index], shaped as ``index``."""
    _check("take", input)
    if not isinstance(index, Tensor) or index.dtype._kind != 1:
        raise RuntimeError("take(): Expected a long tensor for index, but got "
                           f"{_legacy(index.dtype) if isinstance(index, Tensor) else index}")
    n = input.numel()
    if index.numel():
        lo, hi = int(index.min()), int(index.max())
        if lo < -n or hi >= n:
            bad = hi if hi >= n else lo
            raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                             "elements.")
    return input.reshape(-1)[index.long()]


def argwhere(input):
    """The indices of the nonzero elements, one row each (``nonzero``)."""
    from .indexing import nonzero

    return nonzero(input)


# -- *_scatter ---------------------------------------------------------------------------
def _scatter_into(input, src, view):
    out = input.clone()
    target = view(out)
    if tuple(target.shape) != tuple(src.shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size "
                           f"= {list(src.shape)}, slice size = {list(target.shape)}")
    target.copy_(src)
    return out


def select_scatter(input, src, dim, index):
    """input with ``input.select(dim, index)`` replaced by src."""
    return _scatter_into(input, src, lambda t: t.select(dim, index))


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """input with ``input[..., start:end:step, ...]`` (along dim) replaced by src."""
    d = _wrap_dim(dim, input._data.ndim)
    key = (slice(None),) * d + (slice(start, end, step),)
    return _scatter_into(input, src, lambda t: t[key])


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """input with ``input.diagonal(offset, dim1, dim2)`` replaced by src."""
    from .shape_extra import diagonal

    return _scatter_into(input, src, lambda t: diagonal(t, offset, dim1, dim2))


# -- triangle indices --------------------------------------------------------------------
def _triangle_indices(row, col, offset, lower, dtype, device):
    import numpy as np

    from .creation import tensor as make_tensor

    if row < 0 or col < 0:
        raise RuntimeError(f"row must be non-negative, got{row}" if row < 0 else
                           f"col must be non-negative, got{col}")
    rows, cols = (np.tril_indices if lower else np.triu_indices)(row, offset, col)
    return make_tensor(np.stack([rows, cols]).astype(np.int64), dtype=dtype or _dtype.int64,
                       device=device)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (2, N) coordinates of the lower triangle of a row x col matrix."""
    return _triangle_indices(row, col, offset, True, dtype, device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (2, N) coordinates of the upper triangle of a row x col matrix."""
    return _triangle_indices(row, col, offset, False, dtype, device)


__all__ = ["argwhere", "diagonal_scatter", "index_add", "index_copy", "index_fill",
           "index_put", "index_reduce", "masked_scatter", "put", "scatter_reduce",
           "select_scatter", "slice_scatter", "take", "tril_indices", "triu_indices"]

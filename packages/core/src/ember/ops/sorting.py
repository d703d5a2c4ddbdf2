"""Sorting and order statistics: sort, argsort, msort, topk, kthvalue, median, nanmedian,
mode, quantile, nanquantile, unique, unique_consecutive, searchsorted, bucketize, isin,
bincount and histc.

Everything is built on the ``sort`` and ``searchsorted`` kernels (NaN sorts as the largest
value, as in PyTorch) and on gathers; value-selecting ops scatter their gradient back to
the selected positions, as PyTorch's do. PyTorch leaves the order of tied elements of
``topk`` and ``kthvalue`` unspecified; ember picks the first of the ties in a stable sort.
"""

from __future__ import annotations

from .. import _dtype, return_types
from .._tensor import Tensor, _wrap, _wrap_dim
from ..autograd import grad_mode
from ..autograd.function import Function
from ._util import not_implemented, require_floating, result_type, same_device

_state = grad_mode.state


def _check(name, x, position=1, arg="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position {position}) must be Tensor, not "
                        f"{type(x).__name__}")


def _kernel_sort(x, dim, descending):
    """(values, int64 indices) native arrays of a stable sort of tensor ``x`` along ``dim``."""
    k = x._device._k
    if x._data.ndim == 0:
        return k.copy(x._data), k.full((), 0, _dtype.int64, x._device.index)
    return k.sort(x._data, dim, descending, True)


def _zeros(shape, like):
    return _wrap(like._device._k.full(tuple(shape), 0, like.dtype, like._device.index),
                 like._device)


def _scatter_back(g, dim, indices, shape, keepdim):
    """The gradient of a value-selecting reduction: ``g`` put at ``indices`` along ``dim``."""
    if len(shape) == 0:
        return g.reshape(())
    if not keepdim:
        g = g.unsqueeze(dim)
        indices = indices.unsqueeze(dim)
    return _zeros(shape, g).scatter(dim, indices, g)


class _Selecting(Function):
    """(values, indices) chosen along ``dim`` by ``select(x, dim, *args)`` (Tensor ops on a
    tensor without history, returning tensors); backward scatters to the indices."""

    _internal = True

    @classmethod
    def forward(cls, ctx, x, dim, keepdim, *args):
        values, indices = cls.select(x, dim, keepdim, *args)
        ctx.save_for_backward(_wrap(indices._data, x._device))
        ctx.dim, ctx.keepdim, ctx.shape = dim, keepdim, x._data.shape
        return values._data, indices._data  # fresh outputs, no view of a temporary

    @staticmethod
    def backward(ctx, gv, gi):
        (indices,) = ctx.saved_tensors
        grad = _scatter_back(gv, ctx.dim, indices, ctx.shape, ctx.keepdim)
        return (grad, None, None) + (None,) * (len(ctx.next_functions) - 3)


def _select(cls, x, dim, keepdim, *args):
    if _state.enabled and x._requires_grad:
        return cls.apply(x, dim, keepdim, *args)
    with grad_mode.no_grad():
        values, indices = cls.select(x, dim, keepdim, *args)
    return _wrap(values._data, x._device), _wrap(indices._data, x._device)


def _write_out(result, out, names=("values", "indices")):
    if out is None:
        return result
    from .pointwise import _out as write

    for r, o in zip(result, out):
        write(r, o)
    return type(result)(*out)


# -- sort --------------------------------------------------------------------------------
class Sort(_Selecting):
    _internal = True

    @staticmethod
    def select(x, dim, keepdim, descending):
        v, i = _kernel_sort(x, dim, descending)
        return _wrap(v, x._device), _wrap(i, x._device)


def sort(input, dim=-1, descending=False, stable=False, *, out=None):
    """(values, indices) sorted along ``dim``; NaN is the largest value. The sort is stable
    whatever ``stable`` says."""
    _check("sort", input)
    d = _wrap_dim(dim, input._data.ndim)
    values, indices = _select(Sort, input, d, True, bool(descending))
    return _write_out(return_types.sort(values, indices), out)


def argsort(input, dim=-1, descending=False, stable=False):
    _check("argsort", input)
    d = _wrap_dim(dim, input._data.ndim)
    return _wrap(_kernel_sort(input, d, bool(descending))[1], input._device)


def msort(input, *, out=None):
    """``sort(input, 0).values``."""
    result = sort(input, 0).values
    if out is not None:
        from .pointwise import _out as write

        return write(result, out)
    return result


# -- topk, kthvalue, median, mode ----------------------------------------------------------
def _moved_last(x, dim):
    return x if dim == x._data.ndim - 1 or x._data.ndim == 0 else x.movedim(dim, -1)


class Topk(_Selecting):
    _internal = True

    @staticmethod
    def select(x, dim, keepdim, k, largest):
        v, i = _kernel_sort(x, dim, largest)
        v, i = _wrap(v, x._device), _wrap(i, x._device)
        if x._data.ndim == 0:
            return v, i
        return v.narrow(dim, 0, k).contiguous(), i.narrow(dim, 0, k).contiguous()


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):  # noqa: A002
    """The k largest (or smallest) values along ``dim`` and their indices, in order."""
    _check("topk", input)
    if input.dtype is _dtype.bool:  # as PyTorch
        raise RuntimeError("topk does not support bool dtypes")
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d] if input._data.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    values, indices = _select(Topk, input, d, True, int(k), bool(largest))
    return _write_out(return_types.topk(values, indices), out)


class _AtPosition(_Selecting):
    """Picks, per row, the sorted element at a position computed from the sorted row."""

    @classmethod
    def select(cls, x, dim, keepdim, *args):
        v, i = _kernel_sort(x, dim, False)
        v, i = _wrap(v, x._device), _wrap(i, x._device)
        if x._data.ndim == 0:
            return v, i
        pos = cls.position(v, dim, *args)  # int64, keepdim shape
        values, indices = v.gather(dim, pos), i.gather(dim, pos)
        if not keepdim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        return values, indices


def _nan_count(v, dim):
    if not v.is_floating_point():
        return _zeros(v.shape[:dim] + (1,) + v.shape[dim + 1:], v).long()
    return v.isnan().sum(dim, keepdim=True)


class Kthvalue(_AtPosition):
    _internal = True

    @staticmethod
    def position(v, dim, k):
        shape = v.shape[:dim] + (1,) + v.shape[dim + 1:]
        return _wrap(v._device._k.full(shape, k - 1, _dtype.int64, v._device.index), v._device)


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """The k-th smallest value along ``dim`` (1-based) and its index."""
    _check("kthvalue", input)
    if input.dtype is _dtype.bool:
        raise not_implemented("kthvalue_cpu", input.dtype)
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d] if input._data.ndim else 1
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    values, indices = _select(Kthvalue, input, d, bool(keepdim), int(k))
    return _write_out(return_types.kthvalue(values, indices), out)


class Median(_AtPosition):
    _internal = True

    @staticmethod
    def position(v, dim, ignore_nan):
        n = v.shape[dim]
        nans = _nan_count(v, dim)
        if ignore_nan:
            valid = nans.neg() + n
            return ((valid - 1) // 2).clamp(min=0)
        from .pointwise import where

        return where(nans > 0, nans.neg() + n, (n - 1) // 2)


def _check_reduce_dim(name, x, d):
    if x._data.ndim and x._data.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


class MedianAll(Function):
    """median() / nanmedian() of all elements: the gradient is shared evenly by the elements
    equal to the result (PyTorch's evenly_distribute_backward)."""

    _internal = True

    @staticmethod
    def forward(ctx, x, ignore_nan):
        flat = x.detach().reshape(-1)
        n = flat.shape[0]
        if n == 0:
            out = _wrap(x._device._k.full((), float("nan"), x.dtype, x._device.index),
                        x._device)
        else:
            values, _ = Median.select(flat, 0, False, ignore_nan)
            out = values
        ctx.save_for_backward(x, out)
        return out._data

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        hit = (x == out)
        if x.is_floating_point():
            hit = hit | (x.isnan() & out.isnan())
        hit = hit.to(g.dtype)
        return hit * (g / hit.sum()), None


def _median(name, cls_tuple, input, dim, keepdim, out, ignore_nan):
    _check(name, input)
    if dim is None:
        if _state.enabled and input._requires_grad:
            return MedianAll.apply(input, ignore_nan)
        with grad_mode.no_grad():
            return _wrap(MedianAll.forward(_NoCtx(), input, ignore_nan), input._device)
    d = _wrap_dim(dim, input._data.ndim)
    _check_reduce_dim(name, input, d)
    values, indices = _select(Median, input, d, bool(keepdim), ignore_nan)
    return _write_out(cls_tuple(values, indices), out)


class _NoCtx:
    def save_for_backward(self, *a):
        pass


def median(input, dim=None, keepdim=False, *, out=None):
    """The lower median (of all elements, or along ``dim`` with its index); NaN propagates."""
    if isinstance(input, Tensor) and input.dtype is _dtype.bool:  # as PyTorch
        raise NotImplementedError("\"median_cpu\" not implemented for 'Bool'")
    return _median("median", return_types.median, input, dim, keepdim, out, False)


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """``median`` ignoring NaN (NaN only where a row is all NaN)."""
    return _median("nanmedian", return_types.nanmedian, input, dim, keepdim, out, True)


class Mode(_AtPosition):
    _internal = True

    @staticmethod
    def position(v, dim):
        from .pointwise import where
        from .reduction_extra import cummax

        n = v.shape[dim]
        pos = _wrap(v._device._k.arange(0, n, 1, _dtype.int64, v._device.index), v._device)
        pos = pos.reshape([n if i == dim else 1 for i in range(v.ndim)])
        prev = v.narrow(dim, 0, n - 1)
        new = v.narrow(dim, 1, n - 1) != prev
        from .shape import cat

        first = _wrap(v._device._k.full(v.shape[:dim] + (1,) + v.shape[dim + 1:], True,
                                        _dtype.bool, v._device.index), v._device)
        new = cat([first, new], dim)
        start = cummax(where(new, pos, 0), dim).values
        count = pos - start
        return count.argmax(dim, keepdim=True)


def mode(input, dim=-1, keepdim=False, *, out=None):
    """The most frequent value along ``dim`` (the smallest of equally frequent ones) and the
    index of its last occurrence."""
    _check("mode", input)
    d = _wrap_dim(dim, input._data.ndim)
    _check_reduce_dim("mode", input, d)
    values, indices = _select(Mode, input, d, bool(keepdim))
    return _write_out(return_types.mode(values, indices), out)


# -- quantiles ---------------------------------------------------------------------------
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(name, input, q, dim, keepdim, interpolation, ignore_nan, out):
    from .pointwise import lerp, where

    _check(name, input)
    if input.dtype not in (_dtype.float32, _dtype.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        if q._data.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q.dtype is not input.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        same_device(name, input, q)
        qs = q.detach()
        if qs.numel() and bool(((qs < 0) | (qs > 1)).any()):
            raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
        scalar_q = q._data.ndim == 0
        qt = qs.reshape(-1)
    else:
        q = float(q)
        if not 0 <= q <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
        scalar_q = True
        qt = _wrap(input._device._k.full((1,), q, input.dtype, input._device.index),
                   input._device)
    if input.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    if dim is None:
        x = input.reshape(-1)
        reduced_shape = (1,) * input._data.ndim if keepdim else ()
    else:
        d = _wrap_dim(dim, input._data.ndim)
        x = input.reshape(1) if input._data.ndim == 0 else _moved_last(input, d)
        shape = list(input.shape)
        if shape:
            if keepdim:
                shape[d] = 1
            else:
                del shape[d]
        reduced_shape = tuple(shape)
    values = sort(x, -1).values  # (*B, n)
    n = values.shape[-1]
    nq = qt.shape[0]
    v = values.unsqueeze(-2)  # (*B, 1, n)
    qb = qt.reshape((1,) * (values.ndim - 1) + (nq,))  # (*1, Q)
    if ignore_nan:
        valid = (~values.detach().isnan()).sum(-1, keepdim=True).to(input.dtype)
        ranks = qb * (valid - 1)
        ranks = where(ranks < 0, 0.0, ranks)
    else:
        ranks = qb * (n - 1)
        has_nan = values.detach().isnan().any(-1, keepdim=True)
        ranks = where(has_nan, float(n - 1), ranks)  # (*B, Q)
    if interpolation == "lower":
        ranks = ranks.floor()
    elif interpolation == "higher":
        ranks = ranks.ceil()
    elif interpolation == "nearest":
        ranks = ranks.round()
    v = v.expand(*ranks.shape[:-1], nq, n)
    if interpolation in ("lower", "higher", "nearest"):
        result = v.gather(-1, ranks.long().unsqueeze(-1)).squeeze(-1)
    else:
        below = ranks.long()
        above = ranks.ceil().long()
        low = v.gather(-1, below.unsqueeze(-1)).squeeze(-1)
        high = v.gather(-1, above.unsqueeze(-1)).squeeze(-1)
        weights = ranks - below.to(ranks.dtype) if interpolation == "linear" else \
            ranks * 0 + 0.5
        result = lerp(low, high, weights)
    # result: (*B, Q) -> (Q, *reduced_shape)
    result = result.movedim(-1, 0).reshape((nq,) + reduced_shape)
    if scalar_q:
        result = result.squeeze(0) if nq == 1 else result
        result = result.reshape(reduced_shape)
    if out is not None:
        from .pointwise import _out as write

        return write(result, out)
    return result


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The q-th quantiles (q a float or 1-D tensor in [0, 1]); NaN if a row has NaN."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False, out)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """``quantile`` ignoring NaN."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True, out)


# -- unique ------------------------------------------------------------------------------
def _first_true(like, n):
    return _wrap(like._device._k.full((n,), True, _dtype.bool, like._device.index), like._device)


def _runs(new, n, order, like):
    """From run starts ``new`` (bool, sorted order) and the permutation ``order``: inverse
    indices (original order) and counts."""
    from .shape import cat

    run_id = new.long().cumsum(0) - 1
    inverse = _wrap(like._device._k.full((n,), 0, _dtype.int64, like._device.index),
                    like._device)
    if order is None:
        inverse = run_id
    elif n:
        inverse = inverse.scatter(0, order, run_id)
    starts = new.nonzero().reshape(-1)
    ends = cat([starts[1:], _wrap(like._device._k.full((1,), n, _dtype.int64,
                                                       like._device.index), like._device)])
    return inverse, ends - starts


def _unique_flat(x, consecutive):
    from .shape import cat

    with grad_mode.no_grad():
        flat = x.detach().reshape(-1)
        n = flat.shape[0]
        if consecutive:
            s, order = flat, None
        else:
            sv, si = _kernel_sort(flat, 0, False)
            s, order = _wrap(sv, x._device), _wrap(si, x._device)
        if n == 0:
            new = _first_true(x, 0)
        else:
            new = cat([_first_true(x, 1), s[1:] != s[:-1]])
        values = s[new]
        inverse, counts = _runs(new, n, order, x)
        return values, inverse.reshape(x.shape), counts


def _unique_dim(x, d, consecutive):
    from .shape import cat

    with grad_mode.no_grad():
        moved = x.detach().movedim(d, 0)
        n = moved.shape[0]
        rows = moved.reshape(n, -1)
        m = rows.shape[1]
        order = None
        if not consecutive:
            order = _wrap(x._device._k.arange(0, n, 1, _dtype.int64, x._device.index),
                          x._device)
            for c in range(m - 1, -1, -1):  # stable sorts from the last column: lexicographic
                keys = rows[order, c]
                order = order[_wrap(_kernel_sort(keys, 0, False)[1], x._device)]
            rows = rows[order]
        if n == 0:
            new = _first_true(x, 0)
        elif m == 0:
            new = cat([_first_true(x, 1), _first_true(x, n - 1) & False])
        else:
            new = cat([_first_true(x, 1), (rows[1:] != rows[:-1]).any(1)])
        values = rows[new].reshape((-1,) + tuple(moved.shape[1:])).movedim(0, d)
        inverse, counts = _runs(new, n, order, x)
        return values, inverse, counts


def _unique_result(values, inverse, counts, return_inverse, return_counts):
    if not return_inverse and not return_counts:
        return values
    out = [values]
    if return_inverse:
        out.append(inverse)
    if return_counts:
        out.append(counts)
    return tuple(out)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    """The sorted unique elements (or slices along ``dim``), optionally with the inverse
    indices and the counts."""
    _check("unique", input)
    if dim is None:
        values, inverse, counts = _unique_flat(input, False)
    else:
        values, inverse, counts = _unique_dim(input, _wrap_dim(dim, input._data.ndim), False)
    return _unique_result(values, inverse, counts, return_inverse, return_counts)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Eliminates all but the first element of every run of equal consecutive elements."""
    _check("unique_consecutive", input)
    if dim is None:
        values, inverse, counts = _unique_flat(input, True)
    else:
        values, inverse, counts = _unique_dim(input, _wrap_dim(dim, input._data.ndim), True)
    return _unique_result(values, inverse, counts, return_inverse, return_counts)


# -- searching ---------------------------------------------------------------------------
def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 out=None, sorter=None):
    """Indices that keep ``sorted_sequence`` (along its last dimension) sorted if ``input``
    were inserted there."""
    _check("searchsorted", sorted_sequence, 1, "sorted_sequence")
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites,"
                               " got side of left while right was True")
        right = side == "right"
    seq = sorted_sequence
    dev = seq._device
    if not isinstance(input, Tensor):
        scalar = True
        dtype = result_type(seq, input)
        values = _wrap(dev._k.full((), input, dtype, dev.index), dev)
    else:
        scalar = False
        same_device("searchsorted", seq, input)
        values = input
    if seq._data.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or "
                           "the first N-1 dimensions of boundaries tensor and input value "
                           "tensor must match, but we got boundaries tensor [] and input "
                           f"value tensor {list(values.shape)}")
    if seq._data.ndim > 1 and (values._data.ndim != seq._data.ndim or
                               values.shape[:-1] != seq.shape[:-1]):
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or "
                           "the first N-1 dimensions of boundaries tensor and input value "
                           f"tensor must match, but we got boundaries tensor {list(seq.shape)} "
                           f"and input value tensor {list(values.shape)}")
    if sorter is not None:
        if sorter.dtype is not _dtype.int64:
            raise RuntimeError("torch.searchsorted(): sorter must be a tensor of long dtype.")
        if sorter.shape != seq.shape:
            raise RuntimeError("torch.searchsorted(): boundary and sorter must have the same "
                               f"size, but got boundary tensor {list(seq.shape)}and got sorter "
                               f"tensor {list(sorter.shape)}")
        seq = seq.gather(-1, sorter)
    dtype = result_type(seq, values) if not scalar else values.dtype
    seq, values = seq.detach().to(dtype), values.detach().to(dtype)
    result = _wrap(dev._k.searchsorted(seq._data, values._data, bool(right)), dev)
    if out_int32:
        result = result.to(_dtype.int32)
    if out is not None:
        from .pointwise import _out as write

        return write(result, out)
    return result


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The bucket of each element of ``input`` among 1-D ``boundaries``."""
    _check("bucketize", boundaries, 2, "boundaries")
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim("
                           f"{boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each element of ``elements`` is in ``test_elements``."""
    from .creation import tensor as make_tensor

    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() received an invalid combination of arguments")
    dev = (elements if isinstance(elements, Tensor) else test_elements)._device
    if not isinstance(elements, Tensor):
        elements = make_tensor(elements, device=dev)
    if not isinstance(test_elements, Tensor):
        test_elements = make_tensor(test_elements, device=dev)
    dtype = result_type(elements, test_elements)
    e, t = elements.detach().to(dtype), test_elements.detach().to(dtype).reshape(-1)
    if t.is_floating_point():
        t = t[~t.isnan()]  # NaN matches nothing (and would break the binary search)
    if t.numel() == 0:
        found = _wrap(dev._k.full(e._data.shape, False, _dtype.bool, dev.index), dev)
    else:
        s = _wrap(_kernel_sort(t, 0, False)[0], dev)
        pos = searchsorted(s, e.reshape(-1)).clamp(max=t.numel() - 1)
        found = (s[pos] == e.reshape(-1)).reshape(e.shape)
    return ~found if invert else found


# -- counting ----------------------------------------------------------------------------
def bincount(input, weights=None, minlength=0):
    """Counts (or summed weights) of each non-negative integer in 1-D ``input``."""
    _check("bincount", input)
    if input.dtype._kind != 1:
        raise not_implemented("bincount_cpu", input.dtype)
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if input._data.ndim != 1 or (input.numel() and int(input.min()) < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    dev = input._device
    if weights is not None:
        same_device("bincount", input, weights)
        if weights._data.ndim != 1 or weights.shape[0] != input.shape[0]:
            raise RuntimeError("weights should be 1-d and have the same length as input")
    n = max(int(input.max()) + 1, minlength) if input.numel() else minlength
    if weights is None:
        out = dev._k.full((n,), 0, _dtype.int64, dev.index)
        if input.numel():
            dev._k.index_add_at(out, (input.long()._data,),
                                dev._k.full(input._data.shape, 1, _dtype.int64, dev.index))
        return _wrap(out, dev)
    dtype = weights.dtype if weights.is_floating_point() else _dtype.float64
    out = dev._k.full((n,), 0, dtype, dev.index)
    if input.numel():
        dev._k.index_add_at(out, (input.long()._data,), weights.detach().to(dtype)._data)
    return _wrap(out, dev)


def histc(input, bins=100, min=0, max=0, *, out=None):  # noqa: A002
    """A histogram of ``bins`` equal-width bins over [min, max] (the data's range when
    min == max); elements outside are ignored."""
    from .creation import linspace
    from .pointwise import where

    _check("histc", input)
    require_floating(input, "histogram_cpu")
    if bins <= 0:
        raise RuntimeError("torch.histc: bins must be > 0")
    x = input.detach().reshape(-1)
    lo, hi = float(min), float(max)
    if lo == hi and x.numel():
        finite = x[x.isfinite()]
        if finite.numel():
            lo, hi = float(finite.min()), float(finite.max())
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    keep = (x >= lo) & (x <= hi)
    x = x[keep]
    if x.numel() == 0:
        result = _zeros((bins,), input)
    else:
        edges = linspace(lo, hi, bins + 1, dtype=input.dtype, device=input.device)
        pos = ((x - lo) * bins / (hi - lo)).long().clamp(0, bins - 1)
        pos = where(x < edges[pos], pos - 1, pos)
        pos = where(x >= edges[(pos + 1).clamp(max=bins)], pos + 1, pos).clamp(0, bins - 1)
        result = bincount(pos, minlength=bins).to(input.dtype)
    if out is not None:
        from .pointwise import _out as write

        return write(result, out)
    return result


__all__ = ["argsort", "bincount", "bucketize", "histc", "isin", "kthvalue", "median", "mode",
           "msort", "nanmedian", "nanquantile", "quantile", "searchsorted", "sort", "topk",
           "unique", "unique_consecutive"]

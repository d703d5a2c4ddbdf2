"""Indexing: ``__getitem__``/``__setitem__``, gather, scatter, index_select, masked ops."""

from __future__ import annotations

from .. import _dtype
from .._tensor import Tensor, _wrap, _wrap_dim
from ..autograd import grad_mode
from ..autograd.function import Function
from . import inplace
from ._util import same_device, sum_to_shape


def normalize_key(x, key):
    """A backend key: Tensors and lists become native int64/bool arrays; checks bounds."""
    if not isinstance(key, tuple):
        key = (key,)
    k = x._device._k
    out, advanced, dim = [], False, 0
    shape = x._data.shape
    for item in key:
        if item is None:
            out.append(None)
            continue
        if item is Ellipsis:
            out.append(item)
            dim = None  # positions after an Ellipsis count from the end; the backend checks them
            continue
        if isinstance(item, bool):
            out.append(item)
            continue
        if isinstance(item, int):
            if dim is not None:
                if dim >= len(shape):
                    raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
                if not -shape[dim] <= item < shape[dim]:
                    raise IndexError(f"index {item} is out of bounds for dimension {dim} with "
                                     f"size {shape[dim]}")
                dim += 1
            out.append(item)
            continue
        if isinstance(item, slice):
            out.append(_slice(item))
            if dim is not None:
                dim += 1
            continue
        if isinstance(item, (list, tuple)):
            from .creation import tensor as make_tensor

            item = make_tensor(item, device=x._device)
        if isinstance(item, Tensor):
            if item._device is not x._device and not (item._device.type == "cpu"):
                same_device("index", x, item)
            data = item.to(x._device)._data
            kind = data.dtype.kind
            if kind == "b":
                if dim is not None:
                    for j, n in enumerate(data.shape):
                        if dim + j >= len(shape) or shape[dim + j] != n:
                            raise IndexError(
                                f"The shape of the mask {list(data.shape)} at index {j} does not "
                                f"match the shape of the indexed tensor {list(shape)} at index "
                                f"{dim + j}")
                    dim += data.ndim
            elif kind in "iu":
                if data.dtype != _dtype.int64.numpy:
                    data = k.astype(data, _dtype.int64)
                if dim is not None:
                    if dim >= len(shape):
                        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
                    _check_bounds(x, data, shape[dim], dim)
                    dim += 1
            else:
                raise IndexError("tensors used as indices must be long, int, byte or bool "
                                 "tensors")
            advanced = True
            out.append(data)
            continue
        if hasattr(item, "__index__"):
            out.append(item.__index__())
            if dim is not None:
                dim += 1
            continue
        raise IndexError(f"only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                         f"Variables are valid indices (got {type(item).__name__})")
    if not advanced and not any(i is Ellipsis for i in out):
        out.append(Ellipsis)  # makes NumPy return a 0-d view rather than a scalar copy
    elif advanced and any(i is Ellipsis for i in out):
        used = sum(0 if i is None or i is Ellipsis or isinstance(i, bool) else
                   i.ndim if getattr(i, "dtype", None) is not None and i.dtype.kind == "b"
                   else 1 for i in out)
        if used == len(shape):  # an empty Ellipsis: NumPy would count it as separating
            out = [i for i in out if i is not Ellipsis]  # advanced indices; PyTorch does not
    return tuple(out), advanced


def _slice(s):
    if s.step is not None and s.step <= 0:
        raise ValueError("step must be greater than zero")
    return s


def _check_bounds(x, data, size, dim):
    if data.size == 0:
        return
    host = x._device._backend.to_host(data)
    lo, hi = host.min(), host.max()
    if lo < -size or hi >= size:
        bad = hi if hi >= size else lo
        raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")


class Index(Function):
    _internal = True

    @staticmethod
    def forward(ctx, x, key):
        ctx.key, ctx.shape, ctx.dtype = key, x._data.shape, x.dtype
        return x._device._k.getitem(x._data, key)

    @staticmethod
    def backward(ctx, g):
        return IndexPutAccumulate.apply(g, ctx.key, ctx.shape), None


class Slice(Index):
    _node_name = "SliceBackward0"


class Select(Index):
    _node_name = "SelectBackward0"


class IndexUnsqueeze(Index):
    _node_name = "UnsqueezeBackward0"


class Alias(Index):
    _node_name = "AliasBackward0"


class Split(Index):
    _node_name = "SplitBackward0"


class SplitWithSizes(Index):
    _node_name = "SplitWithSizesBackward0"


class Unbind(Index):
    _node_name = "UnbindBackward0"


def _basic_fn(key):
    """The Function recording a basic key with PyTorch's node: PyTorch applies the items
    left to right (full slices skipped, except a lone slice), so the last one names it."""
    if not isinstance(key, tuple):
        return Slice if isinstance(key, slice) else _ITEM_FN.get(key.__class__, Select)
    fn = Alias
    for item in key:
        if item.__class__ is slice:
            if (item.start is None or item.start == 0) and item.stop is None and (
                    item.step is None or item.step == 1):
                continue
            fn = Slice
        elif item is not Ellipsis:
            fn = _ITEM_FN.get(item.__class__, Select)
    return fn


_ITEM_FN = {type(None): IndexUnsqueeze, slice: Slice}


def _is_basic(key):
    """The key holds only slices, Python integers, None and Ellipsis (no index arrays)."""
    items = key if isinstance(key, tuple) else (key,)
    return all(k is None or k is Ellipsis or isinstance(k, (slice, int)) for k in items)


class IndexPutAccumulate(Function):
    """zeros(shape) with ``g`` added at ``key`` (the adjoint of indexing)."""

    _internal = True

    @staticmethod
    def forward(ctx, g, key, shape):
        ctx.key = key
        k = g._device._k
        out = k.zeros(shape, g.dtype, g._device.index)
        if _is_basic(key):  # slices and integers select each element once: a plain write
            k.setitem(out, key, g._data)
        else:
            k.index_add_at(out, key, g._data)
        return out

    @staticmethod
    def backward(ctx, gg):
        return Index.apply(gg, ctx.key), None, None


def _int_selects_first(key):
    """PyTorch applies integer indices as selections before advanced indexing, so they do not
    count as advanced (NumPy's x[1, :, [0, 2]] has shape (2, 3), PyTorch's (3, 2)). For a key
    mixing both: (the integer selections as a basic key, the rest), else None."""
    if not isinstance(key, tuple):
        return None
    ints = [isinstance(k, int) and not isinstance(k, bool) for k in key]
    if not any(ints) or not any(isinstance(k, (list, Tensor)) or hasattr(k, "__array__")
                                for k in key):
        return None
    first, rest = [], []
    for item, is_int in zip(key, ints):
        if is_int:
            first.append(item)
            continue
        rest.append(item)
        if item is Ellipsis:
            first.append(Ellipsis)
        elif item is not None and not isinstance(item, bool):
            mask = isinstance(item, Tensor) and item.dtype is _dtype.bool
            first.extend([slice(None)] * (item.ndim if mask else 1))
    return tuple(first), tuple(rest)


def getitem(self, key, fn=None):
    """``self[key]``; ``fn`` (an Index subclass) names the node of a basic key."""
    split = _int_selects_first(key)
    if split is not None:
        return getitem(getitem(self, split[0]), split[1])
    raw = key
    key, advanced = normalize_key(self, key)
    if advanced:
        return Index.apply(self, key)
    from .shape import as_view

    out = (fn or _basic_fn(raw)).apply(self, key)
    return as_view(out, self, lambda t: Index.apply(t, key))


class IndexPut(Function):
    """``x`` with ``x[key] = value`` (out of place)."""

    _internal = True

    @staticmethod
    def forward(ctx, x, value, key):
        ctx.key, ctx.vshape = key, value._data.shape
        k = x._device._k
        out = k.copy(x._data)
        k.setitem(out, key, value._data)
        return out

    @staticmethod
    def backward(ctx, g):
        gx = IndexPut.apply(g, _zeros_scalar(g), ctx.key) if ctx.needs_input_grad[0] else None
        gv = sum_to_shape(Index.apply(g, ctx.key), ctx.vshape) if ctx.needs_input_grad[1] else None
        return gx, gv, None


def _zeros_scalar(g):
    return _wrap(g._device._k.zeros((), g.dtype, g._device.index), g._device)


def setitem(self, key, value):
    split = _int_selects_first(key)
    if split is not None:  # write through the view the integer selections make
        setitem(getitem(self, split[0]), split[1], value)
        return
    key, _ = normalize_key(self, key)
    if not isinstance(value, Tensor):
        value = _wrap(self._device._k.full((), value, self.dtype, self._device.index),
                      self._device)
    elif value._device is not self._device:
        if value._data.ndim:
            same_device("index_put_", self, value)
        value = value.to(self._device)
    if value.dtype is not self.dtype:
        value = value.to(self.dtype)
    inplace.check_leaf(self)
    if grad_mode.state.enabled and (self._requires_grad or value._requires_grad):
        inplace.rebase(self, IndexPut.apply(inplace._old_value(self), value, key))
        return
    try:
        self._device._k.setitem(self._data, key, value._data)
    except ValueError as exc:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(value.shape)} cannot be "
                           f"broadcast to indexing result ({exc})") from None
    self._bump()


# -- gather / scatter -------------------------------------------------------------------
def _check_index(op, input, dim, index, src=None):
    if not isinstance(index, Tensor) or index.dtype is not _dtype.int64:
        raise RuntimeError(f"{op}(): Expected dtype int64 for index")
    d = _wrap_dim(dim, input._data.ndim, op)
    if index._data.ndim != max(input._data.ndim, 1) and index.numel() and input._data.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input "
                           "tensor")
    same_device(op, input, index, src)
    try:
        _check_bounds(input, index._data, input._data.shape[d] if input._data.ndim else 1, d)
    except IndexError as exc:  # gather/scatter report it as a RuntimeError, as PyTorch
        raise RuntimeError(str(exc)) from None
    return d


class Gather(Function):
    _internal = True

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.save_for_backward(index)
        ctx.dim, ctx.shape = dim, x._data.shape
        data = x._data
        if index._data.shape[:dim] + index._data.shape[dim + 1:] != \
                data.shape[:dim] + data.shape[dim + 1:]:  # an index smaller than x: its corner
            data = x._device._k.getitem(data, tuple(
                slice(None) if i == dim else slice(0, n) for i, n in
                enumerate(index._data.shape)) + (Ellipsis,))
        return x._device._k.take_along_axis(data, index._data, dim)

    @staticmethod
    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        zeros = _wrap(g._device._k.zeros(ctx.shape, g.dtype, g._device.index), g._device)
        return scatter_add(zeros, ctx.dim, index, g), None, None


def gather(input, dim, index, *, sparse_grad=False):
    d = _check_index("gather", input, dim, index)
    return Gather.apply(input, d, index)


def take_along_dim(input, indices, dim=None):
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    from .shape import expand

    d = _wrap_dim(dim, input._data.ndim)
    shape = list(input._data.shape)
    shape[d] = indices._data.shape[d]
    return gather(expand(input, [max(a, b) if i != d else a for i, (a, b) in
                                 enumerate(zip(input.shape, indices.shape))]), d,
                  expand(indices, [max(a, b) if i != d else b for i, (a, b) in
                                   enumerate(zip(input.shape, indices.shape))]))


class ScatterAdd(Function):
    _internal = True

    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.save_for_backward(index)
        ctx.dim = dim
        ctx.src_shape = src._data.shape
        k = x._device._k
        out = k.copy(x._data)
        k.add_along_axis(out, index._data, _corner(k, src._data, index), dim)
        return out

    @staticmethod
    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        return g, None, None, _src_grad(gather(g, ctx.dim, index), ctx.src_shape)


class Scatter(Function):
    _internal = True

    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.save_for_backward(index)
        ctx.dim = dim
        ctx.src_shape = src._data.shape
        k = x._device._k
        out = k.copy(x._data)
        k.put_along_axis(out, index._data, _corner(k, src._data, index) if src._data.ndim
                         else src._data, dim)
        return out

    @staticmethod
    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        gx = scatter(g, ctx.dim, index, 0.0)
        return gx, None, None, _src_grad(gather(g, ctx.dim, index), ctx.src_shape)


def _corner(k, src, index):
    """The leading ``index.shape`` block of ``src`` (scatter reads only that much of it)."""
    if src.shape == index._data.shape:
        return src
    return k.getitem(src, _region(index) + (Ellipsis,))


def _src_grad(g, src_shape):
    """The gradient of a scatter's src: ``g`` (index-shaped) in a zero src-shaped tensor."""
    if tuple(g._data.shape) == tuple(src_shape):
        return g
    if not src_shape:  # a 0-d src (a value) was broadcast to every index
        return g.sum()
    out = _wrap(g._device._k.zeros(src_shape, g.dtype, g._device.index), g._device)
    out[tuple(slice(0, n) for n in g._data.shape)] = g
    return out


def _region(index):
    return tuple(slice(0, n) for n in index._data.shape)


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    if src is None:
        src = value
    d = _check_index("scatter", input, dim, index, src if isinstance(src, Tensor) else None)
    if reduce is not None:
        return scatter_reduce(input, d, index, src, {"add": "sum", "multiply": "prod"}[reduce])
    if not isinstance(src, Tensor):
        src = _wrap(input._device._k.full((), src, input.dtype, input._device.index),
                    input._device)
    return Scatter.apply(input, d, index, src.to(input.dtype))


def scatter_add(input, dim, index, src):
    d = _check_index("scatter_add", input, dim, index, src)
    return ScatterAdd.apply(input, d, index, src.to(input.dtype))


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    if reduce != "sum":
        raise NotImplementedError(f"scatter_reduce with reduce={reduce!r} is not in ember yet")
    if not include_self:
        input = scatter(input, dim, index, 0)
    return scatter_add(input, dim, index, src)


def index_select(input, dim, index):
    d = _wrap_dim(dim, input._data.ndim, "index_select")
    if not isinstance(index, Tensor) or index.dtype._kind != 1 or index._data.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector of int64")
    key = (slice(None),) * d + (index.reshape(-1),)
    return getitem(input, key)


def masked_fill(input, mask, value):
    from .pointwise import MaskedFill, MaskedFillTensor, _where

    if not isinstance(mask, Tensor) or mask.dtype is not _dtype.bool:
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{getattr(mask, 'dtype', type(mask).__name__)}")
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._data.ndim} dimension(s).")
        value, fn = value.to(input.dtype), MaskedFillTensor
    else:
        value, fn = _wrap(input._device._k.full((), value, input.dtype, input._device.index),
                          input._device), MaskedFill
    return _where(mask, value, input, None, fn)


def nonzero(input, *, as_tuple=False):
    if input._data.ndim == 0:  # a 0-d tensor counts as one element at index 0
        n = int(bool(input.item()))
        k, dev = input._device._k, input._device
        if as_tuple:
            return (_wrap(k.zeros((n,), _dtype.int64, dev.index), dev),)
        return _wrap(k.zeros((n, 0), _dtype.int64, dev.index), dev)
    idx = input._device._k.nonzero(input._data)
    parts = tuple(_wrap(i, input._device) for i in idx)
    if as_tuple:
        return parts if input._data.ndim else (parts[0] if parts else
                                               _wrap(input._device._k.zeros(
                                                   (int(bool(input.item())),), _dtype.int64,
                                                   input._device.index), input._device),)
    from .shape import stack

    if not parts:
        n = int(bool(input.item()))
        return _wrap(input._device._k.zeros((n, 0), _dtype.int64, input._device.index),
                     input._device)
    return stack(parts, 1)


def masked_select(input, mask):
    from ._util import broadcast_shapes
    from .shape import expand

    shape = broadcast_shapes(input._data.shape, mask._data.shape)
    return getitem(expand(input, shape), expand(mask, shape))


__all__ = [_n for _n, _v in list(globals().items())
           if not _n.startswith("_") and callable(_v) and not isinstance(_v, type)
           and getattr(_v, "__module__", None) == __name__]

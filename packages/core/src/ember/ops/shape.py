"""Shape and view ops: view, reshape, permute, expand, cat, split, flip, clone, ...

View ops return tensors sharing memory with their input: they record ``_base`` (the
tensor that owns the memory), share its version counter, and keep ``_view_fn`` to replay
the view on another tensor (used when an in-place op writes through a view).
"""

from __future__ import annotations

import math

from .._tensor import Size, _wrap, _wrap_dim
from ..autograd.function import Function
from ._util import same_device, sum_to_shape


def as_view(out, x, view_fn):
    """Mark ``out`` as a view of ``x`` replayable by ``view_fn``."""
    out._vc = x._vc_get()
    out._view_version = out._vc[0]  # its history is the base's as of this version
    parent_fn = x._view_fn
    if x._base is not None and parent_fn is not None:
        out._base = x._base
        out._view_fn = lambda t: view_fn(parent_fn(t))
    else:
        out._base = x
        out._view_fn = view_fn
    return out


def _dims(dims, ndim, op):
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    return tuple(_wrap_dim(d, ndim, op) for d in dims)


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def infer_shape(shape, numel, op="view"):
    """Resolve a single -1 in ``shape``; RuntimeError when sizes do not fit."""
    shape = list(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = math.prod(s for s in shape if s != -1)
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape[shape.index(-1)] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


def view_strides(old_shape, old_strides, new_shape):
    """Strides that view old memory as ``new_shape``, or None if a copy is needed."""
    if math.prod(old_shape) == 0 or not old_shape:
        return True
    new_strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_base = old_strides[-1]
    tensor_numel = view_numel = 1
    for d in range(len(old_shape) - 1, -1, -1):
        tensor_numel *= old_shape[d]
        if d == 0 or (old_shape[d - 1] != 1 and
                      old_strides[d - 1] != tensor_numel * chunk_base):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                new_strides[view_d] = view_numel * chunk_base
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if d > 0:
                chunk_base = old_strides[d - 1]
                tensor_numel = view_numel = 1
    return None if view_d != -1 else new_strides


class Reshape(Function):
    _internal = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x._data.shape
        return x._device._k.reshape(x._data, shape)

    @staticmethod
    def backward(ctx, g):
        return reshape(g, ctx.in_shape), None


class View(Reshape):
    _node_name = "ViewBackward0"


class UnsafeView(Reshape):  # reshape that copies: PyTorch's clone + _unsafe_view
    _node_name = "UnsafeViewBackward0"


class Unsqueeze(Reshape):
    _node_name = "UnsqueezeBackward0"


class Squeeze(Reshape):  # squeeze()
    _node_name = "SqueezeBackward0"


class SqueezeDim(Reshape):  # squeeze(dim)
    _node_name = "SqueezeBackward1"


class SqueezeDims(Reshape):  # squeeze(dims)
    _node_name = "SqueezeBackward2"


class T(Reshape):  # t() of a 0-d or 1-d tensor
    _node_name = "TBackward0"


def _reshape(x, shape, must_view, fn=None):
    """View (or reshape) ``x`` as ``shape``; ``fn`` (a Reshape subclass) names the node."""
    shape = infer_shape(shape, x.numel())
    if shape == x._data.shape and not must_view:
        out = (fn or View).apply(x, shape)
        return as_view(out, x, lambda t: t.reshape(shape))
    viewable = view_strides(x._data.shape, x.stride(), shape) is not None
    if must_view and not viewable:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                           "least one dimension spans across two contiguous subspaces). Use "
                           ".reshape(...) instead.")
    out = (fn or (View if viewable else UnsafeView)).apply(x, shape)
    if viewable:
        as_view(out, x, lambda t: t.view(shape))
    return out


def view(input, *shape):
    from .. import _dtype

    if len(shape) == 1 and isinstance(shape[0], _dtype.dtype):
        return view_dtype(input, shape[0])
    return _reshape(input, _shape_arg(shape), True)


def view_dtype(input, dtype):
    if dtype.itemsize != input.element_size():
        raise RuntimeError("view(dtype) supports only dtypes of the same size in ember")
    out = _wrap(input._data.view(dtype.numpy), input._device)
    return as_view(out, input, lambda t: t.view(dtype))


def reshape(input, *shape):
    return _reshape(input, _shape_arg(shape), False)


def view_as(input, other):
    return view(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    nd = input._data.ndim
    if nd == 0:
        return reshape(input, (1,))
    s, e = _wrap_dim(start_dim, nd, "flatten"), _wrap_dim(end_dim, nd, "flatten")
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = input._data.shape
    return reshape(input, shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:])


def unflatten(input, dim, sizes):
    d = _wrap_dim(dim, input._data.ndim, "unflatten")
    shape = input._data.shape
    sizes = infer_shape(sizes, shape[d], "unflatten")
    return view(input, shape[:d] + tuple(sizes) + shape[d + 1:])


def squeeze(input, dim=None):
    shape = input._data.shape
    if dim is None:
        dims = range(len(shape))
    else:
        dims = _dims(dim if isinstance(dim, (tuple, list)) else (dim,), len(shape), "squeeze")
    new = tuple(n for i, n in enumerate(shape) if not (i in dims and n == 1))
    fn = Squeeze if dim is None else SqueezeDims if isinstance(dim, (tuple, list)) else SqueezeDim
    return _reshape(input, new, True, fn)


def _same_view(x, fn=None):
    return _reshape(x, x._data.shape, False, fn)


def unsqueeze(input, dim):
    nd = input._data.ndim
    d = _wrap_dim(dim, nd + 1, "unsqueeze")
    shape = input._data.shape
    return _reshape(input, shape[:d] + (1,) + shape[d:], True, Unsqueeze)


class Permute(Function):
    _internal = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x._device._k.permute(x._data, dims)

    @staticmethod
    def backward(ctx, g):
        inverse = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inverse[d] = i
        return permute(g, tuple(inverse)), None


class Transpose(Permute):
    _node_name = "TransposeBackward0"


class TPermute(Permute):  # t() of a 2-d tensor
    _node_name = "TBackward0"


def permute(input, *dims):
    return _permute(input, dims, Permute)


def _permute(input, dims, fn):
    nd = input._data.ndim
    dims = _dims(dims, nd, "permute")
    if len(dims) != nd or len(set(dims)) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {nd} is not equal to len(dims) = {len(dims)}"
                           .replace("(sparse_coo)", ""))
    out = fn.apply(input, dims)
    return as_view(out, input, lambda t: t.permute(dims))


def transpose(input, dim0, dim1):
    return _transpose(input, dim0, dim1, Transpose)


def _transpose(input, dim0, dim1, fn):
    nd = input._data.ndim
    if nd == 0:
        return _same_view(input, fn)
    a, b = _wrap_dim(dim0, nd, "transpose"), _wrap_dim(dim1, nd, "transpose")
    dims = list(range(nd))
    dims[a], dims[b] = dims[b], dims[a]
    return _permute(input, tuple(dims), fn)


swapaxes = swapdims = transpose


def t(input):
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input._data.ndim}D")
    return _transpose(input, 0, 1, TPermute) if input._data.ndim == 2 else _same_view(input, T)


def movedim(input, source, destination):
    nd = input._data.ndim
    src = _dims((source,) if isinstance(source, int) else tuple(source), nd, "movedim")
    dst = _dims((destination,) if isinstance(destination, int) else tuple(destination), nd,
                "movedim")
    rest = [d for d in range(nd) if d not in src]
    order = [None] * nd
    for s, d in zip(src, dst):
        order[d] = s
    it = iter(rest)
    order = [o if o is not None else next(it) for o in order]
    return permute(input, tuple(order))


moveaxis = movedim


class Expand(Function):
    _internal = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x._data.shape
        return x._device._k.broadcast_to(x._data, shape)

    @staticmethod
    def backward(ctx, g):
        return sum_to_shape(g, ctx.in_shape), None


def expand(input, *sizes):
    sizes = _shape_arg(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(shape)}}}, size={list(sizes)}): the "
                           f"number of sizes provided ({len(sizes)}) must be greater or equal to "
                           f"the number of dimensions in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    target = []
    for i, n in enumerate(sizes):
        old = shape[i - lead] if i >= lead else 1
        if n == -1:
            if i < lead:
                raise RuntimeError("expand: -1 is not allowed in a leading, non-existing "
                                   "dimension")
            n = old
        elif old != 1 and old != n:
            raise RuntimeError(f"The expanded size of the tensor ({n}) must match the existing "
                               f"size ({old}) at non-singleton dimension {i}.  Target sizes: "
                               f"{list(sizes)}.  Tensor sizes: {list(shape)}")
        target.append(n)
    target = tuple(target)
    out = Expand.apply(input, target)
    return as_view(out, input, lambda t: t.expand(target))


def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, size):
    return expand(input, size)


def repeat(input, *sizes):
    sizes = _shape_arg(sizes)
    if len(sizes) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    if min(sizes, default=0) < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(sizes)}")
    shape = (1,) * (len(sizes) - input._data.ndim) + input._data.shape
    return Repeat.apply(reshape(input, shape), sizes)  # a copy, always, as PyTorch's repeat


class Tile(Function):
    """The backend's tile kernel; the gradient sums the copies."""

    _internal = True

    @staticmethod
    def forward(ctx, x, reps):
        ctx.shape, ctx.reps = x._data.shape, reps
        return x._device._k.tile(x._data, reps)

    @staticmethod
    def backward(ctx, g):
        grown = tuple(v for r, n in zip(ctx.reps, ctx.shape) for v in (r, n))
        return g.reshape(grown).sum(tuple(range(0, len(grown), 2))), None


class Repeat(Tile):
    _node_name = "RepeatBackward0"


def tile(input, dims):
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(dims) < input._data.ndim:
        dims = (1,) * (input._data.ndim - len(dims)) + dims
    return repeat(input, dims)


class Cat(Function):
    _internal = True

    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim, ctx.sizes = dim, [x._data.shape[dim] for x in xs]
        return xs[0]._device._k.concatenate([x._data for x in xs], dim)

    @staticmethod
    def backward(ctx, g):
        return (None, *split(g, ctx.sizes, ctx.dim))


def cat(tensors, dim=0, *, out=None):
    from ._util import result_type

    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    dev = same_device("cat", *tensors)
    # PyTorch skips legacy empty 1-D tensors of shape (0,)
    kept = [t for t in tensors if not (t._data.ndim == 1 and t._data.shape[0] == 0)] or tensors[:1]
    ref = kept[0]
    if ref._data.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = _wrap_dim(dim, ref._data.ndim, "cat")
    dtype = result_type(*kept)
    for i, t in enumerate(kept):
        if t._data.ndim != ref._data.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got "
                               f"{ref._data.ndim} and {t._data.ndim}")
        for j, (a, b) in enumerate(zip(ref._data.shape, t._data.shape)):
            if j != d and a != b:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. "
                                   f"Expected size {a} but got size {b} for tensor number {i} "
                                   "in the list.")
    kept = [t.to(dev).to(dtype) for t in kept]
    result = Cat.apply(d, *kept)
    from .pointwise import _out

    return _out(result, out)


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(shape)} at entry 0 and {list(t._data.shape)} at entry {i}")
    d = _wrap_dim(dim, len(shape) + 1, "stack")
    from ._util import result_type
    from .pointwise import _out

    dev, dtype = same_device("stack", *tensors), result_type(*tensors)
    return _out(Stack.apply(d, *[t.to(dev).to(dtype) for t in tensors]), out)


class Stack(Function):
    """One node for the whole stack (PyTorch's StackBackward0), not unsqueeze + cat."""

    _internal = True

    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        k, shape = xs[0]._device._k, xs[0]._data.shape
        shape = shape[:dim] + (1,) + shape[dim:]
        return k.concatenate([k.reshape(x._data, shape) for x in xs], dim)

    @staticmethod
    def backward(ctx, g):
        return (None, *unbind(g, ctx.dim))


def narrow(input, dim, start, length):
    return _narrow(input, dim, start, length, None)


def _narrow(input, dim, start, length, fn):
    d = _wrap_dim(dim, input._data.ndim, "narrow")
    size = input._data.shape[d]
    start = int(start)
    if start < 0:
        start += size
    if not (0 <= start <= size and 0 <= length and start + length <= size):
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    key = (slice(None),) * d + (slice(start, start + length),)
    from .indexing import getitem

    return getitem(input, key, fn)


def split(tensor, split_size_or_sections, dim=0):
    from .indexing import Split, SplitWithSizes

    d = _wrap_dim(dim, tensor._data.ndim, "split")
    size = tensor._data.shape[d]
    fn = Split
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and size:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {size}")
        sections = [min(step, size - i) for i in range(0, size, step)] if size else [0]
    else:
        sections = [int(s) for s in split_size_or_sections]
        fn = SplitWithSizes
        if sum(sections) != size:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                               f"(input tensor's size at dimension {d}), but got split_sizes="
                               f"{sections}")
    out, start = [], 0
    for n in sections:
        out.append(_narrow(tensor, d, start, n, fn))
        start += n
    return tuple(out)


def chunk(input, chunks, dim=0):
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    d = _wrap_dim(dim, input._data.ndim, "chunk")
    size = input._data.shape[d]
    step = max(-(-size // chunks), 1)
    return split(input, step, d)


def unbind(input, dim=0):
    d = _wrap_dim(dim, input._data.ndim, "unbind")
    from .indexing import Unbind, getitem

    lead = (slice(None),) * d
    return tuple(getitem(input, lead + (i,), Unbind) for i in range(input._data.shape[d]))


def select(input, dim, index):
    d = _wrap_dim(dim, input._data.ndim, "select")
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input._data.shape)} at dimension {d}")
    return input[(slice(None),) * d + (index,)]


class Flip(Function):
    _internal = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        k = x._device._k
        return k.copy(k.flip(x._data, dims))  # a contiguous copy, as PyTorch's flip

    @staticmethod
    def backward(ctx, g):
        return flip(g, ctx.dims), None


def flip(input, dims):
    dims = _dims(tuple(dims) if isinstance(dims, (tuple, list)) else (dims,), input._data.ndim,
                 "flip")
    return Flip.apply(input, dims)


def fliplr(input):
    return flip(input, (1,))


def flipud(input):
    return flip(input, (0,))


class Clone(Function):
    _internal = True

    @staticmethod
    def forward(ctx, x, preserve=True):
        k, data = x._device._k, x._data
        if preserve and data.ndim > 1:
            # PyTorch's preserve_format: a dense tensor (a permutation of a contiguous
            # layout, e.g. a transpose) is copied with its strides
            strides = x.stride()
            order = tuple(sorted(range(data.ndim), key=lambda d: (-strides[d], d)))
            if order != tuple(range(data.ndim)) and _dense(data.shape, strides, order):
                inverse = tuple(order.index(d) for d in range(data.ndim))
                return k.permute(k.copy(k.permute(data, order)), inverse)
        return k.copy(data)

    @staticmethod
    def backward(ctx, g):
        return g, None


def _dense(shape, strides, order):
    expected = 1
    for d in reversed(order):
        if shape[d] != 1 and strides[d] != expected:
            return False
        expected *= shape[d]
    return True


def clone(input, *, memory_format=None):
    preserve = memory_format is None or str(memory_format).endswith("preserve_format")
    return Clone.apply(input) if preserve else Clone.apply(input, False)


def contiguous(input, memory_format=None):
    return input if input.is_contiguous() else Clone.apply(input, False)


def _size(shape):
    return Size(shape)


__all__ = [_n for _n, _v in list(globals().items())
           if not _n.startswith("_") and callable(_v) and not isinstance(_v, type)
           and getattr(_v, "__module__", None) == __name__]

"""More shape ops: diagonals and triangles, stacking and splitting helpers, meshgrid,
rotations, rolls, repeats, combinations and block matrices.

``diagonal`` is a view (over the ``diagonal`` kernel) that in-place writes go through;
the rest are compositions of views, ``cat`` and indexing, so their gradients come from
those ops.
"""

from __future__ import annotations

import itertools
import warnings

from .. import _dtype
from .._tensor import Tensor, _wrap, _wrap_dim
from ..autograd import grad_mode
from ..autograd.function import Function
from ._util import broadcast_shapes, result_type, same_device

_state = grad_mode.state


def _check(name, x, position=1, arg="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position {position}) must be Tensor, not "
                        f"{type(x).__name__}")


def _tensors(tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return list(tensors[0])
    return list(tensors)


# -- diagonals ---------------------------------------------------------------------------
def _diag_len(shape, offset, d1, d2):
    if offset >= 0:
        return max(0, min(shape[d1], shape[d2] - offset))
    return max(0, min(shape[d1] + offset, shape[d2]))


class Diagonal(Function):
    _internal = True

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.args = (x._data.shape, offset, dim1, dim2)
        return x._device._k.diagonal(x._data, offset, dim1, dim2)

    @staticmethod
    def backward(ctx, g):
        return DiagonalBackward.apply(g, *ctx.args), None, None, None


class DiagonalBackward(Function):
    """zeros(shape) with ``g`` on the diagonal (offset, dim1, dim2): diagonal's adjoint."""

    _internal = True

    @staticmethod
    def forward(ctx, g, shape, offset, dim1, dim2):
        ctx.args = (offset, dim1, dim2)
        k = g._device._k
        out = k.full(tuple(shape), 0, g.dtype, g._device.index)
        k.assign(k.diagonal(out, offset, dim1, dim2), g._data)
        return out

    @staticmethod
    def backward(ctx, gg):
        return Diagonal.apply(gg, *ctx.args), None, None, None, None


def diagonal(input, offset=0, dim1=0, dim2=1):
    """A view of the diagonal input[..., i, i + offset] over dims (dim1, dim2), appended as
    the last dimension."""
    _check("diagonal", input)
    nd = input._data.ndim
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    out = Diagonal.apply(input, int(offset), d1, d2)
    from .shape import as_view

    return as_view(out, input, lambda t: diagonal(t, offset, d1, d2))


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Matrices (over dims dim1, dim2 of the result) with the last dimension of ``input``
    on their ``offset`` diagonal."""
    _check("diag_embed", input)
    nd = input._data.ndim + 1
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n = input.shape[-1] + abs(offset) if input._data.ndim else 1 + abs(offset)
    rest = list(input.shape[:-1])
    shape = []
    for i in range(nd):
        shape.append(n if i in (d1, d2) else rest.pop(0))
    x = input if input._data.ndim else input.reshape(1)
    return DiagonalBackward.apply(x, tuple(shape), int(offset), d1, d2)


def diag(input, diagonal=0, *, out=None):  # noqa: A002 - PyTorch's argument name
    """A diagonal matrix from a vector, or a matrix's diagonal as a new vector."""
    _check("diag", input)
    if input._data.ndim == 1:
        result = diag_embed(input, diagonal, 0, 1)
    elif input._data.ndim == 2:
        result = globals()["diagonal"](input, diagonal, 0, 1).clone()
    else:
        raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " f"{input._data.ndim}D")
    if out is not None:
        from .pointwise import _out as write

        return write(result, out)
    return result


def diagflat(input, offset=0):
    return diag(input.reshape(-1), offset)


def _triangle(name, input, diagonal, lower, out):
    from .pointwise import where

    _check(name, input)
    if input._data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    n, m = input.shape[-2], input.shape[-1]
    dev = input._device
    rows = _wrap(dev._k.arange(0, n, 1, _dtype.int64, dev.index), dev).reshape(n, 1)
    cols = _wrap(dev._k.arange(0, m, 1, _dtype.int64, dev.index), dev).reshape(1, m)
    keep = (cols - rows <= diagonal) if lower else (cols - rows >= diagonal)
    zero = _wrap(dev._k.full((), 0, input.dtype, dev.index), dev)
    result = where(keep, input, zero)
    if out is not None:
        from .pointwise import _out as write

        return write(result, out)
    return result


def tril(input, diagonal=0, *, out=None):  # noqa: A002
    """The lower triangle (on and below the ``diagonal``-th diagonal); the rest zero."""
    return _triangle("tril", input, diagonal, True, out)


def triu(input, diagonal=0, *, out=None):  # noqa: A002
    """The upper triangle (on and above the ``diagonal``-th diagonal); the rest zero."""
    return _triangle("triu", input, diagonal, False, out)


# -- broadcasting and stacking -------------------------------------------------------------
def broadcast_tensors(*tensors):
    tensors = _tensors(tensors)
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(t.expand(shape) for t in tensors)


def atleast_1d(*tensors):
    ts = _tensors(tensors)
    out = tuple(t.reshape(1) if t._data.ndim == 0 else t for t in ts)
    return out[0] if len(tensors) == 1 and isinstance(tensors[0], Tensor) else out


def atleast_2d(*tensors):
    ts = _tensors(tensors)
    out = tuple(t.reshape(1, 1) if t._data.ndim == 0 else t.unsqueeze(0)
                if t._data.ndim == 1 else t for t in ts)
    return out[0] if len(tensors) == 1 and isinstance(tensors[0], Tensor) else out


def atleast_3d(*tensors):
    ts = _tensors(tensors)

    def one(t):
        nd = t._data.ndim
        if nd == 0:
            return t.reshape(1, 1, 1)
        if nd == 1:
            return t.reshape(1, -1, 1)
        if nd == 2:
            return t.unsqueeze(-1)
        return t
    out = tuple(one(t) for t in ts)
    return out[0] if len(tensors) == 1 and isinstance(tensors[0], Tensor) else out


def _cat(tensors, dim, out):
    from .shape import cat

    return cat(tensors, dim, out=out)


def hstack(tensors, *, out=None):
    ts = [atleast_1d(t) for t in tensors]
    return _cat(ts, 0 if ts and ts[0]._data.ndim == 1 else 1, out)


def vstack(tensors, *, out=None):
    return _cat([atleast_2d(t) for t in tensors], 0, out)


row_stack = vstack


def dstack(tensors, *, out=None):
    return _cat([atleast_3d(t) for t in tensors], 2, out)


def column_stack(tensors, *, out=None):
    cols = [t.reshape(-1, 1) if t._data.ndim <= 1 else t for t in tensors]
    return _cat(cols, 1, out)


# -- splitting ---------------------------------------------------------------------------
def tensor_split(input, indices_or_sections, dim=0):
    """Views split at ``indices`` (a sequence or 1-D tensor) or into ``sections`` parts
    whose sizes differ by at most one."""
    _check("tensor_split", input)
    d = _wrap_dim(dim, input._data.ndim)
    size = input.shape[d]
    spec = indices_or_sections
    if isinstance(spec, Tensor):
        if spec.dtype._kind != 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have "
                               f"integer dtype, but got {spec.dtype}")
        if spec._data.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               "zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {spec._data.ndim} dims")
        spec = int(spec.item()) if spec._data.ndim == 0 else [int(v) for v in spec.tolist()]
    if isinstance(spec, int):
        if spec <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {spec}")
        base, extra = divmod(size, spec)
        bounds, start = [], 0
        for i in range(spec):
            stop = start + base + (1 if i < extra else 0)
            bounds.append((start, stop))
            start = stop
    else:
        points = [0] + [min(max(int(i) if int(i) >= 0 else int(i) + size, 0), size)
                        for i in spec] + [size]
        bounds = [(a, max(a, b)) for a, b in zip(points[:-1], points[1:])]
    return tuple(input.narrow(d, a, b - a) for a, b in bounds)


def _split_n(name, input, spec, dim, min_dim):
    if input._data.ndim < min_dim:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dim} dimension, "
                           f"but got a tensor with {input._data.ndim} dimensions!")
    if isinstance(spec, int) and spec and input.shape[dim] % spec:
        raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the "
                           f"size of the dimension {input.shape[dim]} is not divisible by the "
                           f"split_size {spec}!")
    return tensor_split(input, spec, dim)


def hsplit(input, indices_or_sections):
    return _split_n("hsplit", input, indices_or_sections, 0 if input.ndim == 1 else 1, 1)


def vsplit(input, indices_or_sections):
    return _split_n("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input, indices_or_sections):
    return _split_n("dsplit", input, indices_or_sections, 2, 3)


# -- grids and products --------------------------------------------------------------------
def meshgrid(*tensors, indexing=None):
    """Coordinate grids: ``indexing='ij'`` (matrix, the default) or ``'xy'`` (Cartesian)."""
    ts = _tensors(tensors)
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    for t in ts:
        if t._data.ndim > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t}")
    if ts:
        same_device("meshgrid", *ts)
        dtype = ts[0].dtype
        if any(t.dtype is not dtype for t in ts):
            raise RuntimeError("torch.meshgrid: expects all tensors to have the same dtype")
    swap = indexing == "xy" and len(ts) >= 2
    order = list(ts)
    if swap:
        order[0], order[1] = order[1], order[0]
    sizes = [t.numel() for t in order]
    grids = []
    for i, t in enumerate(order):
        shape = [1] * len(order)
        shape[i] = sizes[i]
        grids.append(t.reshape(shape).expand(sizes))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def cartesian_prod(*tensors):
    ts = _tensors(tensors)
    if len(ts) == 1:
        return ts[0]
    from .shape import stack

    grids = meshgrid(*ts, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """All length-r combinations of the elements of 1-D ``input`` (as itertools)."""
    _check("combinations", input)
    if input._data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    n = input.shape[0]
    pick = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    idx = [list(c) for c in pick(range(n), r)] if r else []
    if not idx:
        return _wrap(input._device._k.full((0,) if r == 0 else (0, r), 0, input.dtype,
                                           input._device.index), input._device)
    from .creation import tensor as make_tensor

    index = make_tensor(idx, dtype=_dtype.int64, device=input._device)
    return input[index.reshape(-1)].reshape(len(idx), r)


def block_diag(*tensors):
    """A block-diagonal matrix from 0-, 1- and 2-D tensors."""
    from .shape import cat

    ts = _tensors(tensors)
    mats = []
    for i, t in enumerate(ts):
        if t._data.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {t._data.ndim} dimensions")
        mats.append(t.reshape(1, 1) if t._data.ndim == 0 else t.reshape(1, -1)
                    if t._data.ndim == 1 else t)
    if not mats:
        from .creation import empty

        return empty(1, 0)
    same_device("block_diag", *mats)
    dtype = result_type(*mats)
    mats = [m.to(dtype) for m in mats]
    total = sum(m.shape[1] for m in mats)
    dev = mats[0]._device
    rows, left = [], 0
    for m in mats:
        r, c = m.shape
        parts = []
        if left:
            parts.append(_wrap(dev._k.full((r, left), 0, dtype, dev.index), dev))
        parts.append(m)
        if total - left - c:
            parts.append(_wrap(dev._k.full((r, total - left - c), 0, dtype, dev.index), dev))
        rows.append(cat(parts, 1) if len(parts) > 1 else m)
        left += c
    return cat(rows, 0)


# -- moving elements -----------------------------------------------------------------------
def rot90(input, k=1, dims=(0, 1)):
    """Rotation by 90 degrees k times in the plane of ``dims``, from the first towards the
    second."""
    _check("rot90", input)
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    nd = input._data.ndim
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = _wrap_dim(dims[0], nd), _wrap_dim(dims[1], nd)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    k %= 4
    if k == 1:
        return input.flip(d1).transpose(d0, d1)
    if k == 2:
        return input.flip((d0, d1))
    if k == 3:
        return input.flip(d0).transpose(d0, d1)
    return input.clone()


def roll(input, shifts, dims=None):
    """Elements shifted along ``dims`` (cyclically); the flattened tensor without dims."""
    from .shape import cat

    _check("roll", input)
    if dims is None:
        if isinstance(shifts, (tuple, list)) and len(shifts) != 1:
            raise RuntimeError(f"`shifts` required to be of size 1 when dims is not given, but "
                               f"got {len(shifts)}")
        s = shifts[0] if isinstance(shifts, (tuple, list)) else shifts
        return roll(input.reshape(-1), s, 0).reshape(input.shape)
    shifts = [shifts] if isinstance(shifts, int) else list(shifts)
    dims = [dims] if isinstance(dims, int) else list(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:"
                           f"{len(dims)}")
    out = input
    for s, d in zip(shifts, dims):
        d = _wrap_dim(d, input._data.ndim)
        n = out.shape[d]
        if n == 0:
            continue
        s %= n
        if s:
            out = cat([out.narrow(d, n - s, s), out.narrow(d, 0, n - s)], d)
    return out if out is not input else input.clone()


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element (or slice along ``dim``) repeated ``repeats`` times (an int or a tensor
    of per-element counts)."""
    from .sorting import searchsorted

    if repeats is None:  # repeat_interleave(repeats): indices repeated by their counts
        repeats, input = input, None
    if input is None:
        counts = repeats
        n = counts.shape[0]
        base = _wrap(counts._device._k.arange(0, n, 1, _dtype.int64, counts._device.index),
                     counts._device)
        return repeat_interleave(base, counts, 0)
    _check("repeat_interleave", input)
    if dim is None:
        input = input.reshape(-1)
        d = 0
    else:
        d = _wrap_dim(dim, input._data.ndim)
    n = input.shape[d] if input._data.ndim else 1
    dev = input._device
    if isinstance(repeats, Tensor):
        if repeats._data.ndim == 0 or repeats.numel() == 1:
            repeats = int(repeats.item())
        else:
            if repeats._data.ndim != 1:
                raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
            if repeats.shape[0] != n:
                raise RuntimeError("repeats must have the same size as input along dim, but "
                                   f"got repeats.size(0) = {repeats.shape[0]} and "
                                   f"input.size({d}) = {n}")
            if repeats.numel() and int(repeats.min()) < 0:
                raise RuntimeError("repeats can not be negative")
    if isinstance(repeats, int):
        if repeats < 0:
            raise RuntimeError("repeats can not be negative")
        base = _wrap(dev._k.arange(0, n, 1, _dtype.int64, dev.index), dev)
        index = base.reshape(n, 1).expand(n, repeats).reshape(-1)
    else:
        cum = repeats.long().cumsum(0)
        total = int(cum[-1]) if n else 0
        positions = _wrap(dev._k.arange(0, total, 1, _dtype.int64, dev.index), dev)
        index = searchsorted(cum, positions, right=True)
    if output_size is not None and index.shape[0] != output_size:
        raise RuntimeError("allocated size does not match required size")
    return input.index_select(d, index) if input._data.ndim else input.reshape(1)[index]


def narrow_copy(input, dim, start, length):
    return input.narrow(dim, start, length).clone()


def ravel(input):
    return input.reshape(-1)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along ``dim``."""
    from .shape import cat

    _check("diff", input)
    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    d = _wrap_dim(dim, input._data.ndim)
    parts = [t for t in (prepend, input, append) if t is not None]
    x = cat(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        size = x.shape[d]
        if size == 0:
            break
        if x.dtype is _dtype.bool:
            x = x.narrow(d, 1, size - 1) ^ x.narrow(d, 0, size - 1)
        else:
            x = x.narrow(d, 1, size - 1) - x.narrow(d, 0, size - 1)
    return x


__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "block_diag", "broadcast_tensors",
           "cartesian_prod", "column_stack", "combinations", "diag", "diag_embed", "diagflat",
           "diagonal", "diff", "dsplit", "dstack", "hsplit", "hstack", "meshgrid",
           "narrow_copy", "ravel", "repeat_interleave", "roll", "rot90", "row_stack",
           "tensor_split", "tril", "triu", "vsplit", "vstack"]

"""All strides arithmetic of the OpenCL backend, and the index math kernels use.

A layout is ``(offset, shape, strides)`` counted in ELEMENTS (``CLArray.strides`` converts
to bytes). Views are new layouts over the same buffer; kernels get the shape and strides
as arguments and find an element with :func:`unravel_code`. Nothing else in the backend
computes a stride.
"""

from __future__ import annotations

import math
import operator


def contiguous(shape) -> tuple:
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= n
    return tuple(reversed(strides))


def is_contiguous(shape, strides) -> bool:
    step = 1
    for n, s in zip(reversed(shape), reversed(strides)):
        if n != 1 and s != step:
            return False
        step *= n
    return True


def reshape(shape, strides, new_shape):
    """Strides viewing ``(shape, strides)`` as ``new_shape``, or None when a copy is needed
    (numpy's no-copy reshape: each group of old dims that maps onto a group of new dims
    must be one run in memory)."""
    if math.prod(shape) == 0 or not shape or not new_shape:
        return contiguous(new_shape)
    old = [(n, s) for n, s in zip(shape, strides) if n != 1]
    if not old:
        return contiguous(new_shape)
    out = [0] * len(new_shape)
    oi, oj, ni, nj = 0, 1, 0, 1
    while ni < len(new_shape) and oi < len(old):
        np_, op = new_shape[ni], old[oi][0]
        while np_ != op:
            if np_ < op:
                np_ *= new_shape[nj]
                nj += 1
            else:
                op *= old[oj][0]
                oj += 1
        for k in range(oi, oj - 1):
            if old[k][1] != old[k + 1][0] * old[k + 1][1]:
                return None
        out[nj - 1] = old[oj - 1][1]
        for k in range(nj - 1, ni, -1):
            out[k - 1] = out[k] * new_shape[k]
        ni, nj, oi, oj = nj, nj + 1, oj, oj + 1
    last = out[ni - 1] if ni else 1
    for k in range(ni, len(new_shape)):
        out[k] = last
    return tuple(out)


def permute(shape, strides, axes):
    return tuple(shape[a] for a in axes), tuple(strides[a] for a in axes)


def broadcast_shapes(*shapes) -> tuple:
    ndim = max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    for shape in shapes:
        for i, n in enumerate(shape, ndim - len(shape)):
            if n != 1:
                if out[i] not in (1, n):
                    raise ValueError(f"shapes {' '.join(map(str, shapes))} cannot be broadcast "
                                     "together")
                out[i] = n
    return tuple(out)


def broadcast(shape, strides, new_shape) -> tuple:
    """Strides of ``(shape, strides)`` broadcast to ``new_shape`` (zero where repeated)."""
    lead = len(new_shape) - len(shape)
    if lead < 0:
        raise ValueError(f"cannot broadcast shape {shape} to {new_shape}")
    out = [0] * lead
    for n, s, m in zip(shape, strides, new_shape[lead:]):
        if n == m:
            out.append(s if m != 1 else 0)
        elif n == 1:
            out.append(0)
        else:
            raise ValueError(f"cannot broadcast shape {shape} to {new_shape}")
    return tuple(out)


def expand_key(ndim, key) -> list:
    """A basic/advanced key with its Ellipsis expanded into full slices."""
    key = list(key) if isinstance(key, tuple) else [key]
    used = sum(_consumes(k) for k in key)
    if used > ndim:
        raise IndexError(f"too many indices for array: array is {ndim}-dimensional, but "
                         f"{used} were indexed")
    if Ellipsis in key:
        i = next(j for j, k in enumerate(key) if k is Ellipsis)
        key[i:i + 1] = [slice(None)] * (ndim - used)
    else:
        key += [slice(None)] * (ndim - used)
    return key


def _consumes(k) -> int:
    if k is None or k is Ellipsis or isinstance(k, bool):
        return 0
    if hasattr(k, "ndim") and getattr(k.dtype, "kind", "") == "b":
        return k.ndim
    return 1


def slice_dim(n, s, k):
    """(offset, length, stride) of slice ``k`` of a dim of size n and stride s."""
    start, stop, step = k.indices(n)
    length = len(range(start, stop, step))
    return (start * s if length else 0), length, s * step


def int_offset(n, s, i, axis):
    """The offset of index ``i`` (negative from the end) of a dim of size n, stride s."""
    i = operator.index(i)
    if not -n <= i < n:
        raise IndexError(f"index {i} is out of bounds for axis {axis} with size {n}")
    return (i + n if i < 0 else i) * s


def basic_index(offset, shape, strides, key):
    """The layout of ``x[key]`` for a key of ints, slices, None and Ellipsis."""
    out_shape, out_strides, d = [], [], 0
    for k in expand_key(len(shape), key):
        if k is None:
            out_shape.append(1)
            out_strides.append(0)
            continue
        n, s = shape[d], strides[d]
        d += 1
        if isinstance(k, slice):
            delta, length, stride = slice_dim(n, s, k)
            offset += delta
            out_shape.append(length)
            out_strides.append(stride)
        else:
            offset += int_offset(n, s, k, d - 1)
    return offset, tuple(out_shape), tuple(out_strides)


def transpose(shape, strides):
    """All dims reversed (a matrix's transpose)."""
    return tuple(reversed(shape)), tuple(reversed(strides))


def view_as(shape, strides, new_shape, order):
    """``(shape, strides)`` reshaped to ``new_shape`` (it must be a view), then permuted by
    ``order``: the layout of ``x.reshape(new_shape).permute(order)``."""
    st = reshape(shape, strides, new_shape)
    if st is None:
        raise ValueError(f"{shape} with strides {strides} cannot be viewed as {new_shape}")
    return permute(new_shape, st, order)


def diagonal(offset, shape, strides, axis1, axis2, k=0):
    """numpy's ``diagonal``: elements [..., i, i + k] of the two axes as one last axis."""
    a, b = shape[axis1], shape[axis2]
    n = max(0, min(a, b - k) if k >= 0 else min(a + k, b))
    if n:
        offset += k * strides[axis2] if k >= 0 else -k * strides[axis1]
    keep = [i for i in range(len(shape)) if i not in (axis1, axis2)]
    return (offset, tuple(shape[i] for i in keep) + (n,),
            tuple(strides[i] for i in keep) + (strides[axis1] + strides[axis2],))


def flip(offset, shape, strides, axes):
    strides = list(strides)
    for a in axes:
        if shape[a]:
            offset += (shape[a] - 1) * strides[a]
        strides[a] = -strides[a]
    return offset, tuple(strides)


def span(offset, shape, strides):
    """The [first, last] elements a layout touches, or None when it touches none."""
    if 0 in shape:
        return None
    lo = hi = offset
    for n, s in zip(shape, strides):
        if s > 0:
            hi += (n - 1) * s
        else:
            lo += (n - 1) * s
    return lo, hi


def collapse(shape, *strides_list):
    """Merge neighbouring dims that are one run for every operand; drop size-1 dims.

    Returns ``(shape, [strides, ...])``; shape ``()`` means one element.
    """
    dims = [i for i, n in enumerate(shape) if n != 1]
    if not dims:
        return (), [() for _ in strides_list]
    new_shape = [shape[dims[0]]]
    new_strides = [[s[dims[0]]] for s in strides_list]
    for i in dims[1:]:
        n = shape[i]
        if all(ns[-1] == s[i] * n for ns, s in zip(new_strides, strides_list)):
            new_shape[-1] *= n
            for ns, s in zip(new_strides, strides_list):
                ns[-1] = s[i]
        else:
            new_shape.append(n)
            for ns, s in zip(new_strides, strides_list):
                ns.append(s[i])
    return tuple(new_shape), [tuple(ns) for ns in new_strides]


def split_axes(shape, strides, axes):
    """(kept shape, kept strides, reduced shape, reduced strides) for a reduction."""
    kept = [i for i in range(len(shape)) if i not in axes]
    return (tuple(shape[i] for i in kept), tuple(strides[i] for i in kept),
            tuple(shape[i] for i in axes), tuple(strides[i] for i in axes))


# -- index math in kernels --------------------------------------------------------------
MAXD = 8  # kernels take this many dims, so one kernel serves every rank up to it


def pad(shape, *strides_list):
    """``shape`` and its strides with leading size-1 dims up to MAXD dims."""
    k = MAXD - len(shape)
    if k < 0:
        raise ValueError(f"more than {MAXD} dims that cannot be merged: {shape}")
    return (1,) * k + tuple(shape), [(0,) * k + tuple(s) for s in strides_list]


def params(prefix, ndim=MAXD) -> list:
    """Kernel parameter names for ``ndim`` sizes or strides: prefix0, prefix1, ..."""
    return [f"{prefix}{d}" for d in range(ndim)]


WIDE = 1 << 31  # index math in 32 bits (much faster division) below this many elements


def unravel_code(flat, shape_prefix, targets, ndim=MAXD, wide=True) -> str:
    """C statements adding to each ``(offset_var, stride_prefix)`` in ``targets`` the
    offset of element number ``flat`` (row-major) of a shape held in ``shape_prefix*``.
    Size-1 dims (the padding) are skipped at run time; ``wide=False`` divides in 32 bits
    (element numbers below WIDE)."""
    if ndim == 0:
        return ""
    t = "long" if wide else "uint"
    lines = [f"{{ {t} r_ = ({t}){flat}, c_;"]
    for d in range(ndim - 1, 0, -1):
        adds = " ".join(f"{var} += c_ * {sp}{d};" for var, sp in targets)
        n = f"({t}){shape_prefix}{d}"
        lines.append(f"  if ({shape_prefix}{d} != 1) {{ c_ = r_ % {n}; r_ /= {n}; {adds} }}")
    lines += [f"  {var} += r_ * {sp}0;" for var, sp in targets]
    lines.append("}")
    return "\n".join(lines)

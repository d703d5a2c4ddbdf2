"""Indexing: getitem/setitem with basic and advanced keys, index_add_at, the *_along_axis
gathers and scatters, nonzero, concatenate and flip.

Advanced keys follow NumPy (the CPU backend): ints count as advanced indices when index
arrays are present, and the broadcast index dims go in place of adjacent advanced items
or first when those are separated. Kernels see the key as a view of ``x`` (slices, ints
and None applied) plus index arrays, each with the stride and size of the dim it picks.
Writes with repeated indices are deterministic: destinations are sorted (stably) and each
is updated by one work-item in index order, so ``index_add_at`` adds repeats as NumPy's
``add.at`` does and ``setitem`` keeps the last value.
"""

from __future__ import annotations

import math

import numpy as np

from . import layout
from .array import CLArray, empty
from .codegen import Source, convert, ctype
from .elementwise import assign, copy, full

I64 = np.dtype("i8")


# -- key analysis ------------------------------------------------------------------------
class Key:
    """``x[key]`` as a view of x, index arrays, and where the index dims go."""

    def __init__(self, x, key):
        items = _prepare(x, key if isinstance(key, tuple) else (key,))
        advanced = any(isinstance(k, CLArray) for k in items)
        offset = x.offset
        self.index = []          # (int64 array, stride in x, size of the dim)
        basic_shape, basic_strides = [], []
        positions = []           # item positions of advanced items (ints included)
        before = None            # basic result dims before the first advanced item
        d = 0
        for pos, k in enumerate(items):
            if k is None:
                basic_shape.append(1)
                basic_strides.append(0)
                continue
            n, s = x.shape[d], x.est[d]
            d += 1
            if isinstance(k, slice):
                delta, length, stride = layout.slice_dim(n, s, k)
                offset += delta
                basic_shape.append(length)
                basic_strides.append(stride)
            elif isinstance(k, CLArray):
                self.index.append((k, s, n))
                positions.append(pos)
                if before is None:
                    before = len(basic_shape)
            else:
                offset += layout.int_offset(n, s, k, d - 1)
                if advanced:
                    positions.append(pos)
                    if before is None:
                        before = len(basic_shape)
        self.advanced = advanced
        self.offset = offset
        self.basic_shape, self.basic_strides = tuple(basic_shape), tuple(basic_strides)
        if advanced:
            self.adv_shape = layout.broadcast_shapes(*[a.shape for a, _, _ in self.index])
            adjacent = positions == list(range(positions[0], positions[-1] + 1))
            self.pos = before if adjacent else 0

    def result_shape(self):
        b, p = self.basic_shape, self.pos
        return b[:p] + self.adv_shape + b[p:]

    def split(self, full_strides):
        """Strides of a result-shaped layout as (index-dims strides, basic-dims strides)."""
        p, na = self.pos, len(self.adv_shape)
        return full_strides[p:p + na], full_strides[:p] + full_strides[p + na:]


def _prepare(x, key):
    """The key as one item per dim of x (None adds a dim); masks become index arrays."""
    items = []
    for k in key:
        if isinstance(k, np.ndarray):
            from .array import from_host

            k = from_host(x.device, k)
        if isinstance(k, CLArray):
            if k.dtype.kind == "b":
                items += list(nonzero(k))
                continue
            if k.dtype != I64:
                from .elementwise import astype

                k = astype(k, I64)
        items.append(k)
    used = sum(1 for k in items if k is not None and k is not Ellipsis)
    if used > x.ndim:
        raise IndexError(f"too many indices for array: array is {x.ndim}-dimensional, but "
                         f"{used} were indexed")
    if Ellipsis in items:
        i = items.index(Ellipsis)
        items[i:i + 1] = [slice(None)] * (x.ndim - used)
    else:
        items += [slice(None)] * (x.ndim - used)
    return items


# -- getitem / setitem / index_add_at ------------------------------------------------------
def getitem(x, key):
    if not isinstance(key, tuple):
        key = (key,)
    if not any(isinstance(k, (CLArray, np.ndarray, bool, np.bool_)) for k in key):
        offset, shape, strides = layout.basic_index(x.offset, x.shape, x.est, key)
        return x.view_of(offset, shape, strides)
    x, key = _bools_as_dims(x, key)
    k = Key(x, key)
    if not k.advanced:
        return x.view_of(k.offset, k.basic_shape, k.basic_strides)
    out = empty(x.device, k.result_shape(), x.dtype)
    if out.size == 0:
        return out
    oa, ob = k.split(out.est)
    _launch_gather(x, k, out, oa, ob)
    return out


def _bools_as_dims(x, key):
    """A Python bool (or 0-d bool array) in a key is a new size-1 dim picked by [0] or []."""
    if not any(isinstance(k, (bool, np.bool_)) or (isinstance(k, CLArray) and k.ndim == 0
                                                    and k.dtype.kind == "b") for k in key):
        return x, key
    items, view_key = [], []
    for k in key:
        if isinstance(k, CLArray) and k.ndim == 0 and k.dtype.kind == "b":
            k = bool(k.get())
        if isinstance(k, (bool, np.bool_)):
            view_key.append(None)
            items.append(full(x.device, (1 if k else 0,), 0, I64))
        else:
            n = 0 if k is None else (k.ndim if isinstance(k, CLArray) and k.dtype.kind == "b"
                                     else 1)
            if k is Ellipsis:
                view_key.append(Ellipsis)
            else:
                view_key += [slice(None)] * n if n else [None]
            items.append(slice(None) if k is None else k)
    offset, shape, strides = layout.basic_index(x.offset, x.shape, x.est, tuple(view_key))
    return x.view_of(offset, shape, strides), tuple(items)


def _index_args(k):
    """Kernel arguments of the index arrays: buffer, offset, x stride, dim size, strides."""
    args = []
    for a, s, n in k.index:
        _, (st,) = layout.pad(k.adv_shape, layout.broadcast(a.shape, a.est, k.adv_shape))
        args += [a.data, a.offset, s, n, *st]
    return args


def _launch_gather(x, k, out, oa, ob):
    ni, dev = len(k.index), x.device
    knl = dev.kernel(("gather", x.dtype, ni), lambda: _gather_source(x.dtype, ni), "getitem")
    B = math.prod(k.basic_shape)
    ashape, (oa,) = layout.pad(k.adv_shape, oa)
    bshape, (xb, ob) = layout.pad(k.basic_shape, k.basic_strides, ob)
    dev.launch(knl, out.size, out.data, out.offset, x.data, k.offset, *_index_args(k),
               *ashape, *oa, *bshape, *xb, *ob, B)


def _index_params(src, ni):
    for j in range(ni):
        src.buffer(f"i{j}", I64, const=True)
        src.longs([f"ioff{j}", f"xs{j}", f"n{j}", *layout.params(f"is{j}_")])


def _index_code(src, ni, var, extra=()):
    """C: add to ``var`` the x offset picked by the index arrays at index position p."""
    src(*[f"  long io{j} = ioff{j};" for j in range(ni)],
        layout.unravel_code("p", "A", [(f"io{j}", f"is{j}_") for j in range(ni)]
                            + list(extra)))
    for j in range(ni):
        src(f"  {{ long i = i{j}[io{j}]; if (i < 0) i += n{j};",
            f"    if (i < 0 || i >= n{j}) i = 0;",  # out of range: no wild access
            f"    {var} += i * xs{j}; }}")


def _gather_source(dtype, ni):
    t = ctype(dtype)
    src = Source()
    src.buffer("out", dtype)
    src.longs(["ooff"])
    src.buffer("x", dtype, const=True)
    src.longs(["xoff"])
    _index_params(src, ni)
    src.longs([*layout.params("A"), *layout.params("oa"), *layout.params("b"),
               *layout.params("xb"), *layout.params("ob"), "B"])
    src(src.index("g"), "  long p = g / B, q = g % B;",
        "  long xo = xoff, oo = ooff;")
    _index_code(src, ni, "xo", [("oo", "oa")])
    src(layout.unravel_code("q", "b", [("xo", "xb"), ("oo", "ob")]),
        "  " + t.store("out", "oo", t.load("x", "xo"), t))
    return src


def setitem(x, key, value):
    return _update(x, key, value, "set")


def index_add_at(x, key, value):
    return _update(x, key, value, "add")


def _update(x, key, value, mode):
    if not isinstance(key, tuple):
        key = (key,)
    xv, key2 = _bools_as_dims(x, key)
    k = Key(xv, key2) if any(isinstance(i, (CLArray, np.ndarray)) for i in key2) else None
    if k is None or not k.advanced:
        if k is None:
            offset, shape, strides = layout.basic_index(xv.offset, xv.shape, xv.est, key2)
        else:
            offset, shape, strides = k.offset, k.basic_shape, k.basic_strides
        view = x.view_of(offset, shape, strides)
        if mode == "set":
            assign(view, value)
        else:
            from .elementwise import apply

            apply("add", view, value, out=view)
        return x
    shape = k.result_shape()
    if isinstance(value, CLArray):
        if value.data is x.data:
            value = copy(value)
        vst = layout.broadcast(value.shape, value.est, shape)
    else:
        value = full(x.device, (), value, x.dtype)
        vst = (0,) * len(shape)
    va, vb = k.split(vst)
    A, B = math.prod(k.adv_shape), math.prod(k.basic_shape)
    if A * B == 0:
        return x
    dev, ni = x.device, len(k.index)
    ashape, (va,) = layout.pad(k.adv_shape, va)
    bshape, (xb, vb) = layout.pad(k.basic_shape, k.basic_strides, vb)
    # the x offset each index position picks, then those offsets in stable sorted order
    offs = empty(dev, (1, A), I64)
    knl = dev.kernel(("advoff", ni), lambda: _advoff_source(ni), "index")
    dev.launch(knl, A, offs.data, k.offset, *_index_args(k), *ashape)
    from .sort import sort_lines

    offs, perm = sort_lines(offs)
    knl = dev.kernel(("update", mode, x.dtype, value.dtype),
                     lambda: _update_source(mode, x.dtype, value.dtype), "index")
    dev.launch(knl, A * B, x.data, offs.data, perm.data, value.data, value.offset,
               *ashape, *va, *bshape, *xb, *vb, A, B)
    return x


def _advoff_source(ni):
    src = Source()
    src.buffer("out", I64)
    src.longs(["xoff"])
    _index_params(src, ni)
    src.longs(layout.params("A"))
    src(src.index("p"), "  long xo = xoff;")
    _index_code(src, ni, "xo")
    src("  out[p] = xo;")
    return src


def _update_source(mode, dtype, vdtype):
    t, vt = ctype(dtype), ctype(vdtype)
    src = Source()
    src.buffer("x", dtype)
    src.buffer("offs", I64, const=True)
    src.buffer("perm", I64, const=True)
    src.buffer("v", vdtype, const=True)
    src.longs(["voff", *layout.params("A"), *layout.params("va"), *layout.params("b"),
               *layout.params("xb"), *layout.params("vb"), "NA", "B"])
    src(src.index("g"), "  long a = g / B, q = g % B;",
        "  long dst = offs[a];",
        "  if (a > 0 && offs[a - 1] == dst) return;",  # the first of a run does the run
        "  long vq = voff;",
        layout.unravel_code("q", "b", [("dst", "xb"), ("vq", "vb")]),
        "  long j = a;")
    value = convert(vt.load("v", "vo"), vt, t)
    if mode == "set":
        src("  while (j + 1 < NA && offs[j + 1] == offs[a]) j++;",
            "  long p = perm[j], vo = vq;",
            layout.unravel_code("p", "A", [("vo", "va")]),
            "  " + t.store("x", "dst", value, t))
    else:
        src(f"  {t.c} acc = {t.load('x', 'dst')};",
            "  for (; j < NA && offs[j] == offs[a]; j++) {",
            "    long p = perm[j], vo = vq;",
            layout.unravel_code("p", "A", [("vo", "va")]),
            f"    acc = acc + {value};" if t.kind != "b" else f"    acc = acc | {value};",
            "  }",
            "  " + t.store("x", "dst", "acc", t))
    return src


# -- along an axis -------------------------------------------------------------------------
def _along_shape(x, index, axis, broadcast=True):
    """The shape the index covers: broadcast against x's other dims (NumPy's rule, and
    PyTorch's smaller index dims), or the index's own shape (scatter_add's rule)."""
    if index.ndim != x.ndim:
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    if not broadcast:
        return index.shape
    return tuple(i if d == axis or i != 1 else n
                 for d, (i, n) in enumerate(zip(index.shape, x.shape)))


def take_along_axis(x, index, axis):
    axis %= max(x.ndim, 1)
    shape = _along_shape(x, index, axis)
    out = empty(x.device, shape, x.dtype)
    if out.size == 0:
        return out
    xst = tuple(0 if d == axis or n == 1 else s for d, (n, s) in enumerate(zip(x.shape, x.est)))
    ist = layout.broadcast(index.shape, index.est, shape)
    dev = x.device
    knl = dev.kernel(("take", x.dtype), lambda: _take_source(x.dtype), "take")
    pshape, (xst, ist) = layout.pad(shape, xst, ist)
    dev.launch(knl, out.size, out.data, x.data, x.offset, index.data, index.offset,
               *pshape, *xst, *ist, x.est[axis], x.shape[axis])
    return out


def _take_source(dtype):
    t = ctype(dtype)
    src = Source()
    src.buffer("out", dtype)
    src.buffer("x", dtype, const=True)
    src.longs(["xoff"])
    src.buffer("ix", I64, const=True)
    src.longs(["ioff", *layout.params("S"), *layout.params("xs"), *layout.params("is"), "sa",
               "na"])
    src(src.index("g"), "  long xo = xoff, io = ioff;",
        layout.unravel_code("g", "S", [("xo", "xs"), ("io", "is")]),
        "  long i = ix[io]; if (i < 0) i += na; if (i < 0 || i >= na) i = 0;",
        "  " + t.store("out", "g", t.load("x", "xo + i * sa"), t))
    return src


def put_along_axis(x, index, values, axis, mode="set"):
    """x[..., index, ...] = values along ``axis``; one work-item per line, in order."""
    axis %= max(x.ndim, 1)
    shape = _along_shape(x, index, axis, broadcast=mode == "set")
    if math.prod(shape) == 0:
        return x
    if not isinstance(values, CLArray):
        values = full(x.device, (), values, x.dtype)
    vst = layout.broadcast(values.shape, values.est, shape)
    ist = layout.broadcast(index.shape, index.est, shape)
    lines = [d for d in range(len(shape)) if d != axis]
    lshape, (lx, li, lv) = layout.pad(tuple(shape[d] for d in lines),
                                      *[[st[d] for d in lines] for st in (x.est, ist, vst)])
    dev = x.device
    knl = dev.kernel(("put", mode, x.dtype, values.dtype),
                     lambda: _put_source(mode, x.dtype, values.dtype), "scatter")
    dev.launch(knl, math.prod(lshape), x.data, x.offset, index.data, index.offset,
               values.data, values.offset, *lshape, *lx, *li, *lv, shape[axis], x.est[axis],
               ist[axis], vst[axis], x.shape[axis])
    return x


def add_along_axis(x, index, values, axis):
    return put_along_axis(x, index, values, axis, "add")


def _put_source(mode, dtype, vdtype):
    t, vt = ctype(dtype), ctype(vdtype)
    src = Source()
    src.buffer("x", dtype)
    src.longs(["xoff"])
    src.buffer("ix", I64, const=True)
    src.longs(["ioff"])
    src.buffer("v", vdtype, const=True)
    src.longs(["voff", *layout.params("L"), *layout.params("xs"), *layout.params("is"),
               *layout.params("vs"), "n", "xa", "ia", "va", "na"])
    value = convert(vt.load("v", "vo + j * va"), vt, t)
    update = value if mode == "set" else (
        f"{t.load('x', 'xo + i * xa')} + {value}" if t.kind != "b"
        else f"{t.load('x', 'xo + i * xa')} | {value}")
    src(src.index("g"), "  long xo = xoff, io = ioff, vo = voff;",
        layout.unravel_code("g", "L", [("xo", "xs"), ("io", "is"), ("vo", "vs")]),
        "  for (long j = 0; j < n; j++) {",
        "    long i = ix[io + j * ia]; if (i < 0) i += na; if (i < 0 || i >= na) continue;",
        "    " + t.store("x", "xo + i * xa", update, t),
        "  }")
    return src


# -- nonzero, concatenate, flip ------------------------------------------------------------
def nonzero(x):
    """Tuple of int64 index arrays (views of one (ndim, count) array), in row-major order."""
    from .elementwise import apply
    from .reduce import scan

    if x.ndim == 0:
        return ()
    flags = apply("ne", x, 0) if x.dtype.kind != "b" else x
    flat = copy(flags) if not flags.contiguous else flags
    flat = flat.view_of(flat.offset, (flat.size,), (1,))
    dev = x.device
    if flat.size == 0:
        out = empty(dev, (x.ndim, 0), I64)
    else:
        counts = scan("cumsum", flat, 0)
        total = int(counts[flat.size - 1:].get()[0])
        out = empty(dev, (x.ndim, total), I64)
        if total:
            nd = x.ndim
            knl = dev.kernel(("nonzero", nd), lambda: _nonzero_source(nd), "nonzero")
            dev.launch(knl, flat.size, out.data, counts.data, total,
                *x.shape)
    return tuple(out.view_of(d * out.shape[1], (out.shape[1],), (1,))
                 for d in range(x.ndim))


def _nonzero_source(nd):
    src = Source()
    src.buffer("out", I64)
    src.buffer("cs", I64, const=True)
    src.longs(["total", *layout.params("S", nd)])
    src(src.index("g"), "  long pos = cs[g] - 1;",
        "  if (g > 0 ? cs[g - 1] == cs[g] : cs[g] == 0) return;",
        "  long r = g;")
    for d in range(nd - 1, -1, -1):
        src(f"  out[{d} * total + pos] = r % S{d}; r /= S{d};")
    return src


def concatenate(xs, axis):
    xs = list(xs)
    dtype = np.result_type(*[x.dtype for x in xs])
    ref = xs[0]
    axis %= max(ref.ndim, 1)
    shape = list(ref.shape)
    shape[axis] = sum(x.shape[axis] for x in xs)
    out = empty(ref.device, tuple(shape), dtype)
    start = 0
    for x in xs:
        n = x.shape[axis]
        if n:
            key = (slice(None),) * axis + (slice(start, start + n),)
            offset, vshape, vst = layout.basic_index(out.offset, out.shape, out.est, key)
            assign(out.view_of(offset, vshape, vst), x)
        start += n
    return out


def flip(x, axes):
    axes = tuple(range(x.ndim)) if axes is None else tuple(a % x.ndim for a in axes)
    offset, strides = layout.flip(x.offset, x.shape, x.est, axes)
    return copy(x.view_of(offset, x.shape, strides))

"""Reductions over any set of axes (work-group tree reductions), scans, and fused
row-wise kernels (softmax, log_softmax, logsumexp).

The reduced axes are moved last and collapsed; each output element is one work-group of
L work-items that stride over the reduced elements and combine in local memory (L = 1,
one work-item per output, when there are many outputs or few elements per output).
"""

from __future__ import annotations

import math

import numpy as np

from . import layout
from .array import empty
from .codegen import Source, convert, ctype
from .elementwise import DTYPES, full

I64 = np.dtype("i8")
BOOL = np.dtype("?")

# name: (combine(a, b) as C, identity(ct) as C, result dtype rule)
_NUMERIC = {
    "sum": ("({a} + {b})", lambda t: "0"),
    "prod": ("({a} * {b})", lambda t: "1"),
    "mean": ("({a} + {b})", lambda t: "0"),
    "any": ("({a} || {b})", lambda t: "0"),
    "all": ("({a} && {b})", lambda t: "1"),
}
_LIMITS = {"uchar": ("0", "UCHAR_MAX"), "char": ("CHAR_MIN", "CHAR_MAX"),
           "short": ("SHRT_MIN", "SHRT_MAX"), "int": ("INT_MIN", "INT_MAX"),
           "long": ("LONG_MIN", "LONG_MAX"), "float": ("-INFINITY", "INFINITY"),
           "double": ("-INFINITY", "INFINITY")}


def _acc_dtype(name, dtype, device):
    """The accumulator dtype and the result dtype of reduction ``name`` over ``dtype``."""
    if name in ("any", "all"):
        return BOOL, BOOL
    if name in ("amax", "amin", "argmax", "argmin"):
        return dtype, (I64 if name.startswith("arg") else dtype)
    if dtype.kind in "biu":
        return (np.dtype("f8"), np.dtype("f8")) if name == "mean" else (I64, I64)
    wide = np.dtype("f8") if device.fp64 else np.dtype("f4")
    return (wide if dtype.itemsize <= 4 else dtype), dtype


def _group_size(device, m, r):
    """Work-items per output: one (a loop per output) when there are outputs enough to
    fill the device (a CPU's few cores fill fast; neighbouring outputs then read
    neighbouring memory), else a work-group of up to 256 splitting the sum."""
    if r < 64 or m >= (256 if device.is_cpu else 4096):
        return 1
    return min(1 << min(int(math.log2(r)), 8), device.max_group)


def reduce(name, x, axes, keepdims):
    """Reduction ``name`` of ``x`` over ``axes`` (a tuple, or None for all)."""
    nd = x.ndim
    axes = tuple(range(nd)) if axes is None else tuple(sorted(a % nd for a in axes)) if nd \
        else ()
    acc, res = _acc_dtype(name, x.dtype, x.device)
    out_shape = tuple(1 if i in axes else n for i, n in enumerate(x.shape)) if keepdims else \
        tuple(n for i, n in enumerate(x.shape) if i not in axes)
    kshape, kstr, rshape, rstr = layout.split_axes(x.shape, x.est, axes)
    r = math.prod(rshape)
    m = math.prod(kshape)
    if r == 0 and m:
        if name in ("amax", "amin", "argmax", "argmin"):
            raise ValueError(f"zero-size array to reduction operation {name} which has no "
                             "identity")
        value = {"sum": 0, "prod": 1, "any": False, "all": True, "mean": float("nan")}[name]
        return full(x.device, out_shape, value, res)
    out = empty(x.device, out_shape, res)
    if m == 0:
        return out
    kshape, (kstr,) = layout.collapse(kshape, kstr)
    rshape, (rstr,) = layout.collapse(rshape, rstr)
    if len(rshape) > layout.MAXD or len(kshape) > layout.MAXD:  # reduce one axis at a time
        out = x
        for a in sorted(axes, reverse=True):
            out = reduce(name if name != "mean" else "sum", out, (a,), keepdims)
        return out if name != "mean" else _divide(out, r)
    group = _group_size(x.device, m, r)
    # one kernel for every rank: kept dims padded to MAXD; the reduced ones too, unless
    # they merge into one (the common case, with a simpler inner loop)
    nr = 1 if len(rshape) <= 1 else layout.MAXD
    kshape, (kstr,) = layout.pad(kshape, kstr)
    if nr == 1:
        rshape, rstr = (rshape or (1,)), (rstr or (0,))
    else:
        rshape, (rstr,) = layout.pad(rshape, rstr)
    dev = x.device
    key, make = reduce_request(dev, name, x.dtype, nr, group)
    knl = dev.kernel(key, make, name,
                     lambda: [reduce_request(dev, name, d, nr, group) for d in DTYPES])
    args = [out.data, x.data, x.offset, *kshape, *kstr, *rshape, *rstr, r]
    if group == 1:
        x.device.launch(knl, m, *args)
    else:
        knl(x.device.queue, (m * group,), (group,), *args)
    return out


def reduce_request(dev, name, dtype, nr, group):
    """(key, make) of a reduction kernel: ``nr`` reduced dims (1 or MAXD), ``group``
    work-items per output."""
    acc, res = _acc_dtype(name, dtype, dev)
    return (("reduce", name, dtype, nr, group),
            lambda: _reduce_source(name, dtype, acc, res, layout.MAXD, nr, group, dev))


def _reduce_source(name, dtype, acc, res, nk, nr, group, device):
    for dt in (dtype, acc, res):
        device.check_dtype(dt)
    t, a, o = ctype(dtype), ctype(acc), ctype(res)
    arg = name.startswith("arg")
    src = Source()
    src.buffer("out", res)
    src.buffer("x", dtype, const=True)
    src.longs(["xoff", *layout.params("k", nk), *layout.params("ks", nk),
               *layout.params("r", nr), *layout.params("rs", nr), "R"])
    if group == 1:
        src(src.index("m"), "  int lid = 0;")
    else:
        src("  long m = get_group_id(0); int lid = get_local_id(0);")
    src("  long base = xoff;", layout.unravel_code("m", "k", [("base", "ks")], nk))
    value = convert(t.load("x", "xo"), t, a)
    if arg:
        lo, hi = _LIMITS[a.c]
        ident = lo if name == "argmax" else hi
        op = ">" if name == "argmax" else "<"
        def nan(v):
            return f"isnan({v})" if a.kind == "f" else "0"
        # b wins over a: strictly better, or a NaN first seen, or equal with a lower index
        better = (f"(ai < 0 || (bv {op} av && !{nan('av')}) || ({nan('bv')} && !{nan('av')})"
                  f" || ((bv == av || ({nan('bv')} && {nan('av')})) && bi < ai))")
        src(f"  {a.c} av = {ident}; long ai = -1;",
            f"  for (long i = lid; i < R; i += {group}) {{",
            "    long xo = base;", layout.unravel_code("i", "r", [("xo", "rs")], nr),
            f"    {a.c} bv = {value}; long bi = i;",
            f"    if ({better}) {{ av = bv; ai = bi; }}",
            "  }")
        if group > 1:
            src(f"  __local {a.c} sv[{group}]; __local long si[{group}];",
                "  sv[lid] = av; si[lid] = ai; barrier(CLK_LOCAL_MEM_FENCE);",
                f"  for (int s = {group // 2}; s > 0; s >>= 1) {{",
                "    if (lid < s) {",
                f"      {a.c} bv = sv[lid + s]; long bi = si[lid + s]; av = sv[lid]; ai = si[lid];",
                f"      if (bi >= 0 && {better}) {{ sv[lid] = bv; si[lid] = bi; }}",
                "    }",
                "    barrier(CLK_LOCAL_MEM_FENCE);",
                "  }",
                "  ai = si[0];")
        src("  if (lid == 0) out[m] = ai;")
        return src
    if name in ("amax", "amin"):
        lo, hi = _LIMITS[a.c]
        ident = lo if name == "amax" else hi
        op = ">" if name == "amax" else "<"
        nan = "|| isnan({a})" if a.kind == "f" else ""
        combine = f"(({{a}} {op} {{b}} {nan}) ? {{a}} : {{b}})"
    else:
        combine, ident = _NUMERIC[name][0], _NUMERIC[name][1](a)
        if name in ("any", "all"):
            value = f"({t.load('x', 'xo')} != 0)"
    src(f"  {a.c} acc = {ident};",
        f"  for (long i = lid; i < R; i += {group}) {{",
        "    long xo = base;", layout.unravel_code("i", "r", [("xo", "rs")], nr),
        f"    {a.c} v = {value};",
        f"    acc = {combine.format(a='acc', b='v')};",
        "  }")
    if group > 1:
        src(f"  __local {a.c} sv[{group}];",
            "  sv[lid] = acc; barrier(CLK_LOCAL_MEM_FENCE);",
            f"  for (int s = {group // 2}; s > 0; s >>= 1) {{",
            f"    if (lid < s) sv[lid] = {combine.format(a='sv[lid]', b='sv[lid + s]')};",
            "    barrier(CLK_LOCAL_MEM_FENCE);",
            "  }",
            "  acc = sv[0];")
    if name == "mean":
        src("  acc = acc / R;")
    src("  if (lid == 0) " + o.store("out", "m", "acc", a))
    return src


def _divide(x, n):
    from .elementwise import apply

    return apply("div", x, n)


def argreduce(name, x, axis, keepdims):
    if axis is None:
        flat = x if x.contiguous else _copy(x)
        flat = flat.view_of(flat.offset, (flat.size,), (1,))
        out = reduce(name, flat, (0,), False)
        if keepdims:
            out = out.view_of(out.offset, (1,) * x.ndim, (0,) * x.ndim)
        return out
    return reduce(name, x, (axis,), keepdims)


def _copy(x):
    from .elementwise import copy

    return copy(x)


# -- scans -----------------------------------------------------------------------------
def scan(name, x, axis):
    """cumsum / cumprod along ``axis``: one work-item per line, in order."""
    acc = I64 if x.dtype.kind in "biu" else x.dtype
    out = empty(x.device, x.shape, acc)
    if out.size == 0:
        return out
    if x.ndim == 0:
        from .elementwise import assign

        return assign(out, x)
    axis %= x.ndim
    n = x.shape[axis]
    kshape, kstr, _, _ = layout.split_axes(x.shape, x.est, (axis,))
    _, ostr, _, _ = layout.split_axes(out.shape, out.est, (axis,))
    kshape, (kstr, ostr) = layout.collapse(kshape, kstr, ostr)
    kshape, (kstr, ostr) = layout.pad(kshape, kstr, ostr)
    nk, dev = layout.MAXD, x.device

    def request(dtype):
        acc = I64 if dtype.kind in "biu" else dtype
        return ("scan", name, dtype), lambda: _scan_source(name, dtype, acc, nk, dev)

    key, make = request(x.dtype)
    knl = dev.kernel(key, make, name, lambda: [request(d) for d in DTYPES])
    x.device.launch(knl, math.prod(kshape), out.data, x.data, x.offset, *kshape,
        *kstr, *ostr, n, x.est[axis], out.est[axis])
    return out


def _scan_source(name, dtype, acc, nk, device):
    device.check_dtype(dtype)
    t, a = ctype(dtype), ctype(acc)
    op = "+" if name == "cumsum" else "*"
    src = Source()
    src.buffer("out", acc)
    src.buffer("x", dtype, const=True)
    src.longs(["xoff", *layout.params("k", nk), *layout.params("ks", nk),
               *layout.params("os", nk), "n", "xs", "ys"])
    src(src.index("m"), "  long xo = xoff, oo = 0;",
        layout.unravel_code("m", "k", [("xo", "ks"), ("oo", "os")], nk),
        f"  {a.c} acc = {'0' if op == '+' else '1'};",
        "  for (long i = 0; i < n; i++) {",
        f"    acc = acc {op} {convert(t.load('x', 'xo + i * xs'), t, a)};",
        "    " + a.store("out", "oo + i * ys", "acc", a),
        "  }")
    return src


# -- fused row-wise kernels ------------------------------------------------------------
def rowwise(name, x, axis, keepdims=True):
    """softmax / log_softmax (same shape) or logsumexp (reduced) along one axis."""
    axis %= max(x.ndim, 1)
    if x.ndim == 0:
        x = x.view_of(x.offset, (1,), (0,))
    n = x.shape[axis]
    acc = np.dtype("f8") if x.dtype.char == "d" else np.dtype("f4")
    if name == "logsumexp":
        shape = tuple(1 if i == axis else s for i, s in enumerate(x.shape))
        if not keepdims:
            shape = tuple(s for i, s in enumerate(x.shape) if i != axis)
        out = empty(x.device, shape, x.dtype)
        ostr = out.est if keepdims else layout.basic_index(
            out.offset, out.shape, out.est, (slice(None),) * axis + (None, Ellipsis))[2]
    else:
        out = empty(x.device, x.shape, x.dtype)
        ostr = out.est
    m = out.size if name == "logsumexp" else out.size // max(n, 1)
    if m == 0 or n == 0:
        if name == "logsumexp" and m:
            return full(x.device, out.shape, float("-inf"), x.dtype)
        return out
    kshape, kstr, _, _ = layout.split_axes(x.shape, x.est, (axis,))
    _, kostr, _, _ = layout.split_axes(x.shape, ostr, (axis,))
    kshape, (kstr, kostr) = layout.collapse(kshape, kstr, kostr)
    kshape, (kstr, kostr) = layout.pad(kshape, kstr, kostr)
    key = ("rowwise", name, x.dtype)
    knl = x.device.kernel(key, lambda: _rowwise_source(name, x.dtype, acc, layout.MAXD), name)
    x.device.launch(knl, m, out.data, x.data, x.offset, *kshape, *kstr, *kostr, n,
        x.est[axis], ostr[axis])
    return out


def _rowwise_source(name, dtype, acc, nk):
    t, a = ctype(dtype), ctype(acc)
    src = Source()
    src.buffer("out", dtype)
    src.buffer("x", dtype, const=True)
    src.longs(["xoff", *layout.params("k", nk), *layout.params("ks", nk),
               *layout.params("os", nk), "n", "xs", "ys"])
    v = convert(t.load("x", "xo + i * xs"), t, a)
    src(src.index("m"), "  long xo = xoff, oo = 0;",
        layout.unravel_code("m", "k", [("xo", "ks"), ("oo", "os")], nk),
        f"  {a.c} peak = -INFINITY, total = 0;",
        f"  for (long i = 0; i < n; i++) {{ {a.c} v = {v}; if (v > peak || isnan(v)) peak = v; }}",
        # logsumexp shifts by a finite peak (0 for an infinite one); softmax and
        # log_softmax keep it, so that a row with an infinite peak is nan, as in PyTorch
        "  if (isinf(peak)) peak = 0;" if name == "logsumexp" else "",
        f"  for (long i = 0; i < n; i++) total += exp({v} - peak);")
    if name == "logsumexp":
        src("  " + t.store("out", "oo", "log(total) + peak", a))
    elif name == "log_softmax":  # (x - peak) - log(total): no cancellation at large x
        src(f"  {a.c} lt = log(total);",
            "  for (long i = 0; i < n; i++) "
            + t.store("out", "oo + i * ys", f"({v} - peak) - lt", a))
    else:
        src("  for (long i = 0; i < n; i++) "
            + t.store("out", "oo + i * ys", f"exp({v} - peak) / total", a))
    return src



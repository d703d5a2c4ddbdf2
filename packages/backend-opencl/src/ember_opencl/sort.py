"""Sorting: a bitonic network over each line padded to a power of two.

Ties are broken by the original position, so every sort is stable (the op list's
``stable`` flag is always honoured). NaN sorts last ascending and first descending, as
in NumPy and PyTorch. Lines that fit in local memory sort in one work-group and one
launch; longer lines take one launch per stage of the network.
"""

from __future__ import annotations

import math

import numpy as np

from . import layout
from .array import empty
from .codegen import Source, ctype

I64 = np.dtype("i8")


def _before(t, descending):
    """C function before(a, ia, b, ib): does (a, ia) come first? (padding comes last)"""
    nan = (lambda v: f"isnan({v})") if t.kind == "f" else (lambda v: "0")
    first = "a > b" if descending else "a < b"
    return f"""
inline int before({t.c} a, long ia, {t.c} b, long ib, long n) {{
  if (ia >= n) return 0;
  if (ib >= n) return 1;
  int an = {nan('a')}, bn = {nan('b')};
  if (an || bn) return (an && bn) ? ia < ib : {'an' if descending else 'bn'};
  if (a != b) return {first};
  return ia < ib;
}}"""


def _step(t):
    """C statements: one compare-exchange of elements i and i + j of the line at `line`."""
    return f"""
    long l = i + j;
    {t.c} a = {t.load('K', 'line + i')}, b = {t.load('K', 'line + l')};
    long ia = I[line + i], ib = I[line + l];
    int up = (i & k) == 0;
    if (up ? before(b, ib, a, ia, n) : before(a, ia, b, ib, n)) {{
      {t.store('K', 'line + i', 'b', t)} {t.store('K', 'line + l', 'a', t)}
      I[line + i] = ib; I[line + l] = ia;
    }}"""


def sort_lines(keys, descending=False):
    """Sort the rows of a contiguous (M, n) array: (sorted keys, int64 positions)."""
    dev = keys.device
    m, n = keys.shape
    p = 1 << max(math.ceil(math.log2(max(n, 1))), 0)
    t = ctype(keys.dtype)
    kbuf = empty(dev, (m, p), keys.dtype)
    ibuf = empty(dev, (m, p), I64)
    if keys.size == 0:
        return keys, empty(dev, keys.shape, I64)
    init = dev.kernel(("sort_init", keys.dtype), lambda: _init_source(keys.dtype), "sort")
    dev.launch(init, m * p, kbuf.data, ibuf.data, keys.data, keys.offset, p, n,
         keys.est[0])
    half = p // 2
    if 1 < p and half <= min(dev.max_group, 1024):  # one work-group sorts a line
        knl = dev.kernel(("sort_local", keys.dtype, descending, p),
                         lambda: _local_source(t, descending, p), "sort")
        knl(dev.queue, (m * half,), (half,), kbuf.data, ibuf.data, n)
    elif p > 1:  # one launch per stage
        knl = dev.kernel(("sort_pass", keys.dtype, descending),
                         lambda: _pass_source(t, descending), "sort")
        k = 2
        while k <= p:
            j = k // 2
            while j >= 1:
                dev.launch(knl, m * half, kbuf.data, ibuf.data, p, j, k, n)
                j //= 2
            k *= 2
    return kbuf.view_of(0, (m, n), (p, 1)), ibuf.view_of(0, (m, n), (p, 1))


def _init_source(dtype):
    t = ctype(dtype)
    src = Source()
    src.buffer("K", dtype)
    src.buffer("I", I64)
    src.buffer("x", dtype, const=True)
    src.longs(["xoff", "P", "n", "xs"])
    src(src.index("g"), "  long m = g / P, i = g % P;",
        "  I[g] = i;",
        "  if (i < n) " + t.store("K", "g", t.load("x", "xoff + m * xs + i"), t))
    return src


def _pass_source(t, descending):
    src = Source()
    src.preamble.append(_before(t, descending))
    src.buffer("K", t.dtype)
    src.buffer("I", I64)
    src.longs(["P", "j", "k", "n"])
    src(src.index("g"), "  long hp = P / 2, line = (g / hp) * P, q = g % hp;",
        "  long i = 2 * j * (q / j) + (q % j);",
        "  {" + _step(t) + "\n  }")
    return src


def _local_source(t, descending, p):
    src = Source()
    src.preamble.append(_before(t, descending))
    src.buffer("K", t.dtype)
    src.buffer("I", I64)
    src.longs(["n"])
    # the line is sorted in place in global memory by one work-group; barriers order it
    src("  long q = get_local_id(0), line = get_group_id(0) * " + str(p) + ";",
        f"  for (long k = 2; k <= {p}; k <<= 1) {{",
        "    for (long j = k >> 1; j > 0; j >>= 1) {",
        "      long i = 2 * j * (q / j) + (q % j);",
        "      {" + _step(t) + "\n      }",
        "      barrier(CLK_GLOBAL_MEM_FENCE);",
        "    }",
        "  }")
    return src


def sort(x, axis, descending, stable=True):
    """(values, int64 indices) of ``x`` sorted along ``axis``."""
    from .elementwise import assign, copy

    if x.ndim == 0:
        return copy(x), _zeros_like_index(x)
    axis %= x.ndim
    order = [d for d in range(x.ndim) if d != axis] + [axis]
    moved = x.view_of(x.offset, *layout.permute(x.shape, x.est, order))
    lines = copy(moved) if not moved.contiguous else moved
    n = x.shape[axis]
    lines = lines.view_of(lines.offset, (lines.size // max(n, 1), n), (n, 1))
    keys, idx = sort_lines(lines, descending)
    values = empty(x.device, x.shape, x.dtype)
    indices = empty(x.device, x.shape, I64)
    for dst, src in ((values, keys), (indices, idx)):
        view = dst.view_of(0, *layout.permute(dst.shape, dst.est, order))
        # the (M, n) lines read back as (..., n)
        assign(view, src.view_of(src.offset, *layout.view_as(
            src.shape, src.est, view.shape, range(len(view.shape)))))
    return values, indices


def _zeros_like_index(x):
    from .elementwise import full

    return full(x.device, x.shape, 0, I64)

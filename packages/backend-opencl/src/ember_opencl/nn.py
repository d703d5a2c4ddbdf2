"""Convolution and pooling kernels: im2col, col2im and max_pool, one launch each, for any
number of spatial dims. Convolution itself is core's decomposition (im2col, then matmul on
CLBlast); max_pool_backward is core's (a deterministic add_along_axis per plane).

x is (N, C, *spatial); kernel_size, stride, padding and dilation hold one int per axis.
"""

from __future__ import annotations

import numpy as np

from . import layout
from .array import empty
from .codegen import Source, ctype

I64 = np.dtype("i8")


def out_size(size, k, s, p, d, ceil_mode=False):
    span = size + 2 * p - d * (k - 1) - 1
    if ceil_mode:
        n = -(-span // s) + 1
        if (n - 1) * s >= size + p:  # the last window must start inside the input or left pad
            n -= 1
        return n
    return span // s + 1


def _geometry(nd):
    """Kernel parameters of the window geometry: per axis kernel, stride, pad, dilation."""
    return [f"{p}{i}" for p in ("K", "S", "P", "D") for i in range(nd)]


def im2col(x, kernel_size, stride, padding, dilation):
    nd = len(kernel_size)
    out = tuple(out_size(n, *a) for n, *a in zip(x.shape[2:], kernel_size, stride, padding,
                                                 dilation))
    cols = empty(x.device, x.shape[:2] + tuple(kernel_size) + out, x.dtype)
    if cols.size:
        dev = x.device
        knl = dev.kernel(("im2col", x.dtype, nd), lambda: _im2col_source(x.dtype, nd), "im2col")
        dev.launch(knl, cols.size, cols.data, x.data, x.offset, *x.shape, *x.est, *out,
                   *kernel_size, *stride, *padding, *dilation)
    return cols


def _im2col_source(dtype, nd):
    t = ctype(dtype)
    src = Source()
    src.buffer("out", dtype)
    src.buffer("x", dtype, const=True)
    src.longs(["xoff", "N", "C", *layout.params("X", nd), "xn", "xc",
               *layout.params("xs", nd), *layout.params("O", nd), *_geometry(nd)])
    src(src.index("g"), "  long r = g, xo = xoff; int inside = 1;")
    for i in reversed(range(nd)):  # output position, then kernel offset, per axis
        src(f"  long o{i} = r % O{i}; r /= O{i};")
    for i in reversed(range(nd)):
        src(f"  long k{i} = r % K{i}; r /= K{i};")
    src("  long c = r % C, n = r / C; xo += n * xn + c * xc;")
    for i in range(nd):
        src(f"  {{ long y = o{i} * S{i} + k{i} * D{i} - P{i};",
            f"    inside &= (y >= 0) & (y < X{i}); xo += y * xs{i}; }}")
    src("  " + t.store("out", "g", f"(inside ? {t.load('x', 'xo')} : 0)", t))
    return src


def col2im(cols, input_shape, kernel_size, stride, padding, dilation):
    """The adjoint of im2col: each input element gathers the window entries that read it
    (no atomics; a fixed order, so results are deterministic)."""
    nd = len(kernel_size)
    out = cols.shape[2 + nd:]
    x = empty(cols.device, tuple(input_shape), cols.dtype)
    if x.size:
        dev = cols.device
        acc = np.dtype("f8") if cols.dtype.char == "d" else (
            np.dtype("f4") if cols.dtype.kind == "f" or cols.dtype.kind == "V" else I64)
        knl = dev.kernel(("col2im", cols.dtype, nd),
                         lambda: _col2im_source(cols.dtype, acc, nd), "col2im")
        dev.launch(knl, x.size, x.data, cols.data, cols.offset, *input_shape, *cols.est, *out,
                   *kernel_size, *stride, *padding, *dilation)
    return x


def _col2im_source(dtype, acc, nd):
    t, a = ctype(dtype), ctype(acc)
    src = Source()
    src.buffer("x", dtype)
    src.buffer("cols", dtype, const=True)
    src.longs(["coff", "N", "C", *layout.params("X", nd), "cn", "cc",
               *layout.params("ck", nd), *layout.params("co", nd), *layout.params("O", nd),
               *_geometry(nd)])
    src(src.index("g"), "  long r = g;")
    for i in reversed(range(nd)):
        src(f"  long y{i} = r % X{i}; r /= X{i};")
    src("  long c = r % C, n = r / C;",
        f"  {a.c} acc = 0;",
        "  long base = coff + n * cn + c * cc;")
    for i in range(nd):  # a loop per axis over the kernel offsets that can reach y
        src(f"  for (long k{i} = 0; k{i} < K{i}; k{i}++) {{",
            f"    long t{i} = y{i} + P{i} - k{i} * D{i};",
            f"    if (t{i} < 0 || t{i} % S{i}) continue;",
            f"    long o{i} = t{i} / S{i}; if (o{i} >= O{i}) continue;")
    offset = " + ".join(f"k{i} * ck{i} + o{i} * co{i}" for i in range(nd))
    src(f"    acc += {t.load('cols', f'base + {offset}')};", "  }" * nd,
        "  " + t.store("x", "g", "acc", a))
    return src


def max_pool(x, kernel_size, stride, padding, dilation, ceil_mode):
    """Window maxima (padding counts as -inf) and the flat in-plane index of the first
    maximum; a NaN wins, as in PyTorch."""
    nd = len(kernel_size)
    out = tuple(out_size(n, *a, ceil_mode) for n, *a in zip(x.shape[2:], kernel_size, stride,
                                                            padding, dilation))
    shape = x.shape[:2] + out
    values = empty(x.device, shape, x.dtype)
    indices = empty(x.device, shape, I64)
    if values.size:
        dev = x.device
        knl = dev.kernel(("max_pool", x.dtype, nd), lambda: _max_pool_source(x.dtype, nd),
                         "max_pool")
        dev.launch(knl, values.size, values.data, indices.data, x.data, x.offset, *x.shape,
                   *x.est, *out, *kernel_size, *stride, *padding, *dilation)
    return values, indices


def _max_pool_source(dtype, nd):
    t = ctype(dtype)
    nan = (lambda v: f"isnan({v})") if t.kind == "f" else (lambda v: "0")
    src = Source()
    src.buffer("vals", dtype)
    src.buffer("idx", I64)
    src.buffer("x", dtype, const=True)
    src.longs(["xoff", "N", "C", *layout.params("X", nd), "xn", "xc",
               *layout.params("xs", nd), *layout.params("O", nd), *_geometry(nd)])
    src(src.index("g"), "  long r = g;")
    for i in reversed(range(nd)):
        src(f"  long o{i} = r % O{i}; r /= O{i};")
    src("  long c = r % C, n = r / C, base = xoff + n * xn + c * xc;",
        f"  {t.c} best = 0; long bi = -1;")
    for i in range(nd):
        src(f"  for (long k{i} = 0; k{i} < K{i}; k{i}++) {{",
            f"    long y{i} = o{i} * S{i} + k{i} * D{i} - P{i};",
            f"    if (y{i} < 0 || y{i} >= X{i}) continue;")
    offset = " + ".join(f"y{i} * xs{i}" for i in range(nd))
    flat = "0"
    for i in range(nd):
        flat = f"({flat}) * X{i} + y{i}"
    src(f"    {t.c} v = {t.load('x', f'base + {offset}')};",
        f"    if (bi < 0 || v > best || ({nan('v')} && !{nan('best')})) {{ best = v; "
        f"bi = {flat}; }}",
        "  }" * nd,
        "  " + t.store("vals", "g", "best", t),
        "  idx[g] = bi;")
    return src


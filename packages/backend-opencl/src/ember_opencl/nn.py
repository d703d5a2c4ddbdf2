"""Convolution and pooling: im2col, col2im and max_pool kernels (one launch each, any
number of spatial dims) and convolutions as single large matmuls (CLBlast).

Convolution lays the windows out as one (C * prod(kernel), N * positions) matrix, so the
forward pass and both gradients are one GEMM each instead of one small GEMM per sample.
Grouped convolutions use core's decomposition. max_pool_backward is core's too (a
deterministic add_along_axis per plane).

x is (N, C, *spatial); kernel_size, stride, padding and dilation hold one int per axis.
"""

from __future__ import annotations

import math

import numpy as np

from ember.backends._shapes import out_size

from . import layout
from .array import empty
from .codegen import Source, ctype
from .elementwise import copy, full

I64 = np.dtype("i8")


def _geometry(nd):
    """Kernel parameters of the window geometry: per axis kernel, stride, pad, dilation."""
    return [f"{p}{i}" for p in ("K", "S", "P", "D") for i in range(nd)]


def _window_params(src, dtype, nd):
    """The last parameters of the kernels that read x's windows (im2col, max_pool): x, its
    offset, shape (N, C, *X) and strides (xn, xc, *xs), the output's spatial shape O and the
    geometry. ``_window_args`` gives the matching arguments."""
    src.buffer("x", dtype, const=True)
    src.longs(["xoff", "N", "C", *layout.params("X", nd), "xn", "xc",
               *layout.params("xs", nd), *layout.params("O", nd), *_geometry(nd)])


def _window_args(x, out, kernel_size, stride, padding, dilation):
    return (x.data, x.offset, *x.shape, *x.est, *out, *kernel_size, *stride, *padding,
            *dilation)


def _split(src, var, dims, axes):
    """Code that takes an index per axis, ``{var}{i}`` < ``{dims}{i}``, off the running
    flat index r, the last axis fastest."""
    for i in reversed(axes):
        src(f"  long {var}{i} = r % {dims}{i}; r /= {dims}{i};")


def _out(x, kernel_size, stride, padding, dilation, ceil_mode=False):
    return tuple(out_size(n, *a, ceil_mode) for n, *a in zip(
        x.shape[2:], kernel_size, stride, padding, dilation))


# -- im2col / col2im -------------------------------------------------------------------------
def _windows(x, cols, kernel_size, stride, padding, dilation, out):
    """Fill ``cols`` (any layout, dims (N, C, *kernel, *out)) with x's windows: a work-item
    per row of the last output axis, so index math is paid once per row."""
    nd = len(kernel_size)
    rows = cols.size // out[-1]
    if rows:
        dev = x.device
        knl = dev.kernel(("im2col", x.dtype, nd), lambda: _im2col_source(x.dtype, nd), "im2col")
        dev.launch(knl, rows, cols.data, cols.offset, *cols.est,
                   *_window_args(x, out, kernel_size, stride, padding, dilation))
    return cols


def _im2col_source(dtype, nd):
    t = ctype(dtype)
    last = nd - 1
    src = Source()
    src.buffer("out", dtype)
    src.longs(["ooff", "on", "oc", *layout.params("ok", nd), *layout.params("oo", nd)])
    _window_params(src, dtype, nd)
    src(src.index("g"), "  long r = g, xo = xoff, oo = ooff; int inside = 1;")
    # the output position (all but the last axis), then the kernel offset
    _split(src, "o", "O", range(last))
    for i in reversed(range(nd)):
        src(f"  long k{i} = r % K{i}; r /= K{i}; oo += k{i} * ok{i};")
    src("  long c = r % C, n = r / C; xo += n * xn + c * xc; oo += n * on + c * oc;")
    for i in range(last):
        src(f"  {{ long y = o{i} * S{i} + k{i} * D{i} - P{i};",
            f"    inside &= (y >= 0) & (y < X{i}); xo += y * xs{i}; oo += o{i} * oo{i}; }}")
    src(f"  long y = k{last} * D{last} - P{last};",
        f"  for (long q = 0; q < O{last}; q++, y += S{last}) {{",
        f"    int ok = inside & (y >= 0) & (y < X{last});",
        "    " + t.store("out", f"oo + q * oo{last}",
                         f"(ok ? {t.load('x', f'xo + y * xs{last}')} : 0)", t),
        "  }")
    return src


def im2col(x, kernel_size, stride, padding, dilation):
    out = _out(x, kernel_size, stride, padding, dilation)
    cols = empty(x.device, x.shape[:2] + tuple(kernel_size) + out, x.dtype)
    return _windows(x, cols, kernel_size, stride, padding, dilation, out) if cols.size else cols


def col2im(cols, input_shape, kernel_size, stride, padding, dilation):
    """The adjoint of im2col: each input element gathers the window entries that read it
    (no atomics; a fixed order, so results are deterministic). ``cols`` may be strided."""
    nd = len(kernel_size)
    out = cols.shape[2 + nd:]
    x = empty(cols.device, tuple(input_shape), cols.dtype)
    if x.size:
        dev = cols.device
        acc = np.dtype("f8") if cols.dtype.char == "d" else (
            I64 if cols.dtype.kind in "biu" else np.dtype("f4"))
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
    _split(src, "y", "X", range(nd))
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


# -- convolution as one GEMM ---------------------------------------------------------------
def _cols_matrix(x, kernel_size, stride, padding, dilation):
    """x's windows as a (C * prod(kernel), N * prod(out)) matrix, and out."""
    n, c = x.shape[:2]
    out = _out(x, kernel_size, stride, padding, dilation)
    ck, npos = c * math.prod(kernel_size), n * math.prod(out)
    mat = empty(x.device, (ck, npos), x.dtype)
    if mat.size:
        _windows(x, _as_windows(mat, n, c, kernel_size, out), kernel_size, stride, padding,
                 dilation, out)
    return mat, out


def _as_windows(mat, n, c, kernel_size, out):
    """A (C * K, N * P) matrix viewed as im2col's (N, C, *kernel, *out)."""
    nd = len(kernel_size)
    dims = (c, *kernel_size, n, *out)
    order = (1 + nd, 0, *range(1, 1 + nd), *range(2 + nd, 2 + 2 * nd))
    return mat.view_of(mat.offset, *layout.view_as(mat.shape, mat.est, dims, order))


def _as_matrix(a, rows, cols):
    st = layout.reshape(a.shape, a.est, (rows, cols))
    if st is None:
        a, st = copy(a), layout.contiguous((rows, cols))
    return a.view_of(a.offset, (rows, cols), st)


def _transpose(a):
    return a.view_of(a.offset, *layout.transpose(a.shape, a.est))


def _by_sample(mat, n, o, out):
    """A (O, N * P) matrix as a contiguous (N, O, *out) array."""
    p = math.prod(out)
    res = copy(mat.view_of(mat.offset, *layout.view_as(mat.shape, mat.est, (o, n, p),
                                                       (1, 0, 2))))
    return _as_shape(res, (n, o, *out))


def _by_channel(g):
    """A (N, O, *out) array as a contiguous (O, N * P) matrix."""
    n, o = g.shape[:2]
    p = math.prod(g.shape[2:])
    g3 = _as_matrix(g, n * o, p)
    res = copy(g3.view_of(g3.offset, *layout.view_as(g3.shape, g3.est, (n, o, p), (1, 0, 2))))
    return _as_shape(res, (o, n * p))


def _as_shape(a, shape):
    """A contiguous array viewed as ``shape``."""
    return a.view_of(a.offset, shape, layout.contiguous(shape))


def convolution(k, x, w, stride, padding, dilation, groups):
    from ember.backends import decompositions

    if groups != 1:
        return decompositions.convolution(k, x, w, stride, padding, dilation, groups)
    from .linalg import matmul

    o = w.shape[0]
    cols, out = _cols_matrix(x, w.shape[2:], stride, padding, dilation)
    res = matmul(_as_matrix(w, o, cols.shape[0]), cols)  # (O, N * P)
    return _by_sample(res, x.shape[0], o, out)


def convolution_backward_weight(k, x, g, weight_shape, stride, padding, dilation, groups):
    from ember.backends import decompositions

    if groups != 1:
        return decompositions.convolution_backward_weight(k, x, g, weight_shape, stride,
                                                          padding, dilation, groups)
    from .linalg import matmul

    cols, _ = _cols_matrix(x, weight_shape[2:], stride, padding, dilation)
    gw = matmul(_by_channel(g), _transpose(cols))  # (O, C * prod(kernel))
    return _as_shape(gw, tuple(weight_shape))


def convolution_backward_input(k, g, w, input_shape, stride, padding, dilation, groups):
    from ember.backends import decompositions

    if groups != 1:
        return decompositions.convolution_backward_input(k, g, w, input_shape, stride,
                                                         padding, dilation, groups)
    from .linalg import matmul

    n, c = input_shape[:2]
    kernel_size, out = tuple(w.shape[2:]), tuple(g.shape[2:])
    o = w.shape[0]
    ck = c * math.prod(kernel_size)
    dcols = matmul(_transpose(_as_matrix(w, o, ck)), _by_channel(g))  # (C * K, N * P)
    if dcols.size == 0:
        return full(g.device, tuple(input_shape), 0, g.dtype)
    return col2im(_as_windows(dcols, n, c, kernel_size, out), tuple(input_shape),
                  kernel_size, stride, padding, dilation)


# -- pooling ---------------------------------------------------------------------------------
def max_pool(x, kernel_size, stride, padding, dilation, ceil_mode):
    """Window maxima (padding counts as -inf) and the flat in-plane index of the first
    maximum; a NaN wins, as in PyTorch."""
    nd = len(kernel_size)
    out = _out(x, kernel_size, stride, padding, dilation, ceil_mode)
    shape = x.shape[:2] + out
    values = empty(x.device, shape, x.dtype)
    indices = empty(x.device, shape, I64)
    if values.size:
        dev = x.device
        knl = dev.kernel(("max_pool", x.dtype, nd), lambda: _max_pool_source(x.dtype, nd),
                         "max_pool")
        dev.launch(knl, values.size, values.data, indices.data,
                   *_window_args(x, out, kernel_size, stride, padding, dilation))
    return values, indices


def _max_pool_source(dtype, nd):
    t = ctype(dtype)
    nan = (lambda v: f"isnan({v})") if t.kind == "f" else (lambda v: "0")
    src = Source()
    src.buffer("vals", dtype)
    src.buffer("idx", I64)
    _window_params(src, dtype, nd)
    src(src.index("g"), "  long r = g;")
    _split(src, "o", "O", range(nd))
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

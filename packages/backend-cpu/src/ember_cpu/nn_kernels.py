"""CPU fast paths for convolution and pooling (optional ops of ``ember.backends.base``).

Convolution is im2col + batched BLAS matmuls, with no Python loop over batch or channels:
the windows of the padded input are read through a strided view and copied once into a
``(N, groups, C/groups * prod(kernel), positions)`` matrix, so ``w @ cols`` writes the output
straight into NCHW order. Stride-1 convolutions (the common 3x3 / padding 1 case) work on the
flattened padded grid, where every kernel offset is a fixed shift: the im2col copy and the
col2im adds run over long contiguous rows, and the weight gradient is one GEMM over batch
and positions. Temporaries live in per-thread scratch buffers, and the memory-bound steps
are split over the batch on a few threads. Max pooling with 2x2 windows and stride 2 (the
common case) is pairwise maxima of strided views; other windows take one argmax over a
strided window view.
"""

from __future__ import annotations

import itertools
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ember.backends._shapes import out_size


def _pad(x, before, after, value=0):
    if not any(before) and not any(after):
        return x
    shape = x.shape[:2] + tuple(n + b + a for n, b, a in
                                zip(x.shape[2:], before, after, strict=True))
    out = np.empty(shape, x.dtype)
    out.fill(value)
    out[(slice(None), slice(None)) + tuple(slice(b, b + n) for n, b in
                                           zip(x.shape[2:], before, strict=True))] = x
    return out


def _window_view(xp, kernel_size, stride, dilation, out):
    """A (N, C, *kernel_size, *out) strided view of the windows of the padded input."""
    st = xp.strides
    nd = len(kernel_size)
    strides = st[:2] + tuple(st[2 + i] * dilation[i] for i in range(nd)) + tuple(
        st[2 + i] * stride[i] for i in range(nd))
    return as_strided(xp, xp.shape[:2] + tuple(kernel_size) + tuple(out), strides,
                      writeable=False)


def _sizes(spatial, kernel_size, stride, padding, dilation):
    return tuple(out_size(n, k, s, p, d) for n, k, s, p, d in
                 zip(spatial, kernel_size, stride, padding, dilation, strict=True))


def _matmul(a, b):
    """np.matmul that keeps bfloat16 (NumPy would return float32), accumulating in float32."""
    if a.dtype.kind == "V":
        return np.matmul(a.astype(np.float32), b.astype(np.float32)).astype(a.dtype)
    return np.matmul(a, b)


# -- threads ---------------------------------------------------------------------------------
# NumPy releases the GIL inside its loops, so the memory-bound parts of these kernels (im2col
# copies, col2im adds, pooling) split over the batch run in parallel on a few threads, as
# BLAS already does for the matmuls. EMBER_NUM_THREADS (else OMP_NUM_THREADS, else the CPUs
# this process may use) sets the number; 1 keeps everything on the calling thread.
_MIN_PARALLEL = 1 << 16  # elements: below this, thread hand-offs cost more than they save
_pool = None
_pool_pid = None


def _threads():
    for var in ("EMBER_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(var, "")
        if value.strip().isdigit() and int(value) > 0:
            return min(int(value), 16)
    try:
        return max(1, min(len(os.sched_getaffinity(0)), 16))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, min(os.cpu_count() or 1, 16))


def _parallel(n, fn, work):
    """``fn(lo, hi)`` over [0, n) in contiguous chunks, one per thread."""
    global _pool, _pool_pid
    k = min(_threads(), n)
    if k <= 1 or work < _MIN_PARALLEL or threading.current_thread() in _workers:
        fn(0, n)
        return
    if _pool is None or _pool_pid != os.getpid():  # a forked child has no worker threads
        _pool = ThreadPoolExecutor(max_workers=15, thread_name_prefix="ember-cpu",
                                   initializer=lambda: _workers.add(threading.current_thread()))
        _pool_pid = os.getpid()
    bounds = [n * i // k for i in range(k + 1)]
    futures = [_pool.submit(fn, bounds[i], bounds[i + 1]) for i in range(1, k)]
    try:
        fn(bounds[0], bounds[1])
    finally:
        for f in futures:
            f.result()


_workers: set = set()


# -- scratch buffers -----------------------------------------------------------------------
# The convolution kernels' big temporaries (padded input, im2col matrix, GEMM result) are
# reused between calls instead of allocated afresh: a fresh multi-megabyte array costs a
# page fault per 4 KiB once the allocator has handed the memory back to the system, which
# can take as long as the arithmetic. One growing buffer per slot and thread; contents are
# undefined on return. Buffers above _SCRATCH_LIMIT bytes are not kept.
_scratch_local = threading.local()
_SCRATCH_LIMIT = 1 << 28


def _scratch(slot, shape, dtype):
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > _SCRATCH_LIMIT:
        return np.empty(shape, dtype)
    pool = getattr(_scratch_local, "pool", None)
    if pool is None:
        pool = _scratch_local.pool = {}
    buf = pool.get(slot)
    if buf is None or buf.nbytes < nbytes:
        buf = pool[slot] = np.empty(max(nbytes, 64), np.uint8)
    return buf[:nbytes].view(dtype).reshape(shape)


def clear_scratch():
    """Release this thread's scratch buffers."""
    _scratch_local.pool = {}


def _matmul_into(a, b, slot):
    """``a @ b`` into a scratch buffer (a fresh array for bfloat16, see _matmul)."""
    if a.dtype.kind == "V":
        return _matmul(a, b)
    shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (a.shape[-2], b.shape[-1])
    return np.matmul(a, b, out=_scratch(slot, shape, np.result_type(a, b)))


def _copy_into(view, slot=None):
    """A C-contiguous copy of view (into a scratch buffer when slot is given), in parallel."""
    out = np.empty(view.shape, view.dtype) if slot is None else \
        _scratch(slot, view.shape, view.dtype)

    def part(lo, hi):
        np.copyto(out[lo:hi], view[lo:hi])
    _parallel(view.shape[0], part, view.size)
    return out


def _is_pointwise(kernel_size, stride, padding):
    return all(k == 1 for k in kernel_size) and all(s == 1 for s in stride) and not any(padding)


def im2col(x, kernel_size, stride, padding, dilation):
    out = _sizes(x.shape[2:], kernel_size, stride, padding, dilation)
    xp = _pad(x, padding, padding)
    return _copy_into(_window_view(xp, kernel_size, stride, dilation, out))


def col2im(cols, input_shape, kernel_size, stride, padding, dilation):
    nd = len(kernel_size)
    spatial = tuple(input_shape[2:])
    out = cols.shape[2 + nd:]
    if _is_pointwise(kernel_size, stride, padding):
        return np.ascontiguousarray(cols.reshape(input_shape))
    padded = tuple(n + 2 * p for n, p in zip(spatial, padding, strict=True))
    acc = np.zeros(tuple(input_shape[:2]) + padded, cols.dtype)
    flat = cols.reshape(cols.shape[:2] + (-1,) + tuple(out))
    for i, offset in enumerate(itertools.product(*(range(k) for k in kernel_size))):
        key = (slice(None), slice(None)) + tuple(
            slice(j * d, j * d + (o - 1) * s + 1, s)
            for j, d, s, o in zip(offset, dilation, stride, out, strict=True))
        acc[key] += flat[:, :, i]
    if not any(padding):
        return acc
    return np.ascontiguousarray(acc[(slice(None), slice(None)) + tuple(
        slice(p, p + n) for n, p in zip(spatial, padding, strict=True))])


def _cols(x, kernel_size, stride, padding, dilation, groups):
    """im2col of x as (N, groups, C/groups * prod(kernel), prod(out)), and out."""
    n, c = x.shape[:2]
    if _is_pointwise(kernel_size, stride, padding):
        return x.reshape(n, groups, c // groups, -1), x.shape[2:]
    out = _sizes(x.shape[2:], kernel_size, stride, padding, dilation)
    xp = _pad(x, padding, padding)
    cols = _copy_into(_window_view(xp, kernel_size, stride, dilation, out), "cols")
    return cols.reshape(n, groups, -1, math.prod(out)), out


# -- stride-1 convolution over the padded-width grid -----------------------------------------
# With stride 1, every kernel offset reads the flattened zero-padded input at a fixed shift, so
# im2col copies and col2im adds run over long contiguous rows. Outputs are computed on the
# padded grid (a few garbage columns per row, dropped afterwards). It pays when the im2col
# matrix (C/groups * prod(kernel) rows) is larger than the output (O/groups rows).
class _Flat:
    def __init__(self, spatial, kernel_size, padding, dilation):
        nd = len(spatial)
        self.padded = tuple(n + 2 * p for n, p in zip(spatial, padding, strict=True))
        self.out = tuple(m - d * (k - 1) for m, k, d in
                         zip(self.padded, kernel_size, dilation, strict=True))
        self.spatial, self.padding = tuple(spatial), tuple(padding)
        self.row = [math.prod(self.padded[i + 1:]) for i in range(nd)]  # flat strides
        self.extra = sum(d * (k - 1) * m for k, d, m in
                         zip(kernel_size[1:], dilation[1:], self.row[1:], strict=True))
        self.total = math.prod(self.padded)
        self.plen = self.out[0] * self.row[0]
        self.kernel_size, self.dilation = tuple(kernel_size), tuple(dilation)

    def pad(self, x):
        """(N, C, total + extra): x zero-padded and flattened, with a zero tail (scratch)."""
        n, c = x.shape[:2]
        xp = _scratch("pad", (n, c, self.total + self.extra), x.dtype)
        grid = xp[:, :, :self.total].reshape((n, c) + self.padded)
        inner = tuple(slice(p, p + m) for m, p in zip(self.spatial, self.padding, strict=True))

        def part(lo, hi):
            xp[lo:hi].fill(0)
            grid[(slice(lo, hi), slice(None)) + inner] = x[lo:hi]
        _parallel(n, part, xp.size)
        return xp

    def kernel_strides(self, item):
        return tuple(d * m * item for d, m in zip(self.dilation, self.row, strict=True))

    def valid(self):
        """Index of the valid outputs within the (out0, *padded[1:]) grid."""
        return (Ellipsis,) + tuple(slice(0, o) for o in self.out[1:])

    def grid(self, arr, lead):
        return arr.reshape(tuple(lead) + (self.out[0],) + self.padded[1:])


def _use_flat(stride, kernel_size, x_channels, o, groups):
    return (all(s == 1 for s in stride) and len(kernel_size) >= 1
            and x_channels // groups * math.prod(kernel_size) >= o // groups)


def _flat_convolution(x, w, padding, dilation, groups):
    n, c = x.shape[:2]
    o = w.shape[0]
    f = _Flat(x.shape[2:], w.shape[2:], padding, dilation)
    xp = f.pad(x)
    st = xp.strides
    view = as_strided(xp, (n, c) + f.kernel_size + (f.plen,),
                      st[:2] + f.kernel_strides(st[2]) + (st[2],), writeable=False)
    cols = _copy_into(view, "cols").reshape(n, groups, -1, f.plen)
    res = _matmul_into(w.reshape(groups, o // groups, -1), cols, "res").reshape(n, o, f.plen)
    return _copy_into(f.grid(res, (n, o))[f.valid()])  # a copy even when nothing is dropped


def _flat_backward_input(g, w, input_shape, padding, dilation, groups):
    n, o = g.shape[:2]
    c = input_shape[1]
    f = _Flat(input_shape[2:], w.shape[2:], padding, dilation)
    gp = _scratch("res", (n, o, f.plen), g.dtype)
    gp_grid, valid = f.grid(gp, (n, o)), f.valid()

    def spread(lo, hi):
        gp[lo:hi].fill(0)
        gp_grid[lo:hi][valid] = g[lo:hi]
    _parallel(n, spread, gp.size)
    wt = w.reshape(groups, o // groups, -1).transpose(0, 2, 1)
    cols = _matmul_into(wt, gp.reshape(n, groups, o // groups, f.plen), "cols")
    cols = cols.reshape(n, c, -1, f.plen)  # (N, C, K, plen)
    acc = _scratch("pad", (n, c, f.total + f.extra), g.dtype)
    shifts = [sum(j * d * m for j, d, m in zip(offset, f.dilation, f.row, strict=True))
              for offset in itertools.product(*(range(k) for k in f.kernel_size))]
    grid = acc[:, :, :f.total].reshape((n, c) + f.padded)
    inner = tuple(slice(p, p + m) for m, p in zip(f.spatial, f.padding, strict=True))
    out = np.empty(tuple(input_shape), g.dtype)

    def gather(lo, hi):  # col2im of this part of the batch, then the crop into out
        part = acc[lo:hi]
        part.fill(0)
        for i, shift in enumerate(shifts):
            part[:, :, shift:shift + f.plen] += cols[lo:hi, :, i]
        out[lo:hi] = grid[(slice(lo, hi), slice(None)) + inner]
    _parallel(n, gather, cols.size)
    return out


def _flat_backward_weight(x, g, weight_shape, padding, dilation, groups):
    n, c = x.shape[:2]
    o = g.shape[1]
    f = _Flat(x.shape[2:], weight_shape[2:], padding, dilation)
    xp = f.pad(x)
    st = xp.strides
    # windows as (groups, C/groups * K, N * plen): the batch joins the contraction, so the
    # weight gradient is one GEMM per group
    view = as_strided(xp, (c,) + f.kernel_size + (n, f.plen),
                      (st[1],) + f.kernel_strides(st[2]) + (st[0], st[2]), writeable=False)
    cols = _copy_into(view, "cols").reshape(groups, -1, n * f.plen)
    gp = _scratch("res", (o, n, f.plen), g.dtype)
    gp_grid, valid = f.grid(gp, (o, n)), f.valid()
    gt = g.transpose((1, 0) + tuple(range(2, g.ndim)))

    def spread(lo, hi):
        gp[lo:hi].fill(0)
        gp_grid[lo:hi][valid] = gt[lo:hi]
    _parallel(o, spread, gp.size)
    gm = gp.reshape(groups, o // groups, n * f.plen)
    gw = _matmul(gm, cols.transpose(0, 2, 1))  # (groups, O/groups, C/groups * K): fresh
    return gw.reshape(weight_shape)


# -- depthwise convolution (one input channel per group), stride 1 ---------------------------
# im2col + matmul would be N * groups tiny GEMMs. Instead each kernel tap is a multiply-add
# of a shifted row of the flattened padded input (see _Flat), done over a few samples at a
# time so the rows stay in cache.
def _use_depthwise(x_channels, o, groups, stride, dtype):
    return (groups > 1 and x_channels == groups and o // groups <= 8 and dtype.kind == "f"
            and all(s == 1 for s in stride))


def _cache_chunks(lo, hi, per_sample, budget=1 << 20):
    step = max(1, budget // max(per_sample, 1))
    return [(a, min(a + step, hi)) for a in range(lo, hi, step)]


def _shifts(f):
    return [sum(j * d * m for j, d, m in zip(offset, f.dilation, f.row, strict=True))
            for offset in itertools.product(*(range(k) for k in f.kernel_size))]


def _depthwise(x, w, padding, dilation, groups):
    n = x.shape[0]
    o = w.shape[0]
    mult = o // groups
    f = _Flat(x.shape[2:], w.shape[2:], padding, dilation)
    xp = f.pad(x)
    shifts = _shifts(f)
    wg = w.reshape(groups, mult, len(shifts))
    res = _scratch("res", (n, groups, mult, f.plen), np.result_type(x, w))

    def part(lo, hi):
        for a, b in _cache_chunks(lo, hi, groups * mult * f.plen * res.itemsize):
            tmp = np.empty((b - a, groups, f.plen), res.dtype)
            for j in range(mult):
                out = res[a:b, :, j]
                for t, shift in enumerate(shifts):
                    weight = wg[:, j, t][None, :, None]
                    if t == 0:
                        np.multiply(xp[a:b, :, shift:shift + f.plen], weight, out=out)
                    else:
                        np.multiply(xp[a:b, :, shift:shift + f.plen], weight, out=tmp)
                        out += tmp
    _parallel(n, part, res.size * len(shifts))
    return _copy_into(f.grid(res.reshape(n, o, f.plen), (n, o))[f.valid()])


def _depthwise_backward_input(g, w, input_shape, padding, dilation, groups):
    n, o = g.shape[:2]
    mult = o // groups
    f = _Flat(input_shape[2:], w.shape[2:], padding, dilation)
    shifts = _shifts(f)
    wg = w.reshape(groups, mult, len(shifts))
    gp = _scratch("res", (n, o, f.plen), g.dtype)
    gp_grid, valid = f.grid(gp, (n, o)), f.valid()
    acc = _scratch("pad", (n, groups, f.total + f.extra), g.dtype)
    grid = acc[:, :, :f.total].reshape((n, groups) + f.padded)
    inner = tuple(slice(p, q + p) for q, p in zip(f.spatial, f.padding, strict=True))
    out = np.empty(tuple(input_shape), g.dtype)
    gpg = gp.reshape(n, groups, mult, f.plen)

    def part(lo, hi):
        for a, b in _cache_chunks(lo, hi, o * f.plen * g.itemsize):
            gp[a:b].fill(0)
            gp_grid[a:b][valid] = g[a:b]
            acc[a:b].fill(0)
            tmp = np.empty((b - a, groups, f.plen), g.dtype)
            for j in range(mult):
                for t, shift in enumerate(shifts):
                    np.multiply(gpg[a:b, :, j], wg[:, j, t][None, :, None], out=tmp)
                    acc[a:b, :, shift:shift + f.plen] += tmp
            out[a:b] = grid[(slice(a, b), slice(None)) + inner]
    _parallel(n, part, gp.size * len(shifts))
    return out


def _depthwise_backward_weight(x, g, weight_shape, padding, dilation, groups):
    n, o = g.shape[:2]
    mult = o // groups
    f = _Flat(x.shape[2:], weight_shape[2:], padding, dilation)
    xp = f.pad(x)
    shifts = _shifts(f)
    gp = _scratch("res", (n, o, f.plen), g.dtype)
    gp_grid, valid = f.grid(gp, (n, o)), f.valid()
    gpg = gp.reshape(n, groups, mult, f.plen)
    partials = []

    def part(lo, hi):
        acc = np.zeros((groups, mult, len(shifts)), np.float64 if g.dtype == np.float64
                       else np.float32)
        for a, b in _cache_chunks(lo, hi, o * f.plen * g.itemsize):
            gp[a:b].fill(0)
            gp_grid[a:b][valid] = g[a:b]
            for j in range(mult):
                for t, shift in enumerate(shifts):
                    acc[:, j, t] += np.einsum("ngp,ngp->g", gpg[a:b, :, j],
                                              xp[a:b, :, shift:shift + f.plen])
        partials.append(acc)
    _parallel(n, part, gp.size * len(shifts))
    return np.sum(partials, axis=0).astype(g.dtype).reshape(weight_shape)


def convolution(x, w, stride, padding, dilation, groups):
    n = x.shape[0]
    o = w.shape[0]
    if _use_depthwise(x.shape[1], o, groups, stride, x.dtype):
        return _depthwise(x, w, padding, dilation, groups)
    if _use_flat(stride, w.shape[2:], x.shape[1], o, groups) and \
            not _is_pointwise(w.shape[2:], stride, padding):
        return _flat_convolution(x, w, padding, dilation, groups)
    cols, out = _cols(x, w.shape[2:], stride, padding, dilation, groups)
    wm = w.reshape(groups, o // groups, -1)
    res = _matmul(wm, cols)  # (N, groups, O/groups, P): already NCHW order
    return res.reshape((n, o) + tuple(out))


def convolution_backward_input(g, w, input_shape, stride, padding, dilation, groups):
    n, o = g.shape[:2]
    kernel_size = w.shape[2:]
    if _use_depthwise(input_shape[1], o, groups, stride, g.dtype):
        return _depthwise_backward_input(g, w, input_shape, padding, dilation, groups)
    if _use_flat(stride, kernel_size, input_shape[1], o, groups) and \
            not _is_pointwise(kernel_size, stride, padding):
        return _flat_backward_input(g, w, input_shape, padding, dilation, groups)
    gm = g.reshape(n, groups, o // groups, -1)
    wt = w.reshape(groups, o // groups, -1).transpose(0, 2, 1)
    cols = _matmul(wt, gm)  # (N, groups, C/groups * K, P)
    cols = cols.reshape((n, input_shape[1]) + tuple(kernel_size) + tuple(g.shape[2:]))
    if not _is_pointwise(kernel_size, stride, padding):
        return col2im(cols, tuple(input_shape), kernel_size, stride, padding, dilation)
    # a 1x1 kernel: input positions past the last window get no gradient
    res = np.zeros(tuple(input_shape), g.dtype)
    res[(slice(None), slice(None)) + tuple(slice(0, m) for m in g.shape[2:])] = \
        cols.reshape(res.shape[:2] + g.shape[2:])
    return res


def convolution_backward_weight(x, g, weight_shape, stride, padding, dilation, groups):
    n, o = g.shape[:2]
    kernel_size = tuple(weight_shape[2:])
    if _use_depthwise(x.shape[1], o, groups, stride, g.dtype):
        return _depthwise_backward_weight(x, g, weight_shape, padding, dilation, groups)
    if _use_flat(stride, kernel_size, x.shape[1], o, groups) and \
            not _is_pointwise(kernel_size, stride, padding):
        return _flat_backward_weight(x, g, weight_shape, padding, dilation, groups)
    if _is_pointwise(kernel_size, stride, padding) and x.shape[2:] != g.shape[2:]:
        x = x[(slice(None), slice(None)) + tuple(slice(0, m) for m in g.shape[2:])]
        x = np.ascontiguousarray(x)
    cols, _ = _cols(x, kernel_size, stride, padding, dilation, groups)
    gm = g.reshape(n, groups, o // groups, -1)
    gw = _matmul(gm, cols.transpose(0, 1, 3, 2)).sum(0)  # (groups, O/groups, C/groups * K)
    return gw.reshape(weight_shape)


def max_pool(x, kernel_size, stride, padding, dilation, ceil_mode):
    nd = len(kernel_size)
    spatial = x.shape[2:]
    out = tuple(out_size(n, k, s, p, d, ceil_mode) for n, k, s, p, d in
                zip(spatial, kernel_size, stride, padding, dilation, strict=True))
    if (nd == 2 and tuple(kernel_size) == (2, 2) and tuple(stride) == (2, 2)
            and not any(padding) and x.dtype.kind == "f"
            and all(2 * o <= n for o, n in zip(out, spatial, strict=True))):
        return _max_pool_2x2(x, out)
    # general case: windows of the -inf padded input (padded further on the right so the
    # ceil_mode windows stay in bounds), one argmax over the flattened window
    need = tuple((o - 1) * s + (k - 1) * d + 1 for o, s, k, d in
                 zip(out, stride, kernel_size, dilation, strict=True))
    after = tuple(max(m - n - p, p) for m, n, p in zip(need, spatial, padding, strict=True))
    low = -np.inf if x.dtype.kind in "fV" else np.iinfo(x.dtype).min  # V: bfloat16
    xp = _pad(x, padding, after, low)
    values, arg = _running_max(xp, kernel_size, stride, dilation, out)
    # flat input index: per axis, out position * stride + kernel offset * dilation - padding
    index = np.zeros(arg.shape, np.int64)
    rest = arg
    for i in reversed(range(nd)):
        offset = rest % kernel_size[i]
        rest = rest // kernel_size[i]
        shape = [1] * nd
        shape[i] = out[i]
        start = (np.arange(out[i]) * stride[i] - padding[i]).reshape(shape)
        index += (start + offset * dilation[i]) * math.prod(spatial[i + 1:])
    return values, index


def _running_max(xp, kernel_size, stride, dilation, out):
    """Window maxima and the flat in-window offset of the first maximum (NaN wins, as in
    PyTorch), one strided pass per kernel offset instead of copying every window."""
    values = arg = None
    for flat, offsets in enumerate(itertools.product(*(range(k) for k in kernel_size))):
        key = (slice(None), slice(None)) + tuple(
            slice(o * d, o * d + (n - 1) * s + 1, s)
            for o, d, s, n in zip(offsets, dilation, stride, out, strict=True))
        candidate = xp[key]
        if values is None:
            values = candidate.copy()
            arg = np.zeros(values.shape, np.int64)
            continue
        better = candidate > values
        if values.dtype.kind in "fV":
            better |= (candidate != candidate) & (values == values)
        np.copyto(values, candidate, where=better)
        np.copyto(arg, flat, where=better)
    return values, arg


def _max_pool_2x2(x, out):
    """2x2 windows, stride 2: pairwise maxima along W, then H; the first maximum wins."""
    n, c, h, w = x.shape
    oh, ow = out
    if h != 2 * oh or w != 2 * ow or not x.flags.c_contiguous:
        x = np.ascontiguousarray(x[:, :, :2 * oh, :2 * ow])
    values = np.empty((n, c, oh, ow), x.dtype)
    index = np.empty((n, c, oh, ow), np.int64)
    base = (np.arange(oh)[:, None] * (2 * w) + np.arange(ow)[None, :] * 2)

    def part(lo, hi):
        m = hi - lo
        pairs = x[lo:hi].reshape(m, c, 2 * oh, ow, 2)
        left, right = pairs[..., 0], pairs[..., 1]
        right_wins = np.greater(right, left).view(np.uint8).reshape(m, c, oh, 2, ow)
        rows = np.maximum(left, right).reshape(m, c, oh, 2, ow)
        top, bottom = rows[:, :, :, 0], rows[:, :, :, 1]
        bottom_wins = np.greater(bottom, top).view(np.uint8)
        np.maximum(top, bottom, out=values[lo:hi])  # NaN propagates, as in PyTorch
        rt, rb = right_wins[:, :, :, 0], right_wins[:, :, :, 1]
        col = rt ^ (bottom_wins & (rt ^ rb))
        idx = index[lo:hi]
        np.multiply(bottom_wins, w, out=idx)
        idx += col
        idx += base
    _parallel(n, part, x.size)
    return values, index


def max_pool_backward(g, indices, input_shape, overlapping):
    n, c = input_shape[:2]
    plane = math.prod(input_shape[2:])
    out = np.empty(n * c * plane, g.dtype)
    flat_idx = indices.reshape(n * c, -1)
    flat_g = g.reshape(n * c, -1)

    def part(lo, hi):  # planes lo..hi: disjoint parts of out
        out[lo * plane:hi * plane] = 0
        target = (flat_idx[lo:hi] + (np.arange(lo, hi, dtype=np.int64) * plane)[:, None])
        if overlapping:
            np.add.at(out, target.ravel(), flat_g[lo:hi].ravel())
        else:
            out[target.ravel()] = flat_g[lo:hi].ravel()
    _parallel(n * c, part, out.size)
    return out.reshape(input_shape)


def threshold_backward(g, x, threshold):
    """g where x > threshold else 0. Small inputs take np.where; large contiguous ones a
    multiply by the mask, split over threads (np.where on a random mask mispredicts
    branches and runs several times slower). inf * 0 gives nan, so a non-finite g then
    takes the exact where() path."""
    if g.size < _MIN_PARALLEL:
        return np.where(np.greater(x, threshold), g, np.zeros((), g.dtype))
    if g.shape != x.shape or not (g.flags.c_contiguous and x.flags.c_contiguous):
        keep = np.greater(x, threshold)
        with np.errstate(invalid="ignore"):
            res = np.multiply(g, keep)
    else:  # the common case, split over threads
        res = np.empty(g.shape, g.dtype)
        gf, xf, rf = g.reshape(-1), x.reshape(-1), res.reshape(-1)

        def part(lo, hi):
            with np.errstate(invalid="ignore"):
                np.multiply(gf[lo:hi], np.greater(xf[lo:hi], threshold), out=rf[lo:hi])
        _parallel(rf.size, part, rf.size)
    if res.dtype.kind == "f" and np.isnan(res).any():
        res = np.where(np.greater(x, threshold), g, np.zeros((), g.dtype))
    return res


KERNELS = {
    "im2col": im2col,
    "col2im": col2im,
    "convolution": convolution,
    "convolution_backward_input": convolution_backward_input,
    "convolution_backward_weight": convolution_backward_weight,
    "max_pool": max_pool,
    "max_pool_backward": max_pool_backward,
    "threshold_backward": threshold_backward,
}

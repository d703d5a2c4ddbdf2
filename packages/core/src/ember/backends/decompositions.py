"""Core decompositions of the optional ops into required ones.

Each function takes the backend's kernel table ``k`` first, then the op's arguments.
A backend that does not provide an optional op gets the function here, bound to its
own kernels, so it works as soon as its required ops do.
"""

from __future__ import annotations

import math

from .. import _dtype
from ._shapes import out_size as _out_size


def zeros(k, shape, dtype, index):
    return k.full(shape, 0, dtype, index)


def ones(k, shape, dtype, index):
    return k.full(shape, 1, dtype, index)


def eye(k, n, m, dtype, index):
    rows = k.arange(0, n, 1, _dtype.int64, index)
    cols = k.arange(0, m, 1, _dtype.int64, index)
    return k.astype(k.eq(k.reshape(rows, (n, 1)), k.reshape(cols, (1, m))), dtype)


def linspace(k, start, end, steps, dtype, index):
    if steps == 1:
        return k.full((1,), start, dtype, index)
    step = (end - start) / (steps - 1)
    ramp = k.arange(0, steps, 1, _dtype.float64, index)
    # fill from both ends, as PyTorch does, so the last value is exactly `end`
    half = steps // 2
    low = k.add(k.mul(ramp, step), start)
    high = k.sub(end, k.mul(k.sub(steps - 1, ramp), step))
    cond = k.lt(ramp, half)
    return k.astype(k.where(cond, low, high), dtype)


def randperm(k, gen, n, dtype, index):
    keys = k.uniform(gen, (n,), 0.0, 1.0, _dtype.float64)
    return k.astype(k.sort(keys, 0, False, False)[1], dtype)


def bernoulli(k, gen, p, dtype):
    draws = k.uniform(gen, p.shape, 0.0, 1.0, _dtype.from_numpy_dtype(p.dtype))
    return k.astype(k.lt(draws, p), dtype)


def _into(kernel, a, b, out):
    """``kernel(a, b)``, into ``out`` when one is given (out=None is not passed on)."""
    return kernel(a, b) if out is None else kernel(a, b, out=out)


def reciprocal(k, x, out=None):
    return _into(k.div, 1, x, out)


def rsqrt(k, x, out=None):
    return _into(k.div, 1, k.sqrt(x), out)


def sigmoid(k, x, out=None):
    return _into(k.div, 1, k.add(k.exp(k.neg(x)), 1), out)


def relu(k, x, out=None):
    return _into(k.maximum, x, 0, out)


def threshold_backward(k, g, x, threshold):
    return k.where(k.gt(x, threshold), g, 0)


def square(k, x, out=None):
    return _into(k.mul, x, x, out)


def clip(k, x, low, high):
    if low is not None:
        x = k.maximum(x, low)
    if high is not None:
        x = k.minimum(x, high)
    return x


def _count(shape, axes):
    axes = range(len(shape)) if axes is None else axes
    return math.prod(shape[a] for a in axes)


def mean(k, x, axes, keepdims):
    return k.div(k.sum(x, axes, keepdims), _count(x.shape, axes))


def var(k, x, axes, correction, keepdims):
    centred = k.sub(x, mean(k, x, axes, True))
    total = k.sum(k.mul(centred, centred), axes, keepdims)
    return k.div(total, max(_count(x.shape, axes) - correction, 0))


def finite_max(k, x, axes):
    """amax over axes (kept), 0 where infinite: the shift of a stable logsumexp."""
    top = k.amax(x, axes, True)
    return k.where(k.isnan(k.sub(top, top)), 0, top)  # an infinite peak would give nan


def logsumexp(k, x, axes, keepdims):
    peak = finite_max(k, x, axes)
    out = k.add(k.log(k.sum(k.exp(k.sub(x, peak)), axes, True)), peak)
    if not keepdims:
        axes = range(x.ndim) if axes is None else axes
        out = k.reshape(out, tuple(n for i, n in enumerate(x.shape) if i not in axes))
    return out


def softmax(k, x, axis):
    e = k.exp(k.sub(x, k.amax(x, (axis,), True)))
    return k.div(e, k.sum(e, (axis,), True))


def log_softmax(k, x, axis):
    # (x - max) - log(sum(exp(x - max))): adding the max back first would round it away.
    # An infinite max makes the row nan, as in PyTorch (logsumexp alone stays finite-safe).
    shifted = k.sub(x, k.amax(x, (axis,), True))
    return k.sub(shifted, k.log(k.sum(k.exp(shifted), (axis,), True)))


def tile(k, x, reps):
    reps = (1,) * (x.ndim - len(reps)) + tuple(reps)
    shape = (1,) * (len(reps) - x.ndim) + x.shape
    x = k.reshape(x, shape)
    grown = []
    for r, n in zip(reps, shape):
        grown += [r, n]
    expanded = k.broadcast_to(k.reshape(x, tuple(v for n in shape for v in (1, n))), tuple(grown))
    return k.reshape(k.copy(expanded), tuple(r * n for r, n in zip(reps, shape)))


# -- convolution and pooling -----------------------------------------------------------
# x is (N, C, *spatial); kernel_size, stride, padding and dilation hold one int per axis.

def _pad(k, x, padding, value, after=None):
    after = padding if after is None else after
    if not any(padding) and not any(after):
        return x
    lead = x.ndim - len(padding)
    sides = list(zip(x.shape[lead:], padding, after, strict=True))
    shape = x.shape[:lead] + tuple(n + p + a for n, p, a in sides)
    out = k.full(shape, value, _dtype.from_numpy_dtype(x.dtype), None)
    key = (slice(None),) * lead + tuple(slice(p, p + n) for n, p, _ in sides)
    k.setitem(out, key, x)  # the op list does not promise that setitem returns its array
    return out


def _windows(kernel_size, stride, dilation, out):
    """For every kernel offset, the strided slices that read its entries over all windows."""
    import itertools

    for offset in itertools.product(*(range(n) for n in kernel_size)):
        yield tuple(slice(j * d, j * d + (o - 1) * s + 1, s)
                    for j, d, s, o in zip(offset, dilation, stride, out, strict=True))


def im2col(k, x, kernel_size, stride, padding, dilation):
    nd = len(kernel_size)
    out = tuple(_out_size(n, *a) for n, *a in zip(x.shape[2:], kernel_size, stride,
                                                 padding, dilation, strict=True))
    xp = _pad(k, x, padding, 0)
    lead = x.shape[:2]
    parts = [k.reshape(k.getitem(xp, (slice(None), slice(None)) + key), lead + (1,) + out)
             for key in _windows(kernel_size, stride, dilation, out)]
    cols = k.concatenate(parts, 2) if len(parts) > 1 else k.copy(parts[0])
    return k.reshape(cols, lead + tuple(kernel_size) + out) if nd else cols


def col2im(k, cols, input_shape, kernel_size, stride, padding, dilation):
    nd = len(kernel_size)
    lead, spatial = tuple(input_shape[:2]), tuple(input_shape[2:])
    out = cols.shape[2 + nd:]
    padded = lead + tuple(n + 2 * p for n, p in zip(spatial, padding, strict=True))
    acc = k.full(padded, 0, _dtype.from_numpy_dtype(cols.dtype), None)
    flat = k.reshape(cols, lead + (math.prod(kernel_size),) + tuple(out))
    for i, key in enumerate(_windows(kernel_size, stride, dilation, out)):
        key = (slice(None), slice(None)) + key
        part = k.getitem(flat, (slice(None), slice(None), i, Ellipsis))
        k.setitem(acc, key, k.add(k.getitem(acc, key), part))
    if not any(padding):
        return acc
    return k.copy(k.getitem(acc, (slice(None), slice(None)) + tuple(
        slice(p, p + n) for n, p in zip(spatial, padding, strict=True))))


def _grouped_cols(k, x, kernel_size, stride, padding, dilation, groups):
    """im2col of x as (N, groups, C/groups * prod(kernel_size), prod(out)), and out."""
    cols = k.im2col(x, kernel_size, stride, padding, dilation)
    nd = len(kernel_size)
    out = cols.shape[2 + nd:]
    per_group = x.shape[1] // groups * math.prod(kernel_size)
    return k.reshape(cols, (x.shape[0], groups, per_group, math.prod(out))), out


def convolution(k, x, w, stride, padding, dilation, groups):
    kernel_size = w.shape[2:]
    cols, out = _grouped_cols(k, x, kernel_size, stride, padding, dilation, groups)
    wm = k.reshape(w, (1, groups, w.shape[0] // groups, math.prod(w.shape[1:])))
    res = k.matmul(wm, cols)  # (N, groups, O/groups, P)
    return k.reshape(res, (x.shape[0], w.shape[0]) + tuple(out))


def convolution_backward_input(k, g, w, input_shape, stride, padding, dilation, groups):
    n, o = g.shape[:2]
    kernel_size = w.shape[2:]
    gm = k.reshape(g, (n, groups, o // groups, math.prod(g.shape[2:])))
    wt = k.permute(k.reshape(w, (1, groups, o // groups, math.prod(w.shape[1:]))),
                   (0, 1, 3, 2))
    cols = k.matmul(wt, gm)  # (N, groups, C/groups * K, P)
    cols = k.reshape(cols, (n, input_shape[1]) + tuple(kernel_size) + tuple(g.shape[2:]))
    return k.col2im(cols, tuple(input_shape), kernel_size, stride, padding, dilation)


def convolution_backward_weight(k, x, g, weight_shape, stride, padding, dilation, groups):
    n, o = g.shape[:2]
    cols, _ = _grouped_cols(k, x, weight_shape[2:], stride, padding, dilation, groups)
    gm = k.reshape(g, (n, groups, o // groups, math.prod(g.shape[2:])))
    gw = k.sum(k.matmul(gm, k.permute(cols, (0, 1, 3, 2))), (0,), False)
    return k.reshape(gw, tuple(weight_shape))


def _lowest(dtype):
    """max_pool's padding value: -inf for floating dtypes, else the integer minimum."""
    if dtype.kind in "fV":  # V: bfloat16
        return -math.inf
    import numpy as np

    return np.iinfo(dtype).min


def max_pool(k, x, kernel_size, stride, padding, dilation, ceil_mode):
    nd = len(kernel_size)
    lead, spatial = x.shape[:2], x.shape[2:]
    out = tuple(_out_size(n, *a, ceil_mode) for n, *a in zip(spatial, kernel_size, stride,
                                                             padding, dilation, strict=True))
    # pad with -inf, further on the right so that ceil_mode windows stay in bounds
    need = [(o - 1) * s + (kk - 1) * d + 1 for o, s, kk, d in
            zip(out, stride, kernel_size, dilation, strict=True)]
    after = tuple(max(m - n - p, p) for m, n, p in zip(need, spatial, padding, strict=True))
    xp = _pad(k, x, padding, _lowest(x.dtype), after)
    # per axis, the padded positions every window reads: shape (out, kernel)
    keys, positions = [], None
    for i, (o, kk, s, d) in enumerate(zip(out, kernel_size, stride, dilation, strict=True)):
        starts = k.reshape(k.arange(0, o * s, s, _dtype.int64, None), (o, 1))
        offs = k.reshape(k.arange(0, kk * d, d, _dtype.int64, None), (1, kk))
        idx = k.add(starts, offs)
        shape = [1] * (2 * nd)
        shape[2 * i:2 * i + 2] = [o, kk]
        idx = k.reshape(idx, tuple(shape))
        keys.append(idx)
        pos = k.sub(idx, padding[i])  # unpadded coordinate along this axis
        positions = pos if positions is None else k.add(k.mul(positions, spatial[i]), pos)
    win = k.getitem(xp, (slice(None), slice(None)) + tuple(keys))  # (N, C, o0, k0, o1, k1, ...)
    order = tuple(range(2)) + tuple(2 + 2 * i for i in range(nd)) + tuple(
        3 + 2 * i for i in range(nd))
    flat_shape = tuple(lead) + tuple(out) + (math.prod(kernel_size),)
    win = k.reshape(k.permute(win, order), flat_shape)
    arg = k.argmax(win, len(flat_shape) - 1, True)
    values = k.reshape(k.take_along_axis(win, arg, len(flat_shape) - 1), tuple(lead) + out)
    positions = k.reshape(k.permute(positions, tuple(o - 2 for o in order[2:])), flat_shape[2:])
    positions = k.broadcast_to(positions, flat_shape)
    indices = k.reshape(k.take_along_axis(positions, arg, len(flat_shape) - 1),
                        tuple(lead) + out)
    return values, k.copy(indices)


def max_pool_backward(k, g, indices, input_shape, overlapping):
    n, c = input_shape[:2]
    plane = math.prod(input_shape[2:])
    out = k.full((n * c, plane), 0, _dtype.from_numpy_dtype(g.dtype), None)
    per_plane = math.prod(indices.shape[2:])
    k.add_along_axis(out, k.reshape(indices, (n * c, per_plane)),
                     k.reshape(g, (n * c, per_plane)), 1)
    return k.reshape(out, tuple(input_shape))


# the fused nn ops, and the tensor library's optional ops (special functions, scans,
# searchsorted, linear algebra)
from .decompositions_linalg import (  # noqa: E402,F401
    cholesky,
    eigh,
    lu_factor,
    lu_solve,
    qr,
    svd,
    triangular_solve,
)
from .decompositions_nn import (  # noqa: E402,F401
    cross_entropy,
    cross_entropy_backward,
    dropout,
    gelu,
    gelu_backward,
    layer_norm,
    layer_norm_backward,
    rms_norm,
    rms_norm_backward,
)
from .decompositions_special import (  # noqa: E402,F401
    acos,
    acosh,
    asin,
    asinh,
    atan,
    atanh,
    bitwise_left_shift,
    bitwise_right_shift,
    copysign,
    cosh,
    cummax,
    cummin,
    diagonal,
    digamma,
    erf,
    erfc,
    erfinv,
    exp2,
    fmax,
    fmin,
    fmod,
    hypot,
    i0,
    i0e,
    i1,
    i1e,
    lgamma,
    log2,
    log10,
    logaddexp,
    logcumsumexp,
    polygamma,
    scatter_reduce,
    searchsorted,
    signbit,
    sinh,
    tan,
)

"""Core decompositions of the optional ops into required ones.

Each function takes the backend's kernel table ``k`` first, then the op's arguments.
A backend that does not provide an optional op gets the function here, bound to its
own kernels, so it works as soon as its required ops do.
"""

from __future__ import annotations

import math

from .. import _dtype


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


def reciprocal(k, x, out=None):
    return k.div(1, x, out=out)


def rsqrt(k, x, out=None):
    return k.div(1, k.sqrt(x), out=out)


def sigmoid(k, x, out=None):
    return k.div(1, k.add(k.exp(k.neg(x)), 1), out=out)


def relu(k, x, out=None):
    return k.maximum(x, 0, out=out)


def square(k, x, out=None):
    return k.mul(x, x, out=out)


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


def logsumexp(k, x, axes, keepdims):
    peak = k.amax(x, axes, True)
    peak = k.where(k.isnan(k.sub(peak, peak)), 0, peak)  # an infinite peak would give nan
    out = k.add(k.log(k.sum(k.exp(k.sub(x, peak)), axes, True)), peak)
    if not keepdims:
        axes = range(x.ndim) if axes is None else axes
        out = k.reshape(out, tuple(n for i, n in enumerate(x.shape) if i not in axes))
    return out


def softmax(k, x, axis):
    e = k.exp(k.sub(x, k.amax(x, (axis,), True)))
    return k.div(e, k.sum(e, (axis,), True))


def log_softmax(k, x, axis):
    return k.sub(x, logsumexp(k, x, (axis,), True))


def tile(k, x, reps):
    reps = (1,) * (x.ndim - len(reps)) + tuple(reps)
    shape = (1,) * (len(reps) - x.ndim) + x.shape
    x = k.reshape(x, shape)
    grown = []
    for r, n in zip(reps, shape):
        grown += [r, n]
    expanded = k.broadcast_to(k.reshape(x, tuple(v for n in shape for v in (1, n))), tuple(grown))
    return k.reshape(k.copy(expanded), tuple(r * n for r, n in zip(reps, shape)))

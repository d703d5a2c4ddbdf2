"""``make_tensor``: a random tensor for tests (``torch.testing.make_tensor``)."""

from __future__ import annotations

import math

from .. import _dtype

# dtype -> default (low, high), as PyTorch's make_tensor
_RANGES = {
    _dtype.bool: (0, 2),
    _dtype.uint8: (0, 10),
}


def make_tensor(*shape, dtype, device=None, low=None, high=None, requires_grad=False,
                noncontiguous=False, exclude_zero=False, memory_format=None):
    """A tensor of ``shape`` with values drawn uniformly from ``[low, high)``.

    Defaults: ``[0, 10)`` for uint8, ``[-9, 10)`` for other integers, ``[-9, 9)`` for
    floating types, random True/False for bool. ``noncontiguous=True`` returns a strided
    view of a larger tensor; ``exclude_zero=True`` replaces zeros by a small nonzero value.
    Draws from ember's default generator, so ``ember.manual_seed`` makes it repeatable.
    """
    import ember

    if len(shape) == 1 and isinstance(shape[0], (tuple, list, ember.Size)):
        shape = tuple(shape[0])
    shape = tuple(int(s) for s in shape)
    if not isinstance(dtype, _dtype.dtype):
        raise TypeError(f"make_tensor() expects an ember.dtype, got {dtype!r}")
    if low is not None and high is not None and low > high:
        raise ValueError(f"make_tensor(): low ({low}) must not exceed high ({high})")
    for bound in (low, high):
        if bound is not None and isinstance(bound, float) and math.isnan(bound):
            raise ValueError("make_tensor(): low and high must not be NaN")
    alloc = shape if not noncontiguous or not shape else shape[:-1] + (shape[-1] * 2,)
    if dtype is _dtype.bool:
        result = ember.randint(0, 2, alloc, device=device).bool()
    elif dtype.is_floating_point:
        lo = -9.0 if low is None else float(low)
        hi = 9.0 if high is None else float(high)
        result = ember.rand(alloc, dtype=_dtype.float64, device=device) * (hi - lo) + lo
        result = result.to(dtype)
    else:
        lo, hi = _RANGES.get(dtype, (-9, 10))
        info = _int_limits(dtype)
        lo = lo if low is None else max(math.ceil(low), info[0])
        hi = hi if high is None else min(math.ceil(high), info[1] + 1)
        if hi <= lo:
            hi = lo + 1
        result = ember.randint(lo, hi, alloc, dtype=_dtype.int64, device=device).to(dtype)
    if exclude_zero:
        if dtype is _dtype.bool:
            result = ember.ones_like(result)
        else:
            replacement = 1 if not dtype.is_floating_point else _tiny(dtype)
            result = ember.where(result == 0, ember.full_like(result, replacement), result)
    if noncontiguous and shape:
        result = result[..., ::2]
    if requires_grad:
        result.requires_grad_(True)
    return result


def _int_limits(dtype):
    bits = dtype.itemsize * 8
    if dtype is _dtype.uint8:
        return 0, 255
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


def _tiny(dtype):
    import numpy as np

    return float(np.finfo(dtype.numpy).tiny) if dtype is not _dtype.bfloat16 else 1.1754944e-38

"""``ember.finfo`` and ``ember.iinfo``: the numeric limits of a dtype, as in PyTorch."""

from __future__ import annotations

import ml_dtypes
import numpy as np

from . import _dtype


class finfo:
    """Machine limits of a floating dtype (the default float dtype if none is given)."""

    def __init__(self, type=None):  # noqa: A002 - PyTorch's argument name
        dtype = _dtype.get_default_dtype() if type is None else type
        if not isinstance(dtype, _dtype.dtype) or not dtype.is_floating_point:
            raise TypeError(f"finfo() requires a floating point input type, got {dtype}")
        info = ml_dtypes.finfo(dtype.numpy) if dtype is _dtype.bfloat16 else np.finfo(dtype.numpy)
        self.dtype = dtype.name
        self.bits = dtype.itemsize * 8
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.tiny)
        self.resolution = float(info.resolution)

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    """Limits of an integer (or bool) dtype."""

    def __init__(self, type):  # noqa: A002
        if not isinstance(type, _dtype.dtype) or type.is_floating_point:
            raise TypeError(f"iinfo() requires an integer input type, got {type}")
        info = np.iinfo(np.uint8 if type is _dtype.bool else type.numpy)
        self.dtype = type.name
        self.bits = type.itemsize * 8
        self.max = 1 if type is _dtype.bool else int(info.max)
        self.min = int(info.min)

    def __repr__(self):
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"

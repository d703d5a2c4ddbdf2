"""Padding layers (``torch.nn.modules.padding``)."""

from __future__ import annotations

from .. import functional as F
from .module import Module
from .utils import _ntuple, _pair, _quadruple

__all__ = ["CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d",
           "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "ZeroPad1d", "ZeroPad2d",
           "ZeroPad3d"]

_sextuple = _ntuple(6, "_sextuple")


class _PadNd(Module):
    __constants__ = ["padding"]
    _mode = "constant"

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    __constants__ = ["padding", "value"]

    def __init__(self, value):
        super().__init__()
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _pair(padding)


class ConstantPad2d(_ConstantPadNd):
    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _quadruple(padding)


class ConstantPad3d(_ConstantPadNd):
    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _sextuple(padding)


class ZeroPad1d(ConstantPad1d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class _TuplePadNd(_PadNd):
    """A padding layer whose int padding applies to every side of its dims."""

    _tuple = staticmethod(_pair)

    def __init__(self, padding):
        super().__init__()
        self.padding = self._tuple(padding)


class ReflectionPad1d(_TuplePadNd):
    _mode = "reflect"


class ReflectionPad2d(_TuplePadNd):
    _mode, _tuple = "reflect", staticmethod(_quadruple)


class ReflectionPad3d(_TuplePadNd):
    _mode, _tuple = "reflect", staticmethod(_sextuple)


class ReplicationPad1d(_TuplePadNd):
    _mode = "replicate"


class ReplicationPad2d(_TuplePadNd):
    _mode, _tuple = "replicate", staticmethod(_quadruple)


class ReplicationPad3d(_TuplePadNd):
    _mode, _tuple = "replicate", staticmethod(_sextuple)


class _CircularPadNd(_TuplePadNd):
    _mode = "circular"
    _dims = 1

    def _check_input_dim(self, input):
        d = self._dims
        if input.dim() not in (d + 1, d + 2):
            raise ValueError(f"expected {d + 1}D or {d + 2}D input (got {input.dim()}D input)")

    def forward(self, input):
        self._check_input_dim(input)
        return F.pad(input, self.padding, "circular")


class CircularPad1d(_CircularPadNd):
    _dims = 1


class CircularPad2d(_CircularPadNd):
    _dims, _tuple = 2, staticmethod(_quadruple)


class CircularPad3d(_CircularPadNd):
    _dims, _tuple = 3, staticmethod(_sextuple)

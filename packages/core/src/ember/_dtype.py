"""ember dtypes: PyTorch's names, their NumPy equivalents and type promotion."""

from __future__ import annotations

import builtins

import ml_dtypes
import numpy as np


class dtype:
    """A tensor element type, printed as PyTorch prints it (``ember.float32``)."""

    __slots__ = ("name", "numpy", "itemsize", "is_floating_point", "is_signed", "_kind", "_rank")

    def __init__(self, name, numpy_dtype, kind, rank):
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.itemsize = self.numpy.itemsize
        self.is_floating_point = kind == 2
        self.is_signed = name not in ("uint8", "bool")
        self._kind = kind  # 0 bool, 1 integer, 2 floating
        self._rank = rank

    @property
    def is_complex(self):
        return False

    def to_complex(self):
        raise RuntimeError(f"ember does not support complex dtypes (asked for {self})")

    def __repr__(self):
        return f"ember.{self.name}"

    def __reduce__(self):
        return (_by_name, (self.name,))


bool = dtype("bool", np.bool_, 0, 0)  # noqa: A001 - PyTorch's public name
uint8 = dtype("uint8", np.uint8, 1, 1)
int8 = dtype("int8", np.int8, 1, 1)
int16 = dtype("int16", np.int16, 1, 2)
int32 = dtype("int32", np.int32, 1, 3)
int64 = dtype("int64", np.int64, 1, 4)
float16 = dtype("float16", np.float16, 2, 1)
bfloat16 = dtype("bfloat16", ml_dtypes.bfloat16, 2, 1)
float32 = dtype("float32", np.float32, 2, 2)
float64 = dtype("float64", np.float64, 2, 3)

ALL = (bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64)
ALIASES = {
    "half": float16, "float": float32, "double": float64, "short": int16,
    "int": int32, "long": int64,
}
_BY_NAME = {d.name: d for d in ALL} | ALIASES
_FROM_NUMPY = {d.numpy: d for d in ALL}


def _by_name(name):
    return _BY_NAME[name]


_SCALAR_TYPE_NAMES = {
    "float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
    "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
    "bool": "Bool",
}


def scalar_type_name(d: dtype) -> str:
    """PyTorch's scalar type name, as its error messages print it: 'Long' for int64."""
    return _SCALAR_TYPE_NAMES[d.name]


def from_numpy_dtype(np_dtype) -> dtype:
    """The ember dtype of a NumPy dtype; TypeError for types ember lacks."""
    found = _FROM_NUMPY.get(np_dtype)
    if found is None:
        found = _FROM_NUMPY.get(np.dtype(np_dtype))
    if found is None:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype)}. The only supported "
            "types are: float64, float32, float16, bfloat16, int64, int32, int16, int8, uint8, "
            "and bool."
        )
    return found


_default_float = [float32]


def get_default_dtype() -> dtype:
    return _default_float[0]


def set_default_dtype(d: dtype) -> None:
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default_float[0] = d


def _promote_pair(a: dtype, b: dtype) -> dtype:
    if a is b:
        return a
    if a._kind != b._kind:
        return a if a._kind > b._kind else b
    if a._kind == 1:
        if uint8 in (a, b):
            other = b if a is uint8 else a
            return int16 if other is int8 else other
        return a if a._rank > b._rank else b
    if {a, b} == {float16, bfloat16}:
        return float32
    return a if a._rank > b._rank else b


_PROMOTE = {(a, b): _promote_pair(a, b) for a in ALL for b in ALL}


def promote_types(a: dtype, b: dtype) -> dtype:
    """PyTorch's ``promote_types``: the smallest dtype both fit in."""
    return _PROMOTE[a, b]


def scalar_kind(value) -> int:
    """Category of a Python scalar: 0 bool, 1 integer, 2 floating."""
    t = type(value)
    if t is builtins.bool or t is np.bool_:
        return 0
    if t is int or isinstance(value, np.integer):
        return 1
    if t is float or isinstance(value, np.floating):
        return 2
    raise TypeError(f"unsupported scalar type {t.__name__}")


def scalar_dtype(value) -> dtype:
    """The dtype a Python scalar becomes on its own (torch.tensor(value))."""
    return (bool, int64, _default_float[0])[scalar_kind(value)]


KIND_DEFAULT = {0: bool, 1: int64}

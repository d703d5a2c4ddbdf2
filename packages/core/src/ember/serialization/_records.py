"""The format layer's objects: storages and tensors as numpy arrays, and PyTorch names.

A storage is a 1-D numpy array; a tensor is a strided numpy view of one. ``NumpyRebuilder``
turns what a checkpoint describes into these records; the ember layer has its own rebuilder.
"""

from __future__ import annotations

import dataclasses
import operator
import sys
from dataclasses import dataclass

import numpy as np

_FOREIGN_ORDER = ">" if sys.byteorder == "little" else "<"


@dataclass(eq=False)
class Storage:
    """A storage read from a checkpoint: a 1-D array and the location it was saved from."""

    array: np.ndarray
    location: str


@dataclass(eq=False)
class RawTensor:
    """A tensor as numpy: a view of its storage, its autograd flags and its location."""

    array: np.ndarray
    requires_grad: bool = False
    parameter: bool = False
    location: str = "cpu"


@dataclass(frozen=True)
class TorchName:
    """A global of PyTorch's namespace, such as ``torch.float16``."""

    module: str
    name: str


@dataclass(frozen=True)
class TorchObject:
    """A call of a PyTorch global, such as ``torch.device('cpu')`` or ``torch.Size((2, 3))``."""

    name: TorchName
    args: tuple


class NumpyRebuilder:
    """Rebuilds a checkpoint's tensors as ``RawTensor`` and its torch objects as names."""

    def tensor(self, storage: Storage, offset, size, stride, requires_grad) -> RawTensor:
        view = strided_view(storage.array, offset, size, stride)
        return RawTensor(view, bool(requires_grad), location=storage.location)

    def parameter(self, tensor: RawTensor, requires_grad) -> RawTensor:
        return dataclasses.replace(tensor, requires_grad=bool(requires_grad), parameter=True)

    def torch_global(self, name: TorchName) -> TorchName:
        return name

    def torch_object(self, name: TorchName, args: tuple) -> TorchObject:
        return TorchObject(name, tuple(args))


def strided_view(storage: np.ndarray, offset, size, stride) -> np.ndarray:
    """A view of the 1-D ``storage`` like ``torch.as_strided``, refusing views that leave it."""
    offset = operator.index(offset)
    size = tuple(operator.index(n) for n in size)
    stride = tuple(operator.index(s) for s in stride)
    if len(size) != len(stride) or offset < 0 or min(size + stride, default=0) < 0:
        raise ValueError(f"invalid tensor: size {size}, stride {stride}, offset {offset}")
    end = offset
    if 0 not in size:
        end += sum((n - 1) * s for n, s in zip(size, stride, strict=True)) + 1
    if end > storage.size:
        raise ValueError(
            f"tensor of size {size}, stride {stride} and offset {offset} is out of bounds "
            f"for a storage of {storage.size} elements"
        )
    item = storage.itemsize
    strides = tuple(s * item for s in stride)
    return np.ndarray(size, storage.dtype, buffer=storage, offset=offset * item, strides=strides)


def locate(array: np.ndarray) -> tuple[np.ndarray, int, tuple]:
    """The storage ``array`` views, as (1-D storage, offset, stride) counted in elements.

    The storage is the whole memory block under ``array``'s chain of views, so views of one
    block share it. An array no storage can describe (negative or unaligned strides, foreign
    byte order, a non-contiguous block) is copied into a storage of its own.
    """
    item = array.dtype.itemsize
    root = _root(array)
    start = address(array) - address(root)
    dims = list(zip(array.shape, array.strides, strict=True))
    span = sum((n - 1) * s for n, s in dims) + item
    fits = (
        array.dtype.byteorder != _FOREIGN_ORDER
        and (root.flags.c_contiguous or root.flags.f_contiguous)
        and root.nbytes % item == 0
        and start % item == 0
        and 0 <= start
        and (array.size == 0 or start + span <= root.nbytes)
        and all(s >= 0 and s % item == 0 for n, s in dims if n > 1)
    )
    if not fits:
        dtype = array.dtype
        if dtype.byteorder == _FOREIGN_ORDER:
            dtype = dtype.newbyteorder("=")
        array = np.array(array, dtype=dtype, order="C")
        root, start = array, 0
    storage = root.ravel(order="K").view(np.uint8).view(array.dtype)
    stride = tuple(max(s, 0) // item for s in array.strides)
    return storage, start // item, stride


def _root(array: np.ndarray) -> np.ndarray:
    """The array at the bottom of ``array``'s chain of numpy views, seeing through as_strided."""
    while True:
        base = array.base
        if isinstance(base, np.ndarray):
            array = base
        elif isinstance(getattr(base, "base", None), np.ndarray):  # as_strided's DummyArray
            array = base.base
        else:
            return array


def address(array: np.ndarray) -> int:
    """Where ``array``'s first element is in memory."""
    return array.__array_interface__["data"][0]

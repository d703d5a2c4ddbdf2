"""``CLArray``: the OpenCL backend's native array, a strided view of one OpenCL buffer."""

from __future__ import annotations

import math

import numpy as np

from . import layout, runtime


class CLArray:
    """A buffer, an offset and strides (in elements), a shape and a numpy dtype.

    ``.strides`` is in bytes like numpy's; views share ``.data`` with their base.
    """

    __slots__ = ("data", "offset", "shape", "est", "dtype", "device", "_contig")

    def __init__(self, device, data, offset, shape, est, dtype):
        self.device = device
        self.data = data
        self.offset = offset
        self.shape = shape
        self.est = est
        self.dtype = dtype
        self._contig = None

    # -- numpy-like metadata -------------------------------------------------------------
    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize

    @property
    def strides(self) -> tuple:
        item = self.dtype.itemsize
        return tuple(s * item for s in self.est)

    @property
    def contiguous(self) -> bool:
        c = self._contig
        if c is None:
            c = self._contig = layout.is_contiguous(self.shape, self.est)
        return c

    def view_of(self, offset, shape, est) -> CLArray:
        """Another layout over the same buffer."""
        return CLArray(self.device, self.data, offset, shape, est, self.dtype)

    def view(self, dtype) -> CLArray:
        """The same memory read as another dtype of the same size."""
        dtype = np.dtype(dtype)
        if dtype.itemsize != self.dtype.itemsize:
            raise ValueError("CLArray.view() needs a dtype of the same itemsize")
        return CLArray(self.device, self.data, self.offset, self.shape, self.est, dtype)

    def __getitem__(self, key):
        from .indexing import getitem

        return getitem(self, key)

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of a 0-d array")
        return self.shape[0]

    def get(self) -> np.ndarray:
        """A NumPy copy of the values."""
        return to_host(self)

    def __array__(self, dtype=None, copy=None):
        host = to_host(self)
        return host if dtype is None else host.astype(dtype)

    def __repr__(self):
        return (f"CLArray(shape={self.shape}, dtype={self.dtype}, device=opencl:"
                f"{self.device.index})")


def empty(device, shape, dtype) -> CLArray:
    dtype = np.dtype(dtype)
    device.check_dtype(dtype)
    shape = tuple(int(n) for n in shape)
    if any(n < 0 for n in shape):
        raise ValueError(f"negative dimensions are not allowed: {shape}")
    data = device.alloc(math.prod(shape) * dtype.itemsize)
    return CLArray(device, data, 0, shape, layout.contiguous(shape), dtype)


def from_host(device, host) -> CLArray:
    host = np.asarray(host)
    if not host.flags.c_contiguous:  # (np.ascontiguousarray would make 0-d arrays 1-d)
        host = host.copy(order="C")
    out = empty(device, host.shape, host.dtype)
    if host.size:
        runtime.cl.enqueue_copy(device.queue, out.data, host, is_blocking=True)
    return out


def to_host(x) -> np.ndarray:
    if not x.contiguous:
        from .elementwise import copy

        x = copy(x)
    host = np.empty(x.shape, x.dtype)
    if host.size:
        runtime.cl.enqueue_copy(x.device.queue, host, x.data,
                                src_offset=x.offset * x.dtype.itemsize, is_blocking=True)
    x.device.pending = 0  # a blocking read waits for everything queued before it
    return host

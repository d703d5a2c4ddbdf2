"""Shared machinery of the conformance tests: dtypes, value generation, native layouts."""

from __future__ import annotations

import zlib

import numpy as np

from ... import _dtype

BOOL = (_dtype.bool,)
INTS = (_dtype.uint8, _dtype.int8, _dtype.int16, _dtype.int32, _dtype.int64)
FLOATS = (_dtype.float16, _dtype.bfloat16, _dtype.float32, _dtype.float64)
NUMERIC = INTS + FLOATS
ALL = BOOL + NUMERIC


class _Index:
    """Stands for the device index in a case's arguments (creation kernels take one)."""

    def __repr__(self):
        return "INDEX"


INDEX = _Index()


def rng_for(*key) -> np.random.Generator:
    """A NumPy generator seeded from ``key`` (stable across runs and processes)."""
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def values(rng, shape, dtype, kind="any"):
    """A NumPy array of ``dtype`` with values suited to ``kind``.

    kind: "any" (small signed values), "pos" (positive, away from 0), "nonzero",
    "unit" (in (-0.9, 0.9)), "small" (ints in [0, 3], floats in [0.5, 1.5]),
    "distinct" (no ties), "int" (integer-valued floats).
    """
    shape = tuple(shape)
    n = int(np.prod(shape)) if shape else 1
    if dtype is _dtype.bool:
        return rng.integers(0, 2, shape).astype(bool)
    if dtype.is_floating_point:
        if kind == "pos":
            v = rng.uniform(0.5, 3.0, shape)
        elif kind == "unit":
            v = rng.uniform(-0.9, 0.9, shape)
        elif kind == "small":
            v = rng.uniform(0.5, 1.5, shape)
        elif kind == "nonzero":
            v = rng.uniform(0.5, 3.0, shape) * rng.choice([-1.0, 1.0], shape)
        elif kind == "distinct":
            v = (rng.permutation(n).reshape(shape) - n // 2) * 0.5
        elif kind == "int":
            v = rng.integers(-4, 5, shape).astype(np.float64)
        else:
            v = rng.uniform(-3.0, 3.0, shape)
        return np.asarray(v).astype(dtype.numpy)
    lo = 0 if dtype is _dtype.uint8 else -5
    if kind in ("pos", "small"):
        v = rng.integers(1, 4 if kind == "small" else 6, shape)
    elif kind == "nonzero":
        v = rng.integers(1, 6, shape) * (rng.choice([-1, 1], shape) if lo < 0 else 1)
    elif kind == "distinct":
        v = rng.permutation(n).reshape(shape) + (0 if lo == 0 else -(n // 2))
    else:
        v = rng.integers(lo, 6, shape)
    return np.asarray(v).astype(dtype.numpy)


def scalar_for(dtype, value):
    """A Python scalar of the category of ``dtype`` (bool, int or float)."""
    if dtype is _dtype.bool:
        return bool(value)
    if dtype.is_floating_point:
        return float(value)
    return int(value)


def upcast(a):
    """A float64 / int64 / bool copy of a NumPy array, for references computed precisely."""
    if not isinstance(a, np.ndarray):
        return a
    if a.dtype == np.bool_:
        return a.copy()
    if a.dtype.kind in "iu":
        return a.astype(np.int64)
    return a.astype(np.float64)


class Expanded:
    """An input that the backend sees as a broadcast (stride-0) view of ``small``."""

    def __init__(self, small, shape):
        self.small, self.shape = small, tuple(shape)

    @property
    def array(self):
        return np.broadcast_to(self.small, self.shape)


LAYOUTS = ("contiguous", "transposed", "strided")


def to_native(backend, k, index, a, layout="contiguous"):
    """A native array holding NumPy array ``a``, laid out as ``layout`` where its rank allows.

    "transposed": a permuted view of a transposed copy; "strided": every other element of
    a larger array along the last axis. Both are non-contiguous views the backend made.
    """
    if isinstance(a, Expanded):
        return k.broadcast_to(backend.from_host(_c(a.small), index), a.shape)
    a = np.asarray(a)
    if layout == "transposed" and a.ndim >= 2 and a.size:
        rev = tuple(reversed(range(a.ndim)))
        base = backend.from_host(_c(a.transpose(rev)), index)
        return k.permute(base, rev)
    if layout == "strided" and a.ndim >= 1 and a.size:
        big = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), dtype=a.dtype)
        big[..., ::2] = a
        return k.getitem(backend.from_host(big, index), (Ellipsis, slice(None, None, 2)))
    return backend.from_host(_c(a), index)


def to_numpy(backend, x):
    """A NumPy copy of native array (or tuple / list of arrays) ``x``."""
    if isinstance(x, (tuple, list)):
        return type(x)(to_numpy(backend, y) for y in x)
    return np.array(backend.to_host(x), copy=True)


def native_layout_differs(a, layout):
    """Whether ``layout`` gives a different (non-contiguous) array for ``a``."""
    if isinstance(a, Expanded):
        return False
    a = np.asarray(a)
    if not a.size:
        return False
    return (layout == "transposed" and a.ndim >= 2) or (layout == "strided" and a.ndim >= 1)


class Context:
    """The backend under test, with helpers to move arrays and compare kernel results."""

    def __init__(self, backend, k, index):
        self.backend, self.k, self.index = backend, k, index
        self.native_type = type(backend.from_host(np.zeros(1, np.float32), index))

    def rng(self, *key):
        return rng_for(*key)

    def native(self, a, layout="contiguous"):
        return to_native(self.backend, self.k, self.index, a, layout)

    def convert(self, a, layout):
        """Case argument -> kernel argument: arrays become native (in ``layout``)."""
        if isinstance(a, (np.ndarray, Expanded)):
            return self.native(a, layout)
        if isinstance(a, list):
            return [self.convert(x, layout) for x in a]
        if isinstance(a, tuple):  # index keys: arrays inside are native, contiguous
            return tuple(self.convert(x, "contiguous") for x in a)
        if a is INDEX:
            return self.index
        return a

    def numpy(self, x):
        self.check_type(x)
        return to_numpy(self.backend, x)

    def check_type(self, x, what="result"):
        if isinstance(x, (tuple, list)):
            for y in x:
                self.check_type(y, what)
            return
        assert isinstance(x, self.native_type), (
            f"{what} is a {type(x).__name__}, not a native {self.native_type.__name__} "
            "(kernels return arrays, never scalars)")

    def check_native(self, x, shape, dtype, what):
        self.check_type(x, what)
        assert tuple(x.shape) == tuple(shape), f"{what}: shape {x.shape}, expected {shape}"
        assert x.dtype == dtype.numpy, f"{what}: dtype {x.dtype}, expected {dtype.numpy}"

    def check_contiguous(self, x, what):
        expected = x.dtype.itemsize
        for n, s in zip(reversed(x.shape), reversed(x.strides), strict=True):
            assert n <= 1 or s == expected, f"{what}: strides {x.strides} are not contiguous " \
                                            f"for shape {x.shape}"
            expected *= n

    def write_first(self, x, value):
        """Write ``value`` into the first element of native array ``x`` (setitem kernel)."""
        self.k.setitem(x, (0,) * x.ndim + (Ellipsis,), value)

    def compare(self, out, expected, what, rtol=None, atol=None):
        """Compare native ``out`` (array or tuple) with NumPy ``expected`` (exact dtype); an
        expected None (an output not asked for) must be None."""
        if expected is None:
            assert out is None, f"{what}: expected None, got {type(out).__name__}"
            return
        if isinstance(expected, tuple):
            assert isinstance(out, (tuple, list)) and len(out) == len(expected), \
                f"{what}: expected a tuple of {len(expected)} arrays, got {type(out).__name__}"
            for i, (o, e) in enumerate(zip(out, expected, strict=True)):
                self.compare(o, e, f"{what} [output {i}]", rtol, atol)
            return
        self.compare_arrays(self.numpy(out), expected, what, rtol, atol, equal_nan=True)

    def compare_arrays(self, actual, expected, what, rtol=None, atol=None, equal_nan=True):
        from .._comparison import assert_close

        expected = np.asarray(expected)
        assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan,
                     msg=lambda m: f"{what}:\n{m}\nactual:\n{actual}\nexpected:\n{expected}")


def _c(a):
    """A C-contiguous copy (np.ascontiguousarray turns 0-d arrays into 1-d ones)."""
    return np.array(a, copy=True, order="C")

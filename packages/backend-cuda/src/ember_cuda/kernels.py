"""The CUDA C kernels of the backend (``csrc/*.cu``), compiled once per device by CuPy.

Each fused op takes the arguments of its op-list entry and returns None where its kernel
does not apply (dtypes other than float32/float64, empty arrays, a norm weight not shaped
as the normalised axes); ``backend.py`` then runs the core decomposition. Non-contiguous
inputs are copied first.
"""

from __future__ import annotations

import math
from functools import cache

import cupy
import numpy as np

from .sources import OPTIONS, source

_THREADS = 256
_NULL = np.uint64(0)  # a null pointer argument: an absent weight, bias or output


@cache
def module(name: str, device_id: int):
    """The compiled ``csrc/<name>`` for one device (NVRTC, cached by CuPy on disk too)."""
    with cupy.cuda.Device(device_id):
        return cupy.RawModule(code=source(name), options=OPTIONS, name_expressions=None)


def _function(source_name, kernel, x):
    """Kernel ``<kernel>_f32`` or ``_f64`` of ``csrc/<source_name>`` for x's dtype and device."""
    suffix = "_f32" if x.dtype.char == "f" else "_f64"
    return module(source_name, x.device.id).get_function(kernel + suffix)


def _grid(n: int) -> tuple[int]:
    return (max(1, min((n + _THREADS - 1) // _THREADS, 65535)),)


def _row_threads(cols: int) -> tuple[int]:
    """Threads of a one-block-per-row kernel: a power of two from 32 to _THREADS."""
    return (min(_THREADS, 1 << max(5, (cols - 1).bit_length())),)


def _floating(*arrays):
    """Whether the non-None arrays share a dtype the kernels have (float32/float64)."""
    dtype = arrays[0].dtype
    return dtype.char in "fd" and arrays[0].size > 0 and all(
        a.dtype == dtype for a in arrays if a is not None)


def _c(a):
    """a, C-contiguous (cupy.ascontiguousarray would make a 0-d array 1-d)."""
    return a if a.flags.c_contiguous else cupy.ascontiguousarray(a)


def _ptr(a):
    """A kernel's array argument that may be absent."""
    return _NULL if a is None else _c(a)


class Philox:
    """A (seed, offset) counter-based generator: the state PyTorch's CUDA generators keep."""

    def __init__(self, seed: int, device_id: int):
        self.seed, self.offset, self.device_id = seed % 2**64, 0, device_id

    def launch(self, fn, n, arrays, *extra):
        """``fn(*arrays, n, offset, key, *extra)`` over n values, two random words each."""
        key = (cupy.uint32(self.seed & 0xFFFFFFFF), cupy.uint32(self.seed >> 32))
        fn(_grid(n), (_THREADS,), (*arrays, cupy.int64(n), cupy.uint64(self.offset), *key,
                                   *extra))
        self.offset += (2 * n + 3) // 4 + 1  # blocks of four words consumed (two per value)

    def _draw(self, kernel, out, *extra):
        fn = module("philox.cu", self.device_id).get_function(kernel)
        self.launch(fn, out.size, (out,), *extra)
        return out

    def uniform(self, shape, low, high):
        out = cupy.empty(shape, cupy.float64)
        return self._draw("philox_uniform", out, cupy.float64(low), cupy.float64(high))

    def normal(self, shape, mean, std):
        out = cupy.empty(shape, cupy.float64)
        return self._draw("philox_normal", out, cupy.float64(mean), cupy.float64(std))

    def randint(self, shape, low, high):
        out = cupy.empty(shape, cupy.int64)
        return self._draw("philox_randint", out, cupy.int64(low), cupy.uint64(high - low))


def softmax(x, axis, log=False):
    """Fused (log-)softmax over the last axis of a float32/float64 array; None otherwise."""
    if axis != x.ndim - 1 or not _floating(x):
        return None
    x = _c(x)
    cols = x.shape[-1]
    out = cupy.empty_like(x)
    fn = _function("softmax.cu", "log_softmax" if log else "softmax", x)
    fn((x.size // cols,), _row_threads(cols), (x, out, cupy.int64(cols)))
    return out


# -- layer_norm and rms_norm (csrc/norm.cu): rows of the last ndim axes -----------------------
def _params_fit(x, ndim, *params):
    return all(p is None or p.shape == x.shape[x.ndim - ndim:] for p in params)


def _norm_forward(kind, x, weight, bias, ndim, eps):
    if not (_floating(x, weight, bias) and _params_fit(x, ndim, weight, bias)):
        return None
    x = _c(x)
    cols = math.prod(x.shape[x.ndim - ndim:])
    stats_shape = x.shape[:x.ndim - ndim] + (1,) * ndim
    out = cupy.empty_like(x)
    mean = cupy.empty(stats_shape, x.dtype) if kind == "layer_norm" else None
    rstd = cupy.empty(stats_shape, x.dtype)
    _function("norm.cu", kind, x)(
        (x.size // cols,), _row_threads(cols),
        (x, _ptr(weight), _ptr(bias), out, _ptr(mean), rstd,
         cupy.int64(cols), cupy.float64(eps)))
    return out, mean, rstd


def _norm_backward(kind, g, x, mean, rstd, weight, ndim, need_x, need_w, need_b):
    if not (_floating(x, g, mean, rstd, weight) and _params_fit(x, ndim, weight)):
        return None
    g, x, rstd = (_c(a) for a in (g, x, rstd))
    mean = _ptr(mean)
    cols = math.prod(x.shape[x.ndim - ndim:])
    rows = x.size // cols
    gx = gw = gb = None
    if need_x:
        gx = cupy.empty_like(x)
        _function("norm.cu", kind + "_backward_input", x)(
            (rows,), _row_threads(cols),
            (g, x, _ptr(weight), mean, rstd, gx, cupy.int64(cols)))
    if need_w or need_b:
        col_blocks = (cols + 31) // 32
        chunks = max(1, min((rows + 31) // 32, 65535, -(-1024 // col_blocks)))
        per_chunk = -(-rows // chunks)
        gw_part = cupy.empty((chunks, cols), x.dtype) if need_w else None
        gb_part = cupy.empty((chunks, cols), x.dtype) if need_b else None
        _function("norm.cu", kind + "_backward_params", x)(
            (col_blocks, chunks), (32, 8),
            (g, x, mean, rstd, _ptr(gw_part), _ptr(gb_part),
             cupy.int64(rows), cupy.int64(cols), cupy.int64(per_chunk)))
        shape = x.shape[x.ndim - ndim:]
        gw = gw_part.sum(axis=0).reshape(shape) if need_w else None
        gb = gb_part.sum(axis=0).reshape(shape) if need_b else None
    return gx, gw, gb


def layer_norm(x, weight, bias, ndim, eps):
    return _norm_forward("layer_norm", x, weight, bias, ndim, eps)


def layer_norm_backward(g, x, mean, rstd, weight, ndim, mask):
    return _norm_backward("layer_norm", g, x, mean, rstd, weight, ndim, *mask)


def rms_norm(x, weight, ndim, eps):
    out = _norm_forward("rms_norm", x, weight, None, ndim, eps)
    return None if out is None else (out[0], out[2])


def rms_norm_backward(g, x, rstd, weight, ndim, mask):
    out = _norm_backward("rms_norm", g, x, None, rstd, weight, ndim, *mask, False)
    return None if out is None else out[:2]


# -- cross-entropy (csrc/cross_entropy.cu): one block per row of logits (N, C) ---------------
def cross_entropy(x, target):
    if not _floating(x):
        return None
    x, target = _c(x), _c(target)
    rows, cols = x.shape
    losses, lse = cupy.empty(rows, x.dtype), cupy.empty(rows, x.dtype)
    _function("cross_entropy.cu", "cross_entropy", x)(
        (rows,), _row_threads(cols), (x, target, losses, lse, cupy.int64(cols)))
    return losses, lse


def cross_entropy_backward(g, x, target, lse):
    if not _floating(x, g, lse):
        return None
    g, x, target, lse = (_c(a) for a in (g, x, target, lse))
    rows, cols = x.shape
    gx = cupy.empty_like(x)
    _function("cross_entropy.cu", "cross_entropy_backward", x)(
        (rows,), _row_threads(cols), (g, x, target, lse, gx, cupy.int64(cols)))
    return gx


# -- GELU (csrc/gelu.cu): elementwise, Phi(x) recomputed in the backward ----------------------
def gelu(x, approximate):
    if not _floating(x):
        return None
    x = _c(x)
    out = cupy.empty_like(x)
    _function("gelu.cu", "gelu", x)(
        _grid(x.size), (_THREADS,),
        (x, out, cupy.int64(x.size), cupy.int32(approximate == "tanh")))
    return out, None


def gelu_backward(g, x, aux, approximate):
    if aux is not None or not _floating(x, g):
        return None  # aux: gelu fell back to the decomposition, whose backward reuses it
    g, x = _c(g), _c(x)
    gx = cupy.empty_like(x)
    _function("gelu.cu", "gelu_backward", x)(
        _grid(x.size), (_THREADS,),
        (g, x, gx, cupy.int64(x.size), cupy.int32(approximate == "tanh")))
    return gx


# -- dropout (csrc/dropout.cu): the generator's uniforms, as Philox.uniform draws them --------
def dropout(gen, x, p):
    if not _floating(x):
        return None
    x = _c(x)
    out, mask = cupy.empty_like(x), cupy.empty_like(x)
    gen.launch(_function("dropout.cu", "dropout", x), x.size, (x, out, mask),
               cupy.float64(p), cupy.float64(1.0 / (1.0 - p)))
    return out, mask

"""The CUDA C kernels of the backend (``csrc/*.cu``), compiled once per device by CuPy."""

from __future__ import annotations

from functools import cache
from importlib import resources

import cupy

_THREADS = 256


def source(name: str) -> str:
    return (resources.files("ember_cuda") / "csrc" / name).read_text()


@cache
def module(name: str, device_id: int):
    """The compiled ``csrc/<name>`` for one device (NVRTC, cached by CuPy on disk too)."""
    with cupy.cuda.Device(device_id):
        return cupy.RawModule(code=source(name), options=("--std=c++17",),
                              name_expressions=None)


def _grid(n: int) -> tuple[int]:
    return (max(1, min((n + _THREADS - 1) // _THREADS, 65535)),)


class Philox:
    """A (seed, offset) counter-based generator: the state PyTorch's CUDA generators keep."""

    def __init__(self, seed: int, device_id: int):
        self.seed, self.offset, self.device_id = seed % 2**64, 0, device_id

    def _launch(self, kernel: str, out, *extra):
        n = out.size
        fn = module("philox.cu", self.device_id).get_function(kernel)
        key = (cupy.uint32(self.seed & 0xFFFFFFFF), cupy.uint32(self.seed >> 32))
        fn(_grid(n), (_THREADS,), (out, cupy.int64(n), cupy.uint64(self.offset), *key, *extra))
        self.offset += (2 * n + 3) // 4 + 1  # blocks of four words consumed (two per value)
        return out

    def uniform(self, shape, low, high):
        out = cupy.empty(shape, cupy.float64)
        return self._launch("philox_uniform", out, cupy.float64(low), cupy.float64(high))

    def normal(self, shape, mean, std):
        out = cupy.empty(shape, cupy.float64)
        return self._launch("philox_normal", out, cupy.float64(mean), cupy.float64(std))

    def randint(self, shape, low, high):
        out = cupy.empty(shape, cupy.int64)
        return self._launch("philox_randint", out, cupy.int64(low), cupy.uint64(high - low))


def softmax(x, axis, log=False):
    """Fused (log-)softmax over the last axis of a float32/float64 array; None otherwise."""
    if axis != x.ndim - 1 or x.dtype.char not in "fd" or x.size == 0:
        return None
    x = cupy.ascontiguousarray(x)
    cols = x.shape[-1]
    rows = x.size // cols
    out = cupy.empty_like(x)
    name = ("log_softmax_" if log else "softmax_") + ("f32" if x.dtype.char == "f" else "f64")
    fn = module("softmax.cu", x.device.id).get_function(name)
    threads = min(_THREADS, 1 << max(5, (cols - 1).bit_length()))
    fn((rows,), (threads,), (x, out, cupy.int64(cols)), shared_mem=threads * x.dtype.itemsize)
    return out

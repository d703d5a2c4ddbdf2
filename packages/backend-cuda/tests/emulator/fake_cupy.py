"""A stand-in for ``cupy`` over NumPy that runs ember_cuda's CUDA C on the CPU (cuda_emu.h).

It has what ``ember_cuda.kernels`` and ``ember_cuda.optimizers`` use and nothing else.
Arrays are NumPy arrays of a subclass with CuPy's ``device.id`` and ``data.ptr``; ``empty``
fills them with NaN (integers: their maximum) so that an element no kernel writes shows.
``RawModule`` compiles a source with g++ into ``build_dir`` (set it first); its kernels take
CuPy's ``(grid, block, args)`` and raise RuntimeError where the launch would fail on a GPU.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import re
import subprocess
import types
from pathlib import Path

import numpy as np

HEADER = Path(__file__).with_name("cuda_emu.h")
COMPILE = ("g++", "-std=c++17", "-O1", "-shared", "-fPIC")
build_dir: Path | None = None

int32, int64, uint32, uint64, float64 = np.int32, np.int64, np.uint32, np.uint64, np.float64
cuda = types.SimpleNamespace(Device=contextlib.nullcontext)  # one device, always current
_DEVICE = types.SimpleNamespace(id=0)


class ndarray(np.ndarray):
    """A NumPy array posing as a CuPy array on device 0."""

    @property
    def device(self):
        return _DEVICE

    @property
    def data(self):
        return types.SimpleNamespace(ptr=self.ctypes.data)


def empty(shape, dtype):
    dtype = np.dtype(dtype)
    return np.full(shape, np.nan if dtype.kind == "f" else np.iinfo(dtype).max,
                   dtype).view(ndarray)


def empty_like(a):
    return empty(a.shape, a.dtype)


def asarray(a):
    """a itself if it is on the device, else a copy there."""
    return a if isinstance(a, ndarray) else np.array(a).view(ndarray)


def ascontiguousarray(a):
    return np.ascontiguousarray(a).view(ndarray)


class RawModule:
    """``code`` (one self-contained CUDA C source) compiled for the emulator; ``options``
    and ``name_expressions`` are NVRTC's and ignored."""

    def __init__(self, code, options=(), name_expressions=None):
        self.names = re.findall(r"\bEMU_KERNEL\s+void\s+(\w+)\s*\(", subprocess.run(
            ["g++", "-E", "-P", "-D__global__=EMU_KERNEL", "-x", "c++", "-"], input=code,
            capture_output=True, text=True, check=True).stdout)
        text = f'#include "{HEADER.name}"\n{code}\n' + "".join(
            f'extern "C" const char *emu_launch_{name}(const unsigned *dims, void **args, '
            f"const unsigned long long *sizes, int count) "
            f"{{ return emu::launch({name}, dims, args, sizes, count); }}\n"
            for name in self.names)
        key = hashlib.sha256((HEADER.read_text() + text).encode()).hexdigest()[:16]
        library = build_dir / f"{key}.so"
        if not library.exists():
            cpp = library.with_suffix(".cpp")
            cpp.write_text(text)
            result = subprocess.run([*COMPILE, "-I", str(HEADER.parent), "-o", str(library),
                                     str(cpp)], capture_output=True, text=True)
            if result.returncode:
                raise RuntimeError(f"g++ could not build {cpp}:\n{result.stderr}")
        self._library = ctypes.CDLL(str(library))

    def get_function(self, name):
        if name not in self.names:
            raise KeyError(f"no kernel {name!r}; the module has {self.names}")
        launch = getattr(self._library, f"emu_launch_{name}")
        launch.restype = ctypes.c_char_p
        return _Kernel(name, launch)


class _Kernel:
    def __init__(self, name, launch):
        self.name, self._launch = name, launch

    def __call__(self, grid, block, args):
        dims = (ctypes.c_uint * 6)(*_dim3(grid), *_dim3(block))
        values = [_argument(a) for a in args]
        pointers = (ctypes.c_void_p * len(values))(*map(ctypes.addressof, values))
        sizes = (ctypes.c_ulonglong * len(values))(*map(ctypes.sizeof, values))
        error = self._launch(dims, pointers, sizes, len(values))
        if error:
            raise RuntimeError(f"{self.name}: {error.decode()}")


def _dim3(dims):
    return (tuple(dims) + (1, 1))[:3]


def _argument(a):
    """The C value CuPy passes for a: a device array's address, or a scalar of its type
    (Python int, float and bool as int64, double and bool)."""
    if isinstance(a, np.ndarray):
        if not isinstance(a, ndarray):
            raise TypeError("a NumPy array passed to a kernel (it is not on the device)")
        if not a.flags.c_contiguous:
            raise ValueError("a non-contiguous array passed to a kernel")
        return ctypes.c_void_p(a.ctypes.data)
    scalar = np.asarray(a)
    return np.ctypeslib.as_ctypes_type(scalar.dtype)(scalar.item())

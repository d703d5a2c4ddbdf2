"""The CUDA backend: the generic array kernels over CuPy plus fused CUDA kernels."""

from __future__ import annotations

import json
from functools import partial

from ember.backends import Backend
from ember.backends import decompositions as core_decompositions
from ember.backends.array_api import generic_kernels
from ember.backends.base import Kernels

INSTALL_HINT = "pip install 'ember-backend-cuda[cuda13]' (or [cuda12] for CUDA 12 drivers)"


def _cupy():
    try:
        import cupy
    except ImportError:
        return None
    return cupy


class CUDABackend(Backend):
    name = "cuda"
    pip_name = "ember-backend-cuda[cuda13]"

    def __init__(self):
        super().__init__()
        self._reason = ""
        cp = _cupy()
        if cp is None:
            self._reason = f"CuPy is not installed; {INSTALL_HINT}"
            self._count = 0
        else:
            try:
                self._count = cp.cuda.runtime.getDeviceCount()
            except Exception as exc:  # no driver, no device, or a driver too old
                self._count = 0
                self._reason = f"CUDA is not usable here ({exc})"
            else:
                if not self._count:
                    self._reason = "no NVIDIA GPU was found"
        self._per_device: dict[int, Kernels] = {}
        self.api = None
        if self._count:
            from .device_api import DeviceAPI
            from .optimizers import register as register_optimizers

            self._fill(self.kernels, cp)
            self.api = DeviceAPI()
            register_optimizers()

    # -- devices -----------------------------------------------------------------
    def is_available(self) -> bool:
        return self._count > 0

    def unavailable_reason(self) -> str:
        return self._reason

    def device_count(self) -> int:
        return self._count

    def synchronize(self, index=None):
        import cupy

        with cupy.cuda.Device(index or 0):
            cupy.cuda.get_current_stream().synchronize()

    def kernels_for(self, index: int) -> Kernels:
        """Kernels that run with device ``index`` current (plain ones when there is one GPU)."""
        if self._count <= 1:
            return self.kernels
        table = self._per_device.get(index)
        if table is None:
            import cupy

            table = self._per_device[index] = Kernels()
            for op, fn in vars(self.kernels).items():
                setattr(table, op, _on_device(cupy, index, fn))
        return table

    # -- data movement -------------------------------------------------------------
    def from_host(self, array, index):
        import cupy

        with cupy.cuda.Device(index or 0):
            return cupy.asarray(array)

    def to_host(self, x):
        return x.get()  # waits for the kernels that produce x

    def pin_memory(self, array):
        return self.api.pin_memory(array)

    def shares_memory(self, x, y):
        import cupy

        return cupy.shares_memory(x, y)

    def data_ptr(self, x):
        return x.data.ptr

    # -- random numbers --------------------------------------------------------------
    def new_generator(self, seed, index):
        from .kernels import Philox

        return Philox(seed, index or 0)

    def generator_state(self, gen):
        return json.dumps({"seed": gen.seed, "offset": gen.offset}).encode()

    def set_generator_state(self, gen, state):
        fields = json.loads(bytes(state).decode())
        gen.seed, gen.offset = fields["seed"], fields["offset"]

    # -- the kernel table --------------------------------------------------------------
    def _fill(self, table, cp):
        from . import kernels as fused

        for op, fn in generic_kernels(cp, returns_scalars=False).items():
            setattr(table, op, _retry_on_oom(cp, fn))
        del table.randperm  # NumPy's Generator API; the core decomposition sorts uniforms
        table.uniform = lambda gen, shape, low, high, dtype: gen.uniform(
            shape, low, high).astype(dtype.numpy, copy=False)
        table.normal = lambda gen, shape, mean, std, dtype: gen.normal(
            shape, mean, std).astype(dtype.numpy, copy=False)
        table.randint = lambda gen, low, high, shape, dtype: gen.randint(
            shape, low, high).astype(dtype.numpy, copy=False)
        for name, kernel in _fused_kernels(fused).items():
            fallback = getattr(core_decompositions, name)
            setattr(table, name, _retry_on_oom(cp, _fused_or(kernel, fallback, table)))


def _fused_kernels(fused):
    """Op name -> fused kernel of ``kernels.py`` (None where it does not apply)."""
    return {
        "softmax": partial(fused.softmax, log=False),
        "log_softmax": partial(fused.softmax, log=True),
        **{name: getattr(fused, name) for name in (
            "layer_norm", "layer_norm_backward", "rms_norm", "rms_norm_backward",
            "cross_entropy", "cross_entropy_backward", "gelu", "gelu_backward", "dropout")},
    }


def _fused_or(kernel, fallback, table):
    """``kernel(*args)``, or the core decomposition where it returns None (e.g. float16)."""
    def run(*args):
        out = kernel(*args)
        return fallback(table, *args) if out is None else out
    return run


def _retry_on_oom(cp, fn):
    """Free CuPy's cached blocks and retry once; then PyTorch's "CUDA out of memory"."""
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except cp.cuda.memory.OutOfMemoryError:
            pool = cp.get_default_memory_pool()
            pool.free_all_blocks()
            try:
                return fn(*args, **kwargs)
            except cp.cuda.memory.OutOfMemoryError as exc:
                raise RuntimeError(
                    f"CUDA out of memory. {exc}. Of the GPU's memory, ember holds "
                    f"{pool.used_bytes() / 2**20:.1f} MiB in tensors and "
                    f"{pool.total_bytes() / 2**20:.1f} MiB reserved; cached blocks were freed "
                    "and the allocation retried.") from None
    run.__name__ = getattr(fn, "__name__", "kernel")
    return run


def _on_device(cp, index, fn):
    def run(*args, **kwargs):
        with cp.cuda.Device(index):
            return fn(*args, **kwargs)
    return run

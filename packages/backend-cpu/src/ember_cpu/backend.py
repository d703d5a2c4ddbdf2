"""The CPU backend: NumPy arrays, NumPy's random generators, zero-copy host transfers."""

from __future__ import annotations

import json
import warnings

import numpy as np

from ember.backends import Backend
from ember.backends.array_api import generic_kernels

from . import _malloc, nn_kernels, special_kernels

# NumPy reports IEEE events (0/0, log(0), overflow) as RuntimeWarnings; PyTorch's ops give
# nan/inf silently. Only those messages, and only when raised from ember's own modules.
warnings.filterwarnings(
    "ignore", r"(invalid value|divide by zero|overflow|underflow) encountered",
    RuntimeWarning, r"(ember|ember_cpu)(\.|$)")


class CPUBackend(Backend):
    name = "cpu"
    pip_name = "ember-backend-cpu"

    def __init__(self):
        super().__init__()
        for op, fn in generic_kernels(np, returns_scalars=True).items():
            setattr(self.kernels, op, fn)
        for op, fn in nn_kernels.KERNELS.items():  # convolution and pooling fast paths
            setattr(self.kernels, op, fn)
        self.kernels.erf = special_kernels.make_erf(self.kernels)  # float32 fast path (GELU)
        self.kernels.broadcast_to = broadcast_to
        self.kernels.relu = relu
        _malloc.tune()  # reuse freed memory between steps (see _malloc)

    def from_host(self, array, index):
        return array

    def to_host(self, x):
        return x

    def shares_memory(self, x, y):
        return np.may_share_memory(x, y)

    def data_ptr(self, x):
        return x.__array_interface__["data"][0]

    def new_generator(self, seed, index):
        return np.random.Generator(np.random.PCG64(seed))

    def generator_state(self, gen):
        return json.dumps(gen.bit_generator.state).encode()

    def set_generator_state(self, gen, state):
        gen.bit_generator.state = json.loads(bytes(state).decode())


_ZEROS: dict = {}  # dtype -> a 0-d zero of that dtype


def relu(x, out=None):
    """max(x, 0) against a 0-d zero array: half the cost of a Python 0 on small arrays."""
    zero = _ZEROS.get(x.dtype)
    if zero is None:
        zero = _ZEROS[x.dtype] = np.zeros((), x.dtype)
    return np.maximum(x, zero, out=... if out is None else out)


def broadcast_to(x, shape):
    """A view of ``x`` with ``shape``; read-only where elements repeat (as torch's expand).

    Contiguous inputs are viewed with ``np.ndarray`` directly, at a tenth of the cost of
    ``np.broadcast_to`` (a hot autograd path).
    """
    if len(shape) < x.ndim:
        return np.broadcast_to(x, shape)  # raises NumPy's error; core checks shapes first
    lead = len(shape) - x.ndim
    if not x.ndim:  # a scalar, e.g. the gradient of a full reduction
        strides = (0,) * lead
    else:
        strides = [0] * lead
        for i, (n, m, s) in enumerate(zip(x.shape, shape[lead:], x.strides)):
            if n == m:
                strides.append(s)
            elif n == 1:
                strides.append(0)
            else:
                raise ValueError(f"cannot broadcast dimension {i} of size {n} to {m}")
    if x.flags.c_contiguous:  # no zero strides: elements repeat exactly when the size grows
        out = np.ndarray(shape, x.dtype, x, 0, strides)
        if out.size != x.size or not x.flags.writeable:
            out.flags.writeable = False
        return out
    repeats = any(s == 0 and n > 1 for s, n in zip(strides, shape))
    return np.lib.stride_tricks.as_strided(x, shape, strides,
                                           writeable=not repeats and x.flags.writeable)

"""ember: a deep-learning framework with PyTorch's API and devices as plugins.

``import ember as torch`` and keep working. Backends (cpu, cuda, opencl) are separate
packages found through the ``ember.backends`` entry point on first use.
"""

import math

from . import _dtype, autograd, backends, return_types
from ._device import device
from ._dlpack import from_dlpack
from ._dtype import (  # noqa: F401
    bfloat16,
    bool,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    promote_types,
    set_default_dtype,
    uint8,
)
from ._finfo import finfo, iinfo
from ._tensor import Size, Tensor
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .ops import *  # noqa: F403
from .ops import abs, all, any, max, min, pow, round, sum  # noqa: F401  (PyTorch's names)
from .ops._util import broadcast_shapes, result_type  # noqa: F401
from .ops.creation import range_ as range  # noqa: F401, A004
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state

del linalg  # noqa: F821  (ember.ops.linalg came with the star import; ember.linalg loads lazily)

half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001
__version__ = "0.1.0"
pi, e, inf, nan = math.pi, math.e, math.inf, math.nan


def set_default_device(dev) -> None:
    """Where factory functions put new tensors when no device is given."""
    backends.registry.set_default_device(dev)


def get_default_device():
    return backends.registry.default_device


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input) -> bool:
    return input.is_floating_point()


def numel(input) -> int:
    return input.numel()


def typename(obj) -> str:
    return obj.type() if isinstance(obj, Tensor) else type(obj).__name__


def __getattr__(name):
    if name == "default_generator":
        from .random import default_generator_for

        return default_generator_for(backends.registry.canonical("cpu"))
    if name in ("save", "load"):
        from . import serialization

        return getattr(serialization, name)
    if name in ("nn", "optim", "utils", "testing", "linalg", "special", "cuda", "hub"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'ember' has no attribute {name!r}")

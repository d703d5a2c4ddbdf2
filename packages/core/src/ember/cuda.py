"""``ember.cuda``: PyTorch's ``torch.cuda`` namespace, answered by the cuda backend plugin.

With no CuPy, no GPU, or ember-backend-cuda not installed, ``is_available()`` is False,
``device_count()`` is 0, and the functions that need a device raise RuntimeError saying why.
"""

from __future__ import annotations

from .backends.plugins import registry


def _backend():
    try:
        return registry.get("cuda")
    except (RuntimeError, ValueError):
        return None


def _api():
    backend = _backend()
    if backend is None or not backend.is_available():
        reason = backend.unavailable_reason() if backend is not None else (
            "ember-backend-cuda is not installed: pip install 'ember-backend-cuda[cuda13]'")
        raise RuntimeError(f"CUDA is not available: {reason}")
    return backend.api


def _index(device):
    if device is None:
        return current_device()
    if isinstance(device, int):
        return device
    from ._device import device as make_device

    dev = make_device(device)
    return dev.index if dev.index is not None else current_device()


def is_available() -> bool:
    backend = _backend()
    return backend is not None and backend.is_available()


def device_count() -> int:
    backend = _backend()
    return backend.device_count() if backend is not None and backend.is_available() else 0


def current_device() -> int:
    return _api().current_device()


def set_device(device) -> None:
    _api().set_device(_index(device))


def get_device_name(device=None) -> str:
    return _api().get_device_properties(_index(device)).name


def get_device_properties(device=None):
    return _api().get_device_properties(_index(device))


def get_device_capability(device=None) -> tuple[int, int]:
    props = get_device_properties(device)
    return props.major, props.minor


def synchronize(device=None) -> None:
    _api().synchronize(_index(device))


def manual_seed(seed) -> None:
    """Seed the current GPU's default generator."""
    from .random import default_generator_for

    default_generator_for(registry.canonical(f"cuda:{current_device()}")).manual_seed(seed)


def manual_seed_all(seed) -> None:
    from .random import default_generator_for

    for i in range(device_count()):
        default_generator_for(registry.canonical(f"cuda:{i}")).manual_seed(seed)


def memory_allocated(device=None) -> int:
    return _api().memory.allocated()


def max_memory_allocated(device=None) -> int:
    return _api().memory.peak


def memory_reserved(device=None) -> int:
    return _api().memory.reserved()


def reset_peak_memory_stats(device=None) -> None:
    _api().memory.reset_peak()


def empty_cache() -> None:
    if is_available():
        _api().memory.empty_cache()


def current_stream(device=None):
    return _api().current_stream(_index(device))


def Stream(device=None, priority=0):  # noqa: N802 - PyTorch's class name
    return _api().Stream(device, priority)


def Event(enable_timing=False, blocking=False, interprocess=False):  # noqa: N802
    return _api().Event(enable_timing, blocking, interprocess)


def stream(s):
    """Context manager making ``s`` the current stream (a no-op for None)."""
    import contextlib

    return contextlib.nullcontext() if s is None else s


class device:
    """Context manager that makes a GPU current (``torch.cuda.device``)."""

    def __init__(self, device):
        self.index = _index(device) if device is not None else None

    def __enter__(self):
        if self.index is not None:
            self.previous = current_device()
            set_device(self.index)
        return self

    def __exit__(self, *exc):
        if self.index is not None:
            set_device(self.previous)
        return False

"""Page-locked ("pinned") host memory for faster copies to an accelerator.

A backend that can pin host memory defines ``pin_memory(array) -> array`` on its
``Backend`` object (``ember.backends.base.Backend``): given a NumPy array it returns a
page-locked copy (the CUDA backend does this with ``cupy.cuda.alloc_pinned_memory``).
A CPU tensor is pinned by its own backend's hook if it has one, else by the hook of an
available accelerator backend; tensors already on a device are left as they are. With no
such backend (a CPU-only machine) ``pin_memory=True`` is a no-op and batches come back
as ordinary tensors.
"""

from __future__ import annotations

import collections
import copy

from ...._tensor import Tensor, _wrap


def _host_pinner():
    """The ``pin_memory`` hook of an available backend, or None."""
    from ....backends.plugins import registry

    registry.discover()
    for backend in registry.backends.values():
        hook = getattr(backend, "pin_memory", None)
        if callable(hook) and backend.is_available():
            return hook
    return None


def pinning_available() -> bool:
    """Whether an installed, available backend can pin host memory."""
    return _host_pinner() is not None


def _pin_tensor(t):
    if t._device.type != "cpu":
        return t  # already on a device
    hook = getattr(t._device._backend, "pin_memory", None) or _host_pinner()
    if hook is None:
        return t
    return _wrap(hook(t._data), t._device)


def pin_memory(data, device=None):
    """``data`` with every tensor inside moved to pinned memory (containers are rebuilt)."""
    if isinstance(data, Tensor):
        return _pin_tensor(data)
    if hasattr(data, "pin_memory"):
        return data.pin_memory()
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update({k: pin_memory(sample, device) for k, sample in data.items()})
                return clone
            return type(data)({k: pin_memory(sample, device) for k, sample in data.items()})
        except TypeError:
            return {k: pin_memory(sample, device) for k, sample in data.items()}
    if isinstance(data, tuple):
        if hasattr(data, "_fields"):  # namedtuple
            return type(data)(*(pin_memory(sample, device) for sample in data))
        return type(data)(pin_memory(sample, device) for sample in data)
    if isinstance(data, collections.abc.Sequence):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, item in enumerate(data):
                    clone[i] = pin_memory(item, device)
                return clone
            return type(data)([pin_memory(sample, device) for sample in data])
        except TypeError:
            return [pin_memory(sample, device) for sample in data]
    return data

"""Page-locked ("pinned") host memory for faster copies to an accelerator.

A backend that supports pinning defines ``pin_memory(array) -> array`` on its ``Backend``
object (``ember.backends.base.Backend``): it returns a copy of one of its native arrays in
pinned memory. Tensors of a backend without the hook are returned as they are, so
``pin_memory=True`` is a harmless no-op on a CPU-only machine.
"""

from __future__ import annotations

import collections
import copy

from ...._tensor import Tensor, _wrap


def _pin_tensor(t):
    hook = getattr(t._device._backend, "pin_memory", None)
    if hook is None:
        return t
    return _wrap(hook(t._data), t._device)


def pinning_available() -> bool:
    """Whether any installed backend can pin memory."""
    from ....backends.plugins import registry

    registry.discover()
    return any(callable(getattr(b, "pin_memory", None)) for b in registry.backends.values())


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

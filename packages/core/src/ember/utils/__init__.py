"""``ember.utils``: ``data`` (datasets, DataLoader), ``safetensors``, ``checkpoint``, ``dlpack``.

The submodules load on first access (``ember.utils.data``) so that ``import ember`` stays
fast; ``import ember.utils.data`` works as usual.
"""

import importlib

_SUBMODULES = ("data", "safetensors", "checkpoint", "dlpack")

__all__ = list(_SUBMODULES)


def __getattr__(name):
    if name in _SUBMODULES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'ember.utils' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES))

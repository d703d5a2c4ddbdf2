"""Datasets, transforms, models and utilities for computer vision with ember.

torchvision's API: ``import embervision as torchvision``. The subpackages (datasets, io,
models, ops, transforms, utils) are imported on first use.
"""

import importlib

__version__ = "0.1.0"
__all__ = ["datasets", "io", "models", "ops", "transforms", "utils"]


def __getattr__(name):
    if name in __all__:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'embervision' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)

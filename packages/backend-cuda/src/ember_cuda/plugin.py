"""pluggy entry point (``ember.backends``: ``cuda``) registering the CUDA backend.

Loads without CuPy or a GPU: the backend then reports itself unavailable, with the reason.
"""

from ember.backends import hookimpl


@hookimpl
def ember_register_backends(registry):
    from .backend import CUDABackend

    registry.register(CUDABackend())

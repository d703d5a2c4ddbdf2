"""pluggy entry point (``ember.backends``: ``cpu``) registering the CPU backend."""

from ember.backends import hookimpl


@hookimpl
def ember_register_backends(registry):
    from .backend import CPUBackend

    registry.register(CPUBackend())

"""Device plugins: the registry, the backend contract and the generic kernels."""

from .base import OPS, Backend, Kernels
from .hookspecs import hookimpl
from .plugins import registry


def available() -> list[str]:
    """Names of the installed backends that have a usable device."""
    registry.discover()
    return [name for name, b in registry.backends.items() if b.is_available()]


__all__ = ["OPS", "Backend", "Kernels", "available", "hookimpl", "registry"]

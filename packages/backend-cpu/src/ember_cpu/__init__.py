"""ember's CPU backend: the generic array kernels over NumPy, plus CPU fast paths."""

from .backend import CPUBackend

__all__ = ["CPUBackend"]
__version__ = "0.1.0"

"""CUDA backend for ember (filled by a later issue)."""

__version__ = "0.1.0"

"""ember's CUDA backend: the generic array kernels over CuPy, plus fused CUDA kernels."""

__version__ = "0.1.0"

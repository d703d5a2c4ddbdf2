"""CPU fast paths for elementwise special functions (optional ops of ``ember.backends.base``).

``erf`` in float32 is the rational minimax fit that Eigen and XLA use for single precision
(``x * P(x^2) / Q(x^2)`` on x clamped to [-4, 4]; |error| < 5e-7): about 25 in-place NumPy
passes instead of the core decomposition's Chebyshev series with range selection, and split
over a few threads for large arrays. It is what exact GELU evaluates (BERT-family encoders
spend a third of their CPU time there otherwise). Other dtypes use core's decomposition.
"""

from __future__ import annotations

import numpy as np

from ember.backends import decompositions

from .nn_kernels import _parallel

# Eigen's generic_fast_erf_float coefficients, highest power first.
_ERF_P = tuple(np.float32(c) for c in (
    -2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06,
    -5.69250639462346e-05, -7.34990630326855e-04, -2.95459980854025e-03,
    -1.60960333262415e-02))
_ERF_Q = tuple(np.float32(c) for c in (
    -1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03,
    -7.37332916720468e-03, -1.42647390514189e-02))


def _erf_f32_block(x, out):
    """erf of the float32 1-d array ``x`` into ``out`` (may be x itself)."""
    c = np.clip(x, -4.0, 4.0)
    nan = np.isnan(x)
    x2 = c * c
    p = np.full_like(x2, _ERF_P[0])
    for coef in _ERF_P[1:]:
        p *= x2
        p += coef
    p *= c
    q = np.full_like(x2, _ERF_Q[0])
    for coef in _ERF_Q[1:]:
        q *= x2
        q += coef
    np.divide(p, q, out=out)
    if nan.any():
        out[nan] = np.nan


def make_erf(kernels):
    """The ``erf(x, out=None)`` kernel for the CPU backend's kernel table."""
    def erf(x, out=None):
        if not (isinstance(x, np.ndarray) and x.dtype == np.float32):
            return decompositions.erf(kernels, x, out)
        flat = np.ascontiguousarray(x).reshape(-1)
        result = np.empty_like(flat)

        def block(lo, hi):
            _erf_f32_block(flat[lo:hi], result[lo:hi])

        _parallel(flat.size, block, flat.size)
        result = result.reshape(x.shape)
        if out is None:
            return result
        return kernels.assign(out, result)
    return erf

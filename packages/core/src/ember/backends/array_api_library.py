"""Generic kernels of the tensor library's optional ops over a NumPy-compatible ``xp``.

``array_api.generic_kernels`` adds these to its table: NumPy's (and CuPy's) own ufuncs
and LAPACK-backed ``xp.linalg`` where their semantics are PyTorch's, and core's
decompositions (bound to the same table) where ``xp`` has no equivalent (erf, lgamma,
LU, triangular solves, ...) or where its edge cases differ from PyTorch's.
"""

from __future__ import annotations

from . import decompositions_linalg as _la
from . import decompositions_special as _ds

_UNARY = {
    "exp2": "exp2", "log2": "log2", "log10": "log10", "tan": "tan", "asin": "arcsin",
    "acos": "arccos", "atan": "arctan", "sinh": "sinh", "cosh": "cosh", "asinh": "arcsinh",
    "acosh": "arccosh", "atanh": "arctanh", "signbit": "signbit",
}
_BINARY = {
    "copysign": "copysign", "fmax": "fmax", "fmin": "fmin", "fmod": "fmod", "hypot": "hypot",
    "logaddexp": "logaddexp", "bitwise_left_shift": "left_shift",
    "bitwise_right_shift": "right_shift",
}


def library_kernels(xp, default_out, weak, table) -> dict:
    """Kernels for ``xp``; ``default_out`` and ``weak`` as in ``array_api.generic_kernels``,
    whose (complete, by the time a kernel runs) dict ``table`` fallbacks use."""
    from .array_api import _binary_kernel, _unary_kernel

    k = {}
    for name, ufunc in _UNARY.items():
        k[name] = _unary_kernel(getattr(xp, ufunc), default_out)
    for name, ufunc in _BINARY.items():
        k[name] = _binary_kernel(getattr(xp, ufunc), default_out, weak)
    linalg = xp.linalg
    error = getattr(linalg, "LinAlgError", Exception)

    def cholesky(a):
        try:
            low = linalg.cholesky(a)
        except error:
            low = None
        if low is None or not bool(xp.isfinite(low).all()):
            return _la.cholesky(_Table(table), a)  # reports which minor failed
        return low, xp.zeros(a.shape[:-2], dtype=xp.int64)

    # a library whose linalg lacks batches (or a mode) falls back to core's decomposition
    fallback = (NotImplementedError, ValueError, TypeError, error)

    def qr(a, mode):
        try:
            if mode == "r":
                return xp.zeros((0,), dtype=a.dtype), xp.asarray(linalg.qr(a, mode="r"))
            q, r = linalg.qr(a, mode=mode)
            return q, r
        except fallback:
            return _la.qr(_Table(table), a, mode)

    def eigh(a):
        try:
            w, v = linalg.eigh(a, UPLO="L")
            return w, v
        except fallback:
            return _la.eigh(_Table(table), a)

    def svd(a, full_matrices):
        try:
            u, s, vh = linalg.svd(a, full_matrices=full_matrices)
            return u, s, vh
        except fallback:
            return _la.svd(_Table(table), a, full_matrices)

    def diagonal(x, offset, axis1, axis2):
        d = xp.diagonal(x, offset, axis1, axis2)
        if getattr(d.flags, "writeable", True) or not x.flags.writeable:
            return d  # (CuPy's diagonal is a writable view and has no such flag)
        # NumPy's diagonal is a read-only view: the same view, writable through x
        iface = dict(d.__array_interface__)
        iface["data"] = (iface["data"][0], False)
        # (the interface describes bfloat16 as raw bytes, |V2: view it as the dtype again)
        return xp.asarray(_Interface(iface, x)).view(d.dtype)

    at = {"sum": xp.add, "prod": xp.multiply, "amax": xp.maximum, "amin": xp.minimum}

    def scatter_reduce(x, index, values, axis, reduce):
        ufunc = at[reduce]
        if not hasattr(ufunc, "at") or xp.__name__ != "numpy":  # CuPy's .at covers few ufuncs
            return _ds.scatter_reduce(_Table(table), x, index, values, axis, reduce)
        grid = list(xp.indices(index.shape, sparse=True))
        grid[axis] = index
        ufunc.at(x, tuple(grid), values)
        return x

    k.update(cholesky=cholesky, qr=qr, eigh=eigh, svd=svd, diagonal=diagonal,
             scatter_reduce=scatter_reduce)
    return k


class _Interface:
    """An ``__array_interface__`` holder that keeps the viewed array alive."""

    def __init__(self, interface, base):
        self.__array_interface__ = interface
        self.base = base


class _Table:
    """Attribute access to a dict of kernels (the table a decomposition expects)."""

    def __init__(self, kernels):
        self.__dict__.update(kernels)

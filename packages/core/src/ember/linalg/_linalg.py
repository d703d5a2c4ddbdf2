"""``ember.linalg``: PyTorch's ``torch.linalg`` over the factorization kernels of the op
list (``lu_factor``, ``lu_solve``, ``triangular_solve``, ``cholesky``, ``qr``, ``eigh``,
``svd``), with PyTorch's error messages and backward formulas (written with Tensor ops,
so second derivatives work).

Singular input behaves as in PyTorch: ``det`` is 0 and ``slogdet`` gives (0, -inf);
``inv``, ``solve`` and ``cholesky`` raise ``LinAlgError`` naming the failing pivot or
minor (their ``*_ex`` forms return the LAPACK-style ``info`` instead).
"""

from __future__ import annotations

import math

from .. import _dtype, return_types
from .._tensor import Tensor, _wrap
from ..autograd import grad_mode
from ..autograd.function import Function
from ..ops._util import broadcast_shapes, require_floating_norm, same_device

_state = grad_mode.state


class LinAlgError(RuntimeError):
    """A linear-algebra routine failed (singular or not positive-definite input)."""


_legacy = _dtype.scalar_type_name


def _check(name, A, *, square=True, arg="A", position=1):
    if not isinstance(A, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position {position}) must be Tensor, not "
                        f"{type(A).__name__}")
    if A._data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")
    _check_dtype(name, A)
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: {arg} must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")


def _check_dtype(name, A):
    require_floating_norm(A, name)
    if A.dtype in (_dtype.float16, _dtype.bfloat16):
        raise RuntimeError(f"{name}: Low precision dtypes not supported. Got {_legacy(A.dtype)}")


def _raise_info(name, info, batched, message):
    """Raise LinAlgError(message(value)) for the first nonzero entry of ``info``."""
    host = info._device._backend.to_host(info._data).reshape(-1)
    bad = host.nonzero()[0]
    if len(bad):
        b = int(bad[0])
        prefix = f"{name}: (Batch element {b}): " if batched else f"{name}: "
        raise LinAlgError(prefix + message(int(host[b])))


def _eye(n, like):
    k = like._device._k
    return _wrap(k.eye(n, n, like.dtype, like._device.index), like._device)


def _mT(x):
    return x.transpose(-2, -1)


def _out(result, out):
    if out is None:
        return result
    from ..ops.pointwise import _out as write

    if isinstance(result, tuple):
        for r, o in zip(result, out):
            write(r, o)
        return type(result)(*out) if hasattr(result, "_fields") else tuple(out)
    return write(result, out)


def _tril(x, diagonal=0):
    from ..ops.shape_extra import tril

    return tril(x, diagonal)


def _triu(x, diagonal=0):
    from ..ops.shape_extra import triu

    return triu(x, diagonal)


def _diagonal(x):
    from ..ops.shape_extra import diagonal

    return diagonal(x, 0, -2, -1)


def _diag_embed(x):
    from ..ops.shape_extra import diag_embed

    return diag_embed(x)


def _where(c, a, b):
    from ..ops.pointwise import where

    return where(c, a, b)


# -- LU: det, slogdet, inv, solve -----------------------------------------------------------
def _lu(A):
    """(LU, pivots, info) tensors of A."""
    k = A._device._k
    lu, piv, info = k.lu_factor(A._data)
    dev = A._device
    return _wrap(lu, dev), _wrap(piv, dev), _wrap(info, dev)


def _perm_sign(piv):
    n = piv.shape[-1]
    dev = piv._device
    ar = _wrap(dev._k.arange(1, n + 1, 1, _dtype.int64, dev.index), dev)
    swaps = (piv != ar).sum(-1)
    return 1 - (swaps % 2) * 2  # +1 or -1 (int64)


def _det_data(A):
    with grad_mode.no_grad():
        lu, piv, _ = _lu(A.detach())
        diag = _diagonal(lu)
        return diag.prod(-1) * _perm_sign(piv).to(A.dtype)


class Det(Function):
    _internal = True

    @staticmethod
    def forward(ctx, A):
        det = _det_data(A)
        ctx.save_for_backward(A, det)
        return det._data

    @staticmethod
    def backward(ctx, g):
        A, det = ctx.saved_tensors
        singular = det.detach() == 0
        if bool(singular.any()) and not _state.enabled:
            # PyTorch's first derivative is det * A^-T, zero where det is zero
            inverse, _ = _inv_data(A.detach())
            grad = (g * det).unsqueeze(-1).unsqueeze(-1) * _mT(inverse)
            return _where(singular.unsqueeze(-1).unsqueeze(-1), 0.0, grad)
        if bool(singular.any()):
            # create_graph: the cofactor matrix through the SVD (valid for singular A too)
            U, S, Vh = svd(A, full_matrices=False)
            n = S.shape[-1]
            others = []
            for i in range(n):
                keep = [j for j in range(n) if j != i]
                others.append(S[..., keep].prod(-1) if keep else S[..., 0] * 0 + 1)
            from ..ops.shape import stack

            prods = stack(others, -1) if n else S
            sign = det_sign_of_orthogonal(U) * det_sign_of_orthogonal(_mT(Vh))
            cof = (U * prods.unsqueeze(-2)) @ Vh * sign.unsqueeze(-1).unsqueeze(-1)
            return cof * g.unsqueeze(-1).unsqueeze(-1)
        return (g * det).unsqueeze(-1).unsqueeze(-1) * _mT(inv(A))


def det_sign_of_orthogonal(Q):
    """det(Q) (+1 or -1) of orthogonal matrices, without a gradient."""
    return _det_data(Q.detach()).sign()


def det(A, *, out=None):
    """The determinant (0 for singular matrices)."""
    _check("linalg.det", A)
    if _state.enabled and A._requires_grad:
        return _out(Det.apply(A), out)
    return _out(_det_data(A), out)


class Slogdet(Function):
    _internal = True

    @staticmethod
    def forward(ctx, A):
        with grad_mode.no_grad():
            lu, piv, _ = _lu(A.detach())
            diag = _diagonal(lu)
            sign = diag.sign().prod(-1) * _perm_sign(piv).to(A.dtype)
            logabs = diag.abs().log().sum(-1)
        ctx.save_for_backward(A)
        ctx.mark_non_differentiable(sign)
        return sign, logabs

    @staticmethod
    def backward(ctx, gsign, glog):
        (A,) = ctx.saved_tensors
        return glog.unsqueeze(-1).unsqueeze(-1) * _mT(inv(A))


def slogdet(A, *, out=None):
    """(sign, log|det|) of square matrices: (0, -inf) for singular ones."""
    _check("linalg.slogdet", A)
    if _state.enabled and A._requires_grad:
        sign, logabs = Slogdet.apply(A)
    else:
        sign, logabs = Slogdet.forward(_NoCtx(), A)
    return _out(return_types.linalg_slogdet(sign, logabs), out)


class _NoCtx:
    def save_for_backward(self, *a):
        pass

    def mark_non_differentiable(self, *a):
        pass


def _inv_data(A):
    k = A._device._k
    lu, piv, info = k.lu_factor(A._data)
    n = A.shape[-1]
    eye = k.copy(k.broadcast_to(k.eye(n, n, A.dtype, A._device.index), A._data.shape))
    return _wrap(k.lu_solve(lu, piv, eye), A._device), _wrap(info, A._device)


def _singular_inv(v):
    return (f"The diagonal element {v} is zero, the inversion could not be completed because "
            "the input matrix is singular.")


class Inv(Function):
    _internal = True

    @staticmethod
    def forward(ctx, A):
        out, info = _inv_data(A)
        _raise_info("linalg.inv", info, A._data.ndim > 2, _singular_inv)
        ctx.save_for_backward(_wrap(out._data, A._device))
        return out._data

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return -(_mT(out) @ g @ _mT(out))


def inv(A, *, out=None):
    """The inverse of square matrices (LinAlgError for singular ones)."""
    _check("linalg.inv", A)
    if _state.enabled and A._requires_grad:
        return _out(Inv.apply(A), out)
    result, info = _inv_data(A)
    _raise_info("linalg.inv", info, A._data.ndim > 2, _singular_inv)
    return _out(result, out)


def inv_ex(A, *, check_errors=False, out=None):
    """(inverse, info): info is the 1-based index of the first zero pivot, or 0."""
    _check("linalg.inv_ex", A)
    if check_errors:
        result = inv(A)
        info = _wrap(A._device._k.full(A.shape[:-2], 0, _dtype.int32, A._device.index),
                     A._device)
        return _out(return_types.linalg_inv_ex(result, info), out)
    result, info = _inv_data(A.detach())
    if _state.enabled and A._requires_grad and not bool((info != 0).any()):
        result = Inv.apply(A)
    return _out(return_types.linalg_inv_ex(result, info.to(_dtype.int32)), out)


def _solve_shapes(name, A, B, left):
    """(A, B expanded to a common batch, vector_rhs)."""
    vector = B._data.ndim == 1 or (B._data.ndim == A._data.ndim - 1 and
                                   tuple(B.shape) == tuple(A.shape[:-1]))
    Bm = B.unsqueeze(-1) if vector else B
    if not left:
        Bm = B.unsqueeze(-2) if vector else B
    n = A.shape[-1]
    rows = Bm.shape[-2] if left else Bm.shape[-1]
    if rows != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation {eq} "
                           f"({A.shape[-2]}x{A.shape[-1]} and {Bm.shape[-2]}x{Bm.shape[-1]})")
    batch = broadcast_shapes(tuple(A.shape[:-2]), tuple(Bm.shape[:-2]))
    return A.expand(batch + tuple(A.shape[-2:])), Bm.expand(batch + tuple(Bm.shape[-2:])), \
        vector


class Solve(Function):
    """X with A X = B for square A and B (..., n, k) sharing A's batch shape."""

    _internal = True

    @staticmethod
    def forward(ctx, A, B, check):
        k = A._device._k
        lu, piv, info = k.lu_factor(A._data)
        info = _wrap(info, A._device)
        if check:
            _raise_info("torch.linalg.solve", info, False,
                        lambda v: "The solver failed because the input matrix is singular.")
            # PyTorch's message has no batch prefix
        x = k.lu_solve(lu, piv, k.copy(B._data))
        ctx.save_for_backward(A, _wrap(x, A._device))
        ctx.info = info
        return x

    @staticmethod
    def backward(ctx, g):
        A, x = ctx.saved_tensors
        gB = _solve_matrix(_mT(A), g)
        gA = -(gB @ _mT(x)) if ctx.needs_input_grad[0] else None
        return gA, gB, None


def _solve_matrix(A, B, check=True):
    if _state.enabled and (A._requires_grad or B._requires_grad):
        return Solve.apply(A, B, check)
    return _wrap(Solve.forward(_NoCtxInfo(), A, B, check), A._device)


class _NoCtxInfo(_NoCtx):
    info = None

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)


def solve(A, B, *, left=True, out=None):
    """X with A X = B (``left``) or X A = B; B may be a (batch of) vector(s)."""
    _check("linalg.solve", A)
    _check_dtype("linalg.solve", B) if isinstance(B, Tensor) else None
    same_device("linalg.solve", A, B)
    if A.dtype is not B.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found "
                           f"A of type {_legacy(A.dtype)} and B of type {_legacy(B.dtype)} "
                           "instead")
    Ae, Be, vector = _solve_shapes("linalg.solve", A, B, left)
    if left:
        X = _solve_matrix(Ae, Be)
    else:
        X = _mT(_solve_matrix(_mT(Ae), _mT(Be)))
    if vector:
        X = X.squeeze(-1) if left else X.squeeze(-2)
    return _out(X, out)


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """(solution, info) of ``solve``."""
    _check("linalg.solve_ex", A)
    info = _inv_data(A.detach())[1].to(_dtype.int32)
    if check_errors or not bool((info != 0).any()):
        result = solve(A, B, left=left)
    else:
        Ae, Be, vector = _solve_shapes("linalg.solve", A, B, left)
        with grad_mode.no_grad():
            if left:
                X = _solve_matrix(Ae.detach(), Be.detach(), False)
            else:
                X = _mT(_solve_matrix(_mT(Ae.detach()), _mT(Be.detach()), False))
        result = X.squeeze(-1 if left else -2) if vector else X
    if A._data.ndim == 2:
        info = info.reshape(())
    return _out(return_types.linalg_solve_ex(result, info), out)


def lu_factor(A, *, pivot=True, out=None):
    """(LU, pivots) of P A = L U (pivots 1-based int32, as LAPACK). Not differentiable in
    ember."""
    _check("linalg.lu_factor", A, square=False)
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the "
                           "CPU")
    lu, piv, info = _lu(A.detach())
    try:
        _raise_info("torch.linalg.lu_factor", info, A._data.ndim > 2,
                    lambda v: f"U[{v},{v}] is zero and using it on lu_solve would result in a "
                    "division by zero. If you still want to perform the factorization, consider "
                    "calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")
    except LinAlgError as exc:
        raise RuntimeError(str(exc)) from None
    return _out(return_types.linalg_lu_factor(lu, piv.to(_dtype.int32)), out)


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    _check("linalg.lu_factor_ex", A, square=False)
    lu, piv, info = _lu(A.detach())
    return _out(return_types.linalg_lu_factor_ex(lu, piv.to(_dtype.int32),
                                                 info.to(_dtype.int32)), out)


def lu(A, *, pivot=True, out=None):
    """(P, L, U) with A = P L U. Not differentiable in ember."""
    _check("linalg.lu", A, square=False)
    LU, piv, _ = _lu(A.detach())
    m, n = A.shape[-2], A.shape[-1]
    kk = min(m, n)
    L = _tril(LU[..., :, :kk], -1) + _eye(m, A)[:, :kk]
    U = _triu(LU[..., :kk, :])
    # P from the sequence of row interchanges
    k = A._device._k
    perm = k.copy(k.broadcast_to(k.arange(0, m, 1, _dtype.int64, A._device.index),
                                 tuple(A.shape[:-2]) + (m,)))
    perm = _wrap(perm, A._device)
    piv0 = piv - 1
    for j in range(kk):
        p = piv0[..., j:j + 1]
        a, b = perm[..., j:j + 1].clone(), perm.gather(-1, p)
        perm = perm.scatter(-1, p, a)
        perm[..., j:j + 1] = b
    eye = _eye(m, A)
    P = _mT(eye[perm])  # rows of P^T are the permuted identity rows: A = P L U
    return _out(return_types.linalg_lu(P, L, U), out)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """X with A X = B from ``lu_factor``'s (LU, pivots)."""
    _check("linalg.lu_solve", LU)
    if not left or adjoint or (_state.enabled and (LU.requires_grad or B.requires_grad)):
        # through A = P L U, so that the gradients reach LU and B
        P, L, U = _lu_unpack(LU, pivots)
        A = P @ L @ U
        if adjoint:
            A = _mT(A)
        return _out(solve(A, B, left=left), out)
    k = LU._device._k
    x = k.lu_solve(LU._data, pivots.long()._data, k.copy(B._data))
    return _out(_wrap(x, LU._device), out)


def _lu_unpack(LU, pivots):
    m = LU.shape[-1]
    L = _tril(LU, -1) + _eye(m, LU)
    U = _triu(LU)
    eye = _eye(m, LU)
    k = LU._device._k
    perm = _wrap(k.copy(k.broadcast_to(k.arange(0, m, 1, _dtype.int64, LU._device.index),
                                       tuple(LU.shape[:-2]) + (m,))), LU._device)
    piv0 = pivots.long() - 1
    for j in range(piv0.shape[-1]):
        p = piv0[..., j:j + 1]
        a, b = perm[..., j:j + 1].clone(), perm.gather(-1, p)
        perm = perm.scatter(-1, p, a)
        perm[..., j:j + 1] = b
    return _mT(eye[perm]), L, U


# -- triangular solves and Cholesky ----------------------------------------------------------
class SolveTriangular(Function):
    _internal = True

    @staticmethod
    def forward(ctx, A, B, upper, left, unitriangular):
        x = A._device._k.triangular_solve(A._data, B._data, upper, left, unitriangular)
        ctx.save_for_backward(A, _wrap(x, A._device))
        ctx.args = (upper, left, unitriangular)
        return x

    @staticmethod
    def backward(ctx, g):
        A, x = ctx.saved_tensors
        upper, left, unit = ctx.args
        gB = solve_triangular(_mT(A), g, upper=not upper, left=left, unitriangular=unit)
        gA = None
        if ctx.needs_input_grad[0]:
            gA = -(gB @ _mT(x)) if left else -(_mT(x) @ gB)
            shift = 1 if unit else 0
            gA = _triu(gA, shift) if upper else _tril(gA, -shift)
        return gA, gB, None, None, None


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """X with A X = B (``left``) or X A = B for triangular A (only the triangle named by
    ``upper`` is read)."""
    _check("linalg.solve_triangular", A)
    same_device("linalg.solve_triangular", A, B)
    if B._data.ndim < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 "
                           "dimensions.")
    if A.dtype is not B.dtype:
        raise RuntimeError(f"linalg.solve_triangular: Expected A and B to have the same dtype, "
                           f"but found A of type {_legacy(A.dtype)} and B of type "
                           f"{_legacy(B.dtype)} instead")
    n = A.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the "
                           f"equation {'AX = B' if left else 'XA = B'} ({A.shape[-2]}x{n} and "
                           f"{B.shape[-2]}x{B.shape[-1]})")
    batch = broadcast_shapes(tuple(A.shape[:-2]), tuple(B.shape[:-2]))
    Ae = A.expand(batch + (n, n))
    Be = B.expand(batch + tuple(B.shape[-2:]))
    args = (bool(upper), bool(left), bool(unitriangular))
    if _state.enabled and (A._requires_grad or B._requires_grad):
        return _out(SolveTriangular.apply(Ae, Be, *args), out)
    return _out(_wrap(A._device._k.triangular_solve(Ae._data, Be._data, *args), A._device), out)


def _not_pd(v):
    return (f"The factorization could not be completed because the input is not "
            f"positive-definite (the leading minor of order {v} is not positive-definite).")


class Cholesky(Function):
    _internal = True

    @staticmethod
    def forward(ctx, A, check):
        L, info = A._device._k.cholesky(A._data)
        info = _wrap(info, A._device)
        if check:
            _raise_info("linalg.cholesky", info, A._data.ndim > 2, _not_pd)
        ctx.save_for_backward(_wrap(L, A._device))
        return L

    @staticmethod
    def backward(ctx, gL):
        # Iain Murray (2016), arXiv 1602.07527, as PyTorch
        (L,) = ctx.saved_tensors
        phi = _tril(_mT(L) @ gL)
        phi = (phi + _mT(_tril(phi, -1))) * 0.5
        gA = solve_triangular(_mT(L), phi, upper=True, left=True)
        gA = solve_triangular(L, gA, upper=False, left=False)
        return gA, None


def _cholesky_data(A):
    L, info = A._device._k.cholesky(A._data)
    return _wrap(L, A._device), _wrap(info, A._device)


def cholesky(A, *, upper=False, out=None):
    """L (lower) with A = L L^T from A's lower triangle; ``upper=True`` gives L^T."""
    _check("linalg.cholesky", A)
    if _state.enabled and A._requires_grad:
        L = Cholesky.apply(A, True)
    else:
        L, info = _cholesky_data(A)
        _raise_info("linalg.cholesky", info, A._data.ndim > 2, _not_pd)
    return _out(_mT(L) if upper else L, out)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """(L, info): info is the order of the first leading minor that is not
    positive-definite, or 0."""
    _check("linalg.cholesky_ex", A)
    if check_errors:
        L = cholesky(A, upper=upper)
        info = _wrap(A._device._k.full(A.shape[:-2], 0, _dtype.int32, A._device.index),
                     A._device)
        return _out(return_types.linalg_cholesky_ex(L, info), out)
    if _state.enabled and A._requires_grad:
        L = Cholesky.apply(A, False)
        info = _cholesky_data(A.detach())[1]
    else:
        L, info = _cholesky_data(A)
    L = _mT(L) if upper else L
    return _out(return_types.linalg_cholesky_ex(L, info.to(_dtype.int32)), out)


# -- QR --------------------------------------------------------------------------------------
class Qr(Function):
    _internal = True

    @staticmethod
    def forward(ctx, A, mode):
        q, r = A._device._k.qr(A._data, mode)
        dev = A._device
        ctx.save_for_backward(_wrap(q, dev), _wrap(r, dev))
        ctx.mode = mode
        return q, r

    @staticmethod
    def backward(ctx, gQ, gR):
        Q, R = ctx.saved_tensors
        mode = ctx.mode
        m, n = Q.shape[-2], R.shape[-1]
        if mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                               "are going to differentiate through linalg.qr.")
        if mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when "
                               "mode='complete' and nrows > ncols.")
        if m >= n:
            return _qr_backward_tall(gQ, gR, Q, R), None
        # wide: A = Q [U | V]; V = Q^T Y gives Y the gradient Q gV and Q the extra Y gV^T
        X_cols = R[..., :, :m]
        gU, gV = gR[..., :, :m], gR[..., :, m:]
        Y = Q @ R[..., :, m:]
        gQ2 = gQ + Y @ _mT(gV)
        from ..ops.shape import cat

        return cat([_qr_backward_tall(gQ2, gU, Q, X_cols), Q @ gV], -1), None


def _qr_backward_tall(gQ, gR, Q, R):
    M = gR @ _mT(R) - _mT(Q) @ gQ
    upper = _triu(M)
    sym = upper + _mT(_triu(M, 1))  # copy the strict upper triangle to the lower one
    gA = Q @ sym + gQ
    return solve_triangular(_mT(R), gA, upper=False, left=False)


def qr(A, mode="reduced", *, out=None):
    """(Q, R) with A = Q R: mode "reduced", "complete" or "r" (Q empty)."""
    _check("linalg.qr", A, square=False)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    if _state.enabled and A._requires_grad:
        Q, R = Qr.apply(A, mode)
    else:
        q, r = A._device._k.qr(A._data, mode)
        Q, R = _wrap(q, A._device), _wrap(r, A._device)
    return _out(return_types.linalg_qr(Q, R), out)


# -- eigh ------------------------------------------------------------------------------------
class Eigh(Function):
    _internal = True

    @staticmethod
    def forward(ctx, A, upper):
        data = A._data if not upper else A._device._k.copy(_mT(A)._data)
        w, v = A._device._k.eigh(data)
        dev = A._device
        ctx.save_for_backward(_wrap(w, dev), _wrap(v, dev))
        return w, v

    @staticmethod
    def backward(ctx, gL, gV):
        L, V = ctx.saved_tensors
        VhgV = _mT(V) @ gV
        VhgV = (VhgV - _mT(VhgV)) * 0.5
        E = L.unsqueeze(-2) - L.unsqueeze(-1)
        n = L.shape[-1]
        eye = _eye(n, L).to(_dtype.bool)
        E = _where(eye, 1.0, E)
        inner = _where(eye, 0.0, VhgV / E) + _diag_embed(gL)
        return V @ inner @ _mT(V), None


def _uplo(name, UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO == "U"


def eigh(A, UPLO="L", *, out=None):
    """(eigenvalues ascending, eigenvectors) of symmetric matrices, read from the triangle
    UPLO."""
    _check("linalg.eigh", A)
    upper = _uplo("linalg.eigh", UPLO)
    if _state.enabled and A._requires_grad:
        w, v = Eigh.apply(A, upper)
    else:
        w, v = Eigh.forward(_NoCtx(), A, upper)
        w, v = _wrap(w, A._device), _wrap(v, A._device)
    return _out(return_types.linalg_eigh(w, v), out)


def eigvalsh(A, UPLO="L", *, out=None):
    """The eigenvalues (ascending) of symmetric matrices."""
    _check("linalg.eigvalsh", A)
    return _out(eigh(A, UPLO).eigenvalues, out)


# -- SVD -------------------------------------------------------------------------------------
class Svd(Function):
    _internal = True

    @staticmethod
    def forward(ctx, A, full_matrices):
        u, s, vh = A._device._k.svd(A._data, full_matrices)
        dev = A._device
        ctx.save_for_backward(_wrap(u, dev), _wrap(s, dev), _wrap(vh, dev))
        ctx.full = full_matrices
        return u, s, vh

    @staticmethod
    def backward(ctx, gU, gS, gVh):
        U, S, Vh = ctx.saved_tensors
        kk = S.shape[-1]
        if ctx.full:
            gU, U = gU[..., :, :kk], U[..., :, :kk]
            gVh, Vh = gVh[..., :kk, :], Vh[..., :kk, :]
        return _svd_backward(gU, gS, gVh, U, S, Vh), None


def _svd_backward(gU, gS, gVh, U, S, Vh):
    """PyTorch's svd_backward (real case; distinct singular values assumed)."""
    m, n = U.shape[-2], Vh.shape[-1]
    if gU is None and gVh is None:
        return U @ (gS.unsqueeze(-1) * Vh) if m >= n else (U * gS.unsqueeze(-2)) @ Vh
    UhgU = _mT(U) @ gU
    UhgU = UhgU - _mT(UhgU)
    VhgV = Vh @ _mT(gVh)
    VhgV = VhgV - _mT(VhgV)
    S2 = S * S
    kk = S.shape[-1]
    eye = _eye(kk, S).to(_dtype.bool)
    E = _where(eye, 1.0, S2.unsqueeze(-2) - S2.unsqueeze(-1))
    gA = (UhgU * S.unsqueeze(-2) + S.unsqueeze(-1) * VhgV) / E
    gA = _where(eye, 0.0, gA) + _diag_embed(gS)
    if m > n:
        gA = U @ gA
        gUSinv = gU / S.unsqueeze(-2)
        gA = gA + gUSinv - U @ (_mT(U) @ gUSinv)
        return gA @ Vh
    if m < n:
        gA = gA @ Vh
        SinvgVh = gVh / S.unsqueeze(-1)
        gA = gA + SinvgVh - (SinvgVh @ _mT(Vh)) @ Vh
        return U @ gA
    return U @ gA @ Vh


def svd(A, full_matrices=True, *, driver=None, out=None):
    """(U, S, Vh) with A = U diag(S) Vh; S descending."""
    _check("linalg.svd", A, square=False)
    if _state.enabled and A._requires_grad:
        U, S, Vh = Svd.apply(A, bool(full_matrices))
    else:
        u, s, vh = A._device._k.svd(A._data, bool(full_matrices))
        U, S, Vh = (_wrap(a, A._device) for a in (u, s, vh))
    return _out(return_types.linalg_svd(U, S, Vh), out)


class Svdvals(Function):
    _internal = True

    @staticmethod
    def forward(ctx, A):
        u, s, vh = A._device._k.svd(A._data, False)
        dev = A._device
        ctx.save_for_backward(A, _wrap(u, dev), _wrap(vh, dev))
        return s

    @staticmethod
    def backward(ctx, gS):
        A, U, Vh = ctx.saved_tensors
        if _state.enabled:  # create_graph: U and Vh must carry their dependence on A
            U, _, Vh = svd(A, full_matrices=False)
        m, n = U.shape[-2], Vh.shape[-1]
        return U @ (gS.unsqueeze(-1) * Vh) if m >= n else (U * gS.unsqueeze(-2)) @ Vh


def svdvals(A, *, driver=None, out=None):
    """The singular values, descending."""
    _check("linalg.svdvals", A, square=False)
    if _state.enabled and A._requires_grad:
        return _out(Svdvals.apply(A), out)
    return _out(_wrap(A._device._k.svd(A._data, False)[1], A._device), out)


# -- pseudo-inverse, rank, least squares ---------------------------------------------------
def _eps(dtype):
    import numpy as np

    return float(np.finfo(dtype.numpy).eps)


def _tolerance(S, atol, rtol, m, n, dtype):
    """PyTorch's tolerance: max(atol, rtol * largest singular value)."""
    if rtol is None:
        rtol = 0.0 if (atol is not None and _positive(atol)) else _eps(dtype) * max(m, n)
    smax = S.amax(-1, keepdim=True) if S.shape[-1] else S.sum(-1, keepdim=True)
    tol = _as_tensor(rtol, S) * smax
    if atol is not None:
        from ..ops.pointwise import maximum

        tol = maximum(tol, _as_tensor(atol, S))
    return tol


def _positive(v):
    return bool((v > 0).all()) if isinstance(v, Tensor) else v > 0


def _as_tensor(v, like):
    if isinstance(v, Tensor):
        t = v.to(like.dtype)
        return t.unsqueeze(-1) if t._data.ndim else t
    return _wrap(like._device._k.full((), float(v), like.dtype, like._device.index),
                 like._device)


class Pinv(Function):
    _internal = True

    @staticmethod
    def forward(ctx, A, atol, rtol, hermitian):
        with grad_mode.no_grad():
            out = _pinv_data(A.detach(), atol, rtol, hermitian)
        ctx.save_for_backward(A, out)
        return out._data

    @staticmethod
    def backward(ctx, g):
        A, P = ctx.saved_tensors
        m, n = A.shape[-2], A.shape[-1]
        Ph, gh = _mT(P), _mT(g)
        if m <= n:
            K = gh @ P
            KPh = K @ Ph
            gA = -_mT(P @ K) + KPh - (A @ P) @ KPh + (Ph @ P) @ (gh - K @ A)
        else:
            K = P @ gh
            PhK = Ph @ K
            gA = -_mT(K @ P) + (gh - A @ K) @ P @ Ph + PhK - PhK @ P @ A
        return gA, None, None, None


def _pinv_data(A, atol, rtol, hermitian):
    m, n = A.shape[-2], A.shape[-1]
    if hermitian:
        w, V = eigh(A)
        tol = _tolerance(w.abs(), atol, rtol, m, n, A.dtype)
        keep = w.abs() > tol
        winv = _where(keep, 1.0 / _where(keep, w, 1.0), 0.0)
        return (V * winv.unsqueeze(-2)) @ _mT(V)
    U, S, Vh = svd(A, full_matrices=False)
    tol = _tolerance(S, atol, rtol, m, n, A.dtype)
    keep = S > tol
    sinv = _where(keep, 1.0 / _where(keep, S, 1.0), 0.0)
    return (_mT(Vh) * sinv.unsqueeze(-2)) @ _mT(U)


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """The Moore-Penrose pseudo-inverse (singular values <= max(atol, rtol * s_max) are
    treated as zero)."""
    _check("linalg.pinv", A, square=False)
    if _state.enabled and A._requires_grad:
        return _out(Pinv.apply(A, atol, rtol, hermitian), out)
    return _out(_pinv_data(A, atol, rtol, hermitian), out)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """The number of singular values above max(atol, rtol * s_max)."""
    _check("linalg.matrix_rank", A, square=False)
    with grad_mode.no_grad():
        A = A.detach()
        S = eigvalsh(A).abs() if hermitian else svdvals(A)
        tol = _tolerance(S, atol, rtol, A.shape[-2], A.shape[-1], A.dtype)
        return _out((S > tol).sum(-1), out)


def lstsq(A, B, rcond=None, *, driver=None):
    """(solution, residuals, rank, singular_values) of min ||A X - B||: the minimum-norm
    solution through the SVD; rank and singular values reported as PyTorch's driver would."""
    name = "torch.linalg.lstsq"
    _check("linalg.lstsq", A, square=False)
    if driver is None:
        driver = "gelsy"
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"{name}: parameter `driver` should be one of (gels, gelsy, gelsd, "
                           "gelss)")
    if A.dtype is not B.dtype:
        raise RuntimeError(f"{name}: Expected input and other to have the same dtype, but got "
                           f"input's dtype {A.dtype} and other's dtype {B.dtype}")
    if not (A._data.ndim >= B._data.ndim and A._data.ndim - B._data.ndim <= 1):
        raise RuntimeError(f"{name}: input.dim() must be greater or equal to other.dim() and "
                           "(input.dim() - other.dim()) <= 1")
    vector = B._data.ndim == A._data.ndim - 1
    Bm = B.unsqueeze(-1) if vector else B
    m, n = A.shape[-2], A.shape[-1]
    if Bm.shape[-2] != m:
        raise RuntimeError(f"{name}: input.size(-2) should match other.size(-2)")
    rtol = rcond if rcond is not None and rcond > 0 else _eps(A.dtype) * max(m, n)
    X = pinv(A, rtol=rtol) @ Bm
    dev = A._device

    def empty(dtype):
        return _wrap(dev._k.full((0,), 0, dtype, dev.index), dev)

    with grad_mode.no_grad():
        S = svdvals(A.detach()) if driver != "gels" else None
        rank = None
        if driver != "gels":
            tol = _tolerance(S, None, rtol, m, n, A.dtype)
            rank = (S > tol).sum(-1)
    residuals = empty(A.dtype)
    full_rank = rank is None or bool((rank == n).all())
    if m > n and driver != "gelsy" and full_rank:
        residuals = ((A @ X - Bm) ** 2).sum(-2)
    singular_values = S if driver in ("gelsd", "gelss") else empty(A.dtype)
    rank = rank if rank is not None else empty(_dtype.int64)
    solution = X.squeeze(-1) if vector else X
    return return_types.linalg_lstsq(solution, residuals, rank, singular_values)


# -- products and powers ---------------------------------------------------------------------
def matrix_power(A, n, *, out=None):
    """A to the integer power n (n < 0 uses the inverse)."""
    if not isinstance(A, Tensor):
        raise TypeError("linalg.matrix_power(): argument 'input' must be Tensor")
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 "
                           "dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but "
                           f"they are {A.shape[-2]} by {A.shape[-1]} matrices")
    if n == 0:
        eye = _eye(A.shape[-1], A).expand(A.shape)
        return _out(eye.clone() + A * 0 if A._requires_grad else eye.clone(), out)
    base = inv(A) if n < 0 else A
    n = abs(n)
    result = None
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return _out(result if result is not A else A.clone(), out)


def multi_dot(tensors, *, out=None):
    """The chained matrix product (1-D ends are treated as row / column vectors)."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    first_vec = tensors[0]._data.ndim == 1
    last_vec = tensors[-1]._data.ndim == 1
    mats = list(tensors)
    if first_vec:
        mats[0] = mats[0].unsqueeze(0)
    if last_vec:
        mats[-1] = mats[-1].unsqueeze(-1)
    for i, t in enumerate(mats):
        if t._data.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t._data.ndim}D")
    dtype = mats[0].dtype
    for i, t in enumerate(mats):
        if t.dtype is not dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but "
                               f"tensor 0 is {dtype} and tensor {i} {t.dtype}")
    result = _chain(mats)
    if first_vec:
        result = result.squeeze(0)
    if last_vec:
        result = result.squeeze(-1)
    return _out(result, out)


def _chain(mats):
    """The product in the cheapest order (dynamic programming over the parenthesizations)."""
    n = len(mats)
    if n <= 2:
        return mats[0] @ mats[1] if n == 2 else mats[0]
    dims = [mats[0].shape[0]] + [m.shape[1] for m in mats]
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = math.inf
            for s in range(i, j):
                c = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, s

    def build(i, j):
        if i == j:
            return mats[i]
        s = split[i][j]
        return build(i, s) @ build(s + 1, j)
    return build(0, n - 1)


def matmul(input, other, *, out=None):
    from ..ops.linalg import matmul as mm

    return mm(input, other, out=out)


def vecdot(x, y, *, dim=-1, out=None):
    """sum(x * y) over ``dim`` (broadcasting)."""
    return _out((x * y).sum(dim), out)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    from ..ops.shape_extra import diagonal as diag

    return diag(A, offset, dim1, dim2)


def cross(input, other, *, dim=-1, out=None):
    """The cross product of 3-vectors along ``dim`` (broadcasting)."""
    from ..ops.linalg_extra import _cross

    return _out(_cross("linalg.cross", input, other, dim), out)


# -- norms -----------------------------------------------------------------------------------
class VectorNorm(Function):
    """The p-norm over ``axes``, with PyTorch's subgradient (0 where the norm is 0)."""

    _internal = True

    @staticmethod
    def forward(ctx, x, ord, axes, keepdim):
        with grad_mode.no_grad():
            out = _vector_norm_data(x.detach(), ord, axes, keepdim)
        ctx.save_for_backward(x, out)
        ctx.args = (ord, axes, keepdim)
        return out._data

    @staticmethod
    def backward(ctx, g):
        x, norm = ctx.saved_tensors
        p, axes, keepdim = ctx.args
        if not keepdim and x._data.ndim:
            shape = [1 if (axes is None or i in axes) else n for i, n in enumerate(x.shape)]
            g, norm = g.reshape(shape), norm.reshape(shape)
        if p == 0:
            return x * 0, None, None, None
        if p == 1:
            return x.sign() * g, None, None, None
        if p == 2:
            return x * _where(norm == 0, 0.0, g / _where(norm == 0, 1.0, norm)), None, None, None
        if math.isinf(p):
            hit = (x.abs() == norm).to(g.dtype)
            count = hit.sum(axes if axes is not None else None, keepdim=True) \
                if axes is not None else hit.sum().reshape([1] * x._data.ndim)
            return x.sign() * (g / count) * hit, None, None, None
        if p < 1:
            scaled = _where(x == 0, 0.0, x.sign() * x.abs() ** (p - 1))
            return scaled * g * norm ** (1 - p), None, None, None
        scaled = x.sign() * x.abs() ** (p - 1) if p < 2 else x * x.abs() ** (p - 2)
        scale = _where(norm == 0, 0.0, g / _where(norm == 0, 1.0, norm) ** (p - 1))
        return scaled * scale, None, None, None


def _vector_norm_data(x, p, axes, keepdim):
    a = x.abs()
    if p == 2:
        return (a * a).sum(axes, keepdim).sqrt()
    if p == 1:
        return a.sum(axes, keepdim)
    if p == 0:
        return (x != 0).to(x.dtype).sum(axes, keepdim)
    if p == math.inf:
        return a.amax(axes if axes is not None else (), keepdim)
    if p == -math.inf:
        return a.amin(axes if axes is not None else (), keepdim)
    return (a ** p).sum(axes, keepdim) ** (1.0 / p)


def _axes(x, dim):
    from ..ops.reduction import reduce_axes

    if dim is None:
        return None
    return reduce_axes(x, dim)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):  # noqa: A002
    """The ord-norm of x over ``dim`` (all elements when None) as a vector."""
    if not isinstance(x, Tensor):
        raise TypeError(f"linalg_vector_norm(): argument 'input' (position 1) must be Tensor, "
                        f"not {type(x).__name__}")
    if isinstance(ord, str) or not isinstance(ord, (int, float)):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not "
                        f"{type(ord).__name__}")
    if dtype is not None:
        x = x.to(dtype)
    require_floating_norm(x)
    axes = _axes(x, dim)
    p = float(ord)
    if p in (math.inf, -math.inf):
        empty = x.numel() == 0 if axes is None else any(x.shape[a] == 0 for a in axes)
        if empty:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty "
                               "tensor because the operation does not have an identity")
    if _state.enabled and x._requires_grad:
        return _out(VectorNorm.apply(x, p, axes, bool(keepdim)), out)
    return _out(_vector_norm_data(x, p, axes, bool(keepdim)), out)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):  # noqa: A002
    """Matrix norms: 'fro', 'nuc', inf, -inf, 1, -1, 2, -2 over the two ``dim``s."""
    if not isinstance(A, Tensor):
        raise TypeError("linalg.matrix_norm(): argument 'input' must be Tensor")
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if dtype is not None:
        A = A.to(dtype)
    _check_dtype("linalg.matrix_norm", A)
    from .._tensor import _wrap_dim

    d0, d1 = (_wrap_dim(d, A._data.ndim) for d in dim)
    if d0 == d1:
        raise RuntimeError("linalg.matrix_norm: dims must be different. Got "
                           f"({dim[0]}, {dim[1]})")
    if ord == "fro":
        result = vector_norm(A, 2, (d0, d1), keepdim)
    elif ord in ("nuc", 2, -2):
        moved = A.movedim((d0, d1), (-2, -1))
        S = svdvals(moved)
        result = S.sum(-1) if ord == "nuc" else S.amax(-1) if ord == 2 else S.amin(-1)
        if keepdim:
            result = result.unsqueeze(min(d0, d1)).unsqueeze(max(d0, d1))
    elif ord in (math.inf, -math.inf, 1, -1):
        rows = ord in (math.inf, -math.inf)
        summed = A.abs().sum(d1 if rows else d0, keepdim=True)
        result = summed.amax((d0, d1), keepdim) if ord > 0 else summed.amin((d0, d1), keepdim)
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    return _out(result, out)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):  # noqa: A002
    """A vector norm (1-D input or a single ``dim``) or a matrix norm (2-D input or two
    ``dim``s); with neither ord nor dim, the 2-norm of the flattened input."""
    if not isinstance(A, Tensor):
        raise TypeError("linalg.norm(): argument 'input' must be Tensor")
    if dim is not None and isinstance(dim, int):
        dim = (dim,)
    if dim is None and ord is not None:
        if A._data.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input "
                               f"must be 1D or 2D. Got {A._data.ndim}D.")
        dim = tuple(range(A._data.ndim))
    if dim is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype, out=out)
    if len(dim) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype, out=out)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.norm: order {ord} not supported for vectors")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)


def cond(A, p=None, *, out=None):
    """The condition number ||A|| ||A^-1|| (through the singular values for p None, 2, -2)."""
    _check("linalg.cond", A, square=p not in (None, 2, -2))
    if p in (None, 2, -2):
        S = svdvals(A)
        result = S.amax(-1) / S.amin(-1) if p in (None, 2) else S.amin(-1) / S.amax(-1)
    else:
        result = matrix_norm(A, p) * matrix_norm(inv(A), p)
    return _out(result, out)

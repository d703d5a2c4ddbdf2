"""Top-level linear algebra beyond matmul: vdot, addmm and friends, tensordot, kron, trace,
cross, cdist, dist, renorm, and the ``torch.*`` spellings of ``ember.linalg`` (det,
logdet, slogdet, inverse, cholesky, cholesky_solve, qr, svd, pinverse, ...).

All are compositions of matmul, elementwise ops and ``ember.linalg``, so gradients come
from those.
"""

from __future__ import annotations

import warnings

from .. import _dtype, return_types
from .._tensor import Tensor, _wrap_dim
from ._util import broadcast_shapes, not_implemented, result_type, same_device


def _check(name, x, position=1, arg="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position {position}) must be Tensor, not "
                        f"{type(x).__name__}")


_legacy = _dtype.scalar_type_name


def _out(result, out):
    if out is None:
        return result
    from .pointwise import _out as write

    return write(result, out)


def _la():
    from .. import linalg

    return linalg


def vdot(input, other, *, out=None):
    """The dot product of two 1-D tensors (no conjugation for real tensors)."""
    _check("vdot", input)
    _check("vdot", other, 2, "other")
    if input.dtype is not other.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_legacy(input.dtype)} and {_legacy(other.dtype)}")
    from .linalg import dot

    return _out(dot(input, other), out)


def _same_dtypes(name, *ts):
    dtype = ts[0].dtype
    for t in ts[1:]:
        if t.dtype is not dtype:
            raise RuntimeError(f"{name} must have the same dtype, but got {_legacy(dtype)} and "
                               f"{_legacy(t.dtype)}")


def _scaled_sum(input, prod, beta, alpha):
    term = prod if alpha == 1 else prod * alpha
    if beta == 0:  # input is ignored, NaN and inf included
        return term.expand(broadcast_shapes(tuple(input.shape), tuple(term.shape))).clone() \
            if input.shape != term.shape else term + 0
    base = input if beta == 1 else input * beta
    return base + term


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat1 @ mat2)."""
    _check("addmm", input)
    if mat1._data.ndim != 2 or mat2._data.ndim != 2:
        raise RuntimeError("mat1 must be a matrix, got " f"{mat1._data.ndim}-D tensor"
                           if mat1._data.ndim != 2 else
                           f"mat2 must be a matrix, got {mat2._data.ndim}-D tensor")
    _same_dtypes("self and mat2", mat1, mat2)
    from .linalg import mm

    return _out(_scaled_sum(input, mm(mat1, mat2), beta, alpha), out)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat @ vec)."""
    _check("addmv", input)
    if mat._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input._data.ndim}, "
                           f"{mat._data.ndim}, {vec._data.ndim}")
    from .linalg import mv

    return _out(_scaled_sum(input, mv(mat, vec), beta, alpha), out)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * sum_b(batch1[b] @ batch2[b])."""
    _check("addbmm", input)
    if batch1._data.ndim != 3 or batch2._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor" if batch1._data.ndim != 3 else
                           "batch2 must be a 3D tensor")
    from .linalg import bmm

    return _out(_scaled_sum(input, bmm(batch1, batch2).sum(0), beta, alpha), out)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (batch1 @ batch2), batched."""
    _check("baddbmm", input)
    from .linalg import bmm

    return _out(_scaled_sum(input, bmm(batch1, batch2), beta, alpha), out)


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * outer(vec1, vec2)."""
    _check("addr", input)
    if vec1._data.ndim != 1 or vec2._data.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec1, but got {vec1._data.ndim}-D"
                           if vec1._data.ndim != 1 else
                           f"addr: Expected 1-D argument vec2, but got {vec2._data.ndim}-D")
    from .linalg import outer

    return _out(_scaled_sum(input, outer(vec1, vec2), beta, alpha), out)


def tensordot(a, b, dims=2, out=None):
    """Contraction of ``dims`` (a count, or two lists of dimensions) of a and b."""
    _check("tensordot", a)
    _check("tensordot", b, 2, "b")
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a._data.ndim or dims > b._data.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da = list(range(a._data.ndim - dims, a._data.ndim))
        db = list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
    da = [_wrap_dim(d, a._data.ndim) for d in da]
    db = [_wrap_dim(d, b._data.ndim) for d in db]
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[x]} in dim {x} and second has size {b.shape[y]} in "
                               f"dim {y}")
    free_a = [d for d in range(a._data.ndim) if d not in da]
    free_b = [d for d in range(b._data.ndim) if d not in db]
    n = 1
    for d in da:
        n *= a.shape[d]
    dtype = result_type(a, b)
    am = a.to(dtype).permute(free_a + da).reshape(-1, n)
    bm = b.to(dtype).permute(db + free_b).reshape(n, -1)
    shape = [a.shape[d] for d in free_a] + [b.shape[d] for d in free_b]
    return _out((am @ bm).reshape(shape), out)


def kron(input, other, *, out=None):
    """The Kronecker product."""
    _check("kron", input)
    _check("kron", other, 2, "other")
    nd = max(input._data.ndim, other._data.ndim)
    a = input.reshape((1,) * (nd - input._data.ndim) + tuple(input.shape))
    b = other.reshape((1,) * (nd - other._data.ndim) + tuple(other.shape))
    a = a.reshape([v for n in a.shape for v in (n, 1)])
    b = b.reshape([v for n in b.shape for v in (1, n)])
    shape = [x * y for x, y in zip(a.shape[::2], b.shape[1::2])]
    return _out((a * b).reshape(shape), out)


def trace(input):
    """The sum of the main diagonal of a matrix."""
    _check("trace", input)
    if input.dtype is _dtype.bool:
        raise not_implemented("trace", input.dtype)
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim "
                           f"{input._data.ndim}")
    from .shape_extra import diagonal

    return diagonal(input).sum()


def _cross(name, input, other, dim):
    same_device(name, input, other)
    shape = broadcast_shapes(tuple(input.shape), tuple(other.shape))
    nd = len(shape)
    d = _wrap_dim(dim, nd)
    if input.shape[d - (nd - input._data.ndim)] != 3 or \
            other.shape[d - (nd - other._data.ndim)] != 3:
        raise RuntimeError(f"{name}: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[dim]} and {other.shape[dim]}")
    dtype = result_type(input, other)
    a, b = input.to(dtype).expand(shape), other.to(dtype).expand(shape)
    from .shape import cat

    def at(t, i):
        return t.narrow(d, i, 1)
    return cat([at(a, 1) * at(b, 2) - at(a, 2) * at(b, 1),
                at(a, 2) * at(b, 0) - at(a, 0) * at(b, 2),
                at(a, 0) * at(b, 1) - at(a, 1) * at(b, 0)], d)


def cross(input, other, dim=None, *, out=None):
    """The cross product along ``dim`` (default: the first dimension of size 3, deprecated)."""
    _check("cross", input)
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease "
                      "either pass the dim explicitly or simply use torch.linalg.cross.\nThe "
                      "default value of dim will change to agree with that of linalg.cross in "
                      "a future release.", UserWarning, stacklevel=2)
        shape = broadcast_shapes(tuple(input.shape), tuple(other.shape))
        dim = next((i for i, n in enumerate(shape) if n == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return _out(_cross("linalg.cross", input, other, dim), out)


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """Pairwise p-norm distances between the rows of x1 (..., P, M) and x2 (..., R, M)."""
    _check("cdist", x1)
    _check("cdist", x2, 2, "x2")
    if x1._data.ndim < 2 or x2._data.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: "
                           f"{x1._data.ndim}D" if x1._data.ndim < 2 else
                           f"cdist only supports at least 2D tensors, X2 got: {x2._data.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if not x1.is_floating_point() or not x2.is_floating_point():
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: {x1.dtype}")
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values, got: {p}")
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return _la().vector_norm(diff, float(p), -1)


def dist(input, other, p=2):
    """The p-norm of input - other."""
    return _la().vector_norm(input - other, float(p))


def chain_matmul(*matrices, out=None):
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch "
                  "release. Use torch.linalg.multi_dot instead, which accepts a list of two or "
                  "more tensors rather than multiple parameters.", UserWarning, stacklevel=2)
    if len(matrices) == 1:
        return matrices[0].clone()
    return _la().multi_dot(list(matrices), out=out)


def renorm(input, p, dim, maxnorm):
    """Each slice along ``dim`` with p-norm above ``maxnorm`` rescaled to ``maxnorm``."""
    from .pointwise import where

    _check("renorm", input)
    d = _wrap_dim(dim, input._data.ndim)
    others = tuple(i for i in range(input._data.ndim) if i != d)
    norms = _la().vector_norm(input, float(p), others, keepdim=True)
    factor = where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)
    return input * factor


# -- torch.* spellings of ember.linalg ---------------------------------------------------
def det(input):
    return _la().det(input)


def logdet(input):
    """log(det): NaN for negative determinants, -inf for singular matrices."""
    sign, logabs = _la().slogdet(input)
    return logabs + sign.log()


def slogdet(input):
    r = _la().slogdet(input)
    return return_types.slogdet(r.sign, r.logabsdet)


def inverse(input, *, out=None):
    return _la().inv(input, out=out)


def cholesky(input, upper=False, *, out=None):
    return _la().cholesky(input, upper=upper, out=out)


def cholesky_solve(input, input2, upper=False, *, out=None):
    """X with A X = B, A = L L^T given its Cholesky factor ``input2``."""
    la = _la()
    L = input2.transpose(-2, -1) if upper else input2
    y = la.solve_triangular(L, input, upper=False)
    return _out(la.solve_triangular(L.transpose(-2, -1), y, upper=True), out)


def cholesky_inverse(input, upper=False, *, out=None):
    from .creation import eye

    n = input.shape[-1]
    identity = eye(n, dtype=input.dtype, device=input.device).expand(input.shape)
    return _out(cholesky_solve(identity, input, upper), out)


def qr(input, some=True, *, out=None):
    Q, R = _la().qr(input, "reduced" if some else "complete")
    result = return_types.qr(Q, R)
    if out is not None:
        for r, o in zip(result, out):
            _out(r, o)
        return return_types.qr(*out)
    return result


def svd(input, some=True, compute_uv=True, *, out=None):
    """(U, S, V) with input = U diag(S) V^T (V, not Vh, as torch.svd)."""
    la = _la()
    if not compute_uv:
        S = la.svdvals(input)
        m, n = input.shape[-2], input.shape[-1]
        from .creation import zeros

        U = zeros(tuple(input.shape[:-2]) + (m, m), dtype=input.dtype, device=input.device)
        V = zeros(tuple(input.shape[:-2]) + (n, n), dtype=input.dtype, device=input.device)
        return return_types.svd(U, S, V)
    U, S, Vh = la.svd(input, full_matrices=not some)
    return return_types.svd(U, S, Vh.transpose(-2, -1))


def pinverse(input, rcond=1e-15):
    return _la().pinv(input, rtol=rcond)


def matrix_power(input, n):
    return _la().matrix_power(input, n)


def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """(X, A clone) with A X = b (or A^T X = b when ``transpose``); deprecated in PyTorch."""
    la = _la()
    M = A.transpose(-2, -1) if transpose else A
    X = la.solve_triangular(M, b, upper=upper != transpose, unitriangular=unitriangular)
    return return_types.triangular_solve(X, A.clone())


def lu_solve(b, LU_data, LU_pivots, *, out=None):
    return _la().lu_solve(LU_data, LU_pivots, b, out=out)


__all__ = ["addbmm", "addmm", "addmv", "addr", "baddbmm", "cdist", "chain_matmul", "cholesky",
           "cholesky_inverse", "cholesky_solve", "cross", "det", "dist", "inverse", "kron",
           "logdet", "lu_solve", "matrix_power", "pinverse", "qr", "renorm", "slogdet", "svd",
           "tensordot", "trace", "triangular_solve", "vdot"]

"""The tensor library through the public API on the device under test: special functions,
float helpers and shifts, scans, searchsorted, scatter_reduce, diagonal views and
``ember.linalg``, against NumPy / ``math`` references and ``gradcheck`` in float64.

The kernels themselves (and core's decompositions of them) are checked in
``kernel_specs.py``; these tests check that the public functions reach them correctly on
the device (promotion, broadcasting, views, errors, backward).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember.testing import assert_close

from .coverage import covers

FLOATS = (ember.float32, ember.float64)


def _rng(*key):
    import zlib

    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def _on(device, a, dtype=ember.float64, grad=False):
    t = ember.tensor(np.asarray(a), dtype=dtype, device=device)
    return t.requires_grad_() if grad else t


def _check(got, want, dtype, what, rtol=None, atol=None):
    got = got.cpu()
    want = np.asarray(want)
    if rtol is None:
        rtol, atol = (1e-10, 1e-12) if dtype is ember.float64 else (2e-5, 2e-6)
    assert_close(got.double() if got.dtype.is_floating_point else got,
                 ember.tensor(want, dtype=ember.float64 if got.dtype.is_floating_point
                              else got.dtype),
                 rtol=rtol, atol=atol, equal_nan=True, msg=lambda m: f"{what}: {m}")


# -- references without SciPy --------------------------------------------------------------
def _vec(f):
    return np.vectorize(f, otypes=[np.float64])


def _digamma(x):
    # psi(x) = psi(x + n) - sum 1/(x + k); asymptotic series beyond 20
    acc = 0.0
    while x < 20:
        acc += 1 / x
        x += 1
    inv2 = 1 / (x * x)
    return (math.log(x) - 0.5 / x - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 / 252))) - acc


def _trigamma_fast(x):
    acc = 0.0
    while x < 20:
        acc += 1 / (x * x)
        x += 1
    inv = 1 / x
    inv2 = inv * inv
    return acc + inv + inv2 / 2 + inv * inv2 * (1 / 6 - inv2 * (1 / 30 - inv2 / 42))


def _i1(x):
    return sum((x / 2) ** (2 * k + 1) / (math.factorial(k) * math.factorial(k + 1))
               for k in range(60))


def _erfinv_ref(y):
    lo, hi = -10.0, 10.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if math.erf(mid) < y:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


UNARY = {
    # name: (function, reference on float64 numpy, sampler)
    "exp2": (ember.exp2, np.exp2, (-4, 4)), "log2": (ember.log2, np.log2, (0.1, 9)),
    "log10": (ember.log10, np.log10, (0.1, 9)), "tan": (ember.tan, np.tan, (-1.4, 1.4)),
    "asin": (ember.asin, np.arcsin, (-0.99, 0.99)), "acos": (ember.acos, np.arccos,
                                                              (-0.99, 0.99)),
    "atan": (ember.atan, np.arctan, (-5, 5)), "sinh": (ember.sinh, np.sinh, (-4, 4)),
    "cosh": (ember.cosh, np.cosh, (-4, 4)), "asinh": (ember.asinh, np.arcsinh, (-5, 5)),
    "acosh": (ember.acosh, np.arccosh, (1.01, 6)), "atanh": (ember.atanh, np.arctanh,
                                                             (-0.95, 0.95)),
    "erf": (ember.erf, _vec(math.erf), (-4, 4)), "erfc": (ember.erfc, _vec(math.erfc), (-3, 6)),
    "erfinv": (ember.erfinv, _vec(_erfinv_ref), (-0.99, 0.99)),
    "lgamma": (ember.lgamma, _vec(math.lgamma), (0.1, 12)),
    "digamma": (ember.digamma, _vec(_digamma), (0.2, 12)),
    "polygamma": (lambda x: ember.polygamma(1, x), _vec(_trigamma_fast), (0.2, 12)),
    "i0": (ember.i0, np.i0, (-8, 8)),
    "i0e": (lambda x: ember.special.i0e(x), lambda a: np.i0(a) * np.exp(-np.abs(a)), (-8, 8)),
    "i1": (lambda x: ember.special.i1(x), _vec(_i1), (-8, 8)),
    "i1e": (lambda x: ember.special.i1e(x), lambda a: _vec(_i1)(a) * np.exp(-np.abs(a)),
            (-8, 8)),
}


@covers(*UNARY)
@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: d.name)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_special_functions(device, name, dtype):
    fn, ref, (lo, hi) = UNARY[name]
    a = _rng(name).uniform(lo, hi, (3, 5))
    x = _on(device, a, dtype)
    got = fn(x)
    assert got.device == x.device and got.dtype is dtype
    expected = ref(x.cpu().double().numpy())
    _check(got, expected, dtype, name,
           *((1e-9, 1e-11) if dtype is ember.float64 else (5e-5, 5e-6)))
    # non-contiguous input and integer input (promoted to the default float)
    _check(fn(_on(device, a.T, dtype).t()), expected, dtype, name + " (transposed)",
           *((1e-9, 1e-11) if dtype is ember.float64 else (5e-5, 5e-6)))
    assert fn(ember.ones(2, dtype=ember.int64, device=device)).dtype is ember.float32


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_special_gradients(device, name):
    fn, _, (lo, hi) = UNARY[name]
    x = _on(device, _rng(name, "grad").uniform(lo, hi, (4,)), grad=True)
    assert ember.autograd.gradcheck(fn, (x,))


@covers("signbit")
def test_signbit(device):
    x = _on(device, [-0.0, 0.0, -2.0, 3.0, -math.inf], ember.float32)
    assert ember.signbit(x).cpu().tolist() == [True, False, True, False, True]
    assert ember.signbit(ember.tensor([-1, 2], device=device)).cpu().tolist() == [True, False]


BINARY = {
    "copysign": (ember.copysign, np.copysign), "fmax": (ember.fmax, np.fmax),
    "fmin": (ember.fmin, np.fmin), "fmod": (ember.fmod, np.fmod),
    "hypot": (ember.hypot, np.hypot), "logaddexp": (ember.logaddexp, np.logaddexp),
}


@covers(*BINARY)
@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: d.name)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_float_helpers(device, name, dtype):
    fn, ref = BINARY[name]
    rng = _rng(name)
    a, b = rng.uniform(-4, 4, (3, 4)), rng.uniform(-4, 4, (4,))
    a[0, 0], b[1] = math.nan, math.nan
    with np.errstate(all="ignore"):
        _check(fn(_on(device, a, dtype), _on(device, b, dtype)), ref(a, b), dtype, name)
        _check(fn(_on(device, a, dtype), 1.5), ref(a, 1.5), dtype, name + " scalar")
    ga = _on(device, rng.uniform(0.5, 2, (2, 3)), grad=True)
    gb = _on(device, rng.uniform(-2, -0.5, (3,)), grad=True)
    assert ember.autograd.gradcheck(fn, (ga, gb))


@covers("bitwise_left_shift", "bitwise_right_shift")
@pytest.mark.parametrize("dtype", [ember.int32, ember.int64, ember.uint8], ids=lambda d: d.name)
def test_shifts(device, dtype):
    x = np.array([1, 3, 8, 100, 0], dtype=dtype.numpy)
    y = np.array([0, 1, 2, 3, 7], dtype=dtype.numpy)
    ex, ey = ember.tensor(x, device=device), ember.tensor(y, device=device)
    assert (ex << ey).cpu().tolist() == np.left_shift(x, y).tolist()
    assert (ex >> ey).cpu().tolist() == np.right_shift(x, y).tolist()
    assert ember.bitwise_left_shift(ex, 1).cpu().tolist() == np.left_shift(x, 1).tolist()


# -- scans and searching ---------------------------------------------------------------------
@covers("cummax", "cummin", "logcumsumexp")
@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: d.name)
def test_scans(device, dtype):
    a = _rng("scan").integers(-3, 4, (3, 6)).astype(np.float64)
    x = _on(device, a, dtype)
    for dim in (0, 1):
        values, indices = ember.cummax(x, dim)
        _check(values, np.maximum.accumulate(a, dim), dtype, "cummax")
        np.testing.assert_array_equal(np.take_along_axis(a, indices.cpu().numpy(), dim),
                                      values.cpu().double().numpy())
        _check(ember.cummin(x, dim).values, np.minimum.accumulate(a, dim), dtype, "cummin")
        _check(ember.logcumsumexp(x, dim), np.logaddexp.accumulate(a, dim), dtype,
               "logcumsumexp")
    g = _on(device, _rng("scan", "g").permutation(8).reshape(2, 4) * 0.3, grad=True)
    assert ember.autograd.gradcheck(lambda t: ember.cummax(t, 1).values, (g,))
    assert ember.autograd.gradcheck(lambda t: ember.logcumsumexp(t, 1), (g,))


@covers("searchsorted")
def test_searchsorted_and_bucketize(device):
    seq = np.array([[1.0, 2.0, 2.0, 3.0], [0.0, 0.5, 1.0, 1.5]])
    vals = np.array([[2.0, 0.0, 9.0], [1.0, 1.2, -1.0]])
    for right in (False, True):
        got = ember.searchsorted(_on(device, seq), _on(device, vals), right=right).cpu()
        want = [np.searchsorted(s, v, side="right" if right else "left")
                for s, v in zip(seq, vals)]
        assert got.tolist() == np.array(want).tolist()
    b = ember.tensor([1, 3, 5, 7], device=device)
    assert ember.bucketize(ember.tensor([[1, 5], [3, 9]], device=device), b).cpu().tolist() \
        == [[0, 2], [1, 4]]


# -- views and scatter ---------------------------------------------------------------------------
@covers("diagonal")
def test_diagonal_views(device):
    x = ember.zeros(3, 4, device=device)
    x.diagonal(1).fill_(2.0)
    assert x.cpu().tolist() == [[0, 2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 2]]
    x.t().diagonal().add_(1.0)
    assert ember.diag(x).cpu().tolist() == [1.0, 1.0, 1.0]
    y = ember.arange(24.0, device=device).reshape(2, 3, 4)
    _check(ember.diagonal(y, -1, 2, 0), np.diagonal(np.arange(24.0).reshape(2, 3, 4), -1, 2, 0),
           ember.float32, "diagonal")
    assert ember.trace(ember.arange(9.0, device=device).reshape(3, 3)).item() == 12.0
    g = _on(device, _rng("diag").standard_normal((3, 3)), grad=True)
    assert ember.autograd.gradcheck(lambda t: ember.diagonal(t, 1) * 2, (g,))


@covers("scatter_reduce")
@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
def test_scatter_reduce(device, reduce):
    rng = _rng("scatter", reduce)
    a = rng.integers(-3, 4, (3, 4)).astype(np.float64)
    src = rng.integers(-3, 4, (3, 4)).astype(np.float64)
    index = np.array([[0, 1, 0, 3], [3, 3, 1, 0], [2, 2, 2, 2]])
    for include_self in (True, False):
        got = _on(device, a).scatter_reduce(1, ember.tensor(index, device=device),
                                            _on(device, src), reduce, include_self=include_self)
        want = a.copy()
        ufunc = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum,
                 "amin": np.minimum}[reduce]
        rows = np.arange(3)[:, None]
        if not include_self:
            want[rows, index] = {"sum": 0, "mean": 0, "prod": 1, "amax": -np.inf,
                                 "amin": np.inf}[reduce]
        ufunc.at(want, (rows, index), src)
        if reduce == "mean":
            count = np.full(a.shape, 1.0 if include_self else 0.0)
            np.add.at(count, (rows, index), 1.0)
            want = want / np.maximum(count, 1)
        _check(got, want, ember.float64, f"scatter_reduce {reduce} {include_self}")
    x = _on(device, rng.permutation(12).reshape(3, 4) * 0.3 + 0.5, grad=True)
    s = _on(device, rng.permutation(12).reshape(3, 4) * 0.2 + 0.4, grad=True)
    assert ember.autograd.gradcheck(
        lambda p, q: p.scatter_reduce(1, ember.tensor(index, device=device), q, reduce), (x, s))


# -- linear algebra -----------------------------------------------------------------------------
def _mats(device, dtype, seed="la"):
    rng = _rng(seed)
    a = rng.standard_normal((2, 4, 4))
    s = a @ np.swapaxes(a, -1, -2) + 4 * np.eye(4)
    return a, s, _on(device, a, dtype), _on(device, s, dtype)


def _la_tol(dtype):
    return (1e-9, 1e-11) if dtype is ember.float64 else (2e-4, 2e-5)


@covers("lu_factor", "lu_solve")
@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: d.name)
def test_lu_based(device, dtype):
    a, _, A, _ = _mats(device, dtype)
    b = _rng("rhs").standard_normal((2, 4, 3))
    tol = _la_tol(dtype)
    _check(ember.linalg.det(A), np.linalg.det(a), dtype, "det", *tol)
    _check(ember.linalg.inv(A), np.linalg.inv(a), dtype, "inv", *tol)
    _check(ember.linalg.solve(A, _on(device, b, dtype)), np.linalg.solve(a, b), dtype, "solve",
           *tol)
    LU, piv = ember.linalg.lu_factor(A)
    assert piv.dtype is ember.int32
    _check(ember.linalg.lu_solve(LU, piv, _on(device, b, dtype)), np.linalg.solve(a, b), dtype,
           "lu_solve", *tol)
    with pytest.raises(ember.linalg.LinAlgError, match="singular"):
        ember.linalg.inv(_on(device, [[1.0, 2.0], [2.0, 4.0]], dtype))
    assert ember.linalg.det(_on(device, [[1.0, 2.0], [2.0, 4.0]], dtype)).item() == 0.0
    g = _on(device, a[0, :3, :3], grad=True)
    assert ember.autograd.gradcheck(ember.linalg.inv, (g,))
    assert ember.autograd.gradcheck(ember.linalg.det, (g,))


@covers("cholesky", "triangular_solve")
@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: d.name)
def test_cholesky_and_triangular(device, dtype):
    _, s, _, S = _mats(device, dtype)
    tol = _la_tol(dtype)
    L = ember.linalg.cholesky(S)
    _check(L, np.linalg.cholesky(s), dtype, "cholesky", *tol)
    b = _rng("tri").standard_normal((2, 4, 2))
    _check(ember.linalg.solve_triangular(L, _on(device, b, dtype), upper=False),
           np.linalg.solve(np.linalg.cholesky(s), b), dtype, "solve_triangular", *tol)
    _check(ember.cholesky_solve(_on(device, b, dtype), L), np.linalg.solve(s, b), dtype,
           "cholesky_solve", *tol)
    with pytest.raises(ember.linalg.LinAlgError, match="not positive-definite"):
        ember.linalg.cholesky(_on(device, [[1.0, 2.0], [2.0, 1.0]], dtype))
    g = _on(device, s[0, :3, :3], grad=True)
    assert ember.autograd.gradcheck(lambda t: ember.linalg.cholesky(t @ t.mT), (g,))


@covers("qr", "eigh", "svd")
@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: d.name)
def test_factorizations(device, dtype):
    a, s, A, S = _mats(device, dtype)
    tol = _la_tol(dtype)
    Q, R = ember.linalg.qr(A)
    _check(Q @ R, a, dtype, "qr", *tol)
    _check(Q.mT @ Q, np.broadcast_to(np.eye(4), (2, 4, 4)), dtype, "qr Q orthogonal", *tol)
    _check(R, np.triu(R.cpu().double().numpy()), dtype, "qr R triangular", *tol)
    w, V = ember.linalg.eigh(S)
    _check(w, np.linalg.eigvalsh(s), dtype, "eigh values", *tol)
    _check(V @ ember.diag_embed(w) @ V.mT, s, dtype, "eigh reconstruction",
           *((1e-9, 1e-10) if dtype is ember.float64 else (2e-4, 2e-4)))
    U, sv, Vh = ember.linalg.svd(A[:, :, :3], full_matrices=False)
    _check(sv, np.linalg.svd(a[:, :, :3], compute_uv=False), dtype, "svd values", *tol)
    _check(U * sv.unsqueeze(-2) @ Vh, a[:, :, :3], dtype, "svd reconstruction", *tol)
    _check(ember.linalg.pinv(A), np.linalg.pinv(a), dtype, "pinv",
           *((1e-8, 1e-10) if dtype is ember.float64 else (1e-3, 1e-4)))
    g = _on(device, a[0, :3, :2], grad=True)
    assert ember.autograd.gradcheck(ember.linalg.svdvals, (g,))
    assert ember.autograd.gradcheck(lambda t: ember.linalg.eigh(t @ t.mT).eigenvalues, (g,))
    assert ember.autograd.gradcheck(lambda t: ember.linalg.qr(t).R, (g,))

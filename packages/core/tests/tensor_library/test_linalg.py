"""ember.linalg and the top-level products: values against NumPy, gradients, singular input
as PyTorch, errors, and the decompositions through a backend with required kernels only."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember import linalg as LA
from ember.autograd import gradcheck, gradgradcheck

RNG = np.random.default_rng(0)


def _t(a, dtype=ember.float64, grad=False):
    t = ember.tensor(np.asarray(a), dtype=dtype)
    return t.requires_grad_() if grad else t


def _spd(n, batch=()):
    a = RNG.standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


@pytest.mark.parametrize("dtype", [ember.float64, ember.float32])
def test_values_against_numpy(dtype):
    tol = dict(rtol=1e-10, atol=1e-12) if dtype is ember.float64 else dict(rtol=2e-4, atol=2e-5)
    a = RNG.standard_normal((2, 4, 4))
    b = RNG.standard_normal((2, 4, 3))
    s = _spd(4, (2,))
    tall = RNG.standard_normal((6, 3))
    A, B, S, T = _t(a, dtype), _t(b, dtype), _t(s, dtype), _t(tall, dtype)
    np.testing.assert_allclose(LA.det(A).numpy(), np.linalg.det(a), **tol)
    sign, logabs = LA.slogdet(A)
    rs, rl = np.linalg.slogdet(a)
    np.testing.assert_allclose(sign.numpy(), rs, **tol)
    np.testing.assert_allclose(logabs.numpy(), rl, **tol)
    np.testing.assert_allclose(LA.inv(A).numpy(), np.linalg.inv(a), **tol)
    np.testing.assert_allclose(LA.solve(A, B).numpy(), np.linalg.solve(a, b), **tol)
    np.testing.assert_allclose(LA.solve(A[0], B[0, :, 0]).numpy(),
                               np.linalg.solve(a[0], b[0, :, 0]), **tol)
    np.testing.assert_allclose(LA.solve(A, B.mT, left=False).numpy(),
                               np.swapaxes(np.linalg.solve(np.swapaxes(a, -1, -2),
                                                           b), -1, -2), **tol)
    np.testing.assert_allclose(LA.cholesky(S).numpy(), np.linalg.cholesky(s), **tol)
    np.testing.assert_allclose(LA.cholesky(S, upper=True).numpy(),
                               np.swapaxes(np.linalg.cholesky(s), -1, -2), **tol)
    q, r = LA.qr(T)
    rq, rr = np.linalg.qr(tall)
    np.testing.assert_allclose(q.numpy(), rq, **tol)
    np.testing.assert_allclose(r.numpy(), rr, **tol)
    w, v = LA.eigh(S)
    rw, rv = np.linalg.eigh(s)
    np.testing.assert_allclose(w.numpy(), rw, **tol)
    np.testing.assert_allclose(np.abs(v.numpy()), np.abs(rv), **tol)
    np.testing.assert_allclose(LA.eigvalsh(S, "U").numpy(), np.linalg.eigvalsh(s, "U"), **tol)
    u, sv, vh = LA.svd(T, full_matrices=False)
    np.testing.assert_allclose(sv.numpy(), np.linalg.svd(tall, compute_uv=False), **tol)
    np.testing.assert_allclose((u * sv.unsqueeze(-2) @ vh).numpy(), tall, **tol)
    np.testing.assert_allclose(LA.svdvals(A).numpy(), np.linalg.svd(a, compute_uv=False), **tol)
    np.testing.assert_allclose(LA.pinv(T).numpy(), np.linalg.pinv(tall), **tol)
    np.testing.assert_allclose(LA.matrix_power(A, 3).numpy(), np.linalg.matrix_power(a, 3), **tol)
    np.testing.assert_allclose(LA.matrix_power(A, -2).numpy(), np.linalg.matrix_power(a, -2),
                               rtol=1e-8 if dtype is ember.float64 else 1e-3, atol=1e-8)
    assert LA.matrix_rank(T).item() == 3
    x = LA.lstsq(T, _t(b[0, :, :2].repeat(2, 0)[:6], dtype)).solution
    np.testing.assert_allclose(x.numpy(), np.linalg.lstsq(tall, b[0, :, :2].repeat(2, 0)[:6],
                                                          rcond=None)[0], **tol)
    for ord_ in (None, "fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf):
        np.testing.assert_allclose(LA.matrix_norm(A, "fro" if ord_ is None else ord_).numpy(),
                                   np.linalg.norm(a, "fro" if ord_ is None else ord_,
                                                  axis=(-2, -1)), **tol)
    for ord_ in (0.5, 1, 2, 3, math.inf, -math.inf, 0):
        np.testing.assert_allclose(LA.vector_norm(A, ord_, dim=-1).numpy(),
                                   np.linalg.norm(a, ord_, axis=-1), **tol)
    np.testing.assert_allclose(LA.norm(A).numpy(), np.linalg.norm(a.reshape(-1)), **tol)
    np.testing.assert_allclose(LA.multi_dot([T.mT, T, A[0, :3]]).numpy(),
                               np.linalg.multi_dot([tall.T, tall, a[0, :3]]), **tol)
    np.testing.assert_allclose(LA.cross(A[..., :3], B[..., :3]).numpy(),
                               np.cross(a[..., :3], b[..., :3]), **tol)
    np.testing.assert_allclose(LA.cond(A).numpy(), np.linalg.cond(a), rtol=1e-6, atol=0)


def test_top_level_products_against_numpy():
    a, b, c = RNG.standard_normal((3, 4)), RNG.standard_normal((4, 2)), RNG.standard_normal((3, 2))
    A, B, C = _t(a), _t(b), _t(c)
    np.testing.assert_allclose(ember.addmm(C, A, B, beta=0.5, alpha=2).numpy(),
                               0.5 * c + 2 * a @ b, rtol=1e-13)
    nan = _t(np.full((3, 2), np.nan))
    np.testing.assert_allclose(ember.addmm(nan, A, B, beta=0).numpy(), a @ b, rtol=1e-13)
    np.testing.assert_allclose(ember.addmv(C[:, 0], A, B[:, 0]).numpy(), c[:, 0] + a @ b[:, 0],
                               rtol=1e-13)
    np.testing.assert_allclose(ember.addr(A, C[:, 0], _t(b[:, 0])).numpy(),
                               a + np.outer(c[:, 0], b[:, 0]), rtol=1e-13)
    bat1, bat2 = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((2, 4, 2))
    np.testing.assert_allclose(ember.baddbmm(C, _t(bat1), _t(bat2)).numpy(), c + bat1 @ bat2,
                               rtol=1e-13)
    np.testing.assert_allclose(ember.addbmm(C, _t(bat1), _t(bat2)).numpy(),
                               c + (bat1 @ bat2).sum(0), rtol=1e-13)
    np.testing.assert_allclose(ember.tensordot(_t(bat1), A, dims=([1, 2], [0, 1])).numpy(),
                               np.tensordot(bat1, a, axes=([1, 2], [0, 1])), rtol=1e-13)
    np.testing.assert_allclose(ember.tensordot(A, B, 1).numpy(), a @ b, rtol=1e-13)
    np.testing.assert_allclose(ember.kron(A, B).numpy(), np.kron(a, b), rtol=1e-13)
    np.testing.assert_allclose(ember.vdot(A[0], A[1]).item(), np.vdot(a[0], a[1]), rtol=1e-13)
    d = np.sqrt(((a[:, None] - a[None]) ** 2).sum(-1))
    np.testing.assert_allclose(ember.cdist(A, A).numpy(), d, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(ember.dist(A, A * 2, 3).item(),
                               np.sum(np.abs(a) ** 3) ** (1 / 3), rtol=1e-13)
    spd = _spd(3)
    L = LA.cholesky(_t(spd))
    np.testing.assert_allclose(ember.cholesky_solve(C, L).numpy(), np.linalg.solve(spd, c),
                               rtol=1e-10)
    np.testing.assert_allclose(ember.cholesky_inverse(L).numpy(), np.linalg.inv(spd), rtol=1e-10)
    U, S, V = ember.svd(A)
    np.testing.assert_allclose((U * S @ V.mT).numpy(), a, atol=1e-12)
    assert ember.logdet(_t([[0.0, 1.0], [1.0, 0.0]])).isnan().item()
    assert ember.slogdet(_t(spd)).logabsdet.item() == pytest.approx(np.linalg.slogdet(spd)[1])


def test_singular_input_behaves_as_pytorch():
    sing = _t([[1.0, 2.0], [2.0, 4.0]])
    assert LA.det(sing).item() == 0.0
    sign, logabs = LA.slogdet(sing)
    assert sign.item() == 0.0 and logabs.item() == -math.inf
    with pytest.raises(LA.LinAlgError, match="linalg.inv: The diagonal element 2 is zero, the "
                                             "inversion could not be completed because the "
                                             "input matrix is singular."):
        LA.inv(sing)
    with pytest.raises(RuntimeError, match=r"linalg.inv: \(Batch element 1\): The diagonal"):
        LA.inv(ember.stack([ember.eye(2, dtype=ember.float64), sing]))
    with pytest.raises(LA.LinAlgError, match="torch.linalg.solve: The solver failed because the "
                                             "input matrix is singular."):
        LA.solve(sing, _t([1.0, 2.0]))
    with pytest.raises(LA.LinAlgError, match="the leading minor of order 2 is not "
                                             "positive-definite"):
        LA.cholesky(sing)
    inverse, info = LA.inv_ex(sing)
    assert info.item() == 2 and info.dtype is ember.int32 and not inverse.isfinite().all()
    assert LA.cholesky_ex(sing).info.item() == 2
    assert LA.solve_ex(sing, _t([1.0, 2.0])).info.item() == 2
    with pytest.raises(RuntimeError, match=r"lu_factor: U\[2,2\] is zero"):
        LA.lu_factor(sing)
    assert LA.matrix_rank(sing).item() == 1
    np.testing.assert_allclose(LA.pinv(sing).numpy(), np.linalg.pinv(sing.numpy()), rtol=1e-12)
    leaf = sing.clone().requires_grad_()
    LA.det(leaf).backward()
    assert leaf.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]]  # PyTorch's first derivative here
    (g,) = ember.autograd.grad(LA.det(leaf), leaf, create_graph=True)  # the cofactors
    np.testing.assert_allclose(g.detach().numpy(), [[4.0, -2.0], [-2.0, 1.0]], atol=1e-12)


def test_errors_name_the_op():
    with pytest.raises(RuntimeError, match="linalg.inv: Expected a floating point or complex "
                                           "tensor as input. Got Long"):
        LA.inv(ember.tensor([[1, 2], [3, 4]]))
    with pytest.raises(RuntimeError, match="linalg.inv: A must be batches of square matrices, "
                                           "but they are 2 by 3 matrices"):
        LA.inv(ember.ones(2, 3))
    with pytest.raises(RuntimeError, match="linalg.det: The input tensor A must have at least 2 "
                                           "dimensions."):
        LA.det(ember.ones(3))
    with pytest.raises(RuntimeError, match="linalg.inv: Low precision dtypes not supported. Got "
                                           "Half"):
        LA.inv(ember.ones(2, 2, dtype=ember.float16))
    with pytest.raises(RuntimeError, match=r"linalg.solve: Incompatible shapes of A and B for "
                                           r"the equation AX = B \(2x2 and 3x1\)"):
        LA.solve(ember.eye(2), ember.ones(3))
    with pytest.raises(RuntimeError, match="linalg.solve: Expected A and B to have the same "
                                           "dtype"):
        LA.solve(ember.eye(2), ember.ones(2, dtype=ember.float64))
    with pytest.raises(RuntimeError, match="qr received unrecognized mode 'bad'"):
        LA.qr(ember.ones(2, 3), mode="bad")
    with pytest.raises(RuntimeError, match="Expected UPLO argument to be 'L' or 'U', but got X"):
        LA.eigh(ember.eye(2), UPLO="X")
    with pytest.raises(RuntimeError, match="parameter `driver` should be one of"):
        LA.lstsq(ember.eye(2), ember.eye(2), driver="bad")
    with pytest.raises(RuntimeError, match=r"multi_dot\(\): expected at least 2 tensors but got "
                                           "1"):
        LA.multi_dot([ember.eye(2)])
    with pytest.raises(RuntimeError, match="linalg.cross: inputs dimension -1 must have length "
                                           "3. Got 2 and 2"):
        LA.cross(ember.ones(2), ember.ones(2))
    with pytest.raises(RuntimeError, match="linalg.vector_norm: Expected a floating point"):
        LA.vector_norm(ember.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="linalg.matrix_norm: Order bad not supported."):
        LA.matrix_norm(ember.eye(2), "bad")
    with pytest.raises(RuntimeError, match="If dim is not specified but ord is, the input must "
                                           "be 1D or 2D. Got 3D."):
        LA.norm(ember.ones(2, 2, 2), ord=2)
    with pytest.raises(RuntimeError, match="X1 and X2 must have the same number of columns"):
        ember.cdist(ember.ones(2, 3), ember.ones(4, 2))
    with pytest.raises(RuntimeError, match="trace: expected a matrix, but got tensor with dim 3"):
        ember.trace(ember.ones(2, 3, 1))
    with pytest.raises(RuntimeError, match="self and mat2 must have the same dtype"):
        ember.addmm(ember.ones(2, 2), ember.ones(2, 3), ember.ones(3, 2, dtype=ember.float64))
    with pytest.raises(RuntimeError, match="tensordot expects dims < ndim_a or ndim_b"):
        ember.tensordot(ember.ones(2, 3), ember.ones(3, 2), dims=3)
    with pytest.raises(RuntimeError, match="same device"):
        LA.solve(ember.eye(2), _other_device(ember.ones(2)))


def _other_device(t):
    from ember.testing.conformance.fake import FakeBackend

    ember.backends.registry.register(FakeBackend(name="fakela"))
    return t.to("fakela")


# -- gradients -------------------------------------------------------------------------------
def _g(shape, seed=1):
    return _t(np.random.default_rng(seed).standard_normal(shape), grad=True)


def _sym(a):
    return a @ a.mT + ember.eye(a.shape[-1], dtype=ember.float64)


GRADS = {
    "det": (LA.det, [(2, 3, 3)]), "slogdet": (lambda a: LA.slogdet(a).logabsdet, [(3, 3)]),
    "inv": (LA.inv, [(3, 3)]), "solve": (LA.solve, [(3, 3), (3, 2)]),
    "solve_batched_vector": (LA.solve, [(2, 3, 3), (2, 3)]),
    "cholesky": (lambda a: LA.cholesky(_sym(a)), [(3, 3)]),
    "solve_triangular": (lambda a, b: LA.solve_triangular(
        a.triu() + 3 * ember.eye(a.shape[-1]).double(), b, upper=True), [(3, 3), (3, 2)]),
    "solve_triangular_right_unit": (lambda a, b: LA.solve_triangular(
        a.tril(), b, upper=False, left=False, unitriangular=True), [(3, 3), (2, 3)]),
    "qr_tall": (lambda a: LA.qr(a), [(4, 2)]), "qr_wide": (lambda a: LA.qr(a), [(2, 4)]),
    "eigh": (lambda a: LA.eigh(a + a.mT), [(3, 3)]),
    "svd": (lambda a: (lambda r: (r.S, r.U @ r.Vh))(LA.svd(a, False)), [(4, 3)]),
    "svdvals": (LA.svdvals, [(3, 4)]), "pinv": (LA.pinv, [(4, 3)]),
    "pinv_hermitian": (lambda a: LA.pinv(_sym(a), hermitian=True), [(3, 3)]),
    "lstsq": (lambda a, b: LA.lstsq(a, b).solution, [(4, 2), (4, 3)]),
    "matrix_power": (lambda a: LA.matrix_power(a, -3), [(3, 3)]),
    "multi_dot": (lambda a, b: LA.multi_dot([a, b, a]), [(3, 3), (3, 3)]),
    "vector_norm_3": (lambda a: LA.vector_norm(a, 3, 1), [(3, 4)]),
    "matrix_norm_nuc": (lambda a: LA.matrix_norm(a, "nuc"), [(3, 4)]),
    "cond": (LA.cond, [(3, 3)]), "logdet": (lambda a: ember.logdet(_sym(a)), [(3, 3)]),
    "addmm": (lambda c, a: ember.addmm(c, a, a.mT, beta=0.3, alpha=-1), [(3, 3), (3, 2)]),
    "baddbmm": (lambda c, a: ember.baddbmm(c, a, a.mT), [(2, 3, 3), (2, 3, 2)]),
    "tensordot": (lambda a, b: ember.tensordot(a, b, ([0], [1])), [(3, 2), (4, 3)]),
    "cdist": (lambda a, b: ember.cdist(a, b), [(3, 2), (4, 2)]),
    "cholesky_solve": (lambda a, b: ember.cholesky_solve(b, LA.cholesky(_sym(a))),
                       [(3, 3), (3, 2)]),
    "renorm": (lambda a: ember.renorm(a, 2, 0, 1.0), [(3, 4)]),
}


@pytest.mark.parametrize("name", sorted(GRADS))
def test_gradcheck(name):
    fn, shapes = GRADS[name]
    inputs = [_g(s, seed=i + 3) for i, s in enumerate(shapes)]
    assert gradcheck(fn, tuple(inputs))


@pytest.mark.parametrize("name", ["det", "inv", "solve", "cholesky", "qr_tall", "eigh",
                                  "svdvals", "pinv", "solve_triangular"])
def test_gradgradcheck(name):
    fn, shapes = GRADS[name]
    inputs = [_g(tuple(n if n < 3 else 2 for n in s), seed=i + 3) for i, s in enumerate(shapes)]
    assert gradgradcheck(fn, tuple(inputs))


def test_vector_norm_subgradient_at_zero_is_zero():
    x = ember.zeros(3, dtype=ember.float64, requires_grad=True)
    LA.vector_norm(x).backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


# -- the decompositions, through a backend that has only the required kernels -----------------
@pytest.fixture(scope="module")
def required_only():
    from ember.backends.base import REQUIRED
    from ember.testing.conformance.fake import FakeBackend

    backend = FakeBackend(name="requiredonly", ops=REQUIRED)
    ember.backends.registry.register(backend)
    yield "requiredonly"
    ember.backends.registry.unregister("requiredonly")


def test_linalg_over_decompositions(required_only):
    a = RNG.standard_normal((2, 4, 4))
    s = _spd(4, (2,))
    A = _t(a).to(required_only)
    S = _t(s).to(required_only)
    np.testing.assert_allclose(LA.det(A).cpu().numpy(), np.linalg.det(a), rtol=1e-10)
    np.testing.assert_allclose(LA.inv(A).cpu().numpy(), np.linalg.inv(a), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(LA.cholesky(S).cpu().numpy(), np.linalg.cholesky(s), rtol=1e-10)
    np.testing.assert_allclose(LA.eigvalsh(S).cpu().numpy(), np.linalg.eigvalsh(s), rtol=1e-10)
    np.testing.assert_allclose(LA.svdvals(A).cpu().numpy(), np.linalg.svd(a, compute_uv=False),
                               rtol=1e-10)
    q, r = LA.qr(A)
    np.testing.assert_allclose((q @ r).cpu().numpy(), a, atol=1e-12)
    np.testing.assert_allclose(ember.erf(A).cpu().numpy(), ember.erf(_t(a)).numpy(), rtol=1e-14)
    np.testing.assert_array_equal(ember.sort(A, -1).values.cpu().numpy(), np.sort(a, -1))
    x = A.clone().requires_grad_()
    LA.det(x).sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(),
                               np.linalg.det(a)[:, None, None] * np.linalg.inv(a).swapaxes(-1, -2),
                               rtol=1e-9)
    with pytest.raises(LA.LinAlgError, match="singular"):
        LA.inv(_t([[1.0, 2.0], [2.0, 4.0]]).to(required_only))


def test_lu_factor_and_lu_solve():
    a = RNG.standard_normal((2, 3, 3))
    b = RNG.standard_normal((2, 3, 2))
    LU, piv = LA.lu_factor(_t(a))
    assert piv.dtype is ember.int32
    np.testing.assert_allclose(LA.lu_solve(LU, piv, _t(b)).numpy(), np.linalg.solve(a, b),
                               rtol=1e-10)
    np.testing.assert_allclose(LA.lu_solve(LU, piv, _t(b), adjoint=True).numpy(),
                               np.linalg.solve(np.swapaxes(a, -1, -2), b), rtol=1e-10)
    np.testing.assert_allclose(LA.lu_solve(LU, piv, _t(b).mT, left=False).numpy(),
                               np.swapaxes(np.linalg.solve(np.swapaxes(a, -1, -2), b), -1, -2),
                               rtol=1e-10)
    P, L, U = LA.lu(_t(a))
    np.testing.assert_allclose((P @ L @ U).numpy(), a, atol=1e-12)
    lu = LU.clone().requires_grad_()
    rhs = _t(b, grad=True)
    assert gradcheck(lambda m, r: LA.lu_solve(m, piv, r), (lu, rhs))

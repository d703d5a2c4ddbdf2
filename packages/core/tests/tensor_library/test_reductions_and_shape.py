"""More reductions and scans, and the shape ops: values against NumPy, views, gradients and
errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck

NAN = math.nan


def _t(a, dtype=ember.float64, grad=False):
    t = ember.tensor(np.asarray(a), dtype=dtype)
    return t.requires_grad_() if grad else t


def _g(shape, seed=0):
    rng = np.random.default_rng(seed)
    return _t(rng.uniform(-2, 2, shape), grad=True)


# -- reductions and scans --------------------------------------------------------------------
def test_nanmean_aminmax_and_scans_against_numpy():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 5))
    a[0, 2] = a[2, 4] = NAN
    x = _t(a)
    np.testing.assert_allclose(ember.nanmean(x, 1).numpy(), np.nanmean(a, 1), rtol=1e-14)
    np.testing.assert_allclose(x.nanmean().item(), np.nanmean(a), rtol=1e-14)
    b = rng.standard_normal((3, 5))
    lo, hi = ember.aminmax(_t(b), dim=0, keepdim=True)
    np.testing.assert_array_equal(lo.numpy(), b.min(0, keepdims=True))
    np.testing.assert_array_equal(hi.numpy(), b.max(0, keepdims=True))
    assert ember.aminmax(_t(b)).max.item() == b.max()
    values, indices = ember.cummax(_t(b), 1)
    np.testing.assert_array_equal(values.numpy(), np.maximum.accumulate(b, 1))
    np.testing.assert_array_equal(ember.cummin(_t(b), 0).values.numpy(),
                                  np.minimum.accumulate(b, 0))
    np.testing.assert_allclose(ember.logcumsumexp(_t(b), 1).numpy(),
                               np.logaddexp.accumulate(b, 1), rtol=1e-14)
    big = _t([[-1e30, 2.0, -math.inf], [-math.inf, -math.inf, 5.0]])
    assert ember.logcumsumexp(big, 1).tolist() == [[-1e30, 2.0, 2.0], [-math.inf, -math.inf,
                                                                      5.0]]
    s, m = ember.std_mean(_t(b), 1)
    np.testing.assert_allclose(s.numpy(), b.std(1, ddof=1), rtol=1e-13)
    np.testing.assert_allclose(m.numpy(), b.mean(1), rtol=1e-13)
    assert ember.count_nonzero(ember.tensor([[1, 0], [0, 3]]), dim=0).tolist() == [1, 1]


def test_scan_and_reduction_errors_and_dtypes():
    with pytest.raises(RuntimeError, match=r"nanmean\(\): expected input to have floating point"):
        ember.nanmean(ember.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="cannot compute aminmax over an empty dimension"):
        ember.aminmax(ember.tensor([]))
    with pytest.raises(NotImplementedError, match="logcumsumexp"):
        ember.logcumsumexp(ember.tensor([1, 2]), 0)
    v, i = ember.cummax(ember.tensor([True, False, True]), 0)
    assert v.dtype is ember.bool and i.tolist() == [0, 0, 2]
    v, i = ember.cummax(ember.tensor(3.0), 0)
    assert v.item() == 3.0 and i.item() == 0


@pytest.mark.parametrize("fn", [
    lambda x: ember.nanmean(x, 0), lambda x: ember.aminmax(x, dim=1)[0],
    lambda x: ember.cummax(x, 1).values, lambda x: ember.cummin(x, 0).values,
    lambda x: ember.logcumsumexp(x, 1),
], ids=["nanmean", "aminmax", "cummax", "cummin", "logcumsumexp"])
def test_reduction_gradcheck(fn):
    assert gradcheck(fn, (_g((3, 4)),))


def test_logcumsumexp_gradgradcheck():
    assert gradgradcheck(lambda x: ember.logcumsumexp(x, 1), (_g((2, 3)),))


# -- shape -----------------------------------------------------------------------------------
def test_diagonals_and_triangles_against_numpy():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((3, 4, 5))
    x = _t(a)
    for offset, d1, d2 in [(0, 0, 1), (1, 1, 2), (-2, 2, 0), (3, 0, 2), (9, 0, 1)]:
        np.testing.assert_array_equal(ember.diagonal(x, offset, d1, d2).numpy(),
                                      np.diagonal(a, offset, d1, d2))
    m = a[0]
    for k in (-1, 0, 2):
        np.testing.assert_array_equal(ember.tril(_t(m), k).numpy(), np.tril(m, k))
        np.testing.assert_array_equal(ember.triu(_t(a), k).numpy(), np.triu(a, k))
        np.testing.assert_array_equal(ember.diag(_t(m), k).numpy(), np.diag(m, k))
        np.testing.assert_array_equal(ember.diag(_t(m[0]), k).numpy(), np.diag(m[0], k))
    e = ember.diag_embed(_t(m), 1)
    assert e.shape == (4, 6, 6)
    np.testing.assert_array_equal(ember.diagonal(e, 1, -2, -1).numpy(), m)
    assert ember.diag_embed(_t(m), -1, 0, 2).shape == (6, 4, 6)
    np.testing.assert_array_equal(ember.diagflat(_t([[1.0, 2.0]])).numpy(), np.diagflat([1, 2]))
    np.testing.assert_array_equal(ember.trace(_t(m)).item(), np.trace(m))
    with pytest.raises(RuntimeError, match="tril: input tensor must have at least 2 dimensions"):
        ember.tril(ember.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="diagonal dimensions cannot be identical"):
        ember.diagonal(x, 0, 1, 1)


def test_diagonal_is_a_writable_view_with_autograd():
    x = ember.zeros(3, 3)
    x.diagonal().fill_(2.0)
    assert x.tolist() == [[2.0, 0, 0], [0, 2.0, 0], [0, 0, 2.0]]
    x.T.diagonal(1).add_(1.0)  # a view of a transposed view
    assert x[1, 0].item() == 1.0 and x[2, 1].item() == 1.0
    leaf = _g((3, 3))
    y = leaf * 1
    y.diagonal().mul_(3.0)
    y.sum().backward()
    np.testing.assert_array_equal(leaf.grad.numpy(), np.eye(3) * 2 + 1)
    assert ember.diagonal(leaf).grad_fn.name() == "DiagonalBackward0"


def test_stacking_and_splitting_against_numpy():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    ea, eb = _t(a), _t(b)
    for fn, ref in [(ember.hstack, np.hstack), (ember.vstack, np.vstack),
                    (ember.dstack, np.dstack), (ember.column_stack, np.column_stack),
                    (ember.row_stack, np.vstack)]:
        np.testing.assert_array_equal(fn([ea, eb]).numpy(), ref([a, b]))
    v = np.arange(7.0)
    np.testing.assert_array_equal(ember.hstack([_t(v), _t(v)]).numpy(), np.hstack([v, v]))
    for spec in (3, [1, 4], [2, 2, 9]):
        got = [p.numpy() for p in ember.tensor_split(_t(v), spec)]
        want = np.array_split(v, spec) if isinstance(spec, int) else np.split(v, spec)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)
    m = np.arange(24.0).reshape(2, 3, 4)
    for fn, ref, spec in [(ember.hsplit, np.hsplit, 3), (ember.vsplit, np.vsplit, 2),
                          (ember.dsplit, np.dsplit, [1, 3])]:
        for g, w in zip(fn(_t(m), spec), ref(m, spec)):
            np.testing.assert_array_equal(g.numpy(), w)
    with pytest.raises(RuntimeError, match="number of sections must be larger than 0"):
        ember.tensor_split(_t(v), 0)
    with pytest.raises(RuntimeError, match="torch.vsplit requires a tensor with at least 2"):
        ember.vsplit(_t(v), 7)
    parts = ember.tensor_split(ea, 2, 1)
    parts[0][0, 0] = 99.0  # views
    assert ea[0, 0].item() == 99.0


def test_grids_rotations_rolls_repeats_against_numpy():
    x, y = _t([1.0, 2.0]), _t([3.0, 4.0, 5.0])
    for indexing in ("ij", "xy"):
        for g, w in zip(ember.meshgrid(x, y, indexing=indexing),
                        np.meshgrid(x.numpy(), y.numpy(), indexing=indexing)):
            np.testing.assert_array_equal(g.numpy(), w)
    with pytest.warns(UserWarning, match="indexing argument"):
        ember.meshgrid(x, y)
    m = np.arange(12.0).reshape(3, 4)
    for k in (-1, 0, 1, 2, 3, 5):
        np.testing.assert_array_equal(ember.rot90(_t(m), k).numpy(), np.rot90(m, k))
    np.testing.assert_array_equal(ember.rot90(_t(m), 1, [1, 0]).numpy(), np.rot90(m, 1, (1, 0)))
    for shifts, dims in [(1, 0), ((1, -2), (0, 1)), (5, None), (-3, 1)]:
        np.testing.assert_array_equal(ember.roll(_t(m), shifts, dims).numpy(),
                                      np.roll(m, shifts, dims))
    np.testing.assert_array_equal(ember.repeat_interleave(_t(m), 2, 1).numpy(),
                                  np.repeat(m, 2, 1))
    reps = ember.tensor([1, 0, 2])
    np.testing.assert_array_equal(ember.repeat_interleave(_t(m), reps, 0).numpy(),
                                  np.repeat(m, [1, 0, 2], 0))
    assert ember.repeat_interleave(ember.tensor([2, 1])).tolist() == [0, 0, 1]
    np.testing.assert_array_equal(ember.cartesian_prod(x, y).numpy(),
                                  np.array([[a, b] for a in [1, 2] for b in [3, 4, 5]]))
    assert ember.combinations(ember.tensor([1, 2, 3])).tolist() == [[1, 2], [1, 3], [2, 3]]
    assert ember.block_diag(_t([[1.0, 2.0]]), ember.tensor(3.0, dtype=ember.float64)).tolist() \
        == [[1.0, 2.0, 0.0], [0.0, 0.0, 3.0]]
    np.testing.assert_array_equal(ember.diff(_t(m), 2, 1).numpy(), np.diff(m, 2, 1))
    np.testing.assert_array_equal(ember.diff(_t(m), 1, 0, prepend=_t(m[:1])).numpy(),
                                  np.diff(m, 1, 0, prepend=m[:1]))
    assert ember.atleast_3d(ember.tensor(1.0)).shape == (1, 1, 1)
    assert [t.shape for t in ember.atleast_2d(ember.tensor(1.0), ember.tensor([1, 2]))] == \
        [(1, 1), (1, 2)]
    assert [t.shape for t in ember.broadcast_tensors(_t([[1.0]]), _t([1.0, 2.0]))] == \
        [(1, 2), (1, 2)]


@pytest.mark.parametrize("fn", [
    lambda x: ember.diagonal(x, 1), lambda x: ember.diag_embed(x), lambda x: ember.tril(x, 1),
    lambda x: ember.triu(x), lambda x: ember.diag(x[0]), lambda x: ember.trace(x),
    lambda x: ember.rot90(x, 1), lambda x: ember.roll(x, (1, 2), (0, 1)),
    lambda x: ember.repeat_interleave(x, ember.tensor([2, 0, 1]), 0),
    lambda x: ember.hstack([x, x * 2]), lambda x: ember.tensor_split(x, [1, 3], 1)[1],
    lambda x: ember.block_diag(x, x[:1]), lambda x: ember.cartesian_prod(x[0], x[1]),
    lambda x: ember.combinations(x[0], 2), lambda x: ember.diff(x, 1, 1),
    lambda x: ember.kron(x, x[:2, :2]),
], ids=["diagonal", "diag_embed", "tril", "triu", "diag", "trace", "rot90", "roll",
        "repeat_interleave", "hstack", "tensor_split", "block_diag", "cartesian_prod",
        "combinations", "diff", "kron"])
def test_shape_gradcheck(fn):
    assert gradcheck(fn, (_g((3, 4)),))


def test_diagonal_gradgradcheck():
    assert gradgradcheck(lambda x: ember.diagonal(x, -1).exp(), (_g((3, 3)),))
    assert gradgradcheck(lambda x: ember.diag_embed(x).exp(), (_g((2, 2)),))


def test_warnings_are_pytorchs():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ember.cross(_t([[1.0, 0, 0]]), _t([[0.0, 1, 0]]))
    assert any("Using torch.cross without specifying the dim arg is deprecated" in str(w.message)
               for w in caught)

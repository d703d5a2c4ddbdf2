"""scatter_reduce and the index_* ops against NumPy references, gradients and errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck

_NP_REDUCE = {"sum": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


def _t(a, dtype=ember.float64, grad=False):
    t = ember.tensor(np.asarray(a), dtype=dtype)
    return t.requires_grad_() if grad else t


def _scatter_reduce_ref(x, dim, index, src, reduce, include_self):
    out = x.astype(np.float64).copy()
    src = src.astype(np.float64)
    grid = list(np.indices(index.shape, sparse=True))
    grid[dim] = index
    key = tuple(grid)
    values = src[tuple(slice(0, n) for n in index.shape)]
    if not include_self:
        ident = {"sum": 0, "mean": 0, "prod": 1, "amax": -np.inf, "amin": np.inf}[reduce]
        out[key] = ident
    if reduce == "mean":
        np.add.at(out, key, values)
        count = np.full(x.shape, 1.0 if include_self else 0.0)
        np.add.at(count, key, 1.0)
        out = out / np.maximum(count, 1)
    else:
        _NP_REDUCE[reduce].at(out, key, values)
    return out


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("dtype", [ember.float64, ember.float32, ember.int64, ember.int16])
def test_scatter_reduce_matches_numpy(reduce, include_self, dtype):
    rng = np.random.default_rng(0)
    x = rng.integers(-3, 4, (4, 5)).astype(dtype.numpy)
    for dim in (0, 1):
        shape = (3, 5) if dim == 0 else (4, 3)
        index = rng.integers(0, x.shape[dim], shape)
        src = rng.integers(-3, 4, (4, 5)).astype(dtype.numpy)
        got = ember.tensor(x).scatter_reduce(dim, ember.tensor(index), ember.tensor(src), reduce,
                                             include_self=include_self)
        want = _scatter_reduce_ref(x, dim, index, src, reduce, include_self)
        if reduce == "mean" and dtype._kind == 1:
            want = np.floor(want)
        assert got.dtype is dtype
        np.testing.assert_allclose(got.numpy().astype(np.float64), want, rtol=1e-6)


def test_scatter_reduce_errors_and_inplace():
    x = ember.zeros(3, 2)
    with pytest.raises(RuntimeError, match="reduce argument must be either sum, prod, mean, amax "
                                           "or amin, got bad"):
        x.scatter_reduce(0, ember.tensor([[0, 1]]), ember.ones(1, 2), "bad")
    with pytest.raises(RuntimeError, match="Expected dtype int64 for index"):
        x.scatter_reduce(0, ember.tensor([[0.0, 1.0]]), ember.ones(1, 2), "sum")
    with pytest.raises(RuntimeError, match="out of bounds"):
        x.scatter_reduce(0, ember.tensor([[0, 5]]), ember.ones(1, 2), "sum")
    y = ember.zeros(3)
    y.scatter_reduce_(0, ember.tensor([0, 0, 2]), ember.tensor([1.0, 2.0, 3.0]), "amax")
    assert y.tolist() == [2.0, 0.0, 3.0]


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_gradcheck(reduce, include_self):
    rng = np.random.default_rng(1)
    x = _t(rng.permutation(12).reshape(3, 4) * 0.3 + 0.5, grad=True)
    src = _t(rng.permutation(12).reshape(3, 4) * 0.21 + 0.4, grad=True)
    index = ember.tensor([[0, 1, 0, 2], [2, 2, 1, 0]])
    assert gradcheck(lambda a, b: a.scatter_reduce(0, index, b, reduce,
                                                   include_self=include_self), (x, src))


def test_scatter_reduce_gradgradcheck():
    x = _t([[0.5, 1.5, -0.7]], grad=True)
    src = _t([[0.3, -1.1, 2.0], [0.9, 0.2, -0.4]], grad=True)
    index = ember.tensor([[0, 0, 0], [0, 0, 0]])
    for reduce in ("sum", "mean", "prod"):
        assert gradgradcheck(lambda a, b, r=reduce: a.scatter_reduce(0, index, b, r), (x, src))


def test_index_ops_against_numpy():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((4, 5))
    x = _t(a)
    idx = ember.tensor([0, 0, 3])
    src = rng.standard_normal((4, 3))
    want = a.copy()
    np.add.at(want, (slice(None), [0, 0, 3]), 2 * src)
    np.testing.assert_allclose(x.index_add(1, idx, _t(src), alpha=2).numpy(), want)
    want = a.copy()
    want[[3, 1]] = a[[0, 2]] * 10
    np.testing.assert_allclose(x.index_copy(0, ember.tensor([3, 1]), x[[0, 2]] * 10).numpy(),
                               want)
    want = a.copy()
    want[:, [1, 3]] = -1.5
    np.testing.assert_array_equal(x.index_fill(1, ember.tensor([1, 3]), -1.5).numpy(), want)
    want = a.copy()
    np.add.at(want, ([0, 0, 2], [1, 1, 3]), [1.0, 2.0, 3.0])
    got = x.index_put((ember.tensor([0, 0, 2]), ember.tensor([1, 1, 3])),
                      _t([1.0, 2.0, 3.0]), accumulate=True)
    np.testing.assert_allclose(got.numpy(), want)
    mask = a > 0
    source = np.arange(20.0)
    want = a.copy()
    want[mask] = source[:mask.sum()]
    np.testing.assert_array_equal(x.masked_scatter(ember.tensor(mask), _t(source)).numpy(), want)
    np.testing.assert_array_equal(ember.take(x, ember.tensor([[0, 19], [5, -1]])).numpy(),
                                  np.take(a, [[0, 19], [5, -1]]))
    np.testing.assert_array_equal(ember.argwhere(ember.tensor(mask)).numpy(), np.argwhere(mask))
    want = a.copy().reshape(-1)
    np.add.at(want, [1, 1, 7], [9.0, 8.0, 7.0])
    np.testing.assert_allclose(x.put(ember.tensor([1, 1, 7]), _t([9.0, 8.0, 7.0]), True)
                               .numpy(), want.reshape(a.shape))
    want = a.copy()
    want[2] = 7.0
    np.testing.assert_array_equal(ember.select_scatter(x, ember.full((5,), 7.0,
                                                                     dtype=ember.float64), 0, 2)
                                  .numpy(), want)
    want = a.copy()
    want[:, 1:5:2] = 0
    np.testing.assert_array_equal(ember.slice_scatter(x, x[:, :2] * 0, 1, 1, 5, 2).numpy(), want)
    want = a.copy()
    want[np.arange(1, 4), np.arange(0, 3)] = [1.0, 2.0, 3.0]
    np.testing.assert_array_equal(ember.diagonal_scatter(x, _t([1.0, 2.0, 3.0]), -1).numpy(),
                                  want)
    np.testing.assert_array_equal(ember.tril_indices(4, 3, 1).numpy(), np.tril_indices(4, 1, 3))
    np.testing.assert_array_equal(ember.triu_indices(3, 5, -1).numpy(), np.triu_indices(3, -1, 5))
    y = x.clone()
    y.index_fill_(0, ember.tensor([0]), 0.0)
    assert y[0].tolist() == [0.0] * 5


def test_index_ops_errors():
    x = ember.zeros(3, 2)
    with pytest.raises(RuntimeError, match=r"index_add_\(\): Number of indices \(2\) should be "
                                           r"equal to source.size\(dim\): \(3\), for dim: 0"):
        x.index_add(0, ember.tensor([0, 0]), ember.ones(3, 2))
    with pytest.raises(RuntimeError, match=r"index_add_\(\): Expected dtype int32/int64 for "
                                           "index but got: Float"):
        x.index_add(0, ember.tensor([0.0, 0.0]), ember.ones(2, 2))
    with pytest.raises(RuntimeError, match="index_fill_ only supports a 0-dimensional value "
                                           "tensor"):
        x.index_fill(1, ember.tensor([1]), ember.tensor([5.0]))
    with pytest.raises(RuntimeError, match="masked_scatter_ only supports boolean masks"):
        x.masked_scatter(ember.tensor([[1, 0], [0, 1], [1, 1]]), ember.ones(6))
    with pytest.raises(RuntimeError, match="Number of elements of source < number of ones in "
                                           "mask"):
        x.masked_scatter(ember.ones(3, 2, dtype=ember.bool), ember.ones(5))
    with pytest.raises(IndexError, match="out of range: tried to access index 6 on a tensor of "
                                         "6 elements"):
        ember.take(x, ember.tensor([6]))


@pytest.mark.parametrize("fn", [
    lambda x, s: x.index_add(1, ember.tensor([0, 0, 2]), s, alpha=3),
    lambda x, s: x.index_copy(1, ember.tensor([3, 1, 0]), s),
    lambda x, s: x.index_fill(0, ember.tensor([1]), -2.0) * s.sum(),
    lambda x, s: x.index_put((ember.tensor([0, 0]), ember.tensor([1, 1])), s[0, :2],
                             accumulate=True),
    lambda x, s: x.masked_scatter(x > 0, s),
    lambda x, s: ember.take(x, ember.tensor([[0, 11], [5, 5]])) * s[0, 0],
    lambda x, s: x.put(ember.tensor([1, 1, 7]), s[0], accumulate=True),
    lambda x, s: ember.select_scatter(x, s[:, 0], 1, 2),
    lambda x, s: ember.slice_scatter(x, s[:, :2], 1, 0, 4, 2),
    lambda x, s: ember.diagonal_scatter(x, s[:, 0], 0),
    lambda x, s: x.index_reduce(1, ember.tensor([0, 0, 2]), s, "prod"),
], ids=["index_add", "index_copy", "index_fill", "index_put", "masked_scatter", "take", "put",
        "select_scatter", "slice_scatter", "diagonal_scatter", "index_reduce"])
def test_index_ops_gradcheck(fn):
    rng = np.random.default_rng(3)
    x = _t(rng.uniform(-2, 2, (3, 4)), grad=True)
    s = _t(rng.uniform(0.5, 2, (3, 3)), grad=True)
    assert gradcheck(fn, (x, s))

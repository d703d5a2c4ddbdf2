"""Sorting and order statistics against NumPy, gradients, and PyTorch's error messages."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck

NAN = math.nan


def _t(a, dtype=ember.float64, grad=False):
    t = ember.tensor(np.asarray(a), dtype=dtype)
    return t.requires_grad_() if grad else t


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64, ember.int64, ember.int8,
                                   ember.uint8, ember.bool, ember.float16, ember.bfloat16])
def test_sort_is_stable_and_matches_numpy(dtype):
    rng = np.random.default_rng(0)
    a = rng.integers(0, 5, (4, 9)).astype(np.float64)
    x = _t(a, dtype)
    for dim in (0, 1, -1):
        for descending in (False, True):
            values, indices = ember.sort(x, dim, descending)
            ref = x.numpy().astype(np.float64)
            order = np.argsort(-ref if descending else ref, axis=dim, kind="stable")
            np.testing.assert_array_equal(indices.numpy(), order)
            np.testing.assert_array_equal(values.numpy().astype(np.float64),
                                          np.take_along_axis(ref, order, dim))
            assert values.dtype is dtype and indices.dtype is ember.int64
    np.testing.assert_array_equal(ember.argsort(x, 0).numpy(),
                                  np.argsort(x.numpy().astype(np.float64), 0, kind="stable"))
    np.testing.assert_array_equal(ember.msort(x).numpy(), ember.sort(x, 0).values.numpy())


def test_sort_nan_order_and_zero_dim():
    x = _t([1.0, NAN, -math.inf, 0.0, NAN, math.inf])
    assert ember.sort(x).indices.tolist() == [2, 3, 0, 5, 1, 4]
    assert ember.sort(x, descending=True).indices.tolist() == [1, 4, 5, 0, 3, 2]
    v, i = ember.sort(ember.tensor(3.0))
    assert v.item() == 3.0 and i.item() == 0 and i.shape == ()
    with pytest.raises(IndexError, match="Dimension out of range"):
        ember.sort(ember.tensor([3, 1]), dim=1)


def test_sort_out_and_methods():
    x = _t([[3.0, 1.0, 2.0]])
    values, indices = ember.empty(0, dtype=ember.float64), ember.empty(0, dtype=ember.int64)
    r = ember.sort(x, out=(values, indices))
    assert r.values is values and values.tolist() == [[1.0, 2.0, 3.0]]
    assert x.sort(descending=True).indices.tolist() == [[0, 2, 1]]
    assert x.argsort().tolist() == [[1, 2, 0]]


def test_topk_and_kthvalue():
    rng = np.random.default_rng(1)
    a = rng.permutation(20).reshape(4, 5).astype(np.float64)
    x = _t(a)
    v, i = ember.topk(x, 3, 1)
    np.testing.assert_array_equal(v.numpy(), -np.sort(-a, 1)[:, :3])
    np.testing.assert_array_equal(np.take_along_axis(a, i.numpy(), 1), v.numpy())
    v, i = x.topk(2, 0, largest=False)
    np.testing.assert_array_equal(v.numpy(), np.sort(a, 0)[:2])
    v, i = ember.kthvalue(x, 2, 1, keepdim=True)
    np.testing.assert_array_equal(v.numpy(), np.sort(a, 1)[:, 1:2])
    np.testing.assert_array_equal(np.take_along_axis(a, i.numpy(), 1), v.numpy())
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        ember.topk(x, 6)
    with pytest.raises(RuntimeError, match=r"kthvalue\(\): selected number k out of range for "
                                           "dimension 1"):
        ember.kthvalue(x, 0)


def test_median_mode_quantile_against_numpy():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((5, 6))
    x = _t(a)
    n = a.shape[1]
    np.testing.assert_array_equal(ember.median(x, 1).values.numpy(),
                                  np.sort(a, 1)[:, (n - 1) // 2])
    assert ember.median(x).item() == np.sort(a.reshape(-1))[(a.size - 1) // 2]
    q = np.array([0.0, 0.1, 0.5, 0.77, 1.0])
    for method in ("linear", "lower", "higher", "midpoint", "nearest"):
        got = ember.quantile(x, _t(q), 1, interpolation=method).numpy()
        np.testing.assert_allclose(got, np.quantile(a, q, axis=1, method=method), rtol=1e-12,
                                   err_msg=method)
    b = a.copy()
    b[0, 1] = b[2, :] = NAN
    got = ember.nanquantile(_t(b), 0.3, 1).numpy()
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        np.testing.assert_allclose(got, np.nanquantile(b, 0.3, axis=1), rtol=1e-12)
    ints = ember.tensor([[1, 2, 2, 3, 3, 1, 0], [5, 5, 4, 4, 4, 9, 9]])
    values, indices = ember.mode(ints, 1)
    assert values.tolist() == [1, 4] and indices.tolist() == [5, 4]


def test_order_statistics_errors():
    with pytest.raises(RuntimeError, match=r"quantile\(\) input tensor must be either float or "
                                           "double dtype"):
        ember.quantile(ember.tensor([1, 2, 3]), 0.5)
    with pytest.raises(RuntimeError, match=r"quantile\(\) q must be in the range \[0, 1\] but "
                                           "got 1.5"):
        ember.quantile(ember.tensor([1.0, 2.0]), 1.5)
    with pytest.raises(RuntimeError, match="q tensor must be same dtype"):
        ember.quantile(ember.tensor([1.0, 2.0]), ember.tensor([0.5], dtype=ember.float64))
    with pytest.raises(RuntimeError, match="scalar or 1D tensor"):
        ember.quantile(ember.tensor([1.0, 2.0]), ember.tensor([[0.5]]))
    with pytest.raises(RuntimeError, match="must be non-empty"):
        ember.quantile(ember.tensor([]), 0.5)
    with pytest.raises(RuntimeError, match="interpolation must be one of"):
        ember.quantile(ember.tensor([1.0]), 0.5, interpolation="bad")
    with pytest.raises(IndexError, match=r"median\(\): Expected reduction dim 1 to have "
                                         "non-zero size"):
        ember.median(ember.zeros(1, 0), 1)
    with pytest.raises(IndexError, match="mode"):
        ember.mode(ember.tensor([]))
    assert math.isnan(ember.median(ember.tensor([])).item())


def test_unique_against_numpy():
    rng = np.random.default_rng(3)
    a = rng.integers(0, 6, (4, 5))
    x = ember.tensor(a)
    values, inverse, counts = ember.unique(x, return_inverse=True, return_counts=True)
    rv, ri, rc = np.unique(a, return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(values.numpy(), rv)
    np.testing.assert_array_equal(inverse.numpy(), ri.reshape(a.shape))
    np.testing.assert_array_equal(counts.numpy(), rc)
    rows = a[[0, 1, 0, 2, 1]]
    values, inverse, counts = ember.tensor(rows).unique(dim=0, return_inverse=True,
                                                        return_counts=True)
    rv, ri, rc = np.unique(rows, axis=0, return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(values.numpy(), rv)
    np.testing.assert_array_equal(inverse.numpy(), ri.reshape(-1))
    np.testing.assert_array_equal(counts.numpy(), rc)
    out, counts = ember.unique_consecutive(ember.tensor([1, 1, 2, 2, 3, 1, 1, 2]),
                                           return_counts=True)
    assert out.tolist() == [1, 2, 3, 1, 2] and counts.tolist() == [2, 2, 1, 2, 1]
    assert ember.unique(ember.tensor([], dtype=ember.int64)).shape == (0,)


def test_searching_and_counting():
    seq = _t([[1.0, 2.0, 2.0, 3.0], [0.0, 0.5, 1.0, 1.5]])
    vals = _t([[2.0, 0.0, 9.0], [1.0, 1.2, -1.0]])
    for right in (False, True):
        got = ember.searchsorted(seq, vals, right=right).numpy()
        ref = np.stack([np.searchsorted(seq.numpy()[i], vals.numpy()[i],
                                        side="right" if right else "left") for i in range(2)])
        np.testing.assert_array_equal(got, ref)
    b = ember.tensor([1, 3, 5, 7])
    assert ember.bucketize(ember.tensor([[1, 5], [3, 9]]), b, right=True).tolist() == \
        [[1, 3], [2, 4]]
    assert ember.searchsorted(b, 4, out_int32=True).dtype is ember.int32
    assert ember.searchsorted(b, ember.tensor([4]), side="right").tolist() == [2]
    sorter = ember.tensor([1, 3, 2, 0])
    assert ember.searchsorted(ember.tensor([7, 1, 5, 3]), ember.tensor([4]), sorter=sorter) \
        .tolist() == [2]
    with pytest.raises(RuntimeError, match="boundaries tensor should be 1 dimension"):
        ember.searchsorted(ember.tensor([[1, 2, 3]]), ember.tensor([2]))
    with pytest.raises(RuntimeError, match="side and right can't be set to opposites"):
        ember.searchsorted(b, ember.tensor([2]), right=True, side="left")
    counts = ember.tensor([0, 2, 2, 5])
    np.testing.assert_array_equal(ember.bincount(counts).numpy(), np.bincount([0, 2, 2, 5]))
    w = ember.tensor([0.5, 1.0, 2.0, 0.25])
    assert ember.bincount(counts, w, minlength=8).tolist() == [0.5, 0, 3.0, 0, 0, 0.25, 0, 0]
    assert ember.bincount(counts, counts).dtype is ember.float64
    with pytest.raises(RuntimeError, match="bincount only supports 1-d non-negative integral"):
        ember.bincount(ember.tensor([0, -1]))
    with pytest.raises(NotImplementedError, match="bincount_cpu"):
        ember.bincount(ember.tensor([0.0]))
    h = _t(np.random.default_rng(4).standard_normal(200))
    np.testing.assert_array_equal(ember.histc(h, 10, -2, 2).numpy(),
                                  np.histogram(h.numpy(), 10, (-2, 2))[0])
    with pytest.raises(RuntimeError, match="max must be larger than min"):
        ember.histc(h, 4, 3, 0)
    assert ember.isin(ember.tensor([1, 2, 3]), ember.tensor([2, 5])).tolist() == \
        [False, True, False]
    assert ember.isin(ember.tensor([1.0, NAN]), ember.tensor([NAN, 1.0])).tolist() == \
        [True, False]


# -- gradients -------------------------------------------------------------------------------
def _distinct(shape, seed=5):
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    return _t((rng.permutation(n).reshape(shape) - n / 2) * 0.37, grad=True)


@pytest.mark.parametrize("fn", [
    lambda x: ember.sort(x, 1).values, lambda x: ember.sort(x, 0, descending=True).values,
    lambda x: ember.topk(x, 2, 1).values, lambda x: ember.kthvalue(x, 2, 0).values,
    lambda x: ember.median(x, 1, keepdim=True).values, lambda x: ember.median(x),
    lambda x: ember.nanmedian(x, 0).values, lambda x: ember.mode(x, 1).values,
    lambda x: ember.quantile(x, 0.3, 1), lambda x: ember.nanquantile(x, 0.6),
    lambda x: ember.quantile(x, ember.tensor([0.2, 0.9], dtype=ember.float64), 0,
                             interpolation="midpoint"),
    lambda x: ember.msort(x),
], ids=["sort", "sort_desc", "topk", "kthvalue", "median_dim", "median", "nanmedian", "mode",
        "quantile", "nanquantile", "quantile_midpoint", "msort"])
def test_gradcheck(fn):
    assert gradcheck(fn, (_distinct((3, 4)),))


def test_gradgradcheck_sort_and_quantile():
    x = _distinct((2, 3))
    assert gradgradcheck(lambda t: ember.sort(t, 1).values, (x,))
    assert gradgradcheck(lambda t: ember.quantile(t, 0.4, 1), (x,))


def test_node_names_and_integer_outputs():
    x = _distinct((2, 3))
    assert ember.sort(x).values.grad_fn.name() == "SortBackward0"
    assert ember.topk(x, 1).values.grad_fn.name() == "TopkBackward0"
    assert not ember.sort(x).indices.requires_grad

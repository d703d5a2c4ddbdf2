"""Property tests (hypothesis) against NumPy: broadcasting, indexing, reductions, sorting."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
FLOATS = st.floats(-100, 100, allow_nan=False, allow_infinity=False, width=64)


def _arrays(shape, elements=FLOATS, dtype=np.float64):
    return hnp.arrays(dtype, shape, elements=elements)


# -- broadcasting ------------------------------------------------------------------------------
_BINARY = {
    "add": (ember.add, np.add), "mul": (ember.mul, np.multiply), "fmax": (ember.fmax, np.fmax),
    "hypot": (ember.hypot, np.hypot), "atan2": (ember.atan2, np.arctan2),
    "logaddexp": (ember.logaddexp, np.logaddexp), "copysign": (ember.copysign, np.copysign),
    "maximum": (ember.maximum, np.maximum), "xlogy": (ember.xlogy, None),
}


@SETTINGS
@given(data=st.data(), name=st.sampled_from(sorted(_BINARY)))
def test_broadcasting_binary_ops(data, name):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=3))
    a = data.draw(_arrays(shapes.input_shapes[0]))
    b = data.draw(_arrays(shapes.input_shapes[1]))
    fn, ref = _BINARY[name]
    ta = ember.tensor(a, dtype=ember.float64, requires_grad=True)
    tb = ember.tensor(b, dtype=ember.float64, requires_grad=True)
    out = fn(ta, tb)
    assert tuple(out.shape) == shapes.result_shape
    if ref is not None:
        np.testing.assert_allclose(out.detach().numpy(), ref(a, b), rtol=1e-12, atol=1e-300)
    out.sum().backward()
    assert ta.grad.shape == ta.shape and tb.grad.shape == tb.shape
    if name in ("add", "mul"):  # the gradient of a broadcast operand is summed back
        other = np.ones_like(b) if name == "add" else b
        want = _reduced(np.broadcast_to(other, shapes.result_shape), a.shape)
        np.testing.assert_allclose(ta.grad.numpy(), want, rtol=1e-12)


def _reduced(g, shape):
    lead = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(lead)))
    for i, n in enumerate(shape):
        if n == 1:
            g = g.sum(axis=i, keepdims=True)
    return g


# -- indexing ----------------------------------------------------------------------------------
@SETTINGS
@given(data=st.data())
def test_basic_indexing_views_and_setitem(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=5))
    a = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    idx = data.draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True))
    parts = idx if isinstance(idx, tuple) else (idx,)
    assume(all(not isinstance(p, slice) or p.step is None or p.step > 0 for p in parts))
    x = ember.tensor(a)
    got = x[idx]
    np.testing.assert_array_equal(got.numpy(), a[idx])
    if got.numel():
        got.fill_(-1.0)  # basic indexing gives views
        b = a.copy()
        b[idx] = -1.0
        np.testing.assert_array_equal(x.numpy(), b)


@SETTINGS
@given(data=st.data())
def test_advanced_indexing_gather_and_index_add(data):
    shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=5))
    a = data.draw(_arrays(shape))
    dim = data.draw(st.integers(0, len(shape) - 1))
    n = data.draw(st.integers(0, 6))
    index = np.array(data.draw(st.lists(st.integers(0, shape[dim] - 1), min_size=n,
                                        max_size=n)), dtype=np.int64)
    x = ember.tensor(a)
    key = (slice(None),) * dim + (index,)
    np.testing.assert_array_equal(x[(slice(None),) * dim + (ember.tensor(index),)].numpy(),
                                  a[key])
    np.testing.assert_array_equal(ember.index_select(x, dim, ember.tensor(index)).numpy(),
                                  np.take(a, index, dim))
    src = np.ones(a[key].shape)
    want = a.copy()
    np.add.at(want, key, src)
    np.testing.assert_allclose(x.index_add(dim, ember.tensor(index), ember.tensor(src)).numpy(),
                               want)
    gidx = data.draw(hnp.arrays(np.int64, shape, elements=st.integers(0, shape[dim] - 1)))
    np.testing.assert_array_equal(x.gather(dim, ember.tensor(gidx)).numpy(),
                                  np.take_along_axis(a, gidx, dim))
    flat = data.draw(hnp.arrays(np.int64, (3,), elements=st.integers(-a.size, a.size - 1)))
    np.testing.assert_array_equal(ember.take(x, ember.tensor(flat)).numpy(), np.take(a, flat))


# -- reductions --------------------------------------------------------------------------------
_REDUCTIONS = {
    "sum": (lambda x, d: x.sum(d), np.sum), "mean": (lambda x, d: x.mean(d), np.mean),
    "amax": (lambda x, d: x.amax(d), np.amax), "prod": (lambda x, d: x.prod(d), np.prod),
    "nansum": (lambda x, d: x.nansum(d), np.nansum),
    "nanmean": (lambda x, d: x.nanmean(d), np.nanmean),
    "logsumexp": (lambda x, d: x.logsumexp(d), lambda a, axis: np.log(np.exp(a).sum(axis))),
    "var": (lambda x, d: x.var(d), lambda a, axis: a.var(axis, ddof=1)),
    "aminmax": (lambda x, d: ember.aminmax(x, dim=d[0]).min, lambda a, axis: a.min(axis)),
    "median": (lambda x, d: x.median(d[0]).values,
               lambda a, axis: np.sort(a, axis[0]).take((a.shape[axis[0]] - 1) // 2, axis[0])),
}


@SETTINGS
@given(data=st.data(), name=st.sampled_from(sorted(_REDUCTIONS)))
def test_reductions(data, name):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
    a = data.draw(_arrays(shape, st.floats(-3, 3, width=64)))
    if name.startswith("nan"):
        mask = data.draw(hnp.arrays(np.bool_, shape))
        a = np.where(mask, np.nan, a)
    axes = tuple(sorted(data.draw(st.sets(st.integers(0, len(shape) - 1), min_size=1,
                                          max_size=1 if name in ("aminmax", "median")
                                          else len(shape)))))
    fn, ref = _REDUCTIONS[name]
    with np.errstate(all="ignore"), _quiet():
        want = ref(a, axis=axes)
    got = fn(ember.tensor(a), axes)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-12, equal_nan=True)


class _quiet:
    def __enter__(self):
        import warnings

        self.ctx = warnings.catch_warnings()
        self.ctx.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc):
        self.ctx.__exit__(*exc)


@SETTINGS
@given(data=st.data())
def test_scans(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5))
    a = data.draw(_arrays(shape, st.floats(-5, 5, width=64)))
    dim = data.draw(st.integers(0, len(shape) - 1))
    x = ember.tensor(a)
    np.testing.assert_allclose(x.cumsum(dim).numpy(), np.cumsum(a, dim), rtol=1e-12,
                               atol=1e-12)
    values, indices = x.cummax(dim)
    np.testing.assert_array_equal(values.numpy(), np.maximum.accumulate(a, dim))
    np.testing.assert_array_equal(np.take_along_axis(a, indices.numpy(), dim), values.numpy())
    np.testing.assert_allclose(x.logcumsumexp(dim).numpy(), np.logaddexp.accumulate(a, dim),
                               rtol=1e-12)


# -- sorting -----------------------------------------------------------------------------------
@SETTINGS
@given(data=st.data())
def test_sorting(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6))
    a = data.draw(_arrays(shape, st.integers(-4, 4).map(float)))  # many ties
    dim = data.draw(st.integers(0, len(shape) - 1))
    descending = data.draw(st.booleans())
    x = ember.tensor(a)
    values, indices = x.sort(dim, descending)
    order = np.argsort(-a if descending else a, axis=dim, kind="stable")
    np.testing.assert_array_equal(indices.numpy(), order)
    np.testing.assert_array_equal(values.numpy(), np.take_along_axis(a, order, dim))
    k = data.draw(st.integers(0, shape[dim]))
    top = x.topk(k, dim).values
    np.testing.assert_array_equal(top.numpy(), np.take(-np.sort(-a, dim), range(k), dim))
    u, inv, counts = ember.unique(x, return_inverse=True, return_counts=True)
    ru, rinv, rcounts = np.unique(a, return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(u.numpy(), ru)
    np.testing.assert_array_equal(inv.numpy(), rinv.reshape(a.shape))
    np.testing.assert_array_equal(counts.numpy(), rcounts)
    q = data.draw(st.floats(0, 1))
    np.testing.assert_allclose(ember.quantile(x, q, dim).numpy(), np.quantile(a, q, axis=dim),
                               rtol=1e-12, atol=1e-12)
    kth = data.draw(st.integers(1, shape[dim]))
    np.testing.assert_array_equal(x.kthvalue(kth, dim).values.numpy(),
                                  np.take(np.sort(a, dim), kth - 1, dim))


@SETTINGS
@given(seq=hnp.arrays(np.float64, st.integers(0, 12), elements=st.integers(-5, 5).map(float)),
       values=hnp.arrays(np.float64, st.integers(0, 6), elements=st.floats(-6, 6, width=64)),
       right=st.booleans())
def test_searchsorted(seq, values, right):
    seq = np.sort(seq)
    got = ember.searchsorted(ember.tensor(seq), ember.tensor(values), right=right)
    np.testing.assert_array_equal(got.numpy(), np.searchsorted(seq, values,
                                                               "right" if right else "left"))

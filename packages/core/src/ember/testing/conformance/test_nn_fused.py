"""The fused nn kernels through ``ember.nn.functional``: layer_norm, rms_norm, cross_entropy,
gelu and dropout, values against NumPy and gradients with ``gradcheck``."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.testing import assert_close

from ._harness import rng_for
from .coverage import covers
from .kernel_specs_nn import cross_entropy_ref, gelu_ref, layer_norm_ref, rms_norm_ref

FLOAT = [ember.float32, ember.float64]


def _f():
    import ember.nn.functional as F

    return F


def _t(a, dtype, device, grad=False):
    return ember.tensor(a, dtype=dtype, device=device, requires_grad=grad)


def _tol(dtype):
    return (1e-5, 1e-5) if dtype is ember.float32 else (1e-10, 1e-10)


@covers("layer_norm", "layer_norm_backward")
@pytest.mark.parametrize("dtype", FLOAT, ids=str)
@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm(device, dtype, affine):
    rng = rng_for("layer_norm", dtype.name, affine)
    x = rng.uniform(-2, 2, (3, 4, 5))
    for shape in [(5,), (4, 5)]:
        w, b = (rng.uniform(-1, 1, shape), rng.uniform(-1, 1, shape)) if affine else (None, None)
        expected = layer_norm_ref(x, w, b, len(shape), 1e-5)[0]
        args = [None if a is None else _t(a, dtype, device) for a in (w, b)]
        out = _f().layer_norm(_t(x, dtype, device), shape, *args)
        assert_close(out, _t(expected, dtype, device), rtol=_tol(dtype)[0], atol=_tol(dtype)[1])
    xs = [_t(a, ember.float64, device, True) for a in (x, rng.uniform(-1, 1, 5),
                                                       rng.uniform(-1, 1, 5))]
    if affine:
        assert ember.autograd.gradcheck(lambda x, w, b: _f().layer_norm(x, (5,), w, b), xs)
    else:
        assert ember.autograd.gradcheck(lambda x: _f().layer_norm(x, (4, 5)), xs[:1])


@covers("rms_norm", "rms_norm_backward")
@pytest.mark.parametrize("dtype", FLOAT, ids=str)
def test_rms_norm(device, dtype):
    rng = rng_for("rms_norm", dtype.name)
    x, w = rng.uniform(-2, 2, (3, 4, 5)), rng.uniform(-1, 1, (4, 5))
    for weight, ndim in [(w, 2), (None, 1)]:
        expected = rms_norm_ref(x, weight, ndim, 1e-6)[0]
        out = _f().rms_norm(_t(x, dtype, device), x.shape[3 - ndim:],
                            None if weight is None else _t(weight, dtype, device), eps=1e-6)
        assert_close(out, _t(expected, dtype, device), rtol=_tol(dtype)[0], atol=_tol(dtype)[1])
    leaves = [_t(a, ember.float64, device, True) for a in (x, w)]
    assert ember.autograd.gradcheck(lambda x, w: _f().rms_norm(x, (4, 5), w), leaves)


@covers("cross_entropy", "cross_entropy_backward")
@pytest.mark.parametrize("dtype", FLOAT, ids=str)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy(device, dtype, reduction):
    rng = rng_for("cross_entropy", dtype.name, reduction)
    x = rng.uniform(-3, 3, (6, 7))
    target = rng.integers(0, 7, 6)
    target[2] = -100
    weight = rng.uniform(0.5, 2, 7)
    safe = np.where(target == -100, 0, target)
    w = np.where(target == -100, 0.0, weight[safe])
    losses = cross_entropy_ref(x, safe)[0] * w
    expected = {"none": losses, "sum": losses.sum(), "mean": losses.sum() / w.sum()}[reduction]
    t = ember.tensor(target, device=device)
    out = _f().cross_entropy(_t(x, dtype, device), t, _t(weight, dtype, device),
                             reduction=reduction)
    assert out.grad_fn is None and out.dtype is dtype
    assert_close(out, _t(expected, dtype, device), rtol=_tol(dtype)[0], atol=_tol(dtype)[1])
    leaf = _t(x, ember.float64, device, True)
    wt = _t(weight, ember.float64, device)
    assert ember.autograd.gradcheck(
        lambda v: _f().cross_entropy(v, t, wt, reduction=reduction), (leaf,))


@covers("gelu", "gelu_backward")
@pytest.mark.parametrize("dtype", FLOAT, ids=str)
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu(device, dtype, approximate):
    x = rng_for("gelu", dtype.name, approximate).uniform(-4, 4, (5, 6))
    out = _f().gelu(_t(x, dtype, device), approximate=approximate)
    assert_close(out, _t(gelu_ref(x, approximate), dtype, device), rtol=_tol(dtype)[0],
                 atol=_tol(dtype)[1])
    leaf = _t(x, ember.float64, device, True)
    assert ember.autograd.gradcheck(lambda v: _f().gelu(v, approximate=approximate), (leaf,))


@covers("dropout")
@pytest.mark.parametrize("dtype", FLOAT, ids=str)
def test_dropout(device, dtype):
    x = _t(rng_for("dropout", dtype.name).uniform(0.5, 2, (50, 40)), dtype, device, True)
    ember.manual_seed(11)
    out = _f().dropout(x, 0.4)
    ember.manual_seed(11)
    assert out.equal(_f().dropout(x, 0.4)), "the same seed gave a different mask"
    scaled = (x / 0.6).detach()
    kept = out.detach() != 0
    assert_close(out.detach()[kept], scaled[kept])
    assert abs(kept.float().mean().item() - 0.6) < 0.06
    out.backward(ember.ones_like(out))
    assert_close(x.grad, kept.to(dtype) / 0.6)

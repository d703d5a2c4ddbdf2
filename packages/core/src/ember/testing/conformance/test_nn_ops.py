"""The convolution and pooling kernels through ``ember.nn.functional``: values against the
NumPy references of ``kernel_specs`` and gradients with ``gradcheck``."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember.testing import assert_close

from ._harness import rng_for
from .coverage import covers
from .kernel_specs import _col2im_ref, _conv_ref, _im2col_ref, _max_pool_ref

_CONV = [  # (input shape, weight shape, stride, padding, dilation, groups)
    ((2, 3, 7), (4, 3, 3), (1,), (0,), (1,), 1),
    ((1, 4, 8), (2, 2, 2), (2,), (1,), (2,), 2),
    ((2, 2, 5, 6), (3, 2, 3, 2), (1, 2), (1, 0), (1, 1), 1),
    ((1, 2, 5, 5), (4, 1, 2, 2), (1, 1), (1, 1), (2, 2), 2),
    ((1, 1, 3, 3, 4), (2, 1, 2, 1, 2), (1, 1, 2), (0, 1, 1), (1, 1, 1), 1),
]


def _f():
    import ember.nn.functional as F

    return F


def _conv(x, w, b, stride, padding, dilation, groups):
    fn = {3: _f().conv1d, 4: _f().conv2d, 5: _f().conv3d}[x.ndim]
    return fn(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)


@covers("convolution", "im2col")
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64], ids=str)
@pytest.mark.parametrize("case", range(len(_CONV)))
def test_conv_values(device, dtype, case):
    xs, ws, stride, padding, dilation, groups = _CONV[case]
    rng = rng_for("conv", case)
    x, w = rng.uniform(-1, 1, xs), rng.uniform(-1, 1, ws)
    b = rng.uniform(-1, 1, ws[0])
    expected = _conv_ref(x, w, stride, padding, dilation, groups) + b.reshape(
        (1, -1) + (1,) * (len(xs) - 2))
    out = _conv(ember.tensor(x, dtype=dtype, device=device),
                ember.tensor(w, dtype=dtype, device=device),
                ember.tensor(b, dtype=dtype, device=device), stride, padding, dilation, groups)
    tol = (1e-5, 1e-5) if dtype is ember.float32 else (1e-10, 1e-10)
    assert_close(out, ember.tensor(expected, dtype=dtype, device=device), rtol=tol[0],
                 atol=tol[1])


@covers("convolution", "convolution_backward_input", "convolution_backward_weight", "im2col",
        "col2im")
@pytest.mark.parametrize("case", [0, 1, 2, 3])
def test_conv_gradcheck(device, case):
    xs, ws, stride, padding, dilation, groups = _CONV[case]
    xs = xs[:1] + xs[1:2] + tuple(min(n, 5) for n in xs[2:])
    rng = rng_for("conv-grad", case)

    def leaf(shape):
        return ember.tensor(rng.uniform(-1, 1, shape), dtype=ember.float64, device=device,
                            requires_grad=True)

    x, w, b = leaf(xs), leaf(ws), leaf(ws[:1])
    assert ember.autograd.gradcheck(
        lambda x, w, b: _conv(x, w, b, stride, padding, dilation, groups), (x, w, b))


_POOL = [((2, 3, 7), (3,), (2,), (1,), (1,)), ((1, 2, 6, 7), (2, 2), (2, 2), (0, 0), (1, 1)),
         ((1, 2, 5, 6), (3, 2), (1, 2), (1, 1), (1, 1)),
         ((1, 1, 7, 7), (2, 2), (2, 2), (1, 0), (2, 2))]


def _pool(x, kernel, stride, padding, dilation, ceil_mode, indices=False):
    fn = {3: _f().max_pool1d, 4: _f().max_pool2d}[x.ndim]
    return fn(x, kernel, stride, padding, dilation, ceil_mode=ceil_mode, return_indices=indices)


@covers("max_pool", "max_pool_backward")
@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("case", range(len(_POOL)))
def test_max_pool(device, case, ceil_mode):
    shape, kernel, stride, padding, dilation = _POOL[case]
    rng = rng_for("pool", case)
    x = rng.permutation(math.prod(shape)).reshape(shape).astype(np.float64) * 0.25
    values, indices = _max_pool_ref(x, kernel, stride, padding, dilation, ceil_mode)
    t = ember.tensor(x, dtype=ember.float32, device=device)
    out, idx = _pool(t, kernel, stride, padding, dilation, ceil_mode, indices=True)
    assert_close(out, ember.tensor(values, dtype=ember.float32, device=device))
    assert idx.dtype is ember.int64 and idx.tolist() == indices.tolist()
    leaf = ember.tensor(x, dtype=ember.float64, device=device, requires_grad=True)
    assert ember.autograd.gradcheck(
        lambda v: _pool(v, kernel, stride, padding, dilation, ceil_mode), (leaf,))


@covers("im2col", "col2im")
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64], ids=str)
def test_unfold_fold(device, dtype):
    rng = rng_for("unfold", dtype.name)
    x = rng.uniform(-1, 1, (2, 3, 5, 6))
    kernel, dilation, padding, stride = (2, 3), (1, 2), (1, 0), (2, 1)
    cols = _im2col_ref(x, kernel, stride, padding, dilation)  # (N, C, kh, kw, oh, ow)
    n, c = x.shape[:2]
    expected = cols.reshape(n, c * math.prod(kernel), -1)
    t = ember.tensor(x, dtype=dtype, device=device)
    out = _f().unfold(t, kernel, dilation=dilation, padding=padding, stride=stride)
    assert_close(out, ember.tensor(expected, dtype=dtype, device=device))
    folded = _f().fold(out, (5, 6), kernel, dilation=dilation, padding=padding, stride=stride)
    back = _col2im_ref(cols, x.shape, kernel, stride, padding, dilation)
    assert_close(folded, ember.tensor(back, dtype=dtype, device=device))
    leaf = ember.tensor(x[:1, :2, :4, :5], dtype=ember.float64, device=device,
                        requires_grad=True)
    assert ember.autograd.gradcheck(
        lambda v: _f().unfold(v, (2, 2), padding=1, stride=(2, 1)), (leaf,))

"""Pooling: fixtures from PyTorch, gradcheck, max_pool kernels against their decomposition."""

import functools

import numpy as np
import pytest
from _ember_nn_b_cases import cases, run_case, target

import ember
from ember.autograd import gradcheck, gradgradcheck
from ember.backends import decompositions

F = functools.partial(target, kind="functional")
M = functools.partial(target, kind="module")
_FUNCTIONALS = ("max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d",
                "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
                "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d",
                "max_unpool1d", "max_unpool2d", "lp_pool1d", "lp_pool2d")
_MODULES = ("MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "MaxUnpool2d",
            "LPPool2d")


@pytest.mark.parametrize("case", cases(*_FUNCTIONALS, *_MODULES))
def test_against_pytorch(case, device):
    run_case(case, device)


def _rand(*shape, device="cpu"):
    # distinct values keep max pooling differentiable for the finite differences
    values = np.random.default_rng(1).permutation(int(np.prod(shape))).reshape(shape) / 7.0
    return ember.tensor(values, device=device, requires_grad=True)


@pytest.mark.parametrize("fn, kw", [
    ("max_pool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("max_pool2d", dict(kernel_size=2, stride=1, dilation=2)),
    ("avg_pool2d", dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ("adaptive_avg_pool2d", dict(output_size=(3, 2))),
    ("adaptive_max_pool2d", dict(output_size=(3, 2))),
    ("lp_pool2d", dict(norm_type=2.0, kernel_size=2)),
])
def test_gradcheck(fn, kw, device):
    x = _rand(1, 2, 5, 6, device=device)
    if fn == "lp_pool2d":
        x = (x.detach() + 1).requires_grad_()
    assert gradcheck(lambda a: F(fn)(a, **kw), (x,))


def test_max_pool_double_backward(device):
    x = _rand(1, 2, 4, 4, device=device)
    assert gradgradcheck(lambda a: F("max_pool2d")(a, 2, 1), (x,))


def test_max_unpool_gradcheck(device):
    x = _rand(1, 2, 4, 4, device=device)
    values, idx = F("max_pool2d")(x.detach(), 2, return_indices=True)
    values.requires_grad_()
    assert gradcheck(lambda v: F("max_unpool2d")(v, idx, 2), (values,))


def test_indices_and_grad_fn(device):
    x = ember.randn(1, 1, 4, 4, device=device, requires_grad=True)
    out, idx = F("max_pool2d")(x, 2, return_indices=True)
    assert out.grad_fn.name() == "MaxPool2DWithIndicesBackward0"
    assert idx.dtype is ember.int64 and not idx.requires_grad


@pytest.mark.parametrize("config", [
    ((2, 3, 7, 6), (3, 3), (2, 2), (1, 1), (1, 1), True),
    ((2, 3, 8, 8), (2, 2), (2, 2), (0, 0), (1, 1), False),
    ((2, 3, 9, 7), (2, 2), (2, 2), (0, 0), (1, 1), True),
    ((1, 2, 9), (3,), (2,), (1,), (2,), True),
    ((1, 2, 5, 4, 5), (2, 1, 3), (2, 1, 2), (1, 0, 0), (1, 1, 2), True),
])
def test_max_pool_kernel_matches_decomposition(config, device):
    shape, ks, st, pd, dl, ceil = config
    x = ember.tensor(np.random.default_rng(0).standard_normal(shape), device=device)
    k = x.device._k
    host = x.device._backend.to_host
    values, idx = k.max_pool(x._data, ks, st, pd, dl, ceil)
    ref_v, ref_i = decompositions.max_pool(k, x._data, ks, st, pd, dl, ceil)
    np.testing.assert_array_equal(host(values), host(ref_v))
    np.testing.assert_array_equal(host(idx), host(ref_i))
    g = ember.randn(*values.shape, dtype=ember.float64, device=device)._data
    overlapping = any(s < (kk - 1) * d + 1 for kk, s, d in zip(ks, st, dl))
    np.testing.assert_allclose(
        host(k.max_pool_backward(g, idx, shape, overlapping)),
        host(decompositions.max_pool_backward(k, g, idx, shape, overlapping)), rtol=1e-12)


def test_max_pool_first_maximum_wins(device):
    x = ember.zeros(1, 1, 4, 4, device=device)
    _, idx = F("max_pool2d")(x, 2, return_indices=True)
    assert idx.tolist() == [[[[0, 2], [8, 10]]]]


@pytest.mark.parametrize("call, error, message", [
    (lambda: F("max_pool2d")(ember.randn(1, 2, 5, 5), 3, padding=2), RuntimeError,
     "pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and "
     "dilation=1"),
    (lambda: F("max_pool2d")(ember.randn(1, 2, 5, 5), 2, stride=0), RuntimeError,
     "stride should not be zero"),
    (lambda: F("max_pool2d")(ember.randn(1, 2, 5, 5), 6), RuntimeError,
     "Given input size: (2x5x5). Calculated output size: (2x0x0). Output size is too small"),
    (lambda: F("avg_pool2d")(ember.randn(1, 2, 5, 5), 2, divisor_override=0), RuntimeError,
     "divisor must be not zero"),
    (lambda: F("max_pool1d")(ember.randn(5), 2), RuntimeError,
     "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
     "input, but got:[5]"),
    (lambda: F("max_unpool2d")(ember.randn(1, 2, 5, 5),
                               ember.full((1, 2, 5, 5), 200, dtype=ember.int64), 2),
     RuntimeError, "Found an invalid max index: 200 (output volumes are of size 10x10)"),
])
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


@pytest.mark.parametrize("make, text", [
    (lambda: M("MaxPool2d")(2), "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, "
                                "ceil_mode=False)"),
    (lambda: M("MaxPool1d")(3, 2, 1, return_indices=True, ceil_mode=True),
     "MaxPool1d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=True)"),
    (lambda: M("AvgPool2d")(2), "AvgPool2d(kernel_size=2, stride=2, padding=0)"),
    (lambda: M("AvgPool1d")(3), "AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))"),
    (lambda: M("AdaptiveAvgPool2d")((5, None)), "AdaptiveAvgPool2d(output_size=(5, None))"),
    (lambda: M("AdaptiveMaxPool2d")(3), "AdaptiveMaxPool2d(output_size=3)"),
    (lambda: M("MaxUnpool2d")(2),
     "MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"),
    (lambda: M("LPPool2d")(2, 3),
     "LPPool2d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False)"),
])
def test_repr(make, text):
    assert repr(make()) == text


def test_integer_inputs(device):
    """PyTorch pools integers too: max exactly, average with truncating division."""
    x = (ember.arange(36, device=device).reshape(1, 1, 6, 6) - 17)
    values, idx = F("max_pool2d")(x, 3, 2, 1, return_indices=True)
    assert values.dtype is ember.int64
    assert values.tolist() == [[[[-10, -8, -6], [2, 4, 6], [14, 16, 18]]]]
    assert idx.tolist() == [[[[7, 9, 11], [19, 21, 23], [31, 33, 35]]]]
    assert F("avg_pool2d")(x, 3, 2, 1).tolist() == [[[[-6, -8, -6], [-3, -3, -1], [5, 9, 11]]]]
    assert F("avg_pool2d")(x, 2, divisor_override=3).tolist() == \
        [[[[-18, -15, -12], [-2, 0, 3], [14, 16, 19]]]]

"""Convolutions: fixtures from PyTorch, gradcheck, the kernels against their decompositions."""

import functools
import math

import numpy as np
import pytest
from _ember_nn_b_cases import cases, run_case, target

import ember
from ember.autograd import gradcheck, gradgradcheck
from ember.backends import decompositions

F = functools.partial(target, kind="functional")
M = functools.partial(target, kind="module")


@pytest.mark.parametrize("case", cases("conv1d", "conv2d", "conv3d", "conv_transpose1d",
                                       "conv_transpose2d", "conv_transpose3d", "Conv1d",
                                       "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d"))
def test_against_pytorch(case, device):
    run_case(case, device)


def _rand(*shape, device="cpu", grad=True):
    return ember.randn(*shape, dtype=ember.float64, device=device, requires_grad=grad)


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1), dict(padding=(1, 0),
                                dilation=(1, 2), groups=2), dict(padding="same")])
def test_conv2d_gradcheck(kw, device):
    x, w, b = _rand(2, 4, 5, 4, device=device), _rand(2, 4 // kw.get("groups", 1), 3, 2,
                                                      device=device), _rand(2, device=device)
    assert gradcheck(lambda *a: F("conv2d")(*a, **kw), (x, w, b))
    assert gradgradcheck(lambda a, c: F("conv2d")(a, c, **kw), (x, w))


@pytest.mark.parametrize("nd", [1, 3])
def test_conv_nd_gradcheck(nd, device):
    x = _rand(1, 2, *([4] * nd), device=device)
    w = _rand(3, 2, *([2] * nd), device=device)
    assert gradcheck(lambda a, c: F(f"conv{nd}d")(a, c, stride=2, padding=1), (x, w))


def test_conv_transpose_gradcheck(device):
    x, w, b = _rand(2, 4, 3, 3, device=device), _rand(4, 1, 3, 2, device=device), \
        _rand(2, device=device)
    kw = dict(stride=2, padding=1, output_padding=1, groups=2, dilation=(1, 2))
    assert gradcheck(lambda *a: F("conv_transpose2d")(*a, **kw), (x, w, b))
    assert gradgradcheck(lambda a, c: F("conv_transpose2d")(a, c, **kw), (x, w))
    x1, w1 = _rand(2, 3, 4, device=device), _rand(3, 2, 3, device=device)
    assert gradcheck(lambda a, c: F("conv_transpose1d")(a, c, stride=3), (x1, w1))


def test_grad_fn_names(device):
    x, w = _rand(1, 2, 4, 4, device=device), _rand(3, 2, 3, 3, device=device)
    assert F("conv2d")(x, w).grad_fn.name() == "ConvolutionBackward0"
    wt = _rand(3, 2, 3, 3, device=device)
    assert F("conv_transpose2d")(_rand(1, 3, 4, 4, device=device), wt).grad_fn.name() == \
        "ConvolutionBackward0"


_CONFIGS = [  # (x shape, w shape, stride, padding, dilation, groups)
    ((2, 4, 7, 6), (6, 2, 3, 2), (2, 1), (1, 2), (1, 2), 2),
    ((2, 3, 6, 6), (5, 3, 3, 3), (1, 1), (1, 1), (1, 1), 1),
    ((2, 8, 6, 5), (2, 8, 3, 3), (1, 1), (2, 0), (2, 1), 1),
    ((1, 4, 9), (4, 1, 3), (2,), (1,), (3,), 4),
    ((1, 2, 4, 5, 4), (3, 2, 2, 3, 2), (1, 2, 1), (1, 0, 1), (1, 1, 2), 1),
    ((2, 6, 5, 5), (4, 6, 1, 1), (2, 2), (0, 0), (1, 1), 1),
    ((2, 4, 6, 5), (8, 1, 3, 3), (1, 1), (1, 2), (2, 1), 4),  # depthwise
]


@pytest.mark.parametrize("config", _CONFIGS)
def test_kernels_match_decompositions(config, device):
    """The backend's convolution kernels (fused on cpu) agree with the core decompositions."""
    xs, ws, stride, padding, dilation, groups = config
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal(xs), device=device)
    w = ember.tensor(rng.standard_normal(ws), device=device)
    k = x.device._k
    out = k.convolution(x._data, w._data, stride, padding, dilation, groups)
    ref = decompositions.convolution(k, x._data, w._data, stride, padding, dilation, groups)
    host = x.device._backend.to_host
    np.testing.assert_allclose(host(out), host(ref), rtol=1e-10, atol=1e-10)
    g = ember.tensor(rng.standard_normal(out.shape), device=device)._data
    args = (stride, padding, dilation, groups)
    np.testing.assert_allclose(
        host(k.convolution_backward_input(g, w._data, xs, *args)),
        host(decompositions.convolution_backward_input(k, g, w._data, xs, *args)),
        rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(
        host(k.convolution_backward_weight(x._data, g, ws, *args)),
        host(decompositions.convolution_backward_weight(k, x._data, g, ws, *args)),
        rtol=1e-10, atol=1e-10)
    ks = ws[2:]
    cols = k.im2col(x._data, ks, stride, padding, dilation)
    np.testing.assert_array_equal(host(cols), host(decompositions.im2col(
        k, x._data, ks, stride, padding, dilation)))
    np.testing.assert_allclose(host(k.col2im(cols, xs, ks, stride, padding, dilation)),
                               host(decompositions.col2im(k, cols, xs, ks, stride, padding,
                                                          dilation)), rtol=1e-12)


def test_float32_stays_float32(device):
    x = ember.randn(2, 3, 8, 8, device=device)
    conv = M("Conv2d")(3, 4, 3, padding=1).to(device)
    y = conv(x)
    assert y.dtype is ember.float32 and y.is_contiguous()
    y.sum().backward()
    assert conv.weight.grad.dtype is ember.float32


@pytest.mark.parametrize("call, error, message", [
    (lambda: F("conv2d")(ember.randn(2, 2, 8, 8), ember.randn(4, 3, 3, 3)), RuntimeError,
     "Given groups=1, weight of size [4, 3, 3, 3], expected input[2, 2, 8, 8] to have 3 "
     "channels, but got 2 channels instead"),
    (lambda: F("conv2d")(ember.randn(1, 2, 3, 8, 8), ember.randn(4, 3, 3, 3)), RuntimeError,
     "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: "
     "[1, 2, 3, 8, 8]"),
    (lambda: F("conv2d")(ember.randn(2, 3, 8, 8), ember.randn(4, 3, 3, 3), stride=2,
                         padding="same"), RuntimeError,
     "padding='same' is not supported for strided convolutions"),
    (lambda: F("conv2d")(ember.randn(2, 3, 8, 8), ember.randn(4, 3, 3, 3), padding="foo"),
     RuntimeError, "Invalid padding string: 'foo'"),
    (lambda: F("conv2d")(ember.randn(2, 3, 2, 2), ember.randn(4, 3, 3, 3)), RuntimeError,
     "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size "
     "can't be greater than actual input size"),
    (lambda: F("conv2d")(ember.randn(2, 3, 8, 8), ember.randn(4, 3, 3, 3), ember.randn(5)),
     RuntimeError, "Given weight of size [4, 3, 3, 3], expected bias to be 1-dimensional with "
     "4 elements, but got bias of size [5] instead"),
    (lambda: F("conv2d")(ember.randn(2, 3, 8, 8).double(), ember.randn(4, 3, 3, 3)),
     RuntimeError, "expected scalar type Double but found Float"),
    (lambda: F("conv2d")(ember.randn(2, 3, 8, 8), ember.randn(4, 3, 3, 3), padding=-1),
     RuntimeError, "negative padding is not supported"),
    (lambda: F("conv2d")(ember.randn(2, 3, 8, 8), ember.randn(4, 3, 3, 3), stride=0),
     RuntimeError, "non-positive stride is not supported"),
    (lambda: F("conv_transpose2d")(ember.randn(2, 3, 8, 8), ember.randn(3, 4, 3, 3),
                                   output_padding=2), RuntimeError,
     "output padding must be smaller than either stride or dilation, but got "
     "output_padding_height: 2 output_padding_width: 2 stride_height: 1 stride_width: 1 "
     "dilation_height: 1 dilation_width: 1"),
    (lambda: M("Conv2d")(3, 4, 3, groups=2), ValueError,
     "in_channels must be divisible by groups"),
    (lambda: M("Conv2d")(3, 4, 3, padding="same", stride=2), ValueError,
     "padding='same' is not supported for strided convolutions"),
    (lambda: M("ConvTranspose2d")(3, 4, 3, padding_mode="reflect"), ValueError,
     'Only "zeros" padding mode is supported for ConvTranspose2d'),
])
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


def test_invalid_padding_mode():
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        M("Conv2d")(3, 4, 3, padding_mode="foo")


@pytest.mark.parametrize("make, text", [
    (lambda: M("Conv2d")(3, 4, 3, padding="same", padding_mode="reflect", bias=False,
                         dilation=2),
     "Conv2d(3, 4, kernel_size=(3, 3), stride=(1, 1), padding=same, dilation=(2, 2), "
     "bias=False, padding_mode=reflect)"),
    (lambda: M("ConvTranspose2d")(3, 4, 3, stride=2, output_padding=1),
     "ConvTranspose2d(3, 4, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1))"),
    (lambda: M("Conv1d")(3, 4, 3), "Conv1d(3, 4, kernel_size=(3,), stride=(1,))"),
    (lambda: M("Conv3d")(3, 6, (1, 2, 3), stride=(1, 2, 1), groups=3),
     "Conv3d(3, 6, kernel_size=(1, 2, 3), stride=(1, 2, 1), groups=3)"),
    (lambda: M("Conv2d")(3, 4, 3, padding=1, padding_mode="circular"),
     "Conv2d(3, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), padding_mode=circular)"),
])
def test_repr(make, text):
    assert repr(make()) == text


def test_parameters_and_default_init():
    ember.manual_seed(0)
    conv = M("Conv2d")(16, 32, 3)
    assert [n for n, _ in conv.named_parameters()] == ["weight", "bias"]
    assert tuple(conv.weight.shape) == (32, 16, 3, 3)
    bound = 1 / math.sqrt(16 * 9)  # kaiming_uniform_(a=sqrt(5)): U(-1/sqrt(fan_in), ...)
    w = conv.weight.detach().numpy()
    assert np.abs(w).max() <= bound and abs(w.std() - bound / math.sqrt(3)) < 0.1 * bound
    assert np.abs(conv.bias.detach().numpy()).max() <= bound
    t = M("ConvTranspose2d")(16, 8, 3, groups=2)
    assert tuple(t.weight.shape) == (16, 4, 3, 3)
    assert M("Conv1d")(2, 4, 3, bias=False).bias is None


def test_small_cnn_trains(device):
    ember.manual_seed(0)
    nn = ember.nn
    model = nn.Sequential(M("Conv2d")(1, 4, 3, padding=1), nn.ReLU(), M("MaxPool2d")(2),
                          nn.Flatten(), nn.Linear(4 * 4 * 4, 3)).to(device)
    x = ember.randn(16, 1, 8, 8, device=device)
    y = ember.randint(0, 3, (16,), device=device)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(20):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.7 * losses[0]


def test_lazy_conv_infers_in_channels(device):
    m = M("LazyConv2d")(8, 3, padding=1)
    assert repr(m) == "LazyConv2d(0, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
    y = m.to(device)(ember.randn(2, 5, 6, 6, device=device))
    assert type(m).__name__ == "Conv2d" and tuple(m.weight.shape) == (8, 5, 3, 3)
    assert tuple(y.shape) == (2, 8, 6, 6)
    t = M("LazyConvTranspose1d")(4, 3, stride=2, groups=2)
    assert tuple(t(ember.randn(6, 5)).shape) == (4, 11) and tuple(t.weight.shape) == (6, 2, 3)

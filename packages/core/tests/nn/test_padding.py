"""F.pad in every mode and the padding layers: fixtures from PyTorch, gradcheck, errors."""

import functools

import pytest
from _ember_nn_b_cases import cases, run_case, target

import ember
from ember.autograd import gradcheck, gradgradcheck

F = functools.partial(target, kind="functional")
M = functools.partial(target, kind="module")


@pytest.mark.parametrize("case", cases(
    "pad", "ZeroPad2d", "ConstantPad1d", "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d",
    "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad2d"))
def test_against_pytorch(case, device):
    run_case(case, device)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_gradcheck(mode, device):
    x = ember.randn(1, 2, 4, 3, dtype=ember.float64, device=device, requires_grad=True)
    assert gradcheck(lambda a: F("pad")(a, (2, 1, -1, 2), mode=mode), (x,))
    assert gradgradcheck(lambda a: F("pad")(a, (1, 2, 0, 1), mode=mode), (x,))


def test_constant_pad_grad_fn(device):
    x = ember.randn(2, 3, device=device, requires_grad=True)
    assert F("pad")(x, (1, 1)).grad_fn.name() == "ConstantPadNdBackward0"


def test_integer_and_bool_constant_pad(device):
    x = ember.arange(6, device=device).reshape(2, 3)
    out = F("pad")(x, (1, 0), value=7)
    assert out.dtype is ember.int64 and out.tolist() == [[7, 0, 1, 2], [7, 3, 4, 5]]


_NOT_SUPPORTED = ("Padding size 2 is not supported for 4D input tensor.\n"
                  "Supported combinations for non-constant padding:\n"
                  "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                  "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                  "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


@pytest.mark.parametrize("call, error, message", [
    (lambda: F("pad")(ember.randn(1, 2, 3, 3), (1,)), RuntimeError,
     "Padding length must be divisible by 2"),
    (lambda: F("pad")(ember.randn(1, 2, 3, 3), (1,) * 10), RuntimeError,
     "Padding length should be less than or equal to two times the input dimension but got "
     "padding length 10 and input of dimension 4"),
    (lambda: F("pad")(ember.randn(1, 2, 3, 3), (1, 1), mode="reflect"), NotImplementedError,
     _NOT_SUPPORTED),
    (lambda: F("pad")(ember.randn(1, 2, 3), (3, 3), mode="reflect"), RuntimeError,
     "Argument #4: Padding size should be less than the corresponding input dimension, but "
     "got: padding (3, 3) at dimension 2 of input [1, 2, 3]"),
    (lambda: F("pad")(ember.randn(1, 2, 3), (4, 2), mode="circular"), RuntimeError,
     "Padding value causes wrapping around more than once."),
    (lambda: F("pad")(ember.randn(1, 2, 3), (1, 1), mode="foo"), NotImplementedError,
     "Unrecognised padding mode foo"),
    (lambda: F("pad")(ember.randn(1, 2, 3), (1, 1), mode="reflect", value=1.0), RuntimeError,
     'Padding mode "reflect" doesn\'t take in value argument'),
])
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


@pytest.mark.parametrize("make, text", [
    (lambda: M("ZeroPad2d")(2), "ZeroPad2d((2, 2, 2, 2))"),
    (lambda: M("ConstantPad1d")((1, 2), 3.5), "ConstantPad1d(padding=(1, 2), value=3.5)"),
    (lambda: M("ReflectionPad2d")(1), "ReflectionPad2d((1, 1, 1, 1))"),
    (lambda: M("ReplicationPad1d")((1, 2)), "ReplicationPad1d((1, 2))"),
    (lambda: M("CircularPad2d")(1), "CircularPad2d((1, 1, 1, 1))"),
    (lambda: M("ZeroPad1d")(1), "ZeroPad1d((1, 1))"),
    (lambda: M("ConstantPad3d")(1, 0.0), "ConstantPad3d(padding=(1, 1, 1, 1, 1, 1), value=0.0)"),
])
def test_repr(make, text):
    assert repr(make()) == text

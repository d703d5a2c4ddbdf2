"""Activations against PyTorch fixtures, gradcheck, and behaviour PyTorch documents."""

import math

import numpy as np
import pytest
from _ember_nn_layer_cases import cases, close, run_case

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

ACTIVATIONS = ["ReLU", "ReLU6", "LeakyReLU", "PReLU", "RReLU", "ELU", "SELU", "CELU", "GELU",
               "SiLU", "Mish", "Sigmoid", "Tanh", "Hardtanh", "Hardswish", "Hardsigmoid",
               "Softplus", "Softsign", "Softshrink", "Hardshrink", "Tanhshrink", "Threshold",
               "GLU", "LogSigmoid", "Softmax", "Softmin", "LogSoftmax", "Softmax2d"]


@pytest.mark.parametrize("case", cases(*ACTIVATIONS))
def test_against_pytorch(case, device):
    run_case(case, device)


@pytest.mark.parametrize("case", cases("gelu", "glu", "logsigmoid", "softplus", "softmax",
                                       kind="functional"))
def test_functional_against_pytorch(case, device):
    run_case(case, device)


SMOOTH = [F.elu, F.selu, F.celu, F.gelu, lambda x: F.gelu(x, approximate="tanh"), F.silu,
          F.mish, F.softplus, F.softsign, F.logsigmoid, F.tanhshrink, ember.sigmoid,
          lambda x: F.softmax(x, 1), lambda x: F.log_softmax(x, 0), lambda x: F.softmin(x, 1),
          lambda x: F.glu(x, 1), lambda x: F.softplus(x, 2.0, 1.0)]


@pytest.mark.parametrize("fn", SMOOTH)
def test_gradcheck(fn):
    x = (ember.randn(3, 4, dtype=ember.float64) * 2).requires_grad_()
    assert gradcheck(fn, (x,))


@pytest.mark.parametrize("fn", [F.gelu, lambda x: F.log_softmax(x, 1), lambda x: F.softmax(x, 0),
                                F.silu, F.elu])
def test_gradgradcheck(fn):
    x = ember.randn(2, 3, dtype=ember.float64).requires_grad_()
    assert gradgradcheck(fn, (x,))


@pytest.mark.parametrize("fn", [F.relu, F.relu6, F.hardtanh, F.leaky_relu, F.hardswish,
                                F.hardsigmoid, F.softshrink, F.hardshrink,
                                lambda x: F.threshold(x, 0.2, -1.0), lambda x: F.rrelu(x)])
def test_gradcheck_piecewise(fn):
    # away from the kinks the pieces are smooth
    x = ember.tensor([[-3.7, -1.3, -0.7, -0.2], [0.25, 0.8, 1.6, 4.1]],
                     dtype=ember.float64).requires_grad_()
    assert gradcheck(fn, (x,))


def test_prelu_gradcheck():
    x = ember.randn(3, 4, 2, dtype=ember.float64).requires_grad_()
    w = ember.tensor([0.1, -0.3, 0.5, 0.2], dtype=ember.float64).requires_grad_()
    assert gradcheck(F.prelu, (x, w))


def test_kink_gradients_match_pytorch():
    # the gradient PyTorch gives at each kink (recorded with torch 2.13)
    x = ember.tensor([-3.0, -1.0, 0.0, 1.0, 3.0, 6.0], requires_grad=True)
    expected = {
        F.relu: [0, 0, 0, 1, 1, 1], F.relu6: [0, 0, 0, 1, 1, 0],
        F.hardtanh: [0, 0, 1, 0, 0, 0], F.hardswish: [0, 1 / 6, 0.5, 5 / 6, 1, 1],
        F.hardsigmoid: [0, 1 / 6, 1 / 6, 1 / 6, 0, 0],
        F.selu: [0.0875306, 0.6467686, 1.7580993, 1.050701, 1.050701, 1.050701],
        (lambda t: F.leaky_relu(t, 0.1)): [0.1, 0.1, 0.1, 1, 1, 1],
        (lambda t: F.threshold(t, 1.0, 0.0)): [0, 0, 0, 0, 1, 1],
        (lambda t: F.softshrink(t, 1.0)): [1, 0, 0, 0, 1, 1],
        (lambda t: F.hardshrink(t, 1.0)): [1, 0, 0, 0, 1, 1],
    }
    for fn, grads in expected.items():
        x.grad = None
        fn(x).sum().backward()
        assert x.grad.tolist() == pytest.approx(grads, rel=1e-5), fn


def test_gelu_exact_values():
    x = ember.tensor([-6.0, -2.5, -1.0, -1e-3, 0.0, 0.3, 1.2, 3.0, 7.0], dtype=ember.float64)
    expected = [v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x.tolist()]
    close(F.gelu(x), np.array(expected), rtol=1e-14, atol=1e-15)
    close(F.gelu(x.float()), np.array(expected, dtype=np.float32), rtol=2e-6, atol=1e-7)


def test_inplace_modifies_input():
    x = ember.randn(3, 4)
    y = nn.ReLU(inplace=True)(x)
    assert y is x and bool((x >= 0).all())
    leaf = ember.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        F.relu(leaf, inplace=True)
    z = leaf * 1
    F.elu(z, inplace=True).sum().backward()
    expected = ember.where(leaf > 0, 1.0, leaf.detach().exp())
    close(leaf.grad, expected.numpy(), rtol=1e-6)


def test_softmax_implicit_dim_warns():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        out = F.softmax(ember.randn(2, 3))
    close(out.sum(1), np.ones(2), rtol=1e-6)
    with pytest.warns(UserWarning):
        nn.Softmax()(ember.randn(2, 3, 4))


def test_softmax_dtype_and_integer_input():
    x = ember.tensor([[1, 2, 3]])
    out = F.softmax(x, 1, dtype=ember.float64)
    assert out.dtype == ember.float64
    with pytest.raises(RuntimeError):
        F.softmax(x, 1)
    assert F.log_softmax(ember.tensor(2.0), 0).item() == 0.0


def test_softmax_extremes():
    x = ember.tensor([[1000.0, 0.0, -1000.0], [-float("inf"), 0.0, 0.0]])
    out = F.softmax(x, 1)
    close(out, np.array([[1.0, 0.0, 0.0], [0.0, 0.5, 0.5]]))
    close(F.log_softmax(x, 1)[0], np.array([0.0, -1000.0, -2000.0]))


def test_rrelu_training_slopes_in_range():
    ember.manual_seed(0)
    x = (-ember.ones(1000)).requires_grad_()
    y = F.rrelu(x, 0.1, 0.3, training=True)
    slopes = -y.detach()
    assert 0.1 <= float(slopes.min()) and float(slopes.max()) <= 0.3
    y.sum().backward()
    close(x.grad, slopes.numpy())
    assert nn.RReLU(0.1, 0.3).eval()(x).detach().tolist()[0] == pytest.approx(-0.2)


def test_glu_errors():
    with pytest.raises(RuntimeError, match="Halving dimension must be even"):
        F.glu(ember.randn(2, 3))


def test_prelu_parameter_and_errors():
    m = nn.PReLU(3)
    assert m.weight.shape == (3,) and m.weight.tolist() == [0.25] * 3
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers"):
        m(ember.randn(2, 4))


def test_modules_are_stateless_and_repr():
    assert repr(nn.ReLU()) == "ReLU()"
    assert list(nn.GELU().parameters()) == []
    assert repr(nn.Hardtanh(-2, 2, True)) == "Hardtanh(min_val=-2, max_val=2, inplace=True)"
    with pytest.raises(AssertionError):
        nn.Hardtanh(1.0, 0.0)


def test_float32_follows_input_dtype():
    x = ember.randn(4, 5)
    for m in [nn.GELU(), nn.SiLU(), nn.Softmax(1), nn.LogSoftmax(1), nn.ELU(), nn.Mish()]:
        assert m(x).dtype == ember.float32

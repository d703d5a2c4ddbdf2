
import pytest
from _ember_nn_layer_cases import cases, close, run_case

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck


@pytest.mark.parametrize("case", cases("Linear", "Bilinear", "Identity", "Flatten", "Unflatten",
                                       "ChannelShuffle"))
def test_against_pytorch(case, device):
    run_case(case, device)


@pytest.mark.parametrize("case", cases("linear", "bilinear", kind="functional"))
def test_functional_against_pytorch(case, device):
    run_case(case, device)


def test_linear_gradcheck():
    x = ember.randn(3, 4, dtype=ember.float64, requires_grad=True)
    w = ember.randn(2, 4, dtype=ember.float64, requires_grad=True)
    b = ember.randn(2, dtype=ember.float64, requires_grad=True)
    assert gradcheck(F.linear, (x, w, b))
    assert gradcheck(F.linear, (x, w))
    assert gradgradcheck(F.linear, (x, w, b))
    x3 = ember.randn(2, 2, 4, dtype=ember.float64, requires_grad=True)
    assert gradcheck(F.linear, (x3, w, b))


def test_bilinear_gradcheck():
    x1 = ember.randn(3, 2, dtype=ember.float64, requires_grad=True)
    x2 = ember.randn(3, 4, dtype=ember.float64, requires_grad=True)
    w = ember.randn(2, 2, 4, dtype=ember.float64, requires_grad=True)
    b = ember.randn(2, dtype=ember.float64, requires_grad=True)
    assert gradcheck(F.bilinear, (x1, x2, w, b))


def test_linear_default_init_distribution():
    ember.manual_seed(0)
    m = nn.Linear(400, 300)
    bound = 1 / 400 ** 0.5  # kaiming_uniform(a=sqrt(5)) -> U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    w = m.weight.detach().numpy()
    assert w.min() >= -bound and w.max() <= bound
    assert abs(w.std() - bound / 3 ** 0.5) < 0.01 * bound
    b = m.bias.detach().numpy()
    assert b.min() >= -bound and b.max() <= bound
    assert m.weight.dtype == ember.float32 and m.weight.requires_grad


def test_linear_factory_kwargs_and_output_grad_fn():
    m = nn.Linear(3, 2, dtype=ember.float64)
    assert m.weight.dtype == ember.float64 and m.bias.dtype == ember.float64
    y = m(ember.randn(4, 3, dtype=ember.float64))
    assert y.grad_fn.name() == "AddmmBackward0"
    assert nn.Linear(3, 2, bias=False)(ember.randn(4, 3)).grad_fn.name() == "MmBackward0"


def test_linear_errors():
    m = nn.Linear(3, 2)
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(4x5 and "
                                           r"3x2\)"):
        m(ember.randn(4, 5))
    with pytest.raises(RuntimeError, match="mat1 and mat2 must have the same dtype"):
        m(ember.randn(4, 3, dtype=ember.float64))


def test_linear_no_grad_input_keeps_input_grad_none():
    m = nn.Linear(3, 2)
    x = ember.randn(4, 3)
    m(x).sum().backward()
    assert x.grad is None and m.weight.grad is not None


def test_lazy_linear():
    m = nn.LazyLinear(4)
    assert isinstance(m.weight, nn.UninitializedParameter)
    assert repr(m.weight) == "<UninitializedParameter>"
    y = m(ember.randn(2, 7))
    assert type(m) is nn.Linear and m.in_features == 7 and y.shape == (2, 4)
    assert m.weight.shape == (4, 7) and type(m.weight) is nn.Parameter
    assert repr(m) == "Linear(in_features=7, out_features=4, bias=True)"


def test_lazy_linear_load_state_dict():
    src = nn.Linear(5, 3)
    m = nn.LazyLinear(3)
    m.load_state_dict(src.state_dict())
    close(m.weight, src.weight.detach().numpy())
    m(ember.randn(1, 5))
    assert type(m) is nn.Linear


def test_identity_ignores_arguments():
    m = nn.Identity(54, unused="x")
    x = ember.randn(2)
    assert m(x) is x and repr(m) == "Identity()"


def test_flatten_unflatten_roundtrip():
    x = ember.randn(2, 3, 4, 5)
    y = nn.Flatten(1, 2)(x)
    assert y.shape == (2, 12, 5)
    assert nn.Unflatten(1, (3, 4))(y).shape == x.shape
    with pytest.raises(TypeError, match="unflattened_size must be tuple of ints"):
        nn.Unflatten(1, (3, 4.0))

import math

import numpy as np
import pytest
from _ember_nn_layer_cases import META, close

import ember
import ember.nn as nn

init = nn.init


@pytest.mark.parametrize("name,param,expected", META["gains"])
def test_calculate_gain_matches_pytorch(name, param, expected):
    assert init.calculate_gain(name, param) == pytest.approx(expected)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        init.calculate_gain("foo")
    with pytest.raises(ValueError, match="negative_slope True not a valid number"):
        init.calculate_gain("leaky_relu", True)


def _stats(t):
    a = t.detach().double().numpy().reshape(-1)
    return a.mean(), a.std(), a.min(), a.max()


def test_uniform_normal_constant():
    ember.manual_seed(0)
    w = ember.empty(200, 300)
    mean, std, lo, hi = _stats(init.uniform_(w, -2.0, 3.0))
    assert lo >= -2.0 and hi < 3.0 and abs(mean - 0.5) < 0.02 and abs(std - 5 / 12 ** 0.5) < 0.02
    mean, std, *_ = _stats(init.normal_(w, 1.5, 0.5))
    assert abs(mean - 1.5) < 0.01 and abs(std - 0.5) < 0.01
    assert bool((init.constant_(w, 0.25) == 0.25).all())
    assert float(init.ones_(w).min()) == 1.0 and float(init.zeros_(w).max()) == 0.0


def test_init_keeps_requires_grad_and_no_history():
    p = nn.Parameter(ember.empty(10, 10))
    out = init.kaiming_uniform_(p)
    assert out is p and p.requires_grad and p.grad_fn is None


@pytest.mark.parametrize("mode,fan", [("fan_in", 30 * 9), ("fan_out", 20 * 9)])
@pytest.mark.parametrize("nonlinearity,a", [("relu", 0), ("leaky_relu", 0.2), ("tanh", 0),
                                            ("linear", 0)])
def test_kaiming(mode, fan, nonlinearity, a):
    ember.manual_seed(1)
    w = ember.empty(20, 30, 3, 3)
    gain = init.calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    _, s, lo, hi = _stats(init.kaiming_uniform_(w, a=a, mode=mode, nonlinearity=nonlinearity))
    bound = math.sqrt(3) * std
    assert -bound <= lo and hi <= bound and abs(s - std) < 0.03 * std
    m, s, *_ = _stats(init.kaiming_normal_(w, a=a, mode=mode, nonlinearity=nonlinearity))
    assert abs(s - std) < 0.03 * std and abs(m) < 0.03 * std


def test_xavier():
    ember.manual_seed(2)
    w = ember.empty(100, 200)
    std = 2.0 * math.sqrt(2.0 / 300)
    _, s, lo, hi = _stats(init.xavier_uniform_(w, gain=2.0))
    assert -math.sqrt(3) * std <= lo and hi <= math.sqrt(3) * std and abs(s - std) < 0.02 * std
    _, s, *_ = _stats(init.xavier_normal_(w, gain=2.0))
    assert abs(s - std) < 0.02 * std
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed for tensor with "
                                         "fewer than 2 dimensions"):
        init.xavier_uniform_(ember.empty(3))


@pytest.mark.parametrize("mean,std,a,b", [(0.0, 1.0, -2.0, 2.0), (0.0, 0.02, -0.04, 0.04),
                                          (1.0, 2.0, 1.5, 2.0)])
def test_trunc_normal(mean, std, a, b):
    ember.manual_seed(3)
    w = ember.empty(100000)
    init.trunc_normal_(w, mean, std, a, b)
    values = w.numpy()
    assert values.min() >= a and values.max() <= b
    # the mean of a truncated normal
    alpha, beta = (a - mean) / std, (b - mean) / std

    def pdf(z):
        return math.exp(-z * z / 2) / math.sqrt(2 * math.pi)

    def cdf(z):
        return (1 + math.erf(z / math.sqrt(2))) / 2

    expected = mean + std * (pdf(alpha) - pdf(beta)) / (cdf(beta) - cdf(alpha))
    assert abs(values.mean() - expected) < 0.02 * std


def test_orthogonal():
    ember.manual_seed(4)
    for shape in [(6, 4), (4, 6), (3, 2, 2)]:
        w = init.orthogonal_(ember.empty(*shape), gain=1.5)
        flat = w.reshape(shape[0], -1).double()
        small = flat.T @ flat if shape[0] >= flat.shape[1] else flat @ flat.T
        close(small, np.eye(small.shape[0]) * 2.25, atol=1e-5)
    with pytest.raises(ValueError, match="Only tensors with 2 or more dimensions"):
        init.orthogonal_(ember.empty(3))


def test_sparse():
    ember.manual_seed(5)
    w = init.sparse_(ember.empty(10, 20), sparsity=0.3, std=0.5)
    zeros_per_column = (w == 0).sum(0).tolist()
    assert all(z >= 3 for z in zeros_per_column)
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        init.sparse_(ember.empty(2, 2, 2), 0.1)


def test_eye_and_dirac():
    w = init.eye_(ember.empty(3, 4))
    assert w.tolist() == [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]
    d = init.dirac_(ember.empty(4, 2, 3, 3), groups=2)
    # an identity convolution for each group's first min(out, in) channels
    assert d.sum().item() == 4.0
    assert d[0, 0, 1, 1].item() == 1.0 and d[3, 1, 1, 1].item() == 1.0
    with pytest.raises(ValueError, match="Only tensors with 3, 4, or 5 dimensions"):
        init.dirac_(ember.empty(2, 2))


def test_deprecated_aliases_warn():
    with pytest.warns(FutureWarning, match="nn.init.uniform` is now deprecated"):
        init.uniform(ember.empty(2))


def test_generator_makes_init_reproducible():
    g = ember.Generator().manual_seed(123)
    a = init.kaiming_uniform_(ember.empty(5, 5), generator=g)
    g.manual_seed(123)
    b = init.kaiming_uniform_(ember.empty(5, 5), generator=g)
    assert a.equal(b)


def test_zero_element_warns():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init.kaiming_uniform_(ember.empty(0, 3))


@pytest.mark.parametrize("make,attr,bound", [
    (lambda: nn.Bilinear(50, 30, 20), "weight", 1 / math.sqrt(50)),
    (lambda: nn.Linear(64, 2000), "bias", 1 / 8),
])
def test_layer_default_inits_are_bounded(make, attr, bound):
    ember.manual_seed(6)
    values = getattr(make(), attr).detach().numpy()
    assert values.min() >= -bound and values.max() <= bound
    assert values.max() > 0.8 * bound

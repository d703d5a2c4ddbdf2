"""Creation functions, random numbers and in-place fills on the device under test."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember.testing import assert_close

from .coverage import covers


def _t(values, device, dtype=None):
    return ember.tensor(values, dtype=dtype, device=device)


def _on(t, device):
    assert t.device == ember.backends.registry.canonical(device), (t.device, device)


def test_tensor_from_data(device):
    t = _t([[1, 2], [3, 4.5]], device)
    assert t.dtype is ember.float32 and t.shape == (2, 2)
    _on(t, device)
    assert t.tolist() == [[1.0, 2.0], [3.0, 4.5]]
    assert _t(3, device).shape == () and _t(3, device).dtype is ember.int64
    assert _t([], device).dtype is ember.float32 and _t([], device).shape == (0,)
    assert _t([True, False], device).dtype is ember.bool
    assert _t([True, 1], device).dtype is ember.int64
    assert _t(np.arange(3, dtype=np.int16), device).dtype is ember.int16
    assert _t(np.float32(2.5), device).dtype is ember.float32
    assert _t([1, 2], device, ember.float64).dtype is ember.float64
    t = _t([1.0, 2.0], device)
    copy = ember.tensor(t)
    copy[0] = 5
    assert t[0].item() == 1.0  # tensor() copies
    for dtype in (ember.float16, ember.bfloat16, ember.uint8, ember.int8, ember.int32):
        assert _t([1, 2], device, dtype).tolist() == [1, 2]
    with pytest.raises((ValueError, TypeError)):
        ember.tensor([[1, 2], [3]])
    r = ember.tensor([1.0], requires_grad=True, device=device)
    assert r.requires_grad and r.is_leaf


def test_as_tensor(device):
    t = _t([1.0, 2.0], device)
    assert ember.as_tensor(t) is t
    assert ember.as_tensor(t, dtype=ember.float64).dtype is ember.float64
    a = ember.as_tensor([1, 2, 3], device=device)
    assert a.dtype is ember.int64 and a.tolist() == [1, 2, 3]
    _on(a, device)
    b = ember.as_tensor(np.array([1.5, 2.5]), device=device)
    assert b.dtype is ember.float64 and b.tolist() == [1.5, 2.5]


@covers("full", "zeros", "ones", "empty")
def test_filled(device):
    for fn, value in [(ember.zeros, 0), (ember.ones, 1)]:
        for shape in [(2, 3), (0,), ()]:
            t = fn(*shape, device=device) if shape else fn((), device=device)
            assert t.shape == shape and t.dtype is ember.float32
            _on(t, device)
            assert (t == value).all().item()
        assert fn((2, 3), device=device).shape == (2, 3)
        assert fn([2, 3], dtype=ember.int8, device=device).dtype is ember.int8
    e = ember.empty(2, 3, dtype=ember.float64, device=device)
    assert e.shape == (2, 3) and e.dtype is ember.float64
    assert ember.full((2,), 7, device=device).dtype is ember.int64
    assert ember.full((2,), True, device=device).dtype is ember.bool
    f = ember.full((2, 2), 1.5, device=device)
    assert f.dtype is ember.float32 and f.tolist() == [[1.5, 1.5], [1.5, 1.5]]
    assert ember.full((1,), math.inf, device=device).item() == math.inf
    assert ember.full((2,), 3, dtype=ember.float16, device=device).tolist() == [3.0, 3.0]
    assert ember.full((2,), -1, dtype=ember.uint8, device=device).tolist() == [255, 255]
    with pytest.raises(RuntimeError):
        ember.zeros(-1, device=device)


@covers("full", "zeros", "ones", "empty")
def test_like(device):
    x = ember.ones(2, 3, dtype=ember.int8, device=device)
    for fn in (ember.zeros_like, ember.ones_like, ember.empty_like):
        y = fn(x)
        assert y.shape == x.shape and y.dtype is ember.int8
        _on(y, device)
    assert ember.full_like(x, 7).tolist() == [[7, 7, 7]] * 2
    assert ember.zeros_like(x, dtype=ember.float32).dtype is ember.float32
    z = ember.rand_like(ember.ones(3, dtype=ember.float64, device=device))
    assert z.dtype is ember.float64
    _on(z, device)
    assert ember.randn_like(x.float()).shape == (2, 3)
    assert x.new_zeros(4).dtype is ember.int8 and x.new_ones((1, 2)).shape == (1, 2)
    assert x.new_full((2,), 3).tolist() == [3, 3]
    assert x.new_tensor([1, 2]).dtype is ember.int8


@covers("arange")
def test_arange(device):
    assert ember.arange(5, device=device).tolist() == [0, 1, 2, 3, 4]
    assert ember.arange(2, 11, 3, device=device).tolist() == [2, 5, 8]
    assert ember.arange(5, 0, -2, device=device).tolist() == [5, 3, 1]
    assert ember.arange(0, 1, 0.1, device=device).shape == (10,)
    assert_close(ember.arange(1, 2.5, 0.5, device=device),
                 ember.tensor([1.0, 1.5, 2.0], device=device))
    assert ember.arange(10, dtype=ember.float16, device=device)[-1].item() == 9.0
    assert ember.arange(3, dtype=ember.float64, device=device).dtype is ember.float64
    assert ember.arange(0, device=device).shape == (0,)
    _on(ember.arange(3, device=device), device)
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        ember.arange(0, 5, 0, device=device)
    with pytest.raises(RuntimeError):
        ember.arange(0, 5, -1, device=device)


@covers("linspace", "eye")
def test_linspace_eye(device):
    assert_close(ember.linspace(-1, 1, 5, device=device),
                 ember.tensor([-1.0, -0.5, 0.0, 0.5, 1.0], device=device))
    assert ember.linspace(0, 10, 4, dtype=ember.int64, device=device).tolist() == [0, 3, 6, 10]
    assert ember.linspace(3, 3, 1, device=device).tolist() == [3.0]
    assert ember.linspace(0, 1, 0, device=device).shape == (0,)
    x = ember.linspace(0, 1, 11, device=device)
    assert x[-1].item() == 1.0 and x.dtype is ember.float32
    assert ember.eye(2, 3, device=device).tolist() == [[1, 0, 0], [0, 1, 0]]
    assert ember.eye(3, dtype=ember.int32, device=device).sum().item() == 3
    assert ember.eye(0, device=device).shape == (0, 0)


@covers("uniform", "normal", "randint", "randperm", "bernoulli")
def test_random_functions(device):
    ember.manual_seed(0)
    u = ember.rand(2000, device=device)
    _on(u, device)
    assert u.dtype is ember.float32 and 0 <= u.min().item() and u.max().item() < 1
    assert abs(u.mean().item() - 0.5) < 0.05
    n = ember.randn(2, 1000, dtype=ember.float64, device=device)
    assert n.shape == (2, 1000) and abs(n.mean().item()) < 0.1 and abs(n.std().item() - 1) < 0.1
    r = ember.randint(3, 10, (500,), device=device)
    assert r.dtype is ember.int64 and r.min().item() == 3 and r.max().item() == 9
    assert ember.randint(5, (3,), device=device).max().item() < 5
    assert ember.randint(0, 2, (4,), dtype=ember.int8, device=device).dtype is ember.int8
    p = ember.randperm(20, device=device)
    assert p.dtype is ember.int64 and sorted(p.tolist()) == list(range(20))
    b = ember.bernoulli(ember.full((1000,), 0.25, device=device))
    assert b.dtype is ember.float32 and abs(b.mean().item() - 0.25) < 0.06
    assert set(b.unique().tolist() if hasattr(b, "unique") else b.tolist()) <= {0.0, 1.0}
    g = ember.normal(ember.zeros(2, 3, device=device), ember.ones(3, device=device))
    assert g.shape == (2, 3)
    assert ember.normal(2.0, 3.0, size=(4,), device=device).dtype is ember.float32
    with pytest.raises((RuntimeError, NotImplementedError)):
        ember.rand(2, dtype=ember.int64, device=device)


def test_manual_seed_reproducibility(device):
    ember.manual_seed(1234)
    a = (ember.rand(5, device=device), ember.randn(3, device=device),
         ember.randint(0, 100, (4,), device=device), ember.randperm(6, device=device))
    ember.manual_seed(1234)
    b = (ember.rand(5, device=device), ember.randn(3, device=device),
         ember.randint(0, 100, (4,), device=device), ember.randperm(6, device=device))
    for x, y in zip(a, b, strict=True):
        assert ember.equal(x, y)
    assert ember.initial_seed() == 1234
    ember.manual_seed(1235)
    assert not ember.equal(ember.rand(5, device=device), a[0])
    s = ember.seed()
    assert isinstance(s, int) and ember.initial_seed() == s


def test_generator(device):
    g1 = ember.Generator(device).manual_seed(7)
    g2 = ember.Generator(device).manual_seed(7)
    assert ember.equal(ember.rand(4, generator=g1, device=device),
                       ember.rand(4, generator=g2, device=device))
    assert g1.initial_seed() == 7
    state = g1.get_state()
    x = ember.randn(3, generator=g1, device=device)
    g1.set_state(state)
    assert ember.equal(x, ember.randn(3, generator=g1, device=device))
    ember.manual_seed(3)
    cpu_state = ember.get_rng_state()
    y = ember.rand(3)
    ember.set_rng_state(cpu_state)
    assert ember.equal(y, ember.rand(3))


@covers("uniform", "normal", "assign", "randint", "bernoulli")
def test_inplace_fills(device):
    ember.manual_seed(0)
    x = ember.empty(1000, device=device)
    assert x.uniform_(2, 3) is x and 2 <= x.min().item() and x.max().item() < 3
    x.normal_(5, 0.5)
    assert abs(x.mean().item() - 5) < 0.1
    assert x.fill_(1.5) is x and (x == 1.5).all().item()
    assert x.zero_() is x and (x == 0).all().item()
    i = ember.empty(100, dtype=ember.int32, device=device).random_(0, 5)
    assert i.dtype is ember.int32 and 0 <= i.min().item() and i.max().item() < 5
    r = ember.empty(200, device=device).random_(5)  # one argument: the upper bound
    assert r.min().item() >= 0 and r.max().item() == 4
    h = ember.empty(2000, dtype=ember.float16, device=device).random_()
    assert 0 <= h.min().item() and h.max().item() <= 2048  # integers float16 holds exactly
    b = ember.empty(500, device=device).bernoulli_(0.5)
    assert 0.35 < b.mean().item() < 0.65
    view = ember.zeros(3, 4, device=device)
    view[:, 1].fill_(2)
    view.t()[2].uniform_(5, 6)
    assert view[:, 1].tolist() == [2.0] * 3 and (view[:, 2] >= 5).all().item()
    assert (view[:, 0] == 0).all().item()
    leaf = ember.zeros(2, requires_grad=True, device=device)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf.fill_(1)
    with ember.no_grad():
        leaf.fill_(1)
    assert leaf.tolist() == [1.0, 1.0]

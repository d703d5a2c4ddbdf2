"""Tensor conversions to Python and NumPy, metadata, and ``to(dtype | device | tensor)``."""

from __future__ import annotations

import numpy as np
import pytest

import ember

from .coverage import covers


def test_metadata(device):
    t = ember.zeros(2, 3, 4, dtype=ember.int16, device=device)
    assert t.shape == (2, 3, 4) and isinstance(t.shape, ember.Size) and repr(t.shape) == \
        "ember.Size([2, 3, 4])"
    assert t.size() == (2, 3, 4) and t.size(0) == 2 and t.size(-1) == 4
    assert t.dim() == t.ndim == 3 and t.numel() == 24 and t.nelement() == 24
    assert t.dtype is ember.int16 and t.element_size() == 2 and t.itemsize == 2
    assert t.device == ember.device(device) or t.device == ember.backends.registry.canonical(
        device)
    assert ember.numel(t) == 24 and ember.is_tensor(t) and not ember.is_tensor([1])
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.size(3)
    assert ember.tensor(1.0, device=device).shape == ()


@covers("getitem")
def test_python_conversions(device):
    t = ember.tensor([1.5, 2.5], device=device)
    assert ember.tensor(2.5, device=device).item() == 2.5
    assert isinstance(ember.tensor(3, device=device).item(), int)
    assert ember.tensor(True, device=device).item() is True
    assert ember.tensor([7], device=device).item() == 7
    assert t.tolist() == [1.5, 2.5] and ember.tensor([[1, 2]], device=device).tolist() == [[1, 2]]
    assert ember.tensor(4.0, device=device).tolist() == 4.0
    assert ember.tensor([1.5], dtype=ember.bfloat16, device=device).tolist() == [1.5]
    assert isinstance(ember.tensor([1.5], dtype=ember.bfloat16, device=device).item(), float)
    assert float(ember.tensor([2], device=device)) == 2.0 and int(ember.tensor(3.7)) == 3
    assert [1, 2, 3][ember.tensor(1, device=device)] == 2
    assert len(t) == 2 and len(ember.zeros(0, 3, device=device)) == 0
    rows = list(ember.arange(4, device=device).reshape(2, 2))
    assert [r.tolist() for r in rows] == [[0, 1], [2, 3]]
    assert all(isinstance(r, ember.Tensor) for r in t)
    assert bool(ember.tensor([1.0], device=device)) and not bool(ember.tensor([0.0],
                                                                             device=device))
    assert f"{ember.tensor(2.5, device=device):.3f}" == "2.500"
    assert format(ember.tensor(3, device=device), "d") == "3"
    assert f"{t}" == str(t)
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(ember.tensor(1.0, device=device))
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(ember.tensor(1.0, device=device))
    with pytest.raises(RuntimeError, match="more than one value is ambiguous"):
        bool(t)
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted"):
        t.item()


def test_numpy_and_array(device):
    t = ember.tensor([[1.0, 2.0]], device=device)
    host = np.asarray(t.cpu())
    assert host.dtype == np.float32 and host.shape == (1, 2)
    assert np.asarray(t.cpu(), dtype=np.float64).dtype == np.float64
    assert t.cpu().numpy().tolist() == [[1.0, 2.0]]
    assert np.array(ember.tensor([1, 2], dtype=ember.int8).cpu()).dtype == np.int8
    assert t.detach().cpu().numpy(force=True).shape == (1, 2)
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        ember.ones(2, requires_grad=True).numpy()
    assert np.add(np.ones(2), ember.tensor([1.0, 2.0]).cpu()).tolist() == [2.0, 3.0]


@covers("astype")
def test_to(device, fake_device):
    t = ember.tensor([1.5, -2.5], device=device)
    assert t.to(ember.float64).dtype is ember.float64
    assert t.to(dtype=ember.int32).tolist() == [1, -2]
    other = ember.zeros(1, dtype=ember.float16, device=device)
    assert t.to(other).dtype is ember.float16
    assert t.to(device) is t and t.to(t.device) is t
    moved = t.to(fake_device)
    assert moved.device.type == "fake" and moved.tolist() == t.tolist()
    assert moved.to(fake_device) is moved
    back = moved.to(device)
    assert back.device == t.device and back.tolist() == [1.5, -2.5]
    assert back.data_ptr() != t.data_ptr()
    both = t.to(fake_device, ember.float64)
    assert both.device.type == "fake" and both.dtype is ember.float64
    assert t.to(ember.zeros(1, dtype=ember.int64, device=fake_device)).device.type == "fake"
    assert moved.cpu().device.type == "cpu"
    # gradients flow back across devices
    x = ember.tensor([1.0, 2.0], device=device, requires_grad=True)
    (x.to(fake_device) * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0] and x.grad.device == x.device


def test_default_device(device, fake_device):
    try:
        ember.set_default_device(fake_device)
        assert ember.zeros(2).device.type == "fake"
        assert ember.get_default_device().type == "fake"
        with ember.device(device):
            assert ember.ones(1).device == ember.backends.registry.canonical(device)
        assert ember.ones(1).device.type == "fake"
    finally:
        ember.set_default_device(None)
    assert ember.zeros(1).device.type == "cpu" or ember.get_default_device() is not None


def test_device_objects():
    d = ember.device("cpu")
    assert d.type == "cpu" and d.index is None and str(d) == "cpu"
    assert repr(d) == "device(type='cpu')"
    c = ember.device("cuda:1")
    assert c.type == "cuda" and c.index == 1 and str(c) == "cuda:1"
    assert ember.device("cuda", 1) == c and c == "cuda:1"
    assert repr(c) == "device(type='cuda', index=1)"
    assert hash(ember.device("cpu")) == hash(ember.device("cpu"))
    with pytest.raises((RuntimeError, ValueError)):
        ember.device("cuda:-1")
    with pytest.raises((RuntimeError, ValueError)):
        ember.device("cu da")


def test_methods_take_dims_and_sizes_as_separate_arguments(device):
    x = ember.arange(6.0, device=device).reshape(2, 3)
    assert x.flip(0, 1).tolist() == x.flip((0, 1)).tolist() == [[5.0, 4.0, 3.0], [2.0, 1.0, 0.0]]
    assert x.broadcast_to(2, 2, 3).shape == x.broadcast_to((2, 2, 3)).shape == (2, 2, 3)


def test_return_types_print_as_pytorch(device):
    result = ember.tensor([[1.0, 3.0]], device=device).max(1)
    assert repr(result) == (f"ember.return_types.max(\nvalues={result.values!r},\n"
                            f"indices={result.indices!r})")
    assert repr(result.values).startswith("tensor([3.]")
    assert type(result).__module__ == "ember.return_types"

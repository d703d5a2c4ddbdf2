"""What only the CPU backend promises: NumPy memory sharing, its plugin entry point, its
generator state. (The op-by-op checks are the conformance suite:
``pytest --pyargs ember.testing.conformance --device cpu``.)"""

from importlib.metadata import entry_points

import numpy as np
import pytest

import ember
from ember_cpu import CPUBackend


def test_entry_point_registers_the_cpu_backend():
    found = {ep.name: ep.value for ep in entry_points(group="ember.backends")}
    assert found.get("cpu") == "ember_cpu.plugin"
    backend = ember.backends.registry.get("cpu")
    assert isinstance(backend, CPUBackend) and backend.pip_name == "ember-backend-cpu"
    assert backend.is_available() and backend.device_count() == 1
    assert "cpu" in ember.backends.available()
    assert ember.zeros(1).device == ember.device("cpu")


def test_from_numpy_shares_memory():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = ember.from_numpy(a)
    assert t.dtype is ember.float32 and t.shape == (2, 3) and t.device.type == "cpu"
    a[0, 0] = 100
    assert t[0, 0].item() == 100
    t[1, 2] = -1
    assert a[1, 2] == -1
    assert t.data_ptr() == a.__array_interface__["data"][0]
    view = ember.from_numpy(a[:, 1])  # strided arrays keep their strides
    assert view.stride() == (3,) and view.tolist() == [1, 4]
    for dtype, expected in [(np.int8, ember.int8), (np.uint8, ember.uint8), (np.bool_, ember.bool),
                            (np.float16, ember.float16), (np.int64, ember.int64)]:
        assert ember.from_numpy(np.zeros(2, dtype)).dtype is expected
    with pytest.raises(TypeError, match="can't convert np.ndarray of type numpy.complex128"):
        ember.from_numpy(np.zeros(2, np.complex128))
    with pytest.raises(ValueError, match="negative"):
        ember.from_numpy(np.arange(3)[::-1])
    with pytest.raises(TypeError):
        ember.from_numpy([1, 2])


def test_numpy_and_as_tensor_share_memory():
    t = ember.zeros(3)
    n = t.numpy()
    n[1] = 5
    assert t[1].item() == 5
    a = np.ones(3)
    s = ember.as_tensor(a)
    a[0] = 7
    assert s[0].item() == 7
    c = ember.tensor(a)  # tensor() copies
    a[0] = 8
    assert c[0].item() == 7
    assert np.shares_memory(np.asarray(t), n)


def test_bfloat16_round_trip():
    t = ember.tensor([1.5, -2.25], dtype=ember.bfloat16)
    assert t.numpy().dtype.name == "bfloat16"
    assert ember.from_numpy(t.numpy()).dtype is ember.bfloat16
    assert t.tolist() == [1.5, -2.25]


def test_generator_state_round_trip():
    backend = ember.backends.registry.get("cpu")
    gen = backend.new_generator(42, None)
    state = backend.generator_state(gen)
    assert isinstance(state, bytes)
    first = gen.random(4)
    backend.set_generator_state(gen, state)
    assert np.array_equal(first, gen.random(4))
    assert np.array_equal(backend.new_generator(42, None).random(3),
                          backend.new_generator(42, None).random(3))


def test_kernels_are_numpy_functions_over_arrays():
    k = ember.backends.registry.get("cpu").kernels
    a = np.arange(4.0)
    assert isinstance(k.add(a, a), np.ndarray)
    assert isinstance(k.sum(a, None, False), np.ndarray)  # 0-d arrays, never scalars
    assert k.sum(a, None, False).shape == ()
    out = np.empty(4)
    assert k.mul(a, 2.0, out=out) is out and out.tolist() == [0.0, 2.0, 4.0, 6.0]
    assert isinstance(k.matmul(a.reshape(2, 2), a.reshape(2, 2)), np.ndarray)


def test_views_are_numpy_views():
    t = ember.arange(12.0).reshape(3, 4)
    base = t.numpy()
    assert np.shares_memory(t.t().numpy(), base)
    assert np.shares_memory(t[1:, ::2].numpy(), base)
    assert np.shares_memory(t.view(4, 3).numpy(), base)
    assert not np.shares_memory(t[[0, 2]].numpy(), base)

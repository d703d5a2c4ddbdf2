"""The ``Backend`` contract beyond the kernels: data movement, devices, random state."""

from __future__ import annotations

import numpy as np
import pytest

import ember

from ._harness import ALL, rng_for, values


def test_identity(backend, device):
    assert backend.name == ember.device(device).type
    assert backend.pip_name
    assert backend.is_available()
    assert backend.device_count() >= 1
    backend.synchronize()
    assert isinstance(backend.unavailable_reason(), str)


@pytest.mark.parametrize("dtype", ALL, ids=str)
def test_host_round_trip(backend, device, dtype):
    index = ember.backends.registry.canonical(device).index
    rng = rng_for("host", dtype.name)
    for shape in [(), (0,), (5,), (2, 3), (2, 0, 3)]:
        a = values(rng, shape, dtype)
        native = backend.from_host(np.array(a, copy=True), index)
        assert tuple(native.shape) == shape and native.dtype == dtype.numpy
        back = np.asarray(backend.to_host(native))
        assert back.dtype == dtype.numpy and back.shape == shape
        assert np.array_equal(back.astype(np.float64) if dtype.is_floating_point else back,
                              a.astype(np.float64) if dtype.is_floating_point else a)
    strided = values(rng, (4, 6), dtype)[:, ::2].T  # a non-contiguous host array
    back = np.asarray(backend.to_host(backend.from_host(strided, index)))
    assert np.array_equal(back, strided)


def test_data_pointers(backend, device):
    index = ember.backends.registry.canonical(device).index
    a = backend.from_host(np.arange(8, dtype=np.float32), index)
    b = backend.from_host(np.arange(8, dtype=np.float32), index)
    assert isinstance(backend.data_ptr(a), int) and backend.data_ptr(a) != backend.data_ptr(b)
    k = ember.backends.registry.canonical(device)._k
    tail = k.getitem(a, (slice(2, None),))
    assert backend.data_ptr(tail) == backend.data_ptr(a) + 2 * 4  # a view: an offset pointer
    t = ember.arange(8.0, device=device)
    assert t[3:].data_ptr() == t.data_ptr() + 3 * t.element_size()


def test_generator_state(backend, device):
    dev = ember.backends.registry.canonical(device)
    k = dev._k
    gen = backend.new_generator(1234, dev.index)
    state = backend.generator_state(gen)
    assert isinstance(state, (bytes, bytearray))
    first = np.asarray(backend.to_host(k.uniform(gen, (6,), 0.0, 1.0, ember.float32)))
    backend.set_generator_state(gen, state)
    again = np.asarray(backend.to_host(k.uniform(gen, (6,), 0.0, 1.0, ember.float32)))
    assert np.array_equal(first, again)
    g = ember.Generator(device).manual_seed(5)
    saved = g.get_state()
    assert saved.dtype is ember.uint8
    x = ember.rand(4, generator=g, device=device)
    g.set_state(saved)
    assert ember.equal(x, ember.rand(4, generator=g, device=device))

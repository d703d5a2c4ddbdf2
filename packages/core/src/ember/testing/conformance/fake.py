"""A second, in-process backend for tests that need two devices on any machine.

``FakeBackend`` is the generic NumPy kernel set under the device type ``fake``; it is
registered with ``ember.backends.registry.register`` for the duration of a test (see the
``fake_device`` fixture), which also exercises the plugin path a third-party backend takes.
"""

from __future__ import annotations

import contextlib

import numpy as np

from ...backends import Backend
from ...backends.array_api import generic_kernels


class FakeBackend(Backend):
    name = "fake"
    pip_name = "ember-backend-fake"

    def __init__(self, name="fake", available=True, ops=None):
        super().__init__()
        self.name = name
        self._available = available
        for op, fn in generic_kernels(np, returns_scalars=True).items():
            if ops is None or op in ops:
                setattr(self.kernels, op, fn)

    def is_available(self):
        return self._available

    def unavailable_reason(self):
        return "" if self._available else "the fake device is switched off"

    def from_host(self, array, index):
        return np.array(array, copy=True)  # a separate memory space, as a real device has

    def to_host(self, x):
        return x

    def shares_memory(self, x, y):
        return np.may_share_memory(x, y)

    def data_ptr(self, x):
        return x.__array_interface__["data"][0]

    def new_generator(self, seed, index):
        return np.random.Generator(np.random.PCG64(seed))

    def generator_state(self, gen):
        import json

        return json.dumps(gen.bit_generator.state).encode()

    def set_generator_state(self, gen, state):
        import json

        gen.bit_generator.state = json.loads(bytes(state).decode())


@contextlib.contextmanager
def registered(backend):
    """Register ``backend`` in ember's registry for the duration of a ``with`` block."""
    from ...backends import registry

    previous = registry.backends.get(backend.name)
    registry.register(backend)
    try:
        yield backend.name
    finally:
        registry.unregister(backend.name)
        if previous is not None:
            registry.register(previous)

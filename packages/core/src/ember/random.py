"""Random state: ``Generator``, ``manual_seed``, ``seed``, ``initial_seed`` and rng state."""

from __future__ import annotations

import random as _pyrandom

_DEFAULT_SEED = 67280421310721  # PyTorch's default seed


class Generator:
    """A random-number stream on one device (``torch.Generator``)."""

    def __init__(self, device="cpu"):
        from .backends.plugins import registry

        self._device = registry.canonical(device)
        self._seed = _DEFAULT_SEED
        self._native = None

    @property
    def device(self):
        return self._device

    @property
    def native(self):
        """The backend's generator object, created on first use."""
        if self._native is None:
            self._native = self._device._backend.new_generator(self._seed, self._device.index)
        return self._native

    def manual_seed(self, seed):
        seed = int(seed)
        if not -(2**63) <= seed < 2**64:
            raise RuntimeError(f"Overflow when unpacking long long: seed {seed} out of range")
        self._seed = seed % 2**64
        self._native = None
        return self

    def seed(self):
        self.manual_seed(_pyrandom.SystemRandom().getrandbits(63))
        return self._seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        from .ops.creation import tensor

        state = self._device._backend.generator_state(self.native)
        return tensor(list(state), dtype=_uint8())

    def set_state(self, new_state):
        data = bytes(new_state.tolist())
        self._device._backend.set_generator_state(self.native, data)
        return self

    def __repr__(self):
        return f"<ember.Generator object at {id(self):#x}>"


def _uint8():
    from . import _dtype

    return _dtype.uint8


_defaults: dict = {}
_global_seed = [_DEFAULT_SEED]


def default_generator_for(dev) -> Generator:
    """The default generator of a canonical device (seeded by ``manual_seed``)."""
    gen = _defaults.get(dev)
    if gen is None:
        gen = _defaults[dev] = Generator(dev).manual_seed(_global_seed[0])
    return gen


def manual_seed(seed) -> Generator:
    """Seed the default generator of every device; the same seed gives the same numbers."""
    seed = int(seed)
    _global_seed[0] = seed % 2**64
    for gen in _defaults.values():
        gen.manual_seed(seed)
    from .backends.plugins import registry

    return default_generator_for(registry.default_device)


def seed() -> int:
    s = _pyrandom.SystemRandom().getrandbits(63)
    manual_seed(s)
    return s


def initial_seed() -> int:
    return _global_seed[0]


def get_rng_state():
    from .backends.plugins import registry

    return default_generator_for(registry.canonical("cpu")).get_state()


def set_rng_state(new_state) -> None:
    from .backends.plugins import registry

    default_generator_for(registry.canonical("cpu")).set_state(new_state)


def fork_rng(devices=None, enabled=True):
    """Context manager that restores the default generators' states on exit."""
    import contextlib

    @contextlib.contextmanager
    def _fork():
        if not enabled:
            yield
            return
        saved = {dev: (gen._seed, gen.get_state()) for dev, gen in _defaults.items()}
        try:
            yield
        finally:
            for dev, (s, state) in saved.items():
                _defaults[dev].manual_seed(s).set_state(state)
    return _fork()

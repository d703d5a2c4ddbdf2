"""The backend registry: discovers plugins on first use and resolves devices to kernels."""

from __future__ import annotations

import warnings
from functools import partial
from importlib.metadata import entry_points

from .._device import device
from . import decompositions, hookspecs
from .base import OPS, REQUIRED, Backend

ENTRY_POINT_GROUP = "ember.backends"
KNOWN_BACKENDS = {  # device type -> the distribution that provides it
    "cpu": "ember-backend-cpu",
    "cuda": "ember-backend-cuda[cuda13]",
    "opencl": "ember-backend-opencl",
}


class Registry:
    """Installed backends by device type, and the canonical device objects tensors carry."""

    def __init__(self):
        self.backends: dict[str, Backend] = {}
        self.failed: dict[str, str] = {}  # plugin name -> error text
        self._discovered = False
        self._devices: dict[tuple, device] = {}
        self._default = None
        self._pm = None

    # -- discovery -------------------------------------------------------------
    def discover(self, wanted: str | None = None) -> None:
        """Load the ``ember.backends`` entry points; a broken plugin is reported, not fatal.

        With ``wanted`` (a device type), entry points named after one of the other known
        device types (the heavy cuda and opencl plugins) wait until their device is asked
        for; every other entry point (third-party devices, kernel providers) loads at once.
        """
        if self._discovered:
            return
        import pluggy

        if self._pm is None:
            self._pm = pluggy.PluginManager("ember")
            self._pm.add_hookspecs(hookspecs)
            self._entry_points = list(entry_points(group=ENTRY_POINT_GROUP))
        new = []
        for ep in self._entry_points:
            if self._pm.has_plugin(ep.name) or ep.name in self.failed:
                continue
            if wanted is not None and ep.name in KNOWN_BACKENDS and ep.name != wanted:
                continue
            try:
                self._pm.register(ep.load(), name=ep.name)
                new.append(ep.name)
            except Exception as exc:  # a plugin must not break `import ember`
                self._report_failure(ep.name, exc)
        if wanted is None:
            self._discovered = True
        for impl in self._pm.hook.ember_register_backends.get_hookimpls():
            if impl.plugin_name in new:
                try:
                    impl.function(registry=self)
                except Exception as exc:
                    self._report_failure(impl.plugin_name, exc)
        if new:
            self._pm.hook.ember_register_kernels(registry=self)

    def _report_failure(self, name, exc):
        self.failed[name] = f"{type(exc).__name__}: {exc}"
        warnings.warn(f"ember backend plugin {name!r} failed to load: {self.failed[name]}",
                      RuntimeWarning, stacklevel=3)

    def register(self, backend: Backend) -> Backend:
        """Add a backend (plugins call this; tests may call it in-process)."""
        if backend.is_available():
            complete_kernels(backend)
        self.backends[backend.name] = backend
        self._devices = {key: d for key, d in self._devices.items() if key[0] != backend.name}
        return backend

    def unregister(self, name: str) -> None:
        self.backends.pop(name, None)
        self._devices = {key: d for key, d in self._devices.items() if key[0] != name}
        if self._default is not None and self._default.type == name:
            self._default = None

    def override(self, backend_name: str, op: str, fn) -> None:
        """Replace one kernel of an installed backend (e.g. a faster conv for cpu)."""
        if op not in OPS:
            raise ValueError(f"unknown op {op!r}; see ember.backends.base.OPS")
        setattr(self.get(backend_name).kernels, op, fn)

    # -- lookup ----------------------------------------------------------------
    def get(self, name: str) -> Backend:
        """The backend for a device type, or a RuntimeError saying how to get one."""
        backend = self.backends.get(name)
        if backend is not None:
            return backend
        self.discover(name)
        if name not in self.backends:  # a plugin may register a device type under another name
            self.discover()
        backend = self.backends.get(name)
        if backend is not None:
            return backend
        if name in self.failed:
            raise RuntimeError(f"the ember backend {name!r} is installed but failed to load: "
                               f"{self.failed[name]}")
        if name in KNOWN_BACKENDS:
            raise RuntimeError(f"the ember {name!r} backend is not installed; install it with "
                               f"`pip install {KNOWN_BACKENDS[name]}`")
        known = sorted(set(KNOWN_BACKENDS) | set(self.backends))
        raise ValueError(f"unknown device type {name!r}; known device types: {', '.join(known)}")

    def canonical(self, dev) -> device:
        """The interned device (with its kernel table) that tensors on ``dev`` carry."""
        if dev.__class__ is not device:
            dev = device(dev)
        key = (dev.type, dev.index)
        found = self._devices.get(key)
        if found is not None:
            return found
        backend = self.get(dev.type)
        if not backend.is_available():
            raise RuntimeError(f"the ember {dev.type!r} backend is installed but no {dev.type} "
                               f"device is available: {backend.unavailable_reason()}")
        index = dev.index
        if dev.type != "cpu":
            index = 0 if index is None else index
            if index >= backend.device_count():
                raise RuntimeError(f"{dev.type} device index {index} is out of range: "
                                   f"{backend.device_count()} device(s) available")
        found = self._devices.get((dev.type, index))
        if found is None:
            found = device(dev.type, index)
            found._backend = backend
            found._k = backend.kernels_for(index)
            self._devices[(dev.type, index)] = found
        self._devices[key] = found
        return found

    # -- the default device ----------------------------------------------------
    @property
    def default_device(self) -> device:
        if self._default is None:
            self.discover("cpu")
            if "cpu" not in self.backends:
                self.discover()
            if not self.backends:
                raise RuntimeError(
                    "no ember backend is installed, so there is nowhere to put a tensor; install "
                    "one, e.g. `pip install ember-backend-cpu`" + self._failure_note())
            self._default = self.canonical("cpu" if "cpu" in self.backends
                                           else next(iter(self.backends)))
        return self._default

    @default_device.setter
    def default_device(self, dev):
        self._default = dev

    def set_default_device(self, dev) -> None:
        self._default = None if dev is None else self.canonical(dev)

    def _failure_note(self):
        if not self.failed:
            return ""
        return " (plugins that failed to load: " + "; ".join(
            f"{name}: {err}" for name, err in self.failed.items()) + ")"

    def accelerator_type(self) -> str:
        self.discover()
        for name in self.backends:
            if name != "cpu":
                return name
        return "cuda"


def complete_kernels(backend: Backend) -> None:
    """Fill the optional ops a backend lacks with core decompositions; check required ones."""
    k = backend.kernels
    missing = sorted(op for op in REQUIRED if not hasattr(k, op))
    if missing:
        raise TypeError(f"backend {backend.name!r} lacks required kernels: {', '.join(missing)}")
    for name in OPS:
        if not hasattr(k, name):
            setattr(k, name, partial(getattr(decompositions, name), k))


registry = Registry()

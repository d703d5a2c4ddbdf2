"""DLPack interop: ``ember.from_dlpack`` and ``Tensor.__dlpack__`` / ``__dlpack_device__``.

A CPU tensor exchanges memory with NumPy (and any DLPack producer or consumer on the host:
PyTorch, JAX, CuPy's host arrays, ...) without copying: ``np.from_dlpack(t)`` and
``ember.from_dlpack(array)`` share the buffer. Device tensors delegate to their backend's
native array (CuPy arrays speak DLPack) and a backend may offer ``from_dlpack(obj)``.
"""

from __future__ import annotations

_CPU, _CUDA_HOST = 1, 3  # DLPack device types that live in host memory
_DEVICE_NAMES = {2: "cuda", 4: "opencl", 7: "vulkan", 8: "metal", 10: "rocm"}


class _Capsule:
    """Makes a bare DLPack capsule (the legacy protocol) look like a producer."""

    def __init__(self, capsule):
        self.capsule = capsule

    def __dlpack__(self, stream=None, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        return (_CPU, 0)


class _Interface:
    """An ``__array_interface__`` holder that keeps the viewed array alive."""

    def __init__(self, interface, base):
        self.__array_interface__ = interface
        self.base = base


def from_dlpack(ext_tensor):
    """A tensor sharing memory with a DLPack producer (an object with ``__dlpack__``, or a
    DLPack capsule)."""
    import numpy as np

    from ._tensor import Tensor
    from .backends.plugins import registry
    from .ops.creation import from_numpy

    if isinstance(ext_tensor, Tensor):
        return ext_tensor
    legacy = not hasattr(ext_tensor, "__dlpack__")
    if legacy:
        ext_tensor = _Capsule(ext_tensor)
    dev_type, dev_id = ext_tensor.__dlpack_device__()
    if int(dev_type) in (_CPU, _CUDA_HOST):
        array = np.from_dlpack(ext_tensor)
        if legacy and not array.flags.writeable:
            # a bare (unversioned) capsule carries no read-only flag, so NumPy assumes one;
            # PyTorch treats such memory as writable, and so does ember
            iface = dict(array.__array_interface__)
            iface["data"] = (iface["data"][0], False)
            array = np.asarray(_Interface(iface, array))
        return from_numpy(array)
    name = _DEVICE_NAMES.get(int(dev_type))
    if name is not None:
        backend = registry.get(name)
        importer = getattr(backend, "from_dlpack", None)
        if importer is not None:
            from ._tensor import _wrap

            dev = registry.canonical(f"{name}:{int(dev_id)}")
            return _wrap(importer(ext_tensor), dev)
    raise RuntimeError(f"from_dlpack: unsupported device type {int(dev_type)} (no installed "
                       "ember backend imports DLPack tensors of that device)")


def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
    """The DLPack capsule of this tensor's memory (no copy)."""
    if self.requires_grad:
        raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
    data = self._data
    kwargs = {}
    if stream is not None:
        kwargs["stream"] = stream
    if max_version is not None:
        kwargs["max_version"] = max_version
    if dl_device is not None:
        kwargs["dl_device"] = dl_device
    if copy is not None:
        kwargs["copy"] = copy
    try:
        return data.__dlpack__(**kwargs)
    except TypeError:  # an older producer without the keyword arguments
        return data.__dlpack__()


def __dlpack_device__(self):
    return self._data.__dlpack_device__()


def to_dlpack(tensor):
    """A DLPack capsule of ``tensor`` (``torch.utils.dlpack.to_dlpack``)."""
    return __dlpack__(tensor)

"""The bridge between ember objects and the format layer's numpy records."""

from __future__ import annotations

import functools

import ember

from ._dtypes import TORCH_DTYPES
from ._records import RawTensor, Storage, TorchName, TorchObject, strided_view


@functools.cache
def _dtype_names() -> dict:
    """ember dtype -> PyTorch dtype name, for the dtypes ember has."""
    found = {name: getattr(ember, name, None) for name in TORCH_DTYPES}
    return {dtype: name for name, dtype in found.items() if isinstance(dtype, ember.dtype)}


def to_record(obj):
    """The format layer's record for an ember object; None for anything else."""
    if isinstance(obj, ember.Tensor):
        from ember.nn import Parameter

        array = obj.detach().cpu().numpy()
        return RawTensor(array, obj.requires_grad, isinstance(obj, Parameter), str(obj.device))
    if isinstance(obj, ember.dtype):
        return TorchName("torch", _dtype_names()[obj])
    if isinstance(obj, ember.device):
        return TorchObject(TorchName("torch", "device"), (str(obj),))
    if isinstance(obj, ember.Size):
        return TorchObject(TorchName("torch", "Size"), (tuple(obj),))
    return None


class EmberRebuilder:
    """Rebuilds a checkpoint's tensors as ember tensors on the devices ``map_location`` picks.

    ``map_location`` is None (each storage's saved location), a device or device string, a
    dict from saved location to location, or a callable ``f(storage, location)`` given a
    storage as a 1-D cpu tensor, returning a tensor on the wanted device (or None for the
    saved location). On cpu, tensors viewing one storage share its memory.
    """

    def __init__(self, map_location=None):
        self._map_location = map_location
        self._devices = {}  # Storage -> ember.device

    def tensor(self, storage: Storage, offset, size, stride, requires_grad):
        if storage not in self._devices:
            self._devices[storage] = self._device_for(storage)
        device = self._devices[storage]
        tensor = ember.from_numpy(strided_view(storage.array, offset, size, stride))
        if device.type != "cpu":
            tensor = tensor.to(device)
        return tensor.requires_grad_() if requires_grad else tensor

    def parameter(self, tensor, requires_grad):
        from ember.nn import Parameter

        return Parameter(tensor, bool(requires_grad))

    def torch_global(self, name: TorchName):
        dtype = getattr(ember, name.name, None)
        if not isinstance(dtype, ember.dtype):
            raise TypeError(f"ember has no dtype torch.{name.name}")
        return dtype

    def torch_object(self, name: TorchName, args: tuple):
        return ember.device(*args) if name.name == "device" else ember.Size(*args)

    def _device_for(self, storage: Storage):
        where = self._map_location
        if callable(where):
            moved = where(ember.from_numpy(storage.array), storage.location)
            where = None if moved is None else moved.device
        elif isinstance(where, dict):
            where = where.get(storage.location, storage.location)
        device = ember.device(storage.location if where is None else where)
        if device.type != "cpu" and device.type not in ember.backends.available():
            raise RuntimeError(
                f"Attempting to deserialize object on a {device.type.upper()} device "
                f"({device}) but ember has no available '{device.type}' backend. If you are "
                "running on a CPU-only machine, please use ember.load with "
                "map_location='cpu' to map your storages to the CPU."
            )
        return device

"""Pickling as ``torch.save`` does for its ``data.pkl``.

Tensors are reduced through ``torch._utils._rebuild_tensor_v2`` (``_rebuild_tensor_v3`` for
dtypes without a typed storage class, ``_rebuild_parameter`` around it for parameters) and
their storages become persistent ids ``('storage', storage_type, key, location, numel)``;
the storages' bytes are returned for the archive. PyTorch is not imported: its globals are
written by name.
"""

from __future__ import annotations

import io
import pickle
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._dtypes import STORAGE_NAMES, TORCH_DTYPE_NAMES
from ._records import RawTensor, TorchName, TorchObject, address, locate

DEFAULT_PROTOCOL = 2  # torch.save's

_REBUILD_TENSOR_V2 = TorchName("torch._utils", "_rebuild_tensor_v2")
_REBUILD_TENSOR_V3 = TorchName("torch._utils", "_rebuild_tensor_v3")
_REBUILD_PARAMETER = TorchName("torch._utils", "_rebuild_parameter")
_UNTYPED_STORAGE = TorchName("torch.storage", "UntypedStorage")


@dataclass(eq=False)
class _StorageRef:
    """A storage being saved; pickled as its persistent id."""

    type: TorchName
    key: str
    location: str
    numel: int
    dtype: np.dtype


def dumps(
    obj, convert: Callable | None = None, protocol: int = DEFAULT_PROTOCOL
) -> tuple[bytes, list[np.ndarray]]:
    """Pickle ``obj``; return the pickle and the storages it refers to, in key order.

    ``convert(x)`` may turn a foreign object into a ``RawTensor``, ``TorchName`` or
    ``TorchObject`` to be pickled in its place, or return None to pickle ``x`` as it is.
    """
    buffer = io.BytesIO()
    pickler = _TorchPickler(buffer, protocol, convert)
    pickler.dump(obj)
    return buffer.getvalue(), pickler.storages


class _TorchPickler(pickle._Pickler):
    """Python's own pickler taught PyTorch's names (the C pickler names only importable ones)."""

    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, protocol, convert):
        super().__init__(file, protocol)
        self._convert = convert
        self._converted = {}  # id(obj) -> (obj, record); holding obj keeps the id unique
        self._refs = {}  # (address, nbytes, location) -> _StorageRef
        self.storages = []

    def save(self, obj, save_persistent_id=True):
        if self._convert is not None:
            entry = self._converted.get(id(obj))
            if entry is None:
                record = self._convert(obj)
                entry = self._converted[id(obj)] = (obj, record)
            if entry[1] is not None:
                obj = entry[1]
        super().save(obj, save_persistent_id)

    def persistent_id(self, obj):
        if isinstance(obj, _StorageRef):
            return ("storage", obj.type, obj.key, obj.location, obj.numel)
        return None

    def _save_torch_name(self, name):
        self.write(pickle.GLOBAL + f"{name.module}\n{name.name}\n".encode())
        self.memoize(name)

    def _save_torch_object(self, obj):
        self._save_call(obj.name, obj.args, obj)

    def _save_tensor(self, tensor):
        if tensor.parameter:
            data = RawTensor(tensor.array, location=tensor.location)
            args = (data, tensor.requires_grad, OrderedDict())
            self._save_call(_REBUILD_PARAMETER, args, tensor)
            return
        storage, offset, stride = locate(tensor.array)
        ref = self._storage_ref(storage, tensor.location)
        args = (ref, offset, tensor.array.shape, stride, tensor.requires_grad, OrderedDict())
        if ref.type is _UNTYPED_STORAGE:
            name = TORCH_DTYPE_NAMES.get(storage.dtype)
            if name is None:
                raise TypeError(f"cannot save a tensor of numpy dtype {storage.dtype}")
            self._save_call(_REBUILD_TENSOR_V3, (*args, TorchName("torch", name)), tensor)
        else:
            self._save_call(_REBUILD_TENSOR_V2, args, tensor)

    dispatch[TorchName] = _save_torch_name
    dispatch[TorchObject] = _save_torch_object
    dispatch[RawTensor] = _save_tensor

    def _save_call(self, func, args, obj):
        """Pickle ``func(*args)`` and memoize the result as ``obj``."""
        self.save(func)
        self.save(args)
        self.write(pickle.REDUCE)
        self.memoize(obj)

    def _storage_ref(self, storage, location):
        key = (address(storage), storage.nbytes, location)
        ref = self._refs.get(key)
        if ref is None:
            name = STORAGE_NAMES.get(storage.dtype)
            if name is None:
                numel, storage_type = storage.nbytes, _UNTYPED_STORAGE
            else:
                numel, storage_type = storage.size, TorchName("torch", name)
            ref = _StorageRef(storage_type, str(len(self.storages)), location, numel, storage.dtype)
            self._refs[key] = ref
            self.storages.append(storage)
        elif ref.dtype != storage.dtype:
            raise RuntimeError(
                "Cannot save multiple tensors or storages that view the same data as different "
                "types"
            )
        return ref

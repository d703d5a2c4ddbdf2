"""Unpickling a checkpoint's object, restricted to safe globals unless told otherwise.

PyTorch's globals (tensor rebuild functions, storage classes, dtypes, ``torch.device``,
``torch.Size``) are answered by a rebuilder, never by importing torch. With
``weights_only=True`` the only other globals allowed are the containers and primitives
``torch.load`` allows by default, so loading a file cannot run code from it.
"""

from __future__ import annotations

import _compat_pickle
import codecs
import pickle
from collections import Counter, OrderedDict
from collections.abc import Callable

from ._dtypes import STORAGE_DTYPES, TORCH_DTYPES
from ._records import Storage, TorchName


class StorageType:
    """What a storage class such as ``torch.FloatStorage`` unpickles to: its numpy dtype."""

    def __init__(self, name, dtype):
        self.name = name
        self.dtype = dtype


def _encode(text, encoding="latin1"):
    """``_codecs.encode`` as protocol-2 pickles use it to hold bytes: latin-1 only."""
    if codecs.lookup(encoding).name != "iso8859-1":
        raise pickle.UnpicklingError(f"_codecs.encode with encoding {encoding!r} is not allowed")
    return text.encode("latin1")


SAFE_GLOBALS = {
    "collections.OrderedDict": OrderedDict,
    "collections.Counter": Counter,
    "builtins.set": set,
    "builtins.bytearray": bytearray,
    "builtins.complex": complex,
    "_codecs.encode": _encode,
}
_STORAGE_MODULES = ("torch", "torch.cuda", "torch.storage")


def refused(qualname: str) -> str:
    return (
        f"weights_only=True refused to load the global '{qualname}': only tensors, storages, "
        "containers and primitives are allowed. Loading it could run arbitrary code; pass "
        "weights_only=False only for files from a source you trust."
    )


def _python3_name(module, name):
    """The Python 3 name of a global a protocol-2 pickle names the Python 2 way."""
    if (module, name) in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[module, name]
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name


class TorchUnpickler(pickle.Unpickler):
    """Unpickles a checkpoint's object; ``persistent_load(pid)`` supplies its storages."""

    def __init__(self, file, rebuilder, weights_only: bool, persistent_load: Callable):
        super().__init__(file, encoding="utf-8")
        self._rebuilder = rebuilder
        self._weights_only = weights_only
        self._persistent_load = persistent_load
        self._dtype_names = {}  # id(dtype object) -> (dtype object, torch name)
        self._typed = {}  # (id(untyped storage), dtype) -> (untyped, typed Storage)
        self._rebuilds = {
            "_rebuild_tensor": self._rebuild_tensor,
            "_rebuild_tensor_v2": self._rebuild_tensor_v2,
            "_rebuild_tensor_v3": self._rebuild_tensor_v3,
            "_rebuild_parameter": self._rebuild_parameter,
            "_rebuild_parameter_with_state": self._rebuild_parameter_with_state,
        }

    def persistent_load(self, pid):
        return self._persistent_load(pid)

    def find_class(self, module, name):
        if module == "torch" or module.startswith("torch."):
            return self._torch_global(module, name)
        if self._weights_only:
            qualname = ".".join(_python3_name(module, name))
            if qualname not in SAFE_GLOBALS:
                raise pickle.UnpicklingError(refused(qualname))
            return SAFE_GLOBALS[qualname]
        return super().find_class(module, name)

    def _torch_global(self, module, name):
        if module == "torch._utils" and name in self._rebuilds:
            return self._rebuilds[name]
        if module in _STORAGE_MODULES and name in STORAGE_DTYPES:
            return StorageType(name, STORAGE_DTYPES[name])
        if module == "torch" and name in TORCH_DTYPES:
            dtype = self._rebuilder.torch_global(TorchName(module, name))
            self._dtype_names[id(dtype)] = (dtype, name)
            return dtype
        if module == "torch" and name in ("device", "Size"):
            torch_name = TorchName(module, name)
            return lambda *args: self._rebuilder.torch_object(torch_name, args)
        raise pickle.UnpicklingError(
            f"ember cannot load the PyTorch global '{module}.{name}': it reads dense tensors, "
            "parameters, storages, dtypes, devices and sizes (not sparse, quantized or nested "
            "tensors, tensor subclasses or pickled modules; save a state_dict instead)"
        )

    def _rebuild_tensor(self, storage, storage_offset, size, stride):
        return self._rebuilder.tensor(storage, storage_offset, size, stride, False)

    def _rebuild_tensor_v2(
        self, storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None
    ):
        return self._rebuilder.tensor(storage, storage_offset, size, stride, requires_grad)

    def _rebuild_tensor_v3(
        self, storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype,
        metadata=None,
    ):
        numpy_dtype = TORCH_DTYPES[self._dtype_names[id(dtype)][1]]
        key = (id(storage), numpy_dtype)
        if key not in self._typed:
            typed = Storage(storage.array.view(numpy_dtype), storage.location)
            self._typed[key] = (storage, typed)
        typed = self._typed[key][1]
        return self._rebuilder.tensor(typed, storage_offset, size, stride, requires_grad)

    def _rebuild_parameter(self, data, requires_grad, backward_hooks):
        return self._rebuilder.parameter(data, requires_grad)

    def _rebuild_parameter_with_state(self, data, requires_grad, backward_hooks, state):
        parameter = self._rebuilder.parameter(data, requires_grad)
        for part in state if isinstance(state, tuple) else (state,):
            for key, value in (part or {}).items():
                if key.startswith("_"):
                    raise pickle.UnpicklingError(f"refused to set {key!r} on a parameter")
                setattr(parameter, key, value)
        return parameter

"""PyTorch's legacy checkpoint format (before torch 1.6), read-only.

Pickles one after another: the magic number, the protocol version, ``sys_info``, the object
(storages as persistent ids ``('storage', storage_type, key, location, numel, view)``), the
list of storage keys; then for each key its element count (int64) and its raw bytes.
The storages' dtypes are only known from the object's pickle, which comes first, so that
pickle is scanned once with inert stand-ins for every global, then loaded for real.
"""

from __future__ import annotations

import operator
import pickle
import sys

import numpy as np

from ._buffers import read_storage
from ._dtypes import STORAGE_DTYPES
from ._records import Storage
from ._unpickler import TorchUnpickler

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001


def read_legacy(file, rebuilder, weights_only: bool):
    """Read the object of a legacy checkpoint from a seekable binary file."""

    def header():
        return TorchUnpickler(file, rebuilder, weights_only, _no_storages).load()

    if header() != MAGIC_NUMBER:
        raise RuntimeError("Invalid magic number; corrupt file?")
    version = header()
    if version != PROTOCOL_VERSION:
        raise RuntimeError(f"Invalid protocol version: {version}")
    little = header().get("little_endian", True)
    start = file.tell()
    scanner = _Scanner(file)
    scanner.load()
    swap = little != (sys.byteorder == "little")
    storages = {}
    for key in header():
        dtype, numel, location = scanner.storages[key]
        count = read_storage(file, np.dtype(np.int64), 1, swap)[0]
        if count != numel:
            raise RuntimeError(f"corrupt checkpoint: storage {key} holds {count} elements, "
                               f"expected {numel}")
        storages[key] = Storage(read_storage(file, dtype, numel, swap), location)
    file.seek(start)
    views = {}

    def persistent_load(pid):
        _, _, key, _, _, view = _storage_id(pid)
        if view is None:
            return storages[key]
        view_key, offset, size = view
        if view_key not in views:
            array = storages[key].array[offset:offset + size]
            views[view_key] = Storage(array, storages[key].location)
        return views[view_key]

    return TorchUnpickler(file, rebuilder, weights_only, persistent_load).load()


def _no_storages(pid):
    raise pickle.UnpicklingError("corrupt checkpoint: a storage in a header pickle")


def _storage_id(pid: tuple) -> tuple:
    kind = pid[0].decode("ascii") if isinstance(pid[0], bytes) else pid[0]
    if kind != "storage":
        raise pickle.UnpicklingError(
            f"unsupported persistent id {kind!r}: checkpoints of whole modules need PyTorch; "
            "save and load a state_dict instead"
        )
    return pid


class _Stub:
    """An inert stand-in for every global and object while scanning a pickle: runs no code."""

    qualname = ""

    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return _Stub()

    def __setstate__(self, state):
        pass

    def __setitem__(self, key, value):
        pass

    def append(self, item):
        pass

    def extend(self, items):
        pass

    def add(self, item):
        pass


class _Scanner(pickle.Unpickler):
    """Reads through a pickle, collecting the storages its persistent ids describe."""

    def __init__(self, file):
        super().__init__(file, encoding="utf-8")
        self.storages = {}  # key -> (numpy dtype, numel, location)

    def find_class(self, module, name):
        return type("Stub", (_Stub,), {"qualname": f"{module}.{name}"})

    def persistent_load(self, pid):
        _, storage_type, key, location, numel, _ = _storage_id(pid)
        module, _, name = getattr(storage_type, "qualname", "").rpartition(".")
        if module not in ("torch", "torch.cuda") or name not in STORAGE_DTYPES:
            raise pickle.UnpicklingError(f"corrupt checkpoint: unknown storage type in {pid!r}")
        self.storages[key] = (STORAGE_DTYPES[name], operator.index(numel), location)
        return _Stub()

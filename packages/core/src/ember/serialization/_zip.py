"""PyTorch's zip checkpoint format (torch >= 1.6), version 3.

An uncompressed zip whose records share one top-level folder: ``data.pkl`` (the pickled
object), ``byteorder``, ``data/<key>`` (each storage's raw bytes, 64-byte aligned as torch
aligns them) and ``version``.
"""

from __future__ import annotations

import operator
import struct
import sys
import zipfile

import numpy as np

from ._buffers import read_storage
from ._records import Storage
from ._unpickler import StorageType, TorchUnpickler

_ALIGNMENT = 64
_LOCAL_HEADER = 30  # bytes of a zip local file header before its name
_ZIP64_EXTRA = 20  # bytes zipfile appends to the extra field of a zip64 record


def write_archive(file, pickled: bytes, storages: list[np.ndarray], prefix="archive") -> None:
    """Write the records of a checkpoint to a binary file."""
    with zipfile.ZipFile(file, "w", zipfile.ZIP_STORED) as archive:
        _write_record(archive, f"{prefix}/data.pkl", pickled)
        _write_record(archive, f"{prefix}/byteorder", sys.byteorder.encode())
        for key, storage in enumerate(storages):
            _write_record(archive, f"{prefix}/data/{key}", storage.view(np.uint8))
        _write_record(archive, f"{prefix}/version", b"3\n")


def _write_record(archive: zipfile.ZipFile, name: str, data) -> None:
    """Add one stored record, padding its local header so the data starts 64-byte aligned."""
    info = zipfile.ZipInfo(name)
    info.file_size = len(data)
    zip64 = info.file_size * 1.05 > zipfile.ZIP64_LIMIT  # zipfile's own test
    header = _LOCAL_HEADER + len(name.encode()) + 4 + (_ZIP64_EXTRA if zip64 else 0)
    padding = -(archive.fp.tell() + header) % _ALIGNMENT
    info.extra = struct.pack("<2sH", b"FB", padding) + b"Z" * padding
    with archive.open(info, "w") as record:
        record.write(data)


def read_archive(file, rebuilder, weights_only: bool):
    """Read the object of a zip checkpoint, rebuilding its tensors with ``rebuilder``."""
    with zipfile.ZipFile(file) as archive:
        names = archive.namelist()
        prefix = names[0].split("/", 1)[0] if names else ""
        if f"{prefix}/data.pkl" not in names:
            raise RuntimeError("not a PyTorch checkpoint: the zip file has no data.pkl")
        swap = False
        if f"{prefix}/byteorder" in names:
            swap = archive.read(f"{prefix}/byteorder").decode() != sys.byteorder
        storages = {}

        def persistent_load(pid):
            kind, storage_type, key, location, numel = pid
            if kind != "storage" or not isinstance(storage_type, StorageType):
                raise RuntimeError(f"corrupt checkpoint: unknown persistent id {pid!r}")
            if key not in storages:
                name = f"{prefix}/data/{key}"
                nbytes = operator.index(numel) * storage_type.dtype.itemsize
                if archive.getinfo(name).file_size != nbytes:
                    raise RuntimeError(f"corrupt checkpoint: {name} does not hold {nbytes} bytes")
                with archive.open(name) as record:
                    array = read_storage(record, storage_type.dtype, numel, swap)
                storages[key] = Storage(array, location)
            return storages[key]

        with archive.open(f"{prefix}/data.pkl") as data:
            return TorchUnpickler(data, rebuilder, weights_only, persistent_load).load()

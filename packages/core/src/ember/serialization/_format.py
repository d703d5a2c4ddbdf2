"""Reading and writing PyTorch checkpoints at the numpy level, whatever the format."""

from __future__ import annotations

import io
from collections.abc import Callable

from ._legacy import read_legacy
from ._pickler import DEFAULT_PROTOCOL, dumps
from ._zip import read_archive, write_archive

_ZIP_MAGIC = b"PK\x03\x04"


def write(obj, file, convert: Callable | None = None, protocol: int = DEFAULT_PROTOCOL) -> None:
    """Write ``obj`` to a binary file in PyTorch's zip format (see ``dumps`` for ``convert``)."""
    pickled, storages = dumps(obj, convert, protocol)
    write_archive(file, pickled, storages)


def read(file, rebuilder, weights_only: bool = True):
    """Read a zip or legacy PyTorch checkpoint from a binary file, rebuilding its tensors."""
    if not file.seekable():
        file = io.BytesIO(file.read())
    start = file.tell()
    magic = file.read(len(_ZIP_MAGIC))
    file.seek(start)
    if magic == _ZIP_MAGIC:
        return read_archive(file, rebuilder, weights_only)
    return read_legacy(file, rebuilder, weights_only)

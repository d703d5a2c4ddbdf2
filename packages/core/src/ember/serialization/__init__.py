"""``ember.save`` and ``ember.load``: checkpoints in PyTorch's own file formats.

ember writes PyTorch's zip format, so ``torch.load`` reads ember's files, and reads both the
zip and the legacy (pre-1.6) formats, so published PyTorch weights load without PyTorch.
Loading is safe by default: ``weights_only=True`` refuses anything beyond tensors,
containers and primitives.
"""

from __future__ import annotations

import os

from ._atomic import atomic_path
from ._ember import EmberRebuilder, to_record
from ._format import read, write
from ._pickler import DEFAULT_PROTOCOL

__all__ = ["load", "save"]


def save(obj, f, *, pickle_protocol: int = DEFAULT_PROTOCOL) -> None:
    """Save ``obj`` (tensors, state dicts, optimizer state, containers) to ``f``.

    ``f`` is a path, written atomically (a temporary file next to it is fsynced, then renamed
    over it), or a binary file object.
    """
    if isinstance(f, (str, os.PathLike)):
        with atomic_path(f) as temporary, open(temporary, "wb") as file:
            write(obj, file, to_record, pickle_protocol)
    else:
        write(obj, f, to_record, pickle_protocol)


def load(f, map_location=None, *, weights_only: bool = True):
    """Load an object saved by ``ember.save`` or ``torch.save`` from a path or binary file.

    ``map_location`` picks the device of each storage: None keeps the saved one (an error if
    that device is unavailable), or a device, a device string, a dict from saved location to
    location, or a callable ``f(storage, location)`` (see ``EmberRebuilder``). With
    ``weights_only=False`` any pickled object loads, which can run code from the file: use it
    only for files you trust.
    """
    rebuilder = EmberRebuilder(map_location)
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as file:
            return read(file, rebuilder, weights_only)
    return read(f, rebuilder, weights_only)

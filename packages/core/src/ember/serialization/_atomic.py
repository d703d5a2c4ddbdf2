"""Replacing a file atomically: a crash never leaves a partial file at the destination."""

from __future__ import annotations

import contextlib
import os
import secrets


@contextlib.contextmanager
def atomic_path(path):
    """Yield a new temporary path next to ``path``; when the block succeeds, move it there.

    The temporary file is fsynced, then renamed over ``path`` (``os.replace`` is atomic), then
    the directory is fsynced. If the block raises, the temporary file is removed and ``path``
    is left as it was.
    """
    target = os.path.realpath(os.fspath(path))
    directory, name = os.path.split(target)
    temporary = os.path.join(directory, f".{name}.{secrets.token_hex(8)}.tmp")
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield temporary
        _fsync(temporary, os.O_RDWR)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    if os.name == "posix":
        _fsync(directory, os.O_RDONLY)


def _fsync(path, flags):
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

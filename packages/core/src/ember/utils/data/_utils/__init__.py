"""Helpers of the DataLoader: collation, fetching, worker processes, memory pinning."""

from __future__ import annotations

import sys
import traceback

MP_STATUS_CHECK_INTERVAL = 5.0
"""Seconds between checks that the other side of a worker pipe is still alive."""

class KeyErrorMessage(str):
    """A str whose repr is itself, so a re-raised KeyError shows its traceback readably."""

    __slots__ = ()

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception and its formatted traceback, carried across a process boundary.

    Only the type and the text travel (the traceback object would keep frames alive and
    does not pickle); :meth:`reraise` raises the same type with a message that starts
    ``Caught ValueError in DataLoader worker process 0.`` followed by the original
    traceback.
    """

    def __init__(self, exc_info=None, where="in background"):
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_name = self.exc_type.__name__
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_name} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exception


from . import collate, fetch, pin_memory, worker  # noqa: E402

__all__ = ["ExceptionWrapper", "MP_STATUS_CHECK_INTERVAL", "collate", "fetch", "pin_memory",
           "worker"]

"""Keep freed memory in the process between training steps (glibc only).

A training step allocates and frees the same large arrays every iteration. With glibc's
defaults the heap top is handed back to the system when those arrays are freed, so the next
step touches fresh pages: thousands of page faults per step, costing as much as a large
matmul. Fixing the mmap threshold at 32 MiB and raising the trim threshold to 512 MiB lets
glibc reuse that memory instead (resident memory then stays at the step's peak, as with a
caching allocator). Set ``EMBER_CPU_MALLOC_TUNING=0`` to leave the allocator alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_done = False


def tune() -> bool:
    """Apply the settings once per process; True when they were applied."""
    global _done
    if _done:
        return True
    _done = True
    if os.environ.get("EMBER_CPU_MALLOC_TUNING", "1") == "0" or not sys.platform.startswith(
            "linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(_M_MMAP_THRESHOLD, 32 << 20) and
                mallopt(_M_TRIM_THRESHOLD, 512 << 20))

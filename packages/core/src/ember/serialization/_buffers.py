"""Reading a storage's raw bytes from a file."""

from __future__ import annotations

import numpy as np


def read_storage(file, dtype: np.dtype, numel: int, swap: bool) -> np.ndarray:
    """Read ``numel`` elements of ``dtype`` into a new 1-D array, byte-swapped if ``swap``."""
    array = np.empty(numel, dtype)
    view = memoryview(array.view(np.uint8))
    done = 0
    while done < len(view):
        count = file.readinto(view[done:])
        if not count:
            raise RuntimeError(f"checkpoint ends early: a storage misses {len(view) - done} bytes")
        done += count
    return array.byteswap(inplace=True) if swap else array

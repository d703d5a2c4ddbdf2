"""safetensors files of ember tensors, through the ``safetensors`` package's numpy API.

The names and signatures are those of ``safetensors.torch``. Tensors are stored as
contiguous copies; bfloat16 is stored as safetensors' ``BF16``.
"""

from __future__ import annotations

import ml_dtypes
import numpy as np
import safetensors
import safetensors.numpy

import ember
from ember.serialization._atomic import atomic_path

__all__ = ["load", "load_file", "save", "save_file"]

_DTYPES = {  # safetensors dtype -> numpy dtype
    "F64": np.float64, "F32": np.float32, "F16": np.float16, "BF16": ml_dtypes.bfloat16,
    "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8,
    "U64": np.uint64, "U32": np.uint32, "U16": np.uint16, "U8": np.uint8, "BOOL": np.bool_,
}


def save(tensors: dict, metadata: dict | None = None) -> bytes:
    """The bytes of a safetensors file holding ``tensors`` (a dict from name to tensor)."""
    return safetensors.numpy.save(_to_numpy(tensors), metadata=metadata)


def save_file(tensors: dict, filename, metadata: dict | None = None) -> None:
    """Write ``tensors`` to a safetensors file, atomically."""
    arrays = _to_numpy(tensors)
    with atomic_path(filename) as temporary:
        safetensors.numpy.save_file(arrays, temporary, metadata=metadata)


def load(data: bytes) -> dict:
    """The tensors of a safetensors file's bytes, on cpu."""
    return {
        name: ember.from_numpy(
            np.frombuffer(view["data"], _DTYPES[view["dtype"]]).reshape(view["shape"])
        )
        for name, view in safetensors.deserialize(data)
    }


def load_file(filename, device="cpu") -> dict:
    """The tensors of a safetensors file, on ``device``."""
    arrays = safetensors.numpy.load_file(filename)
    return {name: ember.from_numpy(array).to(device) for name, array in arrays.items()}


def _to_numpy(tensors: dict) -> dict:
    if not isinstance(tensors, dict) or not all(
        isinstance(name, str) and isinstance(tensor, ember.Tensor)
        for name, tensor in tensors.items()
    ):
        raise TypeError("expected a dict from str to ember.Tensor")
    return {
        name: np.asarray(tensor.detach().cpu().numpy(), order="C")
        for name, tensor in tensors.items()
    }

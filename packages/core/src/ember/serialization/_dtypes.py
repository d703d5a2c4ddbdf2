"""PyTorch's dtype and storage-class names, and the numpy dtypes they hold."""

import ml_dtypes
import numpy as np

# torch.<name> dtype -> numpy dtype, for every dtype a numpy array can hold.
TORCH_DTYPES = {
    name: np.dtype(numpy_dtype)
    for name, numpy_dtype in {
        "float64": np.float64,
        "float32": np.float32,
        "float16": np.float16,
        "bfloat16": ml_dtypes.bfloat16,
        "complex128": np.complex128,
        "complex64": np.complex64,
        "int64": np.int64,
        "int32": np.int32,
        "int16": np.int16,
        "int8": np.int8,
        "uint64": np.uint64,
        "uint32": np.uint32,
        "uint16": np.uint16,
        "uint8": np.uint8,
        "bool": np.bool_,
        "float8_e4m3fn": ml_dtypes.float8_e4m3fn,
        "float8_e4m3fnuz": ml_dtypes.float8_e4m3fnuz,
        "float8_e5m2": ml_dtypes.float8_e5m2,
        "float8_e5m2fnuz": ml_dtypes.float8_e5m2fnuz,
    }.items()
}
TORCH_DTYPE_NAMES = {numpy_dtype: name for name, numpy_dtype in TORCH_DTYPES.items()}

# torch.<name> typed storage class -> numpy dtype; UntypedStorage holds bytes.
STORAGE_DTYPES = {
    "DoubleStorage": TORCH_DTYPES["float64"],
    "FloatStorage": TORCH_DTYPES["float32"],
    "HalfStorage": TORCH_DTYPES["float16"],
    "BFloat16Storage": TORCH_DTYPES["bfloat16"],
    "ComplexDoubleStorage": TORCH_DTYPES["complex128"],
    "ComplexFloatStorage": TORCH_DTYPES["complex64"],
    "LongStorage": TORCH_DTYPES["int64"],
    "IntStorage": TORCH_DTYPES["int32"],
    "ShortStorage": TORCH_DTYPES["int16"],
    "CharStorage": TORCH_DTYPES["int8"],
    "ByteStorage": TORCH_DTYPES["uint8"],
    "BoolStorage": TORCH_DTYPES["bool"],
    "UntypedStorage": TORCH_DTYPES["uint8"],
}
# Dtypes with a typed storage class; the others are saved as UntypedStorage bytes.
STORAGE_NAMES = {
    numpy_dtype: name for name, numpy_dtype in STORAGE_DTYPES.items() if name != "UntypedStorage"
}

"""Shared fixtures: the checkpoints real PyTorch wrote, and how to describe tensors like them.

``tools/make_serialization_fixtures.py`` wrote the checkpoints and ``expected.json``, which
describes each tensor by its path in the object: dtype, shape, stride, storage offset,
autograd flags, which storage it views (numbered per file) and its bytes as hex.
"""

import json
import pathlib

import numpy as np
import pytest

from ember.serialization._dtypes import TORCH_DTYPE_NAMES
from ember.serialization._records import address, locate

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "serialization"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text())


def flatten(obj, tensor_type, path=""):
    """[(path, tensor)] for the tensors in nested dicts, lists and tuples, as the tool does."""
    if isinstance(obj, tensor_type):
        return [(path, obj)]
    if isinstance(obj, dict):
        items = obj.items()
    elif isinstance(obj, (list, tuple)):
        items = enumerate(obj)
    else:
        return []
    found = []
    for key, value in items:
        found += flatten(value, tensor_type, f"{path}/{key}" if path else str(key))
    return found


def describe(obj, tensor_type, unpack):
    """{path: spec} for the tensors in ``obj``, as expected.json has them.

    ``unpack(tensor)`` gives (numpy array, requires_grad, is a parameter).
    """
    storages = {}
    specs = {}
    for path, tensor in flatten(obj, tensor_type):
        array, requires_grad, parameter = unpack(tensor)
        storage, offset, stride = locate(array)
        specs[path] = {
            "dtype": TORCH_DTYPE_NAMES[array.dtype],
            "hex": np.ascontiguousarray(array).tobytes().hex(),
            "offset": offset,
            "parameter": parameter,
            "requires_grad": requires_grad,
            "shape": list(array.shape),
            "storage": storages.setdefault(address(storage), len(storages)),
            "stride": list(stride),
        }
    return specs


@pytest.fixture
def describe_tensors():
    """The ``describe`` function (test modules cannot import conftest)."""
    return describe


@pytest.fixture(params=sorted(EXPECTED), ids=str)
def torch_file(request):
    """(path of a checkpoint PyTorch wrote, {tensor path: spec})."""
    return FIXTURES / request.param, EXPECTED[request.param]

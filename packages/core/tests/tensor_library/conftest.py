"""Shared helpers of the tensor-library tests: the PyTorch reference fixture and decoding."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

import ember

FIXTURE = (pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "tensor_library"
           / "torch_reference.json")


@pytest.fixture(scope="session")
def reference():
    """The fixture written by tools/make_tensor_library_fixtures.py (with PyTorch)."""
    return json.loads(FIXTURE.read_text())


def decode(spec):
    """A fixture entry as an ember tensor, a tuple of them, or a Python number."""
    if "tuple" in spec:
        return tuple(decode(s) for s in spec["tuple"])
    if "scalar" in spec:
        return spec["scalar"]
    dtype = getattr(ember, spec["dtype"])
    data = np.array(spec["data"], dtype=dtype.numpy if dtype is not ember.bool else bool)
    return ember.tensor(data.reshape(spec["shape"]), dtype=dtype)


def assert_matches(actual, spec, what, rtol, atol, exact_dtype=True):
    """Compare an ember result with a fixture entry (tuples element by element)."""
    if "tuple" in spec:
        assert isinstance(actual, tuple), f"{what}: expected a tuple, got {type(actual)}"
        assert len(actual) == len(spec["tuple"]), f"{what}: {len(actual)} outputs"
        for i, (a, s) in enumerate(zip(actual, spec["tuple"])):
            assert_matches(a, s, f"{what}[{i}]", rtol, atol, exact_dtype)
        return
    if "scalar" in spec:
        assert actual == spec["scalar"], f"{what}: {actual} != {spec['scalar']}"
        return
    assert isinstance(actual, ember.Tensor), f"{what}: got {type(actual).__name__}"
    if exact_dtype:
        assert actual.dtype.name == spec["dtype"], f"{what}: dtype {actual.dtype} != " \
                                                   f"{spec['dtype']}"
    assert list(actual.shape) == spec["shape"], f"{what}: shape {list(actual.shape)} != " \
                                                f"{spec['shape']}"
    got = np.asarray(actual.detach().numpy(), dtype=np.float64).reshape(-1)
    want = np.asarray(spec["data"], dtype=np.float64).reshape(-1)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def tensors(rng, *shapes, dtype=ember.float64, requires_grad=True, low=-2.0, high=2.0):
    out = []
    for shape in shapes:
        t = ember.tensor(rng.uniform(low, high, shape), dtype=dtype)
        out.append(t.requires_grad_(requires_grad) if dtype.is_floating_point else t)
    return out if len(out) != 1 else out[0]

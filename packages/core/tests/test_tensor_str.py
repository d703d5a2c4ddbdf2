"""Tensor printing must match PyTorch exactly; expected strings come from real torch.

The fixture is written by ``packages/core/tools/make_tensor_str_fixtures.py``.
"""

import importlib.util
import json
import pathlib
import sys

import numpy as np
import pytest

_ROOT = pathlib.Path(__file__).resolve().parents[1]
_FIXTURE = json.loads((_ROOT / "tests" / "fixtures" / "tensor_str.json").read_text())


def _load(name, path):
    """Import a module from its file, so a half-written ember package does not get in the way."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


try:
    from ember import _tensor_str as ts
except Exception:  # ember itself may not import yet; the printer only needs numpy
    ts = _load("_ember_tensor_str", _ROOT / "src" / "ember" / "_tensor_str.py")
# The fixture's reader lives next to its writer; importing it does not import torch.
decode_values = _load(
    "_make_tensor_str_fixtures", _ROOT / "tools" / "make_tensor_str_fixtures.py"
).decode_values


@pytest.fixture(autouse=True)
def _default_printoptions():
    ts.set_printoptions(profile="default")
    yield
    ts.set_printoptions(profile="default")


@pytest.mark.parametrize("case", _FIXTURE["cases"], ids=lambda c: c["name"])
def test_matches_pytorch(case):
    ts.set_printoptions(**case["options"])
    got = ts.format_tensor(
        decode_values(case["values"]),
        dtype_name=case["dtype_name"],
        is_default_dtype=case["is_default_dtype"],
        device=case["device"],
        requires_grad=case["requires_grad"],
        grad_fn_name=case["grad_fn_name"],
        prefix=case["prefix"],
    )
    assert got == case["expected"]


@pytest.mark.parametrize("case", _FIXTURE["option_cases"], ids=lambda c: c["name"])
def test_printoptions_match_pytorch(case):
    for kwargs in case["calls"]:
        ts.set_printoptions(**kwargs)
    assert repr(ts.get_printoptions()) == case["expected"]


def _fmt(values, **kwargs):
    args = dict(
        dtype_name="float32", is_default_dtype=True, device=None, requires_grad=False,
        grad_fn_name=None,
    )
    return ts.format_tensor(np.asarray(values, dtype=np.float32), **{**args, **kwargs})


def test_device_suffix():
    # PyTorch's format (no CUDA oracle here): device comes first, then dtype, then autograd.
    assert _fmt([1, 2, 3], device="cuda:0") == "tensor([1., 2., 3.], device='cuda:0')"
    assert (
        _fmt([1, 2], device="cuda:1", requires_grad=True, dtype_name="float16",
             is_default_dtype=False)
        == "tensor([1., 2.], device='cuda:1', dtype=ember.float16, requires_grad=True)"
    )
    assert _fmt([], device="cuda:0") == "tensor([], device='cuda:0')"


def test_printoptions_context_manager_restores():
    with ts.printoptions(precision=2, sci_mode=True):
        assert _fmt([1.5]) == "tensor([1.50e+00])"
    assert _fmt([1.5]) == "tensor([1.5000])"
    assert ts.get_printoptions()["precision"] == 4


def test_str_is_repr():
    assert ts.format_tensor_str is ts.format_tensor

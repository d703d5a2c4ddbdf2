"""Ops against outputs and gradients recorded with PyTorch (tools/make_tensor_library_fixtures.py).

Each case is a PyTorch expression; it is evaluated here with ``torch`` bound to ``ember``,
which is the point of the API.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import ember

from .conftest import FIXTURE, assert_matches, decode

_DATA = json.loads(FIXTURE.read_text())
_TIES_UNSPECIFIED = ("torch.topk", "torch.kthvalue")  # PyTorch leaves tied indices unspecified


def _env(inputs):
    env = {name: decode(spec) for name, spec in inputs.items()}
    env["torch"] = ember
    return env


def _run(expr, env):
    code = expr
    if ";" in expr:
        setup, code = expr.rsplit(";", 1)
        exec(setup, env)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return eval(code, env)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("expr", list(_DATA["cases"]["float64"]["outputs"]))
def test_case(expr, dtype):
    table = _DATA["cases"][dtype]
    env = _env(table["inputs"])
    result = _run(expr, env)
    expected = table["outputs"][expr]
    rtol, atol = (1e-9, 1e-12) if dtype == "float64" else (2e-5, 2e-6)
    if expr.startswith("torch.linalg") or "cdist" in expr or "cholesky" in expr:
        rtol, atol = (1e-8, 1e-10) if dtype == "float64" else (1e-4, 1e-5)
    if expr.startswith("torch.unique(nans"):  # PyTorch's order of the NaNs is arbitrary
        values, inverse, counts = result
        assert_matches(values, expected["tuple"][0], expr, rtol, atol)
        assert_matches(counts, expected["tuple"][2], expr, 0, 0)
        np.testing.assert_array_equal(values[inverse].numpy(), env["nans"].numpy())
        return
    if expr.startswith(_TIES_UNSPECIFIED):
        values, indices = result
        assert_matches(values, expected["tuple"][0], expr, rtol, atol)
        source = eval(expr.split("(")[1].split(",")[0], env)
        dim = int(expr.rstrip(")").split(",")[2]) if expr.count(",") >= 2 and \
            "largest" not in expr.split(",")[2] else -1
        if expr.startswith("torch.kthvalue"):
            picked = source.gather(dim, indices.unsqueeze(dim)).squeeze(dim)
        else:
            picked = source.gather(dim, indices)
        np.testing.assert_array_equal(picked.numpy(), values.numpy(), err_msg=expr)
        return
    assert_matches(result, expected, expr, rtol, atol)


@pytest.mark.parametrize("expr", list(_DATA["grads"]))
def test_grad(expr):
    case = _DATA["grads"][expr]
    env = _env({k: v for k, v in _DATA["cases"]["float64"]["inputs"].items()})
    for name in case["wrt"]:
        env[name] = env[name].double().requires_grad_(True)
    out = _run(expr, env)
    assert_matches(out, case["out"], expr + " (forward)", 1e-9, 1e-12)
    grads = ember.autograd.grad(out, [env[n] for n in case["wrt"]], decode(case["grad_output"]),
                                allow_unused=True)
    for name, got, want in zip(case["wrt"], grads, case["grads"]):
        if want is None:
            assert got is None or not np.any(got.numpy()), f"{expr}: grad of {name}"
            continue
        assert_matches(got, want, f"{expr}: grad of {name}", 1e-8, 1e-10)

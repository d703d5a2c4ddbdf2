"""Run the PyTorch-made layer fixtures (tests/fixtures/nn, tools/make_nn_fixtures.py)."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "nn"
CASES = json.loads((FIXTURES / "layers.json").read_text())
META = json.loads((FIXTURES / "meta.json").read_text())
_ARRAYS = None


def arrays():
    global _ARRAYS
    if _ARRAYS is None:
        with np.load(FIXTURES / "layers.npz") as data:
            _ARRAYS = {k: data[k] for k in data.files}
    return _ARRAYS


def cases(*targets, kind="module"):
    """The fixture cases of these module (or functional) names, as pytest params."""
    return [pytest.param(c, id=c["name"]) for c in CASES
            if c["target"] in targets and c["kind"] == kind]


def _tensor(a, device):
    return ember.tensor(a, device=device)


def _resolve(value, case, device):
    if isinstance(value, dict) and "tensor" in value:
        return _tensor(arrays()[f"{case['name']}/t/{value['tensor']}"], device)
    if isinstance(value, list):
        return [_resolve(v, case, device) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v, case, device) for k, v in value.items()}
    if value == "float64":
        return ember.float64
    return value


def _pre(t, op):
    name, _, arg = op.partition(":")
    if name == "log_softmax":
        return t.log_softmax(int(arg))
    if name == "softmax":
        return t.softmax(int(arg))
    if name == "sigmoid":
        return t.sigmoid()
    if name == "mul":
        return t * float(arg)
    raise ValueError(op)


def close(actual, expected, rtol=1e-7, atol=1e-10, what=""):
    got = actual.detach().cpu().numpy() if isinstance(actual, ember.Tensor) else actual
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, err_msg=what)
    if isinstance(actual, ember.Tensor):
        assert tuple(actual.shape) == tuple(np.shape(expected)), what


def run_case(case, device):
    """Forward and backward of one case on ``device``, checked against PyTorch's numbers."""
    name = case["name"]
    data = arrays()
    tol = dict(rtol=1e-7, atol=1e-10) if case.get("tol") is None else case["tol"]
    args = _resolve(case["args"], case, device)
    kwargs = _resolve(case["kwargs"], case, device)
    n_in = sum(1 for k in data if k.startswith(f"{name}/in"))
    leaves = []
    for i in range(n_in):
        t = _tensor(data[f"{name}/in{i}"], device)
        gi = case["gi"]
        if t.is_floating_point() and case["grads"] and (gi is None or i in gi):
            t.requires_grad_(True)
        leaves.append(t)
    inputs = [_pre(t, case["pre"][str(i)]) if str(i) in case["pre"] else t
              for i, t in enumerate(leaves)]
    params = {}
    if case["kind"] == "module":
        mod = getattr(nn, case["target"])(*args, **kwargs).double().to(device)
        sd = {k: _tensor(data[f"{name}/sd/{k}"], device) for k in case["state_dict_keys"]}
        assert list(mod.state_dict().keys()) == case["state_dict_keys"]
        result = mod.load_state_dict(sd)
        assert not result.missing_keys and not result.unexpected_keys
        mod.train(case["train"])
        assert repr(mod) == case["repr"]
        for _ in range(case["steps"]):
            y = mod(*inputs)
        if case["after"]:
            after = mod.state_dict()
            for k in case["state_dict_keys"]:
                close(after[k], data[f"{name}/sd_after/{k}"], **tol, what=f"{name} {k} after")
        params = dict(mod.named_parameters())
    else:
        y = getattr(F, case["target"])(*inputs, *args, **kwargs)
    close(y, data[f"{name}/out"], **tol, what=f"{name} output")
    if f"{name}/gout" in data:
        gout = _tensor(data[f"{name}/gout"], device)
        targets, names = [], []
        for i, t in enumerate(leaves):
            if t.requires_grad:
                targets.append(t)
                names.append(f"in{i}")
        targets += list(params.values())
        names += list(params)
        grads = ember.autograd.grad(y, targets, gout, allow_unused=True)
        for n, g in zip(names, grads):
            key = f"{name}/grad/{n}"
            if key in data:
                assert g is not None, f"{name}: no gradient for {n}"
                close(g, data[key], **tol, what=f"{name} grad {n}")
            else:
                assert g is None or not g.abs().sum().item(), f"{name}: unexpected grad {n}"

"""Run the PyTorch-made fixtures of tests/fixtures/nn_b (tools/make_nn_b_fixtures.py).

A case is a functional or a module call; its outputs (nested tuples flattened, a
PackedSequence as its data) and the gradients of its marked arguments and parameters are
compared with PyTorch's.
"""

from __future__ import annotations

import importlib
import json
import pathlib

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "nn_b"
CASES = json.loads((FIXTURES / "cases.json").read_text())
_ARRAYS = None

# where each name lives, for names ember.nn / ember.nn.functional do not re-export (yet)
_HOMES = ("conv", "pooling", "padding", "pixelshuffle", "upsampling", "fold", "rnn",
          "attention", "transformer")
_F_HOMES = ("_conv", "_pooling", "_sampling", "_attention")


def arrays():
    global _ARRAYS
    if _ARRAYS is None:
        with np.load(FIXTURES / "arrays.npz") as data:
            _ARRAYS = {k: data[k] for k in data.files}
    return _ARRAYS


def cases(*targets, kind=None):
    """The cases calling these module / functional names, as pytest params."""
    return [pytest.param(c, id=c["name"]) for c in CASES
            if c["target"] in targets and (kind is None or c["kind"] == kind)]


def target(name, kind):
    """ember's module class or functional of this name."""
    space, homes, pkg = (nn, _HOMES, "ember.nn.modules.") if kind == "module" else \
        (F, _F_HOMES, "ember.nn.functional.")
    found = getattr(space, name, None)
    if found is not None:
        return found
    for home in homes:
        found = getattr(importlib.import_module(pkg + home), name, None)
        if found is not None:
            return found
    raise AttributeError(name)


def close(actual, expected, rtol=1e-7, atol=1e-10, what=""):
    got = actual.detach().cpu().numpy() if isinstance(actual, ember.Tensor) else actual
    assert tuple(np.shape(got)) == tuple(np.shape(expected)), f"{what}: shape {np.shape(got)}"
    if np.asarray(expected).dtype.kind in "biu":
        np.testing.assert_array_equal(got, expected, err_msg=what)
    else:
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, err_msg=what)


def _packed(case, key, device, leaves):
    try:
        from ember.nn.utils.rnn import pack_padded_sequence
    except ImportError:
        pytest.skip("ember.nn.utils.rnn is not available")
    data = arrays()
    meta = case["packed"][key]
    padded = ember.tensor(data[f"{case['name']}/t/{key}/data"], device=device)
    if meta["grad"]:
        padded.requires_grad_(True)
        leaves[key] = padded
    lengths = ember.tensor(data[f"{case['name']}/t/{key}/lengths"])
    return pack_padded_sequence(padded, lengths, enforce_sorted=meta["enforce_sorted"])


def build(value, case, device, leaves):
    if isinstance(value, dict) and "tensor" in value:
        key = value["tensor"]
        t = ember.tensor(arrays()[f"{case['name']}/t/{key}"], device=device)
        if case["grads"] and case.get("grad_args", {}).get(key) and t.is_floating_point():
            t.requires_grad_(True)
            leaves[key] = t
        return t
    if isinstance(value, dict) and "packed" in value:
        return _packed(case, value["packed"], device, leaves)
    if isinstance(value, dict) and "tuple" in value:
        return tuple(build(v, case, device, leaves) for v in value["tuple"])
    if isinstance(value, list):
        return [build(v, case, device, leaves) for v in value]
    if isinstance(value, dict):
        return {k: build(v, case, device, leaves) for k, v in value.items()}
    return value


def _ctor_value(value):
    if isinstance(value, list):
        return tuple(_ctor_value(v) for v in value)
    return value


def flatten(out):
    if hasattr(out, "batch_sizes") and hasattr(out, "data"):
        return [out.data]
    if isinstance(out, (tuple, list)):
        return [x for o in out for x in flatten(o)]
    return [out]


def run_case(case, device):
    """The case's forward and backward on ``device``, checked against PyTorch's numbers."""
    name = case["name"]
    data = arrays()
    tol = case["tol"] or {"rtol": 1e-7, "atol": 1e-10}
    leaves = {}
    args = build(case["args"], case, device, leaves)
    kwargs = build(case["kwargs"], case, device, leaves)
    params = {}
    if case["kind"] == "module":
        ctor = [_ctor_value(v) for v in case["ctor"]]
        ctor_kwargs = {k: _ctor_value(v) for k, v in case["ctor_kwargs"].items()}
        mod = target(case["target"], "module")(*ctor, **ctor_kwargs)
        mod = (mod.double() if case["dtype"] == "float64" else mod.float()).to(device)
        assert list(mod.state_dict().keys()) == case["state_dict_keys"], name
        result = mod.load_state_dict({k: ember.tensor(data[f"{name}/sd/{k}"], device=device)
                                      for k in case["state_dict_keys"]})
        assert not result.missing_keys and not result.unexpected_keys
        mod.train(case["train"])
        assert repr(mod) == case["repr"], name
        out = mod(*args, **kwargs)
        params = dict(mod.named_parameters())
    else:
        out = target(case["target"], "functional")(*args, **kwargs)
    flat = flatten(out)
    assert len(flat) == case["n_out"], name
    total = None
    for i, o in enumerate(flat):
        key = f"{name}/out{i}"
        if key not in data:
            assert o is None, f"{name}: output {i} should be None"
            continue
        close(o, data[key], **tol, what=f"{name} output {i}")
        if f"{name}/gout{i}" in data:
            term = (o * ember.tensor(data[f"{name}/gout{i}"], device=device)).sum()
            total = term if total is None else total + term
    if total is None:
        return
    names = list(leaves) + [f"p/{k}" for k in params]
    grads = ember.autograd.grad(total, list(leaves.values()) + list(params.values()),
                                allow_unused=True)
    for n, g in zip(names, grads, strict=True):
        key = f"{name}/grad/{n}"
        if key in data:
            assert g is not None, f"{name}: no gradient for {n}"
            close(g, data[key], **tol, what=f"{name} grad {n}")
        else:
            assert g is None or not g.abs().sum().item(), f"{name}: unexpected grad {n}"

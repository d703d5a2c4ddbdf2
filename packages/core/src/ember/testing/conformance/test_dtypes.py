"""dtypes and type promotion against a table recorded from PyTorch
(``packages/core/tools/make_promotion_fixtures.py`` writes ``data/promotion.json``)."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

import ember

from .coverage import covers

_FIXTURE = json.loads((pathlib.Path(__file__).parent / "data" / "promotion.json").read_text())
_DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
           "float64"]
_SCALARS = {"bool": True, "int": 2, "float": 2.5}


def _operand(kind, name, device):
    if kind == "tensor":
        return ember.ones(2, dtype=getattr(ember, name), device=device)
    if kind == "zerodim":
        return ember.ones((), dtype=getattr(ember, name), device=device)
    return _SCALARS[name]


def _split(key):
    (ka, a), (kb, b) = (part.split(":") for part in key.split(","))
    return ka, a, kb, b


def test_promote_types_table():
    wrong = []
    for key, expected in _FIXTURE["promote_types"].items():
        a, b = key.split(",")
        got = ember.promote_types(getattr(ember, a), getattr(ember, b))
        if got is not getattr(ember, expected):
            wrong.append(f"promote_types({a}, {b}) = {got}, PyTorch: {expected}")
    assert not wrong, "\n".join(wrong)


def test_result_type_table(device):
    wrong = []
    for key, expected in _FIXTURE["result_type"].items():
        ka, a, kb, b = _split(key)
        got = ember.result_type(_operand(ka, a, device), _operand(kb, b, device))
        if got is not getattr(ember, expected):
            wrong.append(f"result_type({ka} {a}, {kb} {b}) = {got}, PyTorch: {expected}")
    assert not wrong, f"{len(wrong)} wrong:\n" + "\n".join(wrong)


def _apply(op, a, b=None):
    if op == "where":
        cond = ember.tensor([True, False], device=a.device)
        return ember.where(cond, a, b)
    if b is None:
        if op == "softmax":
            return ember.softmax(a, 0)
        if op == "cumsum":
            return ember.cumsum(a, 0)
        return getattr(ember, op)(a)
    return getattr(ember, op)(a, b)


def _check(results, ops, call, what):
    wrong = []
    for op, expected in zip(ops, results.split(), strict=True):
        try:
            with np.errstate(all="ignore"):
                got = call(op)
        except (RuntimeError, TypeError, ValueError) as exc:
            if not expected.startswith("!"):
                wrong.append(f"{op}({what}) raised {type(exc).__name__}: {exc}; PyTorch gives "
                             f"{expected}")
            elif expected in ("!RuntimeError", "!NotImplementedError") and \
                    not isinstance(exc, RuntimeError):
                wrong.append(f"{op}({what}) raised {type(exc).__name__}, PyTorch a RuntimeError")
            continue
        if expected in ("!RuntimeError", "!NotImplementedError"):
            wrong.append(f"{op}({what}) gave {got.dtype}; PyTorch raises {expected[1:]}")
        elif not expected.startswith("!") and got.dtype is not getattr(ember, expected):
            wrong.append(f"{op}({what}) is {got.dtype}, PyTorch: {expected}")
    return wrong


@covers("add", "sub", "mul", "div", "floor_divide", "remainder", "pow", "maximum", "minimum",
        "eq", "lt", "logical_and", "bitwise_and", "atan2", "where", "astype")
def test_binary_op_result_dtypes(device):
    ops = _FIXTURE["binary_ops"]["ops"]
    wrong = []
    for key, results in _FIXTURE["binary_ops"].items():
        if key == "ops":
            continue
        ka, a, kb, b = _split(key)
        x, y = _operand(ka, a, device), _operand(kb, b, device)
        wrong += _check(results, ops, lambda op, x=x, y=y: _apply(op, x, y), f"{a}, {kb} {b}")
    assert not wrong, f"{len(wrong)} wrong:\n" + "\n".join(wrong)


def test_unary_op_result_dtypes(device):
    ops = _FIXTURE["unary_ops"]["ops"]
    wrong = []
    for name, results in _FIXTURE["unary_ops"].items():
        if name == "ops":
            continue
        x = ember.ones(3, dtype=getattr(ember, name), device=device)
        wrong += _check(results, ops, lambda op, x=x: _apply(op, x), name)
    assert not wrong, f"{len(wrong)} wrong:\n" + "\n".join(wrong)


def test_dtype_objects():
    assert [getattr(ember, n).itemsize for n in _DTYPES] == [1, 1, 1, 2, 4, 8, 2, 2, 4, 8]
    assert ember.float is ember.float32 and ember.double is ember.float64
    assert ember.half is ember.float16 and ember.long is ember.int64 and ember.int is ember.int32
    assert ember.short is ember.int16
    assert repr(ember.float32) == "ember.float32" and str(ember.bfloat16) == "ember.bfloat16"
    assert ember.float16.is_floating_point and ember.bfloat16.is_floating_point
    assert not ember.int8.is_floating_point and ember.int8.is_signed
    assert not ember.uint8.is_signed and not ember.bool.is_signed


def test_default_dtype(device):
    assert ember.get_default_dtype() is ember.float32
    assert ember.tensor([1.5], device=device).dtype is ember.float32
    assert ember.tensor([1], device=device).dtype is ember.int64
    assert ember.tensor([True], device=device).dtype is ember.bool
    assert ember.zeros(2, device=device).dtype is ember.float32
    assert ember.arange(3, device=device).dtype is ember.int64
    assert ember.arange(3.0, device=device).dtype is ember.float32
    try:
        ember.set_default_dtype(ember.float64)
        assert ember.get_default_dtype() is ember.float64
        assert ember.tensor([1.5], device=device).dtype is ember.float64
        assert ember.ones(2, device=device).dtype is ember.float64
        assert ember.rand(2, device=device).dtype is ember.float64
        assert (ember.tensor([1, 2], device=device) / 2).dtype is ember.float64
        assert ember.result_type(ember.tensor([1], device=device), 1.5) is ember.float64
    finally:
        ember.set_default_dtype(ember.float32)
    with pytest.raises(TypeError):
        ember.set_default_dtype(ember.int64)
    assert ember.get_default_dtype() is ember.float32


@covers("astype")
def test_conversion_methods(device):
    x = ember.tensor([1.7, -2.2, 0.0], device=device)
    for method, dtype in [("float", ember.float32), ("double", ember.float64),
                          ("half", ember.float16), ("bfloat16", ember.bfloat16),
                          ("long", ember.int64), ("int", ember.int32), ("short", ember.int16),
                          ("char", ember.int8), ("byte", ember.uint8), ("bool", ember.bool)]:
        y = getattr(x.abs(), method)()
        assert y.dtype is dtype, method
        assert y.device == x.device
    assert x.long().tolist() == [1, -2, 0]  # truncation toward zero
    assert x.bool().tolist() == [True, True, False]
    assert x.to(ember.int32).dtype is ember.int32
    same = x.to(ember.float32)
    assert same is x  # no copy when nothing changes
    assert x.to(ember.float32, copy=True) is not x
    assert x.type(ember.float64).dtype is ember.float64
    assert "Tensor" in x.type()
    assert x.is_floating_point() and not x.long().is_floating_point()
    assert x.element_size() == 4 and x.double().element_size() == 8


def test_numpy_scalars_are_weak_like_python_scalars(device):
    import numpy as np

    x = ember.ones(3, device=device)
    for result in (x + np.float64(2), np.float64(2) + x, x * np.int64(3), x - np.float32(1),
                   x.clamp(np.float64(0.5)), x ** np.float64(2), ember.maximum(x, np.float64(3))):
        assert result.dtype is ember.float32
    i = ember.ones(3, dtype=ember.int16, device=device)
    assert (i + np.int64(2)).dtype is ember.int16 and (i * np.float64(1.5)).dtype is ember.float32
    x += np.float64(1)
    assert x.dtype is ember.float32 and x.tolist() == [2.0, 2.0, 2.0]


def test_empty_dim_list_reduces_everything(device):
    x = ember.ones(2, 3, device=device)
    assert x.sum(dim=[]).item() == 6 and x.mean(()).item() == 1
    assert x.sum((), keepdim=True).shape == (1, 1)
    assert x.amax(()).item() == 1

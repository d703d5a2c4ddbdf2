"""Write the dtype-promotion fixture of the conformance suite from real PyTorch.

    python packages/core/tools/make_promotion_fixtures.py

PyTorch is the oracle here only; ember and its tests never import it. The fixture
(``ember/testing/conformance/data/promotion.json``) records, for every pair of dtypes,
``promote_types``; ``result_type`` of tensors, 0-d tensors and Python scalars; and the
result dtype of a set of ops over those operands (space-separated, in the order of "ops";
"!RuntimeError" where PyTorch raises).
"""

from __future__ import annotations

import json
import pathlib

import torch

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
          "float32", "float64"]
SCALARS = {"bool": True, "int": 2, "float": 2.5}
BINARY_OPS = ["add", "sub", "mul", "div", "floor_divide", "remainder", "pow", "maximum",
              "minimum", "eq", "lt", "logical_and", "bitwise_and", "atan2", "where"]
UNARY_OPS = ["neg", "abs", "exp", "sqrt", "sigmoid", "floor", "round", "sign", "sum", "prod",
             "mean", "cumsum", "argmax", "amax", "logical_not", "isnan", "relu", "square",
             "reciprocal", "softmax"]
OUT = (pathlib.Path(__file__).resolve().parents[1] / "src" / "ember" / "testing" /
       "conformance" / "data" / "promotion.json")


def _dt(name):
    return getattr(torch, name)


def _operand(kind, dtype):
    if kind == "tensor":
        return torch.ones(2, dtype=_dt(dtype))
    if kind == "zerodim":
        return torch.ones((), dtype=_dt(dtype))
    return SCALARS[dtype]


def _apply(op, a, b=None):
    if op == "where":
        cond = torch.tensor([True, False])
        return torch.where(cond, a, b)
    if b is None:
        if op == "softmax":
            return torch.softmax(a, 0)
        if op in ("sum", "prod", "mean", "amax"):
            return getattr(torch, op)(a)
        if op == "cumsum":
            return torch.cumsum(a, 0)
        if op == "argmax":
            return torch.argmax(a)
        return getattr(torch, op)(a)
    return getattr(torch, op)(a, b)


def _result(op, *args):
    try:
        return str(_apply(op, *args).dtype).replace("torch.", "")
    except (RuntimeError, TypeError) as exc:
        return "!" + type(exc).__name__


def main():
    fixture = {"torch_version": torch.__version__, "promote_types": {}, "result_type": {},
               "binary_ops": {"ops": BINARY_OPS}, "unary_ops": {"ops": UNARY_OPS}}
    for a in DTYPES:
        for b in DTYPES:
            fixture["promote_types"][f"{a},{b}"] = str(
                torch.promote_types(_dt(a), _dt(b))).replace("torch.", "")
    kinds = [("tensor", d) for d in DTYPES] + [("zerodim", d) for d in DTYPES] + [
        ("scalar", s) for s in SCALARS]
    for ka, a in kinds:
        for kb, b in kinds:
            if ka == "scalar" and kb == "scalar":
                continue
            key = f"{ka}:{a},{kb}:{b}"
            x, y = _operand(ka, a), _operand(kb, b)
            fixture["result_type"][key] = str(torch.result_type(x, y)).replace("torch.", "")
            if ka == "tensor" and kb in ("tensor", "zerodim", "scalar"):
                fixture["binary_ops"][key] = " ".join(_result(op, x, y) for op in BINARY_OPS)
    for d in DTYPES:
        x = torch.ones(3, dtype=_dt(d))
        fixture["unary_ops"][d] = " ".join(_result(op, x) for op in UNARY_OPS)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture, indent=0, sort_keys=True, separators=(",", ":"))
                   + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

"""Write tests/fixtures/tensor_str.json: tensors and the repr real PyTorch gives them.

Run with torch installed: python packages/core/tools/make_tensor_str_fixtures.py
Values are stored as exact hex bytes, or for big summarized tensors as an arange recipe.
``decode_values`` reads both back; the test imports it, so torch is only imported in ``main``.
"""

import json
import math
import pathlib

import ml_dtypes
import numpy as np

OUT = pathlib.Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "tensor_str.json"
nan, inf = math.nan, math.inf


def np_dtype(name):
    return np.dtype(ml_dtypes.bfloat16) if name == "bfloat16" else np.dtype(name)


def decode_values(spec):
    """Rebuild a case's numpy array from its exact hex bytes or from its arange recipe."""
    dtype, shape = np_dtype(spec["dtype"]), tuple(spec["shape"])
    if "hex" in spec:
        return np.frombuffer(bytes.fromhex(spec["hex"]), dtype=dtype).reshape(shape).copy()
    values = np.arange(math.prod(shape), dtype=np.float64) * spec["mul"]
    if spec["mod"]:
        values %= spec["mod"]
    values = ((values + spec["add"]) / spec["div"]).astype(dtype)
    for index, value in spec["set"]:
        values[index] = float(value)
    return values.reshape(shape)


def recipe(shape, dtype="float32", mul=1, mod=0, add=0, div=1, at=()):
    """values = ((arange(n) * mul % mod) + add) / div, cast to dtype, then at[(index, value)]."""
    return {"dtype": dtype, "shape": list(shape), "mul": mul, "mod": mod, "add": add,
            "div": div, "set": [[i, str(v)] for i, v in at]}


def _cases(torch):
    """(name, tensor or recipe, options for set_printoptions, extras) for every case."""
    f16, bf16, f64 = torch.float16, torch.bfloat16, torch.float64

    def t(data, dtype=None):
        return torch.tensor(data, dtype=dtype)

    def seeded(*shape, dtype=torch.float32, scale=1.0, seed=0):
        gen = torch.Generator().manual_seed(seed)
        return (torch.randn(*shape, generator=gen, dtype=torch.float64) * scale).to(dtype)

    def add1(x):
        return x + 1

    def mul2(x):
        return x * 2

    def total(x):
        return x.sum()

    return [
        ("vector_int_valued", t([1.0, 2.0, 3.0]), {}, {}),
        ("vector_fixed", t([1.5, 2.0]), {}, {}),
        ("vector_negative", t([-1.5, 2.25, -300.125, 0.0]), {}, {}),
        ("scalar_int_valued", t(3.0), {}, {}),
        ("scalar_fixed", t(3.14159), {}, {}),
        ("scalar_negative_sci", t(-1.25e-7), {}, {}),
        ("scalar_nan", t(nan), {}, {}),
        ("scalar_int64", t(7), {}, {}),
        ("scalar_bool", t(True), {}, {}),
        ("scalar_float16", t(0.1, f16), {}, {}),
        ("scalar_int8", t(-5, torch.int8), {}, {}),
        ("empty_float", torch.empty(0), {}, {}),
        ("empty_2d_float", torch.empty(0, 3), {}, {}),
        ("empty_int64", torch.empty(0, dtype=torch.int64), {}, {}),
        ("empty_bool_2d", torch.empty(2, 0, dtype=torch.bool), {}, {}),
        ("empty_float64", torch.empty(0, dtype=f64), {}, {}),
        ("empty_int32_3d", torch.empty(0, 3, 0, dtype=torch.int32), {}, {}),
        ("matrix_3x4", seeded(3, 4), {}, {}),
        ("cube_2x3x4", seeded(2, 3, 4, seed=1), {}, {}),
        ("hyper_2x2x2x3", seeded(2, 2, 2, 3, seed=2), {}, {}),
        ("hyper_int_2x1x2x2", torch.arange(-4, 4).reshape(2, 1, 2, 2), {}, {}),
        ("sci_small", t([1e-5, 1.0]), {}, {}),
        ("sci_big", t([1e9, 1.5]), {}, {}),
        ("sci_ratio", t([0.001, 2.0]), {}, {}),
        ("no_sci_ratio_1000", t([0.002, 2.0]), {}, {}),
        ("sci_int_valued", t([1e10, 2.0, -3.0]), {}, {}),
        ("sci_mixed_matrix", seeded(3, 3, scale=1e5, seed=3), {}, {}),
        ("nonfinite", t([nan, inf, -inf, 1.0]), {}, {}),
        ("nonfinite_fixed", t([nan, 1.5, -inf]), {}, {}),
        ("nonfinite_sci", t([inf, 1e-5, -2.0]), {}, {}),
        ("all_nan", t([nan, nan]), {}, {}),
        ("zeros_and_negzero", t([0.0, -0.0, 0.0]), {}, {}),
        ("negzero_with_ints", t([-0.0, 10.0]), {}, {}),
        ("int64_vector", t([1, -20, 300]), {}, {}),
        ("bool_vector", t([True, False, True]), {}, {}),
        ("bool_matrix", t([[True, False], [False, False]]), {}, {}),
        ("uint8", t([0, 255, 7], torch.uint8), {}, {}),
        ("int8", t([-128, 127, 0], torch.int8), {}, {}),
        ("int16_matrix", t([[-300, 2, 3], [4, 5, 32767]], torch.int16), {}, {}),
        ("int32_matrix", t([[1, 2], [3, -4]], torch.int32), {}, {}),
        ("float16", t([0.1, 1000.5, -2.0], f16), {}, {}),
        ("float16_extremes", t([65504.0, 6e-8, -1.0], f16), {}, {}),
        ("bfloat16", t([0.1, 3.0, -1e30], bf16), {}, {}),
        ("bfloat16_int_matrix", t([[1.0, 2.0], [300.0, -4.0]], bf16), {}, {}),
        ("bfloat16_fixed", t([0.3, -1.7, 2.5], bf16), {}, {}),
        ("float64", t([0.1, 0.2], f64), {}, {}),
        ("float64_int_valued", t([1.0, 2.0], f64), {}, {}),
        ("float64_huge_range", t([1e-300, 1e300], f64), {}, {}),
        ("wrap_vector_float", seeded(30, seed=4), {}, {}),
        ("wrap_vector_int", torch.arange(100) * 37 - 1500, {}, {}),
        ("wrap_matrix_rows", seeded(3, 20, seed=5), {}, {}),
        ("wrap_cube_rows", seeded(2, 2, 15, seed=6, dtype=f64), {}, {}),
        ("summarized_vector", recipe([2000], div=8), {}, {}),
        ("summarized_matrix", recipe([100, 100], mul=7919, mod=1000, add=-500, div=37), {}, {}),
        ("summarized_cube_int", recipe([20, 20, 20], "int64", mul=13, mod=101, add=-50), {}, {}),
        ("summarized_middle_ignored",
         recipe([1500], mul=3, mod=17, div=4, at=[(700, 1e20), (800, nan)]), {}, {}),
        ("summarized_hyper", recipe([10, 10, 10, 10], mul=11, mod=97, div=9), {}, {}),
        ("summarized_tall", recipe([2000, 3], "float64", mul=5, mod=23, add=-11, div=3), {}, {}),
        ("summarized_wide", recipe([2, 800], "int32", mul=7, mod=1001), {}, {}),
        ("summarized_uint8", recipe([40, 40], "uint8", mul=3, mod=256), {}, {}),
        ("summarized_bool", recipe([1200], "bool", mul=1, mod=3), {}, {}),
        ("requires_grad_leaf", t([1.0, 2.0]), {}, {"grad": "leaf"}),
        ("grad_fn_add", t([1.0, 2.5]), {}, {"grad": add1}),
        ("grad_fn_mul_float64", t([1.0, 2.0], f64), {}, {"grad": mul2}),
        ("grad_fn_sum_scalar", t([1.0, 2.0, 4.0]), {}, {"grad": total}),
        ("suffix_wraps_grad", seeded(7, seed=7, scale=100), {}, {"grad": "leaf"}),
        ("suffix_wraps_dtype", seeded(8, seed=8, dtype=f64, scale=10), {}, {"grad": mul2}),
        ("suffix_after_multiline", seeded(4, 12, seed=9, dtype=f16), {}, {"grad": add1}),
        ("precision_2", t([1.12345, -2.5]), {"precision": 2}, {}),
        ("precision_8_float64", t([1 / 3, 2.0], f64), {"precision": 8}, {}),
        ("precision_0", t([1.5, 2.25]), {"precision": 0}, {}),
        ("sci_forced_on", t([1.5, 2.0, 300.0]), {"sci_mode": True}, {}),
        ("sci_forced_on_int_valued", t([1.0, 20.0]), {"sci_mode": True}, {}),
        ("sci_forced_off", t([1e-6, 1.0, 1e9]), {"sci_mode": False}, {}),
        ("threshold_5", torch.arange(10), {"threshold": 5}, {}),
        ("threshold_0_small", t([1.0, 2.0]), {"threshold": 0}, {}),
        ("edgeitems_1", seeded(5, 5, seed=10), {"edgeitems": 1, "threshold": 10}, {}),
        ("edgeitems_0_summarized", torch.arange(1.0, 11.0), {"edgeitems": 0, "threshold": 3}, {}),
        ("edgeitems_0_matrix", torch.arange(12).reshape(3, 4), {"edgeitems": 0, "threshold": 3},
         {}),
        ("edgeitems_0_unsummarized", t([1.0, 2.0]), {"edgeitems": 0}, {}),
        ("edgeitems_0_scalar", t(5.0), {"edgeitems": 0, "threshold": 0}, {}),
        ("linewidth_40", seeded(20, seed=11), {"linewidth": 40}, {}),
        ("linewidth_10_matrix", torch.arange(12).reshape(2, 6), {"linewidth": 10}, {}),
        ("profile_short", seeded(8, 8, seed=12), {"profile": "short"}, {}),
        ("profile_full", recipe([1200], "int64", mul=7, mod=1000), {"profile": "full"}, {}),
        ("default_float64_plain", t([1.5, 2.0], f64), {}, {"default_dtype": f64}),
        ("default_float64_f32", t([1.5, 2.0]), {}, {"default_dtype": f64}),
        ("default_float64_empty", torch.empty(0, dtype=f64), {}, {"default_dtype": f64}),
        ("default_float64_empty_f32", torch.empty(0, 2), {}, {"default_dtype": f64}),
        ("parameter", seeded(2, 12, seed=13), {}, {"grad": "parameter"}),
    ]


OPTION_CASES = [
    ("default", []),
    ("short", [{"profile": "short"}]),
    ("full", [{"profile": "full"}]),
    ("profile_then_override", [{"profile": "short", "precision": 6, "sci_mode": True}]),
    ("sci_mode_reset", [{"sci_mode": False}, {"precision": 3}]),
    ("unknown_profile", [{"linewidth": 120}, {"profile": "nope"}]),
    ("keeps_previous", [{"threshold": 5, "edgeitems": 1}, {"linewidth": 60}]),
]


def _dtype_name(dtype):
    return str(dtype).removeprefix("torch.")


def _encode(torch, x):
    raw = x.view(torch.int16) if x.dtype == torch.bfloat16 else x
    hex_bytes = raw.numpy().tobytes().hex()
    return {"dtype": _dtype_name(x.dtype), "shape": list(x.shape), "hex": hex_bytes}


def _case(torch, name, source, options, extras):
    default_dtype = extras.get("default_dtype", torch.float32)
    torch.set_default_dtype(default_dtype)
    torch._tensor_str.set_printoptions(**options)
    try:
        if isinstance(source, dict):
            values_spec = source
            x = torch.from_numpy(decode_values(source)).to(getattr(torch, source["dtype"]))
        else:
            x = source
        grad = extras.get("grad")
        prefix = "tensor("
        if grad == "leaf":
            x = x.clone().requires_grad_()
        elif grad == "parameter":
            x, prefix = torch.nn.Parameter(x), "Parameter containing:\ntensor("
        elif grad is not None:
            x = grad(x.clone().requires_grad_())
        if not isinstance(source, dict):
            values_spec = _encode(torch, x.detach())
        stored = decode_values(values_spec).astype(np.float64)
        assert np.array_equal(stored, x.detach().double().numpy(), equal_nan=True), name
        return {
            "name": name,
            "values": values_spec,
            "dtype_name": _dtype_name(x.dtype),
            "is_default_dtype": x.dtype in (torch.get_default_dtype(), torch.int64, torch.bool),
            "device": None,
            "requires_grad": x.requires_grad,
            "grad_fn_name": type(x.grad_fn).__name__ if x.grad_fn is not None else None,
            "prefix": prefix,
            "options": options,
            "expected": repr(x).replace("torch.", "ember."),
        }
    finally:
        torch.set_default_dtype(torch.float32)
        torch._tensor_str.set_printoptions(profile="default")


def _option_case(torch, name, calls):
    try:
        for kwargs in calls:
            torch._tensor_str.set_printoptions(**kwargs)
        expected = repr(torch._tensor_str.get_printoptions())
        return {"name": name, "calls": calls, "expected": expected}
    finally:
        torch._tensor_str.set_printoptions(profile="default")


def main():
    import torch

    fixture = {
        "torch_version": torch.__version__,
        "cases": [_case(torch, *case) for case in _cases(torch)],
        "option_cases": [_option_case(torch, *case) for case in OPTION_CASES],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"wrote {len(fixture['cases'])} cases to {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

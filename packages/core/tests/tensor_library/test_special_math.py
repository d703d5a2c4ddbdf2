"""Elementwise special math: values against PyTorch's (a committed fixture), dtype rules,
gradients (gradcheck, gradgradcheck), in-place and out= forms, and bad input."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck

from .conftest import FIXTURE, decode

_SPECIAL = json.loads(FIXTURE.read_text())["special"]
S = ember.special

FUNCS = {
    "erf": ember.erf, "erfc": ember.erfc, "erfinv": ember.erfinv, "lgamma": ember.lgamma,
    "digamma": ember.digamma, "polygamma1": lambda x: ember.polygamma(1, x),
    "polygamma2": lambda x: ember.polygamma(2, x), "polygamma3": lambda x: ember.polygamma(3, x),
    "i0": ember.i0, "i0e": S.i0e, "i1": S.i1, "i1e": S.i1e, "erfcx": S.erfcx, "ndtr": S.ndtr,
    "log_ndtr": S.log_ndtr, "ndtri": S.ndtri, "entr": S.entr, "sinc": ember.sinc,
    "exp2": ember.exp2, "log2": ember.log2, "log10": ember.log10, "tan": ember.tan,
    "asin": ember.asin, "acos": ember.acos, "atan": ember.atan, "sinh": ember.sinh,
    "cosh": ember.cosh, "asinh": ember.asinh, "acosh": ember.acosh, "atanh": ember.atanh,
    "logit": ember.logit, "expit": S.expit, "frac": ember.frac, "signbit": ember.signbit,
    "nan_to_num": ember.nan_to_num,
}
# (rtol, atol) per dtype; PyTorch's own trigamma is accurate to ~1e-9 only
_TOL64 = {"polygamma1": (5e-9, 1e-12), "lgamma": (1e-13, 1e-14), "digamma": (1e-12, 1e-13),
          "ndtri": (1e-12, 1e-14), "log_ndtr": (1e-12, 1e-14), "polygamma2": (1e-11, 1e-13),
          "polygamma3": (1e-11, 1e-13), "erfcx": (1e-12, 1e-300), "i0": (1e-13, 0),
          "i1": (1e-13, 0), "i0e": (1e-13, 1e-300), "i1e": (1e-13, 1e-300),
          "sinc": (1e-13, 1e-15), "tan": (1e-13, 0), "erfinv": (1e-13, 1e-15),
          "ndtr": (1e-13, 2e-16)}
_TOL32 = {"polygamma1": (2e-5, 1e-5), "polygamma2": (2e-5, 1e-5), "polygamma3": (2e-5, 1e-4),
          "lgamma": (2e-6, 2e-6), "digamma": (2e-5, 2e-6), "ndtri": (1e-5, 1e-6),
          "log_ndtr": (1e-5, 1e-6), "i0": (1e-5, 0), "i1": (1e-5, 0), "erfcx": (1e-5, 1e-30),
          "sinc": (1e-5, 1e-6), "ndtr": (1e-6, 1.2e-7), "i1e": (1e-6, 0), "i0e": (1e-6, 0)}
# PyTorch's ndtr is 0.5 * (1 + erf(x / sqrt(2))), which loses the lower tail; ember's keeps it
# (hence the absolute tolerance). PyTorch's polygamma returns large finite numbers at the
# poles (non-positive integers), ember inf: those points are not compared.


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(FUNCS))
def test_values_match_pytorch(name, dtype):
    entry = _SPECIAL[f"{name}/{dtype}"]
    x, want = decode(entry["x"]), entry["y"]
    got = FUNCS[name](x)
    assert got.dtype.name == want["dtype"]
    expected = np.array(want["data"], dtype=np.float64)
    actual = np.asarray(got.numpy(), dtype=np.float64)
    if name.startswith("polygamma"):
        xs = x.numpy().astype(np.float64)
        keep = ~((xs <= 0) & (xs == np.trunc(xs)) | np.isinf(xs))
        expected, actual = expected[keep], actual[keep]
    rtol, atol = (_TOL64 if dtype == "float64" else _TOL32).get(
        name, (1e-14, 1e-300) if dtype == "float64" else (3e-7, 1e-37))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True,
                               err_msg=f"{name} {dtype} at x={x.numpy()}")


@pytest.mark.parametrize("dtype", [ember.float16, ember.bfloat16])
def test_low_precision_computes_in_float32(dtype):
    x = ember.tensor([0.1, 0.5, 1.5, 3.0]).to(dtype)
    for fn in (ember.erf, ember.lgamma, ember.tan, ember.asinh, ember.erfinv):
        y = fn(x * 0.3 if fn is ember.erfinv else x)
        assert y.dtype is dtype
        ref = fn((x * 0.3 if fn is ember.erfinv else x).float()).to(dtype)
        np.testing.assert_array_equal(y.float().numpy(), ref.float().numpy())


def test_integer_and_bool_inputs_promote_to_the_default_float():
    for fn in (ember.tan, ember.erf, ember.lgamma, ember.exp2, ember.log10, ember.i0):
        assert fn(ember.tensor([1, 2])).dtype is ember.float32
        assert fn(ember.tensor([True])).dtype is ember.float32
    assert ember.hypot(ember.tensor([3.0]), ember.tensor([4.0], dtype=ember.float64)).dtype \
        is ember.float64
    assert ember.copysign(ember.tensor([1, 2]), -1).tolist() == [-1.0, -2.0]
    assert ember.fmod(ember.tensor([5, -5]), 3).tolist() == [2, -2]
    assert ember.fmod(ember.tensor([5, -5], dtype=ember.int8), 3).dtype is ember.int8
    assert ember.xlogy(2, ember.tensor([3])).dtype is ember.float32
    assert ember.float_power(ember.tensor([1, 2]), 2).dtype is ember.float64


def test_binary_helpers_against_numpy():
    rng = np.random.default_rng(0)
    a = rng.uniform(-5, 5, (3, 4))
    b = rng.uniform(-5, 5, (4,))
    a[0, 0], b[1], a[1, 1] = np.nan, np.nan, np.inf
    ea, eb = ember.tensor(a, dtype=ember.float64), ember.tensor(b, dtype=ember.float64)
    with np.errstate(all="ignore"):
        for fn, ref in [(ember.fmax, np.fmax), (ember.fmin, np.fmin), (ember.fmod, np.fmod),
                        (ember.hypot, np.hypot), (ember.logaddexp, np.logaddexp),
                        (ember.copysign, np.copysign), (ember.logaddexp2, np.logaddexp2)]:
            np.testing.assert_allclose(fn(ea, eb).numpy(), ref(a, b), rtol=1e-13,
                                       equal_nan=True, err_msg=fn.__name__)
            np.testing.assert_allclose(fn(ea, 1.5).numpy(), ref(a, 1.5), rtol=1e-13,
                                       equal_nan=True, err_msg=fn.__name__ + " scalar")
    np.testing.assert_allclose(ember.deg2rad(ea).numpy(), np.deg2rad(a), rtol=1e-15)
    np.testing.assert_allclose(ember.rad2deg(ea).numpy(), np.rad2deg(a), rtol=1e-15)
    finite = ember.nan_to_num(ea)
    np.testing.assert_array_equal(ember.heaviside(finite, ember.tensor(0.5, dtype=ember.float64))
                                  .numpy(), np.heaviside(np.nan_to_num(a), 0.5))
    assert ember.heaviside(ember.tensor([math.nan]), ember.tensor(0.5)).item() == 0.0  # PyTorch
    np.testing.assert_allclose(ember.ldexp(ea, ember.tensor([1, 2, 3, 4])).numpy(),
                               np.ldexp(a, [1, 2, 3, 4]), rtol=1e-15)


@pytest.mark.parametrize("dtype", [ember.int8, ember.uint8, ember.int16, ember.int32,
                                   ember.int64])
def test_shifts_match_numpy_and_operators(dtype):
    info = np.iinfo(dtype.numpy)
    bits = info.bits
    x = np.array([1, 3, -8 if info.min < 0 else 8, info.max, info.min, 0, 5], dtype=dtype.numpy)
    y = np.array([0, 1, 2, bits - 1, bits - 1, bits + 3, bits], dtype=dtype.numpy)
    ex, ey = ember.tensor(x, dtype=dtype), ember.tensor(y, dtype=dtype)
    np.testing.assert_array_equal((ex << ey).numpy(), np.left_shift(x, y))
    np.testing.assert_array_equal((ex >> ey).numpy(), np.right_shift(x, y))
    np.testing.assert_array_equal((ex << 2).numpy(), np.left_shift(x, dtype.numpy.type(2)))
    np.testing.assert_array_equal((3 << ey[:3]).numpy(), np.left_shift(3, y[:3]).astype(
        dtype.numpy))
    z = ex.clone()
    z >>= 1
    np.testing.assert_array_equal(z.numpy(), np.right_shift(x, 1))


def test_shift_and_float_only_ops_reject_wrong_dtypes():
    with pytest.raises(NotImplementedError, match="lshift_cpu.*Float"):
        ember.tensor([1.0]) << 1
    with pytest.raises(NotImplementedError, match="hypot_cpu.*Long"):
        ember.hypot(ember.tensor([1]), ember.tensor([2]))
    with pytest.raises(NotImplementedError, match="logaddexp_cpu.*Long"):
        ember.logaddexp(ember.tensor([1]), ember.tensor([2]))
    with pytest.raises(NotImplementedError, match="frac_cpu.*Long"):
        ember.frac(ember.tensor([1]))
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        ember.fmod(ember.tensor([1, 2]), 0)
    with pytest.raises(TypeError, match=r"tan\(\): argument 'input' \(position 1\) must be "
                                        "Tensor, not list"):
        ember.tan([1.0])
    with pytest.raises(RuntimeError, match="polygamma.*negative n"):
        ember.polygamma(-1, ember.tensor([1.0]))
    with pytest.raises(RuntimeError, match="same device"):
        ember.hypot(ember.tensor([1.0, 2.0]), _other_device(ember.tensor([1.0, 2.0])))


def _other_device(t):
    from ember.testing.conformance.fake import FakeBackend

    backend = FakeBackend(name="faketl")
    ember.backends.registry.register(backend)
    return t.to("faketl")


def test_special_values():
    inf, nan = math.inf, math.nan
    x = ember.tensor([0.0, -0.0, 1.0, -1.0, inf, -inf, nan], dtype=ember.float64)
    assert ember.lgamma(x).tolist()[:6] == [inf, inf, 0.0, inf, inf, inf]
    d = ember.digamma(x).tolist()
    assert d[0] == -inf and d[1] == inf and math.isnan(d[3]) and d[4] == inf
    assert ember.erfinv(ember.tensor([1.0, -1.0, 0.0, 2.0])).tolist()[:3] == [inf, -inf, 0.0]
    assert ember.signbit(ember.tensor([-0.0, 0.0, -1.0])).tolist() == [True, False, True]
    assert ember.signbit(ember.tensor([-1, 2])).tolist() == [True, False]
    assert ember.nan_to_num(ember.tensor([nan, inf, -inf]), 1.0, 2.0, -3.0).tolist() == \
        [1.0, 2.0, -3.0]
    big = ember.nan_to_num(ember.tensor([inf], dtype=ember.float16))
    assert big.item() == 65504.0
    assert ember.logit(ember.tensor([0.2, 0.0]), eps=0.1).tolist() == pytest.approx(
        [math.log(0.25), math.log(1 / 9)])
    assert ember.xlogy(ember.tensor([0.0, 0.0]), ember.tensor([0.0, nan])).tolist()[0] == 0.0
    assert math.isnan(ember.xlogy(ember.tensor([0.0]), ember.tensor([nan])).item())
    assert ember.sinc(ember.tensor([0.0])).item() == 1.0
    assert ember.special.entr(ember.tensor([0.0, -1.0])).tolist() == [0.0, -inf]


# -- gradients -------------------------------------------------------------------------------
def _x(values):
    return ember.tensor(values, dtype=ember.float64, requires_grad=True)


UNARY_GRAD = {
    "exp2": (ember.exp2, [0.3, -1.2, 2.0]), "log2": (ember.log2, [0.3, 1.2, 2.0]),
    "log10": (ember.log10, [0.3, 1.2]), "tan": (ember.tan, [0.3, -1.2]),
    "asin": (ember.asin, [0.3, -0.7]), "acos": (ember.acos, [0.3, -0.7]),
    "atan": (ember.atan, [0.3, -2.0]), "sinh": (ember.sinh, [0.3, -2.0]),
    "cosh": (ember.cosh, [0.3, -2.0]), "asinh": (ember.asinh, [0.3, -2.0]),
    "acosh": (ember.acosh, [1.3, 2.0]), "atanh": (ember.atanh, [0.3, -0.7]),
    "erf": (ember.erf, [0.3, -1.7]), "erfc": (ember.erfc, [0.3, 2.2]),
    "erfinv": (ember.erfinv, [0.3, -0.9]), "lgamma": (ember.lgamma, [0.3, -1.7, 4.5]),
    "digamma": (ember.digamma, [0.3, -1.7, 4.5]),
    "polygamma": (lambda x: ember.polygamma(2, x), [0.3, -1.7, 4.5]),
    "i0": (ember.i0, [0.3, -1.7]), "i0e": (S.i0e, [0.3, -1.7]), "i1": (S.i1, [0.3, -1.7, 0.0]),
    "i1e": (S.i1e, [0.3, -1.7]), "logit": (ember.logit, [0.3, 0.8]),
    "logit_eps": (lambda x: ember.logit(x, 0.25), [0.3, 0.1]), "frac": (ember.frac, [0.3, -1.7]),
    "sinc": (ember.sinc, [0.3, -1.7, 0.0]), "sinc_nonzero": (ember.sinc, [0.3, -1.7]),
    "erfcx": (S.erfcx, [0.3, -1.2, 26.0]),
    "ndtr": (S.ndtr, [0.3, -1.2]), "log_ndtr": (S.log_ndtr, [0.3, -8.0]),
    "ndtri": (S.ndtri, [0.3, 0.9]), "entr": (S.entr, [0.3, 1.7]),
    "nan_to_num": (ember.nan_to_num, [0.3, -1.7]), "deg2rad": (ember.deg2rad, [0.3]),
    "multigammaln": (lambda x: S.multigammaln(x, 3), [2.3, 4.0]),
}


@pytest.mark.parametrize("name", sorted(UNARY_GRAD))
def test_unary_gradcheck(name):
    fn, values = UNARY_GRAD[name]
    assert gradcheck(fn, (_x(values),))


@pytest.mark.parametrize("name", ["tan", "erf", "erfinv", "lgamma", "digamma", "atanh", "i1",
                                  "logit", "sinc_nonzero", "ndtri", "erfcx"])
def test_unary_gradgradcheck(name):
    fn, values = UNARY_GRAD[name]
    assert gradgradcheck(fn, (_x(values),))


BINARY_GRAD = ["copysign", "fmax", "fmin", "fmod", "hypot", "logaddexp", "logaddexp2", "xlogy",
               "xlog1py"]


@pytest.mark.parametrize("name", BINARY_GRAD)
def test_binary_gradcheck(name):
    fn = getattr(ember, name, None) or getattr(S, name)
    a = _x([[0.5, -1.3, 2.2]])
    b = _x([[1.5], [0.7]])
    assert gradcheck(fn, (a, b))
    assert gradcheck(lambda t: fn(t, 2.5), (a,))
    if name in ("hypot", "logaddexp", "xlogy"):
        assert gradgradcheck(fn, (a, b))


def test_backward_node_names():
    x = _x([0.5])
    assert ember.erfinv(x).grad_fn.name() == "ErfinvBackward0"
    assert ember.lgamma(x).grad_fn.name() == "LgammaBackward0"
    assert ember.hypot(x, x).grad_fn.name() == "HypotBackward0"


def test_inplace_and_out_variants():
    x = ember.tensor([0.1, 0.4])
    expected = ember.tan(x)
    y = x.clone()
    assert y.tan_() is y and ember.equal(y, expected)
    out = ember.empty(2)
    assert ember.erf(x, out=out) is out and ember.equal(out, ember.erf(x))
    z = ember.tensor([1.0, 2.0])
    z.copysign_(ember.tensor([-1.0, 1.0]))
    assert z.tolist() == [-1.0, 2.0]
    leaf = _x([0.2])
    with pytest.raises(RuntimeError, match="leaf Variable"):
        leaf.erf_()
    w = leaf * 1
    w.erf_()
    w.backward()
    assert leaf.grad.item() == pytest.approx(2 / math.sqrt(math.pi) * math.exp(-0.04))

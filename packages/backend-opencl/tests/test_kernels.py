"""Every op in the op list, on OpenCL arrays, against the CPU backend's NumPy kernels.

Each case calls one kernel on NumPy inputs (CPU) and on the same values moved to the
OpenCL device, then compares the results: dtype, shape and values.
"""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest

from ember import _dtype
from ember.backends import OPS
from ember.backends.plugins import registry
from ember_opencl.array import CLArray

try:
    CL = registry.get("opencl")
    AVAILABLE = CL.is_available()
except RuntimeError:  # pragma: no cover
    AVAILABLE = False
pytestmark = pytest.mark.skipif(not AVAILABLE, reason="no OpenCL device")

CPU = registry.get("cpu") if AVAILABLE else None
rng = np.random.default_rng(1234)
BF16 = np.dtype(ml_dtypes.bfloat16)
FLOATS = ["float32", "float64", "float16", BF16]
INTS = ["int8", "int16", "int32", "int64", "uint8"]


def arr(shape, dtype="float32", low=-3, high=3):
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        low = max(low, np.iinfo(dtype).min)
        return rng.integers(low, high, shape).astype(dtype)
    return rng.uniform(low, high, shape).astype(dtype)


def to_cl(v):
    if isinstance(v, np.ndarray):
        return CL.from_host(v, 0)
    if isinstance(v, (tuple, list)):
        return type(v)(to_cl(i) for i in v)
    return v


def to_np(v):
    if isinstance(v, CLArray):
        return CL.to_host(v)
    if isinstance(v, (tuple, list)):
        return type(v)(to_np(i) for i in v)
    return v


def assert_same(got, want, rtol, atol, exact_nan=True):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            assert_same(g, w, rtol, atol)
        return
    got = to_np(got)
    want = np.asarray(want)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    if want.dtype.kind == "f" or want.dtype == BF16:
        np.testing.assert_allclose(got.astype("f8"), want.astype("f8"), rtol=rtol, atol=atol,
                                   equal_nan=True)
    else:
        np.testing.assert_array_equal(got, want)


def tol(*arrays):
    kinds = {np.dtype(a.dtype) for a in arrays if isinstance(a, np.ndarray)}
    if kinds & {np.dtype("float16"), BF16}:
        return 1e-2, 1e-2
    if np.dtype("float32") in kinds:
        return 2e-5, 1e-5
    return 1e-12, 1e-12


IN_PLACE = {"assign", "setitem", "index_add_at", "put_along_axis", "add_along_axis"}


def run(op, *args, tolerance=None, **kw):
    """op on CPU and on OpenCL with the same inputs; returns the OpenCL result (numpy).

    In-place ops are compared by the array they write to."""
    cpu_args = [np.copy(a) if isinstance(a, np.ndarray) else a for a in args]
    cl_args = to_cl(args)
    want = getattr(CPU.kernels, op)(*cpu_args, **kw)
    got = getattr(CL.kernels, op)(*cl_args, **kw)
    if op in IN_PLACE:
        want, got = cpu_args[0], cl_args[0]
    rtol, atol = tolerance or tol(*args, *(want if isinstance(want, tuple) else (want,)))
    assert_same(got, want, rtol, atol)
    return to_np(got)


COVERED = set()


def covers(*ops):
    COVERED.update(ops)


# -- memory and creation ---------------------------------------------------------------
covers("full", "empty", "zeros", "ones", "arange", "eye", "linspace")


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16", "int64",
                                   "int32", "uint8", "bool"])
def test_creation(dtype):
    dt = getattr(_dtype, dtype)
    run("full", (2, 3), 5 if dtype != "bool" else True, dt, 0)
    run("zeros", (4,), dt, 0)
    run("ones", (2, 0, 3), dt, 0)
    run("eye", 3, 4, dt, 0)
    assert CL.kernels.empty((3, 2), dt, 0).shape == (3, 2)
    if dtype != "bool":
        run("arange", 0, 10, 3, dt, 0)
    if dt.is_floating_point:
        run("arange", 0.5, 3.0, 0.25, dt, 0)
        run("linspace", -1.0, 1.0, 7, dt, 0)
        run("linspace", 0.0, 1.0, 1, dt, 0)


covers("astype", "copy", "assign")


@pytest.mark.parametrize("src", FLOATS + INTS + ["bool"])
@pytest.mark.parametrize("dst", FLOATS + INTS + ["bool"])
def test_astype(src, dst):
    x = arr((3, 5), src, 0 if np.dtype(dst).kind == "u" else -3, 100)
    x[0, 0] = 0
    run("astype", x, _dtype.from_numpy_dtype(np.dtype(dst)))


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # NumPy's float16
def test_full_converts_like_c():
    run("full", (3,), -1, _dtype.uint8, 0)  # 255, as C and PyTorch convert it
    run("full", (2,), 300, _dtype.uint8, 0)
    run("full", (2,), 1e6, _dtype.float16, 0)


def test_copy_and_assign():
    x = arr((4, 6))
    run("copy", x.T)
    dst = arr((4, 6))
    out = run("assign", dst, arr((6,)))
    assert out.shape == (4, 6)
    run("assign", arr((2, 3), "int32"), 7)
    # assign between overlapping views of one buffer
    a = CL.from_host(np.arange(10, dtype="f4"), 0)
    CL.kernels.assign(a[1:], a[:-1])
    np.testing.assert_array_equal(CL.to_host(a), [0, 0, 1, 2, 3, 4, 5, 6, 7, 8])


# -- elementwise -----------------------------------------------------------------------
UNARY_FLOAT = ["neg", "abs", "sign", "exp", "log", "log1p", "expm1", "sqrt", "sin", "cos",
               "tanh", "floor", "ceil", "round", "trunc", "isnan", "reciprocal", "rsqrt",
               "sigmoid", "relu", "square"]
covers(*UNARY_FLOAT, "logical_not", "bitwise_not")


@pytest.mark.parametrize("op", UNARY_FLOAT)
@pytest.mark.parametrize("dtype", FLOATS)
def test_unary_float(op, dtype):
    x = arr((5, 7), dtype)
    if op in ("log", "sqrt", "rsqrt"):
        x = np.abs(x) + np.asarray(0.1, x.dtype)
    if op == "log1p":
        x = np.abs(x)
    x[0, :3] = np.array([np.nan, np.inf, -np.inf]).astype(x.dtype)
    x[1, :4] = np.array([0.5, 1.5, 2.5, -0.5]).astype(x.dtype)  # rint's ties
    run(op, x)
    run(op, x[:, ::2].T)  # strided input


LIBRARY_UNARY = ["exp2", "log2", "log10", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh",
                 "acosh", "atanh", "erf", "erfc", "lgamma", "signbit"]
covers(*LIBRARY_UNARY)


@pytest.mark.parametrize("op", LIBRARY_UNARY)
@pytest.mark.parametrize("dtype", ["float32", "float64", BF16])
def test_library_unary(op, dtype):
    x = arr((4, 9), dtype, -4, 4)
    x[0, :5] = np.array([0.0, -0.0, np.inf, -np.inf, np.nan]).astype(x.dtype)
    x[1, :4] = np.array([0.5, -0.5, 1.0, 2.0]).astype(x.dtype)
    run(op, x)


LIBRARY_BINARY = ["copysign", "fmax", "fmin", "hypot", "logaddexp", "fmod"]
covers(*LIBRARY_BINARY, "threshold_backward", "diagonal")


@pytest.mark.parametrize("op", LIBRARY_BINARY)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_library_binary(op, dtype):
    x, y = arr((3, 6), dtype), arr((6,), dtype)
    x[0, :4] = np.array([np.nan, np.inf, -0.0, 2.0]).astype(x.dtype)
    y[:4] = np.array([1.0, np.inf, -1.0, np.nan]).astype(x.dtype)
    run(op, x, y)
    run(op, x, 1.5)
    if op in ("fmax", "fmin", "fmod"):
        run(op, arr((3, 6), "int32", -9, 9), arr((6,), "int32", -3, 3))


def test_threshold_backward_and_diagonal():
    run("threshold_backward", arr((3, 5)), arr((3, 5)), 0.5)
    run("threshold_backward", arr((3, 5), "float16"), arr((5,), "float16"), 0)
    x = arr((3, 4, 5))
    for offset, a1, a2 in [(0, 0, 1), (1, 1, 2), (-2, 2, 0), (7, 1, 2), (0, 2, 1)]:
        got = run("diagonal", x, offset, a1, a2)
        assert got.shape == np.diagonal(x, offset, a1, a2).shape
    a = CL.from_host(x, 0)
    assert CL.shares_memory(CL.kernels.diagonal(a, 1, 1, 2), a)


@pytest.mark.parametrize("op,dtype", [(op, dtype) for op in (
    "neg", "abs", "sign", "floor", "square", "relu", "bitwise_not") for dtype in INTS
    if (op, dtype) != ("neg", "uint8")])  # NumPy wraps unsigned negation
def test_unary_int(op, dtype):
    run(op, arr((4, 5), dtype, 0 if dtype == "uint8" else -50, 50))


def test_unary_bool_and_out():
    b = arr((3, 4), "bool")
    run("logical_not", b)
    run("logical_not", arr((3, 4), "float32"))
    run("bitwise_not", b)
    run("isnan", arr((3,), "int32"))
    x = arr((3, 4))
    out = CL.from_host(np.zeros((3, 4), "f4"), 0)
    CL.kernels.exp(CL.from_host(x, 0), out=out)
    np.testing.assert_allclose(CL.to_host(out), np.exp(x), rtol=1e-6)


BINARY = ["add", "sub", "mul", "div", "floor_divide", "remainder", "pow", "maximum", "minimum",
          "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor",
          "atan2"]
covers(*BINARY, "bitwise_and", "bitwise_or", "bitwise_xor")


@pytest.mark.parametrize("op", BINARY)
@pytest.mark.parametrize("dtype", FLOATS)
def test_binary_float(op, dtype):
    x, y = arr((4, 1, 5), dtype), arr((3, 5), dtype)
    if op == "pow":
        x = np.abs(x)
    y[0, 0] = 0
    x[0, 0, :2] = np.array([np.nan, np.inf]).astype(x.dtype)
    run(op, x, y)
    run(op, x, 2.5)
    run(op, 1.5, y)
    run(op, x[::2], y.T[:, :1].T)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "floor_divide", "remainder", "pow",
                                "maximum", "minimum", "eq", "lt", "ge", "bitwise_and",
                                "bitwise_or", "bitwise_xor", "logical_and", "div"])
@pytest.mark.parametrize("dtype", INTS)
def test_binary_int(op, dtype):
    lo = 0 if dtype == "uint8" else -9
    x, y = arr((3, 4), dtype, lo, 10), arr((3, 4), dtype, lo, 10)
    if op == "pow":
        y = np.abs(y) % 4
    y[0, :2] = 0
    if dtype != "uint8" and op != "pow":
        x[1, 0], y[1, 0] = np.iinfo(dtype).min, -1  # the one overflowing division
    run(op, x, y)
    run(op, x, 3)


@pytest.mark.parametrize("op", ["add", "mul", "maximum", "minimum", "eq", "logical_xor",
                                "bitwise_xor", "bitwise_or"])
def test_binary_bool(op):
    run(op, arr((5,), "bool"), arr((5,), "bool"))


def test_binary_mixed_and_weak_scalars():
    run("add", arr((3,), "int32"), 2.5)       # int array, float scalar: float64 as NumPy
    run("mul", arr((3,), "bool"), 3)
    run("lt", arr((3,), "float32"), 1)
    run("logical_and", arr((3,), "float32"), arr((3,), "int64"))
    run("div", arr((3,), "int64", 1, 5), arr((3,), "int64", 1, 5))


def test_binary_out_in_place_and_overlap():
    x = arr((4, 5))
    a = CL.from_host(x, 0)
    CL.kernels.add(a, 1.0, out=a)
    np.testing.assert_allclose(CL.to_host(a), x + 1)
    b = CL.from_host(np.arange(6, dtype="f4"), 0)
    CL.kernels.add(b[:-1], b[1:], out=b[1:])    # partial overlap: computed out of place
    np.testing.assert_array_equal(CL.to_host(b), [0, 1, 3, 5, 7, 9])


covers("where", "clip")


@pytest.mark.parametrize("dtype", FLOATS + ["int32", "bool"])
def test_where_and_clip(dtype):
    c = arr((3, 4), "bool")
    run("where", c, arr((3, 4), dtype), arr((4,), dtype))
    run("where", c, arr((3, 4), dtype), 0)
    if dtype != "bool":
        run("clip", arr((3, 4), dtype, -10, 10), -2, 3)
        run("clip", arr((3, 4), dtype, -10, 10), None, 3)
        run("clip", arr((3, 4), dtype, -10, 10), -1, None)


# -- reductions --------------------------------------------------------------------------
REDUCTIONS = ["sum", "prod", "amax", "amin", "any", "all", "mean"]
covers(*REDUCTIONS, "argmax", "argmin", "var", "logsumexp", "cumsum", "cumprod", "softmax",
       "log_softmax")


@pytest.mark.parametrize("op,dtype", [(op, dtype) for op in REDUCTIONS for dtype in (
    "float32", "float64", "float16", "int32", "bool", "uint8") if op != "mean" or
                                        dtype.startswith("float")])
@pytest.mark.parametrize("axes", [None, (0,), (1,), (0, 2), (2,), ()])
def test_reductions(op, dtype, axes):
    x = arr((4, 33, 5), dtype, 0 if op == "prod" else -3, 3)
    if op == "prod" and np.dtype(dtype).kind == "f":
        x = (x / 3 + 0.8).astype(dtype)
    run(op, x, axes, False)
    run(op, x, axes, True)
    run(op, x.transpose(2, 0, 1), axes, False)


def test_reductions_big_and_nan():
    x = arr((3, 100_000))
    run("sum", x, (1,), False)
    run("sum", x, None, False)
    x[1, 500] = np.nan
    run("amax", x, (1,), False)
    run("amin", x, None, True)
    run("sum", arr((0, 3)), (0,), False)
    run("prod", arr((0, 3)), (0,), True)
    run("any", arr((2, 0), "bool"), (1,), False)


@pytest.mark.parametrize("op", ["argmax", "argmin"])
@pytest.mark.parametrize("dtype", ["float32", "int64", "float16", "bool"])
def test_argreductions(op, dtype):
    x = arr((5, 300, 3), dtype, -3, 3)
    for axis in (None, 0, 1, 2):
        run(op, x, axis, False)
        run(op, x, axis, True)
    if dtype == "float32":
        x[2, 7, 1] = np.nan
        run(op, x, 1, False)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_fused_rowwise(dtype):
    x = arr((6, 9, 4), dtype)
    for axis in (0, 1, 2):
        run("softmax", x, axis)
        run("log_softmax", x, axis)
        run("logsumexp", x, (axis,), False)
        run("logsumexp", x, (axis,), True)
    run("logsumexp", x, (0, 2), False)
    run("var", x, (1,), 1, False)
    run("var", x, None, 0, True)
    x[0, 0, 0] = -np.inf
    run("logsumexp", x, (2,), False)
    big = np.array([[1000.0, 1000.0, -1000.0], [-np.inf, 1.0, 2.0]], dtype)
    run("log_softmax", big, 1)  # no cancellation near 1000


@pytest.mark.parametrize("dtype", ["float32", "int32", "bool", "float64"])
def test_scans(dtype):
    x = arr((4, 6, 3), dtype, -2, 3)
    for axis in (0, 1, 2):
        run("cumsum", x, axis)
        run("cumprod", x, axis)
    run("cumsum", x.transpose(1, 2, 0), 2)


# -- views and layout --------------------------------------------------------------------
covers("reshape", "permute", "broadcast_to", "tile")


def test_views_share_memory():
    x = arr((4, 6))
    a = CL.from_host(x, 0)
    r = CL.kernels.reshape(a, (2, 12))
    p = CL.kernels.permute(a, (1, 0))
    b = CL.kernels.broadcast_to(CL.kernels.reshape(a[0], (1, 6)), (3, 6))
    for v in (r, p, b):
        assert CL.shares_memory(v, a)
    assert p.strides == (4, 24)
    assert b.strides == (0, 4)
    np.testing.assert_array_equal(CL.to_host(p), x.T)
    np.testing.assert_array_equal(CL.to_host(b), np.broadcast_to(x[0], (3, 6)))
    # reshaping a transposed array must copy, as NumPy does
    t = CL.kernels.reshape(p, (24,))
    assert not CL.shares_memory(t, a)
    np.testing.assert_array_equal(CL.to_host(t), x.T.reshape(-1))
    run("tile", x, (2, 1, 3))


# -- indexing ----------------------------------------------------------------------------
covers("getitem", "setitem", "index_add_at")

I = np.array  # noqa: E741


def keys():
    idx = I([2, 0, 2, -1])
    return [
        (1,), (slice(1, 3),), (Ellipsis, 1), (None, slice(None, None, 2), 0),
        (slice(None), slice(0, 5, 2)),
        (idx,), (slice(None), idx), (idx, slice(1, 3), I([[0], [1]])),
        (idx, 1), (slice(None), 1, idx), (1, slice(None), idx), (I([[0, 1], [2, 3]]), ),
        (Ellipsis, I([2, 0])), (None, idx, None),
        (I([True, False, True, True]),), (slice(None), I([True] * 5 + [False]), 2),
        (I(True),), (I([[True, False, True] * 2] * 4),),
    ]


@pytest.mark.parametrize("key", range(len(keys())))
def test_getitem(key):
    x = arr((4, 6, 3))
    k = keys()[key]
    run("getitem", x, k + (Ellipsis,) if not any(isinstance(i, np.ndarray) for i in k)
        and Ellipsis not in k else k)


@pytest.mark.parametrize("key", range(len(keys())))
@pytest.mark.parametrize("op", ["setitem", "index_add_at"])
def test_setitem_and_index_add(key, op):
    x = arr((4, 6, 3))
    k = keys()[key]
    shape = x[k].shape
    run(op, x, k, arr(shape))
    run(op, x, k, arr(shape[-1:]) if shape else arr(()))
    if op == "setitem":
        run(op, x, k, 2.0)


def test_index_add_repeats_in_order():
    x = np.zeros((5, 3), "f4")
    idx = I([1, 3, 1, 1, 0, 3])
    run("index_add_at", x, (idx,), arr((6, 3)))
    run("index_add_at", arr((7,), "int64"), (I([6, 6, 0, 6]),), arr((4,), "int64"))
    run("setitem", arr((7,)), (I([2, 2, 2]),), I([1.0, 2.0, 3.0], "f4"))


covers("concatenate", "flip")


def test_concatenate_and_flip():
    a, b = arr((2, 3)), arr((4, 3))
    run("concatenate", [a, b], 0)
    run("concatenate", [a.T, arr((3, 0)), b.T], 1)
    x = arr((3, 4, 5), "int16")
    run("flip", x, (0,))
    run("flip", x, (0, 2))
    run("flip", x.transpose(2, 0, 1), (1,))


covers("take_along_axis", "put_along_axis", "add_along_axis")


def test_add_along_axis_covers_only_the_index_shape():
    # scatter_add's rule: the index's own shape, even where it is 1 and x is wider
    x = arr((3, 4))
    run("add_along_axis", x, np.array([[0], [2], [1]]), arr((3, 1)), 1)
    run("add_along_axis", x, np.array([[0, 1]]), arr((1, 2)), 0)


@pytest.mark.parametrize("dtype", ["float32", "int64", "float16"])
def test_along_axis(dtype):
    x = arr((4, 5, 3), dtype)
    for axis in (0, 1, 2):
        shape = list(x.shape)
        shape[axis] = 7
        idx = rng.integers(-x.shape[axis], x.shape[axis], shape)
        run("take_along_axis", x, idx, axis)
        vals = arr(tuple(shape), dtype)
        dedup = np.argsort(rng.random(x.shape), axis=axis)  # a permutation: no repeats
        run("put_along_axis", x, dedup, arr(x.shape, dtype), axis)
        run("add_along_axis", x, idx % x.shape[axis], vals, axis)
    run("take_along_axis", x, np.zeros((4, 1, 3), "i8"), 1)
    run("put_along_axis", x, np.zeros((4, 1, 3), "i8"), 1.0 if dtype != "int64" else 1, 1)


covers("nonzero")


@pytest.mark.parametrize("dtype", ["bool", "float32", "int8"])
def test_nonzero(dtype):
    x = arr((5, 7, 3), dtype, -1, 2)
    run("nonzero", x)
    run("nonzero", x.transpose(1, 0, 2))
    run("nonzero", np.zeros((4,), dtype))
    run("nonzero", np.zeros((0, 3), dtype))


covers("sort")


@pytest.mark.parametrize("dtype", ["float32", "int64", "float16", "bool", "uint8"])
@pytest.mark.parametrize("descending", [False, True])
def test_sort(dtype, descending):
    x = arr((5, 17, 3), dtype, -4, 4)
    if dtype == "float32":
        x[1, 3, 0] = x[2, 5, 1] = np.nan
    for axis in (0, 1, 2):
        run("sort", x, axis, descending, True)
    run("sort", arr((3000,), dtype, -50, 50), 0, descending, True)  # several launches
    run("sort", arr((0, 4), dtype), 1, descending, True)


# -- linear algebra ------------------------------------------------------------------------
covers("matmul", "einsum")


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "float16", "int64"])
@pytest.mark.parametrize("shapes", [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)),
                                    ((4,), (4,)), ((2, 3, 4), (4, 5)), ((2, 1, 3, 4),
                                                                        (5, 4, 2)),
                                    ((37, 70), (70, 33)), ((3, 0), (0, 2)), ((0, 3), (3, 4))])
def test_matmul(dtype, shapes):
    a, b = arr(shapes[0], dtype), arr(shapes[1], dtype)
    run("matmul", a, b)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matmul_on_the_tiled_kernel(dtype, monkeypatch):
    """The backend's own GEMM, used where pyclblast is not installed."""
    from ember_opencl import runtime

    monkeypatch.setitem(runtime.device(0).extra, "use_clblast", False)
    for a, b in [((70, 130), (130, 65)), ((2, 1, 9, 4), (3, 4, 5)), ((1, 1), (1, 1))]:
        run("matmul", arr(a, dtype), arr(b, dtype))
    run("matmul", arr((40, 30), dtype).T, arr((20, 40), dtype).T)


def test_matmul_strided_operands():
    a, b = arr((6, 4)), arr((5, 6))
    run("matmul", a.T, b.T)
    run("matmul", arr((3, 8, 4))[:, ::2], arr((3, 3, 4)).transpose(0, 2, 1)[:, :, :2])
    x = arr((4, 5))
    run("matmul", np.broadcast_to(x, (3, 4, 5)), arr((3, 5, 2)))
    # a batch whose matrices need a copy for CLBlast (batch stride 1 before the copy)
    a = CL.kernels.permute(CL.from_host(arr((4, 3, 2)), 0), (2, 1, 0))
    b = arr((4, 5))
    np.testing.assert_allclose(CL.to_host(CL.kernels.matmul(a, CL.from_host(b, 0))),
                               CL.to_host(a) @ b, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("eq,shapes", [
    ("ij,jk->ik", [(3, 4), (4, 5)]), ("ij,jk", [(3, 4), (4, 5)]), ("ii->i", [(4, 4)]),
    ("ii", [(4, 4)]), ("ij->ji", [(3, 4)]), ("ij->", [(3, 4)]), ("bij,bjk->bik",
                                                                  [(2, 3, 4), (2, 4, 5)]),
    ("i,j->ij", [(3,), (4,)]), ("i,i->", [(5,), (5,)]), ("...ij,...jk->...ik",
                                                        [(2, 3, 4), (4, 5)]),
    ("ijk,ikl,lm->jm", [(2, 3, 4), (2, 4, 5), (5, 6)]), ("bhqd,bhkd->bhqk",
                                                          [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("iij->j", [(3, 3, 2)]), ("ij,ij->i", [(3, 4), (3, 4)]), ("i...->...", [(2, 3, 4)]),
])
def test_einsum(eq, shapes):
    run("einsum", eq, *[arr(s) for s in shapes])
    if "..." not in eq:
        run("einsum", eq, *[arr(s, "int64") for s in shapes])


# -- convolution and pooling -----------------------------------------------------------------
covers("im2col", "col2im", "max_pool", "convolution", "convolution_backward_input",
       "convolution_backward_weight", "max_pool_backward")

GEOMETRIES = [  # spatial shape, kernel, stride, padding, dilation
    ((9, 8), (3, 3), (1, 1), (1, 1), (1, 1)), ((9, 8), (2, 2), (2, 2), (0, 0), (1, 1)),
    ((10, 7), (3, 2), (2, 1), (1, 0), (2, 1)), ((11,), (4,), (3,), (2,), (1,)),
    ((5, 4, 6), (2, 3, 2), (1, 2, 2), (1, 1, 0), (1, 1, 2)),
]


@pytest.mark.parametrize("geometry", GEOMETRIES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_convolution_kernels(geometry, dtype):
    spatial, kernel, stride, padding, dilation = geometry
    x = arr((2, 4) + spatial, dtype)
    cols = run("im2col", x, kernel, stride, padding, dilation)
    run("col2im", arr(cols.shape, dtype), x.shape, kernel, stride, padding, dilation)
    w = arr((6, 2) + kernel, dtype)
    # sums of products: NumPy's float16 matmul rounds more often than our float accumulation
    loose = (1e-2, 0.1) if dtype == "float16" else None
    out = run("convolution", x, w, stride, padding, dilation, 2, tolerance=loose)
    g = arr(out.shape, dtype)
    run("convolution_backward_input", g, w, x.shape, stride, padding, dilation, 2,
        tolerance=loose)
    run("convolution_backward_weight", x, g, w.shape, stride, padding, dilation, 2,
        tolerance=loose)


@pytest.mark.parametrize("geometry", GEOMETRIES)
@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float16", "int32"])
def test_max_pool(geometry, ceil_mode, dtype):
    spatial, kernel, stride, _, dilation = geometry
    padding = tuple(k // 2 for k in kernel)
    x = arr((2, 3) + spatial, dtype, -20, 20)
    if dtype == "float32":
        x[0, 0].flat[3] = np.nan
    values, indices = run("max_pool", x, kernel, stride, padding, dilation, ceil_mode)
    g = arr(values.shape, "float32")
    overlapping = any(s < k for s, k in zip(stride, kernel))
    run("max_pool_backward", g, indices, x.shape, overlapping)


# -- random numbers ------------------------------------------------------------------------
covers("uniform", "normal", "randint", "randperm", "bernoulli")


def test_random_reproducible_and_distributed():
    gen = CL.new_generator(42, 0)
    u = CL.to_host(CL.kernels.uniform(gen, (100_000,), 2.0, 5.0, _dtype.float32))
    assert u.dtype == np.float32 and 2.0 <= u.min() and u.max() < 5.0
    assert abs(u.mean() - 3.5) < 0.02 and abs(u.std() - 3 / 12 ** 0.5) < 0.02
    n = CL.to_host(CL.kernels.normal(gen, (100_001,), 1.0, 2.0, _dtype.float64))
    assert n.shape == (100_001,) and abs(n.mean() - 1) < 0.05 and abs(n.std() - 2) < 0.05
    r = CL.to_host(CL.kernels.randint(gen, -3, 4, (10_000,), _dtype.int64))
    assert set(np.unique(r)) == set(range(-3, 4))
    p = CL.to_host(CL.kernels.randperm(gen, 1000, _dtype.int64, 0))
    assert sorted(p) == list(range(1000))
    b = CL.to_host(CL.kernels.bernoulli(gen, CL.from_host(np.full(10_000, 0.3, "f4"), 0),
                                        _dtype.float32))
    assert set(np.unique(b)) == {0.0, 1.0} and abs(b.mean() - 0.3) < 0.03
    h = CL.to_host(CL.kernels.uniform(gen, (7,), 0.0, 1.0, _dtype.bfloat16))
    assert h.dtype == BF16
    # the same seed and the same calls give the same numbers; the state round-trips
    g1, g2 = CL.new_generator(7, 0), CL.new_generator(7, 0)
    first = CL.to_host(CL.kernels.normal(g1, (5,), 0.0, 1.0, _dtype.float32))
    state = CL.generator_state(g1)
    second = CL.to_host(CL.kernels.normal(g1, (5,), 0.0, 1.0, _dtype.float32))
    np.testing.assert_array_equal(first, CL.to_host(CL.kernels.normal(g2, (5,), 0.0, 1.0,
                                                                       _dtype.float32)))
    assert not np.array_equal(first, second)
    CL.set_generator_state(g2, state)
    np.testing.assert_array_equal(second, CL.to_host(CL.kernels.normal(g2, (5,), 0.0, 1.0,
                                                                        _dtype.float32)))


def test_philox_known_answer():
    from ember_opencl.random import philox_reference

    # Random123's known-answer vector for Philox4x32-10 (counter 0, key 0)
    assert philox_reference([0, 0, 0, 0], [0, 0]) == [0x6627E8D5, 0xE169C58D, 0xBC57AC4C,
                                                      0x9B00DBD8]
    gen = CL.new_generator(0, 0)
    bits = CL.to_host(CL.kernels.randint(gen, 0, 2**32, (2,), _dtype.int64))
    words = philox_reference([0, 0, 0, 0], [0, 0])
    assert bits[0] == ((words[0] << 32) | words[1]) % 2**32


def test_every_native_kernel_is_covered():
    """Every required op, and every optional op this backend implements itself (the others
    are core's decompositions over these), has a case above."""
    from ember.backends.base import REQUIRED
    from ember_opencl.backend import kernel_table

    native = set(kernel_table(CL.kernels)) & set(OPS)
    assert (REQUIRED | native) - COVERED == set()


def test_more_dims_than_kernels_take():
    """Layouts with more unmergeable dims than the kernels' MAXD still work."""
    from ember_opencl.layout import MAXD

    x = arr((2,) * (MAXD + 1)).transpose(*range(MAXD, -1, -2), *range(MAXD - 1, -1, -2))
    run("exp", x)
    run("add", x, x[..., :1])
    run("sum", x, tuple(range(0, MAXD + 1, 2)), False)
    run("mean", x, tuple(range(0, MAXD + 1, 2)), True)
    run("amax", x, (1,), False)

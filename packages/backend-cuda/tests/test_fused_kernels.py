"""The fused CUDA kernels (``ember_cuda.kernels``) against the core decompositions run with
the same GPU's generic kernels: values, the fallbacks, and dropout's random stream."""

import functools

import numpy as np
import pytest

import ember
from ember.backends import decompositions

pytestmark = pytest.mark.skipif(not ember.cuda.is_available(), reason="needs an NVIDIA GPU")
DTYPES = [np.float32, np.float64]


@pytest.fixture(scope="module")
def table():
    return ember.backends.registry.canonical("cuda")._k


def _fused(name):
    from ember_cuda import kernels

    return getattr(kernels, name)


def _decomposed(table, name):
    return functools.partial(getattr(decompositions, name), table)


def _arrays(seed, dtype, *shapes):
    import cupy

    rng = np.random.default_rng(seed)
    return [cupy.asarray((rng.standard_normal(s) * 2).astype(dtype)) for s in shapes]


def _close(actual, expected, dtype):
    import cupy

    actual = actual if isinstance(actual, tuple) else (actual,)
    expected = expected if isinstance(expected, tuple) else (expected,)
    assert len(actual) == len(expected)
    tol = 3e-5 if dtype == np.float32 else 1e-12
    for a, e in zip(actual, expected):
        assert (a is None) == (e is None)
        if a is not None:
            assert a.shape == e.shape and a.dtype == e.dtype
            np.testing.assert_allclose(cupy.asnumpy(a), cupy.asnumpy(e), rtol=tol, atol=tol)


def _both(table, name, *args):
    out = _fused(name)(*args)
    assert out is not None, f"{name}: the fused kernel did not apply"
    _close(out, _decomposed(table, name)(*args), args[0].dtype)
    return out


_NORM_CASES = [((64, 1024), 1), ((3, 5, 7), 1), ((4, 6, 50), 2), ((300, 33), 1), ((2, 5000), 1)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, ndim", _NORM_CASES)
def test_layer_norm(table, dtype, shape, ndim):
    tail = shape[len(shape) - ndim:]
    x, w, b, g = _arrays(1, dtype, shape, tail, tail, shape)
    for weight, bias in [(w, b), (None, None), (w, None)]:
        _, mean, rstd = _both(table, "layer_norm", x, weight, bias, ndim, 1e-5)
        for mask in [(True, True, True), (True, False, False), (False, True, True)]:
            mask = (mask[0], mask[1] and weight is not None, mask[2])
            _both(table, "layer_norm_backward", g, x, mean, rstd, weight, ndim, mask)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, ndim", _NORM_CASES)
def test_rms_norm(table, dtype, shape, ndim):
    tail = shape[len(shape) - ndim:]
    x, w, g = _arrays(2, dtype, shape, tail, shape)
    for weight in (w, None):
        _, rstd = _both(table, "rms_norm", x, weight, ndim, 1e-6)
        for mask in [(True, True), (True, False), (False, True)]:
            mask = (mask[0], mask[1] and weight is not None)
            _both(table, "rms_norm_backward", g, x, rstd, weight, ndim, mask)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("rows, cols", [(128, 10), (5, 1), (33, 32000), (7, 1000)])
def test_cross_entropy(table, dtype, rows, cols):
    import cupy

    x, g = _arrays(3, dtype, (rows, cols), (rows,))
    target = cupy.asarray(np.random.default_rng(4).integers(0, cols, rows))
    _, lse = _both(table, "cross_entropy", x, target)
    _both(table, "cross_entropy_backward", g, x, target, lse)
    transposed = cupy.ascontiguousarray(x.T).T  # a non-contiguous view: copied first
    _both(table, "cross_entropy", transposed, target)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_extreme_logits(table, dtype):
    import cupy

    x = cupy.asarray(np.array([[1000.0, 1000.0, -1000.0], [-np.inf, 0.0, 1.0]], dtype))
    _both(table, "cross_entropy", x, cupy.asarray(np.array([2, 1])))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu(table, dtype, approximate):
    x, g = _arrays(5, dtype, (257, 1000), (257, 1000))
    out, aux = _fused("gelu")(x, approximate)
    assert aux is None  # the backward recomputes Phi(x)
    _close(out, _decomposed(table, "gelu")(x, approximate)[0], dtype)
    _both(table, "gelu_backward", g, x, None, approximate)
    _close(table.gelu(x[:, ::2], approximate)[0],  # strided: copied first
           _decomposed(table, "gelu")(x[:, ::2], approximate)[0], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", [0.25, 0.5])
def test_dropout_draws_the_decomposition_stream(table, dtype, p):
    import cupy

    backend = ember.backends.registry.get("cuda")
    (x,) = _arrays(6, dtype, (1001, 257))
    fused_gen, core_gen = backend.new_generator(42, 0), backend.new_generator(42, 0)
    out, mask = _fused("dropout")(fused_gen, x, p)
    expected_out, expected_mask = _decomposed(table, "dropout")(core_gen, x, p)
    assert cupy.array_equal(mask, expected_mask) and cupy.array_equal(out, expected_out)
    assert fused_gen.offset == core_gen.offset
    assert abs(float((mask != 0).mean()) - (1 - p)) < 0.01
    again = _fused("dropout")(fused_gen, x, p)[1]
    assert not cupy.array_equal(again, mask)  # the generator advanced


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("log", [False, True])
def test_softmax(table, dtype, log):
    import cupy

    (x,) = _arrays(7, dtype, (100, 3000))
    x[0, :3] = cupy.asarray(np.array([1000.0, 1000.0, -1000.0], dtype))
    name = "log_softmax" if log else "softmax"
    _close(_fused("softmax")(x, 1, log), _decomposed(table, name)(x, 1), dtype)


def test_fallbacks_where_no_kernel_applies(table):
    (x,) = _arrays(8, np.float16, (4, 8))
    assert _fused("layer_norm")(x, None, None, 1, 1e-5) is None
    assert _fused("gelu")(x, "none") is None
    out, aux = table.gelu(x, "none")  # the decomposition, which keeps Phi(x)
    assert out.dtype == np.float16 and aux is not None
    assert table.gelu_backward(x, x, aux, "none").shape == (4, 8)
    (y,) = _arrays(9, np.float32, (4, 8))
    assert _fused("layer_norm")(y, y[0, :4], None, 1, 1e-5) is None  # weight not (8,)


def test_training_through_the_fused_kernels():
    F = ember.nn.functional
    ember.manual_seed(0)
    x = ember.randn(64, 128, device="cuda", requires_grad=True)
    w = ember.ones(128, device="cuda", requires_grad=True)
    target = ember.randint(0, 128, (64,), device="cuda")
    h = F.dropout(F.gelu(F.layer_norm(x, (128,), w)), 0.1)
    loss = F.cross_entropy(F.rms_norm(h, (128,)), target)
    loss.backward()
    assert loss.grad_fn.name() == "NllLossBackward0"
    assert np.isfinite(loss.item()) and x.grad.shape == x.shape and w.grad.shape == w.shape

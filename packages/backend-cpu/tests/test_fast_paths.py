"""The CPU backend's own fast paths agree with plain NumPy on every branch they take."""

import ml_dtypes
import numpy as np
import pytest

from ember_cpu import nn_kernels
from ember_cpu.backend import broadcast_to, relu


@pytest.mark.parametrize("n", [0, 16, nn_kernels._MIN_PARALLEL + 5])
def test_threshold_backward_small_and_threaded(n):
    rng = np.random.default_rng(0)
    g, x = rng.standard_normal((2, n)).astype(np.float32)
    if n:
        g[0], x[0] = np.inf, -1.0  # inf * 0 would give nan: the result must be 0
        g[-1], x[-1] = np.nan, -1.0
    out = nn_kernels.threshold_backward(g, x, 0.25)
    np.testing.assert_array_equal(out, np.where(x > 0.25, g, np.float32(0)))
    assert out.dtype == np.float32 and out.shape == (n,)


def test_threshold_backward_broadcast_and_non_contiguous():
    rng = np.random.default_rng(1)
    g = rng.standard_normal((300, 400)).T  # large and non-contiguous
    x = rng.standard_normal(300)
    np.testing.assert_array_equal(nn_kernels.threshold_backward(g, x, 0.0),
                                  np.where(x > 0, g, 0.0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, ml_dtypes.bfloat16])
def test_relu_against_a_cached_zero(dtype):
    x = np.array([-2, -0.0, 0, 3, np.nan], np.float64).astype(dtype) if \
        np.dtype(dtype).kind != "i" else np.array([-2, 0, 3], dtype)
    out = relu(x)
    assert out.dtype == x.dtype
    np.testing.assert_array_equal(out.astype(np.float64),
                                  np.maximum(x.astype(np.float64), 0))
    buf = np.empty_like(x)
    assert relu(x, out=buf) is buf
    assert relu(np.array(-1.0, np.float32)).shape == ()  # 0-d stays an array


@pytest.mark.parametrize("src, shape", [((), (4, 3)), ((3, 1), (2, 3, 5)), ((1, 3), (1, 3)),
                                        ((0, 1), (0, 4))])
def test_broadcast_to_views_read_only_where_elements_repeat(src, shape):
    x = np.arange(int(np.prod(src)), dtype=np.float32).reshape(src)
    out = broadcast_to(x, shape)
    np.testing.assert_array_equal(out, np.broadcast_to(x, shape))
    assert np.shares_memory(out, x) or not out.size
    assert out.flags.writeable == (out.size == x.size)


def test_broadcast_to_non_contiguous_input():
    x = np.arange(12.0).reshape(3, 4)[:, ::2]
    out = broadcast_to(x[:, None, :], (3, 5, 2))
    np.testing.assert_array_equal(out, np.broadcast_to(x[:, None, :], (3, 5, 2)))
    assert not out.flags.writeable

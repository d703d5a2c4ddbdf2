"""Property tests (hypothesis): broadcasting binary ops and reductions agree with NumPy for
any shapes, and shapes that do not broadcast raise PyTorch's error."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

_DTYPES = {"float32": ember.float32, "float64": ember.float64, "int32": ember.int32,
           "int64": ember.int64}
_OPS = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "maximum": np.maximum,
        "lt": np.less, "eq": np.equal}
_SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)


@_SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4,
                                                 min_side=0, max_side=3),
       op=st.sampled_from(sorted(_OPS)), dtype=st.sampled_from(sorted(_DTYPES)),
       seed=st.integers(0, 2**16))
def test_binary_ops_broadcast_as_numpy(shapes, op, dtype, seed):
    rng = np.random.default_rng(seed)
    a, b = (rng.integers(-5, 6, s).astype(dtype) for s in shapes.input_shapes)
    out = getattr(ember, op)(ember.tensor(a), ember.tensor(b))
    expected = _OPS[op](a, b)
    assert tuple(out.shape) == shapes.result_shape
    assert np.array_equal(out.numpy(), expected)


def _torch_message(a, b):
    """PyTorch's infer_size: compared from the last dimension, the rightmost mismatch."""
    ndim = max(len(a), len(b))
    for i in range(ndim - 1, -1, -1):
        off = ndim - 1 - i
        x = a[len(a) - 1 - off] if off < len(a) else 1
        y = b[len(b) - 1 - off] if off < len(b) else 1
        if x != y and x != 1 and y != 1:
            return (f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                    f"non-singleton dimension {i}")
    return None


@_SETTINGS
@given(a=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
       b=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
def test_broadcast_failures_name_the_sizes(a, b):
    message = _torch_message(a, b)
    x, y = ember.zeros(a), ember.zeros(b)
    if message is None:
        assert (x + y).shape == np.broadcast_shapes(a, b)
        return
    with pytest.raises(RuntimeError) as info:
        x + y
    assert str(info.value) == message


@_SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4),
       data=st.data(), keepdim=st.booleans())
def test_reductions_over_any_dims(shape, data, keepdim):
    dims = data.draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1,
                              max_size=len(shape), unique_by=lambda d: d % len(shape)))
    x = np.random.default_rng(len(shape)).standard_normal(shape)
    t = ember.tensor(x)
    axis = tuple(d % len(shape) for d in dims)
    for name, ref in [("sum", np.sum), ("mean", np.mean), ("amax", np.amax),
                      ("prod", np.prod)]:
        out = getattr(ember, name)(t, tuple(dims), keepdim=keepdim)
        np.testing.assert_allclose(out.numpy(), ref(x, axis=axis, keepdims=keepdim),
                                   rtol=1e-12, atol=1e-12)
    v = ember.var(t, tuple(dims), keepdim=keepdim, correction=0)
    np.testing.assert_allclose(v.numpy(), np.var(x, axis=axis, keepdims=keepdim), atol=1e-12)

"""DLPack interop with NumPy (zero-copy both ways), Tensor.numpy(force=) and pickling."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import ember


def test_numpy_consumes_ember_without_copying():
    x = ember.arange(6.0).reshape(2, 3)
    a = np.from_dlpack(x)
    assert a.shape == (2, 3) and a.dtype == np.float32
    a[0, 1] = 42.0
    assert x[0, 1].item() == 42.0
    assert x.__dlpack_device__() == (1, 0)
    view = x.t()  # strided views travel with their strides
    b = np.from_dlpack(view)
    np.testing.assert_array_equal(b, x.numpy().T)
    assert np.shares_memory(b, x.numpy())


def test_ember_consumes_numpy_and_capsules_without_copying():
    a = np.arange(8, dtype=np.int32).reshape(2, 4)
    x = ember.from_dlpack(a)
    assert x.dtype is ember.int32 and x.shape == (2, 4)
    x[1, 1] = -5
    assert a[1, 1] == -5
    y = ember.utils.dlpack.from_dlpack(a[:, ::2].__dlpack__())  # a legacy capsule
    assert y.tolist() == [[0, 2], [4, 6]]
    z = ember.utils.dlpack.from_dlpack(ember.utils.dlpack.to_dlpack(x))
    z[0, 0] = 7
    assert a[0, 0] == 7
    assert ember.from_dlpack(x) is x
    for dtype in (np.float64, np.float16, np.uint8, np.int64, np.bool_):
        arr = np.ones(3, dtype=dtype)
        assert ember.from_dlpack(arr).dtype.numpy == arr.dtype


def test_dlpack_refuses_tensors_that_require_grad():
    x = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Can't export tensors that require gradient, use "
                                           "tensor.detach()"):
        x.__dlpack__()
    assert np.from_dlpack(x.detach()).tolist() == [1.0, 1.0]


def test_numpy_force():
    x = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        x.numpy()
    a = x.numpy(force=True)
    assert a.tolist() == [1.0, 1.0]
    b = ember.tensor([1.5], dtype=ember.bfloat16).numpy()
    assert b.dtype.name == "bfloat16"


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64, ember.float16, ember.bfloat16,
                                   ember.int64, ember.int8, ember.uint8, ember.bool])
def test_pickle_round_trips(dtype):
    x = (ember.arange(12) % 3).to(dtype).reshape(3, 4)
    for t in (x, x[1:, ::2], x.t(), x[0], x[1, 2]):
        back = pickle.loads(pickle.dumps(t))
        assert back.dtype is dtype and back.shape == t.shape
        np.testing.assert_array_equal(back.float().numpy(), t.float().numpy())
    shared = pickle.loads(pickle.dumps((x, x)))
    assert shared[0] is shared[1]  # the pickle memo keeps identity


def test_pickle_keeps_requires_grad_and_makes_a_leaf():
    g = ember.ones(2, requires_grad=True)
    back = pickle.loads(pickle.dumps(g))
    assert back.requires_grad and back.is_leaf
    y = pickle.loads(pickle.dumps(g * 2))  # as PyTorch: a non-leaf pickles as a new leaf
    assert y.requires_grad and y.is_leaf and y.tolist() == [2.0, 2.0]
    c = copy.deepcopy(g)
    assert c.requires_grad and c is not g

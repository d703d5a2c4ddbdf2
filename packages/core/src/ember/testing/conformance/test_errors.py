"""Bad input raises PyTorch's exception types with PyTorch's messages."""

from __future__ import annotations

import re

import pytest

import ember


def _t(device, *shape, dtype=ember.float32):
    return ember.ones(*shape, dtype=dtype, device=device)


def _raises(exc, message, fn):
    with pytest.raises(exc, match=re.escape(message)):
        fn()


def test_mismatched_devices_name_both(device, fake_device):
    a = _t(device, 2)
    b = ember.ones(2, device=fake_device)
    here = str(a.device)
    for fn in (lambda: a + b, lambda: ember.mul(a, b), lambda: a @ b, lambda: ember.cat([a, b]),
               lambda: ember.where(a > 0, a, b), lambda: a.add_(b), lambda: ember.maximum(b, a),
               lambda: a.gather(0, ember.zeros(2, dtype=ember.int64, device=fake_device))):
        with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device") \
                as info:
            fn()
        assert here in str(info.value) and "fake:0" in str(info.value)


def test_broadcast_failures(device):
    _raises(RuntimeError, "The size of tensor a (2) must match the size of tensor b (3) at "
            "non-singleton dimension 0", lambda: _t(device, 2) + _t(device, 3))
    _raises(RuntimeError, "The size of tensor a (4) must match the size of tensor b (3) at "
            "non-singleton dimension 1", lambda: _t(device, 2, 4) * _t(device, 3))
    _raises(RuntimeError, "The size of tensor a (2) must match the size of tensor b (3) at "
            "non-singleton dimension 0",
            lambda: ember.where(_t(device, 2, dtype=ember.bool), _t(device, 3), 0.0))
    # the rightmost mismatch is named, as PyTorch compares from the last dimension
    for a, b, message in [((2, 3), (3, 4), "a (3) must match the size of tensor b (4) at "
                           "non-singleton dimension 1"),
                          ((2, 1, 3), (4, 5, 3), "a (2) must match the size of tensor b (4) at "
                           "non-singleton dimension 0"),
                          ((5, 2), (3,), "a (2) must match the size of tensor b (3) at "
                           "non-singleton dimension 1")]:
        _raises(RuntimeError, "The size of tensor " + message,
                lambda a=a, b=b: _t(device, *a) - _t(device, *b))
    _raises(RuntimeError, "The expanded size of the tensor (3) must match the existing size (2) "
            "at non-singleton dimension 0", lambda: _t(device, 2).expand(3))
    _raises(RuntimeError, "output with shape [2] doesn't match the broadcast shape [3, 2]",
            lambda: _t(device, 2).add_(_t(device, 3, 2)))
    _raises(RuntimeError, "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)",
            lambda: _t(device, 2, 3) @ _t(device, 2, 3))
    _raises(RuntimeError, "Sizes of tensors must match except in dimension 0. Expected size 3 "
            "but got size 2 for tensor number 1 in the list.",
            lambda: ember.cat([_t(device, 2, 3), _t(device, 3, 2)]))
    _raises(RuntimeError, "stack expects each tensor to be equal size, but got [2] at entry 0 "
            "and [3] at entry 1", lambda: ember.stack([_t(device, 2), _t(device, 3)]))
    _raises(RuntimeError, "shape '[4]' is invalid for input of size 6",
            lambda: _t(device, 2, 3).view(4))
    _raises(RuntimeError, "shape '[4, -1]' is invalid for input of size 6",
            lambda: _t(device, 2, 3).reshape(4, -1))


def test_integer_tensors_cannot_require_grad(device):
    for dtype in (ember.int64, ember.int32, ember.uint8, ember.bool):
        _raises(RuntimeError, "only Tensors of floating point and complex dtype can require "
                "gradients", lambda dtype=dtype: _t(device, 2, dtype=dtype).requires_grad_())
        with pytest.raises(RuntimeError, match="only Tensors of floating point"):
            ember.zeros(2, dtype=dtype, device=device, requires_grad=True)


def test_out_of_range_indices(device):
    t = ember.arange(6.0, device=device).reshape(2, 3)
    _raises(IndexError, "index 5 is out of bounds for dimension 0 with size 2", lambda: t[5])
    _raises(IndexError, "index 3 is out of bounds for dimension 1 with size 3", lambda: t[:, 3])
    _raises(IndexError, "index -3 is out of bounds for dimension 0 with size 2", lambda: t[-3])
    _raises(IndexError, "index 2 is out of bounds for dimension 0 with size 2",
            lambda: t[ember.tensor([0, 2], device=device)])
    _raises(IndexError, "too many indices for tensor of dimension 2", lambda: t[0, 0, 0])
    _raises(IndexError, "The shape of the mask [3] at index 0 does not match the shape of the "
            "indexed tensor [2, 3] at index 0",
            lambda: t[ember.tensor([True, False, True], device=device)])
    _raises(IndexError, "tensors used as indices must be long, int, byte or bool tensors",
            lambda: t[ember.tensor([1.0], device=device)])
    with pytest.raises(IndexError, match="index 7 is out of bounds"):
        t[1] = t[7]
    with pytest.raises(IndexError):
        t[ember.tensor([4], device=device)] = 1.0
    _raises(IndexError, "select(): index 2 out of range for tensor of size [2, 3] at "
            "dimension 0", lambda: t.select(0, 2))
    _raises(IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
            lambda: t.sum(2))
    _raises(IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
            lambda: t.transpose(0, 2))
    with pytest.raises((IndexError, RuntimeError), match="out of"):
        t.index_select(1, ember.tensor([4], device=device))
    _raises(RuntimeError, "index 5 is out of bounds for dimension 1 with size 3",
            lambda: t.gather(1, ember.tensor([[0, 5]], device=device)))
    _raises(RuntimeError, "index 3 is out of bounds for dimension 1 with size 3",
            lambda: t.scatter(1, ember.tensor([[3]], device=device), 1.0))
    _raises(RuntimeError, "start (2) + length (2) exceeds dimension size (3).",
            lambda: t.narrow(1, 2, 2))


def test_backward_errors(device):
    x = ember.ones(3, device=device, requires_grad=True)
    _raises(RuntimeError, "grad can be implicitly created only for scalar outputs",
            lambda: (x * 2).backward())
    _raises(RuntimeError, "element 0 of tensors does not require grad and does not have a "
            "grad_fn", lambda: ember.ones(2, device=device).sum().backward())


def test_dtype_errors(device):
    _raises(RuntimeError, "where expected condition to be a boolean tensor, but got a tensor with "
            "dtype Float", lambda: ember.where(_t(device, 2), _t(device, 2), _t(device, 2)))
    _raises(RuntimeError, "mean(): could not infer output dtype. Input dtype must be either a "
            "floating point or complex dtype. Got: Long",
            lambda: _t(device, 2, dtype=ember.int64).mean())
    with pytest.raises(RuntimeError, match="bitwise_and"):
        ember.tensor([1, 2], device=device) & ember.tensor([1.0, 2.0], device=device)
    _raises(RuntimeError, "result type Float can't be cast to the desired output type Long",
            lambda: _t(device, 2, dtype=ember.int64).add_(1.5))
    _raises(RuntimeError, "masked_fill_ only supports boolean masks",
            lambda: _t(device, 2).masked_fill(_t(device, 2), 0))
    _raises(RuntimeError, "Subtraction, the `-` operator, with two bool tensors is not "
            "supported", lambda: _t(device, 2, dtype=ember.bool) - _t(device, 2, dtype=ember.bool))
    _raises(RuntimeError, "Negation, the `-` operator, on a bool tensor is not supported",
            lambda: -_t(device, 2, dtype=ember.bool))
    with pytest.raises(RuntimeError, match="Expected reduction dim"):
        ember.zeros(0, device=device).max()
    _raises(IndexError, "argmax(): Expected reduction dim to be specified for input.numel() == 0.",
            lambda: ember.zeros(0, device=device).argmax())
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed"):
        ember.tensor([2], device=device) ** -1
    ints = ember.tensor([3, 4], device=device)
    zero = ember.tensor([1, 0], device=device)
    for fn in (lambda: ints // 0, lambda: ints % 0, lambda: ints // zero,
               lambda: ember.div(ints, 0, rounding_mode="trunc")):
        _raises(RuntimeError, "ZeroDivisionError", fn)
    assert (ints.float() // 0).tolist() == [float("inf")] * 2  # floats follow IEEE


_NO_INTEGER_KERNEL = [  # (nn.functional call, PyTorch's kernel name in its message)
    (lambda F, x: F.elu(x), "elu_cpu"), (lambda F, x: F.selu(x), "elu_cpu"),
    (lambda F, x: F.celu(x), "elu_cpu"), (lambda F, x: F.gelu(x), "GeluKernelImpl"),
    (lambda F, x: F.silu(x), "silu_cpu"), (lambda F, x: F.mish(x), "mish_cpu"),
    (lambda F, x: F.softplus(x), "softplus_cpu"), (lambda F, x: F.hardswish(x), "hardswish_cpu"),
    (lambda F, x: F.hardsigmoid(x), "hardsigmoid_cpu"),
    (lambda F, x: F.leaky_relu(x), "leaky_relu_cpu"), (lambda F, x: F.rrelu(x), "leaky_relu_cpu"),
    (lambda F, x: F.logsigmoid(x), "log_sigmoid_cpu"),
    (lambda F, x: F.softshrink(x), "softshrink_check"),
    (lambda F, x: F.hardshrink(x), "hardshrink_cpu"), (lambda F, x: F.glu(x), "glu_cpu"),
    (lambda F, x: F.softmax(x, 1), "softmax_lastdim_kernel_impl"),
    (lambda F, x: F.log_softmax(x, 1), "log_softmax_lastdim_kernel_impl"),
    (lambda F, x: F.cross_entropy(x, x[:, 0].long() * 0), "log_softmax_lastdim_kernel_impl"),
    (lambda F, x: F.layer_norm(x, (4,)), "LayerNormKernelImpl"),
    (lambda F, x: F.rms_norm(x, (4,)), "rms_norm"),
    (lambda F, x: F.group_norm(x, 1), "GroupNormKernelImpl"),
    (lambda F, x: F.batch_norm(x, None, None, training=True), "batch_norm"),
]


@pytest.mark.parametrize("call, kernel", _NO_INTEGER_KERNEL)
@pytest.mark.parametrize("dtype, name", [(ember.int64, "Long"), (ember.bool, "Bool"),
                                         (ember.uint8, "Byte")])
def test_nn_functional_refuses_integer_inputs(device, call, kernel, dtype, name):
    import ember.nn.functional as F

    x = ember.tensor([[1, 0, 3, 2], [0, 1, 1, 0]], device=device).to(dtype)
    _raises(NotImplementedError, f"\"{kernel}\" not implemented for '{name}'", lambda: call(F, x))


def test_nn_functional_integer_and_bool_rules(device):
    import ember.nn.functional as F

    ints = ember.tensor([-3, 0, 1, 7], device=device)
    bools = ember.tensor([True, False], device=device)
    assert F.hardtanh(ints, -1.5, 2.5).tolist() == [-1, 0, 1, 2]  # integral bounds, as PyTorch
    assert F.relu6(ints).dtype is ember.int64 and F.relu6(ints).tolist() == [0, 0, 1, 6]
    assert F.threshold(ints, 1, 0).tolist() == [0, 0, 0, 7]
    _raises(RuntimeError, "Bool inputs not supported for hardtanh", lambda: F.relu6(bools))
    _raises(RuntimeError, "Boolean inputs not supported for relu", lambda: F.relu(bools))
    _raises(NotImplementedError, "\"threshold_cpu\" not implemented for 'Bool'",
            lambda: F.threshold(bools, 0, 1))
    _raises(RuntimeError, "result type Float can't be cast to the desired output type Long",
            lambda: F.dropout(ints))
    assert F.dropout(ints, training=False) is ints
    _raises(RuntimeError, "linalg.vector_norm: Expected a floating point or complex tensor as "
            "input. Got Long", lambda: F.normalize(ints, dim=0))
    _raises(RuntimeError, "prelu: Type promoting not supported. Got Long and Float",
            lambda: F.prelu(ints, ember.ones(1, device=device)))
    _raises(RuntimeError, "Negation, the `-` operator, on a bool tensor is not supported",
            lambda: F.softmin(bools, 0))
    _raises(NotImplementedError, "\"softmax_lastdim_kernel_impl\" not implemented for 'Long'",
            lambda: F.softmin(ints, 0))
    _raises(RuntimeError, "Given normalized_shape=[3], expected input with shape [*, 3], but "
            "got input of size[4]", lambda: F.layer_norm(ints.float(), (3,)))


def test_kernels_missing_for_a_dtype(device):
    floats, doubles = _t(device, 2), _t(device, 2, dtype=ember.float64)
    bools = _t(device, 2, 2, dtype=ember.bool)
    _raises(NotImplementedError, "\"bitwise_and_cpu\" not implemented for 'Float'",
            lambda: ember.bitwise_and(floats, floats))
    _raises(NotImplementedError, "\"bitwise_or_cpu\" not implemented for 'Double'",
            lambda: doubles | doubles)
    _raises(NotImplementedError, "\"bitwise_not_cpu\" not implemented for 'Double'",
            lambda: ember.bitwise_not(doubles))
    _raises(TypeError, "~ (operator.invert) is only implemented on integer and Boolean-type "
            "tensors", lambda: ~floats)
    _raises(NotImplementedError, "\"trace\" not implemented for 'Bool'", lambda: bools.trace())
    _raises(NotImplementedError, "\"kthvalue_cpu\" not implemented for 'Bool'",
            lambda: bools.flatten().kthvalue(1))
    _raises(NotImplementedError, "\"histogram_cpu\" not implemented for 'Long'",
            lambda: ember.histc(_t(device, 2, dtype=ember.int64)))
    assert ember.bitwise_not(ember.tensor([True, False], device=device)).tolist() == [False, True]


def test_softmax_and_norms_of_integers(device):
    ints = _t(device, 2, 2, dtype=ember.int64)
    _raises(NotImplementedError, "\"softmax_kernel_impl\" not implemented for 'Long'",
            lambda: ember.softmax(ints, 0))
    _raises(NotImplementedError, "\"log_softmax_lastdim_kernel_impl\" not implemented for "
            "'Long'", lambda: ember.log_softmax(ints, -1))
    for fn in (lambda: ints.norm(), lambda: ember.linalg.vector_norm(ints)):
        _raises(RuntimeError, "linalg.vector_norm: Expected a floating point or complex tensor "
                "as input. Got Long", fn)
    _raises(NotImplementedError, "\"logcumsumexp_out_cpu\" not implemented for 'Long'",
            lambda: ember.logcumsumexp(ints, 0))

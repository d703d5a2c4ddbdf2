"""``ember.testing.assert_close`` and ``make_tensor``; expected messages are PyTorch 2.13's."""

import numpy as np
import pytest

import ember
from ember.testing import assert_close, make_tensor


def _message(actual, expected, **kwargs):
    with pytest.raises(AssertionError) as info:
        assert_close(actual, expected, **kwargs)
    return str(info.value)


def test_close_values_pass(device):
    a = ember.tensor([1.0, 2.0, 3.0], device=device)
    assert_close(a, a.clone())
    assert_close(a, a + 1e-7)
    assert_close(ember.zeros(0, device=device), ember.zeros(0, device=device))
    assert_close(ember.tensor([1.0, float("inf")], device=device),
                 ember.tensor([1.0, float("inf")], device=device))
    assert_close(a, a.t() if a.ndim == 2 else a)
    assert_close(ember.tensor([float("nan")], device=device),
                 ember.tensor([float("nan")], device=device), equal_nan=True)


def test_float_mismatch_message(device):
    msg = _message(ember.tensor([1.0, 2.0, 3.0], device=device),
                   ember.tensor([1.0, 2.5, 3.0], device=device))
    assert msg == ("Tensor-likes are not close!\n\nMismatched elements: 1 / 3 (33.3%)\n"
                   "Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\n"
                   "Greatest relative difference: 0.20000000298023224 at index (1,) "
                   "(up to 1.3e-06 allowed)")


def test_int_mismatch_message_is_exact(device):
    msg = _message(ember.tensor([1, 2, 3], device=device), ember.tensor([1, 5, 3], device=device))
    assert msg == ("Tensor-likes are not equal!\n\nMismatched elements: 1 / 3 (33.3%)\n"
                   "Greatest absolute difference: 3 at index (1,)\n"
                   "Greatest relative difference: 0.6000000238418579 at index (1,)")


def test_two_dim_index_and_inf_relative(device):
    msg = _message(ember.tensor([[1.0, 2.0], [3.0, 4.0]], device=device),
                   ember.tensor([[1.0, 2.0], [3.0, 5.0]], device=device))
    assert "Mismatched elements: 1 / 4 (25.0%)" in msg
    assert "Greatest absolute difference: 1.0 at index (1, 1) (up to 1e-05 allowed)" in msg
    msg = _message(ember.tensor([1.0, 2.0], device=device), ember.tensor([0.0, 2.0], device=device))
    assert "Greatest relative difference: inf at index (0,) (up to 1.3e-06 allowed)" in msg


def test_nan_is_a_mismatch_by_default(device):
    msg = _message(ember.tensor([1.0, 2.0], device=device),
                   ember.tensor([1.0, float("nan")], device=device))
    assert msg == ("Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
                   "Greatest absolute difference: nan at index (1,) (up to 1e-05 allowed)\n"
                   "Greatest relative difference: nan at index (1,) (up to 1.3e-06 allowed)")


def test_zero_dim_uses_scalar_message(device):
    msg = _message(ember.tensor(1.0, device=device), ember.tensor(1.5, device=device))
    assert msg == ("Scalars are not close!\n\nExpected 1.5 but got 1.0.\n"
                   "Absolute difference: 0.5 (up to 1e-05 allowed)\n"
                   "Relative difference: 0.3333333333333333 (up to 1.3e-06 allowed)")
    msg = _message(ember.tensor(3, device=device), ember.tensor(4, device=device))
    assert msg == ("Scalars are not equal!\n\nExpected 4 but got 3.\nAbsolute difference: 1\n"
                   "Relative difference: 0.25")


def test_default_tolerances_per_dtype(device):
    for dtype, (rtol, atol) in {ember.float16: (1e-3, 1e-5), ember.bfloat16: (1.6e-2, 1e-5),
                                ember.float32: (1.3e-6, 1e-5),
                                ember.float64: (1e-7, 1e-7)}.items():
        base = ember.tensor([100.0], dtype=ember.float64, device=device)
        inside = base * (1 + 0.5 * rtol)
        outside = base * (1 + 3 * rtol)
        if dtype is ember.float64:
            assert_close(inside, base)
            msg = _message(outside, base)
        else:
            # compare the rounded values; a step of the dtype near 100 must be allowed or not
            assert_close(base.to(dtype), base.to(dtype))
            msg = _message((base * 1.5).to(dtype), base.to(dtype))
        assert f"(up to {atol} allowed)" in msg and f"(up to {rtol} allowed)" in msg
    for dtype in (ember.uint8, ember.int8, ember.int16, ember.int32, ember.int64, ember.bool):
        a = ember.tensor([1, 0], dtype=dtype, device=device)
        b = ember.tensor([1, 1], dtype=dtype, device=device)
        assert "are not equal!" in _message(a, b)


def test_bfloat16_message():
    msg = _message(ember.tensor([[1.0, 2.0]]).bfloat16(), ember.tensor([[1.0, 2.1]]).bfloat16())
    assert msg == ("Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
                   "Greatest absolute difference: 0.09375 at index (0, 1) (up to 1e-05 allowed)\n"
                   "Greatest relative difference: 0.044677734375 at index (0, 1) "
                   "(up to 0.016 allowed)")


def test_custom_tolerances_and_msg(device):
    a, b = ember.tensor([1.0], device=device), ember.tensor([1.1], device=device)
    assert_close(a, b, rtol=0.1, atol=0.0)
    with pytest.raises(ValueError, match="Both 'rtol' and 'atol' must be either specified or "
                                         "omitted, but got no atol."):
        assert_close(a, b, rtol=0.1)
    assert _message(a, b, msg="custom") == "custom"
    assert _message(a, b, msg=lambda m: "X" + m).startswith("XTensor-likes are not close!")
    msg = _message(ember.tensor([0.0, 1.0], device=device),
                   ember.tensor([1e-9, 1.0], device=device), rtol=0, atol=0)
    assert msg.startswith("Tensor-likes are not equal!")
    assert "(up to" not in msg


def test_attribute_mismatches(device):
    a = ember.tensor([1.0, 2.0], device=device)
    assert _message(a, ember.tensor([1.0, 2.0, 3.0], device=device)) == (
        "The values for attribute 'shape' do not match: ember.Size([2]) != ember.Size([3]).")
    assert _message(a, a.double()) == (
        "The values for attribute 'dtype' do not match: ember.float32 != ember.float64.")
    assert_close(a, a.double(), check_dtype=False)
    assert_close(ember.tensor([1, 2], device=device), ember.tensor([1.0, 2.0], device=device),
                 check_dtype=False)
    square = ember.ones(2, 2, device=device)
    assert_close(square, square.t())
    assert _message(square, square.t(), check_stride=True) == (
        "The values for attribute 'stride()' do not match: (2, 1) != (1, 2).")


def test_device_mismatch(fake_device):
    a = ember.tensor([1.0, 2.0])
    b = ember.tensor([1.0, 2.0], device=fake_device)
    assert str(b.device) == "fake:0"  # as cuda tensors carry cuda:0
    assert _message(a, b) == "The values for attribute 'device' do not match: cpu != fake:0."
    assert_close(a, b, check_device=False)


def test_numpy_scalars_and_sequences():
    assert_close(np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    msg = _message(np.array([1.0, 2.0]), np.array([1.0, 2.5]))
    assert "(up to 1e-07 allowed)" in msg and "Greatest relative difference: 0.2 at" in msg
    msg = _message(np.array([1, 2]), np.array([1, 3]))
    assert msg.endswith("Greatest relative difference: 0.3333333432674408 at index (1,)")
    assert_close(1.0, 1.0 + 1e-9)
    assert_close(np.float32(1.0), 1.0)
    assert _message(1.0, 1.5) == (
        "Scalars are not close!\n\nExpected 1.5 but got 1.0.\n"
        "Absolute difference: 0.5 (up to 1e-07 allowed)\n"
        "Relative difference: 0.3333333333333333 (up to 1e-07 allowed)")
    assert _message(1, 2) == ("Scalars are not equal!\n\nExpected 2 but got 1.\n"
                              "Absolute difference: 1\nRelative difference: 0.5")
    assert _message(1, 1.0) == "The (d)types do not match: <class 'int'> != <class 'float'>."
    assert_close([1.0, 2.0], (1.0, 2.0))
    assert _message([1.0, 2.0], [1.0, 2.0, 3.0]) == "The length of the sequences mismatch: 2 != 3"
    assert _message([1.0, 2.0], [1.0, 2.5]).endswith("\n\nThe failure occurred for item [1]")
    assert _message({"a": 1.0}, {"a": 1.5}).endswith("The failure occurred for item ['a']")
    t = [ember.tensor([1.0]), ember.tensor([2.0])]
    msg = _message(t, [ember.tensor([1.0]), ember.tensor([3.0])])
    assert msg.endswith("(up to 1.3e-06 allowed)\n\nThe failure occurred for item [1]")


def test_tensor_and_other_types_do_not_pair():
    for other in (np.array([1.0]), [1.0], 1.0):
        with pytest.raises(TypeError, match="No comparison pair was able to handle inputs"):
            assert_close(ember.tensor([1.0]), other)


def test_make_tensor_ranges_and_layout(device):
    ember.manual_seed(0)
    for dtype in (ember.float16, ember.bfloat16, ember.float32, ember.float64):
        t = make_tensor(50, dtype=dtype, device=device)
        same = ember.empty(0, device=device).device  # "opencl" is "opencl:0", as "cuda"
        assert t.dtype is dtype and t.shape == (50,) and t.device == same
        assert -9 <= t.double().min().item() and t.double().max().item() <= 9
        t = make_tensor((3, 4), dtype=dtype, device=device, low=2, high=3)
        assert 2 <= t.double().min().item() and t.double().max().item() <= 3
    for dtype in (ember.int8, ember.int16, ember.int32, ember.int64):
        t = make_tensor(200, dtype=dtype, device=device)
        assert t.dtype is dtype and -9 <= t.min().item() and t.max().item() < 10
    t = make_tensor(200, dtype=ember.uint8, device=device)
    assert 0 <= t.min().item() and t.max().item() < 10
    t = make_tensor(200, dtype=ember.bool, device=device)
    assert t.dtype is ember.bool and t.any().item() and not t.all().item()
    t = make_tensor(2, 3, dtype=ember.float32, device=device, noncontiguous=True)
    assert t.shape == (2, 3) and not t.is_contiguous()
    t = make_tensor(4, dtype=ember.float64, device=device, requires_grad=True)
    assert t.requires_grad and t.is_leaf
    t = make_tensor(300, dtype=ember.int64, device=device, low=-1, high=2, exclude_zero=True)
    assert not (t == 0).any().item()
    assert make_tensor((), dtype=ember.float32, device=device).shape == ()


def test_make_tensor_is_reproducible(device):
    ember.manual_seed(123)
    a = make_tensor(5, dtype=ember.float32, device=device)
    ember.manual_seed(123)
    assert ember.equal(a, make_tensor(5, dtype=ember.float32, device=device))

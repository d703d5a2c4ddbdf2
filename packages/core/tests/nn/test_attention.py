"""scaled_dot_product_attention and MultiheadAttention: fixtures, gradcheck, masks, errors."""

import functools
import math

import numpy as np
import pytest
from _ember_nn_b_cases import cases, run_case, target

import ember
from ember.autograd import gradcheck

F = functools.partial(target, kind="functional")
M = functools.partial(target, kind="module")


@pytest.mark.parametrize("case", cases("scaled_dot_product_attention", "MultiheadAttention"))
def test_against_pytorch(case, device):
    run_case(case, device)


def _rand(*shape, device="cpu"):
    return ember.randn(*shape, dtype=ember.float64, device=device, requires_grad=True)


@pytest.mark.parametrize("kw", [dict(), dict(is_causal=True), dict(scale=0.7)])
def test_sdpa_gradcheck(kw, device):
    q, k, v = _rand(1, 2, 3, 4, device=device), _rand(1, 2, 5, 4, device=device), \
        _rand(1, 2, 5, 3, device=device)
    assert gradcheck(lambda *a: F("scaled_dot_product_attention")(*a, **kw), (q, k, v))


def test_sdpa_matches_the_formula(device):
    q, k, v = (ember.randn(2, 3, 4, dtype=ember.float64, device=device) for _ in range(3))
    mask = ember.tensor([[True, False, True]] * 3, device=device)
    out = F("scaled_dot_product_attention")(q, k, v, attn_mask=mask)
    scores = (q @ k.transpose(-2, -1)) / math.sqrt(4)
    scores = scores.masked_fill(~mask, -math.inf)
    ref = scores.softmax(-1) @ v
    np.testing.assert_allclose(out.cpu().numpy(), ref.cpu().numpy(), rtol=1e-12)


def test_fully_masked_rows_give_zeros_and_zero_grads(device):
    q, k, v = _rand(1, 3, 4, device=device), _rand(1, 5, 4, device=device), \
        _rand(1, 5, 4, device=device)
    mask = ember.ones(3, 5, dtype=ember.bool, device=device)
    mask[1] = False
    out = F("scaled_dot_product_attention")(q, k, v, attn_mask=mask)
    assert out[0, 1].abs().sum().item() == 0
    out.sum().backward()
    assert not np.isnan(q.grad.cpu().numpy()).any() and q.grad[0, 1].abs().sum().item() == 0


def test_sdpa_dropout_in_expectation(device):
    ember.manual_seed(0)
    q = ember.zeros(1, 1, 2000, 4, device=device)  # uniform weights over keys
    v = ember.ones(1, 1, 8, 4, device=device)
    k = ember.zeros(1, 1, 8, 4, device=device)
    out = F("scaled_dot_product_attention")(q, k, v, dropout_p=0.5)
    assert abs(out.mean().item() - 1.0) < 0.05


def test_mha_gradcheck(device):
    ember.manual_seed(0)
    m = M("MultiheadAttention")(4, 2, add_bias_kv=True).double().to(device)
    q = _rand(3, 2, 4, device=device)
    kv = _rand(2, 2, 4, device=device)
    assert gradcheck(lambda a, b: m(a, b, b), (q, kv))


def test_mha_parameters_and_repr():
    m = M("MultiheadAttention")(8, 2, add_bias_kv=True, kdim=5, vdim=6)
    assert list(m.state_dict()) == ["q_proj_weight", "k_proj_weight", "v_proj_weight",
                                    "in_proj_bias", "bias_k", "bias_v", "out_proj.weight",
                                    "out_proj.bias"]
    assert list(M("MultiheadAttention")(8, 2).state_dict()) == [
        "in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    assert repr(M("MultiheadAttention")(8, 2)) == (
        "MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features=8, "
        "out_features=8, bias=True)\n)")
    m = M("MultiheadAttention")(8, 2)
    assert m.in_proj_bias.abs().sum().item() == 0 and m.out_proj.bias.abs().sum().item() == 0


def test_mha_without_weights_returns_none(device):
    m = M("MultiheadAttention")(4, 2, batch_first=True).to(device)
    x = ember.randn(2, 3, 4, device=device)
    out, weights = m(x, x, x, need_weights=False)
    assert weights is None and tuple(out.shape) == (2, 3, 4)


@pytest.mark.parametrize("call, error, message", [
    (lambda: M("MultiheadAttention")(8, 3), AssertionError,
     "embed_dim must be divisible by num_heads"),
    (lambda: M("MultiheadAttention")(4, 2)(ember.randn(3, 4), ember.randn(3, 1, 4),
                                          ember.randn(3, 1, 4)), AssertionError,
     "For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found 3-D and 3-D "
     "tensors respectively"),
    (lambda: M("MultiheadAttention")(4, 2)(ember.randn(3, 1, 4), ember.randn(3, 1, 4),
                                          ember.randn(3, 1, 4),
                                          attn_mask=ember.zeros(2, 3)), RuntimeError,
     "The shape of the 2D attn_mask is ember.Size([2, 3]), but should be (3, 3)."),
    (lambda: M("MultiheadAttention")(4, 2)(ember.randn(3, 1, 4), ember.randn(3, 1, 4),
                                          ember.randn(3, 1, 4), is_causal=True), RuntimeError,
     "Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
     "method `generate_square_subsequent_mask` to create this mask."),
    (lambda: F("scaled_dot_product_attention")(
        ember.randn(1, 2, 3), ember.randn(1, 2, 3), ember.randn(1, 2, 3),
        attn_mask=ember.zeros(2, 2, dtype=ember.float64)), RuntimeError,
     "Expected attn_mask dtype to be bool or float or to match query dtype, but got "
     "attn_mask.dtype: double and  query.dtype: float instead."),
])
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message

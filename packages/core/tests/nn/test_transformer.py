"""Transformer layers and models: fixtures from PyTorch, state_dict keys, masks, errors."""

import functools

import numpy as np
import pytest
from _ember_nn_b_cases import cases, run_case, target

import ember

M = functools.partial(target, kind="module")


@pytest.mark.parametrize("case", cases("TransformerEncoderLayer", "TransformerDecoderLayer",
                                       "Transformer"))
def test_against_pytorch(case, device):
    run_case(case, device)


def test_square_subsequent_mask():
    mask = M("Transformer").generate_square_subsequent_mask(3)
    assert mask.dtype is ember.float32
    assert mask.tolist() == [[0.0, -np.inf, -np.inf], [0.0, 0.0, -np.inf], [0.0, 0.0, 0.0]]
    assert M("Transformer").generate_square_subsequent_mask(2, dtype=ember.float64).dtype is \
        ember.float64


def test_state_dict_keys():
    t = M("Transformer")(8, 2, 1, 1, 16)
    keys = list(t.state_dict())
    assert keys[:4] == ["encoder.layers.0.self_attn.in_proj_weight",
                        "encoder.layers.0.self_attn.in_proj_bias",
                        "encoder.layers.0.self_attn.out_proj.weight",
                        "encoder.layers.0.self_attn.out_proj.bias"]
    assert "decoder.layers.0.multihead_attn.in_proj_weight" in keys
    assert keys[-2:] == ["decoder.norm.weight", "decoder.norm.bias"]
    assert len(keys) == 34


def test_encoder_clones_are_independent():
    layer = M("TransformerEncoderLayer")(8, 2, 16)
    enc = M("TransformerEncoder")(layer, 3)
    assert len(enc.layers) == 3
    assert enc.layers[0].linear1.weight is not enc.layers[1].linear1.weight
    assert list(enc.state_dict())[0] == "layers.0.self_attn.in_proj_weight"


def test_causal_mask_is_detected(device):
    mod = ember.nn.modules.transformer
    mask = M("Transformer").generate_square_subsequent_mask(4)
    assert mod._detect_is_causal_mask(mask) is True
    assert mod._detect_is_causal_mask(ember.zeros(4, 4)) is False
    assert mod._detect_is_causal_mask(None, True) is True


def test_repr_with_module_activation():
    layer = M("TransformerDecoderLayer")(8, 2, 16, activation=ember.nn.GELU())
    assert repr(layer).endswith("  (activation): GELU(approximate='none')\n)")
    enc = M("TransformerEncoderLayer")(8, 2, 16, activation="gelu")
    assert "(activation)" not in repr(enc)


def test_training_step_reduces_loss(device):
    ember.manual_seed(0)
    model = M("TransformerEncoder")(M("TransformerEncoderLayer")(8, 2, 16, dropout=0.0,
                                                                 batch_first=True), 2).to(device)
    x = ember.randn(4, 5, 8, device=device)
    y = ember.randn(4, 5, 8, device=device)
    opt = ember.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(15):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


@pytest.mark.parametrize("call, error, message", [
    (lambda: M("TransformerEncoderLayer")(8, 2, activation="tanh"), RuntimeError,
     "activation should be relu/gelu, not tanh"),
    (lambda: M("Transformer")(8, 2, 1, 1, 16)(ember.randn(3, 2, 8), ember.randn(3, 1, 8)),
     RuntimeError, "the batch number of src and tgt must be equal"),
    (lambda: M("Transformer")(8, 2, 1, 1, 16)(ember.randn(3, 2, 8), ember.randn(3, 2, 4)),
     RuntimeError, "the feature number of src and tgt must be equal to d_model"),
])
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message

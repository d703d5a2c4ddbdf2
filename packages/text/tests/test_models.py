"""Models: the tutorial classifier, the LSTM LM, the small GPT and BERT (PyTorch fixtures)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import ember
from ember.utils.safetensors import load_file
from embertext.models import (
    GPT,
    BertConfig,
    BertModel,
    GPTConfig,
    LSTMLanguageModel,
    TextClassificationModel,
    cls_pooling,
    mean_pooling,
)

FIXTURES = Path(__file__).parent / "fixtures"


def test_text_classification_model_keys_shapes_and_learning():
    ember.manual_seed(0)
    model = TextClassificationModel(vocab_size=20, embed_dim=8, num_class=3)
    assert list(model.state_dict()) == ["embedding.weight", "fc.weight", "fc.bias"]
    text = ember.tensor([1, 2, 3, 4, 5, 6, 7])
    offsets = ember.tensor([0, 3, 5])
    assert model(text, offsets).shape == (3, 3)
    labels = ember.tensor([0, 1, 2])
    opt = ember.optim.SGD(model.parameters(), lr=1.0)
    first = None
    for _ in range(30):
        opt.zero_grad()
        loss = ember.nn.functional.cross_entropy(model(text, offsets), labels)
        loss.backward()
        opt.step()
        first = first if first is not None else loss.item()
    assert loss.item() < first * 0.2


def test_lstm_language_model_shapes_tied_weights_and_hidden():
    ember.manual_seed(0)
    model = LSTMLanguageModel(ntoken=30, ninp=12, nhid=12, nlayers=2, dropout=0.0,
                              tie_weights=True)
    assert model.decoder.weight is model.encoder.weight
    x = ember.randint(0, 30, (7, 4))
    hidden = model.init_hidden(4)
    logp, (h, c) = model(x, hidden)
    assert logp.shape == (28, 30) and h.shape == (2, 4, 12) and c.shape == (2, 4, 12)
    np.testing.assert_allclose(logp.detach().exp().sum(1).numpy(), 1.0, rtol=1e-5)
    loss = ember.nn.functional.nll_loss(logp, ember.randint(0, 30, (28,)))
    loss.backward()
    assert model.encoder.weight.grad is not None
    with pytest.raises(ValueError):
        LSTMLanguageModel(10, 8, 12, 1, tie_weights=True)


def _tiny_gpt():
    exp = np.load(FIXTURES / "tiny_gpt_expected.npz")
    vocab, block, layers, heads, c = (int(v) for v in exp["config"])
    model = GPT(GPTConfig(vocab_size=vocab, block_size=block, n_layer=layers, n_head=heads,
                          n_embd=c))
    state = load_file(FIXTURES / "tiny_gpt.safetensors")
    state["lm_head.weight"] = state["transformer.wte.weight"]
    model.load_state_dict(state)
    return model, exp


def test_gpt_matches_pytorch_logits_loss_and_gradients():
    model, exp = _tiny_gpt()
    idx, targets = ember.from_numpy(exp["idx"]), ember.from_numpy(exp["targets"])
    logits, loss = model(idx, targets)
    np.testing.assert_allclose(logits.detach().numpy(), exp["logits"], atol=1e-5, rtol=1e-4)
    np.testing.assert_allclose(loss.item(), exp["loss"], rtol=1e-5)
    loss.backward()
    grads = dict(model.named_parameters())
    for key in exp.files:
        if key.startswith("grad."):
            name = key[5:]
            np.testing.assert_allclose(grads[name].grad.numpy(), exp[key], atol=2e-5,
                                       rtol=1e-3, err_msg=name)


def test_gpt_is_causal_and_generates():
    model, exp = _tiny_gpt()
    model.eval()
    idx = ember.from_numpy(exp["idx"][:1].copy())
    changed = idx.clone()
    changed[0, -1] = (int(idx[0, -1]) + 1) % model.config.vocab_size
    a, _ = model(idx)
    b, _ = model(changed)
    np.testing.assert_allclose(a[:, :-1].detach().numpy(), b[:, :-1].detach().numpy(),
                               atol=1e-6)
    assert not np.allclose(a[:, -1].detach().numpy(), b[:, -1].detach().numpy())
    out = model.generate(idx[:, :3], max_new_tokens=10, top_k=5)  # crosses block_size (8)
    assert out.shape == (1, 13) and int(out.max()) < model.config.vocab_size
    assert model.transformer.wte.weight is model.lm_head.weight
    with pytest.raises(ValueError, match="block size"):
        model(ember.zeros(1, 9, dtype=ember.int64))


def test_bert_config_round_trip():
    cfg = BertConfig.from_json_file(FIXTURES / "tiny_bert" / "config.json")
    assert cfg.hidden_size == 16 and cfg.extra["model_type"] == "bert"
    assert BertConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(NotImplementedError):
        BertConfig.from_dict({"position_embedding_type": "relative_key"})


def _bert_inputs(exp):
    return (ember.from_numpy(exp["input_ids"]), ember.from_numpy(exp["attention_mask"]),
            ember.from_numpy(exp["token_type_ids"]))


def test_bert_from_safetensors_matches_pytorch():
    exp = np.load(FIXTURES / "tiny_bert" / "expected.npz")
    model = BertModel.from_pretrained(FIXTURES / "tiny_bert")
    assert not model.training
    ids, mask, types = _bert_inputs(exp)
    with ember.no_grad():
        out = model(ids, mask, types)
    np.testing.assert_allclose(out.last_hidden_state.numpy(), exp["last_hidden_state"],
                               atol=2e-5)
    np.testing.assert_allclose(out[1].numpy(), exp["pooler_output"], atol=2e-5)
    np.testing.assert_allclose(mean_pooling(out.last_hidden_state, mask).numpy(),
                               exp["mean_pooled"], atol=2e-5)
    np.testing.assert_allclose(cls_pooling(out.last_hidden_state).numpy(),
                               exp["last_hidden_state"][:, 0], atol=2e-5)


def test_bert_published_key_names():
    model = BertModel(BertConfig.from_json_file(FIXTURES / "tiny_bert" / "config.json"))
    published = set(load_file(FIXTURES / "tiny_bert" / "model.safetensors"))
    assert set(model.state_dict()) == published - {"embeddings.position_ids"}


def test_bert_from_prefixed_pytorch_bin(tmp_path):
    for name in ("config.json", "pytorch_model.bin"):
        shutil.copy(FIXTURES / "tiny_bert" / name, tmp_path / name)
    exp = np.load(FIXTURES / "tiny_bert" / "expected.npz")
    model = BertModel.from_pretrained(tmp_path)  # bert.* keys, an MLM head key ignored
    with ember.no_grad():
        out = model(*_bert_inputs(exp))
    np.testing.assert_allclose(out.pooler_output.numpy(), exp["pooler_output"], atol=2e-5)


def test_bert_missing_weights_and_no_checkpoint(tmp_path):
    shutil.copy(FIXTURES / "tiny_bert" / "config.json", tmp_path / "config.json")
    with pytest.raises(FileNotFoundError):
        BertModel.from_pretrained(tmp_path)
    model = BertModel(BertConfig.from_json_file(tmp_path / "config.json"))
    with pytest.raises(RuntimeError, match="lacks"):
        model.load_hf_state_dict({"embeddings.word_embeddings.weight": ember.zeros(50, 16)})


def test_bert_trains_in_train_mode():
    ember.manual_seed(0)
    model = BertModel.from_pretrained(FIXTURES / "tiny_bert").train()
    exp = np.load(FIXTURES / "tiny_bert" / "expected.npz")
    out = model(*_bert_inputs(exp))
    out.pooler_output.sum().backward()
    assert model.encoder.layer[0].attention.self.query.weight.grad is not None

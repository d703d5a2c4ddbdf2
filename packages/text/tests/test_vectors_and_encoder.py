"""Word vectors from text files, and SentenceEncoder on the tiny BERT fixture."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ember
from embertext import SubwordTokenizer
from embertext.models import BertModel, SentenceEncoder, mean_pooling
from embertext.vocab import GloVe, Vectors

FIXTURES = Path(__file__).parent / "fixtures"


def test_vectors_glove_and_word2vec_formats(tmp_path):
    glove = tmp_path / "vecs.txt"
    glove.write_text("the 0.1 0.2 0.3\ncat 1 2 3\nbad 1 2\nthe 9 9 9\n", encoding="utf-8")
    v = Vectors(str(glove))
    assert v.dim == 3 and len(v) == 3 and "cat" in v and v.stoi["the"] == 0  # first kept
    np.testing.assert_allclose(v["cat"].numpy(), [1, 2, 3])
    assert v["dog"].tolist() == [0, 0, 0]
    both = v.get_vecs_by_tokens(["cat", "Cat", "dog"], lower_case_backup=True)
    assert both.shape == (3, 3) and both[1].tolist() == [1, 2, 3]
    assert v.get_vecs_by_tokens("cat").shape == (3,)
    w2v = tmp_path / "w2v.vec"
    w2v.write_text("2 2\na 1 0\nb 0 1\n", encoding="utf-8")
    v2 = Vectors("w2v.vec", cache=tmp_path, unk_init=lambda t: t.fill_(-1.0), max_vectors=1)
    assert v2.itos == ["a"] and v2["b"].tolist() == [-1.0, -1.0]
    with pytest.raises(RuntimeError, match="no vectors file"):
        Vectors("missing.txt", cache=tmp_path)
    assert GloVe.url["6B"].endswith("glove.6B.zip")


def _tiny_wordpiece(tmp_path):
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "cat", "sat", "on", "mat", "a", "dog",
             "ran", "##s", "."]
    vocab = {w: i for i, w in enumerate(words)}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tok.enable_padding(length=12)  # a fixed padding the encoder must override
    tok.save(str(tmp_path / "tokenizer.json"))
    return SubwordTokenizer.from_file(tmp_path / "tokenizer.json")


def test_sentence_encoder_mean_and_cls(tmp_path):
    model = BertModel.from_pretrained(FIXTURES / "tiny_bert", add_pooling_layer=False)
    assert model.pooler is None
    tok = _tiny_wordpiece(tmp_path)
    enc = SentenceEncoder(model, tok, pooling="mean", max_seq_length=6)
    texts = ["The cat sat on the mat.", "A dog ran", "cats"]
    ids, mask, types = enc.tokenize(texts)
    assert ids.shape == (3, 6)  # truncated at max_seq_length, padded to the longest
    assert mask.tolist()[1] == [1, 1, 1, 1, 1, 0] and mask.tolist()[2] == [1, 1, 1, 1, 0, 0]
    emb = enc.encode(texts, batch_size=2)
    with ember.no_grad():
        manual = mean_pooling(model(ids, mask, types).last_hidden_state, mask)
    manual = manual / manual.norm(dim=1, keepdim=True)
    np.testing.assert_allclose(emb.numpy(), manual.numpy(), atol=1e-5)
    assert enc.embedding_dim == 16 and enc.encode([]).shape == (0, 16)
    cls = SentenceEncoder(model, tok, pooling="cls", normalize=False)
    with ember.no_grad():
        hidden = model(*cls.tokenize(["a dog"])).last_hidden_state
    np.testing.assert_allclose(cls.encode("a dog").numpy(), hidden[0, 0].numpy(), atol=1e-6)
    with pytest.raises(ValueError):
        SentenceEncoder(model, tok, pooling="max")


def test_sentence_encoder_from_a_sentence_transformers_folder(tmp_path):
    import shutil

    for name in ("config.json", "model.safetensors"):
        shutil.copy(FIXTURES / "tiny_bert" / name, tmp_path / name)
    _tiny_wordpiece(tmp_path)
    (tmp_path / "sentence_bert_config.json").write_text('{"max_seq_length": 7}')
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text('{"pooling_mode_cls_token": true}')
    (tmp_path / "modules.json").write_text('[{"type": "sentence_transformers.models.Pooling"}]')
    enc = SentenceEncoder.from_pretrained(tmp_path)
    assert (enc.pooling, enc.max_seq_length, enc.normalize) == ("cls", 7, False)

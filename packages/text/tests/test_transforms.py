"""embertext.transforms and embertext.functional."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from embertext import functional as F
from embertext import transforms as T
from embertext.vocab import build_vocab_from_iterator


def test_to_tensor():
    assert ember.equal(F.to_tensor([1, 2, 3]), ember.tensor([1, 2, 3]))
    assert F.to_tensor([1, 2]).dtype is ember.int64
    assert ember.equal(F.to_tensor([[1, 2], [3, 4]]), ember.tensor([[1, 2], [3, 4]]))
    padded = F.to_tensor([[1, 2, 3], [4]], padding_value=0)
    assert padded.tolist() == [[1, 2, 3], [4, 0, 0]] and padded.dtype is ember.int64
    assert F.to_tensor([[1.5]], dtype=ember.float32).dtype is ember.float32
    assert F.to_tensor([]).shape == (0,)
    with pytest.raises(TypeError):
        F.to_tensor(["a"])


def test_truncate_add_token_str_to_int():
    assert F.truncate([1, 2, 3], 2) == [1, 2]
    assert F.truncate([[1, 2, 3], [4]], 2) == [[1, 2], [4]]
    assert F.add_token([1, 2], 0) == [0, 1, 2]
    assert F.add_token([[1], [2, 3]], 9, begin=False) == [[1, 9], [2, 3, 9]]
    assert F.add_token(["a"], "<bos>") == ["<bos>", "a"]
    assert F.str_to_int(["1", "20"]) == [1, 20]
    assert F.str_to_int([["1"], ["2", "3"]]) == [[1], [2, 3]]


def test_pipeline_single_and_batch():
    v = build_vocab_from_iterator([["hello", "world", "again"]], specials=["<pad>", "<unk>",
                                                                          "<bos>"])
    v.set_default_index(v["<unk>"])
    pipeline = T.Sequential(T.TokenizerTransform("basic_english"), T.VocabTransform(v),
                            T.Truncate(3), T.AddToken(v["<bos>"]),
                            T.ToTensor(padding_value=v["<pad>"]))
    one = pipeline("Hello, world!")
    # itos: <pad> <unk> <bos> again hello world (ties in string order)
    assert one.tolist() == [2, 4, 1, 5]  # <bos> + (hello <unk>=',' world), '!' truncated
    batch = pipeline(["Hello world", "again"])
    assert batch.tolist() == [[2, 4, 5], [2, 3, 0]]
    assert "0.vocab._extra_state" not in pipeline.state_dict()  # index 1 holds the vocab
    assert "1.vocab._extra_state" in pipeline.state_dict()


def test_pad_transform_label_to_index_str_to_int(tmp_path):
    x = ember.tensor([[1, 2], [3, 4]])
    assert T.PadTransform(4, -1)(x).tolist() == [[1, 2, -1, -1], [3, 4, -1, -1]]
    assert T.PadTransform(1, 0)(x).tolist() == x.tolist()
    lab = T.LabelToIndex(["pos", "neg"], sort_names=True)
    assert lab.label_names == ["neg", "pos"] and lab(["pos", "neg"]) == [1, 0]
    path = tmp_path / "labels.txt"
    path.write_text("a\nb\n")
    assert T.LabelToIndex(label_path=path)("b") == 1
    with pytest.raises(AssertionError):
        T.LabelToIndex()
    assert T.StrToIntTransform()(["4", "5"]) == [4, 5]


def test_regex_tokenizer():
    tok = T.RegexTokenizer([(r"\s+", " "), (r"[!?]", " ! ")])
    assert tok("hi!  there?") == ["hi", "!", "there", "!"]
    assert tok(["a b", "c"]) == [["a", "b"], ["c"]]


def test_bert_tokenizer_from_vocab_txt(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello", "world", "##s",
                               "!"]) + "\n")
    tok = T.BERTTokenizer(path, do_lower_case=True, return_tokens=True)
    assert tok("Hello Worlds!") == ["hello", "world", "##s", "!"]
    assert tok(["hello", "xyz"]) == [["hello"], ["[UNK]"]]
    ids = T.BERTTokenizer(path)("hello worlds")
    assert ids == ["4", "5", "6"]


def test_sentencepiece_needs_its_package():
    pytest.importorskip("numpy")
    try:
        import sentencepiece  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="sentencepiece"):
            T.SentencePieceTokenizer("m.model")


def test_to_tensor_of_tensors_and_pad_is_differentiable_free():
    rows = [ember.tensor([1, 2]), ember.tensor([3])]
    out = F.to_tensor(rows, padding_value=7)
    np.testing.assert_array_equal(out.numpy(), [[1, 2], [3, 7]])

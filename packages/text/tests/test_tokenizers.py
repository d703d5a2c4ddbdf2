"""Subword tokenizers through `tokenizers` (train, save, load) and the character tokenizer."""

from __future__ import annotations

import pickle

import pytest

from embertext import CharTokenizer, SubwordTokenizer
from embertext.data import get_tokenizer
from embertext.tokenizers import train_bpe, train_wordpiece
from embertext.vocab import build_vocab_from_iterator

CORPUS = [
    "the quick brown fox jumps over the lazy dog",
    "the lazy dog sleeps while the quick fox runs",
    "a quick brown dog and a lazy brown fox",
    "foxes and dogs are quick and lazy animals",
] * 20


def test_train_bpe_round_trip_and_save_load(tmp_path):
    tok = train_bpe(iter(CORPUS), vocab_size=120, min_frequency=2)
    assert tok.vocab_size <= 120 and tok.token_to_id("<unk>") == 0
    ids = tok.encode("the quick brown fox")
    assert tok.decode(ids) == "the quick brown fox"
    assert "the</w>" in tok("the lazy dog")  # frequent words become single tokens
    tok.save(tmp_path / "tokenizer.json")
    again = SubwordTokenizer.from_file(tmp_path / "tokenizer.json")
    assert again.encode("lazy foxes") == tok.encode("lazy foxes")
    assert SubwordTokenizer.from_pretrained(tmp_path).vocab_size == tok.vocab_size
    assert pickle.loads(pickle.dumps(tok)).encode("dog") == tok.encode("dog")
    assert "BPE" in repr(tok)


def test_byte_level_bpe_has_no_unknowns():
    tok = SubwordTokenizer.train(CORPUS, "bpe", vocab_size=300, byte_level=True)
    text = "zebra 🦊 über"
    assert tok.decode(tok.encode(text)) == text


def test_train_wordpiece_bert_style():
    tok = train_wordpiece(CORPUS, vocab_size=150, lowercase=True)
    tokens = tok("The Quick foxes")
    assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]"
    assert tok.tokenize("foxes", add_special_tokens=False) in (["foxes"], ["fox", "##es"])
    assert tok.token_to_id("[PAD]") == 0 and tok.id_to_token(1) == "[UNK]"
    assert tok.decode(tok.encode("the lazy dog")) == "the lazy dog"
    v = tok.to_vocab()
    assert len(v) == tok.vocab_size and v["[UNK]"] == 1


def test_padding_and_truncation_of_batches():
    tok = train_wordpiece(CORPUS, vocab_size=150)
    tok.enable_padding(pad_id=0, pad_token="[PAD]")
    tok.enable_truncation(5)
    enc = tok.encode_batch(["the dog", "the quick brown fox jumps over"])
    assert [len(e.ids) for e in enc] == [5, 5]
    assert enc[0].attention_mask == [1, 1, 1, 1, 0]
    tok.no_padding()
    tok.no_truncation()
    assert len(tok.encode_batch(["the dog"])[0].ids) == 4


def test_bad_model_name():
    with pytest.raises(ValueError, match="bpe"):
        SubwordTokenizer.train(CORPUS, "unigram")
    with pytest.raises(FileNotFoundError):
        SubwordTokenizer.from_pretrained("/nonexistent")


def test_subword_tokenizer_builds_a_vocab_through_get_tokenizer():
    tok = train_bpe(CORPUS, vocab_size=100)
    tokenize = get_tokenizer(tok)
    v = build_vocab_from_iterator(map(tokenize, CORPUS), specials=["<unk>"])
    assert "the</w>" in v


def test_char_tokenizer():
    tok = CharTokenizer.from_texts(["hello world", "hold"])
    assert tok.itos == sorted(set("hello worldhold"))
    ids = tok.encode("hold")
    assert tok.decode(ids) == "hold" and len(tok) == tok.vocab_size == 8
    assert tok("ab") == ["a", "b"]
    with pytest.raises(KeyError, match="'z' is not in"):
        tok.encode("z")
    unk = CharTokenizer.from_texts("aab", unk_token="?")
    assert unk.encode("abz") == [1, 2, 0] and unk.to_vocab()["z"] == 0
    assert CharTokenizer.from_texts(["aab"], min_freq=2).itos == ["a"]

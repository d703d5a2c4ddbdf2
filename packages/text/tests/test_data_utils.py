"""get_tokenizer, ngrams_iterator, data.functional helpers and BLEU."""

from __future__ import annotations

import importlib.util

import pytest

from embertext.data import (
    bleu_score,
    custom_replace,
    get_tokenizer,
    numericalize_tokens_from_iterator,
    simple_space_split,
    to_map_style_dataset,
)
from embertext.data.utils import ngrams_iterator
from embertext.vocab import build_vocab_from_iterator

# Expected tokens follow torchtext's _basic_english_normalize rule by rule: lower case,
# ' padded to " '  ", " removed, . , ( ) ! ? padded, <br /> ; : and whitespace runs to one
# space, then str.split().
BASIC_ENGLISH = [
    ("You can now install TorchText using pip!",
     ["you", "can", "now", "install", "torchtext", "using", "pip", "!"]),
    ("Don't stop; go: \"now\".", ["don", "'", "t", "stop", "go", "now", "."]),
    ("A (small) test,with commas?Yes<br />next", ["a", "(", "small", ")", "test", ",", "with",
                                                 "commas", "?", "yes", "next"]),
    ("Wall St. Bears Claw Back Into the Black (Reuters)",
     ["wall", "st", ".", "bears", "claw", "back", "into", "the", "black", "(", "reuters",
      ")"]),
    ("  tabs\tand\nnewlines  ", ["tabs", "and", "newlines"]),
    ("3.14 and 1,000", ["3", ".", "14", "and", "1", ",", "000"]),
    ("ÉCOLE Ünïcode", ["école", "ünïcode"]),
    ("", []),
    ("a-b_c/d#e", ["a-b_c/d#e"]),
]


@pytest.mark.parametrize("text,tokens", BASIC_ENGLISH)
def test_basic_english_matches_torchtext(text, tokens):
    assert get_tokenizer("basic_english")(text) == tokens


def test_get_tokenizer_choices():
    assert get_tokenizer(None)("a  b\tc") == ["a", "b", "c"]
    f = str.upper
    assert get_tokenizer(f) is f
    assert get_tokenizer("char")("ab c") == ["a", "b", " ", "c"]
    with pytest.raises(ValueError, match="only available for Enlish"):
        get_tokenizer("basic_english", language="de")
    with pytest.raises(ValueError, match="Requested tokenizer nope"):
        get_tokenizer("nope")


@pytest.mark.skipif(importlib.util.find_spec("spacy") is not None,
                    reason="spaCy is installed here")
def test_spacy_only_if_installed():
    with pytest.raises(ImportError, match="Please install SpaCy"):
        get_tokenizer("spacy", language="en_core_web_sm")


def test_ngrams_iterator():
    assert list(ngrams_iterator(["here", "we", "are"], 1)) == ["here", "we", "are"]
    assert list(ngrams_iterator(["here", "we", "are"], 2)) == \
        ["here", "we", "are", "here we", "we are"]
    assert list(ngrams_iterator(["a", "b", "c"], 3))[-1] == "a b c"
    assert list(ngrams_iterator(["a"], 3)) == ["a"]


def test_to_map_style_dataset():
    ds = to_map_style_dataset(iter([(1, "a"), (2, "b")]))
    assert len(ds) == 2 and ds[1] == (2, "b")


def test_functional_helpers():
    assert list(simple_space_split(["a b", "c"])) == [["a", "b"], ["c"]]
    replace = custom_replace([(r"\d+", "N"), (r"\s+", " ")])
    assert list(replace(["a 12  b"])) == ["a N b"]
    v = build_vocab_from_iterator([["a", "b"]], specials=["<unk>"])
    ids = [list(x) for x in numericalize_tokens_from_iterator(v, [["a", "b", "a"]], ["b"])]
    assert ids == [[1, 1]]


def test_bleu_score_torchtext_examples():
    candidate = [["My", "full", "pytorch", "test"], ["Another", "Sentence"]]
    refs = [[["My", "full", "pytorch", "test"], ["Completely", "Different"]], [["No", "Match"]]]
    assert bleu_score(candidate, refs) == pytest.approx(0.8408964276313782, rel=1e-6)
    assert bleu_score([["a", "b"]], [[["c", "d"]]]) == 0.0
    assert bleu_score([["the", "cat", "sat", "on", "the", "mat"]],
                      [[["the", "cat", "sat", "on", "the", "mat"]]]) == pytest.approx(1.0)
    with pytest.raises(AssertionError):
        bleu_score([["a"]], [[["a"]]], max_n=2)

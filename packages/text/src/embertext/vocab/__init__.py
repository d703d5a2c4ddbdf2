"""Vocabularies and word vectors (torchtext.vocab)."""

from .vectors import FastText, GloVe, Vectors
from .vocab import Vocab
from .vocab_factory import build_vocab_from_iterator, load_vocab_from_file, vocab, vocab_from_file

__all__ = ["Vocab", "vocab", "build_vocab_from_iterator", "vocab_from_file",
           "load_vocab_from_file", "Vectors", "GloVe", "FastText"]

"""Tokenizers, vocabularies, datasets and models for text with ember (torchtext's API).

    import embertext as torchtext
"""

from . import data, datasets, functional, models, transforms, vocab
from .tokenizers import CharTokenizer, SubwordTokenizer

__version__ = "0.1.0"

__all__ = ["data", "datasets", "functional", "models", "transforms", "vocab",
           "SubwordTokenizer", "CharTokenizer"]

"""Tokenizers, vocabularies, datasets and models for text with ember."""

__version__ = "0.1.0"

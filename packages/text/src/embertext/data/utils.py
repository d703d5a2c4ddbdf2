"""Tokenizers by name and n-grams (torchtext.data.utils).

``get_tokenizer('basic_english')`` normalises exactly as torchtext does: lower case, the
same twelve regular-expression substitutions in the same order, then a whitespace split.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

__all__ = ["get_tokenizer", "ngrams_iterator"]

_patterns = [r"\'", r"\"", r"\.", r"<br \/>", r",", r"\(", r"\)", r"\!", r"\?", r"\;", r"\:",
             r"\s+"]
_replacements = [" '  ", "", " . ", " ", " , ", " ( ", " ) ", " ! ", " ? ", " ", " ", " "]
_patterns_dict = [(re.compile(p), r) for p, r in zip(_patterns, _replacements)]


def _basic_english_normalize(line: str) -> list[str]:
    """Lower-case, pad ``' . , ( ) ! ?`` with spaces, drop ``"``, blank ``<br />; :``, split."""
    line = line.lower()
    for pattern_re, replaced_str in _patterns_dict:
        line = pattern_re.sub(replaced_str, line)
    return line.split()


def _split_tokenizer(x: str) -> list[str]:
    return x.split()


def _spacy_tokenize(x, spacy):
    return [tok.text for tok in spacy.tokenizer(x)]


def _char_tokenizer(x: str) -> list[str]:
    return list(x)


def get_tokenizer(tokenizer, language: str = "en") -> Callable[[str], list[str]]:
    """A function from a string to its list of tokens.

    ``None``: ``str.split``. ``'basic_english'``: torchtext's normalisation (``language`` must
    be ``'en'``). A callable: returned as is. ``'spacy'``: spaCy's tokenizer for ``language``
    (a model name such as ``'en_core_web_sm'``), only where spaCy is installed. ``'moses'``
    (sacremoses) and ``'toktok'`` (NLTK) likewise. ``'char'``: one token per character.
    A :class:`embertext.tokenizers.SubwordTokenizer` is callable, so it can be passed too.
    """
    if tokenizer is None:
        return _split_tokenizer
    if tokenizer == "basic_english":
        if language != "en":
            raise ValueError("Basic normalization is only available for Enlish(en)")
        return _basic_english_normalize
    if callable(tokenizer):
        return tokenizer
    if tokenizer == "char":
        return _char_tokenizer
    if tokenizer == "spacy":
        try:
            import spacy
        except ImportError:
            raise ImportError("Please install SpaCy. See the docs at https://spacy.io for more "
                              "information.") from None
        try:
            nlp = spacy.load(language)
        except OSError:
            shortcuts = getattr(spacy.errors, "OLD_MODEL_SHORTCUTS", {})
            if language not in shortcuts:
                raise
            nlp = spacy.load(shortcuts[language])
        return partial(_spacy_tokenize, spacy=nlp)
    if tokenizer == "moses":
        try:
            from sacremoses import MosesTokenizer
        except ImportError:
            raise ImportError("Please install SacreMoses. See the docs at "
                              "https://github.com/alvations/sacremoses for more "
                              "information.") from None
        return MosesTokenizer().tokenize
    if tokenizer == "toktok":
        try:
            from nltk.tokenize.toktok import ToktokTokenizer
        except ImportError:
            raise ImportError("Please install NLTK. See the docs at https://nltk.org  for more "
                              "information.") from None
        return ToktokTokenizer().tokenize
    raise ValueError(f"Requested tokenizer {tokenizer}, valid choices are a callable that takes "
                     "a single string as input, \"basic_english\", \"char\", \"spacy\" for the "
                     "SpaCy English tokenizer, \"moses\" for the Moses tokenizer or \"toktok\" "
                     "for NLTK's toktok tokenizer.")


def ngrams_iterator(token_list, ngrams: int):
    """Yield the tokens, then every n-gram for n = 2 .. ``ngrams`` joined by spaces.

    >>> list(ngrams_iterator(['here', 'we', 'are'], 2))
    ['here', 'we', 'are', 'here we', 'we are']
    """
    def _get_ngrams(n):
        return zip(*[token_list[i:] for i in range(n)])

    for x in token_list:
        yield x
    for n in range(2, ngrams + 1):
        for x in _get_ngrams(n):
            yield " ".join(x)

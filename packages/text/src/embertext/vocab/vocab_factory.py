"""Building a Vocab from counts, iterators and files (torchtext.vocab factories)."""

from __future__ import annotations

import os
from collections import Counter, OrderedDict
from collections.abc import Iterable

from .vocab import Vocab

__all__ = ["vocab", "build_vocab_from_iterator", "vocab_from_file", "load_vocab_from_file"]


def vocab(ordered_dict, min_freq: int = 1, specials=None, special_first: bool = True) -> Vocab:
    """A Vocab of the tokens of ``ordered_dict`` (token → count) seen ``min_freq`` times.

    The dictionary's order is kept. ``specials`` (order kept) are removed from the counts
    and put first (``special_first``) or last, whatever their counts.
    """
    specials = list(specials or [])
    ordered_dict = OrderedDict(ordered_dict)
    for token in specials:
        ordered_dict.pop(token, None)
    tokens = [token for token, freq in ordered_dict.items() if freq >= min_freq]
    if special_first:
        tokens[0:0] = specials
    else:
        tokens.extend(specials)
    return Vocab(tokens)


def build_vocab_from_iterator(iterator: Iterable, min_freq: int = 1, specials=None,
                              special_first: bool = True, max_tokens: int | None = None) -> Vocab:
    """A Vocab from an iterator of token lists, most frequent first, ties in string order.

    ``max_tokens`` keeps the ``max_tokens - len(specials)`` most frequent tokens (before
    ``min_freq`` and the removal of specials, as torchtext).

    >>> v = build_vocab_from_iterator([["b", "a", "b"], ["c"]], specials=["<unk>"])
    >>> v.get_itos()
    ['<unk>', 'b', 'a', 'c']
    """
    counter = Counter()
    for tokens in iterator:
        counter.update(tokens)
    specials = list(specials or [])
    sorted_by_freq = sorted(counter.items(), key=lambda x: (-x[1], x[0]))
    if max_tokens is None:
        ordered = OrderedDict(sorted_by_freq)
    else:
        if len(specials) >= max_tokens:
            raise AssertionError("len(specials) >= max_tokens, so the vocab will be entirely "
                                 "special tokens.")
        ordered = OrderedDict(sorted_by_freq[:max_tokens - len(specials)])
    return vocab(ordered, min_freq=min_freq, specials=specials, special_first=special_first)


def vocab_from_file(file_object, min_freq: int = 1, specials=None,
                    special_first: bool = True) -> Vocab:
    """A Vocab from a file of one token per line, in the file's order (BERT's vocab.txt).

    ``file_object`` is an open text file or a path. A token listed more than once counts
    once per line and keeps its first position; ``min_freq`` keeps those listed at least
    that often. Only the line's end is stripped, so a token may hold inner spaces.
    """
    if isinstance(file_object, (str, os.PathLike)):
        with open(file_object, encoding="utf-8") as f:
            return vocab_from_file(f, min_freq, specials, special_first)
    counts = Counter()
    for line in file_object:
        token = line.rstrip("\r\n")
        if token:
            counts[token] += 1
    return vocab(OrderedDict(counts), min_freq=min_freq, specials=specials,
                 special_first=special_first)


load_vocab_from_file = vocab_from_file

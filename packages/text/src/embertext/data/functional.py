"""Helpers over iterables of text (torchtext.data.functional)."""

from __future__ import annotations

from ember.utils.data import Dataset

__all__ = ["to_map_style_dataset", "simple_space_split", "numericalize_tokens_from_iterator",
           "custom_replace"]


class _MapStyleDataset(Dataset):
    def __init__(self, iter_data):
        self._data = list(iter_data)

    def __len__(self):
        return len(self._data)

    def __getitem__(self, idx):
        return self._data[idx]


def to_map_style_dataset(iter_data):
    """Read an iterable-style dataset once into a map-style one (``len`` and indexing).

    >>> train = to_map_style_dataset(AG_NEWS(split="train"))
    >>> train[0]
    (3, 'Wall St. Bears Claw Back Into the Black (Reuters) ...')
    """
    return _MapStyleDataset(iter_data)


def simple_space_split(iterator):
    """Yield ``line.split()`` for each line."""
    for line in iterator:
        yield line.split()


def custom_replace(replace_pattern):
    """A transform applying each ``(regex, replacement)`` to every line of an iterator."""
    import re

    patterns = [(re.compile(p), r) for p, r in replace_pattern]

    def _internal(txt_iter):
        for line in txt_iter:
            for pattern_re, replaced in patterns:
                line = pattern_re.sub(replaced, line)
            yield line
    return _internal


def numericalize_tokens_from_iterator(vocab, iterator, removed_tokens=None):
    """For each list of tokens, yield an iterator of their ids (``removed_tokens`` dropped)."""
    for tokens in iterator:
        if removed_tokens is None:
            yield iter(vocab[token] for token in tokens)
        else:
            yield iter(vocab[token] for token in tokens if token not in removed_tokens)

"""Functional forms of the transforms (torchtext.functional)."""

from __future__ import annotations

import ember
from ember.nn.utils.rnn import pad_sequence

__all__ = ["to_tensor", "truncate", "add_token", "str_to_int"]


def to_tensor(input, padding_value: int | None = None, dtype=ember.long):
    """A list of ids → a 1-d tensor; a list of lists → a 2-d tensor.

    Rows of different lengths need ``padding_value``: they are right-padded with it to the
    longest row (``pad_sequence(batch_first=True)``).
    """
    if isinstance(input, ember.Tensor):
        return input.to(dtype)
    if len(input) > 0 and isinstance(input[0], (list, tuple, ember.Tensor)):
        if padding_value is None:
            return ember.tensor([list(map(int, x)) if not isinstance(x, ember.Tensor)
                                 else x.tolist() for x in input], dtype=dtype)
        rows = [x.to(dtype) if isinstance(x, ember.Tensor) else ember.tensor(list(x), dtype=dtype)
                for x in input]
        return pad_sequence(rows, batch_first=True, padding_value=float(padding_value))
    if len(input) == 0:
        return ember.empty(0, dtype=dtype)
    if isinstance(input[0], str):
        raise TypeError("Input type not supported")
    return ember.tensor(list(input), dtype=dtype)


def truncate(input, max_seq_len: int):
    """Keep the first ``max_seq_len`` items of a sequence (or of each sequence in a list)."""
    if len(input) > 0 and isinstance(input[0], (list, tuple)):
        return [list(x[:max_seq_len]) for x in input]
    return list(input[:max_seq_len])


def add_token(input, token_id, begin: bool = True):
    """Put ``token_id`` (an id or a string token) at the start (``begin``) or end."""
    if len(input) > 0 and isinstance(input[0], (list, tuple)):
        return [[token_id] + list(x) if begin else list(x) + [token_id] for x in input]
    return [token_id] + list(input) if begin else list(input) + [token_id]


def str_to_int(input):
    """Strings of digits → ints (in a list, or in each list of a list)."""
    if len(input) > 0 and isinstance(input[0], (list, tuple)):
        return [[int(s) for s in x] for x in input]
    return [int(s) for s in input]

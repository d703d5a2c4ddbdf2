"""Batches of variable-length sequences: padding collate and a length-bucketing sampler.

torchtext's classic tutorials write these by hand around ``pad_sequence``; here they are
ready-made. ``PadCollate`` pads each field of a batch that holds sequences with
``ember.nn.utils.rnn.pad_sequence`` (other fields go through ``default_collate``);
``BucketBatchSampler`` groups examples of similar length so little of a batch is padding.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

import ember
from ember.nn.utils.rnn import pad_sequence
from ember.utils.data import Sampler, default_collate

__all__ = ["pad_collate", "PadCollate", "BucketBatchSampler"]


def _as_tensor(x, dtype):
    if isinstance(x, ember.Tensor):
        return x
    return ember.tensor(list(x), dtype=dtype)


def _is_sequence(x):
    return isinstance(x, ember.Tensor) and x.dim() >= 1 or \
        isinstance(x, (list, tuple)) and (len(x) == 0 or not isinstance(x[0], str))


def pad_collate(batch, padding_value=0, batch_first=True, dtype=None, return_lengths=False):
    """Collate a list of examples, padding the fields that are sequences.

    Each example is a sequence (list of ids or 1-d tensor), or a tuple/dict whose fields are
    sequences or scalars. Sequence fields become ``(batch, longest)`` tensors (``batch_first``)
    padded with ``padding_value``; the others are collated by ``default_collate``. With
    ``return_lengths``, each padded field is a pair ``(padded, lengths)``.
    """
    dtype = dtype or ember.int64

    def pad(field):
        seqs = [_as_tensor(s, dtype) for s in field]
        padded = pad_sequence(seqs, batch_first=batch_first, padding_value=padding_value)
        if return_lengths:
            return padded, ember.tensor([len(s) for s in seqs], dtype=ember.int64)
        return padded

    first = batch[0]
    if isinstance(first, dict):
        return {k: pad([b[k] for b in batch]) if _is_sequence(first[k])
                else default_collate([b[k] for b in batch]) for k in first}
    if isinstance(first, tuple) and not _is_flat(first):
        return tuple(pad(list(f)) if _is_sequence(f[0]) else default_collate(list(f))
                     for f in zip(*batch))
    return pad(batch)


def _is_flat(example):
    """A tuple of numbers is one sequence, not a record of fields."""
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in example)


class PadCollate:
    """``collate_fn`` for DataLoader: ``PadCollate(padding_value=vocab['<pad>'])``.

    ``transform``, when given, maps each example first (e.g. text to ids).
    """

    def __init__(self, padding_value=0, batch_first=True, dtype=None, return_lengths=False,
                 transform: Callable | None = None):
        self.padding_value, self.batch_first = padding_value, batch_first
        self.dtype, self.return_lengths, self.transform = dtype, return_lengths, transform

    def __call__(self, batch):
        if self.transform is not None:
            batch = [self.transform(b) for b in batch]
        return pad_collate(batch, self.padding_value, self.batch_first, self.dtype,
                           self.return_lengths)


class BucketBatchSampler(Sampler):
    """Batches of indices whose examples have similar lengths (a ``batch_sampler``).

    The indices are shuffled (``shuffle=True``), cut into pools of
    ``batch_size * bucket_size_multiplier``, each pool sorted by length and cut into
    batches; the batches are then shuffled. ``lengths`` is a sequence of lengths, or
    ``dataset`` plus ``sort_key`` (a function of an example) gives them.

    >>> loader = DataLoader(ds, batch_sampler=BucketBatchSampler(lengths, 32),
    ...                     collate_fn=PadCollate())
    """

    def __init__(self, lengths: Sequence[int] | None = None, batch_size: int = 32,
                 drop_last: bool = False, shuffle: bool = True,
                 bucket_size_multiplier: int = 100, dataset=None, sort_key=None,
                 generator: random.Random | None = None):
        if lengths is None:
            if dataset is None:
                raise ValueError("BucketBatchSampler needs lengths, or dataset and sort_key")
            key = sort_key or len
            lengths = [key(dataset[i]) for i in range(len(dataset))]
        if batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        self.lengths = list(lengths)
        self.batch_size, self.drop_last, self.shuffle = batch_size, drop_last, shuffle
        self.pool = max(batch_size, batch_size * bucket_size_multiplier)
        self.rng = generator or random.Random()

    def __iter__(self):
        order = list(range(len(self.lengths)))
        if self.shuffle:
            self.rng.shuffle(order)
        batches = []
        for start in range(0, len(order), self.pool):
            pool = sorted(order[start:start + self.pool], key=self.lengths.__getitem__)
            for b in range(0, len(pool), self.batch_size):
                batch = pool[b:b + self.batch_size]
                if len(batch) < self.batch_size and self.drop_last:
                    continue
                batches.append(batch)
        if self.shuffle:
            self.rng.shuffle(batches)
        yield from batches

    def __len__(self):
        n, pools = len(self.lengths), []
        for start in range(0, n, self.pool):
            pools.append(min(self.pool, n - start))
        if self.drop_last:
            return sum(p // self.batch_size for p in pools)
        return sum(-(-p // self.batch_size) for p in pools)

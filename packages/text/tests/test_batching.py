"""Padding collate, the length-bucketing batch sampler, and their use with DataLoader."""

from __future__ import annotations

import random

import pytest

import ember
from ember.utils.data import DataLoader
from embertext.data import BucketBatchSampler, PadCollate, pad_collate, to_map_style_dataset


def test_pad_collate_plain_sequences():
    out = pad_collate([[1, 2, 3], [4]], padding_value=0)
    assert out.tolist() == [[1, 2, 3], [4, 0, 0]] and out.dtype is ember.int64
    seq_first = pad_collate([ember.tensor([1, 2]), ember.tensor([3])], batch_first=False)
    assert seq_first.shape == (2, 2)
    padded, lengths = pad_collate([[1, 2], [3]], return_lengths=True)
    assert lengths.tolist() == [2, 1]


def test_pad_collate_records():
    batch = [(0, [5, 6, 7]), (1, [8])]
    labels, text = pad_collate(batch, padding_value=-1)
    assert labels.tolist() == [0, 1] and text.tolist() == [[5, 6, 7], [8, -1, -1]]
    d = pad_collate([{"ids": [1, 2], "y": 1.0}, {"ids": [3], "y": 0.0}])
    assert d["ids"].tolist() == [[1, 2], [3, 0]] and d["y"].tolist() == [1.0, 0.0]


def test_pad_collate_with_transform_in_a_loader():
    data = to_map_style_dataset([(1, "a b c"), (2, "d"), (1, "e f")])
    vocab = {c: i + 1 for i, c in enumerate("abcdef")}
    collate = PadCollate(transform=lambda ex: (ex[0] - 1, [vocab[t] for t in ex[1].split()]))
    labels, ids = next(iter(DataLoader(data, batch_size=3, collate_fn=collate)))
    assert labels.tolist() == [0, 1, 0] and ids.tolist() == [[1, 2, 3], [4, 0, 0], [5, 6, 0]]


def test_bucket_batch_sampler_groups_similar_lengths():
    rng = random.Random(0)
    lengths = [rng.randint(1, 100) for _ in range(1000)]
    sampler = BucketBatchSampler(lengths, batch_size=10, bucket_size_multiplier=10,
                                 generator=random.Random(1))
    batches = list(sampler)
    assert len(batches) == len(sampler) == 100
    assert sorted(i for b in batches for i in b) == list(range(1000))
    spread = sum(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches)
    assert spread / len(batches) < 15  # unsorted batches of 10 would spread ~80
    assert list(sampler) != batches  # reshuffled each epoch


def test_bucket_batch_sampler_drop_last_no_shuffle_and_dataset():
    s = BucketBatchSampler([3, 1, 2, 5, 4], batch_size=2, drop_last=True, shuffle=False)
    assert list(s) == [[1, 2], [0, 4]] and len(s) == 2
    s = BucketBatchSampler(batch_size=2, shuffle=False, dataset=["aaa", "a", "aa"])
    assert list(s) == [[1, 2], [0]] and len(s) == 2
    with pytest.raises(ValueError):
        BucketBatchSampler()
    with pytest.raises(ValueError):
        BucketBatchSampler([1], batch_size=0)


def test_bucket_sampler_in_a_data_loader():
    seqs = [[1] * n for n in (5, 1, 4, 2, 3, 6)]
    loader = DataLoader(seqs, batch_sampler=BucketBatchSampler([len(s) for s in seqs], 2,
                                                               shuffle=False),
                        collate_fn=PadCollate())
    shapes = [tuple(b.shape) for b in loader]
    assert shapes == [(2, 2), (2, 4), (2, 6)]

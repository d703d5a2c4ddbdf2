"""Samplers: expected sequences, reproducibility, PyTorch's argument errors."""

import collections

import pytest

import ember
from ember.utils.data import (
    BatchSampler,
    DistributedSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)


def gen(seed):
    return ember.Generator().manual_seed(seed)


def test_sampler_base():
    with pytest.raises(NotImplementedError):
        iter(Sampler())


def test_sequential_sampler():
    s = SequentialSampler(range(5))
    assert list(s) == [0, 1, 2, 3, 4]
    assert list(s) == [0, 1, 2, 3, 4]
    assert len(s) == 5
    assert list(SequentialSampler([])) == []


def test_random_sampler_is_the_generators_permutation():
    s = RandomSampler(range(10), generator=gen(0))
    assert list(s) == ember.randperm(10, generator=gen(0)).tolist()
    assert len(s) == 10
    g = gen(1)
    first, second = list(RandomSampler(range(10), generator=g)), list(
        RandomSampler(range(10), generator=g))
    assert sorted(first) == sorted(second) == list(range(10))
    assert first != second  # the generator advances between epochs


def test_random_sampler_without_generator_follows_manual_seed():
    ember.manual_seed(123)
    a = list(RandomSampler(range(50)))
    b = list(RandomSampler(range(50)))
    ember.manual_seed(123)
    assert list(RandomSampler(range(50))) == a
    assert list(RandomSampler(range(50))) == b
    assert a != b
    # PyTorch's recipe: a fresh generator seeded from a draw of the default generator
    ember.manual_seed(123)
    seed = int(ember.empty((), dtype=ember.int64).random_().item())
    assert a == ember.randperm(50, generator=gen(seed)).tolist()


def test_random_sampler_num_samples_without_replacement():
    # more samples than items: whole permutations, then part of one more
    s = RandomSampler(range(4), num_samples=10, generator=gen(3))
    out = list(s)
    assert len(s) == 10 and len(out) == 10
    g = gen(3)
    expected = (ember.randperm(4, generator=g).tolist() + ember.randperm(4, generator=g).tolist()
                + ember.randperm(4, generator=g).tolist()[:2])
    assert out == expected
    assert sorted(out[:4]) == sorted(out[4:8]) == [0, 1, 2, 3]
    fewer = list(RandomSampler(range(10), num_samples=3, generator=gen(3)))
    assert fewer == ember.randperm(10, generator=gen(3)).tolist()[:3]


def test_random_sampler_with_replacement():
    s = RandomSampler(range(5), replacement=True, num_samples=70, generator=gen(4))
    out = list(s)
    assert len(out) == 70 and set(out) <= set(range(5))
    g = gen(4)  # drawn 32 at a time, as PyTorch does
    expected = []
    for size in (32, 32, 6):
        expected += ember.randint(0, 5, (size,), generator=g).tolist()
    assert out == expected
    assert len(set(out)) == 5
    assert list(RandomSampler(range(5), replacement=True, num_samples=70,
                              generator=gen(4))) == out


def test_random_sampler_errors():
    with pytest.raises(TypeError, match="replacement should be a boolean value, but got "
                                        "replacement=1"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but "
                                         "got num_samples=0"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match="num_samples=0"):
        RandomSampler([])


def test_subset_random_sampler():
    indices = [10, 20, 30, 40, 50]
    s = SubsetRandomSampler(indices, generator=gen(5))
    perm = ember.randperm(5, generator=gen(5)).tolist()
    assert list(s) == [indices[i] for i in perm]
    assert len(s) == 5
    assert sorted(SubsetRandomSampler(indices)) == indices


def test_weighted_random_sampler_with_replacement():
    weights = [0.0, 1.0, 3.0, 0.0]
    s = WeightedRandomSampler(weights, 4000, generator=gen(6))
    out = list(s)
    assert len(s) == 4000 and len(out) == 4000
    counts = collections.Counter(out)
    assert set(counts) == {1, 2}  # zero weight: never drawn
    assert 2.6 < counts[2] / counts[1] < 3.4
    assert list(WeightedRandomSampler(weights, 4000, generator=gen(6))) == out
    assert s.weights.dtype is ember.float64
    assert out == ember.multinomial(ember.tensor(weights, dtype=ember.float64), 4000, True,
                                    generator=gen(6)).tolist()


def test_weighted_random_sampler_without_replacement():
    weights = [0.9, 0.4, 0.05, 0.2, 0.3, 0.1]
    out = list(WeightedRandomSampler(weights, 6, replacement=False, generator=gen(7)))
    assert sorted(out) == list(range(6))
    out = list(WeightedRandomSampler([1.0, 0.0, 1.0, 1.0], 3, replacement=False,
                                     generator=gen(7)))
    assert sorted(out) == [0, 2, 3]
    firsts = collections.Counter(
        next(iter(WeightedRandomSampler([1.0, 100.0], 1, replacement=False, generator=gen(s))))
        for s in range(50))
    assert firsts[1] > 40


def test_weighted_random_sampler_errors():
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but "
                                         "got num_samples=0"):
        WeightedRandomSampler([1.0], 0)
    with pytest.raises(ValueError, match="num_samples=True"):
        WeightedRandomSampler([1.0], True)
    with pytest.raises(ValueError, match="replacement should be a boolean value, but got "
                                         "replacement=0"):
        WeightedRandomSampler([1.0], 1, replacement=0)
    with pytest.raises(ValueError, match=r"weights should be a 1d sequence but given weights "
                                         r"have shape \(1, 2\)"):
        WeightedRandomSampler([[1.0, 2.0]], 1)


def test_batch_sampler():
    assert list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=False)) == [
        [0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=True)) == [
        [0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert len(BatchSampler(range(10), 3, False)) == 4
    assert len(BatchSampler(range(10), 3, True)) == 3
    assert len(BatchSampler(range(9), 3, True)) == 3
    assert list(BatchSampler(range(4), 2, True)) == [[0, 1], [2, 3]]
    assert list(BatchSampler([], 2, False)) == []
    assert list(BatchSampler(iter([5, 6, 7]), 2, False)) == [[5, 6], [7]]  # any iterable


def test_batch_sampler_errors():
    for bad in (0, -1, True, 2.0):
        with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
            BatchSampler(range(3), bad, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value, but got "
                                         "drop_last=1"):
        BatchSampler(range(3), 1, 1)


def test_distributed_sampler_without_shuffle_pads_by_repeating():
    data = range(10)
    shards = [list(DistributedSampler(data, num_replicas=3, rank=r, shuffle=False))
              for r in range(3)]
    # 10 -> padded to 12 with the first two indices, then every 3rd from rank
    assert shards == [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]]
    s = DistributedSampler(data, num_replicas=3, rank=0, shuffle=False)
    assert len(s) == 4 and s.num_samples == 4 and s.total_size == 12


def test_distributed_sampler_padding_larger_than_dataset():
    shards = [list(DistributedSampler(range(2), num_replicas=5, rank=r, shuffle=False))
              for r in range(5)]
    assert shards == [[0], [1], [0], [1], [0]]


def test_distributed_sampler_drop_last():
    shards = [list(DistributedSampler(range(10), num_replicas=3, rank=r, shuffle=False,
                                      drop_last=True)) for r in range(3)]
    assert shards == [[0, 3, 6], [1, 4, 7], [2, 5, 8]]
    assert len(DistributedSampler(range(10), num_replicas=3, rank=0, drop_last=True)) == 3
    assert len(DistributedSampler(range(9), num_replicas=3, rank=0, drop_last=True)) == 3


def test_distributed_sampler_shuffle_seed_and_epoch():
    data = range(11)
    samplers = [DistributedSampler(data, num_replicas=2, rank=r, seed=42) for r in range(2)]
    shards = [list(s) for s in samplers]
    perm = ember.randperm(11, generator=gen(42)).tolist()
    perm += perm[:1]
    assert shards == [perm[0::2], perm[1::2]]
    assert sorted(shards[0] + shards[1]) == sorted([*range(11), perm[0]])  # one repeat
    assert [list(s) for s in samplers] == shards  # same epoch: same order
    for s in samplers:
        s.set_epoch(3)
    assert samplers[0].epoch == 3
    epoch3 = [list(s) for s in samplers]
    perm3 = ember.randperm(11, generator=gen(45)).tolist()
    assert epoch3[0] == (perm3 + perm3[:1])[0::2]
    assert epoch3 != shards


def test_distributed_sampler_errors():
    with pytest.raises(ValueError, match=r"Invalid rank 3, rank should be in the interval "
                                         r"\[0, 2\]"):
        DistributedSampler(range(4), num_replicas=3, rank=3)
    with pytest.raises(ValueError, match="Invalid rank -1"):
        DistributedSampler(range(4), num_replicas=3, rank=-1)
    with pytest.raises(RuntimeError, match="Requires distributed package to be available"):
        DistributedSampler(range(4))

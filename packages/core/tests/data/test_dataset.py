"""Datasets and random_split."""

import math
import warnings

import pytest

import ember
from ember.utils.data import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return i * i


class Batched(Squares):
    """A dataset with __getitems__, recording the calls."""

    def __init__(self, n):
        super().__init__(n)
        self.calls = []

    def __getitems__(self, indices):
        self.calls.append(list(indices))
        return [self[i] for i in indices]


class Stream(IterableDataset):
    def __init__(self, items):
        self.items = list(items)

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


def test_dataset_base_class():
    with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement"):
        Dataset()[0]
    both = Squares(2) + Squares(3)
    assert isinstance(both, ConcatDataset)
    assert [both[i] for i in range(len(both))] == [0, 1, 0, 1, 4]
    assert Dataset[int] is not None  # generic, as in PyTorch


def test_iterable_dataset_add_chains():
    chained = Stream([1, 2]) + Stream([3])
    assert isinstance(chained, ChainDataset)
    assert list(chained) == [1, 2, 3]
    assert len(chained) == 3


def test_tensor_dataset():
    x = ember.arange(12).reshape(4, 3)
    y = ember.tensor([0, 1, 0, 1])
    ds = TensorDataset(x, y)
    assert len(ds) == 4
    a, b = ds[2]
    assert a.tolist() == [6, 7, 8] and b.item() == 0
    assert ds.tensors[0] is x
    a, b = ds[1:3]  # slices index every tensor
    assert a.tolist() == [[3, 4, 5], [6, 7, 8]] and b.tolist() == [1, 0]
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(x, ember.zeros(5))


def test_stack_dataset_tuple_and_dict():
    a, b = Squares(4), TensorDataset(ember.arange(4))
    s = StackDataset(a, b)
    assert len(s) == 4
    first, (second,) = s[3]
    assert first == 9 and second.item() == 3
    d = StackDataset(sq=a, t=b)
    assert d[2]["sq"] == 4 and d[2]["t"][0].item() == 2


def test_stack_dataset_getitems_uses_nested_getitems():
    nested = Batched(5)
    s = StackDataset(nested, Squares(5))
    assert s.__getitems__([1, 3]) == [(1, 1), (9, 9)]
    assert nested.calls == [[1, 3]]
    d = StackDataset(x=nested, y=Squares(5))
    assert d.__getitems__([2, 0]) == [{"x": 4, "y": 4}, {"x": 0, "y": 0}]


def test_stack_dataset_errors():
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        StackDataset(Squares(2), Squares(3))
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        StackDataset(a=Squares(2), b=Squares(3))
    with pytest.raises(ValueError, match="At least one dataset should be passed"):
        StackDataset()
    with pytest.raises(ValueError, match="but both types are given"):
        StackDataset(Squares(2), b=Squares(2))

    class Short(Squares):
        def __getitems__(self, indices):
            return [0]

    with pytest.raises(ValueError, match="Nested dataset's output size mismatch. Expected 2, "
                                         "got 1"):
        StackDataset(Short(3)).__getitems__([0, 1])


def test_concat_dataset():
    ds = ConcatDataset([Squares(2), Squares(3), Squares(1)])
    assert len(ds) == 6
    assert ds.cumulative_sizes == [2, 5, 6]
    assert [ds[i] for i in range(6)] == [0, 1, 0, 1, 4, 0]
    assert ds[-1] == 0 and ds[-2] == 4 and ds[-6] == 0
    with pytest.raises(ValueError, match="absolute value of index should not exceed"):
        ds[-7]
    with pytest.raises(IndexError):
        ds[6]
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        ConcatDataset([])
    with pytest.raises(AssertionError, match="ConcatDataset does not support IterableDataset"):
        ConcatDataset([Squares(1), Stream([1])])
    with pytest.warns(FutureWarning, match="renamed to `cumulative_sizes`"):
        assert ds.cummulative_sizes == [2, 5, 6]
    assert ConcatDataset.cumsum([[1], [1, 2]]) == [1, 3]


def test_chain_dataset():
    ds = ChainDataset([Stream([1, 2]), Stream([]), Stream([3])])
    assert list(ds) == [1, 2, 3]
    assert list(ds) == [1, 2, 3]  # iterable again
    assert len(ds) == 3
    bad = ChainDataset([Stream([1]), Squares(2)])
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        list(bad)
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        len(bad)


def test_subset():
    base = Batched(10)
    sub = Subset(base, [7, 2, 5])
    assert len(sub) == 3
    assert [sub[i] for i in range(3)] == [49, 4, 25]
    assert sub.__getitems__([2, 0]) == [25, 49]
    assert base.calls == [[5, 7]]  # forwarded to the dataset's __getitems__
    plain = Subset(Squares(10), [3, 4])
    assert plain.__getitems__([1, 0]) == [16, 9]

    class Lists:
        def __getitem__(self, idx):
            return ("list", idx)

    assert Subset(Lists(), [5, 6, 7])[[0, 2]] == ("list", [5, 7])


def test_subset_subclass_must_override_getitems():
    class Bad(Subset):
        def __getitem__(self, idx):
            return 0

    with pytest.raises(NotImplementedError, match="overrides __getitem__ but not __getitems__"):
        Bad(Squares(3), [0])

    class Good(Bad):
        def __getitems__(self, indices):
            return [self[i] for i in indices]

    assert Good(Squares(3), [0, 1]).__getitems__([0, 1]) == [0, 0]


def _pytorch_lengths(n, fractions):
    """PyTorch's documented rule: floor each, then hand out the rest round-robin."""
    lengths = [math.floor(n * f) for f in fractions]
    for i in range(n - sum(lengths)):
        lengths[i % len(lengths)] += 1
    return lengths


@pytest.mark.parametrize("n, fractions, expected", [
    (10, [0.3, 0.7], [3, 7]),
    (30, [0.3, 0.3, 0.4], [9, 9, 12]),
    (11, [0.5, 0.5], [6, 5]),
    (7, [0.2, 0.2, 0.2, 0.2, 0.2], [2, 2, 1, 1, 1]),
    (5, [1 / 3, 1 / 3, 1 / 3], [2, 2, 1]),
    (1000, [0.8, 0.1, 0.1], [800, 100, 100]),
])
def test_random_split_fraction_rounding(n, fractions, expected):
    assert _pytorch_lengths(n, fractions) == expected
    parts = random_split(range(n), fractions, generator=ember.Generator().manual_seed(0))
    assert [len(p) for p in parts] == expected


def test_random_split_disjoint_complete_and_reproducible():
    data = range(100)
    parts = random_split(data, [30, 50, 20], generator=ember.Generator().manual_seed(7))
    assert [len(p) for p in parts] == [30, 50, 20]
    assert all(isinstance(p, Subset) and p.dataset is data for p in parts)
    seen = [data[i] for p in parts for i in p.indices]
    assert sorted(seen) == list(range(100))  # disjoint and complete
    assert [p[0] for p in parts] == [p.indices[0] for p in parts]

    again = random_split(data, [30, 50, 20], generator=ember.Generator().manual_seed(7))
    assert [p.indices for p in again] == [p.indices for p in parts]
    other = random_split(data, [30, 50, 20], generator=ember.Generator().manual_seed(8))
    assert [p.indices for p in other] != [p.indices for p in parts]

    # the split is the generator's permutation, cut at the cumulative lengths
    perm = ember.randperm(100, generator=ember.Generator().manual_seed(7)).tolist()
    assert parts[0].indices == perm[:30] and parts[2].indices == perm[80:]


def test_random_split_default_generator_follows_manual_seed():
    ember.manual_seed(3)
    a = [p.indices for p in random_split(range(20), [0.5, 0.5])]
    ember.manual_seed(3)
    b = [p.indices for p in random_split(range(20), [0.5, 0.5])]
    assert a == b


def test_random_split_errors_and_warnings():
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length"):
        random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match="Fraction at index 1 is not between 0 and 1"):
        random_split(range(10), [0.5, 1.5, -1.0])
    with pytest.warns(UserWarning) as record:
        parts = random_split(range(2), [0.9, 0.05, 0.05],
                             generator=ember.Generator().manual_seed(0))
    assert [str(w.message) for w in record] == [
        f"Length of split at index {i} is 0. This might result in an empty dataset."
        for i in (1, 2)]
    assert [len(p) for p in parts] == [2, 0, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        random_split(range(4), [0.5, 0.5])

"""default_collate and default_convert (expected outputs as PyTorch gives them)."""

import collections
from collections.abc import Mapping, Sequence

import numpy as np
import pytest

import ember
from ember.utils.data import default_collate, default_convert
from ember.utils.data._utils.collate import collate, default_collate_fn_map

Point = collections.namedtuple("Point", ["x", "y"])


def test_numbers():
    out = default_collate([0, 1, 2, 3])
    assert out.dtype is ember.int64 and out.tolist() == [0, 1, 2, 3]
    out = default_collate([1.5, 2.0])
    assert out.dtype is ember.float64 and out.tolist() == [1.5, 2.0]  # floats: float64
    out = default_collate([True, False])
    assert out.dtype is ember.bool and out.tolist() == [True, False]


def test_strings_and_bytes_stay_lists():
    assert default_collate(["a", "b", "c"]) == ["a", "b", "c"]
    assert default_collate([b"a", b"b"]) == [b"a", b"b"]


def test_numpy_scalars_keep_their_dtype():
    out = default_collate([np.float32(1.5), np.float32(2)])
    assert out.dtype is ember.float32 and out.tolist() == [1.5, 2.0]
    assert default_collate([np.float64(1.5), np.float64(2)]).dtype is ember.float64
    assert default_collate([np.int32(1), np.int32(2)]).dtype is ember.int32
    assert default_collate([np.bool_(True), np.bool_(False)]).dtype is ember.bool


def test_numpy_arrays():
    out = default_collate([np.array([1, 2], dtype=np.int32), np.array([3, 4], dtype=np.int32)])
    assert isinstance(out, ember.Tensor)
    assert out.dtype is ember.int32 and out.tolist() == [[1, 2], [3, 4]]
    out = default_collate([np.array(1.0), np.array(2.0)])  # 0-d arrays
    assert out.shape == (2,) and out.dtype is ember.float64
    img = np.arange(12, dtype=np.uint8).reshape(3, 4)
    out = default_collate([img, img + 1])
    assert out.shape == (2, 3, 4) and out.dtype is ember.uint8


def test_tensors_are_stacked():
    a, b = ember.tensor([1.0, 2.0]), ember.tensor([3.0, 4.0])
    out = default_collate([a, b])
    assert out.shape == (2, 2) and out.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    out = default_collate([ember.tensor(1.0), ember.tensor(2.0)])
    assert out.shape == (2,) and out.dtype is ember.float32
    imgs = [ember.full((1, 2, 2), float(i)) for i in range(3)]
    out = default_collate(imgs)
    assert out.shape == (3, 1, 2, 2) and out[2].sum().item() == 8.0


def test_dicts_namedtuples_tuples_lists():
    out = default_collate([{"A": 0, "B": 1}, {"A": 100, "B": 100}])
    assert isinstance(out, dict) and list(out) == ["A", "B"]
    assert out["A"].tolist() == [0, 100] and out["B"].tolist() == [1, 100]

    out = default_collate([Point(0, 0), Point(1, 1)])
    assert type(out) is Point and out.x.tolist() == [0, 1] and out.y.tolist() == [0, 1]

    out = default_collate([(0, 1), (2, 3)])
    assert type(out) is list and [t.tolist() for t in out] == [[0, 2], [1, 3]]

    out = default_collate([[0, 1], [2, 3]])
    assert type(out) is list and [t.tolist() for t in out] == [[0, 2], [1, 3]]

    out = default_collate([(1, "a"), (2, "b")])
    assert out[0].tolist() == [1, 2] and out[1] == ("a", "b")  # strings: the zipped tuple


def test_nested_structures():
    batch = [
        {"image": ember.ones(2, 2) * i, "meta": {"id": i, "name": f"n{i}"},
         "pair": (np.float32(i), [i, i + 1])}
        for i in range(3)
    ]
    out = default_collate(batch)
    assert out["image"].shape == (3, 2, 2)
    assert out["meta"]["id"].tolist() == [0, 1, 2]
    assert out["meta"]["name"] == ["n0", "n1", "n2"]
    assert out["pair"][0].dtype is ember.float32
    assert [t.tolist() for t in out["pair"][1]] == [[0, 1, 2], [1, 2, 3]]


def test_container_types_are_kept():
    out = default_collate([collections.OrderedDict(b=1, a=2), collections.OrderedDict(b=3, a=4)])
    assert type(out) is collections.OrderedDict and list(out) == ["b", "a"]

    class FrozenMap(Mapping):
        def __init__(self, d):
            self._d = dict(d)

        def __getitem__(self, k):
            return self._d[k]

        def __iter__(self):
            return iter(self._d)

        def __len__(self):
            return len(self._d)

    out = default_collate([FrozenMap({"k": 1}), FrozenMap({"k": 2})])
    assert type(out) is FrozenMap and out["k"].tolist() == [1, 2]

    class Seq(Sequence):
        def __init__(self, items):
            self._items = list(items)

        def __getitem__(self, i):
            return self._items[i]

        def __len__(self):
            return len(self._items)

    out = default_collate([Seq([1, 2]), Seq([3, 4])])
    assert type(out) is Seq and out[0].tolist() == [1, 3]

    class NoRebuild(Seq):
        def __init__(self, a, b):  # cannot be built from one list: falls back to a list
            super().__init__([a, b])

    out = default_collate([NoRebuild(1, 2), NoRebuild(3, 4)])
    assert type(out) is list and out[1].tolist() == [2, 4]


def test_errors():
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors, numpy "
                                        "arrays, numbers, dicts or lists; found <class "
                                        "'object'>"):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors, numpy "
                                        "arrays, numbers, dicts or lists; found <U1"):
        default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(TypeError, match="found object"):
        default_collate([np.array([None]), np.array([None])])
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal "
                                           "size"):
        default_collate([[1, 2], [1]])
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but "
                                           r"got \[2\] at entry 0 and \[3\] at entry 1"):
        default_collate([ember.zeros(2), ember.zeros(3)])
    with pytest.raises(IndexError):
        default_collate([])


def test_custom_collate_fn_map():
    class Box:
        def __init__(self, v):
            self.v = v

    def collate_box(batch, *, collate_fn_map):
        return sum(b.v for b in batch)

    custom = {**default_collate_fn_map, Box: collate_box}
    out = collate([(Box(1), 2), (Box(3), 4)], collate_fn_map=custom)
    assert out[0] == 4 and out[1].tolist() == [2, 4]
    with pytest.raises(TypeError, match="found <class"):
        default_collate([Box(1)])

    class MyInt(int):
        pass

    # a subclass is matched by isinstance against the keys, in order
    assert default_collate([MyInt(1), MyInt(2)]).tolist() == [1, 2]


def test_default_convert():
    arr = np.array([0, 1])
    out = default_convert(arr)
    assert isinstance(out, ember.Tensor) and out.tolist() == [0, 1]
    out = default_convert(np.float32(2))
    assert out.shape == () and out.dtype is ember.float32 and out.item() == 2.0
    assert default_convert(0) == 0
    assert default_convert("x") == "x"
    assert default_convert(np.str_("x")) == "x"
    strs = np.array(["a", "b"])
    assert default_convert(strs) is strs  # string arrays stay NumPy
    t = ember.ones(2)
    assert default_convert(t) is t

    out = default_convert(Point(np.array(0), np.array(1)))
    assert type(out) is Point and out.x.item() == 0 and out.y.item() == 1
    out = default_convert((np.array(1),))
    assert type(out) is list and out[0].item() == 1  # tuples become lists
    out = default_convert([np.array([0, 1]), np.array([2, 3])])
    assert [o.tolist() for o in out] == [[0, 1], [2, 3]]
    out = default_convert({"a": np.array(1.5), "b": [np.int64(2), "s"]})
    assert out["a"].item() == 1.5 and out["a"].dtype is ember.float64
    assert out["b"][0].dtype is ember.int64 and out["b"][1] == "s"
    od = default_convert(collections.OrderedDict(z=np.array(1)))
    assert type(od) is collections.OrderedDict

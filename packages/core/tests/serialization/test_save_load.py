"""ember.save / ember.load with ember tensors: round trips, PyTorch's files, atomic writes."""

import io
import os
import pathlib
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember.serialization import _zip, load, save
from ember.serialization._dtypes import TORCH_DTYPES

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "serialization"
DTYPES = ("float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64",
          "uint8", "bool")


def round_trip(obj, **load_args):
    buffer = io.BytesIO()
    save(obj, buffer)
    buffer.seek(0)
    return load(buffer, **load_args)


def tensor(values, dtype="float32"):
    return ember.from_numpy(np.array(values).astype(TORCH_DTYPES[dtype]))


def unpack(t):
    return t.detach().cpu().numpy(), t.requires_grad, isinstance(t, ember.nn.Parameter)


@pytest.mark.parametrize("name", DTYPES)
def test_round_trip_every_dtype(name):
    original = tensor([[0.0, -1.5, 2.25], [3.0, 100.0, 1.0]], name)
    loaded = round_trip({"x": original})["x"]
    assert isinstance(loaded, ember.Tensor)
    assert loaded.dtype is getattr(ember, name)
    assert loaded.shape == original.shape
    assert loaded.numpy().tobytes() == original.numpy().tobytes()


def test_views_keep_sharing_their_storage():
    storage = np.arange(12, dtype=np.float32)
    grid = storage.reshape(3, 4)
    obj = {
        "base": ember.from_numpy(grid),
        "rows": ember.from_numpy(grid[1:3]),
        "transposed": ember.from_numpy(grid.T),
        "columns": ember.from_numpy(grid[:, ::2]),
        "expanded": ember.from_numpy(np.lib.stride_tricks.as_strided(storage, (2, 4), (0, 4))),
    }
    loaded = round_trip(obj)
    for key, original in obj.items():
        assert loaded[key].stride() == original.stride(), key
        assert np.array_equal(loaded[key].numpy(), original.numpy()), key
    loaded["rows"].numpy()[0, 0] = -1.0  # the base's element 4
    assert loaded["base"].numpy()[1, 0] == loaded["transposed"].numpy()[0, 1] == -1.0
    assert loaded["expanded"].numpy()[1, 0] == 0.0 and loaded["columns"].numpy()[1, 0] == -1.0


def test_state_dict_optimizer_state_and_containers():
    weight = tensor([[1.0, 2.0]])
    obj = {
        "model": OrderedDict([("fc.weight", weight), ("fc.bias", tensor([0.5])),
                              ("bn.num_batches_tracked", tensor(3, "int64"))]),
        "optimizer": {"state": {0: {"step": tensor(1.0), "exp_avg": tensor([[0.1, 0.2]])}},
                      "param_groups": [{"lr": 0.01, "betas": (0.9, 0.999), "foreach": None,
                                        "maximize": False, "params": [0, 1]}]},
        "same": [weight, weight],
        "meta": {"dtype": ember.bfloat16, "device": ember.device("cpu"), "size": weight.shape,
                 "name": "run", "tags": {"a"}, "blob": b"\x00"},
    }
    loaded = round_trip(obj)
    assert isinstance(loaded["model"], OrderedDict)
    assert list(loaded["model"]) == list(obj["model"])
    assert loaded["model"]["bn.num_batches_tracked"].dtype is ember.int64
    assert loaded["optimizer"]["param_groups"] == obj["optimizer"]["param_groups"]
    exp_avg = loaded["optimizer"]["state"][0]["exp_avg"]
    assert np.array_equal(exp_avg.numpy(), obj["optimizer"]["state"][0]["exp_avg"].numpy())
    assert loaded["same"][0] is loaded["same"][1]
    meta = loaded["meta"]
    assert meta["dtype"] is ember.bfloat16
    assert meta["device"] == ember.device("cpu")
    assert isinstance(meta["size"], ember.Size) and meta["size"] == (1, 2)
    assert (meta["name"], meta["tags"], meta["blob"]) == ("run", {"a"}, b"\x00")


def test_requires_grad_round_trips():
    leaf = tensor([1.0, 2.0]).requires_grad_()
    loaded = round_trip({"leaf": leaf, "plain": tensor([1.0])})
    assert loaded["leaf"].requires_grad and loaded["leaf"].is_leaf
    assert not loaded["plain"].requires_grad


@pytest.mark.parametrize("kind", ["str", "path", "file"])
def test_paths_and_file_objects(tmp_path, kind):
    path = tmp_path / "checkpoint.pt"
    obj = {"x": tensor([1.0, 2.0])}
    if kind == "file":
        with open(path, "wb") as file:
            save(obj, file)
        with open(path, "rb") as file:
            loaded = load(file)
    else:
        target = str(path) if kind == "str" else path
        save(obj, target)
        loaded = load(target)
    assert loaded["x"].numpy().tolist() == [1.0, 2.0]


def test_unseekable_streams():
    class Stream(io.RawIOBase):
        def __init__(self, buffer):
            self.buffer = buffer

        def writable(self):
            return True

        def readable(self):
            return True

        def write(self, data):
            return self.buffer.write(data)

        def readinto(self, data):
            return self.buffer.readinto(data)

    buffer = io.BytesIO()
    save({"x": tensor([3.0])}, Stream(buffer))
    buffer.seek(0)
    assert load(Stream(buffer))["x"].numpy().tolist() == [3.0]


def test_reads_pytorch_checkpoints(torch_file, describe_tensors):
    path, expected = torch_file
    if path.name.startswith("extra_dtypes"):  # dtypes ember lacks: a clear error, not garbage
        with pytest.raises(TypeError, match="ember has no dtype torch.uint16"):
            load(path, map_location="cpu")
        return
    loaded = load(path, map_location="cpu")
    assert describe_tensors(loaded, ember.Tensor, unpack) == expected


def test_parameters_round_trip():
    model = ember.nn.Linear(3, 2)
    frozen = ember.nn.Parameter(tensor([1.0]), requires_grad=False)
    loaded = round_trip({"weight": model.weight, "state": model.state_dict(), "frozen": frozen})
    assert isinstance(loaded["weight"], ember.nn.Parameter) and loaded["weight"].requires_grad
    assert isinstance(loaded["frozen"], ember.nn.Parameter) and not loaded["frozen"].requires_grad
    assert not isinstance(loaded["state"]["weight"], ember.nn.Parameter)
    loaded["weight"].detach().numpy()[0, 0] = 42.0  # a state_dict entry shares its parameter
    assert loaded["state"]["weight"].numpy()[0, 0] == 42.0


def test_views_made_by_ember_ops_keep_sharing():
    base = ember.arange(12.0).reshape(3, 4)
    loaded = round_trip({"base": base, "rows": base[1:], "column": base[:, 1], "t": base.t()})
    assert loaded["t"].stride() == (1, 4) and loaded["column"].stride() == (4,)
    loaded["rows"].numpy()[0, 1] = -5.0
    assert loaded["base"].numpy()[1, 1] == loaded["column"].numpy()[1] == -5.0
    assert loaded["t"].numpy()[1, 1] == -5.0


def test_dtypes_ember_lacks_are_an_error():
    with pytest.raises(TypeError, match="torch.uint16"):
        load(FIXTURES / "extra_dtypes.zip.pt")


def test_pytorch_checkpoint_structure():
    views = load(FIXTURES / "views.legacy.pt")
    assert views["same"][0] is views["same"][1]
    assert views["tagged"].tag == "pruned"
    loaded = load(FIXTURES / "checkpoint.legacy.pt")
    assert loaded["epoch"] == 7
    assert loaded["meta"]["dtype"] is ember.float16
    assert loaded["meta"]["device"] == ember.device("cpu")
    assert loaded["meta"]["size"] == ember.Size([2, 3])
    assert loaded["optimizer"]["param_groups"][0]["params"] == [0, 1, 2, 3]


@pytest.mark.parametrize("fmt", ["zip", "legacy"])
def test_cuda_checkpoints_need_a_map_location_without_cuda(fmt):
    if "cuda" in ember.backends.available():
        pytest.skip("a cuda backend is available")
    with pytest.raises(RuntimeError, match="map_location='cpu'"):
        load(FIXTURES / f"cuda.{fmt}.pt")


@pytest.mark.parametrize("map_location", [
    "cpu", ember.device("cpu"), {"cuda:0": "cpu"}, lambda storage, location: storage,
], ids=["str", "device", "dict", "callable"])
@pytest.mark.parametrize("fmt", ["zip", "legacy"])
def test_map_location_moves_cuda_checkpoints_to_cpu(fmt, map_location):
    loaded = load(FIXTURES / f"cuda.{fmt}.pt", map_location=map_location)
    assert loaded["weight"].device == ember.device("cpu")
    assert loaded["weight"].numpy().tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert loaded["step"].numpy().tolist() == 3


def test_map_location_callable_sees_each_storage_and_its_location():
    seen = []

    def where(storage, location):
        seen.append((storage.numpy().tolist(), location))
        return storage

    loaded = load(FIXTURES / "cuda.zip.pt", map_location=where)
    assert sorted(seen) == [([1.0, 2.0, 3.0, 4.0], "cuda:0"), ([3], "cuda:0")]
    assert loaded["weight"].device == ember.device("cpu")


def test_a_failed_save_leaves_the_old_file(tmp_path):
    path = tmp_path / "model.pt"
    save({"x": tensor([1.0])}, path)
    before = path.read_bytes()
    with pytest.raises((pickle.PicklingError, AttributeError)):
        save({"x": tensor([2.0]), "bad": lambda: None}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.pt"]


def test_a_crash_while_writing_storages_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "model.pt"
    save({"x": tensor([1.0])}, path)
    before = path.read_bytes()
    write_record = _zip._write_record

    def crash_on_storages(archive, name, data):
        if "/data/1" in name:
            raise OSError("disk full")
        write_record(archive, name, data)

    monkeypatch.setattr(_zip, "_write_record", crash_on_storages)
    with pytest.raises(OSError, match="disk full"):
        save({"x": tensor([2.0]), "y": tensor([3.0])}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.pt"]
    assert load(path)["x"].numpy().tolist() == [1.0]


def test_other_devices_round_trip_through_map_location():
    devices = [name for name in ember.backends.available() if name != "cpu"]
    if not devices:
        pytest.skip("no backend other than cpu is available")
    for name in devices:
        loaded = load(FIXTURES / "views.zip.pt", map_location=name)
        assert loaded["transposed"].device.type == name
        assert isinstance(loaded["parameter"], ember.nn.Parameter)
        again = round_trip(loaded)  # saved with the device as location, loaded back onto it
        assert again["rows"].device == loaded["rows"].device
        assert again["transposed"].cpu().numpy().tolist() == (
            np.arange(12.0).reshape(3, 4).T.tolist())
        assert round_trip(loaded, map_location="cpu")["rows"].device == ember.device("cpu")

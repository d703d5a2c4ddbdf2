"""The format layer on its own: numpy records in and out of PyTorch's file formats."""

import io
import pathlib
import pickle
import pickletools
import struct
import sys
import zipfile

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided

from ember.serialization._dtypes import TORCH_DTYPES
from ember.serialization._format import read, write
from ember.serialization._legacy import MAGIC_NUMBER, PROTOCOL_VERSION
from ember.serialization._pickler import _TorchPickler, dumps
from ember.serialization._records import (
    NumpyRebuilder,
    RawTensor,
    TorchName,
    TorchObject,
    locate,
    strided_view,
)
from ember.serialization._zip import write_archive

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "serialization"


def round_trip(obj):
    buffer = io.BytesIO()
    write(obj, buffer)
    buffer.seek(0)
    return read(buffer, NumpyRebuilder())


def unpack(record):
    return record.array, record.requires_grad, record.parameter


def values(dtype):
    return np.array([[0.0, -1.5, 2.25], [3.0, 100.0, 1.0]]).astype(dtype)


@pytest.mark.parametrize("name", sorted(TORCH_DTYPES))
def test_round_trip_every_dtype(name):
    array = values(TORCH_DTYPES[name])
    loaded = round_trip({"x": RawTensor(array)})["x"]
    assert loaded.array.dtype == array.dtype
    assert loaded.array.tobytes() == array.tobytes()


def test_views_share_one_storage_after_round_trip():
    storage = np.arange(12, dtype=np.float32)
    base = storage.reshape(3, 4)
    obj = {
        "base": RawTensor(base),
        "rows": RawTensor(base[1:3]),
        "columns": RawTensor(base[:, 1::2]),
        "transposed": RawTensor(base.T),
        "expanded": RawTensor(as_strided(storage[4:], shape=(2, 4), strides=(0, 4))),
        "scalar": RawTensor(base[1, 2, ...]),
    }
    buffer = io.BytesIO()
    write(obj, buffer)
    assert [n for n in zipfile.ZipFile(buffer).namelist() if "/data/" in n] == ["archive/data/0"]
    buffer.seek(0)
    loaded = read(buffer, NumpyRebuilder())
    for key, record in obj.items():
        assert np.array_equal(loaded[key].array, record.array), key
        assert locate(loaded[key].array)[1:] == locate(record.array)[1:], key
    loaded["rows"].array[0, 2] = -1.0  # base[1, 2]
    assert loaded["base"].array[1, 2] == loaded["transposed"].array[2, 1] == -1.0
    assert loaded["scalar"].array == -1.0


def test_same_record_twice_loads_as_one_object():
    record = RawTensor(np.ones(2))
    loaded = round_trip([record, record])
    assert loaded[0] is loaded[1]


def test_unshareable_arrays_are_copied():
    flipped = np.arange(6.0)[::-1]
    big_endian = np.arange(3, dtype=">i4")
    loaded = round_trip([RawTensor(flipped), RawTensor(big_endian)])
    assert np.array_equal(loaded[0].array, flipped)
    assert np.array_equal(loaded[1].array, big_endian)


def test_one_memory_as_two_dtypes_is_refused():
    storage = np.zeros(4, np.float32)
    with pytest.raises(RuntimeError, match="view the same data as different types"):
        round_trip([RawTensor(storage), RawTensor(storage.view(np.int32))])


def test_parameters_requires_grad_and_torch_objects_round_trip():
    obj = {
        "weight": RawTensor(np.ones(2, np.float32), requires_grad=True, parameter=True),
        "frozen": RawTensor(np.ones(1, np.float32), parameter=True),
        "leaf": RawTensor(np.zeros(2, np.float32), requires_grad=True),
        "dtype": TorchName("torch", "bfloat16"),
        "device": TorchObject(TorchName("torch", "device"), ("cuda:1",)),
        "size": TorchObject(TorchName("torch", "Size"), ((2, 3),)),
        "location": RawTensor(np.ones(1), location="cuda:0"),
    }
    loaded = round_trip(obj)
    assert (loaded["weight"].parameter, loaded["weight"].requires_grad) == (True, True)
    assert (loaded["frozen"].parameter, loaded["frozen"].requires_grad) == (True, False)
    assert (loaded["leaf"].parameter, loaded["leaf"].requires_grad) == (False, True)
    assert [loaded[k] for k in ("dtype", "device", "size")] == [obj["dtype"], obj["device"],
                                                                obj["size"]]
    assert loaded["location"].location == "cuda:0"


def test_archive_layout_is_torch_version_3():
    storage = np.arange(6, dtype=np.float32)
    buffer = io.BytesIO()
    write({"a": RawTensor(storage), "b": RawTensor(storage[2:]), "u": RawTensor(np.ones(2))},
          buffer)
    archive = zipfile.ZipFile(buffer)
    assert archive.namelist() == ["archive/data.pkl", "archive/byteorder", "archive/data/0",
                                  "archive/data/1", "archive/version"]
    assert archive.read("archive/version") == b"3\n"
    assert archive.read("archive/byteorder") == sys.byteorder.encode()
    raw = buffer.getvalue()
    for info in archive.infolist():
        assert info.compress_type == zipfile.ZIP_STORED
        name_length, extra_length = struct.unpack("<HH", raw[info.header_offset + 26:][:4])
        assert (info.header_offset + 30 + name_length + extra_length) % 64 == 0, info.filename
    ops = [(op.name, arg) for op, arg, _ in pickletools.genops(archive.read("archive/data.pkl"))]
    assert ("GLOBAL", "torch._utils _rebuild_tensor_v2") in ops
    assert ("GLOBAL", "torch FloatStorage") in ops
    assert ("GLOBAL", "torch DoubleStorage") in ops
    assert ("GLOBAL", "collections OrderedDict") in ops
    assert [op for op, _ in ops].count("BINPERSID") == 3


def test_persistent_ids_are_torchs():
    storage = np.arange(6, dtype=np.float32)
    buffer = io.BytesIO()
    write([RawTensor(storage[1:4], location="cuda:0")], buffer)
    ids = []

    class Name(str):
        def __call__(self, *args):
            return self

    class Recorder(pickle.Unpickler):
        def find_class(self, module, name):
            return Name(f"{module}.{name}")

        def persistent_load(self, pid):
            ids.append(pid)

    Recorder(io.BytesIO(zipfile.ZipFile(buffer).read("archive/data.pkl"))).load()
    assert ids == [("storage", "torch.FloatStorage", "0", "cuda:0", 6)]


def test_dtypes_without_storage_class_use_rebuild_tensor_v3():
    buffer = io.BytesIO()
    write([RawTensor(np.array([1, 65535], np.uint16))], buffer)
    data = zipfile.ZipFile(buffer).read("archive/data.pkl")
    ops = [(op.name, arg) for op, arg, _ in pickletools.genops(data)]
    assert ("GLOBAL", "torch._utils _rebuild_tensor_v3") in ops
    assert ("GLOBAL", "torch.storage UntypedStorage") in ops
    assert ("GLOBAL", "torch uint16") in ops


def test_reads_pytorch_checkpoints(torch_file, describe_tensors):
    path, expected = torch_file
    with open(path, "rb") as file:
        loaded = read(file, NumpyRebuilder())
    assert describe_tensors(loaded, RawTensor, unpack) == expected


def test_parameter_state_becomes_attributes():
    for fmt in ("zip", "legacy"):
        with open(FIXTURES / f"views.{fmt}.pt", "rb") as file:
            tagged = read(file, NumpyRebuilder())["tagged"]
        assert (tagged.parameter, tagged.requires_grad, tagged.tag) == (True, True, "pruned")


def test_reads_checkpoint_structure():
    for fmt in ("zip", "legacy"):
        with open(FIXTURES / f"checkpoint.{fmt}.pt", "rb") as file:
            loaded = read(file, NumpyRebuilder())
        assert list(loaded["model"]) == ["0.weight", "0.bias", "1.weight", "1.bias",
                                         "1.running_mean", "1.running_var",
                                         "1.num_batches_tracked"]
        group = loaded["optimizer"]["param_groups"][0]
        assert (group["lr"], group["betas"], group["params"]) == (0.01, (0.9, 0.999), [0, 1, 2, 3])
        assert loaded["epoch"] == 7
        meta = loaded["meta"]
        assert meta["pair"] == (1, 2.5) and meta["nothing"] is None and meta["tags"] == {"a", "b"}
        assert meta["blob"] == b"\x00\x01ember" and meta["flags"] == [True, False]
        assert meta["dtype"] == TorchName("torch", "float16")
        assert meta["device"] == TorchObject(TorchName("torch", "device"), ("cpu",))
        assert meta["size"] == TorchObject(TorchName("torch", "Size"), ((2, 3),))


def test_reads_a_big_endian_archive():
    array = np.arange(5, dtype=np.float32) / 3
    buffer = io.BytesIO()
    write_archive(buffer, *_pickled_with_swapped_storages({"x": RawTensor(array)}))
    big = _replace_record(buffer.getvalue(), "archive/byteorder", b"big")
    loaded = read(io.BytesIO(big), NumpyRebuilder())
    assert np.array_equal(loaded["x"].array, array)


def _pickled_with_swapped_storages(obj):
    pickled, storages = dumps(obj)
    return pickled, [storage.byteswap() for storage in storages]


def _replace_record(archive_bytes, name, data):
    source = zipfile.ZipFile(io.BytesIO(archive_bytes))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, data if info.filename == name else source.read(info))
    return out.getvalue()


def test_reads_a_big_endian_legacy_checkpoint():
    """float64.legacy.pt rewritten as a big-endian machine would have written it."""
    raw = (FIXTURES / "float64.legacy.pt").read_bytes()
    file = io.BytesIO(raw)
    for _ in range(3):
        pickle.load(file)
    start = file.tell()
    for _ in pickletools.genops(file):
        pass
    keys = pickle.load(file)
    body = raw[start:file.tell()]
    swapped = b""
    for _ in keys:
        (count,) = struct.unpack("<q", file.read(8))
        swapped += struct.pack(">q", count) + np.frombuffer(file.read(8 * count), "<f8").astype(
            ">f8").tobytes()
    info = {"protocol_version": PROTOCOL_VERSION, "little_endian": False,
            "type_sizes": {"short": 2, "int": 4, "long": 4}}
    big = b"".join(pickle.dumps(x, protocol=2) for x in (MAGIC_NUMBER, PROTOCOL_VERSION, info))
    loaded = read(io.BytesIO(big + body + swapped), NumpyRebuilder())
    assert np.array_equal(loaded["a"].array, np.arange(6.0).reshape(2, 3))
    assert np.array_equal(loaded["b"].array, [1.5, -2.0])


def test_reads_legacy_storage_views():
    """Checkpoints from before torch 0.4 name views of a storage in their persistent ids."""

    class View:
        def __init__(self, key, offset, size):
            self.view = (key, offset, size)

    class LegacyPickler(_TorchPickler):
        def persistent_id(self, obj):
            if isinstance(obj, View):
                return ("storage", TorchName("torch", "FloatStorage"), "root", "cpu", 6, obj.view)
            return None

    def tensor(view, size):
        return TorchObject(TorchName("torch._utils", "_rebuild_tensor"), (view, 0, size, (1,)))

    body = io.BytesIO()
    tensors = [tensor(View("a", 1, 3), (3,)), tensor(View("b", 4, 2), (2,))]
    LegacyPickler(body, 2, None).dump(tensors)
    info = {"protocol_version": PROTOCOL_VERSION, "little_endian": True}
    header = b"".join(pickle.dumps(x, protocol=2) for x in (MAGIC_NUMBER, PROTOCOL_VERSION, info))
    data = struct.pack("<q", 6) + np.arange(6, dtype=np.float32).tobytes()
    raw = header + body.getvalue() + pickle.dumps(["root"], protocol=2) + data
    first, second = read(io.BytesIO(raw), NumpyRebuilder())
    assert first.array.tolist() == [1.0, 2.0, 3.0] and second.array.tolist() == [4.0, 5.0]


def test_truncated_legacy_checkpoint_is_an_error():
    raw = (FIXTURES / "float64.legacy.pt").read_bytes()
    with pytest.raises(RuntimeError, match="ends early"):
        read(io.BytesIO(raw[:-4]), NumpyRebuilder())


def test_not_a_checkpoint():
    with pytest.raises(RuntimeError, match="Invalid magic number"):
        read(io.BytesIO(pickle.dumps({"a": 1})), NumpyRebuilder())
    empty_zip = io.BytesIO()
    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("x/other.txt", b"")
    empty_zip.seek(0)
    with pytest.raises(RuntimeError, match="no data.pkl"):
        read(empty_zip, NumpyRebuilder())


@pytest.mark.parametrize(("offset", "size", "stride"), [
    (0, (5,), (1,)), (3, (2,), (1,)), (0, (2, 2), (3, 1)), (-1, (1,), (1,)), (0, (2,), (-1,)),
])
def test_views_outside_their_storage_are_refused(offset, size, stride):
    with pytest.raises(ValueError):
        strided_view(np.zeros(4), offset, size, stride)


def test_strided_view_allows_empty_and_scalar_views():
    storage = np.arange(4.0)
    assert strided_view(storage, 4, (0, 3), (3, 1)).shape == (0, 3)
    assert strided_view(storage, 3, (), ()) == 3.0

"""ember.utils.safetensors: safetensors files of ember tensors, bfloat16 included."""

import os

import ml_dtypes
import numpy as np
import pytest
import safetensors
import safetensors.numpy

import ember
from ember.utils import safetensors as st

DTYPES = {"float16": np.float16, "bfloat16": ml_dtypes.bfloat16, "float32": np.float32,
          "float64": np.float64, "int8": np.int8, "int16": np.int16, "int32": np.int32,
          "int64": np.int64, "uint8": np.uint8, "bool": np.bool_}


def tensors():
    values = np.array([[0.0, -1.5, 2.25], [3.0, 100.0, 1.0]])
    found = {name: ember.from_numpy(values.astype(dtype)) for name, dtype in DTYPES.items()}
    found["scalar"] = ember.from_numpy(np.array(2.5, np.float32))
    found["transposed"] = ember.from_numpy(values.T)  # not contiguous
    return found


def check(loaded, original):
    assert set(loaded) == set(original)
    for name, tensor in original.items():
        assert loaded[name].dtype is tensor.dtype, name
        assert loaded[name].shape == tensor.shape, name
        assert np.array_equal(loaded[name].numpy(), tensor.numpy()), name


def test_bytes_round_trip():
    original = tensors()
    check(st.load(st.save(original)), original)


def test_file_round_trip_with_metadata(tmp_path):
    original = tensors()
    path = tmp_path / "model.safetensors"
    st.save_file(original, path, metadata={"format": "pt"})
    check(st.load_file(path), original)
    with safetensors.safe_open(path, framework="np") as file:
        assert file.metadata() == {"format": "pt"}
    assert os.listdir(tmp_path) == ["model.safetensors"]


def test_files_are_standard_safetensors(tmp_path):
    path = tmp_path / "model.safetensors"
    st.save_file(tensors(), path)
    with safetensors.safe_open(path, framework="np") as file:
        assert file.get_tensor("bfloat16").dtype == ml_dtypes.bfloat16
        np.testing.assert_array_equal(file.get_tensor("transposed"),
                                      tensors()["transposed"].numpy())
    written = safetensors.numpy.save({"w": np.arange(4, dtype=np.float32)})
    assert st.load(written)["w"].numpy().tolist() == [0.0, 1.0, 2.0, 3.0]


def test_loaded_tensors_are_writable_and_on_the_device(tmp_path):
    path = tmp_path / "model.safetensors"
    st.save_file({"w": ember.from_numpy(np.zeros(2, np.float32))}, path)
    loaded = st.load_file(path, device="cpu")["w"]
    assert loaded.device == ember.device("cpu")
    loaded.numpy()[0] = 1.0
    assert st.load(st.save({"w": loaded}))["w"].numpy().tolist() == [1.0, 0.0]


def test_only_dicts_of_tensors():
    with pytest.raises(TypeError, match="dict from str to ember.Tensor"):
        st.save({"w": np.zeros(2)})

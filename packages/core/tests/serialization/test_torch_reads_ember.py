"""Real PyTorch reads the files ember writes (torch runs in a subprocess, as an oracle only)."""

import importlib.util
import json
import pathlib
import subprocess
import sys
from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember.serialization import save
from ember.serialization._dtypes import TORCH_DTYPES

pytestmark = pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                                reason="PyTorch is not installed (it is only a test oracle)")

TOOL = pathlib.Path(__file__).resolve().parents[2] / "tools" / "make_serialization_fixtures.py"
TORCH_SCRIPT = """
import json, runpy, sys, torch
describe = runpy.run_path(sys.argv[1])["describe"]
out = {}
for path in sys.argv[2:]:
    obj = torch.load(path, weights_only=True)
    out[path] = {"tensors": describe(obj), "meta": repr(obj.get("meta"))}
print(json.dumps(out))
"""
DTYPES = ("float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64",
          "uint8", "bool")


def ember_checkpoint():
    storage = np.arange(12, dtype=np.float32)
    grid = storage.reshape(3, 4)
    values = np.array([[0.0, -1.5, 2.25], [3.0, 100.0, 1.0]])
    same = ember.from_numpy(np.array([5, 6]))
    return {
        "dtypes": {name: ember.from_numpy(values.astype(TORCH_DTYPES[name])) for name in DTYPES},
        "views": {
            "base": ember.from_numpy(grid),
            "rows": ember.from_numpy(grid[1:3]),
            "transposed": ember.from_numpy(grid.T),
            "columns": ember.from_numpy(grid[:, 1::2]),
            "expanded": ember.from_numpy(np.lib.stride_tricks.as_strided(storage, (2, 4),
                                                                         (0, 4))),
            "scalar": ember.from_numpy(grid[1, 2, ...]),
            "empty": ember.from_numpy(grid[3:]),
        },
        "state": OrderedDict([("leaf", ember.from_numpy(np.ones(2)).requires_grad_()),
                              ("same", [same, same])]),
        "parameters": {
            "weight": ember.nn.Parameter(ember.from_numpy(np.float32([0.5, -0.5]))),
            "frozen": ember.nn.Parameter(ember.from_numpy(np.float32([1.0])), requires_grad=False),
        },
        "meta": {"dtype": ember.bfloat16, "device": ember.device("cpu"),
                 "size": ember.Size([1, 2]), "pair": (1, None), "blob": b"\x00"},
    }


def run_torch(*paths):
    """{path: {"tensors": the tool's description, "meta": repr of obj["meta"]}}, by torch."""
    result = subprocess.run([sys.executable, "-c", TORCH_SCRIPT, str(TOOL), *map(str, paths)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_torch_loads_ember_files(tmp_path, describe_tensors):
    checkpoint = ember_checkpoint()
    path = tmp_path / "ember.pt"
    save(checkpoint, path)

    seen = run_torch(path)[str(path)]

    def unpack(t):
        return t.detach().cpu().numpy(), t.requires_grad, isinstance(t, ember.nn.Parameter)

    assert seen["tensors"] == describe_tensors(checkpoint, ember.Tensor, unpack)
    assert seen["meta"] == (
        "{'dtype': torch.bfloat16, 'device': device(type='cpu'), 'size': torch.Size([1, 2]), "
        "'pair': (1, None), 'blob': b'\\x00'}"
    )

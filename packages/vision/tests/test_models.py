"""Models: state_dict keys/shapes/dtypes and parameter counts identical to torchvision's
(fixtures/model_manifest.json from tools/make_model_manifests.py), output shapes, and the
logits under the same deterministic weights; the weights API; get_model/list_models."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from model_cases import MODELS, SLOW_FORWARD, deterministic_state, model_input

import ember
from embervision import models
from embervision.models import (
    ResNet18_Weights,
    ResNet50_Weights,
    ViT_B_16_Weights,
    Weights,
    WeightsEnum,
    get_model,
    get_model_builder,
    get_model_weights,
    get_weight,
    list_models,
)

FIXTURES = Path(__file__).parent / "fixtures"
MANIFEST = json.loads((FIXTURES / "model_manifest.json").read_text())["models"]
LOGITS = np.load(FIXTURES / "model_logits.npz")
RUN_SLOW = os.environ.get("EMBERVISION_SLOW_TESTS") == "1"


@pytest.fixture
def no_init(monkeypatch):
    """Skip the random initialisation (seconds for VGG's 100M+ parameters): these tests
    check structure, then load deterministic weights over every parameter and buffer."""
    import ember.nn.init as init

    for fn in [n for n in dir(init) if n.endswith("_") and not n.startswith("_")]:
        monkeypatch.setattr(init, fn, lambda tensor, *args, **kwargs: tensor)


@pytest.mark.parametrize("name", list(MODELS))
def test_matches_torchvision(name, no_init):
    """Keys, shapes, dtypes and order of the state_dict; parameter count; then (but for the
    largest models, unless EMBERVISION_SLOW_TESTS=1) output shape and logits."""
    ref = MANIFEST[name]
    model = get_model(name).eval()
    sd = model.state_dict()
    got = [[k, list(v.shape), str(v.dtype).replace("ember.", "")] for k, v in sd.items()]
    assert [k for k, _, _ in got] == [k for k, _, _ in ref["keys"]]  # same keys, same order
    assert got == ref["keys"]
    assert sum(p.numel() for p in model.parameters()) == ref["num_params"]
    if name in SLOW_FORWARD and not RUN_SLOW:
        return
    shapes = {k: (s, d) for k, s, d in ref["keys"]}
    model.load_state_dict({k: ember.from_numpy(v)
                           for k, v in deterministic_state(shapes).items()})
    with ember.no_grad():
        out = model(ember.from_numpy(model_input(ref["input_size"])))
    assert list(out.shape) == ref["output_shape"]
    expected = LOGITS[name]
    scale = float(np.abs(expected).max())
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-3, atol=1e-4 * scale)


def test_forward_shapes_other_sizes_and_classes():
    x = ember.randn(2, 3, 96, 80)
    with ember.no_grad():
        assert models.resnet18(num_classes=7).eval()(x).shape == (2, 7)
        assert models.mobilenet_v3_small(num_classes=5).eval()(x).shape == (2, 5)
        assert models.efficientnet_b0().eval()(x).shape == (2, 1000)


def test_training_step_runs_backward():
    model = models.resnet18(num_classes=4)
    x = ember.randn(2, 3, 32, 32)
    loss = ember.nn.functional.cross_entropy(model(x), ember.tensor([1, 3]))
    loss.backward()
    assert model.conv1.weight.grad is not None and model.fc.bias.grad.shape == (4,)


def test_list_and_get_models():
    names = list_models()
    for required in ["alexnet", "vgg11", "vgg11_bn", "vgg19_bn", "resnet18", "resnet152",
                     "resnext50_32x4d", "wide_resnet50_2", "mobilenet_v2",
                     "mobilenet_v3_large", "efficientnet_b0", "vit_b_16", "lenet",
                     "efficientnet_lite0"]:
        assert required in names
    assert names == sorted(names)
    assert list_models(include="resnet*", exclude="resnet1*") == ["resnet34", "resnet50"]
    assert list_models(module=models) == names
    assert get_model_builder("ResNet18") is models.resnet18
    with pytest.raises(ValueError, match="Unknown model"):
        get_model("resnet9000")
    assert isinstance(get_model("resnet18", num_classes=3).fc, ember.nn.Linear)


def test_weights_enums():
    w = ResNet18_Weights.DEFAULT
    assert w is ResNet18_Weights.IMAGENET1K_V1 and isinstance(w.value, Weights)
    assert w.url == "https://download.pytorch.org/models/resnet18-f37072fd.pth"
    assert w.sha256 == "f37072fd"
    assert len(w.meta["categories"]) == 1000 and w.meta["categories"][0] == "tench"
    assert w.meta["num_params"] == MANIFEST["resnet18"]["num_params"]
    assert ResNet50_Weights.DEFAULT is ResNet50_Weights.IMAGENET1K_V2
    assert ResNet50_Weights.verify("IMAGENET1K_V1") is ResNet50_Weights.IMAGENET1K_V1
    assert ResNet50_Weights.verify("ResNet50_Weights.DEFAULT") is ResNet50_Weights.IMAGENET1K_V2
    assert get_weight("ResNet50_Weights.IMAGENET1K_V1") is ResNet50_Weights.IMAGENET1K_V1
    assert get_model_weights("resnet50") is ResNet50_Weights
    assert get_model_weights(models.vit_b_16) is ViT_B_16_Weights
    assert repr(w) == "ResNet18_Weights.IMAGENET1K_V1"
    with pytest.raises(TypeError, match="ResNet18_Weights"):
        models.resnet18(weights=ResNet50_Weights.DEFAULT)
    with pytest.raises(KeyError):
        models.resnet18(weights="NOPE")
    for name in list_models():
        enum = get_model_weights(name)
        assert issubclass(enum, WeightsEnum)
        for member in enum:
            assert member.meta["num_params"] > 0
            assert (member.url.startswith("https://") or "_loader" in member.meta)


def test_weights_transforms_preset():
    from PIL import Image

    preset = ResNet18_Weights.DEFAULT.transforms()
    img = Image.fromarray(np.random.default_rng(0).integers(0, 256, (300, 260, 3),
                                                            dtype=np.uint8))
    x = preset(img)
    assert x.shape == (3, 224, 224) and x.dtype == ember.float32
    assert "crop_size=[224]" in repr(preset) and "resize_size=[256]" in repr(preset)
    assert ResNet50_Weights.DEFAULT.transforms().resize_size == [232]


def test_pretrained_download_goes_through_the_hub_cache(tmp_path, monkeypatch):
    """weights= downloads with ember.hub (cache, hash check) and loads strictly."""
    import hashlib

    from http_server import FileServer

    import ember.hub

    model = models.resnet18()
    path = tmp_path / "w.pth"
    ember.save(model.state_dict(), path)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    ember.hub.set_dir(tmp_path / "hub")
    try:
        with FileServer() as server:
            server.files[f"/resnet18-{digest[:8]}.pth"] = data
            fake = Weights(url=f"{server.url}/resnet18-{digest[:8]}.pth",
                           transforms=ResNet18_Weights.DEFAULT.transforms,
                           meta=dict(ResNet18_Weights.DEFAULT.meta))
            monkeypatch.setattr(ResNet18_Weights.IMAGENET1K_V1, "_value_", fake)
            loaded = models.resnet18(weights="DEFAULT", progress=False)
            assert ember.equal(loaded.fc.weight, model.fc.weight)
            assert (tmp_path / "hub" / "checkpoints" / f"resnet18-{digest[:8]}.pth").exists()
            # a file whose hash does not match its name is rejected and not kept
            server.files["/resnet18-00000000.pth"] = data
            bad = Weights(url=f"{server.url}/resnet18-00000000.pth",
                          transforms=fake.transforms, meta=fake.meta)
            monkeypatch.setattr(ResNet18_Weights.IMAGENET1K_V1, "_value_", bad)
            with pytest.raises(RuntimeError, match="hash"):
                models.resnet18(weights="DEFAULT", progress=False)
            assert not (tmp_path / "hub" / "checkpoints" / "resnet18-00000000.pth").exists()
    finally:
        ember.hub._hub_dir = None


def test_legacy_pretrained_keyword():
    with pytest.warns(UserWarning, match="deprecated"):
        model = models.alexnet(pretrained=False)
    assert isinstance(model, models.AlexNet)

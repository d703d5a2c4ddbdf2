"""Models compared with torchvision (shared by tools/make_model_manifests.py, which runs
with torchvision, and test_models.py).

Each model is built by both libraries; the manifest records torchvision's state_dict keys,
shapes and dtypes, parameter count and output shape; :func:`deterministic_state` then fills
both models with the same weights (derived from each key's name), so the logits for one
fixed input can be compared too.
"""

from __future__ import annotations

import zlib

import numpy as np

# name -> input size (square); ViT needs its training resolution
MODELS = {
    "alexnet": 64, "vgg11": 64, "vgg11_bn": 64, "vgg13": 64, "vgg13_bn": 64, "vgg16": 64,
    "vgg16_bn": 64, "vgg19": 64, "vgg19_bn": 64, "resnet18": 64, "resnet34": 64,
    "resnet50": 64, "resnet101": 64, "resnet152": 64, "resnext50_32x4d": 64,
    "resnext101_32x8d": 64, "resnext101_64x4d": 64, "wide_resnet50_2": 64,
    "wide_resnet101_2": 64, "mobilenet_v2": 64, "mobilenet_v3_large": 64,
    "mobilenet_v3_small": 64, "efficientnet_b0": 64, "efficientnet_b1": 64,
    "efficientnet_v2_s": 64, "vit_b_16": 224, "vit_b_32": 224,
}
# the larger ones whose forward pass the default test run skips (keys are still checked)
SLOW_FORWARD = {"vgg16", "vgg16_bn", "vgg19", "vgg19_bn", "resnet152", "resnext101_32x8d",
                "resnext101_64x4d", "wide_resnet101_2", "vit_b_32"}


def deterministic_state(shapes: dict[str, tuple[list[int], str]]) -> dict[str, np.ndarray]:
    """Weights for keys -> (shape, dtype): variance-preserving (or shrinking) layers, so that
    rounding differences are not amplified from layer to layer."""
    out = {}
    for key, (shape, dtype) in shapes.items():
        rng = np.random.default_rng(zlib.crc32(key.encode()))
        name = key.rsplit(".", 1)[-1]
        if dtype.startswith("int"):
            out[key] = np.zeros(shape, dtype=np.int64)
        elif name == "running_var":
            out[key] = rng.uniform(0.8, 1.2, shape)
        elif name == "running_mean" or name == "bias":
            out[key] = rng.uniform(-0.1, 0.1, shape)
        elif len(shape) >= 2 and name in ("weight", "in_proj_weight"):
            fan_in = int(np.prod(shape[1:]))
            out[key] = rng.standard_normal(shape) / np.sqrt(fan_in)
        elif len(shape) == 1 and name == "weight":
            out[key] = rng.uniform(0.8, 1.2, shape)
        else:
            out[key] = rng.standard_normal(shape) * 0.02
        out[key] = np.asarray(out[key], dtype=np.int64 if dtype.startswith("int")
                              else np.float32)
    return out


def model_input(size: int) -> np.ndarray:
    return np.random.default_rng(0).standard_normal((1, 3, size, size)).astype(np.float32)

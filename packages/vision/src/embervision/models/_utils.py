"""Helpers of the model builders (torchvision.models._utils)."""

from __future__ import annotations

import functools
import warnings
from typing import Any

from ._api import WeightsEnum, _make_divisible, _ovewrite_named_param

__all__ = ["_make_divisible", "_ovewrite_named_param", "handle_legacy_interface"]


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

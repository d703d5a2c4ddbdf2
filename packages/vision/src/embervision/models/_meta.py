"""Category names of the pretrained weights' datasets."""

from ._weights_meta import _IMAGENET_CATEGORIES

__all__ = ["_IMAGENET_CATEGORIES"]

"""Shared pieces of the pretrained-weights metadata: ImageNet categories and presets."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache, partial
from importlib import resources


@cache
def imagenet_categories() -> tuple[str, ...]:
    """torchvision's 1,000 ImageNet-1k category names (``_imagenet_categories.txt``)."""
    text = (resources.files("embervision.models") / "_imagenet_categories.txt").read_text()
    return tuple(line for line in text.splitlines() if line)


class LazyNames(list):
    """A list of names that calls ``load()`` (a sequence of str) the first time it is looked at,
    so that importing the models reads no data file."""

    def __init__(self, load: Callable[[], Iterable[str]]):
        super().__init__()
        self._load_names = load
        self._loaded = False

    def _load(self):
        if not self._loaded:
            self._loaded = True
            self.extend(self._load_names())

    def __len__(self):
        self._load()
        return super().__len__()

    def __iter__(self):
        self._load()
        return super().__iter__()

    def __getitem__(self, i):
        self._load()
        return super().__getitem__(i)

    def __eq__(self, other):
        self._load()
        return list(self) == list(other)

    __hash__ = None

    def __repr__(self):
        self._load()
        return super().__repr__()


_IMAGENET_CATEGORIES = LazyNames(imagenet_categories)


def _image_classification(**kwargs):
    from ..transforms._presets import ImageClassification

    return ImageClassification(**kwargs)


def image_classification(**kwargs):
    """A constructor of the ``ImageClassification`` preset (imports transforms on first use)."""
    return partial(_image_classification, **kwargs)

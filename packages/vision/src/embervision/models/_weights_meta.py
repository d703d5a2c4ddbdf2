"""Shared pieces of the pretrained-weights metadata: ImageNet categories, presets and
``imagenet_weights`` (one ImageNet-1K ``Weights`` entry of a model family)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache, partial
from importlib import resources

from ._api import Weights


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


URL = "https://download.pytorch.org/models/"
RECIPE = "https://github.com/pytorch/vision/tree/main/references/classification"

# A ``_docs`` text several families share (kept verbatim, indentation included).
NEW_RECIPE_DOCS = """
                These weights improve upon the results of the original paper by using a modified version of TorchVision's
                `new training recipe
                <https://pytorch.org/blog/how-to-train-state-of-the-art-models-using-torchvision-latest-primitives/>`_.
            """  # noqa: E501


def imagenet_weights(file: str, transforms: Callable, num_params: int, acc1: float, acc5: float,
                     *, min_size: tuple[int, int], recipe: str, categories=_IMAGENET_CATEGORIES,
                     **extra):
    """The ``Weights`` of an ImageNet-1K classifier: ``file`` under torchvision's download URL
    (or a full URL), its ``transforms`` preset, ``num_params``, acc@1 and acc@5 on ImageNet-1K,
    ``min_size``, ``recipe``, ``categories`` (ImageNet's by default) and any further meta
    (``_ops``, ``_file_size``, ``_docs``, ``license``). A family binds what its entries share
    with ``functools.partial``."""
    url = file if "://" in file else URL + file
    meta = {"min_size": min_size, "categories": categories, "num_params": num_params,
            "recipe": recipe, "_metrics": {"ImageNet-1K": {"acc@1": acc1, "acc@5": acc5}},
            **extra}
    return Weights(url=url, transforms=transforms, meta=meta)

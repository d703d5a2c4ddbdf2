"""The weights API of torchvision: ``Weights``, ``WeightsEnum``, ``get_model``, ``list_models``."""

from __future__ import annotations

import fnmatch
import importlib
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from functools import partial
from inspect import signature
from typing import Any, get_args

__all__ = ["WeightsEnum", "Weights", "get_model", "get_model_builder", "get_model_weights",
           "get_weight", "list_models", "register_model"]


@dataclass
class Weights:
    """Pretrained weights: where they are (``url``), their preprocessing (``transforms``, a
    constructor), and ``meta`` (``categories``, ``num_params``, ...).

    ``sha256`` is the hash (or hash prefix) the downloaded file must match; by default the
    prefix torchvision puts in its file names (``resnet18-f37072fd.pth``).
    """

    url: str
    transforms: Callable
    meta: dict[str, Any]
    sha256: str | None = None

    def __post_init__(self):
        if self.sha256 is None and self.url:
            from ember.hub import HASH_REGEX

            match = HASH_REGEX.search(self.url.rsplit("/", 1)[-1])
            self.sha256 = match.group(1) if match else None

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, Weights):
            return NotImplemented
        if self.url != other.url or self.meta != other.meta:
            return False
        if isinstance(self.transforms, partial) and isinstance(other.transforms, partial):
            return (self.transforms.func == other.transforms.func
                    and self.transforms.args == other.transforms.args
                    and self.transforms.keywords == other.transforms.keywords)
        return self.transforms == other.transforms

    __hash__ = None


class WeightsEnum(Enum):
    """Parent of every model's weights enum; values are :class:`Weights`."""

    @classmethod
    def verify(cls, obj: Any) -> Any:
        if obj is not None:
            if type(obj) is str:
                obj = cls[obj.replace(cls.__name__ + ".", "")]
            elif not isinstance(obj, cls):
                raise TypeError(f"Invalid Weight class provided; expected {cls.__name__} but "
                                f"received {obj.__class__.__name__}.")
        return obj

    def get_state_dict(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Download (once, into ember.hub's cache, checking ``sha256``) and load the weights."""
        loader = self.value.meta.get("_loader")
        if loader is not None:
            return loader()
        from ember.hub import load_state_dict_from_url

        kwargs.setdefault("check_hash", bool(self.sha256))
        return load_state_dict_from_url(self.url, *args, **kwargs)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}.{self._name_}"

    @property
    def url(self):
        return self.value.url

    @property
    def transforms(self):
        return self.value.transforms

    @property
    def meta(self):
        return self.value.meta

    @property
    def sha256(self):
        return self.value.sha256


def get_weight(name: str) -> WeightsEnum:
    """The weights enum value named ``"ResNet50_Weights.IMAGENET1K_V1"``."""
    try:
        enum_name, value_name = name.split(".")
    except ValueError:
        raise ValueError(f"Invalid weight name provided: '{name}'.") from None
    base = importlib.import_module(sys.modules[__name__].__name__.rsplit(".", 1)[0])
    candidate = base.__dict__.get(enum_name)
    if not (isinstance(candidate, type) and issubclass(candidate, WeightsEnum)):
        raise ValueError(f"The weight enum '{enum_name}' for the specific method couldn't be "
                         "retrieved.")
    return candidate[value_name]


def get_model_weights(name: Callable | str) -> type[WeightsEnum]:
    """The weights enum class of a model builder (or of its registered name)."""
    model = get_model_builder(name) if isinstance(name, str) else name
    return _get_enum_from_fn(model)


def _get_enum_from_fn(fn: Callable) -> type[WeightsEnum]:
    sig = signature(fn)
    if "weights" not in sig.parameters:
        raise ValueError("The method is missing the 'weights' argument.")
    ann = sig.parameters["weights"].annotation
    if isinstance(ann, str):  # postponed annotations: "Optional[X]" or "X | None"
        module = sys.modules[fn.__module__]
        for token in ann.replace("Optional[", " ").replace("]", " ").replace("|", " ").split():
            obj = getattr(module, token, None)
            if isinstance(obj, type) and issubclass(obj, WeightsEnum):
                return obj
    elif isinstance(ann, type) and issubclass(ann, WeightsEnum):
        return ann
    else:
        for t in get_args(ann):
            if isinstance(t, type) and issubclass(t, WeightsEnum):
                return t
    raise ValueError("The WeightsEnum class for the specific method couldn't be retrieved. "
                     "Make sure the typing info is correct.")


BUILTIN_MODELS: dict[str, Callable] = {}


def register_model(name: str | None = None):
    def wrapper(fn):
        key = name if name is not None else fn.__name__
        if key in BUILTIN_MODELS:
            raise ValueError(f"An entry is already registered under the name '{key}'.")
        BUILTIN_MODELS[key] = fn
        return fn
    return wrapper


def list_models(module=None, include: Iterable[str] | str | None = None,
                exclude: Iterable[str] | str | None = None) -> list[str]:
    """Sorted names of the registered models, filtered with fnmatch patterns."""
    all_models = {k for k, v in BUILTIN_MODELS.items()
                  if module is None or v.__module__.rsplit(".", 1)[0] == module.__name__}
    if include:
        include = [include] if isinstance(include, str) else include
        models: set[str] = set()
        for pattern in include:
            models |= set(fnmatch.filter(all_models, pattern))
    else:
        models = all_models
    if exclude:
        exclude = [exclude] if isinstance(exclude, str) else exclude
        for pattern in exclude:
            models -= set(fnmatch.filter(all_models, pattern))
    return sorted(models)


def get_model_builder(name: str) -> Callable:
    name = name.lower()
    try:
        return BUILTIN_MODELS[name]
    except KeyError:
        raise ValueError(f"Unknown model {name}") from None


def get_model(name: str, **config: Any):
    """Build the registered model ``name`` (``get_model("resnet18", weights="DEFAULT")``)."""
    return get_model_builder(name)(**config)


def _ovewrite_named_param(kwargs: dict[str, Any], param: str, new_value) -> None:
    if param in kwargs:
        if kwargs[param] != new_value:
            raise ValueError(f"The parameter '{param}' expected value {new_value} but got "
                             f"{kwargs[param]} instead.")
    else:
        kwargs[param] = new_value


def _make_divisible(v: float, divisor: int, min_value: int | None = None) -> int:
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v

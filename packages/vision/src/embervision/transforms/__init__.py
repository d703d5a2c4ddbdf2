"""Image transforms with torchvision's API, on PIL images and on ember tensors."""

from .transforms import *  # noqa: F403, I001  (transforms first: autoaugment imports it)
from .autoaugment import *  # noqa: F403

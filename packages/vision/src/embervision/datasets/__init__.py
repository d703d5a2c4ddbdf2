"""Datasets with torchvision's API."""

from .mnist import MNIST, MNIST5K

__all__ = ["MNIST", "MNIST5K"]

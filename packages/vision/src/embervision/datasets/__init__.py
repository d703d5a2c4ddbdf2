"""Datasets with torchvision's API."""

from .cifar import CIFAR10, CIFAR100
from .fakedata import FakeData
from .folder import DatasetFolder, ImageFolder
from .mnist import EMNIST, KMNIST, MNIST, MNIST5K, FashionMNIST
from .svhn import SVHN
from .vision import StandardTransform, VisionDataset

__all__ = ["MNIST", "MNIST5K", "FashionMNIST", "KMNIST", "EMNIST", "CIFAR10", "CIFAR100",
           "SVHN", "ImageFolder", "DatasetFolder", "FakeData", "VisionDataset",
           "StandardTransform"]

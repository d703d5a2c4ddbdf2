"""ember-vision is installed and importable, with its data files."""

import importlib.metadata
import re
from importlib import resources


def test_package_imports_with_its_version():
    import embervision

    assert embervision.__version__ == "0.1.0"
    assert importlib.metadata.version("ember-vision") == embervision.__version__


def test_declares_its_dependencies():
    requires = importlib.metadata.requires("ember-vision") or []
    names = {re.match(r"[A-Za-z0-9._-]+", r).group().lower() for r in requires}
    assert {"ember-core", "pillow"} <= names


def test_subpackages_load_lazily_as_torchvision():
    import embervision as torchvision

    for name in ("datasets", "io", "models", "ops", "transforms", "utils"):
        assert getattr(torchvision, name).__name__ == f"embervision.{name}"
    assert torchvision.transforms.functional.hflip is not None


def test_bundled_files_are_package_data():
    root = resources.files("embervision")
    for path in ("datasets/_data/mnist5k/train-images-idx3-ubyte.gz",
                 "datasets/_data/mnist5k/README.md",
                 "models/_weights/lenet_mnist5k.pth",
                 "models/_imagenet_categories.txt",
                 "models/_data/timm/imagenet_synsets.txt",
                 "models/_data/timm/imagenet_synset_to_lemma.txt",
                 "models/_data/timm/LICENSE-timm.txt"):
        assert root.joinpath(path).is_file(), path

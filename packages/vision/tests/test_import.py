"""ember-vision is installed and importable."""

import importlib.metadata
import re


def test_package_imports_with_its_version():
    import embervision

    assert embervision.__version__ == "0.1.0"
    assert importlib.metadata.version("ember-vision") == embervision.__version__


def test_declares_its_dependencies():
    requires = importlib.metadata.requires("ember-vision") or []
    names = {re.match(r"[A-Za-z0-9._-]+", r).group().lower() for r in requires}
    assert {"ember-core", "pillow"} <= names

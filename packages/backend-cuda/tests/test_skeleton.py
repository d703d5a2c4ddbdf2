"""ember-backend-cuda is installed, and its entry point loads without CuPy."""

import importlib.metadata


def test_package_imports_with_its_version():
    import ember_cuda

    assert ember_cuda.__version__ == "0.1.0"
    assert importlib.metadata.version("ember-backend-cuda") == ember_cuda.__version__


def test_entry_point_is_registered_and_loads():
    eps = importlib.metadata.entry_points(group="ember.backends")
    (ep,) = [ep for ep in eps if ep.name == "cuda"]
    assert ep.value == "ember_cuda.plugin"
    plugin = ep.load()
    # A skeleton: the plugin implements no hooks, so it registers no backend.
    assert not hasattr(plugin, "ember_register_backends")
    assert not hasattr(plugin, "ember_register_kernels")

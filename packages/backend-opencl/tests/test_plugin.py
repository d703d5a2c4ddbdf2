"""The plugin: discovery, devices, the unavailable path, errors that name their cause."""

import importlib.metadata

import numpy as np
import pytest

import ember
import ember_opencl
from ember.backends.plugins import registry
from ember_opencl import runtime

AVAILABLE = ember_opencl.is_available()
needs_device = pytest.mark.skipif(not AVAILABLE, reason="no OpenCL device")


def test_package_version_and_entry_point():
    assert importlib.metadata.version("ember-backend-opencl") == ember_opencl.__version__
    eps = importlib.metadata.entry_points(group="ember.backends")
    (ep,) = [ep for ep in eps if ep.name == "opencl"]
    assert ep.value == "ember_opencl.plugin"
    assert hasattr(ep.load(), "ember_register_backends")
    assert registry.get("opencl").name == "opencl"


@needs_device
def test_devices_listing_and_device_objects():
    listed = ember_opencl.devices()
    assert listed and [i for i, _, _ in listed] == list(range(len(listed)))
    assert all(isinstance(p, str) and isinstance(n, str) for _, p, n in listed)
    t = ember.ones(3, device="opencl")
    assert t.device == ember.device("opencl", 0)
    assert str(ember.zeros(2, device=f"opencl:{len(listed) - 1}").device) == \
        f"opencl:{len(listed) - 1}"
    with pytest.raises(RuntimeError, match="out of range"):
        ember.zeros(2, device=f"opencl:{len(listed)}")


def test_no_platform_says_how_to_install_a_driver(monkeypatch):
    monkeypatch.setitem(runtime._state, "devices", [])
    monkeypatch.setitem(runtime._state, "error", "no OpenCL platform found (test)")
    backend = registry.get("opencl")
    monkeypatch.setattr(registry, "_devices", {})
    assert not backend.is_available()
    assert "pocl-opencl-icd" in backend.unavailable_reason()
    with pytest.raises(RuntimeError, match="pocl-opencl-icd"):
        ember.zeros(2).to("opencl")


def test_platform_choice_that_matches_nothing(monkeypatch):
    monkeypatch.setitem(runtime._state, "devices", None)
    monkeypatch.setitem(runtime._state, "platform", "no-such-platform-name")
    assert runtime.devices() == []
    assert "EMBER_OPENCL_PLATFORM" in runtime.unavailable_reason()
    monkeypatch.setitem(runtime._state, "devices", None)


@needs_device
def test_float64_and_float16():
    dev = runtime.device(0)
    x = ember.arange(4, dtype=ember.float16, device="opencl") / 3
    np.testing.assert_allclose(x.cpu().numpy(), np.arange(4, dtype="f2") / np.float16(3))
    if dev.fp64:
        assert (ember.ones(2, dtype=ember.float64, device="opencl") * 2).sum().item() == 4.0
    else:  # pragma: no cover - depends on the device
        with pytest.raises(TypeError, match="cl_khr_fp64"):
            ember.ones(2, dtype=ember.float64, device="opencl")


@needs_device
def test_float64_without_cl_khr_fp64_is_a_clear_type_error(monkeypatch):
    monkeypatch.setattr(runtime.device(0), "fp64", False)
    with pytest.raises(TypeError, match="cl_khr_fp64"):
        ember.ones(2, dtype=ember.float64, device="opencl")
    with pytest.raises(TypeError, match="cl_khr_fp64"):
        ember.ones(2, device="opencl").double()


@needs_device
def test_kernel_build_failure_names_op_and_log():
    from ember_opencl.codegen import Source

    src = Source()
    src.buffer("out", np.dtype("f4"))
    src("  out[0] = this_is_not_c;")
    with pytest.raises(runtime.KernelBuildError, match="(?s)op 'broken'.*this_is_not_c"):
        runtime.device(0).build([("broken", lambda: src)], "broken")


@needs_device
def test_two_devices_do_not_mix(monkeypatch):
    # a second canonical device over the same OpenCL device stands in for a second GPU
    a = ember.ones(2, device="opencl:0")
    other = ember.device("opencl", 0)
    fake = ember.device("opencl", 1)
    fake._backend, fake._k = a.device._backend, a.device._k
    monkeypatch.setitem(registry._devices, ("opencl", 1), fake)
    b = ember.ones(2, device="opencl:0")
    b._device = fake
    with pytest.raises(RuntimeError, match="same device"):
        a + b
    assert other == a.device

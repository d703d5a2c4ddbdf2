"""ember-backend-cuda on any machine: it imports, registers, and reports a missing GPU cleanly."""

import importlib.metadata

import pytest

import ember


def _gpu_present():
    return ember.cuda.is_available()


def test_entry_point_is_registered_and_loads():
    import ember_cuda

    eps = importlib.metadata.entry_points(group="ember.backends")
    (ep,) = [ep for ep in eps if ep.name == "cuda"]
    assert ep.value == "ember_cuda.plugin"
    assert hasattr(ep.load(), "ember_register_backends")
    assert importlib.metadata.version("ember-backend-cuda") == ember_cuda.__version__


def test_backend_is_registered_with_a_reason_when_unavailable():
    backend = ember.backends.registry.get("cuda")
    assert backend.name == "cuda"
    if backend.is_available():
        assert backend.device_count() >= 1
        assert backend.unavailable_reason() == ""
    else:
        assert backend.device_count() == 0
        assert backend.unavailable_reason()  # says why: no CuPy, no driver, no GPU


@pytest.mark.skipif(_gpu_present(), reason="checks the behaviour without a GPU")
def test_no_gpu_means_clean_errors_and_a_working_cpu():
    assert ember.cuda.is_available() is False
    assert ember.cuda.device_count() == 0
    assert "cuda" not in ember.backends.available()
    with pytest.raises(RuntimeError, match="no cuda device is available"):
        ember.ones(2, device="cuda")
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        ember.cuda.current_device()
    ember.cuda.empty_cache()  # harmless without a GPU, as in PyTorch
    assert (ember.ones(2) + 1).tolist() == [2.0, 2.0]

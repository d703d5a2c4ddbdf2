"""pytest plugin of the conformance suite: ``--device NAME`` and the ``device`` fixture.

Loaded wherever ember-core is installed (entry point ``pytest11: ember_conformance``), so
it must stay cheap and must not touch a backend until a test asks for one.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("ember", "ember backend conformance")
    group.addoption("--device", action="store", default="cpu", metavar="NAME",
                    help="the ember device the tests run on (default: cpu), e.g. cuda, opencl")


def _device_name(config) -> str:
    return config.getoption("--device")


@pytest.fixture(scope="session")
def device(pytestconfig):
    """The device under test, as a string (``"cpu"``, ``"cuda:0"``, ...)."""
    import ember

    name = _device_name(pytestconfig)
    try:
        ember.backends.registry.canonical(name)
    except (RuntimeError, ValueError) as exc:
        pytest.exit(f"--device {name}: {exc}", returncode=4)
    return name


@pytest.fixture(scope="session")
def backend(device):
    """The ``ember.backends.Backend`` object of the device under test."""
    import ember

    return ember.backends.registry.canonical(device)._backend


@pytest.fixture(scope="session")
def kernels(device):
    """The kernel table of the device under test."""
    import ember

    return ember.backends.registry.canonical(device)._k


@pytest.fixture
def fake_device():
    """A second device type, ``fake``, registered in-process for one test (NumPy kernels)."""
    from .fake import FakeBackend, registered

    with registered(FakeBackend()) as name:
        yield name

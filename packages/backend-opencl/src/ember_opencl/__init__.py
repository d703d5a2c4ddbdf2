"""ember's OpenCL backend: the ``opencl`` device on any OpenCL 1.2+ platform (AMD, Intel,
Apple, NVIDIA GPUs; PoCL on CPUs), on PyOpenCL.

``devices()`` lists what ``opencl:N`` means on this machine; ``set_platform()`` (or the
environment variable ``EMBER_OPENCL_PLATFORM``) restricts the devices to one platform.
"""

from __future__ import annotations

__version__ = "0.1.0"


def devices() -> list[tuple[int, str, str]]:
    """(index, platform name, device name) of each ``opencl:index`` device."""
    from . import runtime

    return [(d.index, d.platform, d.name) for d in runtime.devices()]


def set_platform(platform) -> None:
    """Use only the devices of one OpenCL platform: its index or part of its name.

    Call it before the first OpenCL tensor is made (None: every platform).
    """
    from . import runtime

    runtime.set_platform(platform)
    try:
        from ember.backends.plugins import registry
    except ImportError:  # pragma: no cover
        return
    registry._devices = {k: d for k, d in registry._devices.items() if k[0] != "opencl"}


def is_available() -> bool:
    from . import runtime

    return bool(runtime.devices())


def unavailable_reason() -> str:
    from . import runtime

    return runtime.unavailable_reason()


__all__ = ["devices", "set_platform", "is_available", "unavailable_reason", "__version__"]

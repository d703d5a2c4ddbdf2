"""pluggy entry point (``ember.backends``: ``opencl``) registering the OpenCL backend.

The backend registers even when no OpenCL platform or device is present; it then reports
``is_available() == False`` and ``unavailable_reason()`` says how to install a driver.
"""

from ember.backends import hookimpl


@hookimpl
def ember_register_backends(registry):
    from .backend import OpenCLBackend

    registry.register(OpenCLBackend())

"""ember's `opencl` backend plugin: not implemented yet.

This module is the `ember.backends` entry point of ember-backend-opencl. It defines
no hook implementations, so it registers nothing, and it imports nothing beyond the
standard library, so it loads on machines without PyOpenCL or an OpenCL runtime.
"""

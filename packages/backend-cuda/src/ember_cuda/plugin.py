"""ember's `cuda` backend plugin: not implemented yet.

This module is the `ember.backends` entry point of ember-backend-cuda. It defines
no hook implementations, so it registers nothing, and it imports nothing beyond the
standard library, so it loads on machines without CuPy or a GPU.
"""

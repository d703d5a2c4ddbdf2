"""The backend conformance suite: the same tests against any installed ember backend.

Run it against a backend with one command::

    pytest --pyargs ember.testing.conformance --device NAME

The pytest plugin (``ember.testing.conformance.plugin``, registered through the
``pytest11`` entry point) adds ``--device`` and the ``device`` fixture. The tests check
every op of ``ember.backends.base.OPS`` through the kernel table (and, for optional ops,
through core's decomposition) and through the public Tensor API, against NumPy for values
and ``ember.autograd.gradcheck`` for gradients.
"""

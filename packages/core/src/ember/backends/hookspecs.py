"""pluggy hook specifications for ember backend plugins (entry-point group ``ember.backends``)."""

import pluggy

hookspec = pluggy.HookspecMarker("ember")
hookimpl = pluggy.HookimplMarker("ember")


@hookspec
def ember_register_backends(registry):
    """Add this plugin's ``Backend`` objects with ``registry.register(backend)``."""


@hookspec
def ember_register_kernels(registry):
    """Add or replace kernels on installed backends with ``registry.override(name, op, fn)``."""

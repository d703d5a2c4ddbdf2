"""Which public-API tests exercise which op of ``ember.backends.base.OPS``.

The op table of ``op_specs`` names the kernels each public op runs; other tests declare
theirs with the ``@covers(...)`` decorator. ``test_coverage.py`` fails when an op of the
op list has no kernel spec or no public-API test, so an op cannot be added untested.
"""

from __future__ import annotations

from collections import defaultdict

PUBLIC: dict[str, set[str]] = defaultdict(set)


def covers(*ops):
    """Record that the decorated test exercises ``ops`` through the public API."""
    def mark(test):
        for name in ops:
            PUBLIC[name].add(f"{test.__module__}.{test.__qualname__}")
        return test
    return mark

"""Every op of the op list has a kernel spec and a public-API test (nothing untested)."""

from __future__ import annotations

import importlib
import pkgutil

from ember.backends.base import OPS

from . import coverage, op_specs
from .kernel_specs import SPECS


def test_every_op_has_a_kernel_spec():
    missing = sorted(set(OPS) - set(SPECS))
    assert not missing, f"ops without a kernel spec in kernel_specs.py: {missing}"
    unknown = sorted(set(SPECS) - set(OPS))
    assert not unknown, f"kernel specs of ops not in the op list: {unknown}"


def _public_coverage():
    package = importlib.import_module(__package__)
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("test_"):
            importlib.import_module(f"{__package__}.{info.name}")
    found = {name: set(tests) for name, tests in coverage.PUBLIC.items()}
    for info in op_specs.OPS:
        for name in info.kernels:
            found.setdefault(name, set()).add(f"op_specs:{info.name}")
    return found


def test_every_op_is_exercised_through_the_public_api():
    found = _public_coverage()
    missing = sorted(name for name in OPS if not found.get(name))
    assert not missing, (f"ops of the op list no public-API test exercises (add an OpInfo in "
                         f"op_specs.py or mark a test with @covers): {missing}")
    unknown = sorted(set(found) - set(OPS))
    assert not unknown, f"coverage claimed for ops not in the op list: {unknown}"


def test_kernel_specs_cover_each_dtype_group():
    for name, spec in SPECS.items():
        assert spec.dtypes, f"{name}: no dtypes"
        assert spec.check is not None or (spec.cases is not None and spec.ref is not None), name

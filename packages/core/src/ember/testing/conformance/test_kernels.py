"""Every op of the op list through the kernel table, and optional ops through core's
decomposition bound to the same table, against NumPy references (see ``kernel_specs``)."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest

from ember.backends import decompositions
from ember.backends.base import OPS

from ._harness import LAYOUTS, Context, native_layout_differs, upcast
from .kernel_specs import EXACT, SPECS


def _params():
    for name, op in OPS.items():
        spec = SPECS.get(name)
        if spec is None:
            continue  # test_coverage.py reports the op
        impls = ("kernel",) if op.required else ("kernel", "decomposition")
        for impl in impls:
            for d in spec.dtypes:
                yield pytest.param(name, impl, d, id=f"{name}-{impl}-{d.name}")


@pytest.fixture(scope="module")
def ctx(backend, device):
    import ember

    dev = ember.backends.registry.canonical(device)
    return Context(backend, dev._k, dev.index)


def _impl(ctx, name, impl):
    if impl == "kernel":
        return getattr(ctx.k, name)
    return functools.partial(getattr(decompositions, name), ctx.k)


def _expected_dtypes(spec, d, expected):
    target = spec.out_dtype(d) if spec.out_dtype is not None else d
    if target == EXACT:
        return expected
    if isinstance(expected, tuple):
        targets = target if isinstance(target, tuple) else (target,) * len(expected)
        return tuple(None if e is None else np.asarray(e).astype(t.numpy)
                     for e, t in zip(expected, targets, strict=True))
    return np.asarray(expected).astype(target.numpy)


def _reference(spec, d, case):
    args = [upcast(a.array.copy() if hasattr(a, "small") else a) if not isinstance(a, list)
            else [upcast(x) for x in a] for a in case.args]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy: "Mean of empty slice"
        expected = spec.ref(*args, **case.kwargs)
    return _expected_dtypes(spec, d, expected)


@pytest.mark.parametrize("name, impl, dtype", list(_params()))
def test_kernel(ctx, name, impl, dtype):
    spec = SPECS[name]
    fn = _impl(ctx, name, impl)
    if spec.check is not None:
        with np.errstate(all="ignore"):
            assert spec.check(ctx, fn, dtype) >= 1
        return
    rng = ctx.rng(name, dtype.name)
    tol = spec.tol.get(dtype, (None, None))
    checked = 0
    for i, case in enumerate(spec.cases(dtype, rng)):
        expected = _reference(spec, dtype, case)
        arrays = [a for a in case.args if isinstance(a, np.ndarray)]
        layouts = [lay for lay in LAYOUTS if lay == "contiguous" or (
            case.layouts and any(native_layout_differs(a, lay) for a in arrays))]
        for layout in layouts:
            what = f"{name} ({impl}, {dtype}) case {i} {case.desc} [{layout}] args={_brief(case)}"
            args = [ctx.convert(a, layout) for a in case.args]
            with np.errstate(all="ignore"):
                result = fn(*args, **case.kwargs)
            if case.mutates is not None:
                ctx.compare(args[case.mutates], expected, what, *tol)
            else:
                ctx.compare(result, expected, what, *tol)
                if spec.view_of is not None and np.asarray(case.args[spec.view_of]).size \
                        and layout in spec.view_layouts:
                    _check_view(ctx, spec, case, args, result, what)
            checked += 1
            if spec.out_kw and layout == "contiguous":
                out = ctx.native(np.zeros(np.shape(expected), np.asarray(expected).dtype))
                with np.errstate(all="ignore"):
                    fn(*args, **case.kwargs, out=out)
                ctx.compare(out, expected, what + " with out=", *tol)
                checked += 1
    assert checked


def _check_view(ctx, spec, case, args, result, what):
    """The result is a view: a write into the input shows through it."""
    base = args[spec.view_of]
    first = np.asarray(case.args[spec.view_of]).reshape(-1)[0]
    new = np.logical_not(first) if first.dtype == np.bool_ else first + 1
    ctx.write_first(base, new.item() if hasattr(new, "item") else new)
    written = ctx.numpy(base)
    expected = spec.ref(written, *case.args[spec.view_of + 1:], **case.kwargs)
    ctx.compare(result, np.asarray(expected), what + " does not share memory with its input")


def _brief(case):
    def one(a):
        if isinstance(a, np.ndarray):
            return f"array{a.shape}"
        if hasattr(a, "small"):
            return f"expanded{a.small.shape}->{a.shape}"
        if isinstance(a, list):
            return "[" + ", ".join(one(x) for x in a) + "]"
        if isinstance(a, tuple):
            return "(" + ", ".join(one(x) for x in a) + ")"
        return repr(a)
    return ", ".join(one(a) for a in case.args)

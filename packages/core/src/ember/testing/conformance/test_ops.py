"""The public API of every op in ``op_specs``: function, Tensor method, operator, in-place
variant and ``out=`` against NumPy, on contiguous, non-contiguous and expanded inputs, with
gradients checked by ``gradcheck`` in float64."""

from __future__ import annotations

import operator
import warnings

import numpy as np
import pytest

import ember
from ember.testing import assert_close

from ._harness import Expanded, rng_for, upcast
from .op_specs import OPS

_BY_NAME = {info.name: info for info in OPS}


def _params(filter_=None):
    for info in OPS:
        if filter_ is not None and not filter_(info):
            continue
        for d in info.dtypes:
            yield pytest.param(info.name, d, id=f"{info.name}-{d.name}")


# -- converting samples ----------------------------------------------------------------------
def _tensor(a, device, layout="contiguous", requires_grad=False):
    if isinstance(a, Expanded):
        return ember.tensor(a.small, device=device).expand(a.shape)
    if layout == "noncontiguous" and a.ndim >= 2 and a.size:
        rev = tuple(reversed(range(a.ndim)))
        t = ember.tensor(np.ascontiguousarray(a.transpose(rev)), device=device).permute(rev)
    elif layout == "noncontiguous" and a.ndim == 1 and a.size > 1:
        big = np.zeros(2 * a.shape[0], a.dtype)
        big[::2] = a
        t = ember.tensor(big, device=device)[::2]
    else:
        t = ember.tensor(a, device=device)
    if requires_grad:
        t = t.detach().requires_grad_()
    return t


def _to_ember(a, device, layout="contiguous"):
    if isinstance(a, (np.ndarray, Expanded)):
        return _tensor(a, device, layout)
    if isinstance(a, list) and a and isinstance(a[0], np.ndarray):
        return [_tensor(x, device, layout) for x in a]
    return a


def _to_ref(a):
    if isinstance(a, Expanded):
        return upcast(np.array(a.array))
    if isinstance(a, np.ndarray):
        return upcast(a)
    if isinstance(a, list) and a and isinstance(a[0], np.ndarray):
        return [upcast(x) for x in a]
    return a


def _expected(info, d, sample):
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = info.ref(*[_to_ref(a) for a in sample.args], **sample.kwargs)
    target = info.result(d) if info.result is not None else d
    return _cast(out, target)


def _cast(out, target):
    if isinstance(out, (tuple, list)):
        targets = target if isinstance(target, tuple) else (target,) * len(out)
        return tuple(_cast(o, t) for o, t in zip(out, targets, strict=True))
    return np.asarray(out).astype(target.numpy)


def _compare(actual, expected, what, tol):
    if isinstance(expected, tuple):
        assert isinstance(actual, (tuple, list)), f"{what}: expected a tuple, got " \
                                                  f"{type(actual).__name__}"
        assert len(actual) == len(expected), f"{what}: {len(actual)} results, expected " \
                                             f"{len(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            _compare(a, e, f"{what} [{i}]", tol)
        return
    assert isinstance(actual, ember.Tensor), f"{what}: got {type(actual).__name__}"
    expected_t = ember.tensor(expected, device=actual.device)
    rtol, atol = tol
    assert_close(actual, expected_t, rtol=rtol, atol=atol, equal_nan=True,
                 msg=lambda m: f"{what}:\n{m}\nactual:\n{actual}\nexpected:\n{expected_t}")


def _tol(info, d):
    return info.tol.get(d, (None, None))


def _run(fn, *args, **kwargs):
    with np.errstate(all="ignore"):
        return fn(*args, **kwargs)


# -- values ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, dtype", list(_params()))
def test_values(name, dtype, device):
    """The function, its Tensor method and its operator agree with NumPy."""
    info = _BY_NAME[name]
    rng = rng_for("ops", name, dtype.name)
    tol = _tol(info, dtype)
    for i, sample in enumerate(info.samples(dtype, rng)):
        expected = _expected(info, dtype, sample)
        what = f"ember.{name} ({dtype}) sample {i} {sample.desc}"
        for layout in ("contiguous", "noncontiguous")[:2 if info.noncontiguous else 1]:
            args = [_to_ember(a, device, layout) for a in sample.args]
            _compare(_run(info.fn, *args, **sample.kwargs), expected, f"{what} [{layout}]", tol)
            if info.method is not None and isinstance(args[0], ember.Tensor):
                result = _run(getattr(args[0], info.method), *args[1:], **sample.kwargs)
                _compare(result, expected, f"{what} Tensor.{info.method} [{layout}]", tol)
            if info.operator is not None and not sample.kwargs and len(args) == 2:
                _compare(_run(info.operator, *args), expected,
                         f"{what} operator {info.operator.__name__} [{layout}]", tol)


# -- out= ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, dtype", list(_params(lambda info: info.out)))
def test_out(name, dtype, device):
    """``out=`` receives the result (also when it starts empty and must be resized)."""
    info = _BY_NAME[name]
    rng = rng_for("ops-out", name, dtype.name)
    samples = info.samples(dtype, rng)
    for i, sample in enumerate(samples[:4]):
        expected = _expected(info, dtype, sample)
        target = ember.tensor(expected, device=device).dtype
        args = [_to_ember(a, device) for a in sample.args]
        for start in (expected.shape, (0,)):
            out = ember.empty(start, dtype=target, device=device)
            returned = _run(info.fn, *args, **sample.kwargs, out=out)
            assert returned is out, f"ember.{name}(out=) must return out"
            _compare(out, expected, f"ember.{name}({dtype}, out=) sample {i} from {start}",
                     _tol(info, dtype))


# -- in-place ------------------------------------------------------------------------------------
_IOPS = {"add": operator.iadd, "sub": operator.isub, "mul": operator.imul,
         "div": operator.itruediv, "floor_divide": operator.ifloordiv, "remainder": operator.imod,
         "pow": operator.ipow, "bitwise_and": operator.iand, "bitwise_or": operator.ior,
         "bitwise_xor": operator.ixor}


def _can_cast(src, dst):
    """PyTorch's canCast: no floating -> integral, no non-bool -> bool."""
    if src.kind == "f" or src == np.dtype("V2") or src.name == "bfloat16":
        return dst.kind == "f" or dst.name == "bfloat16"
    if dst == np.bool_:
        return src == np.bool_
    return True


@pytest.mark.parametrize("name, dtype", list(_params(lambda info: info.inplace)))
def test_inplace(name, dtype, device):
    """``x.op_(...)`` (and ``x op= y``) writes the out-of-place result into x and returns x."""
    info = _BY_NAME[name]
    rng = rng_for("ops-inplace", name, dtype.name)
    checked = 0
    for i, sample in enumerate(info.samples(dtype, rng)):
        expected = _expected(info, dtype, sample)
        first = sample.args[0]
        if not isinstance(first, np.ndarray) or expected.shape != first.shape:
            continue
        overlapping = first.size > 0 and any(s == 0 and n > 1 for s, n in
                                             zip(first.strides, first.shape))
        if overlapping or not _can_cast(expected.dtype, first.dtype):
            # e.g. int.exp_(): float won't fit; an expanded x: PyTorch refuses the write first
            x = _to_ember(first, device)
            args = [_to_ember(a, device) for a in sample.args[1:]]
            match = ("more than one element of the written-to tensor" if overlapping
                     else "can't be cast to the desired output")
            with pytest.raises(RuntimeError, match=match):
                _run(getattr(x, info.inplace), *args, **sample.kwargs)
            checked += 1
            continue
        expected = expected.astype(first.dtype)  # e.g. int.logical_not_() stores 0 and 1
        for layout in ("contiguous", "noncontiguous"):
            args = [_to_ember(a, device, layout) for a in sample.args]
            x = args[0]
            returned = _run(getattr(x, info.inplace), *args[1:], **sample.kwargs)
            what = f"Tensor.{info.inplace} ({dtype}) sample {i} {sample.desc} [{layout}]"
            assert returned is x, f"{what} must return self"
            _compare(x, expected, what, _tol(info, dtype))
            iop = _IOPS.get(name)
            if iop is not None and not sample.kwargs:
                y = _to_ember(first, device, layout)
                result = _run(iop, y, *args[1:])
                assert result is y, f"{iop.__name__} must work in place"
                _compare(y, expected, f"{iop.__name__} ({dtype}) sample {i}", _tol(info, dtype))
            checked += 1
    assert checked, f"no sample of {name} could run in place"


def test_inplace_views_write_through(device):
    base = ember.zeros(3, 4, device=device)
    base[1].add_(2)
    base[:, 2].mul_(3).add_(1)
    base.t()[0].fill_(5)
    expected = np.zeros((3, 4), np.float32)
    expected[1] += 2
    expected[:, 2] = expected[:, 2] * 3 + 1
    expected[:, 0] = 5
    assert_close(base, ember.tensor(expected, device=device))


# -- gradients -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", [info.name for info in OPS if info.grad])
def test_gradcheck(name, device):
    """float64 gradients of every differentiable op against finite differences."""
    info = _BY_NAME[name]
    rng = rng_for("ops-grad", name)
    samples = info.grad_samples(rng)
    assert samples
    for i, sample in enumerate(samples):
        leaves, args = _grad_args(sample.args, device)
        if not leaves:
            continue

        def fn(*ts, args=args, sample=sample):
            it = iter(ts)
            real = [[next(it) if x is None else x for x in a] if isinstance(a, list)
                    else next(it) if a is None else a for a in args]
            return info.fn(*real, **sample.kwargs)

        try:
            assert ember.autograd.gradcheck(fn, leaves)
        except Exception as exc:
            raise AssertionError(f"gradcheck of ember.{name} sample {i} {sample.desc} "
                                 f"{[tuple(t.shape) for t in leaves]} {sample.kwargs}: "
                                 f"{exc}") from exc


def _grad_args(sample_args, device):
    """Float arrays become leaves requiring grad (placeholders None in args); others tensors."""
    leaves, args = [], []
    for a in sample_args:
        if isinstance(a, list) and a and isinstance(a[0], np.ndarray):
            row = []
            for x in a:
                leaves.append(_tensor(x, device, requires_grad=True))
                row.append(None)
            args.append(row)
        elif isinstance(a, (np.ndarray, Expanded)) and np.asarray(
                a.small if isinstance(a, Expanded) else a).dtype.kind == "f":
            leaves.append(_tensor(a, device, requires_grad=True))
            args.append(None)
        else:
            args.append(_to_ember(a, device))
    return leaves, args

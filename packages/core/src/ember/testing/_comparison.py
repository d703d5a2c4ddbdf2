"""``assert_close``: PyTorch's ``torch.testing.assert_close`` for ember tensors.

Inputs are compared in pairs: two tensors, two NumPy arrays, two Python scalars, or two
sequences / mappings of those (compared item by item). A tensor is not compared with a
NumPy array or a list, as in PyTorch: wrap the expected value with ``ember.tensor`` first.
Values are compared as ``|actual - expected| <= atol + rtol * |expected|`` with PyTorch's
default tolerances for the dtype (exact for integers and bool); the AssertionError says how
many elements differ and where the greatest absolute and relative differences are.
"""

from __future__ import annotations

import collections.abc
import numbers

import numpy as np

from .. import _dtype
from .._tensor import Tensor

# dtype -> (rtol, atol), as torch.testing._comparison.default_tolerances
_TOLERANCES = {
    _dtype.float16: (1e-3, 1e-5),
    _dtype.bfloat16: (1.6e-2, 1e-5),
    _dtype.float32: (1.3e-6, 1e-5),
    _dtype.float64: (1e-7, 1e-7),
}


def default_tolerances(*dtypes) -> tuple[float, float]:
    """The largest default (rtol, atol) over ``dtypes`` (0, 0 for integers and bool)."""
    rtols, atols = zip(*(_TOLERANCES.get(d, (0.0, 0.0)) for d in dtypes), strict=True)
    return max(rtols), max(atols)


class _Unsupported(TypeError):
    pass


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, msg=None):
    """Assert that ``actual`` and ``expected`` are close (``torch.testing.assert_close``)."""
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         f"no {'rtol' if rtol is None else 'atol'}.")
    options = dict(rtol=rtol, atol=atol, equal_nan=equal_nan, check_device=check_device,
                   check_dtype=check_dtype, check_stride=check_stride, msg=msg)
    _compare(actual, expected, (), options)


def _compare(actual, expected, path, options):
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            _fail(f"The length of the sequences mismatch: {len(actual)} != {len(expected)}",
                  path, options, AssertionError)
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            _compare(a, e, path + (i,), options)
        return
    if isinstance(actual, collections.abc.Mapping) and isinstance(expected,
                                                                  collections.abc.Mapping):
        keys_a, keys_e = set(actual), set(expected)
        if keys_a != keys_e:
            missing, extra = sorted(map(repr, keys_e - keys_a)), sorted(map(repr, keys_a - keys_e))
            _fail(f"The keys of the mappings do not match:\nMissing keys in the actual mapping: "
                  f"{', '.join(missing)}\nExtra keys in the actual mapping: {', '.join(extra)}",
                  path, options, AssertionError)
        for key in expected:
            _compare(actual[key], expected[key], path + (key,), options)
        return
    if actual is None and expected is None:
        return
    kind_a, kind_e = _kind(actual), _kind(expected)
    if kind_a is None or kind_e is None or kind_a != kind_e:
        raise TypeError(f"No comparison pair was able to handle inputs of type {type(actual)} "
                        f"and {type(expected)}.")
    if kind_a == "scalar":
        _compare_scalars(actual, expected, path, options)
    else:
        _compare_arrays(actual, expected, path, options)


def _is_sequence(x):
    return (isinstance(x, collections.abc.Sequence) and not isinstance(x, (str, bytes))
            and not isinstance(x, Tensor))


def _kind(x):
    if isinstance(x, Tensor):
        return "tensor"
    if isinstance(x, np.ndarray):
        return "ndarray"
    if isinstance(x, (numbers.Number, np.generic)) and not isinstance(x, np.ndarray):
        return "scalar"
    return None


def _fail(text, path, options, exc_type=AssertionError):
    msg = options["msg"]
    if callable(msg):
        text = msg(text)
    elif msg is not None:
        text = msg
    if path and not (msg is not None and not callable(msg)):
        text += f"\n\nThe failure occurred for item {''.join(f'[{p!r}]' for p in path)}"
    raise exc_type(text)


# -- scalars ---------------------------------------------------------------------------
def _scalar_dtype(x):
    if isinstance(x, (bool, np.bool_)):
        return _dtype.bool
    if isinstance(x, numbers.Integral):
        return _dtype.int64
    if isinstance(x, numbers.Real):
        return _dtype.float64
    raise TypeError(f"No comparison pair was able to handle inputs of type {type(x)}.")


def _compare_scalars(actual, expected, path, options):
    a, e = _py(actual), _py(expected)
    da, de = _scalar_dtype(a), _scalar_dtype(e)
    if options["check_dtype"] and type(a) is not type(e):
        _fail(f"The (d)types do not match: {type(a)} != {type(e)}.", path, options)
    rtol, atol = _tolerances(options, da, de)
    if _isclose_scalar(a, e, rtol, atol, options["equal_nan"]):
        return
    _fail(_scalar_mismatch(a, e, rtol, atol), path, options)


def _scalar_mismatch(a, e, rtol, atol):
    abs_diff = abs(a - e)
    rel_diff = float("inf") if e == 0 else abs_diff / abs(e)
    return _mismatch("Scalars", f"Expected {e} but got {a}.", abs_diff, None, atol, rel_diff,
                     None, rtol)


def _py(x):
    return x.item() if isinstance(x, np.generic) else x


def _isclose_scalar(a, e, rtol, atol, equal_nan):
    if a == e:
        return True
    if isinstance(a, float) or isinstance(e, float):
        if a != a or e != e:
            return equal_nan and a != a and e != e
        if abs(a) == float("inf") or abs(e) == float("inf"):
            return False
    return abs(a - e) <= atol + rtol * abs(e)


def _tolerances(options, *dtypes):
    if options["rtol"] is not None:
        return options["rtol"], options["atol"]
    return default_tolerances(*dtypes)


# -- tensors and arrays ------------------------------------------------------------------
def _meta(x):
    """(shape, ember dtype, device or None, strides in elements, host array)."""
    if isinstance(x, Tensor):
        host = np.asarray(x._device._backend.to_host(x._data))
        return tuple(x.shape), x.dtype, x.device, x.stride(), host
    dtype = _dtype.from_numpy_dtype(x.dtype)
    strides = tuple(s // x.itemsize for s in x.strides) if x.itemsize else x.strides
    return x.shape, dtype, None, strides, x


def _compare_arrays(actual, expected, path, options):
    shape_a, dtype_a, dev_a, stride_a, host_a = _meta(actual)
    shape_e, dtype_e, dev_e, stride_e, host_e = _meta(expected)
    shape_type = _size_repr if isinstance(actual, Tensor) else repr
    if shape_a != shape_e:
        _fail(f"The values for attribute 'shape' do not match: {shape_type(shape_a)} != "
              f"{shape_type(shape_e)}.", path, options)
    if options["check_device"] and dev_a is not None and dev_a != dev_e:
        _fail(f"The values for attribute 'device' do not match: {dev_a} != {dev_e}.", path,
              options)
    if options["check_dtype"] and dtype_a is not dtype_e:
        _fail(f"The values for attribute 'dtype' do not match: {dtype_a} != {dtype_e}.", path,
              options)
    if options["check_stride"] and stride_a != stride_e:
        _fail(f"The values for attribute 'stride()' do not match: {stride_a} != {stride_e}.",
              path, options)
    rtol, atol = _tolerances(options, dtype_a, dtype_e)
    common = _dtype.promote_types(dtype_a, dtype_e)
    a = host_a.astype(common.numpy, copy=False)
    e = host_e.astype(common.numpy, copy=False)
    matches = _isclose(a, e, rtol, atol, options["equal_nan"])
    if matches.all():
        return
    if not shape_a:
        _fail(_scalar_mismatch(_item(a), _item(e), rtol, atol), path, options)
    _fail(_tensor_mismatch(a, e, matches, rtol, atol, common), path, options)


def _item(x):
    return float(x) if x.dtype == _dtype.bfloat16.numpy else x.item()


def _size_repr(shape):
    from .._tensor import Size

    return repr(Size(shape))


def _isclose(a, e, rtol, atol, equal_nan):
    if a.dtype.kind in "biu" or (rtol == 0 and atol == 0):
        out = a == e
        if equal_nan and a.dtype.kind not in "biu":
            out |= np.isnan(a) & np.isnan(e)
        return out
    a64, e64 = a.astype(np.float64), e.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        out = a64 == e64
        finite = np.isfinite(a64) & np.isfinite(e64)
        out |= finite & (np.abs(a64 - e64) <= atol + rtol * np.abs(e64))
    if equal_nan:
        out |= np.isnan(a64) & np.isnan(e64)
    return out


def _tensor_mismatch(a, e, matches, rtol, atol, dtype):
    total = matches.size
    bad = total - int(matches.sum())
    extra = f"Mismatched elements: {bad} / {total} ({bad / total:.1%})"
    flat_a, flat_e, flat_m = a.reshape(-1), e.reshape(-1), matches.reshape(-1)
    if dtype._kind != 2:  # PyTorch upcasts integers to int64 and divides in float32
        flat_a, flat_e = flat_a.astype(np.int64), flat_e.astype(np.int64)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        abs_diff = np.abs(flat_a - flat_e)
        abs_diff[flat_m] = 0
        if dtype._kind != 2:
            rel_diff = abs_diff.astype(np.float32) / np.abs(flat_e).astype(np.float32)
        else:
            rel_diff = abs_diff / np.abs(flat_e)
        rel_diff[flat_m] = 0
    i_abs, i_rel = _argmax_nan(abs_diff), _argmax_nan(rel_diff)
    shape = matches.shape
    return _mismatch("Tensor-likes", extra, abs_diff[i_abs].item() if dtype is not
                     _dtype.bfloat16 else float(abs_diff[i_abs]),
                     tuple(int(i) for i in np.unravel_index(i_abs, shape)), atol,
                     float(rel_diff[i_rel]), tuple(int(i) for i in np.unravel_index(i_rel, shape)),
                     rtol)


def _argmax_nan(x):
    """The index of the greatest value, the first NaN winning (as torch.max)."""
    if x.dtype.kind == "f" or x.dtype.kind == "V" or x.dtype == _dtype.bfloat16.numpy:
        nan = np.isnan(x.astype(np.float64))
        if nan.any():
            return int(np.argmax(nan))
        return int(np.argmax(x.astype(np.float64)))
    return int(np.argmax(x))


def _mismatch(identifier, extra, abs_diff, abs_idx, atol, rel_diff, rel_idx, rtol):
    equality = rtol == 0 and atol == 0

    def diff(kind, value, idx, tol):
        text = (f"{kind.title()} difference: {value}" if idx is None
                else f"Greatest {kind} difference: {value} at index {idx}")
        if not equality:
            text += f" (up to {tol} allowed)"
        return text + "\n"

    text = f"{identifier} are not {'equal' if equality else 'close'}!\n\n{extra.strip()}\n"
    text += diff("absolute", abs_diff, abs_idx, atol)
    text += diff("relative", rel_diff, rel_idx, rtol)
    return text.strip()

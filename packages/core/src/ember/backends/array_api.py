"""One generic kernel set for any NumPy-compatible array library (numpy, cupy).

``generic_kernels(xp)`` returns the kernel functions of the op list written over the
module ``xp``. NumPy returns scalars rather than 0-d arrays from some operations, so for
it the elementwise ufuncs are called with ``out=...`` and other results pass through
``xp.asarray``; ember tensors always hold arrays.
"""

from __future__ import annotations

from functools import partial

_UFUNCS = {
    "neg": "negative", "abs": "absolute", "sign": "sign", "exp": "exp", "log": "log",
    "log1p": "log1p", "expm1": "expm1", "sqrt": "sqrt", "sin": "sin", "cos": "cos",
    "tanh": "tanh", "floor": "floor", "ceil": "ceil", "round": "rint", "trunc": "trunc",
    "logical_not": "logical_not", "isnan": "isnan", "bitwise_not": "invert",
    "add": "add", "sub": "subtract", "mul": "multiply", "div": "true_divide",
    "floor_divide": "floor_divide", "remainder": "remainder", "pow": "power",
    "maximum": "maximum", "minimum": "minimum", "eq": "equal", "ne": "not_equal",
    "lt": "less", "le": "less_equal", "gt": "greater", "ge": "greater_equal",
    "logical_and": "logical_and", "logical_or": "logical_or", "logical_xor": "logical_xor",
    "bitwise_and": "bitwise_and", "bitwise_or": "bitwise_or", "bitwise_xor": "bitwise_xor",
    "atan2": "arctan2", "square": "square", "reciprocal": "reciprocal",
}

_REDUCERS = {"sum": "sum", "prod": "prod", "amax": "max", "amin": "min", "any": "any",
             "all": "all"}
_REDUCTIONS = {"sum": "add", "prod": "multiply", "amax": "maximum", "amin": "minimum",
               "any": "logical_or", "all": "logical_and"}


def generic_kernels(xp, returns_scalars: bool) -> dict:
    """The op-list kernels over array module ``xp``.

    ``returns_scalars`` is True for NumPy, whose ufuncs and reductions return scalars
    for 0-d results; the kernels then ask for arrays.
    """
    arr = xp.asarray if returns_scalars else (lambda x: x)
    k = {}
    # out=... makes NumPy return 0-d arrays, never scalars; an explicit out=None means it too
    default_out = ... if returns_scalars else None
    weak = _weak_scalar_fix(xp)
    for name, ufunc in _UFUNCS.items():
        f = getattr(xp, ufunc)
        if name in _BINARY:
            k[name] = _binary_kernel(f, default_out, weak)
        elif name in ("floor", "ceil", "round", "trunc"):
            k[name] = _rounding_kernel(xp, f, default_out)
        elif name == "sign":
            k[name] = _sign_kernel(xp, f, default_out)
        else:
            k[name] = _unary_kernel(f, default_out)

    def reduction(ufunc, widen_ints, to_bool):
        def reduce(x, axes, keepdims):
            if widen_ints and x.dtype.kind in "biu":
                x = x.astype(xp.int64)
            elif to_bool and x.dtype.kind != "b":
                x = x != 0
            if returns_scalars:
                return ufunc(x, axis=axes, keepdims=keepdims, out=...)
            return ufunc(x, axis=axes, keepdims=keepdims)
        return reduce

    for name, ufunc in _REDUCTIONS.items():
        # NumPy: the ufunc's reduce (it can return an array); others: the array-API function
        fn = getattr(xp, ufunc).reduce if returns_scalars else getattr(xp, _REDUCERS[name])
        k[name] = reduction(fn, name in ("sum", "prod"), name in ("any", "all"))

    k.update(
        full=partial(_full, xp),
        empty=lambda shape, dtype, index: xp.empty(shape, dtype=dtype.numpy),
        zeros=lambda shape, dtype, index: xp.zeros(shape, dtype=dtype.numpy),
        ones=lambda shape, dtype, index: xp.ones(shape, dtype=dtype.numpy),
        arange=lambda start, stop, step, dtype, index: xp.arange(start, stop, step,
                                                                 dtype=dtype.numpy),
        eye=lambda n, m, dtype, index: xp.eye(n, m, dtype=dtype.numpy),
        astype=lambda x, dtype: x.astype(dtype.numpy),
        copy=lambda x: xp.array(x, copy=True, order="C"),
        assign=_assign,
        where=partial(_where, xp, arr, weak),
        clip=partial(_clip, xp),
        argmax=lambda x, axis, keepdims: arr(xp.argmax(x, axis=axis, keepdims=keepdims)),
        argmin=lambda x, axis, keepdims: arr(xp.argmin(x, axis=axis, keepdims=keepdims)),
        cumsum=lambda x, axis: xp.cumsum(x, axis=axis, dtype=_accumulator(xp, x)),
        cumprod=lambda x, axis: xp.cumprod(x, axis=axis, dtype=_accumulator(xp, x)),
        reshape=lambda x, shape: xp.reshape(x, shape),
        permute=lambda x, axes: xp.transpose(x, axes),
        broadcast_to=lambda x, shape: xp.broadcast_to(x, shape),
        getitem=lambda x, key: arr(x[key]),
        setitem=_setitem,
        index_add_at=lambda x, key, value: xp.add.at(x, key, value),
        concatenate=lambda xs, axis: xp.concatenate(xs, axis=axis),
        flip=lambda x, axes: arr(xp.flip(x, axis=axes)),
        tile=lambda x, reps: xp.tile(x, reps),
        take_along_axis=lambda x, index, axis: xp.take_along_axis(x, index, axis=axis),
        put_along_axis=lambda x, index, values, axis: xp.put_along_axis(x, index, values,
                                                                        axis=axis),
        add_along_axis=partial(_add_along_axis, xp),
        nonzero=lambda x: tuple(i.astype(xp.int64) for i in xp.nonzero(x)),
        sort=partial(_sort, xp, "stable" if returns_scalars else None),
        matmul=partial(_matmul, xp, returns_scalars),
        einsum=partial(_einsum, xp),
        uniform=lambda gen, shape, low, high, dtype: arr(_uniform(gen, shape, low, high, dtype)),
        normal=lambda gen, shape, mean, std, dtype: arr(_normal(gen, shape, mean, std, dtype)),
        randint=lambda gen, low, high, shape, dtype: arr(gen.integers(low, high, size=shape,
                                                                      dtype=dtype.numpy)),
        randperm=lambda gen, n, dtype, index: gen.permutation(n).astype(dtype.numpy),
    )
    from .array_api_library import library_kernels  # the tensor library's optional ops

    k.update(library_kernels(xp, default_out, weak, k))
    return k


_BINARY = frozenset(("add", "sub", "mul", "div", "floor_divide", "remainder", "pow", "maximum",
                     "minimum", "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or",
                     "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor", "atan2"))
_PY_SCALARS = frozenset((float, int, bool))


def _unary_kernel(f, default_out):
    def kernel(x, out=None):
        return f(x, out=default_out if out is None else out)
    return kernel


def _binary_kernel(f, default_out, weak):
    if weak is None:
        def kernel(x, y, out=None):
            return f(x, y, out=default_out if out is None else out)
        return kernel
    scalars, (fixed, asarray) = _PY_SCALARS, weak

    def kernel(x, y, out=None):  # the array's dtype wins over a Python scalar
        if y.__class__ in scalars:
            if x.dtype in fixed:
                y = asarray(y, dtype=x.dtype)
        elif x.__class__ in scalars and y.dtype in fixed:
            x = asarray(x, dtype=y.dtype)
        return f(x, y, out=default_out if out is None else out)
    return kernel


def _weak_scalar_fix(xp):
    """The dtypes for which ``xp`` lets a Python scalar win promotion, and xp.asarray.

    NumPy treats Python scalars as weak for its own dtypes (NEP 50) but not for ml_dtypes'
    bfloat16: bfloat16 + 2.0 gives float32 there.
    """
    fixed = set()
    for name in ("bfloat16",):
        try:
            import ml_dtypes

            dt = xp.dtype(getattr(ml_dtypes, name))
            if xp.add(xp.zeros(1, dt), 2.0).dtype != dt:
                fixed.add(dt)
        except (ImportError, TypeError):
            pass
    return (frozenset(fixed), xp.asarray) if fixed else None


def _where(xp, arr, weak, cond, x, y):
    """xp.where; a Python scalar branch takes the other branch's dtype (as in binary ops)."""
    if weak is not None:
        fixed, asarray = weak
        if x.__class__ in _PY_SCALARS:
            if y.__class__ not in _PY_SCALARS and y.dtype in fixed:
                x = asarray(x, dtype=y.dtype)
        elif y.__class__ in _PY_SCALARS and x.dtype in fixed:
            y = asarray(y, dtype=x.dtype)
    return arr(xp.where(cond, x, y))


def _sign_kernel(xp, f, default_out):
    def kernel(x, out=None):  # PyTorch's sign(NaN) is 0 (NumPy's is NaN)
        r = f(x, out=default_out if out is None else out)
        if x.dtype.kind in "fV":
            nan = xp.isnan(x)
            if nan.any():
                r[nan] = 0
        return r
    return kernel


def _full(xp, shape, value, dtype, index):
    try:
        if shape == ():  # backward's seed: asarray is several times faster than full
            return xp.asarray(value, dtype=dtype.numpy)
        return xp.full(shape, value, dtype=dtype.numpy)
    except OverflowError:  # -1 as uint8 is 255, as C (and PyTorch) convert it
        return xp.full(shape, xp.asarray(value).astype(dtype.numpy), dtype=dtype.numpy)


def _rounding_kernel(xp, f, default_out):
    def kernel(x, out=None):  # integers are already integral: rounding keeps them as they are
        if x.dtype.kind in "biu":
            if out is None:
                return xp.array(x, copy=True)
            out[...] = x
            return out
        return f(x, out=default_out if out is None else out)
    return kernel


def _low_precision(xp, x):
    """The dtype NumPy-compatible libraries lack fast paths for (bfloat16), else None."""
    return x.dtype if x.dtype.kind == "V" else None


def _matmul(xp, returns_scalars, x, y):
    low = _low_precision(xp, x)
    if low is not None:  # accumulate in float32 and round once, as PyTorch does
        return xp.matmul(x.astype(xp.float32), y.astype(xp.float32)).astype(low)
    return xp.matmul(x, y, out=...) if returns_scalars else xp.matmul(x, y)


def _einsum(xp, equation, *xs):
    low = _low_precision(xp, xs[0]) if xs else None
    if low is not None:
        return xp.asarray(xp.einsum(equation, *[x.astype(xp.float32) for x in xs])).astype(low)
    return xp.asarray(xp.einsum(equation, *xs))


def _clip(xp, x, low, high):
    if x.dtype.kind == "V":  # bfloat16: NumPy's clip would return float32
        if low is not None:
            x = xp.maximum(x, xp.asarray(low, dtype=x.dtype))
        if high is not None:
            x = xp.minimum(x, xp.asarray(high, dtype=x.dtype))
        return xp.array(x, copy=True) if low is None and high is None else xp.asarray(x)
    return xp.asarray(xp.clip(x, low, high))


def _accumulator(xp, x):
    return xp.int64 if x.dtype.kind in "biu" else None


def _assign(dst, src):
    dst[...] = src
    return dst


def _setitem(x, key, value):
    x[key] = value
    return x


def _add_along_axis(xp, x, index, values, axis):
    grid = [xp.arange(n).reshape([n if d == i else 1 for d in range(index.ndim)])
            for i, n in enumerate(index.shape)]  # an open grid, as numpy.indices(sparse=True)
    grid[axis] = index
    xp.add.at(x, tuple(grid), values)
    return x


def _sort(xp, stable_kind, x, axis, descending, stable):
    """``stable_kind`` names a stable sort for ``xp`` (CuPy always sorts stably: None)."""
    if descending:  # reversing a stable ascending sort of the flipped input keeps ties in order
        flipped = xp.argsort(xp.flip(x, axis=axis), axis=axis, kind=stable_kind)
        order = xp.flip(x.shape[axis] - 1 - flipped, axis=axis)
    else:
        order = xp.argsort(x, axis=axis, kind=stable_kind if stable else None)
    return xp.take_along_axis(x, order, axis=axis), order.astype(xp.int64)


def _uniform(gen, shape, low, high, dtype):
    np_dtype = dtype.numpy
    native = np_dtype if np_dtype.char in "fd" else "float32"
    values = gen.random(shape, dtype=native)
    if (low, high) != (0.0, 1.0):
        values = values * (high - low) + low
    return values.astype(np_dtype, copy=False)


def _normal(gen, shape, mean, std, dtype):
    np_dtype = dtype.numpy
    native = np_dtype if np_dtype.char in "fd" else "float32"
    values = gen.standard_normal(shape, dtype=native)
    if (mean, std) != (0.0, 1.0):
        values = values * std + mean
    return values.astype(np_dtype, copy=False)

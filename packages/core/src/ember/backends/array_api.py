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

_REDUCTIONS = {"sum": "add", "prod": "multiply", "amax": "maximum", "amin": "minimum",
               "any": "logical_or", "all": "logical_and"}


def generic_kernels(xp, returns_scalars: bool) -> dict:
    """The op-list kernels over array module ``xp``.

    ``returns_scalars`` is True for NumPy, whose ufuncs and reductions return scalars
    for 0-d results; the kernels then ask for arrays.
    """
    arr = xp.asarray if returns_scalars else (lambda x: x)
    k = {}
    for name, ufunc in _UFUNCS.items():
        f = getattr(xp, ufunc)
        k[name] = partial(f, out=...) if returns_scalars else f

    def reduction(ufunc, widen_ints, to_bool):
        def reduce(x, axes, keepdims):
            if widen_ints and x.dtype.kind in "biu":
                x = x.astype(xp.int64)
            elif to_bool and x.dtype.kind != "b":
                x = x != 0
            if returns_scalars:
                return ufunc.reduce(x, axis=axes, keepdims=keepdims, out=...)
            return ufunc.reduce(x, axis=axes, keepdims=keepdims)
        return reduce

    for name, ufunc in _REDUCTIONS.items():
        k[name] = reduction(getattr(xp, ufunc), name in ("sum", "prod"), name in ("any", "all"))

    k.update(
        full=lambda shape, value, dtype, index: xp.full(shape, value, dtype=dtype.numpy),
        empty=lambda shape, dtype, index: xp.empty(shape, dtype=dtype.numpy),
        zeros=lambda shape, dtype, index: xp.zeros(shape, dtype=dtype.numpy),
        ones=lambda shape, dtype, index: xp.ones(shape, dtype=dtype.numpy),
        arange=lambda start, stop, step, dtype, index: xp.arange(start, stop, step,
                                                                 dtype=dtype.numpy),
        eye=lambda n, m, dtype, index: xp.eye(n, m, dtype=dtype.numpy),
        astype=lambda x, dtype: x.astype(dtype.numpy),
        copy=lambda x: xp.array(x, copy=True, order="C"),
        assign=_assign,
        where=lambda cond, x, y: arr(xp.where(cond, x, y)),
        clip=lambda x, low, high: arr(xp.clip(x, low, high)),
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
        flip=lambda x, axes: xp.flip(x, axis=axes),
        tile=lambda x, reps: xp.tile(x, reps),
        take_along_axis=lambda x, index, axis: xp.take_along_axis(x, index, axis=axis),
        put_along_axis=lambda x, index, values, axis: xp.put_along_axis(x, index, values,
                                                                        axis=axis),
        add_along_axis=partial(_add_along_axis, xp),
        nonzero=lambda x: tuple(i.astype(xp.int64) for i in xp.nonzero(x)),
        sort=partial(_sort, xp),
        matmul=partial(xp.matmul, out=...) if returns_scalars else xp.matmul,
        einsum=lambda equation, *xs: arr(xp.einsum(equation, *xs)),
        uniform=lambda gen, shape, low, high, dtype: _uniform(gen, shape, low, high, dtype),
        normal=lambda gen, shape, mean, std, dtype: _normal(gen, shape, mean, std, dtype),
        randint=lambda gen, low, high, shape, dtype: gen.integers(low, high, size=shape,
                                                                  dtype=dtype.numpy),
        randperm=lambda gen, n, dtype, index: gen.permutation(n).astype(dtype.numpy),
    )
    return k


def _accumulator(xp, x):
    return xp.int64 if x.dtype.kind in "biu" else None


def _assign(dst, src):
    dst[...] = src
    return dst


def _setitem(x, key, value):
    x[key] = value
    return x


def _add_along_axis(xp, x, index, values, axis):
    grid = list(xp.indices(index.shape, sparse=True))
    grid[axis] = index
    xp.add.at(x, tuple(grid), values)
    return x


def _sort(xp, x, axis, descending, stable):
    if descending:  # reversing a stable ascending sort of the flipped input keeps ties in order
        flipped = xp.argsort(xp.flip(x, axis=axis), axis=axis, kind="stable")
        order = xp.flip(x.shape[axis] - 1 - flipped, axis=axis)
    else:
        order = xp.argsort(x, axis=axis, kind="stable" if stable else None)
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

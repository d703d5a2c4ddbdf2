"""Elementwise kernels: one template for any number of broadcast, strided operands.

An op is a C expression over the operands' values ``{0}, {1}, ...`` already converted to
a compute type. Result dtypes follow NumPy exactly (the CPU backend is NumPy): each
(op, operand dtypes) is resolved once by calling the NumPy ufunc on one-element samples,
Python scalars staying "weak" as they are in NumPy 2.
"""

from __future__ import annotations

import numpy as np

from . import layout
from .array import CLArray, empty
from .codegen import BF16, Source, convert, ctype

BOOL = ctype(np.dtype("?"))
INT = ctype(np.dtype("i4"))


# -- the one elementwise template --------------------------------------------------------
def launch_map(name, out, expr, res, operands, cts, variants=None):
    """``out[i] = expr`` for every element, the operands broadcast to ``out.shape``.

    ``operands`` are CLArrays or Python scalars (kernel arguments); ``cts[j]`` is the
    CType operand j is converted to before ``expr``; ``res`` is the CType of ``expr``.
    ``expr`` may also use ``gid``, the element's row-major number. ``variants()`` may list
    the same op for other dtypes, as (out dtype, operand dtypes, expr, res, cts), to be
    built in the same program.
    """
    n = out.size
    if n == 0:
        return out
    shape = out.shape
    arrays = [out]
    for o in operands:
        if o.__class__ is CLArray:
            arrays.append(o)
    strided, cshape, cstrides = False, None, None
    if not all(a.shape == shape and a.contiguous for a in arrays):
        strides = [a.est if a.shape == shape else layout.broadcast(a.shape, a.est, shape)
                   for a in arrays]
        cshape, cstrides = layout.collapse(shape, *strides)
        if not (len(cshape) == 1 and all(s == (1,) for s in cstrides)):
            if len(cshape) > layout.MAXD:
                return _split(name, out, expr, res, operands, cts, variants)
            strided = True
            cshape, cstrides = layout.pad(cshape, *cstrides)
    kinds = tuple(o.dtype if o.__class__ is CLArray else None for o in operands)
    if strided and n >= layout.WIDE:
        strided = "wide"
    key = ("map", name, expr, out.dtype, kinds, tuple(ct.c for ct in cts), res.c, strided)
    dev = out.device
    knl = dev.kernels.get(key)
    if knl is None:
        siblings = None if variants is None else (
            lambda: [map_request(dev, name, *v, strided) for v in variants()])
        knl = dev.kernel(key, map_request(dev, name, out.dtype, kinds, expr, res, cts,
                                          strided)[1], name, siblings)
    args = [out.data, out.offset]
    if strided:
        args += cstrides[0]
    i = 1
    for o, ct in zip(operands, cts):
        if o.__class__ is CLArray:
            args += (o.data, o.offset)
            if strided:
                args += cstrides[i]
            i += 1
        else:
            args.append(_scalar_arg(o, ct))
    if strided:
        args += cshape
    dev.launch(knl, n, *args)
    return out


def map_request(dev, name, out_dtype, kinds, expr, res, cts, strided):
    """(key, make) of an elementwise kernel, as launch_map looks it up."""
    key = ("map", name, expr, out_dtype, kinds, tuple(ct.c for ct in cts), res.c, strided)
    return key, lambda: _map_source(out_dtype, kinds, expr, res, cts, strided, dev)


def op_request(dev, name, kinds, strided=False):
    """(key, make) of op ``name`` over ``kinds`` (dtypes, or float/int/bool scalars)."""
    key = (name, *kinds)
    p = _plans.get(key)
    if p is None:
        p = _plans[key] = plan(name, kinds)
    dtype, res, cts, expr = p
    return map_request(dev, name, dtype, tuple(k if isinstance(k, np.dtype) else None
                                               for k in kinds), expr, res, cts, strided)


def _split(name, out, expr, res, operands, cts, variants):
    """launch_map over the first dim, for layouts with more than MAXD unmergeable dims."""
    ops = [o.view_of(o.offset, out.shape, layout.broadcast(o.shape, o.est, out.shape))
           if o.__class__ is CLArray else o for o in operands]
    def row(a, i):
        return a.view_of(*layout.basic_index(a.offset, a.shape, a.est, (i, Ellipsis))) \
            if a.__class__ is CLArray else a

    for i in range(out.shape[0]):
        launch_map(name, row(out, i), expr, res, [row(o, i) for o in ops], cts, variants)
    return out


def _scalar_arg(value, ct):
    """A Python scalar as the kernel argument of compute type ``ct``, rounded to ct's dtype
    first (as NumPy converts a weak scalar to the array's dtype)."""
    if ct.kind == "b":
        return ct.compute_dtype.type(bool(value))
    try:
        if ct.dtype is not ct.compute_dtype:
            value = ct.dtype.type(value)
        return ct.compute_dtype.type(value)
    except OverflowError:  # -1 as uint8 is 255, as C (and PyTorch) convert it
        return np.asarray(value).astype(ct.dtype).astype(ct.compute_dtype)[()]


def _map_source(out_dtype, kinds, expr, res, cts, strided, device):
    """The elementwise kernel; ``kinds[j]`` is operand j's dtype, or None for a scalar.
    Contiguous operands are read at the element's number; strided ones through MAXD
    sizes and strides."""
    for dt in (out_dtype, *kinds):
        if dt is not None:
            device.check_dtype(dt)
    src = Source()
    src.buffer("out", out_dtype)
    src.longs(["ooff"])
    if strided:
        src.longs(layout.params("so"))
    src(src.index("gid"), f"  long o0 = ooff{'' if strided else ' + gid'};")
    offsets, values, i = [("o0", "so")], [], 1
    for j, (dt, ct) in enumerate(zip(kinds, cts)):
        if dt is not None:
            src.buffer(f"p{j}", dt, const=True)
            src.longs([f"off{j}"])
            if strided:
                src.longs(layout.params(f"s{j}_"))
                offsets.append((f"o{i}", f"s{j}_"))
            src(f"  long o{i} = off{j}{'' if strided else ' + gid'};")
            values.append((j, i, dt, ct))
            i += 1
        else:
            src.scalar(f"v{j}", ct.dtype)
    if strided:
        src.longs(layout.params("n"))
        src(layout.unravel_code("gid", "n", offsets, wide=strided == "wide"))
    for j, i, dt, ct in values:
        t = ctype(dt)
        src(f"  {ct.c} v{j} = {convert(t.load(f'p{j}', f'o{i}'), t, ct)};")
    names = [f"v{j}" for j in range(len(kinds))]
    src("  " + ctype(out_dtype).store("out", "o0", expr.format(*names), res))
    return src


# -- op table ------------------------------------------------------------------------------
def _by_kind(f=None, i=None, u=None, b=None):
    """A template choosing its C expression by the compute type's kind."""
    def template(t):
        found = {"f": f, "i": i, "u": u if u is not None else i,
                 "b": b if b is not None else (u if u is not None else i)}[t.kind]
        if found is None:
            raise TypeError(f"no OpenCL kernel for this op on {t.dtype}")
        return found.replace("T", t.c) if "T" in found else found
    return template


def _same(expr):
    return lambda t: expr


def _func(name):
    return _by_kind(f=f"{name}({{0}})")


_IDENT = "{0}"
# name: (numpy ufunc used to resolve dtypes, rule, template)
# rule "out": operands computed in the result dtype; "common": in their common dtype
# (comparisons); "each": each converted to bool; "in": in the operand's own dtype.
ELEMENTWISE = {
    "neg": ("negative", "out", _same("(-{0})")),
    "abs": ("absolute", "out", _by_kind(f="fabs({0})", i="({0} < 0 ? -{0} : {0})", u=_IDENT)),
    # PyTorch's sign(NaN) is 0 (NumPy's is NaN)
    "sign": ("sign", "out", _by_kind(f="(T)(({0} > 0) - ({0} < 0))",
                                     i="(T)(({0} > 0) - ({0} < 0))", u="(T)({0} > 0)",
                                     b=_IDENT)),
    **{n: (n, "out", _func(n)) for n in ("exp", "log", "log1p", "expm1", "sqrt", "sin",
                                         "cos", "tanh")},
    # rounding keeps integer dtypes (NumPy would give float64)
    **{n: (n, "round", _by_kind(f=f"{n}({{0}})", i=_IDENT)) for n in ("floor", "ceil",
                                                                         "trunc")},
    "round": ("rint", "round", _by_kind(f="rint({0})", i=_IDENT)),
    "logical_not": ("logical_not", "each", _same("(!{0})")),
    "isnan": ("isnan", "in", _by_kind(f="isnan({0})", i="0")),
    "bitwise_not": ("invert", "out", _by_kind(i="(~{0})", b="(!{0})")),
    "add": ("add", "out", _by_kind(f="({0} + {1})", i="({0} + {1})", b="({0} | {1})")),
    "sub": ("subtract", "out", _same("({0} - {1})")),
    "mul": ("multiply", "out", _by_kind(f="({0} * {1})", i="({0} * {1})", b="({0} & {1})")),
    "div": ("true_divide", "out", _same("({0} / {1})")),
    "floor_divide": ("floor_divide", "out", _by_kind(f="np_floordiv_T({0}, {1})",
                                                     i="ifloordiv_T({0}, {1})")),
    "remainder": ("remainder", "out", _by_kind(f="np_mod_T({0}, {1})", i="imod_T({0}, {1})")),
    "pow": ("power", "out", _by_kind(f="pow({0}, {1})", i="ipow_T({0}, {1})")),
    "maximum": ("maximum", "out", _by_kind(f="(({0} > {1} || isnan({0})) ? {0} : {1})",
                                           i="({0} > {1} ? {0} : {1})")),
    "minimum": ("minimum", "out", _by_kind(f="(({0} < {1} || isnan({0})) ? {0} : {1})",
                                           i="({0} < {1} ? {0} : {1})")),
    "eq": ("equal", "common", _same("({0} == {1})")),
    "ne": ("not_equal", "common", _same("({0} != {1})")),
    "lt": ("less", "common", _same("({0} < {1})")),
    "le": ("less_equal", "common", _same("({0} <= {1})")),
    "gt": ("greater", "common", _same("({0} > {1})")),
    "ge": ("greater_equal", "common", _same("({0} >= {1})")),
    "logical_and": ("logical_and", "each", _same("({0} && {1})")),
    "logical_or": ("logical_or", "each", _same("({0} || {1})")),
    "logical_xor": ("logical_xor", "each", _same("({0} != {1})")),
    "bitwise_and": ("bitwise_and", "out", _by_kind(i="({0} & {1})")),
    "bitwise_or": ("bitwise_or", "out", _by_kind(i="({0} | {1})")),
    "bitwise_xor": ("bitwise_xor", "out", _by_kind(i="({0} ^ {1})")),
    "atan2": ("arctan2", "out", _same("atan2({0}, {1})")),
    # optional ops the backend fuses
    "square": ("square", "out", _same("({0} * {0})")),
    "reciprocal": ("reciprocal", "out", _by_kind(f="(1 / {0})", i="({0} == 0 ? 0 : 1 / {0})")),
    "rsqrt": ("sqrt", "out", _by_kind(f="rsqrt({0})")),
    "sigmoid": ("exp", "out", _by_kind(f="(1 / (1 + exp(-{0})))")),
    "relu": ("positive", "out", _same("({0} < 0 ? 0 : {0})")),
    # the tensor library's elementwise ops that OpenCL C has as builtins
    **{n: (n, "out", _func(n)) for n in ("exp2", "log2", "log10", "tan", "sinh", "cosh")},
    **{n: ("arc" + n[1:], "out", _func(n)) for n in ("asin", "acos", "atan", "asinh",
                                                      "acosh", "atanh")},
    **{n: ("exp", "out", _func(n)) for n in ("erf", "erfc", "lgamma")},
    "signbit": ("signbit", "in", _by_kind(f="signbit({0})", i="({0} < 0)", u="0")),
    "copysign": ("copysign", "out", _by_kind(f="copysign({0}, {1})")),
    "fmax": ("fmax", "out", _by_kind(f="fmax({0}, {1})", i="({0} > {1} ? {0} : {1})")),
    "fmin": ("fmin", "out", _by_kind(f="fmin({0}, {1})", i="({0} < {1} ? {0} : {1})")),
    "hypot": ("hypot", "out", _by_kind(f="hypot({0}, {1})")),
    "logaddexp": ("logaddexp", "out", _by_kind(f="np_logaddexp_T({0}, {1})")),
    "fmod": ("fmod", "out", _by_kind(f="fmod({0}, {1})",
                                     i="(({1} == 0 || {1} == -1) ? 0 : {0} % {1})",
                                     u="({1} == 0 ? 0 : {0} % {1})")),
}

_plans: dict = {}


def _kind(o):
    if o.__class__ is CLArray:
        return o.dtype
    if isinstance(o, (bool, np.bool_)):
        return bool
    if isinstance(o, (int, np.integer)):
        return int
    if isinstance(o, (float, np.floating)):
        return float
    raise TypeError(f"unsupported operand type {type(o).__name__}")


def _sample(k):
    return np.ones(1, k) if isinstance(k, np.dtype) else k(1)


def plan(name, kinds):
    """(result dtype, result CType, operand CTypes, C expression) of op ``name``."""
    ufunc, rule, template = ELEMENTWISE[name]
    samples = [_sample(k) for k in kinds]
    if BF16 in kinds:  # as the CPU backend: a Python scalar stays weak against bfloat16
        samples = [np.ones(1, BF16) if not isinstance(k, np.dtype) else s
                   for k, s in zip(kinds, samples)]
    if rule == "round":
        rule = "out"
        if kinds[0].kind in "biu":
            samples = [np.ones(1, kinds[0])]
            ufunc = "positive" if kinds[0].kind != "b" else "logical_and"
            samples = samples * (2 if ufunc == "logical_and" else 1)
    with np.errstate(all="ignore"):
        out = np.dtype(getattr(np, ufunc)(*samples).dtype)
    if rule == "out":
        cts = [ctype(out)] * len(kinds)
    elif rule == "common":
        cts = [ctype(np.result_type(*samples))] * len(kinds)
    elif rule == "each":
        cts = [BOOL] * len(kinds)
    else:
        cts = [ctype(k if isinstance(k, np.dtype) else np.result_type(k(1)))
               for k in kinds]
    # C comparisons and logic give int 0/1
    res = INT if out.kind == "b" and rule != "out" else ctype(out)
    return out, res, cts, template(cts[0])


def apply(name, *operands, out=None):
    """Run elementwise op ``name`` with NumPy's broadcasting and result dtype."""
    key = (name, *map(_kind, operands))
    p = _plans.get(key)
    if p is None:
        p = _plans[key] = plan(name, key[1:])
    dtype, res, cts, expr = p
    shapes = [o.shape for o in operands if o.__class__ is CLArray]
    if not shapes:
        raise TypeError(f"{name}: at least one operand must be an OpenCL array")
    shape = shapes[0]
    for s in shapes[1:]:
        if s != shape:
            shape = layout.broadcast_shapes(*shapes)
            break
    dev = next(o for o in operands if o.__class__ is CLArray).device
    if out is None:
        out = empty(dev, shape, dtype)
    else:
        if layout.broadcast_shapes(out.shape, shape) != out.shape:
            raise ValueError(f"non-broadcastable output operand with shape {out.shape} doesn't "
                             f"match the broadcast shape {shape}")
        if any(o.__class__ is CLArray and overlaps(o, out) for o in operands):
            result = apply(name, *operands)
            return assign(out, result)
    return launch_map(name, out, expr, res, operands, cts,
                      lambda: _variants(name, key[1:]))


DTYPES = [np.dtype(d) for d in ("?", "u1", "i1", "i2", "i4", "i8", "f2", "f4", "f8")] + [BF16]


def _variants(name, kinds):
    """Op ``name`` with every other dtype in place of the operands' (built alongside)."""
    found = []
    for d in DTYPES:
        other = tuple(d if isinstance(k, np.dtype) else k for k in kinds)
        if other == kinds:
            continue
        p = _plans.get((name, *other))
        if p is None:
            try:
                p = _plans[(name, *other)] = plan(name, other)
            except (TypeError, ValueError):
                continue
        dtype, res, cts, expr = p
        found.append((dtype, tuple(d if isinstance(k, np.dtype) else None for k in kinds),
                      expr, res, cts))
    return found


def overlaps(a, b) -> bool:
    """Whether two arrays share memory with different layouts (so in place is unsafe)."""
    if a.data is not b.data:
        return False
    if (a.offset, a.shape, a.est) == (b.offset, b.shape, b.est):
        return False
    sa = layout.span(a.offset, a.shape, a.est)
    sb = layout.span(b.offset, b.shape, b.est)
    return sa is not None and sb is not None and sa[0] <= sb[1] and sb[0] <= sa[1]


# -- memory ops ---------------------------------------------------------------------------
def astype(x, dtype, out=None):
    dtype = np.dtype(dtype)
    ct = ctype(x.dtype)
    out = empty(x.device, x.shape, dtype) if out is None else out
    return launch_map("astype", out, "{0}", ct, [x], [ct],
                      lambda: [(d, (x.dtype,), "{0}", ct, [ct]) for d in DTYPES])


def copy(x):
    return astype(x, x.dtype)


def assign(dst, src):
    """dst[...] = src, broadcasting src (an array or a scalar)."""
    if src.__class__ is CLArray:
        if overlaps(src, dst):
            src = copy(src)
        ct = ctype(src.dtype)
        layout.broadcast(src.shape, src.est, dst.shape)  # raises on a shape mismatch
    else:
        ct = ctype(dst.dtype)
    launch_map("assign", dst, "{0}", ct, [src], [ct])
    return dst


def full(device, shape, value, dtype):
    out = empty(device, shape, dtype)
    ct = ctype(out.dtype)
    return launch_map("full", out, "{0}", ct, [value], [ct],
                      lambda: [(d, (None,), "{0}", ctype(d), [ctype(d)]) for d in DTYPES])


def arange(device, start, stop, step, dtype):
    dtype = np.dtype(dtype)
    n = max(int(np.ceil((stop - start) / step)), 0)
    if all(isinstance(v, (int, np.integer)) for v in (start, stop, step)):
        n = len(range(start, stop, step))
        acc = ctype(np.dtype("i8"))
    else:
        acc = ctype(np.dtype("f8" if device.fp64 else "f4"))
    out = empty(device, (n,), dtype)
    return launch_map("arange", out, f"({{0}} + ({acc.c})gid * {{1}})", acc, [start, step],
                      [acc, acc])


def where(cond, x, y):
    key = ("where", _kind(cond), _kind(x), _kind(y))
    p = _plans.get(key)
    if p is None:
        samples = [_sample(k) for k in key[1:]]
        if BF16 in key[2:]:  # a Python scalar branch takes the other branch's dtype
            samples = [samples[0]] + [np.ones(1, BF16) if not isinstance(k, np.dtype) else s
                                      for k, s in zip(key[2:], samples[1:])]
        dtype = np.where(samples[0], samples[1], samples[2]).dtype
        ct = ctype(dtype)
        p = _plans[key] = (dtype, ct, [BOOL, ct, ct], "({0} ? {1} : {2})")
    dtype, res, cts, expr = p
    operands = (cond, x, y)
    shape = layout.broadcast_shapes(*[o.shape for o in operands if o.__class__ is CLArray])
    dev = next(o for o in operands if o.__class__ is CLArray).device
    return launch_map("where", empty(dev, shape, dtype), expr, res, list(operands), cts)


def threshold_backward(g, x, threshold):
    """g where x > threshold, else 0 (ReLU's gradient)."""
    ct, xt = ctype(g.dtype), ctype(x.dtype)
    shape = layout.broadcast_shapes(g.shape, x.shape)
    return launch_map("threshold_backward", empty(g.device, shape, g.dtype),
                      "({1} > {2} ? {0} : 0)", ct, [g, x, threshold], [ct, xt, xt])


def clip(x, low, high):
    dtype = x.dtype if x.dtype == BF16 else np.clip(np.ones(1, x.dtype), low, high).dtype
    ct = ctype(dtype)
    expr = "{0}"
    if low is not None:
        expr = f"({expr} < {{1}} ? {{1}} : {expr})"
    if high is not None:
        expr = f"({expr} > {{2}} ? {{2}} : {expr})"
    operands = [x, 0 if low is None else low, 0 if high is None else high]
    return launch_map("clip", empty(x.device, x.shape, dtype), expr, ct, operands, [ct] * 3)

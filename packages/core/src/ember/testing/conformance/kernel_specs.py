"""The kernel conformance table: for every op of ``ember.backends.base.OPS``, its cases.

Each ``KernelSpec`` says which dtypes the kernel must handle (those core calls it with),
how to build inputs (NumPy arrays, turned into native arrays of several layouts by the
test), and a NumPy reference computed in float64 / int64 and rounded to the result dtype.
Kernels of random ops and of ops without a single right answer (``empty``) have a custom
check instead. ``test_kernels.py`` runs every spec against the backend's kernel table and,
for optional ops, against core's decomposition bound to the same table.

Adding an op to ``OPS`` without a spec here fails ``test_coverage.py``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ... import _dtype
from ._harness import ALL, BOOL, FLOATS, INDEX, INTS, NUMERIC, Expanded, scalar_for, values

I64 = _dtype.int64
EXACT = "exact"  # out_dtype: the reference's own dtypes are the result dtypes


@dataclass
class Case:
    args: tuple
    kwargs: dict = field(default_factory=dict)
    mutates: int | None = None  # index of the argument written in place (checked, not result)
    layouts: bool = True        # also run with non-contiguous native inputs
    desc: str = ""


@dataclass
class KernelSpec:
    op: str
    dtypes: tuple
    cases: Callable | None = None            # (dtype, rng) -> list[Case]
    ref: Callable | None = None              # NumPy reference on upcast inputs
    out_dtype: Callable | None = None        # dtype -> result dtype (or tuple of dtypes)
    tol: dict = field(default_factory=dict)  # dtype -> (rtol, atol) overrides
    check: Callable | None = None            # custom check(ctx, impl, dtype) -> number of checks
    out_kw: bool = False                     # elementwise: the out= argument is tested too
    view_of: int | None = None               # the result must share memory with this argument
    view_layouts: tuple = ("contiguous", "transposed", "strided")  # ... for inputs laid out so


SPECS: dict[str, KernelSpec] = {}


def spec(op, dtypes, **kwargs):
    SPECS[op] = KernelSpec(op, tuple(dtypes), **kwargs)


def _same(d):
    return d


def _to_bool(d):
    return _dtype.bool


def _widen(d):
    """sum/prod/cumsum of integers and bool accumulate in int64, as PyTorch."""
    return d if d.is_floating_point else I64


_LOW = {_dtype.float16: (1e-2, 1e-2), _dtype.bfloat16: (5e-2, 5e-2)}  # accumulating ops


# -- memory and creation ----------------------------------------------------------------
_SHAPES = [(), (0,), (3,), (2, 3), (2, 0, 3)]


def _fill_values(d):
    if d is _dtype.bool:
        return [True, False]
    if d.is_floating_point:
        return [2.5, -1.25, math.inf, 0.0]
    return [7, 0, -1] if d is _dtype.uint8 else [7, -3]  # -1 as uint8 is 255


def _full_ref(shape, value, dtype, index):
    return np.full(shape, np.asarray(value).astype(dtype.numpy), dtype=dtype.numpy)


spec("full", ALL,
     cases=lambda d, rng: [Case((s, v, d, INDEX), layouts=False) for s in _SHAPES
                           for v in _fill_values(d)],
     ref=_full_ref)
spec("zeros", ALL,
     cases=lambda d, rng: [Case((s, d, INDEX), layouts=False) for s in _SHAPES],
     ref=lambda shape, dtype, index: np.zeros(shape, dtype=dtype.numpy))
spec("ones", ALL,
     cases=lambda d, rng: [Case((s, d, INDEX), layouts=False) for s in _SHAPES],
     ref=lambda shape, dtype, index: np.ones(shape, dtype=dtype.numpy))
spec("eye", ALL,
     cases=lambda d, rng: [Case((n, m, d, INDEX), layouts=False)
                           for n, m in [(0, 0), (1, 1), (3, 3), (2, 4), (4, 2), (3, 0)]],
     ref=lambda n, m, dtype, index: np.eye(n, m, dtype=dtype.numpy))


def _check_empty(ctx, impl, d):
    n = 0
    for shape in _SHAPES:
        out = impl(shape, d, ctx.index)
        ctx.check_native(out, shape, d, "empty")
        n += 1
    return n


spec("empty", ALL, check=_check_empty)


def _arange_cases(d, rng):
    if d.is_floating_point:
        args = [(0.0, 5.0, 1.0), (1.0, 3.0, 0.25), (2.0, -1.0, -0.5), (0.0, 0.0, 1.0)]
    else:
        args = [(0, 5, 1), (2, 11, 3), (9, 0, -2), (3, 3, 1)]
        if d is not _dtype.uint8:
            args.append((-4, 4, 2))
    return [Case((*a, d, INDEX), layouts=False) for a in args]


spec("arange", NUMERIC, cases=_arange_cases,
     ref=lambda start, stop, step, dtype, index: np.arange(start, stop, step).astype(dtype.numpy))


def _linspace_cases(d, rng):
    args = [(0.0, 1.0, 5), (-2.0, 3.0, 1), (1.0, -1.0, 4), (0.0, 10.0, 11), (3.0, 3.0, 3)]
    return [Case((*a, d, INDEX), layouts=False) for a in args]


spec("linspace", FLOATS + (_dtype.int64, _dtype.int32), cases=_linspace_cases,
     ref=lambda start, end, steps, dtype, index:
     np.linspace(start, end, steps).astype(dtype.numpy))


def _astype_check(ctx, impl, d):
    n = 0
    rng = ctx.rng("astype", d.name)
    src = values(rng, (2, 3), d, "small")
    if d.is_floating_point:
        src[0, 0] = 2.5
        src[0, 1] = 0.0
    for target in ALL:
        for layout in ("contiguous", "transposed"):
            x = ctx.native(src, layout)
            out = impl(x, target)
            expected = src.astype(np.float64).astype(target.numpy) if d is _dtype.bfloat16 \
                else src.astype(target.numpy)
            ctx.compare(out, expected, f"astype {d} -> {target} ({layout})")
            n += 1
    return n


spec("astype", ALL, check=_astype_check)


def _copy_check(ctx, impl, d):
    n = 0
    rng = ctx.rng("copy", d.name)
    for shape in [(), (0,), (4,), (2, 3)]:
        src = values(rng, shape, d)
        for layout in ("contiguous", "transposed", "strided"):
            x = ctx.native(src, layout)
            out = impl(x)
            ctx.compare(out, src, f"copy {shape} ({layout})")
            ctx.check_contiguous(out, "copy")
            if src.size:  # the copy owns its memory
                ctx.write_first(x, src.reshape(-1)[0] if d is _dtype.bool else 0)
                ctx.compare(out, src, f"copy {shape} ({layout}) after writing to the source")
            n += 1
    return n


spec("copy", ALL, check=_copy_check)


def _assign_cases(d, rng):
    dst = values(rng, (2, 3), d)
    return [
        Case((dst.copy(), values(rng, (2, 3), d)), mutates=0),
        Case((dst.copy(), values(rng, (3,), d)), mutates=0, desc="broadcast row"),
        Case((dst.copy(), values(rng, (2, 1), d)), mutates=0, desc="broadcast column"),
        Case((dst.copy(), values(rng, (), d)), mutates=0, desc="0-d source"),
        Case((dst.copy(), scalar_for(d, 1)), mutates=0, desc="Python scalar"),
        Case((np.zeros((0, 3), d.numpy), values(rng, (3,), d)), mutates=0, desc="empty"),
    ]


def _assign_ref(dst, src):
    out = dst.copy()
    out[...] = src
    return out


spec("assign", ALL, cases=_assign_cases, ref=_assign_ref)


# -- random numbers ----------------------------------------------------------------------
def _random_check(op):
    def check(ctx, impl, d):
        gen = ctx.backend.new_generator
        n = 0
        shape = (4000,)
        if op == "uniform":
            def call(g, s):
                return impl(g, s, -2.0, 3.0, d)
        elif op == "normal":
            def call(g, s):
                return impl(g, s, 1.5, 2.0, d)
        else:
            lo = 0 if d is _dtype.uint8 else -3

            def call(g, s):
                return impl(g, lo, 7, s, d)
        a = ctx.numpy(call(gen(7, ctx.index), shape))
        b = ctx.numpy(call(gen(7, ctx.index), shape))
        c = ctx.numpy(call(gen(8, ctx.index), shape))
        assert a.dtype == d.numpy, f"{op}: dtype {a.dtype}, expected {d.numpy}"
        assert a.shape == shape
        assert np.array_equal(a, b), f"{op}: the same seed gave different numbers"
        assert not np.array_equal(a, c), f"{op}: different seeds gave the same numbers"
        g = gen(9, ctx.index)
        first, second = ctx.numpy(call(g, (50,))), ctx.numpy(call(g, (50,)))
        assert not np.array_equal(first, second), f"{op}: the generator does not advance"
        v = a.astype(np.float64)
        if op == "uniform":
            assert v.min() >= -2.0 and v.max() <= 3.0, f"uniform out of range: {v.min()}"
            assert abs(v.mean() - 0.5) < 0.15 and abs(v.std() - 5 / math.sqrt(12)) < 0.15
        elif op == "normal":
            assert abs(v.mean() - 1.5) < 0.15 and abs(v.std() - 2.0) < 0.15, (v.mean(), v.std())
        else:
            assert v.min() == lo and v.max() == 6, f"randint range [{v.min()}, {v.max()}]"
            assert set(np.unique(v)) == set(range(lo, 7))
        for s in [(), (0,), (2, 3)]:
            out = ctx.numpy(call(gen(1, ctx.index), s))
            assert out.shape == s and out.dtype == d.numpy
        return n + 6
    return check


spec("uniform", FLOATS, check=_random_check("uniform"))
spec("normal", FLOATS, check=_random_check("normal"))
spec("randint", INTS, check=_random_check("randint"))


def _randperm_check(ctx, impl, d):
    gen = ctx.backend.new_generator
    for n in (0, 1, 10, 100):
        out = ctx.numpy(impl(gen(3, ctx.index), n, d, ctx.index))
        assert out.dtype == d.numpy and out.shape == (n,)
        assert sorted(out.tolist()) == list(range(n)), f"randperm({n}) is not a permutation"
    a = ctx.numpy(impl(gen(3, ctx.index), 50, d, ctx.index))
    b = ctx.numpy(impl(gen(3, ctx.index), 50, d, ctx.index))
    c = ctx.numpy(impl(gen(4, ctx.index), 50, d, ctx.index))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    return 5


spec("randperm", (_dtype.int64, _dtype.int32, _dtype.int16, _dtype.uint8), check=_randperm_check)


def _bernoulli_check(ctx, impl, d):
    gen = ctx.backend.new_generator
    p = np.full((4000,), 0.3, dtype=d.numpy)
    n = 0
    for out_dtype in (_dtype.float32, d, _dtype.int64, _dtype.bool):
        out = ctx.numpy(impl(gen(5, ctx.index), ctx.native(p), out_dtype))
        assert out.dtype == out_dtype.numpy and out.shape == p.shape
        v = out.astype(np.float64)
        assert set(np.unique(v)) <= {0.0, 1.0}
        assert abs(v.mean() - 0.3) < 0.05, v.mean()
        n += 1
    edge = np.array([[0.0, 1.0, 0.0], [1.0, 1.0, 0.0]], dtype=d.numpy)
    for layout in ("contiguous", "transposed"):
        out = ctx.numpy(impl(gen(5, ctx.index), ctx.native(edge, layout), d))
        assert np.array_equal(out, edge), out
    a = ctx.numpy(impl(gen(6, ctx.index), ctx.native(p), d))
    b = ctx.numpy(impl(gen(6, ctx.index), ctx.native(p), d))
    assert np.array_equal(a, b)
    return n + 3


spec("bernoulli", FLOATS, check=_bernoulli_check)


# -- elementwise -------------------------------------------------------------------------
def _unary_cases(kind="any"):
    def cases(d, rng):
        return [Case((values(rng, s, d, kind),)) for s in [(), (0,), (5,), (3, 4), (2, 1, 3)]]
    return cases


def _unary(op, dtypes, ref, kind="any", out_dtype=None, tol=None, extra=None):
    base = _unary_cases(kind)

    def cases(d, rng):
        out = base(d, rng)
        if extra is not None and d.is_floating_point:
            out.append(Case((np.array(extra, dtype=d.numpy),), desc="special values"))
        return out
    spec(op, dtypes, cases=cases, ref=ref, out_dtype=out_dtype, tol=tol or {}, out_kw=True)


_SPECIAL = [0.0, -0.0, math.inf, -math.inf, math.nan, 1.0, -1.0]
_unary("neg", NUMERIC, np.negative, extra=_SPECIAL)
_unary("abs", NUMERIC, np.abs, extra=_SPECIAL)
_unary("sign", NUMERIC, lambda x: np.where(np.isnan(x), 0, np.sign(x)),  # sign(NaN) = 0
       extra=[0.0, -0.0, math.inf, -math.inf, 2.0, -3.0, math.nan])
_unary("exp", FLOATS, np.exp, extra=[0.0, -math.inf, math.inf, math.nan, -100.0])
_unary("log", FLOATS, np.log, kind="pos", extra=[0.0, 1.0, math.inf, -1.0, math.nan])
_unary("log1p", FLOATS, np.log1p, kind="unit", extra=[0.0, -1.0, 1e-10, math.inf])
_unary("expm1", FLOATS, np.expm1, extra=[0.0, 1e-10, -math.inf, math.inf])
_unary("sqrt", FLOATS, np.sqrt, kind="pos", extra=[0.0, 4.0, math.inf, -1.0])
_unary("sin", FLOATS, np.sin, extra=[0.0, math.pi / 2, math.nan])
_unary("cos", FLOATS, np.cos, extra=[0.0, math.pi, math.nan])
_unary("tanh", FLOATS, np.tanh, extra=[0.0, 30.0, -30.0, math.inf, -math.inf])
_unary("floor", NUMERIC, np.floor, extra=[-0.5, 0.5, -1.5, 2.0, math.inf, math.nan])
_unary("ceil", NUMERIC, np.ceil, extra=[-0.5, 0.5, -1.5, 2.0, math.inf, math.nan])
_unary("round", NUMERIC, np.rint, extra=[0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6, math.inf])
_unary("trunc", NUMERIC, np.trunc, extra=[-0.5, 0.5, -1.7, 2.7, math.inf, math.nan])
_unary("logical_not", ALL, np.logical_not, out_dtype=_to_bool, extra=[0.0, -0.0, math.nan])
_unary("isnan", ALL, np.isnan, out_dtype=_to_bool, extra=_SPECIAL)
_unary("bitwise_not", BOOL + INTS, np.invert)
_unary("reciprocal", FLOATS, np.reciprocal, kind="nonzero", extra=[0.0, -0.0, math.inf, 2.0])
_unary("rsqrt", FLOATS, lambda x: 1 / np.sqrt(x), kind="pos", extra=[0.0, 4.0, math.inf])
_unary("sigmoid", FLOATS, lambda x: 1 / (1 + np.exp(-x)),
       extra=[0.0, 50.0, -50.0, math.inf, -math.inf])
_unary("relu", NUMERIC, lambda x: np.maximum(x, 0), extra=[0.0, -0.0, -math.inf, math.inf])
_unary("square", NUMERIC, np.square, extra=[-2.0, math.inf, math.nan])


_BINARY_SHAPES = [((), ()), ((4,), (4,)), ((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)),
                  ((), (2, 3)), ((3, 1, 2), (4, 1)), ((0, 3), (1, 3))]


def _binary_cases(kind_a="any", kind_b="any", scalar_b=2):
    def cases(d, rng):
        out = [Case((values(rng, sa, d, kind_a), values(rng, sb, d, kind_b)))
               for sa, sb in _BINARY_SHAPES]
        out.append(Case((values(rng, (2, 3), d, kind_a),
                         Expanded(values(rng, (1, 3), d, kind_b), (2, 3))), desc="expanded"))
        b = scalar_for(d, abs(scalar_b) if d is _dtype.uint8 else scalar_b)
        out.append(Case((values(rng, (2, 3), d, kind_a), b), desc="array op scalar"))
        out.append(Case((scalar_for(d, 3), values(rng, (2, 3), d, kind_b)),
                        desc="scalar op array"))
        return out
    return cases


def _binary(op, dtypes, ref, kinds=("any", "any"), out_dtype=None, scalar_b=2, tol=None):
    spec(op, dtypes, cases=_binary_cases(*kinds, scalar_b=scalar_b), ref=ref,
         out_dtype=out_dtype, tol=tol or {}, out_kw=True)


_binary("add", ALL, np.add)
_binary("sub", NUMERIC, np.subtract)
_binary("mul", ALL, np.multiply)
_binary("div", FLOATS, np.true_divide, kinds=("any", "nonzero"))
_binary("floor_divide", NUMERIC, np.floor_divide, kinds=("any", "nonzero"), scalar_b=-2)
_binary("remainder", NUMERIC, np.remainder, kinds=("any", "nonzero"), scalar_b=-2)
_binary("pow", NUMERIC, np.power, kinds=("pos", "small"))
_binary("maximum", ALL, np.maximum)
_binary("minimum", ALL, np.minimum)
for _op, _f in [("eq", np.equal), ("ne", np.not_equal), ("lt", np.less), ("le", np.less_equal),
                ("gt", np.greater), ("ge", np.greater_equal), ("logical_and", np.logical_and),
                ("logical_or", np.logical_or), ("logical_xor", np.logical_xor)]:
    _binary(_op, ALL, _f, out_dtype=_to_bool, scalar_b=1)
_binary("bitwise_and", BOOL + INTS, np.bitwise_and, scalar_b=3)
_binary("bitwise_or", BOOL + INTS, np.bitwise_or, scalar_b=3)
_binary("bitwise_xor", BOOL + INTS, np.bitwise_xor, scalar_b=3)
_binary("atan2", FLOATS, np.arctan2)


def _special_binary(d, rng):
    if not d.is_floating_point:
        return []
    a = np.array([0.0, -0.0, math.inf, -math.inf, math.nan, 1.0, -1.0, 2.0], dtype=d.numpy)
    return [Case((a[:, None], a[None, :]), desc="special values")]


for _op in ("add", "sub", "mul", "div", "maximum", "minimum", "eq", "lt", "atan2", "pow"):
    _base = SPECS[_op].cases
    SPECS[_op].cases = (lambda base: lambda d, rng: base(d, rng) + _special_binary(d, rng))(_base)


def _where_cases(d, rng):
    out = []
    for sc, sx, sy in [((), (), ()), ((2, 3), (2, 3), (2, 3)), ((2, 3), (3,), (2, 1)),
                       ((3,), (2, 3), ()), ((0, 3), (3,), (0, 1))]:
        out.append(Case((values(rng, sc, _dtype.bool), values(rng, sx, d), values(rng, sy, d))))
    # decompositions pass a Python scalar for a branch: weak, the array's dtype wins
    cond = values(rng, (2, 3), _dtype.bool)
    out.append(Case((cond, values(rng, (2, 3), d), scalar_for(d, 1)), desc="scalar y"))
    out.append(Case((cond, scalar_for(d, 0), values(rng, (3,), d)), desc="scalar x"))
    return out


spec("where", ALL, cases=_where_cases, ref=np.where)


def _clip_cases(d, rng):
    lo, hi = scalar_for(d, -1), scalar_for(d, 2)
    if d is _dtype.uint8:
        lo = 1
    x = values(rng, (3, 4), d)
    return [Case((x, lo, hi)), Case((x, lo, None)), Case((x, None, hi)),
            Case((values(rng, (), d), lo, hi)), Case((values(rng, (0,), d), lo, hi))]


def _clip_ref(x, low, high):
    if low is not None:
        x = np.maximum(x, low)
    if high is not None:
        x = np.minimum(x, high)
    return x


spec("clip", NUMERIC, cases=_clip_cases, ref=_clip_ref)


# -- reductions -------------------------------------------------------------------------
_REDUCE_CASES = [((), None), ((5,), None), ((5,), (0,)), ((2, 3), None), ((2, 3), (0,)),
                 ((2, 3), (1,)), ((2, 3), (0, 1)), ((2, 3, 4), (0, 2)), ((0,), None),
                 ((2, 0), (1,)), ((2, 0), (0,))]


def _reduce_cases(kind="any", nonempty=False):
    def cases(d, rng):
        out = []
        for shape, axes in _REDUCE_CASES:
            if nonempty and any(shape[a] == 0 for a in (axes or range(len(shape)))):
                continue
            for keep in (False, True):
                out.append(Case((values(rng, shape, d, kind), axes, keep)))
        return out
    return cases


def _reduction(op, dtypes, ref, out_dtype=None, nonempty=False, kind="any", tol=None):
    spec(op, dtypes, cases=_reduce_cases(kind, nonempty), out_dtype=out_dtype,
         ref=lambda x, axes, keepdims: np.asarray(ref(x, axis=axes, keepdims=keepdims)),
         tol=tol if tol is not None else _LOW)


_reduction("sum", ALL, lambda x, **kw: np.sum(x, dtype=None if x.dtype.kind == "f" else np.int64,
                                              **kw), out_dtype=_widen)
_reduction("prod", ALL, lambda x, **kw: np.prod(x, dtype=None if x.dtype.kind == "f"
                                                else np.int64, **kw),
           out_dtype=_widen, kind="small")
_reduction("amax", ALL, np.amax, nonempty=True)
_reduction("amin", ALL, np.amin, nonempty=True)
_reduction("any", ALL, np.any, out_dtype=_to_bool)
_reduction("all", ALL, np.all, out_dtype=_to_bool)
_reduction("mean", FLOATS, np.mean)
_reduction("logsumexp", FLOATS, None, nonempty=True)


def _logsumexp_special(d, rng):
    x = np.array([[-math.inf, -math.inf], [math.inf, 1.0], [1000.0, 1000.0], [0.0, -math.inf]],
                 dtype=d.numpy)
    return [Case((x, (1,), False), desc="infinities"), Case((x, (1,), True), desc="infinities")]


def _logsumexp_ref(x, axes, keepdims):
    peak = np.amax(x, axis=axes, keepdims=True)
    peak = np.where(np.isfinite(peak), peak, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(np.sum(np.exp(x - peak), axis=axes, keepdims=True)) + peak
    if not keepdims:
        out = np.squeeze(out, axis=axes) if axes is not None else out.reshape(())
    return out


SPECS["logsumexp"].ref = _logsumexp_ref
SPECS["logsumexp"].cases = (lambda base: lambda d, rng: base(d, rng) + _logsumexp_special(d, rng))(
    SPECS["logsumexp"].cases)


def _var_cases(d, rng):
    out = []
    for shape, axes in [((5,), None), ((2, 3), (0,)), ((2, 3), (1,)), ((2, 3, 4), (0, 2)),
                        ((), None), ((2, 3), None)]:
        for correction in (0, 1, 2):
            for keep in (False, True):
                out.append(Case((values(rng, shape, d), axes, correction, keep)))
    return out


def _var_ref(x, axes, correction, keepdims):
    n = x.size if axes is None else math.prod(x.shape[a] for a in axes)
    centred = x - np.mean(x, axis=axes, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sum(centred * centred, axis=axes, keepdims=keepdims) / max(n - correction, 0)


spec("var", FLOATS, cases=_var_cases, ref=_var_ref, tol=_LOW)


def _arg_cases(d, rng):
    out = []
    for shape, axis in [((5,), None), ((5,), 0), ((2, 3), 0), ((2, 3), 1), ((2, 3, 4), 1),
                        ((), None), ((2, 3), None)]:
        for keep in (False, True):
            if axis is None and keep:
                continue
            out.append(Case((values(rng, shape, d), axis, keep)))
    ties = np.array([[1, 3, 3, 0], [2, 2, 0, 2]], dtype=d.numpy)
    out += [Case((ties, 1, False), desc="ties"), Case((ties, 0, False), desc="ties")]
    if d.is_floating_point:
        nan = np.array([1.0, math.nan, 3.0, math.nan], dtype=d.numpy)
        out.append(Case((nan, 0, False), desc="NaN wins"))
    return out


def _argref(f):
    def ref(x, axis, keepdims):
        if x.dtype.kind == "f" and np.isnan(x).any():
            return np.asarray(np.argmax(np.isnan(x), axis=axis, keepdims=keepdims))
        return np.asarray(f(x, axis=axis, keepdims=keepdims))
    return ref


spec("argmax", NUMERIC, cases=_arg_cases, ref=_argref(np.argmax),
     out_dtype=lambda d: I64)
spec("argmin", NUMERIC, cases=_arg_cases, ref=_argref(np.argmin),
     out_dtype=lambda d: I64)


def _scan_cases(kind):
    def cases(d, rng):
        return [Case((values(rng, s, d, kind), a)) for s, a in
                [((5,), 0), ((2, 3), 0), ((2, 3), 1), ((2, 3, 2), 2), ((0,), 0), ((2, 0), 1)]]
    return cases


spec("cumsum", ALL, cases=_scan_cases("any"), out_dtype=_widen, tol=_LOW,
     ref=lambda x, axis: np.cumsum(x, axis=axis, dtype=np.int64 if x.dtype.kind != "f"
                                   else None))
spec("cumprod", ALL, cases=_scan_cases("small"), out_dtype=_widen, tol=_LOW,
     ref=lambda x, axis: np.cumprod(x, axis=axis, dtype=np.int64 if x.dtype.kind != "f"
                                    else None))


def _softmax_cases(d, rng):
    out = [Case((values(rng, s, d), a)) for s, a in [((5,), 0), ((2, 3), 0), ((2, 3), 1),
                                                      ((2, 3, 4), 1), ((0, 3), 1)]]
    big = np.array([[1000.0, 1000.0, -1000.0], [-math.inf, 0.0, 1.0], [math.inf, 0.0, 1.0],
                    [-math.inf] * 3], dtype=d.numpy)  # the last two rows are nan, as in PyTorch
    out.append(Case((big, 1), desc="large and infinite values"))
    return out


def _softmax_ref(x, axis):
    e = np.exp(x - np.amax(x, axis=axis, keepdims=True)) if x.size else x
    return e / np.sum(e, axis=axis, keepdims=True) if x.size else x


def _log_softmax_ref(x, axis):
    if not x.size:
        return x
    peak = np.amax(x, axis=axis, keepdims=True)
    with np.errstate(divide="ignore"):
        return x - peak - np.log(np.sum(np.exp(x - peak), axis=axis, keepdims=True))


spec("softmax", FLOATS, cases=_softmax_cases, ref=_softmax_ref, tol=_LOW)
spec("log_softmax", FLOATS, cases=_softmax_cases, ref=_log_softmax_ref, tol=_LOW)


# -- views and layout --------------------------------------------------------------------
def _reshape_cases(d, rng):
    return [Case((values(rng, s, d), t)) for s, t in
            [((2, 3), (3, 2)), ((2, 3), (6,)), ((6,), (1, 2, 3)), ((), (1,)), ((1,), ()),
             ((2, 0), (0, 5)), ((2, 3, 4), (4, 6)), ((2, 3), (6,)), ((4, 3), (2, 6))]]
    # (no -1: core resolves it; the kernel takes a complete shape)


spec("reshape", ALL, cases=_reshape_cases, ref=np.reshape, view_of=0,
     view_layouts=("contiguous",))  # core's view() relies on it


def _permute_cases(d, rng):
    return [Case((values(rng, s, d), p)) for s, p in
            [((2, 3), (1, 0)), ((2, 3, 4), (2, 0, 1)), ((2, 3, 4), (0, 1, 2)), ((), ()),
             ((0, 3), (1, 0))]]


spec("permute", ALL, cases=_permute_cases, ref=np.transpose, view_of=0)


def _broadcast_cases(d, rng):
    return [Case((values(rng, s, d), t)) for s, t in
            [((3,), (2, 3)), ((2, 1), (2, 4)), ((), (3, 2)), ((1, 3), (2, 2, 3)), ((3,), (3,)),
             ((1,), (0,)), ((2, 1, 3), (2, 4, 3))]]


spec("broadcast_to", ALL, cases=_broadcast_cases, ref=np.broadcast_to, view_of=0)


def _keys(rng, shape):
    """getitem keys as core builds them (Ellipsis appended to basic keys; int64 arrays)."""
    i64 = np.int64
    return [
        ((0, Ellipsis), False), ((-1, Ellipsis), False), ((slice(1, 3), Ellipsis), False),
        ((slice(None), 1, Ellipsis), False), ((slice(None, None, 2), Ellipsis), False),
        ((None, Ellipsis), False), ((Ellipsis, None), False), ((1, 2, Ellipsis), False),
        ((slice(3, 1), Ellipsis), False), ((Ellipsis, 0), False),
        ((np.array([0, 2, 2, -1], dtype=i64),), True),
        ((slice(None), np.array([[1, 0], [2, 2]], dtype=i64)), True),
        ((np.array([0, 3], dtype=i64), np.array([1, 2], dtype=i64)), True),
        ((rng.integers(0, 2, shape).astype(bool),), True),
        ((np.array([True, False, True, True]),), True),
        ((np.array([], dtype=i64),), True),
    ]


def _getitem_cases(d, rng):
    x = values(rng, (4, 3, 2), d)
    return [Case((x, key), desc=repr(key)) for key, _ in _keys(rng, x.shape)]


spec("getitem", ALL, cases=_getitem_cases, ref=lambda x, key: np.asarray(x[key]))


def _setitem_cases(d, rng):
    x = values(rng, (4, 3, 2), d)
    out = []
    for key, _advanced in _keys(rng, x.shape):
        target_shape = np.asarray(x[key]).shape
        out.append(Case((x.copy(), key, values(rng, target_shape, d)), mutates=0,
                        desc=repr(key)))
        out.append(Case((x.copy(), key, values(rng, target_shape[-1:], d)), mutates=0,
                        desc=repr(key) + " broadcast value"))
        out.append(Case((x.copy(), key, values(rng, (), d)), mutates=0,
                        desc=repr(key) + " 0-d value"))
    return out


def _setitem_ref(x, key, value):
    out = x.copy()
    out[key] = value
    return out


spec("setitem", ALL, cases=_setitem_cases, ref=_setitem_ref)


def _index_add_cases(d, rng):
    x = values(rng, (4, 3), d)
    out = []
    for key in [(np.array([0, 2, 0, 0], dtype=np.int64),),
                (np.array([1, 1], dtype=np.int64), np.array([2, 2], dtype=np.int64)),
                (slice(None), np.array([0, 0, 2], dtype=np.int64)),
                (slice(1, 3), Ellipsis), (1, Ellipsis),
                (rng.integers(0, 2, (4, 3)).astype(bool),)]:
        shape = np.asarray(x[key]).shape
        out.append(Case((x.copy(), key, values(rng, shape, d)), mutates=0, desc=repr(key)))
    return out


def _index_add_ref(x, key, value):
    out = x.copy()
    np.add.at(out, key, value)
    return out


spec("index_add_at", NUMERIC, cases=_index_add_cases, ref=_index_add_ref, tol=_LOW)


def _concat_cases(d, rng):
    return [
        Case(([values(rng, (2, 3), d), values(rng, (1, 3), d)], 0)),
        Case(([values(rng, (2, 3), d), values(rng, (2, 1), d), values(rng, (2, 2), d)], 1)),
        Case(([values(rng, (2, 0), d), values(rng, (2, 2), d)], 1)),
        Case(([values(rng, (3,), d)], 0)),
        Case(([values(rng, (2, 2, 2), d), values(rng, (2, 2, 1), d)], 2)),
    ]


spec("concatenate", ALL, cases=_concat_cases, ref=lambda xs, axis: np.concatenate(xs, axis))


def _flip_cases(d, rng):
    return [Case((values(rng, s, d), a)) for s, a in
            [((5,), (0,)), ((2, 3), (0,)), ((2, 3), (1,)), ((2, 3), (0, 1)), ((), ()),
             ((0, 2), (1,)), ((2, 3, 4), (0, 2))]]


spec("flip", ALL, cases=_flip_cases, ref=lambda x, axes: np.flip(x, axes))


def _tile_cases(d, rng):
    return [Case((values(rng, s, d), r)) for s, r in
            [((3,), (2,)), ((2, 3), (2, 1)), ((2, 3), (3,)), ((2,), (2, 2)), ((), (3,)),
             ((2, 3), (1, 1)), ((2, 0), (2, 2)), ((2, 3), (0, 1))]]


spec("tile", ALL, cases=_tile_cases, ref=np.tile)


# -- indexing ---------------------------------------------------------------------------
def _along_cases(mutating, repeats=False):
    def cases(d, rng):
        out = []
        x = values(rng, (3, 4), d)
        for axis, idx_shape in [(0, (2, 4)), (1, (3, 2)), (1, (3, 4)), (0, (1, 4)), (1, (3, 0))]:
            n = x.shape[axis]
            if repeats:
                idx = rng.integers(0, n, idx_shape).astype(np.int64)
            elif mutating:  # distinct positions along the axis: the result is well defined
                idx = np.stack([rng.permutation(n)[:idx_shape[axis]]
                                for _ in range(idx_shape[1 - axis])], axis=1 - axis)
                idx = idx.astype(np.int64).reshape(idx_shape)
            else:
                idx = rng.integers(0, n, idx_shape).astype(np.int64)
            if mutating:
                out.append(Case((x.copy(), idx, values(rng, idx_shape, d), axis), mutates=0))
            else:
                out.append(Case((x, idx, axis)))
        return out
    return cases


def _put_ref(x, index, vals, axis):
    out = x.copy()
    np.put_along_axis(out, index, vals, axis)
    return out


def _add_along_ref(x, index, vals, axis):
    out = x.copy()
    grid = list(np.indices(index.shape, sparse=True))
    grid[axis] = index
    np.add.at(out, tuple(grid), vals)
    return out


spec("take_along_axis", ALL, cases=_along_cases(False),
     ref=lambda x, index, axis: np.take_along_axis(x, index, axis))
spec("put_along_axis", ALL, cases=_along_cases(True), ref=_put_ref)
spec("add_along_axis", NUMERIC, cases=_along_cases(True, repeats=True), ref=_add_along_ref,
     tol=_LOW)


def _nonzero_cases(d, rng):
    return [Case((values(rng, s, d),)) for s in [(0,), (6,), (2, 3), (2, 3, 2), (3, 0)]] + [
        Case((np.zeros((2, 2), d.numpy),), desc="all zero")]


spec("nonzero", ALL, cases=_nonzero_cases,
     ref=lambda x: tuple(i.astype(np.int64) for i in np.nonzero(x)),
     out_dtype=lambda d: EXACT)


def _sort_cases(d, rng):
    out = []
    for shape, axis in [((6,), 0), ((3, 4), 1), ((3, 4), 0), ((2, 3, 2), 1), ((0,), 0),
                        ((2, 0), 1)]:
        for descending in (False, True):
            x = values(rng, shape, d)  # ties happen: the stable order is checked
            out.append(Case((x, axis, descending, True)))
            out.append(Case((values(rng, shape, d, "distinct"), axis, descending, False)))
    if d.is_floating_point:
        x = np.array([1.0, math.nan, -math.inf, 0.0, math.inf, math.nan, -0.0], dtype=d.numpy)
        out += [Case((x, 0, False, True), desc="NaN last"), Case((x, 0, True, True),
                                                                desc="NaN first")]
    return out


def _nan_key(x):
    """A sort key in which NaN is the largest value (as PyTorch sorts)."""
    if x.dtype.kind != "f" and x.dtype != np.dtype("V2"):
        return x.astype(np.float64)
    x = x.astype(np.float64)
    return np.where(np.isnan(x), np.inf, x)


def _sort_check(ctx, impl, d):
    rng = ctx.rng("sort", d.name)
    n = 0
    for case in _sort_cases(d, rng):
        x, axis, descending, stable = case.args
        for layout in ("contiguous", "transposed"):
            vals, idx = impl(ctx.native(x, layout), axis, descending, stable)
            vals, idx = ctx.numpy(vals), ctx.numpy(idx)
            what = f"sort{x.shape} axis={axis} descending={descending} stable={stable} {layout}"
            assert idx.dtype == np.int64, f"{what}: indices are {idx.dtype}"
            assert vals.dtype == x.dtype, f"{what}: values are {vals.dtype}"
            ctx.compare_arrays(vals, np.take_along_axis(x, idx, axis), what + " values/indices",
                               equal_nan=True)
            key = _nan_key(x)
            sorted_key = np.take_along_axis(key, idx, axis)
            step = np.diff(sorted_key.astype(np.float64), axis=axis)
            bad = step > 0 if descending else step < 0
            if x.dtype.kind == "f":
                nan = np.isnan(np.take_along_axis(x, idx, axis))
                # NaN is greatest: last ascending, first descending
                nan_after = np.diff(nan.astype(np.int8), axis=axis)
                assert not ((nan_after < 0) if not descending else (nan_after > 0)).any(), \
                    f"{what}: NaN out of place: {vals}"
                bad = bad & ~np.isnan(step)
            assert not bad.any(), f"{what}: not sorted: {vals}"
            if stable:
                ties = np.diff(sorted_key.astype(np.float64), axis=axis) == 0
                order = np.diff(idx, axis=axis)
                assert not (ties & (order < 0)).any(), f"{what}: not stable: {idx}"
            n += 1
    return n


spec("sort", ALL, check=_sort_check)


# -- linear algebra ----------------------------------------------------------------------
def _matmul_cases(d, rng):
    return [Case((values(rng, a, d), values(rng, b, d))) for a, b in
            [((3, 4), (4, 2)), ((1, 1), (1, 1)), ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 1)),
             ((2, 1, 3, 4), (5, 4, 2)), ((0, 3), (3, 2)), ((3, 0), (0, 2)), ((2, 0, 3), (3, 4))]]


def _mm_tol():
    return {_dtype.float16: (1e-2, 1e-2), _dtype.bfloat16: (2e-2, 2e-2)}


spec("matmul", NUMERIC, cases=_matmul_cases, ref=np.matmul, tol=_mm_tol())


def _einsum_cases(d, rng):
    out = []
    for eq, shapes in [("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
                       ("i,i->", [(4,), (4,)]), ("ij->ji", [(2, 3)]), ("ii->i", [(3, 3)]),
                       ("ij->", [(2, 3)]), ("i,j->ij", [(3,), (2,)]),
                       ("ij,ij,ij->i", [(2, 3), (2, 3), (2, 3)]), ("ij,j->i", [(0, 3), (3,)])]:
        out.append(Case((eq, *[values(rng, s, d) for s in shapes]), desc=eq))
    return out


spec("einsum", NUMERIC, cases=_einsum_cases, ref=lambda eq, *xs: np.einsum(eq, *xs),
     tol=_mm_tol())


# -- convolution and pooling -------------------------------------------------------------
def _out_size(n, k, s, p, dl, ceil_mode=False):
    span = n + 2 * p - dl * (k - 1) - 1
    if ceil_mode:
        o = -(-span // s) + 1
        if (o - 1) * s >= n + p:
            o -= 1
        return o
    return span // s + 1


def _im2col_ref(x, kernel_size, stride, padding, dilation):
    out = tuple(_out_size(n, *a) for n, *a in zip(x.shape[2:], kernel_size, stride, padding,
                                                 dilation, strict=True))
    xp = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in padding])
    cols = np.zeros(x.shape[:2] + tuple(kernel_size) + out, dtype=x.dtype)
    for off in itertools.product(*(range(k) for k in kernel_size)):
        for pos in itertools.product(*(range(o) for o in out)):
            src = tuple(p * s + j * dl for p, s, j, dl in zip(pos, stride, off, dilation,
                                                             strict=True))
            cols[(slice(None), slice(None)) + off + pos] = xp[(slice(None), slice(None)) + src]
    return cols


def _col2im_ref(cols, input_shape, kernel_size, stride, padding, dilation):
    nd = len(kernel_size)
    spatial = input_shape[2:]
    out = cols.shape[2 + nd:]
    acc = np.zeros(tuple(input_shape[:2]) + tuple(n + 2 * p for n, p in zip(
        spatial, padding, strict=True)), dtype=cols.dtype)
    for off in itertools.product(*(range(k) for k in kernel_size)):
        for pos in itertools.product(*(range(o) for o in out)):
            dst = tuple(p * s + j * dl for p, s, j, dl in zip(pos, stride, off, dilation,
                                                             strict=True))
            acc[(slice(None), slice(None)) + dst] += cols[(slice(None), slice(None)) + off + pos]
    return acc[(slice(None), slice(None)) + tuple(slice(p, p + n) for n, p in
                                                  zip(spatial, padding, strict=True))]


def _conv_ref(x, w, stride, padding, dilation, groups):
    ks = w.shape[2:]
    cols = _im2col_ref(x, ks, stride, padding, dilation)  # (N, C, *k, *out)
    n, c = x.shape[:2]
    o = w.shape[0]
    out = cols.shape[2 + len(ks):]
    cols = cols.reshape(n, groups, c // groups, math.prod(ks), math.prod(out))
    wg = w.reshape(groups, o // groups, c // groups, math.prod(ks))
    res = np.einsum("gock,ngckp->ngop", wg, cols)
    return res.reshape((n, o) + tuple(out))


def _conv_bwd_input_ref(g, w, input_shape, stride, padding, dilation, groups):
    ks = w.shape[2:]
    n, o = g.shape[:2]
    c = input_shape[1]
    p = math.prod(g.shape[2:])
    wg = w.reshape(groups, o // groups, c // groups, math.prod(ks))
    gg = g.reshape(n, groups, o // groups, p)
    cols = np.einsum("gock,ngop->ngckp", wg, gg).reshape((n, c) + tuple(ks) + g.shape[2:])
    return _col2im_ref(cols, input_shape, ks, stride, padding, dilation)


def _conv_bwd_weight_ref(x, g, weight_shape, stride, padding, dilation, groups):
    ks = tuple(weight_shape[2:])
    n, c = x.shape[:2]
    o = weight_shape[0]
    cols = _im2col_ref(x, ks, stride, padding, dilation)
    p = math.prod(g.shape[2:])
    cols = cols.reshape(n, groups, c // groups, math.prod(ks), p)
    gg = g.reshape(n, groups, o // groups, p)
    return np.einsum("ngop,ngckp->gock", gg, cols).reshape(weight_shape)


# (input shape, kernel size, stride, padding, dilation)
_WINDOWS = [
    ((2, 3, 7), (3,), (1,), (0,), (1,)),
    ((1, 2, 8), (2,), (2,), (1,), (2,)),
    ((1, 2, 5, 6), (3, 2), (1, 2), (1, 0), (1, 1)),
    ((2, 1, 4, 4), (2, 2), (2, 2), (0, 0), (1, 1)),
    ((1, 2, 5, 5), (2, 2), (1, 1), (1, 1), (2, 2)),
    ((1, 1, 3, 3, 4), (2, 1, 2), (1, 1, 2), (0, 1, 1), (1, 1, 1)),
]


def _im2col_cases(d, rng):
    return [Case((values(rng, s, d), k, st, p, dl)) for s, k, st, p, dl in _WINDOWS]


def _col2im_cases(d, rng):
    out = []
    for s, k, st, p, dl in _WINDOWS:
        o = tuple(_out_size(n, *a) for n, *a in zip(s[2:], k, st, p, dl, strict=True))
        out.append(Case((values(rng, s[:2] + k + o, d), s, k, st, p, dl)))
    return out


def _conv_cases(d, rng):
    out = []
    for (s, k, st, p, dl), groups in zip(_WINDOWS, [1, 2, 1, 1, 2, 1], strict=True):
        c = s[1]
        w = values(rng, (2 * groups, c // groups) + k, d)
        out.append(Case((values(rng, s, d), w, st, p, dl, groups)))
    return out


def _conv_bwd_input_cases(d, rng):
    out = []
    for case in _conv_cases(d, rng):
        x, w, st, p, dl, groups = case.args
        o = _conv_ref(x.astype(np.float64), w.astype(np.float64), st, p, dl, groups).shape
        out.append(Case((values(rng, o, d), w, x.shape, st, p, dl, groups)))
    return out


def _conv_bwd_weight_cases(d, rng):
    out = []
    for case in _conv_cases(d, rng):
        x, w, st, p, dl, groups = case.args
        o = _conv_ref(x.astype(np.float64), w.astype(np.float64), st, p, dl, groups).shape
        out.append(Case((x, values(rng, o, d), w.shape, st, p, dl, groups)))
    return out


_CONV_TOL = {_dtype.float16: (1e-2, 2e-2), _dtype.bfloat16: (3e-2, 1e-1)}
spec("im2col", FLOATS, cases=_im2col_cases, ref=_im2col_ref)
spec("col2im", FLOATS, cases=_col2im_cases, ref=_col2im_ref, tol=_CONV_TOL)
spec("convolution", FLOATS, cases=_conv_cases, ref=_conv_ref, tol=_CONV_TOL)
spec("convolution_backward_input", FLOATS, cases=_conv_bwd_input_cases, ref=_conv_bwd_input_ref,
     tol=_CONV_TOL)
spec("convolution_backward_weight", FLOATS, cases=_conv_bwd_weight_cases,
     ref=_conv_bwd_weight_ref, tol=_CONV_TOL)


def _max_pool_ref(x, kernel_size, stride, padding, dilation, ceil_mode):
    spatial = x.shape[2:]
    out = tuple(_out_size(n, *a, ceil_mode) for n, *a in zip(spatial, kernel_size, stride,
                                                             padding, dilation, strict=True))
    vals = np.full(x.shape[:2] + out, -np.inf, dtype=np.float64)
    idx = np.zeros(x.shape[:2] + out, dtype=np.int64)
    for pos in itertools.product(*(range(o) for o in out)):
        for off in itertools.product(*(range(k) for k in kernel_size)):
            src = tuple(p * s + j * dl - pd for p, s, j, dl, pd in
                        zip(pos, stride, off, dilation, padding, strict=True))
            if any(not 0 <= i < n for i, n in zip(src, spatial, strict=True)):
                continue
            v = x[(slice(None), slice(None)) + src]
            flat = int(np.ravel_multi_index(src, spatial))
            better = (v > vals[(Ellipsis,) + pos]) | (np.isnan(v) & ~np.isnan(
                vals[(Ellipsis,) + pos]))
            vals[(Ellipsis,) + pos] = np.where(better, v, vals[(Ellipsis,) + pos])
            idx[(Ellipsis,) + pos] = np.where(better, flat, idx[(Ellipsis,) + pos])
    return vals, idx


def _pool_cases(d, rng):
    out = []
    for s, k, st, p, dl in _WINDOWS[:5]:
        p = tuple(min(pi, ki // 2) for pi, ki in zip(p, k, strict=True))
        for ceil_mode in (False, True):
            out.append(Case((values(rng, s, d, "distinct"), k, st, p, dl, ceil_mode)))
    ties = np.ones((1, 1, 4, 4), dtype=d.numpy)
    out.append(Case((ties, (2, 2), (2, 2), (0, 0), (1, 1), False), desc="ties: first maximum"))
    return out


spec("max_pool", FLOATS, cases=_pool_cases, ref=_max_pool_ref,
     out_dtype=lambda d: (d, I64))


def _pool_bwd_cases(d, rng):
    out = []
    for case in _pool_cases(d, rng):
        x = case.args[0]
        _, idx = _max_pool_ref(x.astype(np.float64), *case.args[1:])
        kernel_size, stride, dilation = case.args[1], case.args[2], case.args[4]
        overlapping = any(s < (k - 1) * dl + 1 for k, s, dl in zip(kernel_size, stride,
                                                                  dilation, strict=True))
        out.append(Case((values(rng, idx.shape, d), idx, x.shape, overlapping)))
        if not overlapping:  # the hint is only a hint: True must work everywhere
            out.append(Case((values(rng, idx.shape, d), idx, x.shape, True)))
    return out


def _pool_bwd_ref(g, indices, input_shape, overlapping):
    n, c = input_shape[:2]
    plane = math.prod(input_shape[2:])
    out = np.zeros((n * c, plane), dtype=g.dtype)
    rows = np.arange(n * c)[:, None]
    np.add.at(out, (rows, indices.reshape(n * c, -1)), g.reshape(n * c, -1))
    return out.reshape(input_shape)


spec("max_pool_backward", FLOATS, cases=_pool_bwd_cases, ref=_pool_bwd_ref, tol=_LOW)


# -- the tensor library: elementwise math ----------------------------------------------------
def _math_cases(domain):
    """Random values in ``domain`` (low, high) plus 0-d, empty and special values."""
    lo, hi = domain

    def cases(d, rng):
        out = [Case((rng.uniform(lo, hi, s).astype(d.numpy),)) for s in [(5,), (3, 4), ()]]
        out.append(Case((np.zeros((0, 2), d.numpy),)))
        return out
    return cases


_MATH_TOL = {_dtype.float16: (2e-3, 1e-3), _dtype.bfloat16: (1.6e-2, 1e-3),
             _dtype.float32: (1e-5, 1e-6)}
for _name, _ref, _domain in [
        ("exp2", np.exp2, (-4, 4)), ("log2", np.log2, (0.1, 8)), ("log10", np.log10, (0.1, 8)),
        ("tan", np.tan, (-1.2, 1.2)), ("asin", np.arcsin, (-0.99, 0.99)),
        ("acos", np.arccos, (-0.99, 0.99)), ("atan", np.arctan, (-5, 5)),
        ("sinh", np.sinh, (-4, 4)), ("cosh", np.cosh, (-4, 4)), ("asinh", np.arcsinh, (-5, 5)),
        ("acosh", np.arccosh, (1.01, 6)), ("atanh", np.arctanh, (-0.95, 0.95))]:
    spec(_name, FLOATS, cases=_math_cases(_domain), ref=_ref, tol=_MATH_TOL, out_kw=True)


def _load_special():
    import json
    import pathlib

    path = pathlib.Path(__file__).parent / "data" / "special.json"
    raw = json.loads(path.read_text())

    def decode(values):
        return np.array([float(v) for v in values], dtype=np.float64)
    table = {name: (decode(f["x"]), decode(f["y"])) for name, f in raw["functions"].items()}
    poly = {int(n): (decode(f["x"]), decode(f["y"])) for n, f in raw["polygamma"].items()}
    return table, poly


_SPECIAL_TABLE, _POLYGAMMA_TABLE = _load_special()
_SPECIAL_TOL = {_dtype.float16: (4e-3, 2e-3), _dtype.bfloat16: (2e-2, 1e-2),
                _dtype.float32: (2e-5, 1e-5), _dtype.float64: (1e-9, 1e-12)}


def _special_spec(name):
    xs, ys = _SPECIAL_TABLE[name]
    lookup = {float(x): y for x, y in zip(xs, ys, strict=True) if not np.isnan(x)}

    def ref(x):
        flat = [np.nan if np.isnan(v) else lookup[float(v)] for v in x.reshape(-1)]
        return np.array(flat, dtype=np.float64).reshape(x.shape)

    def cases(d, rng):
        x = xs.astype(d.numpy)
        perm = rng.permutation(len(xs))
        return [Case((x,)), Case((x[perm[:12]].reshape(3, 4),)), Case((x[:1].reshape(()),)),
                Case((np.zeros((0,), d.numpy),))]
    spec(name, FLOATS, cases=cases, ref=ref, tol=_SPECIAL_TOL, out_kw=True)


for _name in ("erf", "erfc", "erfinv", "lgamma", "digamma", "i0", "i0e", "i1", "i1e"):
    _special_spec(_name)


def _polygamma_cases(d, rng):
    out = []
    for n, (xs, _) in _POLYGAMMA_TABLE.items():
        out.append(Case((n, xs.astype(d.numpy))))
        out.append(Case((n, xs[:6].astype(d.numpy).reshape(2, 3))))
    return out


def _polygamma_ref(n, x):
    xs, ys = _POLYGAMMA_TABLE[n]
    lookup = dict(zip(xs.tolist(), ys.tolist(), strict=True))
    return np.array([lookup[float(v)] for v in x.reshape(-1)]).reshape(x.shape)


spec("polygamma", FLOATS, cases=_polygamma_cases, ref=_polygamma_ref, tol=_SPECIAL_TOL,
     out_kw=True)


def _signbit_cases(d, rng):
    out = [Case((values(rng, s, d),)) for s in [(5,), (3, 4), (), (0,)]]
    if d.is_floating_point:
        out.append(Case((np.array([0.0, -0.0, math.inf, -math.inf, -1e-3, 2.0], d.numpy),),
                        desc="signed zeros"))
    return out


spec("signbit", NUMERIC, cases=_signbit_cases, ref=np.signbit, out_dtype=_to_bool, out_kw=True)


def _float_binary(op, ref, tol=None, kinds=("any", "any")):
    spec(op, FLOATS, cases=_binary_cases(*kinds), ref=ref, tol=tol or {}, out_kw=True)
    base = SPECS[op].cases
    SPECS[op].cases = lambda d, rng: base(d, rng) + _special_binary(d, rng)


_float_binary("copysign", np.copysign)
_float_binary("fmax", np.fmax)
_float_binary("fmin", np.fmin)
_float_binary("hypot", np.hypot, _MATH_TOL)
_float_binary("logaddexp", np.logaddexp, _MATH_TOL)


def _fmod_ref(a, b):
    if np.asarray(a).dtype.kind in "iub" and np.asarray(b).dtype.kind in "iub":
        return np.fmod(a, b)
    return np.fmod(np.asarray(a, np.float64), b)


spec("fmod", NUMERIC, cases=_binary_cases("any", "nonzero", scalar_b=-2), ref=_fmod_ref,
     out_kw=True)


def _shift_cases(d, rng):
    bits = d.itemsize * 8
    x = values(rng, (3, 4), d)
    shifts = rng.integers(0, bits, (3, 4)).astype(d.numpy)
    out = [Case((x, shifts)), Case((x, shifts[0])), Case((values(rng, (), d), shifts[:1, :1])),
           Case((x, 2), desc="scalar shift")]
    edge = np.array([0, 1, bits - 1, bits, bits + 3] + ([-1] if d is not _dtype.uint8 else []),
                    dtype=np.int64)
    big = np.array([1, -8, 5, -1, 7, 3][:len(edge)], dtype=np.int64)
    if d is _dtype.uint8:
        big = np.abs(big)
    out.append(Case((big.astype(d.numpy), edge.astype(d.numpy)), desc="shifts out of range"))
    return out


def _shift_ref(left):
    def ref(x, y):
        x = np.asarray(x, np.int64)
        y = np.asarray(y, np.int64)
        bits = 8 * _SHIFT_BITS[0]
        inside = (y >= 0) & (y < bits)
        ys = np.where(inside, y, 0)
        if left:
            return np.where(inside, x << ys, 0)
        return np.where(inside, x >> ys, np.where(x < 0, -1, 0))
    return ref


_SHIFT_BITS = [1]  # the width of the dtype under test: the reference sees int64 operands


def _shift_cases_for(d, rng):
    _SHIFT_BITS[0] = d.itemsize  # cases are built just before their references are computed
    return _shift_cases(d, rng)


spec("bitwise_left_shift", INTS, cases=_shift_cases_for, ref=_shift_ref(True), out_kw=True)
spec("bitwise_right_shift", INTS, cases=_shift_cases_for, ref=_shift_ref(False), out_kw=True)


# -- the tensor library: scans and search ------------------------------------------------------
def _cum_extreme_ref(greater):
    def ref(x, axis):
        x = np.moveaxis(np.asarray(x), axis, -1)
        vals = np.empty_like(x)
        idx = np.zeros(x.shape, np.int64)
        for pos in np.ndindex(*x.shape[:-1]):
            best, at = None, 0
            for i, v in enumerate(x[pos]):
                if best is None or np.isnan(v) or (not np.isnan(best) and (
                        v >= best if greater else v <= best)):
                    best, at = v, i
                vals[pos + (i,)] = best
                idx[pos + (i,)] = at
        return np.moveaxis(vals, -1, axis), np.moveaxis(idx, -1, axis)
    return ref


def _cum_extreme_cases(d, rng):
    out = [Case((values(rng, s, d), a)) for s, a in
           [((6,), 0), ((2, 5), 1), ((3, 2), 0), ((0,), 0), ((2, 0), 1)]]
    ties = np.array([2, 1, 2, 2, 0, 1], d.numpy)
    out.append(Case((ties, 0), desc="ties: latest index"))
    if d.is_floating_point:
        out.append(Case((np.array([1.0, math.nan, 3.0, math.nan, 0.5], d.numpy), 0),
                        desc="NaN propagates"))
    return out


spec("cummax", NUMERIC, cases=_cum_extreme_cases, ref=_cum_extreme_ref(True),
     out_dtype=lambda d: (d, I64))
spec("cummin", NUMERIC, cases=_cum_extreme_cases, ref=_cum_extreme_ref(False),
     out_dtype=lambda d: (d, I64))


def _logcumsumexp_cases(d, rng):
    out = [Case((values(rng, s, d), a)) for s, a in [((6,), 0), ((2, 5), 1), ((3, 2), 0),
                                                     ((0,), 0)]]
    out.append(Case((np.array([-math.inf, 0.0, 30.0, 30.0, -math.inf], d.numpy), 0),
                    desc="infinite and large values"))
    return out


def _logcumsumexp_ref(x, axis):
    if not x.size:
        return x
    peak = np.maximum.accumulate(np.where(np.isfinite(x), x, -np.inf), axis=axis)
    peak = np.where(np.isfinite(peak), peak, 0)
    top = np.max(np.where(np.isfinite(x), x, -np.inf), axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0)
    with np.errstate(divide="ignore"):
        return np.log(np.cumsum(np.exp(x - top), axis=axis)) + top + 0 * peak


spec("logcumsumexp", FLOATS, cases=_logcumsumexp_cases, ref=_logcumsumexp_ref, tol=_LOW)


def _searchsorted_cases(d, rng):
    out = []
    seq = np.sort(values(rng, (7,), d))
    for right in (False, True):
        out.append(Case((seq, values(rng, (5,), d), right)))
        out.append(Case((seq, seq.copy(), right), desc="values in the sequence"))
        batch = np.sort(values(rng, (2, 6), d), axis=-1)
        out.append(Case((batch, values(rng, (2, 4), d), right), desc="batched"))
        out.append(Case((seq, values(rng, (0,), d), right), desc="no values"))
    if d.is_floating_point:
        seq = np.array([-1.0, 0.0, 2.0, math.nan, math.nan], d.numpy)
        vals = np.array([math.nan, 2.0, -math.inf, math.inf], d.numpy)
        out += [Case((seq, vals, False), desc="NaN last"), Case((seq, vals, True),
                                                               desc="NaN last")]
    return out


def _bisect(seq, value, right):
    """PyTorch's binary search: NaN compares false, so NaN values land past the end."""
    start, end = 0, len(seq)
    while start < end:
        mid = start + (end - start) // 2
        if not (seq[mid] > value if right else seq[mid] >= value):
            start = mid + 1
        else:
            end = mid
    return start


def _searchsorted_ref(seq, vals, right):
    out = np.empty(vals.shape, np.int64)
    for pos in np.ndindex(*vals.shape):
        row = seq if seq.ndim == 1 else seq[pos[:-1]]
        out[pos] = _bisect(row, vals[pos], right)
    return out


spec("searchsorted", NUMERIC, cases=_searchsorted_cases, ref=_searchsorted_ref,
     out_dtype=lambda d: I64)


# -- the tensor library: linear algebra ----------------------------------------------------------
_LA_DTYPES = (_dtype.float32, _dtype.float64)
_LA_TOL = {_dtype.float32: (1e-4, 1e-4), _dtype.float64: (1e-10, 1e-10)}


def _la_tol(d):
    return _LA_TOL[d]


def _matrices(rng, d, shape, kind="general"):
    a = rng.uniform(-1, 1, shape)
    n = shape[-1]
    if kind == "spd":
        a = a @ np.swapaxes(a, -1, -2) + n * np.eye(n)
    elif kind == "wellconditioned":
        a = a + n * np.eye(n) if shape[-1] == shape[-2] else a
    return a.astype(d.numpy)


def _lu_ref(a):
    """P A = L U by Doolittle with partial pivoting (LAPACK's getrf choice of pivots)."""
    a = np.array(a, dtype=np.float64)
    m, n = a.shape
    k = min(m, n)
    piv = np.zeros(k, np.int64)
    info = 0
    for j in range(k):
        p = j + int(np.argmax(np.abs(a[j:, j])))
        piv[j] = p + 1
        if a[p, j] == 0:
            if info == 0:
                info = j + 1
            continue
        if p != j:
            a[[j, p]] = a[[p, j]]
        a[j + 1:, j] /= a[j, j]
        a[j + 1:, j + 1:] -= np.outer(a[j + 1:, j], a[j, j + 1:])
    return a, piv, info


def _lu_check(ctx, impl, d):
    rng = ctx.rng("lu_factor", d.name)
    tol = _la_tol(d)
    n = 0
    for shape in [(3, 3), (4, 4), (2, 3, 3), (3, 5), (5, 3), (1, 1), (0, 0)]:
        a = _matrices(rng, d, shape)
        for layout in ("contiguous", "transposed"):
            lu, piv, info = impl(ctx.native(a, layout))
            lu, piv, info = ctx.numpy(lu), ctx.numpy(piv), ctx.numpy(info)
            assert piv.dtype == np.int64 and info.dtype == np.int64
            assert lu.dtype == a.dtype and lu.shape == a.shape
            for pos in np.ndindex(*shape[:-2]):
                elu, epiv, einfo = _lu_ref(a[pos].astype(np.float64))
                ctx.compare_arrays(lu[pos], elu.astype(d.numpy), f"LU of {shape}", *tol)
                assert piv[pos].tolist() == epiv.tolist(), f"pivots {piv[pos]} != {epiv}"
                assert int(info[pos]) == einfo
            n += 1
    singular = np.array([[1.0, 2.0], [2.0, 4.0]], d.numpy)
    _, _, info = impl(ctx.native(singular))
    assert int(ctx.numpy(info)) == 2, "info must name the first zero pivot (1-based)"
    return n


spec("lu_factor", _LA_DTYPES, check=_lu_check)


def _lu_solve_check(ctx, impl, d):
    rng = ctx.rng("lu_solve", d.name)
    n = 0
    for a_shape, b_shape in [((3, 3), (3, 2)), ((4, 4), (4, 1)), ((2, 3, 3), (2, 3, 4)),
                             ((1, 1), (1, 1))]:
        a = _matrices(rng, d, a_shape, "wellconditioned")
        b = rng.uniform(-1, 1, b_shape).astype(d.numpy)
        lu = np.empty_like(a)
        piv = np.empty(a_shape[:-1], np.int64)
        for pos in np.ndindex(*a_shape[:-2]):
            lu[pos], piv[pos], _ = _lu_ref(a[pos])
        x = impl(ctx.native(lu), ctx.native(piv), ctx.native(b))
        expected = np.linalg.solve(a.astype(np.float64), b.astype(np.float64))
        ctx.compare(x, expected.astype(d.numpy), f"lu_solve {a_shape} {b_shape}", *_la_tol(d))
        n += 1
    return n


spec("lu_solve", _LA_DTYPES, check=_lu_solve_check)


def _triangular_check(ctx, impl, d):
    rng = ctx.rng("triangular_solve", d.name)
    n = 0
    for a_shape, b_shape, left in [((3, 3), (3, 2), True), ((3, 3), (2, 3), False),
                                   ((2, 4, 4), (2, 4, 1), True), ((1, 1), (1, 3), True)]:
        a = _matrices(rng, d, a_shape, "wellconditioned")
        b = rng.uniform(-1, 1, b_shape).astype(d.numpy)
        for upper in (True, False):
            for unit in (False, True):
                tri = np.triu(a) if upper else np.tril(a)
                if unit:
                    idx = np.arange(a_shape[-1])
                    tri = tri.copy()
                    tri[..., idx, idx] = 1
                t64, b64 = tri.astype(np.float64), b.astype(np.float64)
                if left:
                    expected = np.linalg.solve(t64, b64)
                else:
                    expected = np.swapaxes(np.linalg.solve(np.swapaxes(t64, -1, -2),
                                                           np.swapaxes(b64, -1, -2)), -1, -2)
                x = impl(ctx.native(a, "transposed"), ctx.native(b), upper, left, unit)
                ctx.compare(x, expected.astype(d.numpy),
                            f"triangular_solve {a_shape} upper={upper} left={left} unit={unit}",
                            *_la_tol(d))
                n += 1
    return n


spec("triangular_solve", _LA_DTYPES, check=_triangular_check)


def _cholesky_check(ctx, impl, d):
    rng = ctx.rng("cholesky", d.name)
    n = 0
    for shape in [(3, 3), (2, 4, 4), (1, 1), (0, 0)]:
        a = _matrices(rng, d, shape, "spd")
        low, info = impl(ctx.native(a))
        expected = np.linalg.cholesky(a.astype(np.float64)) if a.size else a
        ctx.compare(low, expected.astype(d.numpy), f"cholesky {shape}", *_la_tol(d))
        assert not ctx.numpy(info).any() and ctx.numpy(info).shape == shape[:-2]
        n += 1
    bad = np.array([[4.0, 2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 1.0]], d.numpy)
    _, info = impl(ctx.native(bad))
    assert int(ctx.numpy(info)) == 2, "info: order of the first non positive-definite minor"
    return n + 1


spec("cholesky", _LA_DTYPES, check=_cholesky_check)


def _qr_check(ctx, impl, d):
    rng = ctx.rng("qr", d.name)
    tol = _la_tol(d)
    n = 0
    for shape in [(3, 3), (4, 2), (2, 4), (2, 3, 2), (1, 1)]:
        a = _matrices(rng, d, shape)
        a64 = a.astype(np.float64)
        for mode in ("reduced", "complete", "r"):
            q, r = impl(ctx.native(a, "transposed"), mode)
            q, r = ctx.numpy(q), ctx.numpy(r)
            eq, er = np.linalg.qr(a64, mode="reduced" if mode == "r" else mode)
            # LAPACK's signs: compare with NumPy's (LAPACK) factors directly
            ctx.compare_arrays(r, er.astype(d.numpy), f"qr R {shape} {mode}", *tol)
            if mode == "r":
                assert q.size == 0
            else:
                ctx.compare_arrays(q, eq.astype(d.numpy), f"qr Q {shape} {mode}", *tol)
            n += 1
    return n


spec("qr", _LA_DTYPES, check=_qr_check)


def _eigh_check(ctx, impl, d):
    rng = ctx.rng("eigh", d.name)
    tol = _la_tol(d)
    for shape in [(3, 3), (2, 4, 4), (1, 1)]:
        a = _matrices(rng, d, shape)
        sym = (a + np.swapaxes(a, -1, -2)).astype(d.numpy)
        junk = np.triu(rng.uniform(5, 6, shape), 1).astype(d.numpy)  # only the lower triangle
        w, v = impl(ctx.native(np.tril(sym) + junk))
        w, v = ctx.numpy(w), ctx.numpy(v)
        s64 = sym.astype(np.float64)
        ctx.compare_arrays(w, np.linalg.eigvalsh(s64).astype(d.numpy), f"eigh values {shape}",
                           *tol)
        recon = v.astype(np.float64) @ (w.astype(np.float64)[..., None] *
                                        np.swapaxes(v.astype(np.float64), -1, -2))
        ctx.compare_arrays(recon.astype(d.numpy), sym, f"eigh V diag(w) V^T {shape}", *tol)
    return 3


spec("eigh", _LA_DTYPES, check=_eigh_check)


def _svd_check(ctx, impl, d):
    rng = ctx.rng("svd", d.name)
    tol = _la_tol(d)
    n = 0
    for shape in [(3, 3), (4, 2), (2, 4), (2, 3, 2)]:
        a = _matrices(rng, d, shape)
        for full in (False, True):
            u, s, vh = (ctx.numpy(x) for x in impl(ctx.native(a), full))
            m, k = shape[-2], shape[-1]
            r = min(m, k)
            assert u.shape == shape[:-2] + ((m, m) if full else (m, r))
            assert vh.shape == shape[:-2] + ((k, k) if full else (r, k))
            ctx.compare_arrays(s, np.linalg.svd(a.astype(np.float64), compute_uv=False)
                               .astype(d.numpy), f"svd S {shape}", *tol)
            recon = (u[..., :, :r].astype(np.float64) * s.astype(np.float64)[..., None, :]) @ \
                vh[..., :r, :].astype(np.float64)
            ctx.compare_arrays(recon.astype(d.numpy), a, f"svd U S Vh {shape} full={full}", *tol)
            n += 1
    return n


spec("svd", _LA_DTYPES, check=_svd_check)


# -- nn helpers and views of the tensor library ---------------------------------------------
def _threshold_cases(d, rng):
    out = []
    for shape in [(5,), (3, 4), (), (0,)]:
        out.append(Case((values(rng, shape, d), values(rng, shape, d), scalar_for(d, 0))))
    x = np.array([0, 1, 2, 3], d.numpy)
    out.append(Case((values(rng, (4,), d), x, scalar_for(d, 1)), desc="at the threshold"))
    return out


spec("threshold_backward", NUMERIC, cases=_threshold_cases,
     ref=lambda g, x, threshold: np.where(x > threshold, g, 0))


def _diagonal_check(ctx, impl, d):
    rng = ctx.rng("diagonal", d.name)
    n = 0
    for shape, offset, a1, a2 in [((3, 3), 0, 0, 1), ((3, 4), 1, 0, 1), ((4, 3), -2, 0, 1),
                                  ((2, 3, 4), 0, 1, 2), ((2, 3, 4), 1, 2, 0),
                                  ((3, 4), 5, 0, 1), ((3, 3), 0, 1, 0)]:
        x = values(rng, shape, d)
        for layout in ("contiguous", "transposed", "strided"):
            what = f"diagonal {shape} offset={offset} axes=({a1}, {a2}) [{layout}]"
            native = ctx.native(x, layout)
            out = impl(native, offset, a1, a2)
            expected = np.diagonal(x, offset, a1, a2)
            ctx.compare(out, expected.copy(), what)
            if expected.size and layout != "strided" and (
                    getattr(impl, "func", None) is None or _mergeable(native, a1, a2)):
                # a view both ways: the base's writes show in it, its writes reach the base
                ctx.write_first(native, (np.logical_not(x.flat[0]) if d is _dtype.bool
                                         else x.flat[0] + 1).item())
                base = ctx.numpy(native)
                ctx.compare(out, np.diagonal(base, offset, a1, a2).copy(),
                            what + ": does not see writes to its base")
                fill = values(rng, expected.shape, d)
                ctx.k.setitem(out, (Ellipsis,), ctx.native(fill))
                got = np.diagonal(ctx.numpy(native), offset, a1, a2)
                ctx.compare_arrays(got, fill, what + ": writes do not reach the base")
            n += 1
    return n


def _mergeable(x, a1, a2):
    """Whether core's decomposition can return a view (it documents a copy otherwise): the
    two axes, ordered by stride, merge into one."""
    if x.strides[a1] < x.strides[a2]:
        a1, a2 = a2, a1
    return x.shape[a1] == 1 or x.shape[a2] == 1 or x.strides[a1] == x.shape[a2] * x.strides[a2]


spec("diagonal", ALL, check=_diagonal_check)


def _scatter_reduce_cases(d, rng):
    out = []
    for reduce in ("sum", "prod", "amax", "amin"):
        kind = "small" if reduce == "prod" else "any"
        x = values(rng, (3, 4), d, kind)
        for axis, idx_shape in [(0, (5, 4)), (1, (3, 6)), (1, (2, 3)), (0, (0, 4))]:
            idx = rng.integers(0, x.shape[axis], idx_shape).astype(np.int64)
            out.append(Case((x.copy(), idx, values(rng, idx_shape, d, kind), axis, reduce),
                            mutates=0, desc=reduce))
        if d.is_floating_point and reduce in ("amax", "amin"):
            vals = np.array([[1.0, math.nan], [2.0, 0.5]], d.numpy)
            out.append(Case((np.zeros((2, 2), d.numpy), np.array([[0, 0], [0, 0]]), vals, 0,
                             reduce), mutates=0, desc="NaN propagates"))
    return out


def _scatter_reduce_ref(x, index, vals, axis, reduce):
    out = x.copy()
    for pos in np.ndindex(*index.shape):
        dst = list(pos)
        dst[axis] = index[pos]
        dst = tuple(dst)
        a, b = out[dst], vals[pos]
        if reduce == "sum":
            out[dst] = a + b
        elif reduce == "prod":
            out[dst] = a * b
        elif np.isnan(a) or np.isnan(b):
            out[dst] = np.nan
        else:
            out[dst] = max(a, b) if reduce == "amax" else min(a, b)
    return out


spec("scatter_reduce", NUMERIC, cases=_scatter_reduce_cases, ref=_scatter_reduce_ref, tol=_LOW)

from . import kernel_specs_nn  # noqa: E402,F401  (the fused nn ops' specs register themselves)

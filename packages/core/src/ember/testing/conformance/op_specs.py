"""The public-API conformance table: ember's functions, methods and operators as PyTorch's.

Each ``OpInfo`` names a public function, its NumPy reference, sample inputs per dtype, the
Tensor method / in-place method / Python operator that must agree with it, whether it
takes ``out=``, whether it is differentiable (checked with ``gradcheck`` in float64) and
which kernels of the op list it exercises. ``test_ops.py`` runs the table.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ... import _dtype
from ._harness import ALL, BOOL, FLOATS, INTS, NUMERIC, Expanded, scalar_for, values

I64 = _dtype.int64


@dataclass
class Sample:
    args: tuple
    kwargs: dict = field(default_factory=dict)
    desc: str = ""


@dataclass
class OpInfo:
    name: str
    fn: Callable                      # ember function, called with tensors for arrays
    ref: Callable                     # NumPy reference on float64 / int64 / bool arrays
    samples: Callable                 # (dtype, rng) -> list[Sample]
    dtypes: tuple
    kernels: tuple                    # ops of ember.backends.base.OPS this exercises
    method: str | None = None         # Tensor method taking the same arguments after self
    inplace: str | None = None        # in-place Tensor method (self is the first argument)
    operator: Callable | None = None  # Python operator on the first two arguments
    out: bool = False                 # takes out=
    grad: bool = True                 # differentiable: gradcheck in float64
    result: Callable | None = None    # dtype -> result dtype (default: the input dtype)
    grad_samples: Callable | None = None  # rng -> float64 samples for gradcheck
    tol: dict = field(default_factory=dict)
    noncontiguous: bool = True        # also run on non-contiguous inputs (not: view)


OPS: list[OpInfo] = []


def op(name, fn, ref, samples, dtypes, kernels, **kwargs):
    info = OpInfo(name, fn, ref, samples, tuple(dtypes), tuple(kernels), **kwargs)
    OPS.append(info)
    return info


def _e():
    import ember

    return ember


def _fn(name):
    def call(*args, **kwargs):
        return getattr(_e(), name)(*args, **kwargs)
    call.__name__ = name
    return call


def _float(d):
    return d if d.is_floating_point else _dtype.get_default_dtype()


def _bool(d):
    return _dtype.bool


def _widen(d):
    return d if d.is_floating_point else I64


def _i64(d):
    return I64


_LOW = {_dtype.float16: (1e-2, 1e-2), _dtype.bfloat16: (5e-2, 5e-2)}


# -- elementwise binary ------------------------------------------------------------------
_SHAPES2 = [((), ()), ((4,), (4,)), ((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)),
            ((3,), (2, 3)), ((0, 3), (3,)), ((2, 3), ())]


def _binary_samples(ka="any", kb="any", scalar=2, scalar_first=True):
    def samples(d, rng):
        out = [Sample((values(rng, a, d, ka), values(rng, b, d, kb))) for a, b in _SHAPES2]
        out.append(Sample((values(rng, (2, 3), d, ka), Expanded(values(rng, (2, 1), d, kb),
                                                                 (2, 3))), desc="expanded"))
        s = scalar_for(d, abs(scalar) if d is _dtype.uint8 else scalar)
        out.append(Sample((values(rng, (2, 3), d, ka), s), desc="tensor op scalar"))
        if scalar_first:
            out.append(Sample((scalar_for(d, 3), values(rng, (2, 3), d, kb)),
                              desc="scalar op tensor"))
        return out
    return samples


def _grad_binary(ka="any", kb="any"):
    def samples(rng):
        d = _dtype.float64
        return [Sample((values(rng, (2, 3), d, ka), values(rng, (2, 3), d, kb))),
                Sample((values(rng, (2, 3), d, ka), values(rng, (3,), d, kb)), desc="broadcast"),
                Sample((values(rng, (), d, ka), values(rng, (2, 1), d, kb)), desc="0-d"),
                Sample((values(rng, (2, 3), d, ka), 1.5), desc="scalar")]
    return samples


def binary(name, ref, dtypes, kernels=None, ka="any", kb="any", result=None, scalar=2,
           grad=True, op_=None, inplace=True, **kwargs):
    return op(name, _fn(name), ref, _binary_samples(ka, kb, scalar), dtypes,
              kernels or (name,), method=name, inplace=name + "_" if inplace else None,
              operator=op_, out=True, grad=grad, result=result,
              grad_samples=_grad_binary(ka, kb) if grad else None, **kwargs)


binary("add", np.add, ALL, op_=operator.add)
binary("sub", np.subtract, NUMERIC, op_=operator.sub)
binary("mul", np.multiply, ALL, op_=operator.mul)
binary("div", np.true_divide, NUMERIC, kb="nonzero", result=_float, op_=operator.truediv)
binary("floor_divide", np.floor_divide, NUMERIC, kb="nonzero", scalar=-2, grad=False,
       op_=operator.floordiv)
binary("remainder", np.remainder, NUMERIC, kb="nonzero", scalar=-2, op_=operator.mod)
binary("pow", np.power, NUMERIC, kernels=("pow", "mul"), ka="pos", kb="small",
       op_=operator.pow)
binary("maximum", np.maximum, ALL, kb="any")
binary("minimum", np.minimum, ALL, kb="any")
binary("atan2", np.arctan2, NUMERIC, result=_float)
for _name, _ref, _op in [("eq", np.equal, operator.eq), ("ne", np.not_equal, operator.ne),
                         ("lt", np.less, operator.lt), ("le", np.less_equal, operator.le),
                         ("gt", np.greater, operator.gt), ("ge", np.greater_equal, operator.ge)]:
    binary(_name, _ref, ALL, result=_bool, grad=False, op_=_op, scalar=1, inplace=False)
for _name, _ref in [("logical_and", np.logical_and), ("logical_or", np.logical_or),
                    ("logical_xor", np.logical_xor)]:
    binary(_name, _ref, ALL, result=_bool, grad=False, scalar=1, inplace=False)
for _name, _ref, _op in [("bitwise_and", np.bitwise_and, operator.and_),
                         ("bitwise_or", np.bitwise_or, operator.or_),
                         ("bitwise_xor", np.bitwise_xor, operator.xor)]:
    binary(_name, _ref, BOOL + INTS, grad=False, op_=_op, scalar=3)


def _true_sub(d, rng):
    return [Sample((values(rng, (2, 3), d), values(rng, (3,), d)), {"alpha": 2})]


op("add_alpha", lambda a, b, alpha: _e().add(a, b, alpha=alpha),
   lambda a, b, alpha: a + alpha * b, _true_sub, FLOATS + (I64,), ("add", "mul"),
   grad_samples=lambda rng: _true_sub(_dtype.float64, rng))
op("sub_alpha", lambda a, b, alpha: _e().sub(a, b, alpha=alpha),
   lambda a, b, alpha: a - alpha * b, _true_sub, FLOATS + (I64,), ("sub", "mul"),
   grad_samples=lambda rng: _true_sub(_dtype.float64, rng))


def _div_mode(mode):
    def ref(a, b):
        q = np.true_divide(a, b)
        if all(np.asarray(v).dtype.kind != "f" for v in (a, b)):
            # integer division rounds the exact quotient
            return np.trunc(q) if mode == "trunc" else np.floor_divide(a, b)
        return np.trunc(q) if mode == "trunc" else np.floor(q)
    return ref


for _mode in ("trunc", "floor"):
    op(f"div_{_mode}", (lambda m: lambda a, b: _e().div(a, b, rounding_mode=m))(_mode),
       _div_mode(_mode), _binary_samples("any", "nonzero", -2), NUMERIC,
       ("div", "trunc", "floor_divide"), grad=False)


# -- elementwise unary --------------------------------------------------------------------
_SHAPES1 = [(), (0,), (5,), (2, 3), (2, 1, 3)]


def _unary_samples(kind="any", special=None):
    def samples(d, rng):
        out = [Sample((values(rng, s, d, kind),)) for s in _SHAPES1]
        if special is not None and d.is_floating_point:
            out.append(Sample((np.array(special, dtype=d.numpy),), desc="special values"))
        return out
    return samples


def _grad_unary(kind="any"):
    def samples(rng):
        d = _dtype.float64
        return [Sample((values(rng, (2, 3), d, kind),)), Sample((values(rng, (), d, kind),))]
    return samples


def unary(name, ref, dtypes, kernels=None, kind="any", result=None, grad=True, special=None,
          inplace=True, **kwargs):
    return op(name, _fn(name), ref, _unary_samples(kind, special), dtypes, kernels or (name,),
              method=name, inplace=name + "_" if inplace else None, out=True, grad=grad,
              result=result, grad_samples=_grad_unary(kind) if grad else None, **kwargs)


_INF = [0.0, -0.0, math.inf, -math.inf, math.nan, 1.0, -1.0]
unary("neg", np.negative, NUMERIC, special=_INF)
unary("abs", np.abs, NUMERIC, kind="nonzero", special=_INF)
unary("sign", lambda x: np.where(np.isnan(x), 0, np.sign(x)) if x.dtype.kind == "f"
      else np.sign(x), NUMERIC, special=[0.0, -0.0, math.inf, -math.inf, 2.0, -3.0, math.nan],
      grad=False)
unary("exp", np.exp, NUMERIC, result=_float, special=[0.0, -math.inf, math.inf, math.nan])
unary("log", np.log, NUMERIC, kind="pos", result=_float, special=[0.0, -1.0, math.inf])
unary("log1p", np.log1p, NUMERIC, kind="pos", result=_float, special=[-1.0, 1e-10, math.inf])
unary("expm1", np.expm1, NUMERIC, result=_float, special=[1e-10, -math.inf, math.inf])
unary("sqrt", np.sqrt, NUMERIC, kind="pos", result=_float, special=[0.0, -1.0, math.inf])
unary("rsqrt", lambda x: 1 / np.sqrt(x), NUMERIC, kind="pos", result=_float,
      special=[0.0, 4.0, math.inf])
unary("sin", np.sin, NUMERIC, result=_float)
unary("cos", np.cos, NUMERIC, result=_float)
unary("tanh", np.tanh, NUMERIC, result=_float, special=[30.0, -30.0, math.inf])
unary("sigmoid", lambda x: 1 / (1 + np.exp(-x)), NUMERIC, result=_float,
      special=[50.0, -50.0, math.inf, -math.inf])
unary("reciprocal", np.reciprocal, FLOATS, kind="nonzero", special=[0.0, -0.0, math.inf])
unary("square", np.square, NUMERIC, kernels=("square",), special=[math.inf, math.nan])
unary("floor", np.floor, NUMERIC, special=[-0.5, 0.5, -1.5, math.inf, math.nan])
unary("ceil", np.ceil, NUMERIC, special=[-0.5, 0.5, -1.5, math.inf, math.nan])
unary("round", np.rint, NUMERIC, special=[0.5, 1.5, 2.5, -0.5, -1.5, -2.6, math.inf])
unary("trunc", np.trunc, NUMERIC, special=[-0.5, 0.5, -1.7, 2.7, math.inf, math.nan])
unary("logical_not", np.logical_not, ALL, result=_bool, grad=False, special=[0.0, math.nan])
unary("isnan", np.isnan, ALL, result=_bool, grad=False, special=_INF, inplace=False)
unary("bitwise_not", np.invert, BOOL + INTS, grad=False)


def _relu_samples(d, rng):
    return [Sample((values(rng, s, d, "nonzero"),)) for s in _SHAPES1]


op("relu", _fn("relu"), lambda x: np.maximum(x, 0), _relu_samples, NUMERIC,
   ("relu", "threshold_backward"),
   method="relu", inplace="relu_", grad_samples=lambda rng: _relu_samples(_dtype.float64, rng))


def _round_decimals(d, rng):
    return [Sample((np.array([1.2345, -2.5551, 100.06], d.numpy),), {"decimals": 2})]


op("round_decimals", _fn("round"), lambda x, decimals: np.round(x, decimals),
   _round_decimals, (_dtype.float32, _dtype.float64), ("round", "mul", "div"),
   method="round", grad=False)


def _clamp_samples(d, rng):
    lo, hi = (1, 3) if d is _dtype.uint8 else (scalar_for(d, -1), scalar_for(d, 2))
    x = values(rng, (3, 4), d, "nonzero" if d.is_floating_point else "any")
    return [Sample((x,), {"min": lo, "max": hi}), Sample((x,), {"min": lo}),
            Sample((x,), {"max": hi}), Sample((values(rng, (), d),), {"min": lo, "max": hi}),
            Sample((x, values(rng, (4,), d), values(rng, (3, 1), d)), desc="tensor bounds")]


def _clamp_ref(x, lo=None, hi=None, min=None, max=None):  # noqa: A002
    lo, hi = (lo if lo is not None else min), (hi if hi is not None else max)
    if lo is not None:
        x = np.maximum(x, lo)
    if hi is not None:
        x = np.minimum(x, hi)
    return x


op("clamp", _fn("clamp"), _clamp_ref, _clamp_samples, NUMERIC, ("clip", "maximum", "minimum"),
   method="clamp", inplace="clamp_", out=True,
   grad_samples=lambda rng: _clamp_samples(_dtype.float64, rng))


def _where_samples(d, rng):
    b = _dtype.bool
    return [Sample((values(rng, (2, 3), b), values(rng, (2, 3), d), values(rng, (2, 3), d))),
            Sample((values(rng, (2, 3), b), values(rng, (3,), d), values(rng, (2, 1), d))),
            Sample((values(rng, (), b), values(rng, (2,), d), values(rng, (), d))),
            Sample((values(rng, (2, 3), b), values(rng, (2, 3), d), scalar_for(d, 1)),
                   desc="scalar other"),
            Sample((values(rng, (0,), b), values(rng, (0,), d), values(rng, (0,), d)))]


op("where", _fn("where"), np.where, _where_samples, ALL, ("where",), out=True,
   grad_samples=lambda rng: _where_samples(_dtype.float64, rng)[:4])


def _masked_fill_samples(d, rng):
    b = _dtype.bool
    return [Sample((values(rng, (2, 3), d), values(rng, (2, 3), b), scalar_for(d, 1))),
            Sample((values(rng, (2, 3), d), values(rng, (3,), b), scalar_for(d, 0))),
            Sample((values(rng, (2, 3), d), values(rng, (2, 3), b), values(rng, (), d)),
                   desc="0-d value")]


op("masked_fill", _fn("masked_fill"), lambda x, m, v: np.where(m, v, x), _masked_fill_samples,
   ALL, ("where", "full"), method="masked_fill", inplace="masked_fill_",
   grad_samples=lambda rng: _masked_fill_samples(_dtype.float64, rng)[:2])


# -- reductions ----------------------------------------------------------------------------
_RED = [((), {}), ((5,), {}), ((2, 3), {}), ((2, 3), {"dim": 0}), ((2, 3), {"dim": 1}),
        ((2, 3), {"dim": -1, "keepdim": True}), ((2, 3, 4), {"dim": (0, 2)}),
        ((2, 3, 4), {"dim": (-1, 1), "keepdim": True}), ((0,), {}), ((2, 0), {"dim": 1}),
        ((2, 0), {"dim": 0})]


def _red_samples(kind="any", nonempty=False, allow_tuple=True):
    def samples(d, rng):
        out = []
        for shape, kw in _RED:
            dims = kw.get("dim")
            if dims is not None and not isinstance(dims, int) and not allow_tuple:
                continue
            if nonempty:
                red = range(len(shape)) if dims is None else (
                    [dims] if isinstance(dims, int) else dims)
                if any(shape[a] == 0 for a in red):
                    continue
            out.append(Sample((values(rng, shape, d, kind),), dict(kw)))
        return out
    return samples


def _grad_red(kind="any", allow_tuple=True):
    def samples(rng):
        d = _dtype.float64
        out = [Sample((values(rng, (2, 3), d, kind),), {}),
               Sample((values(rng, (2, 3), d, kind),), {"dim": 1}),
               Sample((values(rng, (2, 3), d, kind),), {"dim": 0, "keepdim": True}),
               Sample((values(rng, (), d, kind),), {})]
        if allow_tuple:
            out.append(Sample((values(rng, (2, 3, 2), d, kind),), {"dim": (0, 2)}))
        return out
    return samples


def _np_dims(kw, ndim):
    dim = kw.get("dim")
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    return tuple(sorted(d % max(ndim, 1) for d in dims)) if ndim else None


def reduction(name, np_ref, dtypes, kernels, result=None, kind="any", nonempty=False,
              grad=True, allow_tuple=True, tol=None):
    def ref(x, **kw):
        return np.asarray(np_ref(x, axis=_np_dims(kw, x.ndim), keepdims=kw.get("keepdim",
                                                                                False)))
    return op(name, _fn(name), ref, _red_samples(kind, nonempty, allow_tuple), dtypes, kernels,
              method=name, grad=grad, result=result,
              grad_samples=_grad_red(kind, allow_tuple) if grad else None,
              tol=_LOW if tol is None else tol)


def _int_acc(f):
    return lambda x, **kw: f(x, dtype=None if x.dtype.kind == "f" else np.int64, **kw)


reduction("sum", _int_acc(np.sum), ALL, ("sum",), result=_widen)
reduction("prod", _int_acc(np.prod), ALL, ("prod", "cumprod"), result=_widen, kind="small")
reduction("mean", np.mean, FLOATS, ("mean",))
reduction("amax", np.amax, ALL, ("amax",), nonempty=True, kind="distinct")
reduction("amin", np.amin, ALL, ("amin",), nonempty=True, kind="distinct")
def _all_any(d):  # PyTorch keeps uint8 (a legacy of byte masks); bool otherwise
    return d if d is _dtype.uint8 else _dtype.bool


reduction("all", np.all, ALL, ("all",), result=_all_any, grad=False)
reduction("any", np.any, ALL, ("any",), result=_all_any, grad=False)
reduction("logsumexp", lambda x, axis, keepdims: np.log(np.sum(np.exp(x), axis=axis,
                                                              keepdims=keepdims)),
          FLOATS, ("logsumexp",), nonempty=True)
OPS[-1].samples = (lambda base: lambda d, rng: [s for s in base(d, rng) if "dim" in s.kwargs])(
    OPS[-1].samples)
OPS[-1].grad_samples = (lambda base: lambda rng: [s for s in base(rng) if "dim" in s.kwargs])(
    OPS[-1].grad_samples)


def _var_samples(d, rng):
    out = []
    for shape, kw in [((5,), {}), ((2, 3), {"dim": 0}), ((2, 3), {"dim": 1, "keepdim": True}),
                      ((2, 3, 4), {"dim": (0, 2)})]:
        for extra in ({}, {"correction": 0}, {"unbiased": False}, {"correction": 2}):
            out.append(Sample((values(rng, shape, d),), {**kw, **extra}))
    return out


def _var_ref(x, dim=None, keepdim=False, correction=None, unbiased=None):
    corr = correction if correction is not None else (0 if unbiased is False else 1)
    return np.var(x, axis=_np_dims({"dim": dim}, x.ndim), ddof=corr, keepdims=keepdim)


op("var", _fn("var"), _var_ref, _var_samples, FLOATS, ("var",),
   method="var", tol=_LOW, grad_samples=lambda rng: _var_samples(_dtype.float64, rng)[:6])
op("std", _fn("std"), lambda x, **kw: np.sqrt(_var_ref(x, **kw)), _var_samples, FLOATS,
   ("var", "sqrt"), method="std", tol=_LOW,
   grad_samples=lambda rng: _var_samples(_dtype.float64, rng)[:6])


def _norm_samples(d, rng):
    x = values(rng, (2, 3), d, "nonzero")
    return [Sample((x,), {}), Sample((x,), {"p": 1}), Sample((x,), {"p": 3, "dim": 1}),
            Sample((x,), {"p": math.inf}), Sample((x,), {"p": 2, "dim": 0, "keepdim": True})]


def _norm_ref(x, p="fro", dim=None, keepdim=False):
    axis = _np_dims({"dim": dim}, x.ndim)
    a = np.abs(x)
    if p in ("fro", 2):
        return np.sqrt(np.sum(a * a, axis=axis, keepdims=keepdim))
    if p == math.inf:
        return np.amax(a, axis=axis, keepdims=keepdim)
    return np.sum(a ** p, axis=axis, keepdims=keepdim) ** (1 / p)


op("norm", _fn("norm"), _norm_ref, _norm_samples, FLOATS, ("abs", "sum", "sqrt", "pow"),
   method="norm", tol=_LOW, grad_samples=lambda rng: _norm_samples(_dtype.float64, rng))


def _arg_samples(d, rng):
    out = [Sample((values(rng, (2, 3), d, "distinct"),), kw) for kw in
           ({}, {"dim": 0}, {"dim": 1}, {"dim": -1, "keepdim": True})]
    out.append(Sample((values(rng, (), d),), {}))
    out.append(Sample((np.array([[1, 3, 3], [2, 2, 0]], d.numpy),), {"dim": 1}, "ties"))
    return out


def _argref(f):
    def ref(x, dim=None, keepdim=False):
        if dim is None:
            return np.asarray(f(x.reshape(-1)))
        return np.asarray(f(x, axis=dim, keepdims=keepdim))
    return ref


op("argmax", _fn("argmax"), _argref(np.argmax), _arg_samples, NUMERIC, ("argmax",),
   method="argmax", grad=False, result=_i64)
op("argmin", _fn("argmin"), _argref(np.argmin), _arg_samples, NUMERIC, ("argmin",),
   method="argmin", grad=False, result=_i64)


def _max_dim_samples(d, rng):
    return [Sample((values(rng, (2, 3), d, "distinct"), 1)),
            Sample((values(rng, (2, 3), d, "distinct"), 0, True)),
            Sample((values(rng, (3, 2, 2), d, "distinct"), -2)),
            Sample((np.array([[1, 3, 3], [2, 2, 0]], d.numpy), 1), desc="ties: first index")]


def _max_dim_ref(f, argf):
    def ref(x, dim, keepdim=False):
        return (np.asarray(f(x, axis=dim, keepdims=keepdim)),
                np.asarray(argf(x, axis=dim, keepdims=keepdim)))
    return ref


op("max_dim", _fn("max"), _max_dim_ref(np.amax, np.argmax), _max_dim_samples, NUMERIC,
   ("argmax", "take_along_axis"), method="max", result=lambda d: (d, I64),
   grad_samples=lambda rng: _max_dim_samples(_dtype.float64, rng)[:3])
op("min_dim", _fn("min"), _max_dim_ref(np.amin, np.argmin), _max_dim_samples, NUMERIC,
   ("argmin", "take_along_axis"), method="min", result=lambda d: (d, I64),
   grad_samples=lambda rng: _max_dim_samples(_dtype.float64, rng)[:3])
op("max_all", _fn("max"), lambda x: np.amax(x), lambda d, rng: [
    Sample((values(rng, (2, 3), d, "distinct"),))], ALL, ("amax",), method="max",
   grad_samples=lambda rng: [Sample((values(rng, (2, 3), _dtype.float64, "distinct"),))])
op("min_all", _fn("min"), lambda x: np.amin(x), lambda d, rng: [
    Sample((values(rng, (2, 3), d, "distinct"),))], ALL, ("amin",), method="min",
   grad_samples=lambda rng: [Sample((values(rng, (2, 3), _dtype.float64, "distinct"),))])


def _scan_samples(kind):
    def samples(d, rng):
        return [Sample((values(rng, s, d, kind), dim)) for s, dim in
                [((5,), 0), ((2, 3), 0), ((2, 3), 1), ((2, 3), -1), ((), 0), ((0,), 0)]]
    return samples


def _scan_ref(f):
    def ref(x, dim):
        if x.ndim == 0:
            return x.astype(np.int64) if x.dtype.kind != "f" else x
        return f(x, axis=dim, dtype=np.int64 if x.dtype.kind != "f" else None)
    return ref


op("cumsum", _fn("cumsum"), _scan_ref(np.cumsum), _scan_samples("any"), ALL, ("cumsum",),
   method="cumsum", result=_widen, tol=_LOW,
   grad_samples=lambda rng: _scan_samples("any")(_dtype.float64, rng)[:5])
op("cumprod", _fn("cumprod"), _scan_ref(np.cumprod), _scan_samples("small"), ALL,
   ("cumprod",), method="cumprod", result=_widen, tol=_LOW,
   grad_samples=lambda rng: _scan_samples("small")(_dtype.float64, rng)[:5])


def _softmax_samples(d, rng):
    return [Sample((values(rng, s, d), dim)) for s, dim in
            [((5,), 0), ((2, 3), 1), ((2, 3), 0), ((2, 3, 2), -2), ((), 0), ((0, 3), 1)]]


def _softmax_ref(x, dim):
    if x.ndim == 0:
        return np.ones_like(x)
    e = np.exp(x - np.amax(x, axis=dim, keepdims=True)) if x.size else x
    return e / np.sum(e, axis=dim, keepdims=True) if x.size else x


op("softmax", _fn("softmax"), _softmax_ref, _softmax_samples, FLOATS, ("softmax",),
   method="softmax", tol=_LOW,
   grad_samples=lambda rng: _softmax_samples(_dtype.float64, rng)[:5])
op("log_softmax", _fn("log_softmax"),
   lambda x, dim: np.log(_softmax_ref(x, dim)) if x.size else x, _softmax_samples, FLOATS,
   ("log_softmax",), method="log_softmax", tol=_LOW,
   grad_samples=lambda rng: _softmax_samples(_dtype.float64, rng)[:5])


def _sort_samples(d, rng):
    return [Sample((values(rng, (2, 5), d, "distinct"),), kw) for kw in
            ({}, {"dim": 0}, {"descending": True}, {"dim": 0, "descending": True,
                                                    "stable": True})] + [
        Sample((values(rng, (0,), d),), {}), Sample((values(rng, (), d),), {})]


def _sort_ref(x, dim=-1, descending=False, stable=False):
    if x.ndim == 0:
        return x, np.zeros((), np.int64)
    order = np.argsort(-x if descending else x, axis=dim, kind="stable")
    return np.take_along_axis(x, order, dim), order.astype(np.int64)


op("sort", _fn("sort"), _sort_ref, _sort_samples, NUMERIC, ("sort", "take_along_axis"),
   method="sort", result=lambda d: (d, I64),
   grad_samples=lambda rng: _sort_samples(_dtype.float64, rng)[:4])
op("argsort", _fn("argsort"), lambda x, **kw: _sort_ref(x, **kw)[1], _sort_samples, NUMERIC,
   ("sort",), method="argsort", result=_i64, grad=False)
op("topk", lambda x, k, **kw: _e().topk(x, k, **kw),
   lambda x, k, dim=-1, largest=True: tuple(a[(slice(None),) * (dim % x.ndim) + (slice(0, k),)]
                                            for a in _sort_ref(x, dim, largest)),
   lambda d, rng: [Sample((values(rng, (2, 5), d, "distinct"), 2)),
                   Sample((values(rng, (4, 3), d, "distinct"), 3), {"dim": 0}),
                   Sample((values(rng, (2, 5), d, "distinct"), 1), {"largest": False})],
   NUMERIC, ("sort", "take_along_axis"), method="topk", result=lambda d: (d, I64),
   grad_samples=lambda rng: [Sample((values(rng, (2, 5), _dtype.float64, "distinct"), 2))])


# -- shapes and views ------------------------------------------------------------------------
def _one(shape_args, kind="any"):
    """Samples of one array of each shape followed by the given extra arguments."""
    def samples(d, rng):
        return [Sample((values(rng, s, d, kind), *extra)) for s, *extra in shape_args]
    return samples


def shape_op(name, ref, kernels, cases, dtypes=ALL, method=True, fn=None, **kwargs):
    samples = _one(cases)
    return op(name, fn or _fn(name), ref, samples, dtypes, kernels,
              method=name if method is True else method,
              grad_samples=lambda rng: samples(_dtype.float64, rng), **kwargs)


shape_op("reshape", lambda x, s: np.reshape(x, s), ("reshape",),
         [((2, 3), (3, 2)), ((2, 3), (-1,)), ((), (1,)), ((1,), ()), ((2, 0), (0, 4)),
          ((2, 3, 4), (4, -1))])
shape_op("view", lambda x, s: np.reshape(x, s), ("reshape",),
         [((2, 3), (3, 2)), ((2, 3), (-1,)), ((), (1, 1)), ((4,), (2, 2))], fn=None,
         method="view", dtypes=ALL)
OPS[-1].fn = lambda x, s: x.view(s)
OPS[-1].noncontiguous = False  # a view of a transposed tensor is an error, as in PyTorch
shape_op("permute", lambda x, p: np.transpose(x, p), ("permute",),
         [((2, 3), (1, 0)), ((2, 3, 4), (2, 0, 1)), ((2, 3, 4), (-1, 0, 1)), ((), ())])
shape_op("transpose", lambda x, a, b: np.swapaxes(x, a, b), ("permute",),
         [((2, 3), 0, 1), ((2, 3, 4), -1, 0), ((2, 3), 1, 1)])
shape_op("t", lambda x: x.T, ("permute",), [((2, 3),), ((3,),), ((),)])
shape_op("squeeze", lambda x, *d: np.squeeze(x, d[0] if d and x.shape[d[0]] == 1 else ()) if d
         else np.squeeze(x), ("reshape",),
         [((1, 3, 1),), ((1, 3, 1), 0), ((1, 3, 1), 1), ((1, 3, 1), -1), ((),), ((1,),)])
shape_op("unsqueeze", lambda x, d: np.expand_dims(x, d), ("reshape",),
         [((2, 3), 0), ((2, 3), -1), ((2, 3), 1), ((), 0)])
shape_op("flatten", lambda x, s=0, e=-1: x.reshape(x.shape[:s] + (-1,) + x.shape[e % x.ndim + 1:])
         if x.ndim else x.reshape(1), ("reshape",),
         [((2, 3, 4),), ((2, 3, 4), 1), ((2, 3, 4), 0, 1), ((),), ((0, 3),)])
shape_op("expand", lambda x, *s: np.broadcast_to(x, tuple(
    n if n != -1 else x.shape[i - (len(s) - x.ndim)] for i, n in enumerate(s))),
         ("broadcast_to",), [((3,), 2, 3), ((2, 1), 2, 4), ((), 3), ((2, 1), -1, 3),
                             ((1, 3), 2, 2, 3)])
shape_op("broadcast_to", lambda x, s: np.broadcast_to(x, s), ("broadcast_to",),
         [((3,), (2, 3)), ((2, 1), (2, 4)), ((), (2,))])
shape_op("repeat", lambda x, *r: np.tile(x, r), ("tile",),
         [((3,), 2), ((2, 3), 2, 1), ((2,), 2, 2), ((), 3), ((2, 3), 1, 1, 2)])
shape_op("tile", lambda x, r: np.tile(x, r), ("tile",),
         [((3,), (2,)), ((2, 3), (2,)), ((2, 3), (2, 1, 1))])
shape_op("flip", lambda x, d: np.flip(x, d), ("flip",),
         [((5,), (0,)), ((2, 3), (0, 1)), ((2, 3), (-1,)), ((0, 2), (1,))])
shape_op("narrow", lambda x, d, s, n: np.take(x, range(s % x.shape[d], s % x.shape[d] + n), d),
         ("getitem",), [((4, 3), 0, 1, 2), ((4, 3), 1, -2, 2), ((4, 3), 0, 0, 0)])
shape_op("select", lambda x, d, i: np.take(x, i, d), ("getitem",),
         [((4, 3), 0, 1), ((4, 3), 1, -1), ((4,), 0, 2)])
shape_op("movedim", lambda x, s, d: np.moveaxis(x, s, d), ("permute",),
         [((2, 3, 4), 0, 2), ((2, 3, 4), (0, 1), (2, 0))])


def _split_samples(d, rng):
    return [Sample((values(rng, (5, 2), d), 2)), Sample((values(rng, (5, 2), d), [1, 4])),
            Sample((values(rng, (2, 6), d), 3, 1)), Sample((values(rng, (0, 2), d), 2))]


def _split_ref(x, sizes, dim=0):
    n = x.shape[dim]
    if isinstance(sizes, int):
        sizes = [min(sizes, n - i) for i in range(0, n, sizes)] if n else [0]
    return tuple(np.split(x, np.cumsum(sizes)[:-1], axis=dim))


op("split", _fn("split"), _split_ref, _split_samples, ALL, ("getitem",), method="split",
   grad_samples=lambda rng: _split_samples(_dtype.float64, rng)[:3])
op("chunk", _fn("chunk"), lambda x, c, dim=0: _split_ref(x, -(-x.shape[dim] // c), dim),
   lambda d, rng: [Sample((values(rng, (5, 2), d), 2)), Sample((values(rng, (2, 6), d), 3, 1)),
                   Sample((values(rng, (3,), d), 5))],
   ALL, ("getitem",), method="chunk",
   grad_samples=lambda rng: [Sample((values(rng, (5, 2), _dtype.float64), 2))])
op("unbind", _fn("unbind"), lambda x, dim=0: tuple(np.moveaxis(x, dim, 0)),
   lambda d, rng: [Sample((values(rng, (3, 2), d),)), Sample((values(rng, (3, 2), d), 1))],
   ALL, ("getitem",), method="unbind",
   grad_samples=lambda rng: [Sample((values(rng, (3, 2), _dtype.float64), 1))])


def _cat_samples(d, rng):
    return [Sample(([values(rng, (2, 3), d), values(rng, (1, 3), d)],)),
            Sample(([values(rng, (2, 3), d), values(rng, (2, 1), d)], 1)),
            Sample(([values(rng, (2, 3), d), values(rng, (2, 3), d), values(rng, (2, 3), d)],
                    -1)),
            Sample(([values(rng, (0, 3), d), values(rng, (2, 3), d)],)),
            Sample(([values(rng, (0,), d), values(rng, (2, 3), d)],), desc="legacy empty")]


def _cat_ref(xs, dim=0):
    xs = [x for x in xs if not (x.ndim == 1 and x.shape[0] == 0)]
    return np.concatenate(xs, axis=dim)


op("cat", _fn("cat"), _cat_ref, _cat_samples, ALL, ("concatenate",), out=True,
   grad_samples=lambda rng: _cat_samples(_dtype.float64, rng)[:3])
op("stack", _fn("stack"), lambda xs, dim=0: np.stack(xs, axis=dim),
   lambda d, rng: [Sample(([values(rng, (2, 3), d), values(rng, (2, 3), d)],)),
                   Sample(([values(rng, (2, 3), d), values(rng, (2, 3), d)], -1)),
                   Sample(([values(rng, (), d), values(rng, (), d)],))],
   ALL, ("concatenate", "reshape"), out=True,
   grad_samples=lambda rng: [Sample(([values(rng, (2, 3), _dtype.float64),
                                      values(rng, (2, 3), _dtype.float64)], 1))])
op("clone", _fn("clone"), lambda x: x.copy(), _one([((2, 3),), ((),), ((0,),)]), ALL,
   ("copy",), method="clone", grad_samples=lambda rng: _one([((2, 3),)])(_dtype.float64, rng))
op("contiguous", lambda x: x.contiguous(), lambda x: x.copy(), _one([((2, 3),), ((),)]), ALL,
   ("copy",), grad_samples=lambda rng: _one([((2, 3),)])(_dtype.float64, rng))


# -- indexing ----------------------------------------------------------------------------------
def _getitem_samples(d, rng):
    x = values(rng, (4, 3), d)
    keys = [1, -1, slice(1, 3), (slice(None), 2), (Ellipsis, 1), (None, 0), (slice(None, None, 2),),
            (1, slice(None), None), [0, 2, 2], (slice(None), [2, 0]), ([0, 3], [1, 2]),
            "mask_rows", "mask_all", "long_index", (slice(5, 9),)]
    out = []
    for key in keys:
        if key == "mask_rows":
            key = np.array([True, False, True, True])
        elif key == "mask_all":
            key = rng.integers(0, 2, (4, 3)).astype(bool)
        elif key == "long_index":
            key = np.array([[0, 1], [3, 3]], dtype=np.int64)
        out.append(Sample((x, key), desc=repr(key)))
    return out


def _np_key(key):
    return tuple(key) if isinstance(key, tuple) else key


op("getitem", lambda x, key: x[_tensor_key(key, x)], lambda x, key: np.asarray(x[_np_key(key)]),
   _getitem_samples, ALL, ("getitem", "index_add_at"),
   grad_samples=lambda rng: _getitem_samples(_dtype.float64, rng))


def _tensor_key(key, x):
    """Index arrays of a key as ember tensors on x's device."""
    if isinstance(key, np.ndarray):
        return _e().tensor(key, device=x.device)
    if isinstance(key, tuple):
        return tuple(_tensor_key(k, x) for k in key)
    return key


def _setitem_samples(d, rng):
    out = []
    x = values(rng, (4, 3), d)
    for key in [1, (slice(None), 2), (slice(1, 3),), ([0, 2],), (np.array([True, False, True,
                                                                           False]),),
                (Ellipsis,)]:
        shape = np.asarray(x[_np_key(key)]).shape
        out.append(Sample((x, key, values(rng, shape, d)), desc=repr(key)))
        out.append(Sample((x, key, scalar_for(d, 1)), desc=repr(key) + " scalar"))
    out.append(Sample((x, (slice(None), 1), values(rng, (), d)), desc="0-d value"))
    return out


def _setitem(x, key, value):
    x = x.clone()
    x[_tensor_key(key, x)] = value
    return x


def _setitem_ref(x, key, value):
    x = x.copy()
    x[_np_key(key)] = value
    return x


op("setitem", _setitem, _setitem_ref, _setitem_samples, ALL, ("setitem", "copy"),
   grad_samples=lambda rng: [s for s in _setitem_samples(_dtype.float64, rng)
                             if not isinstance(s.args[2], float)])


def _gather_samples(d, rng):
    x = values(rng, (3, 4), d)
    return [Sample((x, 1, rng.integers(0, 4, (3, 2)))), Sample((x, 0, rng.integers(0, 3, (2, 4)))),
            Sample((x, -1, rng.integers(0, 4, (2, 3))), desc="smaller index"),
            Sample((x, 1, rng.integers(0, 4, (3, 0))))]


def _gather_ref(x, dim, index):
    sub = tuple(slice(0, n) if i != dim % x.ndim else slice(None)
                for i, n in enumerate(index.shape))
    return np.take_along_axis(x[sub], index, dim)


op("gather", lambda x, dim, idx: _e().gather(x, dim, _e().tensor(idx, device=x.device)),
   _gather_ref, _gather_samples, ALL, ("take_along_axis", "add_along_axis"),
   method=None, grad_samples=lambda rng: _gather_samples(_dtype.float64, rng)[:3])


def _scatter_samples(d, rng):
    x = values(rng, (3, 4), d)
    rows = np.stack([rng.permutation(4)[:2] for _ in range(3)])
    return [Sample((x, 1, rows, values(rng, (3, 2), d))),
            Sample((x, 1, rows, values(rng, (3, 3), d)), desc="larger src"),
            Sample((x, 0, np.stack([rng.permutation(3)[:2] for _ in range(4)], 1),
                    values(rng, (2, 4), d)))]


def _scatter_ref(x, dim, index, src):
    out = x.copy()
    sub = tuple(slice(0, n) for n in index.shape)
    np.put_along_axis(out, index, src[sub], dim)
    return out


def _scatter_add_ref(x, dim, index, src):
    out = x.copy()
    sub = tuple(slice(0, n) for n in index.shape)
    grid = list(np.indices(index.shape, sparse=True))
    grid[dim] = index
    np.add.at(out, tuple(grid), src[sub])
    return out


def _scatter_fn(name):
    def call(x, dim, index, src):
        return getattr(_e(), name)(x, dim, _e().tensor(index, device=x.device), src)
    return call


op("scatter", _scatter_fn("scatter"), _scatter_ref, _scatter_samples, ALL,
   ("put_along_axis", "copy"), grad_samples=lambda rng: _scatter_samples(_dtype.float64, rng))
op("scatter_add", _scatter_fn("scatter_add"), _scatter_add_ref,
   lambda d, rng: [Sample((values(rng, (3, 4), d), 1, rng.integers(0, 4, (3, 5)),
                           values(rng, (3, 5), d)))] + _scatter_samples(d, rng)[1:],
   NUMERIC, ("add_along_axis", "take_along_axis"), tol=_LOW,
   grad_samples=lambda rng: _scatter_samples(_dtype.float64, rng))
op("index_select", lambda x, dim, idx: _e().index_select(x, dim, _e().tensor(idx,
                                                                          device=x.device)),
   lambda x, dim, idx: np.take(x, idx, axis=dim),
   lambda d, rng: [Sample((values(rng, (3, 4), d), 1, np.array([0, 3, 3]))),
                   Sample((values(rng, (3, 4), d), 0, np.array([2]))),
                   Sample((values(rng, (3, 4), d), 0, np.array([], np.int64)))],
   ALL, ("getitem",),
   grad_samples=lambda rng: [Sample((values(rng, (3, 4), _dtype.float64), 1,
                                     np.array([0, 3, 3])))])


def _nonzero_ref(x, as_tuple=False):
    if x.ndim == 0:
        idx = (np.zeros(int(bool(x)), np.int64),)
        return idx if as_tuple else np.zeros((int(bool(x)), 0), np.int64)
    idx = tuple(i.astype(np.int64) for i in np.nonzero(x))
    return idx if as_tuple else np.stack(idx, 1)


op("nonzero", _fn("nonzero"), _nonzero_ref,
   lambda d, rng: [Sample((values(rng, s, d),), kw) for s in [(6,), (2, 3), (0,), (), (3, 0)]
                   for kw in ({}, {"as_tuple": True})],
   ALL, ("nonzero",), method="nonzero", grad=False, result=_i64)


# -- linear algebra -------------------------------------------------------------------------
def _mm_samples(pairs):
    def samples(d, rng):
        return [Sample((values(rng, a, d), values(rng, b, d))) for a, b in pairs]
    return samples


_MM_TOL = {_dtype.float16: (1e-2, 1e-2), _dtype.bfloat16: (2e-2, 5e-2)}
_MATMUL_PAIRS = [((3, 4), (4, 2)), ((4,), (4, 2)), ((3, 4), (4,)), ((4,), (4,)),
                 ((2, 3, 4), (4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((4,), (2, 4, 3)),
                 ((0, 3), (3, 2)), ((3, 0), (0, 2))]
op("matmul", _fn("matmul"), np.matmul, _mm_samples(_MATMUL_PAIRS), NUMERIC, ("matmul",),
   method="matmul", operator=operator.matmul, out=True, tol=_MM_TOL,
   grad_samples=lambda rng: _mm_samples(_MATMUL_PAIRS[:7])(_dtype.float64, rng))
op("mm", _fn("mm"), np.matmul, _mm_samples([((3, 4), (4, 2)), ((1, 1), (1, 3))]), NUMERIC,
   ("matmul",), method="mm", out=True, tol=_MM_TOL,
   grad_samples=lambda rng: _mm_samples([((3, 4), (4, 2))])(_dtype.float64, rng))
op("bmm", _fn("bmm"), np.matmul, _mm_samples([((2, 3, 4), (2, 4, 2))]), NUMERIC, ("matmul",),
   method="bmm", out=True, tol=_MM_TOL,
   grad_samples=lambda rng: _mm_samples([((2, 3, 4), (2, 4, 2))])(_dtype.float64, rng))
op("dot", _fn("dot"), np.dot, _mm_samples([((4,), (4,)), ((0,), (0,))]), NUMERIC, ("matmul",),
   method="dot", tol=_MM_TOL,
   grad_samples=lambda rng: _mm_samples([((4,), (4,))])(_dtype.float64, rng))
op("outer", _fn("outer"), np.outer, _mm_samples([((3,), (2,)), ((0,), (2,))]), NUMERIC,
   ("mul",), method="outer",
   grad_samples=lambda rng: _mm_samples([((3,), (2,))])(_dtype.float64, rng))


def _einsum_samples(d, rng):
    return [Sample((eq, *[values(rng, s, d) for s in shapes]), desc=eq) for eq, shapes in
            [("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
             ("i,i->", [(4,), (4,)]), ("ij->ji", [(2, 3)]), ("ij->", [(2, 3)]),
             ("i,j->ij", [(3,), (2,)]), ("ij,j", [(2, 3), (3,)]), ("ii->i", [(3, 3)]),
             ("bii->b", [(2, 3, 3)]), ("...ij,...jk->...ik", [(2, 3, 4), (4, 2)]),
             ("...ij,...jk", [(1, 2, 3), (4, 3, 2)]), ("i...->...", [(2, 3)])]]


op("einsum", _fn("einsum"), lambda eq, *xs: np.einsum(eq, *xs), _einsum_samples, NUMERIC,
   ("einsum",), tol=_MM_TOL, grad_samples=lambda rng: _einsum_samples(_dtype.float64, rng))


def _isclose_samples(d, rng):
    a = values(rng, (3, 4), d)
    near = a + (a * 1e-6 if d.is_floating_point else 0)
    out = [Sample((a, near.astype(d.numpy))), Sample((a, values(rng, (3, 4), d))),
           Sample((a, values(rng, (4,), d)), {"rtol": 0.5, "atol": 0.5})]
    if d.is_floating_point:
        s = np.array([1.0, math.inf, -math.inf, math.nan, 0.0], d.numpy)
        t = np.array([1.0, math.inf, math.inf, math.nan, 1e-9], d.numpy)
        out += [Sample((s, t)), Sample((s, t), {"equal_nan": True})]
    return out


def _isclose_ref(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    if a.dtype == np.bool_:
        return np.equal(a, b)
    return np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


op("isclose", _fn("isclose"), _isclose_ref, _isclose_samples, ALL, ("eq", "abs", "le"),
   method="isclose", grad=False, result=_bool)


# PyTorch's indexing where it differs from NumPy's: integers are selections applied before
# advanced indexing, and an Ellipsis that covers no dimension does not separate advanced
# indices. (key, PyTorch's result shape for a (4, 3, 5) tensor)
MIXED_KEYS = [
    ((1, slice(None), [0, 2]), (3, 2)),
    (([0, 1], 1, [0, 2]), (2,)),
    ((slice(0, 3), 2, [4, 0, 1]), (3, 3)),
    ((-1, slice(None), [True, False, True, True, False]), (3, 3)),
    ((2, None, [True, True, False]), (1, 2, 5)),
    ((3, Ellipsis, [2]), (3, 1)),
    ((slice(1, 3), [True, True, False], Ellipsis, [0]), (2, 2)),
]


def _mixed_ref(x, key):
    """PyTorch's semantics in NumPy: integer selections first, then the rest."""
    ints = [isinstance(k, int) for k in key]
    first, rest = [], []
    for item, is_int in zip(key, ints, strict=True):
        if is_int:
            first.append(item)
        else:
            rest.append(item)
            if item is Ellipsis:
                first.append(Ellipsis)
            elif item is not None:
                first.append(slice(None))
    y = x[tuple(first)]
    rest = [np.array(k) if isinstance(k, list) else k for k in rest]
    used = sum(0 if k is None or k is Ellipsis else (k.ndim if isinstance(k, np.ndarray) and
                                                      k.dtype == bool else 1) for k in rest)
    if used == y.ndim:
        rest = [k for k in rest if k is not Ellipsis]
    return np.asarray(y[tuple(rest)])


op("getitem_mixed", lambda x, key: x[key], _mixed_ref,
   lambda d, rng: [Sample((values(rng, (4, 3, 5), d), key), desc=repr(key))
                   for key, _ in MIXED_KEYS],
   ALL, ("getitem",), grad_samples=lambda rng: [
       Sample((values(rng, (4, 3, 5), _dtype.float64), key)) for key, _ in MIXED_KEYS])


def _mixed_set(x, key, value):
    x = x.clone()
    x[key] = value
    return x


def _mixed_set_ref(x, key, value):
    out = x.copy()
    view = np.arange(out.size).reshape(out.shape)
    positions = _mixed_ref(view, key)
    np.put(out, positions.reshape(-1), np.broadcast_to(value, positions.shape).reshape(-1))
    return out


op("setitem_mixed", _mixed_set, _mixed_set_ref,
   lambda d, rng: [Sample((values(rng, (4, 3, 5), d), key, values(rng, shape, d)),
                          desc=repr(key)) for key, shape in MIXED_KEYS],
   ALL, ("setitem", "getitem"), grad_samples=lambda rng: [
       Sample((values(rng, (4, 3, 5), _dtype.float64), key,
               values(rng, shape, _dtype.float64))) for key, shape in MIXED_KEYS])

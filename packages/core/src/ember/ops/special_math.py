"""Elementwise math beyond the core ops: inverse trigonometric and hyperbolic functions,
the erf and gamma families, Bessel functions, float helpers (fmax, fmod, hypot, copysign,
nan_to_num, ...) and integer shifts, each with PyTorch's dtype rules and backward.

Kernels are the optional ops of ``ember.backends.base.OPS`` (NumPy's ufuncs on the CPU,
core decompositions elsewhere); backward formulas are written with Tensor ops, so
``create_graph=True`` gives higher derivatives.
"""

from __future__ import annotations

import math

from .. import _dtype
from .._tensor import Tensor, _wrap
from ..autograd import grad_mode
from ..autograd.function import Function
from ._util import (
    broadcast_shapes,
    cast,
    not_implemented,
    require_floating,
    result_type,
    same_device,
    sum_to_shape,
)

_state = grad_mode.state
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_SQRT_PI_HALF = math.sqrt(math.pi) / 2
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


_legacy = _dtype.scalar_type_name


def check_tensor(name, x, position=1, arg="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position {position}) must be Tensor, not "
                        f"{type(x).__name__}")


def _floating(x):
    return x if x.is_floating_point() else x.to(_dtype.get_default_dtype())


def _out(result, out):
    if out is None:
        return result
    from .pointwise import _out as write

    return write(result, out)


def _data(x):
    return x._data if isinstance(x, Tensor) else x


def _shape(x):
    return x._data.shape if isinstance(x, Tensor) else ()


# -- unary ops --------------------------------------------------------------------------
def _unary(name, grad, *, kernel=None, save="input", cls_name=None):
    """A floating unary op over kernel ``kernel`` (default: ``name``): integer and bool
    inputs compute in the default float dtype; ``grad(x, out, g)`` is its backward."""
    kernel = kernel or name

    def forward(ctx, x):
        out = getattr(x._device._k, kernel)(x._data)
        if save == "input":
            ctx.save_for_backward(x)
        elif save == "output":
            ctx.save_for_backward(_wrap(out, x._device))
        else:
            ctx.save_for_backward(x, _wrap(out, x._device))
        return out

    def backward(ctx, g):
        saved = ctx.saved_tensors
        if save == "input":
            return grad(saved[0], None, g)
        if save == "output":
            return grad(None, saved[0], g)
        return grad(saved[0], saved[1], g)

    cls = type(cls_name or name[:1].upper() + name[1:], (Function,), {
        "_internal": True, "forward": staticmethod(forward), "backward": staticmethod(backward)})

    def op(input, *, out=None):
        check_tensor(name, input)
        x = _floating(input)
        if _state.enabled and x._requires_grad:
            return _out(cls.apply(x), out)
        return _out(_wrap(getattr(x._device._k, kernel)(x._data), x._device), out)
    op.__name__ = name
    op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` (PyTorch's ``torch.{name}``)."
    op.Function = cls
    return op


exp2 = _unary("exp2", lambda x, o, g: g * o * _LN2, save="output")
log2 = _unary("log2", lambda x, o, g: g / (x * _LN2))
log10 = _unary("log10", lambda x, o, g: g / (x * _LN10))
tan = _unary("tan", lambda x, o, g: g * (1 + o * o), save="output")
asin = _unary("asin", lambda x, o, g: g * (1 - x * x).rsqrt())
acos = _unary("acos", lambda x, o, g: -g * (1 - x * x).rsqrt())
atan = _unary("atan", lambda x, o, g: g / (x * x + 1))
sinh = _unary("sinh", lambda x, o, g: g * cosh(x))
cosh = _unary("cosh", lambda x, o, g: g * sinh(x))
asinh = _unary("asinh", lambda x, o, g: g * (x * x + 1).rsqrt())
acosh = _unary("acosh", lambda x, o, g: g * (x * x - 1).rsqrt())
atanh = _unary("atanh", lambda x, o, g: g / (1 - x * x))
arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh
erf = _unary("erf", lambda x, o, g: g * (-(x * x)).exp() * _TWO_OVER_SQRT_PI)
erfc = _unary("erfc", lambda x, o, g: -g * (-(x * x)).exp() * _TWO_OVER_SQRT_PI)
erfinv = _unary("erfinv", lambda x, o, g: g * (o * o).exp() * _SQRT_PI_HALF, save="output")
lgamma = _unary("lgamma", lambda x, o, g: g * digamma(x))
digamma = _unary("digamma", lambda x, o, g: g * polygamma(1, x))
i0 = _unary("i0", lambda x, o, g: g * special_i1(x))
special_i0e = _unary("special_i0e", lambda x, o, g: g * (special_i1e(x) - x.sign() * o),
                     kernel="i0e", save="both", cls_name="SpecialI0E")


def _i1_grad(x, o, g):
    from .pointwise import where

    tiny = x.abs() <= _eps(x.dtype)
    safe = where(tiny, _eps(x.dtype), x)
    return g * where(tiny, 0.5, i0(safe) - o / safe)


def _i1e_grad(x, o, g):
    from .pointwise import where

    tiny = x.abs() <= _eps(x.dtype)
    safe = where(tiny, _eps(x.dtype), x)
    return g * where(tiny, 0.5, special_i0e(safe) - o * (safe.sign() + safe.reciprocal()))


special_i1 = _unary("special_i1", _i1_grad, kernel="i1", save="both", cls_name="SpecialI1")
special_i1e = _unary("special_i1e", _i1e_grad, kernel="i1e", save="both",
                     cls_name="SpecialI1E")


def _eps(d):
    import numpy as np

    return float(np.finfo(np.float32 if d.numpy.kind == "V" else d.numpy).eps)


class Polygamma(Function):
    _internal = True

    @staticmethod
    def forward(ctx, n, x):
        ctx.n = n
        ctx.save_for_backward(x)
        return x._device._k.polygamma(n, x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return None, g * polygamma(ctx.n + 1, x)


def polygamma(n, input, *, out=None):
    """The n-th derivative of digamma (``torch.polygamma(n, input)``)."""
    check_tensor("polygamma", input, 2)
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    x = _floating(input)
    if _state.enabled and x._requires_grad:
        return _out(Polygamma.apply(int(n), x), out)
    return _out(_wrap(x._device._k.polygamma(int(n), x._data), x._device), out)


class Logit(Function):
    _internal = True

    @staticmethod
    def forward(ctx, x, eps):
        ctx.save_for_backward(x)
        ctx.eps = eps
        k = x._device._k
        z = x._data if eps is None else k.clip(x._data, eps, 1 - eps)
        return k.log(k.div(z, k.sub(1, z)))

    @staticmethod
    def backward(ctx, g):
        from .pointwise import where

        (x,) = ctx.saved_tensors
        eps = ctx.eps
        grad = g / (x * (1 - x))
        if eps is None:
            return where((x < 0) | (x > 1), math.nan, grad), None
        return where((x < eps) | (x > 1 - eps), 0.0, grad), None


def logit(input, eps=None, *, out=None):
    """log(p / (1 - p)), with p clamped to [eps, 1 - eps] when eps is given."""
    check_tensor("logit", input)
    x = _floating(input)
    if _state.enabled and x._requires_grad:
        return _out(Logit.apply(x, eps), out)
    return _out(Logit.apply(x.detach(), eps), out)


def frac(input, *, out=None):
    """x - trunc(x), with the sign of x."""
    check_tensor("frac", input)
    require_floating(input, "frac_cpu")
    return _out(input - input.trunc(), out)


def sinc(input, *, out=None):
    """sin(pi x) / (pi x), 1 at 0."""
    from .pointwise import where

    check_tensor("sinc", input)
    x = _floating(input)
    zero = x == 0
    safe = where(zero, 1.0, x) * math.pi
    return _out(where(zero, 1.0, safe.sin() / safe), out)


def deg2rad(input, *, out=None):
    check_tensor("deg2rad", input)
    return _out(_floating(input) * (math.pi / 180), out)


def rad2deg(input, *, out=None):
    check_tensor("rad2deg", input)
    return _out(_floating(input) * (180 / math.pi), out)


def sgn(input, *, out=None):
    """sign(x) (for real tensors ``sgn`` is ``sign``)."""
    return _out(input.sign(), out)


def positive(input):
    check_tensor("positive", input)
    if input.dtype is _dtype.bool:
        raise TypeError("The `+` operator, on a bool tensor is not supported.")
    return input


def isreal(input):
    check_tensor("isreal", input)
    return _full_like_bool(input, True)


def _full_like_bool(x, value):
    return _wrap(x._device._k.full(x._data.shape, value, _dtype.bool, x._device.index),
                 x._device)


def signbit(input, *, out=None):
    """Whether the sign bit is set (True for -0.0)."""
    check_tensor("signbit", input)
    x = input
    if x.dtype is _dtype.bool or x.dtype is _dtype.uint8:
        return _out(_full_like_bool(x, False), out)
    if not x.is_floating_point():
        return _out(x < 0, out)
    return _out(_wrap(x._device._k.signbit(x._data), x._device), out)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """NaN, +inf and -inf replaced (by default with 0 and the dtype's largest values)."""
    from .pointwise import where

    check_tensor("nan_to_num", input)
    if not input.is_floating_point():
        return _out(input.clone(), out)
    import numpy as np

    info = np.finfo(np.float32 if input.dtype is _dtype.bfloat16 else input.dtype.numpy)
    if input.dtype is _dtype.bfloat16:
        import ml_dtypes

        info = ml_dtypes.finfo(ml_dtypes.bfloat16)
    big = float(info.max)
    posinf = big if posinf is None else posinf
    neginf = -big if neginf is None else neginf
    x = input
    r = where(x.isnan(), float(nan), where(x == math.inf, float(posinf),
                                           where(x == -math.inf, float(neginf), x)))
    return _out(r, out)


# -- binary ops -------------------------------------------------------------------------
def _binary_float(name, a, b):
    """Operands of a floating binary op: PyTorch's promotion, integers to the default float."""
    dtype = result_type(a, b)
    if dtype._kind != 2:
        dtype = _dtype.get_default_dtype()
    from .pointwise import prepare

    return prepare(name, a, b, dtype)


def _binary_floating_only(name, a, b):
    """Operands of an op PyTorch implements for floating dtypes only."""
    dtype = result_type(a, b)
    if dtype._kind != 2:
        raise not_implemented(f"{name}_cpu", dtype)
    from .pointwise import prepare

    return prepare(name, a, b, dtype)


def _run(kernel, a, b):
    dev = a._device if isinstance(a, Tensor) else b._device
    return getattr(dev._k, kernel)(_data(a), _data(b))


def _needs_grad(*xs):
    return _state.enabled and any(isinstance(x, Tensor) and x._requires_grad for x in xs)


class _Binary(Function):
    """A binary floating op; subclasses set ``kernel`` and ``grads(ctx, a, b, out, g)``."""

    _internal = True
    kernel = ""

    @classmethod
    def forward(cls, ctx, a, b):
        out = _run(cls.kernel, a, b)
        dev = a._device if isinstance(a, Tensor) else b._device
        ctx.save_for_backward(*(t for t in (a, b) if isinstance(t, Tensor)),
                              _wrap(out, dev))
        ctx.scalars = (None if isinstance(a, Tensor) else a, None if isinstance(b, Tensor)
                       else b)
        return out

    @classmethod
    def backward(cls, ctx, g):
        saved = list(ctx.saved_tensors)
        out = saved.pop()
        sa, sb = ctx.scalars
        a = sa if sa is not None else saved.pop(0)
        b = sb if sb is not None else saved.pop(0)
        ga, gb = cls.grads(ctx, a, b, out, g)
        na, nb = ctx.needs_input_grad[:2]
        return (sum_to_shape(ga, _shape(a)) if na and ga is not None else None,
                sum_to_shape(gb, _shape(b)) if nb and gb is not None else None)


def _binary_op(cls, name, prepare_fn):
    def op(input, other, *, out=None):
        a, b, dev = prepare_fn(name, input, other)
        if _needs_grad(a, b):
            return _out(cls.apply(a, b), out)
        return _out(_wrap(_run(cls.kernel, a, b), dev), out)
    op.__name__ = name
    op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` (PyTorch's ``torch.{name}``)."
    return op


def _where(cond, x, y):
    from .pointwise import where

    return where(cond, x, y)


class Copysign(_Binary):
    _internal = True
    kernel = "copysign"

    @staticmethod
    def grads(ctx, a, b, out, g):
        ratio = _where(a == 0, 0.0, out / _where(a == 0, 1.0, a))
        return g * ratio, g * 0 if isinstance(b, Tensor) else None


class Fmax(_Binary):
    _internal = True
    kernel = "fmax"

    @staticmethod
    def grads(ctx, a, b, out, g):
        pick = (a >= b) | _isnan(b)
        return _where(pick, g, 0.0), _where(pick, 0.0, g)


class Fmin(_Binary):
    _internal = True
    kernel = "fmin"

    @staticmethod
    def grads(ctx, a, b, out, g):
        pick = (a <= b) | _isnan(b)
        return _where(pick, g, 0.0), _where(pick, 0.0, g)


def _isnan(v):
    return v.isnan() if isinstance(v, Tensor) else v != v


class Hypot(_Binary):
    _internal = True
    kernel = "hypot"

    @staticmethod
    def grads(ctx, a, b, out, g):
        return g * a / out, g * b / out


class Logaddexp(_Binary):
    _internal = True
    kernel = "logaddexp"

    @staticmethod
    def grads(ctx, a, b, out, g):
        return g / ((b - a).exp() + 1), g / ((a - b).exp() + 1)


class Fmod(_Binary):
    _internal = True
    kernel = "fmod"

    @staticmethod
    def grads(ctx, a, b, out, g):
        from .pointwise import div

        return g, -g * div(a, b, rounding_mode="trunc")


copysign = _binary_op(Copysign, "copysign", _binary_float)
fmax = _binary_op(Fmax, "fmax", lambda n, a, b: _prepare_same(n, a, b))
fmin = _binary_op(Fmin, "fmin", lambda n, a, b: _prepare_same(n, a, b))
hypot = _binary_op(Hypot, "hypot", _binary_floating_only)
logaddexp = _binary_op(Logaddexp, "logaddexp", _binary_floating_only)
_fmod = _binary_op(Fmod, "fmod", lambda n, a, b: _prepare_same(n, a, b))


def _prepare_same(name, a, b):
    from .pointwise import prepare

    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(a).__name__}")
    return prepare(name, a, b)


def fmod(input, other, *, out=None):
    """C's fmod: the remainder of truncated division, with the sign of ``input``."""
    dtype = result_type(input, other)
    if dtype._kind != 2:
        zero = (other == 0) if not isinstance(other, Tensor) else bool((other == 0).any())
        if zero:
            raise RuntimeError("ZeroDivisionError")
    return _fmod(input, other, out=out)


def logaddexp2(input, other, *, out=None):
    """log2(2**x + 2**y)."""
    a, b, _ = _binary_floating_only("logaddexp2", input, other)
    return _out(logaddexp(a * _LN2, b * _LN2) / _LN2, out)


class Xlogy(Function):
    """x * log(y) (log1p(y) for ``xlog1py``), 0 where x == 0 unless y is NaN."""

    _internal = True

    @staticmethod
    def forward(ctx, a, b, one_plus):
        ctx.save_for_backward(a, b)
        ctx.one_plus = one_plus
        with grad_mode.no_grad():
            zero = (a == 0) & ~b.isnan()
            safe = _where(zero, 0.0 if one_plus else 1.0, b)
            out = a * (safe.log1p() if one_plus else safe.log())
        return out._data

    @staticmethod
    def backward(ctx, g):
        # PyTorch's formulas: d/dx = xlogy(g, y), 0 where x == 0 and y <= 0 (y <= -1)
        a, b = ctx.saved_tensors
        one_plus = ctx.one_plus
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = (xlog1py if one_plus else xlogy)(g, b)
            ga = _where((a == 0) & (b <= (-1.0 if one_plus else 0.0)), 0.0, ga)
            ga = sum_to_shape(ga, a._data.shape)
        if ctx.needs_input_grad[1]:
            gb = sum_to_shape(g * a / ((b + 1) if one_plus else b), b._data.shape)
        return ga, gb, None


def _xlogy(name, input, other, out, one_plus):
    a, b, dev = _binary_float(name, input, other)
    if not isinstance(a, Tensor):
        a = _wrap(dev._k.full((), a, b.dtype, dev.index), dev)
    if not isinstance(b, Tensor):
        b = _wrap(dev._k.full((), b, a.dtype, dev.index), dev)
    if _needs_grad(a, b):
        return _out(Xlogy.apply(a, b, one_plus), out)
    return _out(_wrap(Xlogy.forward(_NoCtx(), a, b, one_plus), dev), out)


class _NoCtx:
    def save_for_backward(self, *a):
        pass

    def __setattr__(self, name, value):
        pass


def xlogy(input, other, *, out=None):
    """x * log(y), 0 where x == 0 (unless y is NaN)."""
    return _xlogy("xlogy", input, other, out, False)


def xlog1py(input, other, *, out=None):
    """x * log1p(y), 0 where x == 0 (unless y is NaN)."""
    return _xlogy("xlog1py", input, other, out, True)


def heaviside(input, values, *, out=None):
    """0 for x < 0, ``values`` at 0, 1 for x > 0."""
    check_tensor("heaviside", input)
    if isinstance(values, Tensor) and values.dtype is not input.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different "
                           "dtypes.")
    zero = _wrap(input._device._k.full((), 0, input.dtype, input._device.index), input._device)
    one = _wrap(input._device._k.full((), 1, input.dtype, input._device.index), input._device)
    broadcast_shapes(input.shape, _shape(values))
    return _out(_where(input == 0, values, _where(input > 0, one, zero)).detach(), out)


def ldexp(input, other, *, out=None):
    """input * 2**other."""
    a, b, _ = _binary_float("ldexp", input, other)
    return _out(a * exp2(b) if isinstance(b, Tensor) else a * 2.0 ** b, out)


# -- integer shifts ---------------------------------------------------------------------
def _shift(name, kernel, a, b):
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(a).__name__}")
    dtype = result_type(a, b)
    if dtype._kind != 1:
        raise not_implemented(f"{kernel}_cpu", dtype)
    dev = same_device(name, a, b)
    a, b = cast(a, dtype, dev), cast(b, dtype, dev)
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        broadcast_shapes(a.shape, b.shape)
    return _wrap(getattr(dev._k, "bitwise_" + ("left" if kernel == "lshift" else "right")
                         + "_shift")(_data(a), _data(b)), dev)


def bitwise_left_shift(input, other, *, out=None):
    """input << other on integer tensors."""
    return _out(_shift("bitwise_left_shift", "lshift", input, other), out)


def bitwise_right_shift(input, other, *, out=None):
    """input >> other (arithmetic) on integer tensors."""
    return _out(_shift("bitwise_right_shift", "rshift", input, other), out)


__all__ = [
    "acos", "acosh", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh", "asin",
    "asinh", "atan", "atanh", "bitwise_left_shift", "bitwise_right_shift", "copysign", "cosh",
    "deg2rad", "digamma", "erf", "erfc", "erfinv", "exp2", "fmax", "fmin", "fmod", "frac",
    "heaviside", "hypot", "i0", "isreal", "ldexp", "lgamma", "log10", "log2", "logaddexp",
    "logaddexp2", "logit", "nan_to_num", "polygamma", "positive", "rad2deg", "sgn", "signbit",
    "sinc", "sinh", "tan", "xlogy",
]

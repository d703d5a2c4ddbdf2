"""Elementwise ops: arithmetic, comparisons, unary math, where and clamp, with backward."""

from __future__ import annotations

import math

from .. import _dtype
from .._tensor import Tensor, _wrap
from ..autograd.function import Function
from ._util import broadcast_shapes, cast, not_implemented, result_type, same_device, sum_to_shape
from .inplace import _name as _legacy_name


def _data(x):
    return x._data if isinstance(x, Tensor) else x


def _shape(x):
    return x._data.shape if isinstance(x, Tensor) else ()


def prepare(name, a, b, dtype=None):
    """Promote, move and broadcast-check the operands of a binary op."""
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        if a._data.dtype is b._data.dtype and a._device is b._device:
            if a._data.shape != b._data.shape:
                broadcast_shapes(a._data.shape, b._data.shape)
            if dtype is None or a._data.dtype is dtype.numpy:
                return a, b, a._device
        elif a._data.shape != b._data.shape:
            broadcast_shapes(a._data.shape, b._data.shape)
    elif not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError(f"{name}(): expected at least one Tensor argument")
    dev = same_device(name, a, b)
    dtype = dtype or result_type(a, b)
    return cast(a, dtype, dev), cast(b, dtype, dev), dev


def save_operands(ctx, a, b):
    """Save the tensor operands for backward; Python scalars are kept as they are."""
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        ctx.save_for_backward(a, b)
        ctx.scalars = (None, None)
    else:
        ctx.save_for_backward(a if isinstance(a, Tensor) else b)
        ctx.scalars = (None, b) if isinstance(a, Tensor) else (a, None)


def saved_operands(ctx):
    saved = ctx.saved_tensors
    a, b = ctx.scalars
    if a is None and b is None:
        return saved
    return (saved[0], b) if a is None else (a, saved[0])


def _run(kernel, a, b):
    dev = a._device if isinstance(a, Tensor) else b._device
    return getattr(dev._k, kernel)(_data(a), _data(b))


class Add(Function):
    _internal = True

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.shapes, ctx.alpha = (_shape(a), _shape(b)), alpha
        if alpha != 1:
            b = _run("mul", b, alpha)
        elif a.__class__ is b.__class__:  # two tensors (the common case)
            return a._device._k.add(a._data, b._data)
        return _run("add", a, b)

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        ga, gb = ctx.needs_input_grad[:2]
        return (sum_to_shape(g, sa) if ga else None,
                sum_to_shape(g * ctx.alpha if ctx.alpha != 1 else g, sb) if gb else None,
                None)  # alpha


class Sub(Function):
    _internal = True

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.shapes, ctx.alpha = (_shape(a), _shape(b)), alpha
        if alpha != 1:
            b = _run("mul", b, alpha)
        return _run("sub", a, b)

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        ga, gb = ctx.needs_input_grad[:2]
        return (sum_to_shape(g, sa) if ga else None,
                sum_to_shape(-g * ctx.alpha if ctx.alpha != 1 else -g, sb) if gb else None,
                None)  # alpha


class Mul(Function):
    _internal = True

    @staticmethod
    def forward(ctx, a, b):
        if not (isinstance(a, Tensor) and isinstance(b, Tensor)):
            # times a Python scalar: the gradient needs only the scalar, so the tensor is not
            # saved (as in PyTorch, `y[0] = y[0] * 3` then works under autograd)
            ctx.by_scalar = b if isinstance(a, Tensor) else a
            return _run("mul", a, b)
        ctx.by_scalar, ctx.scalars = None, (None, None)
        ctx.save_for_backward(a, b)
        if a.__class__ is b.__class__:  # two tensors (the common case)
            return a._device._k.mul(a._data, b._data)
        return _run("mul", a, b)

    @staticmethod
    def backward(ctx, g):
        ga, gb = ctx.needs_input_grad
        if ctx.by_scalar is not None:
            return (g * ctx.by_scalar if ga else None, g * ctx.by_scalar if gb else None)
        a, b = saved_operands(ctx)
        return (sum_to_shape(g * b, _shape(a)) if ga else None,
                sum_to_shape(g * a, _shape(b)) if gb else None)


class Div(Function):
    _internal = True

    @staticmethod
    def forward(ctx, a, b):
        if isinstance(b, Tensor):
            ctx.divisor = None
            save_operands(ctx, a, b)
        else:  # divided by a Python scalar: only the scalar is needed (nothing is saved)
            ctx.divisor = b
        return _run("div", a, b)

    @staticmethod
    def backward(ctx, g):
        ga, gb = ctx.needs_input_grad
        if ctx.divisor is not None:
            return g / ctx.divisor if ga else None, None
        a, b = saved_operands(ctx)
        return (sum_to_shape(g / b, _shape(a)) if ga else None,
                sum_to_shape(-g * a / (b * b), _shape(b)) if gb else None)


class Pow(Function):
    _internal = True

    @staticmethod
    def forward(ctx, a, b):
        out = _run("pow", a, b)
        save_operands(ctx, a, b)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b = saved_operands(ctx)
        ga, gb = ctx.needs_input_grad
        grad_a = grad_b = None
        if ga:
            if isinstance(b, Tensor):
                grad_a = g * b * where(b == 0, 1.0, a) ** (b - 1) * (b != 0)
            else:
                grad_a = g * b * a ** (b - 1) if b != 0 else g * 0
            grad_a = sum_to_shape(grad_a, _shape(a))
        if gb:
            out = a ** b
            if isinstance(a, Tensor):
                log_a = log(a)
            else:
                log_a = math.log(a) if a > 0 else float("nan")
            grad_b = g * out * log_a
            if isinstance(a, Tensor):
                grad_b = where((a == 0) & (b >= 0), 0.0, grad_b)
            grad_b = sum_to_shape(grad_b, _shape(b))
        return grad_a, grad_b


class PowTensor(Pow):  # pow(Tensor, Tensor)
    _node_name = "PowBackward1"


class PowScalarBase(Pow):  # pow(Scalar, Tensor)
    _node_name = "PowBackward2"


class _MinMax(Function):
    _internal = True
    kernel = ""

    @classmethod
    def forward(cls, ctx, a, b):
        save_operands(ctx, a, b)  # either may be a Python scalar
        return _run(cls.kernel, a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = saved_operands(ctx)
        pick_a = (a > b) if ctx._forward_cls.kernel == "maximum" else (a < b)
        tie = (a == b)
        half = g * 0.5
        need_a, need_b = ctx.needs_input_grad
        return (sum_to_shape(where(pick_a, g, where(tie, half, 0.0)), _shape(a)) if need_a
                else None,
                sum_to_shape(where(pick_a, 0.0, where(tie, half, g)), _shape(b)) if need_b
                else None)


class Maximum(_MinMax):
    kernel = "maximum"


class Minimum(_MinMax):
    kernel = "minimum"


class Remainder(Function):
    _internal = True

    @staticmethod
    def forward(ctx, a, b):
        save_operands(ctx, a, b)
        return _run("remainder", a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = saved_operands(ctx)
        ga, gb = ctx.needs_input_grad
        return (sum_to_shape(g, _shape(a)) if ga else None,
                sum_to_shape(-g * floor_divide(a, b), _shape(b)) if gb else None)


class Atan2(Function):
    _internal = True

    @staticmethod
    def forward(ctx, a, b):
        save_operands(ctx, a, b)  # either may be a Python scalar
        return _run("atan2", a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = saved_operands(ctx)
        denom = a * a + b * b
        need_a, need_b = ctx.needs_input_grad
        return (sum_to_shape(g * b / denom, _shape(a)) if need_a else None,
                sum_to_shape(-g * a / denom, _shape(b)) if need_b else None)


# -- binary entry points ----------------------------------------------------------------
def _check_bool_sub(a, b):
    a_is_bool = a.dtype is _dtype.bool if isinstance(a, Tensor) else isinstance(a, bool)
    b_is_bool = b.dtype is _dtype.bool if isinstance(b, Tensor) else isinstance(b, bool)
    if a_is_bool and b_is_bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if a_is_bool or b_is_bool:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


def add(input, other, *, alpha=1, out=None):
    a, b, _ = prepare("add", input, other)
    result = Add.apply(a, b, alpha) if alpha != 1 else Add.apply(a, b)
    return result if out is None else _out(result, out)


def sub(input, other, *, alpha=1, out=None):
    return _sub(input, other, alpha, out, Sub)


class Rsub(Sub):  # rsub(Tensor, Tensor)
    _node_name = "RsubBackward0"


class RsubScalar(Sub):  # rsub(Tensor, Scalar), e.g. 1 - x
    _node_name = "RsubBackward1"


def _sub(input, other, alpha, out, fn):
    _check_bool_sub(input, other)
    a, b, _ = prepare("sub", input, other)
    return _out(fn.apply(a, b, alpha) if alpha != 1 else fn.apply(a, b), out)


subtract = sub


def rsub(input, other, *, alpha=1):
    return _sub(other, input, alpha, None, Rsub if isinstance(other, Tensor) else RsubScalar)


def mul(input, other, *, out=None):
    a, b, _ = prepare("mul", input, other)
    return Mul.apply(a, b) if out is None else _out(Mul.apply(a, b), out)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    if rounding_mode is None:
        dtype = result_type(input, other)
        if dtype._kind != 2:
            dtype = _dtype.get_default_dtype()
        a, b, _ = prepare("div", input, other, dtype)
        return _out(Div.apply(a, b), out)
    if rounding_mode == "trunc":
        _no_zero_divisor(other, result_type(input, other))
        return _out(trunc(div(input, other)).to(result_type(input, other)), out)
    if rounding_mode == "floor":
        return _out(floor_divide(input, other), out)
    raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                     f"found '{rounding_mode}'")


divide = true_divide = div


def _no_bool(kernel, dtype):
    if dtype is _dtype.bool:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _no_zero_divisor(b, dtype):
    """Integer division by zero raises, as in PyTorch (NumPy gives 0 and a warning)."""
    if dtype._kind == 2:
        return
    if b.__class__ is not Tensor and not isinstance(b, Tensor):
        if b == 0:
            raise RuntimeError("ZeroDivisionError")
    elif b.numel() and not bool(b.all()):
        raise RuntimeError("ZeroDivisionError")


def floor_divide(input, other, *, out=None):
    a, b, _ = prepare("floor_divide", input, other)
    dtype = result_type(input, other)
    _no_bool("div_floor_cpu", dtype)
    if dtype._kind == 2:
        return _out(floor(div(a, b)), out)
    _no_zero_divisor(b, dtype)
    return _out(_nondiff("floor_divide", a, b), out)


def remainder(input, other, *, out=None):
    a, b, _ = prepare("remainder", input, other)
    dtype = result_type(a, b)
    _no_bool("remainder_cpu", dtype)
    _no_zero_divisor(b, dtype)
    return _out(Remainder.apply(a, b), out)


def fmod(input, other):
    return input - trunc(div(input, other)).to(result_type(input, other)) * other


def pow(input, exponent, *, out=None):  # noqa: A001 - PyTorch's name
    if isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        if exponent == 2 and input.dtype._kind == 2:
            return square(input, out=out)  # PowBackward0, as PyTorch
        if input.dtype is _dtype.bool and isinstance(exponent, bool):  # x**True = x, x**False = 1
            return _out(input.clone() if exponent else input.logical_not() | input, out)
        dtype = result_type(input, exponent)
        a, b = cast(input, dtype), cast(exponent, dtype)
    else:
        a, b, _ = prepare("pow", input, exponent)
        _no_bool("pow", result_type(a, b))
    if (isinstance(a, Tensor) and a.dtype._kind == 1 and not isinstance(b, Tensor) and b < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    fn = (PowTensor if isinstance(b, Tensor) else Pow) if isinstance(a, Tensor) else PowScalarBase
    return _out(fn.apply(a, b), out)


def float_power(input, exponent):
    return pow(cast(input, _dtype.float64), cast(exponent, _dtype.float64)
               if isinstance(exponent, Tensor) else float(exponent))


def maximum(input, other, *, out=None):
    a, b, _ = prepare("maximum", input, other)
    return _out(Maximum.apply(a, b), out)


def minimum(input, other, *, out=None):
    a, b, _ = prepare("minimum", input, other)
    return _out(Minimum.apply(a, b), out)


def atan2(input, other, *, out=None):
    dtype = result_type(input, other)
    dtype = dtype if dtype._kind == 2 else _dtype.get_default_dtype()
    a, b, _ = prepare("atan2", input, other, dtype)
    return _out(Atan2.apply(a, b), out)


arctan2 = atan2


def _nondiff(kernel, a, b):
    return _wrap(_run(kernel, a, b), a._device if isinstance(a, Tensor) else b._device)


def _comparison(kernel):
    def compare(input, other, *, out=None):
        a, b, _ = prepare(kernel, input, other)
        return _out(_nondiff(kernel, a, b), out)
    compare.__name__ = kernel
    compare.__doc__ = f"Elementwise ``{kernel}`` as a bool tensor."
    return compare


eq, ne, lt, le, gt, ge = (_comparison(k) for k in ("eq", "ne", "lt", "le", "gt", "ge"))
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _logical(kernel):
    def logical(input, other, *, out=None):
        dev = same_device(kernel, input, other)
        return _out(_wrap(getattr(dev._k, kernel)(_data(input), _data(other)), dev), out)
    logical.__name__ = kernel
    return logical


logical_and, logical_or, logical_xor = (_logical(k) for k in
                                        ("logical_and", "logical_or", "logical_xor"))


def _bitwise(kernel):
    def bitwise(input, other, *, out=None):
        a, b, _ = prepare(kernel, input, other)
        dtype = result_type(a, b)
        if dtype._kind == 2:
            raise not_implemented(f"{kernel}_cpu", dtype)
        return _out(_nondiff(kernel, a, b), out)
    bitwise.__name__ = kernel
    return bitwise


bitwise_and, bitwise_or, bitwise_xor = (_bitwise(k) for k in
                                        ("bitwise_and", "bitwise_or", "bitwise_xor"))


def equal(input, other) -> bool:
    return input.shape == other.shape and bool(eq(input, other).all())


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``|input - other| <= atol + rtol * |other|`` elementwise; equal infinities are close."""
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{input.dtype} did not match {other.dtype}")
    if rtol < 0 or atol < 0:
        raise RuntimeError(f"{'rtol' if rtol < 0 else 'atol'} must be greater than or equal to "
                           f"zero, but got {rtol if rtol < 0 else atol}")
    close = eq(input, other)
    if input.dtype is _dtype.bool or not (rtol or atol):
        return close
    a, b = (input, other) if input.dtype._kind == 2 else (input.double(), other.double())
    diff = (a - b).abs()
    close = close | (isfinite(diff) & (diff <= atol + rtol * b.abs()))
    if equal_nan and input.dtype._kind == 2:
        close = close | (isnan(input) & isnan(other))
    return close


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    return bool(isclose(input, other, rtol, atol, equal_nan).all())


# -- unary ops --------------------------------------------------------------------------
def _unary(name, kernel, grad, *, floating=True, save="input", differentiable=True,
           on_bool=None, node_name=None):
    """Build a unary op: ``grad(x, out, g)`` gives the input gradient as Tensor ops."""

    def forward(ctx, x):
        out = getattr(x._device._k, kernel)(x._data)
        if save == "input":
            ctx.save_for_backward(x)
        elif save == "output":
            ctx.save_for_backward(_wrap(out, x._device))
            ctx.saved_out = True
        return out

    def backward(ctx, g):
        saved = ctx.saved_tensors
        x = saved[0] if save == "input" else None
        out = saved[0] if save == "output" else None
        return grad(x, out, g)

    cls = type(name.capitalize(), (Function,), {
        "_internal": True, "forward": staticmethod(forward), "backward": staticmethod(backward),
        **({"_node_name": node_name} if node_name else {})})

    def op(input, *, out=None):
        x = input
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(x).__name__}")
        if on_bool is not None and x._data.dtype.kind == "b":
            return _out(on_bool(x), out)
        if floating and x._data.dtype.kind in "biu":
            x = x.to(_dtype.get_default_dtype())
        if not differentiable or not x._requires_grad:
            return _out(_wrap(getattr(x._device._k, kernel)(x._data), x._device), out)
        return _out(cls.apply(x), out)
    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}``."
    return op


def _zero_grad(x, out, g):
    return g * 0


def _bool_unsupported(kernel):
    def refuse(x):
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    return refuse


def _bool_negation(x):
    raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are "
                       "trying to invert a mask, use the `~` or `logical_not()` operator instead.")


neg = _unary("neg", "neg", lambda x, o, g: -g, floating=False, save=None,
             on_bool=_bool_negation)
negative = neg
abs = _unary("abs", "abs", lambda x, o, g: g * sign(x), floating=False,  # noqa: A001
             on_bool=_bool_unsupported("abs_cpu"))
absolute = abs
sign = _unary("sign", "sign", _zero_grad, floating=False, save=None,  # zero gradient, as PyTorch
              on_bool=lambda x: x.clone())
exp = _unary("exp", "exp", lambda x, o, g: g * o, save="output")
log = _unary("log", "log", lambda x, o, g: g / x)
log1p = _unary("log1p", "log1p", lambda x, o, g: g / (x + 1))
expm1 = _unary("expm1", "expm1", lambda x, o, g: g * (o + 1), save="output")
sqrt = _unary("sqrt", "sqrt", lambda x, o, g: g / (o * 2), save="output")
rsqrt = _unary("rsqrt", "rsqrt", lambda x, o, g: g * o * o * o * -0.5, save="output")
sin = _unary("sin", "sin", lambda x, o, g: g * cos(x))
cos = _unary("cos", "cos", lambda x, o, g: -g * sin(x))
tanh = _unary("tanh", "tanh", lambda x, o, g: g * (1 - o * o), save="output")
sigmoid = _unary("sigmoid", "sigmoid", lambda x, o, g: g * o * (1 - o), save="output")
reciprocal = _unary("reciprocal", "reciprocal", lambda x, o, g: -g * o * o, save="output")
square = _unary("square", "square", lambda x, o, g: g * 2 * x, floating=False,
                node_name="PowBackward0",  # PyTorch's square is pow(x, 2)
                on_bool=lambda x: square(x.to(_dtype.int64)))  # pow(x, 2): int64, as PyTorch
floor = _unary("floor", "floor", _zero_grad, floating=False, save=None,
               on_bool=_bool_unsupported("floor_vml_cpu"))
ceil = _unary("ceil", "ceil", _zero_grad, floating=False, save=None,
              on_bool=_bool_unsupported("ceil_vml_cpu"))
trunc = _unary("trunc", "trunc", _zero_grad, floating=False, save=None,
               on_bool=_bool_unsupported("trunc_vml_cpu"))
fix = trunc
_round = _unary("round", "round", _zero_grad, floating=False, save=None,
                on_bool=_bool_unsupported("round_vml_cpu"))
logical_not = _unary("logical_not", "logical_not", _zero_grad, floating=False, save=None,
                     differentiable=False)
isnan = _unary("isnan", "isnan", _zero_grad, floating=False, save=None, differentiable=False)
_bitwise_not = _unary("bitwise_not", "bitwise_not", _zero_grad, floating=False, save=None,
                      differentiable=False)


def bitwise_not(input, *, out=None):
    """~x on integers (logical not on bool); floating tensors have no bitwise kernel."""
    if isinstance(input, Tensor) and input.is_floating_point():
        raise not_implemented("bitwise_not_cpu", input.dtype)
    return _bitwise_not(input, out=out)


def relu(input):
    if input._data.dtype.kind == "b":
        raise RuntimeError("Boolean inputs not supported for relu")
    return _relu(input)


class Relu(Function):
    _internal = True

    @staticmethod
    def forward(ctx, x):
        out = x._device._k.relu(x._data)
        ctx.save_for_backward(_wrap(out, x._device))
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return ThresholdBackward.apply(g, out)


class ThresholdBackward(Function):
    """``g`` where ``out > 0``, else 0: ReLU's gradient as one node."""

    _internal = True

    @staticmethod
    def forward(ctx, g, out):
        ctx.save_for_backward(out)
        k = g._device._k
        return k.threshold_backward(g._data, out._data, 0)

    @staticmethod
    def backward(ctx, gg):
        (out,) = ctx.saved_tensors
        return ThresholdBackward.apply(gg, out), None


def _relu(x):
    if not x._requires_grad:
        return _wrap(x._device._k.relu(x._data), x._device)
    return Relu.apply(x)


def round(input, *, decimals=0, out=None):  # noqa: A001 - PyTorch's name
    if decimals == 0:
        return _out(_round(input), out)
    scale = 10.0 ** decimals
    return _out(_round(input * scale) / scale, out)


# -- where and clamp --------------------------------------------------------------------
class Where(Function):
    _internal = True

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.save_for_backward(cond)
        ctx.shapes = (_shape(a), _shape(b))
        k = cond._device._k
        return k.where(cond._data, _data(a), _data(b))

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        sa, sb = ctx.shapes
        _, ga, gb = ctx.needs_input_grad
        return (None,
                sum_to_shape(where(cond, g, 0.0), sa) if ga else None,
                sum_to_shape(where(cond, 0.0, g), sb) if gb else None)


def where(condition, input=None, other=None, *, out=None):
    return _where(condition, input, other, out, Where)


class MaskedFill(Where):  # masked_fill(mask, Scalar): where(mask, value, input)
    _node_name = "MaskedFillBackward0"


class MaskedFillTensor(Where):
    _node_name = "MaskedFillBackward1"


def _where(condition, input, other, out, fn):
    if input is None and other is None:
        from .indexing import nonzero

        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        raise TypeError("where(): argument 'condition' must be Tensor")
    if condition.dtype is not _dtype.bool:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {_legacy_name(condition.dtype)}")
    dtype = result_type(input, other)
    dev = same_device("where", condition, input, other)
    a, b = cast(input, dtype, dev), cast(other, dtype, dev)
    shapes = [condition._data.shape, _shape(a), _shape(b)]
    broadcast_shapes(*shapes)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = _wrap(dev._k.full((), a, dtype, dev.index), dev)
    elif not isinstance(a, Tensor) or not isinstance(b, Tensor):
        # a scalar branch keeps the tensor's dtype (weak scalar) in every backend
        t = a if isinstance(a, Tensor) else b
        s = b if isinstance(a, Tensor) else a
        s = _wrap(dev._k.full((), s, t.dtype, dev.index), dev)
        a, b = (t, s) if isinstance(a, Tensor) else (s, t)
    return _out(fn.apply(condition, a, b), out)


def clamp(input, min=None, max=None, *, out=None):  # noqa: A002 - PyTorch's names
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    x = input
    if (min is not None and max is not None and not isinstance(min, Tensor)
            and not isinstance(max, Tensor) and result_type(x, min) is result_type(x, max)):
        return _out(_clamp_scalar(x, min, max), out)  # one ClampBackward1, as PyTorch
    if min is not None:
        x = maximum(x, min) if isinstance(min, Tensor) else _clamp_scalar(x, min, None)
    if max is not None:
        x = minimum(x, max) if isinstance(max, Tensor) else _clamp_scalar(x, None, max)
    return _out(x, out)


clip = clamp


def clamp_min(input, min):  # noqa: A002
    if isinstance(min, Tensor) or not isinstance(input, Tensor):
        return clamp(input, min=min)
    return _clamp_scalar(input, min, None, ClampMin)


def clamp_max(input, max):  # noqa: A002
    if isinstance(max, Tensor) or not isinstance(input, Tensor):
        return clamp(input, max=max)
    return _clamp_scalar(input, None, max, ClampMax)


class ClampScalar(Function):
    _internal = True
    _node_name = "ClampBackward1"  # clamp(Tensor, Scalar?, Scalar?)

    @staticmethod
    def forward(ctx, x, low, high):
        ctx.save_for_backward(x)
        ctx.bounds = (low, high)
        return x._device._k.clip(x._data, low, high)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        low, high = ctx.bounds
        keep = None
        if low is not None:
            keep = x >= low
        if high is not None:
            keep = (x <= high) if keep is None else keep & (x <= high)
        return g * keep, None, None


class ClampMin(ClampScalar):
    _node_name = "ClampMinBackward0"


class ClampMax(ClampScalar):
    _node_name = "ClampMaxBackward0"


def _clamp_scalar(x, low, high, fn=ClampScalar):
    dtype = result_type(x, low if low is not None else high)
    x = cast(x, dtype)
    return fn.apply(x, cast(low, dtype), cast(high, dtype))


def lerp(input, end, weight):
    """PyTorch's formula: ``input + w * (end - input)`` for ``|w| < 0.5``, else
    ``end - (end - input) * (1 - w)`` (exact at both ends; optimizers rely on it)."""
    diff = end - input
    if isinstance(weight, Tensor):
        return where(abs(weight) < 0.5, input + weight * diff, end - diff * (1 - weight))
    if -0.5 < weight < 0.5:  # (abs is the tensor op in this module)
        return input + weight * diff
    return end - diff * _one_minus(weight, diff.dtype)


def _one_minus(weight, dtype):
    """``1 - weight`` in the precision PyTorch uses for a Python scalar with ``dtype``."""
    if dtype is _dtype.float64:
        return 1 - weight
    import numpy as np

    return float(np.float32(1) - np.float32(weight))


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 * tensor2``, multiplied in that order (as PyTorch)."""
    if isinstance(value, Tensor):
        value = value.item()
    prod = tensor1 * value if value != 1 else tensor1
    return _out(input + prod * tensor2, out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 / tensor2``, computed in that order (as PyTorch)."""
    if isinstance(value, Tensor):
        value = value.item()
    if (isinstance(tensor1, Tensor) and tensor1.dtype._kind != 2
            and isinstance(tensor2, Tensor) and tensor2.dtype._kind != 2):
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a "
                           "future release addcdiv will perform a true division of tensor1 and "
                           "tensor2. The historic addcdiv behavior can be implemented as "
                           "(input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) "
                           "for integer inputs and as (input + value * tensor1 / tensor2) for "
                           "float inputs. The future addcdiv behavior is just the latter "
                           "implementation: (input + value * tensor1 / tensor2), for all dtypes.")
    prod = tensor1 * value if value != 1 else tensor1
    return _out(input + prod / tensor2, out)


# -- out= support -----------------------------------------------------------------------
def _out(result, out):
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    from .inplace import resize_and_copy

    return resize_and_copy(out, result)


def isinf(input):
    if input.dtype._kind != 2:
        return input != input
    return abs(input) == float("inf")


def isfinite(input):
    if input.dtype._kind != 2:
        return input == input
    return logical_not(isnan(input) | isinf(input))


def isposinf(input):
    return input == float("inf")


def isneginf(input):
    return input == float("-inf")


__all__ = [_n for _n, _v in list(globals().items())
           if not _n.startswith("_") and callable(_v) and not isinstance(_v, type)
           and getattr(_v, "__module__", None) == __name__]

"""Installs the ops as ``Tensor`` methods, operators and in-place variants."""

from __future__ import annotations

from .. import _dtype
from .._tensor import Tensor
from ..autograd import grad_mode
from . import creation, indexing, inplace, linalg, pointwise, reduction, shape

_state = grad_mode.state

_METHODS = {
    pointwise: """add sub subtract mul multiply div divide true_divide floor_divide remainder fmod
        pow float_power maximum minimum atan2 arctan2 eq ne lt le gt ge greater greater_equal
        less less_equal not_equal logical_and logical_or logical_xor logical_not bitwise_and
        bitwise_or bitwise_xor bitwise_not neg negative abs absolute sign exp log log1p expm1
        sqrt rsqrt sin cos tanh sigmoid relu reciprocal square floor ceil trunc fix round isnan
        isinf isfinite isposinf isneginf clamp clip clamp_min clamp_max lerp equal isclose
        allclose""",
    reduction: """sum nansum mean prod max min amax amin argmax argmin var std logsumexp norm
        cumsum cumprod all any count_nonzero softmax log_softmax""",
    shape: """view view_as reshape reshape_as flatten unflatten squeeze unsqueeze permute
        transpose swapaxes swapdims t movedim moveaxis expand expand_as repeat tile
        narrow split chunk unbind select fliplr flipud clone contiguous""",
    indexing: "gather scatter scatter_add scatter_reduce index_select masked_fill nonzero "
              "masked_select take_along_dim",
    linalg: "matmul mm bmm mv dot inner outer ger",
    creation: """to uniform_ normal_ bernoulli_ random_ exponential_ fill_ zero_ bernoulli
        multinomial""",
}

for module, names in _METHODS.items():
    for name in names.split():
        setattr(Tensor, name, getattr(module, name))


def _where(self, condition, other):
    return pointwise.where(condition, self, other)


Tensor.where = _where
# methods that also take their sizes/dims as separate arguments (the functions want one tuple)
Tensor.flip = lambda self, *dims: shape.flip(self, shape._shape_arg(dims))
Tensor.broadcast_to = lambda self, *size: shape.expand(self, *size)
Tensor.__getitem__ = indexing.getitem
Tensor.__setitem__ = indexing.setitem
Tensor.T = property(lambda self: self.permute(tuple(reversed(range(self.ndim)))))
Tensor.mT = property(lambda self: self.transpose(-2, -1))
Tensor.mH = Tensor.mT
Tensor.H = property(lambda self: self.t())


def _reflect(fn):
    return lambda self, other: fn(other, self)


_OPERATORS = {
    "radd": _reflect(pointwise.add), "sub": pointwise.sub, "rsub": pointwise.rsub,
    "rmul": _reflect(pointwise.mul), "truediv": pointwise.div,
    "rtruediv": _reflect(pointwise.div), "floordiv": pointwise.floor_divide,
    "rfloordiv": _reflect(pointwise.floor_divide), "mod": pointwise.remainder,
    "rmod": _reflect(pointwise.remainder), "pow": pointwise.pow, "rpow": _reflect(pointwise.pow),
    "matmul": linalg.matmul, "rmatmul": _reflect(linalg.matmul),
    "eq": pointwise.eq, "ne": pointwise.ne, "lt": pointwise.lt, "le": pointwise.le,
    "gt": pointwise.gt, "ge": pointwise.ge,
}
for _name, _fn in _OPERATORS.items():
    setattr(Tensor, f"__{_name}__", _fn)


def _logical_or_bitwise(logical, bitwise):
    def op(self, other):
        if self.dtype is _dtype.bool and (not isinstance(other, Tensor) or
                                          other.dtype is _dtype.bool):
            return logical(self, other)
        return bitwise(self, other)
    return op


Tensor.__and__ = Tensor.__rand__ = _logical_or_bitwise(pointwise.logical_and,
                                                       pointwise.bitwise_and)
Tensor.__or__ = Tensor.__ror__ = _logical_or_bitwise(pointwise.logical_or, pointwise.bitwise_or)
Tensor.__xor__ = Tensor.__rxor__ = _logical_or_bitwise(pointwise.logical_xor,
                                                       pointwise.bitwise_xor)
Tensor.__neg__ = pointwise.neg
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = pointwise.abs


def _invert(self):
    if self.dtype is _dtype.bool:
        return pointwise.logical_not(self)
    if self.dtype._kind == 2:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return pointwise.bitwise_not(self)


Tensor.__invert__ = _invert


# -- in-place variants ----------------------------------------------------------------
def _binary_inplace(kernel, fn):
    def method(self, other, *args, alpha=1, **kwargs):
        if alpha != 1:
            other = other * alpha
        if args or kwargs:
            return inplace.rebase(self, fn(inplace._old_value(self), other, *args, **kwargs)) \
                if _needs_grad(self, other) else inplace.apply_(self, fn(self, other, *args,
                                                                          **kwargs))
        return inplace.elementwise_(self, kernel, other, fn)
    method.__name__ = kernel + "_"
    return method


def _needs_grad(self, *others):
    return _state.enabled and (self._requires_grad or any(
        isinstance(o, Tensor) and o._requires_grad for o in others))


for _kernel, _fn in [("add", pointwise.add), ("sub", pointwise.sub), ("mul", pointwise.mul),
                     ("div", pointwise.div), ("pow", pointwise.pow),
                     ("remainder", pointwise.remainder), ("maximum", pointwise.maximum),
                     ("minimum", pointwise.minimum)]:
    setattr(Tensor, _kernel + "_", _binary_inplace(_kernel, _fn))
Tensor.subtract_ = Tensor.sub_
Tensor.multiply_ = Tensor.mul_
Tensor.divide_ = Tensor.true_divide_ = Tensor.div_


def _generic_inplace(fn):
    def method(self, *args, **kwargs):
        inplace.check_leaf(self)
        if _needs_grad(self, *args, *kwargs.values()):
            return inplace.rebase(self, fn(inplace._old_value(self), *args, **kwargs))
        return inplace.apply_(self, fn(self, *args, **kwargs))
    method.__name__ = fn.__name__ + "_"
    return method


_GENERIC_INPLACE = {
    pointwise: """neg abs sign exp log log1p expm1 sqrt rsqrt sin cos tanh sigmoid relu reciprocal
        square floor ceil trunc round clamp clip clamp_min clamp_max floor_divide fmod lerp
        atan2 logical_not logical_and logical_or logical_xor bitwise_and bitwise_or
        bitwise_xor bitwise_not""",
    indexing: "scatter scatter_add scatter_reduce masked_fill",
}
for module, names in _GENERIC_INPLACE.items():
    for name in names.split():
        setattr(Tensor, name + "_", _generic_inplace(getattr(module, name)))
Tensor.negative_ = Tensor.neg_
Tensor.absolute_ = Tensor.abs_


def _iop(name):
    method = getattr(Tensor, name + "_")
    return lambda self, other: method(self, other)


for _name in ("add", "sub", "mul", "pow"):
    setattr(Tensor, f"__i{_name}__", _iop(_name))
Tensor.__itruediv__ = _iop("div")
Tensor.__ifloordiv__ = _iop("floor_divide")
Tensor.__imod__ = _iop("remainder")
Tensor.__iand__ = lambda self, other: Tensor.bitwise_and_(self, other) \
    if self.dtype is not _dtype.bool else Tensor.logical_and_(self, other)
Tensor.__ior__ = lambda self, other: Tensor.bitwise_or_(self, other) \
    if self.dtype is not _dtype.bool else Tensor.logical_or_(self, other)
Tensor.__ixor__ = lambda self, other: Tensor.bitwise_xor_(self, other) \
    if self.dtype is not _dtype.bool else Tensor.logical_xor_(self, other)


def copy_(self, src, non_blocking=False):
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' must be Tensor, not {type(src).__name__}")
    inplace.check_leaf(self)
    if _needs_grad(self, src):
        return inplace.rebase(self, shape.expand(src.to(self.device).to(self.dtype), self.shape)
                              .clone() if src.shape != self.shape else
                              src.to(self.device).to(self.dtype).clone())
    data = src.to(self._device)
    if data._data.shape != self._data.shape:
        inplace._check_shape(self, data._data.shape)
    self._device._k.assign(self._data, data._data if data.dtype is self.dtype
                           else data.to(self.dtype)._data)
    self._bump()
    return self


Tensor.copy_ = copy_


# -- conversions -------------------------------------------------------------------------
def _as(dtype):
    def convert(self, memory_format=None):
        return self.to(dtype)
    convert.__name__ = dtype.name
    return convert


for _name, _dt in [("float", _dtype.float32), ("double", _dtype.float64),
                   ("half", _dtype.float16), ("bfloat16", _dtype.bfloat16),
                   ("long", _dtype.int64), ("int", _dtype.int32), ("short", _dtype.int16),
                   ("char", _dtype.int8), ("byte", _dtype.uint8), ("bool", _dtype.bool)]:
    setattr(Tensor, _name, _as(_dt))


def _cpu(self, memory_format=None):
    return self.to("cpu")


def _cuda(self, device=None, non_blocking=False, memory_format=None):
    return self.to("cuda" if device is None else device if isinstance(device, str)
                   else f"cuda:{device}" if isinstance(device, int) else device)


Tensor.cpu = _cpu
Tensor.cuda = _cuda
Tensor.type_as = lambda self, other: self.to(other.dtype)


def _new(fn):
    def method(self, *args, dtype=None, device=None, requires_grad=False, **kwargs):
        return fn(*args, dtype=dtype or self.dtype, device=device or self.device,
                  requires_grad=requires_grad, **kwargs)
    return method


Tensor.new_zeros = _new(creation.zeros)
Tensor.new_ones = _new(creation.ones)
Tensor.new_empty = _new(creation.empty)
Tensor.new_full = _new(creation.full)
Tensor.new_tensor = _new(creation.tensor)


# -- addcmul/addcdiv, and a no-autograd fast path for the in-place ops optimizers use -----
# Under no_grad (where optimizers run) with same-device, same-dtype, same-shape floating
# operands, these call the kernels directly with ``out=``; the arithmetic (and its order)
# is PyTorch's, so results do not change, only the Python overhead does.
Tensor.addcmul = pointwise.addcmul
Tensor.addcdiv = pointwise.addcdiv


def _fast_ok(self, other):
    return (isinstance(other, Tensor) and other._device is self._device
            and other._data.dtype is self._data.dtype and other._data.shape == self._data.shape)


def _fast_binary_inplace(kernel, slow):
    def method(self, other, *args, alpha=1, **kwargs):
        if not _state.enabled and not args and not kwargs and self._data.dtype.kind == "f":
            x = self._data
            k = self._device._k
            if _fast_ok(self, other) and alpha.__class__ in (int, float):
                y = other._data if alpha == 1 else k.mul(other._data, alpha)
                getattr(k, kernel)(x, y, out=x)
                self._bump()
                return self
            if other.__class__ in (int, float) and alpha == 1:
                getattr(k, kernel)(x, other, out=x)
                self._bump()
                return self
        return slow(self, other, *args, alpha=alpha, **kwargs)
    method.__name__ = slow.__name__
    return method


for _kernel in ("add", "sub", "mul", "div"):
    setattr(Tensor, _kernel + "_", _fast_binary_inplace(_kernel, getattr(Tensor, _kernel + "_")))
Tensor.subtract_ = Tensor.sub_
Tensor.multiply_ = Tensor.mul_
Tensor.divide_ = Tensor.true_divide_ = Tensor.div_
for _name in ("add", "sub", "mul"):
    setattr(Tensor, f"__i{_name}__", _iop(_name))
Tensor.__itruediv__ = _iop("div")


def _addc_inplace(kernel, fn):
    slow = _generic_inplace(fn)

    def method(self, tensor1, tensor2, *, value=1):
        if isinstance(value, Tensor):
            value = value.item()
        if (not _state.enabled and self._data.dtype.kind == "f" and _fast_ok(self, tensor1)
                and _fast_ok(self, tensor2)):
            k = self._device._k
            x = self._data
            if value != 1:
                t = k.mul(tensor1._data, value)
                getattr(k, kernel)(t, tensor2._data, out=t)
            else:
                t = getattr(k, kernel)(tensor1._data, tensor2._data)
            k.add(x, t, out=x)
            self._bump()
            return self
        return slow(self, tensor1, tensor2, value=value)
    method.__name__ = fn.__name__ + "_"
    return method


Tensor.addcmul_ = _addc_inplace("mul", pointwise.addcmul)
Tensor.addcdiv_ = _addc_inplace("div", pointwise.addcdiv)
_slow_lerp_ = _generic_inplace(pointwise.lerp)


def _lerp_(self, end, weight):
    if (not _state.enabled and weight.__class__ is float and self._data.dtype.kind == "f"
            and _fast_ok(self, end)):
        k = self._device._k
        x = self._data
        d = k.sub(end._data, x)
        if abs(weight) < 0.5:
            k.mul(d, weight, out=d)
            k.add(x, d, out=x)
        else:
            k.mul(d, pointwise._one_minus(weight, self.dtype), out=d)
            k.sub(end._data, d, out=x)
        self._bump()
        return self
    return _slow_lerp_(self, end, weight)


Tensor.lerp_ = _lerp_


def _fast_unary_inplace(kernel, slow):
    def method(self):
        if not _state.enabled and self._data.dtype.kind == "f":
            getattr(self._device._k, kernel)(self._data, out=self._data)
            self._bump()
            return self
        return slow(self)
    method.__name__ = slow.__name__
    return method


for _kernel in ("sqrt", "exp", "log", "abs", "neg"):
    setattr(Tensor, _kernel + "_", _fast_unary_inplace(_kernel, getattr(Tensor, _kernel + "_")))
Tensor.negative_ = Tensor.neg_
Tensor.absolute_ = Tensor.abs_


# -- the tensor library: special math, sorting, reductions, shape, indexing, linear algebra --
from .. import _dlpack  # noqa: E402
from . import (  # noqa: E402
    indexing_extra,
    linalg_extra,
    reduction_extra,
    shape_extra,
    sorting,
    special_math,
)

_LIBRARY_METHODS = {
    special_math: """exp2 log2 log10 tan asin acos atan arcsin arccos arctan sinh cosh asinh
        acosh atanh arcsinh arccosh arctanh erf erfc erfinv lgamma digamma i0 logit frac sinc
        deg2rad rad2deg sgn positive isreal signbit nan_to_num copysign fmax fmin fmod hypot
        logaddexp logaddexp2 xlogy heaviside ldexp bitwise_left_shift bitwise_right_shift""",
    sorting: """sort argsort msort topk kthvalue median nanmedian mode quantile nanquantile
        unique unique_consecutive bincount histc""",
    reduction_extra: "nanmean aminmax cummax cummin logcumsumexp",
    shape_extra: """diagonal diag diag_embed diagflat tril triu tensor_split hsplit vsplit dsplit
        rot90 roll repeat_interleave narrow_copy ravel diff""",
    indexing_extra: """scatter_reduce index_add index_copy index_fill index_put index_reduce
        masked_scatter take put argwhere select_scatter slice_scatter diagonal_scatter""",
    linalg_extra: """vdot addmm addmv addbmm baddbmm addr kron trace cross dist renorm det logdet
        slogdet inverse cholesky cholesky_solve cholesky_inverse qr svd pinverse matrix_power
        triangular_solve lu_solve""",
}
for _module, _names in _LIBRARY_METHODS.items():
    for _name in _names.split():
        setattr(Tensor, _name, getattr(_module, _name))


def _polygamma_method(self, n):
    return special_math.polygamma(n, self)


def _mvlgamma(self, p):
    from ..special import multigammaln

    return multigammaln(self, p)


Tensor.polygamma = _polygamma_method
Tensor.mvlgamma = _mvlgamma
for _name in """exp2 log2 log10 tan asin acos atan arcsin arccos arctan sinh cosh asinh acosh atanh
        arcsinh arccosh arctanh erf erfc erfinv lgamma digamma i0 logit frac sinc deg2rad
        rad2deg sgn nan_to_num copysign fmod hypot xlogy heaviside ldexp bitwise_left_shift
        bitwise_right_shift logaddexp tril triu""".split():
    setattr(Tensor, _name + "_", _generic_inplace(getattr(Tensor, _name)))
for _module, _names in [(indexing_extra, """scatter_reduce index_add index_copy index_fill
                         index_put index_reduce masked_scatter put"""),
                        (linalg_extra, "addmm addmv addbmm baddbmm addr renorm")]:
    for _name in _names.split():
        setattr(Tensor, _name + "_", _generic_inplace(getattr(_module, _name)))
Tensor.polygamma_ = _generic_inplace(lambda self, n: special_math.polygamma(n, self))
Tensor.polygamma_.__name__ = "polygamma_"


def _shift(fn, reflected=False):
    if reflected:
        return lambda self, other: fn(other, self)
    return lambda self, other: fn(self, other)


Tensor.__lshift__ = _shift(special_math.bitwise_left_shift)
Tensor.__rshift__ = _shift(special_math.bitwise_right_shift)
Tensor.__rlshift__ = _shift(special_math.bitwise_left_shift, True)
Tensor.__rrshift__ = _shift(special_math.bitwise_right_shift, True)
Tensor.__ilshift__ = lambda self, other: Tensor.bitwise_left_shift_(self, other)
Tensor.__irshift__ = lambda self, other: Tensor.bitwise_right_shift_(self, other)
Tensor.__dlpack__ = _dlpack.__dlpack__
Tensor.__dlpack_device__ = _dlpack.__dlpack_device__


def _reshaping_inplace(fn):
    """``x.unsqueeze_(d)`` and friends: x itself takes the view's shape and history."""
    def method(self, *args):
        inplace.check_leaf(self)
        view = fn(self, *args)
        self._data = view._data
        if view.grad_fn is not None:
            self.grad_fn, self._out_nr = view.grad_fn, view._out_nr
        self._bump()
        return self
    method.__name__ = fn.__name__ + "_"
    return method


for _name in ("unsqueeze", "squeeze", "transpose", "t"):
    setattr(Tensor, _name + "_", _reshaping_inplace(getattr(shape, _name)))

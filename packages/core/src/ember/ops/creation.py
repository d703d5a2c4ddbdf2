"""Creating tensors: from data, filled, ranges, random; ``Tensor.to`` and conversions."""

from __future__ import annotations

import math
import numbers

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap
from ..autograd.function import Function
from ..backends.plugins import registry
from ..random import Generator, default_generator_for


def _device(device):
    return registry.default_device if device is None else registry.canonical(device)


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s)
        if not isinstance(s, numbers.Integral):
            raise TypeError(f"expected a sequence of integers as the size, got "
                            f"{type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(size)}")
        out.append(int(s))
    return tuple(out)


def _finish(t, requires_grad):
    if requires_grad:
        t.requires_grad_(True)
    return t


def _host_array(data, dtype):
    """A NumPy array of ``data`` (nested lists, scalars, arrays, tensors) and its ember dtype."""
    if isinstance(data, Tensor):
        arr = np.array(data.detach().cpu().numpy(), copy=True)
        return arr, dtype or data.dtype
    if isinstance(data, np.ndarray):
        inferred = _dtype.from_numpy_dtype(data.dtype)
        return np.array(data, copy=True), dtype or inferred
    if isinstance(data, (list, tuple)) and _has_tensors(data):
        data = _tensors_to_lists(data)
    arr = np.array(data)
    if arr.dtype == object:
        raise TypeError(f"could not convert {type(data).__name__} of mixed or ragged content to a "
                        "tensor")
    if dtype is None:
        kind = arr.dtype.kind
        if kind == "b":
            dtype = _dtype.bool
        elif kind in "iu":
            dtype = _dtype.int64
        elif kind == "f":
            dtype = _dtype.get_default_dtype()
        elif isinstance(data, np.generic):
            dtype = _dtype.from_numpy_dtype(arr.dtype)
        else:
            raise TypeError(f"can't create a tensor from data of type {arr.dtype}")
        if isinstance(data, np.generic):
            dtype = _dtype.from_numpy_dtype(arr.dtype)
    return arr, dtype


def _has_tensors(seq):
    return any(isinstance(x, Tensor) or (isinstance(x, (list, tuple)) and _has_tensors(x))
               for x in seq)


def _tensors_to_lists(seq):
    return [x.tolist() if isinstance(x, Tensor) else
            _tensors_to_lists(x) if isinstance(x, (list, tuple)) else x for x in seq]


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    arr, dtype = _host_array(data, dtype)
    dev = _device(device)
    if arr.dtype is not dtype.numpy:  # an equal dtype object (e.g. unpickled) is only viewed
        arr = arr.view(dtype.numpy) if arr.dtype == dtype.numpy else arr.astype(dtype.numpy)
    return _finish(_wrap(dev._backend.from_host(np.asarray(arr, order="C"), dev.index), dev),
                   requires_grad)


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor):
        return data.to(device=device if device is not None else data.device,
                       dtype=dtype or data.dtype)
    if isinstance(data, np.ndarray):
        dev = _device(device)
        t = from_numpy(data) if dev.type == "cpu" else tensor(data, device=dev)
        return t if dtype is None else t.to(dtype)
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray):
    """A cpu tensor sharing memory with ``ndarray``."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    if any(s < 0 for s in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors "
                         "with negative strides are not currently supported. (You can probably "
                         "work around this by making a copy of your array  with array.copy().) ")
    if not ndarray.dtype.isnative:
        raise TypeError("given numpy array has byte order different from the native byte order. "
                        "Conversion between byte orders is currently not supported.")
    canonical = _dtype.from_numpy_dtype(ndarray.dtype).numpy
    if ndarray.dtype is not canonical:  # an equal dtype object (e.g. unpickled): same memory
        ndarray = ndarray.view(canonical)
    return _wrap(ndarray, registry.canonical("cpu"))


def _rebuild_tensor(host, device, requires_grad):
    """Unpickling: ``host`` is a fresh array, so it is used as it is on cpu."""
    t = from_numpy(host).to(device)
    return t.requires_grad_(True) if requires_grad else t


def _fill_dtype(value):
    if isinstance(value, bool):
        return _dtype.bool
    if isinstance(value, numbers.Integral):
        return _dtype.int64
    return _dtype.get_default_dtype()


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, out=None):
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dtype = dtype or _fill_dtype(fill_value)
    dev = _device(device)
    t = _wrap(dev._k.full(_size((size,) if isinstance(size, int) else size), fill_value, dtype,
                          dev.index), dev)
    return _finish(_out(t, out), requires_grad)


def _out(t, out):
    if out is None:
        return t
    from .inplace import resize_and_copy

    return resize_and_copy(out, t)


def _filled(op):
    def create(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None,
               pin_memory=False, memory_format=None):
        dtype = dtype or _dtype.get_default_dtype()
        dev = _device(device)
        t = _wrap(getattr(dev._k, op)(_size(size), dtype, dev.index), dev)
        return _finish(_out(t, out), requires_grad)
    create.__name__ = op
    create.__doc__ = f"A new tensor of the given size from ``{op}``."
    return create


zeros, ones, empty = _filled("zeros"), _filled("ones"), _filled("empty")


def _like(fn):
    def like(input, *args, dtype=None, device=None, requires_grad=False, layout=None,
             memory_format=None, pin_memory=False):
        return fn(*args, input.shape, dtype=dtype or input.dtype,
                  device=device if device is not None else input.device,
                  requires_grad=requires_grad)
    return like


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, layout=None,
               memory_format=None):
    return zeros(input.shape, dtype=dtype or input.dtype, device=device or input.device,
                 requires_grad=requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, layout=None,
              memory_format=None):
    return ones(input.shape, dtype=dtype or input.dtype, device=device or input.device,
                requires_grad=requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False, layout=None,
               memory_format=None):
    return empty(input.shape, dtype=dtype or input.dtype, device=device or input.device,
                 requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
              memory_format=None):
    return full(input.shape, fill_value, dtype=dtype or input.dtype,
                device=device or input.device, requires_grad=requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False, out=None):
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = values
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0 and end != start:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        dtype = (_dtype.get_default_dtype() if any(isinstance(v, float) for v in values)
                 else _dtype.int64)
    dev = _device(device)
    n = max(math.ceil((end - start) / step), 0)
    if dtype._kind == 1 and all(isinstance(v, numbers.Integral) for v in values):
        data = dev._k.arange(start, start + n * step, step, dtype, dev.index)
    else:
        ramp = dev._k.arange(0, n, 1, _dtype.float64, dev.index)
        data = dev._k.astype(dev._k.add(dev._k.mul(ramp, float(step)), float(start)), dtype)
    return _finish(_out(_wrap(data, dev), out), requires_grad)


def range_(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """``torch.range`` (deprecated in PyTorch): includes ``end``."""
    return arange(start, end + step / 2 if end is not None else None, step,
                  dtype=dtype or _dtype.get_default_dtype(), device=device,
                  requires_grad=requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False, out=None):
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dtype = dtype or _dtype.get_default_dtype()
    dev = _device(device)
    start, end = (v.item() if isinstance(v, Tensor) else v for v in (start, end))
    if steps == 0:
        data = dev._k.empty((0,), dtype, dev.index)
    else:
        data = dev._k.linspace(start, end, steps, dtype, dev.index)
    return _finish(_out(_wrap(data, dev), out), requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    dtype = dtype or _dtype.get_default_dtype()
    exps = linspace(start, end, steps, dtype=_dtype.float64, device=device)
    return _finish((base ** exps).to(dtype), requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False, out=None):
    m = n if m is None else m
    if n < 0 or m < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {min(n, m)}")
    dtype = dtype or _dtype.get_default_dtype()
    dev = _device(device)
    return _finish(_out(_wrap(dev._k.eye(n, m, dtype, dev.index), dev), out), requires_grad)


# -- random -----------------------------------------------------------------------------
def _gen(generator, dev):
    if generator is None:
        return default_generator_for(dev).native
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be an ember.Generator, got {type(generator).__name__}")
    if generator.device is not dev:
        raise RuntimeError(f"Expected a '{dev.type}' device type for generator but found "
                           f"'{generator.device.type}'")
    return generator.native


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    dtype = dtype or _dtype.get_default_dtype()
    if dtype._kind != 2:
        raise RuntimeError(f"\"check_uniform_bounds\" not implemented for '{dtype.name}'")
    dev = _device(device)
    data = dev._k.uniform(_gen(generator, dev), _size(size), 0.0, 1.0, dtype)
    return _finish(_out(_wrap(data, dev), out), requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    dtype = dtype or _dtype.get_default_dtype()
    if dtype._kind != 2:
        raise RuntimeError(f"\"normal_kernel_cpu\" not implemented for '{dtype.name}'")
    dev = _device(device)
    data = dev._k.normal(_gen(generator, dev), _size(size), 0.0, 1.0, dtype)
    return _finish(_out(_wrap(data, dev), out), requires_grad)


def randint(low=None, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False):
    if low is None:  # randint(high=n, size=...), as PyTorch allows
        if high is None:
            raise TypeError("randint() missing required argument 'high'")
        low = 0
    if size is None:
        if high is None or not isinstance(high, (tuple, list)):
            raise TypeError("randint() missing required argument 'size'")
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    dtype = dtype or _dtype.int64
    dev = _device(device)
    native = dtype if dtype._kind == 1 else _dtype.int64
    data = dev._k.randint(_gen(generator, dev), int(low), int(high), _size((size,)), native)
    if native is not dtype:
        data = dev._k.astype(data, dtype)
    return _finish(_wrap(data, dev), requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    dtype = dtype or _dtype.int64
    dev = _device(device)
    return _finish(_wrap(dev._k.randperm(_gen(generator, dev), int(n), dtype, dev.index), dev),
                   requires_grad)


def rand_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return rand(input.shape, dtype=dtype or input.dtype, device=device or input.device,
                requires_grad=requires_grad)


def randn_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return randn(input.shape, dtype=dtype or input.dtype, device=device or input.device,
                 requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False):
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype,
                   device=device or input.device, requires_grad=requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False, out=None):
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        ref = mean if isinstance(mean, Tensor) else std
        shape = np.broadcast_shapes(tuple(mean.shape) if isinstance(mean, Tensor) else (),
                                    tuple(std.shape) if isinstance(std, Tensor) else ())
        noise = randn(shape, generator=generator, dtype=ref.dtype, device=ref.device)
        return _out((noise * std + mean).detach(), out)
    if size is None:
        raise TypeError("normal() with float mean and std requires a size")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    dtype = dtype or _dtype.get_default_dtype()
    dev = _device(device)
    data = dev._k.normal(_gen(generator, dev), _size((size,)), float(mean), float(std), dtype)
    return _finish(_out(_wrap(data, dev), out), requires_grad)


def bernoulli(input, p=None, *, generator=None, out=None):
    probs = input if p is None else full_like(input, p)
    if not probs.is_floating_point():
        raise RuntimeError("bernoulli_ expects p to be a floating-point tensor")
    dev = probs._device
    data = dev._k.bernoulli(_gen(generator, dev), probs.detach()._data, probs.dtype)
    return _out(_wrap(data, dev), out)


def multinomial(input, num_samples, replacement=False, *, generator=None):
    probs = input.detach().double()
    squeeze = probs.ndim == 1
    if squeeze:
        probs = probs.unsqueeze(0)
    if not replacement and num_samples > probs.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if bool((probs < 0).any()) or not bool(probs.isfinite().all()):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = []
    for row in probs.unbind(0):
        if replacement:
            cdf = (row / row.sum()).cumsum(0)
            draws = rand(num_samples, generator=generator, dtype=_dtype.float64,
                         device=row.device)
            rows.append(searchsorted_right(cdf, draws).clamp(max=row.shape[0] - 1))
        else:  # Gumbel top-k: keys log(u) / p, largest first
            u = rand(row.shape[0], generator=generator, dtype=_dtype.float64, device=row.device)
            zero = row == 0  # divide by 1 there (no divide-by-zero warning), then mask
            keys = (u.log() / row.masked_fill(zero, 1.0)).masked_fill(zero, float("-inf"))
            rows.append(keys.sort(descending=True)[1][:num_samples])
    result = rows[0].unsqueeze(0) if len(rows) == 1 else _stack(rows)
    return result.squeeze(0) if squeeze else result


def _stack(rows):
    from .shape import stack

    return stack(rows)


def searchsorted_right(cdf, values):
    return (values.unsqueeze(-1) >= cdf).sum(-1)


# -- in-place fills ----------------------------------------------------------------------
def _fill_random(self, data):
    from ..autograd.grad_mode import state
    from .inplace import check_leaf, rebase

    check_leaf(self)
    if self._requires_grad and state.enabled:  # a non-leaf: its history must learn of it
        return rebase(self, _wrap(data, self._device))
    self._device._k.assign(self._data, data)
    self._bump()
    return self


def uniform_(self, a=0.0, b=1.0, *, generator=None):
    dev = self._device
    return _fill_random(self, dev._k.uniform(_gen(generator, dev), self._data.shape, float(a),
                                             float(b), self.dtype))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    dev = self._device
    return _fill_random(self, dev._k.normal(_gen(generator, dev), self._data.shape, float(mean),
                                            float(std), self.dtype))


def bernoulli_(self, p=0.5, *, generator=None):
    probs = full_like(self, p, dtype=_dtype.float64) if not isinstance(p, Tensor) else p
    return _fill_random(self, bernoulli(probs.expand(self.shape), generator=generator)._data)


def random_(self, from_=0, to=None, *, generator=None):
    if to is None and from_ != 0:  # random_(to): integers in [0, to)
        from_, to = 0, from_
    if to is None:  # every integer the dtype holds exactly: [0, 2**mantissa] for floats
        digits = {_dtype.float16: 11, _dtype.bfloat16: 8, _dtype.float32: 24,
                  _dtype.float64: 53}
        to = 2 ** digits[self.dtype] + 1 if self.dtype._kind == 2 else \
            2 ** (8 * self.element_size() - 1)
        if self.dtype is _dtype.bool:
            to = 2
        elif self.dtype is _dtype.uint8:
            to = 256
    dev = self._device
    data = dev._k.randint(_gen(generator, dev), int(from_), int(to), self._data.shape,
                          _dtype.int64)
    return _fill_random(self, dev._k.astype(data, self.dtype))


def exponential_(self, lambd=1.0, *, generator=None):
    u = rand(self.shape, generator=generator, dtype=self.dtype, device=self.device)
    return _fill_random(self, (-(1 - u).log() / lambd)._data)


def fill_(self, value):
    from .inplace import check_leaf

    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.ndim} dimensions.")
        value = value.item()
    check_leaf(self)
    if self._requires_grad:
        from ..autograd.grad_mode import state

        if state.enabled:  # a non-leaf (or view) under autograd: record the overwrite
            dev = self._device
            return _fill_random(self, dev._k.full(self._data.shape, value, self.dtype,
                                                  dev.index))
    self._device._k.assign(self._data, value)
    self._bump()
    return self


def zero_(self):
    return fill_(self, 0)


# -- dtype and device conversion ----------------------------------------------------------
class Cast(Function):
    _internal = True
    _node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.in_dtype = x.dtype
        return x._device._k.astype(x._data, dtype)

    @staticmethod
    def backward(ctx, g):
        return g.to(ctx.in_dtype), None


class Transfer(Function):
    _internal = True
    _node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, dev):
        ctx.src = x._device
        host = x._device._backend.to_host(x._data)
        data = dev._backend.from_host(host, dev.index)
        if data is x._data:  # host-memory backends share; .to() another device copies
            data = data.copy()
        return _wrap(data, dev)

    @staticmethod
    def backward(ctx, g):
        return g.to(ctx.src), None


def _parse_to(args, kwargs):
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    non_blocking = kwargs.pop("non_blocking", False)
    copy = kwargs.pop("copy", False)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, _dtype.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            device, dtype = a.device, a.dtype
        elif isinstance(a, bool):
            non_blocking = a
        elif a is not None:
            device = a
    return device, dtype, non_blocking, copy


def to(self, *args, **kwargs):
    device, dtype, _non_blocking, copy = _parse_to(args, kwargs)
    out = self
    if device is not None:
        dev = registry.canonical(device)
        if dev is not self._device:
            out = Transfer.apply(out, dev)
    if dtype is not None and out._data.dtype is not dtype.numpy:
        if not isinstance(dtype, _dtype.dtype):
            raise TypeError(f"to() expected a dtype, got {type(dtype).__name__}")
        out = Cast.apply(out, dtype)
    if copy and out is self:
        out = self.clone()
    return out


def legacy_constructor(*args, device=None, dtype=None):
    """``ember.Tensor(2, 3)`` (uninitialised float) or ``ember.Tensor([1, 2])`` (from data)."""
    dtype = dtype or _dtype.get_default_dtype()
    if len(args) == 1 and not isinstance(args[0], int) and not isinstance(args[0], tuple):
        return tensor(args[0], dtype=dtype, device=device)
    if len(args) == 1 and isinstance(args[0], tuple) and not all(isinstance(a, int)
                                                               for a in args[0]):
        return tensor(args[0], dtype=dtype, device=device)
    return empty(*args, dtype=dtype, device=device)


__all__ = [_n for _n, _v in list(globals().items())
           if not _n.startswith("_") and callable(_v) and not isinstance(_v, type)
           and getattr(_v, "__module__", None) == __name__]

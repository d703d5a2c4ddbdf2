"""``ember.Tensor``: a backend array with its device, autograd state and PyTorch's methods.

The op implementations live in ``ember.ops``; this module holds the tensor's own state
(data, device, gradient, version counter, view base) and the hot-path operators.
"""

from __future__ import annotations

from . import _dtype
from .autograd import engine as _engine
from .autograd import function as _function
from .autograd import grad_mode

_state = grad_mode.state
_new = object.__new__


class Size(tuple):
    """A tensor shape: a tuple that prints as ``ember.Size([2, 3])``."""

    def __repr__(self):
        return f"ember.Size({list(self)})"

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n


class Tensor:
    """A multi-dimensional array on a device, with autograd (``torch.Tensor``)."""

    # Data and device are slots; the rest are class-level defaults, so a plain tensor is two
    # attribute stores and has no __dict__ until it needs autograd state.
    __slots__ = ("_data", "_device", "__dict__", "__weakref__")
    _requires_grad = False
    grad_fn = None
    _grad = None
    _out_nr = 0
    _vc = None          # version counter: a one-element list shared by a base and its views
    _base = None
    _view_fn = None     # rebuilds this view from _base (for in-place ops on views)
    _acc = None         # the AccumulateGrad node of a leaf that requires grad
    _retains_grad = False
    _view_version = 0   # a view's grad_fn reflects its base as of this version (see _edge)
    __array_priority__ = 1000

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _function.bind_tensor(cls, _wrap, _dtype.bfloat16.numpy)

    def __init__(self, *args, **kwargs):
        from .ops.creation import legacy_constructor

        other = legacy_constructor(*args, **kwargs)
        self._data, self._device = other._data, other._device

    # -- identity and metadata ---------------------------------------------------
    @property
    def dtype(self) -> _dtype.dtype:
        return _dtype.from_numpy_dtype(self._data.dtype)

    @property
    def device(self):
        return self._device

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim, "size")]

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        n = 1
        for s in self._data.shape:
            n *= s
        return n

    nelement = numel

    def element_size(self) -> int:
        return self._data.dtype.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self.numel() * self._data.dtype.itemsize

    @property
    def is_cuda(self) -> bool:
        return self._device.type == "cuda"

    @property
    def is_cpu(self) -> bool:
        return self._device.type == "cpu"

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f" or self.dtype is _dtype.bfloat16

    def is_complex(self) -> bool:
        return False

    def get_device(self) -> int:
        return -1 if self._device.type == "cpu" else self._device.index

    def type(self, dtype=None):
        if dtype is None:
            prefix = "ember" if self._device.type == "cpu" else f"ember.{self._device.type}"
            return f"{prefix}.{_LEGACY_NAMES[self.dtype]}"
        if isinstance(dtype, str):
            dtype = _LEGACY_BY_NAME[dtype.rsplit(".", 1)[-1]]
        return self.to(dtype)

    def stride(self, dim=None):
        item = self._data.dtype.itemsize
        strides = tuple(s // item for s in self._data.strides)
        return strides if dim is None else strides[_wrap_dim(dim, self._data.ndim, "stride")]

    def is_contiguous(self, memory_format=None) -> bool:
        if 0 in self._data.shape:
            return True  # an empty tensor is contiguous whatever its strides, as in PyTorch
        expected = 1
        for n, s in zip(reversed(self._data.shape), reversed(self.stride())):
            if n != 1 and s != expected:
                return False
            expected *= n
        return True

    def data_ptr(self) -> int:
        return self._device._backend.data_ptr(self._data)

    def storage_offset(self) -> int:
        if self._base is None:
            return 0
        return (self.data_ptr() - self._base.data_ptr()) // self.element_size()

    def __hash__(self):
        return id(self)

    # -- autograd state ----------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad=True):
        if self.grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use "
                    "a computed variable in a subgraph that doesn't require differentiation use "
                    "var_no_grad = var.detach().")
            return self
        if requires_grad and not self.is_floating_point():
            raise RuntimeError("only Tensors of floating point and complex dtype can require "
                               f"gradients (got {self.dtype})")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad(self):
        if self.grad_fn is not None and not self._retains_grad and self._grad is None:
            import warnings

            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed "
                "want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() "
                "on the non-leaf Tensor.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"assigned grad has data of a different size: {value.shape} "
                                   f"vs {self.shape}")
            if value._device is not self._device:
                raise RuntimeError(f"assigned grad has data located on {value.device} but the "
                                   f"tensor is on {self.device}")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def _version(self) -> int:
        vc = self._vc
        return 0 if vc is None else vc[0]

    def _vc_get(self):
        vc = self._vc
        if vc is None:
            vc = self._vc = [0]
        return vc

    def _bump(self):
        vc = self._vc
        if vc is not None:
            vc[0] += 1

    def _edge(self):
        """The (node, output index) gradients for this tensor flow into."""
        if self._base is not None and self._vc[0] != self._view_version:
            self._refresh_view()
        if self.grad_fn is not None:
            return (self.grad_fn, self._out_nr)
        acc = self._acc
        if acc is None:
            from .autograd.engine import AccumulateGrad

            acc = self._acc = AccumulateGrad(self)
        return (acc, 0)

    def _refresh_view(self):
        """The base (or another view of it) was written in place since this view was made:
        take the base's new history, as PyTorch regenerates a view's grad_fn."""
        self._view_version = self._vc[0]
        base, view_fn = self._base, self._view_fn
        if view_fn is None or not base._requires_grad:
            return
        prev, _state.enabled = _state.enabled, True
        try:
            view = view_fn(base)
        finally:
            _state.enabled = prev
        self.grad_fn, self._out_nr = view.grad_fn, view._out_nr
        self._requires_grad = view._requires_grad

    def _alias(self):
        """A new tensor object viewing the same memory (no autograd history)."""
        t = _wrap(self._data, self._device)
        t._vc = self._vc_get()
        return t

    def detach(self):
        return self._alias()

    def detach_(self):
        self.grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self):  # as PyTorch: same memory, but its own version counter
        return _wrap(self._data, self._device)

    @data.setter
    def data(self, value):
        self._data = value._data
        self._device = value._device

    def retain_grad(self):
        if self.grad_fn is None:
            return
        if not self._retains_grad:
            import weakref

            ref = weakref.ref(self)

            def store(grad):
                t = ref()
                if t is not None:
                    t._grad = grad.detach() if t._grad is None else t._grad + grad.detach()
            _add_tensor_hook(self, store)
            self._retains_grad = True

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook):
        """``hook(grad)`` runs when this tensor's gradient is computed; may return a new one."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            hooks = self.__dict__.setdefault("_leaf_hooks", [])
            acc = self._edge()[0]
            acc.__dict__.setdefault("_tensor_hooks", {})[0] = hooks
            hooks.append(hook)
            from .autograd.function import _RemovableHandle

            return _RemovableHandle(hooks, hook)
        return _add_tensor_hook(self, hook)

    def register_post_accumulate_grad_hook(self, hook):
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        hooks = self.__dict__.setdefault("_post_acc_hooks", [])
        hooks.append(hook)
        from .autograd.function import _RemovableHandle

        return _RemovableHandle(hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        if gradient is None and inputs is None and self.grad_fn is not None and \
                self._data.shape == ():  # the common `loss.backward()`
            seed = _wrap(self._device._k.full((), 1, self.dtype, self._device.index),
                         self._device)
            _engine._execute([((self.grad_fn, self._out_nr), seed)], bool(retain_graph or
                            create_graph), create_graph, None, True)
            return
        _engine.backward(self, gradient, retain_graph, create_graph, inputs)

    # -- conversions to Python and NumPy ------------------------------------------
    def numpy(self, *, force=False):
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if self._device.type != "cpu" and not force:
            raise TypeError(f"can't convert {self._device} device type tensor to numpy. Use "
                            "Tensor.cpu() to copy the tensor to host memory first.")
        return self._device._backend.to_host(self._data)

    def __array__(self, dtype=None, copy=None):
        out = self._device._backend.to_host(self._data)
        return out if dtype is None else out.astype(dtype)

    def item(self):
        if self.numel() != 1:
            raise RuntimeError(f"a Tensor with {self.numel()} elements cannot be converted to "
                               "Scalar")
        value = self._device._backend.to_host(self._data).reshape(()).item()
        return float(value) if self.dtype is _dtype.bfloat16 else value

    def tolist(self):
        host = self._device._backend.to_host(self._data)
        if self.dtype is _dtype.bfloat16:
            host = host.astype("float32")
        return host.tolist()

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        if self.numel() != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.dtype._kind == 2 or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self.item())

    def __complex__(self):
        return complex(self.item())

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec) if spec else repr(self)

    def __repr__(self):
        from ._tensor_str import format_tensor

        host = self._device._backend.to_host(self._data)
        dtype = self.dtype
        default = dtype in (_dtype.get_default_dtype(), _dtype.int64, _dtype.bool)
        grad_fn = self.grad_fn.name() if self.grad_fn is not None else None
        return format_tensor(host, dtype_name=dtype.name, is_default_dtype=default,
                             device=None if self._device.type == "cpu" else str(self._device),
                             requires_grad=self._requires_grad and self.grad_fn is None,
                             grad_fn_name=grad_fn)

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        from .ops.creation import _rebuild_tensor

        host = self._device._backend.to_host(self._data)  # pickling copies the values
        return (_rebuild_tensor, (host, str(self._device), self._requires_grad))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.")
        new = self.detach().clone()
        new._requires_grad = self._requires_grad
        if self._grad is not None:
            new._grad = self._grad.clone()
        new.__dict__.update({k: v for k, v in self.__dict__.items() if not k.startswith("_")})
        memo[id(self)] = new
        return new

    # -- the hot path: tensor-tensor arithmetic skips the op machinery ------------------
    def __add__(self, other):
        if other.__class__ is Tensor and self._device is other._device:
            x, y = self._data, other._data
            if x.dtype is y.dtype and x.dtype.kind != "b":
                if not (_state.enabled and (self._requires_grad or other._requires_grad)):
                    try:
                        return _wrap(self._device._k.add(x, y), self._device)
                    except ValueError:
                        pass  # the op below raises PyTorch's broadcast error
                elif x.shape == y.shape:  # recorded: straight to Function.apply's recording
                    return _function._apply_recording(_Add, (self, other), {})
        return _ops.add(self, other)

    def __mul__(self, other):
        if other.__class__ is Tensor and self._device is other._device:
            x, y = self._data, other._data
            if x.dtype is y.dtype:
                if not (_state.enabled and (self._requires_grad or other._requires_grad)):
                    try:
                        return _wrap(self._device._k.mul(x, y), self._device)
                    except ValueError:
                        pass
                elif x.shape == y.shape:
                    return _function._apply_recording(_Mul, (self, other), {})
        return _ops.mul(self, other)


def _wrap(data, dev):
    """A new tensor over native array ``data`` on canonical device ``dev``."""
    t = _new(Tensor)
    t._data = data
    t._device = dev
    return t


def _wrap_dim(dim, ndim, op="dim"):
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim + n if dim < 0 else dim


def _add_tensor_hook(t, hook):
    from .autograd.function import _RemovableHandle

    hooks = t.grad_fn.__dict__.setdefault("_tensor_hooks", {}).setdefault(t._out_nr, [])
    hooks.append(hook)
    return _RemovableHandle(hooks, hook)


_LEGACY_NAMES = {d: _dtype.scalar_type_name(d) + "Tensor" for d in _dtype.ALL}
_LEGACY_BY_NAME = {v: k for k, v in _LEGACY_NAMES.items()}

_function.bind_tensor(Tensor, _wrap, _dtype.bfloat16.numpy)
from . import ops as _ops  # noqa: E402  (ops import Tensor from here)
from .ops import pointwise as _pointwise  # noqa: E402

_Add, _Mul = _pointwise.Add, _pointwise.Mul

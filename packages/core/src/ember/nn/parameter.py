"""``Parameter`` and ``Buffer``: tensors that a Module registers when assigned as attributes."""

from __future__ import annotations

from .._tensor import Tensor

__all__ = ["Buffer", "Parameter", "UninitializedBuffer", "UninitializedParameter", "is_lazy"]


def _share(cls, data, requires_grad):
    """A new ``cls`` object over ``data``'s memory (and version counter), detached."""
    t = object.__new__(cls)
    t._data = data._data
    t._device = data._device
    t._vc = data._vc_get()
    if requires_grad:
        t.requires_grad_(True)
    return t


class Parameter(Tensor):
    """A Tensor that is a module parameter: assigning one to a Module registers it.

    ``Parameter(data=None, requires_grad=True)`` shares ``data``'s memory, as in PyTorch.
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from ..ops.creation import empty

            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not "
                            f"{type(data).__name__}")
        return _share(cls, data, requires_grad)

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + Tensor.__repr__(self)

    __str__ = __repr__

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        if self._grad is not None:
            result._grad = self._grad.clone()
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        host = self._device._backend.to_host(self._data).copy()
        return (_rebuild_parameter, (host, str(self._device), self._requires_grad))


def _rebuild_parameter(host, device, requires_grad):
    from ..ops.creation import tensor

    return Parameter(tensor(host, device=device), requires_grad)


class _BufferMeta(type):
    def __instancecheck__(cls, instance):
        if cls is Buffer:
            return isinstance(instance, Tensor) and instance.__dict__.get("_is_buffer", False)
        return super().__instancecheck__(instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    """Marks a tensor as a buffer: assigning one to a Module registers it (``persistent``)."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from ..ops.creation import empty

            data = empty(0)
        t = data.detach()
        t._requires_grad = data._requires_grad
        t.persistent = persistent
        t._is_buffer = True
        return t


class UninitializedTensorMixin:
    """A parameter or buffer whose shape is decided on the first forward (lazy modules)."""

    cls_to_become = Tensor

    def materialize(self, shape, device=None, dtype=None):
        from ..ops.creation import empty

        device = self._device if device is None else device
        dtype = self.dtype if dtype is None else dtype
        new = empty(shape, device=device, dtype=dtype)
        self._data, self._device = new._data, new._device
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually "
            "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
            "initialized one. Call `forward` to initialize the parameters before accessing their "
            "attributes.")

    def size(self, dim=None):
        return self.shape

    def __repr__(self):
        return f"<{self.__class__.__name__}>"

    def __reduce_ex__(self, protocol):
        return (self.__class__, (self.requires_grad,))


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Parameter of unknown shape, materialized by a lazy module's first forward."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        from ..ops.creation import empty

        return _share(cls, empty(0, device=device, dtype=dtype), requires_grad)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.requires_grad, self._device, self.dtype)
        memo[id(self)] = result
        return result


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer of unknown shape, materialized by a lazy module's first forward."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        from ..ops.creation import empty

        t = _share(cls, empty(0, device=device, dtype=dtype), requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t

    def __init__(self, requires_grad=False, device=None, dtype=None, persistent=True):
        pass


def is_lazy(param) -> bool:
    """Whether ``param`` is an UninitializedParameter or UninitializedBuffer."""
    return isinstance(param, UninitializedTensorMixin)

"""``autograd.Function``: a differentiable op with its forward and backward side by side.

Calling ``SomeFunction.apply(*args)`` runs ``forward`` without recording, then (when
grad mode is on and an input requires grad) attaches a node to the outputs: an instance
of the generated class ``SomeFunctionBackward`` that doubles as the ``ctx`` object, as in
PyTorch. ``forward`` may return Tensors or, inside ember, native backend arrays, which
``apply`` wraps.
"""

from __future__ import annotations

from . import grad_mode

_state = grad_mode.state


class Node:
    """A node of the backward graph (a tensor's ``grad_fn``)."""

    _materialize = True
    _saved = ()
    _freed = False
    _pre_hooks = None
    _hooks = None
    _dirty = ()
    _non_diff = ()
    _outputs_meta = (None,)
    _may_save_output = False
    _forward_cls = None
    next_functions = ()

    def _free(self):
        pass

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self):
        return f"<{type(self).__name__} object at {id(self):#x}>"

    @property
    def metadata(self) -> dict:
        meta = self.__dict__.get("_metadata")
        if meta is None:
            meta = self._metadata = {}
        return meta

    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` runs after this node's backward."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)
        return _RemovableHandle(self._hooks, fn)

    def register_prehook(self, fn):
        """``fn(grad_outputs)`` runs before this node's backward and may replace them."""
        if self._pre_hooks is None:
            self._pre_hooks = []
        self._pre_hooks.append(fn)
        return _RemovableHandle(self._pre_hooks, fn)

    def _run_backward(self, grads):  # overridden by generated Function nodes
        raise NotImplementedError


class _RemovableHandle:
    def __init__(self, hooks, fn):
        self._hooks, self._fn = hooks, fn

    def remove(self):
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class FunctionCtx(Node):
    """The ``ctx`` of a Function and the graph node of its outputs."""

    needs_input_grad = ()

    def save_for_backward(self, *tensors):
        self._saved = tuple([_pack(self, t) for t in tensors])

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or "
                "if you need to access saved tensors after calling backward.")
        return tuple([_unpack(self, s) for s in self._saved])

    def mark_non_differentiable(self, *tensors):
        self._non_diff = tuple(id(t) for t in tensors)

    def mark_dirty(self, *tensors):
        self._dirty = tuple(id(t) for t in tensors)

    def set_materialize_grads(self, value: bool):
        self._materialize = value

    def _free(self):
        self._saved = ()
        self._freed = True


def _pack(ctx, t):
    """Save a tensor with its version; an output of ctx is saved without the cycle to ctx."""
    if t is None:
        return None
    if _saved_hooks_stack:
        hooks = _saved_hooks_stack[-1]
        return ("hooked", hooks[1], hooks[0](t))
    vc = t._vc
    if vc is None:
        vc = t._vc = [0]
    if t.grad_fn is ctx:
        return ("output", t._data, t._device, t._out_nr, vc, vc[0])
    if not t._requires_grad:
        ctx._may_save_output = True  # it may wrap an output's array: see _link_saved_outputs
    return ("tensor", t, vc, vc[0])


def _unpack(ctx, saved):
    if saved is None:
        return None
    kind = saved[0]
    if kind == "hooked":
        return saved[1](saved[2])
    if kind == "output":
        _, data, dev, out_nr, vc, version = saved
        t = _wrap(data, dev)
        t.grad_fn, t._out_nr, t._vc, t._requires_grad = ctx, out_nr, vc, True
    else:
        _, t, vc, version = saved
    if vc[0] != version:
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{t.type()} {list(t.shape)}], which is output {t._out_nr} of "
            f"{t.grad_fn.name() if t.grad_fn else 'a leaf'}, is at version {vc[0]}; expected "
            f"version {version} instead. Hint: the backtrace further above shows the operation "
            "that failed to compute its gradient.")
    return t


_saved_hooks_stack: list = []


class FunctionMeta(type):
    """Gives each Function subclass its node class ``<Name>Backward``.

    An internal Function (``_internal``, inherited) gets ``<Name>Backward0``, or the name in
    its own ``_node_name`` (PyTorch's node name, e.g. ``"SumBackward1"``): a public op that
    shares another op's Function records its own PyTorch node through a thin subclass
    (``class View(Reshape): _node_name = "ViewBackward0"``).
    """

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        node_name = attrs.get("_node_name")
        if node_name is None:
            node_name = name + ("Backward0" if getattr(cls, "_internal", False) else "Backward")
        cls._backward_cls = type(node_name, (FunctionCtx,), {"_forward_cls": cls,
                                                             "_run_backward": _run})


def _run(ctx, grads):
    return ctx._forward_cls.backward(ctx, *grads)


class Function(metaclass=FunctionMeta):
    """Subclass with static ``forward(ctx, *args)`` and ``backward(ctx, *grads)``; call apply."""

    _internal = False

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        if _state.enabled:
            for a in args:
                if a.__class__ in _TENSOR_TYPES and a._requires_grad:
                    return _apply_recording(cls, args, kwargs)
        if cls._internal:  # kernels only: no ctx to keep, no grad mode to toggle
            out = cls.forward(_NULL_CTX, *args, **kwargs)
            if out.__class__ is not tuple and out.__class__ is not Tensor:
                first = args[0]
                return _wrap(out, first._device if first.__class__ in _TENSOR_TYPES
                             else _device_of(args))
            return _wrap_outputs(out, None, args)
        ctx = cls._backward_cls()
        prev, _state.enabled = _state.enabled, False
        try:
            out = cls.forward(ctx, *args, **kwargs)
        finally:
            _state.enabled = prev
        return _wrap_outputs(out, None, args)


class _NullCtx:
    """The ctx of an internal op run without recording: it keeps nothing."""

    __slots__ = ()
    needs_input_grad = ()

    def __setattr__(self, name, value):
        pass

    def save_for_backward(self, *tensors):
        pass

    def mark_non_differentiable(self, *tensors):
        pass

    def set_materialize_grads(self, value):
        pass


_NULL_CTX = _NullCtx()


_NO_EDGE = (None, 0)  # the edge of an input that needs no gradient


def _apply_recording(cls, args, kwargs):
    ctx = cls._backward_cls()
    needs = []
    edges = []
    for a in args:
        if a.__class__ in _TENSOR_TYPES and a._requires_grad:
            needs.append(True)
            fn = a.grad_fn  # Tensor._edge, inlined for the common non-view case
            edges.append((fn, a._out_nr) if fn is not None and a._base is None else a._edge())
        else:
            needs.append(False)
            edges.append(_NO_EDGE)
    ctx.needs_input_grad = tuple(needs)
    ctx.next_functions = tuple(edges)
    _state.enabled = False
    try:
        out = cls.forward(ctx, *args, **kwargs)
    finally:
        _state.enabled = True
    if out.__class__ is not tuple and out.__class__ is not Tensor and cls._internal:
        first = args[0]
        t = _wrap(out, first._device if first.__class__ in _TENSOR_TYPES else _device_of(args))
        dtype = out.dtype
        ctx._outputs_meta = ((out.shape, dtype, t._device),)
        if dtype.kind == "f" or dtype == _BF16:
            t.grad_fn = ctx
            t._requires_grad = True
            if ctx._may_save_output:
                _link_saved_outputs(ctx, (t,))
        return t
    result = _wrap_outputs(out, ctx, args)
    if ctx._may_save_output:
        _link_saved_outputs(ctx, result if result.__class__ is tuple else (result,))
    return result


def _link_saved_outputs(ctx, outs):
    """A saved tensor wrapping an output's array becomes that output, so that a double
    backward differentiates through it (as PyTorch's saved outputs do)."""
    linked = None
    for i, s in enumerate(ctx._saved):
        if s is None or s[0] != "tensor" or s[1].grad_fn is not None or s[1]._requires_grad:
            continue
        data = s[1]._data
        for o in outs:
            if o.__class__ in _TENSOR_TYPES and o._data is data and o.grad_fn is ctx:
                if linked is None:
                    linked = list(ctx._saved)
                linked[i] = _pack(ctx, o)
                break
    if linked is not None:
        ctx._saved = tuple(linked)


def _wrap_outputs(out, ctx, args):
    single = not isinstance(out, tuple)
    outs = (out,) if single else out
    wrapped = []
    for i, o in enumerate(outs):
        if o is None or not (isinstance(o, Tensor) or hasattr(o, "shape")):
            wrapped.append(o)
            continue
        non_diff = ctx is not None and id(o) in ctx._non_diff  # before an alias changes id
        if isinstance(o, Tensor):
            dirty = ctx is not None and id(o) in ctx._dirty
            if not dirty and any(o is a for a in args):
                o = o._alias()
        else:
            o = _wrap(o, _device_of(args))
        if ctx is not None and o.dtype.is_floating_point and not non_diff:
            o.grad_fn, o._out_nr, o._requires_grad = ctx, i, True
        wrapped.append(o)
    if ctx is not None:
        ctx._outputs_meta = tuple((o._data.shape, o._data.dtype, o._device)
                                  if isinstance(o, Tensor) else None for o in wrapped)
    return wrapped[0] if single else tuple(wrapped)


def _device_of(args):
    for a in args:
        if isinstance(a, Tensor):
            return a._device
        if isinstance(a, (list, tuple)):
            for b in a:
                if isinstance(b, Tensor):
                    return b._device
    from ..backends.plugins import registry

    return registry.default_device


Tensor = _wrap = None  # bound by ember._tensor once the Tensor class exists
_TENSOR_TYPES: set = set()
_BF16 = None


def bind_tensor(tensor_cls, wrap, bf16):
    """Called by ``ember._tensor``: the hot paths here refer to Tensor without importing it."""
    global Tensor, _wrap, _BF16
    if Tensor is None:  # the first call binds ember.Tensor; later ones add its subclasses
        Tensor, _wrap, _BF16 = tensor_cls, wrap, bf16
    _TENSOR_TYPES.add(tensor_cls)


def once_differentiable(backward):
    """Run a Function's backward without recording (its gradient is not differentiable)."""
    import functools

    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        with grad_mode.no_grad():
            return backward(ctx, *grads)
    return wrapper

"""The backward engine: walks the graph from the roots in dependency order."""

from __future__ import annotations

import weakref

from . import grad_mode
from .function import Node

_state = grad_mode.state


class AccumulateGrad(Node):
    """The node behind a leaf tensor that requires grad: adds incoming gradients to ``.grad``."""

    def __init__(self, tensor):
        self._variable = weakref.ref(tensor)
        self._outputs_meta = ((tensor._data.shape, tensor._data.dtype, tensor._device),)

    @property
    def variable(self):
        return self._variable()

    def _run_backward(self, grads):
        tensor = self._variable()
        if tensor is not None:
            _accumulate(tensor, grads[0])
        return ()


def _accumulate(tensor, grad):
    if grad is None:
        return
    if not _state.enabled:  # without create_graph, .grad holds no history
        if grad._requires_grad:
            grad = grad.detach()
        old = tensor._grad
        if old is None:
            # a view or a gradient handed to several places is copied: .grad owns its memory
            tensor._grad = grad.clone() if id(grad) in _handed_out or not grad.is_contiguous() \
                else grad
        elif (old._data.shape == grad._data.shape and old._data.dtype is grad._data.dtype
              and old._device is grad._device):
            old._device._k.add(old._data, grad._data, out=old._data)
        else:
            old.add_(grad)
    else:
        old = tensor._grad
        tensor._grad = grad if old is None else old + grad
    hooks = tensor.__dict__.get("_post_acc_hooks")
    if hooks:
        for hook in hooks:
            hook(tensor)


_handed_out: set = set()  # ids of gradients that more than one place may hold
_anomaly_check = None  # anomaly_mode's check of each node's backward outputs (or None)


def _tensor_hooks(node, nr, grad):
    hooks = node.__dict__.get("_tensor_hooks")
    if hooks:
        for fn in list(hooks.get(nr, ())):
            result = fn(grad)
            if result is not None:
                grad = result
    return grad


def _roots(tensors, grads):
    from .._tensor import Tensor, _wrap

    roots = []
    for i, (t, g) in enumerate(zip(tensors, grads)):
        if not isinstance(t, Tensor):
            raise TypeError(f"backward expects Tensors, got {type(t).__name__}")
        if not t._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have "
                               "a grad_fn")
        if g is None:
            if t.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = _wrap(t._device._k.full(t._data.shape, 1, t.dtype, t._device.index), t._device)
        elif not isinstance(g, Tensor):
            from .. import tensor as make_tensor

            g = make_tensor(g, dtype=t.dtype, device=t._device)
        elif tuple(g.shape) != tuple(t.shape):
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                               f"{g.shape} and output[{i}] has a shape of {t.shape}.")
        else:
            _handed_out.add(id(g))
        roots.append((t._edge(), g))
    return roots


def _as_tuple(x):
    from .._tensor import Tensor

    if x is None:
        return None
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Compute the gradients of ``tensors`` and accumulate them into the leaves' ``.grad``."""
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors) or (None,) * len(tensors)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"got {len(grad_tensors)} gradients for {len(tensors)} tensors")
    retain_graph = create_graph if retain_graph is None else retain_graph
    inputs = _as_tuple(inputs)
    if inputs is not None and len(inputs) == 0:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    targets = None
    if inputs is not None:
        targets = {}
        for t in inputs:
            if not t._requires_grad:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            targets.setdefault(t._edge(), []).append(t)
    _execute(_roots(tensors, grad_tensors), retain_graph, create_graph, targets, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned rather than stored."""
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grad_outputs = _as_tuple(grad_outputs) or (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad_outputs has {len(grad_outputs)} entries, outputs "
                           f"{len(outputs)}")
    allow_unused = materialize_grads if allow_unused is None else allow_unused
    retain_graph = create_graph if retain_graph is None else retain_graph
    targets = {}
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        targets.setdefault(t._edge(), []).append(t)
    captured = _execute(_roots(outputs, grad_outputs), retain_graph, create_graph, targets,
                        accumulate=False)
    result = []
    for i, t in enumerate(inputs):
        g = captured.get(id(t))
        if g is None:
            if materialize_grads:
                from .. import zeros_like

                g = zeros_like(t)
            elif not allow_unused:
                raise RuntimeError(f"One of the differentiated Tensors (input {i}) appears to not "
                                   "have been used in the graph. Set allow_unused=True if this "
                                   "is the desired behavior.")
        result.append(g)
    return tuple(result)


def _needed_nodes(root_nodes, target_nodes):
    """Nodes from which a target node can be reached (those worth running)."""
    needed, done = set(), set()
    stack = [(n, False) for n in root_nodes]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            if node in target_nodes or any(c in needed for c, _ in node.next_functions
                                           if c is not None):
                needed.add(node)
            continue
        if node in done:
            continue
        done.add(node)
        stack.append((node, True))
        stack.extend((c, False) for c, _ in node.next_functions if c is not None and c not in done)
    return needed


def _execute(roots, retain_graph, create_graph, targets, accumulate):
    root_nodes = [roots[0][0][0]] if len(roots) == 1 else list(dict.fromkeys(
        edge[0] for edge, _ in roots))
    target_nodes = {edge[0] for edge in targets} if targets is not None else None
    needed = _needed_nodes(root_nodes, target_nodes) if targets is not None else None

    deps = {}
    is_root = set(root_nodes)
    stack = list(root_nodes)
    while stack:
        for child, _ in stack.pop().next_functions:
            if child is None or (needed is not None and child not in needed):
                continue
            if child in deps:
                deps[child] += 1
            else:
                deps[child] = 1
                if child not in is_root:
                    stack.append(child)

    buffers = {}
    for (node, nr), g in roots:
        _add_to_buffer(buffers, node, nr, g)
    captured = {}
    ready = [n for n in root_nodes if n not in deps]
    prev, _state.enabled = _state.enabled, create_graph
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None) or [None] * len(node._outputs_meta)
            if "_tensor_hooks" in node.__dict__:
                grads = [g if g is None else _tensor_hooks(node, i, g)
                         for i, g in enumerate(grads)]
            if target_nodes is not None and node in target_nodes:
                for nr, g in enumerate(grads):
                    for t in targets.get((node, nr), ()):
                        captured[id(t)] = g
                        if accumulate and not isinstance(node, AccumulateGrad):
                            _accumulate(t, g)
                leads_on = any(c in needed for c, _ in node.next_functions if c is not None)
                if not leads_on and not (accumulate and isinstance(node, AccumulateGrad)):
                    continue
            if node.__class__ is AccumulateGrad:
                if accumulate:
                    node._run_backward(grads)
                continue
            grads = _run_node(node, grads)
            if not retain_graph:
                node._free()
            if len(grads) > 1:
                _mark_repeated(grads)
            for (child, nr), g in zip(node.next_functions, grads):
                if child is None or (needed is not None and child not in needed):
                    continue
                if g is not None:  # _add_to_buffer, inlined on this hot loop
                    slots = buffers.get(child)
                    if slots is None:
                        slots = buffers[child] = [None] * len(child._outputs_meta)
                        slots[nr] = g
                    else:
                        old = slots[nr]
                        slots[nr] = g if old is None else old + g
                left = deps[child] - 1
                deps[child] = left
                if not left:
                    ready.append(child)
    finally:
        _state.enabled = prev
        _handed_out.clear()
    return captured


def _mark_repeated(grads):
    """Gradients returned for several inputs at once are marked, so .grad gets a copy."""
    if len(grads) == 2:
        a, b = grads
        if a is b and a is not None:
            _handed_out.add(id(a))
        return
    seen = set()
    for g in grads:
        if g is not None:
            if id(g) in seen:
                _handed_out.add(id(g))
            seen.add(id(g))


def _add_to_buffer(buffers, node, nr, g):
    slots = buffers.get(node)
    if slots is None:
        slots = buffers[node] = [None] * len(node._outputs_meta)
    old = slots[nr]
    slots[nr] = g if old is None else old + g


def _run_node(node, grads):
    if node._freed:
        _ = node.saved_tensors  # raises the "backward through the graph a second time" error
    if node._pre_hooks:
        for hook in node._pre_hooks:
            result = hook(tuple(grads))
            if result is not None:
                grads = list(result)
    if node._materialize:
        for i, g in enumerate(grads):
            if g is None:
                grads[i] = _zeros(node._outputs_meta[i])
    forward_cls = node._forward_cls
    out = forward_cls.backward(node, *grads) if forward_cls is not None else \
        node._run_backward(grads)
    if not isinstance(out, tuple):
        out = (out,)
    expected = len(node.next_functions)
    if len(out) < expected:
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                           f"(expected {expected}, got {len(out)})")
    if _anomaly_check is not None:  # set by autograd.anomaly_mode while detect_anomaly is on
        _anomaly_check(node, out)
    if node._hooks:
        for hook in node._hooks:
            result = hook(out, tuple(grads))
            if result is not None:
                out = tuple(result)
    return out


def _zeros(meta):
    from .._dtype import from_numpy_dtype
    from .._tensor import _wrap

    if meta is None:
        return None
    shape, dtype, dev = meta
    return _wrap(dev._k.full(shape, 0, from_numpy_dtype(dtype), dev.index), dev)

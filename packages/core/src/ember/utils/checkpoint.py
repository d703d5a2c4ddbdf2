"""``ember.utils.checkpoint``: activation checkpointing (PyTorch's ``torch.utils.checkpoint``).

``checkpoint(fn, *args, use_reentrant=False)`` runs ``fn`` keeping none of the tensors
its ops save for backward: they are dropped when saved (through
``autograd.graph.saved_tensors_hooks``) and recomputed, by running ``fn`` again on the
same inputs with the same random state, the first time backward needs one. Gradients
are the same; the memory of the activations inside ``fn`` is traded for a second
forward pass. ``use_reentrant=True`` is PyTorch's older variant: a Function whose
backward reruns ``fn`` and calls ``autograd.backward`` inside the outer backward (only
inputs that require grad get gradients through it, as in PyTorch).

``tools/measure_checkpoint_memory.py`` measures the saving.
"""

from __future__ import annotations

import warnings

from ..autograd import grad_mode
from ..autograd.function import Function
from ..autograd.graph import saved_tensors_hooks

__all__ = ["checkpoint", "checkpoint_sequential"]


def _tensor_cls():
    from .._tensor import Tensor

    return Tensor


def _rng_states():
    from .. import random

    return {dev: gen.get_state() for dev, gen in random._defaults.items()}


class _restored_rng:  # noqa: N801
    """Sets the default generators to ``states`` inside the block, then puts them back."""

    def __init__(self, states):
        self.states = states

    def __enter__(self):
        if self.states is None:
            return self
        from .. import random

        self.saved = _rng_states()
        for dev, state in self.states.items():
            random._defaults[dev].set_state(state)
        return self

    def __exit__(self, *exc):
        if self.states is None:
            return
        from .. import random

        for dev, state in self.saved.items():
            random._defaults[dev].set_state(state)


def _use_reentrant_default(use_reentrant):
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed "
                      "explicitly. Starting in PyTorch 2.9, calling checkpoint without "
                      "use_reentrant will raise an exception. use_reentrant=False is "
                      "recommended, but if you need to preserve the current default behavior, "
                      "you can pass use_reentrant=True. Refer to docs for more details on the "
                      "differences between the two variants.", UserWarning, stacklevel=3)
        return True
    return use_reentrant


def checkpoint(function, *args, use_reentrant=None, context_fn=None,
               determinism_check="default", debug=False, preserve_rng_state=True, **kwargs):
    """``function(*args, **kwargs)`` without keeping its activations for backward."""
    use_reentrant = _use_reentrant_default(use_reentrant)
    if use_reentrant:
        if context_fn is not None or debug:
            raise ValueError("Passing `context_fn` or `debug` is only supported when "
                             "use_reentrant=False.")
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
        return CheckpointFunction.apply(function, preserve_rng_state, *args)
    return _checkpoint_without_reentrant(function, preserve_rng_state, args, kwargs)


# -- non-reentrant: saved tensors dropped when packed, recomputed when first unpacked ------
class _Frame:
    def __init__(self, recompute):
        self.count = 0
        self.recompute = recompute
        self.recomputed = None


def _checkpoint_without_reentrant(function, preserve_rng_state, args, kwargs):
    rng = _rng_states() if preserve_rng_state else None

    def recompute():
        stored = []

        def keep(t):
            stored.append(t.detach() if t.requires_grad and t.grad_fn is not None else t)
            return None

        with _restored_rng(rng), grad_mode.enable_grad(), saved_tensors_hooks(keep, _none):
            function(*args, **kwargs)
        return stored

    frame = _Frame(recompute)

    def pack(tensor):
        index = frame.count
        frame.count += 1
        return index

    def unpack(index):
        if frame.recomputed is None:
            frame.recomputed = frame.recompute()
        if index >= len(frame.recomputed):
            raise RuntimeError("torch.utils.checkpoint: A different number of tensors was saved "
                               "during the original forward and recomputation.")
        return frame.recomputed[index]

    with saved_tensors_hooks(pack, unpack):
        return function(*args, **kwargs)


def _none(_):
    return None


# -- reentrant -------------------------------------------------------------------------------
class CheckpointFunction(Function):
    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        Tensor = _tensor_cls()
        ctx.run_function = run_function
        ctx.rng = _rng_states() if preserve_rng_state else None
        ctx.layout = [isinstance(a, Tensor) for a in args]
        ctx.others = [None if isinstance(a, Tensor) else a for a in args]
        ctx.save_for_backward(*[a for a in args if isinstance(a, Tensor)])
        with grad_mode.no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grads):
        from ..autograd.engine import backward

        Tensor = _tensor_cls()
        tensors = iter(ctx.saved_tensors)
        inputs = []
        for is_tensor, other in zip(ctx.layout, ctx.others):
            if is_tensor:
                t = next(tensors)
                inputs.append(t.detach().requires_grad_(t.requires_grad))
            else:
                inputs.append(other)
        with _restored_rng(ctx.rng), grad_mode.enable_grad():
            outputs = ctx.run_function(*inputs)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grads)
                 if isinstance(o, Tensor) and o.requires_grad and g is not None]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not "
                               "necessary")
        backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None) + tuple(inp.grad if isinstance(inp, Tensor) else None
                                    for inp in inputs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Runs ``functions`` (a list or ``nn.Sequential``) in ``segments`` chunks, checkpointing
    all but the last."""
    use_reentrant = _use_reentrant_default(use_reentrant)
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if hasattr(functions, "children") and not isinstance(functions, (list, tuple)):
        functions = list(functions.children())
    functions = list(functions)

    def run(start, end):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    size = max(len(functions) // segments, 1) if segments else len(functions)
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run(end + 1, len(functions) - 1)(input)

"""``functional_call``: run a module with some parameters and buffers replaced."""

from __future__ import annotations

import contextlib

from ..._tensor import Tensor

__all__ = ["functional_call"]


def _owner(module, name):
    prefix, _, attr = name.rpartition(".")
    return module.get_submodule(prefix), attr


@contextlib.contextmanager
def _reparametrize(module, tensors, strict):
    if strict:
        expected = {n for n, _ in module.named_parameters(remove_duplicate=False)}
        expected |= {n for n, _ in module.named_buffers(remove_duplicate=False)}
        missing = sorted(expected - set(tensors))
        unexpected = sorted(set(tensors) - expected)
        if missing or unexpected:
            raise RuntimeError(f"Error(s) in reparametrizing for {module._get_name()}:\n\t"
                               + "\n\t".join(
                                   ([f"Unexpected key(s): {', '.join(map(repr, unexpected))}."]
                                    if unexpected else [])
                                   + ([f"Missing key(s): {', '.join(map(repr, missing))}."]
                                      if missing else [])))
    saved = []
    try:
        for name, value in tensors.items():
            owner, attr = _owner(module, name)
            if attr in owner._parameters:
                saved.append((owner._parameters, attr, owner._parameters[attr]))
                owner._parameters[attr] = value
            elif attr in owner._buffers:
                saved.append((owner._buffers, attr, owner._buffers[attr]))
                owner._buffers[attr] = value
            else:
                had = attr in owner.__dict__
                saved.append((owner.__dict__, attr, owner.__dict__.get(attr) if had else None))
                owner.__dict__[attr] = value
        yield
    finally:
        for table, attr, old in reversed(saved):
            table[attr] = old


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights=True, strict=False):
    """``module(*args, **kwargs)`` with the named parameters/buffers replaced by the given
    tensors (which may carry autograd history), restored afterwards."""
    if isinstance(parameter_and_buffer_dicts, dict):
        tensors = dict(parameter_and_buffer_dicts)
    else:
        tensors = {}
        for d in parameter_and_buffer_dicts:
            overlap = set(tensors) & set(d)
            if overlap:
                raise ValueError(f"[{', '.join(sorted(overlap))}] appeared in multiple "
                                 "dictionaries; behavior of functional call is ambiguous")
            tensors.update(d)
    for name, value in tensors.items():
        if not isinstance(value, Tensor):
            raise TypeError(f"functional_call expects tensors, got {type(value).__name__} for "
                            f"{name!r}")
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize(module, tensors, strict):
        return module(*args, **(kwargs or {}))

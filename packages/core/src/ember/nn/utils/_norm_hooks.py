"""What the hook-based weight_norm and spectral_norm share: a reparametrization is a
forward pre-hook object of its class with a ``name`` (the parameter it recomputes)."""

from __future__ import annotations


def check_unregistered(module, hook_type, name, what):
    """Raise if `module` already has a `hook_type` hook on parameter `name`."""
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, hook_type) and hook.name == name:
            raise RuntimeError(f"Cannot register two {what} hooks on the same parameter {name}")


def remove_hook(module, hook_type, name, what):
    """Undo `module`'s `hook_type` reparametrization of `name` (``hook.remove``) and
    drop the hook; ValueError when there is none."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, hook_type) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return
    raise ValueError(f"{what} of '{name}' not found in {module}")

"""``ember.autograd.graph``: hooks on the tensors autograd saves for backward.

``saved_tensors_hooks(pack_hook, unpack_hook)``: inside the block, every tensor an op
saves for its backward goes through ``pack_hook(tensor)`` (whose result is stored
instead) and comes back through ``unpack_hook(packed)`` when backward needs it, as in
PyTorch. ``save_on_cpu`` keeps saved tensors in host memory.
"""

from __future__ import annotations

from .function import Node, _saved_hooks_stack

__all__ = ["Node", "disable_saved_tensors_hooks", "save_on_cpu", "saved_tensors_hooks"]

_disabled: list = []  # messages of the active disable_saved_tensors_hooks blocks


class saved_tensors_hooks:  # noqa: N801 - PyTorch's name
    """Context manager registering a pack / unpack hook pair for saved tensors."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if _disabled:
            raise RuntimeError(_disabled[-1])
        _saved_hooks_stack.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc):
        _saved_hooks_stack.pop()


class save_on_cpu(saved_tensors_hooks):  # noqa: N801 - PyTorch's name
    """Saved tensors are moved to the CPU when packed and back to their device when
    unpacked."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack(tensor):
            if tensor.device.type == "cpu":
                return (tensor.device, tensor)
            return (tensor.device, tensor.detach().cpu())

        def unpack(packed):
            device, tensor = packed
            return tensor if tensor.device == device else tensor.to(device)

        super().__init__(pack, unpack)


class disable_saved_tensors_hooks:  # noqa: N801 - PyTorch's name
    """Inside the block, registering saved-tensor hooks raises ``RuntimeError(error_message)``."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        _disabled.append(self.error_message)
        return self

    def __exit__(self, *exc):
        _disabled.pop()

"""``ember.device``: where a tensor lives (``cpu``, ``cuda:1``, ``opencl:0``)."""

from __future__ import annotations


class device:
    """A device type and optional index, as ``torch.device``."""

    __slots__ = ("type", "index", "_k", "_backend", "_previous")

    def __init__(self, type, index=None):  # noqa: A002 - PyTorch's argument name
        if isinstance(type, device):
            if index is not None:
                raise ValueError("device(): index given twice")
            type, index = type.type, type.index
        elif isinstance(type, int) and index is None:
            from .backends import plugins

            type, index = plugins.registry.accelerator_type(), type
        elif not isinstance(type, str):
            raise TypeError("device() expected a str, int or device, got "
                            f"{type.__class__.__name__}")
        elif ":" in type:
            if index is not None:
                raise ValueError(f"device string {type!r} already holds an index")
            type, _, text = type.partition(":")
            if not text.isdigit():
                raise ValueError(f"Invalid device string: '{type}:{text}'")
            index = int(text)
        if index is not None and (not isinstance(index, int) or index < 0):
            raise ValueError(f"Device index must not be negative, got {index}")
        if not type.isidentifier():
            raise ValueError(f"Invalid device string: {type!r}")
        self.type = type
        self.index = index
        self._k = None
        self._backend = None

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __reduce__(self):
        return (device, (self.type, self.index))

    def __enter__(self):
        from .backends import plugins

        self._previous = plugins.registry.default_device
        plugins.registry.set_default_device(self)
        return self

    def __exit__(self, *exc):
        from .backends import plugins

        plugins.registry.default_device = self._previous

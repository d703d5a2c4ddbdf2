"""``detect_anomaly`` and ``set_detect_anomaly``: find the op whose backward made a NaN.

While enabled, every node the forward pass records keeps the traceback of the call that
created it (in ``node.metadata["traceback_"]``, as PyTorch), and the engine checks each
backward output: a NaN raises ``RuntimeError("Function 'DivBackward0' returned nan values
in its 0th output.")`` after warning with the forward traceback of that op.
"""

from __future__ import annotations

import traceback
import warnings

from . import engine as _engine
from . import function as _function

__all__ = ["detect_anomaly", "is_anomaly_check_nan_enabled", "is_anomaly_enabled",
           "set_detect_anomaly"]

_state = {"enabled": False, "check_nan": True}
_original_apply_recording = _function._apply_recording


def _recording_with_traceback(cls, args, kwargs):
    out = _original_apply_recording(cls, args, kwargs)
    outs = out if isinstance(out, tuple) else (out,)
    for o in outs:
        node = getattr(o, "grad_fn", None)
        if node is not None and "traceback_" not in node.metadata:
            node.metadata["traceback_"] = traceback.format_stack()[:-2]
            break
    return out


def _check(node, grads):
    """The engine's anomaly hook: called with each node's backward outputs."""
    if not _state["check_nan"]:
        return
    from .._tensor import Tensor

    for i, g in enumerate(grads):
        if isinstance(g, Tensor) and g.is_floating_point() and g.numel() and \
                bool(g.detach().isnan().any()):
            stack = node.__dict__.get("_metadata", {}).get("traceback_")
            if stack:
                warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that "
                              f"caused the error:\n{''.join(stack)}", UserWarning, stacklevel=2)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th "
                               "output.")


def _apply(enabled, check_nan):
    _state["enabled"], _state["check_nan"] = enabled, check_nan
    _function._apply_recording = _recording_with_traceback if enabled else \
        _original_apply_recording
    _engine._anomaly_check = _check if enabled else None


def is_anomaly_enabled() -> bool:
    return _state["enabled"]


def is_anomaly_check_nan_enabled() -> bool:
    return _state["check_nan"]


class detect_anomaly:  # noqa: N801 - PyTorch's name
    """Context manager (and decorator) enabling anomaly detection for autograd."""

    def __init__(self, check_nan=True):
        self.prev = (_state["enabled"], _state["check_nan"])
        self.check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self):
        self.prev = (_state["enabled"], _state["check_nan"])
        _apply(True, self.check_nan)
        return self

    def __exit__(self, *exc):
        _apply(*self.prev)

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(self.check_nan):
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly:  # noqa: N801 - PyTorch's name
    """Turns anomaly detection on or off (as a call, or for a ``with`` block)."""

    def __init__(self, mode: bool, check_nan: bool = True):
        self.prev = (_state["enabled"], _state["check_nan"])
        _apply(bool(mode), check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _apply(*self.prev)

"""Gradient-recording modes: no_grad, enable_grad, set_grad_enabled, inference_mode.

The mode is process-global (PyTorch's is per thread); ember reads it on every op, and a
module attribute is the cheapest thing to read.
"""

from __future__ import annotations

import functools


class _State:
    enabled = True
    inference = False


state = _State()


def is_grad_enabled() -> bool:
    return state.enabled


def is_inference_mode_enabled() -> bool:
    return state.inference


class _Mode:
    """Base for the mode context managers; each also works as a function decorator."""

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._args):
                return func(*args, **kwargs)
        return wrapper

    _args = ()

    def __new__(cls, *args):
        if cls in (no_grad, enable_grad) and args and callable(args[0]):
            return cls()(args[0])  # used as a bare decorator: @no_grad
        return super().__new__(cls)

    def __enter__(self):
        self._saved = (state.enabled, state.inference)
        self._apply()
        return self

    def __exit__(self, *exc):
        state.enabled, state.inference = self._saved
        return False

    def clone(self):
        return self.__class__(*self._args)


class no_grad(_Mode):
    """Ops inside do not record a graph; results do not require grad."""

    def __init__(self, orig_func=None):
        pass

    def _apply(self):
        state.enabled = False


class enable_grad(_Mode):
    def __init__(self, orig_func=None):
        pass

    def _apply(self):
        state.enabled = True


class set_grad_enabled(_Mode):
    """Set recording on or off; takes effect at once, and as a context manager restores it."""

    def __init__(self, mode: bool):
        self._args = (mode,)
        self._prev = state.enabled
        state.enabled = bool(mode)

    def __call__(self, func):
        state.enabled = self._prev  # as a decorator it must not switch the mode for good
        return super().__call__(func)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False


class inference_mode(_Mode):
    """As no_grad (ember keeps no extra bookkeeping to skip)."""

    def __init__(self, mode: bool = True):
        self._args = (mode,)

    def _apply(self):
        mode = self._args[0]
        state.inference = mode
        if mode:
            state.enabled = False

"""Tensor printing that reproduces PyTorch's ``torch/_tensor_str.py`` output.

Everything works on a host numpy array, so this module depends only on numpy. Floating values
(float16, bfloat16, float32, float64, ...) are formatted as Python floats, i.e. from their exact
float64 value, which is what PyTorch's ``.item()`` / ``.tolist()`` give it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = [
    "format_tensor",
    "format_tensor_str",
    "get_printoptions",
    "printoptions",
    "set_printoptions",
]


@dataclasses.dataclass
class _PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrinterOptions()

# profile -> (precision, threshold, edgeitems, linewidth)
_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set printing options, like ``torch.set_printoptions``.

    ``profile`` ('default', 'short' or 'full') is applied first, then the explicit options.
    ``sci_mode`` is always set (``None`` means automatic), as in PyTorch.
    """
    if profile in _PROFILES:
        (
            PRINT_OPTS.precision,
            PRINT_OPTS.threshold,
            PRINT_OPTS.edgeitems,
            PRINT_OPTS.linewidth,
        ) = _PROFILES[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Return the current options as a dict that can be passed to ``set_printoptions``."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Temporarily change the print options (same arguments as ``set_printoptions``)."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """Chooses int/fixed/scientific mode and the common element width, as PyTorch does."""

    def __init__(self, data: np.ndarray, floating: bool):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = data.reshape(-1)
        if not floating:
            for value in np.unique(flat).tolist():
                self.max_width = max(self.max_width, len(f"{value}"))
            return
        vals = flat[np.isfinite(flat) & (flat != 0)]
        if vals.size == 0:
            return
        abs_min, abs_max = np.abs(vals).min(), np.abs(vals).max()
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        if PRINT_OPTS.sci_mode is None:
            with np.errstate(over="ignore"):
                ratio = abs_max / abs_min
            self.sci_mode = bool(ratio > 1000.0 or abs_max > 1.0e8 or abs_min < 1.0e-4)
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        # Int mode appends "." to each value, hence the extra column.
        extra = 1 if self.int_mode and not self.sci_mode else 0
        for value in np.unique(vals).tolist():
            self.max_width = max(self.max_width, len(self._raw(value)) + extra)

    def _raw(self, value: float) -> str:
        precision = PRINT_OPTS.precision
        if self.sci_mode:
            return f"{value:.{precision}e}"
        if self.int_mode:
            return f"{value:.0f}"
        return f"{value:.{precision}f}"

    def format(self, value: Any) -> str:
        """Format one Python scalar, right-aligned to the common width."""
        text = f"{value}"
        if self.floating:
            text = self._raw(value)
            if self.int_mode and not self.sci_mode and math.isfinite(value):
                text += "."
        return text.rjust(self.max_width)


def _vector_str(data: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    edge = PRINT_OPTS.edgeitems
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / (fmt.max_width + 2)))
    if summarize and not edge:
        items = ["..."]
    elif summarize and data.shape[0] > 2 * edge:
        items = [fmt.format(v) for v in data[:edge].tolist()]
        items += [" ..."] + [fmt.format(v) for v in data[-edge:].tolist()]
    else:
        items = [fmt.format(v) for v in data.tolist()]
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(data: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if data.ndim == 0:
        return fmt.format(data.item())
    if data.ndim == 1:
        return _vector_str(data, indent, summarize, fmt)
    edge, size = PRINT_OPTS.edgeitems, data.shape[0]
    if summarize and size > 2 * edge:
        rows = [*range(edge), None, *range(size - edge, size)]
    else:
        rows = list(range(size))
    slices = [
        "..." if i is None else _nested_str(data[i], indent + 1, summarize, fmt) for i in rows
    ]
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _summarized(data: np.ndarray) -> np.ndarray:
    """The elements that are actually printed (PyTorch's ``get_summarized_data``)."""
    edge = PRINT_OPTS.edgeitems
    if data.ndim == 0:
        return data
    if data.ndim == 1:
        # Like PyTorch, edge == 0 keeps everything here (data[-0:] is the whole array).
        return np.concatenate((data[:edge], data[-edge:])) if data.shape[0] > 2 * edge else data
    if not edge:
        return data[(slice(0, 0),) * data.ndim]
    if data.shape[0] > 2 * edge:
        data = np.concatenate((data[:edge], data[-edge:]))
    return np.stack([_summarized(row) for row in data])


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    return "".join(parts) + ")"


def format_tensor(
    values: np.ndarray,
    *,
    dtype_name: str,
    is_default_dtype: bool,
    device: str | None,
    requires_grad: bool,
    grad_fn_name: str | None,
    prefix: str = "tensor(",
) -> str:
    """Return PyTorch's ``repr`` of a tensor holding ``values`` (``torch.`` spelled ``ember.``).

    ``is_default_dtype`` suppresses the dtype suffix (default float dtype, int64, bool); empty
    tensors print it unless the dtype is the default float dtype. ``device`` is None for cpu.
    ``prefix`` may span lines (``"Parameter containing:\\ntensor("``); its last line sets the
    indentation.
    """
    values = np.asarray(values)
    floating = values.dtype.kind not in "biu"
    if floating:
        values = values.astype(np.float64)
    indent = len(prefix) - prefix.rfind("\n") - 1
    size = f"size={tuple(values.shape)}"
    dtype = f"dtype=ember.{dtype_name}"
    suffixes = [f"device='{device}'"] if device is not None else []
    if values.size == 0:
        if values.ndim != 1:
            suffixes.append(size)
        if not (is_default_dtype and floating):
            suffixes.append(dtype)
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(size)
        if not is_default_dtype:
            suffixes.append(dtype)
        summarize = values.size > PRINT_OPTS.threshold
        fmt = _Formatter(_summarized(values) if summarize else values, floating)
        body = _nested_str(values, indent, summarize, fmt)
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)


# PyTorch's str(tensor) is its repr.
format_tensor_str = format_tensor

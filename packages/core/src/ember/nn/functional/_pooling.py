"""Pooling: max (with indices), average, adaptive average / max, max_unpool, LP pooling.

Max pooling calls the backend's ``max_pool`` / ``max_pool_backward`` kernels (fused on the
CPU backend, decomposed into required kernels elsewhere); the other poolings are written
with Tensor ops (im2col windows, index_select, reductions), so autograd differentiates them.
"""

from __future__ import annotations

import math

import numpy as np

from ... import _dtype
from ..._tensor import Tensor, _wrap
from ...autograd.function import Function
from ...backends._shapes import out_size
from ._conv import _ntuple
from ._sampling import Im2Col, _host, _index, pad

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
           "max_pool2d_with_indices", "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d",
           "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
           "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
           "adaptive_max_pool3d_with_indices", "max_unpool1d", "max_unpool2d", "max_unpool3d",
           "lp_pool1d", "lp_pool2d", "lp_pool3d"]


def _batched(name, input, nd):
    """input with a batch dim (unbatched (C, *S) gets one), and whether it had one."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if input.ndim == nd + 2:
        return input, True
    if input.ndim == nd + 1:
        return input.unsqueeze(0), False
    if nd == 1:
        raise RuntimeError(f"{name}: Expected 2D or 3D (batch mode) tensor with optional 0 dim "
                           f"batch size for input, but got:{list(input.shape)}")
    raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input")


def _pool_params(nd, kernel_size, stride, padding, dilation=1):
    ks = _ntuple(kernel_size, nd, "kernel_size")
    st = ks if stride is None or (isinstance(stride, (list, tuple)) and not stride) else \
        _ntuple(stride, nd, "stride")
    pd = _ntuple(padding, nd, "padding")
    dl = _ntuple(dilation, nd, "dilation")
    if any(k <= 0 for k in ks):
        raise RuntimeError("kernel size should be greater than zero, but got " + " ".join(
            f"k{a}: {k}" for a, k in zip("HW" if nd == 2 else "TWH"[:nd], ks, strict=False)))
    if any(s <= 0 for s in st):
        raise RuntimeError("stride should not be zero")
    if any(d <= 0 for d in dl):
        raise RuntimeError("dilation should be greater than zero, but got " + " ".join(
            f"dilation{a}: {d}" for a, d in zip("HW" if nd == 2 else "TWH"[:nd], dl,
                                                strict=False)))
    for p, k in zip(pd, ks, strict=True):
        if p < 0 or p > k // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={dl[0]}")
    return ks, st, pd, dl


def _check_out(x, out):
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, x.shape[1:]))}). Calculated "
                           f"output size: ({'x'.join(map(str, (x.shape[1],) + tuple(out)))}). "
                           "Output size is too small")


# -- max pooling -------------------------------------------------------------------------------
class _MaxPool(Function):
    _internal = True

    @staticmethod
    def forward(ctx, x, kernel_size, stride, padding, dilation, ceil_mode):
        values, indices = x._device._k.max_pool(x._data, kernel_size, stride, padding, dilation,
                                                ceil_mode)
        idx = _wrap(indices, x._device)
        ctx.save_for_backward(idx)
        ctx.input_shape = x._data.shape
        ctx.overlapping = any(s < (k - 1) * d + 1 for k, s, d in
                              zip(kernel_size, stride, dilation, strict=True))
        return values, idx

    @staticmethod
    def backward(ctx, g, _gi=None):
        (idx,) = ctx.saved_tensors
        return (MaxPoolBackward.apply(g, idx, ctx.input_shape, ctx.overlapping),
                None, None, None, None, None)


class MaxPool1DWithIndices(_MaxPool):
    _internal = True


class MaxPool2DWithIndices(_MaxPool):
    _internal = True


class MaxPool3DWithIndices(_MaxPool):
    _internal = True


_MAX_POOLS = {1: MaxPool1DWithIndices, 2: MaxPool2DWithIndices, 3: MaxPool3DWithIndices}


class MaxPoolBackward(Function):
    """zeros(input_shape) with g added at the pooling indices; its adjoint is a gather."""

    _internal = True

    @staticmethod
    def forward(ctx, g, idx, input_shape, overlapping):
        ctx.save_for_backward(idx)
        return g._device._k.max_pool_backward(g._data, idx._data, tuple(input_shape),
                                              overlapping)

    @staticmethod
    def backward(ctx, gg):
        (idx,) = ctx.saved_tensors
        picked = gg.flatten(2).gather(2, idx.flatten(2)).reshape(idx.shape)
        return picked, None, None, None


def _max_pool(name, nd, input, kernel_size, stride, padding, dilation, ceil_mode):
    x, batched = _batched(name, input, nd)
    ks, st, pd, dl = _pool_params(nd, kernel_size, stride, padding, dilation)
    out = [out_size(n, k, s, p, d, ceil_mode) for n, k, s, p, d in
           zip(x.shape[2:], ks, st, pd, dl, strict=True)]
    _check_out(x, out)
    if x.dtype is _dtype.bool:
        raise RuntimeError(f"\"max_pool{nd}d\" not implemented for 'Bool'")
    values, indices = _MAX_POOLS[nd].apply(x, ks, st, pd, dl, bool(ceil_mode))
    if not batched:
        values, indices = values.squeeze(0), indices.squeeze(0)
    return values, indices


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,  # noqa: A002
                            ceil_mode=False, return_indices=True):
    return _max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,  # noqa: A002
                            ceil_mode=False, return_indices=True):
    return _max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,  # noqa: A002
                            ceil_mode=False, return_indices=True):
    return _max_pool("max_pool3d", 3, input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # noqa: A002
               return_indices=False):
    out = _max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode)
    return out if return_indices else out[0]


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # noqa: A002
               return_indices=False):
    out = _max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode)
    return out if return_indices else out[0]


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # noqa: A002
               return_indices=False):
    out = _max_pool("max_pool3d", 3, input, kernel_size, stride, padding, dilation, ceil_mode)
    return out if return_indices else out[0]


# -- average pooling ---------------------------------------------------------------------------
def _avg_divisor(size, k, s, p, out, count_include_pad):
    """PyTorch's per-axis window sizes: clipped to the padded input, or to the input."""
    sizes = []
    for o in range(out):
        start = o * s - p
        end = min(start + k, size + p)
        if count_include_pad:
            sizes.append(end - start)
        else:
            sizes.append(min(end, size) - max(start, 0))
    return sizes


def _avg_pool(name, nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):
    x, batched = _batched(name, input, nd)
    ks, st, pd, _ = _pool_params(nd, kernel_size, stride, padding)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    spatial = x.shape[2:]
    out = [out_size(n, k, s, p, 1, ceil_mode) for n, k, s, p in
           zip(spatial, ks, st, pd, strict=True)]
    _check_out(x, out)
    # zero-pad explicitly (further on the right for ceil_mode windows), then sum the windows
    need = [(o - 1) * s + k for o, s, k in zip(out, st, ks, strict=True)]
    pads = []
    for n, p, m in reversed(list(zip(spatial, pd, need, strict=True))):
        pads += [p, max(m - n - p, 0)]
    xp = pad(x, pads) if any(pads) else x
    cols = Im2Col.apply(xp, ks, (1,) * nd, (0,) * nd, st)  # (N, C * K, L)
    n, c = x.shape[:2]
    sums = cols.reshape(n, c, math.prod(ks), *out).sum(2)
    integral = not x.is_floating_point()  # PyTorch divides integers, truncating
    if divisor_override is not None:
        res = sums.div(divisor_override, rounding_mode="trunc").to(x.dtype) if integral else \
            sums / divisor_override
    else:
        div = None
        for i, (size, k, s, p, o) in enumerate(zip(spatial, ks, st, pd, out, strict=True)):
            axis = np.asarray(_avg_divisor(size, k, s, p, o, count_include_pad), np.float64)
            shape = [1] * nd
            shape[i] = o
            axis = axis.reshape(shape)
            div = axis if div is None else div * axis
        if integral:
            res = sums.div(_index(div, x), rounding_mode="trunc").to(x.dtype)
        else:
            res = sums / _host(div.astype(x._data.dtype), x)
    return res if batched else res.squeeze(0)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,  # noqa: A002
               count_include_pad=True):
    return _avg_pool("avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,  # noqa: A002
               count_include_pad=True, divisor_override=None):
    return _avg_pool("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,  # noqa: A002
               count_include_pad=True, divisor_override=None):
    return _avg_pool("avg_pool3d", 3, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


# -- adaptive pooling --------------------------------------------------------------------------
def _adaptive_windows(size, out):
    """Per output cell [start, end) as PyTorch: floor(i * size / out), ceil((i+1) * size / out)."""
    starts = [(i * size) // out for i in range(out)]
    ends = [-(-((i + 1) * size) // out) for i in range(out)]
    return starts, ends


def _adaptive_sizes(name, x, output_size, nd):
    if isinstance(output_size, (list, tuple)):
        if len(output_size) != nd:
            raise ValueError(f"{name}: output_size must be {nd}")
        sizes = tuple(x.shape[2 + i] if s is None else int(s) for i, s in enumerate(output_size))
    else:
        sizes = (int(output_size),) * nd
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0 "
                           f"but received {list(sizes)}")
    return sizes


def _adaptive_gather(x, dim, size, out):
    """x.index_select along dim at each cell's window, clamped at its end: (..., out, L, ...)."""
    starts, ends = _adaptive_windows(size, out)
    width = max((e - s for s, e in zip(starts, ends, strict=True)), default=1)
    idx = [[min(s + j, e - 1) for j in range(width)] for s, e in zip(starts, ends, strict=True)]
    picked = x.index_select(dim, _index(np.asarray(idx).reshape(-1), x))
    shape = list(x.shape)
    shape[dim:dim + 1] = [out, width]
    return picked.reshape(shape), starts, ends, width, idx


def _adaptive_avg_pool(input, out, name):
    nd = len(out)
    x, batched = input, True
    if input.ndim == nd + 1:
        x, batched = input.unsqueeze(0), False
    for i, o in enumerate(out):
        dim = 2 + i
        size = x.shape[dim]
        if o == size:
            continue
        if o and size % o == 0:
            shape = list(x.shape)
            shape[dim:dim + 1] = [o, size // o]
            x = x.reshape(shape).mean(dim + 1)
            continue
        win, starts, ends, width, _ = _adaptive_gather(x, dim, size, o)
        counts = np.asarray([e - s for s, e in zip(starts, ends, strict=True)], np.float64)
        mask = (np.arange(width)[None, :] < counts[:, None]).astype(np.float64)
        shape = [1] * win.ndim
        shape[dim:dim + 2] = [o, width]
        # sum over the window (masking the clamped repeats), then divide by its size
        dt = x._data.dtype
        masked = win * _host(mask.reshape(shape).astype(dt), x)
        x = masked.sum(dim + 1) / _host(counts.reshape(shape[:dim + 1] + shape[dim + 2:])
                                        .astype(dt), x)
    return x if batched else x.squeeze(0)


def _adaptive_check(name, input, nd):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got "
                           f"{list(input.shape)}")
    if any(s == 0 for s in input.shape[-nd - 1 + (input.ndim == nd + 1):]):
        raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch "
                           f"dimensions, but input has sizes {list(input.shape)} with dimension "
                           f"{[i for i, s in enumerate(input.shape) if s == 0][0]} being empty")


def adaptive_avg_pool1d(input, output_size):  # noqa: A002
    _adaptive_check("adaptive_avg_pool1d", input, 1)
    return _adaptive_avg_pool(input, _adaptive_sizes("adaptive_avg_pool1d", _b(input, 1),
                                                     output_size, 1), "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input, output_size):  # noqa: A002
    _adaptive_check("adaptive_avg_pool2d", input, 2)
    return _adaptive_avg_pool(input, _adaptive_sizes("adaptive_avg_pool2d", _b(input, 2),
                                                     output_size, 2), "adaptive_avg_pool2d")


def adaptive_avg_pool3d(input, output_size):  # noqa: A002
    _adaptive_check("adaptive_avg_pool3d", input, 3)
    return _adaptive_avg_pool(input, _adaptive_sizes("adaptive_avg_pool3d", _b(input, 3),
                                                     output_size, 3), "adaptive_avg_pool3d")


def _b(x, nd):
    return x if x.ndim == nd + 2 else x.unsqueeze(0)


def _adaptive_max(name, nd, input, output_size):
    _adaptive_check(name, input, nd)
    x, batched = _batched(name, input, nd)
    out = _adaptive_sizes(name, x, output_size, nd)
    spatial = x.shape[2:]
    win = x
    positions = None
    widths = []
    for i, o in enumerate(out):
        dim = 2 + 2 * i  # earlier axes already split into (out, width)
        win, _, _, width, idx = _adaptive_gather(win, dim, spatial[i], o)
        widths.append(width)
        pos = np.asarray(idx, np.int64)  # (out, width) input coordinates along this axis
        shape = [1] * (2 * nd)
        shape[2 * i:2 * i + 2] = [o, width]
        pos = pos.reshape(shape)
        positions = pos if positions is None else positions * spatial[i] + pos
    n, c = x.shape[:2]
    order = (0, 1) + tuple(2 + 2 * i for i in range(nd)) + tuple(3 + 2 * i for i in range(nd))
    win = win.permute(order).reshape(n, c, *out, -1)
    values, arg = win.max(-1)
    flat = positions.transpose(tuple(range(0, 2 * nd, 2)) + tuple(range(1, 2 * nd, 2)))
    flat = _index(np.ascontiguousarray(flat).reshape(tuple(out) + (-1,)), x)
    indices = flat.expand(n, c, *flat.shape).gather(-1, arg.unsqueeze(-1)).squeeze(-1)
    if not batched:
        values, indices = values.squeeze(0), indices.squeeze(0)
    return values, indices


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):  # noqa: A002
    return _adaptive_max("adaptive_max_pool1d", 1, input, output_size)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):  # noqa: A002
    return _adaptive_max("adaptive_max_pool2d", 2, input, output_size)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):  # noqa: A002
    return _adaptive_max("adaptive_max_pool3d", 3, input, output_size)


def adaptive_max_pool1d(input, output_size, return_indices=False):  # noqa: A002
    out = _adaptive_max("adaptive_max_pool1d", 1, input, output_size)
    return out if return_indices else out[0]


def adaptive_max_pool2d(input, output_size, return_indices=False):  # noqa: A002
    out = _adaptive_max("adaptive_max_pool2d", 2, input, output_size)
    return out if return_indices else out[0]


def adaptive_max_pool3d(input, output_size, return_indices=False):  # noqa: A002
    out = _adaptive_max("adaptive_max_pool3d", 3, input, output_size)
    return out if return_indices else out[0]


# -- max_unpool ----------------------------------------------------------------------------------
def _unpool_size(x, nd, kernel_size, stride, padding, output_size):
    ks = _ntuple(kernel_size, nd, "kernel_size")
    st = ks if stride is None else _ntuple(stride, nd, "stride")
    pd = _ntuple(padding, nd, "padding")
    default = [(n - 1) * s - 2 * p + k for n, s, p, k in
               zip(x.shape[-nd:], st, pd, ks, strict=True)]
    if output_size is None:
        return default
    size = [int(s) for s in output_size]
    if len(size) == nd + 2 or len(size) == nd + 1:
        size = size[-nd:]
    if len(size) != nd:
        raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} "
                         f"elements, but it has a length of '{len(size)}'")
    for i, (want, d, s) in enumerate(zip(size, default, st, strict=True)):
        if not d - s < want < d + s:
            raise ValueError(f'invalid output_size "{size}" (dim {i} must be between {d - s} and '
                             f"{d + s})")
    return size


def _max_unpool(nd, input, indices, kernel_size, stride, padding, output_size):
    size = _unpool_size(input, nd, kernel_size, stride, padding, output_size)
    x, batched = (input, True) if input.ndim == nd + 2 else (input.unsqueeze(0), False)
    idx = indices if batched else indices.unsqueeze(0)
    if idx.shape != x.shape:
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(x.shape)}) but got indices tensor with shape: "
                           f"{list(idx.shape)}")
    plane = math.prod(size)
    if idx.numel():
        hi = int(idx.max().item())
        lo = int(idx.min().item())
        if lo < 0 or hi >= plane:
            raise RuntimeError(f"Found an invalid max index: {hi if hi >= plane else lo} (output "
                               f"volumes are of size {'x'.join(map(str, size))})")
    from ...ops.creation import zeros

    n, c = x.shape[:2]
    out = zeros(n, c, plane, dtype=x.dtype, device=x.device)
    out = out.scatter(2, idx.reshape(n, c, -1), x.reshape(n, c, -1)).reshape(n, c, *size)
    return out if batched else out.squeeze(0)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):  # noqa: A002
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):  # noqa: A002
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):  # noqa: A002
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)


# -- LP pooling ----------------------------------------------------------------------------------
def _lp_pool(nd, input, norm_type, kernel_size, stride, ceil_mode):
    ks = _ntuple(kernel_size, nd, "kernel_size")
    avg = (avg_pool1d, avg_pool2d, avg_pool3d)[nd - 1]
    out = avg(input.pow(norm_type), ks, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(math.prod(ks)).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):  # noqa: A002
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):  # noqa: A002
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):  # noqa: A002
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)

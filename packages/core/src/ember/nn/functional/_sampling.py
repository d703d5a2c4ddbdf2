"""Padding, resampling and rearrangement: pad, interpolate, grid_sample, affine_grid,
pixel_shuffle / pixel_unshuffle, channel_shuffle, unfold / fold (im2col).

Written with Tensor ops (index_select, gather, arithmetic), so every backend runs them and
their gradients come from autograd; unfold / fold call the backend's ``im2col`` /
``col2im`` kernels, each the other's adjoint.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np

from ... import _dtype
from ..._tensor import Tensor, _wrap
from ...autograd.function import Function
from ...backends._shapes import out_size
from ._conv import _ntuple

__all__ = ["pad", "interpolate", "upsample", "upsample_nearest", "upsample_bilinear",
           "grid_sample", "affine_grid", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle",
           "native_channel_shuffle", "unfold", "fold"]


def _host(array, like):
    """A tensor on like's device holding a NumPy array (index arrays and interpolation weights)."""
    array = np.ascontiguousarray(array)
    return _wrap(like._device._backend.from_host(array, like._device.index), like._device)


def _index(values, like):
    """An int64 index tensor on like's device."""
    return _host(np.asarray(values, dtype=np.int64), like)


# -- pad -----------------------------------------------------------------------------------
class ConstantPadNd(Function):
    """Constant padding of the trailing dims; a negative pad crops. Its adjoint is the
    opposite padding with zeros, so the backward is this Function again."""

    _internal = True

    @staticmethod
    def forward(ctx, x, pads, value):
        ctx.pads = pads
        k = x._device._k
        shape = x._data.shape
        lead = len(shape) - len(pads) // 2
        new_shape, src, dst = list(shape[:lead]), [slice(None)] * lead, [slice(None)] * lead
        for i, n in enumerate(shape[lead:]):
            left, right = pads[2 * (len(shape) - lead - 1 - i)], pads[2 * (len(shape) - lead -
                                                                           1 - i) + 1]
            m = n + left + right
            if m < 0:
                raise RuntimeError(f"The input size {n}, plus negative padding {left} and "
                                   f"{right} resulted in a negative output size, which is "
                                   f"invalid. Check dimension {lead + i} of your input.")
            new_shape.append(m)
            keep = max(n - max(-left, 0) - max(-right, 0), 0)
            src.append(slice(max(-left, 0), max(-left, 0) + keep))
            dst.append(slice(max(left, 0), max(left, 0) + keep))
        out = k.full(tuple(new_shape), value, x.dtype, x._device.index)
        if all(s.stop > s.start for s in src[lead:]):
            k.setitem(out, tuple(dst) + (Ellipsis,), k.getitem(x._data, tuple(src) + (Ellipsis,)))
        return out

    @staticmethod
    def backward(ctx, g):
        return ConstantPadNd.apply(g, tuple(-p for p in ctx.pads), 0), None, None


_NON_CONSTANT = ("reflect", "replicate", "circular")


def pad(input, pad, mode="constant", value=None):  # noqa: A002 - PyTorch's names
    if not isinstance(input, Tensor):
        raise TypeError(f"pad(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    pads = tuple(int(p) for p in pad)
    if len(pads) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pads) // 2 > input.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pads)} and input of dimension "
                           f"{input.ndim}")
    if mode == "constant":
        return ConstantPadNd.apply(input, pads, 0 if value is None else value)
    if mode not in _NON_CONSTANT:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    n_pad = len(pads) // 2
    if n_pad not in (1, 2, 3) or input.ndim not in (n_pad + 1, n_pad + 2):
        raise NotImplementedError(
            f"Padding size {len(pads)} is not supported for {input.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    x = input
    for i in range(n_pad):
        dim = x.ndim - 1 - i
        left, right = pads[2 * i], pads[2 * i + 1]
        x = _pad_dim(x, dim, left, right, mode, pads, input)
    return x


def _pad_dim(x, dim, left, right, mode, pads, input):
    n = x.shape[dim]
    if not left and not right:
        return x
    if any(s == 0 for s in input.shape[1:]) or (input.ndim == len(pads) // 2 + 1 and
                                                 input.shape[0] == 0):
        raise RuntimeError(f"Expected {len(pads) // 2 + 1}D or {len(pads) // 2 + 2}D (batch "
                           f"mode) tensor with possibly 0 batch size and other non-zero "
                           f"dimensions for input, but got: {list(input.shape)}")
    if mode == "reflect":
        if left >= n or right >= n:
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({left}, {right}) at dimension "
                               f"{dim} of input {list(input.shape)}")
        src = []
        for j in range(n + left + right):
            t = abs(j - left)
            src.append((n - 1) - abs((n - 1) - t) if n > 1 else 0)
    elif mode == "replicate":
        src = [min(max(j - left, 0), n - 1) for j in range(n + left + right)]
    else:  # circular: crop negative pads first, then wrap over what remains
        if left < 0 or right < 0:
            x = x.narrow(dim, max(-left, 0), n - max(-left, 0) - max(-right, 0))
            n = x.shape[dim]
            left, right = max(left, 0), max(right, 0)
        if left > n or right > n:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        src = [(j - left) % n for j in range(n + left + right)]
    return x.index_select(dim, _index(src, x))


# -- interpolate -----------------------------------------------------------------------------
_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")


def _np_float(dtype):
    return np.float64 if dtype is _dtype.float64 else np.float32


def _scale_value(scale, in_size, out_size, np_float):
    """PyTorch's compute_scales_value: 1 / scale_factor when given, else in / out."""
    if scale is not None and scale > 0:
        return np_float(1.0 / scale)
    return np_float(in_size) / np_float(out_size)


def _area_scale(in_size, out_size, align_corners, scale, np_float):
    if align_corners:
        return np_float(in_size - 1) / np_float(out_size - 1) if out_size > 1 else np_float(0)
    return _scale_value(scale, in_size, out_size, np_float)


def _source(scale, dst, align_corners, cubic, np_float):
    dst = np.arange(dst, dtype=np_float)
    if align_corners:
        return scale * dst
    src = scale * (dst + np_float(0.5)) - np_float(0.5)
    return src if cubic else np.maximum(src, np_float(0))


def _along(x, dim, index, weights):
    """sum_j x.index_select(dim, index[j]) * weights[j] (weights broadcast along dim)."""
    shape = [1] * x.ndim
    shape[dim] = -1
    out = None
    for idx, w in zip(index, weights, strict=True):
        term = x.index_select(dim, _index(idx, x)) * _host(w.astype(x._data.dtype), x).reshape(
            shape)
        out = term if out is None else out + term
    return out


def _interp_nearest(x, dim, out_size, scale, exact):
    in_size = x.shape[dim]
    if out_size == in_size and not exact:
        return x
    if out_size == 2 * in_size and not exact:
        src = np.arange(out_size) >> 1
    else:
        s = _scale_value(scale, in_size, out_size, np.float32)
        pos = np.arange(out_size, dtype=np.float32)
        if exact:
            pos = pos + np.float32(0.5)
        src = np.minimum(np.floor(pos * s).astype(np.int64), in_size - 1)
    return x.index_select(dim, _index(src, x))


def _interp_linear(x, dim, out_size, scale, align_corners):
    in_size = x.shape[dim]
    npf = _np_float(x.dtype)
    s = _area_scale(in_size, out_size, align_corners, scale, npf)
    src = _source(s, out_size, align_corners, False, npf)
    i0 = src.astype(np.int64)  # src >= 0, so truncation is floor
    i1 = np.minimum(i0 + 1, in_size - 1)
    lam1 = (src - i0.astype(npf)).astype(npf)
    lam0 = (npf(1) - lam1).astype(npf)
    return _along(x, dim, [i0, i1], [lam0, lam1])


def _cubic_weights(t, npf):
    a = npf(-0.75)

    def near(v):  # |v| <= 1
        return ((a + 2) * v - (a + 3)) * v * v + 1

    def far(v):  # 1 < |v| < 2
        return ((a * v - 5 * a) * v + 8 * a) * v - 4 * a
    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _interp_cubic(x, dim, out_size, scale, align_corners):
    in_size = x.shape[dim]
    npf = _np_float(x.dtype)
    s = _area_scale(in_size, out_size, align_corners, scale, npf)
    src = _source(s, out_size, align_corners, True, npf)
    base = np.floor(src).astype(np.int64)
    t = (src - base.astype(npf)).astype(npf)
    weights = [w.astype(npf) for w in _cubic_weights(t, npf)]
    index = [np.clip(base + j, 0, in_size - 1) for j in (-1, 0, 1, 2)]
    return _along(x, dim, index, weights)


def _aa_filter(t, cubic):
    """PyTorch's antialiasing filters: a triangle, or the cubic convolution with a = -0.5."""
    t = np.abs(t)
    if not cubic:
        return np.where(t < 1, 1 - t, 0)
    a = -0.5
    near = ((a + 2) * t - (a + 3)) * t * t + 1
    far = (((t - 5) * t + 8) * t - 4) * a
    return np.where(t < 1, near, np.where(t < 2, far, 0))


def _interp_antialias(x, dim, out_size, scale, align_corners, cubic):
    """Separable antialiased resampling: when shrinking, the filter widens by the scale."""
    in_size = x.shape[dim]
    npf = _np_float(x.dtype)
    s = float(_area_scale(in_size, out_size, align_corners, scale, npf))
    half = 2.0 if cubic else 1.0
    support = half * s if s >= 1.0 else half
    invscale = 1.0 / s if s >= 1.0 else 1.0
    rows = []
    for i in range(out_size):
        center = s * (i + 0.5)
        lo = max(int(center - support + 0.5), 0)
        n = min(int(center + support + 0.5), in_size) - lo
        taps = np.arange(lo, lo + n)
        w = _aa_filter((taps - center + 0.5) * invscale, cubic).astype(npf)
        total = w.sum()
        rows.append((taps, w / total if total != 0 else w))
    width = max(len(t) for t, _ in rows)
    index = np.zeros((out_size, width), np.int64)
    weight = np.zeros((out_size, width), npf)
    for i, (taps, w) in enumerate(rows):
        index[i, :len(taps)] = taps
        weight[i, :len(w)] = w
    return _along(x, dim, list(index.T), list(weight.T))


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,  # noqa: A002
                recompute_scale_factor=None, antialias=False):
    if not isinstance(input, Tensor):
        raise TypeError(f"interpolate(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    if mode not in _MODES:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                                  f"{input.ndim}D) for the modes: nearest | linear | bilinear | "
                                  f"bicubic | trilinear | area | nearest-exact (got {mode})")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    nd = input.ndim - 2
    if antialias and (mode not in ("bilinear", "bicubic") or input.ndim != 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos "
                         "modes and requires a 4-D tensor as input")
    if nd < 1:
        raise ValueError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                         f"{input.ndim}D) for the modes: nearest | linear | bilinear | bicubic | "
                         f"trilinear | area | nearest-exact (got {mode})")
    wanted = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}.get(mode)
    if wanted is not None and nd != wanted:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                  f"{wanted + 2}D input")
    spatial = tuple(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != nd:
                raise ValueError(f"Input and output must have the same number of spatial "
                                 f"dimensions, but got input with spatial dimensions of "
                                 f"{list(spatial)} and output size of {list(size)}. Please "
                                 f"provide input tensor in (N, C, d1, d2, ...,dK) format and "
                                 f"output size in (o1, o2, ...,oK) format.")
            out = tuple(int(s) for s in size)
        else:
            out = (int(size),) * nd
        scales = (None,) * nd
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != nd:
                raise ValueError(f"Input and scale_factor must have the same number of spatial "
                                 f"dimensions, but got input with spatial dimensions of "
                                 f"{list(spatial)} and scale_factor of shape "
                                 f"{list(scale_factor)}. Please provide input tensor in (N, C, "
                                 f"d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) "
                                 f"format.")
            scales = tuple(float(s) for s in scale_factor)
        else:
            scales = (float(scale_factor),) * nd
        out = tuple(int(math.floor(n * s)) for n, s in zip(spatial, scales, strict=True))
        if recompute_scale_factor:
            scales = (None,) * nd
    else:
        raise ValueError("either size or scale_factor should be defined")
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"({', '.join(map(str, spatial))}) and output "
                           f"({', '.join(map(str, out))})")
    if mode == "area":
        from ._pooling import _adaptive_avg_pool

        return _adaptive_avg_pool(input, out, "adaptive_avg_pool")
    x = input
    if not x.is_floating_point() and mode != "nearest" and mode != "nearest-exact":
        raise RuntimeError(f"\"upsample_{mode}\" not implemented for "
                           f"'{_type(x.dtype)}'")
    for i in range(nd):
        dim = 2 + i
        if antialias:
            x = _interp_antialias(x, dim, out[i], scales[i], align_corners, mode == "bicubic")
        elif mode in ("nearest", "nearest-exact"):
            x = _interp_nearest(x, dim, out[i], scales[i], mode == "nearest-exact")
        elif mode == "bicubic":
            x = _interp_cubic(x, dim, out[i], scales[i], align_corners)
        else:
            x = _interp_linear(x, dim, out[i], scales[i], align_corners)
    return x


def _type(dtype):
    return {"int64": "Long", "int32": "Int", "uint8": "Byte", "bool": "Bool"}.get(dtype.name,
                                                                                 dtype.name)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):  # noqa: A002
    warnings.warn("nn.functional.upsample is deprecated. Use nn.functional.interpolate instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):  # noqa: A002
    warnings.warn("nn.functional.upsample_nearest is deprecated. Use nn.functional.interpolate "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):  # noqa: A002
    warnings.warn("nn.functional.upsample_bilinear is deprecated. Use nn.functional.interpolate "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# -- grid_sample and affine_grid ------------------------------------------------------------
def _unnormalize(coord, size, align_corners):
    if align_corners:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord, low2, high2):
    """PyTorch's reflect_coordinates over [low2 / 2, high2 / 2] (differentiable)."""
    if low2 == high2:
        return coord * 0
    lo = low2 / 2
    span = (high2 - low2) / 2
    c = (coord - lo).abs()
    flips = (c / span).floor()
    extra = c - flips * span
    even = (flips.remainder(2) == 0).to(coord.dtype)
    return (extra + lo) * even + (span - extra + lo) * (1 - even)


def _source_coords(coord, size, padding_mode, align_corners):
    c = _unnormalize(coord, size, align_corners)
    if padding_mode == "border":
        c = c.clamp(0, size - 1)
    elif padding_mode == "reflection":
        if align_corners:
            c = _reflect(c, 0, 2 * (size - 1))
        else:
            c = _reflect(c, -1, 2 * size - 1)
        c = c.clamp(0, size - 1)
    return c


def _gather(flat, coords, sizes):
    """flat (N, C, prod(sizes)) read at integer coords (one (N, P) tensor per axis, slowest
    first); reads outside the input give 0 through the returned mask."""
    valid = None
    idx = None
    for c, n in zip(coords, sizes, strict=True):
        ok = (c >= 0) & (c <= n - 1)
        valid = ok if valid is None else valid & ok
        c = c.clamp(0, n - 1)
        idx = c if idx is None else idx * n + c
    idx = idx.to(_dtype.int64)
    b, ch = flat.shape[:2]
    vals = flat.gather(2, idx.unsqueeze(1).expand(b, ch, idx.shape[1]))
    return vals, valid.unsqueeze(1).to(flat.dtype)


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):  # noqa: A002
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to "
                      "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                      "old behavior is desired. See the documentation of grid_sample for "
                      "details.", stacklevel=2)
        align_corners = False
    nd = input.ndim - 2
    if nd not in (2, 3) or grid.ndim != input.ndim:
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number "
                           f"of dimensions, but got input with sizes {list(input.shape)} and "
                           f"grid with sizes {list(grid.shape)}")
    if grid.shape[-1] != nd or grid.shape[0] != input.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {nd} in last dimension "
                           f"and the same batch size as input, but got grid with sizes "
                           f"{list(grid.shape)}")
    if mode == "bicubic" and nd == 3:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if input.dtype is not grid.dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have same dtype, but "
                           f"input has {input.dtype} and grid has {grid.dtype}")
    n, c = input.shape[:2]
    sizes = tuple(input.shape[2:])  # (H, W) or (D, H, W)
    out_shape = tuple(grid.shape[1:-1])
    g = grid.reshape(n, -1, nd)
    # grid's last dim is (x, y[, z]): reverse it to the slowest-first order of the input
    raw = [g[..., nd - 1 - i] for i in range(nd)]
    flat = input.reshape(n, c, -1)
    if mode == "bicubic":
        ix = _unnormalize(raw[1], sizes[1], align_corners)
        iy = _unnormalize(raw[0], sizes[0], align_corners)
        x0, y0 = ix.floor().detach(), iy.floor().detach()
        wx, wy = _cubic_weights(ix - x0, float), _cubic_weights(iy - y0, float)
        out = None
        for a in range(4):
            for b in range(4):
                yy, xx = y0 + (a - 1), x0 + (b - 1)
                if padding_mode != "zeros":
                    yy = _source_coords_int(yy, sizes[0], padding_mode, align_corners)
                    xx = _source_coords_int(xx, sizes[1], padding_mode, align_corners)
                vals, valid = _gather(flat, (yy, xx), sizes)
                term = vals * ((wy[a] * wx[b]).unsqueeze(1) * valid)
                out = term if out is None else out + term
        return out.reshape(n, c, *out_shape)
    coords = [_source_coords(r, size, padding_mode, align_corners)
              for r, size in zip(raw, sizes, strict=True)]
    if mode == "nearest":
        vals, valid = _gather(flat, [x.round().detach() for x in coords], sizes)
        return (vals * valid).reshape(n, c, *out_shape)
    lows = [x.floor().detach() for x in coords]
    out = None
    for corner in itertools.product((0, 1), repeat=nd):  # (bi|tri)linear: 2^nd corners
        where, weight = [], None
        for bit, x, lo in zip(corner, coords, lows, strict=True):
            where.append(lo + bit)
            w = (x - lo) if bit else (lo + 1 - x)
            weight = w if weight is None else weight * w
        vals, valid = _gather(flat, where, sizes)
        term = vals * (weight.unsqueeze(1) * valid)
        out = term if out is None else out + term
    return out.reshape(n, c, *out_shape)


def _source_coords_int(c, size, padding_mode, align_corners):
    if padding_mode == "border":
        return c.clamp(0, size - 1)
    if align_corners:
        r = _reflect(c, 0, 2 * (size - 1))
    else:
        r = _reflect(c, -1, 2 * size - 1)
    return r.clamp(0, size - 1).round()


def _base_coords(n, align_corners, like):
    from ...ops.creation import linspace

    if n <= 1:
        from ...ops.creation import zeros

        return zeros(n, dtype=like.dtype, device=like.device)
    v = linspace(-1, 1, n, dtype=like.dtype, device=like.device)
    return v if align_corners else v * ((n - 1) / n)


def affine_grid(theta, size, align_corners=None):
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to "
                      "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                      "old behavior is desired. See the documentation of grid_sample for "
                      "details.", stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(int(s) for s in size)
    from ...ops.creation import ones
    from ...ops.shape import stack

    if len(size) == 4:
        if theta.ndim != 3 or theta.shape[-2:] != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                             f"{list(size)}. Got {list(theta.shape)}.")
        n, _, h, w = size
        xs = _base_coords(w, align_corners, theta).reshape(1, w).expand(h, w)
        ys = _base_coords(h, align_corners, theta).reshape(h, 1).expand(h, w)
        base = stack([xs, ys, ones(h, w, dtype=theta.dtype, device=theta.device)], -1)
        return (base.reshape(1, h * w, 3) @ theta.transpose(1, 2)).reshape(n, h, w, 2)
    if len(size) == 5:
        if theta.ndim != 3 or theta.shape[-2:] != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size "
                             f"{list(size)}. Got {list(theta.shape)}.")
        n, _, d, h, w = size
        xs = _base_coords(w, align_corners, theta).reshape(1, 1, w).expand(d, h, w)
        ys = _base_coords(h, align_corners, theta).reshape(1, h, 1).expand(d, h, w)
        zs = _base_coords(d, align_corners, theta).reshape(d, 1, 1).expand(d, h, w)
        base = stack([xs, ys, zs, ones(d, h, w, dtype=theta.dtype, device=theta.device)], -1)
        return (base.reshape(1, d * h * w, 4) @ theta.transpose(1, 2)).reshape(n, d, h, w, 3)
    raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine "
                              f"transforms, respectively. Got size {list(size)}.")


# -- rearrangements ------------------------------------------------------------------------
def pixel_shuffle(input, upscale_factor):  # noqa: A002
    r = int(upscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.ndim} dimension(s)")
    c, h, w = input.shape[-3:]
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                           f"is not divisible by {r * r}")
    lead = tuple(input.shape[:-3])
    oc = c // (r * r)
    x = input.reshape(lead + (oc, r, r, h, w))
    nl = len(lead)
    x = x.permute(tuple(range(nl)) + (nl, nl + 3, nl + 1, nl + 4, nl + 2))
    return x.reshape(lead + (oc, h * r, w * r))


def pixel_unshuffle(input, downscale_factor):  # noqa: A002
    r = int(downscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.ndim} dimension(s)")
    c, h, w = input.shape[-3:]
    if h % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, "
                           f"but input.size(-2)={h} is not divisible by {r}")
    if w % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, "
                           f"but input.size(-1)={w} is not divisible by {r}")
    lead = tuple(input.shape[:-3])
    nl = len(lead)
    x = input.reshape(lead + (c, h // r, r, w // r, r))
    x = x.permute(tuple(range(nl)) + (nl, nl + 2, nl + 4, nl + 1, nl + 3))
    return x.reshape(lead + (c * r * r, h // r, w // r))


def channel_shuffle(input, groups):  # noqa: A002
    g = int(groups)
    if g <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{g}")
    c = input.shape[1]
    if c % g:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {g} groups.")
    n = input.shape[0]
    rest = tuple(input.shape[2:])
    x = input.reshape((n, g, c // g) + rest).transpose(1, 2)
    return x.reshape((n, c) + rest)


native_channel_shuffle = channel_shuffle


# -- unfold / fold ---------------------------------------------------------------------------
class Im2Col(Function):
    _internal = True

    @staticmethod
    def forward(ctx, x, kernel_size, dilation, padding, stride):
        ctx.args = (kernel_size, dilation, padding, stride)
        ctx.input_shape = x._data.shape
        k = x._device._k
        cols = k.im2col(x._data, kernel_size, stride, padding, dilation)
        n, c = x._data.shape[:2]
        blocks = math.prod(cols.shape[2 + len(kernel_size):])
        return k.reshape(cols, (n, c * math.prod(kernel_size), blocks))

    @staticmethod
    def backward(ctx, g):
        kernel_size, dilation, padding, stride = ctx.args
        return Col2Im.apply(g, ctx.input_shape[2:], *ctx.args), None, None, None, None


class Col2Im(Function):
    _internal = True

    @staticmethod
    def forward(ctx, cols, output_size, kernel_size, dilation, padding, stride):
        ctx.args = (kernel_size, dilation, padding, stride)
        k = cols._device._k
        n, ck = cols._data.shape[:2]
        c = ck // math.prod(kernel_size)
        out = tuple(_blocks(output_size, kernel_size, dilation, padding, stride))
        data = k.reshape(cols._data, (n, c) + tuple(kernel_size) + out)
        return k.col2im(data, (n, c) + tuple(output_size), kernel_size, stride, padding,
                        dilation)

    @staticmethod
    def backward(ctx, g):
        return (Im2Col.apply(g, *ctx.args),) + (None,) * 5


def _blocks(size, kernel_size, dilation, padding, stride):
    return [out_size(n, k, s, p, d) for n, k, d, p, s in
            zip(size, kernel_size, dilation, padding, stride, strict=True)]


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):  # noqa: A002
    if input.ndim not in (3, 4) or any(s == 0 for s in input.shape[1:]):
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and "
                           f"other non-zero dimensions for input, but got: {list(input.shape)}")
    ks, dl = _ntuple(kernel_size, 2, "kernel_size"), _ntuple(dilation, 2, "dilation")
    pd, st = _ntuple(padding, 2, "padding"), _ntuple(stride, 2, "stride")
    batched = input.ndim == 4
    x = input if batched else input.unsqueeze(0)
    blocks = _blocks(x.shape[2:], ks, dl, pd, st)
    if any(b < 1 for b in blocks):
        raise RuntimeError(f"Given input with spatial size ({x.shape[2]}, {x.shape[3]}), "
                           f"kernel_size={ks}, dilation={dl}, padding={pd}, calculated shape of "
                           f"the array of sliding blocks as ({blocks[0]}, {blocks[1]}), but its "
                           "components must be at least one.")
    out = Im2Col.apply(x, ks, dl, pd, st)
    return out if batched else out.squeeze(0)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):  # noqa: A002
    if input.ndim not in (2, 3) or any(s == 0 for s in input.shape[1:]):
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and "
                           f"non-zero dimensions for input, but got: {list(input.shape)}")
    os_ = _ntuple(output_size, 2, "output_size")
    ks, dl = _ntuple(kernel_size, 2, "kernel_size"), _ntuple(dilation, 2, "dilation")
    pd, st = _ntuple(padding, 2, "padding"), _ntuple(stride, 2, "stride")
    batched = input.ndim == 3
    x = input if batched else input.unsqueeze(0)
    if x.shape[1] % math.prod(ks):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={x.shape[1]} and "
                           f"kernel_size={ks}.")
    blocks = _blocks(os_, ks, dl, pd, st)
    if blocks[0] * blocks[1] != x.shape[2]:
        raise RuntimeError(f"Given output_size={os_}, kernel_size={ks}, dilation={dl}, "
                           f"padding={pd}, stride={st}, expected size of input's dimension 2 to "
                           f"match the calculated number of sliding blocks {blocks[0]} * "
                           f"{blocks[1]} = {blocks[0] * blocks[1]}, but got input.size(2)="
                           f"{x.shape[2]}.")
    out = Col2Im.apply(x, os_, ks, dl, pd, st)
    return out if batched else out.squeeze(0)

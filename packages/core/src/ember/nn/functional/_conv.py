"""Convolutions: conv1d/2d/3d and conv_transpose1d/2d/3d.

One autograd Function covers every convolution (PyTorch's ``ConvolutionBackward0``): its
forward calls the backend's ``convolution`` kernel (or ``convolution_backward_input`` for a
transposed convolution), and its backward is written with the same Function and the weight
gradient Function, so gradients of any order work. Backends without a fused kernel get the
core decomposition (im2col + matmul) from ``ember.backends.decompositions``.
"""

from __future__ import annotations

from ..._tensor import Tensor
from ...autograd.function import Function
from ...ops.linalg import einsum

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d"]


def _ntuple(value, n, name="argument"):
    if isinstance(value, (list, tuple)):
        value = tuple(int(v) for v in value)
        if len(value) == 1 and n > 1:
            return value * n
        if len(value) != n:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} "
                               f"values to match the convolution dimensions, but got "
                               f"{name}={list(value)}")
        return value
    return (int(value),) * n


def _bias_shape(o, nd):
    return (1, o) + (1,) * nd


class Convolution(Function):
    """``conv(x, w) + b``, or its transpose (the adjoint in x) when ``out_spatial`` is given."""

    _internal = True

    @staticmethod
    def forward(ctx, x, w, b, stride, padding, dilation, groups, out_spatial):
        k = x._device._k
        ctx.args = (stride, padding, dilation, groups)
        ctx.out_spatial = out_spatial
        if out_spatial is None:
            out = k.convolution(x._data, w._data, stride, padding, dilation, groups)
        else:
            shape = (x._data.shape[0], w._data.shape[1] * groups) + tuple(out_spatial)
            out = k.convolution_backward_input(x._data, w._data, shape, stride, padding,
                                               dilation, groups)
        if b is not None:
            k.add(out, k.reshape(b._data, _bias_shape(out.shape[1], out.ndim - 2)), out=out)
        ctx.save_for_backward(x, w)
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        stride, padding, dilation, groups = ctx.args
        gx = gw = gb = None
        if ctx.out_spatial is None:  # y = conv(x, w)
            if need_x:
                gx = Convolution.apply(g, w, None, *ctx.args, tuple(x.shape[2:]))
            if need_w:
                gw = ConvolutionWeightGrad.apply(x, g, tuple(w.shape), *ctx.args)
        else:  # y = conv_transpose(x, w): the adjoint of conv(., w)
            if need_x:
                gx = Convolution.apply(g, w, None, *ctx.args, None)
            if need_w:
                gw = ConvolutionWeightGrad.apply(g, x, tuple(w.shape), *ctx.args)
        if need_b:  # one einsum reduction: several times faster than sum over (0, 2, ...)
            gb = einsum("ncp->c", g.reshape(g.shape[0], g.shape[1], -1))
        return gx, gw, gb, None, None, None, None, None


class ConvolutionWeightGrad(Function):
    """``W(x, g)``: the gradient of ``conv(x, w)`` in w for output gradient g (bilinear)."""

    _internal = True

    @staticmethod
    def forward(ctx, x, g, weight_shape, stride, padding, dilation, groups):
        ctx.args = (stride, padding, dilation, groups)
        ctx.save_for_backward(x, g)
        return x._device._k.convolution_backward_weight(x._data, g._data, weight_shape, stride,
                                                        padding, dilation, groups)

    @staticmethod
    def backward(ctx, h):
        # <W(x, g), h> = <g, conv(x, h)>: in x that is conv_transpose(g, h), in g conv(x, h)
        x, g = ctx.saved_tensors
        gx = gg = None
        if ctx.needs_input_grad[0]:
            gx = Convolution.apply(g, h, None, *ctx.args, tuple(x.shape[2:]))
        if ctx.needs_input_grad[1]:
            gg = Convolution.apply(x, h, None, *ctx.args, None)
        return gx, gg, None, None, None, None, None


def _check_common(name, input, weight, bias, nd):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if not isinstance(weight, Tensor):
        raise TypeError(f"{name}(): argument 'weight' (position 2) must be Tensor, not "
                        f"{type(weight).__name__}")
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{name}, but got input of size: {list(input.shape)}")
    if weight.ndim != nd + 2:
        raise RuntimeError("weight should have at least three dimensions" if weight.ndim < 3
                           else f"Expected {nd + 2}-dimensional weight for {nd + 2}-dimensional "
                           f"input {list(input.shape)}, but got {weight.ndim}-dimensional weight "
                           f"of size {list(weight.shape)} instead")
    if input.dtype is not weight.dtype:
        raise RuntimeError(f"expected scalar type {_type_name(input.dtype)} but found "
                           f"{_type_name(weight.dtype)}" if input.dtype.is_floating_point else
                           f"Input type ({_short(input.dtype)}) and weight type "
                           f"({_short(weight.dtype)}) should be the same")
    if bias is not None and bias.dtype is not input.dtype:
        raise RuntimeError(f"Input type ({_short(input.dtype)}) and bias type "
                           f"({_short(bias.dtype)}) should be the same")
    if input.device is not weight.device or (bias is not None and bias.device is not
                                             input.device):
        raise RuntimeError(f"Input type ({input.device}) and weight type ({weight.device}) "
                           "should be on the same device")


def _type_name(dtype):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
            "int64": "Long", "int32": "Int"}.get(dtype.name, dtype.name)


def _short(dtype):
    return {"float32": "float", "float64": "double", "float16": "c10::Half",
            "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int"}.get(dtype.name,
                                                                                 dtype.name)


def _check_params(stride, padding, dilation, groups):
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")


def _same_padding(kernel_size, dilation):
    """PyTorch's padding='same': (symmetric part, extra on the right) per spatial axis."""
    total = [d * (k - 1) for k, d in zip(kernel_size, dilation, strict=True)]
    return tuple(t // 2 for t in total), tuple(t - t // 2 * 2 for t in total)


def _conv(name, nd, input, weight, bias, stride, padding, dilation, groups):
    _check_common(name, input, weight, bias, nd)
    stride = _ntuple(stride, nd, "stride")
    dilation = _ntuple(dilation, nd, "dilation")
    groups = int(groups)
    kernel_size = tuple(weight.shape[2:])
    extra = None
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            padding, extra = _same_padding(kernel_size, dilation)
            if not any(extra):
                extra = None
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        padding = _ntuple(padding, nd, "padding")
    _check_params(stride, padding, dilation, groups)
    batched = input.ndim == nd + 2
    x = input if batched else input.unsqueeze(0)
    o, cg = weight.shape[:2]
    if o % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size {list(weight.shape)} instead")
    if x.shape[1] != cg * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, "
                           f"expected input{list(x.shape)} to have {cg * groups} channels, but "
                           f"got {x.shape[1]} channels instead")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != o):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be "
                           f"1-dimensional with {o} elements, but got bias of size "
                           f"{list(bias.shape)} instead")
    if extra is not None:
        from ._sampling import pad

        pads = []
        for e in reversed(extra):
            pads += [0, e]
        x = pad(x, pads)
    padded = [n + 2 * p for n, p in zip(x.shape[2:], padding, strict=True)]
    span = [d * (k - 1) + 1 for k, d in zip(kernel_size, dilation, strict=True)]
    if any(s > n for s, n in zip(span, padded, strict=True)):
        raise RuntimeError(f"Calculated padded input size per channel: "
                           f"({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, span))}). Kernel size can't be greater than "
                           "actual input size")
    out = Convolution.apply(x, weight, bias, stride, padding, dilation, groups, None)
    return out if batched else out.squeeze(0)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def _conv_transpose(name, nd, input, weight, bias, stride, padding, output_padding, groups,
                    dilation):
    _check_common(name, input, weight, bias, nd)
    stride = _ntuple(stride, nd, "stride")
    padding = _ntuple(padding, nd, "padding")
    output_padding = _ntuple(output_padding, nd, "output_padding")
    dilation = _ntuple(dilation, nd, "dilation")
    groups = int(groups)
    _check_params(stride, padding, dilation, groups)
    for op, s, d in zip(output_padding, stride, dilation, strict=True):
        if op >= s and op >= d:
            dims = ("height", "width") if nd == 2 else ("depth", "height", "width")[-nd:]
            raise RuntimeError(
                "output padding must be smaller than either stride or dilation, but got "
                + " ".join(f"output_padding_{n}: {v}" for n, v in zip(dims, output_padding,
                                                                       strict=True)) + " "
                + " ".join(f"stride_{n}: {v}" for n, v in zip(dims, stride, strict=True)) + " "
                + " ".join(f"dilation_{n}: {v}" for n, v in zip(dims, dilation, strict=True)))
    batched = input.ndim == nd + 2
    x = input if batched else input.unsqueeze(0)
    c, og = weight.shape[:2]
    if x.shape[1] != c:
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected "
                           f"input{list(x.shape)} to have {c} channels, but got {x.shape[1]} "
                           "channels instead")
    if c % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size {list(weight.shape)} instead")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != og * groups):
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected "
                           f"bias to be 1-dimensional with {og * groups} elements, but got bias "
                           f"of size {list(bias.shape)} instead")
    out_spatial = tuple((n - 1) * s - 2 * p + d * (k - 1) + op + 1 for n, s, p, d, k, op in zip(
        x.shape[2:], stride, padding, dilation, weight.shape[2:], output_padding, strict=True))
    if any(n <= 0 for n in out_spatial):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, x.shape[2:]))})"
                           f". Calculated output size per channel: "
                           f"({' x '.join(map(str, out_spatial))}). Output size is too small")
    out = Convolution.apply(x, weight, bias, stride, padding, dilation, groups, out_spatial)
    return out if batched else out.squeeze(0)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _conv_transpose("conv_transpose3d", 3, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)

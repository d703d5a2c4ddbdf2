"""linear and bilinear: one autograd node each (``AddmmBackward0`` / ``MmBackward0``)."""

from __future__ import annotations

from ..._tensor import Tensor, _wrap
from ...autograd import grad_mode
from ...autograd.function import Function

_state = grad_mode.state

__all__ = ["bilinear", "linear"]


class Addmm(Function):
    """``x @ w.T + b`` for a 2-D ``x``: the whole of a Linear layer as one graph node."""

    _internal = True

    @staticmethod
    def forward(ctx, x, w, b):
        k = x._device._k
        out = k.matmul(x._data, k.permute(w._data, (1, 0)))
        k.add(out, b._data, out=out)
        ctx.save_for_backward(x, w)
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        gx, gw, gb = ctx.needs_input_grad
        if not _state.enabled:  # no create_graph: straight to the kernels
            k, dev = g._device._k, g._device
            return (_wrap(k.matmul(g._data, w._data), dev) if gx else None,
                    _wrap(k.matmul(k.permute(g._data, (1, 0)), x._data), dev) if gw else None,
                    _wrap(k.sum(g._data, (0,), False), dev) if gb else None)
        return (g @ w if gx else None, g.T @ x if gw else None, g.sum(0) if gb else None)


class Mm(Function):
    """``x @ w.T`` for a 2-D ``x`` (a Linear layer without bias)."""

    _internal = True

    @staticmethod
    def forward(ctx, x, w):
        k = x._device._k
        ctx.save_for_backward(x, w)
        return k.matmul(x._data, k.permute(w._data, (1, 0)))

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        gx, gw = ctx.needs_input_grad
        if not _state.enabled:
            k, dev = g._device._k, g._device
            return (_wrap(k.matmul(g._data, w._data), dev) if gx else None,
                    _wrap(k.matmul(k.permute(g._data, (1, 0)), x._data), dev) if gw else None)
        return (g @ w if gx else None, g.T @ x if gw else None)


_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
          "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
          "bool": "Bool"}


def _check(input, weight, bias):
    if not isinstance(input, Tensor):
        raise TypeError(f"linear(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if not isinstance(weight, Tensor):
        raise TypeError(f"linear(): argument 'weight' (position 2) must be Tensor, not "
                        f"{type(weight).__name__}")
    xs, ws = input._data.shape, weight._data.shape
    if input._data.dtype is not weight._data.dtype and input.dtype is not weight.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{_NAMES[input.dtype.name]} and {_NAMES[weight.dtype.name]}")
    if input._device is not weight._device:
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least "
                           f"two devices, {input.device} and {weight.device}!")
    if len(ws) == 2 and xs and xs[-1] != ws[1]:
        rows = 1
        for n in xs[:-1]:
            rows *= n
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{xs[-1]} and "
                           f"{ws[1]}x{ws[0]})")
    if bias is not None and bias._data.dtype is not input._data.dtype and \
            bias.dtype is not input.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{input.dtype} != {bias.dtype}")


def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` (``torch.nn.functional.linear``)."""
    x = input
    if (x.__class__ is not Tensor or x._data.ndim != 2 or weight._data.ndim != 2
            or x._data.dtype is not weight._data.dtype or x._device is not weight._device
            or x._data.shape[1] != weight._data.shape[1]):
        _check(x, weight, bias)
        if weight._data.ndim != 2 or x._data.ndim == 0:
            out = x @ weight.T if weight._data.ndim == 2 else x @ weight
            return out if bias is None else out + bias
        lead = x._data.shape[:-1]
        out = linear(x.reshape(-1, x._data.shape[-1]), weight, bias)
        return out.reshape(*lead, weight._data.shape[0])
    if bias is None:
        return Mm.apply(x, weight)
    if bias._data.dtype is not x._data.dtype or bias._data.ndim != 1:
        _check(x, weight, bias)
        return Mm.apply(x, weight) + bias
    return Addmm.apply(x, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    """``y_k = x1 @ weight[k] @ x2 + bias_k`` over the last dimension."""
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got "
                           f"{list(input1.shape[:-1])} and {list(input2.shape[:-1])}")
    if input1.shape[-1] != weight.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{input1.shape[-1]} but expected {weight.shape[1]}")
    if input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{input2.shape[-1]} but expected {weight.shape[2]}")
    lead = input1.shape[:-1]
    x1 = input1.reshape(-1, input1.shape[-1])
    x2 = input2.reshape(-1, input2.shape[-1])
    out_features, in1, in2 = weight.shape
    # (n, in1) @ (in1, out * in2) -> (n, out, in2), then contract in2 with x2
    t = (x1 @ weight.permute(1, 0, 2).reshape(in1, out_features * in2)).reshape(
        -1, out_features, in2)
    out = (t * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        out = out + bias
    return out.reshape(*lead, out_features)

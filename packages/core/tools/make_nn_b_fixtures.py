"""Write tests/fixtures/nn_b/: PyTorch's forward and backward results for the second half of
ember.nn (convolution, pooling, padding, resampling, recurrent, attention, transformer).

Run with torch installed: python packages/core/tools/make_nn_b_fixtures.py

``cases.json`` lists the cases: a module (constructor arguments, state_dict keys, repr, forward
arguments) or a functional (positional and keyword arguments). Arguments refer to arrays as
``{"tensor": name}`` (``{"packed": name}`` for a PackedSequence, ``{"tuple": [...]}`` for a
tuple). ``arrays.npz`` holds ``<case>/t/<name>`` arguments, ``<case>/sd/<key>`` the state_dict,
``<case>/out<i>`` the outputs (nested tuples flattened, a PackedSequence as its data; absent
when None), ``<case>/gout<i>`` upstream gradients of the floating outputs, and
``<case>/grad/<name>`` the gradients of the arguments marked ``grad`` and of the parameters
(``<case>/grad/p/<param>``). Everything is float64 unless a case says otherwise.
"""

import json
import pathlib
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence

OUT = pathlib.Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "nn_b"
RNG = np.random.default_rng(2024)
CASES = []
ARRAYS = {}


def randn(*shape, scale=1.0, dtype=np.float64):
    return (RNG.standard_normal(shape) * scale).astype(dtype)


class Arg:
    """An array argument of a case; ``grad`` asks for its gradient."""

    def __init__(self, array, grad=None):
        self.array = np.asarray(array)
        self.grad = self.array.dtype.kind == "f" if grad is None else grad


class Packed:
    def __init__(self, data, lengths, enforce_sorted=False, grad=True):
        self.data, self.lengths = data, lengths
        self.enforce_sorted, self.grad = enforce_sorted, grad


def _encode(value, name, tensors, path):
    """JSON for an argument; arrays go to ``tensors`` under a fresh name."""
    if isinstance(value, (Arg, np.ndarray)):
        arg = value if isinstance(value, Arg) else Arg(value)
        key = f"a{len(tensors)}"
        tensors[key] = arg
        return {"tensor": key}
    if isinstance(value, Packed):
        key = f"p{len(tensors)}"
        tensors[key] = value
        return {"packed": key}
    if isinstance(value, tuple):
        return {"tuple": [_encode(v, name, tensors, path) for v in value]}
    if isinstance(value, list):
        return [_encode(v, name, tensors, path) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v, name, tensors, f"{path}.{k}") for k, v in value.items()}
    return value


def _to_torch(value, tensors, leaves):
    if isinstance(value, dict) and "tensor" in value:
        arg = tensors[value["tensor"]]
        t = torch.tensor(arg.array)
        if arg.grad:
            t.requires_grad_(True)
            leaves[value["tensor"]] = t
        return t
    if isinstance(value, dict) and "packed" in value:
        p = tensors[value["packed"]]
        data = torch.tensor(p.data, requires_grad=p.grad)
        if p.grad:
            leaves[value["packed"]] = data
        return pack_padded_sequence(data, torch.tensor(p.lengths), enforce_sorted=p.enforce_sorted)
    if isinstance(value, dict) and "tuple" in value:
        return tuple(_to_torch(v, tensors, leaves) for v in value["tuple"])
    if isinstance(value, list):
        return [_to_torch(v, tensors, leaves) for v in value]
    if isinstance(value, dict):
        return {k: _to_torch(v, tensors, leaves) for k, v in value.items()}
    return value


def _flatten(out):
    if isinstance(out, nn.utils.rnn.PackedSequence):
        return [out.data]
    if isinstance(out, (tuple, list)):
        return [x for o in out for x in _flatten(o)]
    return [out]


def case(name, target, args=(), kwargs=None, *, kind="functional", ctor=(), ctor_kwargs=None,
         train=False, tol=None, dtype="float64", grads=True):
    """One fixture: ``target(*args, **kwargs)`` (functional) or ``target(*ctor)(*args)``."""
    assert all(c["name"] != name for c in CASES), name
    tensors = {}
    enc_args = _encode(list(args), name, tensors, "args")
    enc_kwargs = _encode(dict(kwargs or {}), name, tensors, "kwargs")
    entry = dict(name=name, target=target, kind=kind, args=enc_args, kwargs=enc_kwargs,
                 ctor=list(ctor), ctor_kwargs=ctor_kwargs or {}, train=train, tol=tol,
                 dtype=dtype, grads=grads)
    leaves = {}
    targs = _to_torch(enc_args, tensors, leaves)
    tkwargs = _to_torch(enc_kwargs, tensors, leaves)
    torch.manual_seed(len(CASES))
    params = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "module":
            mod = getattr(nn, target)(*ctor, **(ctor_kwargs or {}))
            mod = mod.double() if dtype == "float64" else mod.float()
            mod.train(train)
            entry["repr"] = repr(mod)
            entry["state_dict_keys"] = list(mod.state_dict().keys())
            for k, v in mod.state_dict().items():
                ARRAYS[f"{name}/sd/{k}"] = v.detach().numpy().copy()
            params = dict(mod.named_parameters())
            out = mod(*targs, **tkwargs)
        else:
            out = getattr(F, target)(*targs, **tkwargs)
    for key, arg in tensors.items():
        if isinstance(arg, Packed):
            ARRAYS[f"{name}/t/{key}/data"] = np.asarray(arg.data)
            ARRAYS[f"{name}/t/{key}/lengths"] = np.asarray(arg.lengths, np.int64)
            entry.setdefault("packed", {})[key] = {"enforce_sorted": arg.enforce_sorted,
                                                   "grad": arg.grad}
        else:
            ARRAYS[f"{name}/t/{key}"] = arg.array
            entry.setdefault("grad_args", {})[key] = bool(arg.grad)
    flat = _flatten(out)
    entry["n_out"] = len(flat)
    total = 0
    for i, o in enumerate(flat):
        if o is None:
            continue
        ARRAYS[f"{name}/out{i}"] = o.detach().numpy().copy()
        if o.is_floating_point() and grads and o.requires_grad:
            g = randn(*o.shape).astype(ARRAYS[f"{name}/out{i}"].dtype)
            ARRAYS[f"{name}/gout{i}"] = g
            total = total + (o * torch.tensor(g)).sum()
    if grads and not isinstance(total, int):
        targets = list(leaves.values()) + list(params.values())
        names = list(leaves) + [f"p/{k}" for k in params]
        gs = torch.autograd.grad(total, targets, allow_unused=True)
        for n, g in zip(names, gs, strict=True):
            if g is not None:
                ARRAYS[f"{name}/grad/{n}"] = g.numpy().copy()
    CASES.append(entry)


def module(name, target, ctor=(), args=(), kwargs=None, **kw):
    case(name, target, args, kwargs, kind="module", ctor=ctor, **kw)


# -- convolution ---------------------------------------------------------------------------
case("conv1d", "conv1d", [randn(2, 4, 9), randn(6, 2, 3), randn(6)],
     dict(stride=2, padding=1, dilation=2, groups=2))
case("conv1d_same", "conv1d", [randn(2, 3, 8), randn(4, 3, 4)], dict(padding="same"))
case("conv2d", "conv2d", [randn(2, 3, 7, 6), randn(5, 3, 3, 3), randn(5)], dict(padding=1))
case("conv2d_strided", "conv2d", [randn(2, 4, 9, 8), randn(6, 2, 3, 2), randn(6)],
     dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2))
case("conv2d_same_even", "conv2d", [randn(1, 2, 6, 7), randn(3, 2, 2, 4)],
     dict(padding="same", dilation=(2, 1)))
case("conv2d_valid", "conv2d", [randn(2, 2, 6, 6), randn(3, 2, 3, 3)], dict(padding="valid"))
case("conv2d_unbatched", "conv2d", [randn(3, 6, 6), randn(4, 3, 3, 3), randn(4)],
     dict(stride=2))
case("conv2d_1x1", "conv2d", [randn(2, 6, 5, 5), randn(4, 6, 1, 1)], dict(stride=2))
case("conv2d_depthwise", "conv2d", [randn(2, 4, 6, 6), randn(8, 1, 3, 3)],
     dict(padding=1, groups=4))
case("conv2d_wide", "conv2d", [randn(2, 8, 7, 7), randn(3, 8, 3, 3), randn(3)],
     dict(padding=2, dilation=2))
case("conv2d_float32", "conv2d", [randn(4, 3, 10, 10, dtype=np.float32),
                                  randn(16, 3, 3, 3, dtype=np.float32),
                                  randn(16, dtype=np.float32)], dict(padding=1),
     tol={"rtol": 1e-4, "atol": 1e-4}, dtype="float32")
case("conv3d", "conv3d", [randn(1, 2, 5, 4, 5), randn(4, 2, 2, 3, 2), randn(4)],
     dict(stride=(1, 2, 1), padding=1))
case("conv_transpose1d", "conv_transpose1d", [randn(2, 4, 5), randn(4, 3, 3), randn(3)],
     dict(stride=2, padding=1, output_padding=1))
case("conv_transpose2d", "conv_transpose2d", [randn(2, 4, 4, 3), randn(4, 3, 3, 2), randn(6)],
     dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2), groups=2, dilation=(1, 2)))
case("conv_transpose2d_unbatched", "conv_transpose2d", [randn(2, 3, 3), randn(2, 3, 2, 2)],
     dict(stride=2))
case("conv_transpose3d", "conv_transpose3d", [randn(1, 2, 3, 2, 3), randn(2, 2, 2, 2, 2)],
     dict(stride=2, padding=1))
module("Conv2d_reflect", "Conv2d", (3, 4, 3), [randn(2, 3, 6, 5)],
       ctor_kwargs=dict(padding=1, padding_mode="reflect"))
module("Conv2d_replicate", "Conv2d", (2, 4, (2, 3)), [randn(2, 2, 5, 5)],
       ctor_kwargs=dict(padding=(1, 2), padding_mode="replicate", bias=False))
module("Conv2d_circular_same", "Conv2d", (2, 3, 4), [randn(2, 2, 6, 6)],
       ctor_kwargs=dict(padding="same", padding_mode="circular", dilation=1))
module("Conv1d_circular", "Conv1d", (2, 4, 3), [randn(3, 2, 7)],
       ctor_kwargs=dict(padding=2, padding_mode="circular", stride=2))
module("Conv3d", "Conv3d", (2, 4, 3), [randn(2, 2, 4, 5, 4)],
       ctor_kwargs=dict(padding=(1, 0, 1), groups=2))
module("ConvTranspose2d_output_size", "ConvTranspose2d", (3, 2, 3), [randn(2, 3, 4, 4)],
       dict(output_size=(8, 7)), ctor_kwargs=dict(stride=2, padding=1))
module("ConvTranspose1d", "ConvTranspose1d", (2, 4, 3), [randn(2, 2, 5)],
       ctor_kwargs=dict(stride=3, output_padding=2, groups=2, bias=False))

# -- pooling -------------------------------------------------------------------------------
x4 = randn(2, 3, 7, 6)
case("max_pool2d", "max_pool2d", [randn(2, 3, 8, 6)], dict(kernel_size=2))
case("max_pool2d_ceil", "max_pool2d", [x4], dict(kernel_size=3, stride=2, padding=1,
                                                 ceil_mode=True, return_indices=True))
case("max_pool2d_dilation", "max_pool2d", [x4], dict(kernel_size=(2, 3), stride=1, padding=1,
                                                     dilation=(2, 1), return_indices=True))
case("max_pool2d_unbatched", "max_pool2d", [randn(3, 5, 5)], dict(kernel_size=2,
                                                                  return_indices=True))
case("max_pool1d", "max_pool1d", [randn(2, 3, 9)], dict(kernel_size=3, stride=2, padding=1,
                                                        return_indices=True, ceil_mode=True))
case("max_pool3d", "max_pool3d", [randn(1, 2, 5, 4, 5)], dict(kernel_size=2, stride=(1, 2, 2),
                                                              return_indices=True))
ties = np.maximum(randn(2, 2, 6, 6), 0.0)
case("max_pool2d_ties", "max_pool2d", [ties], dict(kernel_size=2, return_indices=True))
case("max_pool2d_float32", "max_pool2d", [randn(4, 3, 8, 8, dtype=np.float32)],
     dict(kernel_size=2, return_indices=True), dtype="float32",
     tol={"rtol": 1e-6, "atol": 1e-6})
case("avg_pool2d", "avg_pool2d", [x4], dict(kernel_size=3, stride=2, padding=1, ceil_mode=True))
case("avg_pool2d_no_pad_count", "avg_pool2d", [x4], dict(kernel_size=3, stride=2, padding=1,
                                                         ceil_mode=True,
                                                         count_include_pad=False))
case("avg_pool2d_divisor", "avg_pool2d", [x4], dict(kernel_size=(2, 3), divisor_override=5))
case("avg_pool1d", "avg_pool1d", [randn(2, 3, 9)], dict(kernel_size=4, stride=3, padding=2))
case("avg_pool3d", "avg_pool3d", [randn(1, 2, 5, 4, 5)], dict(kernel_size=2, stride=(2, 1, 2),
                                                              padding=1, ceil_mode=True))
case("adaptive_avg_pool2d", "adaptive_avg_pool2d", [x4], dict(output_size=(4, 4)))
case("adaptive_avg_pool2d_none", "adaptive_avg_pool2d", [x4], dict(output_size=(3, None)))
case("adaptive_avg_pool1d", "adaptive_avg_pool1d", [randn(2, 3, 10)], dict(output_size=4))
case("adaptive_avg_pool3d", "adaptive_avg_pool3d", [randn(1, 2, 5, 4, 6)],
     dict(output_size=(2, 3, 4)))
case("adaptive_max_pool2d", "adaptive_max_pool2d", [x4], dict(output_size=(4, 5),
                                                              return_indices=True))
case("adaptive_max_pool1d", "adaptive_max_pool1d", [randn(2, 3, 10)],
     dict(output_size=3, return_indices=True))
vals, idx = F.max_pool2d(torch.tensor(x4), 2, return_indices=True)
case("max_unpool2d", "max_unpool2d", [vals.numpy(), Arg(idx.numpy())],
     dict(kernel_size=2, output_size=(7, 6)))
vals1, idx1 = F.max_pool1d(torch.tensor(randn(2, 3, 9)), 3, 2, return_indices=True)
case("max_unpool1d", "max_unpool1d", [vals1.numpy(), Arg(idx1.numpy())],
     dict(kernel_size=3, stride=2))
case("lp_pool2d", "lp_pool2d", [np.abs(x4) + 0.1, 2.0, 2], {})
case("lp_pool1d", "lp_pool1d", [np.abs(randn(2, 3, 8)) + 0.1, 3.0, 3], dict(stride=2))
module("MaxPool2d", "MaxPool2d", (3, 2, 1), [x4], ctor_kwargs=dict(return_indices=True,
                                                                   ceil_mode=True))
module("AvgPool2d", "AvgPool2d", (2,), [x4], ctor_kwargs=dict(ceil_mode=True))
module("AdaptiveAvgPool2d", "AdaptiveAvgPool2d", ((5, 3),), [x4])
module("AdaptiveMaxPool2d", "AdaptiveMaxPool2d", (3,), [x4])
module("MaxUnpool2d", "MaxUnpool2d", (2,), [vals.numpy(), Arg(idx.numpy())])
module("LPPool2d", "LPPool2d", (2, 3), [np.abs(x4) + 0.1], ctor_kwargs=dict(stride=2))

# -- padding -------------------------------------------------------------------------------
xp = randn(2, 3, 5, 6)
for mode in ("constant", "reflect", "replicate", "circular"):
    case(f"pad_{mode}", "pad", [xp, (2, 1, 3, 0)], dict(mode=mode))
    case(f"pad_{mode}_negative", "pad", [xp, (-1, 2, 1, -2)], dict(mode=mode))
    case(f"pad_{mode}_1d", "pad", [randn(2, 3, 5), (3, 1)], dict(mode=mode))
    case(f"pad_{mode}_3d", "pad", [randn(1, 2, 3, 4, 4), (1, 1, 2, 0, 1, 2)], dict(mode=mode))
case("pad_constant_value", "pad", [xp, (1, 1, 0, 0, 1, 2)], dict(value=2.5))
case("pad_constant_4d_all", "pad", [randn(2, 3, 2), (1, 1, 0, 1, 2, 0)], {})
module("ZeroPad2d", "ZeroPad2d", ((1, 2, 0, 3),), [xp])
module("ConstantPad1d", "ConstantPad1d", (2, -1.5), [randn(2, 3, 4)])
module("ConstantPad3d", "ConstantPad3d", ((1, 0, 2, 1, 0, 1), 0.5), [randn(1, 2, 2, 3, 3)])
module("ReflectionPad1d", "ReflectionPad1d", ((3, 1),), [randn(2, 3, 5)])
module("ReflectionPad2d", "ReflectionPad2d", (2,), [xp])
module("ReplicationPad1d", "ReplicationPad1d", ((1, 4),), [randn(2, 3, 4)])
module("ReplicationPad2d", "ReplicationPad2d", ((1, 0, 2, 3),), [xp])
module("ReplicationPad3d", "ReplicationPad3d", (1,), [randn(1, 2, 3, 3, 2)])
module("CircularPad2d", "CircularPad2d", ((1, 2, 2, 1),), [xp])

# -- resampling and rearrangement -------------------------------------------------------------
xs = randn(2, 3, 5, 4)
for mode, align in (("nearest", None), ("nearest-exact", None), ("bilinear", False),
                    ("bilinear", True), ("bicubic", False), ("bicubic", True), ("area", None)):
    tag = f"{mode}_{'ac' if align else 'noac'}"
    case(f"interpolate_{tag}_scale", "interpolate", [xs],
         dict(scale_factor=1.7, mode=mode, align_corners=align))
    case(f"interpolate_{tag}_size", "interpolate", [xs],
         dict(size=(3, 7), mode=mode, align_corners=align))
    case(f"interpolate_{tag}_recompute", "interpolate", [xs],
         dict(scale_factor=(0.6, 2.5), mode=mode, align_corners=align,
              recompute_scale_factor=True))
case("interpolate_linear", "interpolate", [randn(2, 3, 6)], dict(scale_factor=2.5,
                                                                 mode="linear"))
case("interpolate_linear_ac", "interpolate", [randn(2, 3, 6)], dict(size=4, mode="linear",
                                                                    align_corners=True))
case("interpolate_trilinear", "interpolate", [randn(1, 2, 3, 4, 3)],
     dict(size=(5, 3, 4), mode="trilinear"))
case("interpolate_nearest_3d", "interpolate", [randn(1, 2, 3, 4, 3)],
     dict(scale_factor=2, mode="nearest"))
case("interpolate_nearest_1d", "interpolate", [randn(2, 3, 7)], dict(size=10))
grid = RNG.uniform(-1.2, 1.2, (2, 4, 3, 2))
for mode in ("bilinear", "nearest", "bicubic"):
    for pm in ("zeros", "border", "reflection"):
        for align in (False, True):
            case(f"grid_sample_{mode}_{pm}_{int(align)}", "grid_sample",
                 [xs, Arg(grid, grad=mode != "nearest")],
                 dict(mode=mode, padding_mode=pm, align_corners=align))
case("affine_grid", "affine_grid", [randn(2, 2, 3), (2, 3, 4, 5)], dict(align_corners=False))
case("affine_grid_ac", "affine_grid", [randn(2, 2, 3), (2, 1, 3, 3)], dict(align_corners=True))
case("affine_grid_3d", "affine_grid", [randn(1, 3, 4), (1, 2, 2, 3, 4)],
     dict(align_corners=False))
case("pixel_shuffle", "pixel_shuffle", [randn(2, 8, 3, 2), 2])
case("pixel_shuffle_5d", "pixel_shuffle", [randn(2, 1, 9, 2, 2), 3])
case("pixel_unshuffle", "pixel_unshuffle", [randn(2, 2, 4, 6), 2])
case("channel_shuffle", "channel_shuffle", [randn(2, 6, 3, 2), 3])
case("unfold", "unfold", [xs, (2, 3)], dict(dilation=(2, 1), padding=1, stride=(2, 1)))
case("unfold_unbatched", "unfold", [randn(2, 5, 5), 2], {})
case("fold", "fold", [randn(2, 12, 12), (5, 4), (2, 3)], dict(dilation=(2, 1), padding=1,
                                                             stride=(2, 1)))
module("Upsample_nearest", "Upsample", (), [xs], ctor_kwargs=dict(scale_factor=2))
module("Upsample_bilinear", "Upsample", (), [xs],
       ctor_kwargs=dict(size=(4, 6), mode="bilinear", align_corners=True))
module("UpsamplingBilinear2d", "UpsamplingBilinear2d", (), [xs],
       ctor_kwargs=dict(scale_factor=1.5))
module("PixelShuffle", "PixelShuffle", (2,), [randn(2, 8, 3, 2)])
module("PixelUnshuffle", "PixelUnshuffle", (2,), [randn(2, 2, 4, 6)])
module("Unfold", "Unfold", ((2, 2),), [xs], ctor_kwargs=dict(padding=1))
module("Fold", "Fold", ((5, 4), 2), [randn(2, 12, 12)])

# -- recurrent -------------------------------------------------------------------------------
seq = randn(5, 3, 4)
for mode, kw in [("RNN", {}), ("RNN", dict(nonlinearity="relu", bias=False)), ("LSTM", {}),
                 ("GRU", {}), ("LSTM", dict(num_layers=2, bidirectional=True)),
                 ("GRU", dict(num_layers=2, bidirectional=True, batch_first=True)),
                 ("LSTM", dict(proj_size=3, batch_first=True)),
                 ("RNN", dict(num_layers=3))]:
    tag = "_".join(f"{k}{v}" for k, v in kw.items())
    inp = seq.transpose(1, 0, 2).copy() if kw.get("batch_first") else seq
    module(f"{mode}_{tag}".rstrip("_"), mode, (4, 5), [inp], ctor_kwargs=kw)
module("LSTM_hx", "LSTM", (4, 5), [seq, (randn(2, 3, 5), randn(2, 3, 5))],
       ctor_kwargs=dict(num_layers=2))
module("GRU_hx_bidirectional", "GRU", (4, 5), [seq, randn(2, 3, 5)],
       ctor_kwargs=dict(bidirectional=True))
module("LSTM_proj_hx", "LSTM", (4, 6), [seq, (randn(2, 3, 2), randn(2, 3, 6))],
       ctor_kwargs=dict(proj_size=2, bidirectional=True))
module("GRU_unbatched", "GRU", (4, 5), [randn(6, 4), randn(1, 5)])
module("LSTM_unbatched_bf", "LSTM", (4, 5), [randn(6, 4)], ctor_kwargs=dict(batch_first=True))
lengths = [5, 2, 4]
module("LSTM_packed", "LSTM", (4, 5), [Packed(seq, lengths)],
       ctor_kwargs=dict(bidirectional=True, num_layers=2))
module("GRU_packed_hx", "GRU", (4, 5), [Packed(seq, lengths), randn(1, 3, 5)])
module("RNN_packed_sorted", "RNN", (4, 5), [Packed(seq, [5, 4, 2], enforce_sorted=True)],
       ctor_kwargs=dict(bidirectional=True))
module("RNNCell", "RNNCell", (4, 5), [randn(3, 4), randn(3, 5)])
module("RNNCell_relu", "RNNCell", (4, 5), [randn(3, 4)],
       ctor_kwargs=dict(nonlinearity="relu", bias=False))
module("LSTMCell", "LSTMCell", (4, 5), [randn(3, 4), (randn(3, 5), randn(3, 5))])
module("LSTMCell_unbatched", "LSTMCell", (4, 5), [randn(4)])
module("GRUCell", "GRUCell", (4, 5), [randn(3, 4), randn(3, 5)])

# -- attention -----------------------------------------------------------------------------
q, k, v = randn(2, 3, 4, 5), randn(2, 3, 6, 5), randn(2, 3, 6, 5)
keep = RNG.random((4, 6)) > 0.4
keep[1] = False
case("sdpa", "scaled_dot_product_attention", [q, k, v])
case("sdpa_causal", "scaled_dot_product_attention", [q, k, v], dict(is_causal=True))
case("sdpa_bool_mask", "scaled_dot_product_attention", [q, k, v], dict(attn_mask=Arg(keep)))
case("sdpa_float_mask", "scaled_dot_product_attention", [q, k, v],
     dict(attn_mask=Arg(randn(2, 1, 4, 6), grad=False), scale=0.3))
case("sdpa_mask_causal", "scaled_dot_product_attention", [q, k, v],
     dict(attn_mask=Arg(keep), is_causal=True))
case("sdpa_3d", "scaled_dot_product_attention", [randn(3, 4, 5), randn(3, 4, 5),
                                                 randn(3, 4, 7)], dict(is_causal=True))
L, S, N, E = 4, 5, 3, 8
qm, km, vm = randn(L, N, E), randn(S, N, E), randn(S, N, E)
kpm = np.zeros((N, S), bool)
kpm[0, 1] = kpm[2, 0] = kpm[2, 3] = True
amask = randn(L, S)
for tag, ctor_kw, fwd in [
        ("", {}, {}),
        ("_kpm", {}, dict(key_padding_mask=Arg(kpm))),
        ("_float_mask", {}, dict(attn_mask=Arg(amask, grad=False))),
        ("_bool_mask_no_weights", {}, dict(attn_mask=Arg(amask > 0.5), need_weights=False,
                                            key_padding_mask=Arg(kpm))),
        ("_per_head_weights", {}, dict(average_attn_weights=False)),
        ("_bias_kv_zero_attn", dict(add_bias_kv=True, add_zero_attn=True),
         dict(key_padding_mask=Arg(kpm))),
        ("_nobias", dict(bias=False), {})]:
    module(f"MultiheadAttention{tag}", "MultiheadAttention", (E, 2), [qm, km, vm], fwd,
           ctor_kwargs=ctor_kw)
module("MultiheadAttention_kdim_vdim", "MultiheadAttention", (E, 2),
       [qm, randn(S, N, 3), randn(S, N, 6)], ctor_kwargs=dict(kdim=3, vdim=6))
module("MultiheadAttention_batch_first", "MultiheadAttention", (E, 4),
       [randn(N, L, E), randn(N, S, E), randn(N, S, E)],
       dict(attn_mask=Arg(np.triu(np.full((L, S), -np.inf), 1), grad=False)),
       ctor_kwargs=dict(batch_first=True))
module("MultiheadAttention_unbatched", "MultiheadAttention", (E, 2),
       [randn(L, E), randn(S, E), randn(S, E)], dict(key_padding_mask=Arg(kpm[0])))
sa = randn(L, N, E)
module("MultiheadAttention_self_causal", "MultiheadAttention", (E, 2), [sa, sa, sa],
       dict(attn_mask=Arg(np.triu(np.full((L, L), -np.inf), 1), grad=False), is_causal=True,
            need_weights=False))

# -- transformer -----------------------------------------------------------------------------
src, tgt = randn(6, 2, 8), randn(4, 2, 8)
causal = np.triu(np.full((4, 4), -np.inf), 1)
skpm = np.zeros((2, 6), bool)
skpm[1, 4:] = True
for tag, kw in [("", {}), ("_norm_first_gelu", dict(norm_first=True, activation="gelu")),
                ("_batch_first", dict(batch_first=True)), ("_nobias", dict(bias=False))]:
    s = src.transpose(1, 0, 2).copy() if kw.get("batch_first") else src
    t = tgt.transpose(1, 0, 2).copy() if kw.get("batch_first") else tgt
    module(f"TransformerEncoderLayer{tag}", "TransformerEncoderLayer", (8, 2, 16), [s],
           dict(src_key_padding_mask=Arg(skpm)), ctor_kwargs=dict(dropout=0.0, **kw))
    module(f"TransformerDecoderLayer{tag}", "TransformerDecoderLayer", (8, 2, 16), [t, s],
           dict(tgt_mask=Arg(causal, grad=False), memory_key_padding_mask=Arg(skpm)),
           ctor_kwargs=dict(dropout=0.0, **kw))
module("Transformer", "Transformer", (), [src, tgt],
       dict(tgt_mask=Arg(causal, grad=False), src_key_padding_mask=Arg(skpm),
            memory_key_padding_mask=Arg(skpm)),
       ctor_kwargs=dict(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1,
                        dim_feedforward=16, dropout=0.0))
module("Transformer_norm_first", "Transformer", (), [src, tgt],
       dict(tgt_mask=Arg(causal, grad=False)),
       ctor_kwargs=dict(d_model=8, nhead=4, num_encoder_layers=1, num_decoder_layers=2,
                        dim_feedforward=12, dropout=0.0, norm_first=True, activation="gelu"))

# volumetric grid_sample (added after the others, so their arrays keep their values)
x5, grid5 = randn(2, 2, 3, 4, 3), RNG.uniform(-1.2, 1.2, (2, 2, 3, 2, 3))
for mode in ("bilinear", "nearest"):
    for pm in ("zeros", "reflection"):
        case(f"grid_sample_5d_{mode}_{pm}", "grid_sample", [x5, Arg(grid5, grad=mode != "nearest")],
             dict(mode=mode, padding_mode=pm, align_corners=pm == "zeros"))

# antialiased resampling (appended, as above)
xa = randn(2, 2, 9, 7)
for mode in ("bilinear", "bicubic"):
    case(f"interpolate_{mode}_antialias", "interpolate", [xa],
         dict(scale_factor=(0.4, 0.6), mode=mode, antialias=True))
    case(f"interpolate_{mode}_antialias_ac", "interpolate", [xa],
         dict(size=(4, 10), mode=mode, antialias=True, align_corners=True))


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "cases.json").write_text(json.dumps(CASES, indent=1) + "\n")
    np.savez_compressed(OUT / "arrays.npz", **ARRAYS)
    size = (OUT / "arrays.npz").stat().st_size
    print(f"{len(CASES)} cases, {len(ARRAYS)} arrays, {size / 1e3:.0f} kB -> {OUT}")


if __name__ == "__main__":
    main()

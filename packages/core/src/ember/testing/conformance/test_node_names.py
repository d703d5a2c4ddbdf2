"""Autograd node names as PyTorch records them: ``grad_fn.name()``, the node's class name
and the ``grad_fn=<...>`` of a printed tensor (expected names taken from torch 2.13)."""

from __future__ import annotations

import pytest

import ember
from ember.autograd import gradcheck

F = ember.nn.functional

# (id, op on (module, x, y, z) with x, y of shape (2, 3) and z of shape (2, 1, 3), node)
CASES = [
    ("view", lambda m, x, y, z: x.view(6), "ViewBackward0"),
    ("view_same", lambda m, x, y, z: x.view(2, 3), "ViewBackward0"),
    ("view_as", lambda m, x, y, z: x.view_as(y), "ViewBackward0"),
    ("reshape", lambda m, x, y, z: x.reshape(3, 2), "ViewBackward0"),
    ("reshape_same", lambda m, x, y, z: x.reshape(2, 3), "ViewBackward0"),
    ("reshape_copy", lambda m, x, y, z: x.t().reshape(6), "UnsafeViewBackward0"),
    ("flatten", lambda m, x, y, z: x.flatten(), "ViewBackward0"),
    ("flatten_copy", lambda m, x, y, z: x.t().flatten(), "UnsafeViewBackward0"),
    ("unflatten", lambda m, x, y, z: x.unflatten(1, (3, 1)), "ViewBackward0"),
    ("unsqueeze", lambda m, x, y, z: x.unsqueeze(0), "UnsqueezeBackward0"),
    ("squeeze", lambda m, x, y, z: z.squeeze(), "SqueezeBackward0"),
    ("squeeze_dim", lambda m, x, y, z: z.squeeze(1), "SqueezeBackward1"),
    ("squeeze_noop", lambda m, x, y, z: x.squeeze(0), "SqueezeBackward1"),
    ("squeeze_dims", lambda m, x, y, z: z.squeeze((0, 1)), "SqueezeBackward2"),
    ("t", lambda m, x, y, z: x.t(), "TBackward0"),
    ("t_1d", lambda m, x, y, z: x[0].t(), "TBackward0"),
    ("transpose", lambda m, x, y, z: x.transpose(0, 1), "TransposeBackward0"),
    ("swapaxes", lambda m, x, y, z: x.swapaxes(0, 1), "TransposeBackward0"),
    ("mT", lambda m, x, y, z: x.mT, "TransposeBackward0"),
    ("permute", lambda m, x, y, z: x.permute(1, 0), "PermuteBackward0"),
    ("movedim", lambda m, x, y, z: x.movedim(0, 1), "PermuteBackward0"),
    ("slice", lambda m, x, y, z: x[:, 1:], "SliceBackward0"),
    ("slice_all", lambda m, x, y, z: x[:], "SliceBackward0"),
    ("slice_step", lambda m, x, y, z: x[:, ::2], "SliceBackward0"),
    ("select_slice", lambda m, x, y, z: x[0, 1:], "SliceBackward0"),
    ("select", lambda m, x, y, z: x[0], "SelectBackward0"),
    ("select_last", lambda m, x, y, z: x[1:, 0], "SelectBackward0"),
    ("select_full_slice", lambda m, x, y, z: x[0, :], "SelectBackward0"),
    ("ellipsis_select", lambda m, x, y, z: x[..., 0], "SelectBackward0"),
    ("select_method", lambda m, x, y, z: x.select(1, 0), "SelectBackward0"),
    ("none", lambda m, x, y, z: x[None], "UnsqueezeBackward0"),
    ("select_none", lambda m, x, y, z: x[0, None], "UnsqueezeBackward0"),
    ("alias", lambda m, x, y, z: x[:, :], "AliasBackward0"),
    ("advanced", lambda m, x, y, z: x[m.tensor([0, 1])], "IndexBackward0"),
    ("narrow", lambda m, x, y, z: x.narrow(1, 0, 2), "SliceBackward0"),
    ("split", lambda m, x, y, z: x.split(1)[0], "SplitBackward0"),
    ("split_sizes", lambda m, x, y, z: x.split([1, 2], 1)[1], "SplitWithSizesBackward0"),
    ("chunk", lambda m, x, y, z: x.chunk(2, 1)[0], "SplitBackward0"),
    ("unbind", lambda m, x, y, z: x.unbind(1)[2], "UnbindBackward0"),
    ("stack", lambda m, x, y, z: m.stack([x, y]), "StackBackward0"),
    ("stack_dim", lambda m, x, y, z: m.stack([x, y], 1), "StackBackward0"),
    ("cat", lambda m, x, y, z: m.cat([x, y]), "CatBackward0"),
    ("flip", lambda m, x, y, z: x.flip(0), "FlipBackward0"),
    ("fliplr", lambda m, x, y, z: x.fliplr(), "FlipBackward0"),
    ("repeat", lambda m, x, y, z: x.repeat(2, 1), "RepeatBackward0"),
    ("tile", lambda m, x, y, z: x.tile((2,)), "RepeatBackward0"),
    ("expand", lambda m, x, y, z: x[:1].expand(4, 3), "ExpandBackward0"),
    ("sum", lambda m, x, y, z: x.sum(), "SumBackward0"),
    ("sum_dim", lambda m, x, y, z: x.sum(0), "SumBackward1"),
    ("sum_dims", lambda m, x, y, z: x.sum((0, 1)), "SumBackward1"),
    ("sum_keepdim", lambda m, x, y, z: x.sum(0, keepdim=True), "SumBackward1"),
    ("mean", lambda m, x, y, z: x.mean(), "MeanBackward0"),
    ("mean_dim", lambda m, x, y, z: x.mean(1), "MeanBackward1"),
    ("max", lambda m, x, y, z: x.max(), "MaxBackward1"),
    ("max_dim", lambda m, x, y, z: x.max(0)[0], "MaxBackward0"),
    ("max_dim_keepdim", lambda m, x, y, z: x.max(1, keepdim=True).values, "MaxBackward0"),
    ("min", lambda m, x, y, z: x.min(), "MinBackward1"),
    ("min_dim", lambda m, x, y, z: x.min(0)[0], "MinBackward0"),
    ("amax", lambda m, x, y, z: x.amax(0), "AmaxBackward0"),
    ("amax_all", lambda m, x, y, z: x.amax(), "AmaxBackward0"),
    ("amin", lambda m, x, y, z: x.amin(0), "AminBackward0"),
    ("logsumexp", lambda m, x, y, z: x.logsumexp(0), "LogsumexpBackward0"),
    ("maximum", lambda m, x, y, z: m.maximum(x, y), "MaximumBackward0"),
    ("minimum", lambda m, x, y, z: m.minimum(x, y), "MinimumBackward0"),
    ("max_binary", lambda m, x, y, z: m.max(x, y), "MaximumBackward0"),
    ("mm", lambda m, x, y, z: m.mm(x, y.t()), "MmBackward0"),
    ("matmul", lambda m, x, y, z: x @ y.t(), "MmBackward0"),
    ("matmul_mv", lambda m, x, y, z: x @ y[0], "MvBackward0"),
    ("matmul_dot", lambda m, x, y, z: x[0] @ y[0], "DotBackward0"),
    ("matmul_batched", lambda m, x, y, z: x[None] @ y.t()[None], "UnsafeViewBackward0"),
    ("bmm", lambda m, x, y, z: m.bmm(x[None], y.t()[None]), "BmmBackward0"),
    ("mv", lambda m, x, y, z: m.mv(x, y[0]), "MvBackward0"),
    ("dot", lambda m, x, y, z: m.dot(x[0], y[0]), "DotBackward0"),
    ("pow", lambda m, x, y, z: x ** 2, "PowBackward0"),
    ("pow_scalar", lambda m, x, y, z: x.pow(3), "PowBackward0"),
    ("pow_tensor", lambda m, x, y, z: x ** y, "PowBackward1"),
    ("rpow", lambda m, x, y, z: 2 ** x, "PowBackward2"),
    ("square", lambda m, x, y, z: x.square(), "PowBackward0"),
    ("clamp", lambda m, x, y, z: x.clamp(0, 1), "ClampBackward1"),
    ("clamp_min_kw", lambda m, x, y, z: x.clamp(min=0), "ClampBackward1"),
    ("clip", lambda m, x, y, z: x.clip(0, 1), "ClampBackward1"),
    ("clamp_min", lambda m, x, y, z: x.clamp_min(0.0), "ClampMinBackward0"),
    ("clamp_max", lambda m, x, y, z: x.clamp_max(0.0), "ClampMaxBackward0"),
    ("double", lambda m, x, y, z: x.double(), "ToCopyBackward0"),
    ("to_dtype", lambda m, x, y, z: x.to(m.float64), "ToCopyBackward0"),
    ("masked_fill", lambda m, x, y, z: x.masked_fill(x > 1, 0.0), "MaskedFillBackward0"),
    ("masked_fill_tensor", lambda m, x, y, z: x.masked_fill(x > 1, m.tensor(0.0)),
     "MaskedFillBackward1"),
    ("rsub_scalar", lambda m, x, y, z: 1 - x, "RsubBackward1"),
    ("rsub", lambda m, x, y, z: m.rsub(x, y), "RsubBackward0"),
    ("sub", lambda m, x, y, z: x - y, "SubBackward0"),
    ("silu", lambda m, x, y, z: m.nn.functional.silu(x), "SiluBackward0"),
    ("hardtanh", lambda m, x, y, z: m.nn.functional.hardtanh(x), "HardtanhBackward0"),
    ("relu6", lambda m, x, y, z: m.nn.functional.relu6(x), "HardtanhBackward0"),
    ("mse_loss", lambda m, x, y, z: m.nn.functional.mse_loss(x, y), "MseLossBackward0"),
    ("mse_loss_sum", lambda m, x, y, z: m.nn.functional.mse_loss(x, y, reduction="sum"),
     "MseLossBackward0"),
    ("mse_loss_none", lambda m, x, y, z: m.nn.functional.mse_loss(x, y, reduction="none"),
     "MseLossBackward0"),
]


def _inputs(m, device=None):
    kw = {} if device is None else {"device": device}
    x = m.ones(2, 3, requires_grad=True, **kw) * 1.5
    y = m.ones(2, 3, requires_grad=True, **kw)
    z = m.ones(2, 1, 3, requires_grad=True, **kw) * 1.0
    return x, y, z


@pytest.mark.parametrize("op,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_node_name(device, op, expected):
    out = op(ember, *_inputs(ember, device))
    assert out.grad_fn.name() == expected
    assert type(out.grad_fn).__name__ == expected


def test_printed_grad_fn(device):
    x = _inputs(ember, device)[0]
    assert repr(x.view(6)).endswith("grad_fn=<ViewBackward0>)")
    assert repr(x[0]).endswith("grad_fn=<SelectBackward0>)")


def test_subclass_of_internal_function_keeps_suffix():
    from ember.autograd.function import Function

    class _Base(Function):
        _internal = True

    class _Derived(_Base):
        pass

    class _Named(_Base):
        _node_name = "SomeBackward3"

    assert _Derived._backward_cls.__name__ == "_DerivedBackward0"
    assert _Named._backward_cls.__name__ == "SomeBackward3"

    class _Custom(Function):  # a user's Function: no suffix number, as PyTorch
        pass

    assert _Custom._backward_cls.__name__ == "_CustomBackward"


def _f64(device, *shape):
    g = ember.Generator().manual_seed(0)
    return ember.randn(*shape, generator=g, dtype=ember.float64).to(device).requires_grad_()


@pytest.mark.parametrize("op", [
    lambda a, b: ember.stack([a, b], 1),
    lambda a, b: a.flip((0, 1)),
    lambda a, b: a.max(1)[0] + a.min(0, keepdim=True)[0].sum(),
    lambda a, b: ember.mv(a, b[0]),
    lambda a, b: ember.dot(a[0], b[1]),
    lambda a, b: a @ b.t(),
    lambda a, b: F.silu(a),
    lambda a, b: F.hardtanh(a * 2, -1.0, 0.5),
    lambda a, b: F.mse_loss(a, b) + F.mse_loss(a, b, reduction="none").sum(),
    lambda a, b: a.split([1, 2], 1)[1] + a.unbind(1)[0][:, None],
    lambda a, b: a.masked_fill(a > 0, 2.0),
], ids=["stack", "flip", "max_min_dim", "mv", "dot", "mm", "silu", "hardtanh", "mse_loss",
        "split_unbind", "masked_fill"])
def test_single_node_gradients(device, op):
    a, b = _f64(device, 2, 3), _f64(device, 2, 3)
    assert gradcheck(op, (a, b))

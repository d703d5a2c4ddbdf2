"""Autograd as in PyTorch: backward and grad options, modes, hooks, custom Functions,
accumulation, version counters and the errors PyTorch raises."""

from __future__ import annotations

import pytest

import ember
from ember.testing import assert_close


@pytest.fixture(autouse=True)
def _restore_grad_mode():
    yield
    ember.set_grad_enabled(True)


def _leaf(values, device, dtype=ember.float64):
    return ember.tensor(values, dtype=dtype, device=device, requires_grad=True)


def _close(t, values):
    assert_close(t, ember.tensor(values, dtype=t.dtype, device=t.device))


def test_leaf_state(device):
    x = _leaf([1.0, 2.0], device)
    assert x.requires_grad and x.is_leaf and x.grad_fn is None and x.grad is None
    y = x * 2
    assert y.requires_grad and not y.is_leaf and y.grad_fn is not None
    assert y.grad_fn.name() == "MulBackward0"
    z = ember.ones(2, device=device)
    assert not z.requires_grad and z.is_leaf
    assert z.requires_grad_() is z and z.requires_grad
    assert not (z.detach() * 2).requires_grad


def test_cube_gives_three_squares(device):
    a = _leaf([1.0, -2.0, 3.0], device)
    (a ** 3).sum().backward()
    _close(a.grad, [3.0, 12.0, 27.0])


def test_backward_with_gradient(device):
    x = _leaf([1.0, 2.0, 3.0], device)
    y = x * x
    y.backward(ember.tensor([1.0, 0.5, 0.0], dtype=ember.float64, device=device))
    _close(x.grad, [2.0, 2.0, 0.0])
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar "
                                           "outputs"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2).backward(ember.ones(2, dtype=ember.float64, device=device))


def test_retain_graph_and_second_backward(device):
    x = _leaf([1.0, 2.0], device)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.clone()
    y.backward()
    _close(x.grad, (first * 2).tolist())
    z = (x.exp() * x).sum()
    z.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        z.backward()


def test_gradient_accumulation_and_zeroing(device):
    x = _leaf([1.0, 2.0], device)
    for _ in range(3):
        (x * 2).sum().backward()
    _close(x.grad, [6.0, 6.0])
    x.grad = None
    (x * x).sum().backward()
    _close(x.grad, [2.0, 4.0])
    x.grad.zero_()
    (x * 3).sum().backward()
    _close(x.grad, [3.0, 3.0])


def test_broadcast_gradients_are_reduced(device):
    a = _leaf([[1.0], [2.0]], device)           # (2, 1)
    b = _leaf([10.0, 20.0, 30.0], device)       # (3,)
    c = _leaf(5.0, device)                      # ()
    ((a * b + c) ** 2).sum().backward()
    assert a.grad.shape == (2, 1) and b.grad.shape == (3,) and c.grad.shape == ()
    full_a = ember.tensor([[1.0] * 3, [2.0] * 3], dtype=ember.float64, device=device)
    full_b = ember.tensor([[10.0, 20.0, 30.0]] * 2, dtype=ember.float64, device=device)
    inner = 2 * (full_a * full_b + 5.0)
    _close(a.grad, (inner * full_b).sum(1, keepdim=True).tolist())
    _close(b.grad, (inner * full_a).sum(0).tolist())
    assert abs(c.grad.item() - inner.sum().item()) < 1e-9


def test_backward_inputs(device):
    x, y = _leaf([1.0, 2.0], device), _leaf([3.0, 4.0], device)
    (x * y).sum().backward(inputs=[x])
    _close(x.grad, [3.0, 4.0])
    assert y.grad is None
    (x * y).sum().backward(inputs=y)
    _close(y.grad, [1.0, 2.0])
    _close(x.grad, [3.0, 4.0])


def test_autograd_grad(device):
    x, y = _leaf([1.0, 2.0], device), _leaf([3.0, 4.0], device)
    out = (x * x * y).sum()
    gx, gy = ember.autograd.grad(out, (x, y), retain_graph=True)
    _close(gx, [6.0, 16.0])
    _close(gy, [1.0, 4.0])
    assert x.grad is None and y.grad is None  # grad() returns, it does not accumulate
    unused = _leaf([1.0], device)
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        ember.autograd.grad(out, (x, unused), retain_graph=True)
    gx, gu = ember.autograd.grad(out, (x, unused), allow_unused=True, retain_graph=True)
    assert gu is None
    (g,) = ember.autograd.grad(out, x, grad_outputs=ember.tensor(2.0, dtype=ember.float64,
                                                                 device=device))
    _close(g, [12.0, 32.0])


def test_higher_order_gradients(device):
    x = _leaf([1.0, 2.0], device)
    y = (x ** 3).sum()
    (g,) = ember.autograd.grad(y, x, create_graph=True)
    assert g.requires_grad
    _close(g, [3.0, 12.0])
    (gg,) = ember.autograd.grad(g.sum(), x, create_graph=True)
    _close(gg, [6.0, 12.0])
    (ggg,) = ember.autograd.grad(gg.sum(), x)
    _close(ggg, [6.0, 6.0])
    z = _leaf([0.5], device)
    w = (z.sin() * z).sum()
    w.backward(create_graph=True)
    gz = z.grad.clone()
    z.grad = None
    gz.sum().backward()
    expected = 2 * ember.cos(ember.tensor(0.5, dtype=ember.float64)) - 0.5 * ember.sin(
        ember.tensor(0.5, dtype=ember.float64))
    assert abs(z.grad.item() - expected.item()) < 1e-9
    assert ember.autograd.gradgradcheck(lambda t: (t.tanh() * t).sum(), (_leaf([0.3, -0.7],
                                                                                device),))


def test_grad_modes(device):
    x = _leaf([1.0], device)
    with ember.no_grad():
        assert not ember.is_grad_enabled()
        assert not (x * 2).requires_grad
        with ember.enable_grad():
            assert (x * 2).requires_grad
    assert ember.is_grad_enabled()
    with ember.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert ember.is_grad_enabled()
    ember.set_grad_enabled(False)
    assert not ember.is_grad_enabled()
    ember.set_grad_enabled(True)
    with ember.inference_mode():
        assert ember.is_inference_mode_enabled() and not (x * 2).requires_grad
    assert not ember.is_inference_mode_enabled()
    with ember.inference_mode(False):
        assert (x * 2).requires_grad

    @ember.no_grad()
    def f(t):
        return t * 2

    @ember.no_grad
    def g(t):
        return t * 2

    @ember.enable_grad()
    def h(t):
        return t * 2

    @ember.inference_mode()
    def i(t):
        return t * 2

    @ember.set_grad_enabled(False)
    def j(t):
        return t * 2

    assert ember.is_grad_enabled()
    assert not f(x).requires_grad and not g(x).requires_grad and not i(x).requires_grad
    assert not j(x).requires_grad and ember.is_grad_enabled()
    with ember.no_grad():
        assert h(x).requires_grad
    assert f.__name__ == "f"


def test_detach_and_requires_grad(device):
    x = _leaf([1.0, 2.0], device)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    d[0] = 100.0  # shares memory with y
    assert y[0].item() == 100.0
    z = _leaf([1.0], device)
    z.requires_grad_(False)
    assert not z.requires_grad
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        ember.tensor([1, 2], device=device).requires_grad_()
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        ember.tensor([1, 2], device=device, requires_grad=True)
    with pytest.raises(RuntimeError, match="can only change requires_grad flags of leaf"):
        y.requires_grad_(False)


def test_retain_grad_and_hooks(device):
    x = _leaf([1.0, 2.0], device)
    y = x * 3
    y.retain_grad()
    assert y.retains_grad
    seen = []
    handle = y.register_hook(lambda g: seen.append(g.clone()))
    x.register_hook(lambda g: g * 10)  # a hook may replace the gradient
    (y * y).sum().backward()
    _close(y.grad, [6.0, 12.0])
    _close(seen[0], [6.0, 12.0])
    _close(x.grad, [180.0, 360.0])
    handle.remove()
    x.grad = None
    (x * 3 * 3).sum().backward()
    assert len(seen) == 1
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ember.ones(1, device=device).register_hook(lambda g: g)
    z = x * 2
    with pytest.warns(UserWarning, match="not a leaf Tensor"):
        assert z.grad is None


class _Cube(ember.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return x ** 3 * scale

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x ** 2 * ctx.scale, None


class _SortWithIndex(ember.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        values, index = x.sort()
        ctx.mark_non_differentiable(index)
        ctx.save_for_backward(index)
        ctx.seen_needs = ctx.needs_input_grad
        return values, index

    @staticmethod
    def backward(ctx, g_values, g_index):
        (index,) = ctx.saved_tensors
        return ember.zeros_like(g_values).scatter(0, index, g_values)


class _WrongGrad(ember.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 3


def test_custom_function(device):
    x = _leaf([1.0, 2.0], device)
    y = _Cube.apply(x, 2.0)
    assert y.grad_fn.name() == "_CubeBackward"
    y.sum().backward()
    _close(x.grad, [6.0, 24.0])
    assert ember.autograd.gradcheck(lambda t: _Cube.apply(t, 0.5), (_leaf([0.3, -1.2], device),))
    z = _leaf([3.0, 1.0, 2.0], device)
    values, index = _SortWithIndex.apply(z)
    assert values.requires_grad and not index.requires_grad
    (values * ember.tensor([1.0, 2.0, 3.0], dtype=ember.float64, device=device)).sum().backward()
    _close(z.grad, [3.0, 1.0, 2.0])
    assert values.grad_fn.seen_needs == (True,)
    with pytest.raises(RuntimeError):  # gradcheck catches a wrong backward
        ember.autograd.gradcheck(_WrongGrad.apply, (_leaf([1.0, 2.0], device),))
    assert ember.autograd.gradcheck(_WrongGrad.apply, (_leaf([1.0], device),),
                                    raise_exception=False) is False


def test_needs_input_grad(device):
    seen = {}

    class Probe(ember.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            seen["needs"] = ctx.needs_input_grad
            return a * b

        @staticmethod
        def backward(ctx, g):
            return g, g

    Probe.apply(_leaf([1.0], device), ember.ones(1, dtype=ember.float64, device=device))
    assert seen["needs"] == (True, False)


def test_inplace_on_saved_tensor_raises(device):
    x = _leaf([1.0, 2.0], device)
    y = x * 1
    z = y.exp()  # saves its output
    w = y * y    # saves y
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        w.sum().backward()
    z2 = (x * 1).exp()
    z2.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z2.sum().backward()
    assert z is not None


def test_inplace_on_leaf_raises_and_inplace_autograd(device):
    x = _leaf([1.0, 2.0], device)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in "
                                           "an in-place operation"):
        x.add_(1)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x[0] = 5.0
    with ember.no_grad():
        x.add_(1)  # allowed without recording
    _close(x, [2.0, 3.0])
    y = x * 1
    y.mul_(x)        # in place on a non-leaf: recorded
    y[0] = y[0] * 3  # through a view of it
    y.sum().backward()
    _close(x.grad, [12.0, 6.0])
    assert y.grad_fn is not None


def test_no_grad_results_and_leaf_grads_on_device(device):
    x = _leaf([1.0, 2.0], device)
    (x * 2).sum().backward()
    assert x.grad.device == x.device and x.grad.dtype is x.dtype
    assert not x.grad.requires_grad
    y = _leaf([1.0, 2.0], device, ember.float32)
    (y.double() * 2).sum().backward()
    assert y.grad.dtype is ember.float32


def test_gradcheck_of_composed_expression(device):
    a = _leaf([[0.5, -1.0, 2.0], [1.5, 0.2, -0.3]], device)
    b = _leaf([0.7, -0.1, 0.4], device)

    def f(a, b):
        return ((a @ b.unsqueeze(1)).tanh() + a.softmax(1).sum(1, keepdim=True) * b).sum(0)

    assert ember.autograd.gradcheck(f, (a, b))


def test_gradients_at_kinks_match_pytorch(device):
    """Where the chain rule gives inf * 0, PyTorch's backward formulas give 0; and
    piecewise-constant ops have zero (not missing) gradients."""
    zeros = _leaf([0.0, 0.0], device)
    zeros.norm().backward()
    _close(zeros.grad, [0.0, 0.0])
    flat = _leaf([1.0, 1.0, 1.0], device)
    flat.std().backward()
    _close(flat.grad, [0.0, 0.0, 0.0])
    x = _leaf([1.5, -2.0, 0.0], device)
    for fn in (ember.sign, ember.floor, ember.ceil, ember.round, ember.trunc):
        x.grad = None
        fn(x).sum().backward()
        _close(x.grad, [0.0, 0.0, 0.0])
    x.grad = None
    x.abs().sum().backward()
    _close(x.grad, [1.0, -1.0, 0.0])
    x.grad = None
    x.relu().sum().backward()
    _close(x.grad, [1.0, 0.0, 0.0])
    c = _leaf([0.0, 1.0, 0.5, 2.0, -1.0], device)
    c.clamp(0, 1).sum().backward()
    _close(c.grad, [1.0, 1.0, 1.0, 0.0, 0.0])
    t = _leaf([1.0, 3.0, 3.0], device)
    t.amax().backward()
    _close(t.grad, [0.0, 0.5, 0.5])
    t.grad = None
    t.max(0).values.backward()
    assert t.grad.sum().item() == 1.0 and t.grad[0].item() == 0.0
    assert x.norm().grad_fn.name() == "LinalgVectorNormBackward0"
    assert x.std().grad_fn.name() == "StdBackward0"


# In-place writes through views under autograd: programs and PyTorch 2.13's results for
# x = [1, 2, 3] (float64, requires_grad): (name, program, out, x.grad).
_INPLACE_PROGRAMS = [
    ("view_mul", "y = x * 1\nv = y[0]\nv.mul_(2)\nout = (y * y).sum()", 17.0, [8.0, 4.0, 6.0]),
    ("slice_iadd", "y = x.clone()\ny[1:] += x[:2] * 3\nout = (y ** 2).sum()", 107.0,
     [32.0, 64.0, 18.0]),
    ("view_reshape", "y = x * 2\nz = y.view(3, 1)\nz.add_(1)\nout = (y * x).sum()", 34.0,
     [5.0, 9.0, 13.0]),
    ("transpose_write", "y = (x * 1).reshape(1, 3)\nt = y.t()\nt[1, 0] = 5.0\n"
     "out = (y * x).sum()", 20.0, [2.0, 5.0, 6.0]),
    ("setitem_tensor", "y = x * 1\ny[0] = x[2] * 4\nout = y.sum() + (y * y).sum()", 174.0,
     [0.0, 5.0, 107.0]),
    ("mask_set", "y = x * 1\ny[x > 1.5] = 0.0\nout = (y * x).sum()", 1.0, [2.0, 0.0, 0.0]),
    ("index_add", "y = x * 1\ny[[0, 0, 2]] += 1.0\nout = (y * y).sum()", 24.0, [8.0, 4.0, 8.0]),
    ("chain_inplace", "y = x.exp()\ny = y * 1\ny.sub_(1).mul_(2).div_(3)\nout = y.sum()",
     18.128583233718242, [1.8121878856393634, 4.9260373992871, 13.390357948791777]),
    ("clamp_", "y = x * 1\ny.clamp_(min=1.5)\nout = (y * y).sum()", 15.25, [0.0, 4.0, 6.0]),
    ("relu_", "y = x - 2\ny.relu_()\nout = y.sum()", 1.0, [0.0, 0.0, 1.0]),
    ("copy_", "y = x * 0\ny.copy_(x * 3)\nout = (y * y).sum()", 126.0, [18.0, 36.0, 54.0]),
    ("fill_view", "y = x * 1\ny[1:].fill_(2.0)\nout = (y * x).sum()", 11.0, [2.0, 2.0, 2.0]),
    ("fill_whole", "y = x * 1\ny.fill_(2.0)\nout = (y * 3).sum()", 18.0, [0.0, 0.0, 0.0]),
    ("unsqueeze_inplace", "y = x * 1\nu = y.unsqueeze(0)\nu.mul_(x)\nout = y.sum()", 14.0,
     [2.0, 4.0, 6.0]),
    ("expand_read", "y = x * 1\ne = y.expand(2, 3)\nout = (e * e).sum()", 28.0,
     [4.0, 8.0, 12.0]),
    ("double_view", "y = x * 1\nv = y[1:][0:1]\nv.mul_(10)\nout = (y * y).sum()", 410.0,
     [2.0, 400.0, 6.0]),
    ("masked_fill_", "y = x * 1\ny.masked_fill_(x < 1.5, 0.0)\nout = (y * x).sum()", 13.0,
     [0.0, 4.0, 6.0]),
    ("scatter_", "y = x * 1\ny.scatter_(0, IDX, x[:2])\nout = (y * y).sum()", 9.0,
     [2.0, 8.0, 0.0]),
    ("pow_", "y = x * 1\ny.pow_(3)\nout = y.sum()", 36.0, [3.0, 12.0, 27.0]),
    ("detach_view", "y = x * 2\nd = y.detach()\nd.zero_()\nout = (y * x).sum()", 0.0,
     [2.0, 4.0, 6.0]),
]


@pytest.mark.parametrize("name, program, out, grad", _INPLACE_PROGRAMS,
                         ids=[p[0] for p in _INPLACE_PROGRAMS])
def test_inplace_through_views_under_autograd(device, name, program, out, grad):
    x = _leaf([1.0, 2.0, 3.0], device)
    env = {"x": x, "ember": ember, "IDX": ember.tensor([2, 0], device=device)}
    exec(program, env)
    env["out"].backward()
    assert abs(env["out"].item() - out) < 1e-9
    _close(x.grad, grad)

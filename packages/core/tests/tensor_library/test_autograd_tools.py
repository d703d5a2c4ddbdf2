"""Autograd tools: functional (jacobian, hessian, vjp, jvp, hvp, vhp), gradgradcheck,
detect_anomaly, Function ctx features, post-accumulate hooks, saved-tensor hooks and
activation checkpointing."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
from ember.autograd import Function, gradcheck, gradgradcheck
from ember.autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp
from ember.autograd.graph import save_on_cpu, saved_tensors_hooks
from ember.utils.checkpoint import checkpoint, checkpoint_sequential


def _t(a, grad=False):
    t = ember.tensor(np.asarray(a), dtype=ember.float64)
    return t.requires_grad_() if grad else t


# -- autograd.functional -----------------------------------------------------------------------
def _f(x, y):
    return (x[:2].sin() * y).sum() + (x * x).prod()


def test_jacobian_matches_analytic():
    x = _t([0.3, -1.2, 2.0])
    jac = jacobian(lambda t: t.exp() * t.sum(), x)
    e = np.exp(x.numpy())
    want = np.diag(e * x.numpy().sum()) + e[:, None]
    np.testing.assert_allclose(jac.numpy(), want, rtol=1e-12)
    jx, jy = jacobian(lambda a, b: (a * b[:3]).sum(), (x, _t([1.0, 2.0, 3.0, 4.0])))
    np.testing.assert_allclose(jx.numpy(), [1.0, 2.0, 3.0])
    np.testing.assert_allclose(jy.numpy(), [0.3, -1.2, 2.0, 0.0])
    (j0,), (j1,) = jacobian(lambda a: (a * 2, a.sum()), (x,))
    assert j0.shape == (3, 3) and j1.shape == (3,)
    assert not jac.requires_grad


def test_hessian_and_products():
    x = _t([0.3, -1.2])

    def f(t):
        return (t ** 3).sum() + t[0] * t[1]

    h = hessian(f, x)
    want = np.diag(6 * x.numpy()) + np.array([[0.0, 1.0], [1.0, 0.0]])
    np.testing.assert_allclose(h.numpy(), want, rtol=1e-12)
    v = _t([1.0, -2.0])
    out, hv = hvp(f, x, v)
    np.testing.assert_allclose(hv.numpy(), want @ v.numpy(), rtol=1e-12)
    assert out.item() == pytest.approx(f(x).item())
    _, vh = vhp(f, x, v)
    np.testing.assert_allclose(vh.numpy(), v.numpy() @ want, rtol=1e-12)
    _, jv = jvp(lambda t: t * t, x, v)
    np.testing.assert_allclose(jv.numpy(), 2 * x.numpy() * v.numpy())
    _, vj = vjp(lambda t: t * t, x, v)
    np.testing.assert_allclose(vj.numpy(), 2 * x.numpy() * v.numpy())
    (hxx, hxy), (hyx, hyy) = hessian(lambda a, b: (a * a * b).sum(), (x, _t([2.0, 3.0])))
    np.testing.assert_allclose(hxy.numpy(), np.diag(2 * x.numpy()))
    _, g = vjp(lambda t: t.sum() * 0 + 1.0, x, create_graph=False)
    assert g.tolist() == [0.0, 0.0]  # independent output: zeros (strict=False)


def test_functional_errors():
    with pytest.raises(TypeError, match="The inputs given to jacobian must be either a Tensor or "
                                        "a tuple of Tensors"):
        jacobian(lambda t: t, [1.0])
    with pytest.raises(RuntimeError, match="The vector v can only be None if the user-provided "
                                           "function returns a single Tensor with a single "
                                           "element."):
        vjp(lambda t: t * 2, _t([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="should return a single Tensor"):
        hessian(lambda t: (t, t), _t([1.0]))
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function does not "
                                           "require gradients"):
        vjp(lambda t: _t([1.0]).sum(), _t([1.0]), strict=True)
    with pytest.raises(RuntimeError, match="independent of input 1"):
        vjp(lambda a, b: a.sum(), (_t([1.0]), _t([2.0])), strict=True)
    with pytest.raises(RuntimeError, match="v has invalid size"):
        jvp(lambda t: t, _t([1.0, 2.0]), _t([1.0]))


def test_create_graph_through_jacobian():
    x = _t([0.5, 1.5], grad=True)
    jac = jacobian(lambda t: t ** 3, x, create_graph=True)
    jac.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * x.detach().numpy())


def test_gradgradcheck_of_a_composite():
    x, y = _t([0.3, -0.2, 0.4], grad=True), _t([1.1, 0.7], grad=True)
    assert gradgradcheck(_f, (x, y))
    assert gradcheck(lambda a: jacobian(lambda t: t.sin() * t, a, create_graph=True), (x,))


# -- detect_anomaly ----------------------------------------------------------------------------
def test_detect_anomaly_names_the_op_that_made_the_nan():
    x = _t([0.0, 1.0], grad=True)
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        guard = ember.autograd.detect_anomaly()
    with guard:
        y = x.sqrt()  # d sqrt / dx at 0 is inf; times 0 below it becomes nan
        z = (y * 0).sum()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(RuntimeError, match="Function 'SqrtBackward0' returned nan "
                                                   "values in its 0th output."):
                z.backward()
        traces = [str(w.message) for w in caught if "Error detected in" in str(w.message)]
        assert traces and "SqrtBackward0" in traces[0] and "x.sqrt()" in traces[0]
    assert not ember.autograd.anomaly_mode.is_anomaly_enabled()
    # outside the block the same backward just produces nan
    x.grad = None
    (x.sqrt() * 0).sum().backward()
    assert np.isnan(x.grad.numpy()[0])


def test_set_detect_anomaly_and_clean_runs():
    x = _t([1.0, 2.0], grad=True)
    with ember.autograd.set_detect_anomaly(True):
        (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])
    with ember.autograd.set_detect_anomaly(True, check_nan=False):
        (x.sqrt() * 0 * _t([np.inf, 1.0])).sum().backward()


# -- Function ctx features and hooks ------------------------------------------------------------
def test_mark_dirty_and_set_materialize_grads():
    class AddOneInplace(Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    leaf = _t([1.0, 2.0], grad=True)
    a = leaf * 2
    b = AddOneInplace.apply(a)
    assert b is a and a.grad_fn.name() == "AddOneInplaceBackward"
    assert a.tolist() == [3.0, 5.0]
    (b * b).sum().backward()
    np.testing.assert_allclose(leaf.grad.numpy(), 2 * 2 * (2 * leaf.detach().numpy() + 1))

    seen = []

    class TwoOutputs(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            seen.append((g1 is None, g2 is None))
            return g1 * 2 if g1 is not None else None

    x = _t([1.0], grad=True)
    first, _ = TwoOutputs.apply(x)
    first.sum().backward()
    assert seen == [(False, True)] and x.grad.item() == 2.0


def test_post_accumulate_grad_hook():
    p = _t([1.0, 2.0], grad=True)
    calls = []
    handle = p.register_post_accumulate_grad_hook(lambda t: calls.append(t.grad.clone()))
    (p * 3).sum().backward()
    (p * 3).sum().backward()
    assert [c.tolist() for c in calls] == [[3.0, 3.0], [6.0, 6.0]]
    handle.remove()
    (p * 3).sum().backward()
    assert len(calls) == 2
    with pytest.raises(RuntimeError, match="post accumulate grad hooks cannot be registered on "
                                           "non-leaf tensors"):
        (p * 2).register_post_accumulate_grad_hook(lambda t: None)


def test_saved_tensors_hooks_pack_and_unpack():
    packed, unpacked = [], []

    def pack(t):
        packed.append(t.shape)
        return ("box", t.detach().clone())

    def unpack(box):
        unpacked.append(box[0])
        return box[1]

    x = _t([0.5, 1.5], grad=True)
    with saved_tensors_hooks(pack, unpack):
        y = (x.exp() * x).sum()
    assert packed and not unpacked
    y.backward()
    assert len(unpacked) == len(packed)
    e = np.exp(x.detach().numpy())
    np.testing.assert_allclose(x.grad.numpy(), e * x.detach().numpy() + e)
    x.grad = None
    with save_on_cpu():
        (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.detach().numpy())
    from ember.autograd.graph import disable_saved_tensors_hooks

    with disable_saved_tensors_hooks("no hooks here"), pytest.raises(RuntimeError,
                                                                     match="no hooks here"):
        with saved_tensors_hooks(pack, unpack):
            pass


# -- checkpointing -----------------------------------------------------------------------------
def _mlp(seed=0):
    rng = np.random.default_rng(seed)
    ws = [_t(rng.standard_normal((6, 6)) * 0.5, grad=True) for _ in range(4)]

    def block(x, w):
        return (x @ w).tanh()
    return ws, block


@pytest.mark.parametrize("use_reentrant", [False, True])
def test_checkpoint_gives_the_same_gradients(use_reentrant):
    ws, block = _mlp()
    x = _t(np.random.default_rng(1).standard_normal((3, 6)), grad=True)

    def run(ckpt):
        h = x
        for w in ws:
            h = checkpoint(block, h, w, use_reentrant=use_reentrant) if ckpt else block(h, w)
        return (h * h).sum()

    run(False).backward()
    plain = [w.grad.clone() for w in ws] + [x.grad.clone()]
    for t in ws + [x]:
        t.grad = None
    run(True).backward()
    for a, b in zip(plain, [w.grad for w in ws] + [x.grad]):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)


def test_checkpoint_saves_nothing_inside_and_recomputes_once():
    calls = []
    x = _t(np.ones((2, 3)), grad=True)

    def fn(t):
        calls.append(1)
        return (t.exp() * t).sin()

    saved = []
    with saved_tensors_hooks(lambda t: saved.append(t) or t, lambda t: t):
        y = checkpoint(fn, x, use_reentrant=False)
    assert saved == []  # the outer hook sees nothing: the checkpoint's own hooks took them
    y.sum().backward()
    assert len(calls) == 2  # the forward and one recomputation


def test_checkpoint_preserves_the_random_state_and_warns():
    x = _t(np.ones(4), grad=True)

    def noisy(t):
        return t * ember.rand(4, dtype=ember.float64)

    ember.manual_seed(0)
    y = checkpoint(noisy, x, use_reentrant=False)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), (y / x).detach().numpy())
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
        checkpoint(lambda t: t * 2, x)


def test_checkpoint_sequential():
    ws, block = _mlp(2)
    layers = [lambda h, w=w: block(h, w) for w in ws]
    x = _t(np.random.default_rng(3).standard_normal((2, 6)), grad=True)
    out = checkpoint_sequential(layers, 2, x, use_reentrant=False)
    ref = x
    for f in layers:
        ref = f(ref)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-13)
    out.sum().backward()
    g = x.grad.clone()
    x.grad = None
    ref.sum().backward()
    np.testing.assert_allclose(g.numpy(), x.grad.numpy(), rtol=1e-12)

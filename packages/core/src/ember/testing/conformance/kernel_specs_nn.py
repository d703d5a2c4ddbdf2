"""Kernel specs of the fused nn ops (layer_norm, rms_norm, cross_entropy, gelu, dropout and
their gradients), registered into ``kernel_specs.SPECS``; the NumPy references also serve
the public-API tests of ``test_nn_fused.py``."""

from __future__ import annotations

import math

import numpy as np

from ._harness import FLOATS, LAYOUTS, Expanded, native_layout_differs, values
from .kernel_specs import _LOW, Case, spec

_SQRT1_2 = 1 / math.sqrt(2.0)
_BETA, _KAPPA = math.sqrt(2 / math.pi), 0.044715


def _axes(x, ndim):
    return tuple(range(x.ndim - ndim, x.ndim))


def _lead_sum(t, ndim):
    return t.sum(axis=tuple(range(t.ndim - ndim)))


# -- layer_norm and rms_norm ----------------------------------------------------------------
_NORM_SHAPES = [((2, 3, 4), 1, True, True), ((3, 4), 1, False, False),
                ((2, 3, 4), 2, True, False), ((5,), 1, True, True), ((0, 4), 1, True, True)]


def _norm_inputs(d, rng):
    """(x, weight or None, bias or None, ndim) per case, plus a constant row (variance 0)."""
    out = []
    for shape, ndim, has_w, has_b in _NORM_SHAPES:
        tail = shape[len(shape) - ndim:]
        out.append((values(rng, shape, d), values(rng, tail, d) if has_w else None,
                    values(rng, tail, d) if has_b else None, ndim))
    out.append((np.array([[1.5] * 6, [0.5, -1, 2, 1, -2, 0.25]], d.numpy), None, None, 1))
    return out


def layer_norm_ref(x, weight, bias, ndim, eps):
    axes = _axes(x, ndim)
    mean = x.mean(axis=axes, keepdims=True)
    rstd = 1 / np.sqrt(((x - mean) ** 2).mean(axis=axes, keepdims=True) + eps)
    out = (x - mean) * rstd
    out = out if weight is None else out * weight
    return (out if bias is None else out + bias), mean, rstd


def rms_norm_ref(x, weight, ndim, eps):
    rstd = 1 / np.sqrt((x * x).mean(axis=_axes(x, ndim), keepdims=True) + eps)
    return (x * rstd if weight is None else x * rstd * weight), rstd


def _norm_backward_ref(g, x, xhat, rstd, weight, ndim, mask, centre):
    axes = _axes(x, ndim)
    gxhat = g if weight is None else g * weight
    gx = None
    if mask[0]:
        mean_gx = (gxhat * xhat).mean(axis=axes, keepdims=True)
        if centre:
            gxhat = gxhat - gxhat.mean(axis=axes, keepdims=True)
        gx = (gxhat - xhat * mean_gx) * rstd
    return gx, _lead_sum(g * xhat, ndim) if mask[1] else None


def layer_norm_backward_ref(g, x, mean, rstd, weight, ndim, mask):
    xhat = (x - mean) * rstd
    gx, gw = _norm_backward_ref(g, x, xhat, rstd, weight, ndim, mask, True)
    return gx, gw, _lead_sum(g, ndim) if mask[2] else None


def rms_norm_backward_ref(g, x, rstd, weight, ndim, mask):
    return _norm_backward_ref(g, x, x * rstd, rstd, weight, ndim, mask, False)


def _stats(ref, x, *args):
    """The reference's statistics for x, rounded to x's dtype (what the forward returns)."""
    return tuple(s.astype(x.dtype) for s in ref(x.astype(np.float64), *args)[1:])


def _masks(n, has_w):
    """Which of n gradients to ask for: all, x's alone, the weights' alone (x's without w)."""
    alone = (True,) + (False,) * (n - 1)
    return [(True,) * n, alone, (False,) + (True,) * (n - 1)] if has_w else [alone]


def _layer_norm_cases(d, rng):
    return [Case((x, w, b, ndim, eps)) for (x, w, b, ndim), eps in
            zip(_norm_inputs(d, rng), [1e-5, 1e-5, 1e-3, 1e-5, 1e-5, 1e-5])]


def _layer_norm_backward_cases(d, rng):
    out = []
    for x, w, b, ndim in _norm_inputs(d, rng):
        mean, rstd = _stats(layer_norm_ref, x, None, None, ndim, 1e-5)
        for mask in _masks(3, w is not None):
            mask = mask if b is not None else mask[:2] + (False,)
            out.append(Case((values(rng, x.shape, d), x, mean, rstd, w, ndim, mask),
                            desc=f"mask {mask}"))
    return out


def _rms_norm_cases(d, rng):
    return [Case((x, w, ndim, eps)) for (x, w, _, ndim), eps in
            zip(_norm_inputs(d, rng), [1e-6, 1e-5, 1e-3, 1e-6, 1e-6, 1e-6])]


def _rms_norm_backward_cases(d, rng):
    out = []
    for x, w, _, ndim in _norm_inputs(d, rng):
        (rstd,) = _stats(rms_norm_ref, x, None, ndim, 1e-6)
        for mask in _masks(2, w is not None):
            out.append(Case((values(rng, x.shape, d), x, rstd, w, ndim, mask),
                            desc=f"mask {mask}"))
    return out


spec("layer_norm", FLOATS, cases=_layer_norm_cases, ref=layer_norm_ref, tol=_LOW)
spec("layer_norm_backward", FLOATS, cases=_layer_norm_backward_cases,
     ref=layer_norm_backward_ref, tol=_LOW)
spec("rms_norm", FLOATS, cases=_rms_norm_cases, ref=rms_norm_ref, tol=_LOW)
spec("rms_norm_backward", FLOATS, cases=_rms_norm_backward_cases, ref=rms_norm_backward_ref,
     tol=_LOW)


# -- cross-entropy --------------------------------------------------------------------------
def _logits(d, rng):
    out = [(values(rng, (n, c), d), rng.integers(0, c, n).astype(np.int64))
           for n, c in [(4, 5), (1, 1), (3, 9), (0, 3)]]
    big = np.array([[1000.0, 1000.0, -1000.0], [-math.inf, 0.0, 1.0], [0.5, -math.inf, 2.0],
                    [math.inf, 0.0, 1.0], [-math.inf] * 3], d.numpy)  # the last two: nan
    out.append((big, np.array([2, 1, 1, 1, 0], np.int64)))
    return out


def cross_entropy_ref(x, target):
    peak = np.max(x, axis=1, keepdims=True) if x.size else np.zeros((x.shape[0], 1))
    lse = (np.log(np.exp(x - peak).sum(axis=1, keepdims=True)) + peak)[:, 0]
    return lse - x[np.arange(x.shape[0]), target], lse


def cross_entropy_backward_ref(g, x, target, lse):
    p = np.exp(x - lse[:, None])
    p[np.arange(x.shape[0]), target] -= 1
    return g[:, None] * p


def _cross_entropy_backward_cases(d, rng):
    out = []
    for x, t in _logits(d, rng)[:-1]:
        lse = cross_entropy_ref(x.astype(np.float64), t)[1].astype(d.numpy)
        out.append(Case((values(rng, t.shape, d), x, t, lse)))
        if t.size:
            g = Expanded(values(rng, (), d), t.shape)
            out.append(Case((g, x, t, lse), desc="broadcast g"))
    return out


spec("cross_entropy", FLOATS, cases=lambda d, rng: [Case(a) for a in _logits(d, rng)],
     ref=cross_entropy_ref, tol=_LOW)
spec("cross_entropy_backward", FLOATS, cases=_cross_entropy_backward_cases,
     ref=cross_entropy_backward_ref, tol=_LOW)


# -- GELU -----------------------------------------------------------------------------------
def _erf(x):
    return np.vectorize(math.erf, otypes=[np.float64])(x) if x.size else x


def gelu_aux_ref(x, approximate):
    if approximate == "tanh":
        return np.tanh(_BETA * (x + _KAPPA * x ** 3))
    return 0.5 * (1 + _erf(x * _SQRT1_2))


def gelu_ref(x, approximate):
    aux = gelu_aux_ref(x, approximate)
    return x * (0.5 * (1 + aux) if approximate == "tanh" else aux)


def gelu_backward_ref(g, x, aux, approximate):
    if approximate == "tanh":
        t = gelu_aux_ref(x, "tanh")
        slope = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _BETA * (1 + 3 * _KAPPA * x * x)
    else:
        slope = gelu_aux_ref(x, "none") + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    return g * slope


def _gelu_inputs(d, rng):
    return [values(rng, s, d) for s in [(), (0,), (7,), (3, 4)]]


def _gelu_check(ctx, impl, d):
    """Outputs against the reference; aux too where the kernel keeps one (it may be None)."""
    tol = _LOW.get(d, (None, None))
    n = 0
    for approximate in ("none", "tanh"):
        for x in _gelu_inputs(d, ctx.rng("gelu", d.name, approximate)):
            x64 = x.astype(np.float64)
            want = gelu_ref(x64, approximate).astype(d.numpy)
            want_aux = gelu_aux_ref(x64, approximate).astype(d.numpy)
            for layout in LAYOUTS:
                if layout != "contiguous" and not native_layout_differs(x, layout):
                    continue
                what = f"gelu ({d}, {approximate}) x{x.shape} [{layout}]"
                out, aux = impl(ctx.native(x, layout), approximate)
                ctx.compare(out, want, what, *tol)
                if aux is not None:
                    ctx.compare(aux, want_aux, what + " aux", *tol)
                n += 1
    return n


def _gelu_backward_cases(d, rng):
    out = []
    for approximate in ("none", "tanh"):
        for x in _gelu_inputs(d, rng):
            g = values(rng, x.shape, d)
            aux = np.asarray(gelu_aux_ref(x.astype(np.float64), approximate), d.numpy)
            out.append(Case((g, x, None, approximate), desc=approximate + ", no aux"))
            out.append(Case((g, x, aux, approximate), desc=approximate + ", aux"))
    return out


spec("gelu", FLOATS, check=_gelu_check)
spec("gelu_backward", FLOATS, cases=_gelu_backward_cases, ref=gelu_backward_ref, tol=_LOW)


# -- dropout --------------------------------------------------------------------------------
def _dropout_check(ctx, impl, d):
    gen = ctx.backend.new_generator
    rng = ctx.rng("dropout", d.name)
    x = values(rng, (4000,), d, "nonzero")
    scale = np.asarray(1 / (1 - 0.25)).astype(d.numpy)
    out, mask = (ctx.numpy(a) for a in impl(gen(7, ctx.index), ctx.native(x), 0.25))
    assert out.dtype == mask.dtype == d.numpy and out.shape == mask.shape == x.shape
    assert set(np.unique(mask.astype(np.float64))) <= {0.0, float(scale)}, np.unique(mask)
    kept = (mask != 0).mean()
    assert abs(kept - 0.75) < 0.05, f"dropout kept {kept} of the elements, expected 0.75"
    ctx.compare_arrays(out, (x * mask).astype(d.numpy), "dropout: out is not x * mask")
    again = ctx.numpy(impl(gen(7, ctx.index), ctx.native(x), 0.25)[1])
    other = ctx.numpy(impl(gen(8, ctx.index), ctx.native(x), 0.25)[1])
    assert np.array_equal(mask, again), "dropout: the same seed gave a different mask"
    assert not np.array_equal(mask, other), "dropout: different seeds gave the same mask"
    g = gen(9, ctx.index)
    first, second = (ctx.numpy(impl(g, ctx.native(x[:64]), 0.5)[1]) for _ in range(2))
    assert not np.array_equal(first, second), "dropout: the generator does not advance"
    n = 5
    for shape in [(), (0,), (2, 3)]:
        small = values(rng, shape, d, "nonzero")
        for layout in LAYOUTS:
            if layout != "contiguous" and not native_layout_differs(small, layout):
                continue
            out, mask = impl(gen(1, ctx.index), ctx.native(small, layout), 0.0)
            ctx.compare(out, small, f"dropout p=0 {shape} [{layout}]")
            ctx.compare(mask, np.ones(shape, d.numpy), f"dropout p=0 mask {shape} [{layout}]")
            n += 1
    return n


spec("dropout", FLOATS, check=_dropout_check)

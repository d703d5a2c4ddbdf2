"""Multi-tensor SGD and Adam/AdamW steps: one kernel launch per parameter group and dtype.

Registered with ``ember.optim.optimizer.register_optimizer_impl`` for ``cuda`` tensors;
each takes exactly the arguments of ``ember.optim``'s single-tensor function and falls back
to it for what the kernels do not cover (tensor learning rates, half precision,
non-contiguous parameters).
"""

from __future__ import annotations

from collections import OrderedDict

import cupy
import numpy as np

from .kernels import module

_THREADS = 256
_CHUNK = 1 << 16


class _Launch:
    """Device arrays of tensor addresses and chunk lists, cached while the addresses and
    sizes stay (the memory pool may hand a freed address to a tensor of another size)."""

    def __init__(self, limit=32):
        self.cache = OrderedDict()
        self.limit = limit

    def arrays(self, *columns):
        addresses = tuple(tuple(0 if a is None else a.data.ptr for a in col) for col in columns)
        sizes = tuple(a.size for a in columns[0])
        key = (addresses, sizes)
        found = self.cache.get(key)
        if found is None:
            chunks = [(t, s) for t, n in enumerate(sizes) for s in range(0, n, _CHUNK)]
            found = ([cupy.asarray(np.array(ptrs, np.uint64)) for ptrs in addresses]
                     + [cupy.asarray(np.array([c[0] for c in chunks], np.int64)),
                        cupy.asarray(np.array([c[1] for c in chunks], np.int64)),
                        cupy.asarray(np.array(sizes, np.int64))], len(chunks))
            self.cache[key] = found
            if len(self.cache) > self.limit:
                self.cache.popitem(last=False)
        return found


_launches = _Launch()


def _supported(tensors):
    dtype = tensors[0]._data.dtype
    return dtype.char in "fd" and all(
        t._data.dtype == dtype and t._data.flags.c_contiguous for t in tensors)


def _native(tensors):
    return [t._data if t._data.flags.c_contiguous else cupy.ascontiguousarray(t._data)
            for t in tensors]


def _launch(kernel, dtype, columns, scalars):
    device_arrays, n_chunks = _launches.arrays(*columns)
    name = f"{kernel}_{'f32' if dtype.char == 'f' else 'f64'}"
    fn = module("multi_tensor.cu", columns[0][0].device.id).get_function(name)
    fn((n_chunks,), (_THREADS,), (*device_arrays, np.int64(_CHUNK), *scalars))


def foreach_sgd(params, grads, momentum_buffer_list, grad_scale=None, found_inf=None, *,
                weight_decay, momentum, lr, dampening, nesterov, maximize,
                has_sparse_grad=False):
    from ember.optim.sgd import _single_tensor_sgd

    kwargs = dict(weight_decay=weight_decay, momentum=momentum, lr=lr, dampening=dampening,
                  nesterov=nesterov, maximize=maximize, has_sparse_grad=has_sparse_grad)
    if (grad_scale is not None or found_inf is not None or not _is_number(lr)
            or not _is_number(weight_decay) or not _supported(params)):
        return _single_tensor_sgd(params, grads, momentum_buffer_list, grad_scale, found_inf,
                                  **kwargs)
    import ember

    first = [i for i, b in enumerate(momentum_buffer_list) if b is None]
    if momentum != 0:
        for i in first:
            momentum_buffer_list[i] = ember.empty_like(params[i])
    seen = set(first)
    groups = [first, [i for i in range(len(params)) if i not in seen]] \
        if momentum != 0 else [list(range(len(params)))]
    for is_first, indices in zip((True, False), groups):
        if not indices:
            continue
        ps = [params[i]._data for i in indices]
        gs = _native([grads[i] for i in indices])
        bufs = [momentum_buffer_list[i]._data for i in indices] if momentum != 0 else ps
        _launch("sgd_step", ps[0].dtype, (ps, gs, bufs),
                (float(lr), float(weight_decay), float(momentum), float(dampening),
                 np.int32(nesterov), np.int32(maximize), np.int32(is_first and momentum != 0)))
    for p in params:
        p._bump()


def foreach_adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps,
                 grad_scale=None, found_inf=None, *, amsgrad, beta1, beta2, lr, weight_decay,
                 eps, maximize, capturable=False, differentiable=False,
                 decoupled_weight_decay=False, has_complex=False):
    from ember.optim.adam import _single_tensor_adam

    if (grad_scale is not None or found_inf is not None or capturable or differentiable
            or not all(_is_number(x) for x in (lr, beta1, beta2, weight_decay, eps))
            or not _supported(params)):
        return _single_tensor_adam(
            params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, grad_scale,
            found_inf, amsgrad=amsgrad, beta1=beta1, beta2=beta2, lr=lr,
            weight_decay=weight_decay, eps=eps, maximize=maximize, capturable=capturable,
            differentiable=differentiable, decoupled_weight_decay=decoupled_weight_decay)
    by_step = {}
    for i, step_t in enumerate(state_steps):
        step_t += 1
        by_step.setdefault(float(step_t.item()), []).append(i)
    for step, indices in by_step.items():
        ps = [params[i]._data for i in indices]
        columns = (ps, _native([grads[i] for i in indices]),
                   [exp_avgs[i]._data for i in indices],
                   [exp_avg_sqs[i]._data for i in indices],
                   [max_exp_avg_sqs[i]._data for i in indices] if amsgrad else ps)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        _launch("adam_step", ps[0].dtype, columns,
                (float(lr), float(beta1), float(beta2), float(eps), float(weight_decay),
                 np.int32(decoupled_weight_decay), np.int32(amsgrad), np.int32(maximize),
                 float(lr / bias_correction1), float(bias_correction2 ** 0.5)))
    for p in params:
        p._bump()


def _is_number(x):
    return isinstance(x, (int, float))


def register():
    from ember.optim.optimizer import register_optimizer_impl

    register_optimizer_impl("sgd", "cuda", foreach_sgd)
    register_optimizer_impl("adam", "cuda", foreach_adam)
    register_optimizer_impl("sgd", "cuda", foreach_sgd, kind="fused")
    register_optimizer_impl("adam", "cuda", foreach_adam, kind="fused")

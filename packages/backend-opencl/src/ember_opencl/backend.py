"""The ``opencl`` backend: devices, host transfers, Philox generators and the kernel table."""

from __future__ import annotations

from functools import partial

import numpy as np

from ember.backends import Backend

from . import elementwise as ew
from . import indexing, layout, linalg, nn, random, reduce, runtime, sort
from .array import empty, from_host, to_host
from .elementwise import ELEMENTWISE
from .indexing import nonzero  # noqa: F401  (used by indexing through this module)


def _device(index):
    return runtime.device(index)


def _reshape(x, shape):
    shape = tuple(shape)
    strides = layout.reshape(x.shape, x.est, shape)
    if strides is None:
        x = ew.copy(x)
        strides = layout.contiguous(shape)
    return x.view_of(x.offset, shape, strides)


def _permute(x, axes):
    return x.view_of(x.offset, *layout.permute(x.shape, x.est, tuple(axes)))


def _broadcast_to(x, shape):
    shape = tuple(shape)
    return x.view_of(x.offset, shape, layout.broadcast(x.shape, x.est, shape))


def _diagonal(x, offset, axis1, axis2):
    return x.view_of(*layout.diagonal(x.offset, x.shape, x.est, axis1, axis2, offset))


def _elementwise(name):
    def kernel(*operands, out=None):
        return ew.apply(name, *operands, out=out)
    kernel.__name__ = name
    return kernel


def _softmax(name, x, axis):
    return reduce.rowwise(name, x, axis)


def _logsumexp(k, x, axes, keepdims):
    axes = tuple(range(x.ndim)) if axes is None else tuple(axes)
    if len(axes) == 1:
        return reduce.rowwise("logsumexp", x, axes[0], keepdims)
    from ember.backends import decompositions

    return decompositions.logsumexp(k, x, axes, keepdims)


def kernel_table(kernels) -> dict:
    """The op-list kernels of this backend (``kernels`` is the table being filled)."""
    k = {name: _elementwise(name) for name in ELEMENTWISE}
    k.update(
        full=lambda shape, value, dtype, index: ew.full(_device(index), shape, value,
                                                        dtype.numpy),
        empty=lambda shape, dtype, index: empty(_device(index), shape, dtype.numpy),
        zeros=lambda shape, dtype, index: ew.full(_device(index), shape, 0, dtype.numpy),
        ones=lambda shape, dtype, index: ew.full(_device(index), shape, 1, dtype.numpy),
        arange=lambda start, stop, step, dtype, index: ew.arange(_device(index), start, stop,
                                                                 step, dtype.numpy),
        astype=lambda x, dtype: ew.astype(x, dtype.numpy),
        copy=ew.copy,
        assign=ew.assign,
        where=ew.where,
        clip=ew.clip,
        threshold_backward=ew.threshold_backward,
        diagonal=_diagonal,
        uniform=lambda gen, shape, low, high, dtype: random.uniform(gen, shape, low, high,
                                                                    dtype.numpy),
        normal=lambda gen, shape, mean, std, dtype: random.normal(gen, shape, mean, std,
                                                                  dtype.numpy),
        randint=lambda gen, low, high, shape, dtype: random.randint(gen, low, high, shape,
                                                                    dtype.numpy),
        randperm=lambda gen, n, dtype, index: random.randperm(gen, n, dtype.numpy),
        **{name: partial(reduce.reduce, name) for name in
           ("sum", "prod", "amax", "amin", "any", "all", "mean")},
        argmax=partial(reduce.argreduce, "argmax"),
        argmin=partial(reduce.argreduce, "argmin"),
        cumsum=partial(reduce.scan, "cumsum"),
        cumprod=partial(reduce.scan, "cumprod"),
        softmax=partial(_softmax, "softmax"),
        log_softmax=partial(_softmax, "log_softmax"),
        logsumexp=partial(_logsumexp, kernels),
        reshape=_reshape,
        permute=_permute,
        broadcast_to=_broadcast_to,
        getitem=indexing.getitem,
        setitem=indexing.setitem,
        index_add_at=indexing.index_add_at,
        concatenate=indexing.concatenate,
        flip=indexing.flip,
        take_along_axis=indexing.take_along_axis,
        put_along_axis=indexing.put_along_axis,
        add_along_axis=indexing.add_along_axis,
        nonzero=indexing.nonzero,
        sort=sort.sort,
        convolution=partial(nn.convolution, kernels),
        convolution_backward_input=partial(nn.convolution_backward_input, kernels),
        convolution_backward_weight=partial(nn.convolution_backward_weight, kernels),
        im2col=nn.im2col,
        col2im=nn.col2im,
        max_pool=nn.max_pool,
        matmul=linalg.matmul,
        einsum=linalg.einsum,
    )
    return k


def prelude(dev) -> list:
    """Kernels built with a device's first program: the float32 ops nearly every program
    starts with. One PoCL build costs about the same for one kernel or forty, so a fresh
    process pays for one build instead of one per op."""
    f4, i8, b1 = np.dtype("f4"), np.dtype("i8"), np.dtype("?")
    found = []
    for name, kinds in [
            *[(op, k) for op in ("add", "sub", "mul", "div") for k in
              ((f4, f4), (f4, float), (float, f4))],
            *[(op, (f4,)) for op in ("neg", "exp", "log", "sqrt", "tanh", "sigmoid", "relu",
                                     "abs")],
            *[(op, (f4, float)) for op in ("maximum", "gt", "lt", "pow")],
            ("eq", (i8, i8)), ("add", (i8, int))]:
        found.append(ew.op_request(dev, name, kinds))
    for dt in (f4, i8, b1):
        ct = ew.ctype(dt)
        found.append(ew.map_request(dev, "full", dt, (None,), "{0}", ct, [ct], False))
    for src, dst in ((f4, f4), (f4, i8), (i8, f4), (b1, f4), (f4, b1)):
        ct = ew.ctype(src)
        for strided in (False, True):
            found.append(ew.map_request(dev, "astype", dst, (src,), "{0}", ct, [ct], strided))
    for name in ("sum", "mean", "amax"):
        for group in (1, 256):
            found.append(reduce.reduce_request(dev, name, f4, 1, group))
    return found


runtime.PRELUDE.append(prelude)


class OpenCLBackend(Backend):
    name = "opencl"
    pip_name = "ember-backend-opencl"

    def __init__(self):
        super().__init__()
        for op, fn in kernel_table(self.kernels).items():
            setattr(self.kernels, op, fn)

    # -- devices -----------------------------------------------------------------------
    def is_available(self) -> bool:
        return bool(runtime.devices())

    def unavailable_reason(self) -> str:
        return runtime.unavailable_reason()

    def device_count(self) -> int:
        return len(runtime.devices())

    def synchronize(self, index=None) -> None:
        for dev in runtime.devices() if index is None else [runtime.device(index)]:
            dev.synchronize()

    # -- data movement -----------------------------------------------------------------
    def from_host(self, array, index):
        return from_host(runtime.device(index), np.asarray(array))

    def to_host(self, x):
        return to_host(x)

    def shares_memory(self, x, y) -> bool:
        if x.data is not y.data:
            return False
        sx = layout.span(x.offset, x.shape, x.est)
        sy = layout.span(y.offset, y.shape, y.est)
        return sx is not None and sy is not None and sx[0] <= sy[1] and sy[0] <= sx[1]

    def data_ptr(self, x) -> int:
        # OpenCL buffers have no host address: a stable per-buffer base keeps views apart
        return x.data.int_ptr * 2**20 + x.offset * x.dtype.itemsize

    # -- random numbers ----------------------------------------------------------------
    def new_generator(self, seed, index):
        return random.Philox(seed, runtime.device(index))

    def generator_state(self, gen) -> bytes:
        return gen.state()

    def set_generator_state(self, gen, state) -> None:
        gen.set_state(state)

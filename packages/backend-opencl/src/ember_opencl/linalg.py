"""matmul (CLBlast when pyclblast is installed, else a tiled local-memory kernel; both
batched and broadcasting) and einsum as diagonals, sums, permutes and matmuls."""

from __future__ import annotations

import math
import os

import numpy as np

from . import layout, runtime
from .array import empty
from .codegen import Source, ctype
from .elementwise import astype, copy, full

_CLBLAST = []  # [pyclblast module or None, pyopencl Array class], imported on first use


def _pyclblast():
    if not _CLBLAST:
        try:  # optional: the `clblast` extra
            import pyclblast
            from pyopencl.array import Array
        except Exception:  # pragma: no cover - depends on the machine
            pyclblast = Array = None
        _CLBLAST[:] = [pyclblast, Array]
    return _CLBLAST[0]

def matmul(x, y):
    dtype = np.result_type(x.dtype, y.dtype)
    if x.dtype != dtype:
        x = astype(x, dtype)
    if y.dtype != dtype:
        y = astype(y, dtype)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError("matmul: Input operand does not have enough dimensions")
    vx, vy = x.ndim == 1, y.ndim == 1
    if vx:  # a vector is a 1-row (or 1-column) matrix
        x = x.view_of(*layout.basic_index(x.offset, x.shape, x.est, (None, Ellipsis)))
    if vy:
        y = y.view_of(*layout.basic_index(y.offset, y.shape, y.est, (Ellipsis, None)))
    m, k = x.shape[-2:]
    k2, n = y.shape[-2:]
    if k != k2:
        raise ValueError(f"matmul: Input operand 1 has a mismatch in its core dimension 0, with "
                         f"gufunc signature (n?,k),(k,m?)->(n?,m?) (size {k2} is different "
                         f"from {k})")
    batch = layout.broadcast_shapes(x.shape[:-2], y.shape[:-2])
    out = empty(x.device, batch + (m, n), dtype)
    if out.size:
        if k == 0:
            out = full(x.device, out.shape, 0, dtype)
        else:
            xb = layout.broadcast(x.shape[:-2], x.est[:-2], batch)
            yb = layout.broadcast(y.shape[:-2], y.est[:-2], batch)
            if not _clblast(out, x, y, batch, xb, yb, m, n, k):
                _tiled(out, x, y, batch, xb, yb, m, n, k)
    shape = out.shape
    if vx:
        shape = shape[:-2] + shape[-1:]
    if vy:
        shape = shape[:-1]
    if shape != out.shape:
        out = out.view_of(out.offset, shape, layout.contiguous(shape))
    return out


# CLBlast has no tuned parameters for PoCL's CPU device and its defaults run at a third of
# NumPy's speed there; these (found on an AVX-512 CPU) reach NumPy's, and CLBlast's
# "indirect" GEMM beats its untuned "direct" one from small sizes on.
_POCL_XGEMM = dict(GEMMK=0, KREG=1, KWG=16, KWI=2, MDIMA=8, MDIMC=8, MWG=128, NDIMB=8,
                   NDIMC=8, NWG=128, SA=0, SB=0, STRM=0, STRN=0, VWM=8, VWN=8)


def _tune(pyclblast, device, m, n, k, precision):
    """Our CLBlast parameters on PoCL CPU devices, and per product the GEMM kernel:
    "indirect" (tiles of 128 x 128 x 32, padding the matrices) unless padding would more
    than quadruple the work (skinny products, such as convolutions over few channels)."""
    state = device.extra.setdefault("clblast", {})
    if "tuned" not in state:
        state["tuned"] = device.is_cpu and device.platform == "Portable Computing Language" \
            and os.environ.get("EMBER_OPENCL_CLBLAST_TUNE") != "0"
        if state["tuned"]:
            for p in (32, 64) if device.fp64 else (32,):
                try:
                    pyclblast.override_parameters(device.cl, "Xgemm", p, _POCL_XGEMM)
                except Exception:  # pragma: no cover - a CLBlast with other parameter names
                    state["tuned"] = False
    if not state["tuned"]:
        return
    padded = math.ceil(m / 128) * 128 * math.ceil(n / 128) * 128 * math.ceil(k / 32) * 32
    # CLBlast goes indirect when m * n * k >= least ** 3 (so least ** 3 must fit 64 bits)
    least = 1 << 20 if padded > 4 * m * n * k else 64
    if state.get(precision) != least:
        pyclblast.override_parameters(device.cl, "GemmRoutine", precision,
                                      {"XGEMM_MIN_INDIRECT_SIZE": least})
        state[precision] = least


def _header(a, dtype):
    """A pyopencl Array header over our buffer: pyclblast reads only its buffer and dtype."""
    h = _CLBLAST[1].__new__(_CLBLAST[1])
    h.base_data, h.dtype, h.shape = a.data, dtype, (1, 1)
    return h


def _gemm_operand(a, rows, cols):
    """(array, ld, transposed) so that CLBlast can read ``a``'s last two dims, or None."""
    s0, s1 = a.est[-2:]
    if (s1 == 1 or cols == 1) and s0 >= max(cols, 1):
        return a, s0, False
    if (s0 == 1 or rows == 1) and s1 >= max(rows, 1):
        return a, s1, True
    if rows == 1 and s1 == 1:
        return a, max(cols, 1), False
    return None


def _clblast(out, x, y, batch, xb, yb, m, n, k):
    if out.dtype.char not in "fd" or not out.device.extra.get("use_clblast", True):
        return False
    pyclblast = _pyclblast()
    if pyclblast is None:
        return False
    _tune(pyclblast, out.device, m, n, k, 64 if out.dtype.char == "d" else 32)

    def operand(a, ab, rows, cols):  # CLBlast reads matrices with one unit stride
        got = _gemm_operand(a, rows, cols)
        if got is None:
            a = copy(a)
            ab = layout.broadcast(a.shape[:-2], a.est[:-2], batch)
            got = _gemm_operand(a, rows, cols)
        return got, ab

    (xa, lda, ta), xb = operand(x, xb, m, k)
    (yb_, ldb, tb), yb = operand(y, yb, k, n)
    bshape, (xs, ys, _) = layout.collapse(batch, xb, yb, out.est[:-2])
    if len(bshape) > 1:  # batch dims that are not one run: make them one
        x = copy(xa.view_of(xa.offset, batch + xa.shape[-2:],
                            layout.broadcast(xa.shape, xa.est, batch + xa.shape[-2:])))
        y = copy(yb_.view_of(yb_.offset, batch + yb_.shape[-2:],
                             layout.broadcast(yb_.shape, yb_.est, batch + yb_.shape[-2:])))
        return _clblast(out, x, y, batch, x.est[:-2], y.est[:-2], m, n, k)
    count = bshape[0] if bshape else 1
    q = out.device.queue
    # CLBlast's indirect GEMM pads copies of A, B and C into buffers of its own
    out.device.reserve(2 * count * (m * k + k * n + m * n) * out.dtype.itemsize)
    ha, hb, hc = _header(xa, out.dtype), _header(yb_, out.dtype), _header(out, out.dtype)
    try:
        if count == 1:
            event = pyclblast.gemm(q, m, n, k, ha, hb, hc, lda, ldb, n, a_transp=ta, b_transp=tb,
                           a_offset=xa.offset, b_offset=yb_.offset, c_offset=out.offset)
        else:
            sa = xs[0] if bshape else 0
            sb = ys[0] if bshape else 0
            event = pyclblast.gemmStridedBatched(q, m, n, k, count, ha, hb, hc, lda, ldb, n, sa, sb,
                                         m * n, a_transp=ta, b_transp=tb,
                                         a_offset=xa.offset, b_offset=yb_.offset,
                                         c_offset=out.offset)
    except RuntimeError:  # e.g. a device CLBlast cannot build for: use our kernel
        out.device.extra["use_clblast"] = False
        return False
    # pyclblast wraps CLBlast's event with an extra retain: a second wrapper that does not
    # retain releases it when dropped (else every call would leak an event)
    runtime.cl.Event.from_int_ptr(event.int_ptr, retain=False)
    return True


def _tiled(out, x, y, batch, xb, yb, m, n, k):
    """The backend's own GEMM: a work-group of T x T work-items computes a (W*T) x (W*T)
    tile of C, each work-item a W x W block held in registers, over K in steps of T kept
    in local memory (T, W = 8, 8 on CPUs: about 15 GFLOP/s here, 0.4x NumPy; 16, 4 on
    GPUs)."""
    dev = out.device
    t, w = (8, 8) if dev.is_cpu or dev.max_group < 256 else (16, 4)
    knl = dev.kernel(("matmul", out.dtype, t, w), lambda: _tiled_source(out.dtype, t, w),
                     "matmul")
    span = t * w
    gsize = (math.ceil(n / span) * t, math.ceil(m / span) * t, max(math.prod(batch), 1))
    batch, (xb, yb) = layout.pad(batch, xb, yb)
    knl(dev.queue, gsize, (t, t, 1), out.data, x.data, x.offset, y.data, y.offset,
        m, n, k, *x.est[-2:], *y.est[-2:], *batch, *xb, *yb)


def _tiled_source(dtype, t, w):
    ct = ctype(dtype)
    acc, span = ct.c, t * w
    fma = "acc[i][j] |= a[i] & b[j];" if ct.kind == "b" else "acc[i][j] += a[i] * b[j];"
    src = Source()
    src.buffer("c", dtype)
    src.buffer("a", dtype, const=True)
    src.longs(["aoff"])
    src.buffer("b", dtype, const=True)
    src.longs(["boff", "M", "N", "K", "as0", "as1", "bs0", "bs1", *layout.params("B"),
               *layout.params("ab"), *layout.params("bb")])
    src("  int tc = get_local_id(0), tr = get_local_id(1), me = tr * " + str(t) + " + tc;",
        f"  long col0 = get_group_id(0) * {span}, row0 = get_group_id(1) * {span};",
        "  long bt = get_global_id(2), ao = aoff, bo = boff;",
        layout.unravel_code("bt", "B", [("ao", "ab"), ("bo", "bb")]),
        f"  __local {acc} As[{span}][{t + 1}], Bs[{t}][{span}];",
        f"  {acc} acc[{w}][{w}];",
        f"  for (int i = 0; i < {w}; i++) for (int j = 0; j < {w}; j++) acc[i][j] = 0;",
        f"  for (long k0 = 0; k0 < K; k0 += {t}) {{",
        f"    for (int l = me; l < {span * t}; l += {t * t}) {{",
        f"      int r = l / {t}, q = l % {t};",
        f"      As[r][q] = (row0 + r < M && k0 + q < K) ? "
        f"{ct.load('a', 'ao + (row0 + r) * as0 + (k0 + q) * as1')} : 0;",
        f"      r = l / {span}; q = l % {span};",
        f"      Bs[r][q] = (k0 + r < K && col0 + q < N) ? "
        f"{ct.load('b', 'bo + (k0 + r) * bs0 + (col0 + q) * bs1')} : 0;",
        "    }",
        "    barrier(CLK_LOCAL_MEM_FENCE);",
        f"    for (int q = 0; q < {t}; q++) {{",
        f"      {acc} a[{w}], b[{w}];",
        f"      for (int i = 0; i < {w}; i++) {{ a[i] = As[tr + {t} * i][q]; "
        f"b[i] = Bs[q][tc + {t} * i]; }}",
        f"      for (int i = 0; i < {w}; i++) for (int j = 0; j < {w}; j++) {fma}",
        "    }",
        "    barrier(CLK_LOCAL_MEM_FENCE);",
        "  }",
        f"  for (int i = 0; i < {w}; i++) for (int j = 0; j < {w}; j++) {{",
        f"    long row = row0 + tr + {t} * i, col = col0 + tc + {t} * j;",
        "    if (row < M && col < N) "
        + ct.store("c", "bt * M * N + row * N + col", "acc[i][j]", ct),
        "  }")
    return src


# -- einsum ----------------------------------------------------------------------------------
def einsum(equation, *xs):
    from .reduce import reduce

    dtype = np.result_type(*[x.dtype for x in xs])
    terms, out_labels = _parse(equation, xs)
    sizes = {}
    for labels, x in zip(terms, xs):
        for lab, n in zip(labels, x.shape):
            if sizes.get(lab, 1) != 1 and n not in (1, sizes[lab]):
                raise ValueError(f"einsum: operands could not be broadcast: label {lab!r} has "
                                 f"sizes {sizes[lab]} and {n}")
            sizes[lab] = max(sizes.get(lab, 1), n) if n != 0 else 0
    ops = [(list(labels), x if x.dtype == dtype else astype(x, dtype))
           for labels, x in zip(terms, xs)]
    ops = [_diagonals(labels, x) for labels, x in ops]

    def needed(i):
        return set(out_labels).union(*[set(lab) for lab, _ in ops[i + 1:]])

    for i, (labels, x) in enumerate(ops):  # sum what only this operand has
        others = set(out_labels).union(*[set(lab) for j, (lab, _) in enumerate(ops) if j != i])
        drop = [d for d, lab in enumerate(labels) if lab not in others]
        if drop:
            x = reduce("sum", x, tuple(drop), False)
            labels = [lab for d, lab in enumerate(labels) if d not in drop]
        ops[i] = (labels, x)
    labels, acc = ops[0]
    for i in range(1, len(ops)):
        blabels, b = ops[i]
        labels, acc = _contract(labels, acc, blabels, b, needed(i), sizes)
    drop = tuple(d for d, lab in enumerate(labels) if lab not in out_labels)
    if drop:
        acc = reduce("sum", acc, drop, False)
        labels = [lab for d, lab in enumerate(labels) if d not in drop]
    order = [labels.index(lab) for lab in out_labels]
    shape, est = layout.permute(acc.shape, acc.est, order)
    shape_full = tuple(sizes[lab] for lab in out_labels)
    result = acc.view_of(acc.offset, shape, est)
    if shape != shape_full:
        result = result.view_of(result.offset, shape_full,
                                layout.broadcast(shape, est, shape_full))
    result = copy(result) if not result.contiguous else result
    return astype(result, dtype) if result.dtype != dtype else result


def _parse(equation, xs):
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(xs):
        raise ValueError(f"einsum: {len(terms)} operand(s) in the equation but {len(xs)} given")
    expanded, ell_nd = [], 0
    for term, x in zip(terms, xs):
        if "..." in term:
            head, tail = term.split("...")
            nd = x.ndim - len(head) - len(tail)
            ell_nd = max(ell_nd, nd)
            expanded.append(list(head) + [f".{i}" for i in range(nd, 0, -1)] + list(tail))
        else:
            if len(term) != x.ndim:
                raise ValueError(f"einsum: term {term!r} does not match an operand of "
                                 f"{x.ndim} dimensions")
            expanded.append(list(term))
    ell = [f".{i}" for i in range(ell_nd, 0, -1)]
    if arrow:
        if "..." in rhs:
            head, tail = rhs.split("...")
            out = list(head) + ell + list(tail)
        else:
            out = list(rhs)
    else:
        counts = {}
        for labels in expanded:
            for lab in labels:
                counts[lab] = counts.get(lab, 0) + 1
        out = ell + sorted(lab for lab, c in counts.items() if c == 1 and not lab.startswith("."))
    return expanded, out


def _diagonals(labels, x):
    """Take the diagonal of each label repeated within one operand."""
    while len(set(labels)) != len(labels):
        lab = next(lab for lab in labels if labels.count(lab) > 1)
        i = labels.index(lab)
        j = labels.index(lab, i + 1)
        offset, shape, est = layout.diagonal(x.offset, x.shape, x.est, i, j)
        x = x.view_of(offset, shape, est)
        labels = [v for d, v in enumerate(labels) if d not in (i, j)] + [lab]
    return labels, x


def _sum_unneeded(labels, arr, keep, other):
    from .reduce import reduce

    drop = tuple(d for d, lab in enumerate(labels) if lab not in keep and lab not in other)
    if drop:
        arr = reduce("sum", arr, drop, False)
        labels = [lab for d, lab in enumerate(labels) if d not in drop]
    return labels, arr


def _contract(la, a, lb, b, keep, sizes):
    la, a = _sum_unneeded(la, a, keep, lb)
    lb, b = _sum_unneeded(lb, b, keep, la)
    batch = [lab for lab in la if lab in lb and lab in keep]
    contracted = [lab for lab in la if lab in lb and lab not in keep]
    a_only = [lab for lab in la if lab not in lb]
    b_only = [lab for lab in lb if lab not in la]

    def arrange(labels, arr, order):
        shape, est = layout.permute(arr.shape, arr.est, [labels.index(lab) for lab in order])
        full_shape = tuple(sizes[lab] for lab in order)
        return arr.view_of(arr.offset, full_shape, layout.broadcast(shape, est, full_shape))

    def as3(arr, groups):
        shape = tuple(math.prod(sizes[lab] for lab in g) for g in groups)
        st = layout.reshape(arr.shape, arr.est, shape)
        if st is None:
            arr = copy(arr)
            st = layout.contiguous(shape)
        return arr.view_of(arr.offset, shape, st)

    a3 = as3(arrange(la, a, batch + a_only + contracted), [batch, a_only, contracted])
    b3 = as3(arrange(lb, b, batch + contracted + b_only), [batch, contracted, b_only])
    c = matmul(a3, b3)
    labels = batch + a_only + b_only
    shape = tuple(sizes[lab] for lab in labels)
    return labels, c.view_of(c.offset, shape, layout.contiguous(shape))


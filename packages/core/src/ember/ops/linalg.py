"""Matrix products: matmul (batched, broadcasting), mm, bmm, mv, dot, outer, einsum."""

from __future__ import annotations

from .._tensor import Tensor
from ..autograd.function import Function
from ._util import result_type, same_device, sum_to_shape


class Matmul(Function):
    """``a @ b`` for operands of at least 2 dimensions (1-d cases are reshaped around it)."""

    _internal = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a._device._k.matmul(a._data, b._data)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        return (sum_to_shape(g @ b.mT, a._data.shape) if ga else None,
                sum_to_shape(a.mT @ g, b._data.shape) if gb else None)


def _check(op, a, b):
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError(f"{op}(): argument 'other' must be Tensor, not "
                        f"{type(b if isinstance(a, Tensor) else a).__name__}")
    same_device(op, a, b)
    if a.dtype is not b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a.dtype} != "
                           f"{b.dtype}")


class Mm(Matmul):
    _node_name = "MmBackward0"


class Bmm(Matmul):  # matmul of more dimensions: PyTorch's bmm + _unsafe_view prints the view
    _node_name = "UnsafeViewBackward0"


class _Vec(Matmul):
    """``a @ b`` where ``b`` (and, for dot, ``a``) is a vector, as one node."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        k, A, B = a._device._k, a._data, b._data
        out = k.matmul(k.reshape(A, (1,) + A.shape) if A.ndim == 1 else A,
                       k.reshape(B, B.shape + (1,)))
        return k.reshape(out, out.shape[:-2] + (out.shape[-2],) if A.ndim == 2 else ())

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        return (g.unsqueeze(-1) * b if a._data.ndim == 2 else g * b) if ga else None, (
            (g.unsqueeze(-1) * a).sum(0) if a._data.ndim == 2 else g * a) if gb else None


class Mv(_Vec):
    _node_name = "MvBackward0"


class Dot(_Vec):
    _node_name = "DotBackward0"


def _out2(result, out):
    from .pointwise import _out

    return _out(result, out)


def matmul(input, other, *, out=None):
    return _matmul(input, other, out, None)


def _matmul(input, other, out, fn):
    _check("matmul", input, other)
    a, b = input, other
    da, db = a._data.ndim, b._data.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {da}D "
                           f"and {db}D")
    ka = a._data.shape[-1]
    kb = b._data.shape[-2] if db > 1 else b._data.shape[0]
    if ka != kb:
        if da <= 2 and db <= 2:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                               f"({'x'.join(map(str, _as2d(a._data.shape)))} and "
                               f"{'x'.join(map(str, _as2d(b._data.shape, True)))})")
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a._data.shape[0]}, {ka}] but got: "
                           f"[{b._data.shape[0]}, {kb}].")
    if da == 2 and db <= 2:  # PyTorch's mm / mv: one node, as PyTorch
        return _out2(Mm.apply(a, b) if db == 2 else Mv.apply(a, b), out)
    if da == 1 and db == 1:
        return _out2(Dot.apply(a, b), out)
    if da == 1:
        a = a.unsqueeze(0)
    if db == 1:
        b = b.unsqueeze(-1)
    result = (Bmm if fn is None else fn).apply(a, b)
    if db == 1:
        result = result.squeeze(-1)
    if da == 1:
        result = result.squeeze(-2 if db > 1 else -1)
    from .pointwise import _out

    return _out(result, out)


def _as2d(shape, right=False):
    if len(shape) == 1:
        return (shape[0], 1) if right else (1, shape[0])
    return shape


def mm(input, mat2, *, out=None):
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError("self must be a matrix" if input.ndim != 2 else "mat2 must be a "
                           "matrix")
    return matmul(input, mat2, out=out)


def bmm(input, mat2, *, out=None):
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor" if input.ndim != 3 else
                           "batch2 must be a 3D tensor")
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input.shape[0]}, {input.shape[2]}] but got: "
                           f"[{mat2.shape[0]}, {mat2.shape[1]}].")
    return _matmul(input, mat2, out, BmmOp)


class BmmOp(Matmul):  # torch.bmm
    _node_name = "BmmBackward0"


def mv(input, vec):
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.ndim}, {vec.ndim}")
    return matmul(input, vec)


def dot(input, other):
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D "
                           "tensors")
    if input.shape[0] != other.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
                           f"[{other.shape[0]}] to have the same number of elements, but got "
                           f"{input.shape[0]} and {other.shape[0]} elements respectively")
    return matmul(input, other)


inner = dot


def outer(input, vec2):
    dtype = result_type(input, vec2)
    return input.to(dtype).reshape(-1, 1) * vec2.to(dtype).reshape(1, -1)


ger = outer


class Einsum(Function):
    _internal = True

    @staticmethod
    def forward(ctx, equation, *xs):
        ctx.save_for_backward(*xs)
        ctx.equation = equation
        return xs[0]._device._k.einsum(equation, *[x._data for x in xs])

    @staticmethod
    def backward(ctx, g):
        xs = ctx.saved_tensors
        inputs, output = ctx.equation.split("->")
        subs = inputs.split(",")
        grads = [None]
        for i, x in enumerate(xs):
            if not ctx.needs_input_grad[i + 1]:
                grads.append(None)
                continue
            others = [s for j, s in enumerate(subs) if j != i]
            target = subs[i]
            unique = "".join(c for p, c in enumerate(target) if c not in target[:p])
            sizes = {c: x.shape[p] for p, c in enumerate(target)}
            present = set(output).union(*others)
            kept = "".join(c for c in unique if c in present)
            eq = ",".join([output] + others) + "->" + kept
            gx = einsum(eq, g, *[xs[j] for j in range(len(xs)) if j != i])
            if kept != unique:  # letters summed away only from x: the gradient broadcasts
                gx = gx.reshape([sizes[c] if c in present else 1 for c in unique]).expand(
                    [sizes[c] for c in unique])
            if unique != target:  # a repeated letter (a diagonal): zeros off the diagonal
                gx = _undiagonal(gx, unique, target, sizes, ctx.equation)
            grads.append(gx)
        return tuple(grads)


def _spare_letters(equation):
    import string

    return iter(c for c in string.ascii_letters if c not in equation)


def _undiagonal(g, unique, target, sizes, equation):
    """``g`` (subscripts ``unique``) placed on the diagonal of ``target``'s repeated letters."""
    from .creation import eye

    spare = _spare_letters(equation)
    out, deltas, eyes, seen = [], [], [], set()
    for c in target:
        if c in seen:
            fresh = next(spare)
            out.append(fresh)
            deltas.append(c + fresh)
            eyes.append(eye(sizes[c], dtype=g.dtype, device=g.device))
        else:
            seen.add(c)
            out.append(c)
    return einsum(",".join([unique] + deltas) + "->" + "".join(out), g, *eyes)


def _expand_ellipsis(equation, operands):
    """The equation with '...' spelled out in spare letters (right-aligned, broadcast as
    PyTorch does: size-1 ellipsis dimensions are expanded), and the operands to use."""
    inputs, arrow, output = equation.partition("->")
    subs = inputs.split(",")
    if len(subs) != len(operands):
        return equation, operands
    counts = [x.ndim - (len(s) - 3) if "..." in s else 0 for s, x in zip(subs, operands)]
    ndim = max(counts, default=0)
    spare = _spare_letters(equation)
    letters = "".join(next(spare) for _ in range(ndim))
    sizes = [1] * ndim
    new_subs, new_ops = [], list(operands)
    for idx, (s, x, n) in enumerate(zip(subs, operands, counts)):
        if "..." not in s:
            new_subs.append(s)
            continue
        if n < 0:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                               f"({len(s) - 3}) is more than the number of dimensions "
                               f"({x.ndim}) for operand {idx}")
        start = s.index("...")
        for k in range(n):
            size = x.shape[start + k]
            slot = ndim - n + k
            if size != 1:
                sizes[slot] = size
        new_subs.append(s.replace("...", letters[ndim - n:]))
    for idx, (s, x, n) in enumerate(zip(subs, operands, counts)):
        if "..." in s and n:
            start = s.index("...")
            target = list(x.shape)
            for k in range(n):
                if x.shape[start + k] == 1:
                    target[start + k] = sizes[ndim - n + k]
            if target != list(x.shape):
                new_ops[idx] = x.expand(target)
    if arrow:
        output = output.replace("...", letters)
    else:  # implicit output: the ellipsis dimensions first, then the letters used once
        used = [c for c in "".join(new_subs) if c.isalpha() and c not in letters]
        output = letters + "".join(sorted(c for c in set(used) if used.count(c) == 1))
    return ",".join(new_subs) + "->" + output, tuple(new_ops)


def einsum(equation, *operands):
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    equation = equation.replace(" ", "")
    if "..." in equation:
        equation, operands = _expand_ellipsis(equation, operands)
    if "->" not in equation:
        inputs = equation
        letters = [c for c in inputs if c.isalpha()]
        equation = inputs + "->" + "".join(sorted(c for c in set(letters)
                                                  if letters.count(c) == 1))
    subs = equation.split("->")[0].split(",")
    if len(subs) != len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation" if len(operands) > len(subs) else
                           "einsum(): fewer operands were provided than specified in the "
                           "equation")
    for s, x in zip(subs, operands):
        if len(s) != x.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(s)}) "
                               f"does not match the number of dimensions ({x.ndim}) for operand "
                               f"{subs.index(s)} and no ellipsis was given")
    dtype = result_type(*operands)
    same_device("einsum", *operands)
    return Einsum.apply(equation, *[x.to(dtype) for x in operands])


__all__ = [_n for _n, _v in list(globals().items())
           if not _n.startswith("_") and callable(_v) and not isinstance(_v, type)
           and getattr(_v, "__module__", None) == __name__]

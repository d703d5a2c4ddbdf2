"""``gradcheck``: analytical gradients against float64 central finite differences."""

from __future__ import annotations


class GradcheckError(RuntimeError):
    """Raised by gradcheck when the gradients disagree (a RuntimeError, as in PyTorch)."""


def _inputs(inputs):
    from .._tensor import Tensor

    if isinstance(inputs, Tensor):
        return (inputs,)
    return tuple(inputs)


def _outputs(out):
    from .._tensor import Tensor

    # integer outputs (indices of sort, max, ...) are not differentiable: not checked
    outs = (out,) if isinstance(out, Tensor) else tuple(o for o in out if isinstance(o, Tensor))
    return tuple(o for o in outs if o.is_floating_point())


def _numerical_jacobian(fn, inputs, i, eps):
    """d(flattened outputs)/d(inputs[i]) by central differences, as float64 rows per element."""
    from .. import no_grad

    x = inputs[i]
    columns = []
    data = x.data  # perturbing .data leaves x's version counter alone
    with no_grad():
        for j in range(x.numel()):
            at = _unravel(j, x.shape)  # in place even when x is not contiguous
            orig = data[at].item()
            data[at] = orig + eps
            plus = [o.detach().double().reshape(-1).clone() for o in _outputs(fn(*inputs))]
            data[at] = orig - eps
            minus = [o.detach().double().reshape(-1).clone() for o in _outputs(fn(*inputs))]
            data[at] = orig
            columns.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    return columns  # columns[j][k]: output k's derivative w.r.t. element j


def _unravel(j, shape):
    at = []
    for n in reversed(shape):
        j, r = divmod(j, n)
        at.append(r)
    return tuple(reversed(at))


def _analytical_jacobian(fn, inputs, i, outputs):
    from .. import zeros_like
    from .engine import grad

    x = inputs[i]
    rows = []  # rows[k][m] is d out_k[m] / d x as a flat tensor
    for out in outputs:
        per_out = []
        flat_n = out.numel()
        for m in range(flat_n):
            seed = zeros_like(out).reshape(-1)
            seed[m] = 1.0
            (g,) = grad(out, x, seed.reshape(out.shape), retain_graph=True, allow_unused=True)
            per_out.append(zeros_like(x).reshape(-1) if g is None else g.reshape(-1).double())
        rows.append(per_out)
    return rows


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, fast_mode=False, masked=None):
    """Check ``func``'s gradients w.r.t. inputs that require grad against finite differences."""
    from .. import float64

    inputs = _inputs(inputs)
    diff = [i for i, x in enumerate(inputs) if getattr(x, "requires_grad", False)]
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of the them have requires_grad=True.")
    for i in diff:
        if inputs[i].dtype is not float64:
            import warnings

            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating "
                          "point. This check will likely fail if all the inputs are not of double "
                          "precision floating point. ", UserWarning, stacklevel=2)
    outputs = _outputs(func(*inputs))
    for i in diff:
        numerical = _numerical_jacobian(func, inputs, i, eps)
        analytical = _analytical_jacobian(func, inputs, i, outputs)
        for k, out in enumerate(outputs):
            if not out.requires_grad:
                continue
            for m in range(out.numel()):
                for j in range(inputs[i].numel()):
                    a = analytical[k][m][j].item()
                    n = numerical[j][k][m].item()
                    if abs(a - n) > atol + rtol * abs(n):
                        msg = (f"Jacobian mismatch for output {k} with respect to input {i},\n"
                               f"numerical:{n}\nanalytical:{a}\n(at output element {m}, input "
                               f"element {j})")
                        if raise_exception:
                            raise GradcheckError(msg)
                        return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, **kwargs):
    """gradcheck of the gradient function itself (second derivatives)."""
    from .. import randn_like
    from .engine import grad

    inputs = _inputs(inputs)
    outputs = _outputs(func(*inputs))
    if grad_outputs is None:
        grad_outputs = tuple(randn_like(o).requires_grad_() for o in outputs)
    grad_outputs = _inputs(grad_outputs)
    n_in = len(inputs)
    diff = [i for i, x in enumerate(inputs) if getattr(x, "requires_grad", False)]

    def first_grads(*args):
        from .grad_mode import enable_grad

        ins, gos = args[:n_in], args[n_in:]
        with enable_grad():  # the numerical Jacobian calls this under no_grad
            outs = _outputs(func(*ins))
            gs = grad(outs, [ins[i] for i in diff], gos, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_grads, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)

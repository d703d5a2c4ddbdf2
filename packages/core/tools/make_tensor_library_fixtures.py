"""Generate the PyTorch reference fixtures of the tensor-library tests (run once; commit).

    python packages/core/tools/make_tensor_library_fixtures.py

Writes ``packages/core/tests/fixtures/tensor_library/torch_reference.json``:

- ``special``: float64 and float32 values of the special functions on fixed grids
  (NumPy has no erf, lgamma, digamma, Bessel functions, ...);
- ``cases``: expressions such as ``torch.cummax(x, 0)`` with their inputs and PyTorch's
  outputs; the tests evaluate the same expression with ``torch`` bound to ``ember``;
- ``grads``: the same, with a fixed output gradient and PyTorch's input gradients (for
  backward formulas with a PyTorch-specific convention: ties, zeros, singular matrices).

PyTorch is needed only here; ember and its tests never import it.
"""

from __future__ import annotations

import json
import math
import pathlib

import numpy as np
import torch

OUT = (pathlib.Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "tensor_library"
       / "torch_reference.json")
NAN, INF = math.nan, math.inf


def enc(t):
    """A tensor (or a tuple of them, or a number) as JSON."""
    if isinstance(t, (tuple, list)):
        return {"tuple": [enc(x) for x in t]}
    if isinstance(t, torch.Tensor):
        t = t.detach()
        return {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape),
                "data": t.reshape(-1).tolist()}
    return {"scalar": t}


# -- special functions ----------------------------------------------------------------------
GRID = sorted(set(
    [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 1.5, 2.0, -2.5, 3.0, -3.7, 5.0, 7.25, -9.5, 10.0, 20.0,
     35.0, 100.0, 1e-8, -1e-8, 1e-300, 700.0, -700.0, INF, -INF]
    + list(np.round(np.linspace(-6, 6, 49), 6)) + list(np.round(np.geomspace(1e-4, 50, 25), 9))),
    key=lambda v: (math.isnan(v), v))
UNIT = [-1.0, -0.999999, -0.99, -0.9, -0.5, -0.1, -1e-6, 0.0, 1e-6, 0.1, 0.3, 0.5, 0.75, 0.9,
        0.99, 0.999999, 1.0, 1.5, -1.5]
PROB = [0.0, 1e-300, 1e-20, 1e-8, 0.001, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999999, 1.0]

SPECIAL = {
    "erf": (torch.erf, GRID), "erfc": (torch.erfc, GRID), "erfinv": (torch.erfinv, UNIT),
    "lgamma": (torch.lgamma, GRID), "digamma": (torch.digamma, GRID),
    "polygamma1": (lambda t: torch.polygamma(1, t), GRID),
    "polygamma2": (lambda t: torch.polygamma(2, t), GRID),
    "polygamma3": (lambda t: torch.polygamma(3, t), GRID),
    "i0": (torch.i0, GRID), "i0e": (torch.special.i0e, GRID), "i1": (torch.special.i1, GRID),
    "i1e": (torch.special.i1e, GRID), "erfcx": (torch.special.erfcx, GRID),
    "ndtr": (torch.special.ndtr, GRID), "log_ndtr": (torch.special.log_ndtr, GRID),
    "ndtri": (torch.special.ndtri, PROB), "entr": (torch.special.entr, GRID),
    "sinc": (torch.sinc, GRID), "exp2": (torch.exp2, GRID), "log2": (torch.log2, GRID),
    "log10": (torch.log10, GRID), "tan": (torch.tan, GRID), "asin": (torch.asin, UNIT),
    "acos": (torch.acos, UNIT), "atan": (torch.atan, GRID), "sinh": (torch.sinh, GRID),
    "cosh": (torch.cosh, GRID), "asinh": (torch.asinh, GRID), "acosh": (torch.acosh, GRID),
    "atanh": (torch.atanh, UNIT), "logit": (torch.logit, PROB), "expit": (torch.special.expit,
                                                                          GRID),
    "frac": (torch.frac, GRID), "signbit": (torch.signbit, GRID),
    "nan_to_num": (torch.nan_to_num, GRID),
}


def special_tables():
    out = {}
    for name, (fn, grid) in SPECIAL.items():
        for dtype in (torch.float64, torch.float32):
            x = torch.tensor(grid, dtype=torch.float64).to(dtype)
            y = fn(x)
            out[f"{name}/{str(dtype).replace('torch.', '')}"] = {"x": enc(x), "y": enc(y)}
    return out


# -- op cases -------------------------------------------------------------------------------
def _rng(seed):
    return np.random.default_rng(seed)


def T(a, dtype=None):
    return torch.tensor(np.asarray(a), dtype=dtype)


def case_inputs():
    r = _rng(0)
    ties = T(r.integers(0, 4, (3, 7)).astype(np.float64))
    nans = T([[1.0, NAN, 3.0, NAN, 5.0, 0.5, 5.0], [NAN, NAN, NAN, 1.0, 2.0, 2.0, -1.0],
              [2.0, 2.0, 1.0, 1.0, 0.0, 3.0, 3.0]])
    allnan = T([[NAN, NAN, NAN], [1.0, NAN, 2.0]])
    ints = T(r.integers(-3, 4, (4, 5)))
    return {
        "ties": ties, "nans": nans, "allnan": allnan, "ints": ints,
        "vec": T(r.standard_normal(9)), "mat": T(r.standard_normal((4, 5))),
        "cube": T(r.standard_normal((2, 3, 4))), "bools": T(r.integers(0, 2, (3, 4)) > 0),
        "sorted": T([[1.0, 2.0, 2.0, 3.0, NAN], [0.0, 0.5, 1.0, 1.5, 2.0]]),
        "probe": T([[2.0, NAN, -1.0], [1.0, 3.0, 0.5]]),
        "bounds": T([1, 3, 5, 7]), "vals": T([[1, 5], [3, 9], [0, 7]]),
        "counts": T([0, 2, 2, 5, 1, 0]), "w": T([0.5, 1.0, 2.0, 0.25, 1.0, 3.0]),
        "rows": T([[1, 2], [1, 2], [0, 5], [1, 2], [0, 5], [3, 3]]),
        "runs": T([1, 1, 2, 2, 3, 1, 1, 2]), "q": T([0.0, 0.25, 0.5, 0.9, 1.0]),
        "sq": T(r.standard_normal((3, 3))), "tall": T(r.standard_normal((5, 3))),
        "wide": T(r.standard_normal((2, 4))), "rhs": T(r.standard_normal((5, 2))),
        "sing": T([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]]),
        "spd": T([[4.0, 2.0, 0.6], [2.0, 5.0, 1.0], [0.6, 1.0, 3.0]]),
        "hist": T(r.standard_normal(50)),
    }


CASES = [
    # scans
    "torch.cummax(ties, 1)", "torch.cummin(ties, 1)", "torch.cummax(nans, 1)",
    "torch.cummin(nans, 1)", "torch.cummax(ints, 0)", "torch.cummax(bools, 1)",
    "torch.logcumsumexp(mat, 1)", "torch.logcumsumexp(nans, 1)",
    "torch.logcumsumexp(torch.tensor([[-1e30, 2.0, float('-inf')], [float('-inf')] * 3]), 1)",
    # order statistics
    "torch.median(ties, 1)", "torch.median(nans, 1)", "torch.median(ints, 0)",
    "torch.median(nans)", "torch.median(ties)", "torch.nanmedian(nans, 1)",
    "torch.nanmedian(allnan, 1)", "torch.nanmedian(nans)", "torch.mode(ties, 1)",
    "torch.mode(ints, 0)", "torch.mode(torch.tensor([1, 2, 2, 3, 3, 1, 0]))",
    "torch.kthvalue(mat, 2, 1)", "torch.kthvalue(nans, 7, 1)",
    "torch.topk(mat, 3, 1)", "torch.topk(mat, 2, 0, largest=False)", "torch.topk(nans, 3)",
    "torch.sort(nans, 1)", "torch.sort(nans, 1, descending=True)", "torch.sort(ties, 0)",
    "torch.sort(ints, dim=1, descending=True, stable=True)", "torch.argsort(mat, 0)",
    "torch.msort(mat)",
    # quantiles
    "torch.quantile(mat, 0.3)", "torch.quantile(mat, q.to(mat.dtype), 1)",
    "torch.quantile(mat, 0.5, 0, keepdim=True)", "torch.quantile(nans, 0.5, 1)",
    "torch.nanquantile(nans, q.to(nans.dtype), 1)", "torch.nanquantile(allnan, 0.5, 1)",
    "torch.quantile(vec, q.to(vec.dtype), interpolation='lower')",
    "torch.quantile(vec, q.to(vec.dtype), interpolation='higher')",
    "torch.quantile(vec, q.to(vec.dtype), interpolation='midpoint')",
    "torch.quantile(vec, q.to(vec.dtype), interpolation='nearest')",
    "torch.quantile(mat, q.to(mat.dtype), 1, keepdim=True, interpolation='nearest')",
    # unique and counting
    "torch.unique(ties, return_inverse=True, return_counts=True)",
    "torch.unique(nans, return_inverse=True, return_counts=True)",
    "torch.unique(rows, dim=0, return_inverse=True, return_counts=True)",
    "torch.unique(rows, dim=1, return_inverse=True, return_counts=True)",
    "torch.unique_consecutive(runs, return_inverse=True, return_counts=True)",
    "torch.unique_consecutive(rows, dim=0, return_counts=True)",
    "torch.bincount(counts)", "torch.bincount(counts, w)", "torch.bincount(counts, minlength=9)",
    "torch.bincount(counts, counts)",
    "torch.histc(hist, bins=7)", "torch.histc(hist, bins=5, min=-1, max=1)",
    "torch.histc(torch.tensor([1.0, 1.0, 1.0]), bins=4)",
    # searching
    "torch.searchsorted(sorted, probe)", "torch.searchsorted(sorted, probe, right=True)",
    "torch.searchsorted(sorted[1], probe)", "torch.searchsorted(bounds, vals, side='right')",
    "torch.bucketize(vals, bounds)", "torch.bucketize(vals, bounds, right=True)",
    "torch.bucketize(3, bounds)", "torch.isin(ints, torch.tensor([0, 2, 7]))",
    "torch.isin(ints, torch.tensor([0, 2, 7]), invert=True)",
    # reductions
    "torch.nanmean(nans, 1)", "torch.nanmean(allnan)", "torch.aminmax(mat, dim=1)",
    "torch.aminmax(ints)", "torch.std_mean(mat, 1)", "torch.var_mean(mat, (0, 1), correction=0)",
    # shape
    "torch.tensor_split(vec, 4)", "torch.tensor_split(vec, (1, 6, 12))",
    "torch.tensor_split(mat, torch.tensor([1, 3]), 1)", "torch.repeat_interleave(counts)",
    "torch.repeat_interleave(mat, torch.tensor([1, 0, 2, 1]), 0)",
    "torch.repeat_interleave(ints, 2)", "torch.rot90(mat, 1, [0, 1])",
    "torch.rot90(cube, -1, [2, 0])", "torch.roll(mat, (1, -2), (0, 1))", "torch.roll(mat, 3)",
    "torch.diag_embed(mat, 1, 0, 2)", "torch.diagonal(cube, 1, 2, 0)", "torch.diag(mat, -1)",
    "torch.diag(vec[:3], 1)", "torch.tril(mat, -1)", "torch.triu(cube, 1)",
    "torch.block_diag(mat[:2, :2], torch.tensor(3.0, dtype=mat.dtype), vec[:3])",
    "torch.combinations(vec[:4], 3)", "torch.combinations(vec[:3], 2, with_replacement=True)",
    "torch.cartesian_prod(vec[:2], vec[2:5])", "torch.diff(vec, 2)",
    "torch.diff(mat, 1, 0, prepend=mat[:1])", "torch.tril_indices(4, 3, 1)",
    "torch.triu_indices(3, 5, -1)",
    # indexing
    "x = mat.clone(); x.scatter_reduce(1, torch.tensor([[0, 1, 0, 4, 4]] * 4), mat, 'prod')",
    "mat.scatter_reduce(0, torch.tensor([[0, 1, 0, 0, 2]]), mat[:1], 'amax', "
    "include_self=False)",
    "mat.scatter_reduce(0, torch.tensor([[0, 1, 0, 0, 2]]), mat[:1], 'mean')",
    "ints.scatter_reduce(0, torch.tensor([[0, 1, 0, 0, 2]]), ints[:1], 'mean', "
    "include_self=False)",
    "ints.scatter_reduce(1, torch.tensor([[1, 1, 0, 4, 3]] * 4), ints, 'amin')",
    "mat.index_add(1, torch.tensor([0, 0, 4]), mat[:, :3], alpha=2)",
    "mat.index_copy(0, torch.tensor([3, 0]), mat[:2] * 10)",
    "mat.index_fill(1, torch.tensor([1, 3]), -1.5)",
    "mat.index_put((torch.tensor([0, 0, 2]), torch.tensor([1, 1, 3])), torch.tensor([1.0, 2.0, "
    "3.0], dtype=mat.dtype), accumulate=True)",
    "mat.index_reduce(0, torch.tensor([0, 0, 2]), mat[:3] + 2, 'prod', include_self=False)",
    "mat.masked_scatter(mat > 0, cube.reshape(-1))", "torch.take(mat, torch.tensor([[0, 19], "
    "[5, 7]]))", "torch.argwhere(ints)",
    "mat.put(torch.tensor([1, 1, 7]), torch.tensor([9.0, 8.0, 7.0], dtype=mat.dtype), "
    "accumulate=True)",
    "torch.select_scatter(mat, vec[:5], 0, 2)",
    "torch.slice_scatter(mat, mat[:, :2] * 0, 1, 1, 5, 2)",
    "torch.diagonal_scatter(mat, vec[:3], -1)",
    # linear algebra
    "torch.linalg.det(sq)", "torch.linalg.det(sing)", "torch.linalg.slogdet(sing)",
    "torch.linalg.slogdet(sq)", "torch.logdet(sq @ sq.mT)", "torch.linalg.inv(sq)",
    "torch.linalg.solve(sq, rhs[:3])", "torch.linalg.cholesky(spd)",
    "torch.linalg.cholesky(spd, upper=True)", "torch.linalg.qr(tall)",
    "torch.linalg.qr(wide, mode='complete')", "torch.linalg.qr(tall, mode='r')",
    "torch.linalg.eigvalsh(spd)", "torch.linalg.svdvals(tall)", "torch.linalg.pinv(tall)",
    "torch.linalg.pinv(sing)", "torch.linalg.pinv(spd, hermitian=True)",
    "torch.linalg.matrix_rank(sing)", "torch.linalg.matrix_rank(tall)",
    "torch.linalg.lstsq(tall, rhs)", "torch.linalg.lstsq(tall, rhs, driver='gelsd')",
    "torch.linalg.lstsq(tall, rhs[:, 0], driver='gelss')",
    "torch.linalg.lstsq(tall, rhs, driver='gels')", "torch.linalg.matrix_power(sq, 5)",
    "torch.linalg.matrix_power(sq, -2)", "torch.linalg.multi_dot([wide, tall[:4], sq, vec[:3]])",
    "torch.linalg.vector_norm(mat, 3.5, 1)", "torch.linalg.vector_norm(mat, 0)",
    "torch.linalg.vector_norm(mat, float('-inf'))", "torch.linalg.matrix_norm(cube, 'nuc')",
    "torch.linalg.matrix_norm(mat, -2)", "torch.linalg.matrix_norm(mat, 1)",
    "torch.linalg.norm(mat)", "torch.linalg.norm(vec, 1)", "torch.linalg.norm(mat, float('inf'))",
    "torch.linalg.cond(sq)", "torch.linalg.cross(cube[:, :, :3], cube[:, :, 1:])",
    "torch.linalg.solve_triangular(spd.triu(), rhs[:3], upper=True)",
    "torch.linalg.lu_factor(sq)", "torch.linalg.lu(sq)",
    "torch.cdist(mat, mat[:2] + 0.5)", "torch.cdist(mat, mat, p=1.0)",
    "torch.dist(mat, mat * 2, 3)",
    "torch.tensordot(cube, mat[:3], dims=([1], [0]))", "torch.kron(mat[:2, :2], sq)",
    "torch.trace(mat)", "torch.addmm(sq, tall[:3], sq, beta=0.5, alpha=2)",
    "torch.addmv(vec[:3], sq, vec[3:6], alpha=-1)",
    "torch.baddbmm(cube[:, :, :3], cube, cube.transpose(1, 2)[:, :, :3], beta=0.5)",
    "torch.addr(sq, vec[:3], vec[3:6])", "torch.renorm(mat, 2, 0, 1.0)",
    "torch.cholesky_solve(rhs[:3], torch.linalg.cholesky(spd))",
    "torch.cholesky_inverse(torch.linalg.cholesky(spd))",
]

GRADS = [
    ("torch.cummax(ties, 1)[0]", ["ties"]), ("torch.cummin(nans, 1)[0]", ["nans"]),
    ("torch.logcumsumexp(mat, 1)", ["mat"]), ("torch.median(ties)", ["ties"]),
    ("torch.median(ties, 1)[0]", ["ties"]), ("torch.nanmedian(nans)", ["nans"]),
    ("torch.mode(ties, 1)[0]", ["ties"]), ("torch.kthvalue(mat, 2, 1)[0]", ["mat"]),
    ("torch.quantile(mat, q.double(), 1)", ["mat"]),
    ("torch.nanquantile(nans, 0.4, 1)", ["nans"]), ("torch.amax(ties, 1)", ["ties"]),
    ("mat.scatter_reduce(1, torch.tensor([[0, 1, 0, 4, 4]] * 4), mat * mat, 'prod')", ["mat"]),
    ("ties.scatter_reduce(1, torch.tensor([[0, 1, 0, 6, 6, 6, 1]] * 3), ties, 'amax')",
     ["ties"]),
    ("ties.scatter_reduce(1, torch.tensor([[0, 1, 0, 6, 6, 6, 1]] * 3), ties * 2, 'amin', "
     "include_self=False)", ["ties"]),
    ("mat.scatter_reduce(0, torch.tensor([[0, 1, 0, 0, 2]]), mat[:1] * 3, 'mean')", ["mat"]),
    ("torch.linalg.det(sing)", ["sing"]), ("torch.linalg.det(sq)", ["sq"]),
    ("torch.linalg.vector_norm(mat * 0, 2, 1)", ["mat"]),
    ("torch.linalg.vector_norm(ties, float('inf'), 1)", ["ties"]),
    ("torch.nan_to_num(nans, 1.0)", ["nans"]), ("torch.fmax(ties, ties.flip(1))", ["ties"]),
    ("torch.copysign(mat, -mat.flip(1))", ["mat"]),
    ("torch.xlogy(ties[:, :5] - 1, mat[:3].abs())", ["ties", "mat"]),
    ("torch.special.entr(ties)", ["ties"]), ("torch.sinc(ties - 1)", ["ties"]),
    ("torch.logit(torch.sigmoid(mat), eps=0.3)", ["mat"]),
    ("torch.cdist(mat, mat)", ["mat"]), ("torch.linalg.matrix_norm(mat, 2)", ["mat"]),
    ("torch.special.i1(mat * 0)", ["mat"]),
]


def cases_table(dtype):
    inputs = case_inputs()
    inputs = {k: (v.to(dtype) if v.is_floating_point() else v) for k, v in inputs.items()}
    table = {}
    for expr in CASES:
        env = dict(inputs, torch=torch)
        code = expr
        if ";" in expr:
            setup, code = expr.rsplit(";", 1)
            exec(setup, env)
        out = eval(code, env)
        table[expr] = enc(out)
    return {"inputs": {k: enc(v) for k, v in inputs.items()}, "outputs": table}


def grads_table():
    inputs = {k: (v.double() if v.is_floating_point() else v)
              for k, v in case_inputs().items()}
    table = {}
    r = _rng(7)
    for expr, wrt in GRADS:
        env = dict({k: v.clone() for k, v in inputs.items()}, torch=torch)
        for name in wrt:
            env[name].requires_grad_(True)
        out = eval(expr, env)
        g = torch.tensor(r.standard_normal(tuple(out.shape)), dtype=out.dtype)
        grads = torch.autograd.grad(out, [env[n] for n in wrt], g, allow_unused=True)
        table[expr] = {"wrt": wrt, "grad_output": enc(g), "out": enc(out),
                       "grads": [enc(x) if x is not None else None for x in grads]}
    return table


def main():
    data = {
        "torch_version": torch.__version__,
        "special": special_tables(),
        "cases": {"float64": cases_table(torch.float64), "float32": cases_table(torch.float32)},
        "grads": grads_table(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, separators=(",", ":")))
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()

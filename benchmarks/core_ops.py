"""Issue 2 targets: small eager op, small autograd, matmul 1024, import time (cpu backend).

Run with the BLAS environment overrides removed, e.g.
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/core_ops.py
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from _harness import blas_report, compare, show

import ember


def small_op():
    a, b = ember.ones(16), ember.ones(16)
    na, nb = np.ones(16, np.float32), np.ones(16, np.float32)
    cands = {"ember": lambda: a + b, "numpy": lambda: na + nb}
    try:
        import torch

        ta, tb = torch.ones(16), torch.ones(16)
        cands["torch"] = lambda: ta + tb
    except ImportError:
        pass
    show("c = a + b, 16 float32 elements (per op)", compare(cands, 20000),
         baseline="torch" if "torch" in cands else "numpy")


def small_autograd():
    x, y = ember.randn(16, requires_grad=True), ember.randn(16, requires_grad=True)
    nx, ny = np.random.randn(16).astype(np.float32), np.random.randn(16).astype(np.float32)

    def by_hand():  # the same forward and backward written in NumPy
        s = nx * ny + nx
        mask = s > 0
        g = mask.astype(np.float32)
        return g * ny + g, g * nx

    cands = {"ember": lambda: ((x * y) + x).relu().sum().backward(), "numpy": by_hand}
    try:
        import torch

        tx, ty = torch.randn(16, requires_grad=True), torch.randn(16, requires_grad=True)
        cands["torch"] = lambda: ((tx * ty) + tx).relu().sum().backward()
    except ImportError:
        pass
    show("((a*b)+a).relu().sum().backward(), 16 elements (per iteration)",
         compare(cands, 2000), baseline="torch" if "torch" in cands else "numpy")


def matmul():
    n = 1024
    a, b = ember.randn(n, n), ember.randn(n, n)
    na, nb = a.numpy(), b.numpy()
    # ember and NumPy alternate (both run OpenBLAS's threads); PyTorch runs after them, on
    # its own: its OpenMP threads keep spinning after each call and, alternated, would take
    # the two cores from OpenBLAS (every side then measures a third of its speed).
    times = compare({"ember": lambda: a @ b, "numpy": lambda: na @ nb}, 10, repeats=11)
    try:
        import torch

        ta, tb = torch.from_numpy(na), torch.from_numpy(nb)
        times.update(compare({"torch": lambda: ta @ tb}, 10, repeats=11))
    except ImportError:
        pass
    print("\nmatmul 1024x1024 float32 (GFLOP/s, higher is better)")
    for name, t in times.items():
        print(f"  {name:<10} {2 * n**3 / t / 1e9:10.1f} GFLOP/s  "
              f"({times['numpy'] / t:.2f}x numpy)")


def import_time():
    code = "import time; t=time.perf_counter(); import ember; ember.ones(3) + 1; " \
           "print(time.perf_counter() - t)"
    runs = sorted(float(subprocess.check_output([sys.executable, "-c", code]).decode())
                  for _ in range(7))
    print(f"\nimport ember + first op on cpu: median {runs[3] * 1e3:.0f} ms (7 fresh processes)")


if __name__ == "__main__":
    print("BLAS:", blas_report())
    small_op()
    small_autograd()
    matmul()
    import_time()

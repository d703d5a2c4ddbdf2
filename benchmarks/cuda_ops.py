"""GPU targets of issue 6 (needs an NVIDIA GPU; prints a note and exits 0 without one).

matmul 8192x8192 float32 with TF32 off on both sides (>= 0.9x torch.matmul throughput) and
the launch overhead of one small eager op (<= 3x PyTorch's). Training steps at large batch
run through ``training.py --device cuda --mlp-batch 4096 --cnn-batch 512``.
"""

from __future__ import annotations

import os

os.environ.setdefault("CUPY_TF32", "0")  # CuPy's float32 matmul without TF32, as torch below

from _harness import compare, show  # noqa: E402

import ember  # noqa: E402


def main():
    if not ember.cuda.is_available():
        print("no usable NVIDIA GPU here: cuda benchmarks skipped")
        return
    import torch

    torch.backends.cuda.matmul.allow_tf32 = False
    print("GPU:", ember.cuda.get_device_name(0))
    n = 8192
    a, b = ember.randn(n, n, device="cuda"), ember.randn(n, n, device="cuda")
    ta, tb = torch.randn(n, n, device="cuda"), torch.randn(n, n, device="cuda")

    def ember_mm():
        a @ b
        ember.cuda.synchronize()

    def torch_mm():
        ta @ tb
        torch.cuda.synchronize()

    times = compare({"ember": ember_mm, "torch": torch_mm}, 5, repeats=5)
    print("\nmatmul 8192x8192 float32, TF32 off (TFLOP/s)")
    for name, t in times.items():
        print(f"  {name:<10} {2 * n**3 / t / 1e12:8.2f} TFLOP/s ({times['torch'] / t:.2f}x torch)")

    x, y = ember.ones(16, device="cuda"), ember.ones(16, device="cuda")
    tx, ty = torch.ones(16, device="cuda"), torch.ones(16, device="cuda")

    def ember_small():
        for _ in range(100):
            x + y
        ember.cuda.synchronize()

    def torch_small():
        for _ in range(100):
            tx + ty
        torch.cuda.synchronize()

    times = compare({"ember": ember_small, "torch": torch_small}, 20, repeats=5)
    show("c = a + b on 16 elements, 100 launches then one synchronize (per launch)",
         {k: v / 100 for k, v in times.items()}, baseline="torch")


if __name__ == "__main__":
    main()

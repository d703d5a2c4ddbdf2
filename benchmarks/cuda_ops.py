"""GPU targets of issue 6 (needs an NVIDIA GPU; prints a note and exits 0 without one).

matmul 8192x8192 float32 with TF32 off on both sides (>= 0.9x torch.matmul throughput), the
launch overhead of one small eager op (<= 3x PyTorch's), and forward + backward of the ops
with fused kernels (layer_norm, rms_norm, gelu, dropout, cross_entropy, softmax) through
``nn.functional``. Training steps at large batch run through ``training.py --device cuda
--mlp-batch 4096 --cnn-batch 512``.
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
    fused_ops(torch)


_FUSED = {  # name: (input shape, fn(F, x, w, target)) with w of x.shape[-1:]
    "layer_norm (8192, 1024)": ((8192, 1024),
                                lambda F, x, w, t: F.layer_norm(x, x.shape[-1:], w, w)),
    "rms_norm (8192, 1024)": ((8192, 1024), lambda F, x, w, t: F.rms_norm(x, x.shape[-1:], w)),
    "gelu (8192, 4096)": ((8192, 4096), lambda F, x, w, t: F.gelu(x)),
    "gelu tanh (8192, 4096)": ((8192, 4096), lambda F, x, w, t: F.gelu(x, approximate="tanh")),
    "dropout p=0.1 (8192, 4096)": ((8192, 4096), lambda F, x, w, t: F.dropout(x, 0.1)),
    "softmax (8192, 4096)": ((8192, 4096), lambda F, x, w, t: F.softmax(x, -1)),
    "cross_entropy (8192, 32000)": ((8192, 32000), lambda F, x, w, t: F.cross_entropy(x, t)),
}


def _fused_step(fw, shape, fn):
    x = fw.randn(*shape, device="cuda", requires_grad=True)
    w = fw.ones(shape[-1], device="cuda", requires_grad=True)
    t = fw.randint(0, shape[-1], (shape[0],), device="cuda")
    sync = fw.cuda.synchronize

    def step():
        out = fn(fw.nn.functional, x, w, t)
        out.backward(fw.ones_like(out))
        x.grad = w.grad = None
        sync()
    return step


def fused_ops(torch):
    """Forward + backward of the fused kernels' ops, float32, against torch's CUDA kernels."""
    for name, (shape, fn) in _FUSED.items():
        times = compare({"ember": _fused_step(ember, shape, fn),
                         "torch": _fused_step(torch, shape, fn)}, 10, repeats=3)
        show(f"{name} float32, forward + backward", times, baseline="torch")


if __name__ == "__main__":
    main()

"""Training-step timings: ember against PyTorch on the same models, data and optimizers.

Issue 4 targets (cpu): MLP step <= 0.8x PyTorch, CNN step <= 1.5x, tiny GPT step <= 1.5x,
and resident memory flat over 2,000 MLP steps. The model code is written once and built
with either framework's module (``fw`` is ``ember`` or ``torch``).

    python benchmarks/training.py [--device cpu] [--only mlp,cnn,gpt,memory]
        [--mlp-batch 128] [--cnn-batch 64]
"""

from __future__ import annotations

import argparse
import resource
import sys

from _harness import blas_report, compare, show

import ember


def mlp(fw):
    nn = fw.nn
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                         nn.Linear(512, 10))


def cnn(fw):
    nn = fw.nn
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))


def gpt(fw, vocab=65, context=64, width=128, heads=4, layers=2):
    nn, F = fw.nn, fw.nn.functional

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(width), nn.LayerNorm(width)
            self.qkv, self.proj = nn.Linear(width, 3 * width), nn.Linear(width, width)
            self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(),
                                     nn.Linear(4 * width, width))

        def forward(self, x):
            b, t, c = x.shape
            q, k, v = self.qkv(self.ln1(x)).split(c, dim=2)
            q, k, v = (z.view(b, t, heads, c // heads).transpose(1, 2) for z in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + self.proj(y.transpose(1, 2).reshape(b, t, c))
            return x + self.mlp(self.ln2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok, self.pos = nn.Embedding(vocab, width), nn.Embedding(context, width)
            self.blocks = nn.Sequential(*[Block() for _ in range(layers)])
            self.ln, self.head = nn.LayerNorm(width), nn.Linear(width, vocab)

        def forward(self, idx):
            pos = fw.arange(idx.shape[1], device=idx.device)
            return self.head(self.ln(self.blocks(self.tok(idx) + self.pos(pos))))

    return GPT()


def _step_fn(fw, model, optimizer, inputs, targets):
    F = fw.nn.functional

    def step():
        optimizer.zero_grad()
        out = model(inputs)
        loss = F.cross_entropy(out.reshape(-1, out.shape[-1]), targets.reshape(-1))
        loss.backward()
        optimizer.step()
        return loss
    return step


def _setup(fw, name, device, batch):
    import numpy as np

    rng = np.random.default_rng(0)
    if name == "mlp":
        model, x = mlp(fw), rng.standard_normal((batch, 784), dtype=np.float32)
        y = rng.integers(0, 10, batch)
        opt = lambda p: fw.optim.SGD(p, lr=0.01, momentum=0.9)  # noqa: E731
    elif name == "cnn":
        model, x = cnn(fw), rng.standard_normal((batch, 1, 28, 28), dtype=np.float32)
        y = rng.integers(0, 10, batch)
        opt = lambda p: fw.optim.Adam(p, lr=1e-3)  # noqa: E731
    else:
        model, x = gpt(fw), rng.integers(0, 65, (batch, 64))
        y = rng.integers(0, 65, (batch, 64))
        opt = lambda p: fw.optim.AdamW(p, lr=3e-4)  # noqa: E731
    model = model.to(device)
    inputs = fw.from_numpy(x).to(device)
    targets = fw.from_numpy(y.astype(np.int64)).to(device)
    return _step_fn(fw, model, opt(model.parameters()), inputs, targets)


def _sync(fw, device):
    def sync():
        if str(device).startswith("cuda"):
            fw.cuda.synchronize()
    return sync


def time_steps(name, device, batch, number):
    cands = {"ember": _timed(ember, name, device, batch)}
    try:
        import torch

        torch.manual_seed(0)
        cands["torch"] = _timed(torch, name, device, batch)
    except ImportError:
        pass
    times = compare(cands, number, repeats=5)
    show(f"{name} training step, batch {batch}, {device} (per step)", times, unit="ms",
         baseline="torch" if "torch" in times else None)


def _timed(fw, name, device, batch):
    step = _setup(fw, name, device, batch)
    sync = _sync(fw, device)

    def run():
        step()
        sync()
    return run


def _rss_mib():
    """Current resident set size (Linux /proc), else the peak from getrusage."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize() / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory(device, steps=2000):
    """Resident memory after 100 steps, then every 500: it must not grow."""
    step = _setup(ember, "mlp", device, 128)
    marks = {}
    for i in range(1, steps + 1):
        step()
        if i == 100 or i % 500 == 0:
            marks[i] = _rss_mib()
    trail = ", ".join(f"{i}: {m:.1f}" for i, m in marks.items())
    print(f"\nmemory over {steps} MLP steps (RSS MiB after step N): {trail}; growth after step "
          f"100: {marks[steps] - marks[100]:+.1f} MiB")


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cpu")
    p.add_argument("--only", default="mlp,cnn,gpt,memory")
    p.add_argument("--mlp-batch", type=int, default=128)
    p.add_argument("--cnn-batch", type=int, default=64)
    p.add_argument("--gpt-batch", type=int, default=16)
    args = p.parse_args(argv)
    print("BLAS:", blas_report())
    only = args.only.split(",")
    for name, batch, number in (("mlp", args.mlp_batch, 40), ("cnn", args.cnn_batch, 8),
                                ("gpt", args.gpt_batch, 8)):
        if name in only:
            time_steps(name, args.device, batch, number)
    if "memory" in only:
        memory(args.device)


if __name__ == "__main__":
    main(sys.argv[1:])

"""Measure what activation checkpointing saves: peak host memory of forward + backward.

    python packages/core/tools/measure_checkpoint_memory.py [--layers 32] [--width 256]

A deep tanh MLP (float32, batch 4096) is trained for one step four ways: plainly, with
``ember.utils.checkpoint.checkpoint`` around every block of 4 layers (non-reentrant and
reentrant), and with ``checkpoint_sequential``. NumPy's allocations are traced by
``tracemalloc``, so the peak covers every array the CPU backend holds; the gradients are
checked to be the same. Prints a table (MiB).
"""

from __future__ import annotations

import argparse
import tracemalloc

import numpy as np

import ember
from ember.utils.checkpoint import checkpoint, checkpoint_sequential


def build(layers, width, seed=0):
    rng = np.random.default_rng(seed)
    ws = [ember.tensor((rng.standard_normal((width, width)) / width ** 0.5).astype(np.float32),
                       requires_grad=True) for _ in range(layers)]
    bs = [ember.zeros(width, requires_grad=True) for _ in range(layers)]
    return ws, bs


def layer(x, w, b):
    return (x @ w + b).tanh()


def block(ws, bs):
    def run(x):
        for w, b in zip(ws, bs):
            x = layer(x, w, b)
        return x
    return run


def step(mode, ws, bs, x, per_block):
    for p in ws + bs:
        p.grad = None
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    h = x
    if mode == "plain":
        for w, b in zip(ws, bs):
            h = layer(h, w, b)
    elif mode == "sequential":
        fns = [lambda t, w=w, b=b: layer(t, w, b) for w, b in zip(ws, bs)]
        h = checkpoint_sequential(fns, len(ws) // per_block, h, use_reentrant=False)
    else:
        for i in range(0, len(ws), per_block):
            h = checkpoint(block(ws[i:i + per_block], bs[i:i + per_block]), h,
                           use_reentrant=mode == "reentrant")
    loss = (h * h).mean()
    loss.backward()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak, [p.grad.numpy().copy() for p in ws + bs]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, default=32)
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--per-block", type=int, default=4)
    args = parser.parse_args()
    ws, bs = build(args.layers, args.width)
    x = ember.tensor(np.random.default_rng(1).standard_normal(
        (args.batch, args.width)).astype(np.float32), requires_grad=True)
    activation = args.batch * args.width * 4 / 2**20
    params = sum(p.numel() for p in ws + bs) * 4 / 2**20
    print(f"{args.layers} layers of {args.width}, batch {args.batch}: one activation "
          f"{activation:.2f} MiB, parameters {params:.1f} MiB")
    reference = None
    for mode in ("plain", "non-reentrant", "reentrant", "sequential"):
        peak, grads = step(mode, ws, bs, x, args.per_block)
        if reference is None:
            reference = grads
        same = all(np.allclose(a, b, rtol=1e-5, atol=1e-7) for a, b in zip(grads, reference))
        print(f"  {mode:14s} peak {peak / 2**20:8.1f} MiB   gradients "
              f"{'identical' if same else 'DIFFER'}")


if __name__ == "__main__":
    main()

"""How long a training loop waits for the DataLoader (not a test: run it by hand).

5,000 real 28x28 MNIST digits through a ToTensor + Normalize-like transform, batch 64,
two workers, while the main process runs a simulated training step of ``--step-ms``
milliseconds of busy NumPy work. Prints the wall time the loop waits in ``next()`` (what
a training step loses) and the CPU time the main thread spends there (receiving and
rebuilding batches; independent of how busy the machine is).

    python packages/core/tests/data/loader_timing.py [--workers 2] [--step-ms 15]
"""

import argparse
import gzip
import pathlib
import statistics
import time

import numpy as np

import ember
from ember.utils.data import DataLoader, Dataset

DATA = pathlib.Path(__file__).resolve().parents[4] / "shared" / "data" / "mnist_5k.csv.gz"


def load_mnist():
    if DATA.exists():
        with gzip.open(DATA, "rt") as f:
            raw = np.loadtxt(f, delimiter=",", dtype=np.uint8)
        return raw[:, :784].reshape(-1, 28, 28), raw[:, 784].astype(np.int64)
    rng = np.random.default_rng(0)  # stand-in with the same shapes
    return rng.integers(0, 256, (5000, 28, 28), dtype=np.uint8), rng.integers(0, 10, 5000)


class Digits(Dataset):
    def __init__(self, images, labels):
        self.images, self.labels = images, labels

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        x = ember.from_numpy(self.images[i]).float().div(255)   # ToTensor
        x = x.sub(0.1307).div(0.3081).unsqueeze(0)              # Normalize, channel dim
        return x, int(self.labels[i])


def busy(ms, a):
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        a = a @ a
        a /= np.abs(a).max() + 1
    return a


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--step-ms", type=float, default=15.0)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=64)
    args = p.parse_args()

    images, labels = load_mnist()
    ds = Digits(images, labels)
    loader = DataLoader(ds, batch_size=args.batch_size, shuffle=True,
                        num_workers=args.workers, persistent_workers=args.workers > 0)
    a = np.random.rand(64, 64)
    waits, cpu = [], []
    t_start = time.perf_counter()
    for _ in range(args.epochs):
        it = iter(loader)
        while True:
            t0, c0 = time.perf_counter(), time.thread_time()
            try:
                x, y = next(it)
            except StopIteration:
                break
            waits.append(time.perf_counter() - t0)
            cpu.append(time.thread_time() - c0)
            a = busy(args.step_ms, a)
    total = time.perf_counter() - t_start
    first = waits[0]
    rest = waits[1:]
    print(f"workers={args.workers} step={args.step_ms} ms batches={len(waits)} "
          f"batch={tuple(x.shape)} {x.dtype}")
    print(f"first batch wait {first * 1e3:.1f} ms (worker start-up)")
    print(f"wait per batch: median {statistics.median(rest) * 1e3:.3f} ms, "
          f"mean {statistics.mean(rest) * 1e3:.3f} ms, "
          f"p95 {sorted(rest)[int(0.95 * len(rest))] * 1e3:.3f} ms, "
          f"max {max(rest) * 1e3:.1f} ms")
    print(f"main-thread CPU in next(): median {statistics.median(cpu[1:]) * 1e3:.3f} ms, "
          f"mean {statistics.mean(cpu[1:]) * 1e3:.3f} ms")
    print(f"total {total:.2f} s for {len(waits)} steps "
          f"({total / len(waits) * 1e3:.2f} ms per step vs {args.step_ms} ms of compute)")


if __name__ == "__main__":
    main()

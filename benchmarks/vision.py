"""embervision timings: ResNet-18 inference against PyTorch, and a DataLoader feeding a CNN.

Issue 7 targets (cpu): ResNet-18 inference on one 3x224x224 image and on a batch of 8 at
most 2x PyTorch CPU's time (same run, medians of alternating runs); a DataLoader with 2
workers over MNIST5K with ToTensor + Normalize keeps a training step fed: the time the
training loop waits for each batch is under 20% of the CNN step.

    python benchmarks/vision.py [--only resnet,loader] [--batches 1,8]

PyTorch's ResNet-18 is built here from torch.nn with torchvision's architecture (torchvision
is not needed); ember's is embervision.models.resnet18. Both have 11,689,512 parameters.
The loader's CNN is training.py's.
"""

from __future__ import annotations

import argparse
import sys
import time

from _harness import blas_report, compare, show
from training import cnn

import ember


def torch_resnet18(torch):
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.downsample = None
            if stride != 1 or cin != cout:
                self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                                nn.BatchNorm2d(cout))

        def forward(self, x):
            identity = x if self.downsample is None else self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            out += identity
            return self.relu(out)

    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True),
              nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        layers += [Block(cin, cout, stride), Block(cout, cout, 1)]
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 1000)]
    return nn.Sequential(*layers)


def resnet(batches):
    import numpy as np

    from embervision.models import resnet18

    model = resnet18().eval()
    cands = {}
    for b in batches:
        x = np.random.default_rng(0).standard_normal((b, 3, 224, 224), dtype=np.float32)
        xe = ember.from_numpy(x)

        def run_ember(xe=xe):
            with ember.no_grad():
                model(xe)
        cands[b] = {"ember": run_ember}
    try:
        import torch

        tmodel = torch_resnet18(torch).eval()
        assert sum(p.numel() for p in tmodel.parameters()) == \
            sum(p.numel() for p in model.parameters()) == 11689512
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
        for b in batches:
            xt = torch.from_numpy(np.random.default_rng(0).standard_normal(
                (b, 3, 224, 224), dtype=np.float32))

            def run_torch(xt=xt):
                with torch.no_grad():
                    tmodel(xt)
            cands[b]["torch"] = run_torch
    except ImportError:
        print("torch not installed: ember timings only")
    for b in batches:
        times = compare(cands[b], number=3 if b == 1 else 1, repeats=7)
        show(f"ResNet-18 inference, batch {b}, 3x224x224, cpu (per forward)", times, unit="ms",
             baseline="torch" if "torch" in times else None)


def loader(batch=64, workers=2, epochs=2):
    import statistics

    import ember.nn.functional as F
    from ember.utils.data import DataLoader
    from embervision import transforms as T
    from embervision.datasets import MNIST5K

    ds = MNIST5K(train=True, transform=T.Compose([T.ToTensor(),
                                                   T.Normalize((0.1307,), (0.3081,))]))
    ember.manual_seed(0)
    model = cnn(ember)
    opt = ember.optim.Adam(model.parameters(), lr=1e-3)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    dl = DataLoader(ds, batch_size=batch, shuffle=True, num_workers=workers,
                    persistent_workers=True, drop_last=True)
    # the step alone, on one fixed batch
    x0, y0 = next(iter(dl))
    for _ in range(3):
        step(x0, y0)
    step_times = []
    for _ in range(20):
        t = time.perf_counter()
        step(x0, y0)
        step_times.append(time.perf_counter() - t)
    # the loader alone (workers prefetching, nothing else running)
    alone = []
    for _ in range(epochs):
        t = time.perf_counter()
        n = sum(1 for _ in dl)
        alone.append((time.perf_counter() - t) / n)
    # training: how long each step waits for its batch
    waits, steps = [], []
    for _ in range(epochs):
        it = iter(dl)
        while True:
            t = time.perf_counter()
            try:
                x, y = next(it)
            except StopIteration:
                break
            t1 = time.perf_counter()
            step(x, y)
            waits.append(t1 - t)
            steps.append(time.perf_counter() - t1)
    step_med = statistics.median(step_times)
    wait_med, wait_mean = statistics.median(waits), statistics.mean(waits)
    print(f"\nDataLoader over MNIST5K (ToTensor + Normalize), batch {batch}, {workers} workers, "
          f"feeding the CNN training step ({len(waits)} steps)")
    print(f"  CNN step alone           {step_med * 1e3:8.2f} ms (median)")
    print(f"  step inside the loop     {statistics.median(steps) * 1e3:8.2f} ms (median)")
    print(f"  loader alone, per batch  {statistics.median(alone) * 1e3:8.2f} ms")
    print(f"  wait for a batch         {wait_med * 1e3:8.2f} ms median, {wait_mean * 1e3:.2f} ms "
          f"mean  ({wait_mean / step_med:.1%} of the step; target < 20%)")


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("--only", default="resnet,loader")
    p.add_argument("--batches", default="1,8")
    args = p.parse_args(argv)
    print("BLAS:", blas_report())
    only = args.only.split(",")
    if "resnet" in only:
        resnet([int(b) for b in args.batches.split(",")])
    if "loader" in only:
        loader()


if __name__ == "__main__":
    main(sys.argv[1:])

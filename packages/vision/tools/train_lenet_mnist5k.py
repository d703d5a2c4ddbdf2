"""Train the LeNet digits model shipped as ``lenet(weights="MNIST5K")``, with ember.

    python packages/vision/tools/train_lenet_mnist5k.py [--epochs 20] [--check]

Data: the 4,000 training digits of the bundled MNIST5K, scaled to [0, 1] and normalised
with mean 0.1307 / std 0.3081 (what LeNet_Weights.MNIST5K.transforms() does). Adam, lr 1e-3,
batch 64, fixed seed; the 1,000 test digits are only used for the reported accuracy.
Writes src/embervision/models/_weights/lenet_mnist5k.pth (ember.save, PyTorch's format)
unless --check, which trains and compares with the shipped file's accuracy instead.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import ember
import ember.nn.functional as F
from embervision.datasets import MNIST5K
from embervision.models.lenet import MNIST_MEAN, MNIST_STD, LeNet

OUT = Path(__file__).resolve().parents[1] / "src" / "embervision" / "models" / "_weights" / \
    "lenet_mnist5k.pth"


def tensors(train: bool):
    ds = MNIST5K(train=train)
    x = (ds.data.float().div(255).sub(MNIST_MEAN[0]).div(MNIST_STD[0])).unsqueeze(1)
    return x, ds.targets


def accuracy(model, x, y) -> float:
    model.eval()
    with ember.no_grad():
        pred = model(x).argmax(1)
    model.train()
    return float((pred == y).float().mean())


def train(epochs: int, seed: int = 0):
    ember.manual_seed(seed)
    model = LeNet()
    opt = ember.optim.Adam(model.parameters(), lr=1e-3)
    x, y = tensors(True)
    n = x.shape[0]
    for epoch in range(epochs):
        start, total = time.perf_counter(), 0.0
        perm = ember.randperm(n)
        for i in range(0, n, 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            loss = F.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += float(loss) * idx.shape[0]
        print(f"epoch {epoch + 1:2d}  loss {total / n:.4f}  "
              f"({time.perf_counter() - start:.1f} s)", flush=True)
    return model


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    model = train(args.epochs)
    xt, yt = tensors(False)
    acc = accuracy(model, xt, yt)
    print(f"test accuracy on the 1,000 MNIST5K test digits: {acc:.4f}")
    if args.check:
        shipped = LeNet()
        shipped.load_state_dict(ember.load(OUT))
        print(f"shipped weights: {accuracy(shipped, xt, yt):.4f}")
        return
    OUT.parent.mkdir(parents=True, exist_ok=True)
    ember.save(model.state_dict(), OUT)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

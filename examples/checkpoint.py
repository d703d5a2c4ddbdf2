"""Saving and loading a checkpoint: model and optimizer state, then resuming training.

    python examples/checkpoint.py [--path examples/out/checkpoint.pt]
"""

import argparse
from pathlib import Path

import ember as torch
import ember.nn as nn


def make_model():
    return nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 1))


def train(model, optimizer, x, y, steps):
    for _ in range(steps):
        loss = nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return loss.item()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default="examples/out/checkpoint.pt")
    parser.add_argument("--steps", type=int, default=50)
    args = parser.parse_args(argv)

    torch.manual_seed(0)
    x = torch.randn(256, 4)
    y = (x ** 2).sum(1, keepdim=True)
    model = make_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss = train(model, optimizer, x, y, args.steps)
    print(f"trained {args.steps} steps: loss {loss:.4f}")

    path = Path(args.path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "steps": args.steps}, path)
    print(f"saved {path}")

    checkpoint = torch.load(path)  # weights_only=True: tensors and containers only
    restored = make_model()
    restored.load_state_dict(checkpoint["model"])
    restored_opt = torch.optim.Adam(restored.parameters(), lr=1e-2)
    restored_opt.load_state_dict(checkpoint["optimizer"])
    with torch.no_grad():
        same = torch.equal(restored(x), model(x))
    print(f"restored model gives identical outputs: {same}")

    a = train(model, optimizer, x, y, args.steps)
    b = train(restored, restored_opt, x, y, args.steps)
    print(f"resumed training: original {a:.6f}, restored {b:.6f}")
    return same, a, b


if __name__ == "__main__":
    main()

"""Linear regression with nn.Linear, MSELoss and SGD, as in PyTorch's basics tutorial.

    python examples/linear_regression.py [--steps 300] [--device cpu]
"""

import argparse

import ember as torch
import ember.nn as nn


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)

    torch.manual_seed(0)
    true_w, true_b = torch.tensor([[2.0, -3.4]]), 4.2
    x = torch.randn(1000, 2)
    y = x @ true_w.T + true_b + 0.01 * torch.randn(1000, 1)
    x, y = x.to(args.device), y.to(args.device)

    model = nn.Linear(2, 1).to(args.device)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for step in range(args.steps):
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 100 == 0:
            print(f"step {step:4d}  loss {loss.item():.6f}")
    w, b = model.weight.detach().cpu(), model.bias.detach().cpu()
    print(f"learned w = {w.tolist()[0]}, b = {b.item():.4f}  (true [2.0, -3.4], 4.2)")
    return loss.item()


if __name__ == "__main__":
    main()

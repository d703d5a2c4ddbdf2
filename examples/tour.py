"""A short tour of ember, written exactly as it would be with PyTorch.

    python examples/tour.py            # on the default device (cpu)
    python examples/tour.py --device opencl
"""

import argparse

import ember as torch

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--device", default="cpu")
device = torch.device(parser.parse_args().device)

# Tensors, dtypes and broadcasting
x = torch.arange(6, dtype=torch.float32, device=device).reshape(2, 3)
row = torch.tensor([10.0, 20.0, 30.0], device=device)
print("x + row =\n", x + row)                       # (2, 3) + (3,) broadcasts
print("column sums:", x.sum(dim=0), "dtype:", x.dtype, "device:", x.device)

# Autograd: d/da a**3 = 3 a**2
a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True, device=device)
(a ** 3).sum().backward()
print("grad of a**3:", a.grad, "== 3*a**2:", 3 * a.detach() ** 2)

# Linear regression written with tensors: y = 2x - 1 plus noise
torch.manual_seed(0)
inputs = torch.rand(200, 1, device=device)
targets = 2 * inputs - 1 + 0.05 * torch.randn(200, 1, device=device)
w = torch.zeros(1, 1, requires_grad=True, device=device)
b = torch.zeros(1, requires_grad=True, device=device)
for _ in range(500):
    loss = ((inputs @ w + b - targets) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        for p in (w, b):
            p -= 0.5 * p.grad
            p.grad = None
print(f"fitted y = {w.item():.3f} x + {b.item():.3f}   (loss {loss.item():.5f})")

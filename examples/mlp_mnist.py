"""An MLP trained with a DataLoader on the bundled MNIST digits, then evaluated.

The classic PyTorch loop: Dataset + DataLoader, nn.Sequential, CrossEntropyLoss, SGD with
momentum, model.train()/model.eval(), no_grad and argmax for accuracy.

    python examples/mlp_mnist.py [--epochs 3] [--device cpu] [--workers 0]
"""

import argparse

import ember as torch
import ember.nn as nn
from ember.utils.data import DataLoader, Dataset
from embervision.datasets import MNIST5K


class FlatDigits(Dataset):
    """MNIST5K images as normalised 784-vectors."""

    def __init__(self, train):
        digits = MNIST5K(train=train)
        self.images = (digits.data.float().reshape(-1, 784) / 255 - 0.1307) / 0.3081
        self.labels = digits.targets

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.images[i], self.labels[i]


def accuracy(model, loader, device):
    model.eval()
    correct = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x.to(device)).argmax(1) == y.to(device)).sum().item()
    return correct / len(loader.dataset)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(0)
    train = DataLoader(FlatDigits(train=True), batch_size=128, shuffle=True,
                       num_workers=args.workers)
    test = DataLoader(FlatDigits(train=False), batch_size=500)
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                          nn.Linear(512, 10)).to(args.device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for epoch in range(args.epochs):
        model.train()
        for x, y in train:
            loss = loss_fn(model(x.to(args.device)), y.to(args.device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        acc = accuracy(model, test, args.device)
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}, test accuracy {acc:.2%}")
    return acc


if __name__ == "__main__":
    main()

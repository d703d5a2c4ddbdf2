"""The quick-start job: train a small CNN on real handwritten digits and save it.

Uses the 5,000 real MNIST digits bundled with ember-vision (4,000 train, 1,000 test).
Written exactly as a PyTorch program; only the imports differ.

    python examples/train_mnist_cnn.py                  # default device (cpu)
    python examples/train_mnist_cnn.py --device opencl --epochs 3
"""

import argparse
import time
from pathlib import Path

from tqdm import tqdm

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.utils.data import DataLoader, TensorDataset
from embervision.datasets import MNIST5K
from embervision.io import write_png
from embervision.utils import make_labeled_grid

MEAN, STD = 0.1307, 0.3081  # MNIST's pixel statistics


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 10)
        self.dropout = nn.Dropout(0.25)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(self.dropout(F.relu(self.fc1(torch.flatten(x, 1)))))


def shift(images, pixels=2):
    """Move the whole batch by a random offset of up to ``pixels`` (cheap augmentation)."""
    dy, dx = torch.randint(-pixels, pixels + 1, (2,)).tolist()
    return torch.roll(images, shifts=(dy, dx), dims=(2, 3))


def as_tensors(dataset):
    """All images, normalised, as one (N, 1, 28, 28) float tensor, and the labels."""
    images = (dataset.data.float() / 255 - MEAN) / STD
    return images.unsqueeze(1), dataset.targets


def evaluate(model, loader, device):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            correct += (model(images).argmax(dim=1) == labels).sum().item()
            total += labels.numel()
    return correct / total


def save_predictions(model, dataset, device, path, count=32):
    """A PNG of test digits labelled with the model's guesses (green right, red wrong)."""
    model.eval()
    images, labels = dataset[::len(dataset) // count]  # spread over every class
    images, labels = images[:count], labels[:count]
    with torch.no_grad():
        guesses = model(images.to(device)).argmax(dim=1).cpu()
    right = (guesses == labels).tolist()
    grid = make_labeled_grid(images * STD + MEAN, [str(g) for g in guesses.tolist()],
                             colors=["green" if ok else "red" for ok in right])
    write_png(grid, str(path))


def main():
    parser = argparse.ArgumentParser(description="Train a CNN on MNIST5K.")
    parser.add_argument("--device", default=None, help="cpu, opencl, cuda, ... (default: "
                        "ember's default device)")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="examples/out/mnist_cnn.pt")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    device = torch.device(args.device) if args.device else torch.get_default_device()
    train_set = TensorDataset(*as_tensors(MNIST5K(train=True)))
    test_set = TensorDataset(*as_tensors(MNIST5K(train=False)))
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=500)

    model = Net().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    print(f"training on {len(train_set)} digits, testing on {len(test_set)}, device {device}")
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        bar = tqdm(train_loader, desc=f"epoch {epoch}/{args.epochs}", leave=False)
        for images, labels in bar:
            images, labels = shift(images).to(device), labels.to(device)
            optimizer.zero_grad()
            loss = F.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()
            bar.set_postfix(loss=f"{loss.item():.3f}")
        scheduler.step()
        accuracy = evaluate(model, test_loader, device)
        print(f"epoch {epoch}: test accuracy {accuracy:.2%}  "
              f"({time.perf_counter() - start:.1f} s)")

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), out)
    picture = out.with_suffix(".png")
    save_predictions(model, test_set, device, picture)
    print(f"final test accuracy {accuracy:.2%} in {time.perf_counter() - start:.1f} s; "
          f"model saved to {out}, predictions drawn in {picture}")


if __name__ == "__main__":
    main()

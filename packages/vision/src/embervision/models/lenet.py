"""LeNet-5 style digits classifier (1 x 28 x 28 grey in, 10 classes out).

``lenet(weights="MNIST5K")`` loads weights trained with ember on the 4,000 training digits
of the bundled MNIST5K (``packages/vision/tools/train_lenet_mnist5k.py`` reproduces them);
they ship inside the wheel, so no download is needed.
"""

from __future__ import annotations

from importlib import resources

import ember
from ember import nn

from ._api import Weights, WeightsEnum
from ._utils import model_builder

__all__ = ["LeNet", "LeNet_Weights", "lenet"]

MNIST_MEAN, MNIST_STD = (0.1307,), (0.3081,)


class LeNet(nn.Module):
    """conv(1->6, 5x5, pad 2) - ReLU - maxpool 2 - conv(6->16, 5x5) - ReLU - maxpool 2 -
    Linear(400->120) - ReLU - Linear(120->84) - ReLU - Linear(84->num_classes)."""

    def __init__(self, num_classes: int = 10, in_channels: int = 1) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(inplace=True),
            nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Linear(16 * 5 * 5, 120), nn.ReLU(inplace=True),
            nn.Linear(120, 84), nn.ReLU(inplace=True),
            nn.Linear(84, num_classes))

    def forward(self, x):
        return self.classifier(ember.flatten(self.features(x), 1))


def _digits_transforms():
    from ..transforms import Compose, Grayscale, Normalize, Resize, ToTensor

    return Compose([Grayscale(1), Resize(28), ToTensor(), Normalize(MNIST_MEAN, MNIST_STD)])


def _load_mnist5k():
    path = resources.files("embervision.models") / "_weights" / "lenet_mnist5k.pth"
    with resources.as_file(path) as p:
        return ember.load(p)


class LeNet_Weights(WeightsEnum):
    MNIST5K = Weights(
        url="",  # shipped inside the package: embervision/models/_weights/lenet_mnist5k.pth
        transforms=_digits_transforms,
        meta={
            "categories": [str(d) for d in range(10)],
            "num_params": 61706,
            "min_size": (28, 28),
            "recipe": "packages/vision/tools/train_lenet_mnist5k.py",
            "_metrics": {"MNIST5K test (1,000 digits)": {"acc@1": 97.2}},
            "_docs": "Trained with ember on the 4,000 training digits of MNIST5K; inputs are "
                     "normalised with mean 0.1307 and std 0.3081.",
            "_loader": _load_mnist5k,
        },
    )
    DEFAULT = MNIST5K


lenet = model_builder(
    "lenet", LeNet_Weights, LeNet, None,
    'LeNet-5 style digits classifier; ``weights="MNIST5K"`` for the bundled weights.',
    legacy=False, check_hash=False)

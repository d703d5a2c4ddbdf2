"""MNIST-format datasets: MNIST and the bundled MNIST5K (torchvision's API)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import ember

from ._idx import read_idx


class MNIST:
    """MNIST digits from IDX files under ``root/<ClassName>/raw`` (gzip or not).

    Items are ``(PIL.Image, int)`` as in torchvision, passed through ``transform`` and
    ``target_transform``; ``data`` (uint8, N x 28 x 28) and ``targets`` (int64) hold all.
    """

    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]
    files = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
             "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}

    def __init__(self, root, train=True, transform=None, target_transform=None,
                 download=False):
        self.root = Path(root).expanduser() if root is not None else None
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        if download:
            self.download()
        images, labels = self._load(self.raw_folder)
        if len(images) != len(labels):
            raise ValueError(f"{type(self).__name__}: {len(images)} images but {len(labels)} "
                             f"labels in {self.raw_folder}")
        self.data = ember.from_numpy(images)
        self.targets = ember.from_numpy(labels.astype("int64"))

    @property
    def raw_folder(self) -> Path:
        return self.root / type(self).__name__ / "raw"

    def _load(self, folder: Path):
        names = self.files["train" if self.train else "test"]
        return tuple(read_idx(self._find(folder, name)) for name in names)

    @staticmethod
    def _find(folder: Path, name: str) -> Path:
        for candidate in (folder / name, folder / f"{name}.gz"):
            if candidate.exists():
                return candidate
        raise RuntimeError(f"Dataset not found: {folder / name}(.gz) is missing. You can use "
                           "download=True to download it")

    def download(self):
        raise RuntimeError(f"{type(self).__name__}: downloading is not available in this "
                           "version; place the IDX files in " + str(self.raw_folder))

    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, index):
        from PIL import Image

        img = Image.fromarray(self.data[index].numpy(), mode="L")
        target = int(self.targets[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train else 'Test'}"

    def __repr__(self):
        lines = [f"Dataset {type(self).__name__}", f"    Number of datapoints: {len(self)}"]
        if self.root is not None:
            lines.append(f"    Root location: {self.root}")
        lines.append(f"    {self.extra_repr()}")
        if self.transform is not None:
            lines.append(f"    StandardTransform\nTransform: {self.transform!r}")
        return "\n".join(lines)


class MNIST5K(MNIST):
    """5,000 real MNIST digits shipped inside ember-vision: 4,000 train / 1,000 test.

    Needs no download; ``root`` is ignored. See ``_data/mnist5k/README.md`` for the
    source and licence (MNIST: LeCun and Cortes, CC BY-SA 3.0).
    """

    def __init__(self, root=None, train=True, transform=None, target_transform=None,
                 download=False):
        super().__init__(root, train, transform, target_transform, download=False)

    @property
    def raw_folder(self) -> Path:
        return Path(str(resources.files("embervision.datasets") / "_data" / "mnist5k"))

"""MNIST-format datasets: MNIST, FashionMNIST, KMNIST, EMNIST and the bundled MNIST5K.

torchvision's API: items are ``(PIL.Image, int)``; ``data`` (uint8, N x 28 x 28) and
``targets`` (int64) hold everything. The IDX files live in ``root/<ClassName>/raw``, gzip
or not; ``download=True`` fetches them from the published mirrors with MD5 checks
(atomic, resumed and retried: see ``datasets.utils``).
"""

from __future__ import annotations

import os
import string
import zipfile
from importlib import resources
from pathlib import Path

import ember

from ._idx import read_idx
from .utils import check_integrity, download_from_mirrors, download_url, verify_str_arg
from .vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST", "KMNIST", "EMNIST", "MNIST5K"]


class MNIST(VisionDataset):
    """MNIST digits from IDX files under ``root/<ClassName>/raw`` (gzip or not).

    Items are ``(PIL.Image, int)`` as in torchvision, passed through ``transform`` and
    ``target_transform``; ``data`` (uint8, N x 28 x 28) and ``targets`` (int64) hold all.
    """

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/",
               "http://yann.lecun.com/exdb/mnist/"]
    resources = [("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
                 ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
                 ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
                 ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c")]
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]
    files = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
             "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}

    def __init__(self, root, train=True, transform=None, target_transform=None,
                 download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.root = Path(root).expanduser() if root is not None else None
        self.train = train
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

    def _names(self):
        return self.files["train" if self.train else "test"]

    def _load(self, folder: Path):
        return tuple(read_idx(self._find(folder, name)) for name in self._names())

    @staticmethod
    def _find(folder: Path, name: str) -> Path:
        for candidate in (folder / name, folder / f"{name}.gz"):
            if candidate.exists():
                return candidate
        raise RuntimeError(f"Dataset not found: {folder / name}(.gz) is missing. You can use "
                           "download=True to download it")

    def _check_exists(self) -> bool:
        folder = self.raw_folder
        return all((folder / n).exists() or (folder / f"{n}.gz").exists()
                   for split in self.files.values() for n in split)

    def download(self):
        """Fetch every missing or damaged file of ``resources`` from the first mirror that
        serves it with the right MD5 checksum. Files already there and intact are kept."""
        folder = self.raw_folder
        folder.mkdir(parents=True, exist_ok=True)
        for filename, md5 in self.resources:
            plain = filename[:-3] if filename.endswith(".gz") else filename
            if check_integrity(folder / filename, md5) or (
                    (folder / plain).exists() and not (folder / filename).exists()):
                continue
            download_from_mirrors(self.mirrors, filename, folder, md5)

    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, index):
        from PIL import Image

        img = Image.fromarray(self.data.numpy()[index])
        target = int(self.targets.numpy()[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train else 'Test'}"


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: 28x28 grey images of 10 kinds of clothing."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                 ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
                 ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
                 ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310")]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]


class KMNIST(MNIST):
    """Kuzushiji-MNIST: 10 classes of cursive Japanese (hiragana) characters."""

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
                 ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
                 ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
                 ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134")]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


class EMNIST(MNIST):
    """EMNIST (letters and digits); ``split`` is one of ``EMNIST.splits``.

    The download is NIST's ``gzip.zip``; only the IDX files of this split are taken out of
    it (still gzip-compressed) into ``raw``.
    """

    url = "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"
    md5 = "58c8d27c78d21e728a6bc7b3cc06412e"
    splits = ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    _merged_classes = {"c", "i", "j", "k", "l", "m", "o", "p", "s", "u", "v", "w", "x", "y",
                       "z"}
    _all_classes = set(string.digits + string.ascii_letters)
    classes_split_dict = {
        "byclass": sorted(_all_classes),
        "bymerge": sorted(_all_classes - _merged_classes),
        "balanced": sorted(_all_classes - _merged_classes),
        "letters": ["N/A"] + list(string.ascii_lowercase),
        "digits": list(string.digits),
        "mnist": list(string.digits),
    }

    def __init__(self, root, split, **kwargs):
        self.split = verify_str_arg(split, "split", self.splits)
        super().__init__(root, **kwargs)
        self.classes = self.classes_split_dict[self.split]

    def _prefix(self, train):
        return f"emnist-{self.split}-{'train' if train else 'test'}"

    def _names(self):
        p = self._prefix(self.train)
        return (f"{p}-images-idx3-ubyte", f"{p}-labels-idx1-ubyte")

    def _check_exists(self) -> bool:
        folder = self.raw_folder
        names = [f"{self._prefix(t)}-{k}" for t in (True, False)
                 for k in ("images-idx3-ubyte", "labels-idx1-ubyte")]
        return all((folder / n).exists() or (folder / f"{n}.gz").exists() for n in names)

    def download(self):
        if self._check_exists():
            return
        folder = self.raw_folder
        folder.mkdir(parents=True, exist_ok=True)
        archive = folder / os.path.basename(self.url)
        download_url(self.url, folder, archive.name, self.md5)
        wanted = {f"{self._prefix(t)}-{k}.gz" for t in (True, False)
                  for k in ("images-idx3-ubyte", "labels-idx1-ubyte")}
        try:
            with zipfile.ZipFile(archive) as zf:
                members = {os.path.basename(m): m for m in zf.namelist()}
                missing = wanted - members.keys()
                if missing:
                    raise RuntimeError(f"{archive}: no {', '.join(sorted(missing))} inside")
                for name in sorted(wanted):
                    data = zf.read(members[name])
                    _write_atomic(folder / name, data)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise RuntimeError(f"{archive}: corrupt or truncated zip archive ({exc})") from None

    def extra_repr(self) -> str:
        return f"Split: {self.split}, {'Train' if self.train else 'Test'}"


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


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

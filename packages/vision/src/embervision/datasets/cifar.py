"""CIFAR10 and CIFAR100 from the python pickle batches (torchvision's API)."""

from __future__ import annotations

import os
import pickle

import numpy as np

from .utils import check_integrity, download_and_extract_archive
from .vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100"]

# what a CIFAR batch pickle may build: NumPy arrays and their dtypes, nothing else
_ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
            ("numpy", "ndarray"), ("numpy", "dtype"), ("copyreg", "_reconstructor"),
            ("builtins", "object"), ("_codecs", "encode"), ("numpy", "uint8")}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a CIFAR batch")


def load_pickle(path) -> dict:
    """A CIFAR batch (a pickled dict); RuntimeError naming the file if it is damaged."""
    try:
        with open(path, "rb") as f:
            entry = _Unpickler(f, encoding="latin1").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
            IndexError, KeyError) as exc:
        raise RuntimeError(f"{path}: corrupt or truncated CIFAR batch ({exc})") from None
    if not isinstance(entry, dict):
        raise RuntimeError(f"{path}: not a CIFAR batch (a {type(entry).__name__}, not a dict)")
    return entry


class CIFAR10(VisionDataset):
    """CIFAR-10: 32x32 colour images in 10 classes, from ``root/cifar-10-batches-py``."""

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [["data_batch_1", "c99cafc152244af753f735de768cd75f"],
                  ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
                  ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
                  ["data_batch_4", "634d18415352ddfa80567beed471001a"],
                  ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"]]
    test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta = {"filename": "batches.meta", "key": "label_names",
            "md5": "5ff9c542aee3614f3951f8cda6e48888"}

    def __init__(self, root, train: bool = True, transform=None, target_transform=None,
                 download: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        bad = self._first_bad_file()
        if bad is not None:
            raise RuntimeError(f"Dataset not found or corrupted: {bad} is {self._state(bad)}. "
                               "You can use download=True to download it")
        data, targets = [], []
        for file_name, _ in (self.train_list if self.train else self.test_list):
            path = os.path.join(self.root, self.base_folder, file_name)
            entry = load_pickle(path)
            try:
                batch = np.asarray(entry["data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
                labels = entry["labels"] if "labels" in entry else entry["fine_labels"]
            except (KeyError, ValueError) as exc:
                raise RuntimeError(f"{path}: not a CIFAR batch ({exc})") from None
            if len(labels) != len(batch):
                raise RuntimeError(f"{path}: {len(batch)} images but {len(labels)} labels")
            data.append(batch)
            targets.extend(int(t) for t in labels)
        self.data = np.vstack(data).transpose((0, 2, 3, 1))  # HWC
        self.targets = targets
        self._load_meta()

    def _load_meta(self) -> None:
        path = os.path.join(self.root, self.base_folder, self.meta["filename"])
        if not check_integrity(path, self.meta["md5"]):
            raise RuntimeError(f"Dataset metadata file {path} not found or corrupted. You can "
                               "use download=True to download it")
        self.classes = load_pickle(path)[self.meta["key"]]
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    def __getitem__(self, index: int):
        from PIL import Image

        img, target = Image.fromarray(self.data[index]), self.targets[index]
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.data)

    def _check_integrity(self) -> bool:
        return self._first_bad_file() is None

    def _first_bad_file(self):
        for name, md5 in self.train_list + self.test_list:
            path = os.path.join(self.root, self.base_folder, name)
            if not check_integrity(path, md5):
                return path
        return None

    @staticmethod
    def _state(path) -> str:
        return "damaged (MD5 mismatch)" if os.path.exists(path) else "missing"

    def download(self) -> None:
        if self._check_integrity():
            return
        download_and_extract_archive(self.url, self.root, filename=self.filename,
                                     md5=self.tgz_md5)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train is True else 'Test'}"


class CIFAR100(CIFAR10):
    """CIFAR-100: like CIFAR-10 with 100 fine classes (``fine_labels``)."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = [["train", "16019d7e3df5f24257cddd939b257f8d"]]
    test_list = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]]
    meta = {"filename": "meta", "key": "fine_label_names",
            "md5": "7973b15100ade9c7d40fb424638fde48"}

"""Small dataset files in the real formats (IDX, CIFAR pickle batches, tar.gz, zip, .mat)."""

from __future__ import annotations

import gzip
import hashlib
import io
import pickle
import struct
import tarfile
import zipfile

import numpy as np


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def idx_bytes(array: np.ndarray) -> bytes:
    codes = {np.dtype(np.uint8): 0x08, np.dtype(">i4"): 0x0C}
    header = struct.pack(">BBBB", 0, 0, codes[array.dtype], array.ndim)
    return header + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def idx_gz(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as f:
        f.write(idx_bytes(array))
    return buf.getvalue()


def mnist_split(n: int, seed: int):
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
            rng.integers(0, 10, n).astype(np.uint8))


def mnist_files() -> dict[str, tuple[bytes, np.ndarray]]:
    """name -> (gzip IDX bytes, array) for the four MNIST files (7 train, 5 test images)."""
    out = {}
    for split, n, seed in (("train", 7, 1), ("t10k", 5, 2)):
        images, labels = mnist_split(n, seed)
        out[f"{split}-images-idx3-ubyte.gz"] = (idx_gz(images), images)
        out[f"{split}-labels-idx1-ubyte.gz"] = (idx_gz(labels), labels)
    return out


def cifar_batch(n: int, seed: int, key: str = "labels", classes: int = 10) -> tuple[bytes, dict]:
    rng = np.random.default_rng(seed)
    entry = {"batch_label": "testing batch", key: [int(x) for x in rng.integers(0, classes, n)],
             "data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
             "filenames": [f"img_{i}.png" for i in range(n)]}
    return pickle.dumps(entry, protocol=2), entry


def tar_gz(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def cifar10_archive():
    """(tar.gz bytes, {member name: (bytes, entry)}) shaped like cifar-10-python.tar.gz."""
    members = {}
    for i in range(1, 6):
        members[f"data_batch_{i}"] = cifar_batch(3, i)
    members["test_batch"] = cifar_batch(4, 9)
    meta = {"label_names": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
                            "horse", "ship", "truck"], "num_cases_per_batch": 3}
    members["batches.meta"] = (pickle.dumps(meta, protocol=2), meta)
    archive = tar_gz({f"cifar-10-batches-py/{k}": v[0] for k, v in members.items()})
    return archive, members


def cifar100_archive():
    members = {"train": cifar_batch(6, 1, "fine_labels", 100),
               "test": cifar_batch(2, 2, "fine_labels", 100)}
    meta = {"fine_label_names": [f"class{i}" for i in range(100)],
            "coarse_label_names": [f"super{i}" for i in range(20)]}
    members["meta"] = (pickle.dumps(meta, protocol=2), meta)
    archive = tar_gz({f"cifar-100-python/{k}": v[0] for k, v in members.items()})
    return archive, members


def emnist_zip(split: str = "letters"):
    """(zip bytes, arrays) shaped like NIST's gzip.zip with one split inside."""
    buf = io.BytesIO()
    arrays = {}
    with zipfile.ZipFile(buf, "w") as zf:
        for part, n, seed in (("train", 6, 3), ("test", 4, 4)):
            images, labels = mnist_split(n, seed)
            arrays[part] = (images, labels)
            zf.writestr(f"gzip/emnist-{split}-{part}-images-idx3-ubyte.gz", idx_gz(images))
            zf.writestr(f"gzip/emnist-{split}-{part}-labels-idx1-ubyte.gz", idx_gz(labels))
        zf.writestr("gzip/emnist-digits-train-images-idx3-ubyte.gz", idx_gz(images))
    return buf.getvalue(), arrays

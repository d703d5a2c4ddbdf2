"""Convert ../shared/data/mnist_5k.csv.gz into the IDX files that ember-vision bundles.

The CSV holds 5,000 real MNIST digits, 500 per class, rows sorted by label. The split is
fixed and stratified: within each class, the first 400 rows (in file order) go to the
training set and the last 100 to the test set, giving 4,000 / 1,000 images.

    python packages/vision/tools/make_mnist5k.py [path/to/mnist_5k.csv.gz]
"""

from __future__ import annotations

import gzip
import struct
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "src" / "embervision" / "datasets" / "_data" / "mnist5k"
DEFAULT_SOURCE = HERE.parents[2].parent / "shared" / "data" / "mnist_5k.csv.gz"
TRAIN_PER_CLASS = 400


def write_idx(path: Path, array: np.ndarray) -> None:
    """IDX: magic (0, 0, type 0x08 = ubyte, ndim), big-endian int32 sizes, then the bytes."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    with gzip.GzipFile(path, "wb", mtime=0) as f:  # mtime=0: byte-identical reruns
        f.write(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def main(source: Path) -> None:
    rows = np.loadtxt(gzip.open(source), delimiter=",", dtype=np.uint8)
    images, labels = rows[:, :784].reshape(-1, 28, 28), rows[:, 784]
    train, test = [], []
    for digit in range(10):
        idx = np.flatnonzero(labels == digit)
        train.extend(idx[:TRAIN_PER_CLASS])
        test.extend(idx[TRAIN_PER_CLASS:])
    OUT.mkdir(parents=True, exist_ok=True)
    for split, idx in (("train", train), ("t10k", test)):
        write_idx(OUT / f"{split}-images-idx3-ubyte.gz", images[idx])
        write_idx(OUT / f"{split}-labels-idx1-ubyte.gz", labels[idx])
    print(f"wrote {len(train)} training and {len(test)} test digits to {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE)

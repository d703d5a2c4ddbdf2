"""IMDB movie reviews (Maas et al., 2011): the aclImdb tar tree, read straight from the tar."""

from __future__ import annotations

import tarfile

from ._utils import TextDataset, dataset_dir, fetch, wrap_split

__all__ = ["IMDB"]

URL = "http://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
MD5 = "7c2ac02c03563afcf9b574c7e56c153a"
NUM_LINES = {"train": 25000, "test": 25000}
_PATH = "aclImdb_v1.tar.gz"
_LABELS = {"neg": 1, "pos": 2}


def _read_tar(path, split):
    """Stream the archive once: ``aclImdb/<split>/<neg|pos>/<id>_<stars>.txt`` members."""
    with tarfile.open(path, "r|*") as tar:
        for member in tar:
            if not member.isfile():
                continue
            parts = member.name.split("/")
            if len(parts) < 3 or parts[-3] != split or parts[-2] not in _LABELS:
                continue
            f = tar.extractfile(member)
            yield _LABELS[parts[-2]], f.read().decode("utf-8")


def IMDB(root=None, split=("train", "test")):
    """IMDB reviews: yields ``(label 1 negative / 2 positive, review)``; 25,000 per split.

    The ``unsup`` reviews (no label) are skipped. Reviews come in the archive's order.
    """
    folder = dataset_dir(root, "IMDB")

    def make(s):
        def reader():
            yield from _read_tar(fetch(URL, folder / _PATH, MD5), s)
        return TextDataset(f"IMDB {s}", NUM_LINES[s], reader)

    return wrap_split("IMDB", split, ("train", "test"), make)

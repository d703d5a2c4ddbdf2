"""What every dataset shares: the root folder, ``split=``, checked downloads, lazy reading.

A dataset call returns lazily iterated datasets at once and touches neither disk nor
network; the first iteration downloads what is missing (``ember.hub.download_url_to_file``:
atomic, resumed, checksum-checked with the published MD5 or SHA-256), extracts the one file
the split needs where the archive is small enough to be worth it, and then reads it line
by line.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import tarfile
import zipfile
from pathlib import Path

from ember.hub import download_url_to_file
from ember.serialization._atomic import atomic_path
from ember.utils.data import IterableDataset, get_worker_info

__all__ = ["default_root", "TextDataset"]

csv.field_size_limit(2**31 - 1)  # Yelp and Amazon reviews hold fields past csv's 128 KiB


def default_root() -> str:
    """``$EMBER_HOME/text`` (default ``~/.cache/ember/text``): datasets go in subfolders."""
    home = os.environ.get("EMBER_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "ember")
    return os.path.join(home, "text")


def dataset_dir(root, name) -> Path:
    return Path(os.path.expanduser(os.fspath(root if root is not None else default_root()))) / name


class TextDataset(IterableDataset):
    """An iterable dataset read lazily by ``reader()``; ``len()`` is the published count.

    In a DataLoader with workers, each worker yields every ``num_workers``-th example
    (sharded, as torchtext's datapipes are), so the epoch holds each example once.
    """

    def __init__(self, description: str, num_lines: int | None, reader):
        super().__init__()
        self.description, self.num_lines, self._reader = description, num_lines, reader

    def __iter__(self):
        info = get_worker_info()
        if info is None or info.num_workers <= 1:
            yield from self._reader()
            return
        for i, example in enumerate(self._reader()):
            if i % info.num_workers == info.id:
                yield example

    def __len__(self):
        if self.num_lines is None:
            raise TypeError(f"{self.description} has no published length")
        return self.num_lines

    def __repr__(self):
        return f"{type(self).__name__}({self.description})"


def wrap_split(name, split, splits, make):
    """``make(split)`` for a split name, or a tuple of datasets for a tuple of names."""
    if isinstance(split, str):
        if split not in splits:
            raise ValueError(f"Split {split!r} of {name} is not one of {splits}")
        return make(split)
    out = []
    for s in split:
        if s not in splits:
            raise ValueError(f"Split {s!r} of {name} is not one of {splits}")
        out.append(make(s))
    return tuple(out)


_GDRIVE = re.compile(r"drive\.google\.com/uc\?export=download&id=([\w-]+)")


def direct_url(url: str) -> str:
    """Google Drive's ``uc?export=download`` links answer large files with a confirmation
    page; the same file comes straight from its ``usercontent`` address with ``confirm=t``.
    """
    m = _GDRIVE.search(url)
    if m:
        return (f"https://drive.usercontent.google.com/download?id={m.group(1)}"
                "&export=download&confirm=t")
    return url


def fetch(url, path: Path, checksum: str | None, algorithm: str = "md5") -> Path:
    """``path``, downloaded from ``url`` first if it is not there (checked against ``checksum``).

    A file already present is trusted (its hash was checked when it was downloaded).
    """
    if not path.is_file():
        download_url_to_file(direct_url(url), path, hash_prefix=checksum, progress=True,
                             hash_algorithm=algorithm)
    return path


def extract_member(archive: Path, member: str, target: Path) -> Path:
    """Extract one member of a tar/zip archive to ``target`` (atomically), once."""
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as partial, open(partial, "wb") as out:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as z:
                name = _find_member(z.namelist(), member, archive)
                with z.open(name) as src:
                    shutil.copyfileobj(src, out, 1 << 20)
        else:
            with tarfile.open(archive) as t:
                name = _find_member(t.getnames(), member, archive)
                src = t.extractfile(name)
                shutil.copyfileobj(src, out, 1 << 20)
    return target


def _find_member(names, member, archive):
    for n in names:
        if n == member or n.endswith("/" + member):
            return n
    raise RuntimeError(f"{archive} holds no {member}")


def read_lines(path: Path, strip_newline: bool = False):
    with open(path, encoding="utf-8", newline="") as f:
        for line in f:
            yield line.rstrip("\r\n") if strip_newline else line


def read_label_csv(path: Path):
    """Rows ``label, field, field...`` → ``(int(label), ' '.join(fields))``, as torchtext."""
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            if row:
                yield int(row[0]), " ".join(row[1:])

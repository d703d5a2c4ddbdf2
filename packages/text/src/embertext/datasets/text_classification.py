"""AG_NEWS, YelpReviewPolarity, YelpReviewFull and DBpedia: ``label,text...`` CSV files.

URLs, checksums (MD5) and line counts are the ones torchtext publishes. Each split yields
``(label, text)`` with labels from 1 and the text fields joined by a space.
"""

from __future__ import annotations

import os

from ._utils import TextDataset, dataset_dir, extract_member, fetch, read_label_csv, wrap_split

__all__ = ["AG_NEWS", "YelpReviewPolarity", "YelpReviewFull", "DBpedia"]


class _Spec:
    def __init__(self, name, url, md5, num_lines, archive=None, extracted=None):
        self.name, self.url, self.md5, self.num_lines = name, url, md5, num_lines
        self.archive, self.extracted = archive, extracted


def _drive_archive_spec(name, drive_id, md5, num_lines, folder):
    """A dataset published as one Google Drive ``{folder}.tar.gz`` holding
    ``{folder}/train.csv`` and ``{folder}/test.csv``."""
    return _Spec(name, url=f"https://drive.google.com/uc?export=download&id={drive_id}",
                 md5=md5, num_lines=num_lines, archive=f"{folder}.tar.gz",
                 extracted={s: f"{folder}/{s}.csv" for s in ("train", "test")})


AG_NEWS_SPEC = _Spec(
    "AG_NEWS",
    url={"train": "https://raw.githubusercontent.com/mhjabreel/CharCnn_Keras/master/data/"
                  "ag_news_csv/train.csv",
         "test": "https://raw.githubusercontent.com/mhjabreel/CharCnn_Keras/master/data/"
                 "ag_news_csv/test.csv"},
    md5={"train": "b1a00f826fdfbd249f79597b59e1dc12", "test": "d52ea96a97a2d943681189a97654912d"},
    num_lines={"train": 120000, "test": 7600})

YELP_POLARITY_SPEC = _drive_archive_spec(
    "YelpReviewPolarity", "0Bz8a_Dbh9QhbNUpYQ2N3SGlFaDg", "620c8ae4bd5a150b730f1ba9a7c6a4d3",
    {"train": 560000, "test": 38000}, "yelp_review_polarity_csv")

YELP_FULL_SPEC = _drive_archive_spec(
    "YelpReviewFull", "0Bz8a_Dbh9QhbZlU4dXhHTFhZQU0", "f7ddfafed1033f68ec72b9267863af6c",
    {"train": 650000, "test": 50000}, "yelp_review_full_csv")

DBPEDIA_SPEC = _drive_archive_spec(
    "DBpedia", "0Bz8a_Dbh9QhbQ2Vic1kxMmZZQ1k", "dca7b1ae12b1091090db52aa7ec5ca64",
    {"train": 560000, "test": 70000}, "dbpedia_csv")


def _csv_dataset(spec: _Spec, root, split):
    folder = dataset_dir(root, spec.name)

    def make(s):
        def reader():
            if spec.archive is None:
                path = fetch(spec.url[s], folder / f"{s}.csv", spec.md5[s])
            else:
                archive = fetch(spec.url, folder / spec.archive, spec.md5)
                path = extract_member(archive, spec.extracted[s],
                                      folder / os.path.normpath(spec.extracted[s]))
            yield from read_label_csv(path)
        return TextDataset(f"{spec.name} {s}", spec.num_lines[s], reader)

    return wrap_split(spec.name, split, ("train", "test"), make)


def AG_NEWS(root=None, split=("train", "test")):
    """AG News topics: yields ``(label 1..4, title + ' ' + description)``.

    train 120,000 and test 7,600 lines (World, Sports, Business, Sci/Tech).
    """
    return _csv_dataset(AG_NEWS_SPEC, root, split)


def YelpReviewPolarity(root=None, split=("train", "test")):
    """Yelp reviews: yields ``(label 1 negative / 2 positive, review)``; 560,000 / 38,000."""
    return _csv_dataset(YELP_POLARITY_SPEC, root, split)


def YelpReviewFull(root=None, split=("train", "test")):
    """Yelp reviews: yields ``(stars 1..5, review)``; 650,000 / 50,000."""
    return _csv_dataset(YELP_FULL_SPEC, root, split)


def DBpedia(root=None, split=("train", "test")):
    """DBpedia ontology classes: yields ``(label 1..14, title + ' ' + abstract)``."""
    return _csv_dataset(DBPEDIA_SPEC, root, split)

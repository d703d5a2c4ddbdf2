"""Datasets (torchtext.datasets): lazily iterated, downloaded and checked on first use.

Every dataset is a function ``NAME(root=None, split=...)`` returning one iterable dataset
for a split name, or a tuple of them for a tuple of names, as torchtext's.
"""

from ._utils import TextDataset, default_root
from .imdb import IMDB
from .language_modeling import WikiText2, WikiText103
from .multi30k import Multi30k
from .rotten_tomatoes import RottenTomatoes
from .text_classification import AG_NEWS, DBpedia, YelpReviewFull, YelpReviewPolarity

__all__ = ["AG_NEWS", "YelpReviewPolarity", "YelpReviewFull", "DBpedia", "IMDB", "WikiText2",
           "WikiText103", "Multi30k", "RottenTomatoes", "TextDataset", "default_root"]

"""Tokenizers by name, n-grams, dataset helpers and batching (torchtext.data)."""

from .batching import BucketBatchSampler, PadCollate, pad_collate
from .functional import (
                         custom_replace,
                         numericalize_tokens_from_iterator,
                         simple_space_split,
                         to_map_style_dataset,
)
from .metrics import bleu_score
from .utils import get_tokenizer, ngrams_iterator

__all__ = ["get_tokenizer", "ngrams_iterator", "to_map_style_dataset", "simple_space_split",
           "custom_replace", "numericalize_tokens_from_iterator", "bleu_score", "pad_collate",
           "PadCollate", "BucketBatchSampler"]

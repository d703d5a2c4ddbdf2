"""BLEU (torchtext.data.metrics.bleu_score)."""

from __future__ import annotations

import collections
import math

from .utils import ngrams_iterator

__all__ = ["bleu_score"]


def _compute_ngram_counter(tokens, max_n):
    return collections.Counter(tuple(x.split(" ")) for x in ngrams_iterator(tokens, max_n))


def bleu_score(candidate_corpus, references_corpus, max_n=4, weights=(0.25,) * 4):
    """Corpus BLEU of tokenised candidates against lists of tokenised references.

    >>> bleu_score([['My', 'full', 'pytorch', 'test'], ['Another', 'Sentence']],
    ...            [[['My', 'full', 'pytorch', 'test'], ['Completely', 'Different']],
    ...             [['No', 'Match']]])
    0.8408964276313782
    """
    if max_n != len(weights):
        raise AssertionError('Length of the "weights" list has be equal to max_n')
    if len(candidate_corpus) != len(references_corpus):
        raise AssertionError("The length of candidate and reference corpus should be the same")
    clipped = [0.0] * max_n
    total = [0.0] * max_n
    candidate_len = refs_len = 0.0
    for candidate, refs in zip(candidate_corpus, references_corpus):
        n = len(candidate)
        candidate_len += n
        refs_len += min((float(len(r)) for r in refs), key=lambda x: abs(n - x))
        ref_counter = _compute_ngram_counter(refs[0], max_n)
        for ref in refs[1:]:
            ref_counter = ref_counter | _compute_ngram_counter(ref, max_n)
        for ngram, count in (_compute_ngram_counter(candidate, max_n) & ref_counter).items():
            clipped[len(ngram) - 1] += count
        for i in range(max_n):
            total[i] += max(n - i, 0)
    if min(clipped) == 0:
        return 0.0
    log_p = sum(w * math.log(c / t) for w, c, t in zip(weights, clipped, total))
    bp = math.exp(min(1 - refs_len / candidate_len, 0))
    return bp * math.exp(log_p)

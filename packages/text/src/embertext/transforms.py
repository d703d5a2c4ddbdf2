"""Composable text transforms (torchtext.transforms).

Each transform is an ``nn.Module`` whose ``forward`` takes one example or a batch (a list
of examples), as torchtext's do, so a pipeline is ``Sequential(Tokenize, VocabTransform,
Truncate, AddToken, ToTensor)`` and a vocab inside it is saved with the model.
"""

from __future__ import annotations

import re
from functools import partial

import ember
from ember import nn
from ember.nn import functional as F_nn

from . import functional as F
from .data.utils import get_tokenizer

__all__ = ["TokenizerTransform", "VocabTransform", "ToTensor", "LabelToIndex", "Truncate",
           "AddToken", "PadTransform", "StrToIntTransform", "Sequential", "BERTTokenizer",
           "RegexTokenizer", "SentencePieceTokenizer"]


def _is_batch(x):
    return isinstance(x, (list, tuple)) and len(x) > 0 and not isinstance(x[0], str)


def _per_text(fn, input):
    """``fn(input)`` for one string; for a batch (any other iterable), fn of each."""
    if isinstance(input, str):
        return fn(input)
    return [fn(t) for t in input]


class TokenizerTransform(nn.Module):
    """Text → tokens with any tokenizer ``get_tokenizer`` accepts (a name or a callable).

    A list of strings is a batch: each is tokenized.
    """

    def __init__(self, tokenizer="basic_english", language="en"):
        super().__init__()
        self.tokenizer = get_tokenizer(tokenizer, language)

    def forward(self, input):
        return _per_text(self.tokenizer, input)


class VocabTransform(nn.Module):
    """Tokens → ids through a Vocab (a list of tokens, or a batch of lists)."""

    def __init__(self, vocab):
        super().__init__()
        self.vocab = vocab

    def forward(self, input):
        if _is_batch(input):
            return [self.vocab.lookup_indices(x) for x in input]
        return self.vocab.lookup_indices(input)


class ToTensor(nn.Module):
    """Ids (or a batch of id lists, padded with ``padding_value``) → a long tensor."""

    def __init__(self, padding_value: int | None = None, dtype=ember.long):
        super().__init__()
        self.padding_value, self.dtype = padding_value, dtype

    def forward(self, input):
        return F.to_tensor(input, padding_value=self.padding_value, dtype=self.dtype)


class LabelToIndex(nn.Module):
    """Label strings → indices, from ``label_names`` or a file of one label per line."""

    def __init__(self, label_names=None, label_path=None, sort_names=False):
        super().__init__()
        if (label_names is None) == (label_path is None):
            raise AssertionError("label_names and label_path are mutually exclusive")
        if label_path:
            with open(label_path, encoding="utf-8") as f:
                label_names = [line.strip() for line in f if line.strip()]
        self._label_names = sorted(label_names) if sort_names else list(label_names)
        self._label_vocab = {name: i for i, name in enumerate(self._label_names)}

    @property
    def label_names(self):
        return list(self._label_names)

    def forward(self, input):
        return _per_text(self._label_vocab.__getitem__, input)


class Truncate(nn.Module):
    def __init__(self, max_seq_len: int):
        super().__init__()
        self.max_seq_len = max_seq_len

    def forward(self, input):
        return F.truncate(input, self.max_seq_len)


class AddToken(nn.Module):
    """Add a token (id or string) at the beginning (``begin=True``) or the end."""

    def __init__(self, token, begin: bool = True):
        super().__init__()
        self.token, self.begin = token, begin

    def forward(self, input):
        return F.add_token(input, self.token, self.begin)


class PadTransform(nn.Module):
    """Right-pad a tensor's last dimension to ``max_length`` with ``pad_value``."""

    def __init__(self, max_length: int, pad_value: int):
        super().__init__()
        self.max_length, self.pad_value = max_length, float(pad_value)

    def forward(self, x):
        n = x.size(-1)
        if n < self.max_length:
            x = F_nn.pad(x, (0, self.max_length - n), value=self.pad_value)
        return x


class StrToIntTransform(nn.Module):
    def forward(self, input):
        return F.str_to_int(input)


class Sequential(nn.Sequential):
    """Apply transforms one after the other (an ``nn.Sequential`` of transforms)."""

    def forward(self, input):
        for module in self:
            input = module(input)
        return input


class BERTTokenizer(nn.Module):
    """BERT's WordPiece tokenizer from a ``vocab.txt`` (as torchtext's BERTTokenizer).

    Returns ids, or the string tokens with ``return_tokens=True``; no ``[CLS]``/``[SEP]``
    are added (compose with ``AddToken``), as in torchtext.
    """

    def __init__(self, vocab_path, do_lower_case: bool = True, strip_accents=None,
                 return_tokens: bool = False, never_split=None):
        super().__init__()
        from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

        vocab = {}
        with open(vocab_path, encoding="utf-8") as f:
            for line in f:
                token = line.rstrip("\r\n")
                if token and token not in vocab:
                    vocab[token] = len(vocab)
        unk = "[UNK]" if "[UNK]" in vocab else next(iter(vocab))
        tok = Tokenizer(models.WordPiece(vocab, unk_token=unk))
        tok.normalizer = normalizers.BertNormalizer(
            clean_text=True, handle_chinese_chars=True, lowercase=do_lower_case,
            strip_accents=strip_accents)
        tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        if never_split:
            tok.add_special_tokens(list(never_split))
        self._tok, self._return_tokens = tok, return_tokens

    def _one(self, text):
        enc = self._tok.encode(text, add_special_tokens=False)
        return list(enc.tokens) if self._return_tokens else [str(i) for i in enc.ids]

    def forward(self, input):
        return _per_text(self._one, input)


class RegexTokenizer(nn.Module):
    """Apply ``(pattern, replacement)`` substitutions in order, then split on whitespace."""

    def __init__(self, patterns_list):
        super().__init__()
        self.patterns_list = [(re.compile(p), r) for p, r in patterns_list]

    def _one(self, line):
        for pattern, rep in self.patterns_list:
            line = pattern.sub(rep, line)
        return line.split()

    def forward(self, input):
        return _per_text(self._one, input)


class SentencePieceTokenizer(nn.Module):
    """A SentencePiece model's pieces (needs the optional ``sentencepiece`` package)."""

    def __init__(self, sp_model_path):
        super().__init__()
        try:
            import sentencepiece
        except ImportError:
            raise ImportError("SentencePieceTokenizer needs the sentencepiece package: "
                              "pip install sentencepiece") from None
        self.sp_model = sentencepiece.SentencePieceProcessor(model_file=str(sp_model_path))

    def forward(self, input):
        return _per_text(partial(self.sp_model.encode, out_type=str), input)

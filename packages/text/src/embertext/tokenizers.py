"""Subword tokenizers (through Hugging Face's ``tokenizers``) and a character tokenizer.

``SubwordTokenizer`` wraps a ``tokenizers.Tokenizer``: load a published ``tokenizer.json``
(``from_file`` / ``from_pretrained``), or train a BPE or WordPiece model on an iterator of
texts (``train_bpe`` / ``train_wordpiece``). ``tokenizers`` is the field's standard: its
Rust core is what BERT-, GPT- and Llama-family checkpoints ship their tokenizers for, and
loading their ``tokenizer.json`` unchanged is the only way to reproduce their ids exactly.

Both tokenizers are callables from a string to a list of string tokens, so they plug into
``build_vocab_from_iterator`` and the transforms like ``get_tokenizer``'s functions.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

__all__ = ["SubwordTokenizer", "CharTokenizer", "train_bpe", "train_wordpiece"]


def _tk():
    try:
        import tokenizers
    except ImportError:  # pragma: no cover - a declared dependency
        raise ImportError("embertext's subword tokenizers need the `tokenizers` package: "
                          "pip install tokenizers") from None
    return tokenizers


class SubwordTokenizer:
    """A subword tokenizer: text → tokens / ids, and ids → text.

    ``tokenizer(text)`` gives the string tokens (special tokens included where the
    tokenizer's post-processor adds them, e.g. ``[CLS] ... [SEP]`` for BERT);
    ``encode``/``encode_batch`` give ids, ``decode`` turns ids back into text.
    """

    def __init__(self, tokenizer):
        self._tok = tokenizer

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def from_file(cls, path) -> SubwordTokenizer:
        """Load a ``tokenizer.json``."""
        return cls(_tk().Tokenizer.from_file(os.fspath(path)))

    @classmethod
    def from_pretrained(cls, model_dir) -> SubwordTokenizer:
        """``model_dir/tokenizer.json``, as published with Hugging Face checkpoints."""
        path = Path(model_dir) / "tokenizer.json"
        if not path.is_file():
            raise FileNotFoundError(f"no tokenizer.json in {model_dir}")
        return cls.from_file(path)

    @classmethod
    def from_str(cls, json_str: str) -> SubwordTokenizer:
        return cls(_tk().Tokenizer.from_str(json_str))

    @classmethod
    def train(cls, iterator: Iterable[str], model: str = "bpe", vocab_size: int = 8000,
              min_frequency: int = 2, special_tokens=None, lowercase: bool = False,
              byte_level: bool = False, show_progress: bool = False) -> SubwordTokenizer:
        """Train a ``'bpe'`` or ``'wordpiece'`` tokenizer on an iterator of texts.

        BPE defaults to ``["<unk>", "<pad>", "<bos>", "<eos>"]`` as specials, WordPiece to
        BERT's ``["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]`` (and a ``[CLS] .. [SEP]``
        template). ``byte_level`` gives GPT-2-style byte-level BPE (no unknown tokens).
        """
        tk = _tk()
        from tokenizers import decoders, normalizers, pre_tokenizers, processors, trainers

        model = model.lower()
        norms = [normalizers.NFD(), normalizers.Lowercase(), normalizers.StripAccents()] \
            if lowercase else [normalizers.NFC()]
        if model == "bpe":
            specials = list(special_tokens or ["<unk>", "<pad>", "<bos>", "<eos>"])
            if byte_level:
                tok = tk.Tokenizer(tk.models.BPE())
                tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
                tok.decoder = decoders.ByteLevel()
                alphabet = pre_tokenizers.ByteLevel.alphabet()
            else:
                tok = tk.Tokenizer(tk.models.BPE(unk_token=specials[0],
                                                 end_of_word_suffix="</w>"))
                tok.pre_tokenizer = pre_tokenizers.Whitespace()
                tok.decoder = decoders.BPEDecoder(suffix="</w>")
                alphabet = []
            tok.normalizer = normalizers.Sequence(norms)
            trainer = trainers.BpeTrainer(
                vocab_size=vocab_size, min_frequency=min_frequency, special_tokens=specials,
                initial_alphabet=alphabet, show_progress=show_progress,
                **({} if byte_level else {"end_of_word_suffix": "</w>"}))
        elif model == "wordpiece":
            specials = list(special_tokens or ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
            unk = "[UNK]" if "[UNK]" in specials else specials[0]
            tok = tk.Tokenizer(tk.models.WordPiece(unk_token=unk))
            tok.normalizer = normalizers.BertNormalizer(lowercase=lowercase,
                                                        strip_accents=lowercase or None)
            tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
            tok.decoder = decoders.WordPiece()
            trainer = trainers.WordPieceTrainer(vocab_size=vocab_size,
                                                min_frequency=min_frequency,
                                                special_tokens=specials,
                                                show_progress=show_progress)
        else:
            raise ValueError(f"model must be 'bpe' or 'wordpiece', not {model!r}")
        tok.train_from_iterator(iterator, trainer=trainer)
        if model == "wordpiece" and "[CLS]" in specials and "[SEP]" in specials:
            cls_id, sep_id = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
            tok.post_processor = processors.TemplateProcessing(
                single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
                special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)])
        return cls(tok)

    # -- use -------------------------------------------------------------------------------
    def __call__(self, text: str) -> list[str]:
        return self.tokenize(text)

    def tokenize(self, text: str, add_special_tokens: bool = True) -> list[str]:
        return self._tok.encode(text, add_special_tokens=add_special_tokens).tokens

    def encode(self, text: str, add_special_tokens: bool = True) -> list[int]:
        return self._tok.encode(text, add_special_tokens=add_special_tokens).ids

    def encode_batch(self, texts, add_special_tokens: bool = True):
        """The ``tokenizers.Encoding`` of each text (``.ids``, ``.attention_mask``, ...)."""
        return self._tok.encode_batch(list(texts), add_special_tokens=add_special_tokens)

    def decode(self, ids, skip_special_tokens: bool = True) -> str:
        return self._tok.decode([int(i) for i in ids], skip_special_tokens=skip_special_tokens)

    def token_to_id(self, token: str) -> int | None:
        return self._tok.token_to_id(token)

    def id_to_token(self, index: int) -> str | None:
        return self._tok.id_to_token(int(index))

    def get_vocab(self) -> dict[str, int]:
        return self._tok.get_vocab(with_added_tokens=True)

    @property
    def vocab_size(self) -> int:
        return self._tok.get_vocab_size(with_added_tokens=True)

    def __len__(self) -> int:
        return self.vocab_size

    def enable_truncation(self, max_length: int) -> None:
        self._tok.enable_truncation(max_length)

    def no_truncation(self) -> None:
        self._tok.no_truncation()

    def enable_padding(self, pad_id: int = 0, pad_token: str = "[PAD]",
                       length: int | None = None) -> None:
        """Pad batches to their longest member (``length=None``) or to ``length``."""
        self._tok.enable_padding(pad_id=pad_id, pad_token=pad_token, length=length)

    def no_padding(self) -> None:
        self._tok.no_padding()

    def to_vocab(self):
        """The tokenizer's vocabulary as an ``embertext.vocab.Vocab`` (ids kept)."""
        from .vocab import Vocab

        by_id = sorted(self.get_vocab().items(), key=lambda kv: kv[1])
        return Vocab([t for t, _ in by_id])

    def save(self, path) -> None:
        """Write ``tokenizer.json`` (loadable by ``from_file`` and by ``tokenizers``)."""
        self._tok.save(os.fspath(path))

    @property
    def backend(self):
        """The underlying ``tokenizers.Tokenizer``."""
        return self._tok

    def __getstate__(self):
        return {"json": self._tok.to_str()}

    def __setstate__(self, state):
        self._tok = _tk().Tokenizer.from_str(state["json"])

    def __repr__(self):
        model = json.loads(self._tok.to_str())["model"]["type"]
        return f"SubwordTokenizer({model}, vocab_size={self.vocab_size})"


def train_bpe(iterator, vocab_size=8000, **kwargs) -> SubwordTokenizer:
    """``SubwordTokenizer.train(iterator, 'bpe', vocab_size, ...)``."""
    return SubwordTokenizer.train(iterator, "bpe", vocab_size, **kwargs)


def train_wordpiece(iterator, vocab_size=8000, **kwargs) -> SubwordTokenizer:
    """``SubwordTokenizer.train(iterator, 'wordpiece', vocab_size, ...)``."""
    return SubwordTokenizer.train(iterator, "wordpiece", vocab_size, **kwargs)


class CharTokenizer:
    """Characters as tokens, with its own vocabulary (for character-level models).

    >>> tok = CharTokenizer.from_texts(["hello world"])
    >>> tok.decode(tok.encode("hold"))
    'hold'
    """

    def __init__(self, chars, unk_token: str | None = None):
        chars = list(chars)
        if unk_token is not None and unk_token not in chars:
            chars.insert(0, unk_token)
        self.itos = chars
        self.stoi = {c: i for i, c in enumerate(chars)}
        if len(self.stoi) != len(chars):
            raise ValueError("CharTokenizer: duplicate characters")
        self.unk_token = unk_token
        self.unk_index = None if unk_token is None else self.stoi[unk_token]

    @classmethod
    def from_texts(cls, texts: Iterable[str], min_freq: int = 1,
                   unk_token: str | None = None) -> CharTokenizer:
        """The characters seen in ``texts`` (at least ``min_freq`` times), in sorted order."""
        if isinstance(texts, str):
            texts = [texts]
        counts = Counter()
        for t in texts:
            counts.update(t)
        return cls(sorted(c for c, n in counts.items() if n >= min_freq), unk_token)

    def __call__(self, text: str) -> list[str]:
        return list(text)

    def encode(self, text: str) -> list[int]:
        stoi, unk = self.stoi, self.unk_index
        if unk is None:
            try:
                return [stoi[c] for c in text]
            except KeyError as e:
                raise KeyError(f"character {e.args[0]!r} is not in the tokenizer's vocabulary "
                               "(give unk_token to map unknown characters)") from None
        return [stoi.get(c, unk) for c in text]

    def decode(self, ids) -> str:
        return "".join(self.itos[int(i)] for i in ids)

    @property
    def vocab_size(self) -> int:
        return len(self.itos)

    def __len__(self) -> int:
        return len(self.itos)

    def to_vocab(self):
        from .vocab import Vocab

        v = Vocab(self.itos)
        if self.unk_index is not None:
            v.set_default_index(self.unk_index)
        return v

"""Pretrained word vectors in GloVe / word2vec / fastText text format (torchtext.vocab.Vectors)."""

from __future__ import annotations

import gzip
import os
import zipfile
from pathlib import Path

import numpy as np

import ember

__all__ = ["Vectors", "GloVe", "FastText"]


def _cache_dir():
    home = os.environ.get("EMBER_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "ember")
    return os.path.join(home, "text", "vectors")


class Vectors:
    """Word vectors read from a text file: ``token v1 v2 ... vd`` per line.

    A word2vec/fastText header line (``count dim``) is skipped. ``name`` is a path (or a
    file name under ``cache``); with ``url`` the file (or a .zip/.gz holding it) is
    downloaded first through ``ember.hub.download_url_to_file``. Tokens not found get
    ``unk_init(tensor)`` (zeros by default).
    """

    def __init__(self, name, cache=None, url=None, unk_init=None, max_vectors=None,
                 sha256=None):
        self.unk_init = unk_init or (lambda t: t.zero_())
        cache = Path(cache or _cache_dir())
        path = Path(name)
        if not path.is_file():
            path = cache / name
        if not path.is_file() and url:
            from ember.hub import download_url_to_file

            archive = cache / os.path.basename(url.split("?")[0])
            if not archive.is_file():
                download_url_to_file(url, archive, hash_prefix=sha256, progress=True)
            path = self._unpack(archive, name, cache)
        if not path.is_file():
            raise RuntimeError(f"no vectors file at {path}")
        self.itos, self.stoi, self.vectors, self.dim = self._read(path, max_vectors)

    @staticmethod
    def _unpack(archive, name, cache):
        target = cache / name
        if archive.suffix == ".zip":
            with zipfile.ZipFile(archive) as z:
                member = next((m for m in z.namelist() if m.endswith(name)), z.namelist()[0])
                with z.open(member) as src, open(target, "wb") as dst:
                    dst.write(src.read())
            return target
        if archive.suffix == ".gz":
            with gzip.open(archive) as src, open(target, "wb") as dst:
                dst.write(src.read())
            return target
        return archive

    @staticmethod
    def _read(path, max_vectors):
        itos, rows, dim = [], [], None
        opener = gzip.open if str(path).endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f):
                parts = line.rstrip().split(" ")
                if n == 0 and len(parts) == 2:
                    continue  # word2vec / fastText header
                if dim is None:
                    dim = len(parts) - 1
                if len(parts) - 1 != dim:
                    continue
                itos.append(parts[0])
                rows.append(np.asarray(parts[1:], dtype=np.float32))
                if max_vectors is not None and len(itos) >= max_vectors:
                    break
        stoi = {}
        for i, w in enumerate(itos):
            stoi.setdefault(w, i)
        matrix = np.stack(rows) if rows else np.zeros((0, dim or 0), np.float32)
        return itos, stoi, ember.from_numpy(matrix), dim or 0

    def __len__(self):
        return len(self.itos)

    def __contains__(self, token):
        return token in self.stoi

    def __getitem__(self, token):
        if token in self.stoi:
            return self.vectors[self.stoi[token]]
        return self.unk_init(ember.zeros(self.dim))

    def get_vecs_by_tokens(self, tokens, lower_case_backup=False):
        """A (len(tokens), dim) tensor (or (dim,) for one token)."""
        single = isinstance(tokens, str)
        tokens = [tokens] if single else tokens
        if lower_case_backup:
            tokens = [t if t in self.stoi else t.lower() for t in tokens]
        out = ember.stack([self[t] for t in tokens]) if tokens else ember.zeros(0, self.dim)
        return out[0] if single else out


class GloVe(Vectors):
    """Stanford's GloVe vectors (``name='6B'``, ``dim=100`` → glove.6B.100d.txt)."""

    url = {
        "42B": "http://nlp.stanford.edu/data/glove.42B.300d.zip",
        "840B": "http://nlp.stanford.edu/data/glove.840B.300d.zip",
        "twitter.27B": "http://nlp.stanford.edu/data/glove.twitter.27B.zip",
        "6B": "http://nlp.stanford.edu/data/glove.6B.zip",
    }

    def __init__(self, name="840B", dim=300, **kwargs):
        super().__init__(f"glove.{name}.{dim}d.txt", url=self.url[name], **kwargs)


class FastText(Vectors):
    """fastText's wiki vectors for a language (``wiki.en.vec``)."""

    url_base = "https://dl.fbaipublicfiles.com/fasttext/vectors-wiki/wiki.{}.vec"

    def __init__(self, language="en", **kwargs):
        url = self.url_base.format(language)
        super().__init__(os.path.basename(url), url=url, **kwargs)

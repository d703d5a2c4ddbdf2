"""Vocab: tokens to indices and back (torchtext.vocab.Vocab).

As in torchtext, a Vocab is an ``nn.Module`` (``vocab(tokens)`` looks the tokens up), so it
can sit inside a model. Its tokens and default index are the module's *extra state*: they
travel in the model's ``state_dict`` and through ``ember.save`` / ``ember.load`` (the safe
default, ``weights_only=True``), and ``load_state_dict`` restores them.
"""

from __future__ import annotations

from ember import nn

__all__ = ["Vocab"]


class Vocab(nn.Module):
    """An ordered list of unique tokens with a token → index map.

    Looking up a token that is not there returns the default index if one is set
    (``set_default_index``), else raises RuntimeError, as torchtext's does.
    """

    def __init__(self, tokens=None, default_index: int | None = None):
        super().__init__()
        if hasattr(tokens, "get_itos"):  # torchtext-style: Vocab(vocab_object)
            default_index = tokens.get_default_index() if default_index is None else \
                default_index
            tokens = tokens.get_itos()
        self._set(list(tokens or []), default_index)

    def _set(self, itos, default_index):
        stoi = {}
        for i, token in enumerate(itos):
            if token in stoi:
                raise RuntimeError(f"Duplicate token found in tokens list: {token}")
            stoi[token] = i
        self._itos, self._stoi, self._default_index = itos, stoi, default_index

    # -- lookups ---------------------------------------------------------------------------
    def forward(self, tokens: list[str]) -> list[int]:
        """The indices of ``tokens`` (``lookup_indices``)."""
        return self.lookup_indices(tokens)

    def __len__(self) -> int:
        return len(self._itos)

    def __contains__(self, token) -> bool:
        return token in self._stoi

    def __getitem__(self, token: str) -> int:
        index = self._stoi.get(token)
        if index is not None:
            return index
        if self._default_index is None:
            raise RuntimeError(f"Token {token} not found and default index is not set")
        return self._default_index

    def __iter__(self):
        return iter(self._itos)

    def set_default_index(self, index: int | None) -> None:
        """The index returned for tokens not in the vocab (None: raise instead)."""
        self._default_index = None if index is None else int(index)

    def get_default_index(self) -> int | None:
        return self._default_index

    def lookup_indices(self, tokens) -> list[int]:
        stoi, default = self._stoi, self._default_index
        if default is not None:
            return [stoi.get(t, default) for t in tokens]
        return [self[t] for t in tokens]

    def lookup_token(self, index: int) -> str:
        if not 0 <= index < len(self._itos):
            raise RuntimeError(f"Specified index {index} is out of bounds for vocab of size "
                               f"{len(self._itos)}")
        return self._itos[index]

    def lookup_tokens(self, indices) -> list[str]:
        itos, n = self._itos, len(self._itos)
        out = []
        for pos, i in enumerate(indices):
            i = int(i)
            if not 0 <= i < n:
                raise RuntimeError(f"Specified index {i} at position {pos} is out of bounds for "
                                   f"vocab of size {n}")
            out.append(itos[i])
        return out

    def get_stoi(self) -> dict[str, int]:
        """A copy of the token → index dictionary."""
        return dict(self._stoi)

    def get_itos(self) -> list[str]:
        """A copy of the index → token list."""
        return list(self._itos)

    # -- edits -----------------------------------------------------------------------------
    def append_token(self, token: str) -> None:
        if token in self._stoi:
            raise RuntimeError(f"Token {token} already exists in the Vocab with index: "
                               f"{self._stoi[token]}")
        self._stoi[token] = len(self._itos)
        self._itos.append(token)

    def insert_token(self, token: str, index: int) -> None:
        """Insert ``token`` at ``index``; the tokens from there on move up by one."""
        if not 0 <= index <= len(self._itos):
            raise RuntimeError(f"Specified index {index} is out of bounds for vocab of size "
                               f"{len(self._itos)}")
        if token in self._stoi:
            raise RuntimeError(f"Token {token} already exists in the Vocab with index: "
                               f"{self._stoi[token]}")
        self._itos.insert(index, token)
        for i in range(index, len(self._itos)):
            self._stoi[self._itos[i]] = i

    # -- saving with the model -------------------------------------------------------------
    def get_extra_state(self):
        return {"itos": list(self._itos), "default_index": self._default_index}

    def set_extra_state(self, state):
        self._set(list(state["itos"]), state.get("default_index"))

    def save(self, path) -> None:
        """Write the tokens, one per line (read back by ``vocab_from_file``)."""
        for t in self._itos:
            if "\n" in t:
                raise ValueError(f"token {t!r} holds a newline; save the Vocab with ember.save "
                                 "(state_dict) instead")
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(t + "\n" for t in self._itos)

    def extra_repr(self) -> str:
        head = ", ".join(repr(t) for t in self._itos[:5])
        more = ", ..." if len(self._itos) > 5 else ""
        return f"{len(self._itos)} tokens: [{head}{more}], default_index={self._default_index}"

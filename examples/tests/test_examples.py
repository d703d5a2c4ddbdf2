"""Each example runs, in a few steps, and does what it says."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1]


def _load(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tour_prints_the_gradient_and_the_fit():
    out = subprocess.run([sys.executable, str(EXAMPLES / "tour.py")], capture_output=True,
                         text=True, check=True).stdout
    assert "grad of a**3: tensor([ 3., 12., 27.])" in out
    assert "fitted y = 1.9" in out


def test_linear_regression_fits():
    assert _load("linear_regression").main(["--steps", "200"]) < 1e-3


def test_mlp_learns_digits():
    assert _load("mlp_mnist").main(["--epochs", "1"]) > 0.75


def test_mlp_with_two_workers():
    assert _load("mlp_mnist").main(["--epochs", "1", "--workers", "2"]) > 0.75


def test_checkpoint_round_trip_resumes_identically(tmp_path):
    same, a, b = _load("checkpoint").main(["--path", str(tmp_path / "c.pt"), "--steps", "20"])
    assert same and a == pytest.approx(b, rel=1e-6)


def test_quick_start_cnn_runs_and_saves(tmp_path):
    out = tmp_path / "cnn.pt"
    result = subprocess.run([sys.executable, str(EXAMPLES / "train_mnist_cnn.py"), "--epochs",
                             "1", "--out", str(out)], capture_output=True, text=True, check=True)
    assert "final test accuracy" in result.stdout
    accuracy = float(result.stdout.split("final test accuracy ")[1].split("%")[0])
    assert accuracy > 85.0
    from PIL import Image

    import ember

    with Image.open(out.with_suffix(".png")) as picture:  # the labelled grid of test digits
        assert picture.mode == "RGB" and picture.width > 28 * 8
    state = ember.load(out)
    assert sorted(state) == ["conv1.bias", "conv1.weight", "conv2.bias", "conv2.weight",
                             "fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight"]

"""embervision.utils against torchvision's results (fixtures/utils.npz from
tools/make_utils_fixtures.py) and embervision.io through Pillow."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import ember
from embervision import io, utils

REF = np.load(Path(__file__).parent / "fixtures" / "utils.npz")


def t(name):
    return ember.from_numpy(np.array(REF[name]))


def test_make_grid():
    np.testing.assert_allclose(utils.make_grid(t("batch")).numpy(), REF["grid_default"])
    np.testing.assert_allclose(
        utils.make_grid(t("batch"), nrow=3, padding=1, normalize=True, pad_value=0.5).numpy(),
        REF["grid_nrow3_norm"], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(
        utils.make_grid(t("batch"), nrow=4, normalize=True, value_range=(0, 1),
                        scale_each=True).numpy(), REF["grid_range_each"], rtol=1e-6, atol=1e-6)
    images = [t("batch")[i] for i in range(3)]
    assert utils.make_grid(images, nrow=3).shape == (3, 13, 41)


def test_draw_bounding_boxes_and_masks():
    img = t("image")
    np.testing.assert_array_equal(utils.draw_bounding_boxes(img, t("boxes")).numpy(),
                                  REF["boxes_plain"])
    styled = utils.draw_bounding_boxes(img, t("boxes"), colors=["red", (0, 255, 0), "#0000ff"],
                                       fill=True, width=2)
    np.testing.assert_array_equal(styled.numpy(), REF["boxes_styled"])
    masks = utils.draw_segmentation_masks(img, t("mask_input"), alpha=0.6,
                                          colors=["blue", (255, 255, 0)])
    diff = np.abs(masks.numpy().astype(int) - REF["drawn_masks"].astype(int))
    assert diff.max() <= 1
    kp = utils.draw_keypoints(img, t("keypoint_input"), connectivity=[(0, 1), (1, 2)], colors="red",
                              radius=2, width=2)
    np.testing.assert_array_equal(kp.numpy(), REF["drawn_keypoints"])
    labelled = utils.draw_bounding_boxes(img, t("boxes"), labels=["a", "b", "c"])
    assert labelled.shape == img.shape and labelled.dtype == ember.uint8
    with pytest.raises(ValueError, match="xmin, ymin, xmax, ymax"):
        utils.draw_bounding_boxes(img, ember.tensor([[5.0, 5.0, 1.0, 1.0]]))


def test_save_image_and_labeled_grid(tmp_path):
    batch = t("batch").clamp(0, 1)
    utils.save_image(batch, tmp_path / "grid.png", nrow=4)
    saved = np.asarray(Image.open(tmp_path / "grid.png"))
    grid = utils.make_grid(batch, nrow=4)
    expected = grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to(ember.uint8).numpy()
    np.testing.assert_array_equal(saved, expected)
    digits = ember.rand(6, 1, 28, 28)
    labelled = utils.make_labeled_grid(digits, [f"{i}" for i in range(6)], nrow=3,
                                       colors=["green"] * 5 + ["red"])
    assert labelled.dtype == ember.uint8 and labelled.shape[0] == 3
    assert labelled.shape[2] == 3 * 28 * 3 + 4 * 2  # three cells of 84 px and the padding
    io.write_png(labelled, tmp_path / "labelled.png")
    assert Image.open(tmp_path / "labelled.png").size == (labelled.shape[2], labelled.shape[1])
    red = labelled.numpy()
    assert ((red[0] > 200) & (red[1] < 60) & (red[2] < 60)).any()  # the red label's pixels
    with pytest.raises(ValueError, match="labels"):
        utils.make_labeled_grid(digits, ["1"])


def test_png_round_trip_and_modes(tmp_path):
    img = t("image")
    io.write_png(img, tmp_path / "a.png")
    np.testing.assert_array_equal(io.read_image(tmp_path / "a.png").numpy(), REF["image"])
    grey = io.read_image(tmp_path / "a.png", io.ImageReadMode.GRAY)
    expected = np.asarray(Image.fromarray(REF["image"].transpose(1, 2, 0)).convert("L"))
    np.testing.assert_array_equal(grey.numpy()[0], expected)
    assert io.read_image(tmp_path / "a.png", "RGBA").shape == (4, 40, 50)
    data = io.read_file(tmp_path / "a.png")
    assert data.dtype == ember.uint8 and data.ndim == 1
    np.testing.assert_array_equal(io.decode_image(data).numpy(), REF["image"])
    np.testing.assert_array_equal(io.decode_png(io.encode_png(img, 9)).numpy(), REF["image"])
    io.write_file(tmp_path / "b.png", data)
    assert (tmp_path / "b.png").read_bytes() == (tmp_path / "a.png").read_bytes()


def test_jpeg(tmp_path):
    img = t("image")
    io.write_jpeg(img, tmp_path / "a.jpg", quality=95)
    back = io.read_image(tmp_path / "a.jpg")
    assert back.shape == img.shape
    smooth = ember.from_numpy(np.tile(np.linspace(0, 255, 50, dtype=np.uint8), (3, 40, 1)))
    enc = io.encode_jpeg(smooth, quality=95)
    assert np.abs(io.decode_jpeg(enc).numpy().astype(int) - smooth.numpy()).max() <= 8
    assert len(io.encode_jpeg([smooth, smooth])) == 2
    with pytest.raises(RuntimeError, match="channels"):
        io.encode_jpeg(ember.zeros(4, 5, 5, dtype=ember.uint8))
    with pytest.raises(ValueError, match="quality"):
        io.encode_jpeg(smooth, quality=0)


def test_bad_files_are_named(tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    with pytest.raises(RuntimeError, match="broken.png"):
        io.read_image(bad)
    good = tmp_path / "good.png"
    io.write_png(t("image"), good)
    cut = tmp_path / "cut.png"
    cut.write_bytes(good.read_bytes()[:200])
    with pytest.raises(RuntimeError, match="cut.png"):
        io.read_image(cut)
    with pytest.raises(RuntimeError, match="decode"):
        io.decode_image(ember.zeros(10, dtype=ember.uint8))
    with pytest.raises(RuntimeError, match="uint8"):
        io.encode_png(ember.zeros(3, 4, 4))

"""transforms.functional against torchvision's outputs (tests/fixtures/transforms.npz,
written by tools/make_transform_fixtures.py): PIL results identical (same Pillow), tensor
results within rounding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from transform_cases import CASES, as_array, call, inputs

import ember
import embervision.transforms.functional as F
from embervision.transforms import InterpolationMode

FIXTURES = np.load(Path(__file__).parent / "fixtures" / "transforms.npz")
IMAGES = inputs(Image, ember.from_numpy)
DTYPES = {"float32": ember.float32, "uint8": ember.uint8}


@pytest.mark.parametrize("name,inp,fn,kw", CASES, ids=[c[0] for c in CASES])
def test_matches_torchvision(name, inp, fn, kw):
    got = call(F, InterpolationMode, DTYPES, IMAGES[inp], fn, kw)
    expected = FIXTURES[name]
    if fn == "to_pil_image" or (inp.startswith("pil") and "to_tensor" not in fn):
        assert isinstance(got, Image.Image)
    else:
        assert isinstance(got, ember.Tensor)
    got = as_array(got)
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype
    nearest_warp = fn in ("rotate", "affine", "perspective", "_apply_op") and \
        kw.get("interpolation", "NEAREST") == "NEAREST"
    if got.dtype == np.uint8 and nearest_warp and not inp.startswith("pil"):
        # nearest-neighbour warps: a sample coordinate that lands on a tie (x.5) may round
        # the other way after a last-bit difference in the float32 grid, taking the
        # neighbouring pixel; a few such pixels are allowed
        diff = np.abs(got.astype(np.int16) - expected.astype(np.int16))
        assert (diff > 1).mean() <= 0.02, f"{(diff > 1).mean():.2%} of the pixels differ"
    elif got.dtype == np.uint8:
        diff = np.abs(got.astype(np.int16) - expected.astype(np.int16))
        # integer results: equal but for rounding (+-1) at a few pixels
        assert diff.max() <= 1, f"max difference {diff.max()}"
        assert (diff > 0).mean() <= 0.02
    else:
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=2e-5)

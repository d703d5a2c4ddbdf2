"""Record torchvision's outputs for the transform cases in tests/transform_cases.py.

Run with torchvision installed (an oracle, never imported by embervision or its tests):

    /opt/tv/bin/python packages/vision/tools/make_transform_fixtures.py

Writes tests/fixtures/transforms.npz: one array per case, plus the torchvision and Pillow
versions it was made with.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import PIL
import torch
import torchvision
import torchvision.transforms.functional as F
from PIL import Image
from torchvision.transforms import InterpolationMode

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path.insert(0, str(TESTS))
from transform_cases import CASES, as_array, call, inputs  # noqa: E402


def main() -> None:
    images = inputs(Image, torch.from_numpy)
    dtypes = {"float32": torch.float32, "uint8": torch.uint8}
    out = {"_versions": np.array(f"torchvision {torchvision.__version__}, Pillow "
                                 f"{PIL.__version__}")}
    for name, inp, fn, kw in CASES:
        out[name] = as_array(call(F, InterpolationMode, dtypes, images[inp], fn, kw))
    np.savez_compressed(TESTS / "fixtures" / "transforms.npz", **out)
    print(f"wrote {len(CASES)} cases")


if __name__ == "__main__":
    main()

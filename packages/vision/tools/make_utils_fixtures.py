"""Record torchvision.utils results (make_grid, draw_bounding_boxes, draw_segmentation_masks,
draw_keypoints) and torchvision.io PNG round trips for tests/test_utils_io.py.

    /opt/tv/bin/python packages/vision/tools/make_utils_fixtures.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torchvision
from torchvision import utils

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "utils.npz"


def main() -> None:
    rng = np.random.default_rng(3)
    batch = rng.uniform(-0.5, 1.5, (7, 3, 9, 11)).astype(np.float32)
    image = rng.integers(0, 256, (3, 40, 50), dtype=np.uint8)
    boxes = np.array([[1, 2, 20, 30], [10, 10, 45, 35], [30, 5, 48, 12]], dtype=np.float32)
    masks = np.zeros((2, 40, 50), dtype=bool)
    masks[0, 5:20, 5:30] = True
    masks[1, 15:35, 20:45] = True
    keypoints = np.array([[[5.0, 5.0], [20.0, 25.0], [40.0, 10.0]]], dtype=np.float32)
    out = {"_versions": np.array(f"torchvision {torchvision.__version__}"), "batch": batch,
           "image": image, "boxes": boxes, "mask_input": masks, "keypoint_input": keypoints}
    tb = torch.from_numpy(batch)
    out["grid_default"] = utils.make_grid(tb).numpy()
    out["grid_nrow3_norm"] = utils.make_grid(tb, nrow=3, padding=1, normalize=True,
                                             pad_value=0.5).numpy()
    out["grid_range_each"] = utils.make_grid(tb, nrow=4, normalize=True, value_range=(0, 1),
                                             scale_each=True).numpy()
    timg = torch.from_numpy(image)
    out["boxes_plain"] = utils.draw_bounding_boxes(timg, torch.from_numpy(boxes)).numpy()
    out["boxes_styled"] = utils.draw_bounding_boxes(
        timg, torch.from_numpy(boxes), colors=["red", (0, 255, 0), "#0000ff"], fill=True,
        width=2).numpy()
    out["drawn_masks"] = utils.draw_segmentation_masks(timg, torch.from_numpy(masks), alpha=0.6,
                                                 colors=["blue", (255, 255, 0)]).numpy()
    out["drawn_keypoints"] = utils.draw_keypoints(timg, torch.from_numpy(keypoints),
                                            connectivity=[(0, 1), (1, 2)], colors="red",
                                            radius=2, width=2).numpy()
    np.savez_compressed(OUT, **out)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()

"""Record torchvision.ops results (nms, batched_nms, box_iou, box_convert, roi_align with its
input gradient, sigmoid_focal_loss) for tests/test_ops.py.

    /opt/tv/bin/python packages/vision/tools/make_ops_fixtures.py

Writes tests/fixtures/ops.npz; the inputs are stored beside the results.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torchvision
from torchvision import ops

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "ops.npz"


def main() -> None:
    rng = np.random.default_rng(0)
    out = {"_versions": np.array(f"torchvision {torchvision.__version__}")}
    # boxes: 60 random boxes in a 100x100 image, many overlapping, distinct scores
    xy = rng.uniform(0, 80, (60, 2))
    wh = rng.uniform(5, 40, (60, 2))
    boxes = np.concatenate([xy, xy + wh], 1).astype(np.float32)
    scores = rng.permutation(60).astype(np.float32) / 60 + rng.uniform(0, 1e-3, 60).astype(
        np.float32)
    idxs = rng.integers(0, 4, 60)
    out.update(boxes=boxes, scores=scores, idxs=idxs)
    tb, ts = torch.from_numpy(boxes), torch.from_numpy(scores)
    for thr in (0.3, 0.5, 0.7):
        out[f"nms_{thr}"] = ops.nms(tb, ts, thr).numpy()
        out[f"batched_nms_{thr}"] = ops.batched_nms(tb, ts, torch.from_numpy(idxs), thr).numpy()
    out["box_iou"] = ops.box_iou(tb[:20], tb[20:35]).numpy()
    out["generalized_box_iou"] = ops.generalized_box_iou(tb[:20], tb[20:35]).numpy()
    out["box_area"] = ops.box_area(tb).numpy()
    for fmt in ("xywh", "cxcywh"):
        conv = ops.box_convert(tb, "xyxy", fmt)
        out[f"convert_xyxy_{fmt}"] = conv.numpy()
        out[f"convert_{fmt}_xyxy"] = ops.box_convert(conv, fmt, "xyxy").numpy()
    # roi_align: features N=2, C=3, 16x20; rois (batch index, x1, y1, x2, y2)
    feats = rng.standard_normal((2, 3, 16, 20)).astype(np.float32)
    rois = np.array([[0, 1.0, 2.0, 10.5, 9.0], [1, 0.0, 0.0, 19.0, 15.0],
                     [0, 4.2, 3.3, 6.1, 5.7], [1, 12.0, 1.0, 30.0, 14.0],
                     [0, 3.0, 3.0, 3.0, 3.0]], dtype=np.float32)
    weights = rng.standard_normal((5, 3, 4, 3)).astype(np.float32)
    out.update(roi_feats=feats, rois=rois, roi_weights=weights)
    configs = {"default": dict(output_size=(4, 3)),
               "aligned": dict(output_size=(4, 3), aligned=True),
               "ratio2": dict(output_size=(4, 3), sampling_ratio=2),
               "scale": dict(output_size=(4, 3), spatial_scale=0.5, sampling_ratio=-1)}
    for name, kw in configs.items():
        x = torch.from_numpy(feats).requires_grad_(True)
        res = ops.roi_align(x, torch.from_numpy(rois), **kw)
        (res * torch.from_numpy(weights)).sum().backward()
        out[f"roi_align_{name}"] = res.detach().numpy()
        out[f"roi_align_{name}_grad"] = x.grad.numpy()
    # sigmoid focal loss
    logits = rng.standard_normal((6, 5)).astype(np.float32) * 2
    targets = (rng.uniform(size=(6, 5)) > 0.6).astype(np.float32)
    out.update(focal_logits=logits, focal_targets=targets)
    for red in ("none", "mean", "sum"):
        x = torch.from_numpy(logits).requires_grad_(True)
        loss = ops.sigmoid_focal_loss(x, torch.from_numpy(targets), alpha=0.25, gamma=2.0,
                                      reduction=red)
        loss.sum().backward()
        out[f"focal_{red}"] = loss.detach().numpy()
        out[f"focal_{red}_grad"] = x.grad.numpy()
    np.savez_compressed(OUT, **out)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()

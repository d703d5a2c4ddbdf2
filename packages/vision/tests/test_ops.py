"""embervision.ops against torchvision's results (fixtures/ops.npz, written by
tools/make_ops_fixtures.py), plus roi_align's gradient by finite differences."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ember
from embervision import ops

REF = np.load(Path(__file__).parent / "fixtures" / "ops.npz")


def t(name, **kw):
    return ember.from_numpy(np.array(REF[name])).to(**kw) if kw else \
        ember.from_numpy(np.array(REF[name]))


@pytest.mark.parametrize("thr", [0.3, 0.5, 0.7])
def test_nms_and_batched_nms(thr):
    keep = ops.nms(t("boxes"), t("scores"), thr)
    assert keep.dtype == ember.int64
    np.testing.assert_array_equal(keep.numpy(), REF[f"nms_{thr}"])
    keep = ops.batched_nms(t("boxes"), t("scores"), t("idxs"), thr)
    np.testing.assert_array_equal(keep.numpy(), REF[f"batched_nms_{thr}"])


def test_batched_nms_vanilla_path_agrees():
    from embervision.ops.boxes import _batched_nms_vanilla

    keep = _batched_nms_vanilla(t("boxes"), t("scores"), t("idxs"), 0.5)
    np.testing.assert_array_equal(keep.numpy(), REF["batched_nms_0.5"])


def test_nms_empty_and_errors():
    assert ops.nms(ember.zeros(0, 4), ember.zeros(0), 0.5).shape == (0,)
    with pytest.raises(ValueError, match="boxes"):
        ops.nms(ember.zeros(3, 5), ember.zeros(3), 0.5)


def test_box_iou_area_convert():
    b = t("boxes")
    np.testing.assert_allclose(ops.box_iou(b[:20], b[20:35]).numpy(), REF["box_iou"],
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ops.generalized_box_iou(b[:20], b[20:35]).numpy(),
                               REF["generalized_box_iou"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ops.box_area(b).numpy(), REF["box_area"], rtol=1e-6)
    for fmt in ("xywh", "cxcywh"):
        conv = ops.box_convert(b, "xyxy", fmt)
        np.testing.assert_allclose(conv.numpy(), REF[f"convert_xyxy_{fmt}"], rtol=1e-6)
        np.testing.assert_allclose(ops.box_convert(conv, fmt, "xyxy").numpy(),
                                   REF[f"convert_{fmt}_xyxy"], rtol=1e-6, atol=1e-5)


CONFIGS = {"default": dict(output_size=(4, 3)),
           "aligned": dict(output_size=(4, 3), aligned=True),
           "ratio2": dict(output_size=(4, 3), sampling_ratio=2),
           "scale": dict(output_size=(4, 3), spatial_scale=0.5, sampling_ratio=-1)}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_roi_align_and_its_gradient(name):
    x = t("roi_feats").requires_grad_(True)
    out = ops.roi_align(x, t("rois"), **CONFIGS[name])
    np.testing.assert_allclose(out.detach().numpy(), REF[f"roi_align_{name}"], rtol=1e-5,
                               atol=1e-5)
    (out * t("roi_weights")).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), REF[f"roi_align_{name}_grad"], rtol=1e-5,
                               atol=1e-5)


def test_roi_align_list_of_boxes_and_module():
    x = t("roi_feats")
    rois = REF["rois"]
    per_image = [ember.from_numpy(rois[rois[:, 0] == i, 1:].copy()) for i in range(2)]
    out = ops.roi_align(x, per_image, (4, 3))
    order = np.concatenate([np.flatnonzero(rois[:, 0] == i) for i in range(2)])
    np.testing.assert_allclose(out.numpy(), REF["roi_align_default"][order], rtol=1e-5,
                               atol=1e-5)
    layer = ops.RoIAlign((4, 3), spatial_scale=1.0, sampling_ratio=2)
    np.testing.assert_allclose(layer(x, t("rois")).numpy(), REF["roi_align_ratio2"], rtol=1e-5,
                               atol=1e-5)
    assert "RoIAlign(output_size=(4, 3)" in repr(layer)


def test_roi_align_gradcheck():
    x = ember.from_numpy(np.array(REF["roi_feats"][:1, :1, :6, :7], dtype=np.float64))
    x.requires_grad_(True)
    rois = ember.tensor([[0, 0.5, 1.0, 5.2, 4.9], [0, 2.0, 0.3, 4.0, 3.1]], dtype=ember.float64)
    assert ember.autograd.gradcheck(lambda f: ops.roi_align(f, rois, 2, sampling_ratio=2), (x,))


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_sigmoid_focal_loss(reduction):
    x = t("focal_logits").requires_grad_(True)
    loss = ops.sigmoid_focal_loss(x, t("focal_targets"), alpha=0.25, gamma=2.0,
                                  reduction=reduction)
    np.testing.assert_allclose(loss.detach().numpy(), REF[f"focal_{reduction}"], rtol=1e-5,
                               atol=1e-6)
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), REF[f"focal_{reduction}_grad"], rtol=1e-4,
                               atol=1e-6)


def test_stochastic_depth():
    x = ember.ones(8, 3, 2, 2)
    assert ops.stochastic_depth(x, 0.5, "row", training=False) is x
    ember.manual_seed(0)
    y = ops.stochastic_depth(x, 0.5, "row")
    rows = y.reshape(8, -1)
    assert all(float(r.min()) == float(r.max()) and float(r[0]) in (0.0, 2.0) for r in rows)
    with pytest.raises(ValueError, match="mode"):
        ops.stochastic_depth(x, 0.5, "col")

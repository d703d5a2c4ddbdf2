"""Detection and layer operators with torchvision's API: boxes (nms, batched_nms, box_iou,
box_convert, ...), roi_align, sigmoid_focal_loss, and the model building blocks."""

from .boxes import (
    batched_nms,
    box_area,
    box_convert,
    box_iou,
    clip_boxes_to_image,
    complete_box_iou,
    distance_box_iou,
    generalized_box_iou,
    masks_to_boxes,
    nms,
    remove_small_boxes,
)
from .focal_loss import sigmoid_focal_loss
from .misc import (
    MLP,
    Conv2dNormActivation,
    Conv3dNormActivation,
    FrozenBatchNorm2d,
    Permute,
    SqueezeExcitation,
)
from .roi_align import RoIAlign, roi_align
from .stochastic_depth import StochasticDepth, stochastic_depth

__all__ = ["batched_nms", "box_area", "box_convert", "box_iou", "clip_boxes_to_image",
           "complete_box_iou", "distance_box_iou", "generalized_box_iou", "masks_to_boxes", "nms",
           "remove_small_boxes", "sigmoid_focal_loss", "roi_align", "RoIAlign", "MLP",
           "Conv2dNormActivation", "Conv3dNormActivation", "FrozenBatchNorm2d", "Permute",
           "SqueezeExcitation", "StochasticDepth", "stochastic_depth"]

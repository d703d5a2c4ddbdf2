"""The transform cases compared with torchvision: shared by the fixture generator
(``tools/make_transform_fixtures.py``, run with torchvision) and ``test_transforms.py``.

Each case is ``(name, input, function, kwargs)``: ``input`` names one of the images that
:func:`inputs` builds; ``function`` is a name in ``transforms.functional``; an
``"interpolation"`` kwarg is the name of an ``InterpolationMode`` member.
"""

from __future__ import annotations

import numpy as np


def base_image() -> np.ndarray:
    """A 24x30 RGB uint8 image with smooth gradients, edges and some noise."""
    rng = np.random.default_rng(7)
    h, w = 24, 30
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 255 * (x / (w - 1))
    g = 255 * (y / (h - 1))
    b = 128 + 100 * np.sin(x / 3.0) * np.cos(y / 4.0)
    img = np.stack([r, g, b], -1)
    img[6:14, 8:20] = [250, 30, 60]
    img += rng.normal(0, 12, img.shape)
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


# inputs: pil_rgb, pil_l, t_u8 (3xHxW uint8), t_f (3xHxW float32 in [0, 1]), t_l_u8 (1xHxW)
GEOMETRY = ["pil_rgb", "pil_l", "t_u8", "t_f"]
COLOR = ["pil_rgb", "t_u8", "t_f"]


def _cases():
    cases = []

    def add(name, inputs, fn, **kw):
        for inp in inputs:
            cases.append((f"{name}/{inp}", inp, fn, kw))

    add("resize_20_bilinear", GEOMETRY, "resize", size=20, interpolation="BILINEAR")
    add("resize_17x23_bilinear_aa", GEOMETRY, "resize", size=[17, 23],
        interpolation="BILINEAR", antialias=True)
    add("resize_up_40_bilinear", GEOMETRY, "resize", size=40, interpolation="BILINEAR")
    add("resize_16_nearest", GEOMETRY, "resize", size=16, interpolation="NEAREST")
    add("resize_20_bicubic", ["pil_rgb", "t_f"], "resize", size=20, interpolation="BICUBIC")
    add("resize_max_size", ["pil_rgb", "t_f"], "resize", size=20, max_size=22)
    add("center_crop_16", GEOMETRY, "center_crop", output_size=16)
    add("center_crop_pad", GEOMETRY, "center_crop", output_size=[28, 34])
    add("crop", GEOMETRY, "crop", top=3, left=5, height=12, width=14)
    add("crop_outside", ["pil_rgb", "t_u8"], "crop", top=-2, left=20, height=12, width=14)
    add("pad_3", GEOMETRY, "pad", padding=3)
    add("pad_fill", ["pil_rgb", "t_u8"], "pad", padding=[1, 2, 3, 4], fill=7)
    for mode in ("edge", "reflect", "symmetric"):
        add(f"pad_{mode}", GEOMETRY, "pad", padding=[2, 3], padding_mode=mode)
    add("hflip", GEOMETRY, "hflip")
    add("vflip", GEOMETRY, "vflip")
    add("resized_crop", GEOMETRY, "resized_crop", top=2, left=3, height=15, width=20,
        size=[12, 16], interpolation="BILINEAR")
    add("rotate_90", GEOMETRY, "rotate", angle=90.0)
    add("rotate_30_nearest", GEOMETRY, "rotate", angle=30.0, interpolation="NEAREST")
    add("rotate_30_bilinear", ["pil_rgb", "t_f"], "rotate", angle=30.0,
        interpolation="BILINEAR")
    add("rotate_expand", ["pil_rgb", "t_u8"], "rotate", angle=-45.0, expand=True)
    add("rotate_center_fill", ["pil_rgb", "t_u8"], "rotate", angle=20.0, center=[4, 6],
        fill=[10, 200, 30])
    add("affine", GEOMETRY, "affine", angle=15.0, translate=[2, -3], scale=1.1,
        shear=[5.0, 3.0])
    add("affine_bilinear", ["pil_rgb", "t_f"], "affine", angle=-10.0, translate=[1, 1],
        scale=0.9, shear=[0.0, 0.0], interpolation="BILINEAR")
    add("perspective", ["pil_rgb", "t_u8"], "perspective",
        startpoints=[[0, 0], [29, 0], [29, 23], [0, 23]],
        endpoints=[[2, 1], [27, 3], [28, 22], [1, 20]])
    for f in (0.5, 1.6):
        add(f"brightness_{f}", COLOR, "adjust_brightness", brightness_factor=f)
        add(f"contrast_{f}", COLOR, "adjust_contrast", contrast_factor=f)
        add(f"saturation_{f}", COLOR, "adjust_saturation", saturation_factor=f)
        add(f"sharpness_{f}", COLOR, "adjust_sharpness", sharpness_factor=f)
    for h in (-0.3, 0.1):
        add(f"hue_{h}", COLOR, "adjust_hue", hue_factor=h)
    add("gamma", COLOR, "adjust_gamma", gamma=0.7, gain=1.1)
    add("grayscale_1", COLOR, "rgb_to_grayscale", num_output_channels=1)
    add("grayscale_3", COLOR, "rgb_to_grayscale", num_output_channels=3)
    add("gaussian_blur", COLOR, "gaussian_blur", kernel_size=[3, 5], sigma=[1.0, 1.5])
    add("gaussian_blur_default_sigma", ["pil_rgb", "t_f"], "gaussian_blur", kernel_size=5)
    add("posterize", ["pil_rgb", "t_u8"], "posterize", bits=3)
    add("solarize", ["pil_rgb", "t_u8"], "solarize", threshold=128)
    add("solarize_f", ["t_f"], "solarize", threshold=0.4)
    add("autocontrast", COLOR, "autocontrast")
    add("equalize", ["pil_rgb", "t_u8"], "equalize")
    add("invert", COLOR, "invert")
    add("to_tensor", ["pil_rgb", "pil_l"], "to_tensor")
    add("pil_to_tensor", ["pil_rgb", "pil_l"], "pil_to_tensor")
    add("to_pil_image", ["t_u8", "t_f"], "to_pil_image")
    add("convert_to_float", ["t_u8"], "convert_image_dtype", dtype="float32")
    add("convert_to_uint8", ["t_f"], "convert_image_dtype", dtype="uint8")
    add("normalize", ["t_f"], "normalize", mean=[0.485, 0.456, 0.406],
        std=[0.229, 0.224, 0.225])
    add("erase", ["t_u8", "t_f"], "erase", i=2, j=3, h=5, w=6, v=0)
    # the AutoAugment / RandAugment / TrivialAugmentWide operations with fixed magnitudes
    for op, magnitude in (("ShearX", 0.3), ("ShearY", -0.2), ("TranslateX", 5.0),
                          ("TranslateY", -4.0), ("Rotate", 25.0), ("Brightness", 0.4),
                          ("Color", -0.3), ("Contrast", 0.5), ("Sharpness", 0.6),
                          ("Posterize", 4.0), ("Solarize", 100.0), ("AutoContrast", 0.0),
                          ("Equalize", 0.0), ("Invert", 0.0), ("Identity", 0.0)):
        add(f"autoaugment_{op}", ["pil_rgb", "t_u8"], "_apply_op", op_name=op,
            magnitude=magnitude, interpolation="NEAREST", fill=None)
    return cases


CASES = _cases()


def inputs(Image, to_tensor_fn):  # noqa: N803 - PIL's module name
    """The input images: PIL ones and tensors made with ``to_tensor_fn(ndarray)``."""
    arr = base_image()
    pil_rgb = Image.fromarray(arr)
    pil_l = pil_rgb.convert("L")
    chw = np.ascontiguousarray(arr.transpose(2, 0, 1))
    return {"pil_rgb": pil_rgb, "pil_l": pil_l, "t_u8": to_tensor_fn(chw),
            "t_f": to_tensor_fn((chw / 255.0).astype(np.float32))}


def as_array(out) -> np.ndarray:
    """A case's output as an ndarray (PIL images as HxW(xC) uint8)."""
    if hasattr(out, "numpy"):
        return np.asarray(out.detach().cpu().numpy() if hasattr(out, "detach") else out.numpy())
    return np.asarray(out)


def call(F, InterpolationMode, dtypes, img, fn, kw):  # noqa: N803
    kw = dict(kw)
    if "interpolation" in kw:
        kw["interpolation"] = InterpolationMode[kw["interpolation"]]
    if "dtype" in kw:
        kw["dtype"] = dtypes[kw["dtype"]]
    if fn == "erase":
        kw["v"] = img[..., :1, :1] * 0 + kw["v"]
    if fn == "_apply_op":  # transforms.autoaugment._apply_op, beside transforms.functional
        import importlib

        autoaugment = importlib.import_module(F.__name__.rsplit(".", 1)[0] + ".autoaugment")
        return autoaugment._apply_op(img, **kw)
    return getattr(F, fn)(img, **kw)

"""The transform classes: parameters, randomness (ember.manual_seed), PIL/tensor agreement,
and the presets. Their arithmetic is checked against torchvision in
test_transforms_vs_torchvision.py."""

from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import Image
from transform_cases import base_image

import ember
import embervision.transforms as T
import embervision.transforms.functional as F

PIL_IMG = Image.fromarray(base_image())
U8 = T.PILToTensor()(PIL_IMG)
FLT = T.ToTensor()(PIL_IMG)


def arr(x):
    return np.asarray(x) if isinstance(x, Image.Image) else x.numpy()


def test_to_tensor_family():
    assert FLT.shape == (3, 24, 30) and FLT.dtype == ember.float32
    np.testing.assert_allclose(FLT.numpy(), base_image().transpose(2, 0, 1) / 255, atol=1e-7)
    assert U8.dtype == ember.uint8
    assert T.ToTensor()(base_image()).shape == (3, 24, 30)  # HWC ndarray
    assert T.ToTensor()(PIL_IMG.convert("L")).shape == (1, 24, 30)
    back = T.ToPILImage()(FLT)
    assert back.mode == "RGB" and np.array_equal(np.asarray(back), base_image())
    assert T.ToPILImage()(U8[:1]).mode == "L"
    assert T.ConvertImageDtype(ember.float32)(U8).dtype == ember.float32
    x = T.Normalize([0.5, 0.5, 0.5], [0.25, 0.25, 0.25])(FLT)
    np.testing.assert_allclose(x.numpy(), (FLT.numpy() - 0.5) / 0.25, rtol=1e-6)
    with pytest.raises(TypeError):
        T.Normalize([0.5], [0.5])(PIL_IMG)


def test_compose_lambda_and_reprs():
    t = T.Compose([T.Resize(12), T.CenterCrop(10), T.ToTensor(), T.Lambda(lambda x: x * 2)])
    out = t(PIL_IMG)
    assert out.shape == (3, 10, 10) and float(out.max()) <= 2.0
    text = repr(t)
    assert text.startswith("Compose(") and "Resize(size=12" in text and "CenterCrop" in text


@pytest.mark.parametrize("img", [PIL_IMG, U8, FLT], ids=["pil", "uint8", "float"])
def test_random_transforms_keep_types_and_are_seeded(img):
    transforms = [
        T.RandomCrop(16, padding=4), T.RandomCrop(40, pad_if_needed=True, padding_mode="edge"),
        T.RandomResizedCrop(16, scale=(0.3, 1.0)), T.RandomHorizontalFlip(),
        T.RandomVerticalFlip(), T.RandomRotation(30, fill=0),
        T.RandomAffine(20, translate=(0.1, 0.1), scale=(0.9, 1.1), shear=10),
        T.ColorJitter(0.3, 0.3, 0.3, 0.1), T.RandomGrayscale(0.5), T.GaussianBlur(3, (0.1, 2.0)),
        T.RandomApply([T.RandomRotation(10)], p=0.5), T.RandomChoice([T.Pad(1), T.Pad(2)]),
        T.RandomOrder([T.Pad(1), T.CenterCrop(20)]), T.RandomPerspective(p=1.0),
        T.RandomInvert(), T.RandomAdjustSharpness(2), T.RandomAutocontrast()]
    if not (isinstance(img, ember.Tensor) and img.is_floating_point()):
        transforms += [T.AutoAugment(), T.AutoAugment(T.AutoAugmentPolicy.CIFAR10),
                       T.AutoAugment(T.AutoAugmentPolicy.SVHN), T.RandAugment(),
                       T.TrivialAugmentWide(), T.AugMix(), T.RandomPosterize(4),
                       T.RandomSolarize(100), T.RandomEqualize()]
    for t in transforms:
        # RandomChoice / RandomOrder draw from Python's random module, as in torchvision
        ember.manual_seed(5)
        random.seed(5)
        a = t(img)
        ember.manual_seed(5)
        random.seed(5)
        b = t(img)
        assert type(a) is type(img), t
        np.testing.assert_array_equal(arr(a), arr(b), err_msg=repr(t))
        if isinstance(img, ember.Tensor):
            assert a.dtype == img.dtype, t


def test_flips_and_probabilities():
    assert np.array_equal(arr(T.RandomHorizontalFlip(p=1.0)(U8)), arr(F.hflip(U8)))
    assert np.array_equal(arr(T.RandomHorizontalFlip(p=0.0)(U8)), arr(U8))
    assert np.array_equal(arr(T.RandomVerticalFlip(p=1.0)(PIL_IMG)), arr(F.vflip(PIL_IMG)))
    assert np.array_equal(arr(T.RandomGrayscale(p=1.0)(PIL_IMG)),
                          arr(F.rgb_to_grayscale(PIL_IMG, 3)))
    assert np.array_equal(arr(T.RandomApply([T.Pad(3)], p=0.0)(U8)), arr(U8))
    assert T.RandomApply([T.Pad(3)], p=1.0)(U8).shape == (3, 30, 36)
    ember.manual_seed(0)
    flips = sum(np.array_equal(arr(T.RandomHorizontalFlip()(U8)), arr(F.hflip(U8)))
                for _ in range(200))
    assert 70 < flips < 130


def test_crops_and_pads():
    out = T.RandomCrop(16, padding=4)(U8)
    assert out.shape == (3, 16, 16)
    assert T.RandomCrop((30, 40), pad_if_needed=True)(PIL_IMG).size == (40, 30)
    with pytest.raises(ValueError, match="Required crop size"):
        T.RandomCrop(40)(U8)
    assert T.CenterCrop(10)(PIL_IMG).size == (10, 10)
    assert T.Pad((1, 2))(U8).shape == (3, 28, 32)
    assert T.Pad(2, fill=9, padding_mode="constant")(U8)[0, 0, 0] == 9
    i, j, h, w = T.RandomResizedCrop.get_params(U8, scale=(0.5, 0.5), ratio=(1.0, 1.0))
    assert abs(h * w - 0.5 * 24 * 30) < 30 and 0 <= i <= 24 - h and 0 <= j <= 30 - w
    assert T.RandomResizedCrop((8, 12))(PIL_IMG).size == (12, 8)
    assert [x.size for x in T.FiveCrop(10)(PIL_IMG)] == [(10, 10)] * 5
    assert len(T.TenCrop(10)(U8)) == 10


def test_resize_pil_and_tensor_agree():
    a = arr(T.Resize(16)(PIL_IMG)).transpose(2, 0, 1).astype(int)
    b = arr(T.Resize(16)(U8)).astype(int)
    assert a.shape == b.shape == (3, 16, 20)
    assert np.abs(a - b).max() <= 1  # both antialiased bilinear (PIL's filter)
    assert T.Resize(16, max_size=18)(U8).shape == (3, 14, 18)
    assert T.Resize((10, 11), interpolation=T.InterpolationMode.NEAREST)(U8).shape == (3, 10, 11)


def test_color_jitter_params():
    assert np.array_equal(arr(T.ColorJitter()(U8)), arr(U8))
    cj = T.ColorJitter(brightness=0.5, contrast=(0.8, 1.2), saturation=0.1, hue=0.2)
    assert cj.brightness == (0.5, 1.5) and cj.hue == (-0.2, 0.2)
    order, b, c, s, h = T.ColorJitter.get_params(cj.brightness, cj.contrast, cj.saturation,
                                                 cj.hue)
    assert sorted(order.tolist()) == [0, 1, 2, 3] and 0.5 <= b <= 1.5 and -0.2 <= h <= 0.2
    with pytest.raises(ValueError):
        T.ColorJitter(hue=0.7)


def test_rotation_affine_blur_params():
    assert np.array_equal(arr(T.RandomRotation(0)(U8)), arr(U8))
    assert T.RandomRotation(45, expand=True)(U8).shape[1] >= 24
    angle, translations, scale, shear = T.RandomAffine.get_params(
        (-10, 10), (0.1, 0.2), (0.9, 1.1), (-5, 5, -5, 5), [30, 24])
    assert -10 <= angle <= 10 and abs(translations[0]) <= 3 and abs(translations[1]) <= 5
    assert 0.9 <= scale <= 1.1 and all(-5 <= s <= 5 for s in shear)
    assert 0.1 <= T.GaussianBlur.get_params(0.1, 2.0) <= 2.0
    with pytest.raises(ValueError):
        T.GaussianBlur(4)


def test_random_erasing():
    ember.manual_seed(0)
    out = T.RandomErasing(p=1.0, value=0)(FLT)
    changed = (out != FLT).any(0).numpy()
    assert changed.any() and not changed.all()
    rows, cols = np.nonzero(changed)
    assert changed[rows.min():rows.max() + 1, cols.min():cols.max() + 1].mean() > 0.9
    assert np.array_equal(T.RandomErasing(p=0.0)(FLT).numpy(), FLT.numpy())
    ember.manual_seed(1)
    noisy = T.RandomErasing(p=1.0, value="random")(FLT)
    assert noisy.shape == FLT.shape


def test_autoaugment_policies_differ_and_magnitudes():
    ops = T.RandAugment(num_ops=2, magnitude=9)._augmentation_space(31, (24, 30))
    assert set(ops) >= {"ShearX", "Rotate", "Solarize", "Posterize", "Identity"}
    assert T.TrivialAugmentWide()._augmentation_space(31)["Rotate"][0][-1] == 135.0
    assert "policy=AutoAugmentPolicy.IMAGENET" in repr(T.AutoAugment())


def test_image_classification_preset():
    from embervision.transforms._presets import ImageClassification

    preset = ImageClassification(crop_size=20, resize_size=22)
    x = preset(PIL_IMG)
    assert x.shape == (3, 20, 20) and x.dtype == ember.float32
    y = preset(U8)
    assert np.abs(x.numpy() - y.numpy()).max() < 0.05  # PIL vs tensor resize rounding

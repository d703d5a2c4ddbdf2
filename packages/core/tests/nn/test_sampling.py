"""interpolate, grid_sample, affine_grid, pixel/channel shuffle, fold/unfold, Upsample."""

import functools

import pytest
from _ember_nn_b_cases import cases, run_case, target

import ember
from ember.autograd import gradcheck, gradgradcheck

F = functools.partial(target, kind="functional")
M = functools.partial(target, kind="module")


@pytest.mark.parametrize("case", cases(
    "interpolate", "grid_sample", "affine_grid", "pixel_shuffle", "pixel_unshuffle",
    "channel_shuffle", "unfold", "fold", "Upsample", "UpsamplingBilinear2d", "PixelShuffle",
    "PixelUnshuffle", "Unfold", "Fold"))
def test_against_pytorch(case, device):
    run_case(case, device)


def _rand(*shape, device="cpu"):
    return ember.randn(*shape, dtype=ember.float64, device=device, requires_grad=True)


@pytest.mark.parametrize("kw", [
    dict(scale_factor=1.5, mode="bilinear"), dict(size=(2, 5), mode="bilinear",
                                                  align_corners=True),
    dict(scale_factor=1.7, mode="bicubic"), dict(size=(3, 2), mode="area"),
    dict(scale_factor=2, mode="nearest"),
])
def test_interpolate_gradcheck(kw, device):
    assert gradcheck(lambda a: F("interpolate")(a, **kw), (_rand(1, 2, 3, 4, device=device),))


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_grid_sample_gradcheck(mode, padding_mode, device):
    x = _rand(1, 2, 3, 4, device=device)
    # keep samples off the integer lattice, where the gradient in the grid jumps
    grid = (ember.rand(1, 2, 3, 2, dtype=ember.float64, device=device) * 1.6 - 0.8 + 0.013)
    grid.requires_grad_()
    assert gradcheck(lambda a, g: F("grid_sample")(a, g, mode, padding_mode, False), (x, grid))


def test_affine_grid_gradcheck(device):
    theta = _rand(2, 2, 3, device=device)
    assert gradcheck(lambda t: F("affine_grid")(t, (2, 1, 3, 4), align_corners=False), (theta,))


def test_fold_unfold_are_adjoint(device):
    x = _rand(1, 2, 5, 4, device=device)
    assert gradcheck(lambda a: F("unfold")(a, 2, padding=1, stride=(2, 1)), (x,))
    assert gradgradcheck(lambda a: F("unfold")(a, 2, padding=1), (x,))
    cols = _rand(1, 8, 12, device=device)
    assert gradcheck(lambda c: F("fold")(c, (4, 5), 2), (cols,))


def test_pixel_shuffle_roundtrip(device):
    x = ember.randn(2, 8, 3, 5, device=device)
    assert ember.equal(F("pixel_unshuffle")(F("pixel_shuffle")(x, 2), 2), x)


@pytest.mark.parametrize("call, error, message", [
    (lambda: F("interpolate")(ember.randn(1, 2, 4, 4), scale_factor=2, mode="nearest",
                              align_corners=True), ValueError,
     "align_corners option can only be set with the interpolating modes: linear | bilinear | "
     "bicubic | trilinear"),
    (lambda: F("interpolate")(ember.randn(1, 2, 4, 4)), ValueError,
     "either size or scale_factor should be defined"),
    (lambda: F("interpolate")(ember.randn(1, 2, 4, 4), size=3, scale_factor=2), ValueError,
     "only one of size or scale_factor should be defined"),
    (lambda: F("pixel_shuffle")(ember.randn(1, 7, 2, 3), 2), RuntimeError,
     "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
     "upscale_factor, but input.size(-3)=7 is not divisible by 4"),
    (lambda: F("pixel_unshuffle")(ember.randn(1, 2, 4, 5), 2), RuntimeError,
     "pixel_unshuffle expects width to be divisible by downscale_factor, but "
     "input.size(-1)=5 is not divisible by 2"),
    (lambda: F("channel_shuffle")(ember.randn(1, 8, 2, 3), 3), RuntimeError,
     "Number of channels must be divisible by groups. Got 8 channels and 3 groups."),
    (lambda: F("fold")(ember.randn(1, 7, 16), (5, 5), 2), RuntimeError,
     "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
     "got input.size(1)=7 and kernel_size=(2, 2)."),
    (lambda: F("fold")(ember.randn(1, 8, 15), (5, 5), 2), RuntimeError,
     "Given output_size=(5, 5), kernel_size=(2, 2), dilation=(1, 1), padding=(0, 0), "
     "stride=(1, 1), expected size of input's dimension 2 to match the calculated number of "
     "sliding blocks 4 * 4 = 16, but got input.size(2)=15."),
    (lambda: F("unfold")(ember.randn(1, 2, 5, 5), 6), RuntimeError,
     "Given input with spatial size (5, 5), kernel_size=(6, 6), dilation=(1, 1), "
     "padding=(0, 0), calculated shape of the array of sliding blocks as (0, 0), but its "
     "components must be at least one."),
])
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


@pytest.mark.parametrize("make, text", [
    (lambda: M("Unfold")(2, padding=1), "Unfold(kernel_size=2, dilation=1, padding=1, stride=1)"),
    (lambda: M("Fold")((4, 5), 2),
     "Fold(output_size=(4, 5), kernel_size=2, dilation=1, padding=0, stride=1)"),
    (lambda: M("PixelShuffle")(2), "PixelShuffle(upscale_factor=2)"),
    (lambda: M("PixelUnshuffle")(3), "PixelUnshuffle(downscale_factor=3)"),
    (lambda: M("Upsample")(scale_factor=2), "Upsample(scale_factor=2.0, mode='nearest')"),
    (lambda: M("Upsample")(size=(3, 4), mode="bilinear", align_corners=True),
     "Upsample(size=(3, 4), mode='bilinear')"),
    (lambda: M("UpsamplingNearest2d")(scale_factor=2),
     "UpsamplingNearest2d(scale_factor=2.0, mode='nearest')"),
])
def test_repr(make, text):
    assert repr(make()) == text

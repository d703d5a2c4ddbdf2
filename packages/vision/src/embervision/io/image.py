"""Reading and writing images as uint8 C x H x W tensors, through Pillow.

torchvision's ``torchvision.io`` API (``read_image``, ``decode_image``, ``encode_png`` /
``write_png``, ``encode_jpeg`` / ``write_jpeg``, ``read_file`` / ``write_file``) with Pillow
doing the decoding and encoding, so no compiled extension is needed.
"""

from __future__ import annotations

import io
import os
from enum import Enum

import numpy as np

import ember

__all__ = ["ImageReadMode", "read_file", "write_file", "decode_image", "decode_png",
           "decode_jpeg", "read_image", "encode_png", "encode_jpeg", "write_png",
           "write_jpeg"]


class ImageReadMode(Enum):
    """How to convert while decoding: as is, or to GRAY, GRAY_ALPHA, RGB or RGB_ALPHA."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4
    RGBA = RGB_ALPHA


_PIL_MODE = {ImageReadMode.GRAY: "L", ImageReadMode.GRAY_ALPHA: "LA",
             ImageReadMode.RGB: "RGB", ImageReadMode.RGB_ALPHA: "RGBA"}


def _mode(mode) -> ImageReadMode:
    if isinstance(mode, str):
        key = mode.upper().replace("GRAY_ALPHA", "GRAY_ALPHA")
        aliases = {"L": "GRAY", "LA": "GRAY_ALPHA", "RGBA": "RGB_ALPHA"}
        key = aliases.get(key, key)
        try:
            return ImageReadMode[key]
        except KeyError:
            raise ValueError(f"Unknown image read mode {mode!r}; expected one of "
                             f"{[m.name for m in ImageReadMode]}") from None
    return ImageReadMode(mode)


def read_file(path) -> ember.Tensor:
    """The bytes of a file as a 1-D uint8 tensor."""
    with open(os.fspath(path), "rb") as f:
        data = f.read()
    return ember.from_numpy(np.frombuffer(data, dtype=np.uint8).copy())


def write_file(filename, data: ember.Tensor) -> None:
    """Write a 1-D uint8 tensor's bytes to ``filename``."""
    with open(os.fspath(filename), "wb") as f:
        f.write(_as_bytes(data))


def _as_bytes(data) -> bytes:
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    if not isinstance(data, ember.Tensor):
        raise TypeError(f"Expected a uint8 tensor, got {type(data).__name__}")
    if data.dtype != ember.uint8 or data.ndim != 1:
        raise ValueError("Expected a 1-D uint8 tensor of encoded bytes, got "
                         f"{data.ndim}-D {data.dtype}")
    return data.cpu().numpy().tobytes()


def _from_pil(img, mode: ImageReadMode, apply_exif_orientation: bool) -> ember.Tensor:
    from PIL import ImageOps

    if apply_exif_orientation:
        img = ImageOps.exif_transpose(img)
    if mode != ImageReadMode.UNCHANGED:
        img = img.convert(_PIL_MODE[mode])
    elif img.mode not in ("L", "LA", "RGB", "RGBA"):
        if img.mode in ("I;16", "I;16B", "I"):
            arr = np.asarray(img)
            return ember.from_numpy(arr.astype(np.int32)[None].copy())
        img = img.convert("RGBA" if "A" in img.getbands() or "transparency" in img.info
                          else "RGB")
    arr = np.asarray(img, dtype=np.uint8)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    return ember.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def decode_image(input, mode=ImageReadMode.UNCHANGED,  # noqa: A002 - torchvision's name
                 apply_exif_orientation: bool = False) -> ember.Tensor:
    """Decode PNG/JPEG/GIF/WEBP/BMP/... bytes (a uint8 tensor, or a path) into C x H x W
    uint8. ValueError naming the source if the data is not a readable image."""
    from PIL import Image, UnidentifiedImageError

    if isinstance(input, (str, os.PathLike)):
        return read_image(input, mode, apply_exif_orientation)
    data = _as_bytes(input)
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise RuntimeError(f"could not decode image ({len(data)} bytes): {exc}") from None
    return _from_pil(img, _mode(mode), apply_exif_orientation)


decode_png = decode_jpeg = decode_image


def read_image(path, mode=ImageReadMode.UNCHANGED,
               apply_exif_orientation: bool = False) -> ember.Tensor:
    """Read an image file into a C x H x W uint8 tensor (C: 1 grey, 2 grey+alpha, 3 RGB,
    4 RGBA). RuntimeError naming the file if it is not a readable image."""
    from PIL import Image, UnidentifiedImageError

    path = os.fspath(path)
    try:
        with Image.open(path) as img:
            img.load()
            return _from_pil(img, _mode(mode), apply_exif_orientation)
    except (UnidentifiedImageError, SyntaxError) as exc:
        raise RuntimeError(f"{path}: not a readable image ({exc})") from None
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise RuntimeError(f"{path}: corrupt or truncated image ({exc})") from None


def _to_pil(input):  # noqa: A002
    from PIL import Image

    if not isinstance(input, ember.Tensor):
        raise TypeError(f"Expected a tensor, got {type(input).__name__}")
    if input.dtype != ember.uint8:
        raise RuntimeError(f"Input tensor dtype should be uint8, got {input.dtype}")
    if input.ndim != 3 or input.shape[0] not in (1, 2, 3, 4):
        raise RuntimeError("Input tensor should be C x H x W with 1, 2, 3 or 4 channels, got "
                           f"shape {tuple(input.shape)}")
    arr = np.ascontiguousarray(input.cpu().numpy().transpose(1, 2, 0))
    mode = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}[arr.shape[2]]
    return Image.fromarray(arr[:, :, 0] if mode == "L" else arr, mode=mode)


def encode_png(input, compression_level: int = 6) -> ember.Tensor:  # noqa: A002
    """PNG bytes of a C x H x W uint8 image, as a 1-D uint8 tensor."""
    if not 0 <= compression_level <= 9:
        raise ValueError("Compression level should be between 0 and 9")
    buf = io.BytesIO()
    _to_pil(input).save(buf, format="PNG", compress_level=compression_level)
    return ember.from_numpy(np.frombuffer(buf.getvalue(), dtype=np.uint8).copy())


def write_png(input, filename, compression_level: int = 6) -> None:  # noqa: A002
    write_file(filename, encode_png(input, compression_level))


def encode_jpeg(input, quality: int = 75):  # noqa: A002
    """JPEG bytes of a C x H x W uint8 image (1 or 3 channels); a list in, a list out."""
    if isinstance(input, (list, tuple)):
        return [encode_jpeg(i, quality) for i in input]
    if not 1 <= quality <= 100:
        raise ValueError("Image quality should be a positive number between 1 and 100")
    if input.ndim == 3 and input.shape[0] not in (1, 3):
        raise RuntimeError(f"The number of channels should be 1 or 3, got: {input.shape[0]}")
    buf = io.BytesIO()
    _to_pil(input).save(buf, format="JPEG", quality=quality)
    return ember.from_numpy(np.frombuffer(buf.getvalue(), dtype=np.uint8).copy())


def write_jpeg(input, filename, quality: int = 75) -> None:  # noqa: A002
    write_file(filename, encode_jpeg(input, quality))

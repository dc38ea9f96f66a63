"""Image decoding: DecodePng and DecodeJpeg (`tf.image.decode_png`, `decode_jpeg`),
through Pillow (the optional extra `images`); `decode_image` and the other codecs are in
image_codec_ops.

As in TF 2, each op decodes PNG, JPEG and GIF (first frame) whatever its name; a BMP
is refused (TF wants decode_bmp or decode_image for it). 16-bit colour PNGs are read by
image_codec_ops.png_pixels (Pillow reads them as 8-bit). `channels` converts as TF's
decoders do: RGB to gray with TF's weights for PNGs and libjpeg's own grayscale output
for JPEGs, gray to RGB by repetition, and an opaque alpha channel added for 4 channels.
Without Pillow the kernels raise UnimplementedError naming the extra. JPEGs are decoded
with libjpeg's accurate integer DCT: TF's `dct_method="INTEGER_ACCURATE"` values exactly;
TF's default (fast) DCT gives values a few units apart.
"""

from __future__ import annotations

import io

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.apply import op_output

__all__ = ["decode_image", "decode_jpeg", "decode_png"]

_UNKNOWN_FORMAT = "Unknown image file format. One of JPEG, JPEG XL, PNG, GIF, BMP, WebP required."


def _pillow(op):
    try:
        from PIL import Image  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        raise errors.UnimplementedError(
            None,
            op,
            f"{op._type} needs Pillow, which is not installed (pip install 'tfgraph[images]').",
        ) from None
    return Image


def _to_channels(pixels: np.ndarray, channels: int, png: bool) -> np.ndarray:
    """`pixels` (h, w, c) with `channels` channels (0: as stored)."""
    have = pixels.shape[2]
    if channels in (0, have):
        return pixels
    big = pixels.dtype == np.uint16
    top = 65535 if big else 255
    color = pixels[:, :, :3] if have >= 3 else None
    gray = pixels[:, :, :1] if have <= 2 else None
    alpha = pixels[:, :, have - 1 :] if have in (2, 4) else None
    if channels in (1, 2):
        if gray is None:
            c = color.astype(np.uint64)  # type: ignore[union-attr]
            # (TF's PNG decoder: libpng's rgb_to_gray with weights .299/.587, in 15-bit
            # fixed point, truncated)
            g = (c[:, :, 0] * 9797 + c[:, :, 1] * 19234 + c[:, :, 2] * 3737) >> 15
            gray = g.astype(pixels.dtype)[:, :, None]
        if channels == 1:
            return gray
        a = alpha if alpha is not None else np.full_like(gray, top)
        return np.concatenate([gray, a], axis=2)
    if color is None:
        color = np.repeat(gray, 3, axis=2)  # type: ignore[arg-type]
    if channels == 3:
        return color
    a = alpha if alpha is not None else np.full(color.shape[:2] + (1,), top, pixels.dtype)
    return np.concatenate([color, a], axis=2)


def _decode(op, Image, data: bytes, channels: int, want_uint16: bool, ratio: int = 1):
    if data[:4] == b"\x89PNG":
        from tfgraph.ops.image_codec_ops import png_pixels

        pixels = png_pixels(data)  # (16-bit colour PNGs, which Pillow reads as 8-bit)
        if pixels is not None:
            pixels = _to_channels(pixels, channels, True)
            if not want_uint16:
                pixels = (pixels >> 8).astype(np.uint8)  # (libpng strips the low byte)
            return np.ascontiguousarray(pixels)
    try:
        img = Image.open(io.BytesIO(data))
        fmt = img.format
        if fmt == "JPEG" and (channels == 1 or ratio > 1):
            # (libjpeg's own grayscale output and scaled decoding, as TF's decoder asks)
            w, h = img.size
            img.draft("L" if channels == 1 else img.mode, (max(1, w // ratio), max(1, h // ratio)))
        img.load()
    except Exception:
        if data[:3] == b"\xff\xd8\xff":  # (a JPEG libjpeg could not read through)
            raise errors.InvalidArgumentError(
                None, op, "jpeg::Uncompress failed. Invalid JPEG data or crop window."
            ) from None
        raise errors.InvalidArgumentError(None, op, _UNKNOWN_FORMAT) from None
    mode = img.mode
    if mode in ("1", "L", "P", "RGB", "RGBA", "LA"):
        if mode == "P":
            img = img.convert("RGBA" if "transparency" in img.info else "RGB")
        elif mode == "1":
            img = img.convert("L")
        pixels = np.asarray(img)
    elif mode.startswith("I;16") or mode == "I":
        pixels = np.asarray(img).astype(np.uint16)
    else:
        pixels = np.asarray(img.convert("RGB"))
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    if want_uint16 and pixels.dtype == np.uint8:
        pixels = pixels.astype(np.uint16) * 257
    elif not want_uint16 and pixels.dtype == np.uint16:
        pixels = (pixels >> 8).astype(np.uint8)  # (libpng strips the low byte)
    return np.ascontiguousarray(_to_channels(pixels, channels, fmt == "PNG"))


def _make_decoder(op, ctx):
    image = _pillow(op)
    channels = int(op._attrs.get("channels", 0))
    dtype = op._attrs.get("dtype", dtypes.uint8)
    want_uint16 = dtype is dtypes.uint16
    ratio = int(op._attrs.get("ratio", 1))

    def decode(contents):
        if ratio not in (1, 2, 4, 8):
            raise errors.InvalidArgumentError(None, op, f"ratio must be 1, 2, 4, or 8, got {ratio}")
        data = bytes(contents[()] if isinstance(contents, np.ndarray) else contents)
        if data[:2] == b"BM":  # (TF 2's PNG/JPEG/GIF decoders take each other's formats)
            raise errors.InvalidArgumentError(
                None,
                op,
                "Trying to decode BMP format using a wrong op. Use `decode_bmp` or "
                f"`decode_image` instead. Op used: {op._type}",
            )
        from tfgraph.ops.jxl_ops import is_jxl, jxl_image

        if is_jxl(data):
            return jxl_image(op, data, channels, dtypes.uint16 if want_uint16 else dtypes.uint8)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            from tfgraph.ops.image_codec_ops import webp_image

            dtype = dtypes.uint16 if want_uint16 else dtypes.uint8
            return webp_image(op, image, data, channels, dtype)
        return _decode(op, image, data, channels, want_uint16, ratio)

    return decode


def _image_shape(op):
    channels = int(op._attrs.get("channels", 0))
    return [TensorShape([None, None, channels or None])]


register_op(
    "DecodePng",
    inputs=["contents: string"],
    outputs=["image: dtype"],
    attrs=["channels: int = 0", "dtype: {uint8, uint16} = uint8"],
    shape=_image_shape,
    make_kernel=_make_decoder,
    grad=NOT_DIFFERENTIABLE,
)
register_op(
    "DecodeJpeg",
    inputs=["contents: string"],
    outputs=["image: uint8"],
    attrs=[
        "channels: int = 0",
        "ratio: int = 1",
        "fancy_upscaling: bool = true",
        "try_recover_truncated: bool = false",
        "acceptable_fraction: float = 1",
        "dct_method: string = ''",
    ],
    shape=_image_shape,
    make_kernel=_make_decoder,
    grad=NOT_DIFFERENTIABLE,
)


def decode_png(contents, channels=0, dtype=dtypes.uint8, name=None):
    """Decodes a PNG (or any known format) into a uint8/uint16 [height, width, channels]."""
    return op_output(
        "DecodePng",
        name,
        [contents],
        {"channels": int(channels), "dtype": dtypes.as_dtype(dtype)},
    )


def decode_jpeg(
    contents,
    channels=0,
    ratio=1,
    fancy_upscaling=True,
    try_recover_truncated=False,
    acceptable_fraction=1,
    dct_method="",
    name=None,
):
    """Decodes a JPEG (or any known format) into a uint8 [height, width, channels]; a JPEG
    at 1/`ratio` of its size (libjpeg's scaled decoding) when `ratio` is 2, 4 or 8."""
    return op_output(
        "DecodeJpeg",
        name,
        [contents],
        {
            "channels": int(channels),
            "ratio": int(ratio),
            "fancy_upscaling": bool(fancy_upscaling),
            "try_recover_truncated": bool(try_recover_truncated),
            "acceptable_fraction": float(acceptable_fraction),
            "dct_method": dct_method.encode() if isinstance(dct_method, str) else dct_method,
        },
    )


def decode_image(contents, channels=None, dtype=dtypes.uint8, name=None, expand_animations=True):
    """`image_codec_ops.decode_image` (the DecodeImage op), kept importable from here."""
    from tfgraph.ops.image_codec_ops import decode_image as decode

    return decode(contents, channels, dtype, name, expand_animations)

"""JPEG XL decoding: the DecodeJxl op (`tf.io.decode_jxl`, `tf.image.decode_jxl`, new in
TF 2.21) and the JPEG XL reading every TF 2.21 image decoder shares (DecodeImage,
DecodePng, DecodeJpeg, DecodeGif, DecodeBmp, DecodeWebP and DecodeAndCropJpeg all take a
JPEG XL and return its first frame, uncropped, as [height, width, channels] uint8).

The pixels come from libjxl as the `imagecodecs` wheel ships it (the `jxl` extra:
`pip install 'tfgraph[jxl]'`); without it decoding a JPEG XL raises UnimplementedError
naming the extra. Other formats given to DecodeJxl go the way TF's shared decoder sends
them (PNG and JPEG decode, WebP as [1, h, w, c], GIF and BMP are refused)."""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.apply import op_output

__all__ = ["decode_jxl", "is_jxl", "jxl_image"]

_CONTAINER = b"\x00\x00\x00\x0cJXL \r\n\x87\n"


def is_jxl(data: bytes) -> bool:
    """Whether `data` starts as a JPEG XL codestream or container does."""
    return data[:2] == b"\xff\x0a" or data[:12] == _CONTAINER


def _imagecodecs(op):
    try:
        import imagecodecs  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        raise errors.UnimplementedError(
            None,
            op,
            f"{op._type} reading a JPEG XL image needs imagecodecs (libjxl), which is not "
            "installed (pip install 'tfgraph[jxl]').",
        ) from None
    return imagecodecs


def _to_uint8(pixels: np.ndarray) -> np.ndarray:
    """libjxl's 8-bit output of a deeper image: the nearest 8-bit level."""
    if pixels.dtype == np.uint8:
        return pixels
    if np.issubdtype(pixels.dtype, np.floating):
        return np.round(np.clip(pixels.astype(np.float64), 0, 1) * 255).astype(np.uint8)
    top = np.iinfo(pixels.dtype).max
    return ((pixels.astype(np.uint64) * 255 + top // 2) // top).astype(np.uint8)


def _failure(codecs, data: bytes) -> str:
    """TF's words for a JPEG XL libjxl cannot decode: whether its header (size, channels,
    frames) could be read decides."""
    try:
        codecs.jpegxl_decode(data)
    except codecs.JpegxlError:
        return "Failed to decode JXL image"
    except Exception:
        pass
    return "Failed to decode JXL header"


def jxl_image(op, data: bytes, channels: int, dtype) -> np.ndarray:
    """A JPEG XL as TF's decoders return it, whichever op reads it: uint8 only, its
    first frame with the file's own channels (1 to 4; `channels` must be 0 or those)."""
    if dtype is not dtypes.uint8:
        raise errors.InvalidArgumentError(None, op, "JXL only supports uint8 for dtype")
    codecs = _imagecodecs(op)
    try:
        pixels = codecs.jpegxl_decode(data, index=0)
    except Exception:
        raise errors.InvalidArgumentError(None, op, _failure(codecs, data)) from None
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    if channels and channels != pixels.shape[2]:
        raise errors.InvalidArgumentError(
            None, op, "Number of channels requested does not match input"
        )
    return np.ascontiguousarray(_to_uint8(pixels))


def _other_format(op, data: bytes, channels: int):
    """DecodeJxl given another format, as TF's shared decoder treats it."""
    from tfgraph.ops.image_codec_ops import sniff, webp_image
    from tfgraph.ops.image_ops import _decode, _pillow

    fmt = sniff(data)
    if fmt == "gif":
        if channels not in (0, 3):
            raise errors.InvalidArgumentError(
                None, op, f"channels must be 0 or 3 for GIF, got {channels}"
            )
        raise errors.InvalidArgumentError(None, op, "Bad op type DecodeJxl")
    if fmt == "bmp":
        if channels not in (0, 3, 4):
            raise errors.InvalidArgumentError(
                None, op, f"`channels` must be 0, 3 or 4 for BMP, but got {channels}"
            )
        raise errors.InvalidArgumentError(
            None,
            op,
            "Trying to decode BMP format using a wrong op. Use `decode_bmp` or `decode_image` "
            "instead. Op used: DecodeJxl",
        )
    if fmt == "webp":
        return webp_image(op, _pillow(op), data, channels, dtypes.uint8)
    if fmt == "jpeg" and channels == 4:
        raise errors.InvalidArgumentError(None, op, "JPEG does not support 4 channels")
    return _decode(op, _pillow(op), data, channels, False)


def _decode_jxl_kernel(op, ctx):
    channels = int(op._attrs.get("channels", 0))

    def kernel(contents):
        if channels not in (0, 1, 3, 4):
            raise errors.InvalidArgumentError(
                None, op, f"`channels` must be 0, 1, 3 or 4 but got {channels}"
            )
        data = bytes(contents[()] if isinstance(contents, np.ndarray) else contents)
        if not data:
            raise errors.InvalidArgumentError(None, op, "Input is empty.")
        if is_jxl(data):
            return jxl_image(op, data, channels, dtypes.uint8)
        return _other_format(op, data, channels)

    return kernel


def _decode_jxl_shape(op):
    from tfgraph.ops.common_shapes import shape_error

    channels = int(op._attrs.get("channels", 0))
    if channels < 0:
        raise shape_error(op, f"channels must be non-negative, got {channels}")
    rank = op._inputs[0]._shape.rank
    if rank is not None and rank != 0:
        raise shape_error(op, f"Shape must be rank 0 but is rank {rank}")
    return [TensorShape([None, None, channels or None])]


register_op(
    "DecodeJxl",
    inputs=["contents: string"],
    outputs=["image: dtype"],
    attrs=["channels: int = 0", "dtype: {uint8} = uint8"],
    shape=_decode_jxl_shape,
    make_kernel=_decode_jxl_kernel,
)  # (no gradient: TF registers none, so tf.gradients through it raises LookupError)


def decode_jxl(contents, channels=0, dtype=dtypes.uint8, name=None):
    """Decodes a JPEG XL image (0-D string) into a uint8 [height, width, channels]
    (`channels` 0 keeps the file's own; 1, 3 or 4 must match it)."""
    return op_output(
        "DecodeJxl",
        name,
        [contents],
        {"channels": int(channels), "dtype": dtypes.as_dtype(dtype)},
    )

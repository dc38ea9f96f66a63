"""Keras 2's image helpers on PIL images (Pillow, imported on first use):
`array_to_img`, `img_to_array`, `load_img` and `save_img`."""

from __future__ import annotations

import io
import pathlib
import warnings

import numpy as np

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img"]

_RESAMPLING = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def _pil_image(what: str):
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(
            f"Could not import PIL.Image. The use of `{what}` requires PIL."
        ) from None
    return Image


def _defaults(data_format, dtype):
    from tfgraph.keras import backend

    return data_format or backend.image_data_format(), dtype or backend.floatx()


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A PIL image of a rank-3 array (RGBA, RGB, or L / I for one channel), values
    stretched to 0..255 when `scale`."""
    data_format, dtype = _defaults(data_format, dtype)
    image = _pil_image("array_to_img")
    x = np.asarray(x, dtype=dtype)
    if x.ndim != 3:
        raise ValueError(
            f"Expected image array to have rank 3 (single image). Got array with shape: {x.shape}"
        )
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError(f"Invalid data_format: {data_format}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        peak = np.max(x)
        if peak != 0:
            x /= peak
        x *= 255
    channels = x.shape[2]
    if channels in (3, 4):
        return image.fromarray(x.astype("uint8"), "RGBA" if channels == 4 else "RGB")
    if channels == 1:
        if np.max(x) > 255:
            return image.fromarray(x[:, :, 0].astype("int32"), "I")
        return image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}")


def img_to_array(img, data_format=None, dtype=None):
    """A PIL image (or array) as a rank-3 array of `dtype` (floatx by default)."""
    data_format, dtype = _defaults(data_format, dtype)
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError(f"Unknown data_format: {data_format}")
    x = np.asarray(img, dtype=dtype)
    if x.ndim == 3:
        return x.transpose(2, 0, 1) if data_format == "channels_first" else x
    if x.ndim == 2:
        shape = (1, *x.shape) if data_format == "channels_first" else (*x.shape, 1)
        return x.reshape(shape)
    raise ValueError(f"Unsupported image shape: {x.shape}")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs) -> None:
    """Writes an image array to `path` (format from the name or `file_format`)."""
    data_format, _ = _defaults(data_format, None)
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format in ("jpg", "jpeg"):
        warnings.warn("The JPG format does not support RGBA images, converting to RGB.")
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def _open(image, path):
    if isinstance(path, io.BytesIO):
        return image.open(path)
    if isinstance(path, (pathlib.Path, bytes, str)):
        if isinstance(path, pathlib.Path):
            path = str(path.resolve())
        with open(path, "rb") as f:
            return image.open(io.BytesIO(f.read()))
    raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")


def _convert(img, color_mode):
    wanted = {"grayscale": ("L", "I;16", "I"), "rgba": ("RGBA",), "rgb": ("RGB",)}
    if color_mode not in wanted:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')
    modes = wanted[color_mode]
    return img if img.mode in modes else img.convert(modes[0])


def _crop_box(size, target) -> list:
    width, height = size
    target_width, target_height = target
    crop_height = min(height, (width * target_height) // target_width)
    crop_width = min(width, (height * target_width) // target_height)
    top = (height - crop_height) // 2
    left = (width - crop_width) // 2
    return [left, top, left + crop_width, top + crop_height]


def load_img(
    path,
    grayscale=False,
    color_mode="rgb",
    target_size=None,
    interpolation="nearest",
    keep_aspect_ratio=False,
):
    """A PIL image from a file or BytesIO, converted to `color_mode` and resized to
    `target_size` (height, width) with `interpolation` (centre-cropped to the target's
    aspect ratio first with `keep_aspect_ratio`)."""
    if grayscale:
        warnings.warn('grayscale is deprecated. Please use color_mode = "grayscale"')
        color_mode = "grayscale"
    image = _pil_image("load_img")
    img = _convert(_open(image, path), color_mode)
    if target_size is None:
        return img
    size = (target_size[1], target_size[0])
    if img.size == size:
        return img
    if interpolation not in _RESAMPLING:
        raise ValueError(
            f"Invalid interpolation method {interpolation} specified. Supported methods are "
            + ", ".join(_RESAMPLING)
        )
    resample = getattr(image.Resampling, interpolation.upper())
    if keep_aspect_ratio:
        return img.resize(size, resample, box=_crop_box(img.size, size))
    return img.resize(size, resample)

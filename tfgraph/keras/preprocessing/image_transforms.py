"""The image transforms of `tf.keras.preprocessing.image` (Keras 2), on numpy arrays.
Affine transforms use SciPy's `ndimage`, brightness shifts Pillow (both imported on
first use); random parameters come from np.random, so `np.random.seed` fixes them."""

from __future__ import annotations

import numpy as np

from tfgraph.keras.image_utils import array_to_img, img_to_array

__all__ = [
    "apply_affine_transform",
    "apply_brightness_shift",
    "apply_channel_shift",
    "flip_axis",
    "random_brightness",
    "random_channel_shift",
    "random_rotation",
    "random_shear",
    "random_shift",
    "random_zoom",
]


def _ndimage():
    try:
        from scipy import ndimage
    except ImportError:
        raise ImportError("Image transformations require SciPy. Install SciPy.") from None
    return ndimage


def _check_axes(x, row_axis, col_axis, channel_axis) -> None:
    if np.unique([row_axis, col_axis, channel_axis]).size != 3:
        raise ValueError("'row_axis', 'col_axis', and 'channel_axis' must be distinct")
    given = {row_axis, col_axis, channel_axis}
    if given != {0, 1, 2}:
        raise ValueError(f"Invalid axis' indices: {given - {0, 1, 2}}")
    if x.ndim != 3:
        raise ValueError("Input arrays must be multi-channel 2D images.")
    if channel_axis not in [0, 2]:
        raise ValueError("Channels are allowed and the first and last dimensions.")


def _affine_matrix(theta, tx, ty, shear, zx, zy):
    parts = []
    if theta != 0:
        t = np.deg2rad(theta)
        parts.append(np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]]))
    if tx != 0 or ty != 0:
        parts.append(np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]]))
    if shear != 0:
        s = np.deg2rad(shear)
        parts.append(np.array([[1, -np.sin(s), 0], [0, np.cos(s), 0], [0, 0, 1]]))
    if zx != 1 or zy != 1:
        parts.append(np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]]))
    if not parts:
        return None
    matrix = parts[0]
    for part in parts[1:]:
        matrix = np.dot(matrix, part)
    return matrix


def _about_center(matrix, height, width):
    oy, ox = float(height) / 2 - 0.5, float(width) / 2 - 0.5
    to_center = np.array([[1, 0, oy], [0, 1, ox], [0, 0, 1]])
    back = np.array([[1, 0, -oy], [0, 1, -ox], [0, 0, 1]])
    return to_center @ matrix @ back


def apply_affine_transform(
    x,
    theta=0,
    tx=0,
    ty=0,
    shear=0,
    zx=1,
    zy=1,
    row_axis=1,
    col_axis=2,
    channel_axis=0,
    fill_mode="nearest",
    cval=0.0,
    order=1,
):
    """`x` (one image) rotated by `theta` degrees, shifted by (tx rows, ty columns),
    sheared by `shear` degrees and zoomed by (zx, zy), about its centre; points outside
    are filled as `fill_mode` ("constant" with `cval`, "nearest", "reflect", "wrap")."""
    ndimage = _ndimage()
    _check_axes(x, row_axis, col_axis, channel_axis)
    matrix = _affine_matrix(theta, tx, ty, shear, zx, zy)
    if matrix is None:
        return x
    matrix = _about_center(matrix, x.shape[row_axis], x.shape[col_axis])
    x = np.rollaxis(x, channel_axis, 0)
    if col_axis > row_axis:
        matrix[:, [0, 1]] = matrix[:, [1, 0]]
        matrix[[0, 1]] = matrix[[1, 0]]
    channels = [
        ndimage.affine_transform(
            c, matrix[:2, :2], matrix[:2, 2], order=order, mode=fill_mode, cval=cval
        )
        for c in x
    ]
    return np.rollaxis(np.stack(channels, axis=0), 0, channel_axis + 1)


def _transform_kwargs(row_axis, col_axis, channel_axis, fill_mode, cval, order) -> dict:
    return dict(row_axis=row_axis, col_axis=col_axis, channel_axis=channel_axis,
                fill_mode=fill_mode, cval=cval, order=order)  # fmt: skip


def random_rotation(
    x, rg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.0,
    interpolation_order=1,
):  # fmt: skip
    """`x` rotated by a uniform random angle in [-rg, rg] degrees."""
    theta = np.random.uniform(-rg, rg)
    kwargs = _transform_kwargs(row_axis, col_axis, channel_axis, fill_mode, cval,
                               interpolation_order)  # fmt: skip
    return apply_affine_transform(x, theta=theta, **kwargs)


def random_shift(
    x, wrg, hrg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.0,
    interpolation_order=1,
):  # fmt: skip
    """`x` shifted by uniform random fractions of its height (hrg) and width (wrg)."""
    h, w = x.shape[row_axis], x.shape[col_axis]
    tx = np.random.uniform(-hrg, hrg) * h
    ty = np.random.uniform(-wrg, wrg) * w
    kwargs = _transform_kwargs(row_axis, col_axis, channel_axis, fill_mode, cval,
                               interpolation_order)  # fmt: skip
    return apply_affine_transform(x, tx=tx, ty=ty, **kwargs)


def random_shear(
    x, intensity, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.0,
    interpolation_order=1,
):  # fmt: skip
    """`x` sheared by a uniform random angle in [-intensity, intensity] degrees."""
    shear = np.random.uniform(-intensity, intensity)
    kwargs = _transform_kwargs(row_axis, col_axis, channel_axis, fill_mode, cval,
                               interpolation_order)  # fmt: skip
    return apply_affine_transform(x, shear=shear, **kwargs)


def random_zoom(
    x, zoom_range, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.0,
    interpolation_order=1,
):  # fmt: skip
    """`x` zoomed by two uniform random factors (rows, columns) in `zoom_range`."""
    if len(zoom_range) != 2:
        raise ValueError(
            f"`zoom_range` should be a tuple or list of two floats. Received: {zoom_range}"
        )
    if zoom_range[0] == 1 and zoom_range[1] == 1:
        zx, zy = 1, 1
    else:
        zx, zy = np.random.uniform(zoom_range[0], zoom_range[1], 2)
    kwargs = _transform_kwargs(row_axis, col_axis, channel_axis, fill_mode, cval,
                               interpolation_order)  # fmt: skip
    return apply_affine_transform(x, zx=zx, zy=zy, **kwargs)


def apply_channel_shift(x, intensity, channel_axis=0):
    """`intensity` added to every channel, clipped to the image's [min, max]."""
    x = np.rollaxis(x, channel_axis, 0)
    low, high = np.min(x), np.max(x)
    x = np.stack([np.clip(c + intensity, low, high) for c in x], axis=0)
    return np.rollaxis(x, 0, channel_axis + 1)


def random_channel_shift(x, intensity_range, channel_axis=0):
    """`apply_channel_shift` by a uniform random intensity in [-range, range]."""
    intensity = np.random.uniform(-intensity_range, intensity_range)
    return apply_channel_shift(x, intensity, channel_axis=channel_axis)


def apply_brightness_shift(x, brightness, scale=True):
    """`x` (channels last) with its brightness multiplied by `brightness` (Pillow's
    ImageEnhance.Brightness on the 0..255 image; `scale=False` maps back to x's range
    when x was outside 0..255)."""
    try:
        from PIL import ImageEnhance
    except ImportError:
        raise ImportError("Using brightness shifts requires PIL. Install PIL or Pillow.") from None
    low, high = np.min(x), np.max(x)
    local_scale = (low < 0) or (high > 255)
    img = array_to_img(x, scale=local_scale or scale)
    x = img_to_array(ImageEnhance.Brightness(img).enhance(brightness))
    if not scale and local_scale:
        x = x / 255 * (high - low) + low
    return x


def random_brightness(x, brightness_range, scale=True):
    """`apply_brightness_shift` by a uniform random factor in `brightness_range`."""
    if len(brightness_range) != 2:
        raise ValueError(
            f"`brightness_range should be tuple or list of two floats. Received: {brightness_range}"
        )
    factor = np.random.uniform(brightness_range[0], brightness_range[1])
    return apply_brightness_shift(x, factor, scale)


def flip_axis(x, axis):
    """`x` reversed along `axis`."""
    return np.asarray(x).swapaxes(axis, 0)[::-1, ...].swapaxes(0, axis)

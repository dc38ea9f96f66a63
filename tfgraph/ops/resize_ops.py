"""Image resizing: ResizeBilinear and ResizeNearestNeighbor (with `align_corners` and
`half_pixel_centers`, TF's coordinate rules) and their gradients;
`tf.image.resize_images`, `resize_bilinear`, `resize_nearest_neighbor`."""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, common_shapes
from tfgraph.ops.apply import op_output

__all__ = [
    "ResizeMethod",
    "resize_area",
    "resize_bicubic",
    "resize_bilinear",
    "resize_images",
    "resize_nearest_neighbor",
]


def _scale(in_size: int, out_size: int, align_corners: bool) -> np.float32:
    """TF's CalculateResizeScale, in float32."""
    if align_corners and out_size > 1:
        return np.float32(in_size - 1) / np.float32(out_size - 1)
    return np.float32(in_size) / np.float32(out_size)


def _bilinear_weights(in_size, out_size, align_corners, half_pixel):
    """(lower index, upper index, upper weight) for each output position, computed in
    float32 as TF's compute_interpolation_weights does."""
    scale = _scale(in_size, out_size, align_corners)
    pos = np.arange(out_size, dtype=np.float32)
    if half_pixel:
        src = (pos + np.float32(0.5)) * scale - np.float32(0.5)
    else:
        src = pos * scale
    floor = np.floor(src)
    lo = np.maximum(floor, 0).astype(np.int64)
    hi = np.minimum(np.ceil(src), in_size - 1).astype(np.int64)
    return lo, hi, (src - floor).astype(np.float32)


def _nearest_index(in_size, out_size, align_corners, half_pixel):
    """The source index of each output position (float32, as TF; `roundf` rounds halves
    away from zero)."""
    scale = _scale(in_size, out_size, align_corners)
    pos = np.arange(out_size, dtype=np.float32)
    if half_pixel:
        src = np.floor((pos + np.float32(0.5)) * scale)
    elif align_corners:
        src = np.floor(pos * scale + np.float32(0.5))
    else:
        src = np.floor(pos * scale)
    return np.minimum(src.astype(np.int64), in_size - 1)


def _size_of(op, size):
    size = np.asarray(size).reshape(-1)
    if size.shape != (2,):
        raise errors.InvalidArgumentError(
            None, op, f"shape_t must have two elements {list(size.shape)}"
        )
    h, w = int(size[0]), int(size[1])
    if h <= 0 or w <= 0:
        raise errors.InvalidArgumentError(None, op, "output dimensions must be positive")
    return h, w


def _resize_shape(op):
    x = op._inputs[0]._shape
    size = common_shapes.constant_value(op._inputs[1])
    h, w = (None, None) if size is None else (int(size[0]), int(size[1]))
    if x._dims is None:
        return [TensorShape([None, h, w, None])]
    if len(x._dims) != 4:
        raise common_shapes.shape_error(op, f"Shape must be rank 4 but is rank {len(x._dims)}")
    return [TensorShape([x._dims[0], h, w, x._dims[3]])]


def _bilinear_kernel(op, ctx):
    align, half = op._attrs["align_corners"], op._attrs["half_pixel_centers"]

    def kernel(images, size):
        images = np.asarray(images)
        if images.ndim != 4:
            raise errors.InvalidArgumentError(None, op, "input must be 4-dimensional")
        h, w = _size_of(op, size)
        y0, y1, dy = _bilinear_weights(images.shape[1], h, align, half)
        x0, x1, dx = _bilinear_weights(images.shape[2], w, align, half)
        x = images.astype(np.float32, copy=False)
        top = (
            x[:, y0][:, :, x0] + (x[:, y0][:, :, x1] - x[:, y0][:, :, x0]) * dx[None, None, :, None]
        )
        bottom = (
            x[:, y1][:, :, x0] + (x[:, y1][:, :, x1] - x[:, y1][:, :, x0]) * dx[None, None, :, None]
        )
        return (top + (bottom - top) * dy[None, :, None, None]).astype(np.float32)

    return kernel


def _bilinear_grad(op, grad):
    g = op_output(
        "ResizeBilinearGrad",
        None,
        [grad, op._inputs[0]],
        {
            "align_corners": op._attrs["align_corners"],
            "half_pixel_centers": op._attrs["half_pixel_centers"],
        },
    )
    return g, None


register_op(
    "ResizeBilinear",
    inputs=["images: T", "size: int32"],
    outputs=["resized_images: float"],
    attrs=[
        "T: {int8, uint8, int16, uint16, int32, int64, bfloat16, half, float, double}",
        "align_corners: bool = false",
        "half_pixel_centers: bool = false",
    ],
    shape=_resize_shape,
    make_kernel=_bilinear_kernel,
    grad=_bilinear_grad,
)


def _bilinear_grad_kernel(op, ctx):
    align, half = op._attrs["align_corners"], op._attrs["half_pixel_centers"]

    def kernel(grads, original):
        grads = np.asarray(grads, np.float32)
        original = np.asarray(original)
        n, in_h, in_w, c = original.shape
        out_h, out_w = grads.shape[1:3]
        y0, y1, dy = _bilinear_weights(in_h, out_h, align, half)
        x0, x1, dx = _bilinear_weights(in_w, out_w, align, half)
        out = np.zeros((n, in_h, in_w, c), np.float32)
        wy = [(y0, 1 - dy), (y1, dy)]
        wx = [(x0, 1 - dx), (x1, dx)]
        for ys, wys in wy:
            for xs, wxs in wx:
                weight = (wys[:, None] * wxs[None, :]).astype(np.float32)
                contrib = grads * weight[None, :, :, None]
                np.add.at(out, (slice(None), ys[:, None], xs[None, :]), contrib)
        return out.astype(original.dtype)

    return kernel


register_op(
    "ResizeBilinearGrad",
    inputs=["grads: float", "original_image: T"],
    outputs=["output: T"],
    attrs=[
        "T: {float, bfloat16, half, double}",
        "align_corners: bool = false",
        "half_pixel_centers: bool = false",
    ],
    shape=lambda op: [op._inputs[1]._shape],
    make_kernel=_bilinear_grad_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _nearest_kernel(op, ctx):
    align, half = op._attrs["align_corners"], op._attrs["half_pixel_centers"]

    def kernel(images, size):
        images = np.asarray(images)
        if images.ndim != 4:
            raise errors.InvalidArgumentError(None, op, "input must be 4-dimensional")
        h, w = _size_of(op, size)
        ys = _nearest_index(images.shape[1], h, align, half)
        xs = _nearest_index(images.shape[2], w, align, half)
        return images[:, ys][:, :, xs]

    return kernel


def _nearest_grad(op, grad):
    size = array_ops.shape(op._inputs[0])[1:3]
    g = op_output(
        "ResizeNearestNeighborGrad",
        None,
        [grad, size],
        {
            "align_corners": op._attrs["align_corners"],
            "half_pixel_centers": op._attrs["half_pixel_centers"],
        },
    )
    return g, None


register_op(
    "ResizeNearestNeighbor",
    inputs=["images: T", "size: int32"],
    outputs=["resized_images: T"],
    attrs=[
        "T: {int8, uint8, int16, uint16, int32, int64, half, float, double, bfloat16}",
        "align_corners: bool = false",
        "half_pixel_centers: bool = false",
    ],
    shape=_resize_shape,
    make_kernel=_nearest_kernel,
    grad=_nearest_grad,
)


def _nearest_grad_kernel(op, ctx):
    align, half = op._attrs["align_corners"], op._attrs["half_pixel_centers"]

    def kernel(grads, size):
        grads = np.asarray(grads)
        in_h, in_w = (int(v) for v in np.asarray(size).reshape(-1))
        ys = _nearest_index(in_h, grads.shape[1], align, half)
        xs = _nearest_index(in_w, grads.shape[2], align, half)
        out = np.zeros((grads.shape[0], in_h, in_w, grads.shape[3]), grads.dtype)
        np.add.at(out, (slice(None), ys[:, None], xs[None, :]), grads)
        return out

    return kernel


def _nearest_grad_shape(op):
    g = op._inputs[0]._shape
    size = common_shapes.constant_value(op._inputs[1])
    h, w = (None, None) if size is None else (int(size[0]), int(size[1]))
    batch, channels = (None, None) if g._dims is None else (g._dims[0], g._dims[3])
    return [TensorShape([batch, h, w, channels])]


register_op(
    "ResizeNearestNeighborGrad",
    inputs=["grads: T", "size: int32"],
    outputs=["output: T"],
    attrs=[
        "T: {uint8, int8, int32, half, float, double, bfloat16}",
        "align_corners: bool = false",
        "half_pixel_centers: bool = false",
    ],
    shape=_nearest_grad_shape,
    make_kernel=_nearest_grad_kernel,
)


class ResizeMethod:
    """TF1's resize methods (`tf.image.ResizeMethod`)."""

    BILINEAR = 0
    NEAREST_NEIGHBOR = 1
    BICUBIC = 2
    AREA = 3


def resize_bilinear(images, size, align_corners=False, name=None, half_pixel_centers=False):
    """Bilinear resize of [batch, h, w, c] `images` to `size` (float32 output)."""
    return op_output(
        "ResizeBilinear", name, [images, convert_to_tensor(size, dtypes.int32, name="size")],
        {"align_corners": bool(align_corners), "half_pixel_centers": bool(half_pixel_centers)},
    )  # fmt: skip


def resize_nearest_neighbor(images, size, align_corners=False, name=None, half_pixel_centers=False):
    """Nearest-neighbor resize of [batch, h, w, c] `images` to `size`."""
    return op_output(
        "ResizeNearestNeighbor", name, [images, convert_to_tensor(size, dtypes.int32, name="size")],
        {"align_corners": bool(align_corners), "half_pixel_centers": bool(half_pixel_centers)},
    )  # fmt: skip


def resize_images(
    images, size, method=ResizeMethod.BILINEAR, align_corners=False, preserve_aspect_ratio=False,
    name=None,
):  # fmt: skip
    """`images` ([h, w, c] or [n, h, w, c]) resized to `size` = [new_height, new_width]
    (TF1's `tf.image.resize_images`; bilinear, nearest neighbor, bicubic, area)."""
    if method not in (0, 1, 2, 3):
        raise ValueError(f"Resize method is not implemented: {method}")

    def resize(images, size):
        if method == ResizeMethod.BILINEAR:
            return resize_bilinear(images, size, align_corners=align_corners)
        if method == ResizeMethod.BICUBIC:
            return resize_bicubic(images, size, align_corners=align_corners)
        if method == ResizeMethod.AREA:
            return resize_area(images, size, align_corners=align_corners)
        return resize_nearest_neighbor(images, size, align_corners=align_corners)

    return _resize_common(images, size, name, resize, True, preserve_aspect_ratio)


def _aspect_preserving_size(images, size):
    """The largest [height, width] within `size` with the images' aspect ratio (TF's
    float32 scale factor, rounded half to even)."""
    from tfgraph.ops import math_ops

    dims = images.get_shape().as_list()
    if None in dims:
        dynamic = array_ops.unstack(array_ops.shape(images), 4)
        dims = [s if s is not None else d for s, d in zip(dims, dynamic)]
    height, width = dims[1], dims[2]
    f32 = dtypes.float32
    scale_h = array_ops.cast(size[0], f32) / array_ops.cast(height, f32)
    scale_w = array_ops.cast(size[1], f32) / array_ops.cast(width, f32)
    scale = math_ops.minimum(scale_h, scale_w)
    scaled_h = array_ops.cast(math_ops.round(scale * array_ops.cast(height, f32)), dtypes.int32)
    scaled_w = array_ops.cast(math_ops.round(scale * array_ops.cast(width, f32)), dtypes.int32)
    return convert_to_tensor([scaled_h, scaled_w], dtypes.int32, name="size")


def _resize_common(images, size, name, resize, skip_same: bool, keep_aspect: bool = False):
    g = get_default_graph()
    with g.name_scope(name or "resize"):
        images = convert_to_tensor(images, name="images")
        ndims = images.get_shape().ndims
        if ndims is None:
            raise ValueError("'images' contains no shape.")
        single = ndims == 3
        if single:
            images = array_ops.expand_dims(images, 0)
        elif ndims != 4:
            raise ValueError("'images' must have either 3 or 4 dimensions.")
        _, height, width, _ = images.get_shape().as_list()
        try:
            size = convert_to_tensor(size, dtypes.int32, name="size")
        except (TypeError, ValueError):
            raise ValueError("'size' must be a 1-D int32 Tensor") from None
        if not size.get_shape().is_compatible_with([2]):
            raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width")
        if keep_aspect:
            size = _aspect_preserving_size(images, size)
        static = common_shapes.constant_value_as_shape(size)._dims
        new_h, new_w = (None, None) if static is None else static
        known = None not in (new_h, new_w, height, width)
        if skip_same and known and (new_h, new_w) == (height, width):
            return array_ops.squeeze(images, axis=[0]) if single else images
        out = resize(images, size)
        out.set_shape([None, new_h, new_w, None])
        return array_ops.squeeze(out, axis=[0]) if single else out


def resize_images_v2(
    images, size, method="bilinear", preserve_aspect_ratio=False, antialias=False, name=None
):
    """TF2's `tf.image.resize`: half-pixel centers, no align_corners, always resizes
    (bilinear, nearest, bicubic, area; the ScaleAndTranslate methods and antialias are
    not implemented)."""
    kinds = ("bilinear", "nearest", "bicubic", "area")
    others = ("lanczos3", "lanczos5", "gaussian", "mitchellcubic")
    if method not in kinds + others:
        raise ValueError(f"Resize method is not implemented: {method}")
    if method in others or antialias:
        raise NotImplementedError(
            f"tf.image.resize: method={method!r} and antialias (TF's ScaleAndTranslate) are "
            "not implemented in tfgraph; use bilinear, nearest, bicubic or area without "
            "antialias"
        )

    def resize(images, size):
        if method == "bilinear":
            return resize_bilinear(images, size, half_pixel_centers=True)
        if method == "nearest":
            return resize_nearest_neighbor(images, size, half_pixel_centers=True)
        if method == "bicubic":
            return resize_bicubic(images, size, half_pixel_centers=True)
        return resize_area(images, size)

    return _resize_common(images, size, name, resize, False, preserve_aspect_ratio)


# -- ResizeArea ---------------------------------------------------------------------------------
def _area_weights(in_size: int, out_size: int, align_corners: bool):
    """Per output position: (source indices, float32 weights), as TF's ResizeArea
    computes each cell's overlap with the source pixels (in float32)."""
    scale = _scale(in_size, out_size, align_corners)
    out = []
    for o in range(out_size):
        lo = np.float32(o) * scale
        hi = np.float32(o + 1) * scale
        idx, wts = [], []
        for i in range(int(np.floor(lo)), int(np.ceil(hi))):
            if i < lo:
                w = scale if np.float32(i + 1) > hi else np.float32(i + 1) - lo
            else:
                w = hi - np.float32(i) if np.float32(i + 1) > hi else np.float32(1.0)
            idx.append(min(i, in_size - 1))
            wts.append(np.float32(w))
        out.append((idx, wts))
    return out, scale


def _area_kernel(op, ctx):
    align = op._attrs["align_corners"]

    def kernel(images, size):
        images = np.asarray(images)
        if images.ndim != 4:
            raise errors.InvalidArgumentError(None, op, "input must be 4-dimensional")
        h, w = _size_of(op, size)
        x = images.astype(np.float32)
        ys, hs = _area_weights(x.shape[1], h, align)
        xs, ws = _area_weights(x.shape[2], w, align)
        scale = np.float32(1.0) / (hs * ws)
        result = np.zeros((x.shape[0], h, w, x.shape[3]), np.float32)
        for oy, (yi, yw) in enumerate(ys):
            for ox, (xi, xw) in enumerate(xs):
                total = np.zeros((x.shape[0], x.shape[3]), np.float32)
                for iy, wy in zip(yi, yw):
                    row = x[:, iy]
                    sum_y = row[:, xi[0]] * xw[0]
                    for ix in xi[1:-1]:
                        sum_y = sum_y + row[:, ix]
                    if len(xi) > 1:
                        sum_y = sum_y + row[:, xi[-1]] * xw[-1]
                    total = total + sum_y * wy
                result[:, oy, ox] = total * scale
        return result

    return kernel


register_op(
    "ResizeArea",
    inputs=["images: T", "size: int32"],
    outputs=["resized_images: float"],
    attrs=[
        "T: {int8, uint8, int16, uint16, int32, int64, half, float, double, bfloat16}",
        "align_corners: bool = false",
    ],
    shape=_resize_shape,
    make_kernel=_area_kernel,
)


def resize_area(images, size, align_corners=False, name=None):
    """`images` [n, h, w, c] resized to `size` by area averaging (TF1's
    `tf.image.resize_area`)."""
    return op_output("ResizeArea", name, [images, size], {"align_corners": align_corners})


# -- ResizeBicubic --------------------------------------------------------------------------------
_TABLE_SIZE = 1024


def _coeffs_table(a: float) -> np.ndarray:
    """TF's bicubic coefficient table (computed in double, stored as float32)."""
    table = np.zeros(((_TABLE_SIZE + 1), 2), np.float32)
    for i in range(_TABLE_SIZE + 1):
        x = i * 1.0 / _TABLE_SIZE
        table[i, 0] = ((a + 2) * x - (a + 3)) * x * x + 1
        x += 1.0
        table[i, 1] = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return table


_TABLES: dict[bool, np.ndarray] = {}


def _bicubic_weights(in_size, out_size, align_corners, half_pixel):
    """(indices [out, 4], float32 weights [out, 4]) as TF's GetWeightsAndIndices."""
    keys = half_pixel
    if keys not in _TABLES:
        _TABLES[keys] = _coeffs_table(float(np.float32(-0.5 if keys else -0.75)))
    table = _TABLES[keys]
    scale = _scale(in_size, out_size, align_corners)
    idx = np.zeros((out_size, 4), np.int64)
    wts = np.zeros((out_size, 4), np.float32)
    for o in range(out_size):
        if half_pixel:
            loc_f = (np.float32(o) + np.float32(0.5)) * scale - np.float32(0.5)
        else:
            loc_f = np.float32(o) * scale
        loc = int(np.floor(loc_f))
        delta = np.float32(loc_f - np.float32(loc))
        offset = int(np.rint(delta * np.float32(_TABLE_SIZE)))
        w = [table[offset, 1], table[offset, 0], table[_TABLE_SIZE - offset, 0],
             table[_TABLE_SIZE - offset, 1]]  # fmt: skip
        for j in range(4):
            idx[o, j] = min(in_size - 1, max(0, loc - 1 + j))
            if keys and idx[o, j] != loc - 1 + j:
                w[j] = np.float32(0)
        if keys:
            total = np.float32(np.float32(np.float32(w[0] + w[1]) + w[2]) + w[3])
            if abs(total) >= 1000.0 * np.finfo(np.float32).tiny:
                inv = np.float32(1) / total
                w = [np.float32(v * inv) for v in w]
        wts[o] = w
    return idx, wts


def _interp(weights, values):
    """w0*v0 + w1*v1 + w2*v2 + w3*v3 in float32, left to right."""
    total = weights[0] * values[0]
    for j in range(1, 4):
        total = total + weights[j] * values[j]
    return total


def _bicubic_kernel(op, ctx):
    align, half = op._attrs["align_corners"], op._attrs["half_pixel_centers"]

    def kernel(images, size):
        images = np.asarray(images)
        if images.ndim != 4:
            raise errors.InvalidArgumentError(None, op, "input must be 4-dimensional")
        h, w = _size_of(op, size)
        x = images.astype(np.float32)
        yi, yw = _bicubic_weights(x.shape[1], h, align, half)
        xi, xw = _bicubic_weights(x.shape[2], w, align, half)
        # (vertical first, then horizontal, as TF's cached rows)
        cols = _interp(
            [yw[:, j][None, :, None, None] for j in range(4)], [x[:, yi[:, j]] for j in range(4)]
        )
        out = _interp(
            [xw[:, j][None, None, :, None] for j in range(4)],
            [cols[:, :, xi[:, j]] for j in range(4)],
        )
        return out.astype(np.float32)

    return kernel


def _bicubic_grad(op, grad):
    if op._inputs[0].dtype._base not in (dtypes.float32, dtypes.float64):
        return None, None
    g = op_output(
        "ResizeBicubicGrad",
        None,
        [grad, op._inputs[0]],
        {
            "align_corners": op._attrs["align_corners"],
            "half_pixel_centers": op._attrs["half_pixel_centers"],
        },
    )
    return g, None


register_op(
    "ResizeBicubic",
    inputs=["images: T", "size: int32"],
    outputs=["resized_images: float"],
    attrs=[
        "T: {int8, uint8, int16, uint16, int32, int64, half, float, double, bfloat16}",
        "align_corners: bool = false",
        "half_pixel_centers: bool = false",
    ],
    shape=_resize_shape,
    make_kernel=_bicubic_kernel,
    grad=_bicubic_grad,
)


def _bicubic_grad_kernel(op, ctx):
    align, half = op._attrs["align_corners"], op._attrs["half_pixel_centers"]

    def kernel(grads, original):
        grads = np.asarray(grads, np.float32)
        original = np.asarray(original)
        n, in_h, in_w, c = original.shape
        out_h, out_w = grads.shape[1:3]
        yi, yw = _bicubic_weights(in_h, out_h, align, half)
        xi, xw = _bicubic_weights(in_w, out_w, align, half)
        # contributions in TF's loop order: y, x, then the 16 (y_j, x_k) terms
        t = original.dtype  # (TF multiplies in T: the float32 gradient is converted first)
        vals = grads.astype(t)[:, :, :, None, None, :] * yw.astype(t)[None, :, None, :, None, None]
        vals = vals * xw.astype(t)[None, None, :, None, :, None]
        rows = np.broadcast_to(yi[:, None, :, None], (out_h, out_w, 4, 4))
        cols = np.broadcast_to(xi[None, :, None, :], (out_h, out_w, 4, 4))
        out = np.zeros((n, c, in_h, in_w), original.dtype)
        flat = vals.transpose(0, 5, 1, 2, 3, 4).reshape(n, c, -1)
        for b in range(n):
            for ch in range(c):
                np.add.at(out[b, ch], (rows.reshape(-1), cols.reshape(-1)), flat[b, ch])
        return out.transpose(0, 2, 3, 1)

    return kernel


register_op(
    "ResizeBicubicGrad",
    inputs=["grads: float", "original_image: T"],
    outputs=["output: T"],
    attrs=["T: {float, double}", "align_corners: bool = false", "half_pixel_centers: bool = false"],
    shape=lambda op: [op._inputs[1]._shape],
    make_kernel=_bicubic_grad_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def resize_bicubic(images, size, align_corners=False, name=None, half_pixel_centers=False):
    """`images` [n, h, w, c] resized to `size` by bicubic interpolation (TF1's
    `tf.image.resize_bicubic`)."""
    return op_output(
        "ResizeBicubic",
        name,
        [images, size],
        {"align_corners": align_corners, "half_pixel_centers": half_pixel_centers},
    )

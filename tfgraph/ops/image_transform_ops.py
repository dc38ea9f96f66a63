"""Projective image transforms, connected components and HSV-in-YIQ adjustment: the
ops behind TF 1.15's `tf.contrib.image` (ImageProjectiveTransformV2/V3,
ImageConnectedComponents, AdjustHsvInYiq).

The transform kernel follows TF's CPU kernel (core/kernels/image/image_ops.h) in float32
arithmetic, vectorized over the whole batch: each output pixel (x, y) maps to the input
point ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k) with k = c0 x + c1 y + 1; the
point is folded into the image by the fill mode (REFLECT, WRAP, NEAREST; CONSTANT keeps
it), and read by NEAREST (round half away from zero) or BILINEAR interpolation, pixels
outside the image reading `fill_value` (0 for V2). Bilinear sums are float32 and the
result is converted to the image dtype as C++ converts (truncation for integers).

The gradient is TF's: the incoming gradient transformed by the inverted transforms back
to the input's size (exact for invertible maps of the pixel grid such as integer shifts,
flips and quarter turns; TF's approximation otherwise). Transforms get no gradient.
"""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, common_shapes, linalg_ops
from tfgraph.ops.apply import op_output

__all__ = [
    "adjust_hsv_in_yiq_op",
    "flat_transforms_to_matrices",
    "image_connected_components",
    "image_projective_transform_v2",
    "image_projective_transform_v3",
    "matrices_to_flat_transforms",
]

_F32 = np.float32
_DTYPES = "{uint8, int32, int64, half, bfloat16, float, double}"


# -- the transform kernel --------------------------------------------------------------------


def _trunc_int(v: np.ndarray) -> np.ndarray:
    """C++'s static_cast<int64>(float) (NaN and infinities made 0: undefined in C++)."""
    v = np.where(np.isfinite(v), v, 0)
    return np.trunc(v).astype(np.int64)


def _map_reflect(c: np.ndarray, n: int) -> np.ndarray:
    if n <= 1:
        out = np.where((c < 0) | (c > n - 1), _F32(0), c)
    else:
        sz2 = 2 * n
        neg = c < 0
        k = _trunc_int(-c / _F32(sz2))
        a = (sz2 * k).astype(_F32) + c
        a = np.where(a < -n, a + _F32(sz2), -a - _F32(1))
        hi = c > n - 1
        b = c - (sz2 * _trunc_int(c / _F32(sz2))).astype(_F32)
        b = np.where(b >= n, (_F32(sz2) - b) - _F32(1), b)
        out = np.where(neg, a, np.where(hi, b, c))
    return np.clip(out, _F32(0), _F32(n - 1))


def _map_wrap(c: np.ndarray, n: int) -> np.ndarray:
    if n <= 1:
        out = np.where((c < 0) | (c > n - 1), _F32(0), c)
    else:
        sz = _F32(n - 1)
        a = c + (n * (_trunc_int(-c / sz) + 1)).astype(_F32)
        b = c - (n * _trunc_int(c / sz)).astype(_F32)
        out = np.where(c < 0, a, np.where(c > n - 1, b, c))
    return np.clip(out, _F32(0), _F32(n - 1))


def _map_nearest(c: np.ndarray, n: int) -> np.ndarray:
    return np.clip(c, _F32(0), _F32(n - 1))


_MAPS = {
    "REFLECT": _map_reflect,
    "WRAP": _map_wrap,
    "CONSTANT": lambda c, n: c,
    "NEAREST": _map_nearest,
}


def _to_dtype(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """float32 values converted as C++'s T(float) converts them."""
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        v = np.trunc(np.where(np.isfinite(values), values, 0))
        return np.clip(v, info.min, info.max).astype(dtype)
    return values.astype(dtype)


def projective_transform(images, transforms, out_h, out_w, interpolation, fill_mode, fill_value):
    """TF's FillProjectiveTransform on numpy arrays (shapes already checked)."""
    n, h, w, c = images.shape
    dtype = images.dtype
    fill = _to_dtype(np.asarray(fill_value, _F32).reshape(()), dtype)
    t = np.asarray(transforms, _F32)[:, :, None, None]  # [nt, 8, 1, 1]
    xs = np.arange(out_w, dtype=_F32)[None, None, :]
    ys = np.arange(out_h, dtype=_F32)[None, :, None]
    with np.errstate(all="ignore"):
        proj = t[:, 6] * xs + t[:, 7] * ys + _F32(1)
        in_x = (t[:, 0] * xs + t[:, 1] * ys + t[:, 2]) / proj
        in_y = (t[:, 3] * xs + t[:, 4] * ys + t[:, 5]) / proj
        fold = _MAPS[fill_mode]
        x = fold(in_x, w).astype(_F32)
        y = fold(in_y, h).astype(_F32)
    # (TF 2.21 reads out-of-image corners as the fill value, with no early exit for points
    # outside the image; non-finite points, undefined in C++, give the fill value here)
    valid = (proj != 0) & np.isfinite(x) & np.isfinite(y)
    x = np.where(valid, x, _F32(0))
    y = np.where(valid, y, _F32(0))
    nt = t.shape[0]
    # flat rows of the images plus one row of the fill value, read where out of bounds
    flat = np.concatenate([images.reshape(n * h * w, c), np.full((1, c), fill, dtype)])
    base = (np.arange(n) * (h * w))[:, None, None]
    if nt == 1:
        x, y, valid = (np.broadcast_to(a, (n, out_h, out_w)) for a in (x, y, valid))

    def index(iy, ix):
        iy, ix = np.clip(iy, -2, h + 1), np.clip(ix, -2, w + 1)
        ok = valid & (iy >= 0) & (iy < h) & (ix >= 0) & (ix < w)
        return np.where(ok, base + iy * w + ix, n * h * w)

    if interpolation == "NEAREST":
        ix = _round_half_away(np.clip(x, -4, w + 4))
        iy = _round_half_away(np.clip(y, -4, h + 4))
        out = np.take(flat, index(iy, ix), axis=0)
    else:
        flat = flat.astype(_F32)  # (each read is static_cast<float>)
        xf, yf = np.floor(x), np.floor(y)
        xc, yc = xf + _F32(1), yf + _F32(1)
        ixf = np.clip(xf, -4, w + 4).astype(np.int64)
        iyf = np.clip(yf, -4, h + 4).astype(np.int64)
        wx0, wx1 = (xc - x)[..., None], (x - xf)[..., None]
        wy0, wy1 = (yc - y)[..., None], (y - yf)[..., None]
        top = np.take(flat, index(iyf, ixf), axis=0)
        top *= wx0
        top += wx1 * np.take(flat, index(iyf, ixf + 1), axis=0)
        bottom = np.take(flat, index(iyf + 1, ixf), axis=0)
        bottom *= wx0
        bottom += wx1 * np.take(flat, index(iyf + 1, ixf + 1), axis=0)
        top *= wy0
        bottom *= wy1
        top += bottom
        out = _to_dtype(top, dtype)
    return np.where(valid[..., None], out, fill).astype(dtype, copy=False)


def _round_half_away(v: np.ndarray) -> np.ndarray:
    """std::round as int64 (halves away from zero)."""
    r = np.floor(np.abs(v))
    r = r + (np.abs(v) - r >= _F32(0.5))
    return (np.sign(v) * r).astype(np.int64)


def _attr_str(op, name: str) -> str:
    value = op._attrs[name]
    return value.decode() if isinstance(value, bytes) else str(value)


def _transform_kernel(op, ctx):
    interpolation = _attr_str(op, "interpolation")
    fill_mode = _attr_str(op, "fill_mode")
    dtype = op._attrs["dtype"].as_numpy_dtype

    def kernel(images, transforms, output_shape, fill_value=0.0):
        if interpolation not in ("NEAREST", "BILINEAR"):
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Invalid interpolation {interpolation}. Supported types: NEAREST, BILINEAR",
            )
        if fill_mode not in _MAPS:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Invalid mode {fill_mode}. Supported types: REFLECT, WRAP, CONSTANT, NEAREST",
            )
        images = np.asarray(images, dtype)
        transforms = np.asarray(transforms, _F32)
        if images.ndim != 4:
            raise errors.InvalidArgumentError(None, op, "Input images must have rank 4")
        if not (
            transforms.ndim == 2
            and transforms.shape[0] in (images.shape[0], 1)
            and transforms.shape[1] == 8
        ):
            raise errors.InvalidArgumentError(
                None, op, "Input transform should be num_images x 8 or 1 x 8"
            )
        shape = np.asarray(output_shape)
        if shape.ndim != 1:
            raise errors.InvalidArgumentError(
                None, op, f"output shape must be 1-dimensional{_dbg(shape.shape)}"
            )
        if shape.size != 2:
            raise errors.InvalidArgumentError(
                None, op, f"output shape must have two elements{_dbg(shape.shape)}"
            )
        out_h, out_w = int(shape[0]), int(shape[1])
        if out_h <= 0 or out_w <= 0:
            raise errors.InvalidArgumentError(None, op, "output dimensions must be positive")
        fill = np.asarray(fill_value, _F32)
        if fill.ndim != 0:
            raise errors.InvalidArgumentError(
                None, op, f"fill_value must be a scalar{_dbg(fill.shape)}"
            )
        return projective_transform(
            images, transforms, out_h, out_w, interpolation, fill_mode, fill
        )

    return kernel


def _dbg(shape) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


def _transform_shape(op):
    images = op._inputs[0]._shape
    if images._dims is not None and len(images._dims) != 4:
        raise common_shapes.shape_error(op, f"Shape must be rank 4 but is rank {len(images._dims)}")
    images = images.with_rank(4)
    size_shape = op._inputs[2]._shape
    if size_shape._dims is not None:
        if len(size_shape._dims) != 1:
            raise common_shapes.shape_error(
                op, f"Shape must be rank 1 but is rank {len(size_shape._dims)}"
            )
        if size_shape._dims[0] is not None and size_shape._dims[0] != 2:
            raise common_shapes.shape_error(op, f"Dimension must be 2 but is {size_shape._dims[0]}")
    size = common_shapes.constant_value(op._inputs[2])
    h = w = None
    if size is not None:
        dims = [int(v) for v in np.asarray(size).ravel()[:2]]
        for d in dims:
            if d < -1:
                raise ValueError(f"Dimension {d} must be >= 0")
        h, w = (None if d == -1 else d for d in dims)
    # (not a constant: both unknown, even for a slice of a partly known Shape, as in TF)
    return [TensorShape([images._dims[0], h, w, images._dims[3]])]


def flat_transforms_to_matrices(transforms):
    """[n, 8] (or [8]) flat transforms as [n, 3, 3] matrices (the implicit 1 appended)."""
    transforms = array_ops.reshape(transforms, array_ops.constant([-1, 8]))
    count = array_ops.shape(transforms)[0]
    ones = array_ops.ones(array_ops.stack([count, 1]))
    return array_ops.reshape(
        array_ops.concat([transforms, ones], axis=1), array_ops.constant([-1, 3, 3])
    )


def matrices_to_flat_transforms(transform_matrices):
    """[n, 3, 3] (or [3, 3]) matrices as [n, 8] flat transforms, each divided by its
    last entry."""
    transforms = array_ops.reshape(transform_matrices, array_ops.constant([-1, 9]))
    transforms = transforms / transforms[:, 8:9]
    return transforms[:, :8]


def _invert_flat(transforms):
    if transforms._shape.ndims == 1:
        transforms = transforms[None]
    elif transforms._shape.ndims != 2:
        raise TypeError("Transforms should have rank 1 or 2.")
    inverse = linalg_ops.matrix_inverse(flat_transforms_to_matrices(transforms))
    return matrices_to_flat_transforms(inverse)


def _transform_grad(op, grad):
    images, transforms = op._inputs[0], op._inputs[1]
    if images.dtype.base_dtype not in _IMAGE_DTYPES:
        raise TypeError(f"Invalid dtype {images.dtype.name}.")
    inverse = _invert_flat(transforms)
    size = array_ops.shape(images)[1:3]
    attrs = {"interpolation": op._attrs["interpolation"], "fill_mode": op._attrs["fill_mode"]}
    if op._type == "ImageProjectiveTransformV2":
        out = op_output("ImageProjectiveTransformV2", None, [grad, inverse, size], attrs)
        return [out, None, None]
    fill = array_ops.constant(0.0, dtypes.float32)
    out = op_output("ImageProjectiveTransformV3", None, [grad, inverse, size, fill], attrs)
    return [out, None, None, None]


_IMAGE_DTYPES = frozenset(
    [dtypes.uint8, dtypes.int32, dtypes.int64, dtypes.float16, dtypes.float32, dtypes.float64]
)

_TRANSFORM_ATTRS = [f"dtype: {_DTYPES}", "interpolation: string", "fill_mode: string = 'CONSTANT'"]

register_op(
    "ImageProjectiveTransformV2",
    inputs=["images: dtype", "transforms: float", "output_shape: int32"],
    outputs=["transformed_images: dtype"],
    attrs=_TRANSFORM_ATTRS,
    shape=_transform_shape,
    make_kernel=_transform_kernel,
    grad=_transform_grad,
)
register_op(
    "ImageProjectiveTransformV3",
    inputs=["images: dtype", "transforms: float", "output_shape: int32", "fill_value: float"],
    outputs=["transformed_images: dtype"],
    attrs=_TRANSFORM_ATTRS,
    shape=_transform_shape,
    make_kernel=_transform_kernel,
    grad=_transform_grad,
)


def _mode(value, what: str) -> bytes:
    return value.encode() if isinstance(value, str) else bytes(value)


def image_projective_transform_v2(
    images, transforms, output_shape, interpolation, fill_mode="CONSTANT", name=None
):
    """`tf.raw_ops.ImageProjectiveTransformV2`."""
    return op_output(
        "ImageProjectiveTransformV2",
        name,
        [images, transforms, output_shape],
        {
            "interpolation": _mode(interpolation, "interpolation"),
            "fill_mode": _mode(fill_mode, "fill_mode"),
        },
    )


def image_projective_transform_v3(
    images, transforms, output_shape, fill_value, interpolation, fill_mode="CONSTANT", name=None
):
    """`tf.raw_ops.ImageProjectiveTransformV3`."""
    return op_output(
        "ImageProjectiveTransformV3",
        name,
        [images, transforms, output_shape, fill_value],
        {
            "interpolation": _mode(interpolation, "interpolation"),
            "fill_mode": _mode(fill_mode, "fill_mode"),
        },
    )


# -- connected components --------------------------------------------------------------------


def _components_kernel(op, ctx):
    def kernel(image):
        return _components(op, image)

    return kernel


def _components(op, image):
    """Each nonzero pixel's component id: 1 + the smallest flat index (over the batch) of
    the pixels 4-connected to it through pixels of the same value; 0 for zero pixels
    (False, 0, the empty string). TF's union-find picks its own roots; TF 1.15's Python
    layer renumbers them by first appearance, which gives the same final labels."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components as graph_components

    image = np.asarray(image)
    if image.ndim != 3:
        raise errors.InvalidArgumentError(None, op, "Input images must have rank 3")
    size = image.size
    if size == 0:
        return np.zeros(image.shape, np.int64)
    nonzero = image != (b"" if image.dtype.kind in "OSU" else np.zeros((), image.dtype))
    index = np.arange(size, dtype=np.int64).reshape(image.shape)
    right = nonzero[:, :, :-1] & (image[:, :, :-1] == image[:, :, 1:])
    down = nonzero[:, :-1, :] & (image[:, :-1, :] == image[:, 1:, :])
    rows = np.concatenate([index[:, :, :-1][right], index[:, :-1, :][down]])
    cols = np.concatenate([index[:, :, 1:][right], index[:, 1:, :][down]])
    graph = coo_matrix((np.ones(rows.size, np.int8), (rows, cols)), shape=(size, size))
    _, labels = graph_components(graph, directed=False)
    roots = np.full(labels.max() + 1, size, np.int64)
    np.minimum.at(roots, labels, np.arange(size, dtype=np.int64))
    out = roots[labels] + 1
    return np.where(nonzero.ravel(), out, 0).reshape(image.shape)


def _components_shape(op):
    dims = op._inputs[0]._shape._dims
    if dims is not None and len(dims) != 3:
        raise common_shapes.shape_error(op, f"Shape must be rank 3 but is rank {len(dims)}")
    return [op._inputs[0]._shape.with_rank(3)]


register_op(
    "ImageConnectedComponents",
    inputs=["image: dtype"],
    outputs=["components: int64"],
    attrs=["dtype: {int64, int32, uint16, int16, uint8, int8, half, float, double, bool, string}"],
    shape=_components_shape,
    make_kernel=_components_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def image_connected_components(image, name=None):
    """TF 1.15 contrib's ImageConnectedComponents op ([batch, h, w] -> int64 ids)."""
    return op_output("ImageConnectedComponents", name, [image])


# -- hue/saturation/value in YIQ space ----------------------------------------------------------

_RGB_TO_YIQ = np.array(
    [[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]], _F32
)
_YIQ_TO_RGB = np.array(
    [[1, 0.95617069, 0.62143257], [1, -0.2726886, -0.64681324], [1, -1.103744, 1.70062309]], _F32
)


def hsv_in_yiq_matrix(delta_h, scale_s, scale_v) -> np.ndarray:
    """The float32 3x3 matrix M with rgb' = M rgb: to YIQ, rotate (I, Q) by delta_h and
    scale them by scale_s, scale everything by scale_v, back to RGB."""
    delta_h, scale_s, scale_v = _F32(delta_h), _F32(scale_s), _F32(scale_v)
    vsu = scale_v * scale_s * _F32(np.cos(delta_h))
    vsw = scale_v * scale_s * _F32(np.sin(delta_h))
    hsv = np.array([[scale_v, 0, 0], [0, vsu, -vsw], [0, vsw, vsu]], _F32)
    return (_YIQ_TO_RGB @ hsv @ _RGB_TO_YIQ).astype(_F32)


def _hsv_in_yiq_kernel(op, ctx):
    def kernel(images, delta_h, scale_s, scale_v):
        images = np.asarray(images)
        if images.dtype != np.float32:
            raise errors.InvalidArgumentError(
                None, op, f"No kernel for AdjustHsvInYiq with T={images.dtype.name} (float only)"
            )
        if images.ndim < 3:
            raise errors.InvalidArgumentError(
                None, op, f"input must be at least 3-D, got shape{_dbg(images.shape)}"
            )
        for name, v in (("delta_h", delta_h), ("scale_s", scale_s), ("scale_v", scale_v)):
            if np.ndim(v) != 0:
                raise errors.InvalidArgumentError(
                    None, op, f"{name} must be scalar: {_dbg(np.shape(v))}"
                )
        if images.shape[-1] != 3:
            raise errors.InvalidArgumentError(
                None, op, f"input must have 3 channels but instead has {images.shape[-1]} channels."
            )
        m = hsv_in_yiq_matrix(delta_h, scale_s, scale_v)
        out = np.empty_like(images)
        for j in range(3):  # (each output channel summed over r, g, b in order, float32)
            acc = images[..., 0] * m[j, 0]
            acc += images[..., 1] * m[j, 1]
            acc += images[..., 2] * m[j, 2]
            out[..., j] = acc
        return out

    return kernel


def _hsv_in_yiq_shape(op):
    shape = op._inputs[0]._shape
    if shape._dims is not None and len(shape._dims) < 3:
        raise common_shapes.shape_error(
            op, f"Shape must be at least rank 3 but is rank {len(shape._dims)}"
        )
    for t in op._inputs[1:]:
        dims = t._shape._dims
        if dims is not None and len(dims) != 0:
            raise common_shapes.shape_error(op, f"Shape must be rank 0 but is rank {len(dims)}")
    return [shape]


register_op(
    "AdjustHsvInYiq",
    inputs=["images: T", "delta_h: float", "scale_s: float", "scale_v: float"],
    outputs=["output: T"],
    attrs=["T: {uint8, int8, int16, int32, int64, half, float, double}"],
    shape=_hsv_in_yiq_shape,
    make_kernel=_hsv_in_yiq_kernel,
    # (TF registers no gradient for AdjustHsvInYiq: tf.gradients raises LookupError)
)


def adjust_hsv_in_yiq_op(images, delta_h, scale_s, scale_v, name=None):
    """TF 1.15 contrib's AdjustHsvInYiq op (float32 RGB images)."""
    return op_output("AdjustHsvInYiq", name, [images, delta_h, scale_s, scale_v])

"""Colour spaces and colour adjustments of `tf.image`: RGBToHSV (with TF's gradient),
HSVToRGB, AdjustHue and AdjustSaturation (float32 arithmetic as TF's CPU kernels), and
the Python composites `rgb_to_grayscale`, `grayscale_to_rgb`, `adjust_gamma`,
`random_hue`, `random_saturation`, built as TF builds them."""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, check_ops, common_shapes, control_flow_ops, math_ops, random_ops
from tfgraph.ops.apply import op_output
from tfgraph.ops.image_adjust_ops import convert_image_dtype

__all__ = [
    "adjust_gamma",
    "adjust_hue",
    "adjust_saturation",
    "grayscale_to_rgb",
    "hsv_to_rgb",
    "random_hue",
    "random_saturation",
    "rgb_to_grayscale",
    "rgb_to_hsv",
]


def _channels(op, images):
    images = np.asarray(images)
    if images.ndim < 1:
        raise errors.InvalidArgumentError(
            None, op, f"input must be at least 1D{list(images.shape)}".replace(" ", "")
        )
    if images.shape[-1] != 3:
        raise errors.FailedPreconditionError(
            None,
            op,
            f"input must have 3 channels but input only has {images.shape[-1]} channels.",
        )
    return images


def _colorspace_shape(op):
    """TF's ColorspaceShapeFn: rank >= 1, last dimension 3."""
    shape = op._inputs[0]._shape
    if shape._dims is None:
        return [shape]
    if len(shape._dims) < 1:
        raise common_shapes.shape_error(op, "Shape must be at least rank 1 but is rank 0")
    last = shape._dims[-1]
    if last is not None and last != 3:
        raise common_shapes.shape_error(op, f"Dimension must be 3 but is {last}")
    return [TensorShape([*shape._dims[:-1], 3])]


# -- RGBToHSV / HSVToRGB: Eigen expressions in T ------------------------------------------------
def _rgb_to_hsv_kernel(op, ctx):
    def kernel(images):
        x = _channels(op, images)
        t = x.dtype.type
        r, g, b = x[..., 0], x[..., 1], x[..., 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.maximum(np.maximum(r, g), b)
            rng = v - np.minimum(np.minimum(r, g), b)
            s = np.where(v > t(0), rng / v, t(0))
            norm = (t(1) / rng) * (t(1) / t(6))
            h = np.where(
                r == v,
                norm * (g - b),
                np.where(g == v, norm * (b - r) + t(2) / t(6), norm * (r - g) + t(4) / t(6)),
            )
            h = np.where(rng > t(0), h, t(0))
            h = np.where(h < t(0), h + t(1), h)
        return np.stack([h, s, v], axis=-1).astype(x.dtype)

    return kernel


def _div_no_nan_recip(x):
    return math_ops.div_no_nan(array_ops.cast(1.0, x.dtype), x)


def _rgb_to_hsv_grad(op, grad):
    """TF's gradient of RGBToHSV (image_grad.py), term by term."""
    x, out = op._inputs[0], op._outputs[0]
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    sat, val = out[..., 1], out[..., 2]
    dt = x.dtype
    cast = array_ops.cast
    r_big = cast((r >= b) & (r >= g), dt)
    g_big = cast((g > r) & (g >= b), dt)
    b_big = cast((b > r) & (b > g), dt)
    r_small = cast((r < b) & (r < g), dt)
    g_small = cast((g <= r) & (g < b), dt)
    b_small = cast((b <= r) & (b <= g), dt)
    rec, sq = _div_no_nan_recip, math_ops.square

    def ds(c, c_big, c_small, o1, o1_small, o1_big, o2, o2_small, o2_big):
        return cast(c > 0, dt) * math_ops.add(
            c_big * math_ops.add(o1_small * o1, o2_small * o2) * rec(sq(c)),
            c_small * -1 * rec((o1_big * o1) + (o2_big * o2)),
        )

    ds_dr = ds(r, r_big, r_small, g, g_small, g_big, b, b_small, b_big)
    ds_dg = ds(g, g_big, g_small, r, r_small, r_big, b, b_small, b_big)
    ds_db = ds(b, b_big, b_small, g, g_small, g_big, r, r_small, r_big)
    dh = []
    for terms in _hue_terms(r, g, b, r_big, g_big, b_big, r_small, g_small, b_small, sat, val):
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        dh.append(total / 360)
    dh_dr, dh_dg, dh_db = dh
    dv = array_ops.stack([grad[..., 2] * r_big, grad[..., 2] * g_big, grad[..., 2] * b_big], -1)
    dsat = array_ops.stack([grad[..., 1] * ds_dr, grad[..., 1] * ds_dg, grad[..., 1] * ds_db], -1)
    dhue = array_ops.stack([grad[..., 0] * dh_dr, grad[..., 0] * dh_dg, grad[..., 0] * dh_db], -1)
    return math_ops.add(math_ops.add(dv, dsat), dhue)


def _hue_terms(r, g, b, r_big, g_big, b_big, r_small, g_small, b_small, sat, val):
    """The five terms of dH/dR, dH/dG and dH/dB, each built as TF writes it."""
    dt = r.dtype
    rec, sq = _div_no_nan_recip, math_ops.square

    def pos(c):
        return array_ops.cast(c > 0, dt)

    def first(c, c_big, diff):
        return 60 * (pos(c) * c_big * -1 * diff * rec(sq(sat)) * rec(sq(val)))

    dr = [
        first(r, r_big, g - b),
        60 * (pos(g) * g_big * r_small * (b - g) * rec(sq(r - g))),
        60 * (pos(g) * g_big * b_small * -1 * rec(g - b)),
        60 * (pos(b) * b_big * r_small * (b - g) * rec(sq(b - r))),
        60 * (pos(b) * b_big * g_small * rec(b - g)),
    ]
    dg = [
        first(g, g_big, b - r),
        60 * (pos(r) * r_big * g_small * (r - b) * rec(sq(r - g))),
        60 * (pos(r) * r_big * b_small * rec(r - b)),
        60 * (pos(b) * b_big * g_small * (r - b) * rec(sq(b - g))),
        60 * (pos(b) * b_big * r_small * -1 * rec(b - r)),
    ]
    db = [
        first(b, b_big, r - g),
        60 * (pos(r) * r_big * b_small * (g - r) * rec(sq(r - b))),
        60 * (pos(r) * r_big * g_small * -1 * rec(r - g)),
        60 * (pos(g) * g_big * b_small * (g - r) * rec(sq(g - b))),
        60 * (pos(g) * g_big * r_small * rec(g - r)),
    ]
    return dr, dg, db


_COLOR_T = "T: {half, bfloat16, float, double} = float"

register_op(
    "RGBToHSV",
    inputs=["images: T"],
    outputs=["output: T"],
    attrs=[_COLOR_T],
    shape=_colorspace_shape,
    make_kernel=_rgb_to_hsv_kernel,
    grad=_rgb_to_hsv_grad,
)


def _hsv_to_rgb_kernel(op, ctx):
    def kernel(images):
        x = _channels(op, images)
        t = x.dtype.type
        h, s, v = x[..., 0], x[..., 1], x[..., 2]
        dh = h * t(6)
        dr = np.minimum(np.maximum(np.abs(dh - t(3)) - t(1), t(0)), t(1))
        dg = np.minimum(np.maximum(-np.abs(dh - t(2)) + t(2), t(0)), t(1))
        db = np.minimum(np.maximum(-np.abs(dh - t(4)) + t(2), t(0)), t(1))
        one_s = -s + t(1)
        out = [(one_s + s * d) * v for d in (dr, dg, db)]
        return np.stack(out, axis=-1).astype(x.dtype)

    return kernel


register_op(
    "HSVToRGB",
    inputs=["images: T"],
    outputs=["output: T"],
    attrs=[_COLOR_T],
    shape=_colorspace_shape,
    make_kernel=_hsv_to_rgb_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def rgb_to_hsv(images, name=None):
    """`images` (RGB in the last dimension, values in [0, 1]) as hue, saturation, value."""
    return op_output("RGBToHSV", name, [images])


def hsv_to_rgb(images, name=None):
    """`images` (hue, saturation, value in the last dimension) as RGB."""
    return op_output("HSVToRGB", name, [images])


# -- AdjustHue / AdjustSaturation: TF's per-pixel float32 CPU loops, vectorized --------------------
def _float_kernel_only(op):
    """TF registers AdjustHue/AdjustSaturation CPU kernels for float32 only."""
    if op._attrs["T"]._base != dtypes.float32:
        raise errors.InvalidArgumentError(
            None,
            op,
            f"No OpKernel was registered to support Op '{op._type}' used by {{{{node "
            f"{op._name}}}}} with these attrs: [T=DT_HALF]",
        )


def _check_adjust_input(op, images):
    x = np.asarray(images)
    if x.ndim < 3:
        raise errors.InvalidArgumentError(
            None, op, "input must be at least 3-D, got shape" + str(list(x.shape)).replace(" ", "")
        )
    if x.shape[-1] != 3:
        raise errors.InvalidArgumentError(
            None, op, f"input must have 3 channels but instead has {x.shape[-1]} channels."
        )
    return x


def _hue_categories(r, g, b):
    """(category 0..5, v_max, v_mid, v_min) per pixel, as TF's rgb_to_hv_range."""
    r_lt_g = r < g
    cat = np.where(
        r_lt_g,
        np.where(b < r, 1, np.where(b > g, 3, 2)),
        np.where(b < g, 0, np.where(b > r, 4, 5)),
    )
    order = [(r, g, b), (g, r, b), (g, b, r), (b, g, r), (b, r, g), (r, b, g)]
    conds = [cat == k for k in range(6)]
    v_max, v_mid, v_min = (np.select(conds, [o[i] for o in order]) for i in range(3))
    return cat, v_max, v_mid, v_min


def _adjust_hue_kernel(op, ctx):
    f32 = np.float32
    _float_kernel_only(op)

    def kernel(images, delta):
        x = _check_adjust_input(op, images)
        p = x.astype(f32)
        r, g, b = p[..., 0], p[..., 1], p[..., 2]
        cat, v_max, v_mid, v_min = _hue_categories(r, g, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = (v_mid - v_min) / (v_max - v_min)
        h = cat.astype(f32) + np.where(cat % 2 == 0, ratio, f32(1) - ratio)
        h = np.where(v_max == v_min, f32(0), h)
        h = h + f32(np.float32(delta) * f32(6))
        while (h < 0).any():
            h = np.where(h < 0, h + f32(6), h)
        while (h >= 6).any():
            h = np.where(h >= 6, h - f32(6), h)
        hc = h.astype(np.int64)
        ratio = h - hc.astype(f32)
        ratio = np.where(hc % 2 == 0, ratio, f32(1) - ratio)
        mid = v_min + ratio * (v_max - v_min)
        slots = [(v_max, mid, v_min), (mid, v_max, v_min), (v_min, v_max, mid),
                 (v_min, mid, v_max), (mid, v_min, v_max), (v_max, v_min, mid)]  # fmt: skip
        conds = [hc == k for k in range(5)]
        out = [np.select(conds, [slots[k][c] for k in range(5)], slots[5][c]) for c in range(3)]
        return np.stack(out, axis=-1).astype(x.dtype)

    return kernel


def _rgb_to_hsv_f32(r, g, b):
    """TF's scalar rgb_to_hsv of adjust_saturation_op (the 2/6 and 4/6 are doubles)."""
    f32 = np.float32
    vv = np.maximum(r, np.maximum(g, b))
    rng = vv - np.minimum(r, np.minimum(g, b))
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(vv > 0, rng / vv, f32(0))
        norm = f32(1) / (f32(6) * rng)
        hh = np.where(
            r == vv,
            norm * (g - b),
            np.where(
                g == vv,
                ((norm * (b - r)).astype(np.float64) + 2.0 / 6.0).astype(f32),
                ((norm * (r - g)).astype(np.float64) + 4.0 / 6.0).astype(f32),
            ),
        )
    hh = np.where(rng <= 0, f32(0), hh)
    hh = np.where(hh < 0, hh + f32(1), hh)
    return hh.astype(f32), s.astype(f32), vv


def _hsv_to_rgb_f32(h, s, v):
    f32 = np.float32
    c = s * v
    m = v - c
    dh = h * f32(6)
    cat = dh.astype(np.int64)
    fmodu = dh
    while (fmodu <= 0).any():
        fmodu = np.where(fmodu <= 0, fmodu + f32(2), fmodu)
    while (fmodu >= 2).any():
        fmodu = np.where(fmodu >= 2, fmodu - f32(2), fmodu)
    x = c * (f32(1) - np.abs(fmodu - f32(1)))
    z = np.zeros_like(c)
    slots = [(c, x, z), (x, c, z), (z, c, x), (z, x, c), (x, z, c), (c, z, x)]
    conds = [cat == k for k in range(6)]
    return [np.select(conds, [slots[k][i] for k in range(6)], z) + m for i in range(3)]


def _adjust_saturation_kernel(op, ctx):
    f32 = np.float32
    _float_kernel_only(op)

    def kernel(images, scale):
        x = _check_adjust_input(op, images)
        p = x.astype(f32)
        h, s, v = _rgb_to_hsv_f32(p[..., 0], p[..., 1], p[..., 2])
        s = np.minimum(f32(1), np.maximum(f32(0), s * f32(scale)))
        return np.stack(_hsv_to_rgb_f32(h, s, v), axis=-1).astype(x.dtype)

    return kernel


register_op(
    "AdjustHue",
    inputs=["images: T", "delta: float"],
    outputs=["output: T"],
    attrs=["T: {half, float} = float"],
    shape=lambda op: [op._inputs[0]._shape],
    make_kernel=_adjust_hue_kernel,
)
register_op(
    "AdjustSaturation",
    inputs=["images: T", "scale: float"],
    outputs=["output: T"],
    attrs=["T: {half, float} = float"],
    shape=lambda op: [op._inputs[0]._shape],
    make_kernel=_adjust_saturation_kernel,
)


def _as_float(image):
    if image.dtype._base in (dtypes.float16, dtypes.float32):
        return image
    return convert_image_dtype(image, dtypes.float32)


def adjust_hue(image, delta, name=None):
    """`image` (RGB) with its hue rotated by `delta` (a fraction of the colour circle)."""
    with get_default_graph().name_scope(name or "adjust_hue"):
        image = convert_to_tensor(image, name="image")
        orig = image.dtype._base
        altered = op_output("AdjustHue", None, [_as_float(image), delta])
        return convert_image_dtype(altered, orig)


def adjust_saturation(image, saturation_factor, name=None):
    """`image` (RGB) with its saturation multiplied by `saturation_factor` (and clipped)."""
    with get_default_graph().name_scope(name or "adjust_saturation"):
        image = convert_to_tensor(image, name="image")
        orig = image.dtype._base
        adjusted = op_output("AdjustSaturation", None, [_as_float(image), saturation_factor])
        return convert_image_dtype(adjusted, orig)


def random_hue(image, max_delta, seed=None):
    """`adjust_hue` by a delta drawn uniformly from [-max_delta, max_delta)."""
    if max_delta > 0.5:
        raise ValueError("max_delta must be <= 0.5.")
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    delta = random_ops.random_uniform([], -max_delta, max_delta, seed=seed)
    return adjust_hue(image, delta)


def random_saturation(image, lower, upper, seed=None):
    """`adjust_saturation` by a factor drawn uniformly from [lower, upper)."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    factor = random_ops.random_uniform([], lower, upper, seed=seed)
    return adjust_saturation(image, factor)


def stateless_random_hue(image, max_delta, seed):
    """TF2's `tf.image.stateless_random_hue`: delta from [-max_delta, max_delta)."""
    from tfgraph.ops.stateless_random_ops import stateless_uniform

    if max_delta > 0.5:
        raise ValueError("max_delta must be <= 0.5.")
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_hue(image, stateless_uniform([], seed, -max_delta, max_delta))


def stateless_random_saturation(image, lower, upper, seed=None):
    """TF2's `tf.image.stateless_random_saturation`: factor from [lower, upper)."""
    from tfgraph.ops.stateless_random_ops import stateless_uniform

    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    return adjust_saturation(image, stateless_uniform([], seed, lower, upper))


# -- grayscale and gamma -----------------------------------------------------------------------
def rgb_to_grayscale(images, name=None):
    """`images` (RGB) as one gray channel: 0.2989 R + 0.5870 G + 0.1140 B."""
    with get_default_graph().name_scope(name or "rgb_to_grayscale") as scope:
        images = convert_to_tensor(images, name="images")
        orig = images.dtype._base
        flt = convert_image_dtype(images, dtypes.float32)
        gray = math_ops.tensordot(flt, [0.2989, 0.5870, 0.1140], [-1, -1])
        gray = array_ops.expand_dims(gray, -1)
        return convert_image_dtype(gray, orig, name=scope)


def _grayscale_checks(image):
    shape = image.get_shape()
    try:
        shape = shape.with_rank(2) if shape.ndims is None else shape.with_rank_at_least(2)
    except ValueError:
        raise ValueError(
            f"A grayscale image (shape {image.shape}) must be at least two-dimensional."
        ) from None
    if shape.is_fully_defined():
        if shape[-1] != 1:
            raise ValueError("Last dimension of a grayscale image should be size 1.")
        return []
    return [
        check_ops.assert_equal(
            array_ops.shape(image)[-1],
            1,
            message="Last dimension of a grayscale image should be size 1.",
        ),
        check_ops.assert_greater_equal(
            array_ops.rank(image), 3, message="A grayscale image must be at least two-dimensional."
        ),
    ]


def grayscale_to_rgb(images, name=None):
    """`images` (one gray channel) with the channel repeated three times."""
    with get_default_graph().name_scope(name or "grayscale_to_rgb") as scope:
        images = control_flow_ops.with_dependencies(_grayscale_checks(images), images)
        rank_1 = array_ops.expand_dims(array_ops.rank(images) - 1, 0)
        multiples = array_ops.concat(
            [array_ops.ones(rank_1, dtype=dtypes.int32), array_ops.expand_dims(3, 0)], 0
        )
        rgb = array_ops.tile(images, multiples, name=scope)
        rgb.set_shape(images.get_shape()[:-1].concatenate([3]))
        return rgb


def adjust_gamma(image, gamma=1, gain=1):
    """gain * image ** gamma (integer images are converted to float and back)."""
    with get_default_graph().name_scope("adjust_gamma"):
        image = convert_to_tensor(image, name="image")
        orig = image.dtype._base
        flt = _as_float(image)
        if isinstance(gamma, Tensor):
            check = check_ops.Assert(gamma >= 0, ["Gamma should be a non-negative real number."])
            gamma = control_flow_ops.with_dependencies([check], gamma)
        elif not gamma >= 0:
            raise ValueError("Gamma should be a non-negative real number.")
        adjusted = gain * flt**gamma
        return convert_image_dtype(adjusted, orig, saturate=True)

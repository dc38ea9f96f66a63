"""`tf.image.ssim` and `ssim_multiscale`, built from existing ops as TF's Python builds
them (Gaussian window by softmax, depthwise convolutions, average-pool downscaling)."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.ops import array_ops, check_ops, control_flow_ops, conv_ops, math_ops, nn_ops
from tfgraph.ops.image_adjust_ops import convert_image_dtype
from tfgraph.ops.image_composite_ops import _compatible_image_checks

__all__ = ["ssim", "ssim_multiscale"]

_MSSSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def _ssim_helper(x, y, reducer, max_val, compensation=1.0, k1=0.01, k2=0.03):
    c1 = (k1 * max_val) ** 2
    c2 = (k2 * max_val) ** 2
    mean0 = reducer(x)
    mean1 = reducer(y)
    num0 = mean0 * mean1 * 2.0
    den0 = math_ops.square(mean0) + math_ops.square(mean1)
    luminance = (num0 + c1) / (den0 + c1)
    num1 = reducer(x * y) * 2.0
    den1 = reducer(math_ops.square(x) + math_ops.square(y))
    c2 *= compensation
    cs = (num1 - num0 + c2) / (den1 - den0 + c2)
    return luminance, cs


def _fspecial_gauss(size, sigma):
    size = convert_to_tensor(size, dtypes.int32)
    sigma = convert_to_tensor(sigma)
    coords = array_ops.cast(math_ops.range(size), sigma.dtype)
    coords -= array_ops.cast(size - 1, sigma.dtype) / 2.0
    g = math_ops.square(coords)
    g *= -0.5 / math_ops.square(sigma)
    g = array_ops.reshape(g, shape=[1, -1]) + array_ops.reshape(g, shape=[-1, 1])
    g = array_ops.reshape(g, shape=[1, -1])
    g = nn_ops.softmax(g)
    return array_ops.reshape(g, shape=[size, size, 1, 1])


def _ssim_per_channel(img1, img2, max_val, filter_size, filter_sigma, k1, k2, index_map=False):
    g = get_default_graph()
    filter_size = constant(filter_size, dtype=dtypes.int32)
    filter_sigma = constant(filter_sigma, dtype=img1.dtype)
    shape1, shape2 = array_ops.shape_n([img1, img2])
    checks = [
        check_ops.Assert(
            math_ops.reduce_all(math_ops.greater_equal(shape1[-3:-1], filter_size)),
            [shape1, filter_size],
            summarize=8,
        ),
        check_ops.Assert(
            math_ops.reduce_all(math_ops.greater_equal(shape2[-3:-1], filter_size)),
            [shape2, filter_size],
            summarize=8,
        ),
    ]
    with g.control_dependencies(checks):
        img1 = array_ops.identity(img1)
    kernel = _fspecial_gauss(filter_size, filter_sigma)
    kernel = array_ops.tile(kernel, multiples=[1, 1, shape1[-1], 1])

    def reducer(x):
        shape = array_ops.shape(x)
        x = array_ops.reshape(x, shape=array_ops.concat([[-1], shape[-3:]], 0))
        y = conv_ops.depthwise_conv2d(x, kernel, strides=[1, 1, 1, 1], padding="VALID")
        return array_ops.reshape(y, array_ops.concat([shape[:-3], array_ops.shape(y)[1:]], 0))

    luminance, cs = _ssim_helper(img1, img2, reducer, max_val, 1.0, k1, k2)
    if index_map:
        return luminance * cs, cs
    axes = constant([-3, -2], dtype=dtypes.int32)
    ssim_val = math_ops.reduce_mean(luminance * cs, axes)
    return ssim_val, math_ops.reduce_mean(cs, axes)


def _prepare(img1, img2, max_val):
    img1 = convert_to_tensor(img1, name="img1")
    img2 = convert_to_tensor(img2, name="img2")
    shape1, shape2, checks = _compatible_image_checks(img1, img2)
    with get_default_graph().control_dependencies(checks):
        img1 = array_ops.identity(img1)
    max_val = array_ops.cast(max_val, img1.dtype)
    max_val = convert_image_dtype(max_val, dtypes.float32)
    img1 = convert_image_dtype(img1, dtypes.float32)
    img2 = convert_image_dtype(img2, dtypes.float32)
    return img1, img2, max_val, (shape1, shape2)


def ssim(img1, img2, max_val, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         return_index_map=False):  # fmt: skip
    """Structural similarity of two image batches (per image, averaged over channels)."""
    with get_default_graph().name_scope("SSIM"):
        img1, img2, max_val, _ = _prepare(img1, img2, max_val)
        per_channel, _ = _ssim_per_channel(
            img1, img2, max_val, filter_size, filter_sigma, k1, k2, return_index_map
        )
        return math_ops.reduce_mean(per_channel, [-1])


def _downscale(imgs, heads, tails, divisor, divisor_tensor):

    def do_pad(images, remainder):
        padding = array_ops.expand_dims(remainder, -1)
        padding = array_ops.pad(padding, [[1, 0], [1, 0]])
        return [array_ops.pad(x, padding, mode="SYMMETRIC") for x in images]

    flat = [array_ops.reshape(x, array_ops.concat([[-1], t], 0)) for x, t in zip(imgs, tails)]
    remainder = tails[0] % divisor_tensor
    need_padding = math_ops.reduce_any(math_ops.not_equal(remainder, 0))
    padded = control_flow_ops.cond(need_padding, lambda: do_pad(flat, remainder), lambda: flat)
    down = [conv_ops.avg_pool(x, ksize=divisor, strides=divisor, padding="VALID") for x in padded]
    tails = [x[1:] for x in array_ops.shape_n(down)]
    imgs = [
        array_ops.reshape(x, array_ops.concat([h, t], 0)) for x, h, t in zip(down, heads, tails)
    ]
    return imgs, tails


def ssim_multiscale(img1, img2, max_val, power_factors=_MSSSIM_WEIGHTS, filter_size=11,
                    filter_sigma=1.5, k1=0.01, k2=0.03):  # fmt: skip
    """Multi-scale structural similarity of two image batches (per image)."""
    g = get_default_graph()
    with g.name_scope("MS-SSIM"):
        img1, img2, max_val, (shape1, shape2) = _prepare(img1, img2, max_val)
        imgs = [img1, img2]
        heads = [s[:-3] for s in (shape1, shape2)]
        tails = [s[-3:] for s in (shape1, shape2)]
        divisor = [1, 2, 2, 1]
        divisor_tensor = constant(divisor[1:], dtype=dtypes.int32)
        mcs = []
        for k in range(len(power_factors)):
            with g.name_scope(f"Scale{k}"):
                if k > 0:
                    imgs, tails = _downscale(imgs, heads, tails, divisor, divisor_tensor)
                per_channel, cs = _ssim_per_channel(
                    *imgs, max_val, filter_size, filter_sigma, k1, k2
                )
                mcs.append(nn_ops.relu(cs))
        mcs.pop()
        stacked = array_ops.stack(mcs + [nn_ops.relu(per_channel)], axis=-1)
        ms_ssim = math_ops.reduce_prod(math_ops.pow(stacked, power_factors), [-1])
        return math_ops.reduce_mean(ms_ssim, [-1])

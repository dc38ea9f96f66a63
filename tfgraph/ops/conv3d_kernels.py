"""Numpy kernels for 3-D convolution and pooling on NDHWC arrays (no graph code here).

Convolutions are im2col matrix products, one image at a time: a strided view of the
padded input's (od, oh, ow, kd, kh, kw, c) patches is copied into a matrix and multiplied
by the (kd * kh * kw * c, co) filter matrix. The input gradient is col2im: the products
dy @ filter.T added back into the input one filter offset at a time. Pooling reduces or
scatters one window offset at a time.
"""

from __future__ import annotations

import itertools

import numpy as np
from numpy.lib.stride_tricks import as_strided

from tfgraph.ops.conv_kernels import same_pads

__all__ = [
    "avg_pool3d",
    "avg_pool3d_grad",
    "conv3d",
    "conv3d_backprop_filter",
    "conv3d_backprop_input",
    "geometry",
    "max_pool3d",
    "max_pool3d_grad",
    "max_pool3d_grad_grad",
]


def geometry(in_sizes, ksize, strides, dilations, padding: bytes):
    """(output sizes, pads) of the three spatial dimensions."""
    outs, pads = [], []
    for size, k, s, d in zip(in_sizes, ksize, strides, dilations):
        eff = (k - 1) * d + 1
        pair = same_pads(size, k, s, d) if padding == b"SAME" else (0, 0)
        outs.append(max((size + pair[0] + pair[1] - eff) // s + 1, 0))
        pads.append(pair)
    return tuple(outs), tuple(pads)


def _pad(x: np.ndarray, pads, value=0) -> np.ndarray:
    if any(a or b for a, b in pads):
        return np.pad(x, ((0, 0), *pads, (0, 0)), constant_values=value)
    return x


def _patches(xp, ksize, strides, dilations, out) -> np.ndarray:
    """The (n, od, oh, ow, kd, kh, kw, c) view of the padded input's patches."""
    s = xp.strides
    shape = (xp.shape[0], *out, *ksize, xp.shape[4])
    st = (
        s[0],
        *(s[1 + i] * strides[i] for i in range(3)),
        *(s[1 + i] * dilations[i] for i in range(3)),
        s[4],
    )
    return as_strided(xp, shape=shape, strides=st, writeable=False)


def _window(offset, out, strides, dilations) -> tuple:
    return (
        slice(None),
        *(
            slice(o * d, o * d + (n - 1) * s + 1, s)
            for o, n, s, d in zip(offset, out, strides, dilations)
        ),
    )


# Patches are copied and multiplied a block of output planes at a time, each block's
# im2col matrix at most about this many bytes.
_BLOCK_BYTES = 16 << 20


def _plane_blocks(out, k_elems: int, itemsize: int) -> list:
    """(first, last) output-plane ranges whose patch matrices fit _BLOCK_BYTES."""
    per_plane = max(out[1] * out[2] * k_elems * itemsize, 1)
    step = max(_BLOCK_BYTES // per_plane, 1)
    return [(d0, min(d0 + step, out[0])) for d0 in range(0, out[0], step)]


def conv3d(x, f, strides, dilations, pads, out) -> np.ndarray:
    n, co = x.shape[0], f.shape[4]
    view = _patches(_pad(x, pads), f.shape[:3], strides, dilations, out)
    f2 = f.reshape(-1, co)
    y = np.empty((n, *out, co), np.result_type(x, f))
    for b in range(n):
        for d0, d1 in _plane_blocks(out, f2.shape[0], x.itemsize):
            cols = view[b, d0:d1].reshape(-1, f2.shape[0])
            y[b, d0:d1] = (cols @ f2).reshape(d1 - d0, *out[1:], co)
    return y


def conv3d_backprop_filter(x, f_shape, dy, strides, dilations, pads) -> np.ndarray:
    out, co = dy.shape[1:4], f_shape[4]
    view = _patches(_pad(x, pads), f_shape[:3], strides, dilations, out)
    k_elems = int(np.prod(f_shape[:4]))
    df = np.zeros((k_elems, co), np.result_type(x, dy))
    for b in range(x.shape[0]):
        for d0, d1 in _plane_blocks(out, k_elems, x.itemsize):
            cols = view[b, d0:d1].reshape(-1, k_elems)
            df += cols.T @ dy[b, d0:d1].reshape(-1, co)
    return df.reshape(f_shape)


def conv3d_backprop_input(in_shape, f, dy, strides, dilations, pads) -> np.ndarray:
    """col2im: each block's (dy @ filter.T) patches added back one filter offset at a time."""
    n, out, co = dy.shape[0], dy.shape[1:4], dy.shape[4]
    ksize, c = f.shape[:3], f.shape[3]
    padded = (n, *(s + a + b for s, (a, b) in zip(in_shape[1:4], pads)), c)
    dxp = np.zeros(padded, np.result_type(f, dy))
    f2 = f.reshape(-1, co).T
    for b in range(n):
        for d0, d1 in _plane_blocks(out, f2.shape[1], dy.itemsize):
            block = (d1 - d0, *out[1:])
            cols = (dy[b, d0:d1].reshape(-1, co) @ f2).reshape(*block, *ksize, c)
            for offset in _offsets(ksize):
                idx = _window(offset, block, strides, dilations)[1:]
                idx = (slice(idx[0].start + d0 * strides[0], idx[0].stop + d0 * strides[0],
                             strides[0]), *idx[1:])  # fmt: skip
                dxp[(b,) + tuple(idx)] += cols[(slice(None),) * 3 + offset]
    crop = tuple(slice(a, a + s) for s, (a, _) in zip(in_shape[1:4], pads))
    return dxp[(slice(None),) + crop]


def _offsets(ksize):
    return itertools.product(*(range(k) for k in ksize))


def max_pool3d(x, ksize, strides, pads, out) -> np.ndarray:
    low = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    xp = _pad(x, pads, low)
    y: np.ndarray | None = None
    for offset in _offsets(ksize):
        v = xp[_window(offset, out, strides, (1, 1, 1))]
        y = v.copy() if y is None else np.maximum(y, v)
    assert y is not None  # (ksize has at least one offset)
    return y


def max_pool3d_grad(x, y, dy, ksize, strides, pads, out) -> np.ndarray:
    """TF's CPU rule: every input within 1e-5 of its window's maximum gets the gradient."""
    xp = _pad(x.astype(np.float32), pads, -np.inf)
    dxp = np.zeros(xp.shape, dy.dtype)
    y = y.astype(np.float32)
    for offset in _offsets(ksize):
        idx = _window(offset, out, strides, (1, 1, 1))
        dxp[idx] += np.where(np.abs(xp[idx] - y) < 1e-5, dy, 0)
    crop = tuple(slice(a, a + s) for s, (a, _) in zip(x.shape[1:4], pads))
    return dxp[(slice(None),) + crop]


def max_pool3d_grad_grad(x, y, g, ksize, strides, pads, out) -> np.ndarray:
    """The gradient at the first input (in window order) equal to its window's maximum."""
    low = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    xp, gp = _pad(x, pads, low), _pad(g, pads)
    result = np.zeros(y.shape, g.dtype)
    found = np.zeros(y.shape, bool)
    for offset in _offsets(ksize):
        idx = _window(offset, out, strides, (1, 1, 1))
        hit = (xp[idx] == y) & ~found
        result[hit] = gp[idx][hit]
        found |= hit
    return result


def _counts(in_sizes, ksize, strides, pads, out) -> np.ndarray:
    """The number of real (unpadded) inputs in each window, shape (1, od, oh, ow, 1)."""
    axes = []
    for size, k, s, (pb, _), n in zip(in_sizes, ksize, strides, pads, out):
        start = np.arange(n) * s - pb
        axes.append(np.minimum(start + k, size) - np.maximum(start, 0))
    c = axes[0][:, None, None] * axes[1][None, :, None] * axes[2][None, None, :]
    return c[None, ..., None]


def avg_pool3d(x, ksize, strides, pads, out) -> np.ndarray:
    xp = _pad(x, pads)
    total = np.zeros((x.shape[0], *out, x.shape[4]), x.dtype)
    for offset in _offsets(ksize):
        total += xp[_window(offset, out, strides, (1, 1, 1))]
    return total / _counts(x.shape[1:4], ksize, strides, pads, out).astype(x.dtype)


def avg_pool3d_grad(in_shape, dy, ksize, strides, pads) -> np.ndarray:
    out = dy.shape[1:4]
    scaled = dy / _counts(in_shape[1:4], ksize, strides, pads, out).astype(dy.dtype)
    padded = (in_shape[0], *(s + a + b for s, (a, b) in zip(in_shape[1:4], pads)), in_shape[4])
    dxp = np.zeros(padded, dy.dtype)
    for offset in _offsets(ksize):
        dxp[_window(offset, out, strides, (1, 1, 1))] += scaled
    crop = tuple(slice(a, a + s) for s, (a, _) in zip(in_shape[1:4], pads))
    return dxp[(slice(None),) + crop]

"""Numpy kernels for convolution and pooling on NHWC arrays (no graph code here).

`conv_ops` binds these to its registry entries (transposing NCHW in and out).

Convolutions work one filter offset at a time: for each (row, column) offset of the
filter, the strided, dilated slice of the padded input is a (pixels x channels) matrix,
so the forward pass, the input gradient and the filter gradient are each one BLAS
matrix product per offset (per group for grouped convolution), plus a strided add:

    forward        out    += slice_k @ filter[k]             (pixels x out_channels)
    input grad     dx[k]  += dy @ filter[k].T                (scattered into the slice)
    filter grad    dw[k]   = slice_k.T @ dy

This needs no im2col buffer (kh*kw times the input) and no Python loop over pixels. With
few input channels those products would be thin, so the forward pass and the filter
gradient then use one im2col product (`sliding_window_view` patches) instead. Pooling
reduces or scatters one strided window offset at a time.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    "avg_pool",
    "avg_pool_grad",
    "conv2d",
    "conv2d_backprop_filter",
    "conv2d_backprop_input",
    "conv_output_size",
    "depthwise_conv2d",
    "depthwise_conv2d_backprop_filter",
    "depthwise_conv2d_backprop_input",
    "max_pool",
    "max_pool_argmax",
    "max_pool_grad",
    "max_pool_grad_grad",
    "max_pool_grad_with_argmax",
    "max_pool_with_argmax",
    "pool_geometry",
    "same_pads",
    "work_dtype",
]


def work_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype a kernel computes in: float32 for half precision types, else `dtype`."""
    dtype = np.dtype(dtype)
    if dtype in (np.float32, np.float64) or dtype.kind in "iu":
        return dtype
    return np.dtype(np.float32)


def same_pads(in_size: int, k: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """TF's SAME padding (before, after) for one spatial dimension."""
    eff = (k - 1) * dilation + 1
    out = -(-in_size // stride)
    total = max((out - 1) * stride + eff - in_size, 0)
    return total // 2, total - total // 2


def conv_output_size(in_size, k, stride, dilation, padding: bytes, pads) -> tuple:
    """(output size, (pad before, pad after)) of one spatial dimension of a convolution."""
    if padding == b"SAME":
        pads = same_pads(in_size, k, stride, dilation)
    elif padding == b"VALID":
        pads = (0, 0)
    eff = (k - 1) * dilation + 1
    return (in_size + pads[0] + pads[1] - eff) // stride + 1, tuple(pads)


def _pad(x: np.ndarray, pt: int, pb: int, pl: int, pr: int, value=0) -> np.ndarray:
    if pt or pb or pl or pr:
        return np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=value)
    return x


def _window(i: int, j: int, oh: int, ow: int, strides, dilations) -> tuple:
    """The index of the input slice that filter offset (i, j) reads for every output."""
    sh, sw = strides
    dh, dw = dilations
    return (
        slice(None),
        slice(i * dh, i * dh + (oh - 1) * sh + 1, sh),
        slice(j * dw, j * dw + (ow - 1) * sw + 1, sw),
    )


# -- Conv2D and its gradients -------------------------------------------------------------------
# Below this many input channels (per group) the forward pass and the filter gradient use
# one im2col matrix product instead of one thin product per filter offset.
_SMALL_DEPTH = 16


def _patches(xp, kh, kw, strides, dilations, out_hw) -> np.ndarray:
    """im2col: the (pixels, kh * kw * c) matrix of the strided, dilated input patches, in
    the filter's (row, column, channel) order."""
    n, _, _, c = xp.shape
    oh, ow = out_hw
    (sh, sw), (dh, dw) = strides, dilations
    win = sliding_window_view(xp, ((kh - 1) * dh + 1, (kw - 1) * dw + 1), axis=(1, 2))
    win = win[:, : (oh - 1) * sh + 1 : sh, : (ow - 1) * sw + 1 : sw, :, ::dh, ::dw]
    return np.ascontiguousarray(win.transpose(0, 1, 2, 4, 5, 3)).reshape(n * oh * ow, kh * kw * c)


def conv2d(x, f, strides, dilations, pads, out_hw) -> np.ndarray:
    """Grouped 2-D convolution: x [n, h, w, c], f [kh, kw, c / groups, co]."""
    n, _, _, c = x.shape
    kh, kw, cg, co = f.shape
    oh, ow = out_hw
    groups = c // cg
    og = co // groups
    p = n * oh * ow
    if p == 0 or co == 0:
        return np.zeros((n, oh, ow, co), x.dtype)
    xp = _pad(x, *pads)
    if groups == 1 and cg < _SMALL_DEPTH:
        # Few input channels: per-offset products would be thin (k = cg); one im2col
        # product is faster.
        return (_patches(xp, kh, kw, strides, dilations, out_hw) @ f.reshape(-1, co)).reshape(
            n, oh, ow, co
        )
    acc = np.zeros((groups, p, og) if groups > 1 else (p, co), x.dtype)
    for i in range(kh):
        for j in range(kw):
            part = xp[_window(i, j, oh, ow, strides, dilations)].reshape(p, c)
            if groups == 1:
                acc += part @ f[i, j]
            else:
                part = part.reshape(p, groups, cg).transpose(1, 0, 2)
                acc += part @ f[i, j].reshape(cg, groups, og).transpose(1, 0, 2)
    if groups > 1:
        acc = acc.transpose(1, 0, 2)
    return acc.reshape(n, oh, ow, co)


def conv2d_backprop_input(in_shape, f, dy, strides, dilations, pads) -> np.ndarray:
    """The gradient of `conv2d` with respect to its input (shape `in_shape`)."""
    n, h, w, c = in_shape
    kh, kw, cg, co = f.shape
    _, oh, ow, _ = dy.shape
    pt, pb, pl, pr = pads
    groups = c // cg
    og = co // groups
    p = n * oh * ow
    dxp = np.zeros((n, h + pt + pb, w + pl + pr, c), dy.dtype)
    if p and c and co:
        dy2 = dy.reshape(p, co)
        if groups > 1:
            dy2 = dy2.reshape(p, groups, og).transpose(1, 0, 2)
        for i in range(kh):
            for j in range(kw):
                if groups == 1:
                    part = dy2 @ f[i, j].T
                else:
                    fk = f[i, j].reshape(cg, groups, og).transpose(1, 2, 0)
                    part = (dy2 @ fk).transpose(1, 0, 2)
                dxp[_window(i, j, oh, ow, strides, dilations)] += part.reshape(n, oh, ow, c)
    return dxp[:, pt : pt + h, pl : pl + w, :]


def conv2d_backprop_filter(x, f_shape, dy, strides, dilations, pads) -> np.ndarray:
    """The gradient of `conv2d` with respect to its filter (shape `f_shape`)."""
    n, _, _, c = x.shape
    kh, kw, cg, co = f_shape
    _, oh, ow, _ = dy.shape
    groups = c // cg
    og = co // groups
    p = n * oh * ow
    df = np.zeros((kh, kw, cg, co), dy.dtype)
    if p == 0:
        return df
    xp = _pad(x, *pads)
    dy2 = dy.reshape(p, co)
    if groups == 1 and c < _SMALL_DEPTH:
        cols = _patches(xp, kh, kw, strides, dilations, (oh, ow))
        return (cols.T @ dy2).reshape(kh, kw, c, co)
    if groups > 1:
        dy2 = dy2.reshape(p, groups, og).transpose(1, 0, 2)
    for i in range(kh):
        for j in range(kw):
            part = xp[_window(i, j, oh, ow, strides, dilations)].reshape(p, c)
            if groups == 1:
                df[i, j] = part.T @ dy2
            else:
                part = part.reshape(p, groups, cg).transpose(1, 2, 0)
                df[i, j] = (part @ dy2).transpose(1, 0, 2).reshape(cg, co)
    return df


# -- depthwise convolution ----------------------------------------------------------------------
def depthwise_conv2d(x, f, strides, dilations, pads, out_hw) -> np.ndarray:
    """Depthwise convolution: x [n, h, w, c], f [kh, kw, c, m] -> [n, oh, ow, c * m]."""
    n, _, _, c = x.shape
    kh, kw, _, m = f.shape
    oh, ow = out_hw
    xp = _pad(x, *pads)
    acc = np.zeros((n, oh, ow, c, m), x.dtype)
    for i in range(kh):
        for j in range(kw):
            part = xp[_window(i, j, oh, ow, strides, dilations)]
            acc += part[..., None] * f[i, j]
    return acc.reshape(n, oh, ow, c * m)


def depthwise_conv2d_backprop_input(in_shape, f, dy, strides, dilations, pads) -> np.ndarray:
    n, h, w, c = in_shape
    kh, kw, _, m = f.shape
    _, oh, ow, _ = dy.shape
    pt, pb, pl, pr = pads
    dxp = np.zeros((n, h + pt + pb, w + pl + pr, c), dy.dtype)
    dy5 = dy.reshape(n, oh, ow, c, m)
    for i in range(kh):
        for j in range(kw):
            if m == 1:
                part = dy5[..., 0] * f[i, j, :, 0]
            else:
                part = np.einsum("nhwcm,cm->nhwc", dy5, f[i, j])
            dxp[_window(i, j, oh, ow, strides, dilations)] += part
    return dxp[:, pt : pt + h, pl : pl + w, :]


def depthwise_conv2d_backprop_filter(x, f_shape, dy, strides, dilations, pads) -> np.ndarray:
    n, _, _, c = x.shape
    kh, kw, _, m = f_shape
    _, oh, ow, _ = dy.shape
    p = n * oh * ow
    xp = _pad(x, *pads)
    dy3 = dy.reshape(p, c, m)
    df = np.zeros((kh, kw, c, m), dy.dtype)
    for i in range(kh):
        for j in range(kw):
            part = xp[_window(i, j, oh, ow, strides, dilations)].reshape(p, c)
            df[i, j] = np.einsum("pc,pcm->cm", part, dy3)
    return df


# -- pooling ------------------------------------------------------------------------------------
def pool_geometry(in_shape, ksize, strides, padding: bytes, explicit=None) -> tuple:
    """(per-dimension (before, after) pads, output shape) of a 4-D pooling window."""
    if padding == b"SAME":
        pads = [same_pads(in_shape[d], ksize[d], strides[d]) for d in range(4)]
    elif padding == b"EXPLICIT":
        pads = [tuple(p) for p in explicit]
    else:
        pads = [(0, 0)] * 4
    out = [(in_shape[d] + pads[d][0] + pads[d][1] - ksize[d]) // strides[d] + 1 for d in range(4)]
    return pads, out


def _window_index(offset, out_shape, strides) -> tuple:
    return tuple(
        slice(o, o + (n - 1) * s + 1, s) for o, n, s in zip(offset, out_shape, strides, strict=True)
    )


def _lowest(dtype: np.dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _pad4(x: np.ndarray, pads, value=0) -> np.ndarray:
    if any(p != (0, 0) for p in pads):
        return np.pad(x, pads, constant_values=value)
    return x


def _max_of_windows(xp, ksize, strides, out_shape) -> np.ndarray:
    reduce = np.fmax if xp.dtype.kind == "f" else np.maximum
    out = None
    for offset in np.ndindex(*ksize):
        part = xp[_window_index(offset, out_shape, strides)]
        if out is None:
            out = part.copy()
        else:
            reduce(out, part, out=out)
    return out  # type: ignore[return-value]  # ksize has at least one element


def max_pool(x, ksize, strides, pads, out_shape) -> np.ndarray:
    """Max over each window; NaN inputs are skipped (as TF's CPU kernel does)."""
    return _max_of_windows(_pad4(x, pads, _lowest(x.dtype)), ksize, strides, out_shape)


def _first_max_masks(x, ksize, strides, pads, out_shape):
    """Yields (k, input slice of window offset k, mask): the mask marks the windows whose
    FIRST maximal element, in window order, is at offset k. That is the element TF's CPU
    kernels route the gradient to (NaN is never picked)."""
    xp = _pad4(x, pads, _lowest(x.dtype))
    best = _max_of_windows(xp, ksize, strides, out_shape)
    found = np.zeros(out_shape, bool)
    for k, offset in enumerate(np.ndindex(*ksize)):
        index = _window_index(offset, out_shape, strides)
        first = np.equal(xp[index], best)
        first &= ~found
        found |= first
        yield k, index, first


def max_pool_argmax(x, ksize, strides, pads, out_shape) -> tuple[np.ndarray, np.ndarray]:
    """(max of each window, offset index of its first maximum in window order)."""
    which = np.zeros(out_shape, np.int32)
    for k, _, first in _first_max_masks(x, ksize, strides, pads, out_shape):
        if k:
            which += first * np.int32(k)
    return max_pool(x, ksize, strides, pads, out_shape), which


def max_pool_grad(x, dy, ksize, strides, pads, out_shape) -> np.ndarray:
    """Routes each window's gradient to its first maximal input element."""
    padded = [x.shape[d] + pads[d][0] + pads[d][1] for d in range(4)]
    dxp = np.zeros(padded, dy.dtype)
    for _, index, first in _first_max_masks(x, ksize, strides, pads, out_shape):
        dxp[index] += dy * first
    return dxp[tuple(slice(p[0], p[0] + n) for p, n in zip(pads, x.shape))]


def max_pool_grad_grad(x, g, ksize, strides, pads, out_shape) -> np.ndarray:
    """For each window, the value of `g` (shaped like x) at the window's first maximum."""
    gp = _pad4(g, pads)
    out = np.zeros(out_shape, g.dtype)
    for _, index, first in _first_max_masks(x, ksize, strides, pads, out_shape):
        out += gp[index] * first
    return out


def valid_counts(in_shape, out_shape, ksize, strides, pads) -> np.ndarray:
    """How many input (non-padding) values each pooling window covers (broadcastable)."""
    counts = np.ones((1, 1, 1, 1))
    for d in range(4):
        starts = np.arange(out_shape[d]) * strides[d]
        lo = np.maximum(starts, pads[d][0])
        hi = np.minimum(starts + ksize[d], pads[d][0] + in_shape[d])
        shape = [1, 1, 1, 1]
        shape[d] = out_shape[d]
        counts = counts * (hi - lo).reshape(shape)
    return counts


def avg_pool(x, ksize, strides, pads, out_shape) -> np.ndarray:
    """Mean over each window's input (non-padding) values."""
    padded = any(p != (0, 0) for p in pads)
    xp = _pad4(x, pads)
    total = None
    for offset in np.ndindex(*ksize):
        part = xp[_window_index(offset, out_shape, strides)]
        if total is None:
            total = part.copy()
        else:
            total += part
    if padded:
        return total / valid_counts(x.shape, out_shape, ksize, strides, pads).astype(x.dtype)
    return total / x.dtype.type(np.prod(ksize))


def avg_pool_grad(in_shape, dy, ksize, strides, pads, out_shape) -> np.ndarray:
    """Spreads each window's gradient evenly over the window's input values."""
    if any(p != (0, 0) for p in pads):
        dy = dy / valid_counts(in_shape, out_shape, ksize, strides, pads).astype(dy.dtype)
    else:
        dy = dy / dy.dtype.type(np.prod(ksize))
    padded = [in_shape[d] + pads[d][0] + pads[d][1] for d in range(4)]
    dxp = np.zeros(padded, dy.dtype)
    for offset in np.ndindex(*ksize):
        dxp[_window_index(offset, out_shape, strides)] += dy
    return dxp[tuple(slice(p[0], p[0] + n) for p, n in zip(pads, in_shape))]


def max_pool_with_argmax(x, ksize, strides, pads, out_shape, include_batch: bool):
    """(max of each window, flat index of its first maximum in x): ((b * h + y) * w + x) * c
    + channel with `include_batch`, else (y * w + x) * c + channel."""
    out, which = max_pool_argmax(x, ksize, strides, pads, out_shape)
    _, h, w, c = x.shape
    offsets = np.array(list(np.ndindex(*ksize)), dtype=np.int64).reshape(-1, 4)
    pos = []
    for d in range(4):
        start = np.arange(out_shape[d], dtype=np.int64) * strides[d] - pads[d][0]
        shape = [1, 1, 1, 1]
        shape[d] = out_shape[d]
        pos.append(start.reshape(shape) + offsets[which, d])
    index = (pos[1] * w + pos[2]) * c + pos[3]
    if include_batch:
        index = index + pos[0] * (h * w * c)
    return out, index


def max_pool_grad_with_argmax(x_shape, dy, argmax, include_batch: bool) -> np.ndarray:
    """Adds each gradient value into the input position its argmax names."""
    n = x_shape[0]
    per_image = int(np.prod(x_shape[1:]))
    index = np.asarray(argmax, np.int64).reshape(n, -1)
    if not include_batch:
        index = index + (np.arange(n, dtype=np.int64) * per_image)[:, None]
    total = n * per_image
    flat = index.reshape(-1)
    if flat.size and (flat.min() < 0 or flat.max() >= total):
        raise ValueError(f"Invalid argmax value: an index is outside [0, {total})")
    out = np.bincount(flat, weights=dy.reshape(-1).astype(np.float64), minlength=total)
    return out.astype(dy.dtype, copy=False).reshape(x_shape)

"""Numpy kernels for convolution and pooling on NHWC arrays (no graph code here).

`conv_ops` binds these to its registry entries (transposing NCHW in and out).

Convolutions (one group) are im2col matrix products done block by block: the patches of
a few images (or of a few output rows of one image) are copied from a strided view of
the padded input into a buffer of _BLOCK_BYTES (with dilation 1 along the width each patch
row is one contiguous run of the input, so the copy runs near memcpy speed; with few
channels, whose runs are short, one channel and filter offset at a time, as planes) and
multiplied by the (kh * kw * c, co) filter matrix:

    forward        out[block]  = patches[block] @ filter
    filter grad    dw         += patches[block].T @ dy[block]
    input grad     stride 1:  the forward convolution of the padded output gradient with
                              the rotated, transposed filter (when co <= 4 c);
                   strided:   the same, once per stride phase (dilation 1, co <= 6 c);
                   else:      col2im, (dy[block] @ filter.T) added back into the input
                              one filter offset at a time

With the optional oneDNN library (platform/onednn.py) float32 convolutions (grouped and
depthwise ones too) and their gradients run there instead, from MIN_MACS multiply-adds
on (not 1x1 ones of one group: one product here already), and so do float32 max and
average pools over rows and columns and their gradients, from MIN_POOL_ELEMENTS input
elements on. Here, 1x1 convolutions are one plain product. Grouped convolutions use one
product per filter offset and group. Depthwise convolutions are einsums over strided
views of window planes (strided ones split into stride phases). Pooling reduces or
scatters one window offset at a time, or one dimension at a time for windows larger
than 2x2.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.lib.stride_tricks import as_strided

from tfgraph.platform import blas, onednn, parallel

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
# The im2col products work block by block: a block of patch rows is copied into a buffer of
# about this many bytes, then multiplied. One product over the whole im2col matrix would
# first write and then re-read kh * kw times the input through main memory. The blocks
# are shared by the kernel threads (parallel.run_blocks), each product running in one
# thread. Measured on MNIST's second convolution (2 cores, AVX-512; forward / input
# gradient / filter gradient), 16 MB blocks: 17.0 / 25.2 / 18.6 ms, 4 MB: 16.0 / 18.5 /
# 17.0 ms, 1 MB: 16.6 / 20.8 / 20.4 ms; beside 3 busy processes 16 MB: 49 / 62-72 / 46
# ms, 4 MB: 37-40 / 44-45 / 43-45 ms. (16 MB blocks were chosen when each product woke
# BLAS's own threads: fewer products then waited less on a busy machine.)
_BLOCK_BYTES = 4 << 20
_MIN_BLOCK_BYTES = 1 << 20


def _patch_view(xp, kh, kw, strides, dilations, out_hw) -> np.ndarray:
    """The (n, oh, ow, kh, kw * c) view of the padded input's patches (no copy), rows in the
    filter's (row, column, channel) order. With dilation 1 along the width a patch row
    (kw, c) of a C-contiguous `xp` is one contiguous run, which makes copying it fast."""
    n, _, _, c = xp.shape
    sn, sh_, sw_, sc = xp.strides
    (sh, sw), (dh, dw) = strides, dilations
    oh, ow = out_hw
    shape: tuple[int, ...] = (n, oh, ow, kh, kw, c)
    tail: tuple[int, ...] = (sw_ * dw, sc)
    if dw == 1 and sw_ == c * sc:
        shape, tail = (n, oh, ow, kh, kw * c), (sc,)
    return as_strided(
        xp, shape=shape, strides=(sn, sh_ * sh, sw_ * sw, sh_ * dh, *tail), writeable=False
    )


def _blocks(n: int, oh: int, row_bytes: int) -> list:
    """(image range, output-row range) blocks of patches: whole images when one image's
    patches fit, else row ranges of one image. A block is at most _BLOCK_BYTES and at
    most an eighth of the work, so kernel threads share it (parallel.run_blocks); the
    blocks do not depend on the thread count, so neither do the sums over them."""
    per_image = max(oh * row_bytes, 1)
    target = max(min(_BLOCK_BYTES, n * per_image // 8), _MIN_BLOCK_BYTES)
    out = []
    if per_image <= target:
        step = max(target // per_image, 1)
        for b in range(0, n, step):
            out.append((slice(b, min(b + step, n)), slice(0, oh)))
    else:
        step = max(target // max(row_bytes, 1), 1)
        for b in range(n):
            for r in range(0, oh, step):
                out.append((slice(b, b + 1), slice(r, min(r + step, oh))))
    return out


def _crop_pad(x: np.ndarray, top: int, bottom: int, left: int, right: int) -> np.ndarray:
    """x padded with zeros (positive amounts) or cropped (negative) along height and width."""
    x = x[
        :, max(-top, 0) : x.shape[1] - max(-bottom, 0), max(-left, 0) : x.shape[2] - max(-right, 0)
    ]
    return _pad(x, max(top, 0), max(bottom, 0), max(left, 0), max(right, 0))


# With few channels a patch row (kw * c values) is a short run, and copying the patches run
# by run costs more than their product (numpy's loop per run): the first layer of an MNIST
# convnet (one channel, 5x5) spent most of its time there. Below this many values per run
# the patches are copied one (channel, filter row, filter column) at a time, as planes of
# the block with inner loops as long as the output's width, into columns in (channel,
# row, column) order (`_patches`). Measured, 2 threads, 128 x 28 x 28 x 1 (forward /
# filter gradient): 5x5 3.3 / 3.3 -> 2.0 / 1.9 ms, 3x3 1.6 / 2.5 -> 0.8 / 1.25 ms; two
# channels 3x3 1.6 / 2.0 -> 1.0 / 1.2 ms; three channels (runs of 9) about the same.
_TAP_MAJOR_RUN = 8


def _patches(xp, kh, kw, strides, dilations, out_hw):
    """(fill, tap_major): fill(bs, rs, state) copies a block's patches into this thread's
    buffer (state[0]) and returns them as a (pixels, kh * kw * c) matrix, its columns in
    the filter's (row, column, channel) order, or in (channel, row, column) order when
    `tap_major` (see _TAP_MAJOR_RUN)."""
    c = xp.shape[3]
    ow = out_hw[1]
    k = kh * kw * c
    tap_major = kw * c < _TAP_MAJOR_RUN
    view = None if tap_major else _patch_view(xp, kh, kw, strides, dilations, out_hw)
    (sh, sw), (dh, dw) = strides, dilations

    def fill(bs, rs, state) -> np.ndarray:
        nb, nr = bs.stop - bs.start, rs.stop - rs.start
        size = nb * nr * ow * k
        if state[0] is None or state[0].size < size:
            state[0] = np.empty(size, xp.dtype)
        if view is not None:
            block = view[bs, rs]
            np.copyto(state[0][:size].reshape(block.shape), block)
            return state[0][:size].reshape(-1, k)
        cols = state[0][:size].reshape(k, nb, nr, ow)
        t = 0
        for ch in range(c):
            for i in range(kh):
                top = rs.start * sh + i * dh
                rows = slice(top, top + (nr - 1) * sh + 1, sh)
                for j in range(kw):
                    np.copyto(cols[t], xp[bs, rows, j * dw : j * dw + (ow - 1) * sw + 1 : sw, ch])
                    t += 1
        return cols.reshape(k, -1).T

    return fill, tap_major


def _tap_major(f2, kh, kw, c):
    """The (kh * kw * c, co) filter matrix's rows in (channel, row, column) order."""
    return np.ascontiguousarray(f2.reshape(kh, kw, c, -1).transpose(2, 0, 1, 3)).reshape(f2.shape)


def _im2col_matmul(xp, f2, kh, kw, strides, dilations, out_hw) -> np.ndarray:
    """conv2d of the padded input `xp` with the (kh * kw * c, co) filter matrix `f2`: the
    patches in blocks, each one product into the output."""
    xp = np.ascontiguousarray(xp)
    n = xp.shape[0]
    oh, ow = out_hw
    k, co = f2.shape
    out = np.empty((n, oh, ow, co), np.result_type(xp.dtype, f2.dtype))
    fill, tap_major = _patches(xp, kh, kw, strides, dilations, out_hw)
    if tap_major:
        f2 = _tap_major(f2, kh, kw, xp.shape[3])
    blocks = _blocks(n, oh, ow * k * xp.itemsize)

    def work(block_range, state):
        bs, rs = block_range
        _product(fill(bs, rs, state), f2, out[bs, rs].reshape(-1, co))

    parallel.run_blocks(blocks, work, lambda: [None])
    return out


def _product(a, b, out) -> np.ndarray:
    """out = a @ b in this thread (a block's product): on the private OpenBLAS when it is
    loaded, whose kernels may be faster than numpy's (platform/blas.py; MNIST's second
    convolution forward 19.5 -> 10.5 ms on an AMD Zen 5 whose numpy is pinned to AVX2
    kernels), else numpy's."""
    if blas.matmul(a, b, shared=False, threads=1, out=out) is None:
        np.matmul(a, b, out=out)
    return out


def _one_by_one(x, strides, out_hw) -> np.ndarray:
    """The (pixels, c) matrix of a 1x1 convolution's inputs (a view when stride is 1)."""
    sh, sw = strides
    oh, ow = out_hw
    if (sh, sw) != (1, 1):
        x = x[:, : (oh - 1) * sh + 1 : sh, : (ow - 1) * sw + 1 : sw]
    return np.ascontiguousarray(x).reshape(-1, x.shape[3])


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
    if groups == 1 and (kh, kw) == (1, 1) and not any(pads):
        product = parallel.matmul(_one_by_one(x, strides, out_hw), f.reshape(c, co))
        return product.reshape(n, oh, ow, co)
    out = onednn.conv2d(x, f, strides, dilations, pads, out_hw)
    if out is not None:
        return out
    if groups == 1:
        return _im2col_matmul(_pad(x, *pads), f.reshape(-1, co), kh, kw, strides, dilations, out_hw)
    xp = _pad(x, *pads)
    acc = np.zeros((groups, p, og), x.dtype)
    for i in range(kh):
        for j in range(kw):
            part = xp[_window(i, j, oh, ow, strides, dilations)].reshape(p, groups, cg)
            acc += part.transpose(1, 0, 2) @ f[i, j].reshape(cg, groups, og).transpose(1, 0, 2)
    return acc.transpose(1, 0, 2).reshape(n, oh, ow, co)


def conv2d_backprop_input(in_shape, f, dy, strides, dilations, pads) -> np.ndarray:
    """The gradient of `conv2d` with respect to its input (shape `in_shape`)."""
    n, h, w, c = in_shape
    kh, kw, cg, co = f.shape
    _, oh, ow, _ = dy.shape
    pt, _, pl, _ = pads
    groups = c // cg
    p = n * oh * ow
    dtype = dy.dtype
    if not (p and c and co):
        return np.zeros((n, h, w, c), dtype)
    (sh, sw), (dh, dw) = strides, dilations
    if groups > 1 or (kh, kw) != (1, 1) or any(pads):
        on_onednn = onednn.conv2d_backprop_input(in_shape, f, dy, strides, dilations, pads)
        if on_onednn is not None:
            return on_onednn
    if groups > 1:
        return _grouped_backprop_input(in_shape, f, dy, strides, dilations, pads)
    if (kh, kw) == (1, 1) and not any(pads):
        grad = parallel.matmul(dy.reshape(p, co), f.reshape(c, co).T).reshape(n, oh, ow, c)
        if (sh, sw) == (1, 1):
            return grad
        dx = np.zeros((n, h, w, c), dtype)
        dx[:, : (oh - 1) * sh + 1 : sh, : (ow - 1) * sw + 1 : sw] = grad
        return dx
    if (sh, sw) == (1, 1) and co <= 4 * c:
        # A stride-1 convolution's input gradient is the convolution of the (padded or
        # cropped) output gradient with the filter rotated by 180 degrees, in and out
        # channels swapped: one im2col product, no scatter. Its patches hold kh * kw * co
        # values per input pixel, col2im's kh * kw * c (written, then added with short
        # inner loops): with many more output than input channels col2im moves less.
        top, left = (kh - 1) * dh - pt, (kw - 1) * dw - pl
        dyp = _crop_pad(dy, top, h + pt - oh, left, w + pl - ow)
        rot = f[::-1, ::-1].transpose(0, 1, 3, 2).reshape(-1, c)
        return _im2col_matmul(dyp, rot, kh, kw, (1, 1), dilations, (h, w))
    strided_phases = (dh, dw) == (1, 1) and (sh, sw) != (1, 1) and co <= 6 * c
    if strided_phases and n * oh * ow * kh * kw * c >= _MIN_PHASE_SCATTER:
        return _phase_backprop_input(in_shape, f, dy, strides, pads)
    return _col2im_backprop_input(in_shape, f, dy, strides, dilations, pads)


# A strided convolution's input gradient, split into stride phases: the input rows y
# with (y + pad) % sh == r take gradient only from the filter rows r, r + sh, ..., and,
# within the phase, as a stride-1 convolution of the output gradient with those rows
# (likewise for columns). So each of the sh * sw phases is one im2col product (the
# multiply-adds of col2im, no zeros), written into its strided part of the input, where
# col2im adds kh * kw slices with inner loops as short as the channels. Measured (2
# cores, AVX-512), col2im -> phases: 5x5 stride 2 on 3 -> 16 channels 5.2 -> 3.3 ms, 3x3
# 16 -> 24 1.12 -> 0.97 ms, 32 -> 64 4.0 -> 2.9 ms, 64 -> 128 (56x56) 52 -> 43 ms. The
# phases' patches hold co values per tap where col2im's hold c: with co > 6 c col2im
# moves less (16 -> 128: 0.97x, 8 -> 64 7x7: 1.08x, 4 -> 64: 1.34x the time). Below this
# many scattered values (n * oh * ow * kh * kw * c) col2im's few calls win.
_MIN_PHASE_SCATTER = 1 << 18


def _phase_backprop_input(in_shape, f, dy, strides, pads) -> np.ndarray:
    """`conv2d_backprop_input` for dilation 1 by stride phases (see above)."""
    c = in_shape[3]

    def phase(sub, dyp, taps, size):  # (im2col with the sub-filter, in and out swapped)
        rot = sub.transpose(0, 1, 3, 2).reshape(-1, c)
        return _im2col_matmul(dyp, rot, *taps, (1, 1), (1, 1), size)

    return _by_stride_phases(in_shape, f, dy, strides, pads, c, phase)


def _by_stride_phases(in_shape, f, dy, strides, pads, channels: int, phase_grad):
    """A strided input gradient for dilation 1, one stride phase at a time: the padded
    input's pixels (r + sh u, s + sw v) take dy only through the taps f[r::sh, s::sw], as
    a stride-1 convolution of dy padded by (taps - 1) with that sub-filter rotated by 180
    degrees: `phase_grad(rotated sub-filter, padded dy, (taps_h, taps_w), (rows, cols))`
    returns the phase's (n, rows, cols, channels) values, written once (no scatter)."""
    n, h, w, _ = in_shape
    kh, kw = f.shape[:2]
    _, oh, ow, _ = dy.shape
    pt, pb, pl, pr = pads
    sh, sw = strides
    hp, wp = h + pt + pb, w + pl + pr
    dxp = np.zeros((n, hp, wp, channels), dy.dtype)
    for r in range(min(sh, kh, hp)):
        taps_h, rows = -(-(kh - r) // sh), -(-(hp - r) // sh)
        for s in range(min(sw, kw, wp)):
            taps_w, cols = -(-(kw - s) // sw), -(-(wp - s) // sw)
            dyp = np.ascontiguousarray(_crop_pad(dy, taps_h - 1, rows - oh, taps_w - 1, cols - ow))
            sub = f[r::sh, s::sw][::-1, ::-1]
            dxp[:, r::sh, s::sw] = phase_grad(sub, dyp, (taps_h, taps_w), (rows, cols))
    return dxp[:, pt : pt + h, pl : pl + w, :]


def _col2im_backprop_input(in_shape, f, dy, strides, dilations, pads) -> np.ndarray:
    """col2im: each block of output-gradient rows times the filter matrix gives the
    gradients of its patches, added back into the input one filter offset at a time."""
    n, h, w, c = in_shape
    kh, kw, _, co = f.shape
    _, oh, ow, _ = dy.shape
    pt, pb, pl, pr = pads
    (sh, sw), (dh, dw) = strides, dilations
    dtype = dy.dtype
    dxp = np.zeros((n, h + pt + pb, w + pl + pr, c), dtype)
    k = kh * kw * c
    f2t = f.reshape(k, co).T
    buf = None
    for bs, rs in _blocks(n, oh, ow * k * dy.itemsize):
        rows = dy[bs, rs].reshape(-1, co)
        if buf is None:
            buf = np.empty(rows.shape[0] * k, dtype)
        cols = _product(rows, f2t, buf[: rows.shape[0] * k].reshape(-1, k))
        cols = cols.reshape(-1, rs.stop - rs.start, ow, kh, kw, c)
        for i in range(kh):
            top = rs.start * sh + i * dh
            rr = slice(top, top + (rs.stop - rs.start - 1) * sh + 1, sh)
            for j in range(kw):
                cc = slice(j * dw, j * dw + (ow - 1) * sw + 1, sw)
                dxp[bs, rr, cc] += cols[:, :, :, i, j]
    return dxp[:, pt : pt + h, pl : pl + w, :]


def _grouped_backprop_input(in_shape, f, dy, strides, dilations, pads) -> np.ndarray:
    n, h, w, c = in_shape
    kh, kw, cg, co = f.shape
    _, oh, ow, _ = dy.shape
    pt, pb, pl, pr = pads
    groups = c // cg
    og = co // groups
    p = n * oh * ow
    dxp = np.zeros((n, h + pt + pb, w + pl + pr, c), dy.dtype)
    dy2 = dy.reshape(p, groups, og).transpose(1, 0, 2)
    for i in range(kh):
        for j in range(kw):
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
    if p == 0 or co == 0 or c == 0:
        return np.zeros((kh, kw, cg, co), dy.dtype)
    if groups == 1 and (kh, kw) == (1, 1) and not any(pads):
        df = parallel.matmul(_one_by_one(x, strides, (oh, ow)).T, dy.reshape(p, co))
        return df.reshape(kh, kw, c, co)
    on_onednn = onednn.conv2d_backprop_filter(x, f_shape, dy, strides, dilations, pads)
    if on_onednn is not None:
        return on_onednn
    if groups == 1:
        return _im2col_filter_grad(_pad(x, *pads), dy, kh, kw, strides, dilations)
    xp = _pad(x, *pads)
    df = np.zeros((kh, kw, cg, co), dy.dtype)
    dy2 = dy.reshape(p, groups, og).transpose(1, 0, 2)
    for i in range(kh):
        for j in range(kw):
            part = xp[_window(i, j, oh, ow, strides, dilations)].reshape(p, groups, cg)
            df[i, j] = (part.transpose(1, 2, 0) @ dy2).transpose(1, 0, 2).reshape(cg, co)
    return df


def _im2col_filter_grad(xp, dy, kh, kw, strides, dilations) -> np.ndarray:
    """sum over blocks of patch rows: patches.T @ output gradient rows."""
    xp = np.ascontiguousarray(xp)
    n, _, _, c = xp.shape
    _, oh, ow, co = dy.shape
    k = kh * kw * c
    fill, tap_major = _patches(xp, kh, kw, strides, dilations, (oh, ow))
    dtype = np.result_type(xp.dtype, dy.dtype)
    blocks = _blocks(n, oh, ow * k * xp.itemsize)
    parts = np.empty((len(blocks), k, co), dtype) if len(blocks) > 1 else None

    def work(i_block, state):
        i, (bs, rs) = i_block
        target = parts[i] if parts is not None else df
        _product(fill(bs, rs, state).T, dy[bs, rs].reshape(-1, co), target)

    df = np.zeros((k, co), dtype)
    parallel.run_blocks(list(enumerate(blocks)), work, lambda: [None])
    if parts is not None:  # summed in block order: the same sums whichever thread ran them
        for part in parts:
            df += part
    if tap_major:
        return np.ascontiguousarray(df.reshape(c, kh, kw, co).transpose(1, 2, 0, 3))
    return df.reshape(kh, kw, c, co)


# -- depthwise convolution ----------------------------------------------------------------------
# Depthwise convolution is elementwise work (a multiply and an add per filter offset), done
# on blocks of images of about this many bytes so the running sums stay in cache. With
# stride 1 along the width, a window's (width, channel) plane is contiguous: the products
# then run on (rows, width * channels) arrays against the filter tiled along the width,
# so numpy's inner loops are long.
_DEPTHWISE_BLOCK_BYTES = 1 << 20


def _depthwise_setup(x, f_shape, pads):
    """(padded input with each channel repeated m times, c * m): a depth multiplier m is
    a depthwise convolution over the repeated channels."""
    m = f_shape[3]
    xr = np.ascontiguousarray(x) if m == 1 else np.repeat(x, m, axis=3)
    return _pad(xr, *pads), x.shape[3] * m


def _depthwise_blocks(n: int, per_image: int):
    step = max(_DEPTHWISE_BLOCK_BYTES // max(per_image, 1), 1)
    for b in range(0, n, step):
        yield slice(b, min(b + step, n))


def _depthwise_taps(f, cm: int, ow: int, sw: int) -> np.ndarray:
    """The filter as (kh, kw, c * m) taps, tiled along the width when stride is 1."""
    taps = f.reshape(f.shape[0], f.shape[1], cm)
    return np.tile(taps, (1, 1, ow)) if sw == 1 else taps


def _planes(a: np.ndarray, sw: int) -> np.ndarray:
    """a (n, h, w, c) as (n, h, w * c) when stride 1 makes that a view."""
    return a.reshape(a.shape[0], a.shape[1], -1) if sw == 1 else a


def _depthwise_rows(xp, taps, strides, dilations, out_hw, out) -> None:
    """Stride 1 along the width: out (n, oh, ow * cm) = one einsum over the (n, oh, kh,
    kw, ow * cm) view of the padded input's window planes (no copy) and the tiled taps."""
    n = xp.shape[0]
    kh, kw, _ = taps.shape
    oh, _ = out_hw
    sn, sh_, sw_, sc = xp.strides
    (sh, _), (dh, dw) = strides, dilations

    def work(bs, _state):
        part = xp[bs]
        view = as_strided(
            part,
            shape=(part.shape[0], oh, kh, kw, taps.shape[2]),
            strides=(sn, sh_ * sh, sh_ * dh, sw_ * dw, sc),
            writeable=False,
        )
        np.einsum("nhijw,ijw->nhw", view, taps, out=out[bs])

    # (blocks of images shared by the kernel threads: einsum lets go of the interpreter
    # lock, and each block writes its own images; 3x3 on 128 x 14 x 14 x 32, 2 cores:
    # 2.25 -> 1.3 ms)
    parallel.run_blocks(list(_depthwise_blocks(n, out[0].nbytes)), work, blas=False)


# Zeros and sixes a fused convolution's activation reads, a chunk at a time (numpy's
# maximum against a 0-d operand takes a loop 3.6x slower than against an array).
_CHUNK = 1 << 16
_ZEROS = np.zeros(_CHUNK, np.float32)
_SIXES = np.full(_CHUNK, 6, np.float32)
_ZEROS.flags.writeable = _SIXES.flags.writeable = False


def _relu_in_place(a: np.ndarray, six: bool = False) -> None:
    """`a` = max(a, 0) (then min(., 6) with `six`) as the Relu and Relu6 kernels compute
    it (NaNs stay NaN), chunk by chunk."""
    flat = a.reshape(-1)
    for lo in range(0, flat.size, _CHUNK):
        part = flat[lo : lo + _CHUNK]
        np.maximum(part, _ZEROS[: part.size], out=part)
        if six:
            np.minimum(part, _SIXES[: part.size], out=part)


_ACTIVATIONS = {
    None: None,
    "relu": _relu_in_place,
    "relu6": functools.partial(_relu_in_place, six=True),
}


def conv2d_fused(x, f, strides, dilations, pads, out_hw, bias, activation) -> np.ndarray | None:
    """`activation(conv2d(x, f) + bias)` on oneDNN in one pass over memory (`bias` one
    per output channel or None; `activation` "relu", "relu6" or None): the bias added to
    each finished sum, the activation applied to each piece of the batch while it is in
    cache, with the bits of the ops one by one. None where oneDNN does not run it: the
    caller then runs the ops one by one. 1x1 convolutions of one group stay one product
    on BLAS, as in `conv2d`."""
    kh, kw, cg, _ = f.shape
    if x.shape[3] == cg and (kh, kw) == (1, 1) and not any(pads):
        return None
    epilogue = _ACTIVATIONS[activation]
    return onednn.conv2d(x, f, strides, dilations, pads, out_hw, bias, epilogue)


def depthwise_conv2d_fused(
    x, f, strides, dilations, pads, out_hw, bias, activation
) -> np.ndarray | None:
    """`depthwise_conv2d` with its bias and activation, as `conv2d_fused`."""
    kh, kw, c, m = f.shape
    grouped = f.reshape(kh, kw, 1, c * m)
    epilogue = _ACTIVATIONS[activation]
    return onednn.conv2d(x, grouped, strides, dilations, pads, out_hw, bias, epilogue)


def depthwise_conv2d(x, f, strides, dilations, pads, out_hw) -> np.ndarray:
    """Depthwise convolution: x [n, h, w, c], f [kh, kw, c, m] -> [n, oh, ow, c * m]."""
    kh, kw, c, m = f.shape
    grouped = f.reshape(kh, kw, 1, c * m)  # (one group per channel, its m outputs)
    on_onednn = onednn.conv2d(x, grouped, strides, dilations, pads, out_hw)
    if on_onednn is not None:
        return on_onednn
    n = x.shape[0]
    oh, ow = out_hw
    xp, cm = _depthwise_setup(x, f.shape, pads)
    sw = strides[1]
    taps = _depthwise_taps(f, cm, ow, sw)
    out = np.empty((n, oh, ow, cm), np.result_type(x.dtype, f.dtype))
    if sw == 1:
        _depthwise_rows(xp, taps, strides, dilations, out_hw, out.reshape(n, oh, ow * cm))
        return out
    if tuple(dilations) == (1, 1):
        # Strided, one input phase at a time: the pixels (ry + sh t, rx + sw u) meet only
        # the taps f[ry::sh, rx::sw], so the output is the sum over phases of stride-1
        # depthwise convolutions of the (contiguous) phase with its sub-filter.
        sh = strides[0]
        phase_out = np.empty_like(out)
        for ry in range(min(sh, kh)):
            for rx in range(min(sw, kw)):
                sub = f[ry::sh, rx::sw]
                a, b = sub.shape[:2]
                rows = slice(ry, ry + (oh + a - 2) * sh + 1, sh)
                cols = slice(rx, rx + (ow + b - 2) * sw + 1, sw)
                phase = np.ascontiguousarray(xp[:, rows, cols])
                first = ry == 0 and rx == 0
                target = out if first else phase_out
                _depthwise_rows(
                    phase,
                    _depthwise_taps(sub, cm, ow, 1),
                    (1, 1),
                    (1, 1),
                    out_hw,
                    target.reshape(n, oh, ow * cm),
                )
                if not first:
                    out += phase_out
        return out
    tmp = None
    for bs in _depthwise_blocks(n, oh * ow * cm * out.itemsize):
        acc = out[bs]
        if tmp is None:
            tmp = np.empty_like(acc)
        part_tmp = tmp[: acc.shape[0]]
        for i in range(kh):
            for j in range(kw):
                part = xp[bs][_window(i, j, oh, ow, strides, dilations)]
                if i == 0 and j == 0:
                    np.multiply(part, taps[i, j], out=acc)
                else:
                    np.multiply(part, taps[i, j], out=part_tmp)
                    acc += part_tmp
    return out


def depthwise_conv2d_backprop_input(in_shape, f, dy, strides, dilations, pads) -> np.ndarray:
    n, h, w, c = in_shape
    kh, kw, _, m = f.shape
    grouped = f.reshape(kh, kw, 1, c * m)
    on_onednn = onednn.conv2d_backprop_input(in_shape, grouped, dy, strides, dilations, pads)
    if on_onednn is not None:
        return on_onednn
    _, oh, ow, cm = dy.shape
    pt, pb, pl, pr = pads
    (sh, sw), (dh, dw) = strides, dilations
    dy = np.ascontiguousarray(dy)
    if (sh, sw) == (1, 1):
        # the depthwise convolution of the padded (or cropped) output gradient with the
        # filter rotated by 180 degrees
        top, left = (kh - 1) * dh - pt, (kw - 1) * dw - pl
        dyp = np.ascontiguousarray(_crop_pad(dy, top, h + pt - oh, left, w + pl - ow))
        taps = _depthwise_taps(f[::-1, ::-1], cm, w, 1)
        dx = np.empty((n, h, w, cm), dy.dtype)
        _depthwise_rows(dyp, taps, (1, 1), dilations, (h, w), dx.reshape(n, h, w * cm))
    elif (dh, dw) == (1, 1):
        dx = _depthwise_phases(in_shape, f, dy, strides, pads)
    else:
        taps = _depthwise_taps(f, cm, ow, sw)
        dxp = np.zeros((n, h + pt + pb, w + pl + pr, cm), dy.dtype)
        tmp = None
        for bs in _depthwise_blocks(n, oh * ow * cm * dy.itemsize):
            rows = _planes(dy[bs], sw)
            if tmp is None:
                tmp = np.empty_like(rows)
            part = tmp[: rows.shape[0]]
            for i in range(kh):
                for j in range(kw):
                    np.multiply(rows, taps[i, j], out=part)
                    target = _planes(dxp[bs][_window(i, j, oh, ow, strides, dilations)], sw)
                    target += part
        dx = dxp[:, pt : pt + h, pl : pl + w, :]
    if m > 1:  # (a sum over a short last axis is slow in numpy: add the m slices)
        parts = dx.reshape(n, h, w, c, m)
        dx = parts[..., 0].copy()
        for k in range(1, m):
            dx += parts[..., k]
    return dx


def _depthwise_phases(in_shape, f, dy, strides, pads) -> np.ndarray:
    """Strided input gradient (over c * m channels) by stride phases (`_by_stride_phases`):
    each phase a stride-1 depthwise convolution with the rotated sub-filter."""
    n, cm = dy.shape[0], dy.shape[3]

    def phase(sub, dyp, taps, size):
        out = np.empty((n, *size, cm), dy.dtype)
        rows = _depthwise_taps(sub, cm, size[1], 1)
        _depthwise_rows(dyp, rows, (1, 1), (1, 1), size, out.reshape(n, size[0], -1))
        return out

    return _by_stride_phases(in_shape, f, dy, strides, pads, cm, phase)


def depthwise_conv2d_backprop_filter(x, f_shape, dy, strides, dilations, pads) -> np.ndarray:
    n = x.shape[0]
    kh, kw, c, m = f_shape
    grouped = (kh, kw, 1, c * m)
    on_onednn = onednn.conv2d_backprop_filter(x, grouped, dy, strides, dilations, pads)
    if on_onednn is not None:
        return on_onednn.reshape(f_shape)
    _, oh, ow, _ = dy.shape
    xp, cm = _depthwise_setup(x, f_shape, pads)
    sw = strides[1]
    dy = np.ascontiguousarray(dy)
    # per offset, the sum over images and rows of input * gradient (per width position
    # and channel when stride 1, folded over the width at the end)
    width = ow * cm if sw == 1 else cm
    spec = "nhw,nhw->w" if sw == 1 else "nhwc,nhwc->c"
    blocks = list(_depthwise_blocks(n, oh * ow * cm * dy.itemsize))
    parts = np.empty((len(blocks), kh, kw, width), np.result_type(x.dtype, dy.dtype))

    def work(k_bs, _state):
        k, bs = k_bs
        rows = _planes(dy[bs], sw)
        for i in range(kh):
            for j in range(kw):
                part = _planes(xp[bs][_window(i, j, oh, ow, strides, dilations)], sw)
                np.einsum(spec, part, rows, out=parts[k, i, j])

    # (blocks shared by the kernel threads, their sums added in block order: the same
    # sums whichever thread ran them)
    parallel.run_blocks(list(enumerate(blocks)), work, blas=False)
    df = np.zeros(parts.shape[1:], parts.dtype)
    for part in parts:
        df += part
    if sw == 1:
        df = df.reshape(kh, kw, ow, cm).sum(axis=2)
    return df.reshape(kh, kw, c, m)


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


def _separable(ksize) -> bool:
    """Whether reducing a window one dimension at a time (sum(ksize) passes, the first
    over whole rows) beats one pass per window offset (prod(ksize) passes)."""
    return int(np.prod(ksize)) > sum(ksize)


def _axis_index(d: int, offset: int, n: int, stride: int) -> tuple:
    index = [slice(None)] * 4
    index[d] = slice(offset, offset + (n - 1) * stride + 1, stride)
    return tuple(index)


def _reduce_separably(xp, ksize, strides, out_shape, combine) -> np.ndarray:
    """combine-reduction of every window, one dimension at a time (max and sum are
    separable: the reduction of a box is the reduction of its rows' reductions)."""
    a = xp
    copied = False
    for d in range(4):
        if ksize[d] == 1 and (strides[d] == 1 or out_shape[d] == 1) and a.shape[d] == out_shape[d]:
            continue
        first = a[_axis_index(d, 0, out_shape[d], strides[d])]
        if ksize[d] == 1:
            acc = first.copy()
        else:
            acc = combine(first, a[_axis_index(d, 1, out_shape[d], strides[d])])
        for o in range(2, ksize[d]):
            combine(acc, a[_axis_index(d, o, out_shape[d], strides[d])], out=acc)
        a, copied = acc, True
    return a if copied else a.copy()


def _max_of_windows(xp, ksize, strides, out_shape) -> np.ndarray:
    reduce = np.fmax if xp.dtype.kind == "f" else np.maximum
    if _separable(ksize):
        return _reduce_separably(xp, ksize, strides, out_shape, reduce)
    out = None
    for offset in np.ndindex(*ksize):
        part = xp[_window_index(offset, out_shape, strides)]
        if out is None:
            out = part.copy()
        else:
            reduce(out, part, out=out)
    return out  # type: ignore[return-value]  # ksize has at least one element


def max_pool(x, ksize, strides, pads, out_shape) -> np.ndarray:
    """Max over each window; NaN inputs are skipped (as TF's CPU kernel does). A window
    of NaNs only: NaN here, float32's lowest value on oneDNN (as TF 2.21 gives)."""
    on_onednn = onednn.max_pool(x, ksize, strides, pads, out_shape)
    if on_onednn is not None:
        return on_onednn

    def pool(b, shape, _out=None):
        return _max_of_windows(_pad4(x[b], pads, _lowest(x.dtype)), ksize, strides, shape)

    return _by_images(pool, x, out_shape, x.dtype, ksize, strides, pads, None, _POOL_BLOCKS)


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


def max_pool_grad(x, dy, ksize, strides, pads, out_shape, pooled=None) -> np.ndarray:
    """Routes each window's gradient to its first maximal input element. Windows that
    stay within one image go in blocks of images (about _POOL_BLOCK_BYTES of input, so
    the block's passes run in cache), over the kernel threads when the batch is big.
    `pooled` (the forward pool's result, optional) lets oneDNN reuse its workspace."""
    on_onednn = onednn.max_pool_grad(x, dy, ksize, strides, pads, out_shape, pooled)
    if on_onednn is not None:
        return on_onednn

    def grad(b, shape, out=None):
        return _max_pool_grad(x[b], dy[b], ksize, strides, pads, shape, out)

    return _by_images(grad, x, x.shape, dy.dtype, ksize, strides, pads, out_shape)


def _by_images(
    fn, x, result_shape, dtype, ksize, strides, pads, pooled=None, min_elements: int = 0
) -> np.ndarray:
    """A pooling kernel's result (shape `result_shape`) as `fn(images, shape, out)`
    returns it for a slice of images (pooled to `shape`: `pooled`, default `result_shape`,
    with the slice's count; written into `out`, or copied there), in blocks of images
    (about _POOL_BLOCK_BYTES of input, so a block's passes run in cache), over the
    kernel threads when the batch is big; whole when windows span images, or below
    `min_elements` of input."""
    n = x.shape[0]
    pooled = result_shape if pooled is None else pooled
    if n <= 1 or (ksize[0], strides[0], pads[0]) != (1, 1, (0, 0)) or x.size < min_elements:
        return fn(slice(0, n), tuple(pooled))
    out = np.empty(result_shape, dtype)
    step = max(1, min(_POOL_BLOCK_BYTES // max(x[0].nbytes, 1), -(-n // 2)))
    blocks = [slice(b, min(b + step, n)) for b in range(0, n, step)]

    def work(b, _):
        target = out[b]
        result = fn(b, (b.stop - b.start, *pooled[1:]), target)
        if result is not target:
            target[...] = result

    if parallel.num_threads() > 1 and x.size >= _PARALLEL_POOL_ELEMENTS:
        parallel.run_blocks(blocks, work, blas=False)
    else:
        for b in blocks:
            work(b, None)
    return out


_PARALLEL_POOL_ELEMENTS = 1 << 18
# Pooling and the average pool's gradient go in blocks of images from this many input
# elements: each block's result is copied into the output, and below this the copy and
# the hand-off cost more than the threads give (measured, two cores: 128 x 28 x 28 x 32,
# 2x2 stride 2, max / avg pool / avg gradient 2.27 / 2.38 / 3.05 -> 1.03 / 1.25 / 1.95
# ms in blocks; 128 x 14 x 14 x 64: 0.55 / 0.66 / 0.90 -> 0.57 / 0.72 / 1.30 ms).
_POOL_BLOCKS = 1 << 21
# Measured (quiet, MNIST convnet pools, 2x2 stride 2, batch 128): the kernel makes a dozen
# numpy passes per block, so smaller blocks spend their time in calls and, on two
# threads, waiting for the interpreter lock: 28x28x32, two threads, blocks of 256 KB /
# 1 MB / 2 MB: 13.4 / 6.3 / 4.8 ms (16 images per block before: 5.4 ms; one thread: 6.4
# ms at best); 14x14x64: 5.2 / 2.9 / 2.6 ms (before: 3.6 ms).
_POOL_BLOCK_BYTES = 2 << 20


def _max_pool_grad(x, dy, ksize, strides, pads, out_shape, out=None) -> np.ndarray:
    """MaxPoolGrad into `out` (a new array if None)."""
    if _tiles(x.shape, ksize, strides, pads, out_shape):
        return _tiled_max_pool_grad(x, dy, ksize, out_shape, out)
    padded = [x.shape[d] + pads[d][0] + pads[d][1] for d in range(4)]
    dxp = np.zeros(padded, dy.dtype)
    for _, index, first in _first_max_masks(x, ksize, strides, pads, out_shape):
        dxp[index] += dy * first
    dx = dxp[tuple(slice(p[0], p[0] + n) for p, n in zip(pads, x.shape))]
    if out is None:
        return dx
    out[...] = dx
    return out


def _tiles(in_shape, ksize, strides, pads, out_shape) -> bool:
    """Whether (1, kh, kw, 1) windows tile the input: no padding, strides equal to the
    window (the usual 2x2, stride-2 pool)."""
    return (
        all(p == (0, 0) for p in pads)
        and ksize[0] == ksize[3] == strides[0] == strides[3] == 1
        and tuple(ksize[1:3]) == tuple(strides[1:3])
        and all(out_shape)
    )


def _tiled_max_pool_grad(x, dy, ksize, out_shape, dx=None) -> np.ndarray:
    """MaxPoolGrad of (1, kh, kw, 1) windows that tile the input: for each window offset
    in window order, the windows whose first maximum is there get their gradient there
    (strided views of x and dx holding the offset's elements, one pass each). Measured
    (blocks on two threads, 28x28x32 / 14x14x64 inputs at batch 128): 5.7 / 2.8 ms, 6.7 /
    3.2 ms for the row-wise comparisons of wider windows this replaced. (Taking the
    maxima from the forward MaxPool's output instead of computing them again saved
    another 1.3 / 0.8 ms, but TF's kernel ignores orig_output's values, and a kernel
    cannot tell a fed orig_output from the pool's own.)"""
    _, kh, kw, _ = ksize
    _, oh, ow, _ = out_shape
    leftover = x.shape[1] != oh * kh or x.shape[2] != ow * kw  # (VALID's uncovered edges)
    if dx is None:
        dx = (np.zeros if leftover else np.empty)(x.shape, dy.dtype)
    elif leftover:
        dx[...] = 0
    best = _max_of_windows(x[:, : oh * kh, : ow * kw], ksize, ksize, out_shape)
    xs, dxs = _window_offsets(x, kh, kw, out_shape), _window_offsets(dx, kh, kw, out_shape)
    found = None  # windows whose first maximum is at an earlier offset
    last = kh * kw - 1
    for k in range(kh * kw):
        a, b = divmod(k, kw)
        hit = np.equal(xs[:, :, a, :, b], best)
        if found is None:
            found = hit
        else:
            np.greater(hit, found, out=hit)  # (a maximum, and the first)
            if k < last:
                found |= hit
        np.multiply(dy, hit, out=dxs[:, :, a, :, b], dtype=dx.dtype)
    return dx


def _window_offsets(a, kh, kw, out_shape):
    """A (n, oh, kh, ow, kw, c) view of a 4-D array's windows (any strides; writable if
    `a` is)."""
    n, oh, ow, c = out_shape
    s0, s1, s2, s3 = a.strides
    return np.lib.stride_tricks.as_strided(
        a, (n, oh, kh, ow, kw, c), (s0, kh * s1, s1, kw * s2, s2, s3), writeable=a.flags.writeable
    )


def max_pool_grad_grad(x, g, ksize, strides, pads, out_shape) -> np.ndarray:
    """For each window, the value of `g` (shaped like x) at the window's first maximum."""
    gp = _pad4(g, pads)
    out = np.zeros(out_shape, g.dtype)
    for _, index, first in _first_max_masks(x, ksize, strides, pads, out_shape):
        out += gp[index] * first
    return out


def valid_counts(in_shape, out_shape, ksize, strides, pads) -> np.ndarray:
    """How many input (non-padding) values each pooling window covers (broadcastable:
    length 1 along the dimensions where every window covers as many, as the batch and
    channels: a full-size array cost a SAME 3x3 pool of 64x15x15x32 a fifth of its time)."""
    counts = np.ones((1, 1, 1, 1), np.int64)
    for d in range(4):
        starts = np.arange(out_shape[d]) * strides[d]
        lo = np.maximum(starts, pads[d][0])
        hi = np.minimum(starts + ksize[d], pads[d][0] + in_shape[d])
        per_window = hi - lo
        if per_window.size and (per_window == per_window[0]).all():
            per_window = per_window[:1]
        shape = [1, 1, 1, 1]
        shape[d] = per_window.size
        counts = counts * per_window.reshape(shape)
    return counts


def avg_pool(x, ksize, strides, pads, out_shape) -> np.ndarray:
    """Mean over each window's input (non-padding) values."""
    on_onednn = onednn.avg_pool(x, ksize, strides, pads, out_shape)
    if on_onednn is not None:
        return on_onednn

    def pool(b, shape, _out=None):
        return _avg_pool(x[b], ksize, strides, pads, shape)

    return _by_images(pool, x, out_shape, x.dtype, ksize, strides, pads, None, _POOL_BLOCKS)


def _avg_pool(x, ksize, strides, pads, out_shape) -> np.ndarray:
    padded = any(p != (0, 0) for p in pads)
    xp = _pad4(x, pads)
    if _separable(ksize):
        total = _reduce_separably(xp, ksize, strides, out_shape, np.add)
    else:
        total = None
        for offset in np.ndindex(*ksize):
            part = xp[_window_index(offset, out_shape, strides)]
            if total is None:
                total = part.copy()
            else:
                total += part
    if padded:
        total /= valid_counts(x.shape, out_shape, ksize, strides, pads).astype(x.dtype)
    else:
        total /= x.dtype.type(np.prod(ksize))
    return total


def avg_pool_grad(in_shape, dy, ksize, strides, pads, out_shape) -> np.ndarray:
    """Spreads each window's gradient evenly over the window's input values."""
    on_onednn = onednn.avg_pool_grad(in_shape, dy, ksize, strides, pads, out_shape)
    if on_onednn is not None:
        return on_onednn
    images = np.broadcast_to(np.empty((), dy.dtype), in_shape)  # (the input's shape only)

    def grad(b, shape, _out=None):
        return _avg_pool_grad(images[b].shape, dy[b], ksize, strides, pads, shape)

    return _by_images(
        grad, images, in_shape, dy.dtype, ksize, strides, pads, out_shape, _POOL_BLOCKS
    )


def _avg_pool_grad(in_shape, dy, ksize, strides, pads, out_shape) -> np.ndarray:
    if any(p != (0, 0) for p in pads):
        dy = dy / valid_counts(in_shape, out_shape, ksize, strides, pads).astype(dy.dtype)
    else:
        dy = dy / dy.dtype.type(np.prod(ksize))
    padded = [in_shape[d] + pads[d][0] + pads[d][1] for d in range(4)]
    if _separable(ksize):
        # spread along one dimension at a time (the last first), the reverse of a
        # separable sum
        a = dy
        for d in reversed(range(4)):
            if ksize[d] == 1 and strides[d] == 1 and a.shape[d] == padded[d]:
                continue
            shape = list(a.shape)
            shape[d] = padded[d]
            spread = np.zeros(shape, dy.dtype)
            for o in range(ksize[d]):
                spread[_axis_index(d, o, out_shape[d], strides[d])] += a
            a = spread
        dxp = a
    else:
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

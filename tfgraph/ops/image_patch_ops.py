"""ExtractImagePatches (`tf.extract_image_patches`): each output pixel holds the
(ksize_rows x ksize_cols x depth) patch around it, flattened; the gradient scatters
back through a patched index image as TF's does."""

from __future__ import annotations

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, math_ops
from tfgraph.ops.apply import op_output

__all__ = ["extract_image_patches", "extract_patches"]


def _geometry(size, k, s, r, padding):
    """(output size, padding before) of one spatial dimension."""
    k_eff = k + (k - 1) * (r - 1)
    if padding == "VALID":
        return max((size - k_eff + s) // s, 0), 0
    out = (size + s - 1) // s
    pad_total = max((out - 1) * s + k_eff - size, 0)
    return out, pad_total // 2


def _attrs(op):
    a = op._attrs
    return list(a["ksizes"]), list(a["strides"]), list(a["rates"]), a["padding"]


def _check(op, ksizes, strides, rates):
    for name, v in (("ksizes", ksizes), ("strides", strides), ("rates", rates)):
        if len(v) != 4 or v[0] != 1 or v[3] != 1:
            raise ValueError(
                "ExtractImagePatches requires the first and last elements of "
                f"{name} to be 1, got {v}"
            )


def _patches_shape(op):
    ksizes, strides, rates, padding = _attrs(op)
    _check(op, ksizes, strides, rates)
    dims = op._inputs[0]._shape
    if dims.rank is None:
        return [TensorShape([None] * 4)]
    if dims.rank != 4:
        raise ValueError(f"Shape must be rank 4 but is rank {dims.rank}")
    b, h, w, c = dims.as_list()
    out = [b, None, None]
    if h is not None and w is not None:  # (as TF: both spatial sizes or neither)
        pad = padding.decode() if isinstance(padding, bytes) else padding
        out[1] = _geometry(h, ksizes[1], strides[1], rates[1], pad)[0]
        out[2] = _geometry(w, ksizes[2], strides[2], rates[2], pad)[0]
    out.append(None if c is None else ksizes[1] * ksizes[2] * c)
    return [TensorShape(out)]


def _patches_kernel(op, ctx):
    ksizes, strides, rates, padding = _attrs(op)
    padding = padding.decode() if isinstance(padding, bytes) else padding

    def kernel(images):
        b, h, w, c = images.shape
        out_h, pad_top = _geometry(h, ksizes[1], strides[1], rates[1], padding)
        out_w, pad_left = _geometry(w, ksizes[2], strides[2], rates[2], padding)
        k_eff_h = ksizes[1] + (ksizes[1] - 1) * (rates[1] - 1)
        k_eff_w = ksizes[2] + (ksizes[2] - 1) * (rates[2] - 1)
        need_h = max((out_h - 1) * strides[1] + k_eff_h, h + pad_top)
        need_w = max((out_w - 1) * strides[2] + k_eff_w, w + pad_left)
        padded = np.zeros((b, need_h, need_w, c), dtype=images.dtype)
        padded[:, pad_top : pad_top + h, pad_left : pad_left + w] = images
        parts = []
        for i in range(ksizes[1]):
            for j in range(ksizes[2]):
                r0, c0 = i * rates[1], j * rates[2]
                parts.append(
                    padded[
                        :,
                        r0 : r0 + (out_h - 1) * strides[1] + 1 : strides[1],
                        c0 : c0 + (out_w - 1) * strides[2] + 1 : strides[2],
                    ][:, :out_h, :out_w]
                )
        if not parts or out_h == 0 or out_w == 0:
            return np.zeros((b, out_h, out_w, ksizes[1] * ksizes[2] * c), images.dtype)
        stacked = np.stack(parts, axis=3)
        return np.ascontiguousarray(stacked.reshape(b, out_h, out_w, -1))

    return kernel


def _patches_grad(op, grad):
    input_bhwc = array_ops.shape(op.inputs[0], out_type=dtypes.int64)
    batch_size, rows_in, cols_in, channels = array_ops.unstack(input_bhwc)
    output_bhwc = array_ops.shape(op.outputs[0], out_type=dtypes.int64)
    rows_out, cols_out = array_ops.unstack(output_bhwc[1:3])
    ksizes = op.get_attr("ksizes")
    _, ksize_r, ksize_c, _ = ksizes
    input_indices_num = rows_in * cols_in
    input_idx = array_ops.reshape(
        math_ops.range(1, input_indices_num + 1, dtype=dtypes.float32),
        (1, rows_in, cols_in, 1),
    )
    input_idx_patched = op_output(
        "ExtractImagePatches",
        None,
        [input_idx],
        {
            "ksizes": list(ksizes),
            "strides": list(op.get_attr("strides")),
            "rates": list(op.get_attr("rates")),
            "padding": op.get_attr("padding"),
        },
    )
    input_idx_patched = array_ops.cast(input_idx_patched, dtypes.int64)
    grad_expanded = array_ops.transpose(
        array_ops.reshape(grad, (batch_size, rows_out, cols_out, ksize_r, ksize_c, channels)),
        (1, 2, 3, 4, 0, 5),
    )
    grad_flat = array_ops.reshape(grad_expanded, (-1, batch_size * channels))
    segment_ids = array_ops.reshape(input_idx_patched, [-1]) - 1
    grad_out = math_ops.unsorted_segment_sum(grad_flat, segment_ids, num_segments=input_indices_num)
    grad_out = array_ops.reshape(grad_out, (rows_in, cols_in, batch_size, channels))
    return [array_ops.transpose(grad_out, (2, 0, 1, 3))]


register_op(
    "ExtractImagePatches",
    inputs=["images: T"],
    outputs=["patches: T"],
    attrs=[
        "ksizes: list(int) >= 4",
        "strides: list(int) >= 4",
        "rates: list(int) >= 4",
        "T: {bfloat16, half, float, double, int8, int16, int32, int64, uint8, uint16, "
        "uint32, uint64, complex64, complex128, bool}",
        "padding: {'SAME', 'VALID'}",
    ],
    shape=_patches_shape,
    make_kernel=_patches_kernel,
    grad=_patches_grad,
)


def _int_list(value, name):
    if isinstance(value, (list, tuple)):
        return [int(v) for v in value]
    raise TypeError(f"Expected list for '{name}' argument, got {value!r}.")


def extract_image_patches(
    images, ksizes=None, strides=None, rates=None, padding=None, name=None, sizes=None
):
    """Patches of `images` (NHWC) of size `ksizes` every `strides`, sampled every
    `rates`, flattened into the depth dimension."""
    if sizes is not None:
        if ksizes is not None:
            raise ValueError("Cannot specify both 'sizes' and 'ksizes'")
        ksizes = sizes
    return op_output(
        "ExtractImagePatches",
        name,
        [images],
        {
            "ksizes": _int_list(ksizes, "sizes"),
            "strides": _int_list(strides, "strides"),
            "rates": _int_list(rates, "rates"),
            "padding": padding.encode() if isinstance(padding, str) else padding,
        },
    )


def extract_patches(images, sizes, strides, rates, padding, name=None):
    """`tf.image.extract_patches` (TF2's argument names of `extract_image_patches`)."""
    return extract_image_patches(images, sizes, strides, rates, padding, name=name)

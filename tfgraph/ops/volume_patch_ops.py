"""ExtractVolumePatches (`tf.extract_volume_patches`): each output voxel holds the
(kp x kr x kc x depth) patch around it, flattened, as ExtractImagePatches does in 2-D;
the gradient is TF's (array_grad.py): a sparse (input index -> patch slot) matrix
multiplied into the incoming gradient."""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.registry import register_op
from tfgraph.framework.sparse_tensor import SparseTensor
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, math_ops, sparse_ops
from tfgraph.ops.apply import op_output
from tfgraph.ops.image_patch_ops import _geometry

__all__ = ["extract_volume_patches"]


def _attrs(op):
    a = op._attrs
    pad = a["padding"]
    return list(a["ksizes"]), list(a["strides"]), pad.decode() if isinstance(pad, bytes) else pad


def _shape(op):
    ksizes, strides, padding = _attrs(op)
    dims = op._inputs[0]._shape
    if dims.rank is not None and dims.rank != 5:
        raise ValueError(f"Shape must be rank 5 but is rank {dims.rank}")
    b, p, r, c, d = dims.as_list() if dims.rank is not None else [None] * 5
    depth = None if d is None else ksizes[1] * ksizes[2] * ksizes[3] * d
    if p is None or r is None or c is None:  # (TF's shape function: rank 4 then)
        return [TensorShape([b, None, None, depth])]
    out = [_geometry(n, ksizes[i], strides[i], 1, padding)[0] for i, n in ((1, p), (2, r), (3, c))]
    return [TensorShape([b, *out, depth])]


def _kernel(op, ctx):
    ksizes, strides, padding = _attrs(op)

    def kernel(x):
        for name, v in (("ksizes", ksizes), ("strides", strides)):
            if v[0] != 1 or v[4] != 1:
                raise errors.UnimplementedError(
                    None, op, f"Only support {name} across space.\n\t [[{{{{node {op.name}}}}}]]"
                )
        b, d = x.shape[0], x.shape[4]
        geo = [_geometry(x.shape[i], ksizes[i], strides[i], 1, padding) for i in (1, 2, 3)]
        outs = [g[0] for g in geo]
        need = [max((o - 1) * s + k, n + g[1]) for o, s, k, n, g in
                zip(outs, strides[1:4], ksizes[1:4], x.shape[1:4], geo)]  # fmt: skip
        padded = np.zeros((b, *need, d), x.dtype)
        (p0, r0, c0), (np_, nr, nc) = (g[1] for g in geo), x.shape[1:4]
        padded[:, p0 : p0 + np_, r0 : r0 + nr, c0 : c0 + nc] = x
        k = ksizes[1] * ksizes[2] * ksizes[3]
        if k == 0 or 0 in outs:
            return np.zeros((b, *outs, k * d), x.dtype)
        parts = []
        for i in range(ksizes[1]):
            for j in range(ksizes[2]):
                for m in range(ksizes[3]):
                    parts.append(
                        padded[
                            :,
                            i : i + (outs[0] - 1) * strides[1] + 1 : strides[1],
                            j : j + (outs[1] - 1) * strides[2] + 1 : strides[2],
                            m : m + (outs[2] - 1) * strides[3] + 1 : strides[3],
                        ]
                    )
        return np.ascontiguousarray(np.stack(parts, axis=4).reshape(b, *outs, k * d))

    return kernel


def _grad(op, grad):
    """TF's _ExtractVolumePatchesGrad (static spatial sizes, as TF requires)."""
    _, planes_in, rows_in, cols_in, _ = op.inputs[0].shape.as_list()
    input_bphwc = array_ops.shape(op.inputs[0])
    batch_size, channels = input_bphwc[0], input_bphwc[4]
    input_indices_num = 1 + planes_in * rows_in * cols_in
    input_idx = array_ops.reshape(
        math_ops.range(1, input_indices_num, dtype=dtypes.int64),
        (1, planes_in, rows_in, cols_in, 1),
    )
    input_idx_patched = extract_volume_patches(
        input_idx, op.get_attr("ksizes"), op.get_attr("strides"), op.get_attr("padding")
    )
    _, planes_out, rows_out, cols_out, _ = op.outputs[0].shape.as_list()
    _, ksize_p, ksize_r, ksize_c, _ = op.get_attr("ksizes")
    prc_indices_num = planes_out * rows_out * cols_out
    output_indices_num = prc_indices_num * ksize_p * ksize_r * ksize_c
    output_idx = array_ops.reshape(
        math_ops.range(output_indices_num, dtype=dtypes.int64),
        (1, planes_out, rows_out, cols_out, ksize_p * ksize_r * ksize_c),
    )
    idx_matrix = array_ops.concat(
        [array_ops.expand_dims(input_idx_patched, -1), array_ops.expand_dims(output_idx, -1)],
        axis=-1,
    )
    idx_map = array_ops.reshape(idx_matrix, (-1, 2))
    sp_shape = (input_indices_num, output_indices_num)
    sp_mat_full = SparseTensor(
        idx_map, array_ops.ones([output_indices_num], dtype=grad.dtype), sp_shape
    )
    sp_mat = sparse_ops.sparse_slice(
        sp_mat_full, (1, 0), (input_indices_num - 1, output_indices_num)
    )
    grad_expanded = array_ops.transpose(
        array_ops.reshape(
            grad,
            (batch_size, planes_out, rows_out, cols_out, ksize_p, ksize_r, ksize_c, channels),
        ),
        (1, 2, 3, 4, 5, 6, 0, 7),
    )
    grad_flat = array_ops.reshape(grad_expanded, (-1, batch_size * channels))
    jac = sparse_ops.sparse_tensor_dense_matmul(sp_mat, grad_flat)
    grad_out = array_ops.reshape(jac, (planes_in, rows_in, cols_in, batch_size, channels))
    return [array_ops.transpose(grad_out, (3, 0, 1, 2, 4))]


register_op(
    "ExtractVolumePatches",
    inputs=["input: T"],
    outputs=["patches: T"],
    attrs=[
        "ksizes: list(int) >= 5",
        "strides: list(int) >= 5",
        "T: {float, double, int32, uint8, int16, int8, int64, bfloat16, uint16, half, "
        "uint32, uint64}",
        "padding: {'SAME', 'VALID'}",
    ],
    shape=_shape,
    make_kernel=_kernel,
    grad=_grad,
)


def extract_volume_patches(input, ksizes, strides, padding, name=None):
    """Patches of the 5-D `input` (NDHWC) of size `ksizes` every `strides`, flattened
    into the depth dimension."""
    attrs = {"ksizes": [int(v) for v in ksizes], "strides": [int(v) for v in strides]}
    for key, v in attrs.items():
        if len(v) < 5:  # (TF's op_def_library check of the attr's minimum)
            raise ValueError(
                f"Attr '{key}' of 'ExtractVolumePatches' Op passed list of length {len(v)} "
                "less than minimum 5."
            )
    return op_output(
        "ExtractVolumePatches",
        name,
        [input],
        {
            **attrs,
            "padding": padding.encode() if isinstance(padding, str) else padding,
        },
    )

"""`tf.sparse.sampled_addmm` (TF2): `mat1 @ mat2` evaluated only at the positions of a
sparse matrix, scaled and added to its values (built from gathers, as TF builds it)."""

from __future__ import annotations

import numpy as np

from tfgraph.eager import context
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.ops import array_ops, check_ops, common_shapes, linalg_ops, math_ops

__all__ = ["sampled_addmm"]


def _check_shape(dense_shape, output_shape) -> None:
    """TF's check that `dense_shape` is [rows of mat1, columns of mat2]: ValueError
    when it is known now, else an Assert op run with the result."""
    condition = math_ops.reduce_all(math_ops.equal(dense_shape, output_shape))
    if context.executing_eagerly():
        if not bool(np.asarray(condition.numpy())):
            raise ValueError(
                f"Dense shape: {dense_shape} does not match output shape: {output_shape} "
                "(tf.sparse.sampled_addmm: dense_shape must be [rows of mat1, columns of "
                "mat2])"
            )
        return
    static = common_shapes.constant_value(dense_shape)
    want = common_shapes.constant_value(output_shape)
    if static is not None and want is not None and not np.all(np.equal(static, want)):
        raise ValueError(
            f"Dense shape: {dense_shape} does not match output shape: {output_shape} "
            "(tf.sparse.sampled_addmm: dense_shape must be [rows of mat1, columns of mat2])"
        )
    data = ["Dense shape: ", dense_shape, " does not match output shape: ", output_shape]
    check_ops._assert_op(condition, [convert_to_tensor(d) for d in data], None, "Assert")


def _batch_gather_nd(params, indices, batch_dims: int, batch_shape):
    """`gather_nd(params, indices, batch_dims)`, with the batch coordinates prepended to
    `indices` (tfgraph's GatherNd takes batch_dims=0 only)."""
    if batch_dims == 0:
        return array_ops.gather_nd(params, indices)
    lead = array_ops.shape(indices)[:-1]
    rank = len(indices.shape) - 1
    coords = []
    for d in range(batch_dims):
        shape = [1] * rank
        shape[d] = int(batch_shape[d])
        coord = array_ops.reshape(math_ops.range(int(batch_shape[d])), shape)
        coords.append(array_ops.expand_dims(array_ops.broadcast_to(coord, lead), -1))
    full = array_ops.concat([array_ops.cast(c, indices.dtype) for c in coords] + [indices], -1)
    return array_ops.gather_nd(params, full)


def sampled_addmm(
    indices, values, dense_shape, mat1, mat2, beta=1.0, alpha=1.0, output_type=dtypes.float32
):
    """`(indices, alpha * (mat1 @ mat2)[indices] + beta * values, dense_shape)`: the
    product of the (batches of) dense matrices `mat1` and `mat2` at the positions
    `indices` ([..., nnz, rank]) of a sparse matrix with `values` and `dense_shape`,
    computed from the gathered rows and columns only. `mat1` and `mat2` need static
    shapes.

    Raises:
        ValueError: `dense_shape` is known and is not [rows of mat1, columns of mat2].
    """
    indices = convert_to_tensor(indices)
    values = convert_to_tensor(values, dtype=output_type)
    dense_shape = convert_to_tensor(dense_shape, dtype=dtypes.int32)
    mat1 = convert_to_tensor(mat1, dtype=output_type)
    mat2 = convert_to_tensor(mat2, dtype=output_type)
    mat1_shape = common_shapes.constant_value(array_ops.shape(mat1))
    mat2_shape = common_shapes.constant_value(array_ops.shape(mat2))
    if mat1_shape is None or mat2_shape is None:
        raise ValueError(
            "tf.sparse.sampled_addmm needs the static shapes of mat1 and mat2 (as TF does); "
            f"got {mat1.shape} and {mat2.shape}: set them with set_shape or tf.ensure_shape."
        )
    output_shape = array_ops.stack([mat1_shape[-2], mat2_shape[-1]])
    _check_shape(dense_shape, output_shape)
    batch_indices = indices[..., :-2]
    row_indices = indices[..., :-1]
    col_indices = array_ops.concat([batch_indices, indices[..., -1:]], axis=-1)
    batch_dims = len(mat1_shape) - 2
    rows = _batch_gather_nd(mat1, row_indices, batch_dims, mat1_shape)
    cols = _batch_gather_nd(linalg_ops.matrix_transpose(mat2), col_indices, batch_dims, mat1_shape)
    dot = math_ops.reduce_sum(rows * cols, axis=-1)
    return (indices, dot * alpha + values * beta, dense_shape)

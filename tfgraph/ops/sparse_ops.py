"""SparseToDense (`tf.sparse.to_dense`, `tf.sparse_tensor_to_dense`): a SparseTensor's
values scattered into a dense tensor, with TF's index checks and gradient."""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework.registry import register_op
from tfgraph.ops import array_ops, math_ops
from tfgraph.ops.apply import op_output
from tfgraph.ops.common_shapes import constant_value_as_shape

__all__ = ["sparse_tensor_to_dense", "sparse_to_dense"]


def _index_text(index) -> str:
    return "[" + ",".join(str(int(i)) for i in index) + "]"


def _sparse_to_dense_kernel(op, ctx):
    validate = bool(op._attrs["validate_indices"])

    def kernel(indices, output_shape, values, default_value):
        shape = tuple(int(d) for d in np.reshape(output_shape, -1))
        indices = np.asarray(indices).reshape(len(indices) if np.ndim(indices) else 1, -1)
        if np.ndim(indices) == 2 and indices.shape[1] != len(shape):
            raise errors.InvalidArgumentError(
                None,
                op,
                f"sparse_indices should have {len(shape)} columns, got {indices.shape[1]}",
            )
        values = np.asarray(values)
        n = indices.shape[0]
        if values.ndim and values.shape[0] != n:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"sparse_values has incorrect shape {list(values.shape)}, should be [] or [{n}]",
            )
        if validate:
            previous = None
            for i, index in enumerate(indices):
                if any(d < 0 or d >= s for d, s in zip(index, shape)):
                    raise errors.InvalidArgumentError(
                        None,
                        op,
                        f"indices[{i}] = {_index_text(index)} is out of bounds: need 0 <= index "
                        f"< {_index_text(shape)}",
                    )
                key = tuple(int(d) for d in index)
                if previous is not None and key <= previous:
                    if key == previous:
                        raise errors.InvalidArgumentError(
                            None, op, f"indices[{i}] = {_index_text(index)} is repeated"
                        )
                    raise errors.InvalidArgumentError(
                        None,
                        op,
                        f"indices[{i}] = {_index_text(index)} is out of order. Many sparse ops "
                        "require sorted indices.\n    Use `tf.sparse.reorder` to create a "
                        "correctly ordered copy.\n\n",
                    )
                previous = key
        out = np.empty(shape, dtype=values.dtype)
        out[...] = np.asarray(default_value).reshape(())[()]
        if n:
            out[tuple(indices.T)] = values
        return out

    return kernel


def _sparse_to_dense_shape(op):
    return [constant_value_as_shape(op._inputs[1])]


def _sparse_to_dense_grad(op, grad):
    sparse_indices, output_shape = op.inputs[0], op.inputs[1]
    sparse_values_grad = array_ops.gather_nd(grad, sparse_indices)
    default_value_grad = math_ops.reduce_sum(grad) - math_ops.reduce_sum(sparse_values_grad)
    return [
        array_ops.zeros_like(sparse_indices),
        array_ops.zeros_like(output_shape),
        sparse_values_grad,
        default_value_grad,
    ]


register_op(
    "SparseToDense",
    inputs=[
        "sparse_indices: Tindices",
        "output_shape: Tindices",
        "sparse_values: T",
        "default_value: T",
    ],
    outputs=["dense: T"],
    attrs=["validate_indices: bool = true", "T: type", "Tindices: {int32, int64}"],
    shape=_sparse_to_dense_shape,
    make_kernel=_sparse_to_dense_kernel,
    grad=_sparse_to_dense_grad,
)


def sparse_to_dense(
    sparse_indices,
    output_shape,
    sparse_values,
    default_value=0,
    validate_indices=True,
    name=None,
):
    """A dense tensor of `output_shape` holding `sparse_values` at `sparse_indices` and
    `default_value` elsewhere."""
    return op_output(
        "SparseToDense",
        name,
        [sparse_indices, output_shape, sparse_values, default_value],
        {"validate_indices": bool(validate_indices)},
    )


def sparse_tensor_to_dense(sp_input, default_value=None, validate_indices=True, name=None):
    """The dense tensor a SparseTensor stands for (`default_value`, else 0 or "", where
    it has no value)."""
    from tfgraph.framework.sparse_tensor import SparseTensor

    if not isinstance(sp_input, SparseTensor):
        raise TypeError(f"Input must be a SparseTensor, got {type(sp_input).__name__}")
    if default_value is None:
        default_value = array_ops.zeros([], dtype=sp_input.dtype)
    return op_output(
        "SparseToDense",
        name,
        [sp_input.indices, sp_input.dense_shape, sp_input.values, default_value],
        {"validate_indices": bool(validate_indices)},
    )

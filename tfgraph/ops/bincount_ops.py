"""Bin counts of sparse and ragged integers, and counts as sparse tensors.

SparseBincount and RaggedBincount count a SparseTensor's or RaggedTensor's values per
row (or over all values for a rank-1 SparseTensor) into a dense [rows, size] (or [size])
output, as DenseBincount does for dense inputs (tfgraph/ops/manip_ops.py): values at or
above `size` are dropped, `weights` (empty, or one per value) are summed instead of
counting, and `binary_output` gives 1 for every bin that is hit. The
*CountSparseOutput ops (behind `tf.sparse.bincount`) give the same counts as a
SparseTensor with the hit bins in row-major order: its last dimension is `maxlength`
when that is positive, else the larger of (largest value + 1) and `minlength`.
TF registers no gradient for any of them.
"""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.apply import apply_op
from tfgraph.ops.common_shapes import constant_value

__all__ = ["count_bins", "sparse_bincount"]

_TYPES = ["Tidx: {int32, int64}", "T: {int32, int64, float, double}", "binary_output: bool = false"]


def count_bins(op, rows, values, weights, size: int, nrows: int, binary: bool, out_dtype):
    """The dense [nrows, size] counts of `values` (row index per value in `rows`)."""
    values = np.asarray(values).reshape(-1)
    weights = np.asarray(weights).reshape(-1)
    if weights.size and weights.size != values.size:
        raise errors.InvalidArgumentError(
            None,
            op,
            "`weights` must be the same shape as `arr` or a length-0 `Tensor`, in which "
            f"case it acts as all weights equal to 1. Received {list(weights.shape)}",
        )
    keep = values < size
    flat = np.asarray(rows, np.int64).reshape(-1)[keep] * size + values[keep]
    total = nrows * size
    out: np.ndarray
    if binary or not weights.size:
        out = np.bincount(flat, minlength=total)[:total]
        if binary:
            out = out > 0
    else:
        out = np.bincount(flat, weights=weights[keep].astype(np.float64), minlength=total)[:total]
    return out.astype(out_dtype).reshape(nrows, size)


def _size(op, size) -> int:
    n = int(size)
    if n < 0:
        raise errors.InvalidArgumentError(None, op, f"size ({n}) must be non-negative")
    return n


def _non_negative(op, values, message: str) -> None:
    values = np.asarray(values)
    if values.size and values.min() < 0:
        raise errors.InvalidArgumentError(None, op, message)


# -- SparseBincount ---------------------------------------------------------------------------
def _sparse_bincount_shape(op):
    size = constant_value(op._inputs[3])
    size = None if size is None else int(size)
    shape = constant_value(op._inputs[2])
    rank = op._inputs[2]._shape._dims
    if shape is not None:
        shape = np.asarray(shape).reshape(-1)
        return [TensorShape([size]) if shape.size == 1 else TensorShape([int(shape[0]), size])]
    if rank is not None and rank[0] is not None:
        return [TensorShape([size]) if rank[0] == 1 else TensorShape([None, size])]
    return [TensorShape(None)]


def _sparse_bincount_kernel(op, ctx):
    binary = op._attrs["binary_output"]
    out_dtype = op._attrs["T"].np_dtype

    def kernel(indices, values, dense_shape, size, weights):
        n = _size(op, size)
        _non_negative(op, values, "Input arr must be non-negative!")
        indices = np.asarray(indices).reshape(len(values), -1)
        if np.asarray(dense_shape).size == 1:
            rows = np.zeros(len(values), np.int64)
            return count_bins(op, rows, values, weights, n, 1, binary, out_dtype)[0]
        nrows = int(dense_shape[0])
        return count_bins(op, indices[:, 0], values, weights, n, nrows, binary, out_dtype)

    return kernel


register_op(
    "SparseBincount",
    inputs=["indices: int64", "values: Tidx", "dense_shape: int64", "size: Tidx", "weights: T"],
    outputs=["output: T"],
    attrs=_TYPES,
    shape=_sparse_bincount_shape,
    make_kernel=_sparse_bincount_kernel,
)


# -- RaggedBincount ---------------------------------------------------------------------------
def _ragged_bincount_kernel(op, ctx):
    binary = op._attrs["binary_output"]
    out_dtype = op._attrs["T"].np_dtype

    def kernel(splits, values, size, weights):
        n = _size(op, size)
        splits = np.asarray(splits, np.int64).reshape(-1)
        values = np.asarray(values).reshape(-1)
        if splits.size and splits[-1] != values.size:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Splits must end with the number of values, got {splits[-1]} instead of "
                f"{values.size}",
            )
        _non_negative(op, values, "Input must be non-negative")
        nrows = max(splits.size - 1, 0)
        rows = np.repeat(np.arange(nrows), np.diff(splits)) if nrows else np.zeros(0, np.int64)
        return count_bins(op, rows, values, weights, n, nrows, binary, out_dtype)

    return kernel


register_op(
    "RaggedBincount",
    inputs=["splits: int64", "values: Tidx", "size: Tidx", "weights: T"],
    outputs=["output: T"],
    attrs=_TYPES,
    shape=lambda op: [TensorShape(None)],
    make_kernel=_ragged_bincount_kernel,
)


# -- {Dense, Sparse, Ragged}CountSparseOutput -------------------------------------------------
_COUNT_ATTRS = [
    "T: {int32, int64}",
    "minlength: int >= -1 = -1",
    "maxlength: int >= -1 = -1",
    "binary_output: bool",
    "output_type: {int32, int64, float, double}",
]
_COUNT_OUTPUTS = [
    "output_indices: int64",
    "output_values: output_type",
    "output_dense_shape: int64",
]


def _count_sparse(op, rows, values, weights, nrows: int | None):
    """The counts as (indices, values, dense_shape); nrows None for a rank-1 input."""
    attrs = op._attrs
    values = np.asarray(values).reshape(-1)
    _non_negative(op, values, "Input values must all be non-negative")
    maxlength, minlength = attrs["maxlength"], attrs["minlength"]
    largest = int(values.max()) if values.size else 0
    size = maxlength if maxlength > 0 else max(max(largest, 0) + 1, minlength)
    dense = count_bins(
        op,
        rows,
        values,
        weights,
        size,
        1 if nrows is None else nrows,
        attrs["binary_output"],
        attrs["output_type"].np_dtype,
    )
    hit = np.bincount(
        np.asarray(rows, np.int64)[values < size] * size + values[values < size],
        minlength=dense.size,
    )[: dense.size].reshape(dense.shape)
    where = np.argwhere(hit > 0)
    if nrows is None:
        return where[:, 1:].astype(np.int64), dense[hit > 0], np.array([size], np.int64)
    return where.astype(np.int64), dense[hit > 0], np.array([nrows, size], np.int64)


def _count_shapes(op):
    if op.type == "DenseCountSparseOutput":
        dims = op._inputs[0]._shape._dims
        rank = None if dims is None else len(dims)
    elif op.type == "SparseCountSparseOutput":
        dims = op._inputs[2]._shape._dims
        rank = None if dims is None else dims[0]
    else:
        rank = 2
    return [TensorShape([None, rank]), TensorShape([None]), TensorShape([rank])]


def _dense_count_kernel(op, ctx):
    def kernel(values, weights):
        values = np.asarray(values)
        if values.ndim == 1:
            return _count_sparse(op, np.zeros(values.size, np.int64), values, weights, None)
        rows = np.repeat(np.arange(values.shape[0]), values.shape[1] if values.ndim > 1 else 0)
        return _count_sparse(op, rows, values, weights, values.shape[0])

    return kernel


def _sparse_count_kernel(op, ctx):
    def kernel(indices, values, dense_shape, weights):
        if np.asarray(dense_shape).size == 1:
            rows = np.zeros(len(values), np.int64)
            return _count_sparse(op, rows, values, weights, None)
        rows = np.asarray(indices).reshape(len(values), -1)[:, 0]
        return _count_sparse(op, rows, values, weights, int(dense_shape[0]))

    return kernel


def _ragged_count_kernel(op, ctx):
    def kernel(splits, values, weights):
        splits = np.asarray(splits, np.int64).reshape(-1)
        nrows = max(splits.size - 1, 0)
        rows = np.repeat(np.arange(nrows), np.diff(splits)) if nrows else np.zeros(0, np.int64)
        return _count_sparse(op, rows, values, weights, nrows)

    return kernel


for _type, _inputs, _make in (
    ("DenseCountSparseOutput", ["values: T"], _dense_count_kernel),
    (
        "SparseCountSparseOutput",
        ["indices: int64", "values: T", "dense_shape: int64"],
        _sparse_count_kernel,
    ),
    ("RaggedCountSparseOutput", ["splits: int64", "values: T"], _ragged_count_kernel),
):
    register_op(
        _type,
        inputs=[*_inputs, "weights: output_type"],
        outputs=_COUNT_OUTPUTS,
        attrs=_COUNT_ATTRS,
        shape=_count_shapes,
        make_kernel=_make,
    )


# -- tf.sparse.bincount -----------------------------------------------------------------------
def _check_axis(axis, weights, binary_output):
    if weights is not None and binary_output:
        raise ValueError(
            "Arguments `binary_output` and `weights` are mutually exclusive. Please specify "
            "only one."
        )
    if axis is None:
        axis = 0
    if axis not in (0, -1):
        raise ValueError(
            f"Unsupported value for argument axis={axis}. Only 0 and -1 are currently supported."
        )
    return axis


def sparse_bincount(
    values, weights=None, axis=0, minlength=None, maxlength=None, binary_output=False, name=None
):
    """Counts of each value of a dense, sparse or ragged integer tensor as a SparseTensor
    (`tf.sparse.bincount`): over all values (`axis=0`) or per row (`axis=-1`)."""
    from tfgraph.framework.graph import name_scope
    from tfgraph.framework.sparse_tensor import SparseTensor
    from tfgraph.ops import array_ops
    from tfgraph.ragged.ragged_tensor import RaggedTensor

    with name_scope(name, "count", [values, weights]):
        if not isinstance(values, (SparseTensor, RaggedTensor)):
            values = convert_to_tensor(values, name="values")
        if weights is not None and not isinstance(weights, (SparseTensor, RaggedTensor)):
            weights = convert_to_tensor(weights, name="weights")
        axis = _check_axis(axis, weights, binary_output)
        attrs = {
            "minlength": -1 if minlength is None else int(minlength),
            "maxlength": -1 if maxlength is None else int(maxlength),
            "binary_output": bool(binary_output),
        }
        if axis == 0:
            if isinstance(values, RaggedTensor):
                weights = None if weights is None else weights.flat_values
                values = values.flat_values
            elif isinstance(values, SparseTensor):
                weights = None if weights is None else weights.values
                values = values.values
            else:
                weights = None if weights is None else array_ops.reshape(weights, [-1])
                values = array_ops.reshape(values, [-1])
        dtype = values.dtype if weights is None else weights.dtype
        if isinstance(values, SparseTensor):
            w = _flat_weights(weights, dtype)
            inputs = [values.indices, values.values, values.dense_shape, w]
            out = apply_op("SparseCountSparseOutput", None, inputs, attrs)._outputs
        elif isinstance(values, RaggedTensor):
            w = _flat_weights(weights, dtype)
            inputs = [values.row_splits, values.values, w]
            out = apply_op("RaggedCountSparseOutput", None, inputs, attrs)._outputs
        else:
            w = _flat_weights(weights, dtype)
            out = apply_op("DenseCountSparseOutput", None, [values, w], attrs)._outputs
        return SparseTensor(out[0], out[1], out[2])


def _flat_weights(weights, dtype):
    from tfgraph.framework.convert import constant
    from tfgraph.framework.sparse_tensor import SparseTensor
    from tfgraph.ragged.ragged_tensor import RaggedTensor

    if weights is None:
        return constant([], dtype=dtype)
    if isinstance(weights, SparseTensor):
        return weights.values
    if isinstance(weights, RaggedTensor):
        return weights.values
    return weights

"""`tf.strings.split` and `tf.string_split` (TF1) with either result type, as TF's
ragged_string_ops builds them: the StringSplitV2 / StringSplit op in a "StringSplit"
scope, a RaggedTensor from its row ids for result_type="RaggedTensor"."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import name_scope
from tfgraph.framework.sparse_tensor import SparseTensor
from tfgraph.ops import array_ops
from tfgraph.ops.apply import apply_op
from tfgraph.ops.common_shapes import constant_value
from tfgraph.ragged.ragged_tensor import RaggedTensor, convert_to_tensor_or_ragged_tensor

__all__ = ["string_split", "string_split_v2", "strings_split_v1"]


def _sparse_split_v2(source, sep=None, maxsplit=-1) -> SparseTensor:
    """TF's string_ops.string_split_v2: a SparseTensor of the pieces of a vector."""
    sep = convert_to_tensor("" if sep is None else sep, dtype=dtypes.string)
    source = convert_to_tensor(source, dtype=dtypes.string)
    op = apply_op("StringSplitV2", None, [source, sep], {"maxsplit": int(maxsplit)})
    indices, values, shape = op.outputs
    indices.set_shape([None, 2])
    values.set_shape([None])
    shape.set_shape([2])
    return SparseTensor(indices, values, shape)


def _sparse_split_v1(source, sep=None, skip_empty=True, delimiter=None) -> SparseTensor:
    """TF's string_ops.string_split: split at any byte of the delimiter."""
    if delimiter is None:
        delimiter = " " if sep is None else sep
    delimiter = convert_to_tensor(delimiter, dtype=dtypes.string)
    source = convert_to_tensor(source, dtype=dtypes.string)
    op = apply_op("StringSplit", None, [source, delimiter], {"skip_empty": bool(skip_empty)})
    indices, values, shape = op.outputs
    indices.set_shape([None, 2])
    values.set_shape([None])
    shape.set_shape([2])
    return SparseTensor(indices, values, shape)


def _ragged_from_sparse_rows(sparse, source) -> RaggedTensor:
    rt = RaggedTensor.from_value_rowids(
        values=sparse.values,
        value_rowids=sparse.indices[:, 0],
        nrows=sparse.dense_shape[0],
        validate=False,
    )
    # (TF's shape inference evaluates the split of a constant input, so it knows nrows)
    if source.shape.rank == 1 and constant_value(source) is not None:
        rt.row_splits.set_shape([source.shape.as_list()[0] + 1])
    return rt


def string_split_v2(input, sep=None, maxsplit=-1, name=None):
    """`tf.strings.split` (TF2): a RaggedTensor of rank N+1 for strings of rank N."""
    with name_scope(name, "StringSplit", [input]):
        input = convert_to_tensor_or_ragged_tensor(input, dtype=dtypes.string, name="input")
        if isinstance(input, RaggedTensor):
            return input.with_flat_values(string_split_v2(input.flat_values, sep, maxsplit))
        rank = input.shape.ndims
        if rank == 0:
            return string_split_v2(array_ops.stack([input]), sep, maxsplit)[0]
        if rank == 1 or rank is None:
            return _ragged_from_sparse_rows(
                _sparse_split_v2(input, sep=sep, maxsplit=maxsplit), input
            )
        return string_split_v2(RaggedTensor.from_tensor(input), sep, maxsplit)


def strings_split_v1(
    input=None, sep=None, maxsplit=-1, result_type="SparseTensor", source=None, name=None
):
    """`tf.strings.split` (TF1): splits each string at `sep` (a whole string; None: runs
    of whitespace), at most `maxsplit` times; a SparseTensor or RaggedTensor."""
    if input is None:
        input = source
    with name_scope(name, "StringSplit", [input]):
        input = convert_to_tensor_or_ragged_tensor(input, dtype=dtypes.string, name="input")
        if input.shape.rank == 0:
            input = array_ops.expand_dims(input, 0)
        if result_type == "SparseTensor":
            if input.shape.rank == 1:
                return _sparse_split_v2(input, sep=sep, maxsplit=maxsplit)
            return string_split_v2(input, sep=sep, maxsplit=maxsplit).to_sparse()
        if result_type == "RaggedTensor":
            return string_split_v2(input, sep=sep, maxsplit=maxsplit)
        raise ValueError("result_type must be 'RaggedTensor' or 'SparseTensor'.")


def string_split(
    source, sep=None, skip_empty=True, delimiter=None, result_type="SparseTensor", name=None
):
    """`tf.string_split` (TF1): splits each string of a vector at any byte of `sep`
    (default " "; "" splits into bytes); a SparseTensor or RaggedTensor of the pieces."""
    with name_scope(name, "StringSplit", [source]):
        sparse = _sparse_split_v1(source, sep=sep, skip_empty=skip_empty, delimiter=delimiter)
        source = sparse.indices.op.inputs[0]
        if result_type == "SparseTensor":
            return sparse
        if result_type == "RaggedTensor":
            return _ragged_from_sparse_rows(sparse, source)
        raise ValueError("result_type must be 'RaggedTensor' or 'SparseTensor'.")

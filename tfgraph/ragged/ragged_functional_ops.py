"""`tf.ragged.map_flat_values`: an op applied to the flat values of RaggedTensors."""

from __future__ import annotations

from tfgraph.ops import check_ops
from tfgraph.ragged.ragged_tensor import RaggedTensor, convert_to_tensor_or_ragged_tensor, is_ragged

__all__ = ["map_flat_values"]


def _replace(value, partition_lists, nrows):
    if is_ragged(value):
        value = convert_to_tensor_or_ragged_tensor(value)
        partition_lists.append(value._nested_row_partitions)
        n = value.flat_values.shape.as_list()[0] if value.flat_values.shape.ndims else None
        if n is not None:
            nrows.append(n)
        return value.flat_values
    if isinstance(value, list):
        return [_replace(v, partition_lists, nrows) for v in value]
    if isinstance(value, tuple):
        return tuple(_replace(v, partition_lists, nrows) for v in value)
    if isinstance(value, dict):
        return {k: _replace(v, partition_lists, nrows) for k, v in value.items()}
    return value


def _merge(partition_lists):
    dst = list(partition_lists[0])
    for src in partition_lists[1:]:
        if len(src) != len(dst):
            raise ValueError("All ragged inputs must have the same ragged_rank.")
        for i, (a, b) in enumerate(zip(dst, src)):
            if a.row_splits() is not b.row_splits():
                msg = (
                    "RowPartition._merge_precomputed_encodings: partitions have "
                    "incompatible row_splits"
                )
                if not a.row_splits().shape.is_compatible_with(b.row_splits().shape):
                    raise ValueError(msg)
                dst[i] = a._with_dependencies(
                    [check_ops.assert_equal(a.row_splits(), b.row_splits(), message=msg)]
                )
    return dst


def map_flat_values(op, *args, **kwargs):
    """`op` applied to the flat_values of the RaggedTensors among `args`/`kwargs`
    (which must share their row partitions), wrapped back into those partitions."""
    partition_lists: list = []
    nrows: list = []
    inner_args = _replace(args, partition_lists, nrows)
    inner_kwargs = _replace(kwargs, partition_lists, nrows)
    if not partition_lists:
        return op(*args, **kwargs)
    if nrows and len(set(nrows)) != 1:
        raise ValueError(
            "Input RaggedTensors' flat_values must all have the same outer-dimension size.  "
            f"Got sizes: {set(nrows)}"
        )
    if len({p[0].dtype for p in partition_lists}) > 1:
        raise ValueError(
            "Input RaggedTensors have mismatched row partition dtypes; use "
            "RaggedTensor.with_row_splits_dtype() to convert them to compatible dtypes."
        )
    output = op(*inner_args, **inner_kwargs)
    if nrows and not output.shape[:1].is_compatible_with([nrows[0]]):
        raise ValueError(
            "tf.ragged.map_flat_values requires that the output of `op` have the same "
            "outer-dimension size as flat_values of any ragged inputs. (output shape: "
            f"{output.shape}; expected outer dimension size: {nrows[0]})"
        )
    result = output
    for partition in reversed(_merge(partition_lists)):
        result = RaggedTensor._from_row_partition(result, partition, validate=False)
    return result


def embedding_lookup(
    params, ids, partition_strategy="mod", name=None, validate_indices=True, max_norm=None
):
    """tf.nn.embedding_lookup with RaggedTensor ids: the rows of `params` for the flat
    ids, in the ids' row partitions."""
    from tfgraph.framework.graph import name_scope
    from tfgraph.ops import nn_ops

    del validate_indices
    if params is None:
        raise ValueError("params must be specified.")
    if isinstance(params, (list, tuple)) and not params:
        raise ValueError("params should not be empty.")
    if ids.dtype.name not in ("int32", "int64"):
        raise ValueError(
            f"The values contained by the inputs have type {ids.dtype!s} and cannot be "
            "processed. All values should be indices, either of type `int32` or `int64`."
        )
    with name_scope(name, "embedding_lookup_ragged"):
        return map_flat_values(
            nn_ops.embedding_lookup,
            params=params,
            ids=ids,
            partition_strategy=partition_strategy,
            max_norm=max_norm,
        )

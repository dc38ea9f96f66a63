"""The RaggedTensors of `tf.io.RaggedFeature`s parsed by parse_example /
parse_single_example, built from the parse op's ragged outputs and partition features
as TF's parsing_config builds them."""

from __future__ import annotations

from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.ops import array_ops, check_ops, math_ops
from tfgraph.ops.ragged_feature import RaggedFeature
from tfgraph.ops.repeat_ops import repeat
from tfgraph.ragged import ragged_math_ops
from tfgraph.ragged.ragged_tensor import RaggedTensor

__all__ = ["build_ragged_tensors", "ragged_feature_tensor"]


def build_ragged_tensors(serialized_shape, values, row_splits, inner_splits=None) -> list:
    """One RaggedTensor per ragged key (its values for a single example); a
    SequenceExample's feature lists first split their values into rows (`inner_splits`)."""
    if inner_splits is not None:
        values = [
            RaggedTensor.from_row_splits(v, s, validate=False) for v, s in zip(values, inner_splits)
        ]
    if serialized_shape.ndims == 0:
        return list(values)
    return [RaggedTensor.from_row_splits(v, s, validate=False) for v, s in zip(values, row_splits)]


def ragged_feature_tensor(key, feature: RaggedFeature, tensor_dict):
    """The RaggedTensor of RaggedFeature `feature` (under `key`), its partitions applied
    innermost first."""
    value_key = key if feature.value_key is None else feature.value_key
    rt = tensor_dict[value_key]
    if isinstance(rt, RaggedTensor):
        # (a batch of SequenceExamples' feature lists has two batch dimensions: the
        # partitions apply under the outer one, restored at the end)
        outer_splits = None
        if rt.ragged_rank > 1:
            outer_splits, rt = rt.row_splits, rt.values
        for partition in reversed(feature.partitions):
            rt = _add_batched_partition(
                rt, partition, tensor_dict, feature.validate, key, outer_splits
            )
        if outer_splits is not None:
            rt = RaggedTensor.from_row_splits(rt, outer_splits, validate=feature.validate)
        return rt
    for partition in reversed(feature.partitions):
        rt = _add_partition(rt, partition, tensor_dict, feature.row_splits_dtype, feature.validate)
    return rt


_FACTORIES = {
    RaggedFeature.RowSplits: RaggedTensor.from_row_splits,
    RaggedFeature.RowLengths: RaggedTensor.from_row_lengths,
    RaggedFeature.RowStarts: RaggedTensor.from_row_starts,
    RaggedFeature.RowLimits: RaggedTensor.from_row_limits,
    RaggedFeature.ValueRowIds: RaggedTensor.from_value_rowids,
}


def _add_partition(values, partition, tensor_dict, splits_dtype, validate):
    if isinstance(partition, RaggedFeature.UniformRowLength):
        if isinstance(values, RaggedTensor):
            length = convert_to_tensor(partition.length, dtype=splits_dtype)
            return RaggedTensor.from_uniform_row_length(values, length, validate=validate)
        return array_ops.reshape(
            values,
            array_ops.concat([[-1, partition.length], array_ops.shape(values)[1:]], axis=0),
        )
    partition_t = array_ops.cast(tensor_dict[partition.key], splits_dtype)
    return _FACTORIES[type(partition)](values, partition_t, validate=validate)


def _add_batched_partition(rt, partition, tensor_dict, validate, key, outer_splits=None):
    if isinstance(partition, RaggedFeature.UniformRowLength):
        if rt.ragged_rank > 1:
            length = convert_to_tensor(partition.length, rt.row_splits.dtype)
            return RaggedTensor.from_row_splits(
                RaggedTensor.from_uniform_row_length(rt.values, length, validate=validate),
                rt.row_splits // length,
                validate=validate,
            )
        reshaped = array_ops.reshape(
            rt.values,
            array_ops.concat([[-1, partition.length], array_ops.shape(rt.values)[1:]], axis=0),
        )
        return RaggedTensor.from_row_splits(
            reshaped, rt.row_splits // partition.length, validate=validate
        )
    partition_t = tensor_dict[partition.key]
    if partition_t.values.dtype != rt.row_splits.dtype:
        partition_t = partition_t.with_flat_values(
            array_ops.cast(partition_t.flat_values, rt.row_splits.dtype)
        )
    checks = []
    if outer_splits is not None:
        if validate:
            checks.append(
                check_ops.assert_equal(
                    outer_splits,
                    partition_t.row_splits,
                    message=f"Feature {key}: values and partitions are not aligned",
                )
            )
        partition_t = partition_t.values
    with get_default_graph().control_dependencies(checks):
        return _partitioned(rt, partition, partition_t, validate)


def _partitioned(rt, partition, partition_t, validate):
    if isinstance(partition, (RaggedFeature.RowSplits, RaggedFeature.RowLimits)):
        if isinstance(partition, RaggedFeature.RowSplits):
            partition_t = partition_t[:, 1:]
        limits = partition_t.values + repeat(rt.row_starts(), partition_t.row_lengths())
        return partition_t.with_values(
            RaggedTensor.from_row_limits(rt.values, limits, validate=validate)
        )
    if isinstance(partition, RaggedFeature.RowStarts):
        starts = partition_t.values + repeat(rt.row_starts(), partition_t.row_lengths())
        return partition_t.with_values(
            RaggedTensor.from_row_starts(rt.values, starts, validate=validate)
        )
    if isinstance(partition, RaggedFeature.RowLengths):
        return partition_t.with_values(
            RaggedTensor.from_row_lengths(rt.values, partition_t.values, validate=validate)
        )
    nrows = math_ops.maximum(ragged_math_ops.reduce_max(partition_t + 1, axis=1), 0)
    rowids = partition_t.values + repeat(
        math_ops.cumsum(nrows, exclusive=True), partition_t.row_lengths()
    )
    return RaggedTensor.from_row_lengths(
        RaggedTensor.from_value_rowids(rt.values, rowids, validate=validate),
        nrows,
        validate=validate,
    )

"""Partitioned variables: a variable split into shards `x/part_0`, `x/part_1`, ...
along one axis, and the partitioners that choose the split.

`get_variable(..., partitioner=p)` calls `p(shape=TensorShape, dtype=DType)`, which
returns one count per dimension (at most one of them > 1). Each shard is an ordinary
variable carrying a `SaveSliceInfo` (full name, full shape, offset, shard shape), so
savers write it as a slice of the full tensor. The returned `PartitionedVariable`
converts to a tensor as the concatenation of its shards
(`x/ConcatPartitions/concat` and an Identity named `x`), so it works in matmul and
other ops.
"""

from __future__ import annotations

import math

from tfgraph.framework import dtypes
from tfgraph.framework.convert import register_tensor_conversion_function
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops

__all__ = [
    "PartitionedVariable",
    "create_partitioned_variables",
    "fixed_size_partitioner",
    "min_max_variable_partitioner",
    "variable_axis_size_partitioner",
]


class PartitionedVariable:
    """A variable stored as several shards along one axis (TF1 `PartitionedVariable`)."""

    def __init__(self, name: str, shape, dtype, variable_list, partitions) -> None:
        if not isinstance(variable_list, (list, tuple)):
            raise TypeError(f"variable_list is not a list or tuple: {variable_list}")
        if not isinstance(partitions, (list, tuple)):
            raise TypeError(f"partitions is not a list or tuple: {partitions}")
        if not all(p >= 1 for p in partitions):
            raise ValueError(f"partition values must be positive: {partitions}")
        if not variable_list:
            raise ValueError("variable_list may not be empty")
        shape = TensorShape(shape)
        for v in variable_list:
            info = v._get_save_slice_info()
            if info is None:
                raise ValueError(
                    "All variables must have a save_slice_info available: "
                    f"{[v.name for v in variable_list]}"
                )
            if len(shape) != len(partitions):
                raise ValueError(f"len(shape) != len(partitions): {shape} vs. {partitions}")
            if list(info.full_shape) != shape.as_list():
                raise ValueError(
                    f"All variables' full shapes must match shape: {shape}; but full shapes "
                    f"were: {[info.full_shape]}"
                )
        self._variable_list = sorted(
            variable_list, key=lambda v: v._get_save_slice_info().var_offset
        )
        self._name = name
        self._shape = shape
        self._dtype = dtypes.as_dtype(dtype)
        self._partitions = list(partitions)

    def __iter__(self):
        return iter(self._variable_list)

    def __len__(self) -> int:
        n_axes = len(self._partition_axes())
        if n_axes > 1:
            raise ValueError(f"Cannot get a length for {n_axes} > 1 partition axes")
        return len(self._variable_list)

    def _partition_axes(self) -> list[int]:
        if all(p == 1 for p in self._partitions):
            return [0]
        return [i for i, p in enumerate(self._partitions) if p > 1]

    def _concat(self):
        g = get_default_graph()
        if len(self._variable_list) == 1:
            with g.name_scope(None):
                return array_ops.identity(self._variable_list[0], name=self._name)
        axes = self._partition_axes()
        if len(axes) > 1:
            raise NotImplementedError(
                f"Cannot concatenate along more than one dimension: {axes}.  Multi-axis "
                "partition concat is not supported"
            )
        with g.name_scope(self._name + "/ConcatPartitions/"):
            concatenated = array_ops.concat(list(self._variable_list), axes[0])
        with g.name_scope(None):
            return array_ops.identity(concatenated, name=self._name)

    def as_tensor(self):
        """The full value: the shards concatenated (new ops on every call, as in TF)."""
        with get_default_graph().control_dependencies(None):
            return self._concat()

    @property
    def name(self) -> str:
        return self._name

    @property
    def dtype(self) -> dtypes.DType:
        return self._dtype

    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        return self._shape

    @property
    def graph(self):
        return self._variable_list[0].graph

    def _get_variable_list(self) -> list:
        return self._variable_list

    def _get_partitions(self) -> list[int]:
        return self._partitions

    def _apply_assign_fn(self, assign_fn, value) -> list:
        axes = self._partition_axes()
        if len(axes) > 1:
            raise NotImplementedError(
                f"Cannot do assign action along more than one dimension: {axes}.  Multi-axis "
                "partition assign action is not supported "
            )
        if isinstance(value, list):
            if len(value) != len(self._variable_list):
                raise ValueError(
                    f"Expected {len(self._variable_list)} values, one per partition, got "
                    f"{len(value)}"
                )
            values = value
        elif isinstance(value, PartitionedVariable):
            values = list(value)
        else:
            axis = axes[0]
            sizes = [v.shape.as_list()[axis] for v in self._variable_list]
            split = getattr(array_ops, "split", None)
            if split is not None:
                values = split(value, sizes, axis=axis)
            else:
                values = []
                offset = 0
                for v, n in zip(self._variable_list, sizes, strict=True):
                    begin = [0] * len(self._shape)
                    begin[axis] = offset
                    values.append(array_ops.slice(value, begin, v.shape.as_list()))
                    offset += n
        return [assign_fn(v, values[i]) for i, v in enumerate(self._variable_list)]

    def assign(self, value, use_locking: bool = False, name=None, read_value: bool = True):
        """Assigns `value` (a full tensor, or one value per shard) to the shards."""
        out = self._apply_assign_fn(
            lambda v, x: v.assign(x, use_locking=use_locking, name=name, read_value=read_value),
            value,
        )
        return out if read_value else [a.op if hasattr(a, "op") else a for a in out]

    def assign_add(self, value, use_locking: bool = False, name=None, read_value: bool = True):
        out = self._apply_assign_fn(
            lambda v, x: v.assign_add(x, use_locking=use_locking, name=name, read_value=read_value),
            value,
        )
        return out if read_value else [a.op if hasattr(a, "op") else a for a in out]

    def assign_sub(self, value, use_locking: bool = False, name=None, read_value: bool = True):
        out = self._apply_assign_fn(
            lambda v, x: v.assign_sub(x, use_locking=use_locking, name=name, read_value=read_value),
            value,
        )
        return out if read_value else [a.op if hasattr(a, "op") else a for a in out]

    def __repr__(self) -> str:
        return (
            f"<tfgraph PartitionedVariable '{self._name}' shape={self._shape} "
            f"dtype={self._dtype.name} partitions={self._partitions}>"
        )


def _partitioned_variable_conversion(v, dtype=None, name=None, as_ref=False):
    if dtype is not None and not dtypes.as_dtype(dtype).is_compatible_with(v.dtype):
        raise ValueError(
            f"Incompatible type conversion requested to type '{dtypes.as_dtype(dtype).name}' "
            f"for variable of type '{v.dtype.name}'"
        )
    if as_ref:
        raise NotImplementedError("PartitionedVariable doesn't support being used as a reference.")
    return v.as_tensor()


register_tensor_conversion_function(PartitionedVariable, _partitioned_variable_conversion)


# -- partitioners -------------------------------------------------------------------------------
def _element_size(dtype, bytes_per_string_element: int) -> int:
    dtype = dtypes.as_dtype(dtype)
    if dtype._base is dtypes.string:
        return bytes_per_string_element
    return dtype.size


def variable_axis_size_partitioner(
    max_shard_bytes: int, axis: int = 0, bytes_per_string_element: int = 16, max_shards=None
):
    """A partitioner keeping every shard under `max_shard_bytes` (splitting `axis`).

    Args:
        max_shard_bytes: the largest shard size wanted, in bytes.
        axis: the axis to split.
        bytes_per_string_element: the assumed size of one string element.
        max_shards: an upper bound on the number of shards.
    """
    if max_shard_bytes < 1 or bytes_per_string_element < 1:
        raise ValueError(
            "Both max_shard_bytes and bytes_per_string_element must be positive. Currently, "
            f"max_shard_bytes is {max_shard_bytes} andbytes_per_string_element is "
            f"{bytes_per_string_element}"
        )
    if max_shards and max_shards < 1:
        raise ValueError("max_shards must be positive.")

    def _partitioner(shape, dtype):
        if not isinstance(shape, TensorShape):
            raise ValueError(f"shape is not a TensorShape: {shape}")
        if not shape.is_fully_defined():
            raise ValueError(f"shape is not fully defined: {shape}")
        element_size = _element_size(dtype, bytes_per_string_element)
        dims = shape.as_list()
        partitions = [1] * len(dims)
        bytes_per_slice = 1.0 * (shape.num_elements() / dims[axis]) * element_size
        slices_per_shard = max(1, math.floor(max_shard_bytes / bytes_per_slice))
        axis_shards = math.ceil(1.0 * dims[axis] / slices_per_shard)
        if max_shards:
            axis_shards = min(max_shards, axis_shards)
        partitions[axis] = axis_shards
        return partitions

    return _partitioner


def min_max_variable_partitioner(
    max_partitions: int = 1,
    axis: int = 0,
    min_slice_size: int = 256 << 10,
    bytes_per_string_element: int = 16,
):
    """A partitioner making shards of at least `min_slice_size` bytes, at most
    `max_partitions` of them (splitting `axis`)."""

    def _partitioner(shape, dtype):
        shape = TensorShape(shape)
        dims = shape.as_list()
        if axis >= len(dims):
            raise ValueError(
                f"Cannot partition variable along axis {axis} when shape is only {shape}"
            )
        total_size_bytes = shape.num_elements() * _element_size(dtype, bytes_per_string_element)
        partitions = total_size_bytes / min_slice_size
        partitions_list = [1] * len(dims)
        partitions_list[axis] = max(1, min(dims[axis], max_partitions, math.ceil(partitions)))
        return partitions_list

    return _partitioner


def fixed_size_partitioner(num_shards: int, axis: int = 0):
    """A partitioner making `num_shards` shards along `axis` (fewer if the axis is
    shorter)."""

    def _partitioner(shape, **unused_args):
        dims = TensorShape(shape).as_list()
        partitions_list = [1] * len(dims)
        partitions_list[axis] = min(num_shards, dims[axis])
        return partitions_list

    return _partitioner


def create_partitioned_variables(
    shape,
    slicing,
    initializer,
    dtype=dtypes.float32,
    trainable: bool = True,
    collections=None,
    name=None,
    reuse=None,
) -> list:
    """Creates a partitioned variable sliced as `slicing`; returns the list of shards
    (deprecated in TF for `get_variable` with a partitioner)."""
    from tfgraph.variable_scope import _get_partitioned_variable, variable_scope

    if len(shape) != len(slicing):
        raise ValueError(
            "The 'shape' and 'slicing' of a partitioned Variable must have the length: "
            f"shape: {shape}, slicing: {slicing}"
        )
    if len(shape) < 1:
        raise ValueError(f"A partitioned Variable must have rank at least 1: shape: {shape}")

    def partitioner(**unused_kwargs):
        return slicing

    with variable_scope(name, "PartitionedVariable", reuse=reuse):
        partitioned = _get_partitioned_variable(
            name=None,
            shape=shape,
            dtype=dtype,
            initializer=initializer,
            trainable=trainable,
            partitioner=partitioner,
            collections=collections,
        )
        return list(partitioned)

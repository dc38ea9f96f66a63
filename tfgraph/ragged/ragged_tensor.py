"""`tf.RaggedTensor`: values split into rows by one RowPartition per ragged dimension.

As in TF, a RaggedTensor is a composite of ordinary tensors (flat_values plus one
row_splits vector per ragged dimension); every method builds ordinary ops (or the
Ragged* ops of tfgraph/ops/ragged_ops.py) the way TF's Python does. Session.run of
one gives a `RaggedTensorValue`; a RaggedTensor built by `tf.ragged.placeholder`
can be fed one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.graph import name_scope
from tfgraph.framework.ops import Tensor
from tfgraph.framework.sparse_tensor import SparseTensor
from tfgraph.framework.tensor_shape import TensorShape, as_shape
from tfgraph.ops import array_ops, check_ops, control_flow_ops, math_ops
from tfgraph.ops.common_shapes import tf_constant_value as constant_value
from tfgraph.ragged.ragged_tensor_value import RaggedTensorValue
from tfgraph.ragged.row_partition import RowPartition, _convert_partition

__all__ = [
    "RaggedTensor",
    "RaggedTensorSpec",
    "convert_to_tensor_or_ragged_tensor",
    "is_ragged",
]


def _check_validate(validate) -> None:
    if not isinstance(validate, bool):
        raise TypeError(f"Argument `validate` must have type bool. Received {validate}.")


def _partition_dtype(values):
    return values._row_partition.dtype if isinstance(values, RaggedTensor) else None


def _nrows(tensor, out_type=dtypes.int32):
    if isinstance(tensor, RaggedTensor):
        return tensor.nrows(out_type=out_type)
    return array_ops.shape(tensor, out_type=out_type)[0]


class RaggedTensor:
    """A tensor with one or more ragged dimensions (TF's `tf.RaggedTensor`)."""

    def __init__(self, values, row_partition, internal=False) -> None:
        if not internal:
            raise ValueError(
                "RaggedTensor constructor is private; please use one of the factory "
                "methods instead (e.g., RaggedTensor.from_row_lengths())"
            )
        if not isinstance(values, (Tensor, RaggedTensor)):
            raise TypeError(f"type(values) must be one of: 'Tensor, RaggedTensor', got {values}")
        if not isinstance(row_partition, RowPartition):
            raise TypeError(
                f"Argument `row_partition` must be a RowPartition. Received {row_partition}."
            )
        values.shape.with_rank_at_least(1)
        self._values = values
        self._row_partition = row_partition

    # -- factories --------------------------------------------------------------------
    @classmethod
    def _from_row_partition(cls, values, row_partition, validate=True):
        _check_validate(validate)
        values = _convert_values(values, row_partition)
        if row_partition._has_precomputed_value_rowids():
            values.shape[:1].assert_is_compatible_with(row_partition.value_rowids().shape)
        if validate:
            msg = "Arguments to _from_row_partition do not form a valid RaggedTensor"
            nvals = _nrows(values, row_partition.dtype)
            checks = [
                check_ops.assert_equal(
                    array_ops.cast(row_partition.nvals(), row_partition.dtype),
                    nvals,
                    message=msg,
                )
            ]
            if not isinstance(values, RaggedTensor):
                checks.append(check_ops.assert_rank_at_least(values, 1))
            row_partition = row_partition._with_dependencies(checks)
        return cls(values=values, row_partition=row_partition, internal=True)

    @classmethod
    def from_value_rowids(cls, values, value_rowids, nrows=None, name=None, validate=True):
        """Rows given by each value's row index (`value_rowids`, sorted)."""
        _check_validate(validate)
        with name_scope(name, "RaggedFromValueRowIds", [values, value_rowids, nrows]):
            partition = RowPartition.from_value_rowids(
                value_rowids, nrows, validate=validate, dtype_hint=_partition_dtype(values)
            )
            return cls._from_row_partition(values, partition, validate=validate)

    @classmethod
    def from_row_splits(cls, values, row_splits, name=None, validate=True):
        """Row i is `values[row_splits[i]:row_splits[i + 1]]`."""
        _check_validate(validate)
        with name_scope(name, "RaggedFromRowSplits", [values, row_splits]):
            partition = RowPartition.from_row_splits(
                row_splits, validate=validate, dtype_hint=_partition_dtype(values)
            )
            return cls._from_row_partition(values, partition, validate=validate)

    @classmethod
    def from_row_lengths(cls, values, row_lengths, name=None, validate=True):
        """Rows of the given lengths, in order."""
        _check_validate(validate)
        with name_scope(name, "RaggedFromRowLengths", [values, row_lengths]):
            partition = RowPartition.from_row_lengths(
                row_lengths, validate=validate, dtype_hint=_partition_dtype(values)
            )
            return cls._from_row_partition(values, partition, validate=validate)

    @classmethod
    def from_row_starts(cls, values, row_starts, name=None, validate=True):
        _check_validate(validate)
        with name_scope(name, "RaggedFromRowStarts", [values, row_starts]):
            values = _convert_to_ragged_values(values)
            partition = RowPartition.from_row_starts(
                row_starts,
                nvals=_nrows(values),
                validate=validate,
                dtype_hint=_partition_dtype(values),
            )
            return cls._from_row_partition(values, partition, validate=validate)

    @classmethod
    def from_row_limits(cls, values, row_limits, name=None, validate=True):
        _check_validate(validate)
        with name_scope(name, "RaggedFromRowLimits", [values, row_limits]):
            values = _convert_to_ragged_values(values)
            partition = RowPartition.from_row_limits(
                row_limits, validate=validate, dtype_hint=_partition_dtype(values)
            )
            return cls._from_row_partition(values, partition, validate=validate)

    @classmethod
    def from_uniform_row_length(
        cls, values, uniform_row_length, nrows=None, validate=True, name=None
    ):
        _check_validate(validate)
        with name_scope(name, "RaggedFromUniformRowLength", [values, uniform_row_length, nrows]):
            values = _convert_to_ragged_values(values)
            uniform_row_length = _convert_partition(
                uniform_row_length, "UniformRowLength", dtype_hint=_partition_dtype(values)
            )
            nvals = _nvals_uniform_row_length(values, uniform_row_length)
            partition = RowPartition.from_uniform_row_length(
                uniform_row_length,
                nvals=nvals,
                nrows=nrows,
                validate=validate,
                dtype_hint=_partition_dtype(values),
            )
            return cls._from_row_partition(values, partition, validate=validate)

    @classmethod
    def from_nested_value_rowids(
        cls, flat_values, nested_value_rowids, nested_nrows=None, name=None, validate=True
    ):
        _check_validate(validate)
        if isinstance(nested_value_rowids, Tensor):
            raise TypeError(
                "Argument `nested_value_rowids` must be a list of Tensors. Received "
                f"{nested_value_rowids}."
            )
        if nested_nrows is None:
            nested_nrows = [None] * len(nested_value_rowids)
        elif len(nested_nrows) != len(nested_value_rowids):
            raise ValueError(
                "Argument `nested_nrows` must have the same length as argument "
                f"`nested_value_rowids`. len(nested_nrows) = {len(nested_nrows)} vs. "
                f"len(nested_values_rowids) = {len(nested_value_rowids)}."
            )
        with name_scope(name, "RaggedFromNestedValueRowIds", [flat_values]):
            result = flat_values
            for rowids, nrows in reversed(list(zip(nested_value_rowids, nested_nrows))):
                result = cls.from_value_rowids(result, rowids, nrows, validate=validate)
            return result

    @classmethod
    def from_nested_row_splits(cls, flat_values, nested_row_splits, name=None, validate=True):
        _check_validate(validate)
        if isinstance(nested_row_splits, Tensor):
            raise TypeError(
                "Argument `nested_row_splits` must be a list of Tensors. Received "
                f"{nested_row_splits}."
            )
        with name_scope(name, "RaggedFromNestedRowSplits", [flat_values]):
            result = flat_values
            for splits in reversed(nested_row_splits):
                result = cls.from_row_splits(result, splits, validate=validate)
            return result

    @classmethod
    def from_nested_row_lengths(cls, flat_values, nested_row_lengths, name=None, validate=True):
        _check_validate(validate)
        if isinstance(nested_row_lengths, Tensor):
            raise TypeError(
                "Argument `nested_row_lengths` must be a list of Tensors. Received "
                f"{nested_row_lengths}."
            )
        with name_scope(name, "RaggedFromNestedRowlengths", [flat_values]):
            result = flat_values
            for lengths in reversed(nested_row_lengths):
                result = cls.from_row_lengths(result, lengths, validate=validate)
            return result

    # -- properties -------------------------------------------------------------------
    @property
    def dtype(self):
        return self._values.dtype

    @property
    def shape(self) -> TensorShape:
        nrows = self._row_partition.static_nrows
        ncols = self._row_partition.static_uniform_row_length
        return TensorShape([nrows, ncols]).concatenate(self._values.shape[1:])

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def ragged_rank(self) -> int:
        if isinstance(self._values, RaggedTensor):
            return self._values.ragged_rank + 1
        return 1

    @property
    def values(self):
        return self._values

    @property
    def _nested_row_partitions(self) -> tuple:
        parts = [self._row_partition]
        v = self._values
        while isinstance(v, RaggedTensor):
            parts.append(v._row_partition)
            v = v._values
        return tuple(parts)

    @property
    def row_splits(self) -> Tensor:
        return self._row_partition.row_splits()

    @property
    def uniform_row_length(self):
        return self._row_partition.uniform_row_length()

    @property
    def flat_values(self) -> Tensor:
        v = self._values
        while isinstance(v, RaggedTensor):
            v = v._values
        return v

    @property
    def nested_row_splits(self) -> tuple:
        return tuple(p.row_splits() for p in self._nested_row_partitions)

    @property
    def graph(self):
        return self.flat_values.graph

    def value_rowids(self, name=None) -> Tensor:
        with name_scope(name, "RaggedValueRowIds", [self]):
            return self._row_partition.value_rowids()

    def nested_value_rowids(self, name=None) -> tuple:
        with name_scope(name, "RaggedNestedValueRowIds", [self]):
            ids = [self.value_rowids()]
            v = self._values
            while isinstance(v, RaggedTensor):
                ids.append(v.value_rowids())
                v = v._values
            return tuple(ids)

    def nrows(self, out_type=None, name=None) -> Tensor:
        with name_scope(name, "RaggedNRows", [self]):
            if out_type is None:
                return self._row_partition.nrows()
            return array_ops.cast(self._row_partition.nrows(), dtype=out_type)

    def row_starts(self, name=None) -> Tensor:
        with name_scope(name, "RaggedRowStarts", [self]):
            return self._row_partition.row_starts()

    def row_limits(self, name=None) -> Tensor:
        with name_scope(name, "RaggedRowLimits", [self]):
            return self._row_partition.row_limits()

    def row_lengths(self, axis=1, name=None):
        if axis == 0:
            return self._row_partition.nrows()
        if axis == 1:
            return self._row_partition.row_lengths()
        with name_scope(name, "RaggedRowLengths", [self]):
            axis = _positive_axis(axis, self.shape.rank)
            if axis == 0:
                return self.nrows()
            if axis == 1:
                splits = self.row_splits
                return splits[1:] - splits[:-1]
            if isinstance(self._values, RaggedTensor):
                return self.with_values(self._values.row_lengths(axis - 1))
            shape = array_ops.shape(self._values, out_type=self._row_partition.dtype)
            return self.with_values(
                array_ops.ones(shape[: axis - 1], self._row_partition.dtype) * shape[axis - 1]
            )

    def nested_row_lengths(self, name=None) -> tuple:
        with name_scope(name, "RaggedNestedRowLengths", [self]):
            out = []
            rt: Any = self
            while isinstance(rt, RaggedTensor):
                out.append(rt.row_lengths())
                rt = rt._values
            return tuple(out)

    def bounding_shape(self, axis=None, name=None, out_type=None) -> Tensor:
        """The smallest dense shape holding this tensor (its longest rows)."""
        out_type = self._row_partition.dtype if out_type is None else dtypes.as_dtype(out_type)
        with name_scope(name, "RaggedBoundingBox", [self, axis]):
            nested_splits = self.nested_row_splits
            if isinstance(axis, int):
                if axis == 0:
                    return array_ops.shape(nested_splits[0], out_type=out_type)[0] - 1
                if axis == 1:
                    result = math_ops.maximum(math_ops.reduce_max(self.row_lengths()), 0)
                    if out_type != self._row_partition.dtype:
                        result = array_ops.cast(result, out_type)
                    return result
            splits_shape = array_ops.shape(self.row_splits, out_type=out_type)
            flat_shape = array_ops.shape(self.flat_values, out_type=out_type)
            ragged_dims = [splits_shape[0] - 1] + [
                math_ops.maximum(math_ops.reduce_max(s[1:] - s[:-1]), 0) for s in nested_splits
            ]
            inner_dims = flat_shape[1:]
            if out_type != self._row_partition.dtype:
                ragged_dims = [array_ops.cast(d, out_type) for d in ragged_dims]
            bbox = array_ops.concat([array_ops.stack(ragged_dims), inner_dims], axis=0)
            return bbox if axis is None else array_ops.gather(bbox, axis)

    def with_values(self, new_values) -> RaggedTensor:
        new_values = _convert_to_ragged_values(new_values)
        new_values.shape.with_rank_at_least(1)
        self._values.shape[:1].assert_is_compatible_with(new_values.shape[:1])
        if (
            isinstance(new_values, RaggedTensor)
            and self._row_partition.dtype != new_values.row_splits.dtype
        ):
            raise ValueError(
                "self and new_values have mismatched row_splits dtypes; use "
                "RaggedTensor.with_row_splits_dtype() to convert them to compatible dtypes."
            )
        return RaggedTensor(new_values, self._row_partition, internal=True)

    def with_flat_values(self, new_values) -> RaggedTensor:
        if isinstance(self._values, RaggedTensor):
            return self.with_values(self._values.with_flat_values(new_values))
        return self.with_values(_convert_to_ragged_values(new_values))

    def with_row_splits_dtype(self, dtype) -> RaggedTensor:
        dtype = dtypes.as_dtype(dtype)
        if dtype not in (dtypes.int32, dtypes.int64):
            raise ValueError(
                f"Argument `row_splits` dtype must be int32 or int64. Received {dtype}."
            )
        if self._row_partition.dtype == dtype:
            return self
        values = self._values
        if isinstance(values, RaggedTensor):
            values = values.with_row_splits_dtype(dtype)
        return RaggedTensor(values, self._row_partition.with_dtype(dtype), internal=True)

    # -- conversions ------------------------------------------------------------------
    @classmethod
    def from_tensor(
        cls,
        tensor,
        lengths=None,
        padding=None,
        ragged_rank=1,
        name=None,
        row_splits_dtype=dtypes.int64,
    ):
        from tfgraph.ragged.ragged_conversion import from_tensor

        return from_tensor(cls, tensor, lengths, padding, ragged_rank, name, row_splits_dtype)

    def to_tensor(self, default_value=None, name=None, shape=None) -> Tensor:
        from tfgraph.ragged.ragged_conversion import to_tensor

        return to_tensor(self, default_value, name, shape)

    @classmethod
    def from_sparse(cls, st_input, name=None, row_splits_dtype=dtypes.int64):
        from tfgraph.ragged.ragged_conversion import from_sparse

        return from_sparse(cls, st_input, name, row_splits_dtype)

    def to_sparse(self, name=None) -> SparseTensor:
        from tfgraph.ragged.ragged_conversion import to_sparse

        return to_sparse(self, name)

    def _is_eager(self) -> bool:
        from tfgraph.eager.tensor import EagerTensor

        return all(isinstance(t, EagerTensor) for t in (*self.nested_row_splits, self.flat_values))

    def _eager_value(self) -> RaggedTensorValue:
        value = self.flat_values.numpy()
        for splits in reversed(self.nested_row_splits):
            value = RaggedTensorValue(value, splits.numpy())
        return value

    def to_list(self):
        """The value as nested Python lists (eager mode only, as in TF)."""
        if not self._is_eager():
            raise ValueError("to_list can only be used in eager mode.")
        return self._eager_value().to_list()

    def numpy(self):
        """Rows as numpy arrays in an object array (eager mode only, as in TF)."""
        if not self._is_eager():
            raise ValueError("RaggedTensor.numpy() is only supported in eager mode.")
        values = self.values.numpy()
        splits = self.row_splits.numpy()
        rows = [values[splits[i] : splits[i + 1]] for i in range(len(splits) - 1)]
        if not rows:
            return np.zeros((0, 0) + values.shape[1:], dtype=values.dtype)
        out = np.empty(len(rows), dtype=object)
        out[:] = rows
        return out

    def merge_dims(self, outer_axis, inner_axis):
        from tfgraph.ragged.ragged_conversion import merge_dims

        outer_axis = _positive_axis(outer_axis, self.shape.rank, "outer_axis")
        inner_axis = _positive_axis(inner_axis, self.shape.rank, "inner_axis")
        if not outer_axis <= inner_axis:
            raise ValueError(
                f"Expected outer_axis ({outer_axis}) to be less than or equal to "
                f"inner_axis ({inner_axis})."
            )
        return merge_dims(self, outer_axis, inner_axis)

    # -- session support --------------------------------------------------------------
    def _tfgraph_fetch_components(self):
        """Session.run fetches the splits and flat values, rebuilt as a RaggedTensorValue."""
        return [*self.nested_row_splits, self.flat_values], _value_from_components

    def _tfgraph_feed_components(self) -> list:
        """The tensors a fed RaggedTensorValue's splits and flat values go to."""
        return [*self.nested_row_splits, self.flat_values]

    def _tfgraph_components(self) -> list:
        """Its tensors in TF's composite order (nest.flatten(expand_composites=True))."""
        return [self.flat_values, *self.nested_row_splits]

    def _tfgraph_rebuild(self, parts) -> RaggedTensor:
        """A RaggedTensor like this one over `parts` (tensors in the order above), with
        this one's static shape (TF's RaggedTensorSpec._from_components)."""
        result = parts[0]
        for splits in reversed(parts[1:]):
            partition = RowPartition.from_row_splits(splits, validate=False)
            result = RaggedTensor(result, partition, internal=True)
        shape = self.shape
        if shape.rank is not None:
            dims = shape.as_list()
            if dims[0] is not None:
                result.row_splits.set_shape([dims[0] + 1])
            result.flat_values.set_shape([None] + dims[self.ragged_rank + 1 :])
        return result

    def _as_graph_element(self):
        return self.flat_values

    @property
    def _type_spec(self):
        return RaggedTensorSpec.from_value(self)

    def eval(self, feed_dict=None, session=None):
        from tfgraph.framework.default_session import get_default_session

        session = session or get_default_session()
        if session is None:
            raise ValueError(
                "Cannot evaluate tensor using `eval()`: No default session is registered."
            )
        return session.run(self, feed_dict=feed_dict)

    def __repr__(self) -> str:
        if self._is_eager():
            return f"<tf.RaggedTensor {self.to_list()}>"
        if self._row_partition.is_uniform():
            return (
                f"tf.RaggedTensor(values={self._values}, "
                f"row_splits={self.row_splits}, "
                f"uniform_row_length={self.uniform_row_length})"
            )
        return f"tf.RaggedTensor(values={self._values}, row_splits={self.row_splits})"

    __str__ = __repr__

    def __bool__(self):
        raise TypeError("RaggedTensor may not be used as a boolean.")

    __hash__ = object.__hash__


def _value_from_components(parts):
    parts = list(parts)
    value = parts.pop()
    while parts:
        value = RaggedTensorValue(value, parts.pop())
    return value


def _positive_axis(axis, ndims, axis_name="axis"):
    if not isinstance(axis, int):
        raise TypeError(f"{axis_name} must be an int; got {type(axis).__name__}")
    if ndims is not None:
        if 0 <= axis < ndims:
            return axis
        if -ndims <= axis < 0:
            return axis + ndims
        raise ValueError(
            f"{axis_name}={axis} out of bounds: expected {-ndims}<={axis_name}<{ndims}"
        )
    if axis < 0:
        raise ValueError(f"{axis_name} may only be negative if rank(self) is statically known.")
    return axis


def _nvals_uniform_row_length(values, uniform_row_length):
    const_nvals = values.shape.as_list()[0] if values.shape.rank else None
    if const_nvals is not None:
        return constant(const_nvals, uniform_row_length.dtype)
    if isinstance(values, RaggedTensor):
        return values.nrows(out_type=uniform_row_length.dtype)
    return array_ops.shape(values, out_type=uniform_row_length.dtype)[0]


def _convert_values(values, row_partition):
    if isinstance(values, RaggedTensor):
        if values._row_partition.dtype != row_partition.dtype:
            raise ValueError(
                "Argument `row_partition` of RaggedTensor with name: partition must have "
                f"same dtype as Argument `values`. ({row_partition.dtype} vs. "
                f"{values._row_partition.dtype})."
            )
        return values
    return _convert_to_ragged_values(values)


def _convert_to_ragged_values(value):
    if isinstance(value, (Tensor, RaggedTensor)):
        return value
    return convert_to_tensor_or_ragged_tensor(value, name="values")


def is_ragged(value) -> bool:
    return isinstance(value, (RaggedTensor, RaggedTensorValue))


def convert_to_tensor_or_ragged_tensor(value, dtype=None, preferred_dtype=None, name=None):
    """`value` unchanged if ragged, a RaggedTensor for a RaggedTensorValue, else a Tensor."""
    if isinstance(value, RaggedTensor):
        if dtype and not dtypes.as_dtype(dtype).is_compatible_with(value.dtype):
            raise ValueError(
                f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} for "
                f"RaggedTensor with dtype {value.dtype.name}: {value}."
            )
        return value
    if isinstance(value, RaggedTensorValue):
        with name_scope(name, "ConvertToTensorOrRaggedTensor", []):
            flat_values = convert_to_tensor(
                value.flat_values, dtype=dtype, dtype_hint=preferred_dtype, name="flat_values"
            )
            return RaggedTensor.from_nested_row_splits(
                flat_values, value.nested_row_splits, validate=False
            )
    return convert_to_tensor(value, dtype=dtype, dtype_hint=preferred_dtype, name=name)


def match_row_splits_dtypes(*tensors, **kwargs):
    """The tensors with one row_splits dtype (int64 if they differ and
    `return_dtype` aside, as TF with auto-casting off raises)."""
    return_dtype = kwargs.pop("return_dtype", False)
    has_int32 = any(is_ragged(t) and t.row_splits.dtype == dtypes.int32 for t in tensors)
    has_int64 = any(is_ragged(t) and t.row_splits.dtype == dtypes.int64 for t in tensors)
    if has_int32 and has_int64:
        raise ValueError(
            "Input RaggedTensors have mismatched row_splits dtypes; use "
            "RaggedTensor.with_row_splits_dtype() to convert them to compatible dtypes."
        )
    dtype = dtypes.int32 if has_int32 else dtypes.int64 if has_int64 else None
    return (dtype, tensors) if return_dtype else tensors


class RaggedTensorSpec:
    """The type of a RaggedTensor: shape, dtype, ragged_rank, row_splits_dtype."""

    def __init__(
        self,
        shape=None,
        dtype=dtypes.float32,
        ragged_rank=None,
        row_splits_dtype=dtypes.int64,
        flat_values_spec=None,
    ) -> None:
        self._shape = as_shape(shape)
        self._row_splits_dtype = dtypes.as_dtype(row_splits_dtype)
        self._flat_values_spec = flat_values_spec
        if flat_values_spec is not None:
            dtype = flat_values_spec.dtype
        self._dtype = dtypes.as_dtype(dtype)
        rank = self._shape.rank
        if ragged_rank is None:
            if rank is None:
                raise ValueError("Must specify ragged_rank or a shape with a known rank.")
            ragged_rank = rank - 1
        self._ragged_rank = ragged_rank
        if not isinstance(ragged_rank, int):
            raise TypeError(f"Argument `ragged_rank` must be an int. Received {ragged_rank}.")
        if rank is not None:
            if ragged_rank >= rank:
                raise ValueError(
                    f"Argument `ragged_rank` ({ragged_rank}) must be less than rank ({rank})."
                )

    dtype = property(lambda self: self._dtype)
    shape = property(lambda self: self._shape)
    ragged_rank = property(lambda self: self._ragged_rank)
    row_splits_dtype = property(lambda self: self._row_splits_dtype)
    flat_values_spec = property(lambda self: self._flat_values_spec)

    @property
    def value_type(self):
        return RaggedTensor if self._ragged_rank > 0 else Tensor

    @classmethod
    def from_value(cls, value) -> RaggedTensorSpec:
        if isinstance(value, RaggedTensorValue):
            return cls(
                shape=value.shape,
                dtype=dtypes.as_dtype(value.values.dtype),
                ragged_rank=value.ragged_rank,
                row_splits_dtype=dtypes.as_dtype(value.row_splits.dtype),
            )
        return cls(
            shape=value.shape,
            dtype=value.dtype,
            ragged_rank=value.ragged_rank,
            row_splits_dtype=value.row_splits.dtype,
        )

    def is_compatible_with(self, spec_or_value) -> bool:
        other = spec_or_value
        if not isinstance(other, RaggedTensorSpec):
            if not is_ragged(other):
                return False
            other = RaggedTensorSpec.from_value(other)
        return (
            self._dtype.is_compatible_with(other._dtype)
            and self._shape.is_compatible_with(other._shape)
            and self._ragged_rank == other._ragged_rank
            and self._row_splits_dtype == other._row_splits_dtype
        )

    def __eq__(self, other) -> bool:
        return (
            type(other) is RaggedTensorSpec
            and self._dtype == other._dtype
            and self._shape == other._shape
            and self._ragged_rank == other._ragged_rank
            and self._row_splits_dtype == other._row_splits_dtype
        )

    def __hash__(self) -> int:
        return hash((self._dtype, self._ragged_rank, self._row_splits_dtype))

    def __repr__(self) -> str:
        return (
            f"RaggedTensorSpec({self._shape!r}, "
            f"{self._dtype!r}, {self._ragged_rank}, {self._row_splits_dtype!r})"
        )


_ = (constant_value, control_flow_ops)

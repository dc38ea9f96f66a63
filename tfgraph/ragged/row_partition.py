"""RowPartition: how a RaggedTensor's outer dimension splits its values into rows.

Built as TF's Python builds it (row_partition.py): each factory opens its
`RowPartitionFrom...` name scope, converts its encoding to an int32/int64 tensor,
adds the validation asserts when `validate=True`, and derives `row_splits`.
"""

from __future__ import annotations

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.graph import name_scope
from tfgraph.framework.ops import Tensor
from tfgraph.ops import array_ops, check_ops, control_flow_ops, math_ops
from tfgraph.ops.common_shapes import tf_constant_value as constant_value
from tfgraph.ops.manip_ops import bincount

__all__ = ["RowPartition"]

_KEY = object()  # (only the factories below may call the constructor)


def _assert_monotonic_increasing(tensor, message=None):
    return check_ops.assert_non_negative(tensor[1:] - tensor[:-1], message=message)


def _assert_zero(tensor, message=None):
    return check_ops.assert_equal(tensor, constant(0, dtype=tensor.dtype), message=message)


def _convert_partition(partition, name, dtype=None, dtype_hint=None) -> Tensor:
    """`partition` as an int32/int64 tensor (int64 unless it says otherwise)."""
    if dtype_hint is None:
        dtype_hint = dtypes.int64
    if isinstance(partition, np.ndarray) and partition.dtype == np.int32 and dtype is None:
        partition = convert_to_tensor(partition, name=name)
    else:
        partition = convert_to_tensor(partition, dtype=dtype, dtype_hint=dtype_hint, name=name)
    if partition.dtype not in (dtypes.int32, dtypes.int64):
        raise ValueError(f"{name} must have dtype int32 or int64")
    return partition


def _check_validate(validate) -> None:
    if not isinstance(validate, bool):
        raise TypeError("validate must have type bool")


class RowPartition:
    """The partitioning of a sequence of values into rows (row_splits plus any other
    encodings the factory computed on the way)."""

    def __init__(
        self,
        row_splits,
        row_lengths=None,
        value_rowids=None,
        nrows=None,
        uniform_row_length=None,
        nvals=None,
        internal=None,
    ) -> None:
        if internal is not _KEY:
            raise ValueError(
                "RowPartition constructor is private; please use one of the factory "
                "methods instead (e.g., RowPartition.from_row_lengths())"
            )
        if not isinstance(row_splits, Tensor):
            raise TypeError(f"Row-partitioning argument must be a Tensor, got {row_splits!r}")
        if row_splits.dtype not in (dtypes.int32, dtypes.int64):
            raise ValueError("Row-partitioning argument must be int32 or int64")
        row_splits.shape.with_rank(1)
        row_splits.set_shape([None])
        self._row_splits = row_splits
        self._row_lengths = row_lengths
        self._value_rowids = value_rowids
        self._nrows = nrows
        self._uniform_row_length = uniform_row_length
        self._nvals = nvals

    # -- factories --------------------------------------------------------------------
    @classmethod
    def from_row_splits(cls, row_splits, validate=True, dtype=None, dtype_hint=None):
        _check_validate(validate)
        if isinstance(row_splits, (list, tuple)) and not row_splits:
            raise ValueError("row_splits tensor may not be empty.")
        with name_scope(None, "RowPartitionFromRowSplits"):
            row_splits = _convert_partition(row_splits, "row_splits", dtype, dtype_hint)
            row_splits.shape.with_rank(1)
            if validate:
                msg = "Arguments to from_row_splits do not form a valid RaggedTensor:"
                checks = [
                    check_ops.assert_rank(row_splits, 1, message=msg + "rank"),
                    _assert_zero(row_splits[0], message=msg + "zero"),
                    _assert_monotonic_increasing(row_splits, message=msg + "monotonic"),
                ]
                row_splits = control_flow_ops.with_dependencies(checks, row_splits)
            return cls(row_splits=row_splits, internal=_KEY)

    @classmethod
    def from_row_lengths(cls, row_lengths, validate=True, dtype=None, dtype_hint=None):
        _check_validate(validate)
        with name_scope(None, "RowPartitionFromRowLengths"):
            row_lengths = _convert_partition(row_lengths, "row_lengths", dtype, dtype_hint)
            row_lengths.shape.with_rank(1)
            if validate:
                msg = "Arguments to from_row_lengths do not form a valid RowPartition"
                checks = [
                    check_ops.assert_rank(row_lengths, 1, message=msg),
                    check_ops.assert_non_negative(row_lengths, message=msg),
                ]
                row_lengths = control_flow_ops.with_dependencies(checks, row_lengths)
            row_limits = math_ops.cumsum(row_lengths)
            row_splits = array_ops.concat([[0], row_limits], axis=0)
            return cls(row_splits=row_splits, row_lengths=row_lengths, internal=_KEY)

    @classmethod
    def from_value_rowids(
        cls, value_rowids, nrows=None, validate=True, dtype=None, dtype_hint=None
    ):
        _check_validate(validate)
        with name_scope(None, "RowPartitionFromValueRowIds"):
            value_rowids = _convert_partition(value_rowids, "value_rowids", dtype, dtype_hint)
            if nrows is None:
                const_rowids = constant_value(value_rowids)
                if const_rowids is None:
                    nrows = array_ops.concat([value_rowids[-1:], [-1]], axis=0)[0] + 1
                    const_nrows = None
                else:
                    const_nrows = int(const_rowids[-1]) + 1 if const_rowids.size > 0 else 0
                    nrows = convert_to_tensor(const_nrows, value_rowids.dtype, name="nrows")
            else:
                nrows = convert_to_tensor(nrows, value_rowids.dtype, name="nrows")
                const_nrows = constant_value(nrows)
                if const_nrows is not None:
                    const_nrows = int(const_nrows)
                    if const_nrows < 0:
                        raise ValueError(f"Expected nrows >= 0; got {const_nrows}")
                    const_rowids = constant_value(value_rowids)
                    if const_rowids is not None and const_rowids.size > 0:
                        if not const_nrows >= const_rowids[-1] + 1:
                            raise ValueError(
                                "Expected nrows >= value_rowids[-1] + 1; got "
                                f"nrows={const_nrows}, value_rowids[-1]={const_rowids[-1]}"
                            )
            value_rowids.shape.with_rank(1)
            nrows.shape.with_rank(0)
            if validate:
                msg = "Arguments to from_value_rowids do not form a valid RowPartition"
                checks = [
                    check_ops.assert_rank(value_rowids, 1, message=msg),
                    check_ops.assert_rank(nrows, 0, message=msg),
                    check_ops.assert_non_negative(value_rowids[:1], message=msg),
                    _assert_monotonic_increasing(value_rowids, message=msg),
                    check_ops.assert_less(value_rowids[-1:], nrows, message=msg),
                ]
                value_rowids = control_flow_ops.with_dependencies(checks, value_rowids)
            rowids_int32 = array_ops.cast(value_rowids, dtypes.int32)
            nrows_int32 = array_ops.cast(nrows, dtypes.int32)
            row_lengths = bincount(
                rowids_int32,
                minlength=nrows_int32,
                maxlength=nrows_int32,
                dtype=value_rowids.dtype,
            )
            row_splits = array_ops.concat([[0], math_ops.cumsum(row_lengths)], axis=0)
            if const_nrows is not None:
                row_lengths.set_shape([const_nrows])
                row_splits.set_shape([const_nrows + 1])
            return cls(
                row_splits=row_splits,
                row_lengths=row_lengths,
                value_rowids=value_rowids,
                nrows=nrows,
                internal=_KEY,
            )

    @classmethod
    def from_row_starts(cls, row_starts, nvals, validate=True, dtype=None, dtype_hint=None):
        _check_validate(validate)
        with name_scope(None, "RowPartitionFromRowStarts"):
            row_starts = _convert_partition(row_starts, "row_starts", dtype, dtype_hint)
            row_starts.shape.with_rank(1)
            nvals = array_ops.cast(nvals, row_starts.dtype)
            if validate:
                msg = "Arguments to from_row_starts do not form a valid RaggedTensor"
                checks = [
                    check_ops.assert_rank(row_starts, 1, message=msg),
                    _assert_zero(row_starts[:1], message=msg),
                    _assert_monotonic_increasing(row_starts, message=msg),
                    check_ops.assert_less_equal(row_starts[-1:], nvals, message=msg),
                ]
                row_starts = control_flow_ops.with_dependencies(checks, row_starts)
            row_splits = array_ops.concat([row_starts, [nvals]], axis=0)
            return cls(row_splits=row_splits, nvals=nvals, internal=_KEY)

    @classmethod
    def from_row_limits(cls, row_limits, validate=True, dtype=None, dtype_hint=None):
        _check_validate(validate)
        with name_scope(None, "RowPartitionFromRowLimits"):
            row_limits = _convert_partition(row_limits, "row_limits", dtype, dtype_hint)
            row_limits.shape.with_rank(1)
            if validate:
                msg = "Arguments to from_row_limits do not form a valid RaggedTensor"
                checks = [
                    check_ops.assert_rank(row_limits, 1, message=msg),
                    check_ops.assert_non_negative(row_limits[:1], message=msg),
                    _assert_monotonic_increasing(row_limits, message=msg),
                ]
                row_limits = control_flow_ops.with_dependencies(checks, row_limits)
            zero = array_ops.zeros([1], row_limits.dtype)
            row_splits = array_ops.concat([zero, row_limits], axis=0)
            return cls(row_splits=row_splits, internal=_KEY)

    @classmethod
    def from_uniform_row_length(
        cls, uniform_row_length, nvals=None, nrows=None, validate=True, dtype=None, dtype_hint=None
    ):
        """Rows of `uniform_row_length` values each (static sizes only need no asserts)."""
        _check_validate(validate)
        if nrows is None and nvals is None:
            raise ValueError("Either (or both) of nvals and nrows must be specified")
        with name_scope(None, "RowPartitionFromUniformRowLength"):
            target = _target_dtype([uniform_row_length, nvals, nrows], dtype, dtype_hint)
            conv = (
                (lambda x, n: convert_to_tensor(x, dtype=target, name=n))
                if dtype is None
                else (lambda x, n: array_ops.cast(x, target, name=n))
            )
            uniform_row_length = conv(uniform_row_length, "uniform_row_length")
            nvals = None if nvals is None else conv(nvals, "nvals")
            nrows = None if nrows is None else conv(nrows, "nrows")
            uniform_row_length.shape.with_rank(0)
            const_len = constant_value(uniform_row_length)
            if nrows is None:
                if const_len is None:
                    one = constant(1, uniform_row_length.dtype)
                    nrows = nvals // math_ops.maximum(uniform_row_length, one)
                elif const_len == 0:
                    nrows = constant(0, dtype=uniform_row_length.dtype)
                else:
                    nrows = nvals // int(const_len)
            const_nrows = constant_value(nrows)
            const_nvals = None if nvals is None else constant_value(nvals)
            checks = []
            if const_nvals is None and const_nrows is not None and const_len is not None:
                const_nvals = int(const_nrows) * int(const_len)
                if nvals is not None and validate:
                    checks.append(check_ops.assert_equal(nvals, const_nvals))
                nvals = constant(const_nvals, uniform_row_length.dtype)
            if nvals is None:
                nvals = nrows * uniform_row_length
            if const_nrows is not None and const_len is not None:
                splits = [v * int(const_len) for v in range(int(const_nrows) + 1)]
                row_splits = constant(splits, uniform_row_length.dtype)
            else:
                row_splits = (
                    math_ops.range(nrows + 1, dtype=uniform_row_length.dtype) * uniform_row_length
                )
            if validate:
                _uniform_checks(checks, uniform_row_length, nrows, nvals, const_nvals)
                row_splits = control_flow_ops.with_dependencies(checks, row_splits)
            return cls(
                row_splits=row_splits,
                uniform_row_length=uniform_row_length,
                nrows=nrows,
                nvals=nvals,
                internal=_KEY,
            )

    # -- accessors --------------------------------------------------------------------
    @property
    def dtype(self):
        return self._row_splits.dtype

    def row_splits(self) -> Tensor:
        return self._row_splits

    def value_rowids(self) -> Tensor:
        if self._value_rowids is not None:
            return self._value_rowids
        from tfgraph.ragged.segment_id_ops import row_splits_to_segment_ids

        return row_splits_to_segment_ids(self._row_splits)

    def nvals(self) -> Tensor:
        return self._row_splits[-1]

    def nrows(self) -> Tensor:
        if self._nrows is not None:
            return self._nrows
        n = self._row_splits.shape.as_list()[0]
        if n is None:
            return array_ops.shape(self._row_splits, out_type=self.dtype)[0] - 1
        return constant(n - 1, dtype=self.dtype)

    def uniform_row_length(self):
        return self._uniform_row_length

    def row_starts(self) -> Tensor:
        return self._row_splits[:-1]

    def row_limits(self) -> Tensor:
        return self._row_splits[1:]

    def row_lengths(self) -> Tensor:
        if self._row_lengths is not None:
            return self._row_lengths
        splits = self._row_splits
        return splits[1:] - splits[:-1]

    @property
    def static_nrows(self):
        n = self._row_splits.shape.as_list()[0]
        if n is not None:
            return n - 1
        if self._row_lengths is not None:
            n = self._row_lengths.shape.as_list()[0]
            if n is not None:
                return n
        if self._nrows is not None:
            v = constant_value(self._nrows)
            return None if v is None else int(v)
        return None

    @property
    def static_nvals(self):
        """The number of values if known when the graph is built (from a precomputed
        nvals or value_rowids), else None."""
        if self._nvals is not None:
            v = constant_value(self._nvals)
            if v is not None:
                return int(v)
        if self._value_rowids is not None:
            return self._value_rowids.shape.as_list()[0]
        return None

    def offsets_in_rows(self) -> Tensor:
        """Each value's position within its row."""
        return math_ops.range(self.nvals(), dtype=self.dtype) - array_ops.gather(
            self._row_splits, self.value_rowids()
        )

    @property
    def static_uniform_row_length(self):
        if self._uniform_row_length is not None:
            v = constant_value(self._uniform_row_length)
            return None if v is None else int(v)
        return None

    def is_uniform(self) -> bool:
        return self._uniform_row_length is not None

    def _has_precomputed_value_rowids(self) -> bool:
        return self._value_rowids is not None

    def _with_dependencies(self, dependencies) -> RowPartition:
        splits = control_flow_ops.with_dependencies(dependencies, self._row_splits)
        return RowPartition(
            row_splits=splits,
            row_lengths=self._row_lengths,
            value_rowids=self._value_rowids,
            nrows=self._nrows,
            uniform_row_length=self._uniform_row_length,
            internal=_KEY,
        )

    def with_dtype(self, dtype) -> RowPartition:
        dtype = dtypes.as_dtype(dtype)
        if dtype not in (dtypes.int32, dtypes.int64):
            raise ValueError("dtype must be int32 or int64")
        if self.dtype == dtype:
            return self

        def cast(t):
            return None if t is None else array_ops.cast(t, dtype)

        return RowPartition(
            row_splits=cast(self._row_splits),
            row_lengths=cast(self._row_lengths),
            value_rowids=cast(self._value_rowids),
            nrows=cast(self._nrows),
            uniform_row_length=cast(self._uniform_row_length),
            internal=_KEY,
        )

    def __repr__(self) -> str:
        if self._uniform_row_length is not None:
            return (
                f"tf.RowPartition(nrows={self._nrows}, "
                f"uniform_row_length={self._uniform_row_length})"
            )
        return f"tf.RowPartition(row_splits={self._row_splits})"


def _target_dtype(values, dtype, dtype_hint):
    if dtype is not None:
        return dtypes.as_dtype(dtype)
    for v in values:
        if isinstance(v, Tensor):
            return v.dtype
    for v in values:
        if isinstance(v, np.ndarray):
            return dtypes.as_dtype(v.dtype)
    return dtype_hint if dtype_hint is not None else dtypes.int64


def _uniform_checks(checks, uniform_row_length, nrows, nvals, const_nvals) -> None:
    const_len = constant_value(uniform_row_length)
    const_nrows = constant_value(nrows)
    if const_nrows is None or const_len is None or const_nvals is None:
        checks.append(
            check_ops.assert_equal(
                nrows * uniform_row_length,
                nvals,
                (
                    "uniform_row_length",
                    uniform_row_length,
                    "times nrows",
                    nrows,
                    "must equal nvals",
                    nvals,
                ),
            )
        )
    elif int(const_nrows) * int(const_len) != int(const_nvals):
        raise ValueError(
            f"uniform_row_length={int(const_len)} times nrows={int(const_nrows)} must "
            f"equal nvals={int(const_nvals)}"
        )
    if const_len is None:
        checks.append(
            check_ops.assert_greater_equal(
                uniform_row_length,
                constant(0, uniform_row_length.dtype),
                message="uniform_row_length must be >= 0.",
            )
        )
    elif const_len < 0:
        raise ValueError("uniform_row_length must be >= 0.")

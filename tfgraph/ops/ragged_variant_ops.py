"""RaggedTensors as variant tensors: `RaggedTensorToVariant` and
`RaggedTensorFromVariant` (TF's op types), how tf.data carries ragged elements (a
scalar variant per element, a [batch] vector once batched).

A variant element here is a `_RaggedValue`: the nested row splits and the flat values
of one ragged (or, with no splits, dense) tensor, as numpy arrays."""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape

__all__: list[str] = []


class _RaggedValue:
    __slots__ = ("splits", "values")

    def __init__(self, splits: list, values: np.ndarray) -> None:
        self.splits = splits
        self.values = values

    def __repr__(self) -> str:
        return f"<ragged variant: {len(self.splits)} ragged dims, values {self.values.shape}>"


def _rows(splits: list, values: np.ndarray) -> list:
    """The rows (along dimension 0) of a ragged value, each a _RaggedValue."""
    if not splits:
        return [_RaggedValue([], values[i]) for i in range(values.shape[0])]
    out = []
    outer = splits[0]
    for r in range(len(outer) - 1):
        lo, hi = int(outer[r]), int(outer[r + 1])
        inner = []
        for s in splits[1:]:
            inner.append(s[lo : hi + 1] - s[lo])
            lo, hi = int(s[lo]), int(s[hi])
        out.append(_RaggedValue(inner, values[lo:hi]))
    return out


def _to_variant_kernel(op, ctx):
    batched = op._attrs["batched_input"]

    def kernel(*args):
        splits = [np.asarray(s) for s in args[:-1]]
        values = np.asarray(args[-1])
        if not batched:
            out = np.empty((), dtype=object)
            out[()] = _RaggedValue(splits, values)
            return out
        if not splits and values.ndim == 0:
            raise errors.InvalidArgumentError(
                None, op, "Requires a ragged tensor (or a tensor of rank >= 1) to batch."
            )
        rows = _rows(splits, values)
        out = np.empty(len(rows), dtype=object)
        for i, row in enumerate(rows):
            out[i] = row
        return out

    return kernel


def _stack(items: list, splits_dtype) -> _RaggedValue:
    """Ragged values (each of the same ragged rank) as the rows of one more ragged dim."""
    depth = len(items[0].splits) if items else 0
    outer = np.zeros(len(items) + 1, splits_dtype)
    for i, it in enumerate(items):
        n = len(it.splits[0]) - 1 if depth else it.values.shape[0]
        outer[i + 1] = outer[i] + n
    splits = [outer]
    for d in range(depth):
        parts, offset = [np.zeros(1, splits_dtype)], 0
        for it in items:
            s = np.asarray(it.splits[d], splits_dtype)
            parts.append(s[1:] + offset)
            offset += int(s[-1])
        splits.append(np.concatenate(parts))
    values = np.concatenate([it.values for it in items]) if items else np.zeros((0,), np.float32)
    return _RaggedValue(splits, values)


def _from_variant_kernel(op, ctx):
    out_rank = op._attrs["output_ragged_rank"]
    in_rank = op._attrs["input_ragged_rank"]
    splits_dtype = op._attrs["Tsplits"].np_dtype
    values_dtype = op._attrs["Tvalues"].np_dtype

    def kernel(encoded):
        encoded = np.asarray(encoded, dtype=object)
        want = out_rank - encoded.ndim if in_rank == -1 else in_rank
        if want < 0 or want + encoded.ndim != out_rank:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Expected input_ragged_rank ({want}) + encoded_ragged.dims() "
                f"({encoded.ndim}) == output_ragged_rank ({out_rank})",
            )

        def build(arr):
            if not isinstance(arr, np.ndarray):
                return arr
            if arr.ndim == 0:
                return arr[()]
            return _stack([build(a) for a in arr], splits_dtype)

        value = build(encoded)
        if len(value.splits) != out_rank:
            raise errors.InvalidArgumentError(
                None, op, "Encoded ragged tensors have a ragged rank other than expected"
            )
        splits = [np.asarray(s, splits_dtype) for s in value.splits]
        values = np.asarray(value.values)
        if values.dtype != object:
            values = values.astype(values_dtype)
        return (*splits, values)

    return kernel


def _from_variant_shape(op):
    n = op._attrs["output_ragged_rank"]
    return [TensorShape([None])] * n + [TensorShape(None)]


register_op(
    "RaggedTensorToVariant",
    inputs=["rt_nested_splits: RAGGED_RANK * Tsplits", "rt_dense_values: Tvalues"],
    outputs=["encoded_ragged: variant"],
    attrs=[
        "RAGGED_RANK: int >= 0",
        "Tvalues: type",
        "Tsplits: {int32, int64} = int64",
        "batched_input: bool",
    ],
    shape=lambda op: [TensorShape([None]) if op._attrs["batched_input"] else TensorShape([])],
    make_kernel=_to_variant_kernel,
    grad=NOT_DIFFERENTIABLE,
)
register_op(
    "RaggedTensorFromVariant",
    inputs=["encoded_ragged: variant"],
    outputs=["output_nested_splits: output_ragged_rank * Tsplits", "output_dense_values: Tvalues"],
    attrs=[
        "input_ragged_rank: int >= -1",
        "output_ragged_rank: int >= 0",
        "Tvalues: type",
        "Tsplits: {int32, int64} = int64",
    ],
    shape=_from_variant_shape,
    make_kernel=_from_variant_kernel,
    grad=NOT_DIFFERENTIABLE,
)

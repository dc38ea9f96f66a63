"""RaggedCross (the feature crosses of ragged, sparse and dense string/int64 features, row
by row, as joined strings or FingerprintCat64 hashes: the same crossing SparseCross does)
and RaggedFillEmptyRows / RaggedFillEmptyRowsGrad (a default value in each empty row of a
ragged vector given by value_rowids), with `tf.ragged_fill_empty_rows(_grad)`."""

from __future__ import annotations

import collections
import itertools

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import common_shapes
from tfgraph.ops.apply import apply_op
from tfgraph.ops.sparse_cross_ops import (
    _as_fingerprint,
    _as_string,
    _bucket,
    fingerprint_cat64,
)

__all__ = ["ragged_fill_empty_rows", "ragged_fill_empty_rows_grad"]

_MASK = (1 << 64) - 1


# -- RaggedCross ----------------------------------------------------------------------------
def _cross_inputs(op, args):
    """Per feature (in input_order): a function of the row giving that row's values."""
    n_ragged = len(op._attrs["ragged_values_types"])
    n_sparse = int(op._attrs["Nsparse"])
    args = [np.asarray(a) for a in args]
    r_vals, r_splits = args[:n_ragged], args[n_ragged : 2 * n_ragged]
    pos = 2 * n_ragged
    s_ind, s_vals = args[pos : pos + n_sparse], args[pos + n_sparse : pos + 2 * n_sparse]
    s_shape, dense = args[pos + 2 * n_sparse : pos + 3 * n_sparse], args[pos + 3 * n_sparse :]
    nrows = _cross_nrows(op, r_splits, s_shape, dense)
    features = {"R": [], "S": [], "D": []}
    for vals, splits in zip(r_vals, r_splits):
        features["R"].append(lambda b, v=vals, s=splits: v[int(s[b]) : int(s[b + 1])])
    for ind, vals in zip(s_ind, s_vals):
        rows: list[list] = [[] for _ in range(nrows)]
        for k in range(ind.shape[0]):
            rows[int(ind[k, 0])].append(vals[k])
        features["S"].append(lambda b, r=rows: r[b])
    for den in dense:
        features["D"].append(lambda b, d=den: d[b])
    order = op._attrs["input_order"]
    order = order.decode() if isinstance(order, bytes) else order
    counters = {"R": 0, "S": 0, "D": 0}
    out = []
    for kind in order:
        out.append(features[kind][counters[kind]])
        counters[kind] += 1
    return nrows, out


def _cross_nrows(op, r_splits, s_shape, dense) -> int:
    counts = [s.shape[0] - 1 for s in r_splits]
    counts += [int(s[0]) for s in s_shape] + [d.shape[0] for d in dense]
    if counts and any(c != counts[0] for c in counts):
        raise errors.InvalidArgumentError(
            None, op, "inputs must all have the same batch dimension size."
        )
    return counts[0] if counts else 0


def _cross_kernel(op, ctx):
    hashed = bool(op._attrs["hashed_output"])
    num_buckets = int(op._attrs["num_buckets"])
    hash_key = int(op._attrs["hash_key"]) & _MASK
    splits_dtype = dtypes.as_dtype(op._attrs["out_row_splits_type"]).as_numpy_dtype

    def combine(combo):
        if not hashed:
            return b"_X_".join(_as_string(v) for v in combo)
        out = hash_key
        for v in combo:
            out = fingerprint_cat64(out, _as_fingerprint(v))
        return _bucket(out, num_buckets)

    def kernel(*args):
        nrows, features = _cross_inputs(op, args)
        values: list = []
        splits = [0]
        for b in range(nrows):
            values.extend(combine(c) for c in itertools.product(*(f(b) for f in features)))
            splits.append(len(values))
        if hashed:
            out = np.array(values, np.int64).reshape(-1)
        else:
            out = np.empty(len(values), dtype=object)
            out[:] = values
        return out, np.array(splits, splits_dtype)

    return kernel


def _cross_shape(op) -> list[TensorShape]:
    n_ragged = len(op._attrs["ragged_values_types"])
    n_sparse = int(op._attrs["Nsparse"])
    ins = [t._shape for t in op._inputs]
    batches = [
        s.as_list()[0] - 1
        for s in ins[n_ragged : 2 * n_ragged]
        if s.ndims == 1 and s.as_list()[0] is not None
    ]
    batches += [
        s.as_list()[0]
        for s in ins[2 * n_ragged + 3 * n_sparse :]
        if s.ndims and s.as_list()[0] is not None
    ]
    if any(b != batches[0] for b in batches):
        raise common_shapes.shape_error(op, "inputs must all have the same batch dimension size.")
    return [TensorShape([None]), TensorShape([batches[0] + 1 if batches else None])]


register_op(
    "RaggedCross",
    inputs=[
        "ragged_values: ragged_values_types",
        "ragged_row_splits: ragged_splits_types",
        "sparse_indices: Nsparse * int64",
        "sparse_values: sparse_values_types",
        "sparse_shape: Nsparse * int64",
        "dense_inputs: dense_types",
    ],
    outputs=["output_values: out_values_type", "output_row_splits: out_row_splits_type"],
    attrs=[
        "Nsparse: int >= 0",
        "input_order: string",
        "hashed_output: bool",
        "num_buckets: int >= 0",
        "hash_key: int",
        "ragged_values_types: list(type) >= 0",
        "ragged_splits_types: list(type) >= 0",
        "sparse_values_types: list(type) >= 0",
        "dense_types: list(type) >= 0",
        "out_values_type: {int64, string}",
        "out_row_splits_type: {int32, int64}",
    ],
    shape=_cross_shape,
    make_kernel=_cross_kernel,
)


# -- RaggedFillEmptyRows(Grad) --------------------------------------------------------------
def _fill_kernel(op, ctx):
    def kernel(value_rowids, values, nrows, default_value):
        rowids = np.asarray(value_rowids, np.int64).reshape(-1)
        values = np.asarray(values)
        nrows = int(np.asarray(nrows).reshape(()))
        if rowids.shape[0] != values.shape[0]:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"The length of `values` ({values.shape[0]}) must match the first dimension "
                f"of `value_rowids` ({rowids.shape[0]}).",
            )
        for i, r in enumerate(rowids.tolist()):
            if not 0 <= r < nrows:
                why = f"{r} >= {nrows}" if r >= nrows else f"{r} < 0"
                raise errors.InvalidArgumentError(None, op, f"indices({i}, 0) is invalid: {why}")
        empty = np.ones(nrows, bool)
        empty[rowids] = False
        fill_rows = np.flatnonzero(empty).astype(np.int64)
        all_rows = np.concatenate([rowids, fill_rows])
        default = np.asarray(default_value, values.dtype).reshape(())
        filler = np.full((fill_rows.size, *values.shape[1:]), default, values.dtype)
        all_values = np.concatenate([values, filler])
        order = np.argsort(all_rows, kind="stable")
        position = np.empty(order.size, np.int64)
        position[order] = np.arange(order.size)
        return all_rows[order], all_values[order], empty, position[: rowids.size]

    return kernel


def _fill_grad(op, *grads):
    d_values, d_default = apply_op(
        "RaggedFillEmptyRowsGrad", None, [op.outputs[3], grads[1]]
    )._outputs
    return [None, d_values, None, d_default]


register_op(
    "RaggedFillEmptyRows",
    inputs=["value_rowids: int64", "values: T", "nrows: int64", "default_value: T"],
    outputs=[
        "output_value_rowids: int64",
        "output_values: T",
        "empty_row_indicator: bool",
        "reverse_index_map: int64",
    ],
    attrs=["T: type"],
    shape=lambda op: [
        TensorShape([None]),
        TensorShape([None]),
        TensorShape([None]),
        TensorShape([op._inputs[0]._shape.num_elements()]),
    ],
    make_kernel=_fill_kernel,
    grad=_fill_grad,
)


def _fill_grad_kernel(reverse_index_map, grad_values):
    grad_values = np.asarray(grad_values)
    reverse = np.asarray(reverse_index_map, np.int64)
    visited = np.zeros(grad_values.shape[0], bool)
    visited[reverse] = True
    d_default = grad_values[~visited].sum(dtype=grad_values.dtype)
    return grad_values[reverse], np.asarray(d_default, grad_values.dtype)


register_op(
    "RaggedFillEmptyRowsGrad",
    inputs=["reverse_index_map: int64", "grad_values: T"],
    outputs=["d_values: T", "d_default_value: T"],
    attrs=["T: type"],
    shape=lambda op: [op._inputs[0]._shape, TensorShape([])],
    kernel=_fill_grad_kernel,
    grad=NOT_DIFFERENTIABLE,
)


RaggedFillEmptyRows = collections.namedtuple(
    "RaggedFillEmptyRows",
    ["output_value_rowids", "output_values", "empty_row_indicator", "reverse_index_map"],
)
RaggedFillEmptyRowsGrad = collections.namedtuple(
    "RaggedFillEmptyRowsGrad", ["d_values", "d_default_value"]
)


def ragged_fill_empty_rows(value_rowids, values, nrows, default_value, name=None):
    """`tf.ragged_fill_empty_rows`: (output_value_rowids, output_values,
    empty_row_indicator, reverse_index_map) with `default_value` in every empty row."""
    inputs = [value_rowids, values, nrows, default_value]
    return RaggedFillEmptyRows(*apply_op("RaggedFillEmptyRows", name, inputs)._outputs)


def ragged_fill_empty_rows_grad(reverse_index_map, grad_values, name=None):
    """`tf.ragged_fill_empty_rows_grad`: (d_values, d_default_value)."""
    inputs = [reverse_index_map, grad_values]
    return RaggedFillEmptyRowsGrad(*apply_op("RaggedFillEmptyRowsGrad", name, inputs)._outputs)

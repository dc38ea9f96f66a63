"""Segment reductions: Segment{Sum,Mean,Max,Min,Prod} over sorted ids and
UnsortedSegment{Max,Min,Prod} (UnsortedSegmentSum is in math_ops), with TF's gradients
(math_grad.py); tf.unsorted_segment_mean / _sqrt_n as TF's composites."""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.indexed_slices import IndexedSlices
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, math_ops
from tfgraph.ops.apply import apply_op, op_output
from tfgraph.ops.common_shapes import UNKNOWN

__all__ = [
    "segment_max",
    "segment_mean",
    "segment_min",
    "segment_prod",
    "segment_sum",
    "sparse_segment_mean",
    "sparse_segment_sqrt_n",
    "sparse_segment_sum",
    "unsorted_segment_max",
    "unsorted_segment_mean",
    "unsorted_segment_min",
    "unsorted_segment_prod",
    "unsorted_segment_sqrt_n",
]

_REAL = "{bfloat16, half, float, double, uint8, int8, uint16, int16, int32, uint32, uint64, int64}"
_NUM = _REAL[:-1] + ", complex64, complex128}"


def _dims(shape) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


def _lowest(dtype):
    return np.finfo(dtype).min if dtype.kind == "f" else np.iinfo(dtype).min


def _highest(dtype):
    return np.finfo(dtype).max if dtype.kind == "f" else np.iinfo(dtype).max


# ufunc, value of an empty segment (sorted ops), of an empty segment (unsorted ops)
_REDUCERS = {
    "Sum": (np.add, lambda dt: 0, lambda dt: 0),
    "Prod": (np.multiply, lambda dt: 1, lambda dt: 1),
    "Max": (np.maximum, lambda dt: 0, _lowest),
    "Min": (np.minimum, lambda dt: 0, _highest),
    "Mean": (np.add, lambda dt: 0, None),
}


# -- sorted segments ---------------------------------------------------------------------------
def _segment_shape(op):
    data, ids = op._inputs[0]._shape._dims, op._inputs[1]._shape._dims
    if ids is not None and len(ids) != 1:
        raise ValueError(
            f"Shape must be rank 1 but is rank {len(ids)} for '{op.name}' (op: '{op.type}')"
        )
    if data is None:
        return [UNKNOWN]
    if len(data) < 1:
        raise ValueError(
            f"Shape must be at least rank 1 but is rank 0 for '{op.name}' (op: '{op.type}')"
        )
    return [TensorShape._from_tuple((None,) + data[1:])]


def _segment_kernel(kind: str):
    ufunc, empty, _ = _REDUCERS[kind]

    def make(op, ctx):
        def kernel(data, segment_ids):
            ids = np.asarray(segment_ids)
            if ids.ndim != 1 or data.ndim < 1 or ids.shape[0] != data.shape[0]:
                raise errors.InvalidArgumentError(
                    None, op, "segment_ids should be the same size as dimension 0 of input."
                )
            n = int(ids[-1]) + 1 if ids.size else 0
            if ids.size and (np.any(np.diff(ids) < 0) or ids[0] < 0):
                bad = int(np.argmax(np.diff(ids) < 0)) + 1 if ids[0] >= 0 else 0
                raise errors.InvalidArgumentError(
                    None, op, f"segment ids are not increasing: {int(ids[bad])}"
                )
            out = np.full((n,) + data.shape[1:], empty(data.dtype), dtype=data.dtype)
            if not ids.size:
                return out
            starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
            out[ids[starts]] = ufunc.reduceat(data, starts, axis=0)
            if kind == "Mean":
                counts = np.diff(np.r_[starts, ids.size])
                shape = (-1,) + (1,) * (data.ndim - 1)
                out[ids[starts]] = (out[ids[starts]] / counts.reshape(shape)).astype(data.dtype)
            return out

        return kernel

    return make


def _segment_sum_grad(op, grad):
    return array_ops.gather(grad, op._inputs[1]), None


def _segment_mean_grad(op, grad):
    data_rank = array_ops.rank(op._inputs[0])
    segment_ids_shape = array_ops.shape(op._inputs[1])
    remaining_shape = array_ops.ones(
        array_ops.expand_dims(data_rank - 1, 0), dtype=segment_ids_shape.dtype._base
    )
    ones_shape = array_ops.concat([segment_ids_shape, remaining_shape], 0)
    ones = array_ops.ones(ones_shape, dtype=grad.dtype._base)
    scaled_grad = math_ops.divide(grad, segment_sum(ones, op._inputs[1]))
    return array_ops.gather(scaled_grad, op._inputs[1]), None


def _segment_min_or_max_grad(op, grad):
    zeros = array_ops.zeros_like(op._inputs[0], dtype=op._inputs[0].dtype._base)
    gathered_outputs = array_ops.gather(op._outputs[0], op._inputs[1])
    is_selected = math_ops.equal(op._inputs[0], gathered_outputs)
    num_selected = segment_sum(array_ops.cast(is_selected, grad.dtype._base), op._inputs[1])
    weighted_grads = math_ops.divide(grad, num_selected)
    gathered_grads = array_ops.gather(weighted_grads, op._inputs[1])
    return array_ops.where_v2(is_selected, gathered_grads, zeros), None


def _prod_grad(op, grad, segment_sum_fn, segment_prod_fn, gather_fn):
    data, segment_ids = op._inputs[0], op._inputs[1]
    is_zero = math_ops.equal(data, 0)
    num_zeros = segment_sum_fn(array_ops.cast(is_zero, dtype=dtypes.int32), segment_ids)
    grad = array_ops.where_v2(math_ops.greater(num_zeros, 1), array_ops.zeros_like(grad), grad)
    non_zero_data = array_ops.where_v2(is_zero, array_ops.ones_like(data), data)
    non_zero_prod = segment_prod_fn(non_zero_data, segment_ids)
    gathered_prod = gather_fn(op._outputs[0], segment_ids)
    gathered_non_zero_prod = gather_fn(non_zero_prod, segment_ids)
    prod_divided_by_el = gathered_prod / non_zero_data
    partial_derivative = array_ops.where_v2(is_zero, gathered_non_zero_prod, prod_divided_by_el)
    gathered_grad = gather_fn(grad, segment_ids)
    return gathered_grad * partial_derivative


def _segment_prod_grad(op, grad):
    def seg_sum(x, ids):
        return op_output("SegmentSum", None, [x, ids])

    def seg_prod(x, ids):
        return op_output("SegmentProd", None, [x, ids])

    return _prod_grad(op, grad, seg_sum, seg_prod, array_ops.gather), None


_SEGMENT_GRADS = {
    "Sum": _segment_sum_grad,
    "Mean": _segment_mean_grad,
    "Max": _segment_min_or_max_grad,
    "Min": _segment_min_or_max_grad,
    "Prod": _segment_prod_grad,
}
for _kind, _grad in _SEGMENT_GRADS.items():
    register_op(
        f"Segment{_kind}",
        inputs=["data: T", "segment_ids: Tindices"],
        outputs=["output: T"],
        attrs=[f"T: {_REAL if _kind in ('Max', 'Min') else _NUM}", "Tindices: {int32, int64}"],
        shape=_segment_shape,
        make_kernel=_segment_kernel(_kind),
        grad=_grad,
    )


def _segment(kind: str):
    def fn(data, segment_ids, name: str | None = None) -> Tensor:
        return op_output(f"Segment{kind}", name, [data, segment_ids])

    fn.__name__ = f"segment_{kind.lower()}"
    fn.__doc__ = f"The {kind.lower()} of each segment of `data` (sorted `segment_ids`)."
    return fn


segment_sum = _segment("Sum")
segment_mean = _segment("Mean")
segment_max = _segment("Max")
segment_min = _segment("Min")
segment_prod = _segment("Prod")


# -- unsorted segments -------------------------------------------------------------------------
def _unsorted_kernel(kind: str):
    ufunc, _, empty = _REDUCERS[kind]

    def make(op, ctx):
        def kernel(data, segment_ids, num_segments):
            ids = np.asarray(segment_ids)
            if np.ndim(num_segments):
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"num_segments should be a scalar, not shape {_dims(np.shape(num_segments))}",
                )
            n = int(num_segments)
            if ids.shape != data.shape[: ids.ndim]:
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"data.shape = {_dims(data.shape)} does not start with segment_ids.shape = "
                    f"{_dims(ids.shape)}",
                )
            flat_ids = ids.reshape(-1)
            if flat_ids.size and flat_ids.max() >= n:
                bad = int(np.argmax(flat_ids >= n))
                raise errors.InvalidArgumentError(
                    None, op, f"segment_ids[{bad}] = {int(flat_ids[bad])} is out of range [0, {n})"
                )
            tail = data.shape[ids.ndim :]
            flat = data.reshape((flat_ids.size,) + tail)
            out = np.full((n,) + tail, empty(data.dtype), dtype=data.dtype)
            keep = flat_ids >= 0
            ufunc.at(out, flat_ids[keep], flat[keep])
            return out

        return kernel

    return make


def _unsorted_min_or_max_grad(op, grad):
    gathered_outputs, zero_clipped_indices, is_positive = math_ops._gather_drop_negatives(
        op._outputs[0], op._inputs[1]
    )
    is_selected = math_ops.equal(op._inputs[0], gathered_outputs)
    is_selected = math_ops.logical_and(is_selected, is_positive)
    num_selected = math_ops.unsorted_segment_sum(
        array_ops.cast(is_selected, grad.dtype._base), op._inputs[1], op._inputs[2]
    )
    weighted_grads = math_ops.divide(grad, num_selected)
    gathered_grads, _, _ = math_ops._gather_drop_negatives(
        weighted_grads, None, zero_clipped_indices, is_positive
    )
    zeros = array_ops.zeros_like(gathered_grads)
    return array_ops.where_v2(is_selected, gathered_grads, zeros), None, None


def _unsorted_prod_grad(op, grad):
    data, ids, num_segments = op._inputs
    is_zero = math_ops.equal(data, 0)
    num_zeros = math_ops.unsorted_segment_sum(
        array_ops.cast(is_zero, dtype=dtypes.int32), ids, num_segments
    )
    grad = array_ops.where_v2(math_ops.greater(num_zeros, 1), array_ops.zeros_like(grad), grad)
    non_zero_data = array_ops.where_v2(is_zero, array_ops.ones_like(data), data)
    non_zero_prod = op_output("UnsortedSegmentProd", None, [non_zero_data, ids, num_segments])
    zero_clipped_indices = math_ops.maximum(ids, array_ops.zeros_like(ids))
    gathered_prod = array_ops.gather(op._outputs[0], zero_clipped_indices)
    gathered_non_zero_prod = array_ops.gather(non_zero_prod, zero_clipped_indices)
    prod_divided_by_el = gathered_prod / data
    partial_derivative = array_ops.where_v2(is_zero, gathered_non_zero_prod, prod_divided_by_el)
    gathered_grad = math_ops._gather_drop_negatives(grad, ids, zero_clipped_indices)[0]
    return gathered_grad * partial_derivative, None, None


for _kind, _grad, _types in (
    ("Max", _unsorted_min_or_max_grad, _REAL),
    ("Min", _unsorted_min_or_max_grad, _REAL),
    ("Prod", _unsorted_prod_grad, _NUM),
):
    register_op(
        f"UnsortedSegment{_kind}",
        inputs=["data: T", "segment_ids: Tindices", "num_segments: Tnumsegments"],
        outputs=["output: T"],
        attrs=[
            f"T: {_types}",
            "Tindices: {int16, int32, int64}",
            "Tnumsegments: {int32, int64} = int32",
        ],
        shape=math_ops._unsorted_segment_sum_shape,
        make_kernel=_unsorted_kernel(_kind),
        grad=_grad,
    )


def _unsorted(kind: str):
    def fn(data, segment_ids, num_segments, name: str | None = None) -> Tensor:
        return op_output(f"UnsortedSegment{kind}", name, [data, segment_ids, num_segments])

    fn.__name__ = f"unsorted_segment_{kind.lower()}"
    fn.__doc__ = f"The {kind.lower()} of each segment of `data`; negative ids are dropped."
    return fn


unsorted_segment_max = _unsorted("Max")
unsorted_segment_min = _unsorted("Min")
unsorted_segment_prod = _unsorted("Prod")


def _unsorted_segment_n(data, segment_ids, num_segments):
    """The number of entries of each segment (at least 1), shaped to broadcast on data."""
    num_segments = convert_to_tensor(num_segments)
    segment_ids_shape = array_ops._shape_internal(segment_ids)
    ones_tensor = array_ops.ones(segment_ids_shape, dtype=data.dtype._base)
    n = math_ops.unsorted_segment_sum(ones_tensor, segment_ids, num_segments)
    broadcastable_shape = array_ops.concat(
        [
            num_segments[array_ops.newaxis],
            array_ops.ones(
                [array_ops.rank(data) - array_ops.rank(segment_ids)],
                dtype=num_segments.dtype._base,
            ),
        ],
        axis=0,
    )
    n = array_ops.reshape(n, broadcastable_shape)
    return math_ops.maximum(n, 1)


def unsorted_segment_mean(data, segment_ids, num_segments, name: str | None = None) -> Tensor:
    """The mean of each segment of `data` (0 for an empty one)."""
    with get_default_graph().name_scope(name or "UnsortedSegmentMean"):
        data = convert_to_tensor(data)
        segment_ids = convert_to_tensor(segment_ids)
        n = _unsorted_segment_n(data, segment_ids, num_segments)
        summed = math_ops.unsorted_segment_sum(data, segment_ids, num_segments)
        return summed / n


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name: str | None = None) -> Tensor:
    """The sum of each segment of `data` divided by the square root of its size."""
    with get_default_graph().name_scope(name or "UnsortedSegmentSqrtN"):
        data = convert_to_tensor(data)
        segment_ids = convert_to_tensor(segment_ids)
        n = _unsorted_segment_n(data, segment_ids, num_segments)
        summed = math_ops.unsorted_segment_sum(data, segment_ids, num_segments)
        return summed / math_ops.sqrt(n)


# -- SparseSegment{Sum,Mean,SqrtN}[WithNumSegments] and their gradient ops --------------
_SPARSE_SEGMENT_T = "{bfloat16, half, float, double, int32, int64, int16, int8, uint8, uint16}"
_SPARSE_SEGMENT_ATTRS = [
    "T: " + _SPARSE_SEGMENT_T,
    "Tidx: {int32, int64} = int32",
    "Tsegmentids: {int32, int64} = int32",
]


def _sparse_segment_shape(op):
    data = op._inputs[0]._shape._dims
    for at in (1, 2):
        dims = op._inputs[at]._shape._dims
        if dims is not None and len(dims) != 1:
            raise ValueError(
                f"Shape must be rank 1 but is rank {len(dims)} for '{op.name}' (op: '{op.type}')"
            )
    if data is None:
        return [UNKNOWN]
    rows = None
    if len(op._inputs) == 4:
        from tfgraph.ops.common_shapes import constant_value

        n = constant_value(op._inputs[3])
        if n is not None:
            rows = int(n)
    return [TensorShape._from_tuple((rows,) + data[1:])]


def _segment_weights(kind, counts):
    counts = counts.astype(np.float64)
    if kind == "sum":
        return np.ones_like(counts)
    safe = np.maximum(counts, 1)
    return 1.0 / (safe if kind == "mean" else np.sqrt(safe))


def _check_sparse_segments(op, data_rows, indices, ids, num_segments):
    for i, x in enumerate(indices):
        if not 0 <= x < data_rows:
            raise errors.InvalidArgumentError(
                None, op, f"Bad: indices[{i}] == {x} out of range [0, {data_rows})"
            )
    if ids.size and np.any(np.diff(ids) < 0):
        raise errors.InvalidArgumentError(None, op, "segment ids are not increasing")
    if ids.size and num_segments is not None and ids[-1] >= num_segments:
        raise errors.InvalidArgumentError(None, op, "segment ids must be < num_segments")
    if ids.size and ids[0] < 0:
        raise errors.InvalidArgumentError(None, op, "segment ids must be >= 0")


def _sparse_segment_kernel(kind: str):
    def make(op, ctx):
        def kernel(data, indices, segment_ids, num_segments=None):
            data = np.asarray(data)
            indices = np.asarray(indices).reshape(-1)
            ids = np.asarray(segment_ids).reshape(-1)
            if indices.size != ids.size:
                raise errors.InvalidArgumentError(
                    None, op, "segment_ids and indices should have same size."
                )
            n = None if num_segments is None else int(num_segments)
            _check_sparse_segments(op, data.shape[0], indices, ids, n)
            rows = n if n is not None else (int(ids[-1]) + 1 if ids.size else 0)
            acc = np.zeros((rows,) + data.shape[1:], np.float64 if kind != "sum" else data.dtype)
            np.add.at(acc, ids, data[indices])
            if kind != "sum":
                counts = np.bincount(ids, minlength=rows)[:rows]
                acc = acc * _segment_weights(kind, counts).reshape((-1,) + (1,) * (data.ndim - 1))
            return acc.astype(data.dtype)

        return kernel

    return make


def _sparse_segment_grad(kind: str, grad_type: str):
    def grad_fn(op, grad):
        if op.get_attr("sparse_gradient"):
            # TF's sparse form: only the rows `indices` name, as IndexedSlices.
            data_shape = array_ops.shape(op.inputs[0])
            values, rows = apply_op(
                grad_type + "V2", None, [grad, op.inputs[1], op.inputs[2], data_shape[0]]
            ).outputs
            g = IndexedSlices(values, rows, data_shape)
        else:
            dim0 = array_ops.shape(op.inputs[0])[0]
            g = op_output(grad_type, None, [grad, op.inputs[1], op.inputs[2], dim0])
        return [g] + [None] * (len(op.inputs) - 1)

    return grad_fn


def _sparse_segment_grad_kernel(kind: str):
    def make(op, ctx):
        def kernel(grad, indices, segment_ids, output_dim0):
            grad = np.asarray(grad)
            indices = np.asarray(indices).reshape(-1)
            ids = np.asarray(segment_ids).reshape(-1)
            rows = int(output_dim0)
            for x in indices:
                if not 0 <= x < rows:
                    raise errors.InvalidArgumentError(
                        None, op, f"Index {x} out of range [0, {rows})."
                    )
            counts = np.bincount(ids, minlength=grad.shape[0]) if ids.size else np.zeros(0)
            weights = _segment_weights(kind, counts)[ids] if ids.size else np.zeros(0)
            out = np.zeros((rows,) + grad.shape[1:], np.float64)
            contrib = grad[ids].astype(np.float64) * weights.reshape((-1,) + (1,) * (grad.ndim - 1))
            np.add.at(out, indices, contrib)
            return out.astype(grad.dtype)

        return kernel

    return make


def _sparse_segment_grad_v2_kernel(kind: str):
    def make(op, ctx):
        dense = _sparse_segment_grad_kernel(kind)(op, ctx)

        def kernel(grad, indices, segment_ids, dense_output_dim0):
            full = dense(grad, indices, segment_ids, dense_output_dim0)
            rows = np.unique(np.asarray(indices).reshape(-1))
            return full[rows], rows.astype(np.asarray(indices).dtype)

        return kernel

    return make


for _kind, _name in (("sum", "Sum"), ("mean", "Mean"), ("sqrtn", "SqrtN")):
    _grad_type = f"SparseSegment{_name}Grad"
    register_op(
        f"SparseSegment{_name}",
        inputs=["data: T", "indices: Tidx", "segment_ids: Tsegmentids"],
        outputs=["output: T"],
        attrs=_SPARSE_SEGMENT_ATTRS + ["sparse_gradient: bool = false"],
        shape=_sparse_segment_shape,
        make_kernel=_sparse_segment_kernel(_kind),
        grad=_sparse_segment_grad(_kind, _grad_type),
    )
    register_op(
        f"SparseSegment{_name}WithNumSegments",
        inputs=[
            "data: T",
            "indices: Tidx",
            "segment_ids: Tsegmentids",
            "num_segments: Tnumsegments",
        ],
        outputs=["output: T"],
        attrs=_SPARSE_SEGMENT_ATTRS
        + ["Tnumsegments: {int32, int64} = int32", "sparse_gradient: bool = false"],
        shape=_sparse_segment_shape,
        make_kernel=_sparse_segment_kernel(_kind),
        grad=_sparse_segment_grad(_kind, _grad_type),
    )
    register_op(
        _grad_type,
        inputs=["grad: T", "indices: Tidx", "segment_ids: Tsegmentids", "output_dim0: int32"],
        outputs=["output: T"],
        attrs=_SPARSE_SEGMENT_ATTRS,
        shape=lambda op: [
            TensorShape._from_tuple(
                (None,)
                + (op._inputs[0]._shape._dims[1:] if op._inputs[0]._shape._dims is not None else ())
            )
            if op._inputs[0]._shape._dims is not None
            else UNKNOWN
        ],
        make_kernel=_sparse_segment_grad_kernel(_kind),
        grad=NOT_DIFFERENTIABLE,
    )
    register_op(
        _grad_type + "V2",
        inputs=["grad: T", "indices: Tidx", "segment_ids: Tsegmentids", "dense_output_dim0: int32"],
        outputs=["output: T", "sorted_unique_indices: Tidx"],
        attrs=_SPARSE_SEGMENT_ATTRS,
        shape=lambda op: [
            TensorShape._from_tuple(
                (None,)
                + (op._inputs[0]._shape._dims[1:] if op._inputs[0]._shape._dims is not None else ())
            )
            if op._inputs[0]._shape._dims is not None
            else UNKNOWN,
            TensorShape._from_tuple((None,)),
        ],
        make_kernel=_sparse_segment_grad_v2_kernel(_kind),
        grad=NOT_DIFFERENTIABLE,
    )


def _sparse_segment(
    kind_name: str, data, indices, segment_ids, name, num_segments, sparse_gradient
):
    attrs = {"sparse_gradient": bool(sparse_gradient)}
    if num_segments is not None:
        return op_output(
            f"SparseSegment{kind_name}WithNumSegments",
            name,
            [data, indices, segment_ids, num_segments],
            attrs,
        )
    return op_output(f"SparseSegment{kind_name}", name, [data, indices, segment_ids], attrs)


def sparse_segment_sum(
    data, indices, segment_ids, name=None, num_segments=None, sparse_gradient=False
):
    """Sums of `data[indices]` rows over sorted `segment_ids` (`sparse_gradient`: the
    gradient w.r.t. `data` is IndexedSlices of the rows used)."""
    return _sparse_segment("Sum", data, indices, segment_ids, name, num_segments, sparse_gradient)


def sparse_segment_mean(
    data, indices, segment_ids, name=None, num_segments=None, sparse_gradient=False
):
    """Means of `data[indices]` rows over sorted `segment_ids` (0 for empty segments)."""
    return _sparse_segment("Mean", data, indices, segment_ids, name, num_segments, sparse_gradient)


def sparse_segment_sqrt_n(
    data, indices, segment_ids, name=None, num_segments=None, sparse_gradient=False
):
    """Sums of `data[indices]` rows over sorted `segment_ids`, divided by the square
    root of each segment's size."""
    return _sparse_segment("SqrtN", data, indices, segment_ids, name, num_segments, sparse_gradient)


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def sparse_segment_sum_v2(
    data, indices, segment_ids, num_segments=None, name=None, sparse_gradient=False
):
    """TF2's `tf.sparse.segment_sum` (num_segments before name)."""
    return sparse_segment_sum(data, indices, segment_ids, name, num_segments, sparse_gradient)


def sparse_segment_mean_v2(
    data, indices, segment_ids, num_segments=None, name=None, sparse_gradient=False
):
    """TF2's `tf.sparse.segment_mean` (num_segments before name)."""
    return sparse_segment_mean(data, indices, segment_ids, name, num_segments, sparse_gradient)


def sparse_segment_sqrt_n_v2(
    data, indices, segment_ids, num_segments=None, name=None, sparse_gradient=False
):
    """TF2's `tf.sparse.segment_sqrt_n` (num_segments before name)."""
    return sparse_segment_sqrt_n(data, indices, segment_ids, name, num_segments, sparse_gradient)

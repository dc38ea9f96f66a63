"""ApproxTopK (`tf.math.approx_max_k`, `approx_min_k` and their `tf.nn` aliases).

On TPUs the op trades recall for speed; TF's CPU kernel computes the exact top k, in
descending order with ties taken lower index first (as TopKV2), and exists only for
`is_max_k=True` and `reduction_dimension=-1`: any other combination fails when run with
TF's "No OpKernel was registered" InvalidArgumentError, as here. With
`aggregate_to_topk=False` the static output size is TF's (XLA's approximate reduction
size: the whole dimension up to one TPU tile, 128 lanes or 1024 for rank 1, else a
power-of-two reduction chosen from `recall_target`), while the CPU kernel still returns
k values, as TF's does. NaNs rank above every number (TF's order among NaNs and
equal numbers next to them may differ).
"""

from __future__ import annotations

import collections
import math

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import common_shapes
from tfgraph.ops.apply import apply_op

__all__ = ["approx_max_k", "approx_min_k", "approx_top_k"]

_LANE_TILING, _CHUNK_TILING = 128, 1024
ApproxTopK = collections.namedtuple("ApproxTopK", ["values", "indices"])


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _log2_floor(v: int) -> int:
    return 0 if v <= 0 else v.bit_length() - 1


def _log2_ceil(v: int) -> int:
    return 0 if v <= 0 else (v - 1).bit_length()


def reduction_output_size(
    input_size: int, rank: int, k: int, recall: float, aggregate: bool, override: int
) -> int:
    """XLA's ApproxTopKReductionOutputSize: the reduced dimension's static size."""
    if aggregate:
        return k
    tiling = _CHUNK_TILING if rank == 1 else _LANE_TILING
    if input_size <= tiling:
        return input_size
    logical = override if override >= 0 else input_size
    if k == 1:
        return tiling
    recall = float(np.float32(recall))
    windows = (1.0 - k) / math.log(recall) if recall < 1.0 else float("inf")
    m = min(max(int(windows) if math.isfinite(windows) else input_size, tiling), input_size)
    log2_reduction = _log2_floor(logical // m)
    if log2_reduction == 0:
        return input_size
    log2_reduction = min(log2_reduction, _log2_ceil(input_size // tiling))
    tiles = _ceil_div(input_size, tiling)
    return _ceil_div(tiles, 1 << log2_reduction) * tiling


def _shape(op):
    attrs = op._attrs
    dims = op._inputs[0]._shape._dims
    if dims is None:
        return [TensorShape(None), TensorShape(None)]
    rank = len(dims)
    if rank == 0:
        raise common_shapes.shape_error(op, "Shape must be at least rank 1 but is rank 0")
    dim = attrs["reduction_dimension"]
    if not -rank <= dim < rank:
        raise common_shapes.shape_error(
            op,
            f"Invalid reduction dimension: {dim}. Must be within the range of [{-rank}, "
            f"{rank - 1}]",
        )
    dim %= rank
    k = attrs["k"]
    size = dims[dim]
    out = list(dims)
    if size is not None:
        if size < k:
            raise common_shapes.shape_error(
                op, f"input must have last dimension >= k = {k} but was {size}"
            )
        out[dim] = reduction_output_size(
            size,
            rank,
            k,
            attrs["recall_target"],
            attrs["aggregate_to_topk"],
            attrs["reduction_input_size_override"],
        )
    elif not attrs["aggregate_to_topk"]:
        out[dim] = None
    else:
        out[dim] = k
    return [TensorShape(out), TensorShape(out)]


def _no_kernel(op) -> errors.InvalidArgumentError:
    attrs = op._attrs
    listed = ", ".join(
        f"{name}={str(attrs[name]).lower() if isinstance(attrs[name], bool) else attrs[name]}"
        for name in ("k", "reduction_dimension", "is_max_k", "aggregate_to_topk")
    )
    return errors.InvalidArgumentError(
        None,
        op,
        f"No OpKernel was registered to support Op 'ApproxTopK' used by {{{{node {op.name}}}}} "
        f"with these attrs: [T=DT_{attrs['T'].name.upper()}, {listed}]\nRegistered devices: "
        "[CPU]\nThe CPU kernels need is_max_k=true and reduction_dimension=-1.",
    )


def _kernel(op, ctx):
    attrs = op._attrs
    k = attrs["k"]
    supported = attrs["is_max_k"] and attrs["reduction_dimension"] == -1
    bf16 = attrs["T"] == dtypes.bfloat16

    def kernel(x):
        if not supported:
            raise _no_kernel(op)
        x = np.asarray(x)
        if x.shape[-1] < k:
            raise errors.InvalidArgumentError(
                None, op, f"input must have at least k columns. Had {x.shape[-1]}, needed {k}"
            )
        key = -(dtypes.from_bfloat16(x) if bf16 else x.astype(np.float32))
        key[np.isnan(key)] = -np.inf  # (NaN ranks first)
        order = np.argsort(key, axis=-1, kind="stable")[..., :k]
        return np.take_along_axis(x, order, axis=-1), order.astype(np.int32)

    return kernel


def _grad(op, grad, _):
    from tfgraph.ops.nn_ops import _top_k_grad

    return [_top_k_grad(op, grad, None)[0]]


register_op(
    "ApproxTopK",
    inputs=["input: T"],
    outputs=["values: T", "indices: int32"],
    attrs=[
        "k: int >= 0",
        "reduction_dimension: int = -1",
        "recall_target: float = 0.95",
        "is_max_k: bool = true",
        "reduction_input_size_override: int = -1",
        "aggregate_to_topk: bool = true",
        "T: {half, bfloat16, float}",
    ],
    shape=_shape,
    make_kernel=_kernel,
    grad=_grad,
)


def _approx_top_k(operand, k, is_max_k, dim, recall, override, aggregate, name):
    attrs = {
        "k": int(k),
        "reduction_dimension": int(dim),
        "recall_target": float(recall),
        "is_max_k": bool(is_max_k),
        "reduction_input_size_override": int(override),
        "aggregate_to_topk": bool(aggregate),
    }
    return ApproxTopK(*apply_op("ApproxTopK", name, [operand], attrs)._outputs)


def approx_top_k(
    input,
    k,
    reduction_dimension=-1,
    recall_target=0.95,
    is_max_k=True,
    reduction_input_size_override=-1,
    aggregate_to_topk=True,
    name=None,
):
    """The ApproxTopK op itself (`tf.approx_top_k`): (values, indices)."""
    return _approx_top_k(
        input,
        k,
        is_max_k,
        reduction_dimension,
        recall_target,
        reduction_input_size_override,
        aggregate_to_topk,
        name,
    )


def approx_max_k(
    operand,
    k,
    reduction_dimension=-1,
    recall_target=0.95,
    reduction_input_size_override=-1,
    aggregate_to_topk=True,
    name=None,
):
    """(values, indices) of the `k` largest entries along `reduction_dimension`
    (`tf.math.approx_max_k`): exact on CPU, descending, ties lower index first."""
    return _approx_top_k(
        operand,
        k,
        True,
        reduction_dimension,
        recall_target,
        reduction_input_size_override,
        aggregate_to_topk,
        name,
    )


def approx_min_k(
    operand,
    k,
    reduction_dimension=-1,
    recall_target=0.95,
    reduction_input_size_override=-1,
    aggregate_to_topk=True,
    name=None,
):
    """(values, indices) of the `k` smallest entries (`tf.math.approx_min_k`). As in TF,
    the op builds but TF's CPU runtime has no kernel for it: running it raises
    InvalidArgumentError."""
    return _approx_top_k(
        operand,
        k,
        False,
        reduction_dimension,
        recall_target,
        reduction_input_size_override,
        aggregate_to_topk,
        name,
    )

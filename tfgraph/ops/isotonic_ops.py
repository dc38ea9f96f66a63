"""`tf.nn.isotonic_regression` (TF2): the IsotonicRegression op (pool adjacent
violators along the last axis) and its gradient (each segment's mean of the incoming
gradient)."""

from __future__ import annotations

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.registry import register_op
from tfgraph.ops import array_ops, math_ops, segment_ops
from tfgraph.ops.apply import apply_op

__all__ = ["isotonic_regression"]


def _pav_row(row: np.ndarray, out: np.ndarray, seg: np.ndarray) -> None:
    """The non-increasing fit of one row: adjacent blocks merge while the earlier block's
    mean is below the later one's (equal means stay apart, as in TF's kernel)."""
    sums: list[float] = []
    counts: list[int] = []
    for x in row:
        s, c = float(x), 1
        while sums and sums[-1] / counts[-1] < s / c:
            s += sums.pop()
            c += counts.pop()
        sums.append(s)
        counts.append(c)
    i = 0
    for k, (s, c) in enumerate(zip(sums, counts)):
        out[i : i + c] = s / c
        seg[i : i + c] = k
        i += c


def _isotonic_kernel(op, ctx):
    out_dtype = op._attrs["output_dtype"].as_numpy_dtype

    def kernel(x):
        x = np.asarray(x)
        n = x.shape[-1] if x.ndim else 1
        flat = x.reshape(-1, n).astype(np.float64)
        out = np.zeros_like(flat)
        seg = np.zeros(flat.shape, np.int32)
        for r in range(flat.shape[0]):
            _pav_row(flat[r], out[r], seg[r])
        return out.reshape(x.shape).astype(out_dtype), seg.reshape(x.shape)

    return kernel


def _isotonic_shape(op):
    shape = op._inputs[0]._shape
    return [shape, shape]


def _isotonic_grad(op, grad_output, grad_segments):
    """TF's gradient: each element gets the mean of the incoming gradient over its
    segment (per row of the last axis)."""
    del grad_segments  # (discrete)
    segments = op._outputs[1]
    shape = array_ops.shape(grad_output)
    n = shape[-1]
    rows = array_ops.reshape(grad_output, array_ops.stack([-1, n]))
    seg = array_ops.reshape(segments, array_ops.stack([-1, n]))
    num_rows = array_ops.shape(rows)[0]
    offset = array_ops.expand_dims(math_ops.range(num_rows) * n, 1)
    ids = array_ops.reshape(seg + offset, [-1])
    means = segment_ops.unsorted_segment_mean(
        array_ops.reshape(rows, [-1]), ids, num_segments=num_rows * n
    )
    return array_ops.reshape(array_ops.gather(means, ids), shape)


register_op(
    "IsotonicRegression",
    inputs=["input: T"],
    outputs=["output: output_dtype", "segments: int32"],
    attrs=[
        "T: {float, double, int32, uint8, int16, int8, int64, bfloat16, uint16, half, uint32, "
        "uint64}",
        "output_dtype: {half, bfloat16, float, double} = float",
    ],
    shape=_isotonic_shape,
    make_kernel=_isotonic_kernel,
    grad=_isotonic_grad,
)

_PROMOTIONS = {
    dtypes.float32: dtypes.float32,
    dtypes.float16: dtypes.float16,
    dtypes.bfloat16: dtypes.bfloat16,
    dtypes.int8: dtypes.float32,
    dtypes.int16: dtypes.float32,
}


def isotonic_regression(inputs, decreasing=True, axis=-1):
    """(output, segments): the closest non-increasing (or, with `decreasing=False`,
    non-decreasing) sequence along `axis`, and each element's block index. Float32, half
    and bfloat16 inputs keep their dtype; int8/int16 give float32, others float64."""
    inputs = convert_to_tensor(inputs)
    out_dtype = _PROMOTIONS.get(inputs.dtype._base, dtypes.float64)

    def compute(matrix):
        if decreasing:
            op = apply_op("IsotonicRegression", None, [matrix], {"output_dtype": out_dtype})
            return op._outputs[0], op._outputs[1]
        op = apply_op("IsotonicRegression", None, [-matrix], {"output_dtype": out_dtype})
        return -op._outputs[0], op._outputs[1]

    rank = inputs.shape.rank
    if axis == -1 or (rank is not None and axis == rank - 1):
        return compute(inputs)
    if rank is None:
        raise ValueError("tf.nn.isotonic_regression needs the input's rank for axis != -1")
    if not -rank <= axis < rank:
        from tfgraph import errors

        raise errors.InvalidArgumentError(
            None,
            None,
            f"`dim` must be in the range [{-rank}, {rank}) where {rank} is the number of "
            f"dimensions in the input. Received: dim={axis}",
        )
    axis %= rank
    perm = list(range(rank))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    outputs = compute(array_ops.transpose(inputs, perm))
    result = []
    for out in outputs:
        out = array_ops.transpose(out, perm)
        out.set_shape(inputs.shape)
        result.append(out)
    return tuple(result)

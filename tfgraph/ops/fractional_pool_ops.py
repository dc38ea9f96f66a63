"""FractionalMaxPool / FractionalAvgPool and their gradients (`tf.nn.fractional_max_pool`,
`tf.nn.fractional_avg_pool`, TF1 signatures).

Rows and columns are cut into pooling regions by a sequence of boundaries, drawn as TF
draws them from a Philox stream seeded by (seed, seed2) (philox.py, bit for bit):
random (a shuffle of the region sizes) or `pseudo_random` (ceil(alpha * (i + u))).
`overlapping` regions also take the next boundary row/column. With `deterministic`
the same seeds (so the same regions) serve every run; unseeded ops draw fresh seeds.
"""

from __future__ import annotations

import math

import numpy as np

from tfgraph import errors
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import philox
from tfgraph.ops.apply import apply_op, op_output

__all__ = ["fractional_avg_pool", "fractional_max_pool"]

_T = "T: {float, double, int32, int64}"
_ATTRS = [
    "pooling_ratio: list(float) >= 4",
    "pseudo_random: bool = false",
    "overlapping: bool = false",
    "deterministic: bool = false",
    "seed: int = 0",
    "seed2: int = 0",
    _T,
]


def _out_size(size, ratio):
    return math.floor(np.float32(size) / np.float32(ratio))


def _shape(op):
    dims = op._inputs[0]._shape.with_rank(4)._dims
    ratio = op._attrs["pooling_ratio"]
    if dims is None:
        out = [None] * 4
    else:
        out = [None if d is None else _out_size(d, r) for d, r in zip(dims, ratio)]
    return [
        TensorShape._from_tuple(tuple(out)),
        TensorShape([out[1]]),
        TensorShape([out[2]]),
    ]


def _pseudo_random_diff(n_in, n_out, state):
    key, counter = state
    alpha = n_in / n_out
    k = n_in // n_out
    u_max = min((k + 2) / alpha - 1, (n_in + 1 - k) / alpha - (n_out - 1))
    x = philox.blocks(key, counter, 1)[0]
    u = float(philox._uint64_to_double(x[0:1], x[1:2])[0]) * u_max
    cum = [1] + [math.ceil(alpha * (i + u)) for i in range(1, n_out)] + [n_in + 1]
    return np.diff(cum), counter + 1


def _random_diff(n_in, n_out, state):
    key, counter = state
    diff = np.full(n_out, n_in // n_out, np.int64)
    diff[: n_in % n_out] += 1
    perm = philox.shuffle_permutation(key, counter, n_out)
    return diff[perm], counter + -(-n_out // 4)


def _sequences(op, seeds, rows, cols, out_rows, out_cols):
    """The row and column cumulative pooling sequences (TF's GeneratePoolingSequence)."""
    seed, seed2 = seeds
    state = ((seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF), (seed2 & ((1 << 64) - 1)) << 64)
    draw = _pseudo_random_diff if op._attrs["pseudo_random"] else _random_diff
    row_diff, counter = draw(rows, out_rows, state)
    col_diff, _ = draw(cols, out_cols, (state[0], counter))
    return (
        np.concatenate([[0], np.cumsum(row_diff)]).astype(np.int64),
        np.concatenate([[0], np.cumsum(col_diff)]).astype(np.int64),
    )


def _seeds(op, ctx):
    attrs = op._attrs
    seed, seed2 = attrs["seed"], attrs["seed2"]
    if not attrs["deterministic"]:
        if seed or seed2:
            raise errors.InvalidArgumentError(
                None, op, "Both seed and seed2 should be 0 if deterministic is false."
            )
        return None
    if seed == 0 and seed2 == 0:

        def fresh():
            return tuple(int(v) for v in np.random.SeedSequence().generate_state(2, np.uint64))

        if ctx is None:
            return fresh()
        return ctx.resources_for(op).state(("fractional_pool_seeds", op._name), fresh)
    return seed, seed2


def _windows(seq, overlapping, limit):
    """(start, end) inclusive of each region."""
    ends = seq[1:] if overlapping else seq[1:] - 1
    return list(zip(seq[:-1].tolist(), np.minimum(ends, limit - 1).tolist()))


def _check_ratio(op):
    ratio = op._attrs["pooling_ratio"]
    if len(ratio) != 4:
        raise errors.InvalidArgumentError(None, op, "pooling_ratio field must specify 4 dimensions")
    for r in ratio:
        if r < 1:
            raise errors.InvalidArgumentError(
                None, op, f"pooling_ratio cannot be smaller than 1, got: {r:g}"
            )
    if ratio[0] != 1 and ratio[3] != 1:
        raise errors.UnimplementedError(
            None, op, "Fractional max pooling is not yet supported on the batch nor channel "
            "dimension.",
        )  # fmt: skip
    return ratio


def _pool_kernel(reduce_windows):
    def make(op, ctx):
        ratio = _check_ratio(op)
        seeds = _seeds(op, ctx)
        overlapping = op._attrs["overlapping"]

        def kernel(x):
            x = np.asarray(x)
            if x.ndim != 4:
                raise errors.InvalidArgumentError(None, op, "tensor_in must be 4-dimensional")
            for i in range(4):
                if x.shape[i] < ratio[i]:
                    raise errors.InvalidArgumentError(
                        None,
                        op,
                        "Pooling ratio is higher than input dimension size for dimension "
                        f"{i}. Input dim size: {x.shape[i]} pooling ratio: {ratio[i]:g}",
                    )
            out = [_out_size(d, r) for d, r in zip(x.shape, ratio)]
            used = seeds
            if used is None:
                used = tuple(int(v) for v in np.random.SeedSequence().generate_state(2, np.uint64))
            row_seq, col_seq = _sequences(op, used, x.shape[1], x.shape[2], out[1], out[2])
            rows = _windows(row_seq, overlapping, x.shape[1])
            cols = _windows(col_seq, overlapping, x.shape[2])
            return reduce_windows(x, rows, cols), row_seq, col_seq

        return kernel

    return make


def _max_windows(x, rows, cols):
    out = np.empty((x.shape[0], len(rows), len(cols), x.shape[3]), x.dtype)
    for i, (r0, r1) in enumerate(rows):
        for j, (c0, c1) in enumerate(cols):
            out[:, i, j, :] = x[:, r0 : r1 + 1, c0 : c1 + 1, :].max(axis=(1, 2))
    return out


def _avg_windows(x, rows, cols):
    out = np.empty((x.shape[0], len(rows), len(cols), x.shape[3]), x.dtype)
    for i, (r0, r1) in enumerate(rows):
        for j, (c0, c1) in enumerate(cols):
            acc = np.zeros((x.shape[0], x.shape[3]), x.dtype)
            for r in range(r0, r1 + 1):  # (TF's order of additions)
                for c in range(c0, c1 + 1):
                    acc += x[:, r, c, :]
            count = (r1 - r0 + 1) * (c1 - c0 + 1)
            if x.dtype.kind == "f":
                out[:, i, j, :] = acc / x.dtype.type(count)
            else:
                out[:, i, j, :] = np.trunc(acc / count).astype(x.dtype)
    return out


def _max_grad_kernel(op, ctx):
    overlapping = op._attrs["overlapping"]

    def kernel(x, y, dy, row_seq, col_seq):
        x, dy = np.asarray(x), np.asarray(dy)
        rows = _windows(np.asarray(row_seq), overlapping, x.shape[1])
        cols = _windows(np.asarray(col_seq), overlapping, x.shape[2])
        dx = np.zeros(x.shape, x.dtype)
        batch = np.arange(x.shape[0])[:, None]
        depth = np.arange(x.shape[3])[None, :]
        for i, (r0, r1) in enumerate(rows):
            for j, (c0, c1) in enumerate(cols):
                window = x[:, r0 : r1 + 1, c0 : c1 + 1, :]
                w = window.shape[2]
                flat = window.reshape(x.shape[0], -1, x.shape[3])
                first = flat.argmax(axis=1)  # (the first of equal maxima, as TF)
                np.add.at(dx, (batch, r0 + first // w, c0 + first % w, depth), dy[:, i, j, :])
        if np.any(_max_windows(x, rows, cols) != np.asarray(y)):
            raise errors.InvalidArgumentError(
                None, op, "tensor_out_dup is not the same as tensor_out"
            )
        return dx

    return kernel


def _avg_grad_kernel(op, ctx):
    overlapping = op._attrs["overlapping"]

    def kernel(shape, dy, row_seq, col_seq):
        shape = [int(s) for s in np.asarray(shape).tolist()]
        dy = np.asarray(dy)
        rows = _windows(np.asarray(row_seq), overlapping, shape[1])
        cols = _windows(np.asarray(col_seq), overlapping, shape[2])
        dx = np.zeros(shape, np.float64)
        for i, (r0, r1) in enumerate(rows):
            for j, (c0, c1) in enumerate(cols):
                count = (r1 - r0 + 1) * (c1 - c0 + 1)
                share = dy[:, i, j, :].astype(np.float64) / count
                dx[:, r0 : r1 + 1, c0 : c1 + 1, :] += share[:, None, None, :]
        if dy.dtype.kind != "f":
            return dx.astype(np.int64).astype(dy.dtype)
        return dx.astype(dy.dtype)

    return kernel


def _max_pool_grad(op, grad, unused_row_grad, unused_col_grad):
    del unused_row_grad, unused_col_grad
    return op_output(
        "FractionalMaxPoolGrad",
        None,
        [op._inputs[0], op._outputs[0], grad, op._outputs[1], op._outputs[2]],
        {"overlapping": op._attrs["overlapping"]},
    )


def _avg_pool_grad(op, grad, unused_row_grad, unused_col_grad):
    del unused_row_grad, unused_col_grad
    shape = op._inputs[0].shape
    if not shape.is_fully_defined():
        raise ValueError(f"Cannot convert a partially known TensorShape {shape} to a Tensor.")
    return op_output(
        "FractionalAvgPoolGrad",
        None,
        [shape.as_list(), grad, op._outputs[1], op._outputs[2]],
        {"overlapping": op._attrs["overlapping"]},
    )


_OUTPUTS = ["output: T", "row_pooling_sequence: int64", "col_pooling_sequence: int64"]
register_op(
    "FractionalMaxPool",
    inputs=["value: T"],
    outputs=_OUTPUTS,
    attrs=_ATTRS,
    shape=_shape,
    make_kernel=_pool_kernel(_max_windows),
    grad=_max_pool_grad,
)
register_op(
    "FractionalAvgPool",
    inputs=["value: T"],
    outputs=_OUTPUTS,
    attrs=_ATTRS,
    shape=_shape,
    make_kernel=_pool_kernel(_avg_windows),
    grad=_avg_pool_grad,
)
# TF registers no gradient for the two gradient ops.
register_op(
    "FractionalMaxPoolGrad",
    inputs=[
        "orig_input: T",
        "orig_output: T",
        "out_backprop: T",
        "row_pooling_sequence: int64",
        "col_pooling_sequence: int64",
    ],
    outputs=["output: T"],
    attrs=["overlapping: bool = false", _T],
    shape=lambda op: [op._inputs[0]._shape.with_rank(4)],
    make_kernel=_max_grad_kernel,
)


def _avg_grad_shape(op):
    from tfgraph.ops.common_shapes import constant_value_as_shape

    return [constant_value_as_shape(op._inputs[0]).with_rank(4)]


register_op(
    "FractionalAvgPoolGrad",
    inputs=[
        "orig_input_tensor_shape: int64",
        "out_backprop: T",
        "row_pooling_sequence: int64",
        "col_pooling_sequence: int64",
    ],
    outputs=["output: T"],
    attrs=["overlapping: bool = false", _T],
    shape=_avg_grad_shape,
    make_kernel=_avg_grad_kernel,
)


def _fractional(op_type, value, pooling_ratio, pseudo_random, overlapping, deterministic,
                seed, seed2, name):  # fmt: skip
    value = convert_to_tensor(value, name="value")
    attrs = {
        "pooling_ratio": [float(r) for r in pooling_ratio],
        "pseudo_random": bool(pseudo_random),
        "overlapping": bool(overlapping),
        "deterministic": bool(deterministic),
        "seed": int(seed),
        "seed2": int(seed2),
    }
    return tuple(apply_op(op_type, name, [value], attrs)._outputs)


def fractional_max_pool(
    value,
    pooling_ratio,
    pseudo_random=False,
    overlapping=False,
    deterministic=False,
    seed=0,
    seed2=0,
    name=None,
):
    """Max pooling over regions of fractional average size `pooling_ratio` (per NHWC
    dimension; batch and channel 1): (output, row_pooling_sequence,
    col_pooling_sequence)."""
    return _fractional(
        "FractionalMaxPool", value, pooling_ratio, pseudo_random, overlapping, deterministic,
        seed, seed2, name,
    )  # fmt: skip


def fractional_avg_pool(
    value,
    pooling_ratio,
    pseudo_random=False,
    overlapping=False,
    deterministic=False,
    seed=0,
    seed2=0,
    name=None,
):
    """Average pooling over regions of fractional average size `pooling_ratio`:
    (output, row_pooling_sequence, col_pooling_sequence)."""
    return _fractional(
        "FractionalAvgPool", value, pooling_ratio, pseudo_random, overlapping, deterministic,
        seed, seed2, name,
    )  # fmt: skip


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def _fractional_v2(pool_v1, value, pooling_ratio, pseudo_random, overlapping, seed, name):
    from tfgraph.framework.random_seed import get_seed

    if isinstance(pooling_ratio, (int, float)):
        pooling_ratio = [1.0, pooling_ratio, pooling_ratio, 1.0]
    elif len(pooling_ratio) == 2:
        pooling_ratio = [1.0, *pooling_ratio, 1.0]
    if seed == 0:
        return pool_v1(value, pooling_ratio, pseudo_random, overlapping, False, 0, 0, name)
    seed1, seed2 = get_seed(seed)
    return pool_v1(value, pooling_ratio, pseudo_random, overlapping, True, seed1, seed2, name)


def fractional_max_pool_v2(
    value, pooling_ratio, pseudo_random=False, overlapping=False, seed=0, name=None
):
    """TF2's `tf.nn.fractional_max_pool`: a nonzero `seed` makes it deterministic."""
    return _fractional_v2(
        fractional_max_pool, value, pooling_ratio, pseudo_random, overlapping, seed, name
    )


def fractional_avg_pool_v2(
    value, pooling_ratio, pseudo_random=False, overlapping=False, seed=0, name=None
):
    """TF2's `tf.nn.fractional_avg_pool`: a nonzero `seed` makes it deterministic."""
    return _fractional_v2(
        fractional_avg_pool, value, pooling_ratio, pseudo_random, overlapping, seed, name
    )

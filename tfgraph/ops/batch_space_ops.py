"""SpaceToBatchND / BatchToSpaceND (and TF1's fixed-block SpaceToBatch / BatchToSpace):
spatial blocks moved into the batch dimension and back, each the other's gradient."""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import common_shapes
from tfgraph.ops.apply import op_output
from tfgraph.ops.common_shapes import UNKNOWN, constant_value

__all__ = [
    "batch_to_space",
    "batch_to_space_nd",
    "required_space_to_batch_paddings",
    "space_to_batch",
    "space_to_batch_nd",
]


def _check_block(op, block, pads, rank, what):
    m = block.shape[0]
    if m < 1:
        raise ValueError(f"block_shape must have at least one element for '{op.name}'")
    if pads.shape != (m, 2):
        raise ValueError(
            f"{what} should have shape [{m}, 2] instead of {list(pads.shape)} for '{op.name}'"
        )
    if rank is not None and rank < m + 1:
        raise ValueError(f"input rank should be >= {m + 1} instead of {rank} for '{op.name}'")
    if np.any(block < 1):
        raise ValueError(f"block_shape must be positive for '{op.name}'")
    if np.any(pads < 0):
        raise ValueError(f"{what} must be non-negative for '{op.name}'")


def _space_to_batch_out(op, dims, block, pads, raising, static=False):
    m = block.shape[0]
    out = list(dims)
    if out[0] is not None:
        out[0] = out[0] * int(np.prod(block))
    for i in range(m):
        d = dims[i + 1]
        if d is None:
            continue
        padded = d + int(pads[i, 0]) + int(pads[i, 1])
        if padded % int(block[i]):
            raising(
                f"Dimension size must be evenly divisible by {int(block[i])} but is {padded}"
                if static
                else f"padded_shape[{i}]={padded} is not divisible by block_shape[{i}]="
                f"{int(block[i])}"
            )
        out[i + 1] = padded // int(block[i])
    return out


def _batch_to_space_out(op, dims, block, crops, raising, static=False):
    m = block.shape[0]
    out = list(dims)
    prod = int(np.prod(block))
    if out[0] is not None:
        if out[0] % prod:
            raising(
                f"Input batch dimension ({out[0]}) is not divisible by product of block sizes "
                f"({prod})"
            )
        out[0] = out[0] // prod
    for i in range(m):
        d = dims[i + 1]
        if d is None:
            continue
        size = d * int(block[i]) - int(crops[i, 0]) - int(crops[i, 1])
        if size < 0:
            raising(
                f"Negative output dimension size caused by overly large crop values: "
                f"{int(crops[i, 0])} + {int(crops[i, 1])} > {d * int(block[i])}"
            )
        out[i + 1] = size
    return out


def _partial_nd_shape(op, dims, block, forward):
    """Without constant paddings/crops (or block), as TF: the block dimensions are
    unknown, the batch is known with a known block, later dimensions are kept."""
    m = op._inputs[1]._shape._dims
    if dims is None or m is None or m[0] is None:
        return UNKNOWN if dims is None else TensorShape._from_tuple((None,) * len(dims))
    out = [None] * (1 + m[0]) + list(dims[1 + m[0] :])
    if block is not None and dims[0] is not None:
        prod = int(np.prod(np.asarray(block, np.int64)))
        out[0] = dims[0] * prod if forward else dims[0] // prod
    return TensorShape._from_tuple(tuple(out))


def _nd_shape(forward: bool):
    def shape(op):
        dims = op._inputs[0]._shape._dims
        block = constant_value(op._inputs[1])
        pads = constant_value(op._inputs[2])
        if block is None or pads is None:
            return [_partial_nd_shape(op, dims, block, forward)]
        block = np.asarray(block, np.int64).reshape(-1)
        pads = np.asarray(pads, np.int64)
        _check_block(
            op, block, pads, None if dims is None else len(dims), "paddings" if forward else "crops"
        )
        if dims is None:
            return [UNKNOWN]

        def raising(message):
            raise common_shapes.shape_error(op, message)

        fn = _space_to_batch_out if forward else _batch_to_space_out
        return [TensorShape._from_tuple(tuple(fn(op, dims, block, pads, raising, True)))]

    return shape


def _space_to_batch_np(op, x, block, pads):
    x = np.asarray(x)
    block = np.asarray(block, np.int64).reshape(-1)
    pads = np.asarray(pads, np.int64).reshape(-1, 2)
    m = block.shape[0]

    def raising(message):
        raise errors.InvalidArgumentError(None, op, message)

    if x.ndim < m + 1:
        raising(f"input rank should be >= {m + 1} instead of {x.ndim}")
    if np.any(pads < 0):
        raising("Negative paddings are not allowed")
    out_dims = _space_to_batch_out(op, list(x.shape), block, pads, raising)
    width = [(0, 0)] + [tuple(int(p) for p in row) for row in pads] + [(0, 0)] * (x.ndim - m - 1)
    padded = np.pad(x, width)
    batch = x.shape[0]
    shape = [batch]
    for i in range(m):
        shape += [padded.shape[i + 1] // int(block[i]), int(block[i])]
    rest = list(x.shape[m + 1 :])
    y = padded.reshape(shape + rest)
    perm = (
        [2 + 2 * i for i in range(m)]
        + [0]
        + [1 + 2 * i for i in range(m)]
        + list(range(1 + 2 * m, 1 + 2 * m + len(rest)))
    )
    return np.ascontiguousarray(y.transpose(perm)).reshape(out_dims)


def _batch_to_space_np(op, x, block, crops):
    x = np.asarray(x)
    block = np.asarray(block, np.int64).reshape(-1)
    crops = np.asarray(crops, np.int64).reshape(-1, 2)
    m = block.shape[0]

    def raising(message):
        raise errors.InvalidArgumentError(None, op, message)

    if x.ndim < m + 1:
        raising(f"input rank should be >= {m + 1} instead of {x.ndim}")
    if np.any(crops < 0):
        raising("Negative crops are not allowed")
    _batch_to_space_out(op, list(x.shape), block, crops, raising)
    prod = int(np.prod(block))
    batch = x.shape[0] // prod
    rest = list(x.shape[m + 1 :])
    y = x.reshape([int(b) for b in block] + [batch] + list(x.shape[1 : m + 1]) + rest)
    perm = [m]
    for i in range(m):
        perm += [m + 1 + i, i]
    perm += list(range(2 * m + 1, 2 * m + 1 + len(rest)))
    y = y.transpose(perm).reshape(
        [batch] + [x.shape[i + 1] * int(block[i]) for i in range(m)] + rest
    )
    index = [slice(None)] + [
        slice(int(crops[i, 0]), y.shape[i + 1] - int(crops[i, 1])) for i in range(m)
    ]
    return np.ascontiguousarray(y[tuple(index)])


register_op(
    "SpaceToBatchND",
    inputs=["input: T", "block_shape: Tblock_shape", "paddings: Tpaddings"],
    outputs=["output: T"],
    attrs=["T: type", "Tblock_shape: {int32, int64} = int32", "Tpaddings: {int32, int64} = int32"],
    shape=_nd_shape(True),
    make_kernel=lambda op, ctx: lambda x, b, p: _space_to_batch_np(op, x, b, p),
    grad=lambda op, grad: [batch_to_space_nd(grad, op.inputs[1], op.inputs[2]), None, None],
)
register_op(
    "BatchToSpaceND",
    inputs=["input: T", "block_shape: Tblock_shape", "crops: Tcrops"],
    outputs=["output: T"],
    attrs=["T: type", "Tblock_shape: {int32, int64} = int32", "Tcrops: {int32, int64} = int32"],
    shape=_nd_shape(False),
    make_kernel=lambda op, ctx: lambda x, b, c: _batch_to_space_np(op, x, b, c),
    grad=lambda op, grad: [space_to_batch_nd(grad, op.inputs[1], op.inputs[2]), None, None],
)


def space_to_batch_nd(input, block_shape, paddings, name=None) -> Tensor:
    """Zero-pads the M spatial dimensions of `input` by `paddings` and moves blocks of
    `block_shape` from them into the batch dimension."""
    return op_output("SpaceToBatchND", name, [input, block_shape, paddings])


def batch_to_space_nd(input, block_shape, crops, name=None) -> Tensor:
    """The inverse of `space_to_batch_nd`: batch blocks back into the spatial dimensions,
    then `crops` removed."""
    return op_output("BatchToSpaceND", name, [input, block_shape, crops])


def space_to_batch(input, paddings, block_size=None, name=None, block_shape=None) -> Tensor:
    """`space_to_batch_nd` of a 4-D `input` with the square block `block_size`."""
    if block_size is None:
        block_size = block_shape
    if block_size is None:
        raise TypeError("space_to_batch() missing required argument: 'block_size'")
    with get_default_graph().name_scope(name or "SpaceToBatchND") as scope:
        block = constant(np.array([block_size, block_size], np.int64), name="block_shape")
        return op_output("SpaceToBatchND", scope, [input, block, paddings])


def batch_to_space(input, crops, block_size, name=None, block_shape=None) -> Tensor:
    """`batch_to_space_nd` of a 4-D `input` with the square block `block_size`."""
    if block_size is None:
        block_size = block_shape
    with get_default_graph().name_scope(name or "BatchToSpaceND") as scope:
        block = constant(np.array([block_size, block_size], np.int64), name="block_shape")
        return op_output("BatchToSpaceND", scope, [input, block, crops])


def required_space_to_batch_paddings(input_shape, block_shape, base_paddings=None, name=None):
    """(paddings, crops) that make `input_shape` (+ `base_paddings`) divisible by
    `block_shape`, as TF computes them (constants when the inputs are)."""
    from tfgraph.ops import array_ops

    with get_default_graph().name_scope(name or "required_space_to_batch_paddings"):
        input_shape = convert_to_tensor(input_shape, dtype=dtypes.int32, name="input_shape")
        block_shape = convert_to_tensor(block_shape, dtype=dtypes.int32, name="block_shape")
        block_shape.shape.with_rank(1)
        num_block_dims = block_shape.shape.as_list()[0]
        if num_block_dims == 0:
            return (
                array_ops.zeros([0, 2], dtypes.int32),
                array_ops.zeros([0, 2], dtypes.int32),
            )
        input_shape.shape.assert_is_compatible_with([num_block_dims])
        if base_paddings is not None:
            base_paddings = convert_to_tensor(
                base_paddings, dtype=dtypes.int32, name="base_paddings"
            )
            base_paddings.shape.assert_is_compatible_with([num_block_dims, 2])
        else:
            base_paddings = array_ops.zeros([num_block_dims, 2], dtypes.int32)
        const_block = constant_value(block_shape)
        const_input = constant_value(input_shape)
        const_base = constant_value(base_paddings)
        if const_block is not None and const_input is not None and const_base is not None:
            block_shape, input_shape, base_paddings = const_block, const_input, const_base
        pad_start = base_paddings[:, 0]
        orig_pad_end = base_paddings[:, 1]
        full_input_shape = input_shape + pad_start + orig_pad_end
        pad_end_extra = (block_shape - full_input_shape % block_shape) % block_shape
        pad_end = orig_pad_end + pad_end_extra
        if isinstance(pad_start, np.ndarray):
            result_paddings = constant(
                np.stack([pad_start, pad_end], axis=1).astype(np.int32), name="paddings"
            )
            result_crops = constant(
                np.stack([np.zeros_like(pad_end_extra), pad_end_extra], axis=1).astype(np.int32),
                name="crops",
            )
            return result_paddings, result_crops
        result_paddings = array_ops.stack(
            [[pad_start[i], pad_end[i]] for i in range(num_block_dims)], name="paddings"
        )
        result_crops = array_ops.stack(
            [[0, pad_end_extra[i]] for i in range(num_block_dims)], name="crops"
        )
        return result_paddings, result_crops


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def batch_to_space_v2(input, block_shape, crops, name=None):
    """TF2's `tf.batch_to_space`: BatchToSpaceND with (block_shape, crops)."""
    return batch_to_space_nd(input, block_shape, crops, name=name)


def space_to_batch_v2(input, block_shape, paddings, name=None):
    """TF2's `tf.space_to_batch` / `tf.nn.space_to_batch`: SpaceToBatchND."""
    return space_to_batch_nd(input, block_shape, paddings, name=name)

"""Bitwise ops on integers (`tf.bitwise`): BitwiseAnd/Or/Xor, Invert, LeftShift,
RightShift and PopulationCount, as TF's kernels compute them (shift amounts clamped
to [0, bits - 1]; right shifts of signed integers are arithmetic)."""

from __future__ import annotations

import numpy as np

from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.ops import common_shapes
from tfgraph.ops.apply import op_output

__all__ = [
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "invert",
    "left_shift",
    "population_count",
    "right_shift",
]

_INTEGERS = "{int8, int16, int32, int64, uint8, uint16, uint32, uint64}"


def _clamped_shift(shift):
    def kernel(x, y):
        bits = np.dtype(x.dtype).itemsize * 8
        return shift(x, np.clip(y, 0, bits - 1).astype(x.dtype, copy=False))

    return kernel


for _name, _kernel in (
    ("BitwiseAnd", np.bitwise_and),
    ("BitwiseOr", np.bitwise_or),
    ("BitwiseXor", np.bitwise_xor),
    ("LeftShift", _clamped_shift(np.left_shift)),
    ("RightShift", _clamped_shift(np.right_shift)),
):
    register_op(
        _name,
        inputs=["x: T", "y: T"],
        outputs=["z: T"],
        attrs=[f"T: {_INTEGERS}"],
        shape=common_shapes.broadcast_shape,
        make_kernel=common_shapes.broadcasting_kernel(_kernel),
        grad=NOT_DIFFERENTIABLE,
    )

register_op(
    "Invert",
    inputs=["x: T"],
    outputs=["y: T"],
    attrs=[f"T: {_INTEGERS}"],
    shape=common_shapes.unchanged_shape,
    kernel=np.invert,
    grad=NOT_DIFFERENTIABLE,
)


def _population_count(x):
    as_bytes = np.ascontiguousarray(x).view(np.uint8).reshape(np.shape(x) + (-1,))
    return np.unpackbits(as_bytes, axis=-1).sum(axis=-1, dtype=np.uint8)


register_op(
    "PopulationCount",
    inputs=["x: T"],
    outputs=["y: uint8"],
    attrs=[f"T: {_INTEGERS}"],
    shape=common_shapes.unchanged_shape,
    kernel=_population_count,
    grad=NOT_DIFFERENTIABLE,
)


def bitwise_and(x, y, name: str | None = None):
    """Elementwise `x & y` of two integer tensors of one dtype."""
    return op_output("BitwiseAnd", name, [x, y])


def bitwise_or(x, y, name: str | None = None):
    """Elementwise `x | y` of two integer tensors of one dtype."""
    return op_output("BitwiseOr", name, [x, y])


def bitwise_xor(x, y, name: str | None = None):
    """Elementwise `x ^ y` of two integer tensors of one dtype."""
    return op_output("BitwiseXor", name, [x, y])


def invert(x, name: str | None = None):
    """Elementwise `~x` (every bit flipped) of an integer tensor."""
    return op_output("Invert", name, [x])


def left_shift(x, y, name: str | None = None):
    """`x << y` elementwise; shift amounts outside [0, bits) are clamped into it."""
    return op_output("LeftShift", name, [x, y])


def right_shift(x, y, name: str | None = None):
    """`x >> y` elementwise (arithmetic for signed types); shifts clamped to [0, bits)."""
    return op_output("RightShift", name, [x, y])


def population_count(x, name: str | None = None):
    """The number of 1 bits of each element, as uint8."""
    return op_output("PopulationCount", name, [x])

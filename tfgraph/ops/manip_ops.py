"""Array manipulations and small math ops of TF1's top level: Roll, EnsureShape, Cross,
Angle (with TF's gradients), tf.sort / tf.argsort (TF's TopKV2 composites), tf.linspace
(a composite ending in Slice, as TF's), tf.accumulate_n."""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape, as_shape
from tfgraph.ops import array_ops, common_shapes, math_ops, nn_ops
from tfgraph.ops.apply import op_output
from tfgraph.ops.common_shapes import constant_value

__all__ = [
    "accumulate_n",
    "angle",
    "argsort",
    "cross",
    "ensure_shape",
    "lin_space",
    "linspace",
    "roll",
    "sort",
]


def _dims(shape) -> str:
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


# -- Roll ------------------------------------------------------------------------------------
def _roll_kernel(op, ctx):
    def kernel(x, shift, axis):
        shift, axis = np.asarray(shift), np.asarray(axis)
        if shift.ndim > 1 or axis.ndim > 1 or shift.shape != axis.shape:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"shift and axis must have the same size: {shift.size} vs {axis.size}",
            )
        for a in np.reshape(axis, -1):
            if not -x.ndim <= a < x.ndim:
                raise errors.InvalidArgumentError(
                    None, op, f"axis {int(a)} is out of range [-{x.ndim}, {x.ndim})"
                )
        return np.roll(x, tuple(np.reshape(shift, -1)), tuple(np.reshape(axis, -1)))

    return kernel


def _roll_grad(op, grad):
    shift, axis = op._inputs[1], op._inputs[2]
    return roll(grad, -shift, axis), None, None


register_op(
    "Roll",
    inputs=["input: T", "shift: Tshift", "axis: Taxis"],
    outputs=["output: T"],
    attrs=["T: type", "Tshift: {int32, int64}", "Taxis: {int32, int64}"],
    shape=common_shapes.unchanged_shape,
    make_kernel=_roll_kernel,
    grad=_roll_grad,
)


def roll(input, shift, axis, name: str | None = None) -> Tensor:
    """Rolls the elements of `input` by `shift` along `axis` (both may be lists)."""
    return op_output("Roll", name, [input, shift, axis])


# -- EnsureShape -------------------------------------------------------------------------------
def _ensure_shape_shape(op):
    want = op._attrs["shape"]
    have = op._inputs[0]._shape
    if not have.is_compatible_with(want):
        raise ValueError(
            f"Shapes must be equal rank, but are {have.ndims} and {want.ndims} for "
            f"'{op.name}' (op: 'EnsureShape') with input shapes: "
            f"{_dims(have.as_list()) if have.ndims is not None else '?'}."
            if have.ndims != want.ndims
            else f"Dimension is incompatible: {_dims(have.as_list())} vs. "
            f"{_dims(want.as_list())} for '{op.name}' (op: 'EnsureShape')"
        )
    return [have.merge_with(want)]


def _ensure_shape_kernel(op, ctx):
    want = op._attrs["shape"]
    expected = _dims(want.as_list()) if want.ndims is not None else "<unknown>"

    def kernel(x):
        if not TensorShape(np.shape(x)).is_compatible_with(want):
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Shape of tensor {op._inputs[0].op.name} {_dims(np.shape(x))} is not "
                f"compatible with expected shape {expected}.",
            )
        return x

    return kernel


register_op(
    "EnsureShape",
    inputs=["input: T"],
    outputs=["output: T"],
    attrs=["shape: shape", "T: type"],
    shape=_ensure_shape_shape,
    make_kernel=_ensure_shape_kernel,
    grad=lambda op, grad: grad,
)


def ensure_shape(x, shape, name: str | None = None) -> Tensor:
    """`x`, checked at run time to have a shape compatible with `shape`."""
    return op_output("EnsureShape", name, [x], {"shape": as_shape(shape)})


# -- Cross ----------------------------------------------------------------------------------
def _cross_shape(op):
    a, b = op._inputs[0]._shape, op._inputs[1]._shape
    merged = common_shapes.merge_shapes(a, b, op)
    dims = merged._dims
    if dims is not None:
        if not dims:
            raise ValueError(
                f"Shape must be at least rank 1 but is rank 0 for '{op.name}' (op: 'Cross')"
            )
        if dims[-1] is not None and dims[-1] != 3:
            raise ValueError(
                f"Dimension must be 3 but is {dims[-1]} for '{op.name}' (op: 'Cross') with "
                f"input shapes: {_dims(a.as_list())}, {_dims(b.as_list())}."
            )
    return [merged]


def _cross_kernel(op, ctx):
    def kernel(a, b):
        if np.shape(a) != np.shape(b):
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Both inputs must be of same shape: {_dims(np.shape(a))} vs. {_dims(np.shape(b))}",
            )
        if not np.ndim(a) or np.shape(a)[-1] != 3:
            raise errors.InvalidArgumentError(
                None, op, f"Trailing dimension must be 3 but is {np.shape(a)[-1:]}"
            )
        return np.cross(a, b).astype(np.result_type(a, b), copy=False)

    return kernel


register_op(
    "Cross",
    inputs=["a: T", "b: T"],
    outputs=["product: T"],
    attrs=[
        "T: {bfloat16, half, float, double, uint8, int8, uint16, int16, int32, uint32, "
        "uint64, int64}"
    ],
    shape=_cross_shape,
    make_kernel=_cross_kernel,
    grad=lambda op, grad: (cross(op._inputs[1], grad), cross(grad, op._inputs[0])),
)


def cross(a, b, name: str | None = None) -> Tensor:
    """The pairwise cross product of the 3-vectors along the last axis of `a` and `b`."""
    return op_output("Cross", name, [a, b])


# -- Angle ----------------------------------------------------------------------------------
def _angle_kernel(op, ctx):
    out = op._outputs[0].dtype.as_numpy_dtype

    def kernel(x):
        return np.angle(x).astype(out, copy=False)

    return kernel


def _angle_grad(op, grad):
    x = op._inputs[0]
    with get_default_graph().control_dependencies([grad]):
        re = math_ops.real(x)
        im = math_ops.imag(x)
        z = math_ops.reciprocal(math_ops.complex(im, re))
        zero = constant(0, dtype=grad.dtype._base)
        complex_grad = math_ops.complex(grad, zero)
        return -complex_grad * z


register_op(
    "Angle",
    inputs=["input: T"],
    outputs=["output: Tout"],
    attrs=["T: {complex64, complex128} = complex64", "Tout: {float, double} = float"],
    shape=common_shapes.unchanged_shape,
    make_kernel=_angle_kernel,
    grad=_angle_grad,
)


def angle(input, name: str | None = None) -> Tensor:
    """The argument of each complex element (0 or pi for real input, as TF)."""
    g = get_default_graph()
    with g.name_scope(name or "Angle") as scope:
        input = convert_to_tensor(input, name="input")
        if input.dtype.is_complex:
            return op_output("Angle", scope, [input], {"Tout": input.dtype.real_dtype})
        return array_ops.where(
            input < 0, np.pi * array_ops.ones_like(input), array_ops.zeros_like(input)
        )


# -- sort / argsort (TF's TopKV2 composites) --------------------------------------------------
def _descending_sort(values, axis: int, return_argsort: bool):
    k = array_ops.shape(values)[axis]
    array_ops.rank(values)  # built as TF builds it
    static_rank = values._shape.ndims
    transposition = None
    if not (axis == -1 or axis + 1 == static_rank):
        if static_rank is None:
            raise ValueError(f"sort along axis {axis} needs a known rank")
        if axis < 0:
            axis += static_rank
        perm = np.r_[
            np.arange(axis), [static_rank - 1], np.arange(axis + 1, static_rank - 1), [axis]
        ]
        transposition = constant(perm.astype(np.int32), name="transposition")
        values = array_ops.transpose(values, transposition)
    top_values, indices = nn_ops.top_k(values, k)
    result = indices if return_argsort else top_values
    if transposition is not None:
        result = array_ops.transpose(result, transposition)
    return result


def _sort_or_argsort(values, axis, direction: str, return_argsort: bool):
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(
            "Argument `direction` should be one of ASCENDING, DESCENDING. Received: "
            f"direction={direction}"
        )
    axis = convert_to_tensor(axis, name="axis")
    axis_static = constant_value(axis)
    if axis._shape.ndims not in (None, 0) or axis_static is None:
        raise ValueError(f"Argument `axis` must be a constant scalar. Received: axis={axis}.")
    axis_static = int(axis_static)
    values = convert_to_tensor(values, name="values")
    if direction == "DESCENDING":
        return _descending_sort(values, axis_static, return_argsort)
    dtype = values.dtype._base
    if dtype.is_unsigned:
        offset = dtype.max
        out = _descending_sort(offset - values, axis_static, return_argsort)
        return out if return_argsort else offset - out
    if dtype.is_integer:
        out = _descending_sort(-values - 1, axis_static, return_argsort)
        return out if return_argsort else -out - 1
    out = _descending_sort(-values, axis_static, return_argsort)
    return out if return_argsort else -out


def sort(values, axis=-1, direction: str = "ASCENDING", name: str | None = None) -> Tensor:
    """`values` sorted along `axis`."""
    with get_default_graph().name_scope(name or "sort"):
        return _sort_or_argsort(values, axis, direction, return_argsort=False)


def argsort(
    values, axis=-1, direction: str = "ASCENDING", stable: bool = False, name: str | None = None
) -> Tensor:
    """The indices that sort `values` along `axis` (ties keep their order, as TF's)."""
    del stable  # TF's argsort is always stable (TopKV2 keeps the first of equal values)
    with get_default_graph().name_scope(name or "argsort"):
        return _sort_or_argsort(values, axis, direction, return_argsort=True)


# -- linspace ---------------------------------------------------------------------------------
def linspace(start, stop, num, name: str | None = None, axis: int = 0) -> Tensor:
    """`num` evenly spaced values from `start` to `stop` (both included).

    Built as a composite ending in a Slice op, as TF 2.21's is, but with fewer ops: the
    first value, `start + delta * [1 .. num-2]`, the last value, sliced to `num`. Only
    scalar `start` and `stop` (axis 0) are supported."""
    g = get_default_graph()
    with g.name_scope(name or "linspace"):
        start = convert_to_tensor(start, name="start")
        stop = convert_to_tensor(stop, dtype=start.dtype._base, name="stop")
        num = convert_to_tensor(num, name="num")
        if not start.dtype.is_floating:
            raise TypeError(
                f"Value passed to parameter 'start' has DataType {start.dtype.name} not in "
                "list of allowed values: bfloat16, float16, float32, float64"
            )
        for t, label in ((start, "start"), (stop, "stop"), (num, "num")):
            if t._shape.ndims not in (None, 0):
                raise ValueError(
                    f"tfgraph's linspace takes a scalar `{label}`; got shape {t.shape} "
                    "(batched linspace is not supported)"
                )
        if axis != 0:
            raise ValueError("tfgraph's linspace supports axis=0 only")
        num_int = array_ops.cast(num, dtypes.int32)
        n = array_ops.cast(num_int, start.dtype._base)
        delta = (stop - start) / math_ops.maximum(n - 1, 1)
        steps = array_ops.cast(
            math_ops.range(1, math_ops.maximum(num_int - 1, 1)), start.dtype._base
        )
        middle = start + delta * steps
        values = array_ops.concat(
            [array_ops.expand_dims(start, 0), middle, array_ops.expand_dims(stop, 0)], 0
        )
        size = array_ops.reshape(math_ops.maximum(num_int, 0), [1])
        return array_ops.slice(values, [0], size)


lin_space = linspace


def accumulate_n(inputs, shape=None, tensor_dtype=None, name: str | None = None) -> Tensor:
    """TF1's deprecated `tf.accumulate_n`: the sum of `inputs` (an AddN op, as TF 2.21)."""
    del shape, tensor_dtype
    return math_ops.add_n(inputs, name=name)

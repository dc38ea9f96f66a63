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
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape, as_shape
from tfgraph.ops import array_ops, common_shapes, math_ops, nn_ops
from tfgraph.ops.apply import op_output
from tfgraph.ops.common_shapes import constant_value

__all__ = [
    "accumulate_n",
    "angle",
    "argsort",
    "bincount",
    "broadcast_dynamic_shape",
    "clip_by_average_norm",
    "cross",
    "depth_to_space",
    "ensure_shape",
    "guarantee_const",
    "histogram_fixed_width",
    "histogram_fixed_width_bins",
    "lin_space",
    "linspace",
    "meshgrid",
    "parallel_stack",
    "roll",
    "searchsorted",
    "sort",
    "space_to_depth",
    "tensor_scatter_add",
    "tensor_scatter_nd_add",
    "tensor_scatter_nd_max",
    "tensor_scatter_nd_min",
    "tensor_scatter_nd_sub",
    "tensor_scatter_nd_update",
    "tensor_scatter_sub",
    "tensor_scatter_update",
    "timestamp",
    "unique_with_counts",
    "unravel_index",
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


# -- SpaceToDepth / DepthToSpace (NHWC) ------------------------------------------------------------
def _s2d_shape(op):
    dims = op._inputs[0]._shape._dims
    b = op._attrs["block_size"]
    if dims is None:
        return [TensorShape(None)]
    if len(dims) != 4:
        raise ValueError(
            f"Shape must be rank 4 but is rank {len(dims)} for '{op.name}' (op: '{op.type}')"
        )
    n, h, w, c = dims
    shapes = _dims(dims)
    to_depth = op.type == "SpaceToDepth"
    for d, need in ((h, b), (w, b)) if to_depth else ((c, b * b),):
        if d is not None and d % need:
            raise ValueError(
                f"Dimension size must be evenly divisible by {need} but is {d} for "
                f"'{op.name}' (op: '{op.type}') with input shapes: {shapes}."
            )
    if to_depth:
        out = (n, None if h is None else h // b, None if w is None else w // b,
               None if c is None else c * b * b)  # fmt: skip
    else:
        out = (n, None if h is None else h * b, None if w is None else w * b,
               None if c is None else c // (b * b))  # fmt: skip
    return [TensorShape._from_tuple(out)]


def _s2d_kernel(op, ctx):
    b = op._attrs["block_size"]
    fmt = op._attrs.get("data_format", b"NHWC")
    fmt = fmt.decode() if isinstance(fmt, bytes) else fmt
    to_depth = op.type == "SpaceToDepth"

    def kernel(x):
        if fmt != "NHWC":
            raise errors.InvalidArgumentError(
                None, op, f"Only NHWC data_format supported on CPU. Got {fmt}"
            )
        if x.ndim != 4:
            raise errors.InvalidArgumentError(
                None, op, f"Input rank should be: 4 instead of: {x.ndim}"
            )
        n, h, w, c = x.shape
        if to_depth:
            if h % b or w % b:
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"Image width {w} and height {h} should be divisible by block_size: {b}",
                )
            y = x.reshape(n, h // b, b, w // b, b, c).transpose(0, 1, 3, 2, 4, 5)
            return y.reshape(n, h // b, w // b, b * b * c)
        if c % (b * b):
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Input depth dimension {c} should be divisible by: {b * b}",
            )
        y = x.reshape(n, h, w, b, b, c // (b * b)).transpose(0, 1, 3, 2, 4, 5)
        return y.reshape(n, h * b, w * b, c // (b * b))

    return kernel


def _s2d_grad(op, grad):
    fmt = op._attrs.get("data_format", b"NHWC")
    fmt = fmt.decode() if isinstance(fmt, bytes) else fmt
    inverse = depth_to_space if op.type == "SpaceToDepth" else space_to_depth
    return inverse(grad, op._attrs["block_size"], data_format=fmt)


for _name in ("SpaceToDepth", "DepthToSpace"):
    register_op(
        _name,
        inputs=["input: T"],
        outputs=["output: T"],
        attrs=[
            "T: type",
            "block_size: int >= 2",
            "data_format: {'NHWC', 'NCHW', 'NCHW_VECT_C'} = 'NHWC'",
        ],
        shape=_s2d_shape,
        make_kernel=_s2d_kernel,
        grad=_s2d_grad,
    )


def _check_block_size(op_type: str, block_size) -> int:
    if int(block_size) < 2:
        raise ValueError(
            f"Attr 'block_size' of '{op_type}' Op passed {int(block_size)} less than minimum 2."
        )
    return int(block_size)


def space_to_depth(input, block_size, name=None, data_format="NHWC") -> Tensor:
    """Moves `block_size` x `block_size` spatial blocks into the depth dimension."""
    b = _check_block_size("SpaceToDepth", block_size)
    return op_output(
        "SpaceToDepth", name, [input], {"block_size": b, "data_format": data_format.encode()}
    )


def depth_to_space(input, block_size, name=None, data_format="NHWC") -> Tensor:
    """Moves depth into `block_size` x `block_size` spatial blocks (inverse of
    space_to_depth)."""
    b = _check_block_size("DepthToSpace", block_size)
    return op_output(
        "DepthToSpace", name, [input], {"block_size": b, "data_format": data_format.encode()}
    )


# (ReverseSequence / tf.reverse_sequence: in array_ops)


# -- UniqueWithCounts, BroadcastArgs -----------------------------------------------------------
def _unique_with_counts_kernel(op, ctx):
    idx_dtype = op._attrs["out_idx"].np_dtype

    def kernel(x):
        if x.ndim != 1:
            raise errors.InvalidArgumentError(None, op, "unique expects a 1D vector.")
        _, first, inverse, counts = np.unique(
            x, return_index=True, return_inverse=True, return_counts=True
        )
        order = np.argsort(first, kind="stable")
        rank_of = np.empty_like(order)
        rank_of[order] = np.arange(order.size)
        return (
            x[first[order]],
            rank_of[inverse.reshape(-1)].astype(idx_dtype),
            counts[order].astype(idx_dtype),
        )

    return kernel


def _unique_with_counts_shape(op):
    dims = op._inputs[0]._shape._dims
    if dims is not None and len(dims) != 1:
        raise ValueError(f"Shape must be rank 1 but is rank {len(dims)} for '{op.name}'")
    unknown = TensorShape._from_tuple((None,))
    return [unknown, op._inputs[0]._shape, unknown]


register_op(
    "UniqueWithCounts",
    inputs=["x: T"],
    outputs=["y: T", "idx: out_idx", "count: out_idx"],
    attrs=["T: type", "out_idx: {int32, int64} = int32"],
    shape=_unique_with_counts_shape,
    make_kernel=_unique_with_counts_kernel,
)


class UniqueWithCountsResult(tuple):
    """`(y, idx, count)` as a named triple, as TF returns it."""

    @property
    def y(self):
        return self[0]

    @property
    def idx(self):
        return self[1]

    @property
    def count(self):
        return self[2]


def unique_with_counts(x, out_idx=dtypes.int32, name: str | None = None):
    """`unique(x)` and the number of occurrences of each unique element."""
    from tfgraph.ops.apply import apply_op

    op = apply_op("UniqueWithCounts", name, [x], {"out_idx": dtypes.as_dtype(out_idx)})
    return UniqueWithCountsResult(op._outputs)


def _broadcast_args_shape(op):
    a, b = op._inputs[0]._shape._dims, op._inputs[1]._shape._dims
    if a is None or b is None or None in a or None in b:
        return [TensorShape._from_tuple((None,))]
    return [TensorShape._from_tuple((max(a[0], b[0]),))]


def _broadcast_args_kernel(op, ctx):
    def kernel(s0, s1):
        try:
            out = np.broadcast_shapes(tuple(np.reshape(s0, -1)), tuple(np.reshape(s1, -1)))
        except ValueError:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Incompatible shapes: [{','.join(map(str, np.reshape(s0, -1)))}] vs. "
                f"[{','.join(map(str, np.reshape(s1, -1)))}]",
            ) from None
        return np.asarray(out, dtype=np.result_type(s0, s1))

    return kernel


register_op(
    "BroadcastArgs",
    inputs=["s0: T", "s1: T"],
    outputs=["r0: T"],
    attrs=["T: {int32, int64} = int32"],
    shape=_broadcast_args_shape,
    make_kernel=_broadcast_args_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def broadcast_dynamic_shape(shape_x, shape_y) -> Tensor:
    """The broadcast of two shapes given as 1-D int tensors (op BroadcastArgs)."""
    return op_output("BroadcastArgs", None, [shape_x, shape_y])


def meshgrid(*args, **kwargs) -> list:
    """N-D coordinate grids from 1-D coordinate vectors, as TF's composite ('xy' or 'ij'
    indexing)."""
    indexing = kwargs.pop("indexing", "xy")
    name = kwargs.pop("name", "meshgrid")
    if kwargs:
        key = next(iter(kwargs))
        raise TypeError(f"'{key}' is an invalid keyword argument for this function")
    if indexing not in ("xy", "ij"):
        raise ValueError(
            f"Argument `indexing` parameter must be either 'xy' or 'ij', got '{indexing}'"
        )
    from tfgraph.framework.graph import name_scope

    with name_scope(name, "meshgrid", list(args)):
        ndim = len(args)
        s0 = (1,) * ndim
        if not ndim:
            return []
        output = [
            array_ops.reshape(array_ops.stack(x), list(s0[:i] + (-1,) + s0[i + 1 :]))
            for i, x in enumerate(args)
        ]
        shapes = [array_ops.size(x) for x in args]
        output_dtype = convert_to_tensor(args[0]).dtype._base
        if indexing == "xy" and ndim > 1:
            output[0] = array_ops.reshape(output[0], [1, -1] + [1] * (ndim - 2))
            output[1] = array_ops.reshape(output[1], [-1, 1] + [1] * (ndim - 2))
            shapes[0], shapes[1] = shapes[1], shapes[0]
        mult_fact = array_ops.ones(shapes, output_dtype)
        return [x * mult_fact for x in output]


# -- TensorScatter{Update,Add,Sub,Min,Max} -------------------------------------------------------
def _tensor_scatter_shape(op):
    tensor, indices, updates = (t._shape._dims for t in op._inputs)
    if tensor is not None and indices is not None and updates is not None and indices:
        depth = indices[-1]
        if depth is not None:
            expected = TensorShape._from_tuple(tuple(indices[:-1]) + tuple(tensor[depth:]))
            if not expected.is_compatible_with(op._inputs[2]._shape):
                raise ValueError(
                    f"Dimensions [{len(indices) - 1},{len(updates)}) of input[shape="
                    f"{_dims(tensor)}] = {_dims(tensor[depth:])} must match dimensions "
                    f"[{len(indices) - 1},{len(updates)}) of updates[shape={_dims(updates)}] "
                    f"= {_dims(updates[len(indices) - 1 :])} for '{op.name}' (op: '{op.type}')"
                )
    return [op._inputs[0]._shape]


def _tensor_scatter_kernel(mode: str):
    def make(op, ctx):
        def kernel(tensor, indices, updates):
            policy = array_ops.bad_indices_policy_of(op, array_ops.UNKNOWN_SCATTER_POLICY)
            idx = np.asarray(indices)
            depth = idx.shape[-1] if idx.ndim else 0
            flat = idx.reshape(-1, depth)
            limits = np.asarray(tensor.shape[:depth])
            bad = np.any((flat < 0) | (flat >= limits), axis=1)
            if bad.any() and policy != "IGNORE":
                i = int(np.argmax(bad))
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"indices[{i}] = [{', '.join(map(str, flat[i]))}] does not index into "
                    f"shape [{','.join(map(str, tensor.shape))}]",
                )
            out = np.array(tensor, copy=True)
            key = tuple(flat[~bad].T)
            upd = np.reshape(updates, (flat.shape[0],) + tensor.shape[depth:])[~bad]
            if mode == "update":
                out[key] = upd
            else:
                ufunc = {"add": np.add, "sub": np.subtract, "min": np.minimum, "max": np.maximum}
                ufunc[mode].at(out, key, upd)
            return out

        return kernel

    return make


def _tensor_scatter_update_grad(op, grad):
    indices = op._inputs[1]
    updates_grad = array_ops.gather_nd(grad, indices)
    tensor_grad = tensor_scatter_nd_update(
        array_ops.identity(grad),
        indices,
        array_ops.zeros_like(op._inputs[2], dtype=grad.dtype._base),
    )
    return [tensor_grad, None, updates_grad]


def _tensor_scatter_add_grad(op, grad):
    updates_grad = array_ops.gather_nd(grad, op._inputs[1])
    return [array_ops.identity(grad), None, updates_grad]


def _tensor_scatter_sub_grad(op, grad):
    updates_grad = array_ops.gather_nd(grad, op._inputs[1])
    return [array_ops.identity(grad), None, -updates_grad]


def _tensor_scatter_min_or_max_grad(op, grad):
    indices, x, y, output = op._inputs[1], op._inputs[0], op._inputs[2], op._outputs[0]
    x_indicators = array_ops.cast(math_ops.equal(x, output), grad.dtype._base)
    y_output = array_ops.gather_nd(output, indices)
    y_indicators = array_ops.cast(math_ops.equal(y, y_output), grad.dtype._base)
    ys_indicators = array_ops.scatter_nd(
        indices, y_indicators, array_ops.shape(x, out_type=indices.dtype._base)
    )
    indicators = x_indicators + ys_indicators
    x_grad = grad * x_indicators / indicators
    y_grad = array_ops.gather_nd(grad / indicators, indices) * y_indicators
    return [x_grad, None, y_grad]


for _name, _mode, _grad in (
    ("TensorScatterUpdate", "update", _tensor_scatter_update_grad),
    ("TensorScatterAdd", "add", _tensor_scatter_add_grad),
    ("TensorScatterSub", "sub", _tensor_scatter_sub_grad),
    ("TensorScatterMin", "min", _tensor_scatter_min_or_max_grad),
    ("TensorScatterMax", "max", _tensor_scatter_min_or_max_grad),
):
    register_op(
        _name,
        inputs=["tensor: T", "indices: Tindices", "updates: T"],
        outputs=["output: T"],
        attrs=[
            "T: type",
            "Tindices: {int16, int32, int64, uint16}",
            "bad_indices_policy: string = ''",
        ],
        shape=_tensor_scatter_shape,
        make_kernel=_tensor_scatter_kernel(_mode),
        grad=_grad,
    )


def _tensor_scatter(op_type: str, public: str):
    def fn(tensor, indices, updates, bad_indices_policy: str = "", name=None) -> Tensor:
        attrs = {"bad_indices_policy": array_ops.policy_attr(bad_indices_policy)}
        return op_output(op_type, name, [tensor, indices, updates], attrs)

    fn.__name__ = public
    fn.__doc__ = f"A copy of `tensor` with `updates` scattered in at `indices` (op {op_type})."
    return fn


def tensor_scatter_nd_update(tensor, indices, updates, name: str | None = None) -> Tensor:
    """A copy of `tensor` with `updates` written at `indices` (op TensorScatterUpdate)."""
    return op_output("TensorScatterUpdate", name, [tensor, indices, updates])


tensor_scatter_nd_add = _tensor_scatter("TensorScatterAdd", "tensor_scatter_nd_add")
tensor_scatter_nd_sub = _tensor_scatter("TensorScatterSub", "tensor_scatter_nd_sub")
tensor_scatter_nd_min = _tensor_scatter("TensorScatterMin", "tensor_scatter_nd_min")
tensor_scatter_nd_max = _tensor_scatter("TensorScatterMax", "tensor_scatter_nd_max")
tensor_scatter_update = tensor_scatter_nd_update
tensor_scatter_add = tensor_scatter_nd_add
tensor_scatter_sub = tensor_scatter_nd_sub


# -- UnravelIndex, HistogramFixedWidth, clip_by_average_norm --------------------------------------
def _unravel_shape(op):
    idx, dims = op._inputs[0]._shape._dims, op._inputs[1]._shape._dims
    if idx is None or dims is None:
        return [TensorShape(None)]
    return [TensorShape._from_tuple((dims[0],) if not idx else (dims[0], *idx))]


def _unravel_kernel(op, ctx):
    def kernel(indices, dims):
        dims = np.asarray(dims)
        if np.any(dims <= 0) if dims.size else False:
            raise errors.InvalidArgumentError(None, op, "All dimensions must be positive")
        idx = np.asarray(indices)
        total = int(np.prod(dims))
        if idx.size and (idx.min() < 0 or idx.max() >= total):
            raise errors.InvalidArgumentError(None, op, "index is out of bound as with dims")
        out = np.stack(np.unravel_index(idx.reshape(-1), tuple(dims)), axis=0)
        return out.reshape((len(dims),) + idx.shape).astype(idx.dtype)

    return kernel


register_op(
    "UnravelIndex",
    inputs=["indices: Tidx", "dims: Tidx"],
    outputs=["output: Tidx"],
    attrs=["Tidx: {int32, int64} = int32"],
    shape=_unravel_shape,
    make_kernel=_unravel_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def unravel_index(indices, dims, name: str | None = None) -> Tensor:
    """The coordinates in an array of shape `dims` of flat `indices` (one row per dim)."""
    return op_output("UnravelIndex", name, [indices, dims])


def _histogram_shape(op):
    n = constant_value(op._inputs[2])
    if n is not None and int(n) <= 0:
        raise ValueError(f"Requires nbins > 0: {int(n)} for '{op.name}' (op: '{op.type}')")
    return [TensorShape._from_tuple((None if n is None else int(n),))]


def _histogram_kernel(op, ctx):
    out_dtype = op._outputs[0].dtype.as_numpy_dtype

    def kernel(values, value_range, nbins):
        n = int(nbins)
        if n <= 0:
            raise errors.InvalidArgumentError(
                None, op, f"nbins should be a positive number, but got '{n}'"
            )
        low, high = np.asarray(value_range, np.float64).reshape(-1)[:2]
        if not low < high:
            raise errors.InvalidArgumentError(
                None,
                op,
                "value_range should satisfy value_range[0] < value_range[1], but got "
                f"'[{np.asarray(value_range).reshape(-1)[0]}, "
                f"{np.asarray(value_range).reshape(-1)[1]}]'",
            )
        v = np.asarray(values, np.float64).reshape(-1)
        index = np.floor((v - low) / (high - low) * n)
        index = np.clip(index, 0, n - 1).astype(np.int64)
        return np.bincount(index, minlength=n).astype(out_dtype)

    return kernel


register_op(
    "HistogramFixedWidth",
    inputs=["values: T", "value_range: T", "nbins: int32"],
    outputs=["out: dtype"],
    attrs=["T: {int32, int64, float, double, half}", "dtype: {int32, int64} = int32"],
    shape=_histogram_shape,
    make_kernel=_histogram_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def histogram_fixed_width(values, value_range, nbins=100, dtype=dtypes.int32, name=None):
    """Counts of `values` in `nbins` equal bins over `value_range` (values outside go to
    the first or last bin)."""
    from tfgraph.framework.graph import name_scope

    with name_scope(name, "histogram_fixed_width", [values, value_range, nbins]) as scope:
        return op_output(
            "HistogramFixedWidth",
            scope,
            [values, value_range, nbins],
            {"dtype": dtypes.as_dtype(dtype)},
        )


def clip_by_average_norm(t, clip_norm, name: str | None = None) -> Tensor:
    """`t * clip_norm / max(l2norm(t) / size(t), clip_norm)`, as TF's composite."""
    from tfgraph.framework.graph import name_scope

    with name_scope(name, "clip_by_average_norm", [t, clip_norm]) as scope:
        t = convert_to_tensor(t, name="t")
        n_element = array_ops.cast(array_ops.size(t), dtypes.float32)
        l2norm_inv = math_ops.rsqrt(math_ops.reduce_sum(t * t, math_ops.range(array_ops.rank(t))))
        return array_ops.identity(
            t * clip_norm * math_ops.minimum(l2norm_inv * n_element, constant(1.0) / clip_norm),
            name=scope,
        )


# -- DenseBincount / tf.bincount -------------------------------------------------------------------
def _dense_bincount_shape(op):
    n = constant_value(op._inputs[1])
    dims = op._inputs[0]._shape._dims
    size = None if n is None else int(n)
    if size is not None and size < 0:
        raise ValueError(f"size ({size}) must be non-negative for '{op.name}' (op: '{op.type}')")
    if dims is not None and len(dims) > 2:
        raise ValueError(
            f"Shape must be at most rank 2 but is rank {len(dims)} for '{op.name}' "
            f"(op: '{op.type}')"
        )
    if dims is not None and len(dims) == 2:
        return [TensorShape._from_tuple((dims[0], size))]
    return [TensorShape._from_tuple((size,))]


def _dense_bincount_kernel(op, ctx):
    from tfgraph.ops.bincount_ops import count_bins

    binary = op._attrs.get("binary_output", False)
    out_dtype = op._outputs[0].dtype.as_numpy_dtype

    def kernel(arr, size, weights):
        n = int(size)
        if n < 0:
            raise errors.InvalidArgumentError(None, op, f"size ({n}) must be non-negative")
        arr = np.asarray(arr)
        if arr.size and arr.min() < 0:
            raise errors.InvalidArgumentError(None, op, "Input arr must be non-negative!")
        if arr.ndim == 2:
            rows = np.repeat(np.arange(arr.shape[0]), arr.shape[1])
            return count_bins(op, rows, arr, weights, n, arr.shape[0], binary, out_dtype)
        rows = np.zeros(arr.size, np.int64)
        return count_bins(op, rows, arr, weights, n, 1, binary, out_dtype)[0]

    return kernel


register_op(  # (TF registers no gradient for it)
    "DenseBincount",
    inputs=["input: Tidx", "size: Tidx", "weights: T"],
    outputs=["output: T"],
    attrs=[
        "Tidx: {int32, int64}",
        "T: {int32, int64, float, double}",
        "binary_output: bool = false",
    ],
    shape=_dense_bincount_shape,
    make_kernel=_dense_bincount_kernel,
)


def bincount(
    arr,
    weights=None,
    minlength=None,
    maxlength=None,
    dtype=dtypes.int32,
    name=None,
    axis=None,
    binary_output=False,
):
    """Counts of each value in the non-negative ints `arr` (weighted sums with `weights`),
    as TF's composite around DenseBincount (SparseBincount / RaggedBincount for sparse
    and ragged `arr` with `axis=-1`): over all values (`axis=0`, the default) or per row
    (`axis=-1`); `binary_output` marks the bins hit with 1."""
    from tfgraph.framework.graph import name_scope
    from tfgraph.ops.bincount_ops import _check_axis

    dtype = dtypes.as_dtype(dtype)
    composite = _composite_kind(arr)
    with name_scope(name or "bincount", None, []):
        if composite is None:
            arr = convert_to_tensor(arr, name="arr")
        if weights is not None and composite is None:
            weights = convert_to_tensor(weights, name="weights")
        axis = _check_axis(axis, weights, binary_output)
        if not arr.dtype.is_integer:
            arr = _cast_values(arr, composite)
        output_size = _bincount_size(arr, composite, minlength, maxlength)
        if axis == 0:
            arr, weights = _flatten_for_bincount(arr, weights, composite)
            composite = None
        attrs = {"binary_output": bool(binary_output)}
        if composite == "sparse":
            w = _bincount_weights(weights, dtype)
            inputs = [arr.indices, arr.values, arr.dense_shape, output_size, w]
            return op_output("SparseBincount", None, inputs, attrs)
        if composite == "ragged":
            w = _bincount_weights(weights, dtype)
            inputs = [arr.row_splits, arr.values, output_size, w]
            return op_output("RaggedBincount", None, inputs, attrs)
        w = _bincount_weights(weights, dtype)
        return op_output("DenseBincount", None, [arr, output_size, w], attrs)


def _composite_kind(arr):
    from tfgraph.framework.sparse_tensor import SparseTensor

    if isinstance(arr, SparseTensor):
        return "sparse"
    if hasattr(arr, "row_splits") and hasattr(arr, "flat_values"):
        return "ragged"
    return None


def _cast_values(arr, composite):
    if composite == "sparse":
        from tfgraph.framework.sparse_tensor import SparseTensor

        values = array_ops.cast(arr.values, dtypes.int32)
        return SparseTensor(arr.indices, values, arr.dense_shape)
    if composite == "ragged":
        return arr.with_flat_values(array_ops.cast(arr.flat_values, dtypes.int32))
    return array_ops.cast(arr, dtypes.int32)


def _bincount_size(arr, composite, minlength, maxlength):
    dtype = arr.dtype._base
    if composite == "sparse":
        nonempty = math_ops.reduce_prod(arr.dense_shape) > 0
        top = math_ops.maximum(math_ops.reduce_max(arr.values), -1)
        output_size = array_ops.cast(nonempty, dtype) * (top + 1)
    else:
        values = arr.flat_values if composite == "ragged" else arr
        nonempty = array_ops.cast(array_ops.size(values) > 0, dtype)
        output_size = nonempty * (math_ops.reduce_max(values) + 1)
    if minlength is not None:
        minlength = convert_to_tensor(minlength, name="minlength", dtype=dtype)
        output_size = op_output("Maximum", None, [minlength, output_size])
    if maxlength is not None:
        maxlength = convert_to_tensor(maxlength, name="maxlength", dtype=dtype)
        output_size = op_output("Minimum", None, [maxlength, output_size])
    return output_size


def _flatten_for_bincount(arr, weights, composite):
    if composite == "sparse":
        return arr.values, None if weights is None else weights.values
    if composite == "ragged":
        return arr.flat_values, None if weights is None else weights.flat_values
    if weights is not None:
        weights = array_ops.reshape(weights, [-1])
    return array_ops.reshape(arr, [-1]), weights


def _bincount_weights(weights, dtype):
    if weights is None:
        return constant([], dtype=dtype)
    if hasattr(weights, "flat_values"):
        return weights.values
    if hasattr(weights, "dense_shape"):
        return weights.values
    return weights


# -- LowerBound / UpperBound / tf.searchsorted ----------------------------------------------------
def _bound_kernel(side: str):
    def make(op, ctx):
        out_dtype = op._outputs[0].dtype.as_numpy_dtype

        def kernel(sorted_inputs, values):
            if sorted_inputs.shape[0] != values.shape[0]:
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    "Leading dim_size of both tensors must match.",
                )
            out = np.empty(values.shape, dtype=np.int64)
            for i in range(values.shape[0]):
                out[i] = np.searchsorted(sorted_inputs[i], values[i], side=side)
            return out.astype(out_dtype)

        return kernel

    return make


def _bound_shape(op):
    return [op._inputs[1]._shape]


for _name, _side in (("LowerBound", "left"), ("UpperBound", "right")):
    register_op(
        _name,
        inputs=["sorted_inputs: T", "values: T"],
        outputs=["output: out_type"],
        attrs=["T: type", "out_type: {int32, int64} = int32"],
        shape=_bound_shape,
        make_kernel=_bound_kernel(_side),
        grad=NOT_DIFFERENTIABLE,
    )


def searchsorted(sorted_sequence, values, side="left", out_type=dtypes.int32, name=None):
    """Where `values` would go in each innermost row of `sorted_sequence` to keep it sorted
    ('left': first such index, 'right': last), as TF's composite."""
    sequence_size = array_ops._shape_internal(sorted_sequence)[-1]
    values_size = array_ops._shape_internal(values)[-1]
    sorted_sequence_2d = array_ops.reshape(sorted_sequence, [-1, sequence_size])
    values_2d = array_ops.reshape(values, [-1, values_size])
    if side == "right":
        op_type = "UpperBound"
    elif side == "left":
        op_type = "LowerBound"
    else:
        raise ValueError(
            f"Argument `side` must be either 'right' or 'left'. Received: `side` = {side}."
        )
    output = op_output(
        op_type, name, [sorted_sequence_2d, values_2d], {"out_type": dtypes.as_dtype(out_type)}
    )
    return array_ops.reshape(output, array_ops._shape_internal(values))


# -- ParallelConcat / tf.parallel_stack ---------------------------------------------------------
def _parallel_concat_kernel(op, ctx):
    shape = op._attrs["shape"]

    def kernel(*values):
        out = np.concatenate(values, axis=0)
        if not TensorShape(out.shape).is_compatible_with(shape):
            raise errors.InvalidArgumentError(
                None, op, f"Output shape {_dims(out.shape)} does not match the shape attr"
            )
        return out

    return kernel


register_op(
    "ParallelConcat",
    inputs=["values: N * T"],
    outputs=["output: T"],
    attrs=["N: int >= 1", "T: type", "shape: shape"],
    shape=lambda op: [op._attrs["shape"]],
    make_kernel=_parallel_concat_kernel,
)


def parallel_stack(values, name: str = "parallel_stack") -> Tensor:
    """Stacks `values` (of one shape) along a new first axis (op ParallelConcat)."""
    with get_default_graph().name_scope(name):
        value_t = convert_to_tensor(values[0])
        output_shape = TensorShape([len(values)]).concatenate(value_t.shape)
        return op_output(
            "ParallelConcat",
            None,
            [[array_ops.expand_dims(v, 0) for v in values]],
            {"shape": output_shape},
        )


# -- Timestamp, GuaranteeConst ------------------------------------------------------------------
def _timestamp_kernel():
    import time

    return np.float64(time.time())


register_op(
    "Timestamp",
    inputs=[],
    outputs=["ts: float64"],
    shape=lambda op: [TensorShape(())],
    kernel=_timestamp_kernel,
    stateful=True,
    grad=NOT_DIFFERENTIABLE,
)


def timestamp(name: str | None = None) -> Tensor:
    """The time of running the op, in seconds since the epoch (float64)."""
    return op_output("Timestamp", name, [])


register_op(
    "GuaranteeConst",
    inputs=["input: T"],
    outputs=["output: T"],
    attrs=["T: type"],
    shape=common_shapes.unchanged_shape,
    kernel=lambda x: x,
    stateful=True,  # as TF's OpDef
)


def guarantee_const(input, name: str | None = None) -> Tensor:
    """`input`, promised constant for the session's lifetime (no gradient, as TF)."""
    return op_output("GuaranteeConst", name, [input])


def histogram_fixed_width_bins(
    values, value_range, nbins=100, dtype=dtypes.int32, name=None
) -> Tensor:
    """The bin (of `nbins` equal bins over `value_range`) each value falls in, as TF's
    composite: values below the range go to bin 0, above it to the last bin."""
    from tfgraph.framework.graph import name_scope
    from tfgraph.ops import check_ops, control_flow_ops

    with name_scope(name, "histogram_fixed_width_bins", [values, value_range, nbins]):
        values = convert_to_tensor(values, name="values")
        shape = array_ops.shape(values)
        values = array_ops.reshape(values, [-1])
        value_range = convert_to_tensor(value_range, name="value_range")
        nbins_t = convert_to_tensor(nbins, dtype=dtypes.int32, name="nbins")
        check = check_ops.Assert(math_ops.greater(nbins_t, 0), [f"nbins {nbins_t} must > 0"])
        checked = control_flow_ops.with_dependencies([check], nbins_t)
        nbins_float = array_ops.cast(checked, values.dtype)
        scaled_values = math_ops.truediv(
            values - value_range[0], value_range[1] - value_range[0], name="scaled_values"
        )
        indices = math_ops.floor(nbins_float * scaled_values, name="indices")
        indices = array_ops.cast(math_ops.clip_by_value(indices, 0, nbins_float - 1), dtypes.int32)
        return array_ops.reshape(indices, shape)


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def depth_to_space_v2(input, block_size, data_format="NHWC", name=None):
    """TF2's `tf.nn.depth_to_space` (data_format before name)."""
    return depth_to_space(input, block_size, name=name, data_format=data_format)


def space_to_depth_v2(input, block_size, data_format="NHWC", name=None):
    """TF2's `tf.nn.space_to_depth` (data_format before name)."""
    return space_to_depth(input, block_size, name=name, data_format=data_format)

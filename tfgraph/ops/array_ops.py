"""Array ops: constants, placeholders, identity, shapes, reshaping, joining and slicing.

Each op type is registered once below with its signature, shape rule and kernel; the
public functions after each registration build it the way TensorFlow's Python API
does (same op names, same helper constants).
"""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant, convert_to_tensor, numpy_value
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape, as_shape
from tfgraph.ops import common_shapes
from tfgraph.ops.apply import apply_op, op_output
from tfgraph.ops.common_shapes import SCALAR, UNKNOWN, constant_value, constant_value_as_shape

__all__ = [
    "cast",
    "concat",
    "constant",
    "expand_dims",
    "fill",
    "identity",
    "ones",
    "ones_like",
    "placeholder",
    "placeholder_with_default",
    "rank",
    "reshape",
    "shape",
    "size",
    "squeeze",
    "stack",
    "transpose",
    "zeros",
    "zeros_like",
]

# TF's C++ spelling of dtypes in runtime messages ("with dtype float").
_CPP_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def _cpp_name(dtype: dtypes.DType) -> str:
    return _CPP_TYPE_NAMES.get(dtype.name, dtype.name)


# -- Const --------------------------------------------------------------------------------
def _const_shape(op):
    return [TensorShape._from_tuple(op._attrs["value"].shape)]


def _const_kernel(op, ctx):  # noqa: ARG001
    value = op._attrs["value"]
    return lambda: value


register_op(
    "Const",
    outputs=["output: dtype"],
    attrs=["value: tensor", "dtype: type"],
    shape=_const_shape,
    make_kernel=_const_kernel,
    grad=NOT_DIFFERENTIABLE,
)


# -- Placeholder, PlaceholderWithDefault ------------------------------------------------
def _placeholder_shape(op):
    return [op._attrs["shape"]]


def _placeholder_kernel(op, ctx):  # noqa: ARG001
    dtype = op._attrs["dtype"]
    shape = op._attrs["shape"]
    message = f"You must feed a value for placeholder tensor '{op.name}' with dtype {_cpp_name(dtype)}"
    if shape.ndims is not None:
        message += " and shape " + common_shapes.fmt_shape(shape)

    def kernel():
        raise errors.InvalidArgumentError(None, op, message + f"\n\t [[{{{{node {op.name}}}}}]]")

    return kernel


register_op(
    "Placeholder",
    outputs=["output: dtype"],
    attrs=["dtype: type", "shape: shape = unknown"],
    shape=_placeholder_shape,
    make_kernel=_placeholder_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def placeholder(dtype, shape=None, name: str | None = None) -> Tensor:
    """A tensor that must be fed a value in `Session.run` (TF1 `tf.placeholder`)."""
    dtype = dtypes.as_dtype(dtype)
    return op_output(
        "Placeholder",
        name,
        [],
        {"dtype": dtype, "shape": TensorShape(shape)},
    )


def _placeholder_with_default_shape(op):
    return [op._attrs["shape"]]


register_op(
    "PlaceholderWithDefault",
    inputs=["input: dtype"],
    outputs=["output: dtype"],
    attrs=["dtype: type", "shape: shape"],
    shape=_placeholder_with_default_shape,
    kernel=lambda x: x,
    grad=lambda op, grad: [grad],
)


def placeholder_with_default(input, shape, name: str | None = None) -> Tensor:  # noqa: A002
    """A placeholder that returns `input` when not fed."""
    input = convert_to_tensor(input)  # noqa: A001
    shape = as_shape(shape)
    if not input.shape.is_compatible_with(shape):
        raise ValueError(
            f"Shapes {input.shape} and {shape} are incompatible (PlaceholderWithDefault "
            f"{name or 'PlaceholderWithDefault'})"
        )
    return op_output("PlaceholderWithDefault", name, [input], {"shape": shape})


# -- Identity ---------------------------------------------------------------------------
register_op(
    "Identity",
    inputs=["input: T"],
    outputs=["output: T"],
    attrs=["T: type"],
    shape=common_shapes.unchanged_shape,
    kernel=lambda x: x,
    grad=lambda op, grad: [grad],
)


def identity(input, name: str | None = None) -> Tensor:  # noqa: A002
    """Returns a tensor with the same value as `input` (a Variable reads its value)."""
    return op_output("Identity", name, [input])


# -- Shape, Size, Rank ------------------------------------------------------------------
def _shape_shape(op):
    dims = op._inputs[0]._shape._dims
    return [TensorShape._from_tuple((None,) if dims is None else (len(dims),))]


def _shape_kernel(op, ctx):  # noqa: ARG001
    np_dtype = op._attrs["out_type"].np_dtype
    return lambda x: np.array(np.shape(x), dtype=np_dtype)


register_op(
    "Shape",
    inputs=["input: T"],
    outputs=["output: out_type"],
    attrs=["T: type", "out_type: {int32, int64} = int32"],
    shape=_shape_shape,
    make_kernel=_shape_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _size_kernel(op, ctx):  # noqa: ARG001
    np_dtype = op._attrs["out_type"].np_dtype
    return lambda x: np.array(np.size(x), dtype=np_dtype)


register_op(
    "Size",
    inputs=["input: T"],
    outputs=["output: out_type"],
    attrs=["T: type", "out_type: {int32, int64} = int32"],
    shape=common_shapes.scalar_shape,
    make_kernel=_size_kernel,
    grad=NOT_DIFFERENTIABLE,
)

register_op(
    "Rank",
    inputs=["input: T"],
    outputs=["output: int32"],
    attrs=["T: type"],
    shape=common_shapes.scalar_shape,
    kernel=lambda x: np.array(np.ndim(x), dtype=np.int32),
    grad=NOT_DIFFERENTIABLE,
)


def shape(input, name: str | None = None, out_type=dtypes.int32) -> Tensor:  # noqa: A002
    """The shape of `input` as a 1-D int tensor (TF1 `tf.shape`)."""
    return op_output("Shape", name, [input], {"out_type": dtypes.as_dtype(out_type)})


def size(input, name: str | None = None, out_type=dtypes.int32) -> Tensor:  # noqa: A002
    return op_output("Size", name, [input], {"out_type": dtypes.as_dtype(out_type)})


def rank(input, name: str | None = None) -> Tensor:  # noqa: A002
    """The rank of `input`: a constant when it is known statically, as in TF."""
    g = get_default_graph()
    with g.name_scope(name or "Rank") as scope:
        input = convert_to_tensor(input)  # noqa: A001
        ndims = input.shape.ndims
        if ndims is not None:
            return constant(ndims, dtype=dtypes.int32, name=scope)
        return op_output("Rank", scope, [input])


# -- Fill, zeros, ones ------------------------------------------------------------------
def _fill_shape(op):
    return [constant_value_as_shape(op._inputs[0])]


def _fill_kernel(dims, value):
    return np.full(tuple(int(d) for d in dims), value, dtype=value.dtype)


register_op(
    "Fill",
    inputs=["dims: index_type", "value: T"],
    outputs=["output: T"],
    attrs=["T: type", "index_type: {int32, int64} = int32"],
    shape=_fill_shape,
    kernel=_fill_kernel,
)


def fill(dims, value, name: str | None = None) -> Tensor:
    """A tensor of shape `dims` filled with the scalar `value`."""
    return op_output("Fill", name, [dims, value])


# TF makes a constant instead of a Fill for shapes of at most this many elements.
_SMALL_CONSTANT_LIMIT = 1000


def _filled(value, shape_arg, dtype, name: str, default: str) -> Tensor:
    dtype = dtypes.as_dtype(dtype)._base
    g = get_default_graph()
    with g.name_scope(name or default) as scope:
        if isinstance(shape_arg, TensorShape):
            shape_arg = shape_arg.as_list()
        if not isinstance(shape_arg, Tensor) and not hasattr(shape_arg, "_as_graph_element"):
            try:
                dims = np.asarray(shape_arg, dtype=np.int64).reshape(-1)
            except (TypeError, ValueError):
                dims = None
            if dims is not None and np.prod(dims) <= _SMALL_CONSTANT_LIMIT:
                return constant(value, dtype=dtype, shape=dims.tolist(), name=scope)
        shape_t = convert_to_tensor(shape_arg, dtype=dtypes.int32)
        value_t = constant(value, dtype=dtype)
        return op_output("Fill", scope, [shape_t, value_t])


def zeros(shape, dtype=dtypes.float32, name: str | None = None) -> Tensor:
    """A tensor of zeros (a constant for small static shapes, else a Fill)."""
    dtype = dtypes.as_dtype(dtype)
    zero = b"" if dtype._base is dtypes.string else (False if dtype._base is dtypes.bool else 0)
    return _filled(zero, shape, dtype, name, "zeros")


def ones(shape, dtype=dtypes.float32, name: str | None = None) -> Tensor:
    """A tensor of ones (a constant for small static shapes, else a Fill)."""
    dtype = dtypes.as_dtype(dtype)
    one = True if dtype._base is dtypes.bool else 1
    return _filled(one, shape, dtype, name, "ones")


register_op(
    "ZerosLike",
    inputs=["x: T"],
    outputs=["y: T"],
    attrs=["T: type"],
    shape=common_shapes.unchanged_shape,
    kernel=np.zeros_like,
    grad=NOT_DIFFERENTIABLE,
)

register_op(
    "OnesLike",
    inputs=["x: T"],
    outputs=["y: T"],
    attrs=["T: type"],
    shape=common_shapes.unchanged_shape,
    kernel=np.ones_like,
    grad=NOT_DIFFERENTIABLE,
)


def zeros_like(tensor, dtype=None, name: str | None = None, optimize: bool = True) -> Tensor:
    """A tensor of zeros with the shape (and dtype, unless given) of `tensor`."""
    g = get_default_graph()
    with g.name_scope(name or "zeros_like") as scope:
        tensor = convert_to_tensor(tensor)
        if dtype is not None and dtypes.as_dtype(dtype) != tensor.dtype._base:
            return zeros(shape(tensor), dtype=dtype, name=scope)
        if optimize and tensor.shape.is_fully_defined() and tensor.dtype._base != dtypes.variant:
            return zeros(tensor.shape.as_list(), tensor.dtype._base, name=scope)
        return op_output("ZerosLike", scope, [tensor])


def ones_like(tensor, dtype=None, name: str | None = None, optimize: bool = True) -> Tensor:
    """A tensor of ones with the shape (and dtype, unless given) of `tensor`."""
    g = get_default_graph()
    with g.name_scope(name or "ones_like") as scope:
        tensor = convert_to_tensor(tensor)
        dtype = tensor.dtype._base if dtype is None else dtypes.as_dtype(dtype)
        if optimize and tensor.shape.is_fully_defined():
            return ones(tensor.shape.as_list(), dtype, name=scope)
        return _filled_dynamic(1, shape(tensor), dtype, scope)


def _filled_dynamic(value, shape_t, dtype, scope) -> Tensor:
    value_t = constant(value, dtype=dtype)
    return op_output("Fill", scope, [shape_t, value_t])


# -- Cast -------------------------------------------------------------------------------
def _cast_kernel(op, ctx):  # noqa: ARG001
    dst = op._attrs["DstT"]
    np_dtype = dst.np_dtype
    if dst is dtypes.string:

        def to_string(x):
            raise errors.UnimplementedError(None, op, "Cast to string is not supported")

        return to_string
    if dst is dtypes.bool:
        return lambda x: np.asarray(x != 0)
    src = op._attrs["SrcT"]
    if src.is_complex and not dst.is_complex:
        return lambda x: np.real(x).astype(np_dtype)
    if src.is_floating and dst.is_integer:
        # TF truncates toward zero; NaN and out-of-range values are implementation-defined.
        def float_to_int(x):
            with np.errstate(invalid="ignore"):
                return np.trunc(x).astype(np_dtype)

        return float_to_int
    return lambda x: np.asarray(x).astype(np_dtype)


register_op(
    "Cast",
    inputs=["x: SrcT"],
    outputs=["y: DstT"],
    attrs=["SrcT: type", "DstT: type", "Truncate: bool = false"],
    shape=common_shapes.unchanged_shape,
    make_kernel=_cast_kernel,
)


def cast(x, dtype, name: str | None = None) -> Tensor:
    """Casts `x` to `dtype` (returns `x` itself when it already has that dtype)."""
    base = dtypes.as_dtype(dtype)._base
    if isinstance(x, Tensor) and x.dtype._base is base:
        return x
    g = get_default_graph()
    with g.name_scope(name or "Cast") as scope:
        x = convert_to_tensor(x, name="x")
        if x.dtype._base is base:
            return x
        return op_output("Cast", scope, [x], {"DstT": base})


# -- Reshape ----------------------------------------------------------------------------
def _reshape_shape(op):
    x, shape_t = op._inputs
    target = constant_value_as_shape(shape_t)
    if target._dims is None:
        return [UNKNOWN]
    value = constant_value(shape_t)
    dims = list(target._dims)
    if value is not None:
        dims = [int(d) for d in value.reshape(-1)]
        if sum(1 for d in dims if d == -1) > 1:
            raise ValueError(f"Cannot infer multiple unknown dimensions in shape {dims} ('{op.name}')")
        n_in = x._shape.num_elements()
        if -1 in dims:
            known = int(np.prod([d for d in dims if d != -1])) if len(dims) > 1 else 1
            if n_in is not None:
                if known == 0 or n_in % known:
                    raise ValueError(
                        f"Cannot reshape a tensor with {n_in} elements to shape "
                        f"{dims} ({int(np.prod([d for d in dims]) * -1)} elements) for "
                        f"'{op.name}' with input shapes: {common_shapes.fmt_shape(x._shape)}, "
                        f"[{len(dims)}]."
                    )
                dims = [n_in // known if d == -1 else d for d in dims]
            else:
                dims = [None if d == -1 else d for d in dims]
        elif n_in is not None and int(np.prod(dims)) != n_in:
            raise ValueError(
                f"Cannot reshape a tensor with {n_in} elements to shape {dims} "
                f"({int(np.prod(dims))} elements) for '{op.name}' with input shapes: "
                f"{common_shapes.fmt_shape(x._shape)}, [{len(dims)}]."
            )
        return [TensorShape._from_tuple(tuple(dims))]
    return [target]


def _reshape_kernel(op, ctx):  # noqa: ARG001
    def kernel(x, shape_value):
        try:
            return np.reshape(x, shape_value)
        except ValueError:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Input to reshape is a tensor with {np.size(x)} values, but the requested "
                f"shape has {int(np.prod(shape_value))}",
            ) from None

    return kernel


register_op(
    "Reshape",
    inputs=["tensor: T", "shape: Tshape"],
    outputs=["output: T"],
    attrs=["T: type", "Tshape: {int32, int64} = int32"],
    shape=_reshape_shape,
    make_kernel=_reshape_kernel,
)


def reshape(tensor, shape, name: str | None = None) -> Tensor:  # noqa: A002
    """Reshapes `tensor` to `shape` (one dimension may be -1)."""
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    return op_output("Reshape", name, [tensor, shape])


# -- ExpandDims, Squeeze ----------------------------------------------------------------
def _normalize_axis(axis: int, rank: int, op_name: str) -> int:
    if not -rank <= axis < rank:
        raise ValueError(
            f"Invalid axis {axis}: must be in the range [{-rank}, {rank}) for '{op_name}'"
        )
    return axis + rank if axis < 0 else axis


def _expand_dims_shape(op):
    dims = op._inputs[0]._shape._dims
    axis = constant_value(op._inputs[1])
    if dims is None or axis is None:
        return [UNKNOWN]
    a = _normalize_axis(int(np.reshape(axis, -1)[0]), len(dims) + 1, op.name)
    return [TensorShape._from_tuple(dims[:a] + (1,) + dims[a:])]


register_op(
    "ExpandDims",
    inputs=["input: T", "dim: Tdim"],
    outputs=["output: T"],
    attrs=["T: type", "Tdim: {int32, int64} = int32"],
    shape=_expand_dims_shape,
    kernel=lambda x, d: np.expand_dims(x, int(np.reshape(d, -1)[0])),
)


def expand_dims(input, axis=None, name: str | None = None, dim=None) -> Tensor:  # noqa: A002
    """Inserts a dimension of size 1 at `axis` (`dim` is the deprecated name)."""
    if axis is None:
        if dim is None:
            raise ValueError("Must specify an axis argument to tf.expand_dims()")
        axis = dim
    elif dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'")
    return op_output("ExpandDims", name, [input, axis])


def _squeeze_shape(op):
    dims = op._inputs[0]._shape._dims
    if dims is None:
        return [UNKNOWN]
    axes = [_normalize_axis(a, len(dims), op.name) for a in op._attrs["squeeze_dims"]]
    out = []
    for i, d in enumerate(dims):
        if axes:
            if i in axes:
                if d is not None and d != 1:
                    raise ValueError(
                        f"Can not squeeze dim[{i}], expected a dimension of 1, got {d} for "
                        f"'{op.name}' with input shapes: {common_shapes.fmt_shape(op._inputs[0]._shape)}."
                    )
                continue
            out.append(d)
        elif d != 1:
            if d is None:
                return [UNKNOWN]
            out.append(d)
    return [TensorShape._from_tuple(tuple(out))]


def _squeeze_kernel(op, ctx):  # noqa: ARG001
    axes = tuple(op._attrs["squeeze_dims"])
    if axes:
        return lambda x: np.squeeze(x, axis=axes)
    return np.squeeze


register_op(
    "Squeeze",
    inputs=["input: T"],
    outputs=["output: T"],
    attrs=["T: type", "squeeze_dims: list(int) >= 0 = []"],
    shape=_squeeze_shape,
    make_kernel=_squeeze_kernel,
)


def squeeze(input, axis=None, name: str | None = None, squeeze_dims=None) -> Tensor:  # noqa: A002
    """Removes dimensions of size 1 (all, or those in `axis`)."""
    if squeeze_dims is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'squeeze_dims'")
        axis = squeeze_dims
    if isinstance(axis, int):
        axis = [axis]
    return op_output("Squeeze", name, [input], {"squeeze_dims": list(axis or [])})


# -- Transpose --------------------------------------------------------------------------
def _transpose_shape(op):
    dims = op._inputs[0]._shape._dims
    perm = constant_value(op._inputs[1])
    if perm is None:
        if dims is None:
            return [UNKNOWN]
        return [TensorShape._from_tuple((None,) * len(dims))]
    perm = [int(p) for p in perm]
    if dims is None:
        return [TensorShape._from_tuple((None,) * len(perm))]
    if sorted(perm) != list(range(len(dims))):
        raise ValueError(
            f"Dimension must be {len(dims)} but is {len(perm)} for '{op.name}' (op: 'Transpose') "
            f"with input shapes: {common_shapes.fmt_shape(op._inputs[0]._shape)}, [{len(perm)}]."
        )
    return [TensorShape._from_tuple(tuple(dims[p] for p in perm))]


register_op(
    "Transpose",
    inputs=["x: T", "perm: Tperm"],
    outputs=["y: T"],
    attrs=["T: type", "Tperm: {int32, int64} = int32"],
    shape=_transpose_shape,
    kernel=lambda x, perm: np.transpose(x, perm),
)


def transpose(a, perm=None, name: str = "transpose", conjugate: bool = False) -> Tensor:
    """Permutes the dimensions of `a` (reversed when `perm` is None)."""
    g = get_default_graph()
    with g.name_scope(name or "transpose") as scope:
        a = convert_to_tensor(a, name="a")
        if perm is None:
            ndims = a.shape.ndims
            if ndims is not None:
                perm = constant(list(range(ndims - 1, -1, -1)), dtype=dtypes.int32, name="perm")
            else:
                from tfgraph.ops import math_ops

                r = rank(a)
                perm = math_ops.subtract(math_ops.subtract(r, 1), math_ops.range(r))
        out = op_output("Transpose", scope, [a, perm])
        if conjugate and a.dtype.is_complex:
            from tfgraph.ops import math_ops

            out = math_ops.conj(out)
        return out


# -- Pack (stack), ConcatV2 -------------------------------------------------------------
def _pack_shape(op):
    shapes = [t._shape for t in op._inputs]
    merged = shapes[0]
    for s in shapes[1:]:
        if not merged.is_compatible_with(s):
            raise ValueError(
                f"Shapes must be equal rank, but are {merged.ndims} and {s.ndims}"
                if merged.ndims != s.ndims
                else f"Dimension mismatch in Pack '{op.name}': shapes {merged} and {s}"
            )
        merged = merged.merge_with(s)
    if merged._dims is None:
        return [UNKNOWN]
    axis = op._attrs["axis"]
    r = len(merged._dims) + 1
    a = _normalize_axis(axis, r, op.name)
    d = merged._dims
    return [TensorShape._from_tuple(d[:a] + (len(shapes),) + d[a:])]


def _pack_kernel(op, ctx):  # noqa: ARG001
    axis = op._attrs["axis"]
    return lambda *xs: np.stack(xs, axis=axis)


register_op(
    "Pack",
    inputs=["values: N * T"],
    outputs=["output: T"],
    attrs=["N: int >= 1", "T: type", "axis: int = 0"],
    shape=_pack_shape,
    make_kernel=_pack_kernel,
)


def stack(values, axis: int = 0, name: str = "stack") -> Tensor:
    """Stacks a list of rank-R tensors into one rank-(R+1) tensor."""
    return op_output("Pack", name, [list(values)], {"axis": axis})


def _concat_shape(op):
    values = op._inputs[:-1]
    axis_v = constant_value(op._inputs[-1])
    shapes = [t._shape for t in values]
    rank_ = next((s.ndims for s in shapes if s.ndims is not None), None)
    if rank_ is None:
        return [UNKNOWN]
    if axis_v is None:
        return [TensorShape._from_tuple((None,) * rank_)]
    axis = int(axis_v)
    axis = _normalize_axis(axis, rank_, op.name)
    total = 0
    out = [None] * rank_
    for s in shapes:
        if s._dims is None:
            total = None
            continue
        if len(s._dims) != rank_:
            raise ValueError(
                f"Shape must be rank {rank_} but is rank {len(s._dims)} for '{op.name}' "
                "(op: 'ConcatV2')"
            )
        for i, d in enumerate(s._dims):
            if i == axis:
                continue
            if out[i] is None:
                out[i] = d
            elif d is not None and d != out[i]:
                raise ValueError(
                    f"Dimension {i} in both shapes must be equal, but are {out[i]} and {d}. "
                    f"Shapes are {common_shapes.fmt_shape(shapes[0])} and "
                    f"{common_shapes.fmt_shape(s)}. for '{op.name}' (op: 'ConcatV2')"
                )
        d = s._dims[axis]
        total = None if total is None or d is None else total + d
    out[axis] = total
    return [TensorShape._from_tuple(tuple(out))]


def _concat_kernel(*args):
    return np.concatenate(args[:-1], axis=int(args[-1]))


register_op(
    "ConcatV2",
    inputs=["values: N * T", "axis: Tidx"],
    outputs=["output: T"],
    attrs=["N: int >= 2", "T: type", "Tidx: {int32, int64} = int32"],
    shape=_concat_shape,
    kernel=_concat_kernel,
)


def concat(values, axis, name: str = "concat") -> Tensor:
    """Concatenates tensors along `axis`."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    if len(values) == 1:
        g = get_default_graph()
        with g.name_scope(name) as scope:
            constant(axis, dtype=dtypes.int32, name="concat_dim")
            return identity(values[0], name=scope)
    return op_output("ConcatV2", name, [list(values), axis])


# -- helpers used by other modules -------------------------------------------------------
def numpy_constant(value, dtype=None):
    """`numpy_value` re-exported for modules that only need the array."""
    return numpy_value(value, dtype)[0]


__all__ += ["SCALAR", "numpy_constant"]

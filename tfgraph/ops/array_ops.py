"""Array ops: constants, placeholders, identity, shapes, reshaping, joining and slicing.

Each op type is registered once below with its signature, shape rule and kernel; the
public functions after each registration build it the way TensorFlow's Python API
does (same op names, same helper constants).
"""

from __future__ import annotations

import builtins
import itertools
import numbers
from typing import Any

import numpy as np

from tfgraph import errors
from tfgraph.eager.context import executing_eagerly
from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant, convert_to_tensor, numpy_value
from tfgraph.framework.graph import Graph, get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import Dimension, TensorShape, as_shape
from tfgraph.ops import common_shapes
from tfgraph.ops.apply import apply_op, graph_of, op_output
from tfgraph.ops.common_shapes import SCALAR, UNKNOWN, constant_value, constant_value_as_shape

__all__ = [
    "boolean_mask",
    "broadcast_to",
    "cast",
    "concat",
    "constant",
    "expand_dims",
    "fill",
    "gather",
    "identity",
    "identity_n",
    "newaxis",
    "one_hot",
    "ones",
    "ones_like",
    "pad",
    "placeholder",
    "placeholder_with_default",
    "rank",
    "reshape",
    "reverse",
    "reverse_v2",
    "sequence_mask",
    "shape",
    "shape_n",
    "size",
    "slice",
    "split",
    "squeeze",
    "stack",
    "stop_gradient",
    "strided_slice",
    "tile",
    "to_bfloat16",
    "to_complex64",
    "to_complex128",
    "to_double",
    "to_float",
    "to_int32",
    "to_int64",
    "transpose",
    "unique",
    "unstack",
    "where",
    "where_v2",
    "zeros",
    "zeros_like",
]

_cpp_name = dtypes.cpp_name  # (TF's C++ spelling of dtypes in runtime messages)


builtins_slice = builtins.slice


# -- Const --------------------------------------------------------------------------------
def _const_shape(op):
    return [TensorShape._from_tuple(op._attrs["value"].shape)]


def _const_kernel(op, ctx):
    value = op._attrs["value"]
    invalid = op._attrs.get("__invalid_value")  # an imported proto TF cannot parse
    if invalid is not None:

        def kernel():
            raise errors.InvalidArgumentError(
                None, op, invalid + f"\n\t [[{{{{node {op.name}}}}}]]"
            )

        return kernel
    return lambda: value


register_op(
    "Const",
    outputs=["output: dtype"],
    attrs=["value: tensor", "dtype: type"],
    shape=_const_shape,
    make_kernel=_const_kernel,
    grad=NOT_DIFFERENTIABLE,
    constant=True,
)


# -- Placeholder, PlaceholderWithDefault ------------------------------------------------
def _placeholder_shape(op):
    return [common_shapes.checked_shape_attr(op)]


def _placeholder_kernel(op, ctx):
    dtype = op._attrs["dtype"]
    shape = op._attrs["shape"]
    message = (
        f"You must feed a value for placeholder tensor '{op.name}' with dtype {_cpp_name(dtype)}"
    )
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
    placeholder=True,
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
    shape = common_shapes.checked_shape_attr(op)
    common_shapes.merge_shapes(op._inputs[0]._shape, shape, op)  # the default must fit
    return [shape]


register_op(
    "PlaceholderWithDefault",
    inputs=["input: dtype"],
    outputs=["output: dtype"],
    attrs=["dtype: type", "shape: shape"],
    shape=_placeholder_with_default_shape,
    kernel=lambda x: x,
    grad=lambda op, grad: [grad],
    placeholder=True,
)


def placeholder_with_default(input, shape, name: str | None = None) -> Tensor:
    """A placeholder that returns `input` when not fed (a Python value becomes the
    constant `<name>/input`, as in TF)."""
    shape = as_shape(shape)
    return op_output("PlaceholderWithDefault", name, [input], {"shape": shape})


# -- Identity, IdentityN ----------------------------------------------------------------
register_op(
    "Identity",
    inputs=["input: T"],
    outputs=["output: T"],
    attrs=["T: type"],
    shape=common_shapes.unchanged_shape,
    kernel=lambda x: x,
    grad=lambda op, grad: [grad],
    forwards_input=True,
    rowwise=common_shapes.elementwise_rows,
)


def identity(input, name: str | None = None) -> Tensor:
    """Returns a tensor with the same value as `input` (a Variable reads its value); an
    ExtensionType with each of its tensors passed through Identity (as TF)."""
    if input.__class__ is not Tensor and _is_extension_type(input):
        return _componentwise(identity, input)
    return op_output("Identity", name, [input])


def _is_extension_type(value) -> bool:
    from tfgraph.framework.extension_type import ExtensionType

    return isinstance(value, ExtensionType)


def _componentwise(fn, value):
    """`value` rebuilt over `fn` of each of its component tensors (TF's
    nest.map_structure(fn, value, expand_composites=True))."""
    return value._tfgraph_rebuild([fn(t) for t in value._tfgraph_components()])


register_op(
    "IdentityN",
    inputs=["input: T"],
    outputs=["output: T"],
    attrs=["T: list(type) >= 1"],
    shape=lambda op: [t._shape for t in op._inputs],
    kernel=lambda *values: values,
    grad=lambda op, *grads: list(grads),
)


def identity_n(input, name: str | None = None) -> list[Tensor]:
    """The tensors `input`, unchanged, as the outputs of one op (`IdentityN`)."""
    return list(apply_op("IdentityN", name, [list(input)])._outputs)


# -- Shape, Size, Rank ------------------------------------------------------------------
def _shape_shape(op):
    dims = op._inputs[0]._shape._dims
    return [TensorShape._from_tuple((None,) if dims is None else (len(dims),))]


def _shape_kernel(op, ctx):
    np_dtype = op._attrs["out_type"].np_dtype
    return lambda x: np.array(np.shape(x), dtype=np_dtype)


def _known_dims(op):
    """The input's static dims when fully known (shape inference guarantees them at run
    time, feeds included), else None."""
    dims = op._inputs[0]._shape._dims
    return None if dims is None or None in dims else dims


def _shape_static_value(op):
    dims = _known_dims(op)
    return None if dims is None else np.array(dims, op._attrs["out_type"].np_dtype)


def _size_static_value(op):
    dims = _known_dims(op)
    if dims is None:
        return None
    return np.array(int(np.prod(dims, dtype=np.int64)), op._attrs["out_type"].np_dtype)


def _rank_static_value(op):
    dims = op._inputs[0]._shape._dims
    return None if dims is None else np.array(len(dims), np.int32)


register_op(
    "Shape",
    inputs=["input: T"],
    outputs=["output: out_type"],
    attrs=["T: type", "out_type: {int32, int64} = int32"],
    shape=_shape_shape,
    make_kernel=_shape_kernel,
    grad=NOT_DIFFERENTIABLE,
    static_value=_shape_static_value,
)


def _size_kernel(op, ctx):
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
    static_value=_size_static_value,
)

register_op(
    "Rank",
    inputs=["input: T"],
    outputs=["output: int32"],
    attrs=["T: type"],
    shape=common_shapes.scalar_shape,
    kernel=lambda x: np.array(np.ndim(x), dtype=np.int32),
    grad=NOT_DIFFERENTIABLE,
    static_value=_rank_static_value,
)


def _shape_internal(input, name=None, optimize: bool = True, out_type=None) -> Tensor:
    """TF's `shape_internal`: a constant when the shape is fully known (int64 only if a
    dimension needs it and `out_type` is None), else a Shape op."""
    g = graph_of((input,))
    with g.as_default(), g.name_scope(name or "Shape") as scope:
        input = convert_to_tensor(input)
        dims = input._shape._dims
        if optimize and dims is not None and None not in dims:
            if out_type is None:
                big = any(d >= 2**31 for d in dims)
                return constant(
                    list(dims), dtype=dtypes.int64 if big else dtypes.int32, name="shape_as_tensor"
                )
            return constant(list(dims), dtype=out_type, name=scope)
        out_type = dtypes.int32 if out_type is None else dtypes.as_dtype(out_type)
        return op_output("Shape", scope, [input], {"out_type": out_type})


def shape(input, name: str | None = None, out_type=None) -> Tensor:
    """The shape of `input` as a 1-D int tensor (TF1 `tf.shape`; a constant when the
    shape is fully known)."""
    out_type = dtypes.int32 if out_type is None else dtypes.as_dtype(out_type)
    return _shape_internal(input, name, optimize=True, out_type=out_type)


def size(input, name: str | None = None, out_type=None) -> Tensor:
    """The number of elements of `input` (a constant when the shape is known)."""
    out_type = dtypes.int32 if out_type is None else dtypes.as_dtype(out_type)
    g = graph_of((input,))
    with g.as_default(), g.name_scope(name or "Size") as scope:
        input = convert_to_tensor(input)
        dims = input._shape._dims
        if dims is not None and None not in dims:
            return constant(int(np.prod(dims, dtype=np.int64)), dtype=out_type, name=scope)
        if dims and 0 in dims:
            return constant(0, dtype=out_type, name=scope)
        return op_output("Size", scope, [input], {"out_type": out_type})


def _shape_n_shape(op):
    out = []
    for t in op._inputs:
        dims = t._shape._dims
        out.append(TensorShape._from_tuple((None,) if dims is None else (len(dims),)))
    return out


def _shape_n_kernel(op, ctx):
    np_dtype = op._attrs["out_type"].np_dtype
    return lambda *xs: tuple(np.array(np.shape(x), dtype=np_dtype) for x in xs)


register_op(
    "ShapeN",
    inputs=["input: N * T"],
    outputs=["output: N * out_type"],
    attrs=["N: int >= 1", "T: type", "out_type: {int32, int64} = int32"],
    shape=_shape_n_shape,
    make_kernel=_shape_n_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def shape_n(input, out_type=dtypes.int32, name: str | None = None) -> list[Tensor]:
    """The shapes of a list of tensors (one `ShapeN` op)."""
    op = apply_op("ShapeN", name, [list(input)], {"out_type": dtypes.as_dtype(out_type)})
    return list(op._outputs)


def rank(input, name: str | None = None) -> Tensor:
    """The rank of `input`: a constant when it is known statically, as in TF."""
    return rank_internal(input, name)


def rank_internal(input, name: str | None = None, optimize: bool = True) -> Tensor:
    """TF's `rank_internal`: a constant for a known rank when `optimize`, else a Rank op."""
    g = get_default_graph()
    with g.name_scope(name or "Rank") as scope:
        input = convert_to_tensor(input)
        ndims = input.shape.ndims
        if optimize and ndims is not None:
            return constant(ndims, dtype=dtypes.int32, name=scope)
        return op_output("Rank", scope, [input])


# -- Fill, zeros, ones ------------------------------------------------------------------
def _fill_shape(op):
    value_dims = op._inputs[1]._shape._dims
    if value_dims:  # (known and not a scalar)
        raise common_shapes.shape_error(op, f"Shape must be rank 0 but is rank {len(value_dims)}")
    return [constant_value_as_shape(op._inputs[0])]


def _fill_kernel(dims, value):
    try:
        return np.full(tuple(int(d) for d in dims), value, dtype=value.dtype)
    except (ValueError, TypeError):
        if np.ndim(dims) != 1:
            raise errors.InvalidArgumentError(
                None, None, f"dims must represent a vector, got shape {_shape_str(np.shape(dims))}"
            ) from None
        if np.ndim(value) != 0:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"value must represent a scalar, got shape {_shape_str(np.shape(value))}",
            ) from None
        for d in np.reshape(dims, -1):
            if d < 0:
                raise errors.InvalidArgumentError(
                    None, None, f"Dimension {int(d)} must be >= 0"
                ) from None
        raise


def _make_fill_kernel(op, ctx):
    if op._inputs[1]._shape._dims == ():
        return _fill_kernel  # a scalar value, as the shape rule knows

    def kernel(dims, value):
        if np.ndim(value) != 0:  # (np.full would broadcast it)
            raise errors.InvalidArgumentError(
                None,
                None,
                f"value must represent a scalar, got shape {_shape_str(np.shape(value))}",
            )
        return _fill_kernel(dims, value)

    return kernel


def _fill_grad(op, grad):
    from tfgraph.ops import math_ops

    return None, math_ops.reduce_sum(grad)


register_op(
    "Fill",
    inputs=["dims: index_type", "value: T"],
    outputs=["output: T"],
    attrs=["T: type", "index_type: {int32, int64} = int32"],
    shape=_fill_shape,
    make_kernel=_make_fill_kernel,
    grad=_fill_grad,
)


def check_layout(layout, api: str) -> None:
    """TF's DTensor `layout` argument: tfgraph has no DTensor, so only None is accepted
    (an object that is no Layout fails as in TF, where `layout.to_string()` is called)."""
    if layout is None:
        return
    if not hasattr(layout, "to_string"):
        raise AttributeError(
            f"'{type(layout).__name__}' object has no attribute 'to_string' "
            f"(tf.{api}: layout must be None or a DTensor Layout)"
        )
    raise NotImplementedError(f"tf.{api}(layout=...): tfgraph has no DTensor; pass layout=None")


def fill(dims, value, name: str | None = None, layout=None) -> Tensor:
    """A tensor of shape `dims` filled with the scalar `value` (`layout`: None only)."""
    check_layout(layout, "fill")
    return op_output("Fill", name, [dims, value])


# TF makes a constant instead of a Fill for shapes of fewer than this many elements.
_SMALL_CONSTANT_LIMIT = 1000


def _python_prod(values) -> int | float:
    n = 1
    for v in values:
        n *= v
    return n


def _has_python_floats(value) -> bool:
    if isinstance(value, float):
        return True
    return isinstance(value, (list, tuple)) and any(_has_python_floats(v) for v in value)


def _filled(value, shape_arg, dtype, name: str | None, default: str) -> Tensor:
    """TF's `zeros`/`ones`: a constant for small static shapes, else a Fill."""
    dtype = dtypes.as_dtype(dtype)._base
    g = get_default_graph()
    with g.name_scope(name or default) as scope:
        if not isinstance(shape_arg, Tensor):
            if isinstance(shape_arg, TensorShape) and shape_arg.is_fully_defined():
                shape_arg = shape_arg.as_list()
            if executing_eagerly() and _has_python_floats(shape_arg):
                # TF2 converts the shape to an int32 eager tensor first
                raise TypeError(f"Cannot convert {shape_arg!r} to EagerTensor of dtype int32")
            try:  # TF's _constant_if_small
                dims: Any = np.asarray(shape_arg)  # an array, later the list of dims
                # (the product in Python ints: numpy's int64 product would overflow to 0
                # for huge shapes and call them small)
                flat = dims.reshape(-1).tolist()
                small = (
                    dims.dtype.kind in "iuf"
                    and _python_prod(flat) < _SMALL_CONSTANT_LIMIT
                    and all(d < 2**31 for d in flat)
                )
            except (NotImplementedError, TypeError, ValueError):
                small = False
            if small:
                dims = [int(d) for d in dims.reshape(-1)]
                return constant(value, dtype=dtype, shape=dims, name=scope)
            shape_t = None
            try:
                static = TensorShape(shape_arg)
            except (TypeError, ValueError):
                static = None
            if static is not None and static.is_fully_defined():
                dims = static.as_list()
                big = any(d >= 2**31 for d in dims)
                shape_t = constant(
                    dims, dtype=dtypes.int64 if big else dtypes.int32, name="shape_as_tensor"
                )
            if shape_t is None:
                shape_t = convert_to_tensor(shape_arg, dtype=dtypes.int32)
            shape_arg = shape_t
        if not shape_arg._shape._dims:  # a scalar or unknown rank: make it a vector
            shape_arg = reshape(shape_arg, [-1])
        return op_output("Fill", scope, [shape_arg, constant(value, dtype=dtype)])


def zeros(shape, dtype=dtypes.float32, name: str | None = None, layout=None) -> Tensor:
    """A tensor of zeros (a constant for small static shapes, else a Fill; `layout`:
    None only)."""
    check_layout(layout, "zeros")
    dtype = dtypes.as_dtype(dtype)
    zero = b"" if dtype._base is dtypes.string else (False if dtype._base is dtypes.bool else 0)
    return _filled(zero, shape, dtype, name, "zeros")


def ones(shape, dtype=dtypes.float32, name: str | None = None, layout=None) -> Tensor:
    """A tensor of ones (a constant for small static shapes, else a Fill; `layout`:
    None only)."""
    check_layout(layout, "ones")
    dtype = dtypes.as_dtype(dtype)
    one = True if dtype._base is dtypes.bool else 1
    return _filled(one, shape, dtype, name, "ones")


def _zeros_like_kernel(node, ctx):
    if node._attrs["T"]._base is dtypes.variant:  # (a TensorList: its zeros_like)
        return lambda x: x.zeros_like()
    return np.zeros_like


register_op(
    "ZerosLike",
    inputs=["x: T"],
    outputs=["y: T"],
    attrs=["T: type"],
    shape=common_shapes.unchanged_shape,
    make_kernel=_zeros_like_kernel,
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
        tensor = convert_to_tensor(tensor, name="tensor")
        base = tensor.dtype._base
        dtype = None if dtype is None else dtypes.as_dtype(dtype)._base
        if optimize and tensor.shape.is_fully_defined() and base is not dtypes.variant:
            return zeros(tensor.shape.as_list(), dtype or base, name=scope)
        if dtype is not None and dtype is not base and dtype is not dtypes.variant:
            return zeros(_shape_internal(tensor, optimize=optimize), dtype=dtype, name=scope)
        return op_output("ZerosLike", scope, [tensor])


def ones_like(tensor, dtype=None, name: str | None = None, optimize: bool = True) -> Tensor:
    """A tensor of ones with the shape (and dtype, unless given) of `tensor`."""
    g = get_default_graph()
    with g.name_scope(name or "ones_like") as scope:
        tensor = convert_to_tensor(tensor, name="tensor")
        ones_shape = _shape_internal(tensor, optimize=optimize)
        dtype = tensor.dtype._base if dtype is None else dtypes.as_dtype(dtype)
        out = ones(ones_shape, dtype, name=scope)
        out.set_shape(tensor.shape)
        return out


# -- Cast -------------------------------------------------------------------------------
def _cast_kernel(op, ctx):
    dst = op._attrs["DstT"]
    if dst is dtypes.string:

        def to_string(x):
            raise errors.UnimplementedError(None, op, "Cast to string is not supported")

        return to_string
    src = op._attrs["SrcT"]
    if src is dtypes.bfloat16 and dst is not dtypes.bfloat16:
        inner = _cast_kernel_for(dtypes.float32, dst, op)
        return lambda x: inner(dtypes.from_bfloat16(x))
    if dst is dtypes.bfloat16:
        return lambda x: dtypes.to_bfloat16(np.real(x) if np.iscomplexobj(x) else x)
    return _cast_kernel_for(src, dst, op)


def _cast_kernel_for(src, dst, op):
    np_dtype = dst.np_dtype
    if dst is dtypes.bool:
        return lambda x: np.asarray(x != 0)
    if src.is_complex and not dst.is_complex:
        return lambda x: np.real(x).astype(np_dtype)
    if src.is_floating and dst.is_integer:
        # TF truncates toward zero; NaN and out-of-range values are implementation-defined.
        def float_to_int(x):
            with np.errstate(invalid="ignore"):
                return np.trunc(x).astype(np_dtype)

        return float_to_int
    return lambda x: np.asarray(x).astype(np_dtype)


_CAST_GRAD_TYPES = frozenset(
    {
        dtypes.float16,
        dtypes.float32,
        dtypes.float64,
        dtypes.bfloat16,
        dtypes.complex64,
        dtypes.complex128,
    }
)


def _cast_grad(op, grad):
    src = op._inputs[0].dtype._base
    if src in _CAST_GRAD_TYPES and grad.dtype._base in _CAST_GRAD_TYPES:
        return cast(grad, src)
    return None


register_op(
    "Cast",
    inputs=["x: SrcT"],
    outputs=["y: DstT"],
    attrs=["SrcT: type", "DstT: type", "Truncate: bool = false"],
    shape=common_shapes.unchanged_shape,
    make_kernel=_cast_kernel,
    grad=_cast_grad,
    rowwise=common_shapes.elementwise_rows,
)


def _to(dtype, default_name: str):
    def to(x, name: str = default_name) -> Tensor:
        return cast(x, dtype, name=name)

    to.__name__ = f"to_{dtype.name}"
    to.__doc__ = f"TF1's deprecated `tf.to_...`: `cast(x, {dtype.name})`, named {default_name}."
    return to


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


to_float = _to(dtypes.float32, "ToFloat")
to_double = _to(dtypes.float64, "ToDouble")
to_int32 = _to(dtypes.int32, "ToInt32")
to_int64 = _to(dtypes.int64, "ToInt64")
to_bfloat16 = _to(dtypes.bfloat16, "ToBFloat16")
to_complex64 = _to(dtypes.complex64, "ToComplex64")
to_complex128 = _to(dtypes.complex128, "ToComplex128")


# -- Reshape ----------------------------------------------------------------------------
def _reshape_shape(op):
    x, shape_t = op._inputs
    rank = shape_t._shape._dims
    if rank is not None and len(rank) != 1:
        raise common_shapes.shape_error(op, f"Shape must be rank 1 but is rank {len(rank)}")
    target = constant_value_as_shape(shape_t)
    if target._dims is None:
        return [UNKNOWN]
    value = constant_value(shape_t)
    dims = list(target._dims)
    if value is None:
        # As TF's shape function: one unknown target dimension is implied by the number
        # of input elements when that and the other target dimensions are known.
        n_in = x._shape.num_elements()
        unknown = [i for i, d in enumerate(dims) if d is None]
        if n_in is not None and len(unknown) == 1:
            known = int(np.prod([d for d in dims if d is not None]))
            if known > 0 and n_in % known == 0:
                dims[unknown[0]] = n_in // known
                return [TensorShape._from_tuple(tuple(dims))]
    if value is not None:
        dims = [int(d) for d in value.reshape(-1)]
        if any(d < -1 for d in dims):
            raise ValueError(f"Invalid value in tensor used for shape: {min(dims)}")
        if sum(1 for d in dims if d == -1) > 1:
            return [TensorShape._from_tuple(tuple(None if d == -1 else d for d in dims))]
        n_in = x._shape.num_elements()
        if -1 in dims:
            known = int(np.prod([d for d in dims if d != -1])) if len(dims) > 1 else 1
            if n_in is not None:
                if known == 0 and n_in != 0:
                    partial = ",".join("?" if d == -1 else str(d) for d in dims)
                    raise common_shapes.shape_error(
                        op,
                        f"Cannot reshape a tensor with {n_in} elements to shape [{partial}] "
                        "(0 elements)",
                    )
                if known and n_in % known:
                    raise common_shapes.shape_error(
                        op, f"Dimension size must be evenly divisible by {known} but is {n_in}"
                    )
                fill_in = n_in // known if known else None
                dims = [fill_in if d == -1 else d for d in dims]
            else:
                dims = [None if d == -1 else d for d in dims]
        elif n_in is not None and int(np.prod(dims)) != n_in:
            raise common_shapes.shape_error(
                op,
                f"Cannot reshape a tensor with {n_in} elements to shape {_shape_str(dims)} "
                f"({int(np.prod(dims))} elements)",
            )
        return [TensorShape._from_tuple(tuple(dims))]
    return [target]


def _reshape_kernel(op, ctx):
    # (shape array, its tuple) last seen: a constant shape is the same object each run.
    last = [(None, ())]

    def kernel(x, shape_value):
        seen, dims = last[0]
        if shape_value is not seen:
            if np.ndim(shape_value) != 1:
                raise errors.InvalidArgumentError(
                    None, op, f"sizes input must be 1-D, not {_shape_str(np.shape(shape_value))}"
                )
            dims = tuple(np.reshape(shape_value, -1).tolist())
            for i, d in enumerate(dims):
                if d < -1:  # (numpy would take any negative size for -1)
                    raise errors.InvalidArgumentError(
                        None, op, f"Size {i} must be non-negative, not {d}"
                    )
            last[0] = (shape_value, dims)
        try:
            if x.__class__ is np.ndarray:
                return x.reshape(dims)
            return np.reshape(x, dims)
        except ValueError:
            minus = [i for i, d in enumerate(dims) if d == -1]
            if len(minus) == 1 and 0 in dims and np.size(x) == 0:
                # TF infers the -1 leaving zero dimensions out on both sides: a [3, 0]
                # input reshaped to [-1, 0] is [3, 0] (numpy finds -1 ambiguous there)
                n_in = int(np.prod([d for d in np.shape(x) if d], dtype=np.int64))
                known = int(np.prod([d for d in dims if d > 0], dtype=np.int64))
                return np.reshape(x, [n_in // known if d == -1 else d for d in dims])
            if len(minus) > 1:
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"Only one input size may be -1, not both {minus[0]} and {minus[1]}",
                ) from None
            known = int(np.prod([d for d in dims if d != -1], dtype=np.int64))
            if minus and known:
                wanted = f"requires a multiple of {known}"
            else:
                wanted = f"has {known}"
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Input to reshape is a tensor with {np.size(x)} values, but the requested "
                f"shape {wanted}",
            ) from None

    return kernel


def _dense(grad):
    """An IndexedSlices gradient as a dense tensor (TF's _IndexedSlicesToTensorNoWarning)."""
    if isinstance(grad, _indexed_slices_type()):
        from tfgraph.ops import math_ops

        if grad.dense_shape is None:
            raise ValueError(
                f"Tensor conversion requested for IndexedSlices without dense_shape: {grad}"
            )
        return math_ops.unsorted_segment_sum(grad.values, grad.indices, grad.dense_shape[0])
    return grad


def _reshape_to_input(op, grad):
    return reshape(_dense(grad), shape(op._inputs[0]))


def _reshape_grad(op, grad):
    dims = op._inputs[0]._shape._dims
    if dims is not None and None in dims:
        undefined = [i for i, d in enumerate(dims) if d is None]
        if len(undefined) == 1 and 0 not in dims:
            target = [-1 if d is None else d for d in dims]
            return [reshape(_dense(grad), target), None]
    return [_reshape_to_input(op, grad), None]


register_op(
    "Reshape",
    inputs=["tensor: T", "shape: Tshape"],
    outputs=["output: T"],
    attrs=["T: type", "Tshape: {int32, int64} = int32"],
    shape=_reshape_shape,
    make_kernel=_reshape_kernel,
    grad=_reshape_grad,
)


def reshape(tensor, shape, name: str | None = None) -> Tensor:
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
    if axis is not None and np.size(axis) != 1:
        raise common_shapes.shape_error(op, "'dim' input must be a tensor with a single value")
    if dims is None or axis is None:
        return [UNKNOWN]
    a = _normalize_axis(int(np.reshape(axis, -1)[0]), len(dims) + 1, op.name)
    return [TensorShape._from_tuple(dims[:a] + (1,) + dims[a:])]


def _expand_dims_grad(op, grad):
    return [_reshape_to_input(op, grad), None]


def _expand_dims_kernel(x, d):
    x = np.asarray(x)
    if d.size != 1:
        raise errors.InvalidArgumentError(None, None, "'dim' must be a tensor with a single value")
    axis = d.item()
    given = axis
    if axis < 0:
        axis += x.ndim + 1
    if not 0 <= axis <= x.ndim:
        raise errors.InvalidArgumentError(
            None, None, f"Tried to expand dim index {given} for tensor with {x.ndim} dimensions."
        )
    return x.reshape(x.shape[:axis] + (1,) + x.shape[axis:])


register_op(
    "ExpandDims",
    inputs=["input: T", "dim: Tdim"],
    outputs=["output: T"],
    attrs=["T: type", "Tdim: {int32, int64} = int32"],
    shape=_expand_dims_shape,
    kernel=_expand_dims_kernel,
    grad=_expand_dims_grad,
)


def expand_dims(input, axis=None, name: str | None = None, dim=None) -> Tensor:
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
                        f"'{op.name}' with input shapes: "
                        f"{common_shapes.fmt_shape(op._inputs[0]._shape)}."
                    )
                continue
            out.append(d)
        elif d != 1:
            if d is None:
                return [UNKNOWN]
            out.append(d)
    return [TensorShape._from_tuple(tuple(out))]


def _squeeze_kernel(op, ctx):
    axes = tuple(op._attrs["squeeze_dims"])
    if not axes:
        return np.squeeze

    def kernel(x):
        try:
            return np.squeeze(x, axis=axes)
        except ValueError:
            shape = np.shape(x)
            for a in axes:
                if not -len(shape) <= a < len(shape):
                    raise errors.InvalidArgumentError(
                        None,
                        None,
                        f"Tried to squeeze dim index {a} for tensor with {len(shape)} dimensions.",
                    ) from None
                if shape[a] != 1:
                    raise errors.InvalidArgumentError(
                        None,
                        None,
                        f"Can not squeeze dim[{a % len(shape)}], expected a dimension of 1, got "
                        f"{shape[a]}",
                    ) from None
            raise

    return kernel


register_op(
    "Squeeze",
    inputs=["input: T"],
    outputs=["output: T"],
    attrs=["T: type", "squeeze_dims: list(int) >= 0 = []"],
    shape=_squeeze_shape,
    make_kernel=_squeeze_kernel,
    grad=_reshape_to_input,
)


def squeeze(input, axis=None, name: str | None = None, squeeze_dims=None) -> Tensor:
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
    perm = [int(p) for p in np.reshape(perm, -1)]
    if dims is None:
        return [TensorShape._from_tuple((None,) * len(perm))]
    if len(perm) != len(dims):
        raise common_shapes.shape_error(op, f"Dimension must be {len(dims)} but is {len(perm)}")
    out = []
    for p in perm:  # as TF's shape function: negative entries count from the end, and
        # repeated ones are left for the kernel to refuse
        if not -len(dims) <= p < len(dims):
            raise common_shapes.shape_error(
                op, f"perm dim {p} is out of range of input rank {len(dims)}"
            )
        out.append(dims[p])
    return [TensorShape._from_tuple(tuple(out))]


def _transpose_kernel(x, perm):
    try:
        return np.transpose(x, perm)
    except (ValueError, IndexError, TypeError):
        raise _transpose_error(np.ndim(x), perm) from None


def _transpose_error(rank: int, perm) -> errors.InvalidArgumentError:
    """TF's Transpose kernel errors, in its order (rank first, then range, then
    repeats)."""
    perm = np.asarray(perm)
    if perm.ndim != 1 or perm.size != rank:
        return errors.InvalidArgumentError(
            None,
            None,
            f"transpose expects a vector of size {rank}. But input(1) is a vector of size "
            f"{perm.size}",
        )
    values = [int(p) for p in perm]
    seen = [False] * rank
    for p in values:
        d = p + rank if p < 0 else p
        if not 0 <= d < rank:
            return errors.InvalidArgumentError(None, None, f"{p} is out of range [0 .. {rank})")
        seen[d] = True
    missing = seen.index(False) if False in seen else 0
    listed = ",".join(map(str, values))
    return errors.InvalidArgumentError(None, None, f"{missing} is missing from {{{listed}}}.")


def _transpose_grad(op, grad):
    return [transpose(grad, invert_permutation(op._inputs[1])), None]


register_op(
    "Transpose",
    inputs=["x: T", "perm: Tperm"],
    outputs=["y: T"],
    attrs=["T: type", "Tperm: {int32, int64} = int32"],
    shape=_transpose_shape,
    kernel=_transpose_kernel,
    grad=_transpose_grad,
)


def transpose(a, perm=None, name: str = "transpose", conjugate: bool = False) -> Tensor:
    """Permutes the dimensions of `a` (reversed when `perm` is None)."""
    g = get_default_graph()
    with g.name_scope(name or "transpose") as scope:
        a = convert_to_tensor(a, name="a")
        if perm is None:
            ndims = a.shape.ndims
            if ndims is not None:
                perm = np.arange(ndims - 1, -1, -1, dtype=np.int32)
            else:
                r = op_output("Rank", None, [a])
                perm = op_output("Range", None, [r - 1, -1, -1])
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


def variant_array(x) -> np.ndarray:
    """A variant value (a TensorList, a dataset, ... or an object array of them) as an
    object array."""
    if x.__class__ is np.ndarray:
        return x
    out = np.empty((), dtype=object)
    out[()] = x
    return out


def _pack_kernel(op, ctx):
    axis = op._attrs["axis"]
    variant = op._attrs["T"]._base is dtypes.variant

    def kernel(*xs):
        if variant:  # (a batch of TensorLists, as tf.vectorized_map's graphs make)
            xs = tuple(variant_array(x) for x in xs)
        # packing numeric scalars (shape arithmetic): cheaper (np.array of 0-d object arrays
        # would nest them)
        if axis == 0 and xs[0].ndim == 0 and xs[0].dtype != object:
            try:
                return np.array(xs, dtype=xs[0].dtype)
            except ValueError:
                pass  # (not all scalars: np.stack below says what is wrong)
        try:
            return np.stack(xs, axis=axis)
        except ValueError:
            first = np.shape(xs[0])
            for i, x in enumerate(xs):
                if np.shape(x) != first:
                    raise errors.InvalidArgumentError(
                        None,
                        None,
                        f"Shapes of all inputs must match: values[0].shape = {_shape_str(first)} "
                        f"!= values[{i}].shape = {_shape_str(np.shape(x))}",
                    ) from None
            raise

    return kernel


def _pack_grad(op, grad):
    return unstack(grad, num=op._attrs["N"], axis=op._attrs["axis"])


register_op(
    "Pack",
    inputs=["values: N * T"],
    outputs=["output: T"],
    attrs=["N: int >= 1", "T: type", "axis: int = 0"],
    shape=_pack_shape,
    make_kernel=_pack_kernel,
    grad=_pack_grad,
)


def stack(values, axis: int = 0, name: str = "stack") -> Tensor:
    """Stacks a list of rank-R tensors into one rank-(R+1) tensor (a constant when all
    values are Python/numpy values and `axis` is 0, as in TF)."""
    if axis == 0:
        try:
            return convert_to_tensor(values, name=name)
        except (TypeError, ValueError, NotImplementedError):
            pass
    value_shape = convert_to_tensor(values[0], name=name)._shape._dims
    if value_shape is not None:
        n = len(value_shape) + 1
        if axis < -n or axis >= n:
            raise ValueError(f"Argument `axis` = {axis} not in range [{-n}, {n})")
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
    try:
        return np.concatenate(args[:-1], axis=int(args[-1]))
    except ValueError:
        raise _concat_error(args[:-1], int(args[-1])) from None


def _concat_error(values, axis: int) -> Exception:
    """TF's ConcatOp errors for values numpy refused to concatenate along `axis`."""
    shapes = [np.shape(v) for v in values]
    rank_ = len(shapes[0])
    if rank_ == 0:
        return errors.InvalidArgumentError(
            None, None, "ConcatOp : Can't concatenate scalars (use tf.stack instead)"
        )
    if not -rank_ <= axis < rank_:
        return errors.InvalidArgumentError(
            None,
            None,
            f"ConcatOp : Expected concatenating dimensions in the range [{-rank_}, {rank_}), "
            f"but got {axis}",
        )
    a = axis + rank_ if axis < 0 else axis
    first = _shape_str(shapes[0])
    for i, s in enumerate(shapes[1:], 1):
        if len(s) != rank_:
            return errors.InvalidArgumentError(
                None,
                None,
                "ConcatOp : Ranks of all input tensors should match: shape[0] = "
                f"{first} vs. shape[{i}] = {_shape_str(s)}",
            )
        for d in range(rank_):
            if d != a and s[d] != shapes[0][d]:
                return errors.InvalidArgumentError(
                    None,
                    None,
                    f"ConcatOp : Dimension {d} in both shapes must be equal: shape[0] = "
                    f"{first} vs. shape[{i}] = {_shape_str(s)}",
                )
    return errors.InvalidArgumentError(None, None, "ConcatOp : cannot concatenate " + first)


def _extract_input_shapes(inputs):
    sizes = []
    for x in inputs:
        s = shape(x)
        if s._op._type != "Const":
            return shape_n(inputs)
        sizes.append(s)
    return sizes


def _concat_grad(op, grad):
    """Slices of the gradient for each input (IndexedSlices stay sparse)."""
    from tfgraph.ops import math_ops

    if len(op._inputs) == 2:
        return [grad, None]
    concat_dim = op._inputs[-1]
    input_values = op._inputs[:-1]
    out_grads = []
    if concat_dim.op._op_def.constant:
        from tfgraph.ops.control_flow_ops import op_context

        grad_op = getattr(grad, "op", None) or getattr(grad.values, "op", None)
        if op_context(concat_dim.op) is not op_context(grad_op):
            # A constant axis from another cond branch is copied here, as TF does,
            # rather than brought in through a Switch.
            concat_dim = constant(constant_value(concat_dim), dtype=concat_dim.dtype)
    if isinstance(grad, Tensor):
        non_neg_concat_dim = concat_dim % rank(input_values[0])
        sizes = _extract_input_shapes(input_values)
        if len(sizes) > 16:
            sizes = squeeze(slice(stack(sizes, axis=1), [non_neg_concat_dim, 0], [1, -1]))
            out_grads = split(grad, sizes, non_neg_concat_dim)
        else:
            offset = concat_offset(non_neg_concat_dim, sizes)
            for begin, size_ in zip(offset, sizes):
                out_grads.append(slice(grad, begin, size_))
        return out_grads + [None]
    IndexedSlices = _indexed_slices_type()
    non_neg_concat_dim = concat_dim % rank(input_values[0])
    concat_dim_static = constant_value(concat_dim)
    if concat_dim_static is None:
        raise ValueError("Can only compute IndexedSlices gradient with statically-known concat_dim")
    concat_dim_static = int(concat_dim_static)
    if concat_dim_static < 0:
        r = input_values[0]._shape.ndims
        if r is None:
            raise ValueError(
                "Can only compute IndexedSlices gradient with negative concat_dim when first "
                "value rank is statically-known."
            )
        concat_dim_static %= r
    sizes = [shape(x) for x in input_values]
    if concat_dim_static > 0:
        shape_of_shape = shape(sizes[0])
        mask = concat(
            [
                zeros(expand_dims(non_neg_concat_dim, 0), dtype=dtypes.int32),
                [1],
                zeros(shape_of_shape - non_neg_concat_dim - 1, dtype=dtypes.int32),
            ],
            0,
        )
        begin = zeros(shape_of_shape, dtype=dtypes.int32)
        for size_ in sizes:
            new_values = slice(grad.values, begin, concat([[-1], slice(size_, [1], [-1])], 0))
            out_grads.append(IndexedSlices(new_values, grad.indices, size_))
            begin = math_ops.add(begin, size_ * mask)
    else:
        start = constant(0, dtype=grad.indices.dtype._base)
        for size_ in sizes:
            size_concat_dim = gather(size_, non_neg_concat_dim)
            if size_concat_dim.dtype._base is not grad.indices.dtype._base:
                size_concat_dim = cast(size_concat_dim, grad.indices.dtype._base)
            end = start + size_concat_dim
            indices_to_select = squeeze(
                where(math_ops.logical_and(grad.indices >= start, grad.indices < end)),
                axis=[1],
            )
            new_indices = gather(grad.indices, indices_to_select) - start
            new_values = gather(grad.values, indices_to_select)
            out_grads.append(IndexedSlices(new_values, new_indices, size_))
            start = end
    return out_grads + [None]


register_op(
    "ConcatV2",
    inputs=["values: N * T", "axis: Tidx"],
    outputs=["output: T"],
    attrs=["N: int >= 2", "T: type", "Tidx: {int32, int64} = int32"],
    shape=_concat_shape,
    kernel=_concat_kernel,
    grad=_concat_grad,
)


def concat(values, axis, name: str = "concat") -> Tensor:
    """Concatenates tensors along `axis`."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    if len(values) == 1:
        g = get_default_graph()
        with g.name_scope(name):
            axis_t = convert_to_tensor(axis, dtype=dtypes.int32, name="concat_dim")
            if axis_t._shape._dims is not None and axis_t._shape._dims != ():
                raise ValueError(f"Shape {axis_t._shape} must have rank 0")
            return identity(values[0], name=name)
    return op_output("ConcatV2", name, [list(values), axis])


# -- Slice ------------------------------------------------------------------------------
def _int_values(t):
    """The static value of a 1-D int tensor as a list, or None."""
    v = constant_value(t)
    return None if v is None else [int(x) for x in np.reshape(v, -1)]


def _vector_length(t, op):
    dims = t._shape._dims
    if dims is None:
        return None
    if len(dims) != 1:
        raise common_shapes.shape_error(op, f"Shape must be rank 1 but is rank {len(dims)}")
    return dims[0]


def _slice_shape(op):
    x, begin_t, size_t = op._inputs
    n = _vector_length(begin_t, op)
    m = _vector_length(size_t, op)
    if n is not None and m is not None and n != m:
        raise common_shapes.shape_error(
            op, f"Dimension 0 in both shapes must be equal, but are {n} and {m}"
        )
    n = n if n is not None else m
    dims = x._shape._dims
    if n is not None and dims is not None and len(dims) != n:
        raise common_shapes.shape_error(op, f"Shape must be rank {n} but is rank {len(dims)}")
    if n is None:
        return [UNKNOWN if dims is None else TensorShape._from_tuple((None,) * len(dims))]
    begin, sizes = _int_values(begin_t), _int_values(size_t)
    if sizes is None:
        partial = constant_value_as_shape(size_t)._dims
        return [TensorShape._from_tuple(partial if partial is not None else (None,) * n)]
    out = []
    for i, s in enumerate(sizes):
        if s < -1:
            raise ValueError(f"Invalid value in tensor used for shape: {s}")
        d = None if dims is None else dims[i]
        if s != -1:
            out.append(s)
        elif begin is None or d is None:
            out.append(None)
        else:
            if d - begin[i] < 0:
                raise common_shapes.shape_error(
                    op, f"Negative dimension size caused by subtracting {begin[i]} from {d}"
                )
            out.append(d - begin[i])
    return [TensorShape._from_tuple(tuple(out))]


def _slice_kernel(op, ctx):
    def kernel(x, begin, size):
        shape = np.shape(x)
        if len(begin) != len(shape) or len(size) != len(shape):
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Expected begin and size arguments to be 1-D tensors of size {len(shape)}, "
                f"but got shapes [{len(begin)}] and [{len(size)}] instead.",
            )
        index = []
        for i, (b, s, d) in enumerate(zip(begin.tolist(), size.tolist(), shape, strict=True)):
            if s == -1:
                s = d - b
            if not 0 <= b <= d:
                raise errors.InvalidArgumentError(
                    None, op, f"Expected begin[{i}] in [0, {d}], but got {b}"
                )
            if not 0 <= s <= d - b:
                raise errors.InvalidArgumentError(
                    None, op, f"Expected size[{i}] in [0, {d - b}], but got {s}"
                )
            index.append(builtins_slice(b, b + s))
        return np.asarray(x)[tuple(index)]

    return kernel


def _slice_grad(op, grad):
    input_vec, begin_vec = op._inputs[0], op._inputs[1]
    input_rank = rank(input_vec)
    index_dtype = begin_vec.dtype._base
    slice_size = shape(op._outputs[0], out_type=index_dtype)
    shape_ = stack([input_rank, 1])
    before_pad = reshape(begin_vec, shape_)
    after_pad = reshape(shape(input_vec, out_type=index_dtype) - slice_size - begin_vec, shape_)
    paddings = concat([before_pad, after_pad], 1)
    return pad(grad, paddings), None, None


register_op(
    "Slice",
    inputs=["input: T", "begin: Index", "size: Index"],
    outputs=["output: T"],
    attrs=["T: type", "Index: {int32, int64}"],
    shape=_slice_shape,
    make_kernel=_slice_kernel,
    grad=_slice_grad,
)


def slice(input_, begin, size, name: str | None = None) -> Tensor:
    """Extracts the slice of `input_` of shape `size` starting at `begin` (-1 in `size`
    means "all remaining elements")."""
    return op_output("Slice", name, [input_, begin, size])


# -- StridedSlice -----------------------------------------------------------------------
_NEW_AXIS = -1
_SHRINK_AXIS = -2


def _strided_slice_dims(dims, begin, end, strides, masks) -> tuple:
    """TF's ValidateStridedSliceOp on static values: the output dims (None = unknown) for
    input `dims` (known rank, entries may be None) and `begin`/`end` (lists or None when
    not known statically). Raises ValueError with TF's message for an invalid spec."""
    begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask = masks
    n_sparse = len(strides)
    if (begin is not None and len(begin) != n_sparse) or (end is not None and len(end) != n_sparse):
        raise ValueError(
            f"Expected begin, end, and strides to be 1D equal size tensors, but got shapes "
            f"[{len(begin or ())}], [{len(end or ())}], and [{n_sparse}] instead."
        )
    if ellipsis_mask & (ellipsis_mask - 1):
        raise ValueError("Multiple ellipses in slice spec not allowed")
    if not ellipsis_mask:
        ellipsis_mask = 1 << n_sparse
        n_sparse += 1
    rank = len(dims)
    after = 0
    seen = False
    for i in range(n_sparse):
        if ellipsis_mask & (1 << i):
            seen = True
        elif seen and new_axis_mask & (1 << i):
            after += 1
    # Sparse spec -> dense spec: (begin, end, stride, begin masked, end masked, shrink).
    dense: list[tuple] = []
    gather: list[int] = []
    for i in range(n_sparse):
        bit = 1 << i
        if ellipsis_mask & bit:
            stop = min(rank - (n_sparse - i) + 1 + after, rank)
            while len(dense) < stop:
                gather.append(len(dense))
                dense.append((0, 0, 1, True, True, False))
        elif new_axis_mask & bit:
            gather.append(_NEW_AXIS)
        else:
            if len(dense) == rank:
                raise ValueError(
                    f"Index out of range using input dim {len(dense)}; input has only {rank} dims"
                )
            shrink = bool(shrink_axis_mask & bit)
            gather.append(_SHRINK_AXIS if shrink else len(dense))
            dense.append(
                (
                    None if begin is None else begin[i],
                    None if end is None else end[i],
                    strides[i],
                    bool(begin_mask & bit),
                    bool(end_mask & bit),
                    shrink,
                )
            )
    processing = []
    for i, (b, e, stride, b_masked, e_masked, shrink) in enumerate(dense):
        if stride == 0:
            raise ValueError(f"strides[{i}] must be non-zero")
        d = dims[i]
        if d is None:
            processing.append(1 if shrink else None)
            continue
        if shrink and stride <= 0:
            raise ValueError("only stride 1 allowed on non-range indexing.")
        lo, hi = (0, d) if stride > 0 else (-1, d - 1)
        length = None
        if b is not None and e is not None:
            if shrink:
                fwd = b + d if b < 0 else b
                if fwd < 0 or fwd >= d:
                    raise ValueError(f"slice index {fwd} of dimension {i} out of bounds.")
                length = 1
            else:
                b = (
                    (lo if stride > 0 else hi)
                    if b_masked
                    else min(max(b + d if b < 0 else b, lo), hi)
                )
                e = (
                    (hi if stride > 0 else lo)
                    if e_masked
                    else min(max(e + d if e < 0 else e, lo), hi)
                )
                length = e - b
        elif shrink:
            length = 1
        elif b_masked and e_masked:
            length = -d if stride < 0 else d
        if length is None:
            processing.append(None)
        elif length == 0 or (length < 0) != (stride < 0):
            processing.append(0)
        else:
            q, r = divmod(abs(length), abs(stride))
            processing.append(q + (1 if r else 0))
    out: list[int | None] = []
    for g in gather:
        if g == _NEW_AXIS:
            out.append(1)
        elif g != _SHRINK_AXIS:
            out.append(processing[g])
    return tuple(out)


def _strided_slice_masks(op) -> tuple:
    a = op._attrs
    return (
        a["begin_mask"],
        a["end_mask"],
        a["ellipsis_mask"],
        a["new_axis_mask"],
        a["shrink_axis_mask"],
    )


def _strided_slice_shape(op):
    x, begin_t, end_t, strides_t = op._inputs
    lengths = {_vector_length(t, op) for t in (begin_t, end_t, strides_t)} - {None}
    if len(lengths) > 1:
        raise common_shapes.shape_error(
            op, "Expected begin, end, and strides to be 1D equal size tensors"
        )
    strides = _int_values(strides_t)
    dims = x._shape._dims
    if dims is None or strides is None:
        return [UNKNOWN]
    try:
        out = _strided_slice_dims(
            dims, _int_values(begin_t), _int_values(end_t), strides, _strided_slice_masks(op)
        )
    except ValueError as e:
        raise common_shapes.shape_error(op, str(e)) from None
    return [TensorShape._from_tuple(out)]


def _strided_slice_numpy_index(begin, end, strides, masks) -> tuple:
    """The numpy index equivalent to a strided slice spec (ValueError for a zero stride)."""
    begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask = masks
    index: list[object] = []
    seen_ellipsis = False
    for i, (b, e, s) in enumerate(zip(begin.tolist(), end.tolist(), strides.tolist(), strict=True)):
        bit = 1 << i
        if ellipsis_mask & bit and not seen_ellipsis:
            index.append(Ellipsis)
            seen_ellipsis = True
        elif new_axis_mask & bit:
            index.append(None)
        elif shrink_axis_mask & bit:
            index.append(b)
        else:
            if s == 0:
                raise ValueError("zero stride")
            index.append(
                builtins_slice(None if begin_mask & bit else b, None if end_mask & bit else e, s)
            )
    return tuple(index)


def _strided_slice_kernel(op, ctx):
    masks = _strided_slice_masks(op)
    # (begin, end, strides, numpy index) last seen: constant bounds are the same objects each
    # run. One tuple, swapped whole, so concurrent runs never see a mismatched entry.
    cache: list = [(None, None, None, None)]

    def numpy_index(begin, end, strides) -> tuple:
        return _strided_slice_numpy_index(begin, end, strides, masks)

    def kernel(x, begin, end, strides):
        b, e, s, index = cache[0]
        if begin is not b or end is not e or strides is not s:
            try:
                index = numpy_index(begin, end, strides)
            except ValueError:
                index = None
            cache[0] = (begin, end, strides, index)
        try:
            if index is None:
                raise IndexError
            return np.asarray(x)[index]
        except IndexError:
            try:
                _strided_slice_dims(
                    np.shape(x), begin.tolist(), end.tolist(), strides.tolist(), masks
                )
            except ValueError as e:
                raise errors.InvalidArgumentError(None, op, str(e)) from None
            raise

    return kernel


def _strided_slice_grad(op, grad):
    begin, end, strides = op._inputs[1:4]
    x = shape(op._inputs[0], out_type=begin.dtype._base)
    static = [constant_value(t) for t in (x, begin, end, strides)]
    x, begin, end, strides = (
        v if v is not None else t for v, t in zip(static, (x, begin, end, strides))
    )
    a = op._attrs
    return (
        strided_slice_grad(
            x,
            begin,
            end,
            strides,
            grad,
            begin_mask=a["begin_mask"],
            end_mask=a["end_mask"],
            ellipsis_mask=a["ellipsis_mask"],
            new_axis_mask=a["new_axis_mask"],
            shrink_axis_mask=a["shrink_axis_mask"],
        ),
        None,
        None,
        None,
    )


register_op(
    "StridedSlice",
    inputs=["input: T", "begin: Index", "end: Index", "strides: Index"],
    outputs=["output: T"],
    attrs=[
        "T: type",
        "Index: {int16, int32, int64}",
        "begin_mask: int = 0",
        "end_mask: int = 0",
        "ellipsis_mask: int = 0",
        "new_axis_mask: int = 0",
        "shrink_axis_mask: int = 0",
    ],
    shape=_strided_slice_shape,
    make_kernel=_strided_slice_kernel,
    grad=_strided_slice_grad,
)


def strided_slice(
    input_,
    begin,
    end,
    strides=None,
    begin_mask: int = 0,
    end_mask: int = 0,
    ellipsis_mask: int = 0,
    new_axis_mask: int = 0,
    shrink_axis_mask: int = 0,
    var=None,
    name: str | None = None,
) -> Tensor:
    """Extracts a strided slice of `input_` (the op behind `tensor[...]`)."""
    if strides is None:
        strides = ones_like(begin)
    return op_output(
        "StridedSlice",
        name,
        [input_, begin, end, strides],
        {
            "begin_mask": begin_mask,
            "end_mask": end_mask,
            "ellipsis_mask": ellipsis_mask,
            "new_axis_mask": new_axis_mask,
            "shrink_axis_mask": shrink_axis_mask,
        },
    )


# -- Tensor.__getitem__ -------------------------------------------------------------------
newaxis = None

_SLICE_TYPE_ERROR = (
    "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
    "tf.int32/tf.int64 tensors are valid indices"
)
_SLICE_INDEX_DTYPES = (dtypes.int16, dtypes.int32, dtypes.int64)


def _is_tensor(value) -> bool:
    return isinstance(value, Tensor) or hasattr(value, "_as_graph_element")


def _check_index(idx) -> None:
    if isinstance(idx, (numbers.Integral, Dimension)):
        return
    dtype = getattr(idx, "dtype", None)
    try:
        ok = dtype is not None and dtypes.as_dtype(dtype)._base in _SLICE_INDEX_DTYPES
    except TypeError:
        ok = False
    shape = getattr(idx, "shape", None)
    rank_ = getattr(shape, "ndims", None) if isinstance(shape, TensorShape) else None
    if shape is not None and not isinstance(shape, TensorShape):
        rank_ = len(shape)
    if not ok or rank_ == 1:
        raise TypeError(_SLICE_TYPE_ERROR + f", got {idx!r}")


def _is_undefined_dimension(d) -> bool:
    return isinstance(d, Dimension) and d.value is None


def _slice_helper(tensor, slice_spec, var=None):
    """`tensor[slice_spec]` as TF builds it: one StridedSlice whose begin/end/strides are
    constants (`stack`, `stack_1`, `stack_2`) or packed from tensor indices. With `var`
    (the variable `tensor` reads), the slice gets `assign(value, name=None)`, which
    calls `var._strided_slice_assign` (TF's _SliceHelperVar)."""
    tensor = convert_to_tensor(tensor)
    if (
        isinstance(slice_spec, bool)
        or (_is_tensor(slice_spec) and dtypes.as_dtype(slice_spec.dtype)._base is dtypes.bool)
        or (isinstance(slice_spec, np.ndarray) and slice_spec.dtype == bool)
    ):
        return boolean_mask(tensor=tensor, mask=slice_spec)
    if not isinstance(slice_spec, (list, tuple)):
        slice_spec = [slice_spec]
    begin, end, strides = [], [], []
    new_axis_mask = shrink_axis_mask = begin_mask = end_mask = ellipsis_mask = 0
    for index, s in enumerate(slice_spec):
        if isinstance(s, builtins_slice):
            dtype = None
            for t in (s.start, s.stop, s.step):
                if t is None or not isinstance(t, Tensor):
                    continue
                base = t.dtype._base
                if base is dtypes.int64:
                    dtype = dtypes.int64
                elif base is dtypes.int32 and dtype is not dtypes.int64:
                    dtype = dtypes.int32
                elif base is dtypes.int16 and dtype is None:
                    dtype = dtypes.int16
            for value, out, default, mask_bit in (
                (s.start, begin, 0, "begin"),
                (s.stop, end, 0, "end"),
                (s.step, strides, 1, None),
            ):
                if value is not None and not _is_undefined_dimension(value):
                    _check_index(value)
                    out.append(value)
                else:
                    out.append(default if dtype is None else constant(default, dtype=dtype))
                    if mask_bit == "begin":
                        begin_mask |= 1 << index
                    elif mask_bit == "end":
                        end_mask |= 1 << index
        elif s is Ellipsis:
            begin.append(0)
            end.append(0)
            strides.append(1)
            ellipsis_mask |= 1 << index
        elif s is newaxis:
            begin.append(0)
            end.append(0)
            strides.append(1)
            new_axis_mask |= 1 << index
        else:
            _check_index(s)
            begin.append(s)
            end.append(s + 1)
            if isinstance(s, Tensor) and s.dtype._base in (dtypes.int16, dtypes.int64):
                strides.append(constant(1, dtype=s.dtype._base))
            else:
                strides.append(1)
            shrink_axis_mask |= 1 << index
    # (inside a function being traced, an outer tensor is captured: slice it there)
    g = get_default_graph() if Graph._functions_building else tensor._op._graph
    with g.as_default(), g.name_scope("strided_slice") as name:
        if begin:
            packed = [stack(begin), stack(end), stack(strides)]
            if any(p.dtype._base is dtypes.int64 for p in packed):
                packed = [
                    p
                    if p.dtype._base is dtypes.int64
                    else op_output("Cast", None, [p], {"DstT": dtypes.int64})
                    for p in packed
                ]
        else:
            empty = constant([], dtype=dtypes.int32)
            packed = [empty, empty, empty]
        masks = {
            "begin_mask": begin_mask,
            "end_mask": end_mask,
            "shrink_axis_mask": shrink_axis_mask,
            "new_axis_mask": new_axis_mask,
            "ellipsis_mask": ellipsis_mask,
        }
        out = strided_slice(tensor, packed[0], packed[1], packed[2], name=name, **masks)
    if var is not None:

        def assign(value, name=None):
            with g.as_default():
                return var._strided_slice_assign(
                    *packed, value, name=name or f"{out.op.name}/_assign", **masks
                )

        from tfgraph.framework.ops import register_slice_assign

        register_slice_assign(out, assign)
    return out


Tensor._override_operator("__getitem__", _slice_helper)


# -- GatherV2 ---------------------------------------------------------------------------
def _gather_shape(op):
    params, indices, axis_t = op._inputs
    pdims, idims = params._shape._dims, indices._shape._dims
    axis = constant_value(axis_t)
    if pdims is None or idims is None or axis is None:
        return [UNKNOWN]
    axis = int(axis)
    r = len(pdims)
    if axis < 0:
        if axis < -r:
            raise common_shapes.shape_error(
                op, f"Expected axis in the range [{-r}, {r}), but got {axis}"
            )
        axis += r
    if r < axis + 1:
        raise common_shapes.shape_error(
            op, f"Shape must be at least rank {axis + 1} but is rank {r}"
        )
    batch_dims = int(op._attrs["batch_dims"])
    if len(idims) < abs(batch_dims):
        raise common_shapes.shape_error(
            op, f"Shape must be at least rank {abs(batch_dims)} but is rank {len(idims)}"
        )
    if batch_dims < 0:
        batch_dims += len(idims)
    return [TensorShape._from_tuple(pdims[:axis] + idims[batch_dims:] + pdims[axis + 1 :])]


def _bad_index_message(indices: np.ndarray, n: int) -> str:
    if np.ndim(indices) == 0:  # (TF names no position for a scalar index)
        return f"indices = {int(indices)} is not in [0, {n})"
    bad = np.argwhere((indices < 0) | (indices >= n))[0]
    where = ",".join(str(int(i)) for i in bad)
    return f"indices[{where}] = {int(indices[tuple(bad)])} is not in [0, {n})"


def _gather_kernel(op, ctx):
    batch_dims = int(op._attrs["batch_dims"])

    def kernel(params, indices, axis):
        params = np.asarray(params)
        try:
            axis = int(axis)
        except TypeError:
            raise errors.InvalidArgumentError(None, None, "axis must be scalar") from None
        if axis < 0:
            axis += params.ndim
        if not 0 <= axis < max(params.ndim, 1):
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Expected axis in the range [{-params.ndim}, {params.ndim}), but got {axis}",
            )
        n = params.shape[axis]
        if batch_dims == 0 and indices.ndim == 0:  # (a loop's `tf.gather(xs, t)`: 10 -> 2 us)
            i = int(indices)
            if not 0 <= i < n:
                raise errors.InvalidArgumentError(None, op, _bad_index_message(indices, n))
            return params[(builtins_slice(None),) * axis + (i,)].copy()
        if _out_of_range(indices, n):
            raise errors.InvalidArgumentError(None, op, _bad_index_message(indices, n))
        if batch_dims == 0:
            return np.take(params, indices, axis=axis)
        dims = _check_gather_batch_dims(op, params, np.asarray(indices), axis, batch_dims)
        return _batch_take(params, np.asarray(indices), axis, dims)

    return kernel


def _out_of_range(indices: np.ndarray, n: int) -> bool:
    """Whether an index is negative or n or more. (A few indices, such as a mean's
    gradient's gather of its input's shape, in Python: min() and max() cost ~3 us each.)"""
    if indices.size <= 8:
        return any(i < 0 or i >= n for i in indices.ravel().tolist())
    return bool(indices.size) and (indices.min() < 0 or indices.max() >= n)


def _check_gather_batch_dims(op, params, indices, axis: int, batch_dims: int) -> int:
    """GatherV2's batch_dims checks (as TF's kernel makes them); the non-negative batch_dims."""
    r = indices.ndim
    if not -r <= batch_dims <= r:
        raise errors.InvalidArgumentError(
            None, op, f"Expected batch_dims in the range [{-r}, {r}], but got {batch_dims}"
        )
    if batch_dims < 0:
        batch_dims += r
    if batch_dims >= params.ndim:
        raise errors.InvalidArgumentError(
            None,
            op,
            f"batch_dims ({batch_dims}) must be less than rank(params) ({params.ndim}).",
        )
    if axis < batch_dims:
        raise errors.InvalidArgumentError(
            None, op, f"batch_dims ({batch_dims}) must be less than or equal to axis ({axis})."
        )
    for i in builtins.range(batch_dims):
        if params.shape[i] != indices.shape[i]:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"params.shape[{i}]: {params.shape[i]} should be equal to "
                f"indices.shape[{i}]: {indices.shape[i]}",
            )
    return batch_dims


def _batch_take(params: np.ndarray, indices: np.ndarray, axis: int, batch_dims: int):
    """np.take per batch: params[b..., :, ...] taken at indices[b..., ...] along `axis`."""
    lead = params.shape[:batch_dims]
    flat_p = params.reshape((-1,) + params.shape[batch_dims:])
    flat_i = indices.reshape((-1,) + indices.shape[batch_dims:])
    out_shape = params.shape[:axis] + indices.shape[batch_dims:] + params.shape[axis + 1 :]
    parts = [
        np.take(flat_p[k], flat_i[k], axis=axis - batch_dims) for k in builtins.range(len(flat_p))
    ]
    if not parts:
        return np.zeros(out_shape, params.dtype)
    return np.stack(parts).reshape(lead + out_shape[batch_dims:])


def _batch_gather_grad(params_shape, values, indices, batch_dims, gather_dim_size):
    from tfgraph.ops import math_ops

    indices_size = expand_dims(size(indices), 0)
    if batch_dims:
        values_shape = shape(values)
        outer_shape = values_shape[:batch_dims]
        inner_shape = values_shape[batch_dims:][1:]
        batch_size = math_ops.reduce_prod(outer_shape, [0])
        flat_values_shape = concat([[-1], inner_shape], 0)
        gather_dim_size = gather_dim_size * batch_size
        indices = _batch_gather_indices(params_shape, indices, batch_dims)
        values = reshape(_dense(values), flat_values_shape)
    indices = reshape(indices, indices_size)
    params_grad = math_ops.unsorted_segment_sum(values, indices, gather_dim_size)
    if batch_dims:
        params_grad = reshape(params_grad, concat([outer_shape, flat_values_shape], 0))
    return params_grad


def _batch_gather_indices(params_shape, indices, batch_dims: int):
    """`indices` offset so that each batch entry addresses its own rows of the flattened
    batch dimensions (as TF's gather gradient builds it)."""
    from tfgraph.ops import math_ops

    dtype = indices.dtype._base
    params_shape = cast(params_shape, dtype)
    accum = ones((), dtype=dtype)
    for dim in builtins.range(batch_dims, 0, -1):
        dim_value = params_shape[dim - 1]
        accum = accum * params_shape[dim]
        dim_indices = math_ops.range(zeros((), dtype=dtype), dim_value, ones((), dtype=dtype))
        dim_indices = dim_indices * accum
        dim_shape = concat(
            [tile([1], [dim - 1]), [dim_value], tile([1], [rank(indices) - dim])], axis=0
        )
        indices = indices + reshape(dim_indices, dim_shape)
    return indices


def _gather_v2_grad(op, grad):
    """An IndexedSlices of the gathered rows for axis 0; a dense segment sum otherwise."""
    from tfgraph.ops import math_ops

    params = op._inputs[0]
    g = get_default_graph()
    with g.colocate_with(params._op):
        params_shape = shape(params)
    indices = op._inputs[1]
    indices_size = expand_dims(size(indices), 0)
    axis = op._inputs[2]
    axis_static = constant_value(axis)
    batch_dims = int(op._attrs["batch_dims"])
    if batch_dims < 0:
        if indices._shape._dims is None:
            raise ValueError(
                f"Currently, it is unsupported to take the gradient of tf.gather when "
                f"batch_dims < 0 and the rank of the indices is unknown. Please pass a "
                f"positive batch_dims or use tf.ensure_shape to update the shape of "
                f"indices when calling tf.gather. Got batch_dims={batch_dims} and "
                f"indices={indices}"
            )
        batch_dims += len(indices._shape._dims)
    if axis_static is not None and int(axis_static) == 0:
        params_tail_shape = params_shape[1:]
        values_shape = concat([indices_size, params_tail_shape], 0)
        values = reshape(_dense(grad), values_shape)
        indices = reshape(indices, indices_size)
        return [_indexed_slices_type()(values, indices, params_shape), None, None]
    outer_shape = params_shape[:axis]
    inner_shape = params_shape[axis:][1:]
    values_shape = concat([outer_shape, [-1], inner_shape], 0)
    values_dims = size(values_shape)
    axis_dims = size(outer_shape)
    outer_batches_indices = math_ops.range(batch_dims)
    batch_axis_indices = math_ops.range(batch_dims, axis_dims)
    inner_axes_indices = math_ops.range(axis_dims + 1, values_dims)
    values = reshape(_dense(grad), values_shape)
    transpose_dims = concat(
        [outer_batches_indices, [axis_dims], batch_axis_indices, inner_axes_indices], 0
    )
    values_transpose = transpose(values, transpose_dims)
    params_shape_transpose = gather(params_shape, transpose_dims)
    params_grad = _batch_gather_grad(
        params_shape_transpose, values_transpose, indices, batch_dims, params_shape[axis]
    )
    invert_transpose_dims = concat(
        [outer_batches_indices, batch_axis_indices + 1, [batch_dims], inner_axes_indices], 0
    )
    params_grad = transpose(params_grad, invert_transpose_dims)
    params_grad = reshape(params_grad, shape(params))
    return [params_grad, None, None]


register_op(
    "GatherV2",
    inputs=["params: Tparams", "indices: Tindices", "axis: Taxis"],
    outputs=["output: Tparams"],
    attrs=[
        "batch_dims: int = 0",
        "Tparams: type",
        "Tindices: {int16, int32, int64}",
        "Taxis: {int32, int64}",
    ],
    shape=_gather_shape,
    make_kernel=_gather_kernel,
    grad=_gather_v2_grad,
)


def gather(
    params,
    indices,
    validate_indices=None,
    name: str | None = None,
    axis=None,
    batch_dims: int = 0,
) -> Tensor:
    """Gathers slices of `params` along `axis` (default 0) at `indices`."""
    if axis is None:
        axis = batch_dims
    static_axis = constant_value(axis) if isinstance(axis, Tensor) else axis
    axis_is_zero = isinstance(static_axis, (int, np.integer, np.ndarray)) and (
        np.ndim(static_axis) == 0 and int(static_axis) == 0
    )
    if not axis_is_zero:
        return op_output("GatherV2", name, [params, indices, axis], {"batch_dims": batch_dims})
    if hasattr(params, "sparse_read"):  # a resource variable: ResourceGather
        return params.sparse_read(indices, name=name)
    return op_output("GatherV2", name, [params, indices, axis], {"batch_dims": 0})


# -- Tile -------------------------------------------------------------------------------
def _tile_shape(op):
    x, multiples_t = op._inputs
    n = _vector_length(multiples_t, op)
    dims = x._shape._dims
    if dims is not None and n is not None and len(dims) != n:
        raise common_shapes.shape_error(op, f"Shape must be rank {len(dims)} but is rank {n}")
    rank_ = len(dims) if dims is not None else n
    if rank_ is None:
        return [UNKNOWN]
    mult = constant_value_as_shape(multiples_t)._dims
    if mult is None or len(mult) != rank_:
        mult = (None,) * rank_
    if dims is None:
        dims = (None,) * rank_
    return [
        TensorShape._from_tuple(
            tuple(
                None if d is None or m is None else d * m for d, m in zip(dims, mult, strict=True)
            )
        )
    ]


def _tile_kernel(op, ctx):
    def kernel(x, multiples):
        x = np.asarray(x)
        if multiples.shape != (x.ndim,):
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Expected multiples argument to be a vector of length {x.ndim} but got "
                f"length {multiples.size}",
            )
        reps = multiples.tolist()
        if reps and min(reps) < 0:
            i = next(i for i, m in enumerate(reps) if m < 0)
            raise errors.InvalidArgumentError(
                None, op, f"Expected multiples[{i}] >= 0, but got {reps[i]}"
            )
        if x.size == 1:  # (e.g. a mean's gradient): a filled array
            return np.full([d * m for d, m in zip(x.shape, reps)], x.reshape(()), x.dtype)
        if all(d == 1 or m == 1 for d, m in zip(x.shape, reps)):
            # only size-1 dimensions are repeated: a broadcast (read-only view) is enough
            return np.broadcast_to(x, tuple(d * m for d, m in zip(x.shape, reps)))
        return np.tile(x, multiples)

    return kernel


def _tile_grad(op, grad):
    from tfgraph.ops import math_ops

    input_shape = shape(op._inputs[0], out_type=op._inputs[1].dtype._base)
    split_shape = reshape(transpose(stack([op._inputs[1], input_shape])), [-1])
    axes = math_ops.range(0, size(split_shape), 2)
    if isinstance(grad, _indexed_slices_type()):
        input_shape_0 = cast(input_shape[0], grad.indices.dtype._base)
        grad = math_ops.unsorted_segment_sum(
            grad.values, math_ops.mod(grad.indices, input_shape_0), input_shape_0
        )
        split_shape = concat([[1], split_shape[1:]], axis=0)
    input_grad = math_ops.reduce_sum(reshape(grad, split_shape), axes)
    input_grad.set_shape(op._inputs[0]._shape)
    return [input_grad, None]


register_op(
    "Tile",
    inputs=["input: T", "multiples: Tmultiples"],
    outputs=["output: T"],
    attrs=["T: type", "Tmultiples: {int32, int64} = int32"],
    shape=_tile_shape,
    make_kernel=_tile_kernel,
    grad=_tile_grad,
)


def tile(input, multiples, name: str | None = None) -> Tensor:
    """Repeats `input` `multiples[i]` times along each dimension i."""
    return op_output("Tile", name, [input, multiples])


# -- Unpack (unstack) -------------------------------------------------------------------
def _unpack_shape(op):
    dims = op._inputs[0]._shape._dims
    num = op._attrs["num"]
    if dims is None:
        return [UNKNOWN] * num
    axis = op._attrs["axis"]
    r = len(dims)
    if not -r <= axis < r:
        raise common_shapes.shape_error(op, f"Invalid axis: {axis}; must be in [{-r},{r})")
    axis %= r
    if dims[axis] is not None and dims[axis] != num:
        raise common_shapes.shape_error(op, f"Dimension must be {num} but is {dims[axis]}")
    return [TensorShape._from_tuple(dims[:axis] + dims[axis + 1 :])] * num


def _unpack_kernel(op, ctx):
    num, axis = op._attrs["num"], op._attrs["axis"]

    def kernel(x):
        x = np.asarray(x)
        a = axis + x.ndim if axis < 0 else axis
        if x.shape[a] != num:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Input shape axis {a} must equal {num}, got shape [{','.join(map(str, x.shape))}]",
            )
        parts = tuple(np.moveaxis(x, a, 0)) if a else tuple(x)
        return parts

    return kernel


def _unpack_grad(op, *grads):
    return stack(list(grads), axis=op._attrs["axis"])


register_op(
    "Unpack",
    inputs=["value: T"],
    outputs=["output: num * T"],
    attrs=["num: int >= 0", "T: type", "axis: int = 0"],
    shape=_unpack_shape,
    make_kernel=_unpack_kernel,
    grad=_unpack_grad,
)


def unstack(value, num=None, axis: int = 0, name: str = "unstack") -> list[Tensor]:
    """Splits `value` along `axis` into a list of rank-(R-1) tensors."""
    if num is None:
        value = convert_to_tensor(value)
        dims = value._shape._dims
        if dims is not None:
            if axis < -len(dims) or axis >= len(dims):
                raise ValueError(
                    f"Argument `axis` = {axis} not in range [{-len(dims)}, {len(dims)})"
                )
            num = dims[axis]
        if num is None:
            raise ValueError(f"Cannot infer argument `num` from shape {value.shape}")
    return list(apply_op("Unpack", name, [value], {"num": num, "axis": axis})._outputs)


# -- Split, SplitV ----------------------------------------------------------------------
def _split_shape(op):
    axis_t, value = op._inputs
    n = op._attrs["num_split"]
    dims = value._shape._dims
    axis = constant_value(axis_t)
    if dims is None:
        return [UNKNOWN] * n
    if axis is None:
        return [TensorShape._from_tuple((None,) * len(dims))] * n
    r = len(dims)
    axis = int(axis)
    if not -r <= axis < r:
        raise common_shapes.shape_error(op, f"Dimension {axis} must be in range [{-r}, {r})")
    axis %= r
    d = dims[axis]
    if d is not None and d % n:
        raise common_shapes.shape_error(
            op, f"Dimension size must be evenly divisible by {n} but is {d}"
        )
    part = None if d is None else d // n
    return [TensorShape._from_tuple(dims[:axis] + (part,) + dims[axis + 1 :])] * n


def _split_kernel(op, ctx):
    n = op._attrs["num_split"]

    def kernel(axis, value):
        value = np.asarray(value)
        axis = int(axis)
        a = axis + value.ndim if axis < 0 else axis
        if not 0 <= a < value.ndim:
            raise errors.InvalidArgumentError(
                None, op, f"-input rank(-{value.ndim}) <= split_dim < input rank ({value.ndim})"
            )
        if value.shape[a] % n:
            raise errors.InvalidArgumentError(
                None,
                op,
                "Number of ways to split should evenly divide the split dimension, but got "
                f"split_dim {axis} (size = {value.shape[a]}) and num_split {n}",
            )
        step = value.shape[a] // n
        return _pieces(value, a, range(0, step * n + 1, step))

    return kernel


def _split_grad(op, *grads):
    return None, concat(list(grads), op._inputs[0])


register_op(
    "Split",
    inputs=["split_dim: int32", "value: T"],
    outputs=["output: num_split * T"],
    attrs=["num_split: int >= 1", "T: type"],
    shape=_split_shape,
    make_kernel=_split_kernel,
    grad=_split_grad,
)


def _resolve_size_splits(sizes: list, d):
    """Sizes with the one -1 resolved (when `d` is known), or a ValueError message."""
    if sizes.count(-1) > 1:
        raise ValueError("size_splits can only have one -1")
    if -1 in sizes:
        if d is None:
            return [None if s == -1 else s for s in sizes]
        rest = d - sum(s for s in sizes if s != -1)
        if rest < 0:
            raise ValueError(
                f"can't split axis of size {d} into pieces of size [{','.join(map(str, sizes))}]"
            )
        return [rest if s == -1 else s for s in sizes]
    if d is not None and sum(sizes) != d:
        raise ValueError(
            f"can't split axis of size {d} into pieces of size [{','.join(map(str, sizes))}]"
        )
    return sizes


def _split_v_shape(op):
    value, sizes_t, axis_t = op._inputs
    n = op._attrs["num_split"]
    dims = value._shape._dims
    if dims is None:
        return [UNKNOWN] * n
    axis = constant_value(axis_t)
    sizes = _int_values(sizes_t)
    if axis is None:
        return [TensorShape._from_tuple((None,) * len(dims))] * n
    r = len(dims)
    axis = int(axis)
    if not -r <= axis < r:
        raise common_shapes.shape_error(op, f"Dimension {axis} must be in range [{-r}, {r})")
    axis %= r
    if sizes is None:
        return [TensorShape._from_tuple(dims[:axis] + (None,) + dims[axis + 1 :])] * n
    if len(sizes) != n:
        raise common_shapes.shape_error(
            op, f"Length of size_splits should be equal to num_split ({len(sizes)} vs {n})"
        )
    try:
        sizes = _resolve_size_splits(sizes, dims[axis])
    except ValueError as e:
        raise common_shapes.shape_error(op, str(e)) from None
    return [TensorShape._from_tuple(dims[:axis] + (s,) + dims[axis + 1 :]) for s in sizes]


def _split_v_kernel(op, ctx):
    def kernel(value, sizes, axis):
        value = np.asarray(value)
        axis = int(axis)
        a = axis + value.ndim if axis < 0 else axis
        try:
            resolved = _resolve_size_splits(sizes.tolist(), value.shape[a])
        except ValueError as e:
            raise errors.InvalidArgumentError(None, op, str(e)) from None
        if len(resolved) == 1:
            return value
        return _pieces(value, a, [0, *itertools.accumulate(resolved)])

    return kernel


def _pieces(value: np.ndarray, axis: int, bounds) -> tuple:
    """Views of `value` between consecutive `bounds` along `axis` (np.split's result,
    without its per-call overhead: ~5 us against ~1 us for an RNN cell's 4 gates)."""
    cut = builtins.slice  # (this module's `slice` is tf.slice)
    head = (cut(None),) * axis
    return tuple(value[head + (cut(lo, hi),)] for lo, hi in itertools.pairwise(bounds))


def _split_v_grad(op, *grads):
    return [concat(list(grads), op._inputs[2])] + [None] * (len(op._inputs) - 1)


register_op(
    "SplitV",
    inputs=["value: T", "size_splits: Tlen", "split_dim: int32"],
    outputs=["output: num_split * T"],
    attrs=["num_split: int >= 1", "T: type", "Tlen: {int8, int32, int64} = int64"],
    shape=_split_v_shape,
    make_kernel=_split_v_kernel,
    grad=_split_v_grad,
)


def split(value, num_or_size_splits, axis=0, num=None, name: str = "split") -> list[Tensor]:
    """Splits `value` along `axis` into `num_or_size_splits` equal parts, or into parts
    of the given sizes (one size may be -1)."""
    if isinstance(num_or_size_splits, (numbers.Integral, Dimension)):
        op = apply_op("Split", name, [axis, value], {"num_split": int(num_or_size_splits)})
        return list(op._outputs)
    size_splits = convert_to_tensor(num_or_size_splits)
    dims = size_splits._shape._dims
    if dims == ():
        raise ValueError(
            "Rank-0 tensors are not supported as the num_or_size_splits argument to split. "
            f"Argument provided: {num_or_size_splits}"
        )
    if num is None:
        if dims:
            num = dims[0]
        if num is None:
            raise ValueError(f"Cannot infer argument `num` from shape {num_or_size_splits}")
    op = apply_op("SplitV", name, [value, size_splits, axis], {"num_split": num})
    return list(op._outputs)


# -- Pad, PadV2, MirrorPad --------------------------------------------------------------
def _pad_shape(op):
    x, paddings_t = op._inputs[0], op._inputs[1]
    dims = x._shape._dims
    pdims = paddings_t._shape._dims
    n = None
    if pdims is not None:
        if len(pdims) != 2:
            raise common_shapes.shape_error(op, f"Shape must be rank 2 but is rank {len(pdims)}")
        if pdims[1] is not None and pdims[1] != 2:
            raise common_shapes.shape_error(
                op, f"Dimension 1 in both shapes must be equal, but are {pdims[1]} and 2"
            )
        n = pdims[0]
    if dims is not None and n is not None and len(dims) != n:
        raise common_shapes.shape_error(op, f"Shape must be rank {n} but is rank {len(dims)}")
    r = len(dims) if dims is not None else n
    if r is None:
        return [UNKNOWN]
    pads = constant_value(paddings_t)
    if pads is None:
        return [TensorShape._from_tuple((None,) * r)]
    pads = pads.reshape(-1, 2).tolist()
    if any(p < 0 for pair in pads for p in pair):
        raise common_shapes.shape_error(op, "Paddings must be non-negative")
    if dims is None:
        dims = (None,) * r
    return [
        TensorShape._from_tuple(
            tuple(None if d is None else d + a + b for d, (a, b) in zip(dims, pads, strict=True))
        )
    ]


def _check_paddings(op, x, paddings) -> list:
    if paddings.shape != (np.ndim(x), 2):
        raise errors.InvalidArgumentError(
            None,
            op,
            "The first dimension of paddings must be the rank of inputs"
            f"[{','.join(map(str, paddings.shape))}] "
            f"[{','.join(map(str, np.shape(x)))}]",
        )
    pads = paddings.tolist()
    for before, after in pads:
        if before < 0 or after < 0:
            raise errors.InvalidArgumentError(
                None, op, f"Paddings must be non-negative: {before} {after}"
            )
    return pads


def _pad_kernel(op, ctx):
    t = op._attrs["T"]
    zero = b"" if t is dtypes.string else np.zeros((), dtype=t.np_dtype)[()]

    def kernel(x, paddings, constant_values=zero):
        pads = _check_paddings(op, x, paddings)
        x = np.asarray(x)
        out = np.full(
            tuple(d + a + b for d, (a, b) in zip(x.shape, pads, strict=True)),
            constant_values,
            dtype=x.dtype,
        )
        out[tuple(builtins_slice(a, a + d) for d, (a, _) in zip(x.shape, pads, strict=True))] = x
        return out

    return kernel


def _mirror_pad_kernel(op, ctx):
    reflect = op._attrs["mode"] == b"REFLECT"
    mode = "reflect" if reflect else "symmetric"

    def kernel(x, paddings):
        pads = _check_paddings(op, x, paddings)
        for d, (a, b) in zip(np.shape(x), pads, strict=True):
            if reflect and (a >= d or b >= d):
                bad = a if a >= d else b
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"paddings must be less than the dimension size: {a}, {b} not less than {d}"
                    if bad is not None
                    else "",
                )
            if not reflect and (a > d or b > d):
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"paddings must be no greater than the dimension size: {a}, {b} greater "
                    f"than {d}",
                )
        return np.pad(x, pads, mode=mode)

    return kernel


def _pad_grad(op, grad):
    x, a = op._inputs[0], op._inputs[1]
    pad_before = slice(a, [0, 0], stack([rank(x), 1]))
    begin = reshape(pad_before, [-1])
    sizes = shape(x, out_type=begin.dtype._base)
    x_grad = slice(grad, begin, sizes)
    if len(op._inputs) == 3:
        return x_grad, None, None
    return x_grad, None


register_op(
    "Pad",
    inputs=["input: T", "paddings: Tpaddings"],
    outputs=["output: T"],
    attrs=["T: type", "Tpaddings: {int32, int64} = int32"],
    shape=_pad_shape,
    make_kernel=_pad_kernel,
    grad=_pad_grad,
)
register_op(
    "PadV2",
    inputs=["input: T", "paddings: Tpaddings", "constant_values: T"],
    outputs=["output: T"],
    attrs=["T: type", "Tpaddings: {int32, int64} = int32"],
    shape=_pad_shape,
    make_kernel=_pad_kernel,
    grad=_pad_grad,
)


def _mirror_pad_grad(op, grad):
    return [
        op_output("MirrorPadGrad", None, [grad, op._inputs[1]], {"mode": op._attrs["mode"]}),
        None,
    ]


register_op(
    "MirrorPad",
    inputs=["input: T", "paddings: Tpaddings"],
    outputs=["output: T"],
    attrs=["T: type", "Tpaddings: {int32, int64} = int32", "mode: {'REFLECT', 'SYMMETRIC'}"],
    shape=_pad_shape,
    make_kernel=_mirror_pad_kernel,
    grad=_mirror_pad_grad,
)


def _paddings_constant(paddings):
    if isinstance(paddings, Tensor):
        v = constant_value(paddings)
        return None if v is None else v.tolist()
    if isinstance(paddings, (list, tuple)):
        return [_paddings_constant(p) for p in paddings]
    return paddings


def pad(
    tensor, paddings, mode: str = "CONSTANT", name: str | None = None, constant_values=0
) -> Tensor:
    """Pads `tensor` with `paddings[i] = [before, after]` elements along each dimension
    (`mode` CONSTANT, REFLECT or SYMMETRIC)."""
    mode = mode.upper()
    if mode == "CONSTANT":
        if (
            not _is_tensor(constant_values)
            and np.ndim(constant_values) == 0
            and constant_values == np.zeros_like(constant_values)
        ):
            result = op_output("Pad", name, [tensor, paddings])
        else:
            result = op_output("PadV2", name, [tensor, paddings, constant_values])
    elif mode in ("REFLECT", "SYMMETRIC"):
        result = op_output("MirrorPad", name, [tensor, paddings], {"mode": mode.encode()})
    else:
        raise ValueError(
            'Value of argument `mode` expected to be one of "CONSTANT", "REFLECT", or '
            f'"SYMMETRIC". Received `mode` = {mode}'
        )
    if result.shape.is_fully_defined():  # (always so for an eager result)
        return result
    pads = _paddings_constant(paddings)
    input_shape = result._op._inputs[0]._shape
    if input_shape.ndims is not None and not result.shape.is_fully_defined() and pads is not None:
        new_shape: list[int | None] = []
        for padding, dim in zip(pads, input_shape.as_list(), strict=False):
            if padding is None or dim is None or any(p is None for p in padding):
                new_shape.append(None)
            else:
                new_shape.append(sum(padding) + dim)
        result.set_shape(new_shape)
    return result


# -- ReverseV2 --------------------------------------------------------------------------
def _reverse_shape(op):
    x, axis_t = op._inputs
    dims = x._shape._dims
    axes = _int_values(axis_t)
    if dims is not None and axes is not None:
        r = len(dims)
        seen = set()
        for i, a in enumerate(axes):
            if not -r <= a < r:
                raise common_shapes.shape_error(
                    op, f"'axis'[{i}] = {a} is out of valid range [0, {r - 1}"
                )
            a %= r
            if a in seen:
                raise common_shapes.shape_error(op, f"axis {a} specified more than once.")
            seen.add(a)
    return [x._shape]


def _reverse_kernel(op, ctx):
    def kernel(x, axis):
        x = np.asarray(x)
        if axis.ndim != 1:
            raise errors.InvalidArgumentError(
                None, None, f"'dims' must be 1-dimension, not {axis.ndim}"
            )
        axes = axis.tolist()
        r = x.ndim
        for i, a in enumerate(axes):
            if not -r <= a < r:
                raise errors.InvalidArgumentError(
                    None, op, f"'axis'[{i}] = {a} is out of valid range [0, {r - 1}]"
                )
        if not axes:
            return x
        try:
            return np.flip(x, axis=tuple(axes))
        except ValueError:
            seen = set()
            for a in axes:
                if a % r in seen:
                    raise errors.InvalidArgumentError(
                        None, None, f"axis {a % r} specified more than once."
                    ) from None
                seen.add(a % r)
            raise

    return kernel


def _reverse_v2_grad(op, grad):
    return reverse_v2(grad, op._inputs[1]), None


register_op(
    "ReverseV2",
    inputs=["tensor: T", "axis: Tidx"],
    outputs=["output: T"],
    attrs=["Tidx: {int32, int64} = int32", "T: type"],
    shape=_reverse_shape,
    make_kernel=_reverse_kernel,
    grad=_reverse_v2_grad,
)


def reverse(tensor, axis, name: str | None = None) -> Tensor:
    """Reverses `tensor` along the dimensions in `axis`."""
    return op_output("ReverseV2", name, [tensor, axis])


reverse_v2 = reverse


# -- Where (1 argument), Select, SelectV2 ------------------------------------------------
def _where_shape(op):
    dims = op._inputs[0]._shape._dims
    return [TensorShape._from_tuple((None, None if dims is None else len(dims)))]


def _where_kernel(x):
    return np.argwhere(x).astype(np.int64, copy=False)


register_op(
    "Where",
    inputs=["input: T"],
    outputs=["index: int64"],
    attrs=["T: type = bool"],
    shape=_where_shape,
    kernel=_where_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def _select_shape(op):
    cond, t, e = op._inputs
    out = common_shapes.merge_shapes(t._shape, e._shape, op)
    cdims, odims = cond._shape._dims, out._dims
    if cdims is None or odims is None:
        return [out]
    if len(cdims) == len(odims):
        return [common_shapes.merge_shapes(out, cond._shape, op)]
    if len(cdims) == 1 and len(odims) > 1:
        if cdims[0] is not None and odims[0] is not None and cdims[0] != odims[0]:
            raise common_shapes.shape_error(
                op, f"Dimensions must be equal, but are {cdims[0]} and {odims[0]}"
            )
        if odims[0] is None and cdims[0] is not None:
            return [TensorShape._from_tuple((cdims[0],) + odims[1:])]
        return [out]
    raise common_shapes.shape_error(
        op, f"Shapes must be equal rank, but are {len(odims)} and {len(cdims)}"
    )


def _shape_str(shape) -> str:
    return "[" + ",".join(map(str, shape)) + "]"


def _select_kernel(op, ctx):
    def fail(message: str):
        raise errors.InvalidArgumentError(None, op, message)

    def kernel(cond, t, e):
        cond, t, e = np.asarray(cond), np.asarray(t), np.asarray(e)
        if cond.ndim == 0 or (cond.ndim == 1 and t.ndim != 1):
            if t.shape != e.shape:
                fail(
                    "'then' and 'else' must have the same size.  but received: "
                    f"{_shape_str(t.shape)} vs. {_shape_str(e.shape)}"
                )
            if cond.ndim == 0:
                return t if cond else e
            if t.ndim == 0 or cond.shape[0] != t.shape[0]:
                fail(
                    "Number of batches of 'then' must match size of 'cond', but saw: "
                    f"{t.shape[0] if t.ndim else 0} vs. {cond.shape[0]}"
                )
            cond = cond.reshape(cond.shape + (1,) * (t.ndim - 1))
        else:
            for k, other in ((1, t), (2, e)):
                if cond.shape != other.shape:
                    fail(
                        "Inputs to operation Select of type Select must have the same size and "
                        f"shape.  Input 0: {_shape_str(cond.shape)} != input {k}: "
                        f"{_shape_str(other.shape)}"
                    )
        return np.where(cond, t, e)

    return kernel


def _select_grad(op, grad):
    c, x = op._inputs[0], op._inputs[1]
    zeros = zeros_like(x)
    return None, where(c, grad, zeros), where(c, zeros, grad)


register_op(
    "Select",
    inputs=["condition: bool", "t: T", "e: T"],
    outputs=["output: T"],
    attrs=["T: type"],
    shape=_select_shape,
    make_kernel=_select_kernel,
    grad=_select_grad,
)


def _select_v2_shape(op):
    cond, t, e = op._inputs
    dims = common_shapes.broadcast_dims(t._shape._dims, e._shape._dims, op.name)
    dims = common_shapes.broadcast_dims(cond._shape._dims, dims, op.name)
    return [UNKNOWN if dims is None else TensorShape._from_tuple(dims)]


def _select_v2_kernel(op, ctx):
    def kernel(cond, t, e):
        try:
            return np.where(cond, t, e)
        except ValueError:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"condition [{','.join(map(str, np.shape(cond)))}], then "
                f"[{','.join(map(str, np.shape(t)))}], and else "
                f"[{','.join(map(str, np.shape(e)))}] must be broadcastable",
            ) from None

    return kernel


def _select_v2_grad(op, grad):
    from tfgraph.ops import math_ops

    c, x, y = op._inputs
    z = op._outputs[0]
    zeros_ = zeros([], dtype=grad.dtype._base)
    gx = where_v2(c, grad, zeros_)
    gy = where_v2(c, zeros_, grad)
    gx, _ = math_ops.reduce_gradient_args(x, z, gx, None)
    gy, _ = math_ops.reduce_gradient_args(y, z, gy, None)
    return None, gx, gy


register_op(
    "SelectV2",
    inputs=["condition: bool", "t: T", "e: T"],
    outputs=["output: T"],
    attrs=["T: type"],
    shape=_select_v2_shape,
    make_kernel=_select_v2_kernel,
    grad=_select_v2_grad,
)


def where(condition, x=None, y=None, name: str | None = None) -> Tensor:
    """TF1 `tf.where`: the coordinates of true elements (one argument), or elements of
    `x` where `condition` is true and of `y` elsewhere (`Select`; a vector condition
    picks rows)."""
    if x is None and y is None:
        return _where_indices(condition, name)
    if x is not None and y is not None:
        return op_output("Select", name, [condition, x, y])
    raise ValueError("x and y must both be non-None or both be None.")


def where_v2(condition, x=None, y=None, name: str | None = None) -> Tensor:
    """`tf.where_v2`: like `where`, but `condition`, `x` and `y` broadcast (`SelectV2`)."""
    if x is None and y is None:
        return _where_indices(condition, name)
    if x is not None and y is not None:
        return op_output("SelectV2", name, [condition, x, y])
    raise ValueError("x and y must both be non-None or both be None.")


def _where_indices(condition, name) -> Tensor:
    g = graph_of((condition,))
    with g.as_default(), g.name_scope(name or "Where") as scope:
        condition = convert_to_tensor(condition, dtype_hint=dtypes.bool, name="condition")
        return op_output("Where", scope, [condition])


# -- boolean_mask -----------------------------------------------------------------------
def boolean_mask(tensor, mask, name: str = "boolean_mask", axis=None) -> Tensor:
    """The elements (or slices along `axis`) of `tensor` where `mask` is true, built as
    TF builds it (reshape, Where, Squeeze, GatherV2)."""
    g = graph_of((tensor, mask))
    with g.as_default(), g.name_scope(name):
        tensor = convert_to_tensor(tensor, name="tensor")
        mask = convert_to_tensor(mask, name="mask")
        shape_mask = mask.shape
        ndims_mask = shape_mask.ndims
        shape_tensor = tensor.shape
        if ndims_mask == 0:
            raise ValueError("mask cannot be scalar.")
        if ndims_mask is None:
            raise ValueError(
                "Number of mask dimensions must be specified, even if some dimensions are "
                "None.  E.g. shape=[None] is ok, but shape=None is not."
            )
        axis = 0 if axis is None else axis
        axis_value = constant_value(axis) if isinstance(axis, Tensor) else axis
        if axis_value is not None:
            axis = int(axis_value)
            shape_tensor[axis : axis + ndims_mask].assert_is_compatible_with(shape_mask)
        leading_size = op_output(
            "Prod", None, [shape(tensor)[axis : axis + ndims_mask], [0]], {"keep_dims": False}
        )
        tensor = reshape(
            tensor,
            concat([shape(tensor)[:axis], [leading_size], shape(tensor)[axis + ndims_mask :]], 0),
        )
        if axis_value is not None:
            first_dim = shape_tensor[axis : axis + ndims_mask].num_elements()
            tensor.set_shape(
                as_shape(shape_tensor[:axis])
                .concatenate([first_dim])
                .concatenate(shape_tensor[axis + ndims_mask :])
            )
        mask = reshape(mask, [-1])
        indices = squeeze(where_v2(mask), axis=[1])
        return gather(tensor, indices, axis=axis)


# -- OneHot -----------------------------------------------------------------------------
def _one_hot_shape(op):
    indices, depth_t = op._inputs[0], op._inputs[1]
    dims = indices._shape._dims
    axis = op._attrs["axis"]
    if dims is None:
        return [UNKNOWN]
    r = len(dims)
    if axis < -1 or axis > r:
        raise common_shapes.shape_error(
            op, f"Expected axis to be -1 or between [0, {r}).  But received: {axis}"
        )
    depth = constant_value(depth_t)
    if depth is not None and int(depth) < 0:
        raise common_shapes.shape_error(
            op,
            f"Dimension size, given by scalar input 1, must be non-negative but is {int(depth)}",
        )
    d = None if depth is None else int(depth)
    a = r if axis == -1 else axis
    return [TensorShape._from_tuple(dims[:a] + (d,) + dims[a:])]


def _one_hot_kernel(op, ctx):
    axis = op._attrs["axis"]

    def kernel(indices, depth, on_value, off_value):
        depth = int(depth)
        if depth < 0:
            raise errors.InvalidArgumentError(None, op, f"depth must be non-negative, got: {depth}")
        indices = np.asarray(indices)
        hot = indices[..., None] == np.arange(depth, dtype=indices.dtype)
        out = np.where(hot, on_value, off_value)
        if axis != -1 and axis != indices.ndim:
            out = np.moveaxis(out, -1, axis)
        return out

    return kernel


register_op(
    "OneHot",
    inputs=["indices: TI", "depth: int32", "on_value: T", "off_value: T"],
    outputs=["output: T"],
    attrs=["axis: int = -1", "T: type", "TI: {uint8, int8, int32, int64} = int64"],
    shape=_one_hot_shape,
    make_kernel=_one_hot_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def one_hot(
    indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name: str | None = None
) -> Tensor:
    """One-hot encoding of `indices` with `depth` classes (`on_value`/`off_value`
    default to 1/0 of `dtype`, float32 unless inferred from the values)."""
    g = graph_of((indices, depth, on_value, off_value))
    with g.as_default(), g.name_scope(name or "one_hot") as scope:
        dtype = None if dtype is None else dtypes.as_dtype(dtype)._base
        on_exists, off_exists = on_value is not None, off_value is not None
        if on_exists:
            on_value = convert_to_tensor(on_value, dtype_hint=dtype)
        if off_exists:
            off_value = convert_to_tensor(off_value, dtype_hint=dtype)
        on_dtype = on_value.dtype._base if on_exists else None
        off_dtype = off_value.dtype._base if off_exists else None
        if on_exists or off_exists:
            if dtype is not None:
                if on_exists and on_dtype is not dtype:
                    raise TypeError(
                        f"dtype {on_dtype!r} of on_value does not match dtype parameter {dtype!r}"
                    )
                if off_exists and off_dtype is not dtype:
                    raise TypeError(
                        f"dtype {off_dtype!r} of off_value does not match dtype parameter {dtype!r}"
                    )
            else:
                dtype = on_dtype if on_exists else off_dtype
        elif dtype is None:
            dtype = dtypes.float32
        if not on_exists:
            on_value = convert_to_tensor(1, dtype, name="on_value")
            on_dtype = dtype
        if not off_exists:
            off_value = convert_to_tensor(0, dtype, name="off_value")
            off_dtype = dtype
        if on_dtype is not off_dtype:
            raise TypeError(
                f"dtype {on_dtype!r} of on_value does not match dtype {off_dtype!r} of off_value"
            )
        attrs = {} if axis is None else {"axis": axis}
        return op_output("OneHot", scope, [indices, depth, on_value, off_value], attrs)


# -- StopGradient -----------------------------------------------------------------------
register_op(
    "StopGradient",
    inputs=["input: T"],
    outputs=["output: T"],
    attrs=["T: type"],
    shape=common_shapes.unchanged_shape,
    kernel=lambda x: x,
    grad=NOT_DIFFERENTIABLE,
    forwards_input=True,
)


def stop_gradient(input, name: str | None = None) -> Tensor:
    """`input` unchanged, but treated as a constant by `tf.gradients` (an ExtensionType
    component by component, as TF)."""
    if input.__class__ is not Tensor and _is_extension_type(input):
        return _componentwise(stop_gradient, input)
    return op_output("StopGradient", name, [input])


def _prevent_gradient_grad(op, _):
    message = op._attrs.get("message", b"")
    if isinstance(message, bytes):
        message = message.decode()
    raise LookupError(f"Gradient explicitly disabled. Reason: {message}")


register_op(
    "PreventGradient",
    inputs=["input: T"],
    outputs=["output: T"],
    attrs=["T: type", "message: string = ''"],
    shape=common_shapes.unchanged_shape,
    kernel=lambda x: x,
    grad=_prevent_gradient_grad,
    forwards_input=True,
)


def prevent_gradient(input, message: str = "", name: str | None = None) -> Tensor:
    """`input` unchanged; `tf.gradients` through it raises LookupError (`message`)."""
    return op_output("PreventGradient", name, [input], {"message": message})


# -- BroadcastTo ------------------------------------------------------------------------
def _broadcast_to_shape(op):
    x, shape_t = op._inputs
    target = constant_value_as_shape(shape_t)
    dims, tdims = x._shape._dims, target._dims
    if dims is None or tdims is None:
        return [target]
    if len(dims) > len(tdims):
        raise common_shapes.shape_error(
            op,
            f"Rank of input ({len(dims)}) must be no greater than rank of output shape "
            f"({len(tdims)}).",
        )
    out = list(tdims)
    offset = len(tdims) - len(dims)
    for i, d in enumerate(dims):
        t = tdims[offset + i]
        if d is None or d == 1:
            continue
        if t is None:
            out[offset + i] = d
        elif t != d:
            raise common_shapes.shape_error(op, f"Dimensions must be equal, but are {t} and {d}")
    return [TensorShape._from_tuple(tuple(out))]


def _broadcast_to_kernel(op, ctx):
    def kernel(x, shape_value):
        try:
            return np.broadcast_to(x, tuple(shape_value.tolist()))
        except TypeError:
            raise errors.InvalidArgumentError(
                None,
                None,
                "shape must be a vector of {int32,int64}, got shape "
                + _shape_str(np.shape(shape_value)),
            ) from None
        except ValueError:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Incompatible shapes: {_shape_str(np.shape(x))} vs. "
                f"{_shape_str(shape_value.tolist())}",
            ) from None

    return kernel


def _broadcast_to_grad(op, grad):
    from tfgraph.ops import math_ops

    input_value, broadcast_shape = op._inputs
    shape_dtype = broadcast_shape.dtype._base
    input_value_shape = shape(input_value, out_type=shape_dtype)
    static = constant_value(broadcast_shape)
    if static is not None:
        broadcast_shape = constant(static.tolist(), dtype=shape_dtype)
    _, reduction_axes = broadcast_gradient_args(broadcast_shape, input_value_shape)
    updates_grad_reshaped = math_ops.reduce_sum(grad, axis=reduction_axes, keepdims=True)
    return [reshape(updates_grad_reshaped, input_value_shape), None]


register_op(
    "BroadcastTo",
    inputs=["input: T", "shape: Tidx"],
    outputs=["output: T"],
    attrs=["T: type", "Tidx: {int32, int64} = int32"],
    shape=_broadcast_to_shape,
    make_kernel=_broadcast_to_kernel,
    grad=_broadcast_to_grad,
)


def broadcast_to(input, shape, name: str | None = None) -> Tensor:
    """Broadcasts `input` to `shape` with numpy's broadcasting rules."""
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    return op_output("BroadcastTo", name, [input, shape])


# -- Unique -----------------------------------------------------------------------------
def _unique_shape(op):
    dims = op._inputs[0]._shape._dims
    if dims is not None and len(dims) != 1:
        raise common_shapes.shape_error(op, f"Shape must be rank 1 but is rank {len(dims)}")
    return [TensorShape._from_tuple((None,)), op._inputs[0]._shape]


def _unique_kernel(op, ctx):
    idx_dtype = op._attrs["out_idx"].np_dtype

    def kernel(x):
        x = np.asarray(x)
        if x.ndim != 1:
            raise errors.InvalidArgumentError(None, op, "unique expects a 1D vector.")
        _, first, inverse = np.unique(x, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        rank_of = np.empty_like(order)
        rank_of[order] = np.arange(order.size)
        return x[first[order]], rank_of[inverse.reshape(-1)].astype(idx_dtype)

    return kernel


register_op(
    "Unique",
    inputs=["x: T"],
    outputs=["y: T", "idx: out_idx"],
    attrs=["T: type", "out_idx: {int32, int64} = int32"],
    shape=_unique_shape,
    make_kernel=_unique_kernel,
)


class UniqueResult(tuple):
    """`(y, idx)` as a named pair, as TF returns it."""

    __slots__ = ()

    @property
    def y(self) -> Tensor:
        return self[0]

    @property
    def idx(self) -> Tensor:
        return self[1]


def unique(x, out_idx=dtypes.int32, name: str | None = None):
    """The unique elements `y` of 1-D `x` in order of first occurrence, and `idx` with
    `x == y[idx]`."""
    op = apply_op("Unique", name, [x], {"out_idx": dtypes.as_dtype(out_idx)})
    return UniqueResult(op._outputs)


# -- sequence_mask ----------------------------------------------------------------------
def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool, name: str | None = None) -> Tensor:
    """A mask `[..., maxlen]` with `mask[..., j] = j < lengths[...]`."""
    from tfgraph.ops import math_ops

    g = graph_of((lengths, maxlen))
    with g.as_default(), g.name_scope(name or "SequenceMask"):
        lengths = convert_to_tensor(lengths)
        if maxlen is None:
            maxlen = op_output(
                "Max", None, [lengths, _all_dimensions(lengths)], {"keep_dims": False}
            )
            maxlen = op_output("Maximum", None, [constant(0, maxlen.dtype), maxlen])
        else:
            maxlen = convert_to_tensor(maxlen)
        if maxlen.shape.ndims is not None and maxlen.shape.ndims != 0:
            raise ValueError(
                "Argument `maxlen` must be scalar for sequence_mask, received `maxlen` = "
                f"{maxlen} with shape '{maxlen.shape}' instead"
            )
        row_vector = op_output(
            "Range", None, [constant(0, maxlen.dtype), maxlen, constant(1, maxlen.dtype)]
        )
        matrix = op_output("Cast", None, [expand_dims(lengths, -1)], {"DstT": maxlen.dtype._base})
        result = math_ops.less(row_vector, matrix)
        dtype = dtypes.as_dtype(dtype) if dtype is not None else None
        if dtype is None or result.dtype.is_compatible_with(dtype):
            return result
        return op_output("Cast", None, [result], {"DstT": dtype._base})


def _all_dimensions(x: Tensor):
    """TF's `_all_dimensions`: a constant range when the rank is known, else a Range op."""
    dims = x._shape._dims
    if dims is not None:
        return constant(np.arange(len(dims)), dtype=dtypes.int32)
    return op_output("Range", None, [0, rank(x), 1])


# -- ops that gradients are built from -------------------------------------------------------
def _broadcast_gradient_args_kernel(op, ctx):
    def kernel(s0, s1):
        a, b = s0.tolist(), s1.tolist()
        np_dtype = s0.dtype
        if a == b:
            empty = np.zeros((0,), dtype=np_dtype)
            return empty, empty.copy()
        n = builtins.max(len(a), len(b))
        a2 = [1] * (n - len(a)) + a
        b2 = [1] * (n - len(b)) + b
        r0, r1 = [], []
        for i, (x, y) in enumerate(zip(a2, b2)):
            if x == 1 and y == 1:
                r0.append(i)
                r1.append(i)
            elif x == 1:
                r0.append(i)
            elif y == 1:
                r1.append(i)
            elif x != y:
                raise errors.InvalidArgumentError(
                    None, op, f"Incompatible shapes: {_shape_str(a)} vs. {_shape_str(b)}"
                )
        return np.array(r0, dtype=np_dtype), np.array(r1, dtype=np_dtype)

    return kernel


register_op(
    "BroadcastGradientArgs",
    inputs=["s0: T", "s1: T"],
    outputs=["r0: T", "r1: T"],
    attrs=["T: {int32, int64} = int32"],
    shape=lambda op: [TensorShape._from_tuple((None,))] * 2,
    make_kernel=_broadcast_gradient_args_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def broadcast_gradient_args(s0, s1, name: str | None = None) -> tuple[Tensor, Tensor]:
    """(r0, r1): the axes along which shapes `s0` and `s1` were broadcast against each
    other, over which their gradients must be summed."""
    op = apply_op("BroadcastGradientArgs", name, [s0, s1])
    return op._outputs[0], op._outputs[1]


def _invert_permutation_kernel(op, ctx):
    def kernel(x):
        x = np.asarray(x)
        n = x.size
        if x.ndim != 1:
            raise errors.InvalidArgumentError(None, op, "invert_permutation expects a 1D vector.")
        out = np.full(n, -1, dtype=x.dtype)
        for i, p in enumerate(x.tolist()):
            if not 0 <= p < n:
                raise errors.InvalidArgumentError(None, op, f"{p} is not between 0 and {n}")
            if out[p] != -1:
                raise errors.InvalidArgumentError(None, op, f"{p} is duplicated in the input.")
            out[p] = i
        return out

    return kernel


register_op(
    "InvertPermutation",
    inputs=["x: T"],
    outputs=["y: T"],
    attrs=["T: {int32, int64} = int32"],
    shape=common_shapes.unchanged_shape,
    make_kernel=_invert_permutation_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def invert_permutation(x, name: str | None = None) -> Tensor:
    """The inverse permutation of the 1-D int tensor `x`."""
    return op_output("InvertPermutation", name, [x])


def _concat_offset_kernel(op, ctx):
    def kernel(concat_dim, *shapes):
        r = shapes[0].size
        axis = int(concat_dim)
        a = axis + r if axis < 0 else axis
        if not 0 <= a < r:
            raise errors.InvalidArgumentError(
                None, op, f"Concat dim is out of range: {axis} vs. {r}"
            )
        out = []
        offset = 0
        for s in shapes:
            o = np.zeros(r, dtype=s.dtype)
            o[a] = offset
            offset += int(s[a])
            out.append(o)
        return tuple(out)

    return kernel


register_op(
    "ConcatOffset",
    inputs=["concat_dim: int32", "shape: N * shape_type"],
    outputs=["offset: N * shape_type"],
    attrs=["N: int >= 2", "shape_type: {int32, int64} = int32"],
    shape=lambda op: [t._shape for t in op._inputs[1:]],
    make_kernel=_concat_offset_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def concat_offset(concat_dim, shape, name: str | None = None) -> list[Tensor]:
    """The offsets of each of the concatenated `shape`s in the result of a concat."""
    return list(apply_op("ConcatOffset", name, [concat_dim, list(shape)])._outputs)


def _strided_slice_grad_shape(op):
    return [constant_value_as_shape(op._inputs[0])]


def _strided_slice_grad_kernel(op, ctx):
    masks = _strided_slice_masks(op)

    def kernel(shape, begin, end, strides, dy):
        index = _strided_slice_numpy_index(begin, end, strides, masks)
        out = np.zeros(tuple(shape.tolist()), dtype=np.asarray(dy).dtype)
        out[index] = dy
        return out

    return kernel


def _strided_slice_grad_grad(op, grad):
    begin, end, strides = op._inputs[1:4]
    a = op._attrs
    return (
        None,
        None,
        None,
        None,
        strided_slice(
            grad,
            begin,
            end,
            strides,
            begin_mask=a["begin_mask"],
            end_mask=a["end_mask"],
            ellipsis_mask=a["ellipsis_mask"],
            new_axis_mask=a["new_axis_mask"],
            shrink_axis_mask=a["shrink_axis_mask"],
        ),
    )


register_op(
    "StridedSliceGrad",
    inputs=["shape: Index", "begin: Index", "end: Index", "strides: Index", "dy: T"],
    outputs=["output: T"],
    attrs=[
        "T: type",
        "Index: {int32, int64}",
        "begin_mask: int = 0",
        "end_mask: int = 0",
        "ellipsis_mask: int = 0",
        "new_axis_mask: int = 0",
        "shrink_axis_mask: int = 0",
    ],
    shape=_strided_slice_grad_shape,
    make_kernel=_strided_slice_grad_kernel,
    grad=_strided_slice_grad_grad,
)


def strided_slice_grad(
    shape,
    begin,
    end,
    strides,
    dy,
    begin_mask: int = 0,
    end_mask: int = 0,
    ellipsis_mask: int = 0,
    new_axis_mask: int = 0,
    shrink_axis_mask: int = 0,
    name: str | None = None,
) -> Tensor:
    """`dy` scattered into zeros of `shape` at the positions a StridedSlice with these
    arguments reads."""
    return op_output(
        "StridedSliceGrad",
        name,
        [shape, begin, end, strides, dy],
        {
            "begin_mask": begin_mask,
            "end_mask": end_mask,
            "ellipsis_mask": ellipsis_mask,
            "new_axis_mask": new_axis_mask,
            "shrink_axis_mask": shrink_axis_mask,
        },
    )


def _mirror_pad_grad_shape(op):
    x, paddings_t = op._inputs
    dims = x._shape._dims
    pads = constant_value(paddings_t)
    if dims is None:
        return [UNKNOWN]
    if pads is None:
        return [TensorShape._from_tuple((None,) * len(dims))]
    pads = pads.reshape(-1, 2).tolist()
    return [
        TensorShape._from_tuple(
            tuple(None if d is None else d - a - b for d, (a, b) in zip(dims, pads, strict=True))
        )
    ]


def _mirror_pad_grad_kernel(op, ctx):
    reflect = op._attrs["mode"] == b"REFLECT"
    shift = 1 if reflect else 0

    def kernel(g, paddings):
        out = np.array(g, copy=True)
        for axis, (a, b) in enumerate(paddings.tolist()):
            n = out.shape[axis] - a - b
            center = np.take(out, np.arange(a, a + n), axis=axis)
            if a:
                left = np.flip(np.take(out, np.arange(0, a), axis=axis), axis)
                idx = [builtins_slice(None)] * out.ndim
                idx[axis] = builtins_slice(shift, shift + a)
                center[tuple(idx)] += left
            if b:
                right = np.flip(np.take(out, np.arange(a + n, a + n + b), axis=axis), axis)
                idx = [builtins_slice(None)] * out.ndim
                idx[axis] = builtins_slice(n - shift - b, n - shift)
                center[tuple(idx)] += right
            out = center
        return out

    return kernel


def _mirror_pad_grad_grad(op, grad):
    return [op_output("MirrorPad", None, [grad, op._inputs[1]], {"mode": op._attrs["mode"]}), None]


register_op(
    "MirrorPadGrad",
    inputs=["input: T", "paddings: Tpaddings"],
    outputs=["output: T"],
    attrs=["T: type", "Tpaddings: {int32, int64} = int32", "mode: {'REFLECT', 'SYMMETRIC'}"],
    shape=_mirror_pad_grad_shape,
    make_kernel=_mirror_pad_grad_kernel,
    grad=_mirror_pad_grad_grad,
)


def _list_diff_kernel(op, ctx):
    idx_dtype = op._attrs["out_idx"].np_dtype

    def kernel(x, y):
        x = np.asarray(x)
        keep = ~np.isin(x, np.asarray(y))
        return x[keep], np.nonzero(keep)[0].astype(idx_dtype)

    return kernel


register_op(
    "ListDiff",
    inputs=["x: T", "y: T"],
    outputs=["out: T", "idx: out_idx"],
    attrs=["T: type", "out_idx: {int32, int64} = int32"],
    shape=lambda op: [TensorShape._from_tuple((None,))] * 2,
    make_kernel=_list_diff_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def list_diff(x, y, out_idx=dtypes.int32, name: str | None = None) -> tuple[Tensor, Tensor]:
    """(out, idx): the elements of `x` not in `y`, and their positions in `x`."""
    op = apply_op("ListDiff", name, [x, y], {"out_idx": dtypes.as_dtype(out_idx)._base})
    return op._outputs[0], op._outputs[1]


def setdiff1d(x, y, index_dtype=dtypes.int32, name: str | None = None):
    """(out, idx): the elements of `x` not in `y`, and their positions in `x` (TF1's
    `tf.setdiff1d`; `index_dtype` is ListDiff's out_idx)."""
    return list_diff(x, y, out_idx=index_dtype, name=name)


def _dynamic_stitch_shape(op):
    n = op._attrs["N"]
    indices, data = op._inputs[:n], op._inputs[n:]
    tail = None
    for i, d in zip(indices, data):
        if i._shape._dims is not None and d._shape._dims is not None:
            tail = d._shape._dims[len(i._shape._dims) :]
            break
    if tail is None:
        return [UNKNOWN]
    values = [constant_value(i) for i in indices]
    if all(v is not None for v in values):
        m = builtins.max((int(v.max()) for v in values if v.size), default=-1)
        return [TensorShape._from_tuple((m + 1,) + tail)]
    return [TensorShape._from_tuple((None,) + tail)]


def _dynamic_stitch_kernel(op, ctx):
    n = op._attrs["N"]

    def kernel(*args):
        indices, data = args[:n], args[n:]
        size = 1 + builtins.max((int(np.max(i)) for i in indices if np.size(i)), default=-1)
        first = np.asarray(data[0])
        tail = first.shape[np.ndim(indices[0]) :]
        out = np.zeros((size,) + tail, dtype=first.dtype)
        for i, d in zip(indices, data):
            i = np.asarray(i)
            out[i.reshape(-1)] = np.reshape(d, (i.size,) + tail)
        return out

    return kernel


def _dynamic_stitch_grad(op, grad):
    from tfgraph.ops import math_ops

    n = op._attrs["N"]
    inputs = [op._inputs[i] for i in builtins.range(n)]
    if isinstance(grad, _indexed_slices_type()):
        output_rows = shape(op._outputs[0])[0]
        grad = math_ops.unsorted_segment_sum(grad.values, grad.indices, output_rows)
    return [None] * n + [gather(grad, i) for i in inputs]


register_op(
    "DynamicStitch",
    inputs=["indices: N * int32", "data: N * T"],
    outputs=["merged: T"],
    attrs=["N: int >= 1", "T: type"],
    shape=_dynamic_stitch_shape,
    make_kernel=_dynamic_stitch_kernel,
    grad=_dynamic_stitch_grad,
)


def dynamic_stitch(indices, data, name: str | None = None) -> Tensor:
    """Interleaves `data` into one tensor: `merged[indices[m][i]] = data[m][i]`."""
    return op_output("DynamicStitch", name, [list(indices), list(data)], {"N": len(indices)})


register_op(
    "ParallelDynamicStitch",
    inputs=["indices: N * int32", "data: N * T"],
    outputs=["merged: T"],
    attrs=["N: int >= 1", "T: type"],
    shape=_dynamic_stitch_shape,
    make_kernel=_dynamic_stitch_kernel,
    grad=_dynamic_stitch_grad,
)


def parallel_dynamic_stitch(indices, data, name: str | None = None) -> Tensor:
    """`dynamic_stitch` (TF's parallel kernel; the same result here)."""
    return op_output(
        "ParallelDynamicStitch", name, [list(indices), list(data)], {"N": len(indices)}
    )


def _dynamic_partition_shape(op):
    data, partitions = op._inputs[0]._shape, op._inputs[1]._shape
    n = op._attrs["num_partitions"]
    if data._dims is None or partitions._dims is None:
        return [UNKNOWN] * n
    return [TensorShape._from_tuple((None,) + data._dims[len(partitions._dims) :])] * n


def _dynamic_partition_kernel(op, ctx):
    n = op._attrs["num_partitions"]

    def kernel(data, partitions):
        data = np.asarray(data)
        partitions = np.asarray(partitions)
        if data.shape[: partitions.ndim] != partitions.shape:
            raise errors.InvalidArgumentError(
                None,
                op,
                "data.shape must start with partitions.shape, got data.shape = "
                f"{_shape_str(data.shape)}, partitions.shape = {_shape_str(partitions.shape)}",
            )
        flat_p = partitions.reshape(-1)
        bad = (flat_p < 0) | (flat_p >= n)
        if bad.any():
            i = int(np.argmax(bad))
            raise errors.InvalidArgumentError(
                None, op, f"partitions[{i}] = {int(flat_p[i])} is not in [0, {n})"
            )
        flat = data.reshape((flat_p.size,) + data.shape[partitions.ndim :])
        return tuple(flat[flat_p == k] for k in builtins.range(n))

    return kernel


def _dynamic_partition_grad(op, *grads):
    from tfgraph.ops import math_ops

    data, indices = op._inputs
    n = op._attrs["num_partitions"]
    prefix_shape = shape(indices)
    original_indices = reshape(math_ops.range(math_ops.reduce_prod(prefix_shape)), prefix_shape)
    partitioned_indices = dynamic_partition(original_indices, indices, n)
    reconstructed = parallel_dynamic_stitch(partitioned_indices, grads)
    return [reshape(reconstructed, shape(data)), None]


register_op(
    "DynamicPartition",
    inputs=["data: T", "partitions: int32"],
    outputs=["outputs: num_partitions * T"],
    attrs=["num_partitions: int >= 1", "T: type"],
    shape=_dynamic_partition_shape,
    make_kernel=_dynamic_partition_kernel,
    grad=_dynamic_partition_grad,
)


def dynamic_partition(data, partitions, num_partitions: int, name: str | None = None):
    """`data` split into `num_partitions` tensors by the partition index of each row."""
    op = apply_op("DynamicPartition", name, [data, partitions], {"num_partitions": num_partitions})
    return list(op._outputs)


def _indexed_slices_type():
    from tfgraph.framework.indexed_slices import IndexedSlices

    return IndexedSlices


# -- GatherNd, ScatterNd ---------------------------------------------------------------------
UNKNOWN_SCATTER_POLICY = "Unknown bad indices handling attribute: {policy}"


def _gather_nd_shape(op):
    p, i = op._inputs[0]._shape._dims, op._inputs[1]._shape._dims
    if p is None or i is None or i[-1] is None:
        return [UNKNOWN]
    return [TensorShape._from_tuple(i[:-1] + p[i[-1] :])]


_BAD_INDICES_POLICIES = ("", "DEFAULT", "ERROR", "IGNORE")


def policy_attr(policy) -> bytes:
    """A `bad_indices_policy` argument as its attr value (bytes, as TF stores strings)."""
    return policy.encode() if isinstance(policy, str) else policy


def bad_indices_policy_of(op, unknown: str) -> str:
    """The op's `bad_indices_policy` attr, checked as TF's kernels check it: an unknown
    value is an InvalidArgumentError (`unknown` says it as TF's kernel does)."""
    policy = op._attrs.get("bad_indices_policy", "")
    policy = policy.decode() if isinstance(policy, bytes) else policy
    if policy not in _BAD_INDICES_POLICIES:
        raise errors.InvalidArgumentError(
            None, op, unknown.format(policy=policy) + "; use '', 'DEFAULT', 'ERROR' or 'IGNORE'"
        )
    return policy


def _gather_nd_kernel(op, ctx):
    unknown = (
        "No OpKernel was registered to support Op 'GatherNd' with these attrs: "
        'bad_indices_policy="{policy}"'
    )

    def kernel(params, indices):
        ignore = bad_indices_policy_of(op, unknown) == "IGNORE"
        params = np.asarray(params)
        indices = np.asarray(indices)
        k = indices.shape[-1]
        flat = indices.reshape(-1, k)
        limits = np.asarray(params.shape[:k], dtype=np.int64)
        bad = np.any((flat < 0) | (flat >= limits), axis=1) if k else np.zeros(len(flat), bool)
        if bad.any() and not ignore:
            row = int(np.argmax(bad))
            where = ",".join(map(str, np.unravel_index(row, indices.shape[:-1])))
            shown = ", ".join(map(str, flat[row].tolist()))
            raise errors.InvalidArgumentError(
                None,
                op,
                f"indices[{where}] = [{shown}] does not index into param shape "
                f"{_shape_str(params.shape)}, node name: {op.name}",
            )
        if k:
            safe = np.where(bad[:, None], 0, flat)
            out = (
                params[tuple(safe.T)]
                if params.size
                else np.zeros((len(flat),) + params.shape[k:], params.dtype)
            )
            out[bad] = np.zeros((), params.dtype)
        else:
            out = np.broadcast_to(params, (flat.shape[0],) + params.shape)
        return np.ascontiguousarray(out).reshape(indices.shape[:-1] + params.shape[k:])

    return kernel


def _gather_nd_grad(op, grad):
    ref, indices = op._inputs
    ref_shape = shape(ref, out_type=indices.dtype._base)
    dims = indices._shape._dims
    if dims is not None and len(dims) == 2 and dims[-1] == 1:
        return [_indexed_slices_type()(grad, squeeze(indices, axis=-1), ref_shape), None]
    return [scatter_nd(indices, grad, ref_shape), None]


register_op(
    "GatherNd",
    inputs=["params: Tparams", "indices: Tindices"],
    outputs=["output: Tparams"],
    attrs=["Tparams: type", "Tindices: {int16, int32, int64}", "bad_indices_policy: string = ''"],
    shape=_gather_nd_shape,
    make_kernel=_gather_nd_kernel,
    grad=_gather_nd_grad,
)


def gather_nd(
    params, indices, name: str | None = None, batch_dims: int = 0, bad_indices_policy: str = ""
) -> Tensor:
    """Slices of `params` at the index vectors in the last dimension of `indices`
    (`bad_indices_policy` "IGNORE": zeros for out-of-range index vectors, as TF on CPU)."""
    static = constant_value(batch_dims) if isinstance(batch_dims, Tensor) else batch_dims
    if static is not None:
        batch_dims = int(static)
    if isinstance(batch_dims, int) and batch_dims == 0:
        attrs = {"bad_indices_policy": policy_attr(bad_indices_policy)}
        return op_output("GatherNd", name, [params, indices], attrs)
    return _batch_gather_nd(params, indices, batch_dims, name, bad_indices_policy)


def _batch_gather_nd(params, indices, batch_dims, name, bad_indices_policy) -> Tensor:
    """gather_nd with leading batch dimensions, built as TF builds it: a GatherNd on
    index vectors prefixed with each entry's (flattened) batch coordinates."""
    with get_default_graph().name_scope(name or "BatchGatherND"):
        indices = convert_to_tensor(indices, name="indices")
        params = convert_to_tensor(params, name="params")
        if not isinstance(batch_dims, int):
            raise TypeError(f"Argument `batch_dims` must be an int; got {batch_dims}")
        if batch_dims < 0:
            raise ValueError("tf.gather_nd does not allow negative batch_dims.")
        for what, t in (("indices", indices), ("params", params)):
            dims = t._shape._dims
            if dims is not None and batch_dims >= len(dims):
                raise ValueError(
                    f"Argument `batch_dims` = {batch_dims} must be less than "
                    f"rank(`{what}`) = {len(dims)}"
                )
        params_shape, indices_shape = shape(params), shape(indices)
        batch_shape = params_shape[:batch_dims]
        batch_size = _prod_raw(batch_shape)
        index_grid = _batch_index_grid(batch_shape, indices, indices_shape, batch_dims)
        flat_shape = concat(([batch_size], indices_shape[batch_dims:]), axis=0)
        indices = concat((index_grid, reshape(indices, shape=flat_shape)), axis=-1)
        attrs = {"bad_indices_policy": policy_attr(bad_indices_policy)}
        out = op_output("GatherNd", None, [params, indices], attrs)
        return reshape(out, shape=concat((batch_shape, shape(out)[1:]), axis=0))


def _prod_raw(x) -> Tensor:
    return op_output("Prod", None, [x, [0]], {"keep_dims": False})


def _batch_index_grid(batch_shape, indices, indices_shape, batch_dims: int) -> Tensor:
    """[B1*...*Bk, i1, ..., iK, k]: each index vector's batch coordinates."""
    from tfgraph.ops import manip_ops

    index_internal_ndims = rank(indices) - batch_dims - 1
    indices_internal_shape = indices_shape[batch_dims:-1]
    ranges = []
    for x in unstack(batch_shape, axis=0):
        limit = op_output("Cast", None, [x], {"DstT": dtypes.int32})
        r = op_output("Range", None, [0, limit, 1])
        ranges.append(op_output("Cast", None, [r], {"DstT": indices.dtype._base}))
    mesh_list = manip_ops.meshgrid(*ranges, indexing="ij") if ranges else []
    flat_list = [reshape(x, shape=(-1,)) for x in mesh_list]
    index_grid = transpose(stack(flat_list, axis=0))
    index_grid_shape = shape(index_grid)
    index_grid = reshape(
        index_grid,
        concat(
            [
                index_grid_shape[:1],
                ones(index_internal_ndims, dtype=index_grid_shape.dtype),
                index_grid_shape[1:],
            ],
            axis=0,
        ),
    )
    return tile(index_grid, multiples=concat(((1,), indices_internal_shape, (1,)), axis=0))


def _scatter_nd_shape(op):
    return [constant_value_as_shape(op._inputs[2])]


def _scatter_nd_kernel(op, ctx):
    def kernel(indices, updates, shape_value):
        ignore = bad_indices_policy_of(op, UNKNOWN_SCATTER_POLICY) == "IGNORE"
        indices = np.asarray(indices)
        k = indices.shape[-1]
        out_shape = tuple(shape_value.tolist())
        updates = np.asarray(updates)
        out = np.zeros(out_shape, dtype=updates.dtype)
        flat = indices.reshape(-1, k)
        limits = np.asarray(out_shape[:k], dtype=np.int64)
        bad = np.any((flat < 0) | (flat >= limits), axis=1) if k else np.zeros(len(flat), bool)
        if bad.any() and not ignore:
            row = int(np.argmax(bad))
            shown = ", ".join(map(str, flat[row].tolist()))
            raise errors.InvalidArgumentError(
                None,
                op,
                f"indices[{row}] = [{shown}] does not index into shape {_shape_str(out_shape)}",
            )
        upd = updates.reshape((flat.shape[0],) + out_shape[k:])
        np.add.at(out, tuple(flat[~bad].T), upd[~bad])
        return out

    return kernel


def _scatter_nd_grad(op, grad):
    return [None, gather_nd(grad, op._inputs[0]), None]


register_op(
    "ScatterNd",
    inputs=["indices: Tindices", "updates: T", "shape: Tindices"],
    outputs=["output: T"],
    attrs=["T: type", "Tindices: {int16, int32, int64}", "bad_indices_policy: string = ''"],
    shape=_scatter_nd_shape,
    make_kernel=_scatter_nd_kernel,
    grad=_scatter_nd_grad,
)


def scatter_nd(
    indices, updates, shape, bad_indices_policy: str = "", name: str | None = None
) -> Tensor:
    """Zeros of `shape` with `updates` added at `indices` (duplicates are summed;
    `bad_indices_policy` "IGNORE" skips out-of-range index vectors, as TF on CPU)."""
    attrs = {"bad_indices_policy": policy_attr(bad_indices_policy)}
    return op_output("ScatterNd", name, [indices, updates, shape], attrs)


# -- helpers used by other modules -------------------------------------------------------
def numpy_constant(value, dtype=None):
    """`numpy_value` re-exported for modules that only need the array."""
    return numpy_value(value, dtype)[0]


__all__ += ["SCALAR", "numpy_constant"]
__all__ += [
    "broadcast_gradient_args",
    "concat_offset",
    "dynamic_partition",
    "dynamic_stitch",
    "gather_nd",
    "invert_permutation",
    "list_diff",
    "parallel_dynamic_stitch",
    "scatter_nd",
    "setdiff1d",
    "strided_slice_grad",
]


# -- ReverseSequence ----------------------------------------------------------------------
def _reverse_sequence_shape(op):
    x, lengths = op._inputs[0]._shape, op._inputs[1]._shape
    seq_dim, batch_dim = op._attrs["seq_dim"], op._attrs["batch_dim"]
    if lengths._dims is not None and len(lengths._dims) != 1:
        raise common_shapes.shape_error(
            op, f"Shape must be rank 1 but is rank {len(lengths._dims)}"
        )
    if x._dims is not None:
        r = len(x._dims)
        if seq_dim >= r or batch_dim >= r or seq_dim < 0 or batch_dim < 0:
            raise common_shapes.shape_error(
                op, f"Invalid seq_dim {seq_dim} or batch_dim {batch_dim} for input of rank {r}"
            )
        if seq_dim == batch_dim:
            raise common_shapes.shape_error(
                op, f"seq_dim and batch_dim must not be equal, both are {seq_dim}"
            )
        if lengths._dims is not None:
            b, n = x._dims[batch_dim], lengths._dims[0]
            if b is not None and n is not None and b != n:
                raise common_shapes.shape_error(
                    op, f"Dimensions must be equal, but are {b} and {n}"
                )
            b = n if b is None else b
            dims = list(x._dims)
            dims[batch_dim] = b
            return [TensorShape(dims)]
    return [x]


def _reverse_sequence_kernel(op, ctx):
    seq_dim, batch_dim = op._attrs["seq_dim"], op._attrs["batch_dim"]

    def kernel(x, lengths):
        x = np.asarray(x)
        if lengths.shape[0] != x.shape[batch_dim]:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Length of seq_lengths != input.dims({batch_dim}), ({lengths.shape[0]} vs. "
                f"{x.shape[batch_dim]})",
            )
        out = x.copy()
        for b, n in enumerate(lengths.tolist()):
            if n < 0 or n > x.shape[seq_dim]:
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"seq_lens({b}) > input.dims({seq_dim})" if n > 0 else f"seq_lens({b}) < 0",
                )
            src = [builtins.slice(None)] * x.ndim
            src[batch_dim] = b
            src[seq_dim] = builtins.slice(0, n)
            out[tuple(src)] = np.flip(x[tuple(src)], axis=seq_dim - (batch_dim < seq_dim))
        return out

    return kernel


def _reverse_sequence_grad(op, grad):
    return (
        reverse_sequence(
            grad,
            op._inputs[1],
            seq_axis=op._attrs["seq_dim"],
            batch_axis=op._attrs["batch_dim"],
        ),
        None,
    )


register_op(
    "ReverseSequence",
    inputs=["input: T", "seq_lengths: Tlen"],
    outputs=["output: T"],
    attrs=["seq_dim: int", "batch_dim: int = 0", "T: type", "Tlen: {int32, int64} = int64"],
    shape=_reverse_sequence_shape,
    make_kernel=_reverse_sequence_kernel,
    grad=_reverse_sequence_grad,
)


def reverse_sequence(
    input,
    seq_lengths,
    seq_axis=None,
    batch_axis=None,
    name: str | None = None,
    seq_dim=None,
    batch_dim=None,
) -> Tensor:
    """Reverses the first `seq_lengths[b]` entries along `seq_axis` of each batch entry."""
    seq_axis = seq_dim if seq_axis is None else seq_axis
    batch_axis = (batch_dim if batch_dim is not None else 0) if batch_axis is None else batch_axis
    if seq_axis is None:
        raise ValueError("seq_axis (seq_dim) must be given")
    return op_output(
        "ReverseSequence",
        name,
        [input, seq_lengths],
        {"seq_dim": int(seq_axis), "batch_dim": int(batch_axis)},
    )


__all__ += ["reverse_sequence"]


# -- Bitcast ------------------------------------------------------------------------------
_BITCAST_TYPES = (
    "{bfloat16, half, float, double, int64, int32, uint8, uint16, uint32, uint64, int8, "
    "int16, complex64, complex128, qint8, quint8, qint16, quint16, qint32}"
)


def _bitcast_sizes(op):
    src = np.dtype(op._attrs["T"].np_dtype).itemsize
    dst = np.dtype(op._attrs["type"].np_dtype).itemsize
    return src, dst


def _bitcast_shape(op):
    src, dst = _bitcast_sizes(op)
    dims = op._inputs[0]._shape._dims
    if dims is None:
        return [UNKNOWN]
    if src == dst:
        return [TensorShape._from_tuple(dims)]
    if src > dst:
        return [TensorShape._from_tuple(tuple(dims) + (src // dst,))]
    codes = f"{op._attrs['T'].as_datatype_enum} to {op._attrs['type'].as_datatype_enum}"
    if not dims:
        raise common_shapes.shape_error(
            op, f"Cannot bitcast from {codes} due to shape. A scalar input"
        )
    last = dims[-1]
    if last is not None and last != dst // src:
        raise common_shapes.shape_error(
            op, f"Cannot bitcast from {codes} due to shape. {last} does not match {dst // src}"
        )
    return [TensorShape._from_tuple(tuple(dims[:-1]))]


def _bitcast_kernel(op, ctx):
    src, dst = _bitcast_sizes(op)
    out_dtype = np.dtype(op._attrs["type"].np_dtype)

    def kernel(x):
        x = np.ascontiguousarray(x)
        if src < dst and (x.ndim == 0 or x.shape[-1] != dst // src):
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Cannot bitcast from {op._attrs['T'].as_datatype_enum} to "
                f"{op._attrs['type'].as_datatype_enum}: shape "
                f"[{','.join(map(str, x.shape))}] does not match {dst // src}",
            )
        out = x.view(out_dtype)
        if src > dst:
            return out.reshape(x.shape + (src // dst,))
        if src < dst:
            return out.reshape(x.shape[:-1])
        return out.reshape(x.shape)

    return kernel


register_op(
    "Bitcast",
    inputs=["input: T"],
    outputs=["output: type"],
    attrs=["T: " + _BITCAST_TYPES, "type: " + _BITCAST_TYPES],
    shape=_bitcast_shape,
    make_kernel=_bitcast_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def bitcast(input, type, name=None) -> Tensor:
    """`input`'s bytes reinterpreted as `type` (a last dimension is added or removed
    when the element sizes differ)."""
    return op_output("Bitcast", name, [input], {"type": dtypes.as_dtype(type)._base})


# -- batch_gather (TF's composite: offsets per batch row, then one flat gather) -------------
def _batch_gather(params, indices, batch_dims: int) -> Tensor:
    from tfgraph.ops import math_ops

    indices_ndims = indices.shape.ndims
    if batch_dims < 0:
        batch_dims += indices_ndims
    if batch_dims < 0 or batch_dims >= indices_ndims:
        raise ValueError(
            f"Argument `batch_dims` = {batch_dims} must be less than rank(`indices`) = "
            f"{indices_ndims}"
        )
    if params.shape.ndims is not None and batch_dims >= params.shape.ndims:
        raise ValueError(
            f"Argument `batch_dims` = {batch_dims} must be less than rank(`params`) = "
            f"{params.shape.ndims}"
        )
    indices_shape = shape(indices)
    params_shape = shape(params)
    batch_indices = indices
    indices_dtype = indices.dtype._base
    accum_dim_value = ones((), dtype=indices_dtype)
    casted_params_shape = op_output("Cast", None, [params_shape], {"DstT": indices_dtype})
    for dim in builtins.range(batch_dims, 0, -1):
        dim_value = casted_params_shape[dim - 1]
        accum_dim_value *= casted_params_shape[dim]
        start = zeros((), dtype=indices_dtype)
        step = ones((), dtype=indices_dtype)
        dim_indices = math_ops.range(start, dim_value, step, name="Range")
        dim_indices *= accum_dim_value
        dim_shape = stack([1] * (dim - 1) + [dim_value] + [1] * (indices_ndims - dim), axis=0)
        batch_indices += reshape(dim_indices, dim_shape)
    flat_indices = reshape(batch_indices, [-1])
    outer_shape = params_shape[batch_dims + 1 :]
    flat_inner_shape = math_ops.reduce_prod(params_shape[: batch_dims + 1], [0], False)
    flat_params = reshape(params, concat([[flat_inner_shape], outer_shape], axis=0))
    flat_result = gather(flat_params, flat_indices)
    result = reshape(flat_result, concat([indices_shape, outer_shape], axis=0))
    final_shape = indices.shape[:batch_dims].merge_with(params.shape[:batch_dims])
    final_shape = final_shape.concatenate(indices.shape[batch_dims:])
    final_shape = final_shape.concatenate(params.shape[batch_dims + 1 :])
    result.set_shape(final_shape)
    return result


def batch_gather(params, indices, name=None) -> Tensor:
    """`gather` within each batch: the leading `rank(indices) - 1` dimensions of `params`
    and `indices` are batch dimensions."""
    with get_default_graph().name_scope(name or "BatchGather"):
        indices = convert_to_tensor(indices, name="indices")
        params = convert_to_tensor(params, name="params")
        if indices.shape.ndims is None:
            raise ValueError("batch_gather does not allow indices with unknown shape.")
        return _batch_gather(params, indices, batch_dims=indices.shape.ndims - 1)


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def boolean_mask_v2(tensor, mask, axis=None, name="boolean_mask"):
    """TF2's `tf.boolean_mask` (axis before name)."""
    return boolean_mask(tensor, mask, name=name, axis=axis)


def expand_dims_v2(input, axis, name=None):
    """TF2's `tf.expand_dims` (axis required, no `dim`)."""
    return expand_dims(input, axis, name=name)


def gather_v2(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """TF2's `tf.gather` (axis and batch_dims before name)."""
    return gather(
        params,
        indices,
        validate_indices=validate_indices,
        name=name,
        axis=axis,
        batch_dims=batch_dims,
    )


def gather_nd_v2(params, indices, batch_dims=0, name=None, bad_indices_policy=""):
    """TF2's `tf.gather_nd` (batch_dims before name)."""
    return gather_nd(
        params, indices, name=name, batch_dims=batch_dims, bad_indices_policy=bad_indices_policy
    )


def _no_layout(layout, what: str) -> None:
    if layout is not None:
        raise NotImplementedError(
            f"{what}: `layout` is a DTensor layout, which tfgraph does not provide; pass "
            "layout=None"
        )


def ones_like_v2(input, dtype=None, name=None, layout=None):
    """TF2's `tf.ones_like` (first parameter `input`; `layout` must be None)."""
    _no_layout(layout, "tf.ones_like")
    return ones_like(input, dtype=dtype, name=name)


def zeros_like_v2(input, dtype=None, name=None, layout=None):
    """TF2's `tf.zeros_like` (first parameter `input`; `layout` must be None)."""
    _no_layout(layout, "tf.zeros_like")
    return zeros_like(input, dtype=dtype, name=name)


def pad_v2(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):
    """TF2's `tf.pad` (constant_values before name)."""
    return pad(tensor, paddings, mode=mode, name=name, constant_values=constant_values)


def reverse_sequence_v2(input, seq_lengths, seq_axis=None, batch_axis=None, name=None):
    """TF2's `tf.reverse_sequence` (no seq_dim / batch_dim)."""
    return reverse_sequence(input, seq_lengths, seq_axis=seq_axis, batch_axis=batch_axis, name=name)


def shape_v2(input, out_type=None, name=None):
    """TF2's `tf.shape` (out_type before name)."""
    return shape(input, name=name, out_type=out_type)


def size_v2(input, out_type=None, name=None):
    """TF2's `tf.size` (out_type before name)."""
    return size(input, name=name, out_type=out_type)


def squeeze_v2(input, axis=None, name=None):
    """TF2's `tf.squeeze` (no squeeze_dims)."""
    return squeeze(input, axis=axis, name=name)


def transpose_v2(a, perm=None, conjugate=False, name="transpose"):
    """TF2's `tf.transpose` (conjugate before name)."""
    return transpose(a, perm=perm, name=name, conjugate=conjugate)

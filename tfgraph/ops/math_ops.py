"""Math ops: elementwise arithmetic, comparisons, logic, AddN, MatMul and reductions.

Also installs the `Tensor` operator overloads with TF's op names (`x + y` is an AddV2
op named `add`, `x @ y` a MatMul named `matmul`, `x / y` a RealDiv named `truediv`,
casting integers to float first as TF does).
"""

from __future__ import annotations

import builtins
import functools
import numbers

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, common_shapes
from tfgraph.ops.apply import op_output
from tfgraph.ops.common_shapes import UNKNOWN, constant_value

__all__ = [
    "abs",
    "add",
    "add_n",
    "argmax",
    "argmin",
    "ceil",
    "clip_by_value",
    "count_nonzero",
    "cumsum",
    "div",
    "divide",
    "equal",
    "exp",
    "floor",
    "floordiv",
    "floormod",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "log",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "matmul",
    "maximum",
    "minimum",
    "mod",
    "multiply",
    "negative",
    "not_equal",
    "pow",
    "reduce_all",
    "reduce_any",
    "reduce_logsumexp",
    "reduce_max",
    "reduce_mean",
    "reduce_min",
    "reduce_prod",
    "reduce_sum",
    "round",
    "rsqrt",
    "sigmoid",
    "sign",
    "sqrt",
    "square",
    "subtract",
    "tanh",
    "tensordot",
    "truediv",
]

_NUM = (
    "{bfloat16, half, float, double, uint8, int8, uint16, int16, int32, uint32, uint64, int64, "
    "complex64, complex128}"
)
_REAL = "{bfloat16, half, float, double, uint8, int8, uint16, int16, int32, uint32, uint64, int64}"
_FLOAT_COMPLEX = "{bfloat16, half, float, double, complex64, complex128}"
_FLOAT = "{bfloat16, half, float, double}"
_SIGNED = "{bfloat16, half, float, double, int8, int16, int32, int64, complex64, complex128}"


# -- elementwise unary ---------------------------------------------------------------------
def _sigmoid(x):
    return np.reciprocal(1 + np.exp(-x))


def _rsqrt(x):
    return np.reciprocal(np.sqrt(x))


def _sign(x):
    return np.sign(x)


_UNARY = {
    # op type: (kernel, allowed types)
    "Neg": (np.negative, _SIGNED),
    "Abs": (np.abs, "{bfloat16, half, float, double, int8, int16, int32, int64}"),
    "Square": (np.square, _NUM),
    "Sqrt": (np.sqrt, _FLOAT_COMPLEX),
    "Rsqrt": (_rsqrt, _FLOAT_COMPLEX),
    "Exp": (np.exp, _FLOAT_COMPLEX),
    "Log": (np.log, _FLOAT_COMPLEX),
    "Log1p": (np.log1p, _FLOAT_COMPLEX),
    "Expm1": (np.expm1, _FLOAT_COMPLEX),
    "Sigmoid": (_sigmoid, _FLOAT_COMPLEX),
    "Tanh": (np.tanh, _FLOAT_COMPLEX),
    "Sign": (_sign, _SIGNED),
    "Round": (np.round, _SIGNED),
    "Floor": (np.floor, _FLOAT),
    "Ceil": (np.ceil, _FLOAT),
    "Reciprocal": (np.reciprocal, _SIGNED),
    "Sin": (np.sin, _FLOAT_COMPLEX),
    "Cos": (np.cos, _FLOAT_COMPLEX),
    "Tan": (np.tan, _FLOAT_COMPLEX),
    "Asin": (np.arcsin, _FLOAT_COMPLEX),
    "Acos": (np.arccos, _FLOAT_COMPLEX),
    "Atan": (np.arctan, _FLOAT_COMPLEX),
    "Sinh": (np.sinh, _FLOAT_COMPLEX),
    "Cosh": (np.cosh, _FLOAT_COMPLEX),
    "IsNan": None,
    "IsInf": None,
    "IsFinite": None,
}

for _name, _entry in _UNARY.items():
    if _entry is None:
        continue
    _kernel, _types = _entry
    register_op(
        _name,
        inputs=["x: T"],
        outputs=["y: T"],
        attrs=[f"T: {_types}"],
        shape=common_shapes.unchanged_shape,
        kernel=_kernel,
    )

for _name, _kernel in (("IsNan", np.isnan), ("IsInf", np.isinf), ("IsFinite", np.isfinite)):
    register_op(
        _name,
        inputs=["x: T"],
        outputs=["y: bool"],
        attrs=[f"T: {_FLOAT}"],
        shape=common_shapes.unchanged_shape,
        kernel=_kernel,
        grad=NOT_DIFFERENTIABLE,
    )


def _unary(op_type: str):
    def fn(x, name: str | None = None) -> Tensor:
        return op_output(op_type, name, [x])

    fn.__name__ = op_type.lower()
    fn.__doc__ = f"Elementwise `{op_type}` of `x`."
    return fn


negative = _unary("Neg")
square = _unary("Square")
sqrt = _unary("Sqrt")
rsqrt = _unary("Rsqrt")
exp = _unary("Exp")
log = _unary("Log")
log1p = _unary("Log1p")
expm1 = _unary("Expm1")
tanh = _unary("Tanh")
sign = _unary("Sign")
floor = _unary("Floor")
ceil = _unary("Ceil")
reciprocal = _unary("Reciprocal")
sin = _unary("Sin")
cos = _unary("Cos")
tan = _unary("Tan")
asin = _unary("Asin")
acos = _unary("Acos")
atan = _unary("Atan")
sinh = _unary("Sinh")
cosh = _unary("Cosh")
is_nan = _unary("IsNan")
is_inf = _unary("IsInf")
is_finite = _unary("IsFinite")


def abs(x, name: str | None = None) -> Tensor:
    """Elementwise absolute value (`ComplexAbs` for complex inputs)."""
    x = convert_to_tensor(x, name="x") if not isinstance(x, Tensor) else x
    if x.dtype.is_complex:
        return op_output("ComplexAbs", name, [x], {"Tout": x.dtype.real_dtype})
    return op_output("Abs", name, [x])


def sigmoid(x, name: str | None = None) -> Tensor:
    """Elementwise logistic function 1 / (1 + exp(-x))."""
    g = get_default_graph()
    with g.name_scope(name or "Sigmoid") as scope:
        x = convert_to_tensor(x, name="x")
        return op_output("Sigmoid", scope, [x])


def round(x, name: str | None = None) -> Tensor:
    """Rounds half to even, elementwise (integers are returned unchanged)."""
    x = convert_to_tensor(x, name="x")
    if x.dtype.is_integer:
        return x
    return op_output("Round", name, [x])


def _complex_abs_kernel(op, ctx):
    np_dtype = op._attrs["Tout"].np_dtype
    return lambda x: np.abs(x).astype(np_dtype)


register_op(
    "ComplexAbs",
    inputs=["x: T"],
    outputs=["y: Tout"],
    attrs=["T: {complex64, complex128} = complex64", "Tout: {float, double} = float"],
    shape=common_shapes.unchanged_shape,
    make_kernel=_complex_abs_kernel,
)


def _conj_kernel(x):
    return np.conj(x) if np.iscomplexobj(x) else x


register_op(
    "Conj",
    inputs=["input: T"],
    outputs=["output: T"],
    attrs=["T: {complex64, complex128, variant} = complex64"],
    shape=common_shapes.unchanged_shape,
    kernel=_conj_kernel,
)


def conj(x, name: str | None = None) -> Tensor:
    x = convert_to_tensor(x, name="x")
    if x.dtype.is_complex:
        return op_output("Conj", name, [x])
    return x


# -- elementwise binary ---------------------------------------------------------------------
def _floor_div(x, y):
    return np.floor_divide(x, y)


def _pow(x, y):
    return np.power(x, y)


_BINARY = {
    # op type: (kernel, allowed types)
    "AddV2": (np.add, _NUM),
    "Add": (np.add, _NUM.replace("}", ", string}")),
    "Sub": (np.subtract, _NUM),
    "Mul": (np.multiply, _NUM),
    "RealDiv": (np.true_divide, _NUM),
    "Div": (np.true_divide, _NUM),
    "FloorDiv": (_floor_div, _NUM),
    "FloorMod": (np.mod, _REAL),
    "TruncateDiv": (None, _REAL),
    "Pow": (_pow, _SIGNED),
    "Maximum": (np.maximum, _REAL),
    "Minimum": (np.minimum, _REAL),
    "SquaredDifference": (lambda x, y: np.square(x - y), _NUM),
    "Atan2": (np.arctan2, _FLOAT),
    "DivNoNan": (None, _FLOAT_COMPLEX),
}


def _truncate_div(x, y):
    if np.issubdtype(np.asarray(x).dtype, np.integer):
        q = np.abs(x) // np.abs(y)
        return (q * np.sign(x) * np.sign(y)).astype(np.asarray(x).dtype)
    return np.trunc(np.true_divide(x, y))


def _div_no_nan(x, y):
    safe = np.where(y == 0, 1, y).astype(np.asarray(y).dtype)
    return np.where(y == 0, 0, np.true_divide(x, safe)).astype(np.result_type(x, y))


_BINARY["TruncateDiv"] = (_truncate_div, _REAL)
_BINARY["DivNoNan"] = (_div_no_nan, _FLOAT_COMPLEX)


def _add_kernel_for_strings(op, ctx):
    if op._attrs["T"] is dtypes.string:
        return lambda x, y: np.char.add(x.astype(bytes), y.astype(bytes)).astype(object)
    return np.add


for _name, (_kernel, _types) in _BINARY.items():
    register_op(
        _name,
        inputs=["y: T", "x: T"] if _name == "Atan2" else ["x: T", "y: T"],
        outputs=["z: T"],
        attrs=[f"T: {_types}"],
        shape=common_shapes.broadcast_shape,
        kernel=None if _name == "Add" else _kernel,
        make_kernel=_add_kernel_for_strings if _name == "Add" else None,
    )

_COMPARE = {
    "Less": np.less,
    "LessEqual": np.less_equal,
    "Greater": np.greater,
    "GreaterEqual": np.greater_equal,
}
for _name, _kernel in _COMPARE.items():
    register_op(
        _name,
        inputs=["x: T", "y: T"],
        outputs=["z: bool"],
        attrs=[f"T: {_REAL}"],
        shape=common_shapes.broadcast_shape,
        kernel=_kernel,
        grad=NOT_DIFFERENTIABLE,
    )


def _equality_kernel(fn):
    def make(op, ctx):
        return fn

    return make


for _name, _kernel in (("Equal", np.equal), ("NotEqual", np.not_equal)):
    register_op(
        _name,
        inputs=["x: T", "y: T"],
        outputs=["z: bool"],
        attrs=["T: type", "incompatible_shape_error: bool = true"],
        shape=common_shapes.broadcast_shape,
        make_kernel=_equality_kernel(_kernel),
        grad=NOT_DIFFERENTIABLE,
    )

for _name, _kernel in (("LogicalAnd", np.logical_and), ("LogicalOr", np.logical_or)):
    register_op(
        _name,
        inputs=["x: bool", "y: bool"],
        outputs=["z: bool"],
        shape=common_shapes.broadcast_shape,
        kernel=_kernel,
        grad=NOT_DIFFERENTIABLE,
    )

register_op(
    "LogicalNot",
    inputs=["x: bool"],
    outputs=["y: bool"],
    shape=common_shapes.unchanged_shape,
    kernel=np.logical_not,
    grad=NOT_DIFFERENTIABLE,
)


def _binary(op_type: str, default_name: str | None = None):
    """A public function `f(x, y, name=None)`: converts y with x's dtype, like TF."""
    scope_name = default_name or op_type

    def fn(x, y, name: str | None = None) -> Tensor:
        if x.__class__ is Tensor and y.__class__ is Tensor:
            return op_output(op_type, name or scope_name, [x, y])
        g = get_default_graph()
        with g.name_scope(name or scope_name) as scope:
            x = convert_to_tensor(x, name="x")
            y = convert_to_tensor(y, dtype_hint=x.dtype._base, name="y")
            return op_output(op_type, scope, [x, y])

    fn.__name__ = scope_name.lower()
    return fn


def add(x, y, name: str | None = None) -> Tensor:
    """x + y elementwise (`AddV2`; `Add` for strings)."""
    g = get_default_graph()
    if x.__class__ is Tensor and y.__class__ is Tensor:
        op_type = "Add" if x._dtype._base is dtypes.string else "AddV2"
        return op_output(op_type, name or "Add", [x, y])
    with g.name_scope(name or "Add") as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, dtype_hint=x.dtype._base, name="y")
        op_type = "Add" if x.dtype._base is dtypes.string else "AddV2"
        return op_output(op_type, scope, [x, y])


subtract = _binary("Sub")
multiply = _binary("Mul")
maximum = _binary("Maximum")
minimum = _binary("Minimum")
floormod = _binary("FloorMod")
mod = floormod
squared_difference = _binary("SquaredDifference")
truncatediv = _binary("TruncateDiv")


def atan2(y, x, name: str | None = None) -> Tensor:
    """Elementwise arctan(y / x) in the right quadrant (TF's argument order: y, x)."""
    return op_output("Atan2", name, [y, x])


div_no_nan = _binary("DivNoNan", "div_no_nan")
equal = _binary("Equal")
not_equal = _binary("NotEqual")
less = _binary("Less")
less_equal = _binary("LessEqual")
greater = _binary("Greater")
greater_equal = _binary("GreaterEqual")
logical_and = _binary("LogicalAnd")
logical_or = _binary("LogicalOr")


def pow(x, y, name: str | None = None) -> Tensor:
    """x ** y elementwise."""
    return _binary("Pow")(x, y, name)


def logical_not(x, name: str | None = None) -> Tensor:
    return op_output("LogicalNot", name, [x])


def logical_xor(x, y, name: str = "LogicalXor") -> Tensor:
    """(x | y) & !(x & y), built from the logical ops as TF builds it."""
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=name)


def floordiv(x, y, name: str | None = None) -> Tensor:
    """Floor division (`FloorDiv`, named `floordiv`)."""
    return _binary("FloorDiv", "floordiv")(x, y, name)


_INT_TO_FLOAT = {
    dtypes.int8: dtypes.float32,
    dtypes.uint8: dtypes.float32,
    dtypes.int16: dtypes.float32,
    dtypes.uint16: dtypes.float32,
    dtypes.int32: dtypes.float64,
    dtypes.uint32: dtypes.float64,
    dtypes.int64: dtypes.float64,
    dtypes.uint64: dtypes.float64,
}


def _truediv_impl(x, y, name: str | None, default_name: str) -> Tensor:
    g = get_default_graph()
    with g.name_scope(name or default_name) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, dtype_hint=x.dtype._base, name="y")
        if x.dtype._base is not y.dtype._base:
            raise TypeError(
                f"`x` and `y` must have the same dtype, got {x.dtype.name!r} != {y.dtype.name!r}."
            )
        target = _INT_TO_FLOAT.get(x.dtype._base)
        if target is not None:
            x = array_ops.cast(x, target)
            y = array_ops.cast(y, target)
        return op_output("RealDiv", scope, [x, y])


def truediv(x, y, name: str | None = None) -> Tensor:
    """x / y with Python 3 semantics: integers are cast to float first."""
    return _truediv_impl(x, y, name, "truediv")


def divide(x, y, name: str | None = None) -> Tensor:
    """x / y (`truediv`)."""
    return _truediv_impl(x, y, name, "truediv")


def div(x, y, name: str | None = None) -> Tensor:
    """TF1 `tf.div`: floor division for integers, true division for floats."""
    g = get_default_graph()
    with g.name_scope(name or "div") as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, dtype_hint=x.dtype._base, name="y")
        if x.dtype.is_integer:
            return op_output("FloorDiv", scope, [x, y])
        return op_output("RealDiv", scope, [x, y])


# -- AddN ---------------------------------------------------------------------------------
def _add_n_shape(op):
    merged = op._inputs[0]._shape
    for t in op._inputs[1:]:
        merged = merged.merge_with(t._shape)
    return [merged]


def _add_n_kernel(*xs):
    if len(xs) == 2:
        return np.add(xs[0], xs[1])
    return functools.reduce(np.add, xs)


register_op(
    "AddN",
    inputs=["inputs: N * T"],
    outputs=["sum: T"],
    attrs=["N: int >= 1", f"T: {_NUM}"],
    shape=_add_n_shape,
    kernel=_add_n_kernel,
)


def add_n(inputs, name: str | None = None) -> Tensor:
    """Sums a list of tensors of the same shape and dtype."""
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError(
            "inputs must be a list of at least one Tensor/IndexedSlices with the same dtype and "
            "shape"
        )
    if len(inputs) == 1:
        x = convert_to_tensor(inputs[0])
        if name:
            return array_ops.identity(x, name=name)
        return x
    return op_output("AddN", name, [list(inputs)])


# -- MatMul ---------------------------------------------------------------------------------
def _matmul_shape(op):
    a, b = op._inputs[0]._shape, op._inputs[1]._shape
    ta, tb = op._attrs["transpose_a"], op._attrs["transpose_b"]
    a = a.with_rank(2) if a._dims is not None else TensorShape._from_tuple((None, None))
    b = b.with_rank(2) if b._dims is not None else TensorShape._from_tuple((None, None))
    a0, a1 = (a._dims[1], a._dims[0]) if ta else a._dims
    b0, b1 = (b._dims[1], b._dims[0]) if tb else b._dims
    if a1 is not None and b0 is not None and a1 != b0:
        raise ValueError(
            f"Dimensions must be equal, but are {a1} and {b0} for '{op.name}' (op: 'MatMul') "
            f"with input shapes: {common_shapes.fmt_shape(op._inputs[0]._shape)}, "
            f"{common_shapes.fmt_shape(op._inputs[1]._shape)}."
        )
    return [TensorShape._from_tuple((a0, b1))]


def _matmul_kernel(op, ctx):
    ta, tb = op._attrs["transpose_a"], op._attrs["transpose_b"]
    if not ta and not tb:
        return np.matmul
    if ta and not tb:
        return lambda a, b: np.matmul(a.T, b)
    if not ta and tb:
        return lambda a, b: np.matmul(a, b.T)
    return lambda a, b: np.matmul(a.T, b.T)


register_op(
    "MatMul",
    inputs=["a: T", "b: T"],
    outputs=["product: T"],
    attrs=[
        "transpose_a: bool = false",
        "transpose_b: bool = false",
        "T: {bfloat16, half, float, double, int32, int64, uint8, uint16, uint32, uint64, int8, "
        "int16, complex64, complex128}",
        "grad_a: bool = false",
        "grad_b: bool = false",
    ],
    shape=_matmul_shape,
    make_kernel=_matmul_kernel,
)


def matmul(
    a,
    b,
    transpose_a: bool = False,
    transpose_b: bool = False,
    adjoint_a: bool = False,
    adjoint_b: bool = False,
    a_is_sparse: bool = False,
    b_is_sparse: bool = False,
    name: str | None = None,
) -> Tensor:
    """Matrix product of `a` and `b` (rank 2), optionally transposed."""
    g = get_default_graph()
    with g.name_scope(name or "MatMul") as scope:
        if transpose_a and adjoint_a:
            raise ValueError("Only one of transpose_a and adjoint_a can be True.")
        if transpose_b and adjoint_b:
            raise ValueError("Only one of transpose_b and adjoint_b can be True.")
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, dtype_hint=a.dtype._base, name="b")
        if adjoint_a:
            a, transpose_a = conj(a), True
        if adjoint_b:
            b, transpose_b = conj(b), True
        ra, rb = a.shape.ndims, b.shape.ndims
        if (ra is not None and ra != 2) or (rb is not None and rb != 2):
            return op_output(
                "BatchMatMulV2", scope, [a, b], {"adj_x": transpose_a, "adj_y": transpose_b}
            )
        return op_output(
            "MatMul", scope, [a, b], {"transpose_a": transpose_a, "transpose_b": transpose_b}
        )


def _batch_matmul_shape(op):
    a, b = op._inputs[0]._shape._dims, op._inputs[1]._shape._dims
    if a is None or b is None:
        return [UNKNOWN]
    if len(a) < 2 or len(b) < 2:
        raise ValueError(f"In[0] and In[1] must have rank >= 2 for '{op.name}'")
    ax, ay = op._attrs["adj_x"], op._attrs["adj_y"]
    m, k = (a[-1], a[-2]) if ax else (a[-2], a[-1])
    k2, n = (b[-1], b[-2]) if ay else (b[-2], b[-1])
    if k is not None and k2 is not None and k != k2:
        raise ValueError(
            f"Dimensions must be equal, but are {k} and {k2} for '{op.name}' (op: "
            f"'BatchMatMulV2') with input shapes: {common_shapes._fmt(a)}, {common_shapes._fmt(b)}."
        )
    batch = common_shapes.broadcast_dims(a[:-2], b[:-2], op.name)
    return [TensorShape._from_tuple(batch + (m, n))]


def _batch_matmul_kernel(op, ctx):
    ax, ay = op._attrs["adj_x"], op._attrs["adj_y"]

    def kernel(a, b):
        if ax:
            a = np.conj(np.swapaxes(a, -1, -2)) if np.iscomplexobj(a) else np.swapaxes(a, -1, -2)
        if ay:
            b = np.conj(np.swapaxes(b, -1, -2)) if np.iscomplexobj(b) else np.swapaxes(b, -1, -2)
        return np.matmul(a, b)

    return kernel


register_op(
    "BatchMatMulV2",
    inputs=["x: T", "y: T"],
    outputs=["output: T"],
    attrs=[
        "T: {bfloat16, half, float, double, int16, int32, int64, complex64, complex128}",
        "adj_x: bool = false",
        "adj_y: bool = false",
        "grad_x: bool = false",
        "grad_y: bool = false",
    ],
    shape=_batch_matmul_shape,
    make_kernel=_batch_matmul_kernel,
)


# -- reductions -----------------------------------------------------------------------------
def _reduction_shape(op):
    dims = op._inputs[0]._shape._dims
    keep = op._attrs["keep_dims"]
    axes_t = op._inputs[1]
    axes = constant_value(axes_t)
    if dims is None:
        return [UNKNOWN]
    r = len(dims)
    if axes is None:
        if keep:
            return [TensorShape._from_tuple((None,) * r)]
        n = axes_t._shape.num_elements()
        if n is not None and n == 0:
            return [op._inputs[0]._shape]
        return [UNKNOWN]
    axes_set = set()
    for a in np.reshape(axes, -1).tolist():
        if not -r <= a < max(r, 1):
            raise ValueError(
                f"Invalid reduction dimension {a} for input with {r} dimensions. for "
                f"'{op.name}' (op: '{op.type}') with input shapes: {common_shapes._fmt(dims)}."
            )
        axes_set.add(a % r if r else 0)
    if keep:
        return [
            TensorShape._from_tuple(tuple(1 if i in axes_set else d for i, d in enumerate(dims)))
        ]
    return [TensorShape._from_tuple(tuple(d for i, d in enumerate(dims) if i not in axes_set))]


def _axes_tuple(axes) -> tuple:
    return tuple(np.reshape(axes, -1).tolist())


def _make_reduction(np_fn, keep_dtype: bool = True):
    def make(op, ctx):
        keep = op._attrs["keep_dims"]
        out_dtype = op._attrs["T"].np_dtype if keep_dtype else None

        # (axes array, its tuple) last seen: a constant's axes are the same object each run.
        # One tuple, swapped whole, so concurrent runs never see a mismatched pair.
        last = [(None, ())]

        def kernel(x, axes):
            seen, axis = last[0]
            if axes is not seen:
                axis = _axes_tuple(axes)
                last[0] = (axes, axis)
            try:
                result = np_fn(x, axis=axis, keepdims=keep)
            except ValueError:
                raise errors.InvalidArgumentError(None, op, _reduction_error(x, axis)) from None
            if out_dtype is not None and result.dtype != out_dtype:
                result = np.asarray(result).astype(out_dtype)
            return result

        return kernel

    return make


def _reduction_error(x, axis: tuple) -> str:
    r = np.ndim(x)
    seen = set()
    for a in axis:
        if not -r <= a < max(r, 1):
            return f"Invalid reduction dimension ({a} for input with {r} dimension(s)"
        if a % max(r, 1) in seen:
            return f"Invalid reduction arguments: Axes contains duplicate dimension: {a % r}"
        seen.add(a % max(r, 1))
    return f"Invalid reduction arguments for axes {list(axis)}"


def _sum(x, axis, keepdims):
    return np.sum(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


def _prod(x, axis, keepdims):
    return np.prod(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


def _mean(x, axis, keepdims):
    x = np.asarray(x)
    if x.dtype.kind in "iu":
        n = 1
        for a in axis:
            n *= x.shape[a]
        total = np.sum(x, axis=axis, keepdims=keepdims, dtype=np.int64)
        return (np.trunc(total / max(n, 1))).astype(x.dtype)
    if x.dtype == np.float16:
        return np.mean(x, axis=axis, keepdims=keepdims, dtype=np.float32).astype(np.float16)
    return np.mean(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


def _max(x, axis, keepdims):
    if np.size(x) == 0:
        shape = np.sum(np.zeros(np.shape(x)), axis=axis, keepdims=keepdims).shape
        return np.full(shape, _lowest(np.asarray(x).dtype), dtype=np.asarray(x).dtype)
    return np.max(x, axis=axis, keepdims=keepdims)


def _min(x, axis, keepdims):
    if np.size(x) == 0:
        shape = np.sum(np.zeros(np.shape(x)), axis=axis, keepdims=keepdims).shape
        return np.full(shape, _highest(np.asarray(x).dtype), dtype=np.asarray(x).dtype)
    return np.min(x, axis=axis, keepdims=keepdims)


def _lowest(np_dtype):
    if np_dtype.kind == "f":
        return -np.inf
    return np.iinfo(np_dtype).min


def _highest(np_dtype):
    if np_dtype.kind == "f":
        return np.inf
    return np.iinfo(np_dtype).max


_REDUCTIONS = {
    "Sum": (_sum, _NUM),
    "Prod": (_prod, _NUM),
    "Mean": (_mean, _NUM),
    "Max": (_max, _REAL),
    "Min": (_min, _REAL),
}
for _name, (_fn, _types) in _REDUCTIONS.items():
    register_op(
        _name,
        inputs=["input: T", "reduction_indices: Tidx"],
        outputs=["output: T"],
        attrs=["keep_dims: bool = false", f"T: {_types}", "Tidx: {int32, int64} = int32"],
        shape=_reduction_shape,
        make_kernel=_make_reduction(_fn),
    )

for _name, _fn in (("All", np.all), ("Any", np.any)):
    register_op(
        _name,
        inputs=["input: bool", "reduction_indices: Tidx"],
        outputs=["output: bool"],
        attrs=["keep_dims: bool = false", "Tidx: {int32, int64} = int32"],
        shape=_reduction_shape,
        make_kernel=_make_reduction(_fn, keep_dtype=False),
        grad=NOT_DIFFERENTIABLE,
    )


def _resolve_keepdims(keepdims, keep_dims) -> bool:
    if keep_dims is not None:
        if keepdims is not None:
            raise ValueError("Cannot specify both 'keep_dims' and 'keepdims'")
        keepdims = keep_dims
    return bool(keepdims)


def _resolve_axis(axis, reduction_indices):
    if reduction_indices is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'reduction_indices'")
        return reduction_indices
    return axis


def _reduction_dims(x, axis):
    """TF's `_ReductionDims`: `axis`, else all axes as a constant when the rank is known and
    nonzero, else a Range over the rank."""
    if axis is not None:
        return axis
    try:
        ndims = x.shape.ndims
    except AttributeError:
        ndims = None
    if ndims:
        return constant(np.arange(ndims, dtype=np.int32))
    return range(0, array_ops.rank(x))


def _may_reduce_to_scalar(keepdims: bool, axis, output: Tensor) -> Tensor:
    if not output.shape.is_fully_defined() and not keepdims and axis is None:
        output.set_shape(())
    return output


def _reduce(op_type: str, default_name: str):
    def fn(
        input_tensor,
        axis=None,
        keepdims=None,
        name: str | None = None,
        reduction_indices=None,
        keep_dims=None,
    ) -> Tensor:
        keep = _resolve_keepdims(keepdims, keep_dims)
        axis = _resolve_axis(axis, reduction_indices)
        dims = _reduction_dims(input_tensor, axis)
        out = op_output(op_type, name, [input_tensor, dims], {"keep_dims": keep})
        return _may_reduce_to_scalar(keep, axis, out)

    fn.__name__ = f"reduce_{default_name.lower()}"
    fn.__doc__ = (
        f"Reduces `input_tensor` along `axis` (all axes when None) with `{op_type}`; "
        "`keepdims` keeps reduced axes with length 1 (TF1 aliases: `reduction_indices`, "
        "`keep_dims`)."
    )
    return fn


reduce_sum = _reduce("Sum", "Sum")
reduce_mean = _reduce("Mean", "Mean")
reduce_prod = _reduce("Prod", "Prod")
reduce_max = _reduce("Max", "Max")
reduce_min = _reduce("Min", "Min")
reduce_all = _reduce("All", "All")
reduce_any = _reduce("Any", "Any")


def reduce_logsumexp(
    input_tensor,
    axis=None,
    keepdims=None,
    name: str | None = None,
    reduction_indices=None,
    keep_dims=None,
) -> Tensor:
    """log(sum(exp(input_tensor))) along `axis`, computed stably by subtracting the max."""
    keep = _resolve_keepdims(keepdims, keep_dims)
    axis = _resolve_axis(axis, reduction_indices)
    g = get_default_graph()
    with g.name_scope(name or "ReduceLogSumExp") as scope:
        raw_max = reduce_max(input_tensor, axis=axis, keepdims=True)
        my_max = array_ops.stop_gradient(
            op_output("SelectV2", None, [is_finite(raw_max), raw_max, 0])
        )
        result = log(reduce_sum(exp(subtract(input_tensor, my_max)), axis=axis, keepdims=keep))
        if not keep:
            my_max = array_ops.reshape(my_max, op_output("Shape", None, [result]))
        result = add(result, my_max, name=scope)
        return _may_reduce_to_scalar(keep, axis, result)


def count_nonzero(
    input_tensor=None,
    axis=None,
    keepdims=None,
    dtype=dtypes.int64,
    name: str | None = None,
    reduction_indices=None,
    keep_dims=None,
    input=None,
) -> Tensor:
    """The number of nonzero elements of `input_tensor` along `axis` (as `dtype`)."""
    keep = _resolve_keepdims(keepdims, keep_dims)
    if input is not None:
        if input_tensor is not None:
            raise ValueError("Cannot specify both 'input' and 'input_tensor'")
        input_tensor = input
    axis = _resolve_axis(axis, reduction_indices)
    g = get_default_graph()
    with g.name_scope(name or "count_nonzero"):
        x = convert_to_tensor(input_tensor, name="input")
        if x.dtype._base is dtypes.bool:
            predicate = x
        else:
            zero = array_ops.zeros([], dtype=x.dtype._base)
            predicate = op_output("NotEqual", None, [x, zero])
        counts = reduce_sum(array_ops.cast(predicate, dtypes.int64), axis=axis, keepdims=keep)
        return array_ops.cast(counts, dtype)


# -- ArgMax, ArgMin -------------------------------------------------------------------------
def _arg_reduce_shape(op):
    dims = op._inputs[0]._shape._dims
    axis = constant_value(op._inputs[1])
    if dims is None:
        return [UNKNOWN]
    if axis is None:
        return [TensorShape._from_tuple((None,) * max(len(dims) - 1, 0))]
    axis = int(axis)
    r = len(dims)
    if not -r <= axis < r:
        raise common_shapes.shape_error(
            op,
            f"Dimension ({axis}) must be in the range [{-r}, {r}), where {r} is the number of "
            "dimensions in the input.",
        )
    axis %= r
    return [TensorShape._from_tuple(dims[:axis] + dims[axis + 1 :])]


def _make_arg_reduce(np_fn):
    def make(op, ctx):
        out_dtype = op._attrs["output_type"].np_dtype

        def kernel(x, axis):
            x = np.asarray(x)
            axis = int(axis)
            r = x.ndim
            if not -r <= axis < r:
                raise errors.InvalidArgumentError(
                    None, op, f"Expected dimension in the range [{-r}, {r}), but got {axis}"
                )
            if x.shape[axis] == 0:
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"Reduction axis {axis} is empty in shape [{','.join(map(str, x.shape))}]",
                )
            return np_fn(x, axis=axis).astype(out_dtype, copy=False)

        return kernel

    return make


for _name, _fn in (("ArgMax", np.argmax), ("ArgMin", np.argmin)):
    register_op(
        _name,
        inputs=["input: T", "dimension: Tidx"],
        outputs=["output: output_type"],
        attrs=[
            f"T: {_NUM.replace('}', ', bool}')}",
            "Tidx: {int16, int32, int64} = int32",
            "output_type: {int16, uint16, int32, int64} = int64",
        ],
        shape=_arg_reduce_shape,
        make_kernel=_make_arg_reduce(_fn),
        grad=NOT_DIFFERENTIABLE,
    )

_ARG_AXIS_DTYPES = frozenset(
    {dtypes.int8, dtypes.uint8, dtypes.int16, dtypes.uint16, dtypes.int32, dtypes.int64}
)
_ARG_AXIS_CAST = frozenset({dtypes.int8, dtypes.int16, dtypes.uint8, dtypes.uint16})


def _arg_reduce(op_type: str, input, axis, name, dimension, output_type):
    if dimension is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dimension'")
        axis = dimension
    if axis is None:
        axis = 0
    if hasattr(axis, "dtype"):
        try:
            axis_dtype = dtypes.as_dtype(axis.dtype)
        except TypeError:
            axis_dtype = None
        if not isinstance(axis, (Tensor, np.ndarray)) and not hasattr(axis, "_as_graph_element"):
            axis_dtype = None  # numpy scalars: TF compares their numpy dtype and rejects them
        if axis_dtype not in _ARG_AXIS_DTYPES:
            raise TypeError(f"axis tensor dtypes {axis.dtype} is not supported")
        if axis_dtype in _ARG_AXIS_CAST:
            axis = array_ops.cast(axis, dtypes.int32)
    elif not isinstance(axis, int):
        raise TypeError("axis must be int or Tensor with integer datatype")
    return op_output(
        op_type, name, [input, axis], {"output_type": dtypes.as_dtype(output_type)._base}
    )


def argmax(input, axis=None, name=None, dimension=None, output_type=dtypes.int64) -> Tensor:
    """The index of the largest value along `axis` (default 0), as `output_type`."""
    return _arg_reduce("ArgMax", input, axis, name, dimension, output_type)


def argmin(input, axis=None, name=None, dimension=None, output_type=dtypes.int64) -> Tensor:
    """The index of the smallest value along `axis` (default 0), as `output_type`."""
    return _arg_reduce("ArgMin", input, axis, name, dimension, output_type)


# -- Cumsum ---------------------------------------------------------------------------------
def _cumsum_kernel(op, ctx):
    exclusive, reverse = op._attrs["exclusive"], op._attrs["reverse"]
    np_dtype = op._attrs["T"].np_dtype

    def kernel(x, axis):
        x = np.asarray(x)
        axis = int(axis)
        r = x.ndim
        a = axis + r if axis < 0 else axis
        if not 0 <= a < r:
            raise errors.InvalidArgumentError(
                None, op, f"ScanOp: Expected scan axis in the range [{-r}, {r}), but got {a}"
            )
        if reverse:
            x = np.flip(x, a)
        out = np.cumsum(x, axis=a, dtype=np_dtype)
        if exclusive:
            out = np.roll(out, 1, axis=a)
            out[(builtins.slice(None),) * a + (0,)] = 0
        if reverse:
            out = np.flip(out, a)
        return out

    return kernel


register_op(
    "Cumsum",
    inputs=["x: T", "axis: Tidx"],
    outputs=["out: T"],
    attrs=[
        "exclusive: bool = false",
        "reverse: bool = false",
        f"T: {_NUM}",
        "Tidx: {int32, int64} = int32",
    ],
    shape=common_shapes.unchanged_shape,
    make_kernel=_cumsum_kernel,
)


def cumsum(
    x, axis=0, exclusive: bool = False, reverse: bool = False, name: str | None = None
) -> Tensor:
    """Cumulative sum of `x` along `axis` (`exclusive` starts at 0; `reverse` sums from
    the end)."""
    g = get_default_graph()
    with g.name_scope(name or "Cumsum") as scope:
        x = convert_to_tensor(x, name="x")
        return op_output("Cumsum", scope, [x, axis], {"exclusive": exclusive, "reverse": reverse})


# -- clip_by_value --------------------------------------------------------------------------
def clip_by_value(t, clip_value_min, clip_value_max, name: str | None = None) -> Tensor:
    """`t` with values below `clip_value_min` / above `clip_value_max` clipped (TF's
    Minimum-then-Maximum subgraph)."""
    g = get_default_graph()
    with g.name_scope(name or "clip_by_value") as scope:
        values = convert_to_tensor(t, name="t")
        t_min = minimum(values, clip_value_max)
        values.shape.assert_is_compatible_with(t_min.shape)
        t_max = maximum(t_min, clip_value_min, name=scope)
        values.shape.assert_is_compatible_with(t_max.shape)
        return t_max


# -- tensordot ------------------------------------------------------------------------------
def tensordot(a, b, axes, name: str | None = None) -> Tensor:
    """Tensor contraction of `a` and `b` over `axes` (an int N: last N axes of `a` with
    first N of `b`; or a pair of axis lists), built from Transpose/Reshape/MatMul as TF."""

    def _reshape(x, axes, flipped=False):
        shape_x = x.shape
        if shape_x.is_fully_defined() and isinstance(axes, (list, tuple)):
            dims = shape_x.as_list()
            axes = [i if i >= 0 else i + len(dims) for i in axes]
            free = [i for i in builtins.range(len(dims)) if i not in axes]
            free_dims = [dims[i] for i in free]
            prod_free = int(np.prod([dims[i] for i in free]))
            prod_axes = int(np.prod([dims[i] for i in axes]))
            perm = list(axes) + free if flipped else free + list(axes)
            new_shape = [prod_axes, prod_free] if flipped else [prod_free, prod_axes]
            if (perm != np.arange(len(dims))).any():
                x_t = array_ops.transpose(x, perm)
            else:
                x_t = x
            if x_t.shape.as_list() != new_shape:
                x_r = array_ops.reshape(x_t, new_shape)
            else:
                x_r = x_t
            return x_r, free_dims, free_dims
        if shape_x.ndims is not None and isinstance(axes, (list, tuple)):
            dims = shape_x.as_list()
            axes = [i if i >= 0 else i + len(dims) for i in axes]
            free = [i for i in builtins.range(len(dims)) if i not in axes]
            free_dims_static = [dims[i] for i in free]
            axes = convert_to_tensor(axes, dtype=dtypes.int32, name="axes")
            free = convert_to_tensor(free, dtype=dtypes.int32, name="free")
            shape_t = array_ops.shape(x)
        else:
            raise NotImplementedError(
                "tfgraph's tensordot needs inputs of known rank and static axes"
            )
        free_dims = array_ops.gather(shape_t, free)
        axes_dims = array_ops.gather(shape_t, axes)
        prod_free_dims = reduce_prod(free_dims)
        prod_axes_dims = reduce_prod(axes_dims)
        if flipped:
            perm = array_ops.concat([axes, free], 0)
            new_shape = array_ops.stack([prod_axes_dims, prod_free_dims])
        else:
            perm = array_ops.concat([free, axes], 0)
            new_shape = array_ops.stack([prod_free_dims, prod_axes_dims])
        x_r = array_ops.reshape(array_ops.transpose(x, perm), new_shape)
        return x_r, free_dims, free_dims_static

    def _axes(x, axes):
        shape_x = x.shape
        if isinstance(axes, numbers.Integral):
            if axes < 0:
                raise ValueError(f"`axes` must be at least 0. Received: {axes}.")
            if shape_x.ndims is not None:
                if axes > shape_x.ndims:
                    raise ValueError(
                        f"`axes` must not be larger than the number of dimensions of tensor "
                        f"{x}.  Received {axes}, vs tensor dimensions {shape_x.ndims}."
                    )
                return (
                    list(builtins.range(shape_x.ndims - axes, shape_x.ndims)),
                    list(builtins.range(axes)),
                )
            raise NotImplementedError("tfgraph's tensordot needs inputs of known rank")
        if isinstance(axes, (list, tuple)):
            if len(axes) != 2:
                raise ValueError(f"`axes` must be an integer or have length 2. Received {axes}.")
            a_axes, b_axes = axes
            if isinstance(a_axes, numbers.Integral) and isinstance(b_axes, numbers.Integral):
                a_axes, b_axes = [a_axes], [b_axes]
            if len(a_axes) != len(b_axes):
                raise ValueError(
                    f"Different number of contraction axes `a` and `b`, {len(a_axes)} != "
                    f"{len(b_axes)}."
                )
            return list(a_axes), list(b_axes)
        raise NotImplementedError("tfgraph's tensordot needs static axes")

    g = get_default_graph()
    with g.name_scope(name or "Tensordot") as scope:
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, name="b")
        a_axes, b_axes = _axes(a, axes)
        a_reshape, a_free_dims, a_free_static = _reshape(a, a_axes)
        b_reshape, b_free_dims, b_free_static = _reshape(b, b_axes, True)
        ab_matmul = matmul(a_reshape, b_reshape)
        if isinstance(a_free_dims, list) and isinstance(b_free_dims, list):
            if (
                ab_matmul.shape.is_fully_defined()
                and ab_matmul.shape.as_list() == a_free_dims + b_free_dims
            ):
                return ab_matmul
            return array_ops.reshape(ab_matmul, a_free_dims + b_free_dims, name=scope)
        a_free_dims = convert_to_tensor(a_free_dims, dtype=dtypes.int32)
        b_free_dims = convert_to_tensor(b_free_dims, dtype=dtypes.int32)
        product = array_ops.reshape(
            ab_matmul, array_ops.concat([a_free_dims, b_free_dims], 0), name=scope
        )
        if a_free_static is not None and b_free_static is not None:
            product.set_shape(a_free_static + b_free_static)
        return product


# -- Range ----------------------------------------------------------------------------------
def _range_shape(op):
    vals = [constant_value(t) for t in op._inputs]
    if any(v is None for v in vals):
        return [TensorShape._from_tuple((None,))]
    start, limit, delta = (v.item() for v in vals)
    if delta == 0:
        raise ValueError(f"Requires delta != 0 for '{op.name}'")
    n = max(0, int(np.ceil((limit - start) / delta)))
    return [TensorShape._from_tuple((n,))]


def _range_kernel(op, ctx):
    np_dtype = op._attrs["Tidx"].np_dtype

    def kernel(start, limit, delta):
        if delta == 0:
            raise ValueError("Requires delta != 0")
        return np.arange(start, limit, delta, dtype=np_dtype)

    return kernel


register_op(
    "Range",
    inputs=["start: Tidx", "limit: Tidx", "delta: Tidx"],
    outputs=["output: Tidx"],
    attrs=[
        "Tidx: {bfloat16, half, float, double, int8, int16, int32, int64, uint16, uint32} = int32"
    ],
    shape=_range_shape,
    make_kernel=_range_kernel,
    grad=NOT_DIFFERENTIABLE,
)

_RANGE_PRIORITY = [dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64]


def range(start, limit=None, delta=1, dtype=None, name: str = "range") -> Tensor:
    """Numbers from `start` up to (not including) `limit` by `delta` (TF's `tf.range`)."""
    if limit is None:
        start, limit = 0, start
    g = get_default_graph()
    with g.name_scope(name or "range") as scope:
        if dtype is not None:
            dtype = dtypes.as_dtype(dtype)
        start = convert_to_tensor(start, dtype=dtype, name="start")
        limit = convert_to_tensor(limit, dtype=dtype, name="limit")
        delta = convert_to_tensor(delta, dtype=dtype, name="delta")
        if dtype is None:
            inferred = max(
                (start.dtype._base, limit.dtype._base, delta.dtype._base),
                key=lambda d: _RANGE_PRIORITY.index(d) if d in _RANGE_PRIORITY else -1,
            )
            start = array_ops.cast(start, inferred)
            limit = array_ops.cast(limit, inferred)
            delta = array_ops.cast(delta, inferred)
        return op_output("Range", scope, [start, limit, delta])


# -- operator overloads ---------------------------------------------------------------------
def _promote_reflected(y, x):
    """For `x <op> tensor` with a Python `x`: convert `x` with the tensor's dtype."""
    return convert_to_tensor(x, dtype=y.dtype._base, name="x")


def _overload(op_type_or_fn, scope_name: str):
    simple = isinstance(op_type_or_fn, str)
    if simple:
        op_type = op_type_or_fn

        def func(x, y, name):
            return op_output(op_type, name, [x, y])

    else:
        func = op_type_or_fn

    def binary(self, other):
        if simple and other.__class__ is Tensor:
            return func(self, other, scope_name)
        g = self._op._graph
        with g.name_scope(scope_name) as scope:
            return func(self, other, scope)

    def reflected(self, other):
        g = self._op._graph
        with g.name_scope(scope_name) as scope:
            other = _promote_reflected(self, other)
            return func(other, self, scope)

    return binary, reflected


def _add_func(x, y, name):
    return add(x, y, name=name)


def _truediv_func(x, y, name):
    return _truediv_impl(x, y, name, "truediv")


def _matmul_func(x, y, name):
    return matmul(x, y, name=name)


def _logical_xor_func(x, y, name):
    return logical_xor(x, y, name=name)


for _dunder, _op, _scope in (
    ("add", _add_func, "add"),
    ("sub", "Sub", "sub"),
    ("mul", "Mul", "mul"),
    ("truediv", _truediv_func, "truediv"),
    ("div", _truediv_func, "truediv"),
    ("floordiv", "FloorDiv", "floordiv"),
    ("mod", "FloorMod", "mod"),
    ("pow", "Pow", "pow"),
    ("matmul", _matmul_func, "matmul"),
    ("and", "LogicalAnd", "and"),
    ("or", "LogicalOr", "or"),
    ("xor", _logical_xor_func, "xor"),
):
    _fwd, _rev = _overload(_op, _scope)
    Tensor._override_operator(f"__{_dunder}__", _fwd)
    Tensor._override_operator(f"__r{_dunder}__", _rev)

for _dunder, _op_type in (
    ("lt", "Less"),
    ("le", "LessEqual"),
    ("gt", "Greater"),
    ("ge", "GreaterEqual"),
):

    def _cmp(self, other, _op_type=_op_type):
        return _binary(_op_type)(self, other)

    Tensor._override_operator(f"__{_dunder}__", _cmp)

Tensor._override_operator("__neg__", lambda self: negative(self))
Tensor._override_operator("__abs__", lambda self: abs(self))
Tensor._override_operator("__invert__", lambda self: logical_not(self))

"""Math ops: elementwise arithmetic, comparisons, logic, AddN, MatMul and reductions.

Also installs the `Tensor` operator overloads with TF's op names (`x + y` is an AddV2
op named `add`, `x @ y` a MatMul named `matmul`, `x / y` a RealDiv named `truediv`,
casting integers to float first as TF does).
"""

from __future__ import annotations

import builtins
import functools
import math
import numbers
import weakref
from typing import Any

import numpy as np

from tfgraph import errors
from tfgraph.framework import dispatch, dtypes
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, bitwise_ops, common_shapes
from tfgraph.ops import linear_operator_dispatch as _lod
from tfgraph.ops.apply import op_output
from tfgraph.ops.common_shapes import UNKNOWN, constant_value
from tfgraph.platform import parallel

__all__ = [
    "abs",
    "add",
    "add_n",
    "arg_max",
    "arg_min",
    "argmax",
    "argmin",
    "ceil",
    "clip_by_value",
    "complex",
    "count_nonzero",
    "cumprod",
    "cumsum",
    "div",
    "divide",
    "equal",
    "exp",
    "floor",
    "floor_div",
    "floordiv",
    "floormod",
    "greater",
    "greater_equal",
    "imag",
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
    "real",
    "realdiv",
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
    "scalar_mul",
    "sigmoid",
    "sign",
    "sqrt",
    "square",
    "subtract",
    "tanh",
    "tensordot",
    "truediv",
    "unsorted_segment_sum",
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
    out = np.negative(x)
    if out.__class__ is not np.ndarray:  # (0-d)
        return np.reciprocal(1 + np.exp(out))
    np.exp(out, out=out)  # (in one buffer: an LSTM's gates, 11.5 -> 9.7 us)
    out += 1
    return np.reciprocal(out, out=out)


def _rsqrt(x):
    return np.reciprocal(np.sqrt(x))


def _sign(x):
    return np.sign(x)


# -- gradients of elementwise ops ---------------------------------------------------------------
# Each builds TF's subgraph (same ops, same order) so graphs and numbers match TensorFlow.
def _deps(grad):
    """`control_dependencies([grad])`: the gradient ops run after `grad` is computed."""
    return get_default_graph().control_dependencies([grad])


def _grad_op(op_type: str, y, dy) -> Tensor:
    return op_output(op_type, None, [y, dy])


def _abs_grad(op, grad):
    return grad * sign(op._inputs[0])


def _neg_grad(op, grad):
    return -grad


def _reciprocal_grad(op, grad):
    return _grad_op("ReciprocalGrad", op._outputs[0], grad)


def _square_grad(op, grad):
    x = op._inputs[0]
    with _deps(grad):
        x = conj(x)
        y = constant(2.0, dtype=x.dtype._base)
        return multiply(grad, multiply(x, y))


def _sqrt_grad(op, grad):
    return _grad_op("SqrtGrad", op._outputs[0], grad)


def _rsqrt_grad(op, grad):
    return _grad_op("RsqrtGrad", op._outputs[0], grad)


def _exp_grad(op, grad):
    y = op._outputs[0]
    with _deps(grad):
        return grad * conj(y)


def _expm1_grad(op, grad):
    x = op._inputs[0]
    with _deps(grad):
        return grad * exp(conj(x))


def _log_grad(op, grad):
    x = op._inputs[0]
    with _deps(grad):
        return grad * reciprocal(conj(x))


def _log1p_grad(op, grad):
    x = op._inputs[0]
    with _deps(grad):
        return grad * reciprocal(1 + conj(x))


def _sinh_grad(op, grad):
    x = op._inputs[0]
    with _deps(grad):
        return grad * cosh(conj(x))


def _cosh_grad(op, grad):
    x = op._inputs[0]
    with _deps(grad):
        return grad * sinh(conj(x))


def _tanh_grad(op, grad):
    y = op._outputs[0]
    with _deps(grad):
        return _grad_op("TanhGrad", conj(y), grad)


def _sigmoid_grad(op, grad):
    y = op._outputs[0]
    with _deps(grad):
        return _grad_op("SigmoidGrad", conj(y), grad)


def _sign_grad(op, grad):
    return array_ops.zeros_like(op._inputs[0])


def _sin_grad(op, grad):
    x = op._inputs[0]
    with _deps(grad):
        return grad * cos(conj(x))


def _cos_grad(op, grad):
    x = op._inputs[0]
    with _deps(grad):
        return -grad * sin(conj(x))


def _tan_grad(op, grad):
    x = op._inputs[0]
    with _deps(grad):
        secx = reciprocal(cos(conj(x)))
        return square(secx) * grad


def _asin_grad(op, grad):
    x = op._inputs[0]
    with _deps(grad):
        x2 = square(conj(x))
        one = constant(1, dtype=grad.dtype._base)
        return grad * reciprocal(sqrt(subtract(one, x2)))


def _acos_grad(op, grad):
    x = op._inputs[0]
    with _deps(grad):
        x2 = square(conj(x))
        one = constant(1, dtype=grad.dtype._base)
        return -grad * reciprocal(sqrt(subtract(one, x2)))


def _atan_grad(op, grad):
    x = op._inputs[0]
    with _deps(grad):
        x2 = square(conj(x))
        one = constant(1, dtype=grad.dtype._base)
        return grad * reciprocal(add(one, x2))


def _no_grad_1(op, grad):
    return [None]


_UNARY_GRADS = {
    "Neg": _neg_grad,
    "Abs": _abs_grad,
    "Square": _square_grad,
    "Sqrt": _sqrt_grad,
    "Rsqrt": _rsqrt_grad,
    "Exp": _exp_grad,
    "Log": _log_grad,
    "Log1p": _log1p_grad,
    "Expm1": _expm1_grad,
    "Sigmoid": _sigmoid_grad,
    "Tanh": _tanh_grad,
    "Sign": _sign_grad,
    "Round": _no_grad_1,
    "Floor": _no_grad_1,
    "Ceil": _no_grad_1,
    "Reciprocal": _reciprocal_grad,
    "Sin": _sin_grad,
    "Cos": _cos_grad,
    "Tan": _tan_grad,
    "Asin": _asin_grad,
    "Acos": _acos_grad,
    "Atan": _atan_grad,
    "Sinh": _sinh_grad,
    "Cosh": _cosh_grad,
}


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

# The registration loops below rebind these to kernels of several types (ufuncs, functions).
_kernel: Any
_fn: Any

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
        grad=_UNARY_GRADS[_name],
        rowwise=common_shapes.elementwise_rows,
    )


# -- SigmoidGrad, TanhGrad, SqrtGrad, RsqrtGrad, ReciprocalGrad ---------------------------------
# (y, dy) -> the input gradient of the op whose output is y; each is differentiable again.
def _grad_op_shape(op):
    return [common_shapes.merge_shapes(op._inputs[0]._shape, op._inputs[1]._shape, op)]


def _sigmoid_grad_kernel(y, dy):
    return dy * y * (1 - y)


def _tanh_grad_kernel(y, dy):
    return dy * (1 - y * y)


def _sqrt_grad_kernel(y, dy):
    return dy * 0.5 / y


def _rsqrt_grad_kernel(y, dy):
    return dy * -0.5 * (y * y * y)


def _reciprocal_grad_kernel(y, dy):
    return -dy * (y * y)


def _sigmoid_grad_grad(op, grad):
    with _deps(grad):
        a = conj(op._inputs[0])
        b = conj(op._inputs[1])
        gb = grad * b
        return gb - 2.0 * gb * a, _grad_op("SigmoidGrad", a, grad)


def _tanh_grad_grad(op, grad):
    with _deps(grad):
        a = conj(op._inputs[0])
        b = conj(op._inputs[1])
        return grad * -2.0 * b * a, _grad_op("TanhGrad", a, grad)


def _sqrt_grad_grad(op, grad):
    a = op._inputs[0]
    y = op._outputs[0]
    with _deps(grad):
        ga = grad / a
        return -conj(ga) * y, 0.5 * ga


def _rsqrt_grad_grad(op, grad):
    a, b = op._inputs
    with _deps(grad):
        ca = conj(a)
        cg = conj(grad)
        grad_a = -1.5 * cg * b * square(ca)
        grad_b = _grad_op("RsqrtGrad", ca, grad)
        return grad_a, grad_b


def _reciprocal_grad_grad(op, grad):
    b = op._inputs[1]
    with _deps(grad):
        ca = conj(op._inputs[0])
        cg = conj(grad)
        return cg * -2.0 * b * ca, _grad_op("ReciprocalGrad", ca, grad)


def _cwise_pair_kernel(kernel):
    """A kernel of two same-sized inputs whose failure says what TF's cwise ops say."""

    def make(op, ctx):
        def checked(y, dy):
            try:
                return kernel(y, dy)
            except ValueError:
                if np.size(y) == np.size(dy):
                    raise
                raise errors.InvalidArgumentError(
                    None,
                    None,
                    "The two arguments to a cwise op must have same number of elements, got "
                    f"{np.size(y)} and {np.size(dy)}",
                ) from None

        return checked

    return make


for _name, _kernel, _grad in (
    ("SigmoidGrad", _sigmoid_grad_kernel, _sigmoid_grad_grad),
    ("TanhGrad", _tanh_grad_kernel, _tanh_grad_grad),
    ("SqrtGrad", _sqrt_grad_kernel, _sqrt_grad_grad),
    ("RsqrtGrad", _rsqrt_grad_kernel, _rsqrt_grad_grad),
    ("ReciprocalGrad", _reciprocal_grad_kernel, _reciprocal_grad_grad),
):
    register_op(
        _name,
        inputs=["y: T", "dy: T"],
        outputs=["z: T"],
        attrs=[f"T: {_FLOAT_COMPLEX}"],
        shape=_grad_op_shape,
        make_kernel=_cwise_pair_kernel(_kernel),
        grad=_grad,
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


def _complex_abs_grad(op, grad):
    return div_no_nan(
        complex(grad, array_ops.zeros_like(grad)) * op._inputs[0],
        complex(op._outputs[0], array_ops.zeros_like(op._outputs[0])),
    )


register_op(
    "ComplexAbs",
    inputs=["x: T"],
    outputs=["y: Tout"],
    attrs=["T: {complex64, complex128} = complex64", "Tout: {float, double} = float"],
    shape=common_shapes.unchanged_shape,
    make_kernel=_complex_abs_kernel,
    grad=_complex_abs_grad,
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
    grad=lambda op, grad: conj(grad),
)


def conj(x, name: str | None = None) -> Tensor:
    x = convert_to_tensor(x, name="x")
    if x.dtype.is_complex:
        return op_output("Conj", name, [x])
    return x


# -- Complex, Real, Imag ----------------------------------------------------------------------
def _complex_kernel(op, ctx):
    np_dtype = op._attrs["Tout"].np_dtype

    def kernel(real, imag):
        out = np.empty(np.broadcast_shapes(np.shape(real), np.shape(imag)), dtype=np_dtype)
        out.real = real
        out.imag = imag
        return out

    return kernel


def _complex_grad(op, grad):
    x, y = op._inputs
    sx = array_ops.shape(x)
    sy = array_ops.shape(y)
    rx, ry = array_ops.broadcast_gradient_args(sx, sy)
    return (
        array_ops.reshape(reduce_sum(real(grad), rx), sx),
        array_ops.reshape(reduce_sum(imag(grad), ry), sy),
    )


register_op(
    "Complex",
    inputs=["real: T", "imag: T"],
    outputs=["out: Tout"],
    attrs=["T: {float, double} = float", "Tout: {complex64, complex128} = complex64"],
    shape=common_shapes.broadcast_shape,
    make_kernel=common_shapes.broadcasting_kernel(make_kernel=_complex_kernel),
    grad=_complex_grad,
)


def _part_kernel(np_fn):
    def make(op, ctx):
        np_dtype = op._attrs["Tout"].np_dtype
        return lambda x: np.ascontiguousarray(np_fn(x), dtype=np_dtype)

    return make


def _real_grad(op, grad):
    zero = constant(0, dtype=grad.dtype._base)
    return complex(grad, zero)


def _imag_grad(op, grad):
    zero = constant(0, dtype=grad.dtype._base)
    return complex(zero, grad)


for _name, _fn, _grad in (("Real", np.real, _real_grad), ("Imag", np.imag, _imag_grad)):
    register_op(
        _name,
        inputs=["input: T"],
        outputs=["output: Tout"],
        attrs=["T: {complex64, complex128} = complex64", "Tout: {float, double} = float"],
        shape=common_shapes.unchanged_shape,
        make_kernel=_part_kernel(_fn),
        grad=_grad,
    )

_COMPLEX_OF = {dtypes.float32: dtypes.complex64, dtypes.float64: dtypes.complex128}


def complex(real, imag, name: str | None = None) -> Tensor:
    """The complex tensor real + imag * 1j (float32 -> complex64, float64 -> complex128)."""
    g = get_default_graph()
    with g.name_scope(name or "Complex") as scope:
        real = convert_to_tensor(real, name="real")
        imag = convert_to_tensor(imag, name="imag")
        tout = _COMPLEX_OF.get(real.dtype._base)
        if tout is None or imag.dtype._base is not real.dtype._base:
            raise TypeError(
                f"Types of real and imag don't match: {real.dtype.name} {imag.dtype.name}"
            )
        return op_output("Complex", scope, [real, imag], {"Tout": tout})


def _complex_part(op_type: str, default_name: str):
    def fn(input, name: str | None = None) -> Tensor:
        g = get_default_graph()
        with g.name_scope(name or default_name) as scope:
            input = convert_to_tensor(input, name="input")
            if input.dtype.is_complex:
                return op_output(op_type, scope, [input], {"Tout": input.dtype.real_dtype})
            if op_type == "Real":
                return input
            return array_ops.zeros_like(input)

    fn.__name__ = default_name.lower()
    return fn


real = _complex_part("Real", "Real")
imag = _complex_part("Imag", "Imag")


# -- elementwise binary ---------------------------------------------------------------------
def _pow(x, y):
    return np.power(x, y)


def _all_nonzero(y) -> bool:
    # (np.all costs ~3 us a call; a loop's index arithmetic divides scalars every step)
    if y.__class__ is np.ndarray:
        return bool(y) if y.ndim == 0 else bool(y.all())
    return bool(np.all(y))


def _check_int_divisor(y) -> None:
    """TF's integer Div/FloorDiv/FloorMod kernels fail on a zero divisor (numpy gives 0)."""
    if not _all_nonzero(y):
        raise errors.InvalidArgumentError(None, None, "Integer division by zero")


def _check_int_divisor_truncate(y) -> None:
    """TF's TruncateDiv/TruncateMod kernels report a zero integer divisor as this
    InternalError (their functors are not marked as ones that can fail)."""
    if not _all_nonzero(y):
        raise errors.InternalError(
            None,
            None,
            "Unexpected error in binary operator (only integer div and mod should have errors)",
        )


def _truncate_div_int(x, y):
    """C-style integer division (rounds toward zero): -7 / 2 = -3."""
    q = np.floor_divide(x, y)
    fix = (np.remainder(x, y) != 0) & ((x < 0) != (y < 0))
    if fix.any():
        q = q + fix.astype(q.dtype)
    return q


def _is_int(dtype) -> bool:
    return dtype.is_integer


def _div_kernel(op, ctx):
    """`Div`: C-style truncating division for integers, true division otherwise."""
    if _is_int(op._attrs["T"]):

        def div(x, y):
            _check_int_divisor(y)
            return _truncate_div_int(x, y)

        return div
    return np.true_divide


def _real_div_kernel(op, ctx):
    dtype = op._attrs["T"]
    if not (dtype.is_floating or dtype.is_complex):
        raise errors.InvalidArgumentError(
            None,
            op,
            f"No OpKernel was registered to support Op '{op._type}' used by {{{{node "
            f"{op._name}}}}} with these attrs: [T={_dt_enum_name(dtype)}]",
        )
    return np.true_divide


def _integer_checked(int_fn, check, float_fn):
    """A kernel factory for a division-like op: on integers, `int_fn` after `check` of
    the divisor (TF raises on a zero integer divisor); else `float_fn`."""

    def make(op, ctx):
        if not _is_int(op._attrs["T"]):
            return float_fn

        def kernel(x, y):
            check(y)
            return int_fn(x, y)

        return kernel

    return make


_floor_div_kernel = _integer_checked(np.floor_divide, _check_int_divisor, np.floor_divide)
_floor_mod_kernel = _integer_checked(np.mod, _check_int_divisor, np.mod)
_truncate_div_kernel = _integer_checked(
    _truncate_div_int,
    _check_int_divisor_truncate,
    lambda x, y: np.trunc(np.true_divide(x, y)),
)
_truncate_mod_kernel = _integer_checked(np.fmod, _check_int_divisor_truncate, np.fmod)


_DT_ENUM_NAMES = {"float32": "FLOAT", "float64": "DOUBLE", "float16": "HALF"}


def _dt_enum_name(dtype) -> str:
    """The DataType enum name TF prints in kernel errors (DT_INT32, DT_FLOAT...)."""
    return "DT_" + _DT_ENUM_NAMES.get(dtype.name, dtype.name.upper())


def _div_no_nan(x, y):
    safe = np.where(y == 0, 1, y).astype(np.asarray(y).dtype)
    return np.where(y == 0, 0, np.true_divide(x, safe)).astype(np.result_type(x, y))


_BINARY = {
    # op type: (kernel or kernel factory (make_kernel), allowed types)
    "AddV2": (np.add, _NUM),
    "Add": (None, _NUM.replace("}", ", string}")),
    "Sub": (np.subtract, _NUM),
    "Mul": (np.multiply, _NUM),
    "RealDiv": (None, _NUM),
    "Div": (None, _NUM),
    "FloorDiv": (None, _NUM),
    "FloorMod": (None, _REAL),
    "TruncateDiv": (None, _REAL),
    "TruncateMod": (None, _REAL),
    "Pow": (_pow, _SIGNED),
    "Maximum": (np.maximum, _REAL),
    "Minimum": (np.minimum, _REAL),
    "SquaredDifference": (lambda x, y: np.square(x - y), _NUM),
    "Atan2": (np.arctan2, _FLOAT),
    "DivNoNan": (_div_no_nan, _FLOAT_COMPLEX),
}


_UFUNC_ARITHMETIC = frozenset(("AddV2", "Sub", "Mul", "Maximum", "Minimum"))


def _add_kernel_for_strings(op, ctx):
    if op._attrs["T"] is dtypes.string:
        return lambda x, y: np.char.add(x.astype(bytes), y.astype(bytes)).astype(object)
    return np.add


# -- broadcasting gradient reduction (written once, used by every broadcasting op) -------------
def _infer_gradient_reduction_axes(x_shape, y_shape):
    """The axes along which x and y were broadcast, when static shapes decide it; else
    (None, None)."""
    x_dims, y_dims = x_shape._dims, y_shape._dims
    if x_dims is None or y_dims is None:
        return None, None
    x_rank, y_rank = len(x_dims), len(y_dims)
    b_rank = builtins.max(x_rank, y_rank)
    x_axes, y_axes = [], []
    for axis in builtins.range(b_rank):
        x_dim = 1 if axis < b_rank - x_rank else x_dims[axis - (b_rank - x_rank)]
        y_dim = 1 if axis < b_rank - y_rank else y_dims[axis - (b_rank - y_rank)]
        if x_dim == 1 and y_dim != 1:
            x_axes.append(axis)
        elif y_dim == 1 and x_dim != 1:
            y_axes.append(axis)
        elif x_dim is None or y_dim is None:
            return None, None
    return x_axes, y_axes


def smart_broadcast_gradient_args(x, y):
    """For each of x and y: (its shape tensor, the axes to reduce its gradient over, whether
    to reduce). Static shapes give constant axes; otherwise a BroadcastGradientArgs op
    computes them at run time (as TF's SmartBroadcastGradientArgs)."""
    x_shape = array_ops.shape(x)
    y_shape = array_ops.shape(y)
    x_axes, y_axes = _infer_gradient_reduction_axes(x._shape, y._shape)
    if x_axes is None or y_axes is None:
        x_axes, y_axes = array_ops.broadcast_gradient_args(x_shape, y_shape)
        x_must, y_must = True, True
    else:
        x_must = bool(x_axes) or x._shape.ndims < y._shape.ndims
        y_must = bool(y_axes) or y._shape.ndims < x._shape.ndims
    return (x_shape, x_axes, x_must), (y_shape, y_axes, y_must)


def _reduce_gradient_arg(grad, shape_axes_must_reduce):
    shape, axes, must_reduce = shape_axes_must_reduce
    if grad is not None and must_reduce:
        grad = reduce_sum(grad, axes, keepdims=True)
        grad = array_ops.reshape(grad, shape)
    return grad


def reduce_gradient_args(x, y, gx, gy):
    """Sums the gradients `gx`, `gy` of a broadcasting binary op over the broadcast axes
    and reshapes them to the shapes of `x` and `y`."""
    if gx is not None or gy is not None:
        bx, by = smart_broadcast_gradient_args(x, y)
        gx = _reduce_gradient_arg(gx, bx)
        gy = _reduce_gradient_arg(gy, by)
    return gx, gy


def _shapes_fully_specified_and_equal(x, y, grad) -> bool:
    xd, yd, gd = x._shape._dims, y._shape._dims, grad._shape._dims
    return xd == yd and xd == gd and xd is not None and None not in xd


def _add_grad(op, grad):
    x, y = op._inputs
    if isinstance(grad, Tensor) and _shapes_fully_specified_and_equal(x, y, grad):
        return grad, grad
    return reduce_gradient_args(x, y, grad, grad)


def _sub_grad(op, grad):
    x, y = op._inputs
    if isinstance(grad, Tensor) and _shapes_fully_specified_and_equal(x, y, grad):
        return grad, -grad
    return reduce_gradient_args(x, y, grad, -grad)


def _mul_grad(op, grad):
    x, y = op._inputs
    if (
        isinstance(grad, Tensor)
        and _shapes_fully_specified_and_equal(x, y, grad)
        and grad.dtype._base in (dtypes.int32, dtypes.float32)
    ):
        return op_output("Mul", None, [grad, y]), op_output("Mul", None, [grad, x])
    gx = op_output("Mul", None, [grad, conj(y)])
    gy = op_output("Mul", None, [conj(x), grad])
    return reduce_gradient_args(x, y, gx, gy)


def _div_grad(op, grad):
    x, y = op._inputs
    cx, cy = conj(x), conj(y)
    gx = divide(grad, cy)
    gy = grad * divide(divide(-cx, cy), cy)
    return reduce_gradient_args(x, y, gx, gy)


def _real_div_grad(op, grad):
    x, y = op._inputs
    cx, cy = conj(x), conj(y)
    gx = realdiv(grad, cy)
    gy = grad * realdiv(realdiv(-cx, cy), cy)
    return reduce_gradient_args(x, y, gx, gy)


def _div_no_nan_grad(op, grad):
    x = conj(op._inputs[0])
    y = conj(op._inputs[1])
    gx = div_no_nan(grad, y)
    gy = grad * div_no_nan(div_no_nan(-x, y), y)
    return reduce_gradient_args(x, y, gx, gy)


def _no_grad_2(op, grad):
    return None, None


def _floor_mod_grad(op, grad):
    x = conj(op._inputs[0])
    y = conj(op._inputs[1])
    floor_xy = op_output("FloorDiv", None, [x, y])
    gx = grad
    gy = grad * negative(floor_xy)
    return reduce_gradient_args(x, y, gx, gy)


def _pow_grad(op, grad):
    x, y = op._inputs
    cx, cy = conj(x), conj(y)
    gx = grad * cy * pow(cx, cy - 1)
    if x.dtype.is_complex:
        mask = not_equal(cx, 0)
    else:
        mask = cx > 0
    safe_x = array_ops.where(mask, cx, array_ops.ones_like(x))
    log_x = array_ops.where(mask, log(safe_x), array_ops.zeros_like(x))
    gy = grad * conj(op._outputs[0]) * log_x
    return reduce_gradient_args(x, y, gx, gy)


def _maximum_minimum_grad(op, grad, selector):
    x, y = op._inputs
    zeros = array_ops.zeros_like(grad)
    xmask = selector(x, y)
    gx = array_ops.where_v2(xmask, grad, zeros)
    gy = array_ops.where_v2(xmask, zeros, grad)
    return reduce_gradient_args(x, y, gx, gy)


def _maximum_grad(op, grad):
    return _maximum_minimum_grad(op, grad, greater_equal)


def _minimum_grad(op, grad):
    return _maximum_minimum_grad(op, grad, less_equal)


def _squared_difference_grad(op, grad):
    x, y = op._inputs
    with _deps(grad):
        x_grad = scalar_mul(2.0, grad) * (x - y)
    if isinstance(grad, Tensor) and _shapes_fully_specified_and_equal(x, y, grad):
        return x_grad, -x_grad
    return reduce_gradient_args(x, y, x_grad, -x_grad)


def _atan2_grad(op, grad):
    y, x = op._inputs
    with _deps(grad):
        grad_inv = grad / (square(y) + square(x))
        gy = x * grad_inv
        gx = -y * grad_inv
        return reduce_gradient_args(y, x, gy, gx)


_BINARY_GRADS = {
    "AddV2": _add_grad,
    "Add": _add_grad,
    "Sub": _sub_grad,
    "Mul": _mul_grad,
    "RealDiv": _real_div_grad,
    "Div": _div_grad,
    "FloorDiv": _no_grad_2,
    "FloorMod": _floor_mod_grad,
    "TruncateDiv": _no_grad_2,
    "TruncateMod": None,  # TF registers no gradient for TruncateMod
    "Pow": _pow_grad,
    "Maximum": _maximum_grad,
    "Minimum": _minimum_grad,
    "SquaredDifference": _squared_difference_grad,
    "Atan2": _atan2_grad,
    "DivNoNan": _div_no_nan_grad,
}


_BINARY_KERNEL_FACTORIES = {
    "Add": _add_kernel_for_strings,
    "RealDiv": _real_div_kernel,
    "Div": _div_kernel,
    "FloorDiv": _floor_div_kernel,
    "FloorMod": _floor_mod_kernel,
    "TruncateDiv": _truncate_div_kernel,
    "TruncateMod": _truncate_mod_kernel,
}

for _name, (_kernel, _types) in _BINARY.items():
    register_op(
        _name,
        inputs=["y: T", "x: T"] if _name == "Atan2" else ["x: T", "y: T"],
        outputs=["z: T"],
        attrs=[f"T: {_types}"],
        shape=common_shapes.broadcast_shape,
        make_kernel=common_shapes.broadcasting_kernel(_kernel, _BINARY_KERNEL_FACTORIES.get(_name)),
        grad=_BINARY_GRADS[_name],
        sums_inputs=_name == "AddV2",
        epilogue=(lambda op: "bias") if _name == "AddV2" else None,
        # (ufunc kernels: they write into a dying input's array, as TF forwards it)
        overwrites_input=(0, 1) if _name in _UFUNC_ARITHMETIC else (),
        rowwise=common_shapes.elementwise_rows,
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
        make_kernel=common_shapes.broadcasting_kernel(_kernel),
        grad=NOT_DIFFERENTIABLE,
        rowwise=common_shapes.elementwise_rows,
    )


def _equality_kernel(fn):
    def make(op, ctx):
        return fn

    return make


def _equality_shape(op):
    """Broadcasting; with incompatible_shape_error=false, shapes known not to broadcast
    give TF's scalar (the kernel's answer is then a scalar False, or True for NotEqual)."""
    if op._attrs.get("incompatible_shape_error", True):
        return common_shapes.broadcast_shape(op)
    try:
        return common_shapes.broadcast_shape(op)
    except ValueError:
        return [TensorShape._from_tuple(())]


def _make_equality_kernel(fn, unequal: bool):
    checked = common_shapes.broadcasting_kernel(make_kernel=_equality_kernel(fn))

    def make(op, ctx):
        kernel = checked(op, ctx)
        if op._attrs.get("incompatible_shape_error", True):
            return kernel

        def lenient(x, y):  # (TF: shapes that do not broadcast compare unequal)
            try:
                np.broadcast_shapes(np.shape(x), np.shape(y))
            except ValueError:
                return np.bool_(unequal)
            return kernel(x, y)

        return lenient

    return make


for _name, _kernel in (("Equal", np.equal), ("NotEqual", np.not_equal)):
    register_op(
        _name,
        inputs=["x: T", "y: T"],
        outputs=["z: bool"],
        attrs=["T: type", "incompatible_shape_error: bool = true"],
        shape=_equality_shape,
        make_kernel=_make_equality_kernel(_kernel, _name == "NotEqual"),
        grad=NOT_DIFFERENTIABLE,
    )


def tensor_equals(x, y, negate: bool = False) -> Tensor:
    """TF2's `x == y` (`x != y` with `negate`): Equal / NotEqual with
    incompatible_shape_error=false, so values whose shapes do not broadcast compare
    unequal (a scalar) instead of failing."""
    op_type = "NotEqual" if negate else "Equal"
    g = get_default_graph()
    with g.name_scope(op_type) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, dtype_hint=x.dtype._base, name="y")
        return op_output(op_type, scope, [x, y], {"incompatible_shape_error": False})


for _name, _kernel in (("LogicalAnd", np.logical_and), ("LogicalOr", np.logical_or)):
    register_op(
        _name,
        inputs=["x: bool", "y: bool"],
        outputs=["z: bool"],
        shape=common_shapes.broadcast_shape,
        make_kernel=common_shapes.broadcasting_kernel(_kernel),
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
floor_div = _binary("FloorDiv")
mod = floormod
squared_difference = _binary("SquaredDifference")
truncatediv = _binary("TruncateDiv")
truncatemod = _binary("TruncateMod")


def atan2(y, x, name: str | None = None) -> Tensor:
    """Elementwise arctan(y / x) in the right quadrant (TF's argument order: y, x)."""
    return op_output("Atan2", name, [y, x])


def div_no_nan(x, y, name: str | None = None) -> Tensor:
    """x / y, 0 where y is 0 (`DivNoNan`); integers are cast to float first, as TF does."""
    if x.__class__ is Tensor and y.__class__ is Tensor and x._dtype._base is y._dtype._base:
        if x._dtype._base not in _INT_TO_FLOAT:
            return op_output("DivNoNan", name or "div_no_nan", [x, y])
    return _truediv_impl(x, y, name, "div_no_nan", "DivNoNan")


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


def realdiv(x, y, name: str | None = None) -> Tensor:
    """x / y for real or complex types (the `RealDiv` op, named `RealDiv`)."""
    return op_output("RealDiv", name, [x, y])


def scalar_mul(scalar, x, name: str | None = None):
    """`scalar * x` for a 0-D `scalar`; keeps `x` an IndexedSlices if it is one."""
    from tfgraph.framework.indexed_slices import IndexedSlices

    scalar = convert_to_tensor(scalar, dtype=x.dtype._base, name="scalar")
    if scalar._shape.ndims != 0:
        raise ValueError(f"The input scalar must be a 0-D value. Received shape {scalar.shape}.")
    if isinstance(x, IndexedSlices):
        return IndexedSlices(op_output("Mul", name, [scalar, x.values]), x.indices, x.dense_shape)
    return op_output("Mul", name, [scalar, x])


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


def _truediv_impl(x, y, name: str | None, default_name: str, op_type: str = "RealDiv") -> Tensor:
    """`op_type` (a float division) of `x` and `y`, integers cast to float first."""
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
        return op_output(op_type, scope, [x, y])


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
    # left to right, as TF's kernel adds; into one buffer (an unrolled RNN's weight
    # gradient sums 50 products: a new array per addition took 2x the time)
    if len(xs) < 3:
        return np.add(xs[0], xs[1]) if len(xs) == 2 else xs[0]
    total = np.add(xs[0], xs[1])
    shape = np.shape(total)
    if type(total) is not np.ndarray or any(np.shape(x) != shape for x in xs):
        return functools.reduce(np.add, xs)
    for x in xs[2:]:
        np.add(total, x, out=total)
    return total


def _add_n_grad(op, grad):
    return [grad] * len(op._inputs)


register_op(
    "AddN",
    inputs=["inputs: N * T"],
    outputs=["sum: T"],
    attrs=["N: int >= 1", f"T: {_NUM[:-1]}, variant}}"],  # (variant: TensorLists)
    shape=_add_n_shape,
    kernel=_add_n_kernel,
    grad=_add_n_grad,
    sums_inputs=True,
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
    for t in (a, b):
        if t._dims is not None and len(t._dims) != 2:
            raise common_shapes.shape_error(op, f"Shape must be rank 2 but is rank {len(t._dims)}")
    a = a if a._dims is not None else TensorShape._from_tuple((None, None))
    b = b if b._dims is not None else TensorShape._from_tuple((None, None))
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
    fn = _matmul_fn(ta, tb, op._type == "MatMul" and op._attrs["T"] in _PARALLEL_DTYPES)
    if _static_matrices(op):
        return fn  # the shape rule has checked them

    def checked(a, b):
        if a.ndim != 2 or b.ndim != 2:
            if a.ndim != b.ndim:
                raise errors.InvalidArgumentError(
                    None,
                    None,
                    f"In[0] and In[1] has different ndims: {_dims_str(a)} vs. {_dims_str(b)}",
                )
            raise errors.InvalidArgumentError(
                None, None, f"In[0] is not a matrix. Instead it has shape {_dims_str(a)}"
            )
        try:
            return fn(a, b)
        except ValueError:
            raise _matrix_size_incompatible(a, b) from None

    return checked


_PARALLEL_DTYPES = frozenset((dtypes.float32, dtypes.float64))


def _matmul_small_form(op, known: dict):
    """np.dot where the kernel calls it (untransposed matrices of static rank 2 whose
    product is too small to share out: parallel.matmul's first case)."""
    a, b = op._inputs[0]._shape._dims, op._inputs[1]._shape._dims
    if op._attrs["transpose_a"] or op._attrs["transpose_b"]:
        return None
    if a is None or b is None or len(a) != 2 or len(b) != 2 or b[1] is None:
        return None
    limit = 1 << 62
    if op._attrs["T"] in _PARALLEL_DTYPES:  # (kernel threads and the private BLAS from here)
        macs = min(parallel._MIN_SHARED_MACS, parallel._MIN_PARALLEL_MACS)
        limit = (macs - 1) // max(int(b[1]), 1) + 1
    return np.dot, limit, (("in", 0), ("in", 1))


def _matmul_fn(ta: bool, tb: bool, split: bool):
    """a @ b with the transposes; 2-D float products big enough are split over the
    kernel threads (platform/parallel.py)."""
    # np.dot hands transposed operands to BLAS as flags; np.matmul copies them first
    # (a transposed 32x256 operand: 2.4x slower)
    mm = parallel.matmul if split else np.dot
    if not ta and not tb:
        return mm
    if ta and not tb:
        return lambda a, b: mm(a.T, b)
    if not ta and tb:

        def times_transposed(a, b):
            # For a few rows of `a` against a wide `b` (an RNN's input gradient: 32 x 512
            # by (256 x 512).T), OpenBLAS computes (b @ a.T).T 1.4x faster than a @ b.T
            # (0.9x with 64 rows; slower with more rows or a narrower `b`).
            if a.shape[0] <= 64 and b.shape[1] >= 2 * b.shape[0] and a.ndim == b.ndim == 2:
                if split:
                    return parallel.shared_matmul(a, b.T, _few_rows_times_transposed)
                return _few_rows_times_transposed(a, b.T)
            return mm(a, b.T)

        return times_transposed
    return lambda a, b: mm(a.T, b.T)


def _few_rows_times_transposed(a, bt):
    return np.ascontiguousarray(np.dot(bt.T, a.T).T)


def _dims_str(value) -> str:
    return "[" + ",".join(map(str, np.shape(value))) + "]"


def _matrix_size_incompatible(a, b) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(
        None, None, f"Matrix size-incompatible: In[0]: {_dims_str(a)}, In[1]: {_dims_str(b)}"
    )


def _static_matrices(op) -> bool:
    """Whether the inputs' static shapes leave the kernel nothing to find wrong: known
    ranks of at least 2, known contracted dimensions (the shape rule has compared them)
    and batch dimensions that surely broadcast."""
    a, b = op._inputs[0]._shape._dims, op._inputs[1]._shape._dims
    if a is None or b is None or len(a) < 2 or len(b) < 2:
        return False
    if op._type == "MatMul":
        if len(a) != 2 or len(b) != 2:
            return False
        ka = a[0] if op._attrs["transpose_a"] else a[1]
        kb = b[1] if op._attrs["transpose_b"] else b[0]
    else:
        ka = a[-2] if op._attrs["adj_x"] else a[-1]
        kb = b[-1] if op._attrs["adj_y"] else b[-2]
    return ka is not None and kb is not None and common_shapes.broadcast_is_safe(a[:-2], b[:-2])


def _mat_mul(a, b, transpose_a=False, transpose_b=False, grad_a=False, grad_b=False):
    attrs = {"transpose_a": transpose_a, "transpose_b": transpose_b}
    if grad_a:
        attrs["grad_a"] = True
    if grad_b:
        attrs["grad_b"] = True
    return op_output("MatMul", None, [a, b], attrs)


def _matmul_grad(op, grad):
    t_a, t_b = op._attrs["transpose_a"], op._attrs["transpose_b"]
    a = conj(op._inputs[0])
    b = conj(op._inputs[1])
    if not t_a and not t_b:
        grad_a = _mat_mul(grad, b, transpose_b=True, grad_a=True)
        grad_b = _mat_mul(a, grad, transpose_a=True, grad_b=True)
    elif not t_a and t_b:
        grad_a = _mat_mul(grad, b, grad_a=True)
        grad_b = _mat_mul(grad, a, transpose_a=True, grad_b=True)
    elif t_a and not t_b:
        grad_a = _mat_mul(b, grad, transpose_b=True, grad_a=True)
        grad_b = _mat_mul(a, grad, grad_b=True)
    else:
        grad_a = _mat_mul(b, grad, transpose_a=True, transpose_b=True, grad_a=True)
        grad_b = _mat_mul(grad, a, transpose_a=True, transpose_b=True, grad_b=True)
    return grad_a, grad_b


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
    grad=_matmul_grad,
    matrix_product=True,
    small_form=_matmul_small_form,
)


# -- SparseMatMul: MatMul with sparsity hints (float32 or bfloat16 in, float32 out) ------
def _sparse_matmul_kernel(op, ctx):
    ta, tb = bool(op._attrs["transpose_a"]), bool(op._attrs["transpose_b"])

    def kernel(a, b):
        a = np.asarray(a, np.float32)
        b = np.asarray(b, np.float32)
        a = a.T if ta else a
        b = b.T if tb else b
        if a.shape[1] != b.shape[0]:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Matrix size incompatible: a: {list(a.shape)}, b: {list(b.shape)}",
            )
        return np.matmul(a, b)

    return kernel


def _sparse_matmul_grad(op, grad):
    t_a, t_b = op._attrs["transpose_a"], op._attrs["transpose_b"]
    a, b = op._inputs
    hints = {id(a): op._attrs["a_is_sparse"], id(b): op._attrs["b_is_sparse"]}
    hints[id(grad)] = grad.op.type == "ReluGrad"

    def product(t1, t2, out_dtype, transpose_a=False, transpose_b=False):
        t1_sparse, t2_sparse = hints.get(id(t1), False), hints.get(id(t2), False)
        if transpose_b:
            t2 = array_ops.transpose(t2)
            transpose_b = False
        prod = matmul(
            t1,
            t2,
            transpose_a=transpose_a,
            transpose_b=transpose_b,
            a_is_sparse=t1_sparse,
            b_is_sparse=t2_sparse,
        )
        return prod if prod.dtype == out_dtype else array_ops.cast(prod, out_dtype)

    da, db = a.dtype, b.dtype
    if not t_a and not t_b:
        return product(grad, b, da, transpose_b=True), product(a, grad, db, transpose_a=True)
    if not t_a and t_b:
        return product(grad, b, da), product(grad, a, db, transpose_a=True)
    if t_a and not t_b:
        return product(b, grad, da, transpose_b=True), product(a, grad, db)
    return (
        product(b, grad, da, transpose_a=True, transpose_b=True),
        product(grad, a, db, transpose_a=True, transpose_b=True),
    )


register_op(
    "SparseMatMul",
    inputs=["a: Ta", "b: Tb"],
    outputs=["product: float"],
    attrs=[
        "transpose_a: bool = false",
        "transpose_b: bool = false",
        "a_is_sparse: bool = false",
        "b_is_sparse: bool = false",
        "Ta: {float, bfloat16} = float",
        "Tb: {float, bfloat16} = float",
    ],
    shape=_matmul_shape,
    make_kernel=_sparse_matmul_kernel,
    grad=_sparse_matmul_grad,
)


def sparse_matmul(
    a,
    b,
    transpose_a: bool = False,
    transpose_b: bool = False,
    a_is_sparse: bool = False,
    b_is_sparse: bool = False,
    name: str | None = None,
) -> Tensor:
    """`a @ b` of float32 or bfloat16 matrices as a float32 SparseMatMul (the sparsity
    hints only choose TF's kernel; the product is the same)."""
    return op_output(
        "SparseMatMul",
        name,
        [a, b],
        {
            "transpose_a": bool(transpose_a),
            "transpose_b": bool(transpose_b),
            "a_is_sparse": bool(a_is_sparse),
            "b_is_sparse": bool(b_is_sparse),
        },
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
    output_type=None,
    grad_a: bool = False,
    grad_b: bool = False,
    name: str | None = None,
) -> Tensor:
    """Matrix product of `a` and `b` (rank 2), optionally transposed."""
    if _lod.is_linear_operator(a) or _lod.is_linear_operator(b):
        return _lod.matmul(
            a, b, transpose_a, transpose_b, adjoint_a, adjoint_b, a_is_sparse, b_is_sparse, name
        )

    g = get_default_graph()
    with g.name_scope(name or "MatMul") as scope:
        if transpose_a and adjoint_a:
            raise ValueError("Only one of transpose_a and adjoint_a can be True.")
        if transpose_b and adjoint_b:
            raise ValueError("Only one of transpose_b and adjoint_b can be True.")
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, dtype_hint=a.dtype._base, name="b")
        ra, rb = a.shape.ndims, b.shape.ndims
        if ra is None or ra > 2 or rb is None or rb > 2:  # TF's rule (unknown rank: batch)
            # BatchMatMulV2 only takes adjoints: a transpose is the adjoint of the conjugate
            if transpose_a:
                a, adjoint_a = conj(a), True
            if transpose_b:
                b, adjoint_b = conj(b), True
            attrs = {"adj_x": adjoint_a, "adj_y": adjoint_b}
            if grad_a:
                attrs["grad_x"] = True
            if grad_b:
                attrs["grad_y"] = True
            return op_output("BatchMatMulV2", scope, [a, b], attrs)
        if adjoint_a:
            a, transpose_a = conj(a), True
        if adjoint_b:
            b, transpose_b = conj(b), True
        sparse_types = (dtypes.float32, dtypes.bfloat16)
        if (a_is_sparse or b_is_sparse) and a.dtype in sparse_types and b.dtype in sparse_types:
            # (TF's rule: the sparsity hints pick SparseMatMul for these types)
            out = sparse_matmul(
                a, b, transpose_a, transpose_b, a_is_sparse, b_is_sparse, name=scope
            )
            if a.dtype == dtypes.bfloat16 and b.dtype == dtypes.bfloat16:
                out = array_ops.cast(out, dtypes.bfloat16)
            return out
        attrs = {"transpose_a": transpose_a, "transpose_b": transpose_b}
        if grad_a:
            attrs["grad_a"] = True
        if grad_b:
            attrs["grad_b"] = True
        return op_output("MatMul", scope, [a, b], attrs)


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

    if _static_matrices(op):
        return kernel  # the shape rule has checked them

    def checked(x, y):
        for k, v in enumerate((x, y)):
            if np.ndim(v) < 2:
                raise errors.InvalidArgumentError(
                    None, None, f"In[{k}] ndims must be >= 2: {np.ndim(v)}"
                )
        try:
            np.broadcast_shapes(np.shape(x)[:-2], np.shape(y)[:-2])
        except ValueError:
            raise errors.InvalidArgumentError(
                None,
                None,
                "In[0] and In[1] must have compatible batch dimensions: "
                f"{_dims_str(x)} vs. {_dims_str(y)}",
            ) from None
        try:
            return kernel(x, y)
        except ValueError:
            raise _matrix_size_incompatible(x, y) from None

    return checked


def _batch_matmul_grad(op, grad):
    x, y = op._inputs
    adj_x, adj_y = op._attrs["adj_x"], op._attrs["adj_y"]
    if not adj_x:
        if not adj_y:
            grad_x = matmul(grad, y, adjoint_a=False, adjoint_b=True, grad_a=True)
            grad_y = matmul(x, grad, adjoint_a=True, adjoint_b=False, grad_b=True)
        else:
            grad_x = matmul(grad, y, adjoint_a=False, adjoint_b=False, grad_a=True)
            grad_y = matmul(grad, x, adjoint_a=True, adjoint_b=False, grad_b=True)
    elif not adj_y:
        grad_x = matmul(y, grad, adjoint_a=False, adjoint_b=True, grad_a=True)
        grad_y = matmul(x, grad, adjoint_a=False, adjoint_b=False, grad_b=True)
    else:
        grad_x = matmul(y, grad, adjoint_a=True, adjoint_b=True, grad_a=True)
        grad_y = matmul(grad, x, adjoint_a=True, adjoint_b=True, grad_b=True)
    sx_static, sy_static = x._shape, y._shape
    may_have_batch = (sx_static.ndims is None or sx_static.ndims > 2) or (
        sy_static.ndims is None or sy_static.ndims > 2
    )
    batch_match = (
        sx_static.ndims is not None
        and sy_static.ndims is not None
        and sx_static[:-2].is_fully_defined()
        and sy_static[:-2].is_fully_defined()
        and sx_static[:-2] == sy_static[:-2]
    )
    if not may_have_batch or batch_match:
        return grad_x, grad_y
    sx = array_ops.shape(x)
    sy = array_ops.shape(y)
    rx, ry = array_ops.broadcast_gradient_args(sx[:-2], sy[:-2])
    grad_x = array_ops.reshape(reduce_sum(grad_x, rx), sx)
    grad_y = array_ops.reshape(reduce_sum(grad_y, ry), sy)
    return grad_x, grad_y


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
    grad=_batch_matmul_grad,
)


# -- reductions -----------------------------------------------------------------------------
def _reduction_shape(op):
    dims = op._inputs[0]._shape._dims
    keep = op._attrs["keep_dims"]
    axes_t = op._inputs[1]
    axes_rank = axes_t._shape._dims
    if axes_rank is not None and len(axes_rank) > 1:
        raise common_shapes.shape_error(
            op, f"Shape must be at most rank 1 but is rank {len(axes_rank)}"
        )
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

        if np_fn is not _sum or not keep_dtype:
            return kernel

        # A small sum (`_sum`'s first case) at once: plans of many tiny ops run thousands.
        # Its values are defaults, not a closure's cells (see lower.make_step). Its result
        # has x's dtype, which is T.
        def small_first(
            x, axes, last=last, nd=np.ndarray, add_reduce=np.add.reduce, keep=keep, kernel=kernel
        ):
            seen, axis = last[0]
            if axes is seen and x.__class__ is nd and x.size < _BLAS_SUM_ROWS:
                try:
                    return add_reduce(x, axis, x.dtype, None, keep)
                except ValueError:
                    pass  # (the kernel raises TF's error)
            return kernel(x, axes)

        return small_first

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


# A float sum over the leading axes of a C-contiguous array of at least this many rows
# runs as one BLAS product (ones @ rows): numpy adds along a leading axis one row at a
# time (a bias gradient's (100352, 32) sum: 4.9 ms, the product 0.17 ms), and the
# product's error grows more slowly with the rows.
_BLAS_SUM_ROWS = 1024


def _leading_rows(x, axis) -> int:
    """The number of rows when `axis` are the leading axes of the big, C-contiguous float
    array `x` (but not all of them), else 0."""
    if type(x) is not np.ndarray or x.size < _BLAS_SUM_ROWS or x.dtype not in _BLAS_FLOATS:
        return 0  # (small sums first: they are the many)
    if not x.flags.c_contiguous:
        return 0
    ndim = x.ndim
    k = len(axis)
    if not 0 < k < ndim or sorted(a % ndim for a in axis) != list(builtins.range(k)):
        return 0
    rows = math.prod(x.shape[:k])
    return rows if rows >= _BLAS_SUM_ROWS and x.size else 0


_BLAS_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _sum(x, axis, keepdims):
    if x.size < _BLAS_SUM_ROWS:  # (small sums first: they are the many)
        return np.add.reduce(x, axis, x.dtype, None, keepdims)
    rows = _leading_rows(x, axis)
    if rows:
        tail = x.shape[len(axis) :]
        total = (np.ones(rows, x.dtype) @ x.reshape(rows, -1)).reshape(tail)
        return total.reshape((1,) * len(axis) + tail) if keepdims else total
    return np.add.reduce(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


def _prod(x, axis, keepdims):
    return np.multiply.reduce(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


def _mean(x, axis, keepdims):
    x = np.asarray(x)
    if x.dtype.kind in "iu":
        n = 1
        for a in axis:
            n *= x.shape[a]
        total = np.sum(x, axis=axis, keepdims=keepdims, dtype=np.int64)
        # TF's integer mean: a wide sum divided with truncation (exact, no float rounding)
        return _truncate_div_int(total, np.int64(max(n, 1))).astype(x.dtype)
    if x.dtype == np.float16:
        return np.mean(x, axis=axis, keepdims=keepdims, dtype=np.float32).astype(np.float16)
    rows = _leading_rows(x, axis)
    if rows:
        return np.true_divide(_sum(x, axis, keepdims), rows, dtype=x.dtype)
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


# -- reduction gradients --------------------------------------------------------------------
def reduced_shape(input_shape, axes):
    """The shape `input_shape` reduced over `axes` with kept dimensions (TF's helper: a
    constant when both are static, else a DynamicStitch)."""
    shape_value = constant_value(input_shape) if isinstance(input_shape, Tensor) else None
    if shape_value is None and not isinstance(input_shape, Tensor):
        shape_value = np.asarray(input_shape)
    if shape_value is not None:
        axes_value = constant_value(axes) if isinstance(axes, Tensor) else np.asarray(axes)
        if axes_value is not None:
            out = np.array(shape_value, dtype=np.int32)
            out[np.array(axes_value, dtype=np.int32)] = 1
            return out
    axes = convert_to_tensor(axes)
    input_rank = array_ops.size(input_shape, out_type=axes.dtype._base)
    axes = (axes + input_rank) % input_rank
    axes_shape = array_ops.shape(axes)
    return array_ops.dynamic_stitch(
        [range(input_rank), axes],
        [input_shape, array_ops.ones(axes_shape, dtype=input_shape.dtype._base)],
    )


# Per graph, (input dims, axes) -> (kept dims, tile multiples) of static Sum gradients. As TF,
# the first computation leaves its shape arithmetic (Maximum, floordiv) in the graph.
_reduced_shape_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _static_reduced_shape(dims: tuple, axes) -> tuple[tuple, tuple]:
    cache = _reduced_shape_cache.setdefault(get_default_graph(), {})
    key = (dims, tuple(np.reshape(axes, -1).tolist()))
    hit = cache.get(key)
    if hit is None:
        kept = tuple(int(d) for d in reduced_shape(np.array(dims, dtype=np.int32), key[1]))
        divisor = maximum(kept, 1)
        tiles = dims // divisor  # built as TF builds it; the value is known statically
        del tiles
        scaling = tuple(d // builtins.max(k, 1) for d, k in zip(dims, kept))
        hit = cache[key] = (kept, scaling)
    return hit


def _sum_grad(op, grad):
    x, axes_t = op._inputs
    dims = x._shape._dims
    if dims is not None:
        axes = constant_value(axes_t)
        if axes is not None:
            rank = len(dims)
            if np.array_equal(axes, np.arange(rank)):
                grad = array_ops.reshape(grad, [1] * rank)
                if None not in dims:
                    input_shape = constant(list(dims), dtype=dtypes.int32)
                else:
                    input_shape = array_ops.shape(x)
                return [array_ops.tile(grad, input_shape), None]
            if None not in dims:
                kept, tile_scaling = _static_reduced_shape(dims, axes)
                grad = array_ops.reshape(grad, list(kept))
                return [array_ops.tile(grad, list(tile_scaling)), None]
    input_shape = array_ops.shape(x)
    if not op._attrs["keep_dims"]:
        with get_default_graph().colocate_with(input_shape._op):
            output_shape_kept_dims = reduced_shape(input_shape, axes_t)
        grad = array_ops.reshape(grad, output_shape_kept_dims)
    return [array_ops.broadcast_to(grad, input_shape), None]


def _min_or_max_grad(op, grad):
    x, axes_t = op._inputs
    input_shape = array_ops.shape(x)
    y = op._outputs[0]
    if not op._attrs["keep_dims"]:
        output_shape_kept_dims = reduced_shape(input_shape, axes_t)
        y = array_ops.reshape(y, output_shape_kept_dims)
        grad = array_ops.reshape(grad, output_shape_kept_dims)
    else:
        output_shape_kept_dims = array_ops.shape(y)
    indicators = array_ops.cast(equal(y, x), grad.dtype._base)
    num_selected = array_ops.reshape(reduce_sum(indicators, axes_t), output_shape_kept_dims)
    return [divide(indicators, num_selected) * grad, None]


def _mean_grad(op, grad):
    sum_grad = _sum_grad(op, grad)[0]
    in_dims = op._inputs[0]._shape._dims
    out_dims = op._outputs[0]._shape._dims
    if (
        in_dims is not None
        and out_dims is not None
        and None not in in_dims
        and None not in out_dims
    ):
        factor = int(np.prod(in_dims, dtype=np.int64)) // builtins.max(
            int(np.prod(out_dims, dtype=np.int64)), 1
        )
        factor = constant(factor, dtype=sum_grad.dtype._base)
    else:
        input_shape = array_ops.shape(op._inputs[0])
        input_rank = array_ops.size(input_shape)
        axes = array_ops.cast(op._inputs[1], input_rank.dtype._base)
        axes = (axes + input_rank) % input_rank
        factor = reduce_prod(array_ops.gather(input_shape, axes))
    return truediv(sum_grad, array_ops.cast(factor, sum_grad.dtype._base)), None


def _prod_grad(op, grad):
    x = op._inputs[0]
    input_shape = array_ops.shape(x)
    reduction_indices = array_ops.reshape(op._inputs[1], [-1])
    if not op._attrs["keep_dims"]:
        output_shape_kept_dims = reduced_shape(input_shape, op._inputs[1])
        grad = array_ops.reshape(grad, output_shape_kept_dims)
    grad = array_ops.broadcast_to(grad, input_shape)
    g = get_default_graph()
    with g.device("/cpu:0"):
        rank = array_ops.rank(x)
        reduction_indices = array_ops.cast(reduction_indices, rank.dtype._base)
        reduced = (reduction_indices + rank) % rank
        idx = range(0, rank)
        other, _ = array_ops.list_diff(idx, reduced, reduced.dtype._base)
        perm = array_ops.concat([reduced, other], 0)
        reduced_num = reduce_prod(array_ops.gather(input_shape, reduced))
        other_num = reduce_prod(array_ops.gather(input_shape, other))
    permuted = array_ops.transpose(x, perm)
    permuted_shape = array_ops.shape(permuted)
    reshaped = array_ops.reshape(permuted, (reduced_num, other_num))
    left = cumprod(reshaped, axis=0, exclusive=True)
    right = cumprod(reshaped, axis=0, exclusive=True, reverse=True)
    y = array_ops.reshape(conj(left) * conj(right), permuted_shape)
    out = grad * array_ops.transpose(y, array_ops.invert_permutation(perm))
    return array_ops.reshape(out, input_shape), None


_REDUCTION_GRADS = {
    "Sum": _sum_grad,
    "Prod": _prod_grad,
    "Mean": _mean_grad,
    "Max": _min_or_max_grad,
    "Min": _min_or_max_grad,
}


def _sum_small_form(op, known: dict):
    """The ufunc's reduce over constant axes: the kernel's small sums (`_sum`'s first
    case), in T (the input's dtype)."""
    if 1 not in known:
        return None
    axis = _axes_tuple(known[1])
    dtype = op._attrs["T"].np_dtype
    keep = op._attrs["keep_dims"]
    args = (("in", 0), ("value", axis), ("value", dtype), ("value", None), ("value", keep))
    return np.add.reduce, _BLAS_SUM_ROWS, args


for _name, (_fn, _types) in _REDUCTIONS.items():
    register_op(
        _name,
        inputs=["input: T", "reduction_indices: Tidx"],
        outputs=["output: T"],
        attrs=["keep_dims: bool = false", f"T: {_types}", "Tidx: {int32, int64} = int32"],
        shape=_reduction_shape,
        make_kernel=_make_reduction(_fn),
        grad=_REDUCTION_GRADS[_name],
        small_form=_sum_small_form if _name == "Sum" else None,
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
            try:
                axis = int(axis)
            except TypeError:
                raise errors.InvalidArgumentError(
                    None,
                    None,
                    "dim must be a scalar, but received tensor of shape: " + _dims_str(axis),
                ) from None
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


def arg_max(input, dimension, output_type=dtypes.int64, name=None) -> Tensor:
    """TF1's deprecated `tf.arg_max` (the raw op's signature): `argmax` along
    `dimension`."""
    return _arg_reduce("ArgMax", input, dimension, name, None, output_type)


def arg_min(input, dimension, output_type=dtypes.int64, name=None) -> Tensor:
    """TF1's deprecated `tf.arg_min`: `argmin` along `dimension`."""
    return _arg_reduce("ArgMin", input, dimension, name, None, output_type)


# -- Cumsum, Cumprod ------------------------------------------------------------------------
def _make_scan_kernel(np_fn, identity: int):
    def make(op, ctx):
        exclusive, reverse = op._attrs["exclusive"], op._attrs["reverse"]
        np_dtype = op._attrs["T"].np_dtype

        def kernel(x, axis):
            x = np.asarray(x)
            try:
                axis = int(axis)
            except TypeError:
                raise errors.InvalidArgumentError(
                    None, None, "ScanOp: axis must be a scalar, not " + _dims_str(axis)
                ) from None
            r = x.ndim
            a = axis + r if axis < 0 else axis
            if not 0 <= a < r:
                raise errors.InvalidArgumentError(
                    None, op, f"ScanOp: Expected scan axis in the range [{-r}, {r}), but got {a}"
                )
            if reverse:
                x = np.flip(x, a)
            out = np_fn(x, axis=a, dtype=np_dtype)
            if exclusive:
                out = np.roll(out, 1, axis=a)
                out[(builtins.slice(None),) * a + (0,)] = identity
            if reverse:
                out = np.flip(out, a)
            return out

        return kernel

    return make


def _cumsum_grad(op, grad):
    axis = op._inputs[1]
    exclusive, reverse = op._attrs["exclusive"], op._attrs["reverse"]
    return [cumsum(grad, axis, exclusive=exclusive, reverse=not reverse), None]


def _cumprod_grad(op, grad):
    x, axis = op._inputs
    exclusive, reverse = op._attrs["exclusive"], op._attrs["reverse"]
    prod = cumprod(x, axis, exclusive=exclusive, reverse=reverse)
    out = cumsum(prod * grad, axis, exclusive=exclusive, reverse=not reverse)
    return [div_no_nan(out, x), None]


for _name, _fn, _identity, _grad in (
    ("Cumsum", np.cumsum, 0, _cumsum_grad),
    ("Cumprod", np.cumprod, 1, _cumprod_grad),
):
    register_op(
        _name,
        inputs=["x: T", "axis: Tidx"],
        outputs=["out: T"],
        attrs=[
            "exclusive: bool = false",
            "reverse: bool = false",
            f"T: {_NUM}",
            "Tidx: {int32, int64} = int32",
        ],
        shape=common_shapes.unchanged_shape,
        make_kernel=_make_scan_kernel(_fn, _identity),
        grad=_grad,
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


def cumprod(
    x, axis=0, exclusive: bool = False, reverse: bool = False, name: str | None = None
) -> Tensor:
    """Cumulative product of `x` along `axis` (`exclusive` starts at 1; `reverse` from
    the end)."""
    g = get_default_graph()
    with g.name_scope(name or "Cumprod") as scope:
        x = convert_to_tensor(x, name="x")
        return op_output("Cumprod", scope, [x, axis], {"exclusive": exclusive, "reverse": reverse})


# -- UnsortedSegmentSum; IndexedSlices as dense tensors ---------------------------------------
def _unsorted_segment_sum_shape(op):
    data, ids, _ = (t._shape for t in op._inputs)
    n = constant_value(op._inputs[2])
    n = None if n is None else int(n)
    if data._dims is None or ids._dims is None:
        return [UNKNOWN]
    return [TensorShape._from_tuple((n,) + data._dims[len(ids._dims) :])]


def _unsorted_segment_sum_kernel(op, ctx):
    def kernel(data, segment_ids, num_segments):
        data = np.asarray(data)
        ids = np.asarray(segment_ids)
        if np.ndim(num_segments):
            raise errors.InvalidArgumentError(
                None,
                None,
                f"num_segments should be a scalar, not shape {_dims_str(num_segments)}",
            )
        n = int(num_segments)
        if ids.shape != data.shape[: ids.ndim]:
            raise errors.InvalidArgumentError(
                None,
                op,
                "data.shape = [" + ",".join(map(str, data.shape)) + "] does not start with "
                "segment_ids.shape = [" + ",".join(map(str, ids.shape)) + "]",
            )
        tail = data.shape[ids.ndim :]
        flat_ids = ids.reshape(-1)
        flat = data.reshape((flat_ids.size,) + tail)
        if flat_ids.size and flat_ids.max() >= n:
            bad = int(np.argmax(flat_ids >= n))
            raise errors.InvalidArgumentError(
                None,
                op,
                f"segment_ids[{bad}] = {int(flat_ids[bad])} is out of range [0, {n})",
            )
        out = np.zeros((n,) + tail, dtype=data.dtype)
        keep = flat_ids >= 0
        if not keep.all():
            flat_ids, flat = flat_ids[keep], flat[keep]
        np.add.at(out, flat_ids, flat)
        return out

    return kernel


def _gather_drop_negatives(params, ids, zero_clipped_indices=None, is_positive=None):
    """`gather(params, ids)` with rows for negative ids set to zero (TF's helper)."""
    if zero_clipped_indices is None:
        zero_clipped_indices = maximum(ids, array_ops.zeros_like(ids))
    gathered = array_ops.gather(params, zero_clipped_indices)
    if is_positive is None:
        is_positive = greater_equal(ids, 0)
        is_positive_shape = array_ops.shape(is_positive)
        broadcastable_shape = array_ops.concat(
            [
                is_positive_shape,
                array_ops.ones(
                    [array_ops.rank(gathered) - array_ops.rank(is_positive)],
                    dtype=is_positive_shape.dtype._base,
                ),
            ],
            axis=0,
        )
        is_positive = array_ops.reshape(is_positive, broadcastable_shape)
        is_positive = is_positive & array_ops.ones_like(gathered, dtype=dtypes.bool)  # 'and'
    zero_slice = array_ops.zeros_like(gathered)
    return array_ops.where_v2(is_positive, gathered, zero_slice), zero_clipped_indices, is_positive


def _unsorted_segment_sum_grad(op, grad):
    return _gather_drop_negatives(grad, op._inputs[1])[0], None, None


register_op(
    "UnsortedSegmentSum",
    inputs=["data: T", "segment_ids: Tindices", "num_segments: Tnumsegments"],
    outputs=["output: T"],
    attrs=[f"T: {_NUM}", "Tindices: {int16, int32, int64}", "Tnumsegments: {int32, int64} = int32"],
    shape=_unsorted_segment_sum_shape,
    make_kernel=_unsorted_segment_sum_kernel,
    grad=_unsorted_segment_sum_grad,
)


def unsorted_segment_sum(data, segment_ids, num_segments, name: str | None = None) -> Tensor:
    """`output[i] = sum(data[j] for j with segment_ids[j] == i)`; negative ids are dropped."""
    return op_output("UnsortedSegmentSum", name, [data, segment_ids, num_segments])


def _indexed_slices_to_tensor(value, dtype=None, name=None, as_ref=False):
    """Densifies an IndexedSlices (TF's conversion: an UnsortedSegmentSum of its rows)."""
    if dtype is not None and not dtypes.as_dtype(dtype).is_compatible_with(value.dtype):
        raise ValueError(
            f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} for IndexedSlices "
            f"with dtype {value.dtype.name}"
        )
    if value.dense_shape is None:
        raise ValueError(
            f"Tensor conversion requested for IndexedSlices without dense_shape: {value}"
        )
    return unsorted_segment_sum(value.values, value.indices, value.dense_shape[0], name=name)


def _register_indexed_slices_conversion() -> None:
    from tfgraph.framework.convert import register_tensor_conversion_function
    from tfgraph.framework.indexed_slices import IndexedSlices

    register_tensor_conversion_function(IndexedSlices, _indexed_slices_to_tensor)


_register_indexed_slices_conversion()


# -- clip_by_value --------------------------------------------------------------------------
def clip_by_value(t, clip_value_min, clip_value_max, name: str | None = None) -> Tensor:
    """`t` with values below `clip_value_min` / above `clip_value_max` clipped (TF's
    Minimum-then-Maximum subgraph). An IndexedSlices is clipped on its values (each
    row as given, duplicates not summed) and stays one."""
    from tfgraph.framework.indexed_slices import IndexedSlices

    g = get_default_graph()
    with g.name_scope(name or "clip_by_value") as scope:
        values = convert_to_tensor(t.values if isinstance(t, IndexedSlices) else t, name="t")
        t_min = minimum(values, clip_value_max)
        values.shape.assert_is_compatible_with(t_min.shape)
        t_max = maximum(t_min, clip_value_min, name=scope)
        values.shape.assert_is_compatible_with(t_max.shape)
        if isinstance(t, IndexedSlices):
            return IndexedSlices(t_max, t.indices, t.dense_shape)  # type: ignore[return-value]
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
            free_dims_static = None
            shape_t = array_ops.shape(x)
            rank_x = array_ops.rank(x)
            axes = convert_to_tensor(axes, dtype=dtypes.int32, name="axes")
            axes = array_ops.where(axes >= 0, axes, axes + rank_x)
            free, _ = array_ops.list_diff(range(rank_x), axes, dtypes.int32)
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
            rank_x = array_ops.rank(x)
            return (
                range(rank_x - axes, rank_x, dtype=dtypes.int32),
                range(axes, dtype=dtypes.int32),
            )
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
        axes = convert_to_tensor(axes, name="axes", dtype=dtypes.int32)
        return axes[0], axes[1]

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
def _range_problem(start, limit, delta) -> str | None:
    """What TF's Range says is wrong with these bounds (None if nothing)."""
    if delta == 0:
        return "Requires delta != 0"
    if delta > 0 and start > limit:
        return f"Requires start <= limit when delta > 0: {_num(start)}/{_num(limit)}"
    if delta < 0 and start < limit:
        return f"Requires start >= limit when delta < 0: {_num(start)}/{_num(limit)}"
    return None


def _num(v) -> str:
    """A number as TF's C++ stream prints it (2.0 -> 2, 0.5 -> 0.5)."""
    return f"{v:g}" if isinstance(v, float) else str(v)


def _range_shape(op):
    vals = [constant_value(t) for t in op._inputs]
    if any(v is None for v in vals):
        return [TensorShape._from_tuple((None,))]
    start, limit, delta = (v.item() for v in vals)
    problem = _range_problem(start, limit, delta)
    if problem is not None:
        raise common_shapes.shape_error(op, problem)
    n = max(0, int(np.ceil((limit - start) / delta)))
    return [TensorShape._from_tuple((n,))]


def _range_kernel(op, ctx):
    np_dtype = op._attrs["Tidx"].np_dtype

    def kernel(start, limit, delta):
        try:
            out = np.arange(start, limit, delta, dtype=np_dtype)
        except (TypeError, ValueError, ZeroDivisionError):
            out = None
        if out is None or (not out.size and start != limit):  # (a bad range, or no scalar)
            for name, v in (("start", start), ("limit", limit), ("delta", delta)):
                if np.ndim(v) != 0:
                    raise errors.InvalidArgumentError(
                        None,
                        None,
                        f"{name} must be a scalar, not shape {_dims_str(v)}",
                    )
            if delta == 0:
                raise errors.InvalidArgumentError(
                    None, None, f"Requires delta != 0: {_num(delta.item())}"
                )
            problem = _range_problem(start.item(), limit.item(), delta.item())
            if problem is not None:
                raise errors.InvalidArgumentError(None, None, problem)
            if out is None:
                out = np.arange(start, limit, delta, dtype=np_dtype)
        return out

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
        # As TF: Python values convert with `dtype`, tensors keep theirs and are cast.
        if not isinstance(start, Tensor):
            start = convert_to_tensor(start, dtype=dtype, name="start")
        if not isinstance(limit, Tensor):
            limit = convert_to_tensor(limit, dtype=dtype, name="limit")
        if not isinstance(delta, Tensor):
            delta = convert_to_tensor(delta, dtype=dtype, name="delta")
        inferred = dtype or max(
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


def _overload(op_type_or_fn, scope_name: str, general=None):
    """The forward and reflected operator methods: a plain op type builds that op
    directly when both sides are Tensors, else through `general` (when given) or a
    converting call; a function is called within the operator's name scope."""
    simple = isinstance(op_type_or_fn, str)
    if simple:
        op_type = op_type_or_fn

        def func(x, y, name):
            return op_output(op_type, name, [x, y])

        if general is not None:
            func = general
    else:
        func = op_type_or_fn

    def binary(self, other):
        if simple and other.__class__ is Tensor:
            return op_output(op_type, scope_name, [self, other])
        g = self._op._graph
        with g.name_scope(scope_name) as scope:
            try:
                return func(self, other, scope)
            except (TypeError, ValueError):
                result = dispatch.dispatch_operator(scope_name, self, other, name=scope)
                if result is not dispatch.NOT_DISPATCHED:  # (an ExtensionType `other`)
                    return result
                # (as TF: `other`'s reflected operator, a RaggedTensor's say, may take it)
                r_op = getattr(type(other), f"__r{scope_name}__", None)
                if r_op is None or not hasattr(other, "_tfgraph_feed_components"):
                    raise
                return r_op(other, self)

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


def _boolean_or_bitwise(logical, bitwise):
    """`&`, `|`, `^` as TF dispatches them: logical ops on bools, bitwise on integers."""

    def func(x, y, name):
        if x.dtype._base is dtypes.bool:
            return logical(x, y, name=name)
        return bitwise(x, y)

    return func


def _invert(x):
    """`~x`: LogicalNot on bools, bitwise Invert on integers, as TF."""
    if x.dtype._base is dtypes.bool:
        return logical_not(x)
    return bitwise_ops.invert(x)


def _mul_func(x, y, name):
    """`x * y`; a SparseTensor `y` gives a SparseTensor (TF's _mul_dispatch)."""
    from tfgraph.framework.sparse_tensor import SparseTensor

    if isinstance(y, SparseTensor):
        from tfgraph.ops.sparse_ops import dense_times_sparse

        return dense_times_sparse(x, y, name)
    return op_output("Mul", name, [x, y])


_GENERAL = {"mul": _mul_func}

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
    ("and", _boolean_or_bitwise(logical_and, bitwise_ops.bitwise_and), "and"),
    ("or", _boolean_or_bitwise(logical_or, bitwise_ops.bitwise_or), "or"),
    ("xor", _boolean_or_bitwise(_logical_xor_func, bitwise_ops.bitwise_xor), "xor"),
):
    _fwd, _rev = _overload(_op, _scope, _GENERAL.get(_dunder))
    Tensor._override_operator(f"__{_dunder}__", _fwd)
    Tensor._override_operator(f"__r{_dunder}__", _rev)

for _dunder, _op_type in (
    ("lt", "Less"),
    ("le", "LessEqual"),
    ("gt", "Greater"),
    ("ge", "GreaterEqual"),
):

    def _cmp(self, other, _op_type=_op_type):
        if other.__class__ is not Tensor and hasattr(other, "_tfgraph_components"):
            result = dispatch.dispatch_operator(_op_type, self, other)  # (an ExtensionType)
            if result is not dispatch.NOT_DISPATCHED:
                return result
        return _binary(_op_type)(self, other)

    Tensor._override_operator(f"__{_dunder}__", _cmp)

Tensor._override_operator("__neg__", lambda self: negative(self))
Tensor._override_operator("__abs__", lambda self: abs(self))
Tensor._override_operator("__invert__", _invert)


# -- ClipByValue (the op; tf.clip_by_value builds TF's Minimum/Maximum subgraph) ----------
def _clip_by_value_kernel(op, ctx):
    def kernel(t, lo, hi):
        t, lo, hi = np.asarray(t), np.asarray(lo), np.asarray(hi)
        for bound, name in ((lo, "clip_value_min"), (hi, "clip_value_max")):
            if bound.ndim and bound.shape != t.shape:
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"{name} and t must have the same shape or {name} must be a scalar. "
                    f"t shape: [{','.join(map(str, t.shape))}] {name} shape: "
                    f"[{','.join(map(str, bound.shape))}]",
                )
        return np.minimum(np.maximum(t, lo), hi).astype(t.dtype, copy=False)

    return kernel


def _clip_by_value_grad(op, grad):
    x, y, z = op.inputs
    sx, sy, sz = array_ops.shape(x), array_ops.shape(y), array_ops.shape(z)
    zeros = array_ops.zeros(array_ops.shape(grad), grad.dtype)
    xymask = less(x, y)
    xzmask = greater(x, z)
    _, ry = array_ops.broadcast_gradient_args(sx, sy)
    _, rz = array_ops.broadcast_gradient_args(sx, sz)
    xgrad = array_ops.where(logical_or(xymask, xzmask), zeros, grad)
    ygrad = array_ops.where(xymask, grad, zeros)
    zgrad = array_ops.where(xzmask, grad, zeros)
    gy = array_ops.reshape(reduce_sum(ygrad, ry), sy)
    gz = array_ops.reshape(reduce_sum(zgrad, rz), sz)
    return xgrad, gy, gz


register_op(
    "ClipByValue",
    inputs=["t: T", "clip_value_min: T", "clip_value_max: T"],
    outputs=["output: T"],
    attrs=["T: numbertype"],
    shape=lambda op: [op._inputs[0]._shape],
    make_kernel=_clip_by_value_kernel,
    grad=_clip_by_value_grad,
)


def saturate_cast(value, dtype, name=None) -> Tensor:
    """`value` cast to `dtype`, clamped first to the range `dtype` can hold."""
    g = get_default_graph()
    with g.name_scope(name or "saturate_cast") as scope:
        value = convert_to_tensor(value, name="value")
        dtype = dtypes.as_dtype(dtype)._base
        in_dtype = value.dtype._base
        if in_dtype.is_complex:
            if dtype.is_complex:
                rin, rout = in_dtype.real_dtype, dtype.real_dtype
                if rin.min < rout.min or rin.max > rout.max:
                    value = op_output(
                        "ClipByValue",
                        "clamp",
                        [
                            value,
                            convert_to_tensor(complex(rout.min, rout.min), dtype=in_dtype),
                            convert_to_tensor(complex(rout.max, rout.max), dtype=in_dtype),
                        ],
                    )
                return array_ops.cast(value, dtype, name=scope)
            value = real(value)
            in_dtype = in_dtype.real_dtype
        out_real = dtype.real_dtype
        np_dtype = in_dtype.np_dtype.type
        try:
            promoted_type = np.promote_types(in_dtype.np_dtype, out_real.np_dtype)
        except TypeError:
            promoted_type = np.dtype(float)
        min_limit = np_dtype(np.maximum(in_dtype.min, out_real.min))
        promoted = np.array([min_limit, out_real.min], dtype=promoted_type)
        if promoted[0] < promoted[1]:
            min_limit = np.nextafter(min_limit, np_dtype(0), dtype=np_dtype)
        max_limit = np_dtype(np.minimum(float(in_dtype.max), float(out_real.max)))
        promoted = np.array([max_limit, out_real.max], dtype=promoted_type)
        if promoted[0] > promoted[1]:
            max_limit = np.nextafter(max_limit, np_dtype(0), dtype=np_dtype)
        value = op_output(
            "ClipByValue",
            "clamp",
            [
                value,
                convert_to_tensor(min_limit, dtype=in_dtype),
                convert_to_tensor(max_limit, dtype=in_dtype),
            ],
        )
        return array_ops.cast(value, dtype, name=scope)


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The variance of `input_tensor`'s elements along `axis` (mean squared deviation)."""
    with get_default_graph().name_scope(name or "reduce_variance"):
        input_tensor = convert_to_tensor(input_tensor)
        means = reduce_mean(input_tensor, axis=axis, keepdims=True)
        if means.dtype.is_integer:
            raise TypeError(
                f"Input must be either real or complex. Received integer type {means.dtype}."
            )
        diff = input_tensor - means
        if diff.dtype.is_complex:
            squared = real(multiply(conj(diff), diff))
        else:
            squared = square(diff)
        return reduce_mean(squared, axis=axis, keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The standard deviation of `input_tensor`'s elements along `axis`."""
    with get_default_graph().name_scope(name or "reduce_std"):
        input_tensor = convert_to_tensor(input_tensor)
        return sqrt(reduce_variance(input_tensor, axis=axis, keepdims=keepdims))


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def argmax_v2(input, axis=None, output_type=dtypes.int64, name=None):
    """TF2's `tf.math.argmax` (no `dimension`; `output_type` before `name`)."""
    return argmax(input, axis=axis, name=name, output_type=output_type)


def argmin_v2(input, axis=None, output_type=dtypes.int64, name=None):
    """TF2's `tf.math.argmin` (no `dimension`; `output_type` before `name`)."""
    return argmin(input, axis=axis, name=name, output_type=output_type)


def _reduce_v2(reduce_v1):
    def reduce_v2(input_tensor, axis=None, keepdims=False, name=None):
        return reduce_v1(input_tensor, axis=axis, keepdims=keepdims, name=name)

    reduce_v2.__name__ = reduce_v2.__qualname__ = reduce_v1.__name__ + "_v2"
    reduce_v2.__doc__ = f"TF2's `tf.math.{reduce_v1.__name__}`: keepdims=False, no keep_dims."
    return reduce_v2


reduce_all_v2 = _reduce_v2(reduce_all)
reduce_any_v2 = _reduce_v2(reduce_any)
reduce_logsumexp_v2 = _reduce_v2(reduce_logsumexp)
reduce_max_v2 = _reduce_v2(reduce_max)
reduce_mean_v2 = _reduce_v2(reduce_mean)
reduce_min_v2 = _reduce_v2(reduce_min)
reduce_prod_v2 = _reduce_v2(reduce_prod)
reduce_sum_v2 = _reduce_v2(reduce_sum)


def count_nonzero_v2(input, axis=None, keepdims=None, dtype=dtypes.int64, name=None):
    """TF2's `tf.math.count_nonzero` (first parameter `input`)."""
    return count_nonzero(input, axis=axis, keepdims=keepdims, dtype=dtype, name=name)

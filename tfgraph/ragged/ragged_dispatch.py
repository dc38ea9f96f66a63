"""Dispatch of TF's elementwise and reduction APIs for RaggedTensor arguments.

TF routes `tf.math.exp(rt)`, `tf.add(rt, 1)`, `tf.reduce_sum(rt, axis=1)` ... to its
ragged implementations through its dispatch decorators. tfgraph's public functions
have no such hook, so `install()` wraps the public namespace entries (tfgraph,
tfgraph.math, tfgraph.nn) once: a call with a RaggedTensor argument goes to the ragged
implementation, any other call straight to the original function. One wrapper per
function keeps `tf.add is tf.math.add`.

Elementwise ops apply to the flat values: unary ops as `rt.with_flat_values(op(...))`;
binary ops on two RaggedTensors with the same row partitions (checked with
assert_equal when they are not the same tensors), or on a RaggedTensor and a dense
tensor that broadcasts against its flat values (or has size-1 ragged dimensions).
"""

from __future__ import annotations

import functools
import inspect

from tfgraph.framework.graph import control_dependencies
from tfgraph.ops import array_ops, check_ops
from tfgraph.ragged import ragged_math_ops
from tfgraph.ragged.ragged_tensor import (
    RaggedTensor,
    convert_to_tensor_or_ragged_tensor,
    is_ragged,
    match_row_splits_dtypes,
)

__all__ = ["binary_elementwise", "install", "ragged_map", "unary_elementwise"]

UNARY = [
    "abs",
    "acos",
    "acosh",
    "angle",
    "asin",
    "asinh",
    "atan",
    "atanh",
    "ceil",
    "conj",
    "cos",
    "cosh",
    "digamma",
    "erf",
    "erfc",
    "erfinv",
    "exp",
    "expm1",
    "floor",
    "imag",
    "is_finite",
    "is_inf",
    "is_nan",
    "lgamma",
    "log",
    "log1p",
    "log_sigmoid",
    "logical_not",
    "negative",
    "real",
    "reciprocal",
    "rint",
    "round",
    "rsqrt",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "softplus",
    "sqrt",
    "square",
    "tan",
    "tanh",
    "ndtri",
    "bessel_i0",
    "bessel_i0e",
    "bessel_i1",
    "bessel_i1e",
    "cast",
    "saturate_cast",
    "to_float",
    "to_double",
    "to_int32",
    "to_int64",
    "ones_like",
    "zeros_like",
    "clip_by_value",
    "check_numerics",
    "relu",
    "relu6",
    "elu",
    "selu",
    "leaky_relu",
    "softsign",
]
BINARY = [
    "add",
    "subtract",
    "multiply",
    "divide",
    "truediv",
    "div",
    "floordiv",
    "floormod",
    "maximum",
    "minimum",
    "pow",
    "squared_difference",
    "equal",
    "not_equal",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "logical_and",
    "logical_or",
    "logical_xor",
    "atan2",
    "div_no_nan",
    "mod",
    "xdivy",
    "xlogy",
    "xlog1py",
    "multiply_no_nan",
    "divide_no_nan",
    "igamma",
    "igammac",
    "zeta",
    "polygamma",
    "nextafter",
    "realdiv",
    "truncatediv",
    "truncatemod",
]
# tf.strings / tf.* string functions whose first argument may be ragged (TF1 dispatches
# these as unary elementwise ops; not to_number, encode_base64 or decode_base64).
STRING_UNARY = [
    "length", "lower", "upper", "strip", "substr", "to_hash_bucket", "to_hash_bucket_fast",
    "to_hash_bucket_strong", "regex_replace", "regex_full_match", "as_string",
    "string_to_hash_bucket", "string_to_hash_bucket_fast", "string_to_hash_bucket_strong",
    "unicode_script", "unicode_transcode",
]  # fmt: skip
# Applied to every component (flat values, then each row_splits), as TF's composite
# identity.
COMPONENTWISE = ["identity", "stop_gradient"]
REDUCE = [
    "reduce_sum",
    "reduce_prod",
    "reduce_min",
    "reduce_max",
    "reduce_mean",
    "reduce_variance",
    "reduce_std",
    "reduce_all",
    "reduce_any",
]

_WRAPPED: dict[int, object] = {}


def _first_params(fn, n: int) -> list[str]:
    try:
        return list(inspect.signature(fn).parameters)[:n]
    except (TypeError, ValueError):
        return []


def _take(args, kwargs, names):
    """The first len(names) arguments (positional or by keyword) and the rest."""
    args = list(args)
    taken = []
    for name in names:
        if args:
            taken.append(args.pop(0))
        else:
            taken.append(kwargs.pop(name))
    return taken, args, kwargs


def unary_elementwise(fn, x, *args, **kwargs):
    x = convert_to_tensor_or_ragged_tensor(x)
    return x.with_flat_values(fn(x.flat_values, *args, **kwargs))


def componentwise(fn, x, *args, **kwargs):
    x = convert_to_tensor_or_ragged_tensor(x)
    flat = fn(x.flat_values, *args, **kwargs)
    splits = [fn(s, *args, **kwargs) for s in x.nested_row_splits]
    return RaggedTensor.from_nested_row_splits(flat, splits, validate=False)


def _same_partitions(x, y) -> bool:
    return x.ragged_rank == y.ragged_rank and all(
        a is b for a, b in zip(x._nested_row_partitions, y._nested_row_partitions)
    )


def _shape_of(rt) -> None:
    """The flat values' shape in the partition dtype (TF's DynamicRaggedShape.from_tensor
    builds it, and leaves it unused when both sides share their row partitions)."""
    array_ops.cast(array_ops.shape(rt.flat_values), rt._row_partition.dtype)


def _dense_against_ragged(rt, dense):
    """`dense` (rank >= rank of rt's flat values) as values aligned with rt's flat values:
    its ragged dimensions must have size 1 (or be broadcast), its leading one nrows or 1."""
    rank = dense.shape.ndims
    if rank is None or rt.ragged_rank != 1 or rank != rt.shape.ndims:
        raise ValueError(
            "tfgraph broadcasts a dense tensor against a RaggedTensor only when the dense "
            "tensor's rank is below the rank of the ragged tensor's flat_values, or for "
            "ragged_rank 1 with a size-1 ragged dimension"
        )
    dims = dense.shape.as_list()
    if dims[1] not in (1, None):
        raise ValueError(
            f"Unable to broadcast: dimension size mismatch in dimension 1; lengths={dims[1]}"
        )
    squeezed = array_ops.squeeze(dense, axis=[1])
    if dims[0] == 1:
        return squeezed
    return array_ops.gather(squeezed, rt.value_rowids())


def binary_elementwise(fn, x, y, *args, **kwargs):
    x_ragged, y_ragged = is_ragged(x), is_ragged(y)
    x = convert_to_tensor_or_ragged_tensor(x, preferred_dtype=y.dtype if y_ragged else None)
    y = convert_to_tensor_or_ragged_tensor(y, preferred_dtype=x.dtype)
    if x_ragged and y_ragged:
        x, y = match_row_splits_dtypes(x, y)
        if x.ragged_rank != y.ragged_rank:
            raise ValueError(
                "tfgraph applies binary ops to two RaggedTensors only when they have the same "
                f"ragged_rank (got {x.ragged_rank} and {y.ragged_rank})"
            )
        if _same_partitions(x, y):
            _shape_of(x)
            _shape_of(y)
        else:
            checks = [
                check_ops.assert_equal(a, b, message="Inputs must have identical ragged splits")
                for a, b in zip(x.nested_row_splits, y.nested_row_splits)
            ]
            with control_dependencies(checks):
                yv = array_ops.identity(y.flat_values)
            return x.with_flat_values(fn(x.flat_values, yv, *args, **kwargs))
        return x.with_flat_values(fn(x.flat_values, y.flat_values, *args, **kwargs))
    rt, dense = (x, y) if x_ragged else (y, x)
    if dense.shape.ndims is not None and dense.shape.ndims >= rt.flat_values.shape.ndims:
        dense = _dense_against_ragged(rt, dense)
    xv = x.flat_values if x_ragged else dense
    yv = y.flat_values if y_ragged else dense
    return rt.with_flat_values(fn(xv, yv, *args, **kwargs))


def ragged_map(fn, *args, **kwargs):
    """`fn` on the flat values (binary when two arguments are given)."""
    if len(args) == 2:
        if is_ragged(args[0]) or is_ragged(args[1]):
            return binary_elementwise(fn, *args, **kwargs)
        return fn(*args, **kwargs)
    if is_ragged(args[0]):
        return unary_elementwise(fn, *args, **kwargs)
    return fn(*args, **kwargs)


def _reduce(
    fn_ragged,
    input_tensor,
    axis=None,
    keepdims=None,
    name=None,
    reduction_indices=None,
    keep_dims=None,
):
    if reduction_indices is not None:
        axis = reduction_indices
    if keep_dims is not None:
        keepdims = keep_dims
    return fn_ragged(input_tensor, axis=axis, keepdims=keepdims, name=name)


def _wrap(fn, kind: str):
    key = id(fn)
    if key in _WRAPPED:
        return _WRAPPED[key]
    if getattr(fn, "_tfgraph_ragged_original", None) is not None:
        return fn
    n = 2 if kind == "binary" else 1
    names = _first_params(fn, n)
    if len(names) < n:
        return fn
    ragged_impl = getattr(ragged_math_ops, fn.__name__, None) if kind == "reduce" else None

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        head = list(args[:n]) + [kwargs.get(k) for k in names[len(args[:n]) :]]
        if not any(isinstance(a, RaggedTensor) or is_ragged(a) for a in head):
            return fn(*args, **kwargs)
        if kind == "reduce":
            return _reduce(ragged_impl, *args, **kwargs)
        taken, rest, kw = _take(args, dict(kwargs), names)
        if kind == "binary":
            return binary_elementwise(fn, *taken, *rest, **kw)
        if kind == "components":
            return componentwise(fn, *taken, *rest, **kw)
        return unary_elementwise(fn, *taken, *rest, **kw)

    wrapper._tfgraph_ragged_original = fn  # type: ignore[attr-defined]
    _WRAPPED[key] = wrapper
    return wrapper


def install(*modules) -> None:
    """Wraps the UNARY/BINARY/REDUCE entries of `modules` for ragged arguments."""
    for module in modules:
        kinds = (
            ("unary", UNARY + STRING_UNARY),
            ("binary", BINARY),
            ("reduce", REDUCE),
            ("components", COMPONENTWISE),
        )
        for kind, names in kinds:
            for name in names:
                fn = module.__dict__.get(name)
                if fn is None or not callable(fn):
                    continue
                if kind == "reduce" and getattr(ragged_math_ops, name, None) is None:
                    continue
                setattr(module, name, _wrap(fn, kind))


def operator_table() -> dict:
    """RaggedTensor's operator methods, over the wrapped math functions."""
    from tfgraph.ops import math_ops

    def w(name, kind="binary"):
        return _wrap(getattr(math_ops, name), kind)

    def right(op):
        return lambda y, x: op(x, y)

    add, sub, mul = w("add"), w("subtract"), w("multiply")
    truediv, floordiv, mod, pw = w("truediv"), w("floordiv"), w("floormod"), w("pow")
    div = w("div")
    land, lor, lxor = w("logical_and"), w("logical_or"), w("logical_xor")
    return {
        "__add__": add,
        "__radd__": right(add),
        "__sub__": sub,
        "__rsub__": right(sub),
        "__mul__": mul,
        "__rmul__": right(mul),
        "__truediv__": truediv,
        "__rtruediv__": right(truediv),
        "__div__": div,
        "__rdiv__": right(div),
        "__floordiv__": floordiv,
        "__rfloordiv__": right(floordiv),
        "__mod__": mod,
        "__rmod__": right(mod),
        "__pow__": pw,
        "__rpow__": right(pw),
        "__neg__": w("negative", "unary"),
        "__abs__": w("abs", "unary"),
        "__invert__": w("logical_not", "unary"),
        "__and__": land,
        "__rand__": right(land),
        "__or__": lor,
        "__ror__": right(lor),
        "__xor__": lxor,
        "__rxor__": right(lxor),
        "__gt__": w("greater"),
        "__ge__": w("greater_equal"),
        "__lt__": w("less"),
        "__le__": w("less_equal"),
    }

"""Shape rules shared by many ops, and static evaluation of small constant subgraphs.

`constant_value(t)` returns the numpy value of `t` when it can be computed at graph
construction time (a Const, the Shape of a fully defined tensor, and simple ops on
those), as shape rules such as Reshape's need; otherwise None.
"""

from __future__ import annotations

import operator

import numpy as np

from tfgraph import errors
from tfgraph.framework.tensor_shape import TensorShape

__all__ = [
    "broadcast_shape",
    "broadcasting_kernel",
    "constant_value",
    "constant_value_as_shape",
    "scalar_shape",
    "shape_error",
    "unchanged_shape",
]

UNKNOWN = TensorShape(None)
SCALAR = TensorShape._from_tuple(())


def unchanged_shape(op) -> list[TensorShape]:
    return [op._inputs[0]._shape]


def scalar_shape(op) -> list[TensorShape]:
    return [SCALAR]


def unknown_shapes(op) -> list[TensorShape]:
    return [UNKNOWN] * len(op._outputs)


def broadcast_dims(a: tuple | None, b: tuple | None, op_name: str = "") -> tuple | None:
    """numpy/TF broadcasting of two partial shapes (ValueError if impossible)."""
    if a is None or b is None:
        return None
    if a == b or not b:
        return a
    if not a:
        return b
    n = max(len(a), len(b))
    a2 = (1,) * (n - len(a)) + a
    b2 = (1,) * (n - len(b)) + b
    out = []
    for x, y in zip(a2, b2):
        if x == 1:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif x is None:
            out.append(y)  # y is a known value > 1 (or None)
        elif y is None or x == y:
            out.append(x)
        else:
            raise ValueError(
                f"Dimensions must be equal, but are {x} and {y} for '{op_name}' with input "
                f"shapes: {_fmt(a)}, {_fmt(b)}."
            )
    return tuple(out)


def _fmt(dims: tuple | None) -> str:
    if dims is None:
        return "?"
    return "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


def broadcast_shape(op) -> list[TensorShape]:
    a, b = op._inputs[0]._shape._dims, op._inputs[1]._shape._dims
    if a == b:
        return [op._inputs[0]._shape]
    return [TensorShape._from_tuple(broadcast_dims(a, b, op._name))]


def broadcast_is_safe(a: tuple | None, b: tuple | None) -> bool:
    """Whether every pair of values with these static shapes broadcasts (the shape rule
    has checked the known dimensions): an unknown dimension must face a 1 or nothing."""
    if a is None or b is None:
        return False
    for x, y in zip(reversed(a), reversed(b)):
        if (x is None and y != 1) or (y is None and x != 1):
            return False
    return True


def broadcasting_kernel(kernel=None, make_kernel=None):
    """A `make_kernel` for an op broadcasting its two inputs (`kernel`, or the kernel
    `make_kernel` builds): when the inputs' static shapes guarantee that they broadcast
    (`broadcast_is_safe`) the kernel is used as is; otherwise a numpy broadcasting
    failure becomes TF's "Incompatible shapes: [2,3] vs. [4]"."""

    def make(op, ctx):
        fn = kernel if make_kernel is None else make_kernel(op, ctx)
        x_dims, y_dims = op._inputs[0]._shape._dims, op._inputs[1]._shape._dims
        if x_dims == () and y_dims == () and fn in _SCALAR_OPERATORS:
            return _with_scalar_operator(fn)
        if broadcast_is_safe(x_dims, y_dims):
            return fn

        def checked(x, y, **out):
            try:
                return fn(x, y, **out)
            except ValueError:
                raise_if_incompatible(np.shape(x), np.shape(y))
                raise

        checked.broadcasting = fn  # (for fusion: fuse.py)
        return checked

    return make


# numpy 2's ufuncs take ~0.9 us on two numpy scalars, the scalar types' operators ~0.05 us
# with the same value and type: a loop's condition compares its counter at every
# iteration. (Comparisons and logical ops of bools only: scalar arithmetic would warn
# on integer overflow where the ufuncs wrap silently, as TF does.)
_SCALAR_OPERATORS = {
    np.less: operator.lt,
    np.less_equal: operator.le,
    np.greater: operator.gt,
    np.greater_equal: operator.ge,
    np.logical_and: operator.and_,
    np.logical_or: operator.or_,
}
_SCALAR_TYPES = (np.float32, np.float64, np.int32, np.int64)


def _with_scalar_operator(fn):
    """`fn` (a key of _SCALAR_OPERATORS), through its operator when both operands are
    numpy scalars of one type (np.bool_ for the logical ops)."""
    form = _SCALAR_OPERATORS[fn]
    types = (np.bool_,) if fn in (np.logical_and, np.logical_or) else _SCALAR_TYPES

    def kernel(x, y):
        if x.__class__ is y.__class__ and x.__class__ in types:
            return form(x, y)
        return fn(x, y)

    return kernel


def elementwise_rows(op, per_record) -> bool:
    """The `rowwise` rule of an elementwise op: numpy broadcasting keeps a leading record
    dimension apart when each per-record input has the output's static rank and every
    other input at most that rank."""
    dims = op._outputs[0]._shape._dims
    if dims is None:
        return False
    for t, rows in zip(op._inputs, per_record):
        d = t._shape._dims
        if d is None or len(d) > len(dims) or (rows and len(d) != len(dims)):
            return False
    return True


def raise_if_incompatible(a: tuple, b: tuple) -> None:
    """TF's run-time error for two shapes that do not broadcast."""
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        raise errors.InvalidArgumentError(
            None, None, f"Incompatible shapes: {_fmt(a)} vs. {_fmt(b)}"
        ) from None


_INT64_MAX = 2**63 - 1


def checked_shape_attr(op, name: str = "shape") -> TensorShape:
    """The shape attr `name` of `op`, refused as TF refuses it: a dimension beyond int64,
    or a fully known shape of more than 2**63 - 1 elements."""
    shape = op._attrs[name]
    dims = shape._dims
    if dims is None:
        return shape
    for d in dims:
        if d is not None and d > _INT64_MAX:
            raise TypeError(
                f"Error converting {list(dims)} (arg name = {name}) to a TensorShape: Value out "
                f"of range: {d}"
            )
    if None not in dims and 0 not in dims:
        n = 1
        for d in dims:
            n *= d
        if n > _INT64_MAX:
            raise shape_error(op, f"Shape {_fmt(dims)} is too large (more than 2**63 - 1 entries)")
    return shape


def fmt_shape(shape: TensorShape) -> str:
    return _fmt(shape._dims)


def _fmt_attr(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):
        return '"' + value.decode("utf-8", "replace") + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_fmt_attr(v) for v in value) + "]"
    if isinstance(value, TensorShape):
        return fmt_shape(value)
    enum = getattr(value, "as_datatype_enum", None)
    if enum is not None:
        return "DT_" + {"float32": "FLOAT", "float64": "DOUBLE", "float16": "HALF"}.get(
            value.name, value.name.upper()
        )
    return str(value)


def shape_error(op, message: str) -> ValueError:
    """A build-time shape error worded as TensorFlow's shape inference words it:
    "<message> for '{{node <name>}} = <Type>[<attrs>](<inputs>)' with input shapes: ..."."""
    attrs = ", ".join(
        f"{k}={_fmt_attr(v)}"
        for k, v in sorted(op._attrs.items())
        if not k.startswith("_") and k != "value"
    )
    inputs = ", ".join(
        t._op._name if t._value_index == 0 else f"{t._op._name}:{t._value_index}"
        for t in op._inputs
    )
    shapes = ", ".join(_fmt(t._shape._dims) for t in op._inputs)
    return ValueError(
        f"{message} for '{{{{node {op._name}}}}} = {op._type}[{attrs}]({inputs})' with input "
        f"shapes: {shapes}."
    )


# -- static evaluation ------------------------------------------------------------------------
_MAX_DEPTH = 16

# Pure, cheap ops that static evaluation runs through their own kernels when all their
# inputs are static (TF's shape inference evaluates such constant subgraphs too).
_FOLDABLE = frozenset(
    {
        "StridedSlice", "Slice", "GatherV2", "Reshape", "ExpandDims", "Squeeze", "Transpose",
        "Max", "Min", "Sum", "Prod", "Neg", "Abs", "RealDiv", "Div", "FloorMod", "Less",
        "LessEqual", "Greater", "GreaterEqual", "Equal", "NotEqual", "Select", "SelectV2", "Floor",
        "ReverseV2", "LogicalAnd", "LogicalOr", "LogicalNot", "Round",
        # index arithmetic of gradient subgraphs (TF's shape inference folds these too)
        "ListDiff", "InvertPermutation", "DynamicPartition",
        # (tf.repeat broadcasts its repeats: TF folds that too)
        "BroadcastTo",
        # broadcast_dynamic_shape of static shapes (the LinearOperators' batch shapes)
        "BroadcastArgs",
        # (feature crosses of constant features: TF's shape refiner runs them too)
        "SparseCross", "SparseCrossV2", "SparseCrossHashed", "Where", "GatherNd",
        # (tf.strings.unicode_split of constant strings: TF knows how many characters)
        "UnicodeDecode", "UnicodeDecodeWithOffsets",
    }
)  # fmt: skip


def _decodes_strings(op) -> bool:
    """`op` is (an ExpandDims / Reshape of) a UnicodeDecode: TF's shape refiner runs it
    on constant strings, so the shape of `tf.strings.unicode_split`'s characters is
    known statically; other ops keep the static shape they infer."""
    while op._type in ("ExpandDims", "Reshape", "Identity"):
        op = op._inputs[0]._op
    return op._type in ("UnicodeDecode", "UnicodeDecodeWithOffsets")


def constant_value(tensor, partial: bool = False, _depth: int = 0):
    """The value of `tensor` if it can be computed statically, else None."""
    if _depth > _MAX_DEPTH:
        return None
    op = tensor._op
    t = op._type
    if t == "Const":
        return op._attrs["value"] if "__invalid_value" not in op._attrs else None
    if t == "Shape":
        dims = op._inputs[0]._shape._dims
        if dims is not None and None not in dims:
            return np.array(dims, dtype=op._attrs["out_type"].np_dtype)
        if _decodes_strings(op._inputs[0]._op):
            value = constant_value(op._inputs[0], _depth=_depth + 1)
            if value is not None:
                return np.array(np.shape(value), dtype=op._attrs["out_type"].np_dtype)
        return None
    if t == "ShapeN":  # (one output per input, as TF's shape refiner folds it)
        dims = op._inputs[tensor._value_index]._shape._dims
        if dims is not None and None not in dims:
            return np.array(dims, dtype=op._attrs["out_type"].np_dtype)
        return None
    if t == "Size":
        n = op._inputs[0]._shape.num_elements()
        return None if n is None else np.array(n, dtype=op._attrs["out_type"].np_dtype)
    if t == "Rank":
        n = op._inputs[0]._shape.ndims
        return None if n is None else np.array(n, dtype=np.int32)
    if t in ("Identity", "StopGradient", "Snapshot"):
        return constant_value(op._inputs[0], _depth=_depth + 1)
    if t == "SparseSlice" and tensor._value_index == 2:
        # The sliced dense shape: min(size, shape - start) per dimension, never negative.
        shape, start, size = (constant_value(x, _depth=_depth + 1) for x in op._inputs[2:5])
        if shape is None or start is None or size is None:
            return None
        out = np.minimum(np.asarray(size, np.int64), np.asarray(shape) - np.asarray(start))
        return np.maximum(out, 0).astype(np.int64)
    if t == "SparseReshape" and tensor._value_index == 1:
        # The new dense shape, from the old one and the requested one (-1 resolved),
        # as TF's C++ shape inference folds it.
        old = constant_value(op._inputs[1], _depth=_depth + 1)
        new = constant_value(op._inputs[2], _depth=_depth + 1)
        if old is None or new is None:
            return None
        new = np.asarray(new, np.int64).copy()
        if (new == -1).sum() == 1:
            known = int(np.prod(new[new != -1]))
            if not known:
                return None
            new[new == -1] = int(np.prod(old)) // known
        return None if (new < 0).any() else new
    if t == "Cast":
        v = constant_value(op._inputs[0], _depth=_depth + 1)
        return None if v is None else v.astype(op._attrs["DstT"].np_dtype)
    if t == "Pack":
        vals = [constant_value(x, _depth=_depth + 1) for x in op._inputs]
        if any(v is None for v in vals):
            return None
        return np.stack(vals, axis=op._attrs["axis"])
    if t == "ConcatV2":
        vals = [constant_value(x, _depth=_depth + 1) for x in op._inputs]
        if any(v is None for v in vals):
            return None
        return np.concatenate(vals[:-1], axis=int(vals[-1]))
    if t == "Range":
        vals = [constant_value(x, _depth=_depth + 1) for x in op._inputs]
        if any(v is None for v in vals):
            return None
        return np.arange(*[v.item() for v in vals], dtype=op._attrs["Tidx"].np_dtype)
    if t == "Fill":
        dims = constant_value(op._inputs[0], _depth=_depth + 1)
        value = constant_value(op._inputs[1], _depth=_depth + 1)
        if dims is None or value is None:
            return None
        return np.full(tuple(dims.tolist()), value)
    if t in ("Add", "AddV2", "Sub", "Mul", "FloorDiv", "Maximum", "Minimum"):
        a = constant_value(op._inputs[0], _depth=_depth + 1)
        b = constant_value(op._inputs[1], _depth=_depth + 1)
        if a is None or b is None:
            return None
        fn = {
            "Add": np.add,
            "AddV2": np.add,
            "Sub": np.subtract,
            "Mul": np.multiply,
            "FloorDiv": np.floor_divide,
            "Maximum": np.maximum,
            "Minimum": np.minimum,
        }[t]
        return fn(a, b).astype(a.dtype)
    if t in _FOLDABLE:
        # Evaluate through the op's own kernel when all inputs are static and cheap.
        vals = [constant_value(x, _depth=_depth + 1) for x in op._inputs]
        if any(v is None for v in vals):
            return None
        kernel = op._op_def.kernel
        if kernel is None and op._op_def.make_kernel is not None:
            try:
                kernel = op._op_def.make_kernel(op, None)
            except Exception:
                return None
        try:
            result = kernel(*vals)
        except Exception:
            return None
        if not op._op_def.single_output:
            result = result[tensor._value_index]  # one output of a multi-output op
        return np.asarray(result)
    return None


def constant_value_as_shape(tensor) -> TensorShape:
    """A (partial) shape from a 1-D int tensor used as a shape argument."""
    shape = tensor._shape
    if shape._dims == (0,):
        return SCALAR
    value = constant_value(tensor)
    if value is not None:
        return TensorShape._from_tuple(
            tuple(None if int(d) < 0 else int(d) for d in value.reshape(-1))
        )
    op = tensor._op
    if op._type == "Shape":
        return op._inputs[0]._shape
    if op._type == "Pack":
        dims = []
        for x in op._inputs:
            v = constant_value(x)
            dims.append(None if v is None or int(v) < 0 else int(v))
        return TensorShape._from_tuple(tuple(dims))
    if op._type == "ConcatV2":
        out = TensorShape._from_tuple(())
        for x in op._inputs[:-1]:
            out = out.concatenate(constant_value_as_shape(x))
        return out
    if op._type == "Slice":
        # A slice of a shape vector keeps what is known of those dimensions.
        begin = constant_value(op._inputs[1])
        size = constant_value(op._inputs[2])
        prev = constant_value_as_shape(op._inputs[0])._dims
        if prev is not None and begin is not None and size is not None and begin.size == 1:
            b, n = int(begin.reshape(-1)[0]), int(size.reshape(-1)[0])
            return TensorShape._from_tuple(prev[b:] if n == -1 else prev[b : b + n])
    if op._type == "StridedSlice":
        # A 1-D slice (e.g. of a Shape) keeps what is known of the sliced shape.
        attrs = op._attrs
        bounds = [constant_value(x) for x in op._inputs[1:]]
        if (
            all(b is not None and b.size == 1 for b in bounds)
            and not (attrs["ellipsis_mask"] or attrs["new_axis_mask"] or attrs["shrink_axis_mask"])
            and attrs["begin_mask"] in (0, 1)
            and attrs["end_mask"] in (0, 1)
        ):
            prev = constant_value_as_shape(op._inputs[0])._dims
            if prev is not None:
                begin = None if attrs["begin_mask"] else int(bounds[0].reshape(-1)[0])
                end = None if attrs["end_mask"] else int(bounds[1].reshape(-1)[0])
                step = int(bounds[2].reshape(-1)[0])
                return TensorShape._from_tuple(prev[begin:end:step])
    if shape._dims is not None and len(shape._dims) == 1 and shape._dims[0] is not None:
        if shape._dims[0] > _MAX_RANK:  # e.g. an imported shape constant of 10**12 entries
            raise errors.InternalError(
                None,
                None,
                f"Cannot create a tensor with {shape._dims[0]} dimensions, as these would be "
                f"more than maximum of {_MAX_RANK}",
            )
        return TensorShape._from_tuple((None,) * shape._dims[0])
    return UNKNOWN


_MAX_RANK = 33554432  # TF's shape inference limit on the rank a shape tensor may give


def merge_shapes(a: TensorShape, b: TensorShape, op) -> TensorShape:
    """`a.merge_with(b)` with TF's shape-inference error text naming `op`."""
    da, db = a._dims, b._dims
    if da is None:
        return b
    if db is None:
        return a
    if da == db:
        return a

    def suffix() -> str:
        return f" for '{op.name}' (op: '{op.type}') with input shapes: {_fmt(da)}, {_fmt(db)}."

    if len(da) != len(db):
        raise ValueError(f"Shapes must be equal rank, but are {len(da)} and {len(db)}{suffix()}")
    out = []
    for i, (x, y) in enumerate(zip(da, db)):
        if x is not None and y is not None and x != y:
            raise ValueError(
                f"Dimension {i} in both shapes must be equal, but are {x} and {y}. Shapes are "
                f"{_fmt(da)} and {_fmt(db)}.{suffix()}"
            )
        out.append(x if x is not None else y)
    return TensorShape._from_tuple(tuple(out))


# -- TF's Python constant folding, exactly (where graphs must match TF's op for op) -------
_TF_FOLDED = frozenset(
    {"Const", "Shape", "Size", "Rank", "Range", "Cast", "ConcatV2", "Pack", "Fill",
     "Identity", "StopGradient"}
)  # fmt: skip


def tf_constant_value(tensor):
    """The value TF's `tensor_util.constant_value` finds for `tensor` (it folds only the
    op types above), else None. Graph builders that decide on static values the way
    TF's Python does use this, so that they add the ops TF adds."""
    if not _tf_folds(tensor, 0):
        return None
    return constant_value(tensor)


def _tf_folds(tensor, depth: int) -> bool:
    """Whether TF's recursive folding reaches through every op under `tensor` (a Pack
    of a StridedSlice, say, stops it however deep it is)."""
    t = tensor._op._type
    if t not in _TF_FOLDED or depth > _MAX_DEPTH:
        return False
    if t in ("Const", "Shape", "Size", "Rank"):
        return True
    return all(_tf_folds(x, depth + 1) for x in tensor._op._inputs)


def tf_constant_value_as_shape(tensor) -> TensorShape:
    """TF's `tensor_util.constant_value_as_shape` (Shape, Pack, ConcatV2, else a value
    `tf_constant_value` folds)."""
    op = tensor._op
    if op._type == "Shape":
        return op._inputs[0]._shape
    if op._type == "Pack":
        dims = []
        for x in op._inputs:
            v = tf_constant_value(x)
            dims.append(None if v is None or int(v) < 0 else int(v))
        return TensorShape._from_tuple(tuple(dims))
    if op._type == "ConcatV2":
        out = TensorShape._from_tuple(())
        for x in op._inputs[:-1]:
            out = out.concatenate(tf_constant_value_as_shape(x))
        return out
    value = tf_constant_value(tensor)
    if value is not None:
        return TensorShape._from_tuple(
            tuple(None if int(d) < 0 else int(d) for d in np.asarray(value).reshape(-1))
        )
    n = tensor._shape._dims[0] if tensor._shape._dims else None
    return TensorShape(None) if n is None else TensorShape._from_tuple((None,) * n)

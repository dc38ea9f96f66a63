"""Runtime checks: the `Assert` and `Print` ops, and TF1's `tf.debugging.assert_*` family.

`Assert(condition, data)` fails with InvalidArgumentError "assertion failed: [...]" when
`condition` is false at run time, summarizing each datum as TF's C++ runtime does. As in
TF, it is guarded by a `cond` (`AssertGuard`) unless all data are strings or int32, so
the data are only computed when the assertion fails. The `assert_*` functions build TF's
subgraphs (and fail at graph-construction time when both sides are static).
"""

from __future__ import annotations

import sys

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_n_to_tensor, convert_to_tensor
from tfgraph.framework.graph import get_default_graph, name_scope
from tfgraph.framework.ops import Operation, Tensor
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.ops import array_ops, common_shapes, control_flow_ops, math_ops
from tfgraph.ops.apply import apply_op, op_output
from tfgraph.ops.common_shapes import constant_value

__all__ = [
    "Assert",
    "Print",
    "add_check_numerics_ops",
    "assert_equal",
    "assert_greater",
    "assert_greater_equal",
    "assert_less",
    "assert_less_equal",
    "assert_negative",
    "assert_non_negative",
    "assert_non_positive",
    "assert_positive",
    "assert_proper_iterable",
    "assert_rank",
    "assert_type",
    "check_numerics",
]


# -- value summaries as TF's runtime prints them ---------------------------------------------
def _format_float(v, digits: int, more: int, np_type) -> str:
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    s = f"{v:.{digits}g}"
    if np_type(float(s)) != np_type(v):
        s = f"{v:.{more}g}"
    return s


def _format_element(v) -> str:
    if isinstance(v, (bytes, np.bytes_)):
        return bytes(v).decode("utf-8", "replace")
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (np.floating, float)):
        if isinstance(v, np.float64) or type(v) is float:
            return _format_float(float(v), 15, 17, np.float64)
        return _format_float(float(v), 6, 9, np.float32)
    if isinstance(v, (np.complexfloating, complex)):
        return f"({_format_element(v.real)},{_format_element(v.imag)})"
    return str(v)


def summarize_value(value, limit: int) -> str:
    """TF's `Tensor::SummarizeValue(limit)`: the first `limit` elements, nested in
    brackets by dimension, then "..." if some were left out (all when `limit` < 0)."""
    a = np.asarray(value)
    if a.dtype.fields is not None:  # bfloat16 stand-in: print as float
        a = a.astype(np.float32)
    flat = a.reshape(-1)
    n = flat.size
    limit = n if limit < 0 else min(limit, n)
    if a.ndim == 0:
        out = " ".join(_format_element(flat[i]) for i in range(limit))
        return out + ("..." if n > limit else "")
    pieces: list[str] = []
    index = [0]

    def one_dim(d: int) -> None:
        if index[0] >= limit:
            return
        count = a.shape[d]
        if d == a.ndim - 1:
            for i in range(count):
                if index[0] >= limit:
                    if d != 0:
                        pieces.append("...")
                    return
                if i > 0:
                    pieces.append(" ")
                pieces.append(_format_element(flat[index[0]]))
                index[0] += 1
            return
        for _ in range(count):
            opened = index[0] < limit
            if opened:
                pieces.append("[")
            one_dim(d + 1)
            if index[0] < limit or opened:
                pieces.append("]")

    one_dim(0)
    return "".join(pieces) + ("..." if n > limit else "")


# -- Assert -----------------------------------------------------------------------------------
def _assert_kernel(op, ctx):
    summarize = op._attrs["summarize"]

    def kernel(condition, *data):
        if not condition:
            summary = " ".join(f"[{summarize_value(d, summarize)}]" for d in data)
            raise errors.InvalidArgumentError(None, op, f"assertion failed: {summary}")

    return kernel


def _assert_shape(op):
    dims = op._inputs[0]._shape._dims
    if dims is not None and len(dims) != 0:
        raise common_shapes.shape_error(op, f"Shape must be rank 0 but is rank {len(dims)}")
    return []


register_op(
    "Assert",
    inputs=["condition: bool", "data: T"],
    attrs=["T: list(type) >= 1", "summarize: int = 3"],
    shape=_assert_shape,
    make_kernel=_assert_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def _assert_op(condition, data, summarize, name: str) -> Operation:
    attrs = {} if summarize is None else {"summarize": summarize}
    return apply_op("Assert", name, [condition, list(data)], attrs)


def Assert(condition, data, summarize=None, name: str | None = None):
    """An op that raises InvalidArgumentError "assertion failed: [data...]" when run with
    `condition` false; `summarize` elements of each datum are printed (default 3)."""
    g = get_default_graph()
    with g.name_scope(name or "Assert"):
        xs = convert_n_to_tensor(data)
        if all(x.dtype._base in (dtypes.string, dtypes.int32) for x in xs):
            return _assert_op(condition, data, summarize, "Assert")
        condition = convert_to_tensor(condition, name="Condition")

        def true_assert():
            return _assert_op(condition, data, summarize, "Assert")

        guarded = control_flow_ops.cond(
            condition, control_flow_ops.no_op, true_assert, name="AssertGuard"
        )
        return guarded.op


# -- Print (TF1) ------------------------------------------------------------------------------
def _print_kernel(op, ctx):
    message = op._attrs["message"].decode("utf-8", "replace")
    first_n = op._attrs["first_n"]
    summarize = op._attrs["summarize"]
    count = [0]

    def kernel(x, *data):
        if first_n < 0 or count[0] < first_n:
            count[0] += 1
            body = "".join(f"[{summarize_value(d, summarize)}]" for d in data)
            print(message + body, file=sys.stderr)
        return x

    return kernel


def _print_grad(op, *grad):
    return list(grad) + [None] * (len(op._inputs) - 1)


register_op(
    "Print",
    inputs=["input: T", "data: U"],
    outputs=["output: T"],
    attrs=[
        "T: type",
        "U: list(type) >= 0",
        "message: string = ''",
        "first_n: int = -1",
        "summarize: int = 3",
    ],
    shape=common_shapes.unchanged_shape,
    make_kernel=_print_kernel,
    stateful=True,
    grad=_print_grad,
)


def Print(input_, data, message=None, first_n=None, summarize=None, name=None) -> Tensor:
    """TF1 `tf.Print`: `input_` unchanged; running it prints `message` and `data` to
    stderr (the first `first_n` times)."""
    attrs = {}
    if message is not None:
        attrs["message"] = message.encode() if isinstance(message, str) else message
    if first_n is not None:
        attrs["first_n"] = first_n
    if summarize is not None:
        attrs["summarize"] = summarize
    return op_output("Print", name, [input_, list(data)], attrs)


# -- CheckNumerics ----------------------------------------------------------------------------
def _check_numerics_kernel(op, ctx):
    prefix = op._attrs["message"].decode("utf-8", "replace") + " : Tensor had "

    def kernel(x):
        values = np.asarray(x)
        if values.dtype.fields is not None:  # bfloat16 stand-in: check as float32
            values = dtypes.from_bfloat16(values)
        if np.isfinite(values).all():
            return x
        nan, inf = bool(np.isnan(values).any()), bool(np.isinf(values).any())
        what = "Inf and NaN" if nan and inf else ("NaN" if nan else "Inf")
        raise errors.InvalidArgumentError(None, op, f"{prefix}{what} values")

    return kernel


def _check_numerics_grad(op, grad):
    """The incoming gradient, checked too (TF's message, with its Python bytes repr)."""
    message = op._attrs["message"]
    return [
        check_numerics(
            grad,
            "Not a number (NaN) or infinity (Inf) values detected in gradient. " + str(message),
        )
    ]


register_op(
    "CheckNumerics",
    inputs=["tensor: T"],
    outputs=["output: T"],
    attrs=["T: {bfloat16, half, float, double}", "message: string"],
    shape=common_shapes.unchanged_shape,
    make_kernel=_check_numerics_kernel,
    grad=_check_numerics_grad,
    stateful=True,
)


def check_numerics(tensor, message, name=None) -> Tensor:
    """`tensor`, checked at run time: InvalidArgumentError "<message> : Tensor had NaN
    values" (or Inf) when it holds NaN or infinity (TF1 `tf.check_numerics`)."""
    if isinstance(message, str):
        message = message.encode()
    return op_output("CheckNumerics", name, [tensor], {"message": message})


# -- assert_* ---------------------------------------------------------------------------------
def _message_prefix(message) -> str:
    return f"{message}.  " if message else ""


def _static_string(t) -> str:
    if not isinstance(t, Tensor):
        return str(t)
    value = constant_value(t)
    return str(t) if value is None else str(value)


def _assert_static(condition, data) -> None:
    if not condition:
        raise errors.InvalidArgumentError(None, None, "\n".join(_static_string(x) for x in data))


def _binary_assert(sym, opname, op_func, static_func, x, y, data, summarize, message, name):
    with name_scope(name, opname, [x, y, data]):
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y")
        if data is None:
            data = [
                f"Condition x {sym} y did not hold element-wise:",
                f"x ({x.name}) = ",
                x,
                f"y ({y.name}) = ",
                y,
            ]
        if message is not None:
            data = [message, *data]
        condition = math_ops.reduce_all(op_func(x, y))
        x_static, y_static = constant_value(x), constant_value(y)
        if x_static is not None and y_static is not None:
            _assert_static(np.all(static_func(x_static, y_static)), data)
        return Assert(condition, data, summarize=summarize)


def assert_equal(x, y, data=None, summarize=None, message=None, name=None):
    """An op asserting `x == y` element-wise (InvalidArgumentError when run otherwise)."""
    with name_scope(name, "assert_equal", [x, y, data]):
        if x is y:
            return control_flow_ops.no_op()
    return _binary_assert(
        "==", "assert_equal", math_ops.equal, np.equal, x, y, data, summarize, message, name
    )


def assert_less(x, y, data=None, summarize=None, message=None, name=None):
    """An op asserting `x < y` element-wise."""
    return _binary_assert(
        "<", "assert_less", math_ops.less, np.less, x, y, data, summarize, message, name
    )


def assert_less_equal(x, y, data=None, summarize=None, message=None, name=None):
    """An op asserting `x <= y` element-wise."""
    return _binary_assert(
        "<=",
        "assert_less_equal",
        math_ops.less_equal,
        np.less_equal,
        x,
        y,
        data,
        summarize,
        message,
        name,
    )


def assert_greater(x, y, data=None, summarize=None, message=None, name=None):
    """An op asserting `x > y` element-wise."""
    return _binary_assert(
        ">", "assert_greater", math_ops.greater, np.greater, x, y, data, summarize, message, name
    )


def assert_greater_equal(x, y, data=None, summarize=None, message=None, name=None):
    """An op asserting `x >= y` element-wise."""
    return _binary_assert(
        ">=",
        "assert_greater_equal",
        math_ops.greater_equal,
        np.greater_equal,
        x,
        y,
        data,
        summarize,
        message,
        name,
    )


def _sign_assert(opname, sym, zero_first, check, x, data, summarize, message, name):
    message = _message_prefix(message)
    with name_scope(name, opname, [x, data]):
        x = convert_to_tensor(x, name="x")
        if data is None:
            data = [message, f"Condition x {sym} did not hold element-wise:", f"x ({x.name}) = ", x]
        zero = convert_to_tensor(0, dtype=x.dtype._base)
        if zero_first:
            return check(zero, x, data=data, summarize=summarize)
        return check(x, zero, data=data, summarize=summarize)


def assert_positive(x, data=None, summarize=None, message=None, name=None):
    """An op asserting `x > 0` element-wise."""
    return _sign_assert(
        "assert_positive", "> 0", True, assert_less, x, data, summarize, message, name
    )


def assert_non_negative(x, data=None, summarize=None, message=None, name=None):
    """An op asserting `x >= 0` element-wise."""
    return _sign_assert(
        "assert_non_negative", ">= 0", True, assert_less_equal, x, data, summarize, message, name
    )


def assert_negative(x, data=None, summarize=None, message=None, name=None):
    """An op asserting `x < 0` element-wise."""
    return _sign_assert(
        "assert_negative", "< 0", False, assert_less, x, data, summarize, message, name
    )


def assert_non_positive(x, data=None, summarize=None, message=None, name=None):
    """An op asserting `x <= 0` element-wise."""
    return _sign_assert(
        "assert_non_positive", "<= 0", False, assert_less_equal, x, data, summarize, message, name
    )


def assert_type(tensor, tf_type, message=None, name=None):
    """Raises TypeError now unless `tensor` has dtype `tf_type`; returns a NoOp."""
    tf_type = dtypes.as_dtype(tf_type)
    with name_scope(name, "assert_type", [tensor]):
        tensor = convert_to_tensor(tensor, name="tensor")
        if tensor.dtype != tf_type:
            raise TypeError(
                f"{_message_prefix(message)}{tensor.name} must be of type {tf_type!r}; got "
                f"{tensor.dtype!r}"
            )
        return control_flow_ops.no_op("statically_determined_correct_type")


_STATIC_RANK_FAILED = "Static rank condition failed"


def _assert_rank_condition(x, rank, static_condition, dynamic_condition, data, summarize):
    assert_type(rank, dtypes.int32)
    rank_static = constant_value(rank)
    if rank_static is not None:
        if rank_static.ndim != 0:
            raise ValueError("Rank must be a scalar.")
        x_rank_static = x.shape.ndims
        if x_rank_static is not None:
            if not static_condition(x_rank_static, rank_static):
                raise ValueError(_STATIC_RANK_FAILED, x_rank_static, rank_static)
            return control_flow_ops.no_op(name="static_checks_determined_all_ok")
    condition = dynamic_condition(array_ops.rank(x), rank)
    if rank_static is None:
        this_data = ["Rank must be a scalar. Received rank: ", rank]
        rank_check = assert_rank(rank, 0, data=this_data)
        condition = control_flow_ops.with_dependencies([rank_check], condition)
    return Assert(condition, data, summarize=summarize)


def assert_rank(x, rank, data=None, summarize=None, message=None, name=None):
    """An op asserting that `x` has rank `rank` (ValueError now if statically wrong)."""
    with name_scope(name, "assert_rank", (x, rank) + tuple(data or [])):
        x = convert_to_tensor(x, name="x")
        rank = convert_to_tensor(rank, name="rank")
        message = _message_prefix(message)
        if data is None:
            data = [
                message,
                f"Tensor {x.name} must have rank",
                rank,
                "Received shape: ",
                array_ops.shape(x),
            ]
        try:
            return _assert_rank_condition(
                x, rank, lambda actual, given: actual == given, math_ops.equal, data, summarize
            )
        except ValueError as e:
            if e.args[0] == _STATIC_RANK_FAILED:
                raise ValueError(
                    f"{message}Tensor {x.name} must have rank {int(e.args[2])}.  Received rank "
                    f"{e.args[1]}, shape {x.shape}"
                ) from None
            raise ValueError(e.args[0]) from None


# -- more TF1 assertions -------------------------------------------------------------------------
def assert_none_equal(x, y, data=None, summarize=None, message=None, name=None):
    """An op asserting `x != y` for every element."""
    return _binary_assert(
        "!=", "assert_none_equal", math_ops.not_equal, np.not_equal, x, y, data, summarize,
        message, name,
    )  # fmt: skip


def assert_near(x, y, rtol=None, atol=None, data=None, summarize=None, message=None, name=None):
    """An op asserting `|x - y| < atol + rtol * |y|` element-wise (default tolerances
    10 * eps of the dtype)."""
    with name_scope(name, "assert_near", [x, y, rtol, atol, data]):
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y", dtype=x.dtype._base)
        dtype = x.dtype._base
        if dtype.is_complex:
            dtype = dtype.real_dtype
        eps = np.finfo(dtype.as_numpy_dtype).eps
        rtol = 10 * eps if rtol is None else rtol
        atol = 10 * eps if atol is None else atol
        rtol = convert_to_tensor(rtol, name="rtol", dtype=dtype)
        atol = convert_to_tensor(atol, name="atol", dtype=dtype)
        if data is None:
            data = [
                "" if message is None else message,  # TF prints a missing message as []
                f"x and y not equal to tolerance rtol = {rtol}, atol = {atol}",
                f"x ({x.name}) = ",
                x,
                f"y ({y.name}) = ",
                y,
            ]
        tol = atol + rtol * math_ops.abs(y)
        diff = math_ops.abs(x - y)
        condition = math_ops.reduce_all(math_ops.less(diff, tol))
        return Assert(condition, data, summarize=summarize)


def assert_rank_at_least(x, rank, data=None, summarize=None, message=None, name=None):
    """An op asserting that `x` has rank `rank` or more (ValueError now if statically
    not)."""
    with name_scope(name, "assert_rank_at_least", (x, rank) + tuple(data or [])):
        x = convert_to_tensor(x, name="x")
        rank = convert_to_tensor(rank, name="rank")
        message = _message_prefix(message)
        if data is None:
            data = [
                message,
                f"Tensor {x.name} must have rank at least",
                rank,
                "Received shape: ",
                array_ops.shape(x),
            ]
        try:
            return _assert_rank_condition(
                x, rank, lambda actual, given: actual >= given, math_ops.greater_equal, data,
                summarize,
            )  # fmt: skip
        except ValueError as e:
            if e.args[0] == _STATIC_RANK_FAILED:
                raise ValueError(
                    f"{message}Tensor {x.name} must have rank at least {int(e.args[2])}.  "
                    f"Received rank {e.args[1]}, shape {x.shape}"
                ) from None
            raise ValueError(e.args[0]) from None


def assert_rank_in(x, ranks, data=None, summarize=None, message=None, name=None):
    """Checks that `x` has one of `ranks` (ints, or tensors whose value is known when
    the graph is built, such as `tf.rank` of a tensor of known rank): ValueError now if
    not. Unknown ranks are not supported (NotImplementedError)."""
    with name_scope(name, "assert_rank_in", (x, *ranks) + tuple(data or [])):
        x = convert_to_tensor(x, name="x")
        rank_tensors = [convert_to_tensor(r, name="rank") for r in ranks]
        message = _message_prefix(message)
        if data is None:  # (TF's message data, built as TF builds it)
            array_ops.shape(x)
        for r in rank_tensors:
            assert_type(r, dtypes.int32)
        static = [constant_value(r) for r in rank_tensors]
        if x.shape.ndims is None or any(v is None for v in static):
            raise NotImplementedError(
                "tfgraph's assert_rank_in checks static ranks only; the rank of "
                f"{x.name} or one of {ranks} is unknown"
            )
        ranks = [int(v) for v in static]
        if x.shape.ndims not in ranks:
            raise ValueError(
                f"{message}Tensor {x.name} must have rank in {tuple(ranks)}.  Received rank "
                f"{x.shape.ndims}, shape {x.shape}"
            )
        return control_flow_ops.no_op(name="static_checks_determined_all_ok")


def assert_integer(x, message=None, name=None):
    """Raises TypeError now unless `x` has an integer dtype; returns a NoOp."""
    with name_scope(name, "assert_integer", [x]):
        x = convert_to_tensor(x, name="x")
        if not x.dtype.is_integer:
            raise TypeError(
                f"{_message_prefix(message)}Expected Tensor {x.name} to be integer; found "
                f"{x.dtype!r}."
            )
        return control_flow_ops.no_op("statically_determined_was_integer")


def assert_scalar(tensor, name=None, message=None):
    """`tensor`, after checking now that its static shape is a scalar's."""
    with name_scope(name, "assert_scalar", [tensor]) as scope:
        tensor = convert_to_tensor(tensor, name=scope)
        shape = tensor.shape
        if shape.ndims != 0:
            if shape.ndims is None:
                raise ValueError(f"{_message_prefix(message)}Expected scalar shape, saw "
                                 f"unknown shape.")  # fmt: skip
            raise ValueError(
                f"{_message_prefix(message)}Expected scalar shape for {tensor.name}, saw "
                f"shape: {shape}."
            )
        return tensor


def assert_same_float_dtype(tensors=None, dtype=None):
    """The common floating dtype of `tensors` (and `dtype`); ValueError if they differ
    or are not floating."""
    expected = None if dtype is None else dtypes.as_dtype(dtype)._base
    if expected is not None and not expected.is_floating:
        raise ValueError(f"Expected floating point type, got {expected}.")
    for t in tensors or []:
        if t is None:
            continue
        actual = t.dtype._base
        if expected is None:
            expected = actual
            if not expected.is_floating:
                raise ValueError(f"Expected floating point type, got {expected}.")
        elif actual != expected:
            raise ValueError(f"{t.name}, type={actual} must be {expected}.")
    return dtypes.float32 if expected is None else expected


def verify_tensor_all_finite(t=None, msg=None, name=None, x=None, message=None):
    """`t`, with a CheckNumerics of it (message `msg`) run first."""
    t = x if t is None else t
    msg = message if msg is None else msg
    with name_scope(name, "VerifyFinite", [t]):
        t = convert_to_tensor(t, name="t")
        with get_default_graph().colocate_with(t):
            verify_input = check_numerics(t, message=msg)
            return control_flow_ops.with_dependencies([verify_input], t)


def _monotonic(x, compare):
    """Whether `compare(x[i + 1], x[i])` holds for all i of the flattened `x` (TF 2.21's
    composite: a cond for fewer than two elements, then All)."""
    x = array_ops.reshape(x, [-1])
    if not (x.dtype.is_floating or x.dtype.is_integer or x.dtype.is_complex):
        raise TypeError(f"Expected x to be numeric, instead found: {x.dtype!r}")
    is_shorter_than_two = math_ops.less(array_ops.size(x), 2)
    s_len = array_ops.shape(x) - 1

    def short_result():
        return convert_to_tensor([], dtype=dtypes.bool)

    def pairs():
        return compare(
            array_ops.strided_slice(x, [1], [1] + s_len), array_ops.strided_slice(x, [0], s_len)
        )

    return math_ops.reduce_all(control_flow_ops.cond(is_shorter_than_two, short_result, pairs))


def is_non_decreasing(x, name=None):
    """A scalar bool tensor: whether the elements of `x` (flattened) never decrease."""
    with name_scope(name, "is_non_decreasing", [x]):
        return _monotonic(x, math_ops.greater_equal)


def is_strictly_increasing(x, name=None):
    """A scalar bool tensor: whether the elements of `x` (flattened) strictly increase."""
    with name_scope(name, "is_strictly_increasing", [x]):
        return _monotonic(x, math_ops.greater)


def assert_proper_iterable(values):
    """Raises TypeError unless `values` is an iterable other than a Tensor, SparseTensor,
    numpy array or string (which iterate, but rarely intentionally)."""
    from tfgraph.framework.sparse_tensor import SparseTensor

    if isinstance(values, (Tensor, SparseTensor, np.ndarray, bytes, str)):
        raise TypeError(
            f'Expected argument "values" to be a "proper" iterable.  Found: {type(values)}'
        )
    if not hasattr(values, "__iter__"):
        raise TypeError(f'Expected argument "values" to be iterable.  Found: {type(values)}')


def add_check_numerics_ops():
    """A group of CheckNumerics ops, one per half/float/double tensor of the default graph,
    chained by control dependencies (not allowed in graphs with cond or while_loop)."""
    from tfgraph.ops.control_flow_ops import cf_context, group

    graph = get_default_graph()
    check_op: list = []
    for op in graph.get_operations():
        for output in op.outputs:
            if output.dtype in (dtypes.float16, dtypes.float32, dtypes.float64):
                if cf_context(op) is not None:
                    raise ValueError(
                        "`tf.add_check_numerics_ops() is not compatible with TensorFlow "
                        "control flow operations such as `tf.cond()` or `tf.while_loop()`."
                    )
                message = op.name + ":" + str(output.value_index)
                with graph.control_dependencies(check_op):
                    check_op = [check_numerics(output, message=message)]
    return group(*check_op)


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def _assert_pair_v2(assert_v1):
    def assert_v2(x, y, message=None, summarize=None, name=None):
        return assert_v1(x, y, summarize=summarize, message=message, name=name)

    assert_v2.__name__ = assert_v2.__qualname__ = assert_v1.__name__ + "_v2"
    assert_v2.__doc__ = f"TF2's `tf.debugging.{assert_v1.__name__}` (no `data`)."
    return assert_v2


def _assert_one_v2(assert_v1):
    def assert_v2(x, message=None, summarize=None, name=None):
        return assert_v1(x, summarize=summarize, message=message, name=name)

    assert_v2.__name__ = assert_v2.__qualname__ = assert_v1.__name__ + "_v2"
    assert_v2.__doc__ = f"TF2's `tf.debugging.{assert_v1.__name__}` (no `data`)."
    return assert_v2


def _assert_rank_v2(assert_v1):
    def assert_v2(x, rank, message=None, name=None):
        return assert_v1(x, rank, message=message, name=name)

    assert_v2.__name__ = assert_v2.__qualname__ = assert_v1.__name__ + "_v2"
    assert_v2.__doc__ = f"TF2's `tf.debugging.{assert_v1.__name__}` (no `data`, `summarize`)."
    return assert_v2


assert_equal_v2 = _assert_pair_v2(assert_equal)
assert_greater_v2 = _assert_pair_v2(assert_greater)
assert_greater_equal_v2 = _assert_pair_v2(assert_greater_equal)
assert_less_v2 = _assert_pair_v2(assert_less)
assert_less_equal_v2 = _assert_pair_v2(assert_less_equal)
assert_negative_v2 = _assert_one_v2(assert_negative)
assert_non_negative_v2 = _assert_one_v2(assert_non_negative)
assert_non_positive_v2 = _assert_one_v2(assert_non_positive)
assert_positive_v2 = _assert_one_v2(assert_positive)
assert_rank_v2 = _assert_rank_v2(assert_rank)
assert_rank_at_least_v2 = _assert_rank_v2(assert_rank_at_least)


def assert_rank_in_v2(x, ranks, message=None, name=None):
    """TF2's `tf.debugging.assert_rank_in` (no `data`, `summarize`)."""
    return assert_rank_in(x, ranks, message=message, name=name)


def assert_near_v2(x, y, rtol=None, atol=None, message=None, summarize=None, name=None):
    """TF2's `tf.debugging.assert_near` (no `data`)."""
    return assert_near(x, y, rtol=rtol, atol=atol, summarize=summarize, message=message, name=name)


def assert_none_equal_v2(x, y, summarize=None, message=None, name=None):
    """TF2's `tf.debugging.assert_none_equal` (no `data`)."""
    return assert_none_equal(x, y, summarize=summarize, message=message, name=name)


def assert_scalar_v2(tensor, message=None, name=None):
    """TF2's `tf.debugging.assert_scalar` (message before name)."""
    return assert_scalar(tensor, name=name, message=message)


def assert_all_finite_v2(x, message, name=None):
    """TF2's `tf.debugging.assert_all_finite` (x and message required)."""
    return verify_tensor_all_finite(x=x, message=message, name=name)

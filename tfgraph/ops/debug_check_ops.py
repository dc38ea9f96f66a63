"""`tf.debugging` extras: assert_shapes (TF1 form, as TF builds it: static checks raise
at once, the rest become rank asserts and Assert ops grouped into one no-op),
assert_all_finite, enable/disable_check_numerics (CheckNumericsV2 after each float
output built while enabled), get_log_device_placement and the traceback-filtering
flags."""

from __future__ import annotations

import collections

import numpy as np

from tfgraph import errors
from tfgraph.eager import context
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph, name_scope
from tfgraph.framework.registry import register_op
from tfgraph.framework.sparse_tensor import SparseTensor
from tfgraph.ops import apply, array_ops, common_shapes, control_flow_ops, math_ops
from tfgraph.ops.check_ops import (
    Assert,
    _message_prefix,
    assert_rank,
    assert_rank_at_least,
    assert_rank_in,
)
from tfgraph.ops.check_ops import verify_tensor_all_finite as assert_all_finite

__all__ = [
    "assert_all_finite",
    "assert_shapes",
    "disable_check_numerics",
    "disable_traceback_filtering",
    "enable_check_numerics",
    "enable_traceback_filtering",
    "get_log_device_placement",
    "is_traceback_filtering_enabled",
]

_Sizes = collections.namedtuple("_Sizes", ["x", "unspecified_dim", "actual_sizes", "symbolic"])


def _dimension_sizes(x):
    dynamic_shape = array_ops.shape(x)
    rank = x.shape.ndims
    if rank == 0:
        return (1,)
    if rank is not None:
        return [
            int(size) if size is not None else dynamic_shape[i]
            for i, size in enumerate(x.shape.as_list())
        ]
    has_rank_zero = math_ops.equal(array_ops.rank(x), 0)
    return control_flow_ops.cond(
        has_rank_zero, lambda: convert_to_tensor([1]), lambda: dynamic_shape
    )


def _has_known_value(size) -> bool:
    if size is None:
        return False
    try:
        int(size)
    except (ValueError, TypeError):
        return False
    return True


def _constraints(shapes, prefix):
    out = []
    for x, symbolic in shapes:
        if not (hasattr(symbolic, "__iter__") or hasattr(symbolic, "__getitem__")):
            raise ValueError(
                f"{prefix}Tensor {x.name}.  Specified shape must be an iterable.  An iterable "
                f"has the attribute `__iter__` or `__getitem__`.  Received specified shape: "
                f"{symbolic}"
            )
        symbolic = tuple(symbolic)
        innermost = False
        for i, symbol in enumerate(symbolic):
            if symbol is not Ellipsis and symbol != "*":
                continue
            if i != 0:
                raise ValueError(
                    f"{prefix}Tensor {x.name} specified shape index {i}.  Symbol `...` or `*` "
                    "for a variable number of unspecified dimensions is only allowed as the "
                    "first entry"
                )
            innermost = True
        sizes = symbolic[1:] if innermost else symbolic
        out.append(_Sizes(x, innermost, _dimension_sizes(x), sizes or (1,)))
    return out


def _rank_assertions(dim_sizes, data, summarize, message, name):
    assertions = []
    for sizes in dim_sizes:
        rank = len(sizes.symbolic)
        zero_or_one = rank in (0, 1)
        kw = {"data": data, "summarize": summarize, "message": message, "name": name}
        if sizes.unspecified_dim:
            if zero_or_one:
                continue
            assertion = assert_rank_at_least(x=sizes.x, rank=rank, **kw)
        elif zero_or_one:
            assertion = assert_rank_in(x=sizes.x, ranks=[0, 1], **kw)
        else:
            assertion = assert_rank(x=sizes.x, rank=rank, **kw)
        assertions.append(assertion)
    return assertions


def _size_assertions(dim_sizes, rank_assertions, data, summarize, prefix):
    graph = get_default_graph()
    assertions, specified = [], {}
    for sizes in dim_sizes:
        for i, symbol in enumerate(sizes.symbolic):
            if symbol is None or symbol == ".":
                continue
            dim = i - len(sizes.symbolic) if sizes.unspecified_dim else i
            if not (symbol in specified or _has_known_value(symbol)):
                with graph.control_dependencies(rank_assertions):
                    specified[symbol] = (sizes.actual_sizes[dim], sizes.x, dim)
                continue
            if _has_known_value(symbol):
                want, how = int(symbol), "Specified explicitly"
            else:
                want, by, at = specified[symbol]
                how = f"Specified by tensor {by.name} dimension {at}"
            with graph.control_dependencies(rank_assertions):
                actual = sizes.actual_sizes[dim]
            if _has_known_value(actual) and _has_known_value(want):
                if int(actual) != int(want):
                    raise ValueError(
                        f"{prefix}{how}.  Tensor {sizes.x.name} dimension {dim} must have size "
                        f"{int(want)}.  Received size {int(actual)}, shape {sizes.x.shape}"
                    )
                continue
            condition = math_ops.equal(convert_to_tensor(actual), convert_to_tensor(want))
            data_ = data
            if data is None:
                data_ = [prefix, how, f"Tensor {sizes.x.name} dimension", dim, "must have size",
                         want, "Received shape: ", array_ops.shape(sizes.x)]  # fmt: skip
            assertions.append(Assert(condition, data_, summarize=summarize))
    return assertions


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """Asserts the shapes of tensors, with symbolic sizes (a name stands for one size
    shared by every tensor that uses it; an int is that size; None or '.' any size;
    a leading `...` or '*' any number of outer dimensions). `shapes` is a dict or a list
    of (tensor, shape) pairs. Static mismatches raise ValueError; returns a no-op
    depending on the runtime checks."""
    if isinstance(shapes, dict):
        shapes = shapes.items()
    prefix = _message_prefix(message)
    with name_scope(name, "assert_shapes"):
        pairs = [
            (x if isinstance(x, SparseTensor) else convert_to_tensor(x), s)
            for x, s in shapes
            if s is not None
        ]
        dim_sizes = _constraints(pairs, prefix)
        rank_assertions = _rank_assertions(dim_sizes, data, summarize, message, name)
        size_assertions = _size_assertions(dim_sizes, rank_assertions, data, summarize, prefix)
    with get_default_graph().control_dependencies(rank_assertions):
        return control_flow_ops.group(size_assertions)


def get_log_device_placement() -> bool:
    """Whether eager ops log their devices (`set_log_device_placement`)."""
    return context.log_device_placement()


_traceback_filtering = [True]


def is_traceback_filtering_enabled() -> bool:
    """Whether TF-internal frames are filtered from tracebacks (a flag only: tfgraph
    shows its tracebacks unfiltered)."""
    return _traceback_filtering[0]


def enable_traceback_filtering() -> None:
    """Sets the traceback-filtering flag (see `is_traceback_filtering_enabled`)."""
    _traceback_filtering[0] = True


def disable_traceback_filtering() -> None:
    """Clears the traceback-filtering flag (see `is_traceback_filtering_enabled`)."""
    _traceback_filtering[0] = False


# -- CheckNumericsV2 and enable_check_numerics -------------------------------------------------
def _check_numerics_v2_kernel(op, ctx):
    prefix = op._attrs["message"].decode("utf-8", "replace") + " : Tensor had "

    def kernel(x):
        values = np.asarray(x)
        if values.dtype.fields is not None:  # bfloat16 stand-in: check as float32
            values = dtypes.from_bfloat16(values)
        if np.isfinite(values).all():
            return x
        found = []
        if np.isneginf(values).any():
            found.append("-Inf")
        if np.isposinf(values).any():
            found.append("+Inf")
        if np.isnan(values).any():
            found.append("NaN")
        what = found[0] if len(found) == 1 else (
            " and ".join(found) if len(found) == 2 else "-Inf, +Inf, and NaN"
        )  # fmt: skip
        raise errors.InvalidArgumentError(None, op, f"{prefix}{what} values")

    return kernel


def _check_numerics_v2_grad(op, grad):
    message = op._attrs["message"]
    return [
        apply.op_output(
            "CheckNumericsV2",
            None,
            [grad],
            {
                "message": b"Not a number (NaN) or infinity (Inf) values detected in "
                b"gradient. " + str(message).encode()
            },
        )
    ]


register_op(
    "CheckNumericsV2",
    inputs=["tensor: T"],
    outputs=["output: T"],
    attrs=["T: {bfloat16, half, float, double}", "message: string"],
    shape=common_shapes.unchanged_shape,
    make_kernel=_check_numerics_v2_kernel,
    grad=_check_numerics_v2_grad,
    stateful=True,
)

# TF's op_callbacks_common.OP_CALLBACK_SKIP_OPS and check_numerics_callback.SAFE_OPS
_SKIP_OPS = frozenset(
    [
        "Enter",
        "Exit",
        "Identity",
        "If",
        "LoopCond",
        "Merge",
        "NextIteration",
        "StatelessIf",
        "StatefulPartitionedCall",
        "Switch",
        "While",
        "RemoteCall",
        "DestroyResourceOp",
        "CheckNumericsV2",
        "Concat",
        "ConcatV2",
        "ExpandDims",
        "Fill",
        "Gather",
        "Maximum",
        "Minimum",
        "Reshape",
        "Slice",
        "Squeeze",
        "Stack",
        "StridedSlice",
        "StridedSliceGrad",
        "TensorListConcatV2",
        "TensorListGather",
        "TensorListGetItem",
        "TensorListPopBack",
        "TensorListStack",
        "Transpose",
        "Unpack",
        "Placeholder",
    ]
)  # fmt: skip


def _error_message(output) -> str:
    op = output.op
    message = (
        f"\n\n!!! Detected Infinity or NaN in output {output.value_index} of graph op "
        f'"{op.type}" (# of outputs: {len(op.outputs)}) !!!\n'
        f"  dtype: <dtype: '{output.dtype.name}'>\n  shape: {output.shape}\n"
    )
    inputs = list(op.inputs)
    if len(inputs) > 1:
        message += f"\n  Input tensors ({len(inputs)}):\n"
        for slot, t in enumerate(inputs):
            message += f"         {slot}: {t}\n"
    elif len(inputs) == 1:
        message += f"\n  Input tensor: {inputs[0]}\n"
    return message + "\n"


def _instrument(output):
    if output.op.type in _SKIP_OPS or not output.dtype.is_floating or context.executing_eagerly():
        return output
    with get_default_graph().name_scope(output.op.name + "/"):
        return apply.op_output(
            "CheckNumericsV2",
            "CheckNumericsV2",
            [output],
            {"message": _error_message(output).encode()},
        )


def enable_check_numerics(stack_height_limit=30, path_length_limit=50):
    """From now on, each float output of a single-output op built in graph mode is
    followed by a CheckNumericsV2 op (named "<op>/CheckNumericsV2") that fails the run
    naming the op when it holds an infinity or NaN; the checked tensor is what the
    building function returns. (tfgraph instruments single-output ops other than
    constants and placeholders, and shows no creation stack trace.)"""
    del stack_height_limit, path_length_limit
    if _instrument not in apply.OUTPUT_HOOKS:
        apply.OUTPUT_HOOKS.append(_instrument)


def disable_check_numerics():
    """Stops adding CheckNumericsV2 ops (those already built stay)."""
    if _instrument in apply.OUTPUT_HOOKS:
        apply.OUTPUT_HOOKS.remove(_instrument)

"""TF's stack ops (StackV2, StackPushV2, StackPopV2, StackCloseV2): the accumulators
gradients through while loops keep forward values in (ops/control_flow_state.py).

A stack's handle is a fresh `_Stack` each time its StackV2 op runs (one run, one stack);
pushes and pops act on it. `swap_memory` is accepted and has no effect.
"""

from __future__ import annotations

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.ops import common_shapes
from tfgraph.ops.apply import op_output

__all__ = ["stack_close_v2", "stack_pop_v2", "stack_push_v2", "stack_v2"]


class _Stack:
    __slots__ = ("closed", "elem_type", "items", "max_size", "name")

    def __init__(self, name: str, elem_type, max_size: int) -> None:
        self.name = name
        self.elem_type = elem_type
        self.max_size = max_size
        self.items: list = []
        self.closed = False


def _node(op) -> str:
    return f"\n\t [[{{{{node {op.name}}}}}]]"


def _stack_of(op, handle) -> _Stack:
    if not isinstance(handle, _Stack) or handle.closed:
        raise errors.InvalidArgumentError(
            None, op, f"Stack handle is not valid (the stack was closed){_node(op)}"
        )
    return handle


def _stack_v2_kernel(op, ctx):
    name = (op._attrs.get("stack_name") or b"").decode() or op.name
    elem_type = op._attrs["elem_type"]

    def kernel(max_size):
        return _Stack(name, elem_type, int(max_size))

    return kernel


def _push_kernel(op, ctx):
    # (a grad loop pushes every forward value it needs at every iteration: the checks
    # are inline, 1.4 -> 0.9 us a push in dynamic_rnn's loop)
    def kernel(handle, elem):
        if handle.__class__ is not _Stack or handle.closed:
            _stack_of(op, handle)
        items = handle.items
        if 0 <= handle.max_size <= len(items):
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Stack[{handle.name}] overflowed its max_size ({handle.max_size}){_node(op)}",
            )
        items.append(elem)
        return elem

    return kernel


def _pop_kernel(op, ctx):
    def kernel(handle):
        if handle.__class__ is not _Stack or handle.closed:
            _stack_of(op, handle)
        items = handle.items
        if not items:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Stack[{handle.name}] is empty when calling Pop().{_node(op)}",
            )
        return items.pop()

    return kernel


def _close_kernel(op, ctx):
    def kernel(handle):
        if isinstance(handle, _Stack):
            handle.closed = True
            handle.items = []

    return kernel


def _max_size_shape(op):
    dims = op._inputs[0]._shape._dims
    if dims is not None and len(dims) != 0:
        raise common_shapes.shape_error(op, f"Shape must be rank 0 but is rank {len(dims)}")
    return [common_shapes.SCALAR]


register_op(
    "StackV2",
    inputs=["max_size: int32"],
    outputs=["handle: resource"],
    attrs=["elem_type: type", "stack_name: string = ''"],
    shape=_max_size_shape,
    make_kernel=_stack_v2_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)
register_op(
    "StackPushV2",
    inputs=["handle: resource", "elem: T"],
    outputs=["output: T"],
    attrs=["T: type", "swap_memory: bool = false"],
    shape=lambda op: [op._inputs[1]._shape],
    make_kernel=_push_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)
register_op(
    "StackPopV2",
    inputs=["handle: resource"],
    outputs=["elem: elem_type"],
    attrs=["elem_type: type"],
    shape=lambda op: [common_shapes.UNKNOWN],
    make_kernel=_pop_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)
register_op(
    "StackCloseV2",
    inputs=["handle: resource"],
    make_kernel=_close_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
    side_effect=True,
)


def stack_v2(max_size, elem_type, stack_name: str = "", name: str | None = None):
    """A new stack of `elem_type` elements (at most `max_size`; -1: unbounded)."""
    return op_output(
        "StackV2",
        name or "Stack",
        [max_size],
        {"elem_type": dtypes.as_dtype(elem_type)._base, "stack_name": stack_name.encode()},
    )


def stack_push_v2(handle, elem, swap_memory: bool = False, name: str | None = None):
    """Pushes `elem` onto the stack; returns `elem`."""
    return op_output(
        "StackPushV2", name or "StackPushV2", [handle, elem], {"swap_memory": swap_memory}
    )


def stack_pop_v2(handle, elem_type, name: str | None = None):
    """Pops the top element of the stack."""
    return op_output(
        "StackPopV2",
        name or "StackPopV2",
        [handle],
        {"elem_type": dtypes.as_dtype(elem_type)._base},
    )


def stack_close_v2(handle, name: str | None = None):
    """Closes the stack (its elements are dropped)."""
    from tfgraph.ops.apply import apply_op

    return apply_op("StackCloseV2", name or "StackCloseV2", [handle])

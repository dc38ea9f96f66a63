"""Functional control flow: ops that run functions of the graph's library.

`PartitionedCall`/`StatefulPartitionedCall` call `f` (what `tf.function` leaves in a
graph), `If`/`StatelessIf` call `then_branch` or `else_branch` by their `cond` input,
`Case`/`StatelessCase` call `branches[branch_index]` (the last one when the index is out
of range), and `While`/`StatelessWhile` call `body` as long as `cond` holds (TF2's
v2 `cond`/`while_loop`). Their attrs name functions of the graph's library
(framework/function_library.py); kernels bind each function's runner once, and the
function's body runs as a plan of its own on the session's resources, so its state is
the session's. Output shapes come from `output_shapes` when it is given (while loops
otherwise keep their inputs' shapes; calls use the function body's result shapes).

An error inside a body keeps its class and the inner node's name (as TF's message does)
and names the calling op after it. Gradients go through gradient functions
(function_call_grad.py).
"""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import function_library
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.function_call_grad import (
    call_grad,
    case_grad,
    gradient_body,
    if_grad,
    while_grad,
)

__all__: list[str] = []


def _runner(node, ctx, fn):
    make = getattr(fn, "make_runner", None)
    if make is None:
        raise errors.InvalidArgumentError(
            None,
            node,
            f"Op type not registered '{fn}': function {str(fn)!r} (called by {node._name}) "
            "is not defined in the graph's function library; import the GraphDef together "
            "with its library",
        )
    return make(ctx)


def _call(run, args, node):
    try:
        return run(*args)
    except errors.OpError as e:
        raise type(e)(None, node, f"{e.message}\n\t [[{node._name}]]") from e


def _truthy(value) -> bool:
    """TF's ToBool: a scalar by its value (a string by being non-empty), any other
    tensor by having elements."""
    a = np.asarray(value)
    if a.ndim == 0:
        v = a.item()
        return len(v) > 0 if isinstance(v, (bytes, str)) else bool(v)
    return a.size > 0


def _check_count(values, expected: int, node, what: str) -> None:
    if len(values) != expected:
        raise errors.InvalidArgumentError(
            None,
            node,
            f"{node._type} {node._name}: {what} returned {len(values)} values, expected {expected}",
        )


# -- shapes ----------------------------------------------------------------------------


def _given_shapes(node, n: int):
    shapes = node._attrs.get("output_shapes") or []
    if len(shapes) == n:
        return [TensorShape(s) for s in shapes]
    return None


def _call_shape(node):
    n = len(node._attrs["Tout"])
    fn = node._attrs["f"]
    if isinstance(fn, function_library.GraphFunction):
        shapes = function_library.output_shapes(fn)
        if len(shapes) == n:
            return shapes
    return [TensorShape(None)] * n


def _branch_shape(node):
    n = len(node._attrs["Tout"])
    return _given_shapes(node, n) or [TensorShape(None)] * n


def _while_shape(node):
    n = len(node._attrs["T"])
    return _given_shapes(node, n) or [t._shape for t in node._inputs]


# -- kernels ---------------------------------------------------------------------------


def _call_kernel(node, ctx):
    run = _runner(node, ctx, node._attrs["f"])
    n = len(node._attrs["Tout"])

    def kernel(*args):
        out = _call(run, args, node)
        _check_count(out, n, node, f"function {node._attrs['f']}")
        return out

    return kernel


def _remote_call_kernel(node, ctx):
    call = _call_kernel(node, ctx)

    def kernel(target, *args):
        # (The target device is this process's: tfgraph runs every op on its one CPU.)
        return call(*args)

    return kernel


def _if_kernel(node, ctx):
    then_run = _runner(node, ctx, node._attrs["then_branch"])
    else_run = _runner(node, ctx, node._attrs["else_branch"])

    def kernel(cond, *args):
        return _call(then_run if _truthy(cond) else else_run, args, node)

    return kernel


def _case_kernel(node, ctx):
    runs = [_runner(node, ctx, fn) for fn in node._attrs["branches"]]

    def kernel(branch_index, *args):
        k = int(np.asarray(branch_index))
        if k < 0 or k >= len(runs):
            k = len(runs) - 1  # (TF: out of range runs the last branch, the default)
        return _call(runs[k], args, node)

    return kernel


def _while_kernel(node, ctx):
    cond_run = _runner(node, ctx, node._attrs["cond"])
    body_run = _runner(node, ctx, node._attrs["body"])
    n = len(node._attrs["T"])

    def kernel(*args):
        values = tuple(args)
        while True:
            result = _call(cond_run, values, node)
            _check_count(result, 1, node, f"cond function {node._attrs['cond']}")
            if not _truthy(result[0]):
                return values
            values = _call(body_run, values, node)
            _check_count(values, n, node, f"body function {node._attrs['body']}")

    return kernel


def _symbolic_gradient_kernel(node, ctx):
    fn = node._attrs["f"]
    if not isinstance(fn, function_library.GraphFunction):
        _runner(node, ctx, fn)  # (raises: not in the library)
    graph, feeds, fetches = gradient_body(fn)
    plan = None

    def kernel(*values):
        nonlocal plan
        if plan is None:
            plan = ctx.plan_for(graph, fetches, [], feeds)
        try:
            return tuple(plan.run(values))
        except errors.OpError as e:
            raise type(e)(None, node, f"{e.message}\n\t [[{node._name}]]") from e

    return kernel


# (TF1's Defun gradients: the gradient of f's results with respect to its arguments,
# given one gradient per result after the arguments. TF registers no gradient for it.)
register_op(
    "SymbolicGradient",
    inputs=["input: Tin"],
    outputs=["output: Tout"],
    attrs=["Tin: list(type) >= 1", "Tout: list(type) >= 1", "f: func"],
    shape=lambda node: [t._shape for t in node._inputs[: len(node._attrs["Tout"])]],
    make_kernel=_symbolic_gradient_kernel,
)

_CALL_ATTRS = [
    "Tin: list(type) >= 0",
    "Tout: list(type) >= 0",
    "f: func",
    "config: string = ''",
    "config_proto: string = ''",
    "executor_type: string = ''",
]
for _name, _stateful in (("PartitionedCall", False), ("StatefulPartitionedCall", True)):
    register_op(
        _name,
        inputs=["args: Tin"],
        outputs=["output: Tout"],
        attrs=_CALL_ATTRS,
        shape=_call_shape,
        make_kernel=_call_kernel,
        grad=call_grad,
        stateful=_stateful,
    )

# (TF's `functional_ops.remote_call`: `f` on the device `target` names; here that is this
# process, so it is a call of `f` after its target. copy_to_device builds it.)
register_op(
    "RemoteCall",
    inputs=["target: string", "args: Tin"],
    outputs=["output: Tout"],
    attrs=["Tin: list(type) >= 1", "Tout: list(type) >= 1", "f: func"],
    shape=_call_shape,
    make_kernel=_remote_call_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)

for _name, _stateful in (("If", True), ("StatelessIf", False)):
    register_op(
        _name,
        inputs=["cond: Tcond", "input: Tin"],
        outputs=["output: Tout"],
        attrs=[
            "Tcond: type",
            "Tin: list(type) >= 0",
            "Tout: list(type) >= 0",
            "then_branch: func",
            "else_branch: func",
            "output_shapes: list(shape) = []",
        ],
        shape=_branch_shape,
        make_kernel=_if_kernel,
        grad=if_grad,
        stateful=_stateful,
    )

for _name, _stateful in (("Case", True), ("StatelessCase", False)):
    register_op(
        _name,
        inputs=["branch_index: int32", "input: Tin"],
        outputs=["output: Tout"],
        attrs=[
            "Tin: list(type) >= 0",
            "Tout: list(type) >= 0",
            "branches: list(func) >= 1",
            "output_shapes: list(shape) = []",
        ],
        shape=_branch_shape,
        make_kernel=_case_kernel,
        grad=case_grad,
        stateful=_stateful,
    )

for _name, _stateful in (("While", True), ("StatelessWhile", False)):
    register_op(
        _name,
        inputs=["input: T"],
        outputs=["output: T"],
        attrs=[
            "T: list(type) >= 0",
            "cond: func",
            "body: func",
            "output_shapes: list(shape) = []",
            "parallel_iterations: int = 10",
        ],
        shape=_while_shape,
        make_kernel=_while_kernel,
        grad=while_grad,
        stateful=_stateful,
    )

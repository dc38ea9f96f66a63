"""`tf.gradients`: symbolic reverse-mode differentiation of a graph, as TF1 builds it.

The pass works as TensorFlow's: mark the ops reachable from `xs` through differentiable
(floating or complex) tensors, keep those that also lead to `ys`, count for each how
many of its consumers still owe it a gradient, then walk backwards from `ys` in
breadth-first order. When every consumer of an op has contributed, the gradients of
each of its outputs are summed (`AddN`, colocated with the first summand; IndexedSlices
are concatenated, and densified when mixed with dense gradients), missing gradients of
differentiable outputs are filled with zeros, and the op's gradient function (declared
in its registry entry, or registered with `RegisterGradient` and selected through
`Graph.gradient_override_map`) builds the input gradients under the name scope
`gradients/<op name>_grad`.
"""

from __future__ import annotations

import collections
import enum
from collections.abc import Callable

from tfgraph.framework import dtypes, registry
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.indexed_slices import IndexedSlices
from tfgraph.framework.ops import Operation, Tensor
from tfgraph.framework.registry import NOT_DIFFERENTIABLE

__all__ = [
    "AggregationMethod",
    "NotDifferentiable",
    "RegisterGradient",
    "UnconnectedGradients",
    "get_gradient_function",
    "gradients",
    "no_gradient",
]


class UnconnectedGradients(enum.Enum):
    """What `gradients` returns for an x that the ys do not depend on."""

    NONE = "none"
    ZERO = "zero"


class AggregationMethod:
    """How gradient contributions to one tensor are summed."""

    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


# -- the gradient function registry -------------------------------------------------------
# Gradient functions registered by name with `RegisterGradient` / `NotDifferentiable`.
# Op types' own gradients live in their registry entries (OpDef.grad).
_user_gradients: dict[str, object] = {}


def _location(fn) -> str:
    code = getattr(fn, "__code__", None)
    if code is None:
        return "<unknown> <unknown>:0"
    return f"{code.co_name} {code.co_filename}:{code.co_firstlineno}"


def _register(op_type: str, fn) -> None:
    previous = _user_gradients.get(op_type)
    if previous is None:
        op_def = registry.lookup(op_type)
        if op_def is not None and op_def.grad is not None:
            previous = op_def.grad
    if previous is not None:
        where = (
            "NotDifferentiable registry.py:0"
            if previous is NOT_DIFFERENTIABLE
            else _location(previous)
        )
        raise KeyError(
            f"Registering two gradient with name '{op_type}'! (Previous registration was in "
            f"{where})"
        )
    _user_gradients[op_type] = fn


class RegisterGradient:
    """Decorator registering a gradient function under a name (an op type, or a name
    used with `Graph.gradient_override_map`):

        @tf.RegisterGradient("MySquare")
        def _my_square_grad(op, grad):
            return grad * 2.0 * op.inputs[0]
    """

    def __init__(self, op_type: str) -> None:
        if not isinstance(op_type, str):
            raise TypeError("op_type must be a string")
        self._op_type = op_type

    def __call__(self, f: Callable) -> Callable:
        _register(self._op_type, f)
        return f


def NotDifferentiable(op_type: str) -> None:
    """Declares that ops of type `op_type` have no gradient (they stop backprop)."""
    if not isinstance(op_type, str):
        raise TypeError("op_type must be a string")
    _register(op_type, NOT_DIFFERENTIABLE)


no_gradient = NotDifferentiable


def _no_gradient_error(op: Operation) -> LookupError:
    return LookupError(
        f"No gradient defined for operation'{op._name}' (op type: {op._type}). In general "
        "every operation must have an associated `@tf.RegisterGradient` for correct autodiff, "
        "which this op is lacking. If you want to pretend this operation is a constant in "
        "your program, you may insert `tf.stop_gradient`. This can be useful to silence the "
        "error in cases where you know gradients are not needed, e.g. the forward pass of "
        "tf.custom_gradient. Please see more details in "
        "https://www.tensorflow.org/api_docs/python/tf/custom_gradient."
    )


def get_gradient_function(op: Operation):
    """The gradient function of `op` (None for ops without inputs or not differentiable).

    Raises:
        LookupError: if none is registered for the op's type (or its override name).
    """
    if not op._inputs:
        return None
    mapped = op._attrs.get("_gradient_op_type")
    op_type = (
        op._type
        if mapped is None
        else (mapped.decode() if isinstance(mapped, bytes) else str(mapped))
    )
    fn = _user_gradients.get(op_type)
    if fn is None:
        op_def = registry.lookup(op_type)
        if op_def is None and op_type == op._type:  # (a call by function name)
            op_def = op._op_def
        fn = None if op_def is None else op_def.grad
        if fn is None:
            raise _no_gradient_error(op)
    return None if fn is NOT_DIFFERENTIABLE else fn


# -- helpers ----------------------------------------------------------------------------------
_TRAINABLE = frozenset(
    {
        dtypes.float16,
        dtypes.float32,
        dtypes.float64,
        dtypes.bfloat16,
        dtypes.complex64,
        dtypes.complex128,
        dtypes.resource,
        dtypes.variant,
    }
)


def is_trainable(t) -> bool:
    """Whether a tensor's dtype supports infinitesimal changes (TF's IsTrainable)."""
    return t.dtype._base in _TRAINABLE


def _as_list(x) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _as_grad_tensor(value, name: str, as_ref: bool = False):
    if value is None or isinstance(value, (Tensor, IndexedSlices)):
        return value
    return convert_to_tensor(value, name=name, as_ref=as_ref)


class _Colocate:
    """`graph.colocate_with(op)` when enabled, else nothing."""

    __slots__ = ("_cm", "_enabled", "_graph", "_op")

    def __init__(self, graph, op, enabled: bool) -> None:
        self._graph, self._op, self._enabled, self._cm = graph, op, enabled, None

    def __enter__(self):
        if self._enabled:
            self._cm = self._graph.colocate_with(self._op)
            self._cm.__enter__()

    def __exit__(self, *exc):
        if self._cm is not None:
            self._cm.__exit__(*exc)


def _default_grad_ys(grad_ys: list, ys: list, colocate: bool, graph) -> list:
    from tfgraph.ops import array_ops

    if len(grad_ys) != len(ys):
        raise ValueError(f"Length mismatch. Passed {len(grad_ys)} grad_ys for {len(ys)} ys")
    grad_ys = [_as_grad_tensor(g, "grad_y") for g in grad_ys]
    out: list[Tensor | IndexedSlices] = []
    for i, (y, grad_y) in enumerate(zip(ys, grad_ys)):
        with _Colocate(graph, y.op, colocate):
            if grad_y is None:
                if y.dtype.is_complex:
                    raise TypeError(
                        f"Gradients of complex tensors ({y}) must set grad_ys (y.dtype = "
                        f"{y.dtype._base.name})"
                    )
                out.append(
                    array_ops.ones(array_ops.shape(y), dtype=y.dtype._base, name=f"grad_ys_{i}")
                )
                continue
            ydt, gdt = y.dtype._base, grad_y.dtype._base
            if ydt.is_floating or ydt.is_integer:
                if not gdt.is_floating and not gdt.is_integer:
                    raise TypeError(
                        f"Gradient type {gdt.name} generated for real or integer-valued tensor "
                        f"{y} with type {ydt.name} must be real or integer"
                    )
            elif ydt.is_complex:
                if not gdt.is_complex:
                    raise TypeError(
                        f"Gradient type {gdt.name} generated for complex-valued tensor {y} with "
                        f"type {ydt.name} must be real"
                    )
            elif ydt is dtypes.variant:
                if not is_trainable(grad_y):
                    raise TypeError(
                        f"Gradient type {gdt.name} generated for variant tensor {y} with type "
                        f"{ydt.name} must be variant"
                    )
            else:
                raise TypeError(
                    f"Tensor {y} with type {ydt.name} must be numeric to obtain a default gradient"
                )
            if isinstance(grad_y, IndexedSlices):
                out.append(
                    IndexedSlices(
                        array_ops.identity(grad_y.values, name=f"grad_ys_{i}_values"),
                        array_ops.identity(grad_y.indices, name=f"grad_ys_{i}_indices"),
                        None
                        if grad_y.dense_shape is None
                        else array_ops.identity(grad_y.dense_shape, name=f"grad_ys_{i}_shape"),
                    )
                )
            else:
                out.append(array_ops.identity(grad_y, name=f"grad_ys_{i}"))
    return out


def _pending_count(to_ops: list, from_ops: list, colocate: bool = False):
    """(to_ops reachable from from_ops, pending counts of the ops between them, the
    loops' ControlFlowState or None)."""
    reached: set = set()
    queue = collections.deque(from_ops)
    while queue:
        op = queue.popleft()
        if op not in reached:
            reached.add(op)
            for t in op._outputs:
                if t._dtype._base in _TRAINABLE:
                    queue.extend(t._consumers)
    reachable_to_ops = {op for op in to_ops if op in reached}
    between: set = set()
    between_list = []
    queue = collections.deque(to_ops)
    while queue:
        op = queue.popleft()
        if op in reached:
            between.add(op)
            between_list.append(op)
            reached.discard(op)
            queue.extend(t._op for t in op._inputs)
    loop_state = None
    if any(op._op_def.control_flow == "exit" for op in between_list):
        from tfgraph.ops.control_flow_state import maybe_create_control_flow_state

        loop_state = maybe_create_control_flow_state(between_list, between, colocate)
    pending: collections.defaultdict = collections.defaultdict(int)
    for op in between_list:
        for t in op._inputs:
            if t._op in between:
                pending[t._op] += 1
    return reachable_to_ops, pending, loop_state


def _set_grad(grads: dict, t: Tensor, grad) -> None:
    op = t._op
    op_grads = grads.get(op)
    if not op_grads:
        op_grads = grads[op] = [[] for _ in op._outputs]
    t_grads = op_grads[t._value_index]
    if isinstance(t_grads, list):
        t_grads.append(grad)
    else:  # (a loop Switch, visited a second time: its body gradient)
        op_grads[t._value_index] = grad


def _zeros_like_output(op: Operation, index: int):
    """Zeros for output `index` of `op`, whose gradient nobody supplied (TF's ZerosLike:
    for a Switch of a cond branch, zeros that exist only on the untaken side)."""
    from tfgraph.ops import array_ops, control_flow_ops

    val = op._outputs[index]
    if op._op_def.control_flow == "switch":
        ctxt = control_flow_ops.op_context(op)
        if ctxt is not None:
            g = op._graph
            switch_val = control_flow_ops.switch(op._inputs[0], ctxt.pred)[1 - ctxt.branch]
            pivot = array_ops.identity(switch_val)
            if val.dtype._base is dtypes.resource:
                # a variable read in the branch: zeros of the variable's shape and dtype
                from tfgraph.ops import resource_variable_ops

                with g.control_dependencies([pivot]):
                    return array_ops.zeros(
                        resource_variable_ops.variable_shape(switch_val),
                        dtype=_handle_dtype(op._inputs[0]),
                    )
            zeros_shape = array_ops._shape_internal(switch_val, optimize=False)
            with g.control_dependencies([pivot]):
                return array_ops.zeros(zeros_shape, dtype=val.dtype._base)
    return array_ops.zeros_like(val, optimize=False)


def _handle_dtype(handle):
    """The dtype of the variable a resource handle refers to (float32 if unknown, as
    TF's get_zeros_dtype without handle data): the `dtype` attr of the op that made it,
    followed back through the ops forwarding the handle."""
    seen = 0
    while handle is not None and seen < 100:
        dtype = handle.op._attrs.get("dtype")
        if dtype is not None and dtype._base is not dtypes.resource:
            return dtype._base
        handle = handle.op._inputs[0] if handle.op._inputs else None
        seen += 1
    return dtypes.float32


def _accumulator_shape(inputs):
    from tfgraph.framework.tensor_shape import TensorShape

    shape = TensorShape(None)
    for t in inputs:
        if isinstance(t, Tensor):
            shape = shape.merge_with(t._shape)
    return shape


def _multi_device_add_n(tensors: list, graph):
    from tfgraph.ops import math_ops

    by_device: dict[str, list] = {}
    for t in tensors:
        by_device.setdefault(t.device, []).append(t)
    summands = []
    for dev in sorted(by_device):
        group = by_device[dev]
        with graph.colocate_with(group[0].op, ignore_existing=True):
            summands.append(math_ops.add_n(group))
    return math_ops.add_n(summands)


def _flatten_nested_indexed_slices(grad: IndexedSlices) -> IndexedSlices:
    from tfgraph.ops import array_ops

    if isinstance(grad.values, Tensor):
        return grad
    inner = _flatten_nested_indexed_slices(grad.values)
    return IndexedSlices(
        inner.values, array_ops.gather(grad.indices, inner.indices), inner.dense_shape
    )


def aggregate_indexed_slices_gradients(grads: list):
    """Sums gradients some of which are IndexedSlices (TF's rules: dense if any is dense,
    else one IndexedSlices of the concatenated values and indices)."""
    from tfgraph.ops import array_ops, math_ops

    if len(grads) < 1:
        return None
    if len(grads) == 1:
        return grads[0]
    grads = [g for g in grads if g is not None]
    if any(isinstance(g, Tensor) for g in grads):
        return math_ops.add_n(grads)
    if any(g.indices.dtype._base is dtypes.int64 for g in grads):
        grads = [
            g
            if g.indices.dtype._base is dtypes.int64
            else IndexedSlices(g.values, array_ops.cast(g.indices, dtypes.int64), g.dense_shape)
            for g in grads
        ]
    grads = [_flatten_nested_indexed_slices(g) for g in grads]
    return IndexedSlices(
        array_ops.concat([g.values for g in grads], axis=0),
        array_ops.concat([g.indices for g in grads], axis=0),
        grads[0].dense_shape,
    )


def _aggregated_grads(grads: dict, op: Operation, aggregation_method, graph) -> list:
    from tfgraph.ops import math_ops

    if aggregation_method is None:
        aggregation_method = AggregationMethod.DEFAULT
    valid = [
        AggregationMethod.ADD_N,
        AggregationMethod.EXPERIMENTAL_TREE,
        AggregationMethod.EXPERIMENTAL_ACCUMULATE_N,
    ]
    if aggregation_method not in valid:
        raise ValueError(
            f"Invalid `aggregation_method` specified {aggregation_method}. Accepted values are "
            f"{valid}."
        )
    out_grads = grads.get(op)
    if out_grads is None:
        return [None] * len(op._outputs)
    for i, out_grad in enumerate(out_grads):
        if not isinstance(out_grad, list):
            continue
        if not all(isinstance(g, (Tensor, IndexedSlices)) for g in out_grad if g is not None):
            raise TypeError(
                f"Invalid gradient {out_grad} [index = {i}]. Gradients have to be either all "
                "Tensors or all IndexedSlices"
            )
        if not out_grad:
            out_grads[i] = None
        elif len(out_grad) < 2:
            out_grads[i] = out_grad[0]
        elif all(isinstance(g, Tensor) for g in out_grad if g is not None):
            if aggregation_method in (
                AggregationMethod.EXPERIMENTAL_TREE,
                AggregationMethod.EXPERIMENTAL_ACCUMULATE_N,
            ):
                with graph.name_scope(op._name + "_gradient_sum"):
                    running = out_grad[0]
                    for g in out_grad[1:]:
                        running = math_ops.add_n([running, g])
                    out_grads[i] = running
            else:
                out_grads[i] = _multi_device_add_n(out_grad, graph)
        else:
            out_grads[i] = aggregate_indexed_slices_gradients(out_grad)
    return out_grads


def _gate(grads: list, graph) -> list:
    """TF's gate_gradients: every gradient of an op is available only once all are."""
    from tfgraph.ops import control_flow_ops

    with graph.device(None), graph.colocate_with(None, ignore_existing=True):
        return control_flow_ops.tuple(grads)


def _unconnected(t: Tensor, unconnected_gradients: UnconnectedGradients):
    from tfgraph.ops import array_ops

    if unconnected_gradients is UnconnectedGradients.ZERO:
        return array_ops.zeros_like(t, dtype=t.dtype._base)
    return None


# -- gradients ------------------------------------------------------------------------------
def gradients(
    ys,
    xs,
    grad_ys=None,
    name: str | None = "gradients",
    colocate_gradients_with_ops: bool = False,
    gate_gradients: bool = False,
    aggregation_method=None,
    stop_gradients=None,
    unconnected_gradients=UnconnectedGradients.NONE,
) -> list:
    """Symbolic derivatives of the sum of `ys` with respect to each of `xs`.

    Args:
        ys: a Tensor or list of tensors to differentiate.
        xs: a Tensor, Variable or list of them to differentiate with respect to.
        grad_ys: optional gradients for each y (default: ones shaped like y).
        name: name scope of the gradient ops (default "gradients").
        colocate_gradients_with_ops: place each gradient op with its forward op.
        gate_gradients: make an op's input gradients available only together.
        aggregation_method: an `AggregationMethod` value.
        stop_gradients: tensors through which no gradient flows.
        unconnected_gradients: "none" (None for xs the ys do not depend on) or "zero".

    Returns:
        One gradient (Tensor, IndexedSlices or None) per x.

    Raises:
        LookupError: an op on a path from xs to ys has no gradient defined.
        ValueError: on mismatched `grad_ys` or invalid arguments.
    """
    ys = [_flat_for_grad(y) for y in _as_list(ys)]
    composite_xs = _as_list(xs)
    xs = [_flat_for_grad(x) for x in composite_xs]
    if grad_ys is not None:
        grad_ys = [_flat_for_grad(g) for g in _as_list(grad_ys)]
    try:
        unconnected_gradients = UnconnectedGradients(unconnected_gradients)
    except ValueError:
        raise ValueError(
            f"Unknown value for unconnected_gradients: '{unconnected_gradients}'"
        ) from None
    stop_gradients = [] if stop_gradients is None else _as_list(stop_gradients)
    if grad_ys is None:
        grad_ys = [None] * len(ys)
    graph = _graph_of(ys + xs + stop_gradients + grad_ys)
    with graph.as_default(), graph.name_scope(name or "gradients"):
        graph.unique_name("uid")  # TF reserves a uid name per call
        ys = [_as_grad_tensor(y, "y") for y in ys]
        xs = [_as_grad_tensor(x, "x", as_ref=True) for x in xs]
        grad_ys = _default_grad_ys(grad_ys, ys, colocate_gradients_with_ops, graph)

        to_ops = [t.op for t in ys]
        from_ops = [t.op for t in xs]
        stop_gradient_ops = [t.op for t in stop_gradients]
        reachable_to_ops, pending, loop_state = _pending_count(
            to_ops, from_ops, colocate_gradients_with_ops
        )

        grads: dict = {}
        for y, grad_y in zip(ys, grad_ys):
            _set_grad(grads, y, grad_y)

        queue: collections.deque[Operation] = collections.deque()
        to_ops_set: set = set()
        for op in to_ops:
            if pending[op] == 0 and op not in to_ops_set and op in reachable_to_ops:
                to_ops_set.add(op)
                queue.append(op)

        if loop_state is not None:
            for y in loop_state.process_unused_loop_exits(pending, to_ops_set):
                if is_trainable(y):
                    _set_grad(grads, y, loop_state.zeros_like_for_exit(y))
                queue.append(y.op)
        stop_ops = _stop_ops(from_ops, stop_gradient_ops, pending)
        while queue:
            op = queue.popleft()
            with _Colocate(graph, op, colocate_gradients_with_ops):
                if loop_state is not None:
                    loop_state.enter_grad_while_context(op, before=True)
                out_grads = _aggregated_grads(grads, op, aggregation_method, graph)
                if loop_state is not None:
                    loop_state.exit_grad_while_context(op, before=True)
                    loop_state.enter_grad_while_context(op, before=False)
                in_grads = _input_grads(
                    op, out_grads, op not in stop_ops, gate_gradients, graph, loop_state
                )
                for i, (t_in, in_grad) in enumerate(zip(op._inputs, in_grads)):
                    if in_grad is not None:
                        _check_grad_shape(op, i, t_in, in_grad)
                        _set_grad(grads, t_in, in_grad)
                if loop_state is not None:
                    loop_state.exit_grad_while_context(op, before=False)
            _update_pending(grads, op, queue, pending, loop_state)
        if loop_state is not None:
            loop_state.post_processing()
    out = [_x_grad(x, grads, graph, aggregation_method, unconnected_gradients) for x in xs]
    return [_rewrap_grad(x, g) for x, g in zip(composite_xs, out)]


def _flat_for_grad(value):
    """A RaggedTensor's flat values (what its gradient is taken through, as TF's
    composite tensor gradients); anything else unchanged."""
    return value.flat_values if hasattr(value, "_tfgraph_components") else value


def _rewrap_grad(x, grad):
    """The gradient for a RaggedTensor `x`: its flat values' gradient in x's rows."""
    if grad is None or not hasattr(x, "_tfgraph_components"):
        return grad
    if isinstance(grad, IndexedSlices):
        grad = convert_to_tensor(grad)
    return x.with_flat_values(grad)


def _update_pending(grads: dict, op: Operation, queue, pending, loop_state) -> None:
    """Counts `op`'s contribution to its inputs' ops and queues those now ready (a loop
    Switch as soon as its Exit's gradient came; a loop's Exits together, once all of
    them are ready)."""
    from tfgraph.ops.control_flow_ops import is_loop_switch

    for t in op._inputs:
        x_op = t._op
        pending[x_op] -= 1
        ready = pending[x_op] == 0
        if loop_state is not None and not ready:
            ready = pending[x_op] > 0 and is_loop_switch(x_op)
        if not ready:
            continue
        if loop_state is None or x_op._op_def.control_flow != "exit":
            queue.append(x_op)
            continue
        grad_state = loop_state.get_grad_state(x_op, before=False)
        grad_state.deferred_exits.append(t)
        grad_state.pending_exits_count -= 1
        if grad_state.pending_exits_count == 0:
            _queue_exits(grads, grad_state, queue, loop_state)


def _has_any_grad(out_grads: list) -> bool:
    for g in out_grads:
        if isinstance(g, (Tensor, IndexedSlices)):
            return True
        if isinstance(g, list) and any(x is not None for x in g):
            return True
    return False


def _queue_exits(grads: dict, grad_state, queue, loop_state) -> None:
    has_grad = False
    for y in grad_state.deferred_exits:
        if _has_any_grad(grads.get(y.op) or []):
            has_grad = True
            queue.append(y.op)
        else:
            grad_state.unused_exits.append(y)
    for y in grad_state.unused_exits:
        if has_grad and is_trainable(y):
            _set_grad(grads, y, loop_state.zeros_like_for_exit(y))
        queue.append(y.op)


def _input_grads(
    op: Operation, out_grads: list, differentiate: bool, gate: bool, graph, loop_state=None
):
    """The gradients of `op`'s inputs from its outputs' (`out_grads`): its registered
    gradient function's, or None for every input when it has none to apply."""
    has_out_grads = any(g is not None for g in out_grads)
    grad_fn = get_gradient_function(op) if has_out_grads and differentiate else None
    if grad_fn is None:
        return [None] * len(op._inputs)
    for i, out_grad in enumerate(out_grads):
        if out_grad is None and op._outputs[i]._dtype._base in _TRAINABLE:
            out_grads[i] = (
                _zeros_like_output(op, i)
                if loop_state is None
                else loop_state.zeros_like(op, i, _zeros_like_output)
            )
    with graph.name_scope(op._name + "_grad"):
        in_grads = _as_list(grad_fn(op, *out_grads))
        if len(in_grads) != len(op._inputs):
            raise ValueError(
                f"Num gradients {len(in_grads)} generated for op {op.node_def} "
                f"do not match num inputs {len(op._inputs)}"
            )
        if gate and sum(g is not None for g in in_grads) > 1:
            in_grads = _gate(in_grads, graph)
    return in_grads


def _check_grad_shape(op: Operation, i: int, t_in: Tensor, in_grad) -> None:
    """Gives a dense input gradient its input's static shape (ValueError if they clash)."""
    if isinstance(in_grad, Tensor) and t_in._dtype._base is not dtypes.resource:
        try:
            in_grad.set_shape(t_in._shape)
        except ValueError:
            raise ValueError(
                "Incompatible shapes between op input and calculated input "
                f"gradient. Forward operation: {op._name}. Input index: {i}. "
                f"Original input shape: {t_in._shape}. Calculated input "
                f"gradient shape: {in_grad._shape}"
            ) from None


def _x_grad(x: Tensor, grads: dict, graph, aggregation_method, unconnected_gradients):
    """The gradient collected for `x` (aggregated if its op was never visited)."""
    op_grads = grads.get(x.op)
    if not op_grads:
        return _unconnected(x, unconnected_gradients)
    g = op_grads[x._value_index]
    if isinstance(g, list):  # never aggregated (its op was not visited)
        g = _aggregated_single(g, graph, aggregation_method)
    if g is None:
        g = _unconnected(x, unconnected_gradients)
    return g


def _aggregated_single(grad_list: list, graph, aggregation_method):
    if not grad_list:
        return None
    if len(grad_list) == 1:
        return grad_list[0]
    if all(isinstance(g, Tensor) for g in grad_list):
        return _multi_device_add_n(grad_list, graph)
    return aggregate_indexed_slices_gradients(grad_list)


def _stop_ops(from_ops: list, stop_gradient_ops: list, pending) -> set:
    stop = set()
    for op in from_ops:
        if all(pending[t._op] <= 0 for t in op._inputs):
            stop.add(op)
    stop.update(stop_gradient_ops)
    return stop


def _graph_of(values):
    for v in values:
        if isinstance(v, Tensor):
            return v._op._graph
        g = getattr(v, "graph", None)
        if g is not None and hasattr(g, "_create_op"):
            return g
    return get_default_graph()


def gradients_v2(
    ys,
    xs,
    grad_ys=None,
    name: str | None = "gradients",
    gate_gradients: bool = False,
    aggregation_method=None,
    stop_gradients=None,
    unconnected_gradients=UnconnectedGradients.NONE,
) -> list:
    """TF2's `tf.gradients` (no colocate_gradients_with_ops)."""
    return gradients(
        ys,
        xs,
        grad_ys=grad_ys,
        name=name,
        gate_gradients=gate_gradients,
        aggregation_method=aggregation_method,
        stop_gradients=stop_gradients,
        unconnected_gradients=unconnected_gradients,
    )

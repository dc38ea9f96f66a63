"""`tf.while_loop` as TF1 builds it: Enter, Merge, LoopCond, Switch, Identity, the body,
NextIteration and Exit ops in a `WhileContext`, named as TF names them.

Tensors the condition or body use from outside the loop come in through constant Enters
(`<op>/Enter`, made when the op that uses them is created); ops with no inputs (or only
loop-invariant ones) get a control input on the loop's pivot, so they run once per
iteration. Plans run the loop as a frame (client/passes/frames.py).

Not yet: gradients through loops (TF's grad loop with accumulator stacks), `swap_memory`
(accepted, no effect, as on a CPU). TensorArrays may be loop variables: their flows
loop, their handles enter as loop invariants where the body uses them.
"""

from __future__ import annotations

from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.framework.ops import Operation, Tensor
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, math_ops
from tfgraph.ops.apply import op_output
from tfgraph.ops.control_flow_ops import (
    ControlFlowContext,
    _flatten,
    _pack_like,
    _switch_ref_or_tensor,
    merge,
)
from tfgraph.ops.tensor_array_ops import TensorArray, build_ta_with_new_flow

__all__ = ["WhileContext", "while_loop"]


def _enter(data: Tensor, frame_name: str, is_constant: bool, parallel_iterations: int):
    op_type = "RefEnter" if data.dtype.is_ref_dtype else "Enter"
    return op_output(
        op_type,
        None if op_type == "Enter" else "RefEnter",
        [data],
        {
            "frame_name": frame_name.encode(),
            "is_constant": is_constant,
            "parallel_iterations": parallel_iterations,
        },
    )


class WhileContext(ControlFlowContext):
    """The context of one `while_loop`: the tensors made inside it, the Enters that bring
    outside tensors in, and the pivots new ops without inputs depend on."""

    def __init__(
        self,
        parallel_iterations: int,
        back_prop: bool,
        swap_memory: bool,
        maximum_iterations=None,
        name: str = "while_context",
    ) -> None:
        self._graph = get_default_graph()
        self._name = self._graph.unique_name(name)
        self._parallel_iterations = parallel_iterations
        self._back_prop = back_prop
        self._swap_memory = swap_memory
        self._maximum_iterations = maximum_iterations
        self._values: set[str] = set()
        self._external_values: dict[str, Tensor] = {}
        self._outer_context = None
        self._pivot_for_pred: Tensor | None = None
        self._pivot_for_body: Tensor | None = None
        self._pivot: Tensor | None = None
        self._loop_enters: list[Tensor] = []
        self._loop_exits: list[Tensor] = []
        self._nest_in_current()

    @property
    def parallel_iterations(self) -> int:
        return self._parallel_iterations

    @property
    def back_prop(self) -> bool:
        return self._back_prop

    @property
    def pivot(self) -> Tensor | None:
        return self._pivot

    @property
    def loop_enters(self) -> list[Tensor]:
        return list(self._loop_enters)

    @property
    def loop_exits(self) -> list[Tensor]:
        return list(self._loop_exits)

    def _control_pivot(self) -> Tensor:
        pivot = self._pivot_for_body if self._pivot_for_body is not None else self._pivot_for_pred
        assert pivot is not None  # (set before the condition is built)
        return pivot

    def add_value(self, val: Tensor) -> Tensor:
        """`val` as seen inside the loop: itself if made inside, else a constant Enter."""
        known = self._known(val)
        if known is not None:
            return known
        result = val
        self._values.add(val.name)
        if self._outer_context is not None:
            result = self._outer_context.add_value(val)
            self._values.add(result.name)
        g = self._graph
        with g.control_dependencies(None):
            enter = _enter(result, self._name, True, self._parallel_iterations)
        g.prevent_feeding(enter)
        self._values.add(enter.name)
        self._external_values[val.name] = enter
        return enter

    def add_op(self, op: Operation) -> None:
        """Called for every op created inside the loop (by Graph._create_op)."""
        self._bring_in_inputs(op)
        if (
            op._inputs
            and not op._control_inputs
            and all(_is_loop_constant_enter(x._op) for x in op._inputs)
        ):  # (only loop invariants: it still runs once per iteration)
            op._add_control_inputs([self._control_pivot().op])
        self._values.update(t.name for t in op._outputs)

    # -- building the loop --------------------------------------------------------------
    def build_loop(self, cond, body, loop_vars, shape_invariants, return_same_structure):
        originals = list(_flatten([loop_vars]))  # (TensorArrays loop through their flows)
        flat = [_flow_or_tensor(v) for v in originals]
        invariants = None if shape_invariants is None else list(_flatten_shapes(shape_invariants))
        g = self._graph
        self.enter()
        try:
            # The initial values are known while their Enters are made (so the Enters take
            # them as they are); an enclosing context brings them in first. Afterwards only
            # the Enters are: a body that uses an initial value itself gets a constant
            # Enter for it, as in TF.
            self._values = {x.name for x in flat}
            outer = self._outer_context
            real = flat if outer is None else [outer.add_value(x) for x in flat]
            with g.control_dependencies(None):
                enters = [_enter(x, self._name, False, self._parallel_iterations) for x in real]
            for i, (x, e) in enumerate(zip(flat, enters)):
                g.prevent_feeding(e)
                e.set_shape(x.shape if invariants is None else _invariant(x, invariants[i]))
            self._values = {e.name for e in enters}
            self._loop_enters = enters
            merges = [merge([e, e])[0] for e in enters]
            self._pivot_for_pred = merges[0]
            packed = _pack_like(loop_vars, _with_arrays(originals, merges))
            pred = convert_to_tensor(cond(*_as_args(packed)))
            self._pivot = op_output("LoopCond", "LoopCond", [pred])
            switches = [_switch_ref_or_tensor(m, self._pivot) for m in merges]
            body_vars = [array_ops.identity(s[1]) for s in switches]
            self._pivot_for_body = body_vars[0]
            result = body(*_as_args(_pack_like(loop_vars, _with_arrays(originals, body_vars))))
            if not isinstance(result, (list, tuple, dict)):
                result = [result]
            results = [_flow_or_tensor(r) for r in _flatten([result])]
            if len(results) != len(merges):
                raise ValueError(
                    "The two structures don't have the same number of elements: loop_vars "
                    f"has {len(merges)}, the body returned {len(results)}."
                )
            for m, r in zip(merges, results):
                _check_shape_invariant(m, r)
                nxt = op_output("NextIteration", "NextIteration", [r])
                m.op._update_input(1, nxt)
            exits = [op_output("Exit", "Exit", [s[0]]) for s in switches]
            self._loop_exits = exits
        finally:
            self.exit()
        outer = self._outer_context
        while outer is not None:  # (the exits live in the enclosing contexts)
            outer._values.update(e.name for e in exits)
            outer = outer._outer_context
        exits = _with_arrays(originals, exits)
        packed_exits = _pack_like(result, exits)  # (as TF: the body result's structure)
        if len(exits) == 1 and not return_same_structure:
            return exits[0]
        return packed_exits


def _flow_or_tensor(value) -> Tensor:
    return value.flow if isinstance(value, TensorArray) else convert_to_tensor(value)


def _with_arrays(originals: list, tensors: list) -> list:
    """`tensors`, with a TensorArray (same handle, that flow) where `originals` has one."""
    return [
        build_ta_with_new_flow(o, t) if isinstance(o, TensorArray) else t
        for o, t in zip(originals, tensors)
    ]


def _is_loop_constant_enter(op: Operation) -> bool:
    return op._op_def.control_flow == "enter" and bool(op._attrs.get("is_constant"))


def _as_args(packed):
    return packed if isinstance(packed, (list, tuple)) else [packed]


def _flatten_shapes(shapes):
    for s in shapes if isinstance(shapes, (list, tuple)) else [shapes]:
        if isinstance(s, TensorShape) or s is None:
            yield TensorShape(s) if s is None else s
        elif isinstance(s, (list, tuple)) and all(d is None or isinstance(d, int) for d in s):
            yield TensorShape(s)
        else:
            yield from _flatten_shapes(s)


def _invariant(x: Tensor, shape: TensorShape) -> TensorShape:
    if not shape.is_compatible_with(x.shape) or (
        x.shape.ndims is not None
        and shape.ndims is not None
        and not x.shape.is_compatible_with(shape)
    ):
        raise ValueError(
            f"The shape invariant specified for {x.name} is not compatible with the initial "
            f"shape of the loop variable. It enters the loop with shape {x.shape}, but the "
            f"specified shape invariant is {shape}."
        )
    return shape


def _check_shape_invariant(merge_var: Tensor, next_var: Tensor) -> None:
    m, n = merge_var.shape, next_var.shape
    if m.ndims is None:
        return
    if n.ndims is None or not _is_more_specific(n, m):
        enter = merge_var.op.inputs[0].op.inputs[0]
        raise ValueError(
            f"Input tensor '{enter.name}' enters the loop with shape {m}, but has shape {n} "
            "after one iteration. To allow the shape to vary across iterations, use the "
            "`shape_invariants` argument of tf.while_loop to specify a less-specific shape."
        )


def _is_more_specific(n: TensorShape, m: TensorShape) -> bool:
    """Whether `n` is `m` or a more specific shape (known where `m` is)."""
    if n.ndims != m.ndims or n.ndims is None:
        return n.ndims == m.ndims
    return all(b is None or a == b for a, b in zip(n.as_list(), m.as_list()))


def while_loop(
    cond,
    body,
    loop_vars,
    shape_invariants=None,
    parallel_iterations: int = 10,
    back_prop: bool = True,
    swap_memory: bool = False,
    name: str | None = None,
    maximum_iterations=None,
    return_same_structure: bool = False,
):
    """Repeats `body` while `cond` is true (TF1's graph-mode `tf.while_loop`).

    Args:
        cond: a callable returning a boolean scalar tensor from the loop variables.
        body: a callable returning new values for the loop variables (same structure).
        loop_vars: a tensor or a (nested) list/tuple of tensors.
        shape_invariants: the shapes each loop variable may take (default: its shape).
        parallel_iterations: kept on the Enter ops (iterations run one at a time here).
        back_prop, swap_memory: accepted as in TF (gradients through loops are not
            implemented yet).
        name: the name scope (default "while").
        maximum_iterations: at most this many iterations.
        return_same_structure: return a list of one element for one loop variable.

    Returns:
        The loop variables' values after the last iteration, structured as `loop_vars`.
    """
    if not callable(cond):
        raise TypeError("cond must be callable.")
    if not callable(body):
        raise TypeError("body must be callable.")
    if parallel_iterations < 1:
        raise TypeError("parallel_iterations must be a positive integer.")
    g = get_default_graph()
    with g.name_scope(name or "while"):
        if not loop_vars and not isinstance(loop_vars, Tensor):
            raise ValueError("No loop variables provided")
        try_to_pack = len(loop_vars) == 1 if isinstance(loop_vars, (list, tuple)) else True
        if maximum_iterations is not None:
            maximum_iterations = convert_to_tensor(maximum_iterations, name="maximum_iterations")
            if maximum_iterations.shape.ndims not in (None, 0):
                raise ValueError(
                    f"maximum_iterations must be a scalar, saw shape: {maximum_iterations.shape}"
                )
            counter = array_ops.constant(
                0, dtype=maximum_iterations.dtype, name="iteration_counter"
            )
            orig_cond, orig_body = cond, body
            if try_to_pack:
                loop_vars = (
                    counter,
                    loop_vars[0] if isinstance(loop_vars, (list, tuple)) else loop_vars,
                )

                def cond(i, lv):
                    return math_ops.logical_and(i < maximum_iterations, orig_cond(lv))

                def body(i, lv):
                    return (i + 1, orig_body(lv))

            else:
                loop_vars = (counter, loop_vars)

                def cond(i, lv):
                    return math_ops.logical_and(i < maximum_iterations, orig_cond(*lv))

                def body(i, lv):
                    return (i + 1, orig_body(*lv))

            if shape_invariants is not None:
                shape_invariants = (TensorShape([]), shape_invariants)
        context = WhileContext(parallel_iterations, back_prop, swap_memory, maximum_iterations)
        if g._state.cf_context is None:  # (nested loops are kept inside their outer context)
            g.add_to_collection(GraphKeys.WHILE_CONTEXT, context)
        result = context.build_loop(cond, body, loop_vars, shape_invariants, return_same_structure)
        if maximum_iterations is not None:
            return result[1]
        return result

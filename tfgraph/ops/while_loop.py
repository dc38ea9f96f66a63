"""`tf.while_loop` as TF1 builds it: Enter, Merge, LoopCond, Switch, Identity, the body,
NextIteration and Exit ops in a `WhileContext`, named as TF names them.

Tensors the condition or body use from outside the loop come in through constant Enters
(`<op>/Enter`, made when the op that uses them is created); ops with no inputs (or only
loop-invariant ones) get a control input on the loop's pivot, so they run once per
iteration. Plans run the loop as a frame (client/passes/frames.py).

Gradients: `tf.gradients` builds a grad loop for each loop on its path (the counters
and accumulators here, the state in ops/control_flow_state.py). `swap_memory` is
accepted and has no effect (as on a CPU).
TensorArrays may be loop variables: their flows loop, their handles enter as loop
invariants where the body uses them.
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
    _flatten_composites,
    _pack_like,
    _switch_ref_or_tensor,
    is_loop_exit,
    merge,
    set_cf_context,
    while_context_of,
)
from tfgraph.ops.tensor_array_ops import TensorArray, build_ta_with_new_flow

__all__ = ["WhileContext", "while_loop"]


def _enter(
    data: Tensor,
    frame_name: str,
    is_constant: bool,
    parallel_iterations: int,
    name: str | None = None,
):
    op_type = "RefEnter" if data.dtype.is_ref_dtype else "Enter"
    return op_output(
        op_type,
        name or (None if op_type == "Enter" else "RefEnter"),
        [data],
        {
            "frame_name": frame_name.encode(),
            "is_constant": is_constant,
            "parallel_iterations": parallel_iterations,
        },
    )


class WhileContext(ControlFlowContext):
    """The context of one `while_loop`: the tensors made inside it, the Enters that bring
    outside tensors in, and the pivots new ops without inputs depend on. A grad loop (the
    gradient of a forward loop, built by ops/control_flow_state.py) is one too, with its
    `grad_state` set."""

    is_while_context = True

    def __init__(
        self,
        parallel_iterations: int,
        back_prop: bool,
        swap_memory: bool,
        maximum_iterations=None,
        name: str = "while_context",
        grad_state=None,
    ) -> None:
        self._graph = get_default_graph()
        self._name = self._graph.unique_name(name)
        self._grad_state = grad_state
        self._outer_context = self._graph._state.cf_context
        self._outer_fixed = True
        self._parallel_iterations = parallel_iterations
        self._back_prop = back_prop
        self._swap_memory = swap_memory
        self._maximum_iterations = maximum_iterations
        self._values: set[str] = set()
        self._external_values: dict[str, Tensor] = {}
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
    def swap_memory(self) -> bool:
        return self._swap_memory

    @property
    def maximum_iterations(self):
        return self._maximum_iterations

    @property
    def grad_state(self):
        return self._grad_state

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
        real = self._grad_real_value(val)
        if real is not None:
            self._external_values[val.name] = real
            return real
        if self._outer_context is not None:
            result = self._outer_context.add_value(val)
            self._values.add(result.name)
        g = self._graph
        with g.control_dependencies(None):
            enter = _enter(result, self._name, True, self._parallel_iterations)
        g.prevent_feeding(enter)
        set_cf_context(enter.op, self)
        self._loop_enters.append(enter)
        self._values.add(enter.name)
        self._external_values[val.name] = enter
        return enter

    def _grad_real_value(self, val: Tensor):
        """In a grad loop, a value of its forward loop as the grad loop sees it (popped
        from the stack its history was pushed on), else None."""
        grad_ctxt = self._graph._state.cf_context
        grad_ctxt = None if grad_ctxt is None else grad_ctxt.get_while_context()
        if grad_ctxt is None or grad_ctxt.grad_state is None:
            return None
        forward_ctxt = while_context_of(val.op)
        if forward_ctxt is not None and is_loop_exit(val.op):
            forward_ctxt = forward_ctxt.outer_context
            if forward_ctxt is not None:
                forward_ctxt = forward_ctxt.get_while_context()
        if forward_ctxt is not grad_ctxt.grad_state.forward_context:
            return None
        return grad_ctxt.grad_state.get_real_value(val)

    def add_name(self, name: str) -> None:
        self._values.add(name)

    def add_loop_exit(self, exit_: Tensor) -> None:
        """Records a new Exit of this loop; its value lives in the enclosing contexts."""
        self._loop_exits.append(exit_)
        outer = self._outer_context
        while outer is not None:
            outer._values.add(exit_.name)
            outer = outer._outer_context

    def add_grad_enter(self, grad: Tensor) -> Tensor:
        """A gradient coming into this grad loop (the `b_exit` Enter of an Exit's)."""
        self._values.add(grad.name)
        self.enter()
        try:
            result = _enter(grad, self._name, False, self._parallel_iterations, "b_exit")
        finally:
            self.exit()
        self._loop_enters.append(result)
        return result

    def add_forward_loop_counter(self, outer_grad_state):
        """Counts the forward loop's iterations: (the count's Exit, its NextIteration)."""
        from tfgraph.ops.control_flow_ops import switch

        n = array_ops.constant(0, name="f_count")
        if outer_grad_state is not None:  # (inner loops' pushes in execution order)
            n.op._add_control_inputs([outer_grad_state.forward_index.op._inputs[0]._op])
        self.enter()
        try:
            self._values.add(n.name)
            enter_n = _enter(n, self._name, False, self._parallel_iterations, "f_count")
            self._loop_enters.append(enter_n)
            merge_n = merge([enter_n, enter_n])[0]
            switch_n = switch(merge_n, self._pivot)
            index = math_ops.add(switch_n[1], 1)
            next_n = op_output("NextIteration", "NextIteration", [index])
            merge_n.op._update_input(1, next_n)
            total = op_output("Exit", "f_count", [switch_n[0]])
            self.add_loop_exit(total)
        finally:
            self.exit()
        return total, next_n

    def add_backprop_loop_counter(self, count: Tensor, outer_grad_state) -> Tensor:
        """The grad loop's counter: from the forward count down to 0; its NextIteration."""
        from tfgraph.ops.control_flow_ops import switch

        one = array_ops.constant(1, name="b_count")
        self.enter()
        try:
            self._values.add(count.name)
            enter_count = _enter(count, self._name, False, self._parallel_iterations, "b_count")
            self._loop_enters.append(enter_count)
            merge_count = merge([enter_count, enter_count])[0]
            self._pivot_for_pred = merge_count
            pred = math_ops.greater_equal(merge_count, one)
            self._pivot = op_output("LoopCond", "b_count", [pred])
            switch_count = switch(merge_count, self._pivot)
            index = math_ops.subtract(switch_count[1], one)
            self._pivot_for_body = index
            next_count = op_output("NextIteration", "NextIteration", [index])
            merge_count.op._update_input(1, next_count)
            final_zero = op_output("Exit", "b_count", [switch_count[0]])
            self.add_loop_exit(final_zero)
            if outer_grad_state is not None:
                outer_grad_state.grad_sync._add_control_inputs([final_zero.op])
        finally:
            self.exit()
        return next_count

    def add_backprop_accumulator(self, op: Operation, grad: Tensor) -> Tensor:
        """Sums a loop invariant's gradient over the grad loop's iterations (`b_acc`).
        Called with this (grad) context entered; it is entered again on return."""
        self.exit()
        shape = grad.shape
        outer = self._outer_context
        if shape.is_fully_defined():
            if outer is not None:
                outer.enter()
            acc = array_ops.constant(0, grad.dtype._base, shape=shape.as_list(), name="b_acc")
            if outer is not None:
                outer.exit()
        else:
            value = op._inputs[0]
            if getattr(outer, "is_while_context", False) and outer.grad_state is not None:
                forward_ctxt = self._grad_state.forward_context
                forward_ctxt.outer_context.enter()
                zeros_shape = array_ops._shape_internal(value, optimize=False)
                forward_ctxt.outer_context.exit()
                outer_grad_state = self._grad_state.outer_grad_state
                history = outer_grad_state.add_forward_accumulator(zeros_shape)
                outer.enter()
                real_shape = outer_grad_state.add_backprop_accumulated_value(history, zeros_shape)
                acc = array_ops.zeros(real_shape, grad.dtype._base)
                outer.exit()
            else:
                if outer is not None:
                    outer.enter()
                zeros_shape = array_ops._shape_internal(value, optimize=False)
                acc = array_ops.zeros(zeros_shape, grad.dtype._base)
                if outer is not None:
                    outer.exit()
        from tfgraph.ops.control_flow_ops import switch

        self.enter()
        self._values.add(acc.name)
        enter_acc = _enter(acc, self._name, False, self._parallel_iterations, "b_acc")
        self._loop_enters.append(enter_acc)
        merge_acc = merge([enter_acc, enter_acc], name="b_acc")[0]
        switch_false, switch_true = switch(merge_acc, self._pivot)
        add_acc = math_ops.add(switch_true, grad)
        next_acc = op_output("NextIteration", "NextIteration", [add_acc])
        merge_acc.op._update_input(1, next_acc)
        result = op_output("Exit", "b_acc", [switch_false])
        self.add_loop_exit(result)
        return result

    def add_op(self, op: Operation) -> None:
        """Called for every op created inside the loop (by Graph._create_op)."""
        set_cf_context(op, self)
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
        # (TensorArrays loop through their flows; composites through their components)
        originals = list(_flatten_composites(_flatten([loop_vars])))
        flat = [_flow_or_tensor(v) for v in originals]
        invariants = None if shape_invariants is None else list(_flatten_shapes(shape_invariants))
        g = self._graph
        self.enter()
        try:
            self._values = {x.name for x in flat}
            real_vars = flat
            if self._outer_context is not None:  # (brought into the enclosing context)
                real_vars = [self._outer_context.add_value(x) for x in flat]
            with g.control_dependencies(None):
                enters = [
                    _enter(x, self._name, False, self._parallel_iterations) for x in real_vars
                ]
            for i, (x, e) in enumerate(zip(flat, enters)):
                g.prevent_feeding(e)
                set_cf_context(e.op, self)
                e.set_shape(x.shape if invariants is None else _invariant(x, invariants[i]))
            # (as TF: the loop knows its Enters, not the initial values, so a body
            # using an initial value gets it through a constant Enter)
            self._values = {e.name for e in enters}
            self._loop_enters = list(enters) + self._loop_enters
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
            results = [_flow_or_tensor(r) for r in _flatten_composites(_flatten([result]))]
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
            for e in exits:  # (the exits live in the enclosing contexts)
                self.add_loop_exit(e)
        finally:
            self.exit()
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


def _eager_while_loop(cond, body, loop_vars, maximum_iterations, return_same_structure):
    """TF's eager while_loop: a Python loop over the values (one loop variable not in a
    list comes back bare unless return_same_structure)."""
    packed = not isinstance(loop_vars, (list, tuple))
    if packed:
        loop_vars = (loop_vars,)
    limit = None if maximum_iterations is None else int(maximum_iterations)
    i = 0
    while (limit is None or i < limit) and bool(cond(*loop_vars)):
        loop_vars = body(*loop_vars)
        if packed or not isinstance(loop_vars, (list, tuple)):
            loop_vars = (loop_vars,)
        i += 1
    if packed and not return_same_structure:
        return loop_vars[0]
    return loop_vars


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
        back_prop: False: no gradient flows through the loop.
        swap_memory: accepted as in TF (no effect).
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
    from tfgraph.eager.context import executing_eagerly

    if executing_eagerly():
        return _eager_while_loop(cond, body, loop_vars, maximum_iterations, return_same_structure)
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


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def while_loop_v2(
    cond,
    body,
    loop_vars,
    shape_invariants=None,
    parallel_iterations=10,
    back_prop=True,
    swap_memory=False,
    maximum_iterations=None,
    name=None,
):
    """TF2's `tf.while_loop`: the result has `loop_vars`' structure."""
    return while_loop(
        cond, body, loop_vars, shape_invariants=shape_invariants,
        parallel_iterations=parallel_iterations, back_prop=back_prop, swap_memory=swap_memory,
        name=name, maximum_iterations=maximum_iterations, return_same_structure=True,
    )  # fmt: skip

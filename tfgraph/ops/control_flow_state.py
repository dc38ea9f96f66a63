"""The state `tf.gradients` keeps for while loops (TF1's ControlFlowState/GradLoopState).

For each forward loop on a path from xs to ys the pass builds a grad loop: the forward
loop gets a counter (`f_count`) and the grad loop runs as many iterations backwards
(`b_count`); every forward value a gradient function uses inside the grad loop is pushed
onto a stack (`f_acc`, StackPushV2) at each forward iteration and popped (StackPopV2) at
the matching backward one; loop invariants are entered instead, and their gradients are
summed over the iterations (`b_acc`). Nested loops nest grad loops (the inner loop's
iteration counts are themselves pushed in the outer loop).
"""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.ops import Operation, Tensor
from tfgraph.ops import array_ops, stack_ops
from tfgraph.ops.common_shapes import constant_value
from tfgraph.ops.control_flow_ops import (
    CondContext,
    _next_iteration,
    _switch_ref_or_tensor,
    cf_context,
    is_loop_exit,
    is_loop_switch,
    output_context,
    set_cf_context,
    while_context_of,
)
from tfgraph.ops.while_loop import WhileContext

__all__ = ["ControlFlowState", "GradLoopState", "maybe_create_control_flow_state"]

_IDENTITY_TYPES = ("Identity", "RefIdentity")


def _loop_constant_enter(value: Tensor) -> Operation | None:
    """The constant Enter `value` forwards through Identities/Switches, if any."""
    op = value.op
    while op._op_def.control_flow == "switch" or op._type in _IDENTITY_TYPES:
        op = op._inputs[0]._op
    if op._op_def.control_flow == "enter" and op._attrs.get("is_constant"):
        return op
    return None


class GradLoopState:
    """The grad loop of one forward loop: counters, history stacks, accumulators."""

    def __init__(self, forward_ctxt: WhileContext, outer_grad_state) -> None:
        self._history_map: dict[str, Tensor] = {}
        self._switch_map: dict = {}
        self.unused_exits: list[Tensor] = []
        self.deferred_exits: list[Tensor] = []
        self.forward_loop_exits = list(forward_ctxt.loop_exits)
        self.pending_exits_count = len(self.forward_loop_exits)
        self._outer_grad_state = outer_grad_state
        self._forward_sync: Operation | None = None
        self._grad_sync: Operation | None = None
        outer_forward_ctxt = (
            outer_grad_state.forward_context
            if outer_grad_state is not None
            else forward_ctxt.outer_context
        )
        if outer_forward_ctxt is not None:
            outer_forward_ctxt.enter()
        try:
            cnt, forward_index = forward_ctxt.add_forward_loop_counter(outer_grad_state)
        finally:
            if outer_forward_ctxt is not None:
                outer_forward_ctxt.exit()
        self._forward_context = forward_ctxt
        self._forward_index = forward_index
        if outer_grad_state is not None:
            outer_forward_ctxt.add_name(cnt.name)
            history_cnt = outer_grad_state.add_forward_accumulator(cnt)
            outer_grad_ctxt = outer_grad_state.grad_context
            outer_grad_ctxt.enter()
            try:
                self._grad_context = self._new_grad_context(forward_ctxt)
                real_cnt = outer_grad_state.add_backprop_accumulated_value(history_cnt, cnt)
                self._grad_index = self._grad_context.add_backprop_loop_counter(
                    real_cnt, outer_grad_state
                )
            finally:
                outer_grad_ctxt.exit()
        else:
            if outer_forward_ctxt is not None:
                outer_forward_ctxt.enter()
            try:
                self._grad_context = self._new_grad_context(forward_ctxt)
                self._grad_index = self._grad_context.add_backprop_loop_counter(
                    cnt, outer_grad_state
                )
            finally:
                if outer_forward_ctxt is not None:
                    outer_forward_ctxt.exit()

    def _new_grad_context(self, forward_ctxt: WhileContext) -> WhileContext:
        return WhileContext(
            forward_ctxt.parallel_iterations,
            forward_ctxt.back_prop,
            forward_ctxt.swap_memory,
            forward_ctxt.maximum_iterations,
            name=forward_ctxt.name,
            grad_state=self,
        )

    @property
    def outer_grad_state(self):
        return self._outer_grad_state

    @property
    def forward_context(self) -> WhileContext:
        return self._forward_context

    @property
    def forward_index(self) -> Tensor:
        return self._forward_index

    @property
    def grad_context(self) -> WhileContext:
        return self._grad_context

    @property
    def history_map(self) -> dict:
        return self._history_map

    @property
    def switch_map(self) -> dict:
        return self._switch_map

    @property
    def forward_sync(self) -> Operation:
        """A ControlTrigger ordering the pushes made in conds before the next iteration."""
        if self._forward_sync is None:
            g = self._forward_index.graph
            with g.control_dependencies(None):
                self._forward_sync = _control_trigger("f_sync")
            from tfgraph.ops.control_flow_ops import set_cf_context

            set_cf_context(self._forward_sync, self._forward_context)
            self._forward_index.op._add_control_inputs([self._forward_sync])
        assert self._forward_sync is not None
        return self._forward_sync

    @property
    def grad_sync(self) -> Operation:
        """A ControlTrigger ordering the pops before the grad loop's next iteration."""
        if self._grad_sync is None:
            g = self._grad_index.graph
            with g.control_dependencies(None):
                self._grad_sync = _control_trigger("b_sync")
            from tfgraph.ops.control_flow_ops import set_cf_context

            set_cf_context(self._grad_sync, self._grad_context)
            self._grad_index.op._add_control_inputs([self._grad_sync])
        assert self._grad_sync is not None
        return self._grad_sync

    # -- history ----------------------------------------------------------------------
    def add_forward_accumulator(self, value: Tensor, dead_branch: bool = False) -> Tensor:
        """A stack (made outside the loops) that the forward loop pushes `value` onto at
        every iteration."""
        g = value.graph
        curr_ctxt = g._state.cf_context
        with g.control_dependencies(None):
            if curr_ctxt is not None:
                curr_ctxt.enter()
            try:
                with g.colocate_with(value.op):
                    max_size = array_ops.constant(-1, dtypes.int32)
                    acc = stack_ops.stack_v2(max_size, value.dtype._base, name="f_acc")
            finally:
                if curr_ctxt is not None:
                    curr_ctxt.exit()
            enter_acc = self._forward_context.add_value(acc)
            swap = self._forward_context.swap_memory
            value_ctxt = output_context(value.op)
            if value_ctxt is self._forward_context:
                self._forward_context.enter()
                try:
                    push = stack_ops.stack_push_v2(enter_acc, value, swap_memory=swap)
                finally:
                    self._forward_context.exit()
                self._forward_index.op._add_control_inputs([push.op])
            else:
                if not isinstance(value_ctxt, CondContext):
                    raise TypeError(f"value_ctxt is not a CondContext: {value_ctxt}")
                if dead_branch:
                    value_ctxt.outer_context.enter()
                    try:
                        push = stack_ops.stack_push_v2(enter_acc, value, swap_memory=swap)
                    finally:
                        value_ctxt.outer_context.exit()
                    set_cf_context(push.op, value_ctxt)
                else:
                    value_ctxt.enter()
                    try:
                        push = stack_ops.stack_push_v2(enter_acc, value, swap_memory=swap)
                    finally:
                        value_ctxt.exit()
                self.forward_sync._add_control_inputs([push.op])
            add_op = self._forward_index.op._inputs[0]._op
            push.op._add_control_inputs([add_op])
        return acc

    def add_backprop_accumulated_value(
        self, history_value: Tensor, value: Tensor, dead_branch: bool = False
    ) -> Tensor:
        """Pops, in the grad loop, the value pushed at the matching forward iteration."""
        history_ctxt = cf_context(history_value.op)
        cond_ctxt = None
        value_ctxt = cf_context(value.op)
        while value_ctxt is not None and value_ctxt is not history_ctxt:
            if isinstance(value_ctxt, CondContext):
                cond_ctxt = value_ctxt
                break
            value_ctxt = value_ctxt.outer_context
        g = value.graph
        with g.control_dependencies(None):
            self._grad_context.enter()
            try:
                if cond_ctxt is not None:
                    grad_state, pred = self, None
                    while pred is None and grad_state is not None:
                        pred = grad_state.history_map.get(cond_ctxt.pred.name)
                        grad_state = grad_state.outer_grad_state
                    if pred is None:
                        pred = cond_ctxt.pred
                    branch = (1 - cond_ctxt.branch) if dead_branch else cond_ctxt.branch
                    history_value = _switch_ref_or_tensor(history_value, pred)[branch]
                pop = stack_ops.stack_pop_v2(history_value, value.dtype._base)
                pop.set_shape(value.shape)
            finally:
                self._grad_context.exit()
        if self._grad_context.parallel_iterations > 1:
            self.grad_sync._add_control_inputs([pop.op])
        return pop

    def real_pred(self, pred: Tensor) -> Tensor:
        """A cond predicate inside the forward loop as the grad loop sees it."""
        real = self._history_map.get(pred.name)
        if real is None:
            self._grad_context.exit()
            history = self.add_forward_accumulator(pred)
            self._grad_context.enter()
            real = self.add_backprop_accumulated_value(history, pred)
            self._history_map[pred.name] = real
        return real

    def get_real_value(self, value: Tensor) -> Tensor:
        """`value` (made in the forward loop) as the grad loop sees it: entered if loop
        invariant, a clone if constant, else popped from its history stack."""
        real = self._history_map.get(value.name)
        if real is not None:
            return real
        cur_value, cur_grad_state = value, self
        history: Tensor | None = None
        while True:
            enter_op = _loop_constant_enter(cur_value)
            if enter_op is not None:
                cur_value = enter_op._inputs[0]
                cur_grad_state = cur_grad_state.outer_grad_state
                if cur_grad_state is None:
                    real = self._grad_context.add_value(cur_value)
                    break
            elif cur_value.op._op_def.constant:
                real = array_ops.constant(constant_value(cur_value), dtype=cur_value.dtype._base)
                break
            else:
                self._grad_context.exit()
                history = cur_grad_state.add_forward_accumulator(cur_value)
                self._grad_context.enter()
                break
        if real is None:
            assert history is not None
            real = cur_grad_state.add_backprop_accumulated_value(history, cur_value)
            if cur_grad_state is not self:
                real = self._grad_context.add_value(real)
        self._history_map[value.name] = real
        return real


def _control_trigger(name: str) -> Operation:
    from tfgraph.ops.apply import apply_op

    return apply_op("ControlTrigger", name, [])


class ControlFlowState:
    """The grad loops of one `tf.gradients` call, by forward loop."""

    def __init__(self) -> None:
        self._map: dict[WhileContext, GradLoopState] = {}

    def get_grad_state(self, op: Operation, before: bool):
        if before and is_loop_exit(op):
            forward_ctxt = cf_context(op).outer_context
            if forward_ctxt is not None:
                forward_ctxt = forward_ctxt.get_while_context()
        else:
            forward_ctxt = while_context_of(op)
        if forward_ctxt is not None:
            return self._map.get(forward_ctxt)
        return None

    def enter_grad_while_context(self, op: Operation, before: bool) -> None:
        grad_state = self.get_grad_state(op, before)
        if grad_state is not None:
            grad_state.grad_context.enter()

    def exit_grad_while_context(self, op: Operation, before: bool) -> None:
        grad_state = self.get_grad_state(op, before)
        if grad_state is not None:
            grad_state.grad_context.exit()

    def add_while_context(self, op: Operation, between_op_list: list, between_ops: set) -> None:
        forward_ctxt = while_context_of(op)
        if forward_ctxt in self._map:
            return
        outer_forward_ctxt = forward_ctxt.outer_context
        if outer_forward_ctxt is not None:
            outer_forward_ctxt = outer_forward_ctxt.get_while_context()
        outer_grad_state = None
        if outer_forward_ctxt is not None:
            outer_grad_state = self._map.get(outer_forward_ctxt)
        grad_state = GradLoopState(forward_ctxt, outer_grad_state)
        self._map[forward_ctxt] = grad_state
        for loop_exit in grad_state.forward_loop_exits:  # (every exit takes part)
            if loop_exit.op not in between_ops:
                between_ops.add(loop_exit.op)
                between_op_list.append(loop_exit.op)

    def process_unused_loop_exits(self, pending, to_ops_set) -> list:
        loop_exits = []
        for grad_state in self._map.values():
            for y in grad_state.forward_loop_exits:
                if pending[y.op] == 0:
                    grad_state.pending_exits_count -= 1
                    if y.op not in to_ops_set:
                        grad_state.unused_exits.append(y)
                    if grad_state.pending_exits_count == 0:
                        loop_exits.extend(grad_state.unused_exits)
            for y in grad_state.forward_context.loop_enters:
                if pending[y.op] == 0:
                    pending[y.op] = 1
        return loop_exits

    def zeros_like_for_exit(self, val: Tensor) -> Tensor:
        """Zeros for an exit of a loop whose gradient nobody supplied."""
        shape = val.shape
        forward_ctxt = cf_context(val.op)
        outer_forward_ctxt = forward_ctxt.outer_context
        if outer_forward_ctxt is not None:
            outer_forward_ctxt = outer_forward_ctxt.get_while_context()
        outer_grad_state = None
        if outer_forward_ctxt is not None:
            outer_grad_state = self._map.get(outer_forward_ctxt)
        if outer_grad_state is None:
            if shape.is_fully_defined():
                return array_ops.zeros(shape.as_list(), val.dtype._base)
            return array_ops.zeros_like(val, optimize=False)
        outer_grad_ctxt = outer_grad_state.grad_context
        if shape.is_fully_defined():
            outer_grad_ctxt.enter()
            try:
                return array_ops.zeros(shape.as_list(), val.dtype._base)
            finally:
                outer_grad_ctxt.exit()
        forward_ctxt.outer_context.enter()
        zeros_shape = array_ops._shape_internal(val, optimize=False)
        forward_ctxt.outer_context.exit()
        history = outer_grad_state.add_forward_accumulator(zeros_shape)
        outer_grad_ctxt.enter()
        try:
            real_shape = outer_grad_state.add_backprop_accumulated_value(history, zeros_shape)
            return array_ops.zeros(real_shape, val.dtype._base)
        finally:
            outer_grad_ctxt.exit()

    def zeros_like(self, op: Operation, index: int, fallback):
        """Zeros for output `index` of `op` inside a grad loop (None for a loop Switch);
        `fallback(op, index)` outside the loops of this pass."""
        if is_loop_switch(op):
            return None
        dead_branch = op._op_def.control_flow == "switch"
        grad_state = self._map.get(while_context_of(op))
        if grad_state is None:
            return fallback(op, index)
        op_ctxt = cf_context(op)
        val = op._outputs[index]
        shape = val.shape
        if shape.is_fully_defined():
            result = array_ops.constant(0, dtype=val.dtype._base, shape=shape.as_list())
            if dead_branch:
                pred = grad_state.history_map.get(op_ctxt.pred.name)
                result = _switch_ref_or_tensor(result, pred)[1 - op_ctxt.branch]
            return result
        if dead_branch:
            pred, branch = op_ctxt.pred, op_ctxt.branch
            op_ctxt.outer_context.enter()
            val = _switch_ref_or_tensor(op._inputs[0], pred)[1 - branch]
            zeros_shape = array_ops._shape_internal(val, optimize=False)
            op_ctxt.outer_context.exit()
            # (as TF: they belong to the cond, so the shape's push is ordered before the
            # loop's f_sync, which runs when the branch does not, not before its counter)
            set_cf_context(val.op, op_ctxt)
            set_cf_context(zeros_shape.op, op_ctxt)
        else:
            op_ctxt.enter()
            zeros_shape = array_ops._shape_internal(val, optimize=False)
            op_ctxt.exit()
        grad_state.grad_context.exit()
        history = grad_state.add_forward_accumulator(zeros_shape, dead_branch=dead_branch)
        grad_state.grad_context.enter()
        real_shape = grad_state.add_backprop_accumulated_value(history, zeros_shape, dead_branch)
        return array_ops.zeros(real_shape, val.dtype._base)

    def post_processing(self) -> None:
        """A grad loop variable whose next value does not depend on the current one gets
        zeros from the second iteration on."""
        for grad_state in self._map.values():
            for b_merge in grad_state.switch_map.values():
                inputs = b_merge.op._inputs
                if inputs[0] is not inputs[1]:
                    continue
                shape = inputs[0].shape
                if shape.is_fully_defined():
                    grad_state.grad_context.enter()
                    grad_val = array_ops.constant(
                        0, dtype=inputs[0].dtype._base, shape=shape.as_list()
                    )
                    next_val = _next_iteration(grad_val)
                    grad_state.grad_context.exit()
                else:
                    outer = grad_state.grad_context.outer_context
                    if outer is not None:
                        outer.enter()
                    enter_grad = inputs[0].op._inputs[0]
                    grad_shape = array_ops._shape_internal(enter_grad, optimize=False)
                    grad_val = array_ops.zeros(grad_shape, inputs[0].dtype._base)
                    if outer is not None:
                        outer.exit()
                    grad_state.grad_context.enter()
                    next_val = _next_iteration(grad_val)
                    grad_state.grad_context.exit()
                b_merge.op._update_input(1, next_val)


def maybe_create_control_flow_state(between_op_list: list, between_ops: set, colocate: bool):
    """A ControlFlowState when a loop Exit is between xs and ys, else None."""
    loop_state = None
    for op in list(between_op_list):
        if is_loop_exit(op):
            if loop_state is None:
                loop_state = ControlFlowState()
            if colocate:
                with op._graph.colocate_with(op):
                    loop_state.add_while_context(op, between_op_list, between_ops)
            else:
                loop_state.add_while_context(op, between_op_list, between_ops)
    return loop_state

"""`tf.train.Optimizer`: the base class of TF1 optimizers.

`minimize` = `compute_gradients` (tf.gradients of the loss with respect to the
variables' references) + `apply_gradients`, which builds, as TensorFlow does:

* the slot variables, in `init_scope` (no control dependencies), colocated with their
  variables: `_create_slots(var_list)`;
* in a name scope `name` (default: the optimizer's name), the hyper-parameter tensors
  (`_prepare`), then one update per variable under `update_<var op name>` colocated
  with the variable (`_apply_dense` for Tensor gradients, `_apply_sparse` for
  IndexedSlices after summing duplicate indices), then `_finish` grouping them;
* with a `global_step`, an `AssignAdd` of 1 (named after the scope) that runs after
  the updates; the returned op is added to the TRAIN_OP collection.
"""

from __future__ import annotations

import collections.abc

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import (
    GraphKeys,
    get_collection,
    get_collection_ref,
    get_default_graph,
    init_scope,
)
from tfgraph.framework.indexed_slices import IndexedSlices
from tfgraph.framework.ops import Operation, Tensor
from tfgraph.ops import array_ops, control_flow_ops, math_ops, state_ops
from tfgraph.training import slot_creator
from tfgraph.variables import Variable, trainable_variables

__all__ = ["Optimizer"]


def _deduplicate_indexed_slices(values, indices):
    """Sums the `values` rows that share an index: (summed values, unique indices)."""
    unique_indices, new_index_positions = array_ops.unique(indices)
    summed_values = math_ops.unsorted_segment_sum(
        values, new_index_positions, array_ops.shape(unique_indices)[0]
    )
    return summed_values, unique_indices


def _var_key(var):
    """The key of `var`'s slots: (graph, variable op name)."""
    return (var.op.graph, var.op.name)


def _flatten(values) -> list:
    out = []
    for v in values:
        if isinstance(v, (list, tuple)):
            out.extend(_flatten(v))
        else:
            out.append(v)
    return out


def _as_list(var_list) -> list:
    """`var_list` as a list: a list or tuple, a dict view (`dict.values()`, as TF's
    `nest.flatten` takes) or one variable."""
    if isinstance(var_list, (list, tuple)):
        return list(var_list)
    if isinstance(var_list, (collections.abc.ValuesView, collections.abc.KeysView)):
        return list(var_list)
    return [var_list]


def _resource_variables_read(graph, first_op: int) -> list:
    """The trainable resource variables whose handles ops from `first_op` on read, in
    order of first read (what TF's tape watches while a callable loss runs)."""
    by_handle: dict = {}
    for v in trainable_variables() + get_collection(GraphKeys.TRAINABLE_RESOURCE_VARIABLES):
        handle = getattr(v, "handle", None)
        if handle is not None:
            by_handle.setdefault(handle, v)
    found: dict = {}
    for op in graph._nodes[first_op:]:
        for t in op._inputs:
            v = by_handle.get(t)
            if v is not None:
                found.setdefault(id(v), v)
    return list(found.values())


def _convert_gradient(g):
    if isinstance(g, (Tensor, IndexedSlices)):
        return g
    try:
        g = convert_to_tensor(g)
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"Gradient must be convertible to a Tensor or IndexedSlices, or None: {g}"
        ) from e
    return g


class _RefVariableProcessor:
    """Updates a TF1 (reference) variable."""

    def __init__(self, v) -> None:
        self._v = v

    def target(self):
        return self._v._ref()

    def update_op(self, optimizer, g):
        if isinstance(g, Tensor):
            update_op = optimizer._apply_dense(g, self._v)
            if self._v.constraint is not None:
                with get_default_graph().control_dependencies([update_op]):
                    return self._v.assign(self._v.constraint(self._v))
            return update_op
        if not isinstance(g, IndexedSlices):
            raise TypeError(f"Gradient {g} is neither a tensor nor IndexedSlices.")
        if self._v.constraint is not None:
            raise RuntimeError("Cannot use a constraint function on a sparse variable.")
        return optimizer._apply_sparse_duplicate_indices(g, self._v)


class _TensorProcessor:
    """Gradients with respect to a plain tensor can be computed, never applied."""

    def __init__(self, v) -> None:
        self._v = v

    def target(self):
        return self._v

    def update_op(self, optimizer, g):
        raise NotImplementedError("Trying to update a Tensor ", self._v)


class _ResourceVariableProcessor(_RefVariableProcessor):
    """Updates a resource variable: gradients are taken at its handle."""

    def target(self):
        return self._v.handle


def _get_processor(v):
    if isinstance(v, Variable):
        if getattr(v, "handle", None) is not None:
            return _ResourceVariableProcessor(v)
        return _RefVariableProcessor(v)
    if isinstance(v, Tensor):
        return _TensorProcessor(v)
    raise NotImplementedError("Trying to optimize unsupported type ", v)


class Optimizer:
    """Base class for optimizers: subclasses define `_create_slots`, `_prepare`,
    `_apply_dense`, `_apply_sparse` and optionally `_finish`.

    Use a subclass such as `GradientDescentOptimizer`:

        opt = tf.train.GradientDescentOptimizer(learning_rate=0.1)
        train_op = opt.minimize(loss, global_step=global_step)
    """

    GATE_NONE = 0
    GATE_OP = 1
    GATE_GRAPH = 2

    def __init__(
        self, use_locking: bool, name: str, use_own_namescope_for_non_slot_vars: bool = False
    ) -> None:
        """Creates a new optimizer (called by subclasses).

        Args:
            use_locking: whether updates lock the variables (recorded on the update ops).
            name: non-empty name for the ops and slots the optimizer creates.
            use_own_namescope_for_non_slot_vars: put non-slot variables (such as Adam's
                `beta1_power`) in a variable scope named after the optimizer.

        Raises:
            ValueError: if `name` is empty.
        """
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        self._use_own_namescope_for_non_slot_vars = use_own_namescope_for_non_slot_vars
        if use_own_namescope_for_non_slot_vars:
            from tfgraph.variable_scope import variable_scope

            with variable_scope(None, default_name=name) as scope:
                self._non_slot_variable_scope = scope
        self._slots: dict[str, dict] = {}
        self._non_slot_dict: dict = {}

    def get_name(self) -> str:
        return self._name

    # -- the public API ------------------------------------------------------------------
    def minimize(
        self,
        loss,
        global_step=None,
        var_list=None,
        gate_gradients=GATE_OP,
        aggregation_method=None,
        colocate_gradients_with_ops: bool = False,
        name: str | None = None,
        grad_loss=None,
    ) -> Operation:
        """Adds ops to minimize `loss` by updating `var_list` (default: the trainable
        variables); increments `global_step` after the updates when given.

        Returns:
            The operation that applies the updates (and increments `global_step`).

        Raises:
            ValueError: if no variable receives a gradient.
        """
        grads_and_vars = self.compute_gradients(
            loss,
            var_list=var_list,
            gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops,
            grad_loss=grad_loss,
        )
        vars_with_grad = [v for g, v in grads_and_vars if g is not None]
        if not vars_with_grad:
            raise ValueError(
                "No gradients provided for any variable, check your graph for ops that do not "
                "support gradients, between variables "
                f"{[str(v) for _, v in grads_and_vars]} and loss {loss}."
            )
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(
        self,
        loss,
        var_list=None,
        gate_gradients=GATE_OP,
        aggregation_method=None,
        colocate_gradients_with_ops: bool = False,
        grad_loss=None,
    ) -> list:
        """(gradient, variable) pairs for `loss` and `var_list` (default: trainable
        variables); a gradient is a Tensor, IndexedSlices or None.

        Raises:
            ValueError: for an invalid `gate_gradients`, a loss or variable that is not
                floating point, or no variables.
        """
        if callable(loss):
            return self._compute_gradients_of_function(loss, var_list, grad_loss)
        if get_default_graph()._executes_eagerly:
            raise RuntimeError(
                "`loss` passed to Optimizer.compute_gradients should be a function when eager "
                "execution is enabled."
            )
        if gate_gradients not in (Optimizer.GATE_NONE, Optimizer.GATE_OP, Optimizer.GATE_GRAPH):
            raise ValueError(
                "gate_gradients must be one of: Optimizer.GATE_NONE, Optimizer.GATE_OP, "
                f"Optimizer.GATE_GRAPH.  Not {gate_gradients}"
            )
        self._assert_valid_dtypes([loss])
        if grad_loss is not None:
            self._assert_valid_dtypes([grad_loss])
        if var_list is None:
            var_list = trainable_variables() + get_collection(
                GraphKeys.TRAINABLE_RESOURCE_VARIABLES
            )
        else:
            var_list = _flatten(_as_list(var_list))
        var_list += get_collection(GraphKeys._STREAMING_MODEL_PORTS)
        processors = [_get_processor(v) for v in var_list]
        if not var_list:
            raise ValueError("No variables to optimize.")
        var_refs = [p.target() for p in processors]
        from tfgraph.gradients import gradients

        grads = gradients(
            loss,
            var_refs,
            grad_ys=grad_loss,
            gate_gradients=(gate_gradients == Optimizer.GATE_OP),
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops,
        )
        if gate_gradients == Optimizer.GATE_GRAPH:
            grads = control_flow_ops.tuple(grads)
        grads_and_vars = list(zip(grads, var_list))
        self._assert_valid_dtypes([v for g, v in grads_and_vars if g is not None])
        return grads_and_vars

    def _compute_gradients_of_function(self, loss, var_list, grad_loss) -> list:
        """`compute_gradients` of a callable loss, as TF: the loss is computed under a
        gradient tape, and without `var_list` the variables are the trainable resource
        variables it reads, in the order it reads them (TF's tape does not see
        reference variables: with none read, the list is empty)."""
        from tfgraph.eager import context
        from tfgraph.eager.tape import GradientTape

        if var_list is not None:
            var_list = _flatten(_as_list(var_list))
        if context.executing_eagerly():
            with GradientTape() as tape:
                if var_list is not None:
                    tape.watch(var_list)
                loss_value = loss()
            if var_list is None:
                var_list = list(tape.watched_variables())
            grads = tape.gradient(loss_value, var_list, grad_loss)
            return list(zip(grads, var_list))
        g = get_default_graph()
        first_new_op = len(g._nodes)
        loss_value = loss()
        if var_list is None:
            var_list = _resource_variables_read(g, first_new_op)
        if not var_list:
            return []
        with g.control_dependencies([loss_value]):
            return self.compute_gradients(loss_value, var_list, grad_loss=grad_loss)

    def apply_gradients(self, grads_and_vars, global_step=None, name: str | None = None):
        """Adds the ops that apply `grads_and_vars` ((gradient, variable) pairs, as from
        `compute_gradients`); increments `global_step` after them when given.

        Returns:
            The operation that applies the gradients.

        Raises:
            TypeError: if a gradient is not a Tensor, IndexedSlices or None.
            ValueError: if there are no variables or no gradients.
            RuntimeError: if called in a tf.distribute strategy's cross-replica context.
        """
        _check_replica_context()
        grads_and_vars = tuple(grads_and_vars)
        if not grads_and_vars:
            raise ValueError("No variables provided.")
        converted = []
        for g, v in grads_and_vars:
            if g is not None:
                g = _convert_gradient(g)
            converted.append((g, v, _get_processor(v)))
        var_list = [v for g, v, _ in converted if g is not None]
        if not var_list:
            raise ValueError(
                f"No gradients provided for any variable: {[str(v) for _, v, _ in converted]}."
            )
        with init_scope():
            self._create_slots(var_list)
        g = get_default_graph()
        scope = _strategy_update_scope()
        if scope is not None:
            return self._apply_in_strategy(converted, global_step, name, scope)
        update_ops = []
        with g.name_scope(name if name is not None else self._name) as name:
            self._prepare()
            for grad, var, processor in converted:
                if grad is None:
                    continue
                with g.name_scope("update_" + var.op.name), g.colocate_with(var):
                    update_ops.append(processor.update_op(self, grad))
            if global_step is None:
                apply_updates = self._finish(update_ops, name)
            else:
                with g.control_dependencies([self._finish(update_ops, "update")]):
                    with g.colocate_with(global_step):
                        apply_updates = state_ops.assign_add(global_step, 1, name=name)
            if g._executes_eagerly:  # (the updates have run: TF returns what is left)
                return apply_updates
            if not isinstance(apply_updates, Operation):  # (a Tensor or an _UnreadVariable)
                apply_updates = apply_updates.op
            train_op = get_collection_ref(GraphKeys.TRAIN_OP)
            if apply_updates not in train_op:
                train_op.append(apply_updates)
            return apply_updates

    def _apply_in_strategy(self, converted, global_step, name, update_scope: str):
        """apply_gradients under a tf.distribute strategy (one replica), named as TF's
        distributed apply names it: each variable's update, then `_finish`, then the
        global_step increment, each in the strategy's update scope (MirroredStrategy:
        `update_0`, made unique)."""
        import contextlib

        g = get_default_graph()

        def scope():
            return g.name_scope(update_scope) if update_scope else contextlib.nullcontext()

        with g.name_scope(name if name is not None else self._name) as name:
            self._prepare()
            update_ops = []
            for grad, var, processor in converted:
                if grad is None:
                    continue
                with scope(), g.name_scope("update_" + var.op.name), g.colocate_with(var):
                    update_ops.append(processor.update_op(self, grad))
            with scope():
                finished = self._finish(update_ops, "update")
            if global_step is None:
                apply_updates = control_flow_ops.group(finished, name=name)
            else:
                with g.control_dependencies([finished]), scope():
                    apply_updates = global_step.assign_add(1)
            train_op = get_collection_ref(GraphKeys.TRAIN_OP)
            if apply_updates not in train_op:
                train_op.append(apply_updates)
            return apply_updates

    def get_slot(self, var, name: str):
        """The slot variable `name` the optimizer created for `var`, or None."""
        named_slots = self._slots.get(name)
        if not named_slots:
            return None
        return named_slots.get(_var_key(var))

    def get_slot_names(self) -> list[str]:
        """The names of the slots this optimizer creates, sorted."""
        return sorted(self._slots)

    def variables(self) -> list:
        """The optimizer's variables in the default graph (slots and others such as
        `beta1_power`), sorted by name."""
        current = get_default_graph()
        out = [v for v in self._non_slot_variables() if v.op.graph is current]
        for slots in self._slots.values():
            out.extend(v for v in slots.values() if v.op.graph is current)
        return sorted(out, key=lambda v: v.name)

    # -- for subclasses --------------------------------------------------------------------
    def _create_slots(self, var_list) -> None:
        """Creates the slots of every variable in `var_list`."""

    def _prepare(self) -> None:
        """Creates the hyper-parameter tensors (in the apply_gradients name scope)."""

    def _apply_dense(self, grad, var):
        raise NotImplementedError()

    def _apply_sparse(self, grad, var):
        raise NotImplementedError()

    def _apply_sparse_duplicate_indices(self, grad, var):
        """Sums the rows of `grad` (IndexedSlices) that share an index, then applies it
        with `_apply_sparse`."""
        summed_values, unique_indices = _deduplicate_indexed_slices(grad.values, grad.indices)
        return self._apply_sparse(
            IndexedSlices(summed_values, unique_indices, grad.dense_shape), var
        )

    def _finish(self, update_ops, name_scope):
        return control_flow_ops.group(*update_ops, name=name_scope)

    def _call_if_callable(self, param):
        return param() if callable(param) else param

    # -- slots -----------------------------------------------------------------------------
    def _slot_dict(self, slot_name: str) -> dict:
        named_slots = self._slots.get(slot_name)
        if named_slots is None:
            named_slots = self._slots[slot_name] = {}
        return named_slots

    def _get_or_make_slot(self, var, val, slot_name: str, op_name: str):
        named_slots = self._slot_dict(slot_name)
        key = _var_key(var)
        if key not in named_slots:
            named_slots[key] = slot_creator.create_slot(var, val, op_name)
        return named_slots[key]

    def _get_or_make_slot_with_initializer(
        self, var, initializer, shape, dtype, slot_name: str, op_name: str
    ):
        named_slots = self._slot_dict(slot_name)
        key = _var_key(var)
        if key not in named_slots:
            named_slots[key] = slot_creator.create_slot_with_initializer(
                var, initializer, shape, dtype, op_name
            )
        return named_slots[key]

    def _zeros_slot(self, var, slot_name: str, op_name: str):
        named_slots = self._slot_dict(slot_name)
        key = _var_key(var)
        if key not in named_slots:
            named_slots[key] = slot_creator.create_zeros_slot(var, op_name)
        return named_slots[key]

    # -- non-slot variables ----------------------------------------------------------------
    def _create_non_slot_variable(self, initial_value, name: str, colocate_with):
        """A variable of the optimizer not tied to one variable (Adam's `beta1_power`),
        created once per graph, colocated with `colocate_with`."""
        graph = colocate_with.graph
        key = (name, graph)
        v = self._non_slot_dict.get(key)
        resource = True if getattr(colocate_with, "handle", None) is not None else None
        if v is None:
            with graph.colocate_with(colocate_with):
                if self._use_own_namescope_for_non_slot_vars:
                    from tfgraph.variable_scope import get_variable, variable_scope

                    with graph.name_scope(""):
                        with variable_scope(self._non_slot_variable_scope):
                            v = get_variable(
                                name=name,
                                initializer=initial_value,
                                trainable=False,
                                use_resource=resource,
                            )
                else:
                    v = Variable(initial_value, name=name, trainable=False, use_resource=resource)
            self._non_slot_dict[key] = v
        return v

    def _get_non_slot_variable(self, name: str, graph=None):
        return self._non_slot_dict.get((name, graph))

    def _non_slot_variables(self):
        return self._non_slot_dict.values()

    # -- checks ------------------------------------------------------------------------------
    def _valid_dtypes(self):
        return [dtypes.float32, dtypes.float64, dtypes.float16, dtypes.bfloat16]

    def _assert_valid_dtypes(self, tensors) -> None:
        valid = self._valid_dtypes()
        for t in tensors:
            dtype = t.dtype.base_dtype
            if dtype not in valid:
                raise ValueError(
                    f"Invalid type {dtype!r} for {t.name}, expected: "
                    f"[{', '.join(repr(d) for d in valid)}]."
                )


def _check_replica_context() -> None:
    """Under a tf.distribute strategy, gradients are applied per replica (in
    `strategy.run`), as TF requires."""
    from tfgraph.distributed.strategy import has_strategy, in_cross_replica_context

    if has_strategy() and in_cross_replica_context():
        raise RuntimeError(
            "Use `_distributed_apply()` instead of `apply_gradients()` in a cross-replica "
            "context: call the optimizer's minimize/apply_gradients inside "
            "strategy.run(fn), where fn runs in a replica context"
        )


def _strategy_update_scope():
    """Under a tf.distribute strategy, the name scope of its updates ("update_0" for a
    mirrored one, "" for others); None without a strategy."""
    from tfgraph.distributed.strategy import get_strategy, has_strategy

    if not has_strategy():
        return None
    return get_strategy().extended._update_scope or ""

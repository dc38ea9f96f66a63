"""Moving averages: `assign_moving_average` (with TF's zero-debiasing) and
`tf.train.ExponentialMovingAverage`, built as TF builds them (names, slots, the
MOVING_AVERAGE_VARIABLES collection), so checkpoints of shadow variables interchange."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import (
    GraphKeys,
    add_to_collection,
    colocate_with,
    device,
    get_default_graph,
    init_scope,
    name_scope,
)
from tfgraph.ops import array_ops, control_flow_ops, init_ops, math_ops, state_ops
from tfgraph.training import slot_creator
from tfgraph.variable_scope import get_variable, get_variable_scope, variable_scope
from tfgraph.variables import (
    Variable,
    global_variables,
    moving_average_variables,
    trainable_variables,
)

__all__ = ["ExponentialMovingAverage", "assign_moving_average", "weighted_moving_average"]


def assign_moving_average(variable, value, decay, zero_debias=True, name=None):
    """`variable -= (variable - value) * (1 - decay)`; with `zero_debias`, the average
    is kept in a `<variable>/biased` shadow with a `local_step` counter and divided by
    `1 - decay ** steps` (so an average started at 0 is not biased towards 0)."""
    with name_scope(name, "AssignMovingAvg", [variable, value, decay]) as scope:
        decay = convert_to_tensor(1.0 - decay, name="decay")
        if decay.dtype != variable.dtype.base_dtype:
            decay = array_ops.cast(decay, variable.dtype.base_dtype)
        with colocate_with(variable.op if hasattr(variable, "op") else variable):
            if zero_debias:
                return _zero_debias(variable, value, decay)
            return state_ops.assign_sub(variable, (variable - value) * decay, name=scope)


def _unique_in_scope(name: str) -> str:
    scope = get_variable_scope()
    if scope.reuse:
        return name
    taken = {v.op.name for v in scope.global_variables()}
    full = f"{scope.name}/{name}"
    if full not in taken:
        return name
    index = 1
    while f"{full}_{index}" in taken:
        index += 1
    return f"{name}_{index}"


def _zero_debias(unbiased, value, decay):
    with variable_scope(unbiased.name[: -len(":0")], values=[unbiased, value, decay]):
        with init_scope():
            biased_init = init_ops.zeros_initializer()
            step_init = init_ops.zeros_initializer()
        biased = get_variable(
            _unique_in_scope("biased"),
            initializer=biased_init,
            shape=unbiased.get_shape(),
            dtype=unbiased.dtype.base_dtype,
            trainable=False,
        )
        local_step = get_variable(
            _unique_in_scope("local_step"),
            shape=[],
            dtype=unbiased.dtype.base_dtype,
            initializer=step_init,
            trainable=False,
        )
    update_biased = state_ops.assign_sub(biased, (biased - value) * decay)
    update_step = local_step.assign_add(1)
    bias_factor = 1 - math_ops.pow(1.0 - decay, update_step)
    return state_ops.assign(
        unbiased, update_biased / bias_factor, name=get_default_graph().get_name_scope() + "/"
    )


def weighted_moving_average(value, decay, weight, truediv=True, collections=None, name=None):
    """The moving average of `value` weighted by `weight`: the ratio of the moving
    averages of `value * weight` and of `weight` (zero-debiased)."""
    if collections is None:
        collections = [GraphKeys.GLOBAL_VARIABLES]
    with variable_scope(name, "WeightedMovingAvg", [value, weight, decay]) as scope:
        value_x_weight = math_ops.multiply(value, weight)
        numerator = get_variable(
            "numerator",
            initializer=init_ops.zeros_initializer(),
            shape=value.get_shape(),
            dtype=value.dtype,
            trainable=False,
            collections=collections,
        )
        denominator = get_variable(
            "denominator",
            initializer=init_ops.zeros_initializer(),
            shape=weight.get_shape(),
            dtype=weight.dtype,
            trainable=False,
            collections=collections,
        )
        numerator = assign_moving_average(numerator, value_x_weight, decay)
        denominator = assign_moving_average(denominator, weight, decay)
        divide = math_ops.truediv if truediv else math_ops.div
        return divide(numerator, denominator, name=scope.name)


class ExponentialMovingAverage:
    """Shadow variables tracking exponential moving averages of variables:
    `shadow -= (1 - decay) * (shadow - variable)` each time the op `apply` returns
    runs (decay capped at `(1 + num_updates) / (10 + num_updates)` when given)."""

    def __init__(self, decay, num_updates=None, zero_debias=False, name="ExponentialMovingAverage"):
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = zero_debias
        self._name = name
        self._averages: dict = {}

    @property
    def name(self) -> str:
        return self._name

    def apply(self, var_list=None):
        """Creates the shadow variables of `var_list` (default: the trainable ones),
        initialized to the variables' values, and returns the op updating them."""
        if var_list is None:
            var_list = trainable_variables()
        debiased = set()
        for var in var_list:
            if var.dtype.base_dtype not in (
                dtypes.bfloat16,
                dtypes.float16,
                dtypes.float32,
                dtypes.float64,
            ):
                raise TypeError(f"The variables must be half, float, or double: {var.name}")
            if var in self._averages:
                continue
            with init_scope():
                if isinstance(var, Variable):
                    with device(var.device):
                        initial = control_flow_ops.cond(
                            state_ops.is_variable_initialized(var),
                            var.read_value,
                            lambda var=var: var.initial_value,
                        )
                    avg = slot_creator.create_slot(var, initial, self._name)
                    add_to_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, var)
                else:
                    avg = slot_creator.create_zeros_slot(
                        var,
                        self._name,
                        colocate_with_primary=var.op.type in ("Variable", "VariableV2"),
                    )
                    if self._zero_debias:
                        debiased.add(avg)
            self._averages[var] = avg
        with name_scope(self._name) as scope:
            decay = convert_to_tensor(self._decay, dtype=dtypes.float32, name="decay")
            if self._num_updates is not None:
                num_updates = array_ops.cast(self._num_updates, dtypes.float32, name="num_updates")
                decay = math_ops.minimum(decay, (1.0 + num_updates) / (10.0 + num_updates))
            updates = [
                assign_moving_average(
                    self._averages[var], var, decay, zero_debias=self._averages[var] in debiased
                )
                for var in var_list
            ]
            return control_flow_ops.group(*updates, name=scope)

    def average(self, var):
        """The shadow variable of `var`, or None."""
        return self._averages.get(var)

    def average_name(self, var) -> str:
        """The name the shadow variable of `var` has (or will have)."""
        if var in self._averages:
            return self._averages[var].name[: -len(":0")]
        return get_default_graph().unique_name(
            var.name[: -len(":0")] + "/" + self._name, mark_as_used=False
        )

    def variables_to_restore(self, moving_avg_variables=None) -> dict:
        """{checkpoint name: variable} restoring each averaged variable from its shadow
        (for evaluation with the averages), every other global variable as itself."""
        if moving_avg_variables is None:
            moving_avg_variables = trainable_variables() + moving_average_variables()
        averaged = list(dict.fromkeys(moving_avg_variables))
        name_map = {self.average_name(v): v for v in averaged}
        averaged_names = {v.name for v in averaged}
        for v in global_variables():
            if v.name not in averaged_names and v.op.name not in name_map:
                name_map[v.op.name] = v
        return name_map

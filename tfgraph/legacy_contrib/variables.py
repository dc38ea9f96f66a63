"""Variables as contrib.framework / slim make and find them: model variables (also in
the MODEL_VARIABLES collection), lookups by scope, suffix and name, and restoring
from checkpoints by assignment."""

from __future__ import annotations

import functools

from tfgraph.framework import dtypes
from tfgraph.framework.graph import GraphKeys, add_to_collection, device, get_collection
from tfgraph.legacy_contrib.arg_scope import add_arg_scope
from tfgraph.ops import array_ops, control_flow_ops
from tfgraph.platform import tf_logging as logging
from tfgraph.variable_scope import get_variable, get_variable_scope

__all__ = [
    "add_model_variable",
    "assign_from_checkpoint",
    "assign_from_checkpoint_fn",
    "assign_from_values",
    "assign_from_values_fn",
    "filter_variables",
    "get_local_variables",
    "get_model_variables",
    "get_trainable_variables",
    "get_unique_variable",
    "get_variable_full_name",
    "get_variables",
    "get_variables_by_name",
    "get_variables_by_suffix",
    "get_variables_to_restore",
    "model_variable",
    "variable",
]


@add_arg_scope
def variable(
    name,
    shape=None,
    dtype=None,
    initializer=None,
    regularizer=None,
    trainable=True,
    collections=None,
    caching_device=None,
    device=None,
    partitioner=None,
    custom_getter=None,
    use_resource=None,
    synchronization=None,
    aggregation=None,
):
    """`get_variable` in `collections` (default GLOBAL_VARIABLES) on `device`."""
    collections = list(dict.fromkeys(collections or [GraphKeys.GLOBAL_VARIABLES]))
    getter = get_variable
    if custom_getter is not None:
        getter = functools.partial(custom_getter, reuse=get_variable_scope().reuse)
    with _device(device or ""):
        return getter(
            name,
            shape=shape,
            dtype=dtype,
            initializer=initializer,
            regularizer=regularizer,
            trainable=trainable,
            collections=collections,
            caching_device=caching_device,
            partitioner=partitioner,
            use_resource=use_resource,
        )


_device = device


@add_arg_scope
def model_variable(
    name,
    shape=None,
    dtype=dtypes.float32,
    initializer=None,
    regularizer=None,
    trainable=True,
    collections=None,
    caching_device=None,
    device=None,
    partitioner=None,
    custom_getter=None,
    use_resource=None,
    synchronization=None,
    aggregation=None,
):
    """A `variable` also in MODEL_VARIABLES."""
    collections = list(collections or [])
    collections += [GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES]
    return variable(
        name,
        shape=shape,
        dtype=dtype,
        initializer=initializer,
        regularizer=regularizer,
        trainable=trainable,
        collections=collections,
        caching_device=caching_device,
        device=device,
        partitioner=partitioner,
        custom_getter=custom_getter,
        use_resource=use_resource,
    )


def add_model_variable(var) -> None:
    if var not in get_collection(GraphKeys.MODEL_VARIABLES):
        add_to_collection(GraphKeys.MODEL_VARIABLES, var)


def get_variables(scope=None, suffix=None, collection=GraphKeys.GLOBAL_VARIABLES) -> list:
    """The variables of `collection` whose names match `scope` (a regex prefix) and end
    in `suffix`."""
    if scope is not None and not isinstance(scope, str):
        scope = scope.name  # (a VariableScope)
    if suffix is not None:
        if ":" not in suffix:
            suffix += ":"
        scope = (scope or "") + ".*" + suffix
    return get_collection(collection, scope)


def get_model_variables(scope=None, suffix=None) -> list:
    return get_variables(scope, suffix, GraphKeys.MODEL_VARIABLES)


def get_local_variables(scope=None, suffix=None) -> list:
    return get_variables(scope, suffix, GraphKeys.LOCAL_VARIABLES)


def get_trainable_variables(scope=None, suffix=None) -> list:
    return get_variables(scope, suffix, GraphKeys.TRAINABLE_VARIABLES)


def get_variables_to_restore(include=None, exclude=None) -> list:
    """The global variables under the scopes `include` (default: all) minus those under
    the scopes `exclude`."""
    if include is None:
        chosen = get_variables()
    else:
        if not isinstance(include, (list, tuple)):
            raise TypeError("include is provided but is not a list or a tuple.")
        chosen = [v for scope in include for v in get_variables(scope)]
    left_out: set = set()
    if exclude is not None:
        if not isinstance(exclude, (list, tuple)):
            raise TypeError("exclude is provided but is not a list or a tuple.")
        for scope in exclude:
            left_out.update(get_variables(scope))
    return [v for v in chosen if v not in left_out]


def get_variables_by_suffix(suffix, scope=None) -> list:
    return get_variables(scope=scope, suffix=suffix)


def get_variables_by_name(given_name, scope=None) -> list:
    return get_variables(scope=scope, suffix="/" + given_name + ":|^" + given_name + ":")


def get_unique_variable(var_op_name):
    """The variable whose op is named `var_op_name`."""
    candidates = get_variables(scope=var_op_name)
    if not candidates:
        raise ValueError(f"Couldn't find variable {var_op_name}")
    for candidate in candidates:
        if candidate.op.name == var_op_name:
            return candidate
    raise ValueError(f"Variable {var_op_name} does not uniquely identify a variable")


def get_variable_full_name(var) -> str:
    """The name a (possibly partitioned) variable has in checkpoints."""
    info = getattr(var, "_save_slice_info", None)
    return info.full_name if info else var.op.name


def _assign_fed(var, value, feed_dict: dict, assign_ops: list) -> None:
    placeholder = array_ops.placeholder(
        dtype=var.dtype.base_dtype, shape=var.get_shape(), name="placeholder/" + var.op.name
    )
    assign_ops.append(var.assign(placeholder))
    feed_dict[placeholder] = value


def assign_from_values(var_names_to_values):
    """(assign op, feed dict) setting each named global variable to its value."""
    feed_dict: dict = {}
    assign_ops: list = []
    for var_name, value in var_names_to_values.items():
        found = get_collection(GraphKeys.GLOBAL_VARIABLES, var_name)
        if not found:
            raise ValueError(f"Variable {var_name} wasn't found")
        if len(found) > 1:
            exact = [v for v in found if v.op.name == var_name]
            if not exact:
                raise ValueError(f"Variable {var_name} doesn't uniquely identify a variable")
            found = exact
        var = found[0]
        _assign_fed(var, value.reshape(var.get_shape().as_list()), feed_dict, assign_ops)
    return control_flow_ops.group(*assign_ops), feed_dict


def assign_from_values_fn(var_names_to_values):
    assign_op, feed_dict = assign_from_values(var_names_to_values)
    return lambda session: session.run(assign_op, feed_dict)


def assign_from_checkpoint(model_path, var_list, ignore_missing_vars=False):
    """(assign op, feed dict) setting `var_list` (a list, or {checkpoint name: variable
    or list}) to their values in the checkpoint `model_path`."""
    from tfgraph.training.checkpoint_utils import load_checkpoint

    grouped: dict = {}
    if isinstance(var_list, (list, tuple)):
        for var in var_list:
            grouped.setdefault(get_variable_full_name(var), []).append(var)
    else:
        for name, value in var_list.items():
            grouped[name] = list(value) if isinstance(value, (list, tuple)) else [value]
    reader = load_checkpoint(model_path)
    feed_dict: dict = {}
    assign_ops: list = []
    for name, variables in grouped.items():
        if not reader.has_tensor(name):
            message = f"Checkpoint is missing variable [{name}]"
            if ignore_missing_vars:
                logging.warning(message)
                continue
            raise ValueError(message)
        value = reader.get_tensor(name)
        for var in variables:
            info = getattr(var, "_save_slice_info", None)
            if info:
                index = tuple(slice(o, o + n) for o, n in zip(info.var_offset, info.var_shape))
                _assign_fed(var, value[index].reshape(info.var_shape), feed_dict, assign_ops)
                continue
            if var.get_shape().as_list() != list(value.shape):
                raise ValueError(
                    f"Total size of new array must be unchanged for {name} lh_shape: "
                    f"[{value.shape}], rh_shape: [{var.get_shape()}]"
                )
            _assign_fed(var, value, feed_dict, assign_ops)
    return control_flow_ops.group(*assign_ops), feed_dict


def assign_from_checkpoint_fn(
    model_path, var_list, ignore_missing_vars=False, reshape_variables=False
):
    """A function of a session restoring `var_list` from `model_path` (with a Saver)."""
    from tfgraph.training.checkpoint_utils import load_checkpoint
    from tfgraph.training.saver import Saver

    if not var_list:
        raise ValueError("var_list cannot be empty")
    if ignore_missing_vars:
        reader = load_checkpoint(model_path)
        var_dict = var_list if isinstance(var_list, dict) else {v.op.name: v for v in var_list}
        available = {}
        for name, var in var_dict.items():
            if reader.has_tensor(name):
                available[name] = var
            else:
                logging.warning("Variable %s missing in checkpoint %s", name, model_path)
        var_list = available
    if not var_list:
        logging.warning("No Variables to restore")
        return None
    saver = Saver(var_list, reshape=reshape_variables)
    return lambda session: saver.restore(session, model_path)


def filter_variables(var_list, include_patterns=None, exclude_patterns=None, reg_search=True):
    """The variables of `var_list` whose names match an include pattern (default: all)
    and no exclude pattern (regex search, or match when `reg_search` is False)."""
    import re

    find = re.search if reg_search else re.match
    chosen = list(var_list)
    if include_patterns is not None:
        chosen = [v for v in chosen if any(find(p, v.name) for p in include_patterns)]
    if exclude_patterns is not None:
        chosen = [v for v in chosen if not any(find(p, v.name) for p in exclude_patterns)]
    return chosen


# -- more helpers (tf-slim's variables module) -------------------------------------------
def local_variable(initial_value, validate_shape=True, name=None, use_resource=None):
    """A non-trainable variable in LOCAL_VARIABLES only, holding `initial_value`."""
    from tfgraph.variables import Variable

    return Variable(
        initial_value,
        trainable=False,
        collections=[GraphKeys.LOCAL_VARIABLES],
        validate_shape=validate_shape,
        use_resource=use_resource,
        name=name,
    )


def global_variable(initial_value, validate_shape=True, name=None, use_resource=None):
    """A non-trainable variable in GLOBAL_VARIABLES only, holding `initial_value`."""
    from tfgraph.variables import Variable

    return Variable(
        initial_value,
        trainable=False,
        collections=[GraphKeys.GLOBAL_VARIABLES],
        validate_shape=validate_shape,
        use_resource=use_resource,
        name=name,
    )


def assert_or_get_global_step(graph=None, global_step_tensor=None):
    """`global_step_tensor` checked to be a usable global step, or (None) the graph's
    global step (None when it has none)."""
    from tfgraph.training.training_util import assert_global_step, get_global_step

    if global_step_tensor is None:
        return get_global_step(graph)
    assert_global_step(global_step_tensor)
    return global_step_tensor


class VariableDeviceChooser:
    """A device function for `tf.device` placing variables: on `device_type`:
    `device_index` of `replica`, and with `num_tasks` > 0 round-robin over the tasks of
    `job_name` (one op after the other)."""

    def __init__(self, num_tasks=0, job_name="ps", device_type="CPU", device_index=0,
                 replica=None) -> None:  # fmt: skip
        self._job_name = job_name
        self._device_type = device_type
        self._device_index = device_index
        self._replica = replica
        self._num_tasks = num_tasks
        self._next_task_id = 0

    def __call__(self, op) -> str:
        parts = []
        if self._num_tasks > 0:
            task = self._next_task_id
            self._next_task_id = (self._next_task_id + 1) % self._num_tasks
            parts.append(f"/job:{self._job_name}")
        if self._replica is not None:
            parts.append(f"/replica:{self._replica}")
        if self._num_tasks > 0:
            parts.append(f"/task:{task}")
        if self._device_type is not None:
            index = "*" if self._device_index is None else self._device_index
            parts.append(f"/device:{self._device_type.upper()}:{index}")
        return "".join(parts)


__all__ += [
    "VariableDeviceChooser",
    "assert_or_get_global_step",
    "global_variable",
    "local_variable",
]

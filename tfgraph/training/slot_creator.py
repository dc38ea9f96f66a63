"""Slot variables: per-variable optimizer state (`w/Adam`, `w/Momentum`, ...).

A slot is a non-trainable global variable named `<primary>/<name>` (uniquified: the
second Adam slot of `w` is `w/Adam_1`), created through `get_variable` in a variable
scope of that name, colocated with its primary variable, with the primary's shape and
dtype unless told otherwise, as TensorFlow's `slot_creator` makes them.
"""

from __future__ import annotations

from tfgraph.framework.graph import get_default_graph
from tfgraph.ops import array_ops, control_flow_ops, init_ops, state_ops
from tfgraph.variable_scope import get_variable, get_variable_scope, variable_scope
from tfgraph.variables import Variable

__all__ = ["create_slot", "create_slot_with_initializer", "create_zeros_slot"]


def _create_slot_var(primary, val, scope, validate_shape, shape, dtype):
    """get_variable for a slot, with no partitioner (slots follow their primary)."""
    current_scope = get_variable_scope()
    partitioner = current_scope.partitioner
    current_scope.set_partitioner(None)
    try:
        slot = get_variable(
            scope,
            initializer=val,
            trainable=False,
            use_resource=getattr(primary, "handle", None) is not None,  # as its primary
            shape=shape if callable(val) else None,
            dtype=dtype,
            validate_shape=validate_shape,
        )
    finally:
        current_scope.set_partitioner(partitioner)
    if isinstance(primary, Variable) and primary._save_slice_info:
        # A slot of a partitioned variable is itself a partition of the full slot.
        real_slot_name = slot.name[len(primary.op.name + "/") : -2]
        info = primary._save_slice_info
        n = slot.shape.ndims
        if n is None or n > 0:
            slot._set_save_slice_info(
                Variable.SaveSliceInfo(
                    info.full_name + "/" + real_slot_name,
                    info.full_shape[:n],
                    info.var_offset[:n],
                    info.var_shape[:n],
                )
            )
    return slot


def _prefix(primary) -> str:
    return primary._shared_name if isinstance(primary, Variable) else primary.op.name


def _colocated(primary, colocate: bool):
    if colocate:
        return get_default_graph().colocate_with(primary)
    return _null()


class _null:
    def __enter__(self):
        return None

    def __exit__(self, *exc) -> None:
        return None


def create_slot(primary, val, name: str, colocate_with_primary: bool = True):
    """A slot for `primary` initialized to the tensor `val` (whose dtype it takes)."""
    validate_shape = val.get_shape().is_fully_defined()
    with variable_scope(None, _prefix(primary) + "/" + name):
        with _colocated(primary, colocate_with_primary):
            return _create_slot_var(primary, val, "", validate_shape, None, None)


def create_slot_with_initializer(
    primary, initializer, shape, dtype, name: str, colocate_with_primary: bool = True
):
    """A slot for `primary` initialized by `initializer` with `shape` and `dtype`."""
    validate_shape = shape.is_fully_defined()
    with variable_scope(None, _prefix(primary) + "/" + name):
        with _colocated(primary, colocate_with_primary):
            return _create_slot_var(primary, initializer, "", validate_shape, shape, dtype)


def create_zeros_slot(primary, name: str, dtype=None, colocate_with_primary: bool = True):
    """A slot of zeros shaped like `primary` (its shape read at run time if unknown)."""
    if dtype is None:
        dtype = primary.dtype.base_dtype
    slot_shape = primary.get_shape()
    if slot_shape.is_fully_defined():
        return create_slot_with_initializer(
            primary,
            init_ops.zeros_initializer(),
            slot_shape,
            dtype,
            name,
            colocate_with_primary=colocate_with_primary,
        )
    if isinstance(primary, Variable):
        slot_shape = array_ops.shape(
            control_flow_ops.cond(
                state_ops.is_variable_initialized(primary),
                primary.read_value,
                lambda: primary.initial_value,
            )
        )
    else:
        slot_shape = array_ops.shape(primary)
    val = array_ops.zeros(slot_shape, dtype=dtype)
    return create_slot(primary, val, name, colocate_with_primary=colocate_with_primary)

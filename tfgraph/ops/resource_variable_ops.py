"""Resource variable ops: `VarHandleOp` and the ops that read and update through it.

A `resource` tensor's value is a `ResourceHandle` (framework/resources.py) holding the
variable's `RefCell`; these kernels only use the handle, so they run the same in a
session (the cell lives in the session's store, keyed by container and shared name) and
eagerly (an eager variable's handle owns its cell). The optimizers' `ResourceApply*`
ops are registered beside their `Apply*` ops in ops/training_ops.py.
"""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.eager.context import ANONYMOUS_NAME, executing_eagerly
from tfgraph.framework import dtypes
from tfgraph.framework.indexed_slices import IndexedSlices
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.resources import RefCell, ResourceHandle
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops

__all__ = [
    "assign_add_variable_op",
    "assign_sub_variable_op",
    "assign_variable_op",
    "destroy_resource_op",
    "read_variable_op",
    "resource_count_up_to",
    "resource_gather",
    "resource_scatter",
    "var_handle_op",
    "var_is_initialized_op",
    "variable_shape",
]


# -- VarHandleOp ------------------------------------------------------------------------------
def _var_handle_kernel(op, ctx):
    attrs = op._attrs
    container = attrs["container"].decode()
    shared = attrs["shared_name"].decode()
    dtype, shape = attrs["dtype"], attrs["shape"]
    if shared == ANONYMOUS_NAME:  # an eager variable: a new resource per call

        def fresh():
            return ResourceHandle(RefCell(op._name, dtype), container, op._name, dtype, shape)

        return fresh
    name = shared or op._name
    store = ctx.resources_for(op)
    cell = store.cell(container, name, dtype)
    handle = ResourceHandle(cell, container, name, dtype, shape, store)
    return lambda: handle


register_op(
    "VarHandleOp",
    outputs=["resource: resource"],
    attrs=[
        "container: string = ''",
        "shared_name: string = ''",
        "debug_name: string = ''",
        "dtype: type",
        "shape: shape",
        "allowed_devices: list(string) = []",
    ],
    shape=lambda op: [TensorShape([])],
    make_kernel=_var_handle_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def var_handle_op(dtype, shape, name="VarHandleOp", container="", shared_name="", debug_name=""):
    """A `VarHandleOp`'s resource output."""
    from tfgraph.ops.apply import op_output

    attrs = {
        "dtype": dtypes.as_dtype(dtype)._base,
        "shape": TensorShape(shape),
        "container": container.encode(),
        "shared_name": shared_name.encode(),
        "debug_name": debug_name.encode(),
    }
    return op_output("VarHandleOp", name, [], attrs)


# -- reads ------------------------------------------------------------------------------------
def uninitialized_error(handle: ResourceHandle) -> errors.FailedPreconditionError:
    name = handle.name
    container = handle.container or "localhost"
    if handle.container_exists():
        status = f"Resource {container}/{name}/N10tensorflow3VarE does not exist."
    else:
        status = (
            f"Container {container} does not exist. (Could not find resource: {container}/{name})"
        )
    return errors.FailedPreconditionError(
        None,
        None,
        f"Could not find variable {name}. This could mean that the variable has been "
        "deleted. In TF1, it can also mean the variable is uninitialized. Debug info: "
        f"container={container}, status error message={status}",
    )


def _read(handle: ResourceHandle) -> np.ndarray:
    value = handle.cell.value
    if value is None:
        raise uninitialized_error(handle)
    return value


def _read_kernel(op, ctx):
    return _read


def _read_grad(op, grad):
    return [grad]


register_op(
    "ReadVariableOp",
    inputs=["resource: resource"],
    outputs=["value: dtype"],
    attrs=["dtype: type"],
    shape=lambda op: [_handle_shape(op)],
    make_kernel=_read_kernel,
    grad=_read_grad,
    stateful=True,
    reads_state=True,
)


def _handle_shape(op) -> TensorShape:
    """The variable's shape, from the VarHandleOp that made the handle (when visible)."""
    producer = op._inputs[0]._op
    attrs = getattr(producer, "_attrs", None)
    if attrs is not None and "shape" in attrs and producer._type == "VarHandleOp":
        return attrs["shape"]
    return TensorShape(None)


def read_variable_op(resource, dtype, name=None):
    from tfgraph.ops.apply import op_output

    return op_output("ReadVariableOp", name, [resource], {"dtype": dtypes.as_dtype(dtype)._base})


def _is_initialized_kernel(op, ctx):
    return lambda handle: np.array(handle.cell.value is not None)


register_op(
    "VarIsInitializedOp",
    inputs=["resource: resource"],
    outputs=["is_initialized: bool"],
    shape=lambda op: [TensorShape([])],
    make_kernel=_is_initialized_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
    reads_state=True,
)


def var_is_initialized_op(resource, name=None):
    from tfgraph.ops.apply import op_output

    return op_output("VarIsInitializedOp", name, [resource])


# -- assignments ------------------------------------------------------------------------------
def _assign_kernel(op, ctx):
    np_dtype = op._attrs["dtype"].np_dtype

    def assign(handle, value):
        new = np.array(value, dtype=np_dtype, copy=True)
        with handle.cell.lock:
            handle.cell.own(new)

    return assign


def _update_kernel(ufunc):
    def make(op, ctx):
        np_dtype = op._attrs["dtype"].np_dtype

        def update(handle, value):
            cell = handle.cell
            with cell.lock:
                old = _read(handle)
                try:
                    new = np.asarray(ufunc(old, value), dtype=np_dtype)
                except ValueError:
                    raise errors.InvalidArgumentError(
                        None,
                        None,
                        f"Cannot update variable with shape {list(old.shape)} using a Tensor "
                        f"with shape {list(np.shape(value))}, shapes must be equal.",
                    ) from None
                if new.shape != old.shape:
                    raise errors.InvalidArgumentError(
                        None,
                        None,
                        f"Cannot update variable with shape {list(old.shape)} using a Tensor "
                        f"with shape {list(np.shape(value))}, shapes must be equal.",
                    )
                cell.own(np.array(new, copy=True) if new.base is not None else new)

        return update

    return make


for _name, _make, _extra in (
    ("AssignVariableOp", _assign_kernel, ["validate_shape: bool = false"]),
    ("AssignAddVariableOp", _update_kernel(np.add), []),
    ("AssignSubVariableOp", _update_kernel(np.subtract), []),
):
    register_op(
        _name,
        inputs=["resource: resource", "value: dtype"],
        outputs=[],
        attrs=["dtype: type", *_extra],
        shape=lambda op: [],
        make_kernel=_make,
        grad=NOT_DIFFERENTIABLE,
        stateful=True,
    )


def _assign(op_type, resource, value, name):
    from tfgraph.ops.apply import apply_op

    return apply_op(op_type, name, [resource, value], {"dtype": value.dtype._base})


def assign_variable_op(resource, value, name=None):
    return _assign("AssignVariableOp", resource, value, name)


def assign_add_variable_op(resource, value, name=None):
    return _assign("AssignAddVariableOp", resource, value, name)


def assign_sub_variable_op(resource, value, name=None):
    return _assign("AssignSubVariableOp", resource, value, name)


# -- gather and scatter -----------------------------------------------------------------------
def _index_error(idx: np.ndarray, n: int) -> errors.InvalidArgumentError:
    """TF's message for the first index outside [0, n): `indices[i,j] = k is not in ...`."""
    bad = np.argwhere((idx < 0) | (idx >= n))[0]
    where = ",".join(str(int(i)) for i in bad)
    return errors.InvalidArgumentError(
        None, None, f"indices[{where}] = {int(idx[tuple(bad)])} is not in [0, {n})"
    )


def _gather_kernel(op, ctx):
    def gather(handle, indices):
        value = _read(handle)
        idx = np.asarray(indices)
        if idx.size and (idx.min() < 0 or idx.max() >= value.shape[0]):
            raise _index_error(idx, value.shape[0])
        return value[idx]

    return gather


def _gather_shape(op):
    var = _handle_shape(op)
    idx = op._inputs[1]._shape
    if var._dims is None or idx._dims is None:
        return [TensorShape(None)]
    return [TensorShape(idx.as_list() + var.as_list()[1:])]


def _gather_grad(op, grad):
    """IndexedSlices of `grad`'s rows at the gathered indices (as TF's)."""
    handle, indices = op._inputs
    params_shape = variable_shape(handle)
    size = array_ops.expand_dims(array_ops.size(indices), 0)
    values_shape = array_ops.concat([size, params_shape[1:]], 0)
    values = array_ops.reshape(grad, values_shape)
    return [IndexedSlices(values, array_ops.reshape(indices, size), params_shape), None]


register_op(
    "ResourceGather",
    inputs=["resource: resource", "indices: Tindices"],
    outputs=["output: dtype"],
    attrs=[
        "batch_dims: int = 0",
        "validate_indices: bool = true",
        "dtype: type",
        "Tindices: {int32, int64}",
    ],
    shape=_gather_shape,
    make_kernel=_gather_kernel,
    grad=_gather_grad,
    stateful=True,
    reads_state=True,
)


def resource_gather(resource, indices, dtype, name=None):
    from tfgraph.ops.apply import op_output

    return op_output(
        "ResourceGather", name, [resource, indices], {"dtype": dtypes.as_dtype(dtype)._base}
    )


def _scatter_kernel(combine):
    def make(op, ctx):
        def scatter(handle, indices, updates):
            cell = handle.cell
            with cell.lock:
                new = np.array(_read(handle), copy=True)
                idx = np.asarray(indices).reshape(-1)
                if idx.size and (idx.min() < 0 or idx.max() >= new.shape[0]):
                    raise _index_error(idx, new.shape[0])
                rows = np.asarray(updates, dtype=new.dtype)
                if rows.ndim == 0:  # a scalar update applies to every indexed element
                    rows = np.broadcast_to(rows, (idx.size, *new.shape[1:]))
                rows = rows.reshape((idx.size, *new.shape[1:]))
                combine(new, idx, rows)
                cell.own(new)

        return scatter

    return make


def _assign_rows(new, idx, rows):
    new[idx] = rows


_SCATTERS = {
    "ResourceScatterUpdate": _assign_rows,
    "ResourceScatterAdd": lambda a, i, r: np.add.at(a, i, r),
    "ResourceScatterSub": lambda a, i, r: np.subtract.at(a, i, r),
    "ResourceScatterMul": lambda a, i, r: np.multiply.at(a, i, r),
    "ResourceScatterDiv": lambda a, i, r: np.divide.at(a, i, r),
    "ResourceScatterMin": lambda a, i, r: np.minimum.at(a, i, r),
    "ResourceScatterMax": lambda a, i, r: np.maximum.at(a, i, r),
}
for _name, _combine in _SCATTERS.items():
    register_op(
        _name,
        inputs=["resource: resource", "indices: Tindices", "updates: dtype"],
        outputs=[],
        attrs=["dtype: type", "Tindices: {int32, int64}"],
        shape=lambda op: [],
        make_kernel=_scatter_kernel(_combine),
        grad=NOT_DIFFERENTIABLE,
        stateful=True,
    )


def resource_scatter(op_type: str, resource, indices, updates, name=None):
    from tfgraph.ops.apply import apply_op

    return apply_op(op_type, name, [resource, indices, updates], {"dtype": updates.dtype._base})


# -- ResourceCountUpTo ------------------------------------------------------------------------
def _count_up_to_kernel(op, ctx):
    limit = op._attrs["limit"]

    def count(handle):
        cell = handle.cell
        with cell.lock:
            old = _read(handle)
            if old >= limit:
                raise errors.OutOfRangeError(None, None, f"Reached limit of {limit}")
            cell.set(np.array(old + 1, dtype=old.dtype))
        return old

    return count


register_op(
    "ResourceCountUpTo",
    inputs=["resource: resource"],
    outputs=["output: T"],
    attrs=["limit: int", "T: {int32, int64}"],
    shape=lambda op: [TensorShape([])],
    make_kernel=_count_up_to_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def resource_count_up_to(resource, limit: int, T, name=None):
    """Increments the variable until it reaches `limit` (then OutOfRangeError); returns
    the value before the increment."""
    from tfgraph.ops.apply import op_output

    return op_output(
        "ResourceCountUpTo", name, [resource], {"limit": int(limit), "T": dtypes.as_dtype(T)._base}
    )


# -- ResourceStridedSliceAssign ---------------------------------------------------------------
def _strided_slice_assign_kernel(op, ctx):
    from tfgraph.ops.array_ops import _strided_slice_masks, _strided_slice_numpy_index

    masks = _strided_slice_masks(op)

    def assign(handle, begin, end, strides, value):
        cell = handle.cell
        with cell.lock:
            new = np.array(_read(handle), copy=True)
            try:
                index = _strided_slice_numpy_index(begin, end, strides, masks)
                target = new[index]
            except (ValueError, IndexError):
                raise errors.InvalidArgumentError(
                    None, None, "Invalid strided slice for the variable's shape"
                ) from None
            value = np.asarray(value, dtype=new.dtype)
            try:
                new[index] = np.broadcast_to(value, np.shape(target))
            except ValueError:
                raise errors.InvalidArgumentError(
                    None,
                    None,
                    f"Cannot broadcast input shape {list(value.shape)} into final shape "
                    f"{list(np.shape(target))}".replace(", ", ","),
                ) from None
            cell.own(new)

    return assign


register_op(
    "ResourceStridedSliceAssign",
    inputs=["ref: resource", "begin: Index", "end: Index", "strides: Index", "value: T"],
    outputs=[],
    attrs=[
        "T: type",
        "Index: {int32, int64}",
        "begin_mask: int = 0",
        "end_mask: int = 0",
        "ellipsis_mask: int = 0",
        "new_axis_mask: int = 0",
        "shrink_axis_mask: int = 0",
    ],
    shape=lambda op: [],
    make_kernel=_strided_slice_assign_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def resource_strided_slice_assign(ref, begin, end, strides, value, name=None, **masks):
    """`ref[begin:end:strides] = value` on a resource variable (no output)."""
    from tfgraph.ops.apply import apply_op

    return apply_op(
        "ResourceStridedSliceAssign", name, [ref, begin, end, strides, value], dict(masks)
    )


# -- VariableShape, DestroyResourceOp ---------------------------------------------------------
def _missing(handle: ResourceHandle, what: str = "N10tensorflow3VarE") -> errors.NotFoundError:
    container = handle.container or "localhost"
    return errors.NotFoundError(
        None, None, f"Resource {container}/{handle.name}/{what} does not exist."
    )


def _variable_shape_kernel(op, ctx):
    np_type = op._attrs["out_type"].np_dtype

    def shape(handle):
        value = handle.cell.value
        if value is None:
            raise _missing(handle)
        return np.array(value.shape, dtype=np_type)

    return shape


def _variable_shape_rule(op):
    dims = _handle_shape(op)._dims
    return [TensorShape([None if dims is None else len(dims)])]


register_op(
    "VariableShape",
    inputs=["input: resource"],
    outputs=["output: out_type"],
    attrs=["out_type: {int32, int64} = int32"],
    shape=_variable_shape_rule,
    make_kernel=_variable_shape_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
    reads_state=True,
)


def variable_shape(handle, out_type=dtypes.int32, name=None):
    """The shape of the variable `handle` names: a constant when the handle's
    VarHandleOp declares a fully defined shape, else a `VariableShape` op (as TF's)."""
    from tfgraph.framework.convert import constant
    from tfgraph.ops.apply import op_output

    out_type = dtypes.as_dtype(out_type)._base
    if not executing_eagerly() and handle._op._type == "VarHandleOp":
        producer = handle._op
        declared = producer._attrs["shape"]
        if declared.is_fully_defined():
            return constant(declared.as_list(), dtype=out_type, name=name or "Const")
    return op_output("VariableShape", name, [handle], {"out_type": out_type})


def _destroy_kernel(op, ctx):
    ignore = op._attrs["ignore_lookup_error"]

    def destroy(handle):
        drop = getattr(handle, "destroy", None)
        if drop is not None:  # (an iterator resource: tf.data's anonymous iterators)
            drop()
            return
        cell = handle.cell
        with cell.lock:
            if cell.value is None:
                if not ignore:
                    raise _missing(handle, "<unknown>")
                return
            cell.value = None
            cell.writer = None

    return destroy


register_op(
    "DestroyResourceOp",
    inputs=["resource: resource"],
    outputs=[],
    attrs=["ignore_lookup_error: bool = true"],
    shape=lambda op: [],
    make_kernel=_destroy_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def destroy_resource_op(resource, ignore_lookup_error: bool = True, name=None):
    """Deletes the resource `resource` names (a later read fails as uninitialized)."""
    from tfgraph.ops.apply import apply_op

    return apply_op(
        "DestroyResourceOp", name, [resource], {"ignore_lookup_error": bool(ignore_lookup_error)}
    )

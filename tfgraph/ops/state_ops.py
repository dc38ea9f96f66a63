"""State ops: TF1 reference variables and the ops that read and update them.

`VariableV2` hands out the session's `RefCell` for the variable; `Assign`,
`AssignAdd`, `AssignSub`, `Scatter*` and `CountUpTo` update it (under the cell's lock,
so concurrent updates are never lost) and output the reference, which consumers read
as a value. Reading an uninitialized cell raises FailedPreconditionError.
"""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import common_shapes
from tfgraph.ops.apply import op_output

__all__ = [
    "assign",
    "assign_add",
    "assign_sub",
    "count_up_to",
    "is_variable_initialized",
    "scatter_add",
    "scatter_sub",
    "scatter_update",
    "strided_slice_assign",
    "variable_op_v2",
]


def _cell(op, ctx):
    attrs = op._attrs
    name = attrs.get("shared_name") or op._name.encode()
    container = attrs.get("container", b"")
    store = ctx.resources_for(op)
    return store.cell(container.decode(), name.decode(), attrs["dtype"])


# -- VariableV2 ---------------------------------------------------------------------------
def _variable_shape(op):
    return [common_shapes.checked_shape_attr(op)]


def _variable_kernel(op, ctx):
    cell = _cell(op, ctx)
    return lambda: cell


register_op(
    "VariableV2",
    outputs=["ref: Ref(dtype)"],
    attrs=["shape: shape", "dtype: type", "container: string = ''", "shared_name: string = ''"],
    shape=_variable_shape,
    make_kernel=_variable_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
    variable=True,
)


def variable_op_v2(
    shape, dtype, name: str = "Variable", container: str = "", shared_name: str = ""
):
    """The raw `VariableV2` op's reference output."""
    return op_output(
        "VariableV2",
        name,
        [],
        {
            "shape": TensorShape(shape),
            "dtype": dtypes.as_dtype(dtype)._base,
            "container": container.encode(),
            "shared_name": shared_name.encode(),
        },
    )


# -- Assign ---------------------------------------------------------------------------------
def _assign_shape(op):
    ref, value = op._inputs[0]._shape, op._inputs[1]._shape
    if op._attrs.get("validate_shape", True):
        return [common_shapes.merge_shapes(ref, value, op)]
    return [value]


def _assign_kernel(op, ctx):
    validate = op._attrs["validate_shape"]
    np_dtype = op._attrs["T"].np_dtype
    # TF allocates a variable of fully defined shape before its first assignment, so
    # even the first Assign is checked against the declared shape.
    declared = op._inputs[0]._shape
    declared = tuple(declared.as_list()) if declared.is_fully_defined() else None

    def assign(cell, value):
        if (
            value.__class__ is np.ndarray
            and not value.flags.writeable
            and value.base is None
            and value.dtype == np_dtype
        ):
            new = value  # immutable and owned by nobody else: share it, no copy
        else:
            new = np.array(value, dtype=np_dtype, copy=True)
        old = cell.value
        lhs = old.shape if old is not None else declared
        if validate and lhs is not None and lhs != new.shape:
            raise errors.InvalidArgumentError(
                None,
                op,
                "Assign requires shapes of both tensors to match. lhs shape= "
                f"{_dims(lhs)} rhs shape= {_dims(new.shape)}",
            )
        cell.set(new)  # (a training op's first update copies it, then owns the copy)
        return cell

    return assign


def _dims(shape) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


register_op(
    "Assign",
    inputs=["ref: Ref(T)", "value: T"],
    outputs=["output_ref: Ref(T)"],
    attrs=["T: type", "validate_shape: bool = true", "use_locking: bool = true"],
    shape=_assign_shape,
    make_kernel=_assign_kernel,
    grad=NOT_DIFFERENTIABLE,
    allows_uninitialized_input=True,
)


def _update_kernel(np_fn, what: str):
    def make(op, ctx):
        name = op._name

        def update(cell, delta):
            with cell.lock:
                old = cell.read(name)
                if np.shape(delta) != old.shape:
                    raise errors.InvalidArgumentError(
                        None,
                        op,
                        f"{what} requires shapes of both tensors to match. lhs shape= "
                        f"{_dims(old.shape)} rhs shape= {_dims(np.shape(delta))}",
                    )
                cell.set(np_fn(old, delta))
            return cell

        return update

    return make


def _same_shape(op):
    return [common_shapes.merge_shapes(op._inputs[0]._shape, op._inputs[1]._shape, op)]


for _name, _fn in (("AssignAdd", np.add), ("AssignSub", np.subtract)):
    register_op(
        _name,
        inputs=["ref: Ref(T)", "value: T"],
        outputs=["output_ref: Ref(T)"],
        attrs=[
            "T: numbertype",
            "use_locking: bool = false",
        ],
        shape=_same_shape,
        make_kernel=_update_kernel(_fn, _name),
        grad=NOT_DIFFERENTIABLE,
    )


def _is_resource(ref) -> bool:
    return getattr(ref, "handle", None) is not None


def assign(ref, value, validate_shape=None, use_locking=None, name: str | None = None):
    """Assigns `value` to the variable `ref`; returns the updated reference."""
    if _is_resource(ref):  # a resource variable: its own assign (AssignVariableOp)
        return ref.assign(value, name=name)
    attrs = {}
    if validate_shape is not None:
        attrs["validate_shape"] = bool(validate_shape)
    if use_locking is not None:
        attrs["use_locking"] = bool(use_locking)
    return op_output("Assign", name, [ref, value], attrs)


def assign_add(ref, value, use_locking=None, name: str | None = None):
    if _is_resource(ref):
        return ref.assign_add(value, name=name)
    attrs = {} if use_locking is None else {"use_locking": bool(use_locking)}
    return op_output("AssignAdd", name, [ref, value], attrs)


def assign_sub(ref, value, use_locking=None, name: str | None = None):
    if _is_resource(ref):
        return ref.assign_sub(value, name=name)
    attrs = {} if use_locking is None else {"use_locking": bool(use_locking)}
    return op_output("AssignSub", name, [ref, value], attrs)


# -- scatter updates ----------------------------------------------------------------------
def _scatter_shape(op):
    ref, indices, updates = (t._shape for t in op._inputs)
    if ref._dims is not None and indices._dims is not None and updates._dims is not None:
        expected = TensorShape._from_tuple(indices._dims + ref._dims[1:])
        if not expected.is_compatible_with(updates):
            raise ValueError(
                f"Shapes {updates} and {expected} are incompatible: updates must have shape "
                f"indices.shape + ref.shape[1:] for '{op.name}' (op: '{op.type}')"
            )
    return [ref]


def _scatter_kernel(mode: str):
    def make(op, ctx):
        name = op._name

        def scatter(cell, indices, updates):
            with cell.lock:
                old = cell.read(name)
                idx = np.asarray(indices)
                if idx.size and (idx.min() < 0 or idx.max() >= old.shape[0]):
                    bad = idx[(idx < 0) | (idx >= old.shape[0])].reshape(-1)[0]
                    raise errors.InvalidArgumentError(
                        None, op, f"indices[0] = {bad} is not in [0, {old.shape[0]})"
                    )
                new = old.copy()
                if mode == "update":
                    new[idx] = updates
                elif mode == "add":
                    np.add.at(new, idx, updates)
                else:
                    np.subtract.at(new, idx, updates)
                cell.set(new)
            return cell

        return scatter

    return make


for _name, _mode in (("ScatterUpdate", "update"), ("ScatterAdd", "add"), ("ScatterSub", "sub")):
    register_op(
        _name,
        inputs=["ref: Ref(T)", "indices: Tindices", "updates: T"],
        outputs=["output_ref: Ref(T)"],
        attrs=[
            "T: type",
            "Tindices: {int32, int64}",
            f"use_locking: bool = {'true' if _mode == 'update' else 'false'}",
        ],
        shape=_scatter_shape,
        make_kernel=_scatter_kernel(_mode),
        # TF declares ScatterAdd/ScatterSub not differentiable and defines no gradient
        # for ScatterUpdate (tf.gradients raises LookupError through it).
        grad=None if _mode == "update" else NOT_DIFFERENTIABLE,
    )


def _resource_scatter(ref, method: str, indices, updates, name):
    from tfgraph.framework.indexed_slices import IndexedSlices

    return getattr(ref, method)(IndexedSlices(updates, indices), name=name)


def scatter_update(ref, indices, updates, use_locking: bool = True, name: str | None = None):
    if _is_resource(ref):
        return _resource_scatter(ref, "scatter_update", indices, updates, name)
    return op_output("ScatterUpdate", name, [ref, indices, updates], {"use_locking": use_locking})


def scatter_add(ref, indices, updates, use_locking: bool = False, name: str | None = None):
    if _is_resource(ref):
        return _resource_scatter(ref, "scatter_add", indices, updates, name)
    return op_output("ScatterAdd", name, [ref, indices, updates], {"use_locking": use_locking})


def scatter_sub(ref, indices, updates, use_locking: bool = False, name: str | None = None):
    if _is_resource(ref):
        return _resource_scatter(ref, "scatter_sub", indices, updates, name)
    return op_output("ScatterSub", name, [ref, indices, updates], {"use_locking": use_locking})


# -- CountUpTo, IsVariableInitialized -------------------------------------------------------
def _count_up_to_kernel(op, ctx):
    limit = op._attrs["limit"]
    name = op._name

    def count(cell):
        with cell.lock:
            old = cell.read(name)
            if old >= limit:
                raise errors.OutOfRangeError(None, op, f"Reached limit of {limit}")
            cell.set(np.array(old + 1, dtype=old.dtype))
        return old

    return count


register_op(
    "CountUpTo",
    inputs=["ref: Ref(T)"],
    outputs=["output: T"],
    attrs=["limit: int", "T: {int32, int64}"],
    shape=common_shapes.scalar_shape,
    make_kernel=_count_up_to_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def count_up_to(ref, limit: int, name: str | None = None):
    """Increments `ref` until it reaches `limit` (then OutOfRangeError); returns the old
    value."""
    return op_output("CountUpTo", name, [ref], {"limit": int(limit)})


register_op(
    "IsVariableInitialized",
    inputs=["ref: Ref(dtype)"],
    outputs=["is_initialized: bool"],
    attrs=["dtype: type"],
    shape=common_shapes.scalar_shape,
    kernel=lambda cell: np.bool_(cell.value is not None),
    grad=NOT_DIFFERENTIABLE,
    allows_uninitialized_input=True,
    reads_state=True,
)


def is_variable_initialized(ref, name: str | None = None):
    """A bool scalar: whether the variable `ref` has been initialized in the session."""
    if _is_resource(ref):
        return ref.is_initialized(name=name)
    return op_output("IsVariableInitialized", name, [ref])


# -- ScatterMul/Div/Min/Max and ScatterNd{Update,Add,Sub} -----------------------------------
_SCATTER_NUM = (
    "{float, double, int32, uint8, int16, int8, complex64, int64, qint8, quint8, qint32, "
    "bfloat16, qint16, quint16, uint16, complex128, half, uint32, uint64}"
)
_SCATTER_UFUNCS = {
    "ScatterMul": (np.multiply, _SCATTER_NUM, NOT_DIFFERENTIABLE),
    "ScatterDiv": (np.divide, _SCATTER_NUM, NOT_DIFFERENTIABLE),
    "ScatterMin": (np.minimum, "{half, bfloat16, float, double, int32, int64}", None),
    "ScatterMax": (np.maximum, "{half, bfloat16, float, double, int32, int64}", None),
}


def _scatter_ufunc_kernel(ufunc):
    def make(op, ctx):
        name = op._name

        def scatter(cell, indices, updates):
            with cell.lock:
                old = cell.read(name)
                idx = np.asarray(indices)
                if idx.size and (idx.min() < 0 or idx.max() >= old.shape[0]):
                    bad = idx[(idx < 0) | (idx >= old.shape[0])].reshape(-1)[0]
                    raise errors.InvalidArgumentError(
                        None, op, f"indices[0] = {bad} is not in [0, {old.shape[0]})"
                    )
                new = old.copy()
                if ufunc is np.divide and new.dtype.kind in "iu":
                    # integer division truncates toward zero, as TF's C++ kernel
                    upd = np.broadcast_to(updates, idx.shape + old.shape[1:])
                    for i, u in zip(idx.reshape(-1), upd.reshape((-1,) + old.shape[1:])):
                        q = np.abs(new[i]) // np.abs(u)
                        new[i] = np.where((new[i] < 0) != (u < 0), -q, q)
                else:
                    ufunc.at(new, idx, np.broadcast_to(updates, idx.shape + old.shape[1:]))
                cell.set(new)
            return cell

        return scatter

    return make


for _name, (_ufunc, _types, _grad) in _SCATTER_UFUNCS.items():
    register_op(
        _name,
        inputs=["ref: Ref(T)", "indices: Tindices", "updates: T"],
        outputs=["output_ref: Ref(T)"],
        attrs=[f"T: {_types}", "Tindices: {int32, int64}", "use_locking: bool = false"],
        shape=_scatter_shape,
        make_kernel=_scatter_ufunc_kernel(_ufunc),
        grad=_grad,  # TF: Mul/Div not differentiable, Min/Max without a gradient
    )


def _scatter_fn(op_type: str):
    method = "scatter_" + op_type[len("Scatter") :].lower()

    def fn(ref, indices, updates, use_locking: bool = False, name: str | None = None):
        if _is_resource(ref) and hasattr(ref, method):
            return _resource_scatter(ref, method, indices, updates, name)
        return op_output(op_type, name, [ref, indices, updates], {"use_locking": use_locking})

    fn.__name__ = "scatter_" + op_type[len("Scatter") :].lower()
    fn.__doc__ = f"`ref[indices] {op_type[7:].lower()}= updates` on a variable (op {op_type})."
    return fn


scatter_mul = _scatter_fn("ScatterMul")
scatter_div = _scatter_fn("ScatterDiv")
scatter_min = _scatter_fn("ScatterMin")
scatter_max = _scatter_fn("ScatterMax")


def _scatter_nd_shape(op):
    ref, indices, updates = (t._shape for t in op._inputs)
    if ref._dims is not None and indices._dims is not None and updates._dims is not None:
        depth = indices._dims[-1] if indices._dims else None
        if depth is not None:
            expected = TensorShape._from_tuple(indices._dims[:-1] + ref._dims[depth:])
            if not expected.is_compatible_with(updates):
                raise ValueError(
                    f"Dimensions [{len(indices._dims) - 1},{len(updates._dims)}) of updates"
                    f"[shape={updates}] = {updates} must match dimensions ... of ref: "
                    f"updates must have shape {expected} for '{op.name}' (op: '{op.type}')"
                )
    return [ref]


def _scatter_nd_kernel(mode: str):
    def make(op, ctx):
        name = op._name

        def scatter(cell, indices, updates):
            with cell.lock:
                old = cell.read(name)
                idx = np.asarray(indices)
                depth = idx.shape[-1]
                flat = idx.reshape(-1, depth)
                limits = np.asarray(old.shape[:depth])
                bad = np.any((flat < 0) | (flat >= limits), axis=1)
                if bad.any():
                    i = int(np.argmax(bad))
                    raise errors.InvalidArgumentError(
                        None,
                        op,
                        f"indices[{i}] = [{', '.join(map(str, flat[i]))}] does not index into "
                        f"shape [{','.join(map(str, old.shape))}]",
                    )
                new = old.copy()
                key = tuple(flat.T)
                upd = np.reshape(updates, (flat.shape[0],) + old.shape[depth:])
                if mode == "update":
                    new[key] = upd
                elif mode == "add":
                    np.add.at(new, key, upd)
                else:
                    np.subtract.at(new, key, upd)
                cell.set(new)
            return cell

        return scatter

    return make


for _name, _mode in (
    ("ScatterNdUpdate", "update"),
    ("ScatterNdAdd", "add"),
    ("ScatterNdSub", "sub"),
):
    register_op(
        _name,
        inputs=["ref: Ref(T)", "indices: Tindices", "updates: T"],
        outputs=["output_ref: Ref(T)"],
        attrs=[
            "T: type" if _mode == "update" else f"T: {_SCATTER_NUM}",
            "Tindices: {int32, int64}",
            f"use_locking: bool = {'true' if _mode == 'update' else 'false'}",
            "bad_indices_policy: string = ''",
        ],
        shape=_scatter_nd_shape,
        make_kernel=_scatter_nd_kernel(_mode),
        grad=NOT_DIFFERENTIABLE,
    )


def scatter_nd_update(ref, indices, updates, use_locking: bool = True, name: str | None = None):
    """`ref[indices] = updates` with index tuples (op ScatterNdUpdate)."""
    return op_output("ScatterNdUpdate", name, [ref, indices, updates], {"use_locking": use_locking})


def scatter_nd_add(ref, indices, updates, use_locking: bool = False, name: str | None = None):
    """`ref[indices] += updates` with index tuples (op ScatterNdAdd)."""
    return op_output("ScatterNdAdd", name, [ref, indices, updates], {"use_locking": use_locking})


def scatter_nd_sub(ref, indices, updates, use_locking: bool = False, name: str | None = None):
    """`ref[indices] -= updates` with index tuples (op ScatterNdSub)."""
    return op_output("ScatterNdSub", name, [ref, indices, updates], {"use_locking": use_locking})


# -- StridedSliceAssign (`v[...].assign(x)` on a reference variable) --------------------------
def _strided_slice_assign_kernel(op, ctx):
    from tfgraph.ops.array_ops import _strided_slice_masks, _strided_slice_numpy_index

    masks = _strided_slice_masks(op)
    name = op._name

    def assign(cell, begin, end, strides, value):
        with cell.lock:
            new = np.array(cell.read(name), copy=True)
            try:
                index = _strided_slice_numpy_index(begin, end, strides, masks)
                target_shape = np.shape(new[index])
            except (ValueError, IndexError):
                raise errors.InvalidArgumentError(
                    None, op, "Invalid strided slice for the variable's shape"
                ) from None
            value = np.asarray(value, dtype=new.dtype)
            try:
                new[index] = np.broadcast_to(value, target_shape)
            except ValueError:
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    f"Cannot broadcast input shape {_dims(value.shape)} into final shape "
                    f"{_dims(target_shape)}",
                ) from None
            cell.set(new)
        return cell

    return assign


register_op(
    "StridedSliceAssign",
    inputs=["ref: Ref(T)", "begin: Index", "end: Index", "strides: Index", "value: T"],
    outputs=["output_ref: Ref(T)"],
    attrs=[
        "T: type",
        "Index: {int32, int64}",
        "begin_mask: int = 0",
        "end_mask: int = 0",
        "ellipsis_mask: int = 0",
        "new_axis_mask: int = 0",
        "shrink_axis_mask: int = 0",
    ],
    shape=lambda op: [op._inputs[0]._shape],
    make_kernel=_strided_slice_assign_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def strided_slice_assign(ref, begin, end, strides, value, name=None, **masks):
    """`ref[begin:end:strides] = value` on a reference variable; returns the reference."""
    if ref.dtype._base is dtypes.resource:
        from tfgraph.ops import resource_variable_ops

        return resource_variable_ops.resource_strided_slice_assign(
            ref, begin, end, strides, value, name=name, **masks
        )
    return op_output("StridedSliceAssign", name, [ref, begin, end, strides, value], dict(masks))


def batch_scatter_update(ref, indices, updates, use_locking=True, name=None):
    """`ref[i..., indices[i..., j], ...] = updates[i..., j, ...]`: a scatter per leading
    batch index (all but the last dimension of `indices`), as TF builds it (one
    ScatterNdUpdate with the batch coordinates prepended; a name scope only when
    `name` is given)."""
    import contextlib

    from tfgraph.framework.convert import convert_to_tensor
    from tfgraph.framework.graph import get_default_graph
    from tfgraph.ops import array_ops
    from tfgraph.ops.apply import op_output

    scope = get_default_graph().name_scope(name) if name else contextlib.nullcontext()
    with scope:
        indices = convert_to_tensor(indices, name="indices")
        indices_shape = array_ops.shape(indices)
        ndims = indices.get_shape().ndims
        if ndims is None:
            raise ValueError("batch_gather does not allow indices with unknown shape.")
        nd_indices = array_ops.expand_dims(indices, axis=-1)
        parts = []
        for dimension in range(ndims - 1):
            size = indices_shape[dimension]
            shape = [1] * (ndims + 1)
            shape[dimension] = size
            dimension_range = array_ops.reshape(op_output("Range", None, [0, size, 1]), shape)
            if dimension_range.dtype._base != nd_indices.dtype._base:
                dimension_range = array_ops.cast(dimension_range, nd_indices.dtype)
            parts.append(dimension_range * array_ops.ones_like(nd_indices))
        parts.append(nd_indices)
        final_indices = array_ops.concat(parts, axis=-1)
        return scatter_nd_update(ref, final_indices, updates, use_locking=use_locking)

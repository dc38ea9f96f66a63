"""`ResourceVariable`: a variable behind a resource handle (TF2's `tf.Variable`, and TF1's
with `use_resource=True` or `tf.enable_resource_variables()`).

In a graph it is TF's op structure: `v/Initializer/initial_value`, `VarHandleOp` `v`,
`v/IsInitialized/VarIsInitializedOp`, `v/Assign` (AssignVariableOp) and
`v/Read/ReadVariableOp`; every other use of its value reads it again (a new
ReadVariableOp), so reads see the variable's current value. Executing eagerly it owns an
anonymous resource, made and initialized at once: its value is read on demand
(`numpy()`, printing, any op), assignments happen immediately, names are not made
unique (`Variable:0` twice), and it is created outside any `tf.function` being traced
(variables belong to the eager context).
"""

from __future__ import annotations

import numpy as np

from tfgraph.eager import context
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor, register_tensor_conversion_function
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.framework.indexed_slices import IndexedSlices
from tfgraph.framework.ops import Tensor
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import resource_variable_ops as rv
from tfgraph.variables import (
    Variable,
    VariableAggregation,
    VariableSynchronization,
    _strip_scope,
)

__all__ = ["ResourceVariable", "is_resource_variable"]


def _enum_arg(cls, value, name):
    """`value` as a VariableSynchronization/VariableAggregation, with TF's message."""
    what = "synchronization" if cls is VariableSynchronization else "aggregation"
    try:
        return cls(getattr(value, "value", value))
    except ValueError:
        raise ValueError(f"Invalid variable {what} mode: {value} for variable: {name}") from None


def is_resource_variable(value) -> bool:
    return isinstance(value, ResourceVariable)


class ResourceVariable(Variable):
    """A variable whose state is a resource: reads and writes are ops on its handle."""

    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    def __init__(
        self,
        initial_value=None,
        trainable=None,
        collections=None,
        validate_shape: bool = True,
        caching_device=None,
        name: str | None = None,
        dtype=None,
        variable_def=None,
        import_scope: str | None = None,
        constraint=None,
        distribute_strategy=None,
        synchronization=VariableSynchronization.AUTO,
        aggregation=VariableAggregation.NONE,
        shape=None,
        expected_shape=None,
        use_resource=None,
        handle=None,
        experimental_enable_variable_lifting=True,
    ) -> None:
        self._synchronization = _enum_arg(VariableSynchronization, synchronization, name)
        self._aggregation = _enum_arg(VariableAggregation, aggregation, name)
        if trainable is None:  # (TF accepts trainable=True with ON_READ)
            trainable = self._synchronization is not VariableSynchronization.ON_READ
        self._trainable = bool(trainable)
        self._cached_value: Tensor | None = None
        self._save_slice_info = None
        self._partition_info = None
        self._constraint = constraint
        self._caching_device = caching_device
        if constraint is not None and not callable(constraint):
            raise ValueError("The `constraint` argument must be a callable.")
        if variable_def is not None:
            if initial_value is not None:
                raise ValueError("variable_def and initial_value are mutually exclusive.")
            self._init_from_proto(variable_def, import_scope)
        else:
            self._init_from_args(initial_value, collections, validate_shape, name, dtype, shape)

    # -- construction ----------------------------------------------------------------------
    def _init_from_args(self, initial_value, collections, validate_shape, name, dtype, shape):
        from tfgraph.eager.function import init_scope, note_variable_created

        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        if dtype is not None:
            dtype = dtypes.as_dtype(dtype)
        init_from_fn = callable(initial_value)
        with init_scope():
            self._eager = context.executing_eagerly()
            if self._eager:
                self._init_eager(initial_value, init_from_fn, name, dtype, shape)
                note_variable_created()
                from tfgraph.eager.tape import watch_variable_access

                watch_variable_access(self)
            else:
                self._init_graph(
                    initial_value, init_from_fn, collections, validate_shape, name, dtype, shape
                )

    def _init_eager(self, initial_value, init_from_fn, name, dtype, shape) -> None:
        g = get_default_graph()
        with g.name_scope(name or "Variable") as scope:
            handle_name = scope[:-1]
            value = initial_value() if init_from_fn else initial_value
            if isinstance(value, Variable):
                value = value.value()
            value = convert_to_tensor(value, dtype=dtype, name="initial_value")
            self._dtype = value.dtype._base
            self._shape = TensorShape(shape) if shape is not None else value.shape
            self._handle = rv.var_handle_op(
                self._dtype, self._shape, name=handle_name, shared_name=context.ANONYMOUS_NAME
            )
            rv.assign_variable_op(self._handle, value)
        self._handle_name = handle_name + ":0"
        self._initial_value = None
        self._initializer_op = None
        self._graph_element = None

    def _init_graph(
        self, initial_value, init_from_fn, collections, validate_shape, name, dtype, shape
    ) -> None:
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        if not isinstance(collections, (list, tuple, set)):
            raise ValueError(
                "collections argument to Variable constructor must be a list, tuple, or set. "
                f"Got {collections} of type {type(collections)}"
            )
        if self._trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections = [*collections, GraphKeys.TRAINABLE_VARIABLES]
        g = get_default_graph()
        with g.name_scope(name or "Variable") as scope:
            handle_name = scope[:-1]
            with g._attr_scope({"_class": [f"loc:@{handle_name}".encode()]}):
                with g.name_scope("Initializer"), g.device(None):
                    value = initial_value() if init_from_fn else initial_value
                    if isinstance(value, Variable):
                        value = value.value()
                    self._initial_value = convert_to_tensor(
                        value, name="initial_value", dtype=dtype
                    )
                self._dtype = self._initial_value.dtype._base
                if shape is not None:
                    self._shape = TensorShape(shape)
                elif validate_shape:
                    self._shape = self._initial_value.shape
                else:
                    self._shape = TensorShape(None)
                self._handle = rv.var_handle_op(
                    self._dtype,
                    self._shape,
                    name=scope,
                    shared_name=handle_name,
                    debug_name=scope,
                )
            with g.name_scope("IsInitialized"):
                self._is_initialized_op = rv.var_is_initialized_op(self._handle)
            with g.name_scope("Assign") as assign_scope:
                # On the handle's device, as TF places it (colocate_with(None) clears it).
                with g.colocate_with(None, ignore_existing=True), g.device(self._handle.device):
                    self._initializer_op = rv.assign_variable_op(
                        self._handle, self._initial_value, name=assign_scope
                    )
            with g.name_scope("Read"):
                self._graph_element = rv.read_variable_op(self._handle, self._dtype)
                if self._caching_device is not None:
                    from tfgraph.ops import array_ops

                    with g.device(self._caching_device):
                        self._cached_value = array_ops.identity(self._graph_element)
            g.add_to_collections(collections, self)
        self._handle_name = self._handle.name

    def _init_from_proto(self, variable_def, import_scope=None) -> None:
        from tfgraph.variables import _prepend_scope

        g = get_default_graph()
        self._eager = False
        self._handle = g.as_graph_element(_prepend_scope(variable_def.variable_name, import_scope))
        self._handle_name = self._handle.name
        self._dtype = self._handle.op.get_attr("dtype")
        self._shape = TensorShape(self._handle.op.get_attr("shape"))
        self._initializer_op = g.as_graph_element(
            _prepend_scope(variable_def.initializer_name, import_scope)
        )
        self._graph_element = (
            g.as_graph_element(_prepend_scope(variable_def.snapshot_name, import_scope))
            if variable_def.snapshot_name
            else None
        )
        self._initial_value = (
            g.as_graph_element(_prepend_scope(variable_def.initial_value_name, import_scope))
            if variable_def.initial_value_name
            else None
        )
        self._trainable = getattr(variable_def, "trainable", True)
        self._synchronization = VariableSynchronization(variable_def.synchronization)
        self._aggregation = VariableAggregation(variable_def.aggregation)
        self._constraint = None
        self._caching_device = None
        if variable_def.HasField("save_slice_info_def"):
            self._save_slice_info = Variable.SaveSliceInfo(
                save_slice_info_def=variable_def.save_slice_info_def, import_scope=import_scope
            )

    @staticmethod
    def from_proto(variable_def, import_scope: str | None = None) -> ResourceVariable:
        return ResourceVariable(variable_def=variable_def, import_scope=import_scope)

    def to_proto(self, export_scope: str | None = None):
        if self._eager:
            raise RuntimeError("to_proto not supported in EAGER mode.")
        if export_scope is not None and not self._handle.name.startswith(export_scope):
            return None
        from tfgraph import proto

        var_def = proto.VariableDef()
        var_def.variable_name = _strip_scope(self._handle.name, export_scope)
        if self._initial_value is not None:
            var_def.initial_value_name = _strip_scope(self._initial_value.name, export_scope)
        var_def.initializer_name = _strip_scope(self._initializer_op.name, export_scope)
        snapshot = self._cached_value if self._cached_value is not None else self._graph_element
        if snapshot is not None:
            var_def.snapshot_name = _strip_scope(snapshot.name, export_scope)
        var_def.is_resource = True
        var_def.trainable = self._trainable
        var_def.synchronization = self._synchronization.value
        var_def.aggregation = self._aggregation.value
        if self._save_slice_info is not None:
            var_def.save_slice_info_def.MergeFrom(self._save_slice_info.to_proto(export_scope))
        return var_def

    # -- identity -------------------------------------------------------------------------
    @property
    def handle(self) -> Tensor:
        return self._handle

    @property
    def name(self) -> str:
        return self._handle_name

    @property
    def _shared_name(self) -> str:
        return self._handle_name[:-2]

    @property
    def op(self):
        return self._handle.op

    @property
    def graph(self):
        if self._eager:
            raise AttributeError("Tensor.graph is undefined when eager execution is enabled.")
        return self._handle.graph

    @property
    def device(self) -> str:
        return self._handle.device

    @property
    def dtype(self) -> dtypes.DType:
        return self._dtype

    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        return self._shape

    def set_shape(self, shape) -> None:
        self._shape = self._shape.merge_with(shape)

    @property
    def initializer(self):
        return self._initializer_op

    @property
    def initial_value(self):
        if self._eager:
            raise RuntimeError("This property is not supported when eager execution is enabled.")
        return self._initial_value

    # What the base class's conversion and operators use: the handle as the reference,
    # a fresh read as the value.
    @property
    def _variable(self) -> Tensor:
        return self._handle

    @property
    def _snapshot(self) -> Tensor:  # type: ignore[override]
        return self.value()

    def _ref(self) -> Tensor:
        return self._handle

    def ref(self):
        from tfgraph.framework.ops import _TensorRef

        return _TensorRef(self)

    def _as_graph_element(self):
        return self._graph_element

    # -- reads ----------------------------------------------------------------------------
    def value(self) -> Tensor:
        """The variable's current value (a new ReadVariableOp in a graph; the cached
        read when the variable has a caching device)."""
        if self._cached_value is not None:
            return self._cached_value
        t = rv.read_variable_op(self._handle, self._dtype)
        if not context.executing_eagerly():
            t.set_shape(self._shape)  # (TF knows it from the handle's data)
        return t

    def read_value(self) -> Tensor:
        """A read of the value (in a graph: `Read/ReadVariableOp` and an Identity)."""
        if self._eager:
            return self.value()
        from tfgraph.ops import array_ops

        g = get_default_graph()
        with g.name_scope("Read"):
            value = self.value()
        return array_ops.identity(value)

    def numpy(self):
        if not self._eager:
            raise NotImplementedError("numpy() is only available when eager execution is enabled.")
        return self.value().numpy()

    def sparse_read(self, indices, name=None):
        """The rows `indices` of the variable (ResourceGather, named `Gather` as TF's)."""
        if self._eager:
            return rv.resource_gather(self._handle, indices, self._dtype, name=name)
        with get_default_graph().name_scope("Gather" if name is None else name) as scope:
            return rv.resource_gather(self._handle, indices, self._dtype, name=scope)

    def gather_nd(self, indices, name=None):
        from tfgraph.ops import array_ops

        return array_ops.gather_nd(self.value(), indices, name=name)

    def eval(self, session=None):
        if self._eager:
            raise NotImplementedError(
                "eval is not supported when eager execution is enabled, is .numpy() what "
                "you're looking for?"
            )
        return self._graph_element.eval(session=session)

    def initialized_value(self):
        from tfgraph.eager.function import init_scope
        from tfgraph.ops import control_flow_ops

        with init_scope():
            return control_flow_ops.cond(
                rv.var_is_initialized_op(self._handle),
                self.read_value,
                lambda: self._initial_value,
            )

    def is_initialized(self, name=None):
        return rv.var_is_initialized_op(self._handle, name=name)

    # -- updates --------------------------------------------------------------------------
    def _check_shape(self, value: Tensor) -> None:
        if not self._shape.is_compatible_with(value.shape):
            raise ValueError(
                f"Cannot assign value to variable ' {self.name}': Shape mismatch.The variable "
                f"shape {self._shape}, and the assigned value shape {value.shape} are "
                "incompatible."
            )

    def _update(self, make_op, value, name, read_value):
        value = convert_to_tensor(value, dtype=self._dtype)
        self._check_shape(value)
        op = make_op(self._handle, value, name=name)
        if not read_value:
            return None if self._eager else op
        return _UnreadVariable(self, op)

    def assign(self, value, use_locking=None, name=None, read_value: bool = True):
        return self._update(rv.assign_variable_op, value, name, read_value)

    def assign_add(self, delta, use_locking=None, name=None, read_value: bool = True):
        return self._update(rv.assign_add_variable_op, delta, name, read_value)

    def assign_sub(self, delta, use_locking=None, name=None, read_value: bool = True):
        return self._update(rv.assign_sub_variable_op, delta, name, read_value)

    def _scatter(self, op_type, sparse_delta, use_locking=False, name=None):
        if not isinstance(sparse_delta, IndexedSlices):
            raise TypeError(f"sparse_delta is not IndexedSlices: {sparse_delta}")
        values = convert_to_tensor(sparse_delta.values, dtype=self._dtype)
        op = rv.resource_scatter(op_type, self._handle, sparse_delta.indices, values, name=name)
        return _UnreadVariable(self, op)

    def scatter_add(self, sparse_delta, use_locking=False, name=None):
        return self._scatter("ResourceScatterAdd", sparse_delta, use_locking, name)

    def scatter_sub(self, sparse_delta, use_locking=False, name=None):
        return self._scatter("ResourceScatterSub", sparse_delta, use_locking, name)

    def scatter_mul(self, sparse_delta, use_locking=False, name=None):
        return self._scatter("ResourceScatterMul", sparse_delta, use_locking, name)

    def scatter_div(self, sparse_delta, use_locking=False, name=None):
        return self._scatter("ResourceScatterDiv", sparse_delta, use_locking, name)

    def scatter_min(self, sparse_delta, use_locking=False, name=None):
        return self._scatter("ResourceScatterMin", sparse_delta, use_locking, name)

    def scatter_max(self, sparse_delta, use_locking=False, name=None):
        return self._scatter("ResourceScatterMax", sparse_delta, use_locking, name)

    def scatter_update(self, sparse_delta, use_locking=False, name=None):
        return self._scatter("ResourceScatterUpdate", sparse_delta, use_locking, name)

    def load(self, value, session=None) -> None:
        if self._eager:
            self.assign(value)
            return
        super().load(value, session)

    def count_up_to(self, limit: int):
        """Increments the variable until it reaches `limit` (ResourceCountUpTo); returns
        the value before the increment."""
        return rv.resource_count_up_to(self._handle, limit, self._dtype)

    # -- python protocol --------------------------------------------------------------------
    def __repr__(self) -> str:
        if self._eager:
            text = _numpy_text(self.value())
            return (
                f"<tf.Variable '{self.name}' shape={self._shape} dtype={self._dtype.name}, "
                f"numpy={text}>"
            )
        return f"<tf.Variable '{self.name}' shape={self._shape} dtype={self._dtype.name}>"

    __str__ = __repr__

    def __array__(self, dtype=None, copy=None):
        value = np.asarray(self.value())
        return value if dtype is None else value.astype(dtype, copy=False)

    def __bool__(self) -> bool:
        return bool(self.value())

    def __iter__(self):
        return iter(self.value())

    def __len__(self) -> int:
        return len(self.value())

    def __getitem__(self, key):
        from tfgraph.ops import array_ops

        return array_ops._slice_helper(self.value(), key, var=self)  # (has `assign`)

    def _strided_slice_assign(self, begin, end, strides, value, name, **masks):
        """`self[...] = value` for the slice (ResourceStridedSliceAssign), as TF."""
        value = convert_to_tensor(value, dtype=self._dtype)
        op = rv.resource_strided_slice_assign(
            self._handle, begin, end, strides, value, name=name, **masks
        )
        return _UnreadVariable(self, op)

    def __int__(self) -> int:
        return int(self.value())

    def __float__(self) -> float:
        return float(self.value())

    def __index__(self) -> int:
        return self.value().__index__()

    def __format__(self, spec: str) -> str:
        return format(self.numpy(), spec) if self._eager else repr(self)

    def __eq__(self, other):
        if context.tensor_equality:
            from tfgraph.ops import math_ops

            try:
                return math_ops.tensor_equals(self, other)
            except (TypeError, ValueError):
                return False
        return self is other

    def __ne__(self, other):
        if context.tensor_equality:
            from tfgraph.ops import math_ops

            try:
                return math_ops.tensor_equals(self, other, negate=True)
            except (TypeError, ValueError):
                return True
        return self is not other

    __hash__ = Variable.__hash__


def _numpy_text(t) -> str:
    from tfgraph.eager.tensor import _numpy_text as text

    return text(t, is_repr=True)


class _UnreadVariable(ResourceVariable):
    """What `assign` returns: the variable after the update (TF's `_UnreadVariable`);
    its reads come after the update."""

    def __init__(self, parent: ResourceVariable, op) -> None:
        self._parent = parent
        self._update_op = op
        self._eager = parent._eager
        self._handle = parent._handle
        self._dtype = parent._dtype
        self._shape = parent._shape
        self._trainable = parent._trainable
        self._synchronization = parent._synchronization
        self._aggregation = parent._aggregation
        self._constraint = parent._constraint
        self._caching_device = None
        self._cached_value = None
        self._save_slice_info = None
        self._partition_info = None
        self._initial_value = None
        self._initializer_op = parent._initializer_op
        self._graph_element = None
        self._handle_name = "UnreadVariable" if self._eager else f"{op.name}"
        if not self._eager and not context.executing_eagerly() and not _in_function():
            # TF1 graphs read the updated value right away (a ReadVariableOp after the
            # update): what `group`, control dependencies and fetches of it refer to
            g = get_default_graph()
            with g.control_dependencies([op]):
                read = rv.read_variable_op(self._handle, self._dtype)
            read.set_shape(self._shape)
            self._graph_element = read

    def value(self) -> Tensor:
        if context.executing_eagerly():
            return rv.read_variable_op(self._handle, self._dtype)
        g = get_default_graph()
        with g.control_dependencies([self._update_op]):
            t = rv.read_variable_op(self._handle, self._dtype)
        t.set_shape(self._shape)
        return t

    def _as_graph_element(self):
        if self._graph_element is not None:
            return self._graph_element
        return self.read_value()

    @property
    def op(self):
        return self._update_op

    def _after_update(self, method, *args, **kwargs):
        """Runs `method` of the variable with its ops after this update (TF's
        `_UnreadVariable` orders chained updates and reads after its parent op)."""
        if context.executing_eagerly():
            return method(*args, **kwargs)
        with get_default_graph().control_dependencies([self._update_op]):
            return method(*args, **kwargs)

    def _update(self, make_op, value, name, read_value):
        return self._after_update(super()._update, make_op, value, name, read_value)

    def _scatter(self, op_type, sparse_delta, use_locking=False, name=None):
        return self._after_update(super()._scatter, op_type, sparse_delta, use_locking, name)

    def sparse_read(self, indices, name=None):
        return self._after_update(super().sparse_read, indices, name)

    def count_up_to(self, limit: int):
        return self._after_update(super().count_up_to, limit)


def _resource_conversion(value, dtype=None, name=None, as_ref=False):
    if dtype is not None and not as_ref:
        wanted = dtypes.as_dtype(dtype)
        if not wanted.is_compatible_with(value._dtype):
            raise ValueError(
                f"Incompatible type conversion requested to type {wanted.name} for "
                f"`tf.Variable of type {value._dtype.name}. (Variable: {value!r})"
            )
    return value._handle if as_ref else value.value()


register_tensor_conversion_function(ResourceVariable, _resource_conversion, -1)


def _in_function() -> bool:
    """Whether the default graph is a traced function's (TF: `ops.inside_function()`)."""
    from tfgraph.eager.function import FuncGraph

    return isinstance(get_default_graph(), FuncGraph)

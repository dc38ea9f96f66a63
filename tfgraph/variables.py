"""`tf.Variable` (TF1 reference variables) and the variable collection helpers.

A variable is four ops, as TensorFlow builds them: the initial value, a `VariableV2`
op `v`, its initializer `v/Assign` and a snapshot `v/read`. If the initial value reads
other variables, it is rewritten (as TF does) to read them through
`initialized_value()`, so initializers can run in any order. The variable object holds
only graph references; its value lives in each session.
"""

from __future__ import annotations

import contextlib
import enum

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor, register_tensor_conversion_function
from tfgraph.framework.graph import GraphKeys, get_default_graph, init_scope
from tfgraph.framework.indexed_slices import IndexedSlices
from tfgraph.framework.ops import Operation, Tensor, _TensorRef
from tfgraph.framework.tensor_shape import TensorShape, unknown_shape
from tfgraph.ops import array_ops, control_flow_ops, state_ops

__all__ = [
    "Variable",
    "VariableAggregation",
    "VariableSynchronization",
    "all_variables",
    "assert_variables_initialized",
    "global_variables",
    "global_variables_initializer",
    "initialize_all_variables",
    "initialize_local_variables",
    "initialize_variables",
    "is_variable_initialized",
    "local_variables",
    "local_variables_initializer",
    "model_variables",
    "moving_average_variables",
    "report_uninitialized_variables",
    "trainable_variables",
    "variable_creator_scope",
    "variables_initializer",
]


class VariableSynchronization(enum.Enum):
    AUTO = 0
    NONE = 1
    ON_WRITE = 2
    ON_READ = 3


class VariableAggregation(enum.Enum):
    NONE = 0
    SUM = 1
    MEAN = 2
    ONLY_FIRST_REPLICA = 3


def _prepend_scope(name: str, import_scope: str | None) -> str:
    if not import_scope:
        return name
    prefix = import_scope.rstrip("/") + "/"
    if name.startswith("^"):
        return "^" + prefix + name[1:]
    return prefix + name


def _strip_scope(name: str, export_scope: str | None) -> str:
    if not export_scope:
        return name
    prefix = export_scope.rstrip("/") + "/"
    return name[len(prefix) :] if name.startswith(prefix) else name


class _VariableMeta(type):
    """`tf.Variable(...)` makes a `ResourceVariable` where TF does: `use_resource=True`,
    eager execution, a `tf.function` trace, or `tf.enable_resource_variables()`."""

    def __call__(cls, *args, **kwargs):
        if cls is Variable:
            creators = get_default_graph()._state.variable_creators
            if creators:
                return _through_creators(creators, args, kwargs)
        return cls._create(*args, **kwargs)

    def _create(cls, *args, **kwargs):
        if cls is Variable and _wants_resource(kwargs.get("use_resource")):
            import inspect

            from tfgraph.resource_variables import ResourceVariable

            bound = inspect.signature(Variable.__init__).bind(None, *args, **kwargs)
            params = dict(bound.arguments)
            params.pop("self")
            params.pop("expected_shape", None)
            return ResourceVariable(**params)
        return super().__call__(*args, **kwargs)


def _through_creators(creators: list, args, kwargs):
    """`tf.Variable(*args, **kwargs)` through the creators of the enclosing
    `variable_creator_scope`s: each is called as `creator(next_creator, **kwargs)` with
    every argument by name, the innermost first; the last `next_creator` makes it."""
    import functools
    import inspect

    bound = inspect.signature(Variable.__init__).bind(None, *args, **kwargs)
    bound.apply_defaults()
    params = dict(bound.arguments)
    params.pop("self")
    params["experimental_enable_variable_lifting"] = True

    def default_creator(**kw):
        kw.pop("experimental_enable_variable_lifting", None)
        return _VariableMeta._create(Variable, **kw)

    make = default_creator
    for creator in creators:
        make = functools.partial(creator, make)
    return make(**params)


@contextlib.contextmanager
def variable_creator_scope(variable_creator):
    """Within it, every `tf.Variable(...)` (and so `tf.get_variable`) is made by
    `variable_creator(next_creator, **kwargs)`, which may change the arguments, wrap the
    variable or make something else; `next_creator(**kwargs)` makes it as usual (or
    calls the next enclosing scope's creator)."""
    stack = get_default_graph()._state.variable_creators
    stack.append(variable_creator)
    try:
        yield
    finally:
        stack.pop()


def _wants_resource(use_resource) -> bool:
    from tfgraph.eager import context

    if use_resource is not None:
        return bool(use_resource)
    if context.resource_variables or context.executing_eagerly():
        return True
    return context.eager_enabled() and getattr(get_default_graph(), "_traces_function", False)


class Variable(metaclass=_VariableMeta):
    """A TF1 variable: state that persists across `Session.run` calls in a session."""

    _is_tensor_like = True  # tf.is_tensor(variable) is True, as in TF

    def __init__(
        self,
        initial_value=None,
        trainable=None,
        collections=None,
        validate_shape: bool = True,
        caching_device=None,
        name: str | None = None,
        variable_def=None,
        dtype=None,
        expected_shape=None,
        import_scope: str | None = None,
        constraint=None,
        use_resource=None,
        synchronization=VariableSynchronization.AUTO,
        aggregation=VariableAggregation.NONE,
        shape=None,
    ) -> None:
        self._synchronization = VariableSynchronization(
            synchronization.value if isinstance(synchronization, enum.Enum) else synchronization
        )
        self._aggregation = VariableAggregation(
            aggregation.value if isinstance(aggregation, enum.Enum) else aggregation
        )
        if trainable is None:
            trainable = self._synchronization is not VariableSynchronization.ON_READ
        self._trainable = bool(trainable)
        self._save_slice_info: Variable.SaveSliceInfo | None = None
        self._partition_info = None
        if variable_def is not None:
            if initial_value is not None:
                raise ValueError(
                    "variable_def and initial_value are mutually exclusive (got "
                    f"initial_value {initial_value!r})."
                )
            self._init_from_proto(variable_def, import_scope)
        else:
            self._init_from_args(
                initial_value,
                collections,
                validate_shape,
                caching_device,
                name,
                dtype,
                constraint,
                shape,
            )

    # -- construction --------------------------------------------------------------------
    def _init_from_args(
        self,
        initial_value,
        collections,
        validate_shape,
        caching_device,
        name,
        dtype,
        constraint,
        shape,
    ) -> None:
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        init_from_fn = callable(initial_value)
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        if not isinstance(collections, (list, tuple, set)):
            raise ValueError(
                "collections argument to Variable constructor must be a list, tuple, or set. "
                f"Got {collections} of type {type(collections)}"
            )
        if constraint is not None and not callable(constraint):
            raise ValueError("The `constraint` argument must be a callable.")
        if self._trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections = [*collections, GraphKeys.TRAINABLE_VARIABLES]
        if dtype is not None:
            dtype = dtypes.as_dtype(dtype)
        g = get_default_graph()
        with init_scope():
            with g.name_scope(name or "Variable") as scope:
                fresh = False
                if init_from_fn:
                    true_name = scope[:-1]
                    with g._attr_scope({"_class": [f"loc:@{true_name}".encode()]}):
                        with g.name_scope("Initializer"), g.device(None):
                            first_id = len(g._nodes)
                            value = initial_value()
                            self._initial_value: Tensor | None = convert_to_tensor(
                                value, name="initial_value", dtype=dtype
                            )
                            fresh = _built_from_scratch(g, first_id, self._initial_value)
                        var_shape = self._variable_shape(validate_shape, shape)
                        self._variable = state_ops.variable_op_v2(
                            var_shape, self._initial_value.dtype._base, name=scope
                        )
                else:
                    self._initial_value = convert_to_tensor(
                        initial_value, name="initial_value", dtype=dtype
                    )
                    var_shape = self._variable_shape(validate_shape, shape)
                    self._variable = state_ops.variable_op_v2(
                        var_shape, self._initial_value.dtype._base, name=scope
                    )
                if validate_shape and not self._initial_value.shape.is_fully_defined():
                    raise ValueError(
                        f"initial_value must have a shape specified: {self._initial_value}"
                    )
                if fresh:  # reads no variable: guarding would change nothing
                    guarded = self._initial_value
                else:
                    guarded = _guard_against_uninitialized_dependencies(scope, self._initial_value)
                self._initializer_op = state_ops.assign(
                    self._variable, guarded, validate_shape=validate_shape
                ).op
                if caching_device is not None:
                    with g.device(caching_device):
                        self._snapshot = array_ops.identity(self._variable, name="read")
                else:
                    with g.colocate_with(self._variable.op):
                        self._snapshot = array_ops.identity(self._variable, name="read")
            g.add_to_collections(collections, self)
        self._caching_device = caching_device
        self._constraint = constraint

    def _variable_shape(self, validate_shape: bool, shape) -> TensorShape:
        if shape is not None:
            return TensorShape(shape)
        assert self._initial_value is not None  # made before the variable's shape is asked
        return self._initial_value.shape if validate_shape else unknown_shape()

    def _init_from_proto(self, variable_def, import_scope=None) -> None:
        if isinstance(variable_def, (bytes, bytearray)):
            from tfgraph import proto

            variable_def = proto.VariableDef.FromString(bytes(variable_def))
        g = get_default_graph()
        self._variable = g.as_graph_element(
            _prepend_scope(variable_def.variable_name, import_scope)
        )
        self._initializer_op = g.as_graph_element(
            _prepend_scope(variable_def.initializer_name, import_scope)
        )
        if variable_def.initial_value_name:
            self._initial_value = g.as_graph_element(
                _prepend_scope(variable_def.initial_value_name, import_scope)
            )
        else:
            self._initial_value = None
        self._trainable = bool(variable_def.trainable)
        self._synchronization = VariableSynchronization(variable_def.synchronization)
        self._aggregation = VariableAggregation(variable_def.aggregation)
        self._snapshot = g.as_graph_element(
            _prepend_scope(variable_def.snapshot_name, import_scope)
        )
        if variable_def.HasField("save_slice_info_def"):
            self._save_slice_info = Variable.SaveSliceInfo(
                save_slice_info_def=variable_def.save_slice_info_def, import_scope=import_scope
            )
        self._caching_device = None
        self._constraint = None

    @staticmethod
    def from_proto(variable_def, import_scope: str | None = None) -> Variable:
        """Rebuilds a Variable from a `VariableDef` whose ops exist in the default graph."""
        return Variable(
            variable_def=variable_def,
            import_scope=import_scope,
            use_resource=bool(variable_def.is_resource),
        )

    def to_proto(self, export_scope: str | None = None):
        """This variable as a `VariableDef` protocol buffer (None if outside export_scope)."""
        if export_scope is not None and not self._variable.name.startswith(export_scope):
            return None
        from tfgraph import proto

        var_def = proto.VariableDef()
        var_def.variable_name = _strip_scope(self._variable.name, export_scope)
        var_def.initializer_name = _strip_scope(self._initializer_op.name, export_scope)
        var_def.snapshot_name = _strip_scope(self._snapshot.name, export_scope)
        if self._initial_value is not None:
            var_def.initial_value_name = _strip_scope(self._initial_value.name, export_scope)
        var_def.trainable = self._trainable
        var_def.synchronization = self._synchronization.value
        var_def.aggregation = self._aggregation.value
        if self._save_slice_info is not None:
            var_def.save_slice_info_def.MergeFrom(self._save_slice_info.to_proto(export_scope))
        return var_def

    # -- identity ------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._variable.name

    @property
    def op(self) -> Operation:
        return self._variable.op

    @property
    def graph(self):
        return self._variable.graph

    @property
    def device(self) -> str:
        return self._variable.device

    @property
    def dtype(self) -> dtypes.DType:
        return self._variable.dtype

    @property
    def shape(self) -> TensorShape:
        return self._variable.shape

    def get_shape(self) -> TensorShape:
        return self._variable.shape

    def set_shape(self, shape) -> None:
        self._variable.set_shape(shape)
        self._snapshot.set_shape(shape)

    @property
    def initializer(self) -> Operation:
        return self._initializer_op

    @property
    def initial_value(self) -> Tensor | None:
        return self._initial_value

    @property
    def constraint(self):
        return self._constraint

    @property
    def trainable(self) -> bool:
        return self._trainable

    @property
    def synchronization(self) -> VariableSynchronization:
        return self._synchronization

    @property
    def aggregation(self) -> VariableAggregation:
        return self._aggregation

    @property
    def _shared_name(self) -> str:
        return self._variable.op.name

    # -- tensors -------------------------------------------------------------------------
    def value(self) -> Tensor:
        """The snapshot `v/read`: the variable's value as a tensor."""
        return self._snapshot

    def read_value(self) -> Tensor:
        """A fresh read of the variable (an Identity named `read` in the current scope)."""
        return array_ops.identity(self._variable, name="read")

    def _ref(self) -> Tensor:
        return self._variable

    def ref(self) -> _VariableRef:
        """A hashable reference to this variable (TF 2.x's: `deref()` gives the variable
        back), which also reads as TF1's reference tensor `v:0`: its name, dtype and op
        are the tensor's, and it converts to it where an op takes the variable."""
        return _VariableRef(self)  # type: ignore[arg-type]  # (wraps the variable)

    def _as_graph_element(self) -> Tensor:
        return self._variable

    def _as_input_tensor(self, as_ref: bool) -> Tensor:
        return self._variable if as_ref else self._snapshot

    def initialized_value(self) -> Tensor:
        """The value once initialized: this variable if it is, else its initial value (a
        `cond` on IsVariableInitialized, as TF1 builds it)."""
        with init_scope():
            return control_flow_ops.cond(
                state_ops.is_variable_initialized(self._variable),
                self.read_value,
                lambda: self._initial_value,
            )

    def eval(self, session=None):
        """The variable's value in `session` (default: the default session)."""
        return self._variable.eval(session=session)

    def load(self, value, session=None) -> None:
        """Sets the value in `session` by running the initializer with `value` fed."""
        if session is None:
            from tfgraph.framework.default_session import get_default_session

            session = get_default_session()
            if session is None:
                raise ValueError(
                    "Either session argument should be provided or default session should be "
                    "established"
                )
        session.run(self._initializer_op, {self._initializer_op.inputs[1]: value})

    # -- updates -------------------------------------------------------------------------
    def assign(self, value, use_locking: bool = False, name=None, read_value: bool = True):
        assign = state_ops.assign(self._variable, value, use_locking=use_locking, name=name)
        return assign if read_value else assign.op

    def assign_add(self, delta, use_locking: bool = False, name=None, read_value: bool = True):
        out = state_ops.assign_add(self._variable, delta, use_locking=use_locking, name=name)
        return out if read_value else out.op

    def assign_sub(self, delta, use_locking: bool = False, name=None, read_value: bool = True):
        out = state_ops.assign_sub(self._variable, delta, use_locking=use_locking, name=name)
        return out if read_value else out.op

    def _scatter(self, fn, sparse_delta, use_locking, name):
        if not isinstance(sparse_delta, IndexedSlices):
            raise TypeError(f"sparse_delta is not IndexedSlices: {sparse_delta}")
        return fn(
            self._variable,
            sparse_delta.indices,
            sparse_delta.values,
            use_locking=use_locking,
            name=name,
        )

    def scatter_sub(self, sparse_delta, use_locking: bool = False, name=None):
        return self._scatter(state_ops.scatter_sub, sparse_delta, use_locking, name)

    def scatter_add(self, sparse_delta, use_locking: bool = False, name=None):
        return self._scatter(state_ops.scatter_add, sparse_delta, use_locking, name)

    def scatter_update(self, sparse_delta, use_locking: bool = False, name=None):
        return self._scatter(state_ops.scatter_update, sparse_delta, use_locking, name)

    def count_up_to(self, limit: int) -> Tensor:
        return state_ops.count_up_to(self._variable, limit=limit)

    # -- partitioning --------------------------------------------------------------------
    class SaveSliceInfo:
        """Where a partition of a partitioned variable sits in the full variable."""

        def __init__(
            self,
            full_name=None,
            full_shape=None,
            var_offset=None,
            var_shape=None,
            save_slice_info_def=None,
            import_scope=None,
        ) -> None:
            if save_slice_info_def is not None:
                full_name = _prepend_scope(save_slice_info_def.full_name, import_scope)
                full_shape = list(save_slice_info_def.full_shape)
                var_offset = list(save_slice_info_def.var_offset)
                var_shape = list(save_slice_info_def.var_shape)
            self.full_name = full_name
            self.full_shape = full_shape
            self.var_offset = var_offset
            self.var_shape = var_shape

        @classmethod
        def from_spec(cls, spec: str):
            """The SaveSliceInfo a slice spec string describes: the full shape's dims,
            a space, then `offset,length` pairs joined by ':' ("4 3 5 0,4:1,1:3,2").
            An empty spec gives an empty SaveSliceInfo; a malformed one ValueError."""
            if not spec:
                return cls()
            full, sep, slices = spec.rpartition(" ")
            if not sep:
                raise ValueError("Spec string must contain space-separated full_shape info.")
            full_shape = [
                _spec_int(d, "Spec string full_shape must be a sequence of integers")
                for d in full.split()
            ]
            var_offset, var_shape = [], []
            for pair in slices.split(":"):
                parts = pair.split(",")
                if len(parts) != 2:
                    raise ValueError(
                        "Spec string must contain comma-separated pairs of offsets and shapes."
                    )
                var_offset.append(_spec_int(parts[0], "Spec string var_offset must be an integer"))
                var_shape.append(_spec_int(parts[1], "Spec string var_shape must be an integer"))
            return cls(full_shape=full_shape, var_offset=var_offset, var_shape=var_shape)

        @property
        def spec(self) -> str:
            """The slice spec string TF's savers use ("4 3 0,2:0,3")."""
            full = " ".join(str(d) for d in self.full_shape) + " "
            sl = ":".join(f"{o},{s}" for o, s in zip(self.var_offset, self.var_shape))
            return full + sl

        def to_proto(self, export_scope=None):
            from tfgraph import proto

            if export_scope is not None and not self.full_name.startswith(export_scope):
                return None
            d = proto.SaveSliceInfoDef()
            d.full_name = _strip_scope(self.full_name, export_scope)
            d.full_shape.extend(self.full_shape)
            d.var_offset.extend(self.var_offset)
            d.var_shape.extend(self.var_shape)
            return d

    def _set_save_slice_info(self, save_slice_info) -> None:
        self._save_slice_info = save_slice_info

    def _get_save_slice_info(self):
        return self._save_slice_info

    # -- python protocol -----------------------------------------------------------------
    def __repr__(self) -> str:
        return f"<tf.Variable '{self.name}' shape={self.shape} dtype={self.dtype.name}>"

    __str__ = __repr__

    def __hash__(self) -> int:
        return id(self)

    def __iter__(self):
        return iter(self._snapshot)

    def __bool__(self) -> bool:
        return bool(self._snapshot)

    def __array__(self, dtype=None, copy=None):
        return self._snapshot.__array__(dtype)

    def __getitem__(self, key):
        return array_ops._slice_helper(self._snapshot, key, var=self)  # (has `assign`)

    def _strided_slice_assign(self, begin, end, strides, value, name, **masks):
        """`self[...] = value` for the slice `begin:end:strides` (StridedSliceAssign)."""
        return state_ops.strided_slice_assign(
            self._variable, begin, end, strides, value, name=name, **masks
        )

    __array_priority__ = 100


def _spec_int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{what}. Found '{text}', which is not an integer.") from None


def _overload_operators() -> None:
    """Variables support every Tensor operator, applied to their snapshot."""
    names = [
        "__add__",
        "__radd__",
        "__sub__",
        "__rsub__",
        "__mul__",
        "__rmul__",
        "__truediv__",
        "__rtruediv__",
        "__floordiv__",
        "__rfloordiv__",
        "__mod__",
        "__rmod__",
        "__pow__",
        "__rpow__",
        "__matmul__",
        "__rmatmul__",
        "__and__",
        "__rand__",
        "__or__",
        "__ror__",
        "__xor__",
        "__rxor__",
        "__lt__",
        "__le__",
        "__gt__",
        "__ge__",
        "__neg__",
        "__abs__",
        "__invert__",
        "__div__",
        "__rdiv__",
    ]
    for name in names:
        if not hasattr(Tensor, name):
            continue

        def method(self, *args, _name=name):
            return getattr(self._snapshot, _name)(*args)

        method.__name__ = name
        setattr(Variable, name, method)


_overload_operators()


def _variable_conversion(value, dtype=None, name=None, as_ref=False):
    tensor = value._variable if as_ref else value._snapshot
    if dtype is not None and not dtypes.as_dtype(dtype).is_compatible_with(tensor.dtype):
        raise ValueError(
            f"Incompatible type conversion requested to type '{dtypes.as_dtype(dtype).name}' "
            f"for variable of type '{tensor.dtype.name}' (Variable: {value})"
        )
    return tensor


register_tensor_conversion_function(Variable, _variable_conversion, 0)


class _VariableRef(_TensorRef):
    """`Variable.ref()`: hashable by the variable's identity, `deref()` gives it back;
    other attributes are the reference tensor's (the TF1 meaning of `ref()`)."""

    __slots__ = ()

    def __getattr__(self, name: str):
        return getattr(self._tensor._variable, name)

    def _as_graph_element(self) -> Tensor:
        return self._tensor._variable


def _variable_ref_conversion(value, dtype=None, name=None, as_ref=False):
    return convert_to_tensor(value._tensor._variable, dtype=dtype, name=name, as_ref=as_ref)


register_tensor_conversion_function(_VariableRef, _variable_ref_conversion, 0)


# -- guarding initial values that read other variables ------------------------------------------
def _guard_against_uninitialized_dependencies(name: str, initial_value: Tensor) -> Tensor:
    """Rewrites `initial_value` so reads of other variables go through their
    `initialized_value()` (TF's `_try_guard_against_uninitialized_dependencies`)."""
    if not isinstance(initial_value, Tensor):
        raise TypeError(f"initial_value needs to be a Tensor: {initial_value}")
    return _safe_from_tensor(name, initial_value, {})


def _built_from_scratch(graph, first_id: int, tensor: Tensor) -> bool:
    """Whether `tensor` and everything it depends on are ops created since op id
    `first_id`, none of them a variable (the common initializer: guarding is a no-op)."""
    if tensor._op._id < first_id:
        return False
    for op in graph._nodes[first_id:]:
        if op._type in ("Variable", "VariableV2", "VarHandleOp") or op._control_inputs:
            return False
        for t in op._inputs:
            if t._op._id < first_id:
                return False
    return True


def _safe_from_tensor(name: str, tensor: Tensor, cache: dict) -> Tensor:
    op = tensor.op
    new_op = cache.get(op.name)
    if new_op is None:
        new_op = _safe_from_op(name, op, cache)
        cache[op.name] = new_op
    return new_op.outputs[tensor.value_index]


_UNGUARDED_TYPES = frozenset(
    {"IsVariableInitialized", "VarIsInitializedOp", "ReadVariableOp", "If"}
)


def _safe_from_op(name: str, op: Operation, cache: dict) -> Operation:
    op_type = op.type
    if op_type in _UNGUARDED_TYPES:
        return op
    if op_type in ("Variable", "VariableV2", "VarHandleOp"):
        initialized = _find_initialized_value(op)
        return op if initialized is None else initialized.op
    modified = False
    new_inputs = []
    for t in op.inputs:
        new_t = _safe_from_tensor(name, t, cache)
        new_inputs.append(new_t)
        modified = modified or new_t is not t
    if not modified:
        return op
    new_type = "Switch" if op_type == "RefSwitch" else op_type
    new_name = (op.name + "_" + name).replace(":", "_")
    attrs = {k: v for k, v in op._attrs.items()}
    return op.graph._create_op(new_type, new_inputs, attrs, new_name)


def _find_initialized_value(variable_op: Operation):
    names = (variable_op.name, variable_op.name + ":0")
    g = variable_op.graph
    for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.LOCAL_VARIABLES):
        for var in g.get_collection(key):
            if getattr(var, "name", None) in names and hasattr(var, "initialized_value"):
                return var.initialized_value()
    return None


# -- collections ------------------------------------------------------------------------------
def global_variables(scope: str | None = None) -> list:
    """Variables in the GLOBAL_VARIABLES collection (optionally filtered by `scope`)."""
    return get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


def all_variables() -> list:
    return global_variables()


def trainable_variables(scope: str | None = None) -> list:
    return get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope: str | None = None) -> list:
    return get_default_graph().get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def model_variables(scope: str | None = None) -> list:
    return get_default_graph().get_collection(GraphKeys.MODEL_VARIABLES, scope)


def moving_average_variables(scope: str | None = None) -> list:
    return get_default_graph().get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, scope)


def variables_initializer(var_list, name: str = "init") -> Operation:
    """An op that runs the initializers of `var_list` (a NoOp if the list is empty)."""
    if var_list:
        return control_flow_ops.group(*[v.initializer for v in var_list], name=name)
    return control_flow_ops.no_op(name=name)


def initialize_variables(var_list, name: str = "init") -> Operation:
    return variables_initializer(var_list, name=name)


def global_variables_initializer() -> Operation:
    """An op named `init` that initializes every global variable."""
    return variables_initializer(global_variables())


def initialize_all_variables() -> Operation:
    return global_variables_initializer()


def local_variables_initializer() -> Operation:
    """An op named `init` (uniquified) that initializes every local variable."""
    return variables_initializer(local_variables())


def initialize_local_variables() -> Operation:
    return local_variables_initializer()


def is_variable_initialized(variable) -> Tensor:
    """A bool scalar: whether `variable` has been initialized in the session."""
    return state_ops.is_variable_initialized(variable)


def assert_variables_initialized(var_list=None):
    """An op that fails (FailedPreconditionError) if any variable is uninitialized: as in
    TF, the Rank of each variable's value (colocated with it), stacked; None if there are
    no variables."""
    if var_list is None:
        var_list = global_variables() + local_variables()
    if not var_list:
        var_list = [
            op.outputs[0]
            for op in get_default_graph().get_operations()
            if op.type in ("Variable", "VariableV2", "AutoReloadVariable")
        ]
    if not var_list:
        return None
    g = get_default_graph()
    ranks = []
    for var in var_list:
        with g.colocate_with(var.op):
            ranks.append(array_ops.rank_internal(var, optimize=False))
    if len(ranks) == 1:
        return ranks[0]
    return array_ops.stack(ranks)


def report_uninitialized_variables(var_list=None, name: str = "report_uninitialized_variables"):
    """A 1-D string tensor with the names of the uninitialized variables."""
    from tfgraph.ops import math_ops

    if var_list is None:
        var_list = global_variables() + local_variables()
        if not var_list:
            var_list = [
                op.outputs[0]
                for op in get_default_graph().get_operations()
                if op.type in ("Variable", "VariableV2", "AutoReloadVariable")
            ]
    g = get_default_graph()
    with g.name_scope(name):
        init_vars = [state_ops.is_variable_initialized(v) for v in var_list] if var_list else []
        with g.device("/cpu:0"):
            if not var_list:
                return array_ops.constant([], dtype=dtypes.string)
            mask = math_ops.logical_not(array_ops.stack(init_vars))
            names = array_ops.constant([v.op.name for v in var_list])
            return array_ops.boolean_mask(names, mask)


# -- MetaGraphDef collections of variables (VariableDef protos) ----------------------------------
def _register_variable_proto_functions() -> None:
    from tfgraph.framework import meta_graph

    def proto_type():
        from tfgraph import proto

        return proto.VariableDef

    def to_proto(v, export_scope=None):
        return v.to_proto(export_scope=export_scope)

    def from_proto(p, import_scope=None):
        if p.is_resource:
            from tfgraph.resource_variables import ResourceVariable

            return ResourceVariable.from_proto(p, import_scope=import_scope)
        return Variable.from_proto(p, import_scope=import_scope)

    for key in (
        GraphKeys.GLOBAL_VARIABLES,
        GraphKeys.TRAINABLE_VARIABLES,
        GraphKeys.MOVING_AVERAGE_VARIABLES,
        GraphKeys.LOCAL_VARIABLES,
        GraphKeys.MODEL_VARIABLES,
        GraphKeys.GLOBAL_STEP,
        GraphKeys.METRIC_VARIABLES,
    ):
        meta_graph.register_proto_function(key, proto_type, to_proto, from_proto)


_register_variable_proto_functions()

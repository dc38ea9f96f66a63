"""`Graph`: ops, names, name scopes, control dependencies, devices, colocation and
collections; plus the default-graph stack.

Ops are uniquely named exactly as TensorFlow names them (case-insensitively, with
`_1`, `_2` suffixes; ops and name scopes share one namespace). Name scopes, control
dependencies, device functions and colocation are per-thread, as in TF; the default
graph is per-thread too, falling back to one global graph.
"""

from __future__ import annotations

import contextlib
import re
import threading
from typing import Any

from tfgraph.framework import device as pydev
from tfgraph.framework import dtypes, registry
from tfgraph.framework.ops import Operation, Tensor
from tfgraph.framework.tensor_shape import TensorShape

__all__ = [
    "Graph",
    "GraphKeys",
    "add_to_collection",
    "add_to_collections",
    "colocate_with",
    "control_dependencies",
    "device",
    "get_collection",
    "get_collection_ref",
    "get_default_graph",
    "get_name_scope",
    "name_scope",
    "reset_default_graph",
]

# Ops with more outputs than this run their shape rule before their outputs are made.
_LAZY_OUTPUTS = 1024
_VALID_OP_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$")
_VALID_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.\\/>-]*$")

# TF 2.21's GraphDef producer version (what `as_graph_def` writes).
GRAPH_DEF_VERSION = 2474
GRAPH_DEF_VERSION_MIN_CONSUMER = 0


class GraphKeys:
    """Standard names for graph collections."""

    GLOBAL_VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    CONCATENATED_VARIABLES = "concatenated_variables"
    SAVERS = "savers"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    SAVEABLE_OBJECTS = "saveable_objects"
    RESOURCES = "resources"
    LOCAL_RESOURCES = "local_resources"
    TRAINABLE_RESOURCE_VARIABLES = "trainable_resource_variables"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"
    SUMMARY_OP = "summary_op"
    GLOBAL_STEP = "global_step"
    EVAL_STEP = "eval_step"
    TRAIN_OP = "train_op"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"
    VARIABLES = GLOBAL_VARIABLES
    _SUMMARY_COLLECTION = "_SUMMARY_V2"
    _VARIABLE_COLLECTIONS = (
        GLOBAL_VARIABLES,
        LOCAL_VARIABLES,
        METRIC_VARIABLES,
        MODEL_VARIABLES,
        TRAINABLE_VARIABLES,
        MOVING_AVERAGE_VARIABLES,
        CONCATENATED_VARIABLES,
        TRAINABLE_RESOURCE_VARIABLES,
    )
    _STREAMING_MODEL_PORTS = "streaming_model_ports"


class _DeviceEntry:
    """One `tf.device(...)` on the device stack: a device function, or None (clear).

    A device name or DeviceSpec becomes a `MergeDevice` (`merger`), applied by string
    merging; a user function's result is used as it returns it (a DeviceSpec is
    printed), as TensorFlow does.
    """

    __slots__ = ("function", "is_null_merge", "merger", "spec")

    def __init__(self, device_name_or_function) -> None:
        self.spec = None
        self.merger = None
        self.is_null_merge = False
        if device_name_or_function is None:
            self.function = None
        elif isinstance(device_name_or_function, pydev.MergeDevice):
            self.merger = self.function = device_name_or_function
            self.spec = device_name_or_function.spec
            self.is_null_merge = device_name_or_function.is_null_merge
        elif callable(device_name_or_function) and not isinstance(
            device_name_or_function, (str, pydev.DeviceSpec)
        ):
            self.function = device_name_or_function
        else:
            self.merger = self.function = pydev.merge_device(device_name_or_function)
            self.spec = self.merger.spec
            self.is_null_merge = self.merger.is_null_merge


class _ControlDependenciesController:
    """A `Graph.control_dependencies` block: its control inputs and the ops made in it."""

    __slots__ = ("_control_inputs", "_graph", "_new_stack", "_old_context", "_old_stack", "_seen")

    def __init__(self, graph: Graph, control_inputs) -> None:
        self._graph = graph
        self._new_stack = control_inputs is None
        self._control_inputs: list[Operation] = [] if control_inputs is None else control_inputs
        self._seen: set[Operation] = set()
        self._old_stack: list[_ControlDependenciesController] | None = None
        self._old_context = None

    @property
    def control_inputs(self) -> list[Operation]:
        return self._control_inputs

    def __enter__(self):
        state = self._graph._state
        if self._new_stack:
            # `control_dependencies(None)` also leaves any cond context, as in TF.
            self._old_stack = state.control_stack
            self._old_context = state.cf_context
            state.control_stack = []
            state.cf_context = None
        state.control_stack.append(self)
        return None

    def __exit__(self, *exc) -> None:
        state = self._graph._state
        state.control_stack.pop()
        if self._new_stack:
            state.control_stack = self._old_stack  # type: ignore[assignment]  # set by __enter__
            state.cf_context = self._old_context


class _NameScope:
    """The context manager behind `Graph.name_scope` (a class: cheaper than a generator)."""

    __slots__ = ("_graph", "_name", "_old")

    def __init__(self, graph: Graph, name) -> None:
        self._graph = graph
        self._name = name

    def __enter__(self) -> str:
        name = self._name
        graph = self._graph
        state = graph._state
        self._old = state.name_stack
        if name:
            if name.__class__ is not str:
                name = name.decode() if isinstance(name, bytes) else str(name)
            if state.name_stack:
                pattern, kind = _VALID_SCOPE_NAME, "scope name"
            else:
                pattern, kind = _VALID_OP_NAME, "root scope name"
            if not pattern.match(name):
                raise ValueError(
                    f"'{name}' is not a valid {kind}. A {kind} has to match the "
                    f"following pattern: {pattern.pattern}"
                )
        if not name:
            state.name_stack = ""
            return ""
        if name[-1] == "/":
            state.name_stack = name[:-1]
            return name
        new = graph.unique_name(name)
        state.name_stack = new
        return new + "/"

    def __exit__(self, *exc) -> None:
        self._graph._state.name_stack = self._old


class _DeviceScope:
    """The context manager behind `Graph.device` (a class: cheaper than a generator)."""

    __slots__ = ("_entry", "_graph", "_spec", "_stack")

    def __init__(self, graph: Graph, device_name_or_function) -> None:
        self._graph = graph
        self._spec = device_name_or_function

    def __enter__(self) -> None:
        self._stack = self._graph._state.device_stack
        self._entry = _DeviceEntry(self._spec)
        self._stack.append(self._entry)

    def __exit__(self, *exc) -> None:
        stack = self._stack
        if not stack or stack[-1] is not self._entry:
            raise RuntimeError("Exiting device scope without proper scope nesting.")
        stack.pop()


class _ColocationScope:
    """The context manager behind `Graph.colocate_with`."""

    __slots__ = ("_graph", "_ignore_existing", "_old_colo", "_old_devices", "_op")

    def __init__(self, graph: Graph, op, ignore_existing: bool) -> None:
        self._graph = graph
        self._op = op
        self._ignore_existing = ignore_existing

    def __enter__(self) -> None:
        op = self._op
        if op is None and not self._ignore_existing:
            raise ValueError(
                "Trying to reset colocation (op is None) but ignore_existing is not True"
            )
        if op is not None:
            op = self._op = _op_to_colocate_with(op, self._graph)
        state = self._graph._state
        self._old_devices = state.device_stack
        state.device_stack = []
        if self._ignore_existing:
            self._old_colo = state.colocation_stack
            state.colocation_stack = []
        if op is not None:
            state.colocation_stack.append(op)

    def __exit__(self, *exc) -> None:
        state = self._graph._state
        state.device_stack = self._old_devices
        if self._op is not None:
            state.colocation_stack.pop()
        if self._ignore_existing:
            state.colocation_stack = self._old_colo


class _AttrScope:
    """The context manager behind `Graph._attr_scope` (attrs set on every new op)."""

    __slots__ = ("_attr_map", "_graph", "_saved")
    _saved: dict[str, Any]

    def __init__(self, graph: Graph, attr_map: dict) -> None:
        self._graph = graph
        self._attr_map = attr_map

    def __enter__(self) -> None:
        scope_map = self._graph._attr_scope_map
        self._saved = saved = {}
        for key, value in self._attr_map.items():
            saved[key] = scope_map.get(key)
            scope_map[key] = value

    def __exit__(self, *exc) -> None:
        scope_map = self._graph._attr_scope_map
        for key, value in self._saved.items():
            if value is None:
                scope_map.pop(key, None)
            else:
                scope_map[key] = value


class _ThreadState(threading.local):
    """Per-thread graph-building state (TF keeps these per thread as well)."""

    def __init__(self) -> None:
        self.name_stack = ""
        self.control_stack: list[_ControlDependenciesController] = []
        self.device_stack: list[_DeviceEntry] = []
        self.colocation_stack: list[Operation] = []
        self.cf_context: Any = None  # the CondContext (an ops-layer type) ops are made in, if any
        self.variable_creators: list = []  # tf.variable_creator_scope, outermost first


class Graph:
    """A TensorFlow computation: a set of `Operation`s and the `Tensor`s between them."""

    # How many function graphs (tfgraph.data) are being traced: while any is, new ops
    # go into the default graph, which captures the outer tensors they are given.
    _functions_building = 0
    # True for the graph of eager execution (tfgraph/eager/execute.py): making an op runs it.
    _executes_eagerly = False

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._nodes_by_name: dict[str, Operation] = {}
        self._nodes: list[Operation] = []
        self._names_in_use: dict[str, int] = {}
        self._collections: dict[Any, list] = {}
        self._finalized = False
        self._state = _ThreadState()
        self._attr_scope_map: dict[str, Any] = {}
        self._gradient_override_map: dict[str, str] = {}
        self._unfeedable: set[Tensor] = set()
        self._unfetchable: set = set()
        self._mutation_count = 0
        self._seed: int | None = None
        self._building_function = False
        self._graph_key = f"grap-key-{id(self)}/"
        self._variable_store = None  # tfgraph.variable_scope keeps its per-graph store here
        self._container = ""
        # The function library (framework/function_library.py): name -> GraphFunction.
        self._functions: dict[str, Any] = {}

    # -- default graph -----------------------------------------------------------------
    def as_default(self):
        """A context manager making this graph the default graph of the current thread."""
        return _default_graph_stack.get_controller(self)

    @property
    def seed(self) -> int | None:
        return self._seed

    @seed.setter
    def seed(self, value) -> None:
        self._seed = value

    @property
    def version(self) -> int:
        return len(self._nodes)

    @property
    def graph_def_versions(self):
        from tfgraph import proto

        return proto.VersionDef(
            producer=GRAPH_DEF_VERSION, min_consumer=GRAPH_DEF_VERSION_MIN_CONSUMER
        )

    @property
    def finalized(self) -> bool:
        return self._finalized

    @property
    def building_function(self) -> bool:
        return self._building_function

    def _is_function(self, name: str) -> bool:
        return name in self._functions

    def _get_function(self, name: str):
        return self._functions.get(name)

    def finalize(self) -> None:
        """Makes this graph read-only: adding an op afterwards raises RuntimeError."""
        self._finalized = True

    def _unsafe_unfinalize(self) -> None:
        self._finalized = False

    def _check_not_finalized(self) -> None:
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")

    def _mutated(self) -> None:
        """Called when an existing op changes (control inputs, inputs): stale plans."""
        self._mutation_count += 1

    # -- names -------------------------------------------------------------------------
    def unique_name(self, name: str, mark_as_used: bool = True) -> str:
        """`name` prefixed by the current name scope and made unique in this graph."""
        name_stack = self._state.name_stack
        if name_stack:
            name = f"{name_stack}/{name}"
        key = name.lower()
        names = self._names_in_use
        i = names.get(key, 0)
        if mark_as_used:
            names[key] = i + 1
        if i > 0:
            base = key
            while key in names:
                key = f"{base}_{i}"
                i += 1
            if mark_as_used:
                names[key] = 1
            name = f"{name}_{i - 1}"
        return name

    def get_name_scope(self) -> str:
        return self._state.name_stack

    @property
    def _name_stack(self) -> str:
        return self._state.name_stack

    def name_scope(self, name) -> _NameScope:
        """Opens a name scope: nested, re-entered (`"a/"`) or reset (`None`, `""`)."""
        return _NameScope(self, name)

    # -- op creation -------------------------------------------------------------------
    def create_op(
        self,
        op_type: str,
        inputs,
        dtypes=None,
        input_types=None,
        name: str | None = None,
        attrs: dict | None = None,
        op_def=None,
        compute_shapes: bool = True,
        compute_device: bool = True,
    ) -> Operation:
        """Adds an op of type `op_type` (a registered op) to the graph."""
        return self._create_op(
            op_type, list(inputs), dict(attrs or {}), name, compute_device=compute_device
        )

    def _create_op(
        self,
        op_type: str,
        inputs: list,
        attrs: dict,
        name: str | None = None,
        control_inputs: list | None = None,
        compute_device: bool = True,
    ) -> Operation:
        """Creates an op; `attrs` may omit type attrs inferable from `inputs` and defaults."""
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")
        op_def = registry.lookup(op_type)
        if op_def is None and op_type in self._functions:  # (a call by function name)
            op_def = self._functions[op_type].op_def
        if op_def is None:
            raise ValueError(
                f"Op type not registered '{op_type}' in tfgraph. Ops must be declared in the "
                "op registry (tfgraph.framework.registry.register_op) before use."
            )
        for i, t in enumerate(inputs):
            if t.__class__ is not Tensor:
                inputs[i] = t = _as_input_tensor(t, op_type)
            if t._op._graph is not self:
                raise ValueError(
                    f"Tensor {t.name} must be from the same graph as the op being created "
                    f"('{op_type}')."
                )
        output_dtypes = _infer_attrs(op_def, inputs, attrs, name or op_type)
        if self._container and op_def.is_stateful and not attrs.get("container", True):
            attrs["container"] = self._container.encode()  # tf.container(...)
        with self._lock:
            if not name:
                name = self.unique_name(op_type)
            elif name[-1] == "/":  # a name scope opened for this op: validated already
                name = name[:-1]
            else:
                if name.__class__ is bytes:
                    name = name.decode()
                if not _VALID_OP_NAME.match(name):
                    raise ValueError(f"'{name}' is not a valid node name")
                name = self.unique_name(name)
            if name in self._nodes_by_name:
                raise ValueError(f"Duplicate node name in graph: '{name}'")
            if len(output_dtypes) > _LAZY_OUTPUTS:
                # An attr asks for many outputs (Split num_split, Unpack num, ...): check
                # the op's shape rule before making them, so a wrong count fails fast.
                op = Operation(self, op_def, name, inputs, attrs, (), len(self._nodes))
                shapes = op_def.shape(op) if op_def.shape is not None else ()
                op._outputs = [Tensor(op, i, dt) for i, dt in enumerate(output_dtypes)]
            else:
                op = Operation(self, op_def, name, inputs, attrs, output_dtypes, len(self._nodes))
                # The shape rule runs before the op is linked into the graph: when it
                # raises, no consumer or control edge points at an op that is not there.
                shapes = op_def.shape(op) if op_def.shape is not None else ()
            state = self._state
            # Control dependencies (not added when an input was made in the same block).
            if state.control_stack:
                input_ops = None
                deps = []
                for controller in state.control_stack:
                    if not controller._control_inputs:
                        continue  # e.g. control_dependencies(None): nothing to add or track
                    if input_ops is None:
                        input_ops = {t._op for t in inputs}
                        seen = set(input_ops)  # inputs and deps so far (no duplicates)
                    if not any(o in controller._seen for o in input_ops):
                        for c in controller._control_inputs:
                            if c not in seen:
                                seen.add(c)
                                deps.append(c)
                    controller._seen.add(op)
                if control_inputs:
                    deps.extend(c for c in control_inputs if c not in deps)
                control_inputs = deps
            if control_inputs:
                op._control_inputs = list(control_inputs)
                for c in control_inputs:
                    c._add_control_output(op)
            for t in inputs:
                t._consumers.append(op)
            if self._attr_scope_map:
                for key, value in self._attr_scope_map.items():
                    if value is not None:
                        attrs[key] = value
            if self._gradient_override_map:
                mapped = self._gradient_override_map.get(op_type)
                if mapped is not None:
                    attrs["_gradient_op_type"] = mapped.encode()
            if compute_device and state.device_stack:
                self._apply_device_functions(op)
            if state.colocation_stack:
                groups: list[bytes] = []
                for colo in state.colocation_stack:
                    groups.extend(colo.colocation_groups())
                    if colo._device:
                        op._device = colo._device
                attrs["_class"] = sorted(set(groups))
            for t, s in zip(op._outputs, shapes):
                if s is not None:
                    t._shape = s if s.__class__ is TensorShape else TensorShape(s)
            self._nodes_by_name[name] = op
            self._nodes.append(op)
        if state.cf_context is not None:
            # TF runs this while the op's own name scope is open (Switches that bring
            # outside tensors in are named `<op>/Switch`).
            with self.name_scope(name + "/"):
                state.cf_context.add_op(op)
        return op

    def _apply_device_functions(self, op: Operation) -> None:
        for entry in reversed(self._state.device_stack):
            if entry.is_null_merge:
                continue
            if entry.function is None:
                break
            if entry.merger is not None:
                op._device = entry.merger.merge_string(op._device)
            else:
                device: str | pydev.DeviceSpec | None = entry.function(op)
                if device is None:
                    device = ""
                elif isinstance(device, pydev.DeviceSpec):
                    device = device.to_string()
                op._device = device

    # -- lookups -----------------------------------------------------------------------
    def get_operations(self) -> list[Operation]:
        return list(self._nodes)

    def get_operation_by_name(self, name: str) -> Operation:
        if not isinstance(name, str):
            raise TypeError(f"Operation names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=False, allow_operation=True)

    def _get_operation_by_name_unsafe(self, name: str) -> Operation:
        return self._nodes_by_name[name]

    def get_tensor_by_name(self, name: str) -> Tensor:
        if not isinstance(name, str):
            raise TypeError(f"Tensor names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=True, allow_operation=False)

    def _get_op_by_id(self, op_id: int) -> Operation:
        return self._nodes[op_id]

    def as_graph_element(self, obj, allow_tensor: bool = True, allow_operation: bool = True):
        """The Tensor or Operation `obj` names or is, checked to belong to this graph."""
        with self._lock:
            return self._as_graph_element_locked(obj, allow_tensor, allow_operation)

    def _as_graph_element_locked(self, obj, allow_tensor, allow_operation):
        if allow_tensor and allow_operation:
            types_str = "Tensor or Operation"
        elif allow_tensor:
            types_str = "Tensor"
        elif allow_operation:
            types_str = "Operation"
        else:
            raise ValueError("allow_tensor and allow_operation can't both be False.")
        conv = getattr(obj, "_as_graph_element", None)
        if conv is not None and callable(conv):
            obj = conv()
        if isinstance(obj, str):
            name = obj
            if ":" in name and allow_tensor:
                try:
                    op_name, out_n = name.split(":")
                    out_n = int(out_n)
                except ValueError:
                    raise ValueError(
                        f"The name {name!r} looks a like a Tensor name, but is not a valid "
                        'one. Tensor names must be of the form "<op_name>:<output_index>".'
                    ) from None
                op = self._nodes_by_name.get(op_name)
                if op is None:
                    raise KeyError(
                        f"The name {name!r} refers to a Tensor which does not exist. The "
                        f"operation, {op_name!r}, does not exist in the graph."
                    )
                try:
                    return op._outputs[out_n]
                except IndexError:
                    raise KeyError(
                        f"The name {name!r} refers to a Tensor which does not exist. The "
                        f"operation, {op_name!r}, exists but only has "
                        f"{len(op._outputs)} outputs."
                    ) from None
            if ":" in name and not allow_tensor:
                raise ValueError(f"Name {name!r} appears to refer to a Tensor, not a {types_str}.")
            if ":" not in name and allow_operation:
                op = self._nodes_by_name.get(name)
                if op is None:
                    raise KeyError(f"The name {name!r} refers to an Operation not in the graph.")
                return op
            if ":" not in name and not allow_operation:
                if name in self._nodes_by_name:
                    raise ValueError(
                        f"The name {name!r} refers to an Operation, not a {types_str}. Tensor "
                        'names must be of the form "<op_name>:<output_index>".'
                    )
                raise ValueError(
                    f"The name {name!r} looks like an (invalid) Operation name, not a "
                    f"{types_str}. Tensor names must be of the form "
                    '"<op_name>:<output_index>".'
                )
        if isinstance(obj, Tensor) and allow_tensor:
            if obj.graph is not self:
                raise ValueError(f"Tensor {obj} is not an element of this graph.")
            return obj
        if isinstance(obj, Operation) and allow_operation:
            if obj.graph is not self:
                raise ValueError(f"Operation {obj} is not an element of this graph.")
            return obj
        raise TypeError(f"Can not convert a {type(obj).__name__} into a {types_str}.")

    # -- feeding and fetching ----------------------------------------------------------
    def prevent_feeding(self, tensor: Tensor) -> None:
        self._unfeedable.add(tensor)

    def is_feedable(self, tensor: Tensor) -> bool:
        return tensor not in self._unfeedable

    def prevent_fetching(self, op) -> None:
        self._unfetchable.add(op)

    def is_fetchable(self, tensor_or_op) -> bool:
        if isinstance(tensor_or_op, Tensor):
            return tensor_or_op.op not in self._unfetchable
        return tensor_or_op not in self._unfetchable

    # -- control dependencies ----------------------------------------------------------
    def control_dependencies(self, control_inputs):
        """A context in which new ops run only after `control_inputs` (None clears)."""
        if control_inputs is None:
            return _ControlDependenciesController(self, None)
        current: set[Operation] = set()
        for controller in self._state.control_stack:
            current.update(controller._control_inputs)
        ops: list[Operation] = []
        for c in control_inputs:
            if hasattr(c, "_handle") and isinstance(getattr(c, "op", None), Operation):
                c = c.op  # a resource variable (as TF: no read; an assign's result: its op)
            elif hasattr(c, "_as_graph_element") or isinstance(c, (str, Tensor, Operation)):
                c = self.as_graph_element(c)
            elif hasattr(c, "op") and isinstance(getattr(c, "op", None), Operation):
                c = c.op  # IndexedSlices and other composites
            if isinstance(c, Tensor):
                c = c.op
            elif not isinstance(c, Operation):
                raise TypeError(f"Control input must be Operation or Tensor: {c}")
            if c not in current:
                ops.append(c)
                current.add(c)
        return _ControlDependenciesController(self, ops)

    def _current_control_dependencies(self) -> set[Operation]:
        out: set[Operation] = set()
        for controller in self._state.control_stack:
            out.update(controller._control_inputs)
        return out

    # -- devices and colocation --------------------------------------------------------
    def device(self, device_name_or_function) -> _DeviceScope:
        """Places ops created in the block on a device (string, DeviceSpec or function)."""
        return _DeviceScope(self, device_name_or_function)

    def colocate_with(self, op, ignore_existing: bool = False) -> _ColocationScope:
        """Places ops created in the block with `op` (and records `loc:@` groups)."""
        return _ColocationScope(self, op, ignore_existing)

    def _attr_scope(self, attr_map: dict) -> _AttrScope:
        return _AttrScope(self, attr_map)

    @contextlib.contextmanager
    def gradient_override_map(self, op_type_map: dict):
        """Uses the gradient registered under another name for the op types given."""
        saved = {}
        for op_type, mapped in op_type_map.items():
            if not (isinstance(op_type, str) and isinstance(mapped, str)):
                raise TypeError("op_type_map must be a dictionary mapping strings to strings")
            saved[op_type] = self._gradient_override_map.get(op_type)
            self._gradient_override_map[op_type] = mapped
        try:
            yield
        finally:
            for op_type, old in saved.items():
                if old is None:
                    del self._gradient_override_map[op_type]
                else:
                    self._gradient_override_map[op_type] = old

    @contextlib.contextmanager
    def container(self, container_name: str):
        old, self._container = self._container, container_name
        try:
            yield self._container
        finally:
            self._container = old

    # -- collections -------------------------------------------------------------------
    def add_to_collection(self, name, value) -> None:
        self._check_not_finalized()
        with self._lock:
            self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value) -> None:
        names = (names,) if isinstance(names, str) else set(names)
        for name in names:
            self.add_to_collection(name, value)

    def get_collection_ref(self, name) -> list:
        with self._lock:
            return self._collections.setdefault(name, [])

    def get_collection(self, name, scope=None) -> list:
        """A copy of collection `name`, filtered to items whose name matches `scope`."""
        with self._lock:
            items = self._collections.get(name)
            if items is None:
                return []
            if scope is None:
                return list(items)
            regex = re.compile(scope)
            out = []
            for item in items:
                item_name = getattr(item, "name", None)
                if isinstance(item_name, str) and regex.match(item_name):
                    out.append(item)
            return out

    def get_all_collection_keys(self) -> list[str]:
        with self._lock:
            return [k for k in self._collections if isinstance(k, str)]

    @property
    def collections(self) -> list:
        return list(self._collections)

    def clear_collection(self, name) -> None:
        self._check_not_finalized()
        with self._lock:
            self._collections.pop(name, None)

    # -- serialization (implemented in tfgraph.io.graph_io) ------------------------------
    def as_graph_def(self, from_version: int | None = None, add_shapes: bool = False):
        """This graph as a `GraphDef` protocol buffer."""
        from tfgraph.framework import node_def

        return node_def.graph_to_graph_def(self, from_version, add_shapes)

    @property
    def graph_def(self):
        return self.as_graph_def()

    def __repr__(self) -> str:
        return f"<tfgraph.Graph object at {id(self):#x}>"


def _as_input_tensor(value, op_type: str) -> Tensor:
    conv = getattr(value, "_as_input_tensor", None)
    if conv is not None:
        return conv()
    raise TypeError(
        f"Inputs of '{op_type}' must be Tensors; got {type(value).__name__}. Convert values "
        "with tf.convert_to_tensor first."
    )


def _op_to_colocate_with(v, graph: Graph) -> Operation:
    if isinstance(v, Operation):
        return v
    if isinstance(v, Tensor):
        return v.op
    conv = getattr(v, "_as_graph_element", None)
    if conv is not None:
        element = conv()
        return element.op if isinstance(element, Tensor) else element
    op = getattr(v, "op", None)
    if isinstance(op, Operation):
        return op
    return graph.as_graph_element(v).op


def _type_error_allowed(op_def, arg, dtype: dtypes.DType, attr) -> TypeError:
    names = ", ".join(d.name for d in attr.allowed_order or sorted(attr.allowed, key=str))
    return TypeError(
        f"Value passed to parameter '{arg.name}' has DataType {dtype.name} not in list of "
        f"allowed values: {names}"
    )


_FIXED_ARGS: dict = {}  # OpDef -> its number of non-list input arguments


def _infer_attrs(
    op_def, inputs: list[Tensor], attrs: dict, op_name: str
) -> list[dtypes.DType] | _OutputDtypes:
    """Fills type/number attrs from `inputs` and defaults from the OpDef; checks input
    types; returns the output dtypes."""
    n_inputs = len(inputs)
    args = op_def.inputs
    if args:
        fixed = _FIXED_ARGS.get(op_def)
        if fixed is None:
            fixed = _FIXED_ARGS[op_def] = sum(1 for a in args if not a.is_list)
        idx = 0
        for arg in args:
            if arg.number_attr is not None:
                n = attrs.get(arg.number_attr)
                if n is None:
                    n = attrs[arg.number_attr] = n_inputs - fixed
                group: list[Tensor] | tuple[Tensor, ...] = inputs[idx : idx + n]
            elif arg.type_list_attr is not None:
                types = attrs.get(arg.type_list_attr)
                n = len(types) if types is not None else n_inputs - fixed
                group = inputs[idx : idx + n]
                if types is None:
                    attrs[arg.type_list_attr] = [t._dtype._base for t in group]
                idx += n
                continue
            else:
                if idx >= n_inputs:
                    raise ValueError(f"{op_def.name} op '{op_name}' is missing input '{arg.name}'")
                group = (inputs[idx],)
                n = 1
            idx += n
            if arg.dtype is not None:
                expected = arg.dtype
            else:
                expected = attrs.get(arg.type_attr)
                if expected is None and group:
                    expected = attrs[arg.type_attr] = group[0]._dtype._base
            for t in group:
                dt = t._dtype
                if dt._base is not expected and expected is not None:
                    if arg.dtype is not None:
                        raise TypeError(
                            f"Input '{arg.name}' of '{op_def.name}' Op has type {dt._base.name} "
                            f"that does not match expected type of {expected.name}."
                        )
                    raise TypeError(
                        f"Input '{arg.name}' of '{op_def.name}' Op has type {dt._base.name} that "
                        f"does not match type {expected.name} of argument '{args[0].name}'."
                    )
                if arg.is_ref and dt._base is dt:
                    raise TypeError(
                        f"'{op_def.name}' Op requires that input '{arg.name}' be a mutable "
                        "tensor (e.g.: a tf.Variable)"
                    )
        if idx != n_inputs:
            raise ValueError(
                f"{op_def.name} op '{op_name}' expects {idx} inputs but was given {n_inputs}"
            )
    for attr in op_def.attrs.values():
        name = attr.name
        if name not in attrs:
            if attr.has_default:
                value = attr.default
                attrs[name] = list(value) if isinstance(value, list) else value
            else:
                raise ValueError(f"{op_def.name} op '{op_name}' is missing required attr '{name}'")
        elif attr.allowed is not None:
            value = attrs[name]
            if attr.type == "type":
                if value not in attr.allowed:
                    arg = next((a for a in args if a.type_attr == name), None) or registry.ArgDef(
                        f"{name}: {name}"
                    )
                    raise _type_error_allowed(op_def, arg, value, attr)
            elif attr.type == "string" and value not in attr.allowed:
                raise ValueError(
                    f"Value for attr '{name}' of {value!r} is not in the list of allowed "
                    f"values: {', '.join(sorted(repr(a) for a in attr.allowed))}"
                )
        if attr.minimum is not None and attr.type == "int" and attrs[name] < attr.minimum:
            raise ValueError(
                f"Attr '{name}' of '{op_def.name}' Op passed {attrs[name]} less than minimum "
                f"{attr.minimum}."
            )
    out: list[dtypes.DType] = []
    for arg in op_def.outputs:
        if arg.type_list_attr is not None:
            out.extend(attrs[arg.type_list_attr])
            continue
        dt = arg.dtype if arg.dtype is not None else attrs[arg.type_attr]
        if arg.is_ref:
            dt = dt._ref
        if arg.number_attr is not None:
            n = attrs[arg.number_attr]
            if n > _LAZY_OUTPUTS:
                # Described, not built: the shape rule checks such a count first.
                return _OutputDtypes(op_def, attrs)
            out.extend([dt] * n)
        else:
            out.append(dt)
    return out


class _OutputDtypes:
    """The output dtypes of an op with a huge output count from an attr (a sequence
    made only when iterated, after the op's shape rule accepted the count)."""

    __slots__ = ("_segments",)

    def __init__(self, op_def, attrs: dict) -> None:
        self._segments: list[tuple[dtypes.DType, int]] = []
        for arg in op_def.outputs:
            if arg.type_list_attr is not None:
                self._segments.extend((t, 1) for t in attrs[arg.type_list_attr])
                continue
            dt = arg.dtype if arg.dtype is not None else attrs[arg.type_attr]
            if arg.is_ref:
                dt = dt._ref
            n = attrs[arg.number_attr] if arg.number_attr is not None else 1
            self._segments.append((dt, n))

    def __len__(self) -> int:
        return sum(n for _, n in self._segments)

    def __iter__(self):
        for dt, n in self._segments:
            for _ in range(n):
                yield dt


# -- the default graph ---------------------------------------------------------------------
class _DefaultGraphStack(threading.local):
    def __init__(self) -> None:
        self.stack: list[Graph] = []

    def get_controller(self, graph: Graph) -> _DefaultGraphController:
        return _DefaultGraphController(self, graph)


class _DefaultGraphController:
    """`Graph.as_default()`: pushes the graph on this thread's default-graph stack."""

    __slots__ = ("_graph", "_owner")

    def __init__(self, owner: _DefaultGraphStack, graph: Graph) -> None:
        self._owner = owner
        self._graph = graph

    def __enter__(self) -> Graph:
        self._owner.stack.append(self._graph)
        return self._graph

    def __exit__(self, *exc) -> None:
        stack = self._owner.stack
        # A graph may have been pushed in another order by misuse; remove this one.
        if stack and stack[-1] is self._graph:
            stack.pop()
        elif self._graph in stack:
            stack.remove(self._graph)


_default_graph_stack = _DefaultGraphStack()
_global_default_graph: Graph | None = None
_global_lock = threading.Lock()


def get_default_graph() -> Graph:
    """The default graph of the current thread (the global default if none is pushed)."""
    stack = _default_graph_stack.stack
    if stack:
        return stack[-1]
    global _global_default_graph
    if _global_default_graph is None:
        with _global_lock:
            if _global_default_graph is None:
                _global_default_graph = Graph()
    return _global_default_graph


def reset_default_graph() -> None:
    """Clears the global default graph (not allowed inside a `with g.as_default()`)."""
    if _default_graph_stack.stack:
        raise AssertionError(
            "Do not use tf.reset_default_graph() to clear nested graphs. If you need a "
            "cleared graph, exit the nesting and create a new graph."
        )
    global _global_default_graph
    # (in eager mode the default graph is an EagerGraph: it stays one)
    kind = Graph if _global_default_graph is None else type(_global_default_graph)
    _global_default_graph = kind()


def _graph_of(values) -> Graph:
    for v in values or ():
        g = getattr(v, "graph", None)
        if isinstance(g, Graph):
            return g
    return get_default_graph()


@contextlib.contextmanager
def name_scope(name, default_name=None, values=None):
    """TF1 `tf.name_scope(name, default_name=None, values=None)`."""
    if not (default_name is None or isinstance(default_name, str)):
        raise TypeError(
            f"`default_name` type ({type(default_name)}) is not a string type. You likely "
            "meant to pass this into the `values` kwarg."
        )
    scope_name = default_name if name is None else name
    g = _graph_of(values) if values else get_default_graph()
    if values and g is not get_default_graph():
        with g.as_default(), g.name_scope(scope_name) as scope:
            yield scope
    else:
        with g.name_scope(scope_name) as scope:
            yield scope


def get_name_scope() -> str:
    return get_default_graph().get_name_scope()


def control_dependencies(control_inputs):
    return get_default_graph().control_dependencies(control_inputs)


def device(device_name_or_function):
    return get_default_graph().device(device_name_or_function)


def colocate_with(op, ignore_existing: bool = False):
    return get_default_graph().colocate_with(op, ignore_existing)


def add_to_collection(name, value) -> None:
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names, value) -> None:
    get_default_graph().add_to_collections(names, value)


def get_collection(key, scope=None) -> list:
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key) -> list:
    return get_default_graph().get_collection_ref(key)


def init_scope():
    """Lifts creation out of control-dependency blocks (what TF does in graph mode)."""
    return get_default_graph().control_dependencies(None)


# TF2's spellings (`tfgraph.compat.v2`).
def device_v2(device_name):
    """TF2's `tf.device`: a device name or spec; functions are TF1 only."""
    if callable(device_name):
        raise RuntimeError("tf.device does not support functions.")
    return device(device_name)


def get_current_name_scope() -> str:
    """TF2's `tf.get_current_name_scope`: the current name scope ("" at the top)."""
    return get_default_graph().get_name_scope()


def inside_function() -> bool:
    """TF2's `tf.inside_function`: True while a `tf.function` (or dataset function) is
    being traced."""
    return get_default_graph().building_function

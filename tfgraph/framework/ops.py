"""`Operation` and `Tensor`: the nodes and edges of a graph.

Both are immutable descriptions (state lives in the session). `Tensor` carries the
operator overloads; the functions behind them are registered by `tfgraph.ops` modules
(`Tensor._override_operator`) so this layer knows no particular op.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from tfgraph.framework import default_session, dtypes
from tfgraph.framework.tensor_shape import TensorShape, as_shape

if TYPE_CHECKING:  # pragma: no cover
    from tfgraph.framework.graph import Graph
    from tfgraph.framework.registry import OpDef

__all__ = ["Operation", "OperatorNotAllowedInGraphError", "Tensor"]


class OperatorNotAllowedInGraphError(TypeError):
    """A Python operation (bool(), iteration) that a symbolic graph tensor cannot support."""


_GRAPH_MODE_HINT = (
    "You can attempt the following resolutions to the problem: use the value of the "
    "tensor inside `Session.run` (or `tensor.eval()`), or use graph ops such as "
    "`tf.cond` / `tf.where` instead of Python control flow."
)


# `variable[...]` slices that may be assigned (`v[0].assign(x)`, TF's _SliceHelperVar):
# id(slice tensor) -> (weak reference to it, its `assign` function).
_SLICE_ASSIGNERS: dict[int, tuple[Any, Any]] = {}


def register_slice_assign(tensor: Tensor, assign) -> None:
    """Gives `tensor` (a slice of a variable) an `assign(value, name=None)` method."""
    import weakref

    key = id(tensor)
    store = _SLICE_ASSIGNERS  # (bound here: module globals are gone at interpreter exit)

    def forget(_ref) -> None:
        store.pop(key, None)

    store[key] = (weakref.ref(tensor, forget), assign)


class Tensor:
    """A symbolic handle to one output of an `Operation`; its value exists only inside
    `Session.run`."""

    __slots__ = ("__weakref__", "_consumers", "_dtype", "_name", "_op", "_shape", "_value_index")

    # Numpy defers binary operators with tensors to our reflected methods.
    __array_priority__ = 100

    def __init__(self, op: Operation, value_index: int, dtype: dtypes.DType) -> None:
        self._op = op
        self._value_index = value_index
        self._dtype = dtype
        self._shape = _UNKNOWN_SHAPE
        self._consumers: list[Operation] = []
        self._name: str | None = None

    def __getattr__(self, name: str):
        # (only for missing attributes: a variable's slice has `assign`)
        if name == "assign":
            entry = _SLICE_ASSIGNERS.get(id(self))
            if entry is not None and entry[0]() is self:
                return entry[1]
        if hasattr(type(self), name):  # a property that raised: its own message
            return object.__getattribute__(self, name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    # -- identity ----------------------------------------------------------------------
    @property
    def op(self) -> Operation:
        return self._op

    @property
    def value_index(self) -> int:
        return self._value_index

    @property
    def dtype(self) -> dtypes.DType:
        return self._dtype

    @property
    def graph(self) -> Graph:
        return self._op._graph

    @property
    def name(self) -> str:
        if self._name is None:
            self._name = f"{self._op._name}:{self._value_index}"
        return self._name

    @property
    def device(self) -> str:
        return self._op.device

    # -- shape -------------------------------------------------------------------------
    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        return self._shape

    def set_shape(self, shape) -> None:
        """Merges `shape` into this tensor's static shape (ValueError if incompatible)."""
        shape = as_shape(shape)
        old = self._shape
        if not old.is_compatible_with(shape):
            raise ValueError(_incompatible_set_shape_message(old, shape))
        self._shape = old.merge_with(shape)

    # -- graph relations -----------------------------------------------------------------
    def consumers(self) -> list[Operation]:
        return list(self._consumers)

    def eval(self, feed_dict=None, session=None):
        """Evaluates this tensor in `session` (default: the default session)."""
        return default_session.eval_using_default_session(self, feed_dict, self.graph, session)

    def ref(self):
        return _TensorRef(self)

    experimental_ref = ref

    # -- python protocol -----------------------------------------------------------------
    def __repr__(self) -> str:
        return f"<tf.Tensor '{self.name}' shape={self._shape} dtype={self._dtype.name}>"

    def __str__(self) -> str:
        return f'Tensor("{self.name}", shape={self._shape}, dtype={self._dtype.name})'

    # Identity hashing in C: tensors are hashed in every plan and control-flow set.
    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        raise OperatorNotAllowedInGraphError(
            f"Using a symbolic `tf.Tensor` as a Python `bool` is not allowed. {_GRAPH_MODE_HINT}"
        )

    __nonzero__ = __bool__

    def __iter__(self):
        raise OperatorNotAllowedInGraphError(
            f"Iterating over a symbolic `tf.Tensor` is not allowed. {_GRAPH_MODE_HINT}"
        )

    def __len__(self) -> int:
        raise TypeError(
            f"len is not well defined for a symbolic Tensor ({self.name}). Please call "
            "`x.shape` rather than `len(x)` for shape information."
        )

    def __array__(self, dtype=None, copy=None):
        raise NotImplementedError(
            f"Cannot convert a symbolic tf.Tensor ({self.name}) to a numpy array. Run it in "
            "a Session (`sess.run(tensor)` or `tensor.eval()`) to get its value."
        )

    def __index__(self):
        raise TypeError(f"Tensor {self.name} cannot be used as a Python index")

    @classmethod
    def _override_operator(cls, operator: str, func) -> None:
        setattr(cls, operator, func)

    if TYPE_CHECKING:  # pragma: no cover
        # The operators tfgraph/ops installs with `_override_operator` (math_ops: arithmetic,
        # logical and comparison operators; array_ops: slicing), declared for type checkers.
        def __add__(self, other: Any) -> Tensor: ...
        def __radd__(self, other: Any) -> Tensor: ...
        def __sub__(self, other: Any) -> Tensor: ...
        def __rsub__(self, other: Any) -> Tensor: ...
        def __mul__(self, other: Any) -> Tensor: ...
        def __rmul__(self, other: Any) -> Tensor: ...
        def __truediv__(self, other: Any) -> Tensor: ...
        def __rtruediv__(self, other: Any) -> Tensor: ...
        def __floordiv__(self, other: Any) -> Tensor: ...
        def __rfloordiv__(self, other: Any) -> Tensor: ...
        def __mod__(self, other: Any) -> Tensor: ...
        def __rmod__(self, other: Any) -> Tensor: ...
        def __pow__(self, other: Any) -> Tensor: ...
        def __rpow__(self, other: Any) -> Tensor: ...
        def __matmul__(self, other: Any) -> Tensor: ...
        def __rmatmul__(self, other: Any) -> Tensor: ...
        def __and__(self, other: Any) -> Tensor: ...
        def __rand__(self, other: Any) -> Tensor: ...
        def __or__(self, other: Any) -> Tensor: ...
        def __ror__(self, other: Any) -> Tensor: ...
        def __xor__(self, other: Any) -> Tensor: ...
        def __rxor__(self, other: Any) -> Tensor: ...
        def __lt__(self, other: Any) -> Tensor: ...
        def __le__(self, other: Any) -> Tensor: ...
        def __gt__(self, other: Any) -> Tensor: ...
        def __ge__(self, other: Any) -> Tensor: ...
        def __neg__(self) -> Tensor: ...
        def __abs__(self) -> Tensor: ...
        def __invert__(self) -> Tensor: ...
        def __getitem__(self, key: Any) -> Tensor: ...


class _TensorRef:
    """A hashable reference to a tensor (`Tensor.ref()`), compared by identity."""

    __slots__ = ("_tensor",)

    def __init__(self, tensor: Tensor) -> None:
        self._tensor = tensor

    def deref(self) -> Tensor:
        return self._tensor

    def __hash__(self) -> int:
        return id(self._tensor)

    def __eq__(self, other) -> bool:
        return isinstance(other, _TensorRef) and other._tensor is self._tensor

    def __repr__(self) -> str:
        return f"<Reference wrapping {self._tensor!r}>"


def _incompatible_set_shape_message(old: TensorShape, new: TensorShape) -> str:
    if old._dims is not None and new._dims is not None and len(old._dims) == len(new._dims):
        for i, (a, b) in enumerate(zip(old._dims, new._dims)):
            if a is not None and b is not None and a != b:
                return (
                    f"Dimension {i} in both shapes must be equal, but are {a} and {b}. "
                    f"Shapes are {_bracket(old)} and {_bracket(new)}."
                )
    return (
        f"Shapes must be equal rank, but are {old.ndims} and {new.ndims}"
        if old.ndims is not None and new.ndims is not None
        else f"Shapes {old} and {new} are incompatible"
    )


def _bracket(shape: TensorShape) -> str:
    assert shape._dims is not None  # only called for shapes of known rank
    return "[" + ",".join("?" if d is None else str(d) for d in shape._dims) + "]"


_UNKNOWN_SHAPE = TensorShape(None)


class Operation:
    """A node in a `Graph`: an op type, its inputs, attrs, device and outputs."""

    __slots__ = (
        "__weakref__",
        "_attrs",
        "_control_inputs",
        "_control_outputs",
        "_device",
        "_graph",
        "_id",
        "_inputs",
        "_name",
        "_node_def",
        "_op_def",
        "_outputs",
        "_type",
    )

    def __init__(
        self,
        graph: Graph,
        op_def: OpDef,
        name: str,
        inputs: list[Tensor],
        attrs: dict[str, Any],
        output_dtypes: Iterable[dtypes.DType],
        op_id: int,
    ) -> None:
        self._graph = graph
        self._op_def = op_def
        self._type = op_def.name
        self._name = name
        self._inputs = inputs
        self._attrs = attrs
        # Most ops have no control edges: both start as the shared empty tuple and become
        # lists when an edge is added (fewer objects for the cyclic GC to scan).
        self._control_inputs: list[Operation] | tuple = ()
        self._control_outputs: list[Operation] | tuple = ()
        self._device = ""
        self._id = op_id
        self._node_def = None
        self._outputs = [Tensor(self, i, dt) for i, dt in enumerate(output_dtypes)]

    # -- identity ----------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def type(self) -> str:
        return self._type

    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def device(self) -> str:
        return self._device

    @property
    def inputs(self) -> tuple[Tensor, ...]:
        return tuple(self._inputs)

    @property
    def outputs(self) -> list[Tensor]:
        return list(self._outputs)

    def values(self) -> tuple[Tensor, ...]:
        return tuple(self._outputs)

    @property
    def control_inputs(self) -> list[Operation]:
        return list(self._control_inputs)

    @property
    def _control_outputs_list(self) -> list[Operation]:
        return list(self._control_outputs)

    @property
    def num_inputs(self) -> int:
        return len(self._inputs)

    @property
    def num_outputs(self) -> int:
        return len(self._outputs)

    @property
    def traceback(self) -> list:
        return []

    # -- attrs -------------------------------------------------------------------------
    def get_attr(self, name: str):
        """The value of attr `name`, in the form TF returns it (DType for types, protos for
        shapes and tensors, bytes for strings)."""
        try:
            value = self._attrs[name]
        except KeyError:
            raise ValueError(f"Operation '{self._name}' has no attr named '{name}'.") from None
        from tfgraph.framework import node_def

        return node_def.attr_for_python(self, name, value)

    def _set_attr(self, name: str, value) -> None:
        self._attrs[name] = value
        self._node_def = None

    def _clear_attr(self, name: str) -> None:
        self._attrs.pop(name, None)
        self._node_def = None

    def _set_device(self, device) -> None:
        self._device = device if isinstance(device, str) else device.to_string()
        self._node_def = None

    _set_device_from_string = _set_device

    def colocation_groups(self) -> list[bytes]:
        """The colocation groups (`loc:@name`) of this op: its `_class` attr or itself."""
        groups = self._attrs.get("_class")
        if groups:
            return [g for g in groups if g.startswith(b"loc:@")] or [f"loc:@{self._name}".encode()]
        return [f"loc:@{self._name}".encode()]

    # -- mutation TF allows after creation -----------------------------------------------
    def _add_control_input(self, op: Operation) -> None:
        self._add_control_inputs([op])

    def _add_control_inputs(self, ops) -> None:
        for op in ops:
            if not isinstance(op, Operation):
                raise TypeError(f"op must be an Operation: {op}")
            if op not in self._control_inputs:
                if not isinstance(self._control_inputs, list):
                    self._control_inputs = list(self._control_inputs)
                self._control_inputs.append(op)
                op._add_control_output(self)
        self._node_def = None
        self._graph._mutated()

    def _add_control_output(self, op: Operation) -> None:
        if isinstance(self._control_outputs, list):
            self._control_outputs.append(op)
        else:
            self._control_outputs = [op]

    def _remove_all_control_inputs(self) -> None:
        for op in self._control_inputs:
            outputs = op._control_outputs
            assert isinstance(outputs, list)  # self is among them, so op holds a list
            outputs.remove(self)
        self._control_inputs = ()
        self._node_def = None
        self._graph._mutated()

    def _update_input(self, index: int, tensor: Tensor) -> None:
        old = self._inputs[index]
        old._consumers.remove(self)
        self._inputs[index] = tensor
        tensor._consumers.append(self)
        self._node_def = None
        self._graph._mutated()

    # -- protos --------------------------------------------------------------------------
    @property
    def node_def(self):
        """This op as a `NodeDef` protocol buffer."""
        if self._node_def is None:
            from tfgraph.framework import node_def

            self._node_def = node_def.to_node_def(self)
        return self._node_def

    @property
    def op_def(self):
        from tfgraph.framework import node_def

        return node_def.to_op_def_proto(self._op_def)

    # -- running -----------------------------------------------------------------------
    def run(self, feed_dict=None, session=None) -> None:
        """Runs this op in `session` (default: the default session)."""
        default_session.run_using_default_session(self, feed_dict, self._graph, session)

    # -- python protocol -----------------------------------------------------------------
    def __repr__(self) -> str:
        return f"<tf.Operation '{self._name}' type={self._type}>"

    def __str__(self) -> str:
        return str(self.node_def)

    __hash__ = object.__hash__  # identity hashing in C (ops key plans, sets, dicts)

"""`EagerTensor`: a tensor that holds its value (what eager ops take and return).

It is a `Tensor`, so everything that takes tensors (operators, `tf.*` functions, nest)
takes it; its producer is no graph op: `name`, `op` and `graph` are undefined, as in
TensorFlow, and an eager tensor used while a graph is being built enters that graph as
a constant (or as a captured input of a `tf.function` trace).
"""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.eager import context
from tfgraph.framework import dtypes
from tfgraph.framework.convert import register_tensor_conversion_function
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.tensor_shape import TensorShape, as_shape

__all__ = ["EagerTensor", "eager_tensor"]


class _EagerConstOp:
    """Stands where a graph tensor's op would be: a `Const` holding the tensor's value,
    so code that looks for constant inputs (shape inference, gradient functions) finds
    it. Its graph is whichever graph is the default when an op is made from the tensor
    (eager, or one being built)."""

    __slots__ = ("__weakref__", "_attrs", "_outputs")
    _name = "EagerConst"
    _type = "Const"
    _device = context.CPU_DEVICE
    _inputs = ()
    _control_inputs = ()

    def __init__(self, tensor: EagerTensor) -> None:
        self._attrs = {"value": tensor._value, "dtype": tensor._dtype}
        self._outputs = [tensor]

    @property
    def _graph(self):
        return get_default_graph()

    graph = _graph
    name = property(lambda self: self._name)
    type = property(lambda self: self._type)
    inputs = property(lambda self: [])
    outputs = property(lambda self: list(self._outputs))
    device = property(lambda self: self._device)

    @property
    def _op_def(self):
        from tfgraph.framework import registry

        return registry.get("Const")

    def get_attr(self, name: str):
        return self._attrs[name]


def _undefined(what: str):
    return AttributeError(f"Tensor.{what} is undefined when eager execution is enabled.")


class EagerTensor(Tensor):
    """A tensor with a concrete value (a numpy array or scalar)."""

    __slots__ = ("_op_cache", "_shape_cache", "_value")

    def __init__(self, value, dtype: dtypes.DType) -> None:  # (fast: no super().__init__)
        self._value = value
        self._dtype = dtype
        self._shape_cache: TensorShape | None = None
        self._op_cache: _EagerConstOp | None = None

    # -- what a graph tensor gets from its op -----------------------------------------
    @property
    def _op(self):
        op = self._op_cache
        if op is None:
            op = self._op_cache = _EagerConstOp(self)
        return op

    @property
    def _shape(self) -> TensorShape:
        s = self._shape_cache
        if s is None:
            if self._dtype._base is dtypes.resource:  # (a handle's `shape` is its variable's)
                s = self._shape_cache = TensorShape(())
            else:
                s = self._shape_cache = TensorShape(np.shape(self._value))
        return s

    @_shape.setter
    def _shape(self, shape) -> None:
        if not self._shape.is_compatible_with(shape):
            raise ValueError(
                f"Tensor's shape {self._shape} is not compatible with supplied shape {shape}."
            )

    @property
    def _consumers(self):
        return []

    @property
    def _value_index(self) -> int:  # type: ignore[override]
        return 0

    @property
    def _name(self):
        raise _undefined("name")

    @property
    def op(self):
        """A stand-in `Const` op holding the value (TensorFlow raises AttributeError
        here; tfgraph's own gradient and shape code reads constant inputs through it)."""
        return self._op

    @property
    def graph(self):
        raise _undefined("graph")

    @property
    def name(self) -> str:
        raise _undefined("name")

    @property
    def device(self) -> str:
        return context.CPU_DEVICE

    @property
    def backing_device(self) -> str:
        return context.CPU_DEVICE

    def consumers(self):
        raise _undefined("consumers")

    def set_shape(self, shape) -> None:
        if not self._shape.is_compatible_with(as_shape(shape)):
            raise ValueError(
                f"Tensor's shape {self._shape} is not compatible with supplied shape "
                f"{as_shape(shape)}."
            )

    @property
    def ndim(self) -> int:
        return np.ndim(self._value)

    def eval(self, feed_dict=None, session=None):
        raise NotImplementedError(
            "eval is not supported when eager execution is enabled, is .numpy() what "
            "you're looking for?"
        )

    # -- values ---------------------------------------------------------------------------
    def numpy(self):
        """The value as a numpy array (a copy) or numpy scalar."""
        value = self._value
        if value.__class__ is np.ndarray:
            return value[()] if value.ndim == 0 else value.copy()
        return value

    _numpy = numpy

    def __array__(self, dtype=None, copy=None):
        value = np.asarray(self._value)
        return value if dtype is None else value.astype(dtype, copy=False)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __int__(self) -> int:
        return int(self._value)

    def __float__(self) -> float:
        return float(self._value)

    def __index__(self) -> int:
        if not self._dtype.is_integer or np.ndim(self._value):
            raise TypeError(
                "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and "
                "scalar tf.int32/tf.int64 tensors are valid indices"
            )
        return int(self._value)

    def __len__(self) -> int:
        if not np.ndim(self._value):
            raise TypeError("Scalar tensor has no `len()`")
        return len(self._value)

    def __iter__(self):
        if not np.ndim(self._value):
            raise TypeError("Cannot iterate over a scalar tensor.")
        for i in range(len(self._value)):
            yield self[i]

    def __format__(self, format_spec: str) -> str:
        if not format_spec:
            return str(self)
        return format(self._value, format_spec)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return EagerTensor(self._value, self._dtype)

    def __reduce__(self):
        from tfgraph.framework.convert import constant

        return constant, (self.numpy(),)

    # -- TF2 equality (element-wise `==`) ---------------------------------------------------
    def __eq__(self, other):
        if context.tensor_equality:
            from tfgraph.ops import math_ops

            try:
                return math_ops.tensor_equals(self, other)
            except (TypeError, ValueError, errors.InvalidArgumentError):
                return False
        return self is other

    def __ne__(self, other):
        if context.tensor_equality:
            from tfgraph.ops import math_ops

            try:
                return math_ops.tensor_equals(self, other, negate=True)
            except (TypeError, ValueError, errors.InvalidArgumentError):
                return True
        return self is not other

    # Hashed by identity even under TF2 equality (TF raises TypeError there): tfgraph's
    # graph code keys dicts by tensors, eager ones captured into graphs among them.
    __hash__ = Tensor.__hash__

    # -- printing as TensorFlow prints ----------------------------------------------------
    def __str__(self) -> str:
        return f"tf.Tensor({_numpy_text(self)}, shape={self._shape}, dtype={self._dtype.name})"

    def __repr__(self) -> str:
        return (
            f"<tf.Tensor: shape={self._shape}, dtype={self._dtype.name}, "
            f"numpy={_numpy_text(self, is_repr=True)}>"
        )

    # -- conversion -----------------------------------------------------------------------
    def _as_input_tensor(self, as_ref: bool = False) -> Tensor:
        if context.executing_eagerly():
            return self
        return _into_graph(self)


def _numpy_text(t: EagerTensor, is_repr: bool = False) -> str:
    value = t._value
    if t._dtype._base is dtypes.string:
        value = np.asarray(value, dtype=object)
    if np.ndim(value) == 0:
        with np.printoptions(legacy="1.25"):  # scalars print as `2.5`, not `np.float32(2.5)`
            text = repr(np.asarray(value)[()]) if is_repr else str(value)
    else:
        text = repr(value) if is_repr else str(value)
    if "\n" in text:
        text = "\n" + text
    return text


def _into_graph(t: EagerTensor) -> Tensor:
    """`t` in the graph being built: a captured input of a function trace, else a
    constant."""
    g = get_default_graph()
    capture = getattr(g, "capture", None)
    if capture is not None:
        return capture(t)
    from tfgraph.framework.convert import constant

    return constant(t._value, dtype=t._dtype)


def eager_tensor(value, dtype=None) -> EagerTensor:
    """An eager tensor holding `value` (converted as `tf.constant` converts)."""
    from tfgraph.framework.convert import numpy_value

    arr, dt = numpy_value(value, None if dtype is None else dtypes.as_dtype(dtype))
    if arr.__class__ is np.ndarray and arr.flags.writeable:
        arr = arr.copy() if arr.base is not None else arr
        arr.flags.writeable = False
    return EagerTensor(arr, dt)


def _eager_conversion(value, dtype=None, name=None, as_ref=False):
    if dtype is not None and not dtypes.as_dtype(dtype).is_compatible_with(value._dtype):
        raise ValueError(
            f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} for Tensor "
            f"with dtype {value._dtype.name}: {value!r}"
        )
    return value._as_input_tensor(as_ref)


register_tensor_conversion_function(EagerTensor, _eager_conversion, 0)

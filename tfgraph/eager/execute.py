"""Eager op execution: the registry's kernels called as ops are made.

`EagerGraph` is the default graph while eager execution is on. Every public function
already ends in `graph._create_op(op_type, inputs, attrs, name)`; here that call infers
the attrs as a graph would, binds the op's kernel to a narrow node view (cached per
op type, attrs and input dtypes/shapes, so a loop of eager calls binds once), runs it
on the inputs' values and returns an `EagerOp` whose outputs are `EagerTensor`s. Name
scopes only prefix names (eager names are never uniquified), control dependencies and
colocation do nothing, and a recording `GradientTape` sees each op.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

import numpy as np

from tfgraph import errors
from tfgraph.eager import context
from tfgraph.eager.tensor import EagerTensor
from tfgraph.framework import registry
from tfgraph.framework.graph import Graph, _infer_attrs
from tfgraph.framework.node import NodeView, TensorView
from tfgraph.framework.ops import Tensor
from tfgraph.framework.resources import DeviceStores
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.platform import denormal

__all__ = ["EagerGraph", "EagerOp", "execute"]


class EagerOp:
    """What running one eager op leaves behind: its type, attrs, inputs and outputs.

    It answers what gradient functions ask of an `Operation` (`inputs`, `outputs`,
    `get_attr`, `type`), so a `GradientTape` can call the registry's gradients on it.
    """

    __slots__ = ("_attrs", "_inputs", "_name", "_op_def", "_outputs", "_type")

    def __init__(self, op_def, name, attrs, inputs, outputs) -> None:
        self._op_def = op_def
        self._type = op_def.name
        self._name = name
        self._attrs = attrs
        self._inputs = inputs
        self._outputs = outputs

    type = property(lambda self: self._type)
    name = property(lambda self: self._name)
    inputs = property(lambda self: list(self._inputs))
    outputs = property(lambda self: list(self._outputs))
    node_def = property(lambda self: None)
    device = property(lambda self: context.CPU_DEVICE)
    _device = context.CPU_DEVICE
    control_inputs = property(lambda self: [])
    _control_inputs: list = []

    @property
    def graph(self):
        from tfgraph.framework.graph import get_default_graph

        return get_default_graph()

    _graph = graph

    def get_attr(self, name: str):
        try:
            return self._attrs[name]
        except KeyError:
            raise ValueError(f"Operation '{self._name}' has no attr named '{name}'.") from None

    def __repr__(self) -> str:
        return f"<EagerOp {self._type}>"


class _KernelContext:
    """What a kernel factory may use in eager mode: the eager resource stores."""

    __slots__ = ("config", "graph", "stores")

    def __init__(self) -> None:
        self.stores = DeviceStores()
        self.config = None
        self.graph = None

    def resources_for(self, op):
        return self.stores.for_device(op._device)


_CTX = _KernelContext()
_kernels: dict = {}
_kernels_lock = threading.Lock()
_MAX_KERNELS = 20000
# Set by tfgraph.eager.tape: called with each executed op while a tape records.
_record_hook: Callable[[EagerOp], None] | None = None


class _Unhashable(Exception):
    pass


def _freeze(value):
    cls = value.__class__
    if cls is int or cls is float or cls is bool or cls is str or cls is bytes or value is None:
        return value
    if cls is list or cls is tuple:
        return tuple(_freeze(v) for v in value)
    if cls is TensorShape:
        return ("shape", None if value._dims is None else tuple(value.as_list()))
    if hasattr(value, "as_datatype_enum"):  # a DType
        return value
    raise _Unhashable


def _call_key(op_def, attrs, inputs, values):
    """What decides an eager call's inferred attrs, output dtypes and bound kernel: the
    caller's attrs, the inputs' dtypes and shapes (None: not cacheable)."""
    if op_def.is_stateful and "shared_name" in op_def.attrs:
        return None  # each call makes a new resource
    try:
        items = tuple([(k, _freeze(v)) for k, v in attrs.items()])
    except _Unhashable:
        return None
    return (
        op_def,
        items,
        tuple([t._dtype for t in inputs]),
        tuple([getattr(v, "shape", None) for v in values]),
    )


def _bind(op_def, name, attrs, inputs, output_dtypes):
    """The op's kernel bound to a node view of its inputs' dtypes and shapes."""
    views = [TensorView(t._dtype, TensorShape(np.shape(t._value)), None, 0) for t in inputs]
    node = NodeView(
        op_def.name,
        name,
        attrs,
        views,
        [(dt, TensorShape(None)) for dt in output_dtypes],
        context.CPU_DEVICE,
    )
    if op_def.make_kernel is not None:
        return op_def.make_kernel(node, _CTX)
    if op_def.kernel is not None:
        return op_def.kernel
    raise errors.UnimplementedError(
        None, None, f"tfgraph has no kernel for op type '{op_def.name}' [Op:{op_def.name}]"
    )


def _flushing(kernel, enter, leave):
    """`kernel` run with subnormals flushed to zero (and single-threaded BLAS), as TF's
    CPU kernels run and as session runs do."""

    def run(*values):
        token = enter()
        try:
            return kernel(*values)
        finally:
            leave(token)

    return run


def _prepare(op_def, name, attrs, inputs, values):
    """(attrs with inferred types and defaults, output dtypes, bound kernel), cached."""
    key = _call_key(op_def, attrs, inputs, values)
    if key is not None:
        hit = _kernels.get(key)
        if hit is not None:
            return hit
    full = dict(attrs)
    output_dtypes = list(_infer_attrs(op_def, inputs, full, name))
    enter, leave = denormal.run_hooks([op_def.name])
    kernel = _bind(op_def, name, full, inputs, output_dtypes)
    prepared = (full, output_dtypes, _flushing(kernel, enter, leave))
    if key is not None:
        with _kernels_lock:
            if len(_kernels) >= _MAX_KERNELS:
                _kernels.clear()
            _kernels[key] = prepared
    return prepared


def clear_kernel_cache() -> None:
    """Drops the bound kernels (random ops restart their streams), as TF's context does
    when the global seed is set."""
    with _kernels_lock:
        _kernels.clear()
    for store in (_CTX.stores.local, *_CTX.stores.tasks().values()):
        with store.lock:
            for key in [
                k for k in store.kernel_state if isinstance(k, tuple) and k[:1] == ("philox",)
            ]:
                del store.kernel_state[key]


def _error(op_def, name, attrs, inputs, values, exc: BaseException) -> errors.OpError:
    """The TF error an eager op raises: the kernel's, or the shape rule's complaint as
    InvalidArgumentError, ending in `[Op:<type>]` as TF's messages do."""
    suffix = f" [Op:{op_def.name}]" + (f" name: {name}" if name != op_def.name else "")
    if isinstance(exc, errors.OpError):
        return type(exc)(None, None, f"{exc.message}{suffix}")
    message = str(exc)
    if op_def.shape is not None:
        try:
            full = dict(attrs)
            _infer_attrs(op_def, inputs, full, name)
            NodeView.for_values(op_def.name, full, values, name)
        except (ValueError, TypeError) as shape_exc:
            message = str(shape_exc)
        except Exception:
            pass
    return errors.InvalidArgumentError(None, None, f"{message}{suffix}")


def execute(op_def, inputs: list, attrs: dict, name: str | None) -> EagerOp:
    """Runs one op on eager tensors; returns the op with its outputs."""
    if op_def.placeholder:
        raise RuntimeError("tf.placeholder() is not compatible with eager execution.")
    for i, t in enumerate(inputs):
        if t.__class__ is not EagerTensor:
            inputs[i] = _as_eager(t, op_def.name)
    name = name or op_def.name
    if op_def.constant:
        _infer_attrs(op_def, inputs, attrs, name)
        return EagerOp(op_def, name, attrs, inputs, [EagerTensor(attrs["value"], attrs["dtype"])])
    values = [t._value for t in inputs]
    try:
        attrs, output_dtypes, kernel = _prepare(op_def, name, attrs, inputs, values)
        result = kernel(*values)
    except (errors.OpError, ValueError, TypeError, IndexError, ArithmeticError, KeyError) as e:
        raise _error(op_def, name, attrs, inputs, values, e) from e
    if context._log_placement:
        context.log_placement(op_def.name, context.CPU_DEVICE)
    if not output_dtypes:
        outputs = []
    elif op_def.single_output:
        outputs = [EagerTensor(result, output_dtypes[0])]
    else:
        outputs = [EagerTensor(v, dt) for v, dt in zip(result, output_dtypes)]
    op = EagerOp(op_def, name, attrs, inputs, outputs)
    if _record_hook is not None:
        _record_hook(op)
    return op


def _as_eager(t, op_type: str) -> EagerTensor:
    conv = getattr(type(t), "_as_input_tensor", None)
    if conv is not None:
        value = conv(t, False)
        if value.__class__ is EagerTensor:
            return value
    if isinstance(t, Tensor):
        raise TypeError(
            f"An op outside of the function building code is being passed a graph tensor "
            f"({t!r}) while executing eagerly (op '{op_type}'). Graph tensors can only be used "
            "inside the graph that made them: run them in a tf.compat.v1.Session, or build "
            "them eagerly."
        )
    raise TypeError(f"Inputs of '{op_type}' must be tensors; got {type(t).__name__}.")


class EagerGraph(Graph):
    """The default graph while executing eagerly: making an op runs it."""

    _executes_eagerly = True

    def unique_name(self, name: str, mark_as_used: bool = True) -> str:
        name_stack = self._state.name_stack
        return f"{name_stack}/{name}" if name_stack else name

    def _create_op(
        self,
        op_type: str,
        inputs: list,
        attrs: dict,
        name: str | None = None,
        control_inputs: list | None = None,
        compute_device: bool = True,
    ):
        op_def = registry.lookup(op_type)
        if op_def is None:
            raise ValueError(f"Op type not registered '{op_type}' in tfgraph.")
        if name and name[-1] == "/":
            name = name[:-1]
        if name:
            name = name.rsplit("/", 1)[-1]
        return execute(op_def, list(inputs), attrs, name)

    def control_dependencies(self, control_inputs):
        return contextlib.nullcontext()

    def colocate_with(self, op, ignore_existing: bool = False):
        return contextlib.nullcontext()

    def finalize(self) -> None:
        """Nothing to freeze: an eager context holds no ops."""


# -- the fast path of arithmetic operators -------------------------------------------------
# `x + 1`, `a * b` on eager tensors of one floating (or int32) dtype skip conversion, name
# scopes and attr inference: the same registry kernel, looked up by (op, dtype, shapes).
_FAST_DTYPES: dict = {}
_fast_kernels: dict = {}


def _fast_operator(dunder: str, op_type: str, reflected: bool, floats_only: bool):
    def slow(self, other):
        return getattr(Tensor, dunder)(self, other)

    def method(self, other):
        dt = self._dtype
        np_type = _FAST_DTYPES.get(dt)
        if np_type is None or _record_hook is not None or context._log_placement:
            return slow(self, other)
        cls = other.__class__
        if cls is EagerTensor:
            if other._dtype is not dt:
                return slow(self, other)
            y = other._value
        elif cls is float or cls is int:
            if floats_only and not dt.is_floating:
                return slow(self, other)
            if not dt.is_floating and (cls is float or not -(2**31) <= other < 2**31):
                return slow(self, other)
            y = np_type(other)
        else:
            return slow(self, other)
        x = self._value
        if reflected:
            x, y = y, x
        key = (op_type, dt, x.shape, y.shape)
        kernel = _fast_kernels.get(key)
        if kernel is None:
            op_def = registry.get(op_type)
            attrs = {"T": dt}
            inputs = [EagerTensor(x, dt), EagerTensor(y, dt)]
            _infer_attrs(op_def, inputs, attrs, op_type)
            kernel = _bind(op_def, op_type, attrs, inputs, [dt])
            kernel = _fast_kernels[key] = _flushing(kernel, *denormal.run_hooks([op_type]))
        try:
            return EagerTensor(kernel(x, y), dt)
        except Exception:
            return slow(self, other)

    method.__name__ = dunder
    return method


def _install_fast_operators() -> None:
    from tfgraph.framework import dtypes

    for dt in (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32):
        _FAST_DTYPES[dt] = dt.np_dtype.type
    for name, op_type, floats_only in (
        ("add", "AddV2", False),
        ("sub", "Sub", False),
        ("mul", "Mul", False),
        ("truediv", "RealDiv", True),
    ):
        setattr(
            EagerTensor, f"__{name}__", _fast_operator(f"__{name}__", op_type, False, floats_only)
        )
        setattr(
            EagerTensor, f"__r{name}__", _fast_operator(f"__r{name}__", op_type, True, floats_only)
        )


_install_fast_operators()

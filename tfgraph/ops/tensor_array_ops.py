"""TensorArrays as TF1 builds them: the TensorArrayV3 op family and `tf.TensorArray`.

A `TensorArrayV3` op makes a fresh array each time it runs (one `Session.run`, one
array): its `handle` output is that array (a `TensorArrayState`, living only in the
run's slots) and its `flow` output a float scalar. Every op that reads or writes the
array takes the handle and a flow; writes return a new flow, so reads made from a
later flow run after the writes (the flows only order ops, their value is always 0).

Gradients follow TF's tensor_array_grad: `TensorArrayGradV3` looks up or makes the
gradient array of (forward array, gradient source) — the same one each time it runs
in a step, also once per iteration of a gradient loop — whose writes to one index
add up; a read's gradient writes into it, a write's gradient reads from it, and so on.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import traceback

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape, as_shape
from tfgraph.framework.type_spec import TypeSpec
from tfgraph.ops import array_ops, math_ops
from tfgraph.ops.apply import apply_op, op_output
from tfgraph.ops.common_shapes import constant_value, shape_error

__all__ = ["TensorArray", "TensorArraySpec", "TensorArrayState", "build_ta_with_new_flow"]

_HANDLE_SHAPE = TensorShape([2])
_counter = itertools.count()

_TF_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def _type_string(dtype) -> str:
    name = dtypes.as_dtype(dtype)._base.name
    return _TF_TYPE_NAMES.get(name, name)


def _shape_string(shape) -> str:
    """A partial shape as TF's DebugString writes it: `[2,?]`, `<unknown>`."""
    if isinstance(shape, TensorShape):
        if shape.ndims is None:
            return "<unknown>"
        dims = shape.as_list()
    else:
        dims = list(shape)
    return "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


# -- the per-run array --------------------------------------------------------------------
class _Element:
    """One entry: `value` (None with `written` set: zeros of `shape`, a gradient array's
    entry not yet written), its shape, and whether it was read / cleared by a read."""

    __slots__ = ("cleared", "read", "shape", "value", "written")

    def __init__(self) -> None:
        self.value: np.ndarray | None = None
        self.shape: tuple = ()
        self.written = False
        self.read = False
        self.cleared = False


class TensorArrayState:
    """The array a TensorArrayV3 (or TensorArrayGradV3) kernel made in one run."""

    __slots__ = (
        "aggregate",
        "clear_after_read",
        "closed",
        "dtype",
        "dynamic_size",
        "element_shape",
        "elements",
        "gradients_disallowed",
        "grads",
        "identical_shapes",
        "name",
        "np_dtype",
    )

    def __init__(
        self,
        name: str,
        dtype,
        size: int,
        element_shape: TensorShape,
        identical_shapes: bool,
        dynamic_size: bool,
        clear_after_read: bool,
        aggregate: bool = False,
    ) -> None:
        self.name = name
        self.dtype = dtypes.as_dtype(dtype)._base
        self.np_dtype = self.dtype.np_dtype
        self.elements = [_Element() for _ in range(size)]
        self.element_shape = element_shape
        self.identical_shapes = identical_shapes
        self.dynamic_size = dynamic_size
        self.clear_after_read = clear_after_read
        self.aggregate = aggregate  # (gradient arrays: writes to one index add up)
        self.closed = False
        self.gradients_disallowed = False
        self.grads: dict[bytes, TensorArrayState] = {}

    def __repr__(self) -> str:
        return f"<TensorArray {self.name} size={len(self.elements)}>"

    def check_open(self) -> None:
        if self.closed:
            raise _invalid(f"TensorArray {self.name} has already been closed.")

    def write(self, index: int, value: np.ndarray) -> None:
        self.check_open()
        n = len(self.elements)
        if index < 0 or (not self.dynamic_size and index >= n):
            raise _invalid(
                f"TensorArray {self.name}: Tried to write to index {index} but array is not "
                f"resizeable and size is: {n}"
            )
        if index >= n:
            self.elements.extend(_Element() for _ in range(index + 1 - n))
        shape = value.shape
        # (a value of the known element shape needs no check: most of a write's time)
        if shape != self.element_shape._dims and not self.element_shape.is_compatible_with(
            TensorShape(shape)
        ):
            raise _invalid(
                f"TensorArray {self.name}: Could not write to TensorArray index {index} because "
                f"the value shape is {_shape_string(shape)} which is incompatible with the "
                f"TensorArray's inferred element shape: {_shape_string(self.element_shape)} "
                "(consider setting infer_shape=False)."
            )
        if self.identical_shapes and not self.element_shape.is_fully_defined():
            self.element_shape = TensorShape(shape)
        e = self.elements[index]
        if e.read:
            raise _invalid(
                f"TensorArray {self.name}: Could not write to TensorArray index {index} because "
                "it has already been read."
            )
        if e.written and not self.aggregate:
            raise _invalid(
                f"TensorArray {self.name}: Could not write to TensorArray index {index} because "
                "it has already been written to."
            )
        if e.written:
            if shape != e.shape:
                raise _invalid(
                    f"TensorArray {self.name}: Could not aggregate to TensorArray index {index} "
                    f"because the existing shape is {_shape_string(e.shape)} but the new input "
                    f"shape is {_shape_string(shape)}."
                )
            if e.value is None:  # (only a shape: zeros)
                e.value = value
                return
            e.value = e.value + value
            self.gradients_disallowed = True
            return
        e.value = value
        e.shape = shape
        e.written = True

    def read(self, index: int) -> np.ndarray:
        self.check_open()
        n = len(self.elements)
        if index < 0 or index >= n:
            raise _invalid(f"Tried to read from index {index} but array size is: {n}")
        e = self.elements[index]
        if not e.written:
            if not self.element_shape.is_fully_defined():
                raise _invalid(
                    f"TensorArray {self.name}: Could not read from TensorArray index {index}.  "
                    "Furthermore, the element shape is not fully defined: "
                    f"{_shape_string(self.element_shape)}.  It is possible you are working "
                    "with a resizeable TensorArray and stop_gradients is not allowing the "
                    "gradients to be written.  If you set the full element_shape property on "
                    "the forward TensorArray, the proper all-zeros tensor will be returned "
                    "instead of incurring this error."
                )
            return np.zeros(self.element_shape.as_list(), self.np_dtype)
        if e.cleared:
            raise _invalid(
                f"TensorArray {self.name}: Could not read index {index} twice because it was "
                "cleared after a previous read (perhaps try setting clear_after_read = false?)."
            )
        value = e.value
        if value is None:
            value = np.zeros(e.shape, self.np_dtype)
        if self.clear_after_read:
            e.value = None
            e.cleared = True
        e.read = True
        return value

    def grad(self, source: bytes, prepend=None) -> TensorArrayState:
        """The gradient array for `source`, made at the first call of this run."""
        self.check_open()
        self.dynamic_size = False  # (as TF: no more growing once gradients are taken)
        g = self.grads.get(source)
        if g is not None:
            return g
        if self.gradients_disallowed:
            raise _invalid(
                f"Unable to create a gradients TensorArray for {self.name}.  Perhaps you used "
                "the multiple_writes_aggregate flag on a previous write?  Gradient calculation "
                "is impossible when multiple writes are performed to the same index."
            )
        element_shape = self.element_shape
        if prepend is not None:
            element_shape = TensorShape(list(prepend)).concatenate(element_shape)
        g = TensorArrayState(
            f"{self.name}@{source.decode('utf-8', 'replace')}",
            self.dtype,
            len(self.elements),
            element_shape,
            self.identical_shapes,
            False,
            True,
            aggregate=True,
        )
        for mine, theirs in zip(g.elements, self.elements):
            if theirs.written:  # (zeros of the forward element's shape until written)
                shape = theirs.shape
                mine.shape = shape if prepend is None else tuple(prepend) + tuple(shape)
                mine.written = True
        self.grads[source] = g
        return g


_INDEX_TYPES = (np.int32, np.int64, int)


def _index(value, what: str = "index") -> int:
    if value.__class__ in _INDEX_TYPES:  # (a loop's counter: no np.ndim, ~0.6 us)
        return int(value)
    if np.ndim(value) != 0:
        raise _invalid(
            f"TensorArray {what} must be scalar, but had shape: {_shape_string(np.shape(value))}"
        )
    return int(value)


def _check_dtype(ta: TensorArrayState, dtype, verb: str) -> None:
    if dtype != ta.dtype:
        raise _invalid(
            f"TensorArray dtype is {_type_string(ta.dtype)} but Op {verb} dtype "
            f"{_type_string(dtype)}."
        )


# -- kernels ------------------------------------------------------------------------------
def _make_tensor_array(node, ctx):
    attrs = node._attrs
    dtype = attrs["dtype"]
    element_shape = attrs.get("element_shape") or TensorShape(None)
    identical = bool(attrs.get("identical_element_shapes", False))
    dynamic = bool(attrs.get("dynamic_size", False))
    clear = bool(attrs.get("clear_after_read", True))
    base = attrs.get("tensor_array_name") or b""
    base = base.decode() if isinstance(base, bytes) else str(base)
    base = base or node._name
    flow = np.float32(0.0)

    def kernel(size):
        if np.ndim(size) != 0:
            raise _invalid(
                f"TensorArray size must be scalar, but had shape: {_shape_string(np.shape(size))}"
            )
        if size < 0:
            raise _invalid("Size should be >= 0.")
        name = f"{base}_{next(_counter)}"
        ta = TensorArrayState(name, dtype, int(size), element_shape, identical, dynamic, clear)
        return ta, flow

    return kernel


def _make_grad(node, ctx):
    source = node._attrs["source"]
    source = source if isinstance(source, bytes) else str(source).encode()

    def kernel(handle, flow):
        return handle.grad(source), flow

    return kernel


def _make_grad_with_shape(node, ctx):
    source = node._attrs["source"]
    source = source if isinstance(source, bytes) else str(source).encode()

    def kernel(handle, flow, shape_to_prepend):
        prepend = [int(d) for d in np.asarray(shape_to_prepend).reshape(-1)]
        return handle.grad(source, prepend), flow

    return kernel


def _write_kernel(handle, index, value, flow):
    i = _index(index)
    if value.dtype != handle.np_dtype:
        raise _invalid(
            f"TensorArray dtype is {_type_string(handle.dtype)} but Op is trying to write "
            f"dtype {_type_string(dtypes.as_dtype(value.dtype))}."
        )
    handle.write(i, value if value.__class__ is np.ndarray else np.asarray(value))
    return flow


def _make_read(node, ctx):
    dtype = node._attrs["dtype"]

    def kernel(handle, index, flow):
        i = _index(index)
        _check_dtype(handle, dtype, "requested")
        return handle.read(i)

    return kernel


def _make_gather(node, ctx):
    dtype = node._attrs["dtype"]
    attr_shape = node._attrs.get("element_shape") or TensorShape(None)

    def kernel(handle, indices, flow):
        _check_dtype(handle, dtype, "requested")
        handle.check_open()
        indices = np.asarray(indices).reshape(-1)
        if indices.size == 0:
            shape = attr_shape
            if shape.is_compatible_with(handle.element_shape):
                shape = shape.merge_with(handle.element_shape)
            if not shape.is_fully_defined():
                raise errors.UnimplementedError(
                    None,
                    None,
                    f"TensorArray has size zero, but element shape {_shape_string(shape)} is "
                    "not fully defined. Currently only static shapes are supported when "
                    "packing zero-size TensorArrays.",
                )
            return np.zeros([0] + shape.as_list(), handle.np_dtype)
        values = [handle.read(int(i)) for i in indices]
        first = values[0].shape
        for k, v in enumerate(values[1:], 1):
            if v.shape != first:
                raise _invalid(
                    "TensorArray has inconsistent shapes.  Index 0 has shape: "
                    f"{_shape_string(first)} but index {k} has shape: {_shape_string(v.shape)}"
                )
        return np.stack(values)

    return kernel


def _scatter_kernel(handle, indices, value, flow):
    if value.dtype != handle.np_dtype:
        raise _invalid(
            f"TensorArray dtype is {_type_string(handle.dtype)} but Op is trying to write "
            f"dtype {_type_string(dtypes.as_dtype(value.dtype))}."
        )
    handle.check_open()
    indices = np.asarray(indices)
    if indices.ndim != 1:
        raise _invalid(f"Expected indices to be a vector, but received shape: {indices.shape}")
    if np.ndim(value) < 1 or value.shape[0] != indices.shape[0]:
        dim0 = value.shape[0] if np.ndim(value) else 0
        raise _invalid(
            f"Expected len(indices) == values.shape[0], but saw: {indices.shape[0]} vs. {dim0}"
        )
    if indices.size:
        top = int(indices.max())
        n = len(handle.elements)
        if not handle.dynamic_size and top >= n:
            raise _invalid(f"Max scatter index must be < array size ({top} vs. {n})")
    for k, i in enumerate(indices):
        handle.write(int(i), value[k])
    return flow


def _make_concat(node, ctx):
    dtype = node._attrs["dtype"]
    except0 = node._attrs.get("element_shape_except0") or TensorShape(None)

    def kernel(handle, flow):
        _check_dtype(handle, dtype, "requested")
        handle.check_open()
        n = len(handle.elements)
        if n == 0:
            if not except0.is_fully_defined():
                raise errors.UnimplementedError(
                    None,
                    None,
                    f"TensorArray has size zero, but element_shape_except0 "
                    f"{_shape_string(except0)} is not fully defined. Currently only static "
                    "shapes are supported when concatenating zero-size TensorArrays.",
                )
            return np.zeros([0] + except0.as_list(), handle.np_dtype), np.zeros(0, np.int64)
        values = [handle.read(i) for i in range(n)]
        rest = None
        for i, v in enumerate(values):
            if v.ndim < 1:
                raise _invalid(
                    f"Concat saw a scalar shape at index {i} but requires at least vectors.  "
                    "Did you mean to call pack?"
                )
            if rest is None:
                rest = v.shape[1:]
            elif v.shape[1:] != rest:
                raise _invalid(
                    "TensorArray has inconsistent shapes.  Index 0 has (excepting dimension 0) "
                    f"shape: {_shape_string(rest)} but index {i} has (excepting dimension 0) "
                    f"shape: {_shape_string(v.shape[1:])}"
                )
        lengths = np.array([v.shape[0] for v in values], np.int64)
        return np.concatenate(values, axis=0), lengths

    return kernel


def _split_kernel(handle, value, lengths, flow):
    if value.dtype != handle.np_dtype:
        raise _invalid(
            f"TensorArray dtype is {_type_string(handle.dtype)} but Op is trying to write "
            f"dtype {_type_string(dtypes.as_dtype(value.dtype))}."
        )
    handle.check_open()
    value = np.asarray(value)
    lengths = np.asarray(lengths)
    if value.ndim < 1:
        raise _invalid(
            f"Expected value to be at least a vector, but received shape: {_shape_string(())}"
        )
    if lengths.ndim != 1:
        raise _invalid(
            f"Expected lengths to be a vector, received shape: {_shape_string(lengths.shape)}"
        )
    total = int(lengths.sum())
    if total != value.shape[0]:
        raise _invalid(
            "Expected sum of lengths to be equal to values.shape[0], but sum of lengths is "
            f"{total} and value's shape is: {_shape_string(value.shape)}"
        )
    n = len(handle.elements)
    if not handle.dynamic_size and n != lengths.shape[0]:
        raise _invalid(
            f"TensorArray's size is not equal to the size of lengths ({n} vs. "
            f"{lengths.shape[0]}), and the TensorArray is not marked as dynamically resizeable"
        )
    start = 0
    for i, length in enumerate(lengths):
        handle.write(i, value[start : start + int(length)])
        start += int(length)
    return flow


def _size_kernel(handle, flow):
    handle.check_open()
    return np.int32(len(handle.elements))


def _close_kernel(handle):
    handle.closed = True
    handle.elements = []
    return ()


# -- shape rules --------------------------------------------------------------------------
def _rank(op, i: int, rank: int) -> None:
    shape = op._inputs[i]._shape
    if shape.ndims is not None and shape.ndims != rank:
        raise shape_error(op, f"Shape must be rank {rank} but is rank {shape.ndims}")


def _handle(op, i: int = 0) -> None:
    shape = op._inputs[i]._shape
    _rank(op, i, 1)
    if shape.ndims == 1 and shape.as_list()[0] not in (None, 2):
        raise shape_error(op, f"Dimension must be 2 but is {shape.as_list()[0]}")


def _tensor_array_shape(op):
    _rank(op, 0, 0)
    return [_HANDLE_SHAPE, TensorShape([])]


def _grad_shape(op):
    _handle(op)
    _rank(op, 1, 0)
    return [_HANDLE_SHAPE, TensorShape([])]


def _grad_with_shape_shape(op):
    _handle(op)
    _rank(op, 1, 0)
    _rank(op, 2, 1)
    return [_HANDLE_SHAPE, TensorShape([])]


def _read_shape(op):
    _handle(op)
    _rank(op, 1, 0)
    _rank(op, 2, 0)
    return [_handle_element_shape(op._inputs[0])]


def _write_shape(op):
    _handle(op)
    _rank(op, 1, 0)
    _rank(op, 3, 0)
    return [TensorShape([])]


def _gather_shape(op):
    _handle(op)
    _rank(op, 1, 1)
    _rank(op, 2, 0)
    indices = op._inputs[1]._shape
    dim0 = indices.as_list()[0] if indices.ndims == 1 else None
    return [TensorShape([dim0]).concatenate(_handle_element_shape(op._inputs[0]))]


_FORWARDING_ROLES = frozenset({"enter", "exit", "switch", "merge", "next_iteration"})


def _handle_element_shape(handle) -> TensorShape:
    """The element shape the array behind `handle` was made with (TF's handle data: the
    TensorArrayV3's element_shape attr, through Identities, loop ops and gradient
    arrays), else unknown."""
    producer = handle._op
    for _ in range(64):
        if producer is None:
            break
        if producer._type == "TensorArrayV3":
            return producer._attrs.get("element_shape") or TensorShape(None)
        d = producer._op_def
        if not (
            producer._type == "TensorArrayGradV3"
            or d.forwards_input
            or d.control_flow in _FORWARDING_ROLES
        ):
            break
        producer = producer._inputs[0]._op if producer._inputs else None
    return TensorShape(None)


def _scatter_shape(op):
    _handle(op)
    _rank(op, 1, 1)
    _rank(op, 3, 0)
    indices, value = op._inputs[1]._shape, op._inputs[2]._shape
    if value.ndims == 0:
        raise shape_error(op, "Shape must be at least rank 1 but is rank 0")
    if indices.ndims == 1 and value.ndims is not None:
        a, b = value.as_list()[0], indices.as_list()[0]
        if a is not None and b is not None and a != b:
            raise shape_error(op, f"Dimensions must be equal, but are {a} and {b}")
    return [TensorShape([])]


def _concat_shape(op):
    _handle(op)
    _rank(op, 1, 0)
    except0 = op._attrs.get("element_shape_except0") or TensorShape(None)
    return [TensorShape([None]).concatenate(except0), TensorShape([None])]


def _split_shape(op):
    _handle(op)
    if op._inputs[1]._shape.ndims == 0:
        raise shape_error(op, "Shape must be at least rank 1 but is rank 0")
    _rank(op, 2, 1)
    _rank(op, 3, 0)
    return [TensorShape([])]


def _size_shape(op):
    _handle(op)
    _rank(op, 1, 0)
    return [TensorShape([])]


def _close_shape(op):
    _handle(op)
    return []


# -- gradients (TF's tensor_array_grad) ---------------------------------------------------
def _grad_source(t) -> str:
    """The `gradients...` prefix of the tf.gradients call that made `t` (or its op)."""
    tokens = t.name.split("/")
    positions = [i for i, x in enumerate(tokens) if x.startswith("gradients")]
    if not positions:
        raise ValueError(
            "Expected op/tensor name to start with gradients (excluding scope)"
            f", got: {t.name}. This means that a tf.gradients op with this op in its "
            "dependency path has a custom name that does not start with 'gradients'. "
            "Please make sure all calls to tf.gradients that have non-empty `name` "
            "arguments use names that start with 'gradients'."
        )
    return "/".join(tokens[: positions[-1] + 1])


def _grad_array(op, dtype, flow, source) -> TensorArray:
    ta = TensorArray(
        dtype=dtype, handle=op.inputs[0], flow=flow, colocate_with_first_write_call=False
    )
    return ta.grad(source=source, flow=flow)


def _barrier(op, flow):
    """TF's write barrier: the incoming flow gradient, after the forward write."""
    flow_out = array_ops.identity(op.outputs[0], "flow_out")
    with get_default_graph().control_dependencies([flow_out]):
        return array_ops.identity(flow, "write_barrier")


def _read_grad(op, grad):
    flow = op.inputs[2]
    g = _grad_array(op, op.get_attr("dtype"), flow, _grad_source(grad))
    return [None, None, g.write(op.inputs[1], grad).flow]


def _write_grad(op, flow):
    source = _grad_source(flow)
    flow = _barrier(op, flow)
    g = _grad_array(op, op.get_attr("T"), flow, source)
    return [None, None, g.read(op.inputs[1]), flow]


def _gather_grad(op, grad):
    flow = op.inputs[2]
    g = _grad_array(op, op.get_attr("dtype"), flow, _grad_source(grad))
    return [None, None, g.scatter(op.inputs[1], grad).flow]


def _scatter_grad(op, flow):
    source = _grad_source(flow)
    flow = _barrier(op, flow)
    g = _grad_array(op, op.get_attr("T"), flow, source)
    return [None, None, g.gather(op.inputs[1]), flow]


def _concat_grad(op, grad, unused_lengths_grad=None):
    flow = op.inputs[1]
    g = _grad_array(op, op.get_attr("dtype"), flow, _grad_source(grad))
    return [None, g.split(grad, lengths=op.outputs[1]).flow]


def _split_grad(op, flow):
    source = _grad_source(flow)
    flow = _barrier(op, flow)
    g = _grad_array(op, op.get_attr("T"), flow, source)
    return [None, g.concat(), None, flow]


# -- registrations ------------------------------------------------------------------------
register_op(
    "TensorArrayV3",
    inputs=["size: int32"],
    outputs=["handle: resource", "flow: float"],
    attrs=[
        "dtype: type",
        "element_shape: shape = unknown",
        "dynamic_size: bool = false",
        "clear_after_read: bool = true",
        "identical_element_shapes: bool = false",
        "tensor_array_name: string = ''",
    ],
    shape=_tensor_array_shape,
    make_kernel=_make_tensor_array,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)
register_op(
    "TensorArrayGradV3",
    inputs=["handle: resource", "flow_in: float"],
    outputs=["grad_handle: resource", "flow_out: float"],
    attrs=["source: string"],
    shape=_grad_shape,
    make_kernel=_make_grad,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)
register_op(
    "TensorArrayGradWithShape",
    inputs=["handle: resource", "flow_in: float", "shape_to_prepend: int32"],
    outputs=["grad_handle: resource", "flow_out: float"],
    attrs=["source: string"],
    shape=_grad_with_shape_shape,
    make_kernel=_make_grad_with_shape,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)
register_op(
    "TensorArrayWriteV3",
    inputs=["handle: resource", "index: int32", "value: T", "flow_in: float"],
    outputs=["flow_out: float"],
    attrs=["T: type"],
    shape=_write_shape,
    kernel=_write_kernel,
    grad=_write_grad,
    stateful=True,
)
register_op(
    "TensorArrayReadV3",
    inputs=["handle: resource", "index: int32", "flow_in: float"],
    outputs=["value: dtype"],
    attrs=["dtype: type"],
    shape=_read_shape,
    make_kernel=_make_read,
    grad=_read_grad,
    stateful=True,
)
register_op(
    "TensorArrayGatherV3",
    inputs=["handle: resource", "indices: int32", "flow_in: float"],
    outputs=["value: dtype"],
    attrs=["dtype: type", "element_shape: shape = unknown"],
    shape=_gather_shape,
    make_kernel=_make_gather,
    grad=_gather_grad,
    stateful=True,
)
register_op(
    "TensorArrayScatterV3",
    inputs=["handle: resource", "indices: int32", "value: T", "flow_in: float"],
    outputs=["flow_out: float"],
    attrs=["T: type"],
    shape=_scatter_shape,
    kernel=_scatter_kernel,
    grad=_scatter_grad,
    stateful=True,
)
register_op(
    "TensorArrayConcatV3",
    inputs=["handle: resource", "flow_in: float"],
    outputs=["value: dtype", "lengths: int64"],
    attrs=["dtype: type", "element_shape_except0: shape = unknown"],
    shape=_concat_shape,
    make_kernel=_make_concat,
    grad=_concat_grad,
    stateful=True,
)
register_op(
    "TensorArraySplitV3",
    inputs=["handle: resource", "value: T", "lengths: int64", "flow_in: float"],
    outputs=["flow_out: float"],
    attrs=["T: type"],
    shape=_split_shape,
    kernel=_split_kernel,
    grad=_split_grad,
    stateful=True,
)
register_op(
    "TensorArraySizeV3",
    inputs=["handle: resource", "flow_in: float"],
    outputs=["size: int32"],
    shape=_size_shape,
    kernel=_size_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)
register_op(
    "TensorArrayCloseV3",
    inputs=["handle: resource"],
    shape=_close_shape,
    kernel=_close_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


# -- tf.TensorArray -----------------------------------------------------------------------
class TensorArray:
    """A list of tensors written and read inside a graph (TF1's graph-mode TensorArray).

    Each write (`write`, `scatter`, `unstack`, `split`) returns a new TensorArray sharing
    the handle with a new `flow`; use the returned object for later reads so they run
    after the writes. Inside `tf.while_loop` a TensorArray may be a loop variable (its
    flow is the loop variable; the handle enters the loop unchanged).
    """

    def __init__(
        self,
        dtype,
        size=None,
        dynamic_size=None,
        clear_after_read=None,
        tensor_array_name=None,
        handle=None,
        flow=None,
        infer_shape=True,
        element_shape=None,
        colocate_with_first_write_call=True,
        name=None,
    ) -> None:
        if handle is not None and tensor_array_name:
            raise ValueError(
                "Cannot provide both `handle` and `tensor_array_name` arguments at the same time."
            )
        if handle is not None and not isinstance(handle, Tensor):
            raise TypeError(
                f"Expected `handle` to be a Tensor, but got `{handle}` of type "
                f"`{type(handle)}` instead."
            )
        if handle is None and size is None:
            raise ValueError("Argument `size` must be provided if handle is not provided.")
        for arg, value in (
            ("size", size),
            ("element_shape", element_shape),
            ("dynamic_size", dynamic_size),
            ("clear_after_read", clear_after_read),
        ):
            if handle is not None and value is not None:
                what = "a `handle` and `size` arguments" if arg == "size" else None
                raise ValueError(
                    f"Cannot provide both {what} at the same time."
                    if what
                    else f"Cannot provide both `handle` and `{arg}` arguments at the same time."
                )
        if clear_after_read is None:
            clear_after_read = True
        self._dynamic_size = dynamic_size or False
        self._dtype = dtypes.as_dtype(dtype)._base
        self._colocate_with_first_write_call = colocate_with_first_write_call
        self._colocate_with: list | None = [] if colocate_with_first_write_call else None
        self._element_shape = [as_shape(element_shape)]
        self._infer_shape = infer_shape
        self._size = size
        g = get_default_graph()
        with g.name_scope(name or "TensorArray") as scope:
            if handle is not None:
                if flow is None:
                    raise ValueError("flow must not be None if handle is not None.")
                self._handle, self._flow = handle, flow
                return
            attrs = {
                "dtype": self._dtype,
                "element_shape": as_shape(element_shape),
                "identical_element_shapes": bool(infer_shape),
                "dynamic_size": bool(self._dynamic_size),
                "clear_after_read": bool(clear_after_read),
                "tensor_array_name": (tensor_array_name or "").encode(),
            }
            if colocate_with_first_write_call:
                with g.device(None), g.colocate_with(None, ignore_existing=True):
                    op = apply_op("TensorArrayV3", scope, [size], attrs)
            else:
                op = apply_op("TensorArrayV3", scope, [size], attrs)
            self._handle, self._flow = op.outputs

    @property
    def flow(self) -> Tensor:
        """The flow tensor ordering this array's reads after its writes."""
        return self._flow

    @property
    def dtype(self):
        return self._dtype

    @property
    def handle(self) -> Tensor:
        return self._handle

    @property
    def element_shape(self) -> TensorShape:
        return self._element_shape[0]

    @property
    def _type_spec(self) -> TensorArraySpec:
        return TensorArraySpec.from_value(self)

    @property
    def dynamic_size(self) -> bool:
        return self._dynamic_size

    def _check_element_shape(self, shape: TensorShape) -> None:
        if not shape.is_compatible_with(self.element_shape):
            raise ValueError(f"Inconsistent shapes: saw {shape} but expected {self.element_shape} ")
        if self._infer_shape:
            self._element_shape[0] = self.element_shape.merge_with(shape)

    @contextlib.contextmanager
    def _maybe_colocate_with(self, value):
        if not self._colocate_with_first_write_call:
            yield
            return
        if not self._colocate_with:
            self._colocate_with.append(value)
        with get_default_graph().colocate_with(self._colocate_with[0]):
            yield

    def identity(self) -> TensorArray:
        """This array with a new flow (an Identity of the current one)."""
        return build_ta_with_new_flow(self, array_ops.identity(self._flow))

    def grad(self, source, flow=None, name=None) -> TensorArray:
        """The gradient array of this array for the gradient call `source`."""
        if flow is None:
            flow = self.flow
        g = get_default_graph()
        with g.name_scope(name or "TensorArrayGrad"):
            with g.colocate_with(self._handle):
                src = source.encode() if isinstance(source, str) else source
                grad_op = apply_op("TensorArrayGradV3", name, [self._handle, flow], {"source": src})
                g_handle = grad_op.outputs[0]
                with g.control_dependencies([g_handle]):
                    flow = array_ops.identity(flow, name="gradient_flow")
                ta = TensorArray(
                    dtype=self._dtype,
                    handle=g_handle,
                    flow=flow,
                    infer_shape=self._infer_shape,
                    colocate_with_first_write_call=False,
                )
                ta._element_shape = self._element_shape
                return ta

    def read(self, index, name=None) -> Tensor:
        """The element at `index` (a scalar int32)."""
        value = op_output(
            "TensorArrayReadV3", name, [self._handle, index, self._flow], {"dtype": self._dtype}
        )
        if self._element_shape:
            value.set_shape(self._element_shape[0])
        return value

    def write(self, index, value, name=None) -> TensorArray:
        """Writes `value` at `index`; returns the array with the write's flow."""
        g = get_default_graph()
        with g.name_scope(name or "TensorArrayWrite"):
            value = convert_to_tensor(value, preferred_dtype=self._dtype, name="value")
            _check_dtypes(value, self._dtype)
            self._check_element_shape(value.shape)
            with self._maybe_colocate_with(value):
                flow_out = op_output(
                    "TensorArrayWriteV3", name, [self._handle, index, value, self._flow]
                )
            return build_ta_with_new_flow(self, flow_out)

    def stack(self, name=None) -> Tensor:
        """All elements stacked along a new first dimension."""
        g = get_default_graph()
        with g.colocate_with(self._handle):
            with g.name_scope(name or "TensorArrayStack"):
                value = self.gather(math_ops.range(0, self.size()), name=name)
                if self.element_shape and not self._dynamic_size and self._size is not None:
                    n = _static_int(self._size)
                    value.set_shape(TensorShape([n]).concatenate(self.element_shape))
                return value

    def gather(self, indices, name=None) -> Tensor:
        """The elements at `indices`, stacked."""
        value = op_output(
            "TensorArrayGatherV3",
            name,
            [self._handle, indices, self._flow],
            {"dtype": self._dtype, "element_shape": self._element_shape[0]},
        )
        if self.element_shape:
            value.set_shape(TensorShape([None]).concatenate(self.element_shape))
        return value

    def concat(self, name=None) -> Tensor:
        """All elements concatenated along their first dimension."""
        op = apply_op(
            "TensorArrayConcatV3",
            name,
            [self._handle, self._flow],
            {"dtype": self._dtype, "element_shape_except0": self.element_shape[1:]},
        )
        value = op.outputs[0]
        if self.element_shape:
            dim0 = None
            if self._infer_shape:
                size = constant_value(self.size())
                first = self.element_shape.as_list()[0]
                if size is not None and first is not None:
                    dim0 = int(size) * first
            value.set_shape(TensorShape([dim0]).concatenate(self.element_shape[1:]))
        return value

    def unstack(self, value, name=None) -> TensorArray:
        """Writes `value[i]` at index i for every i."""
        g = get_default_graph()
        with g.name_scope(name or "TensorArrayUnstack"):
            num_elements = array_ops.shape(value)[0]
            return self.scatter(math_ops.range(0, num_elements), value, name=name)

    def scatter(self, indices, value, name=None) -> TensorArray:
        """Writes `value[i]` at `indices[i]`."""
        g = get_default_graph()
        with g.name_scope(name or "TensorArrayScatter"):
            value = convert_to_tensor(value, preferred_dtype=self._dtype, name="value")
            _check_dtypes(value, self._dtype)
            self._check_element_shape(value.shape[1:])
            with self._maybe_colocate_with(value):
                flow_out = op_output(
                    "TensorArrayScatterV3", name, [self._handle, indices, value, self._flow]
                )
            return build_ta_with_new_flow(self, flow_out)

    def split(self, value, lengths, name=None) -> TensorArray:
        """Splits `value` along its first dimension into pieces of `lengths`."""
        g = get_default_graph()
        with g.name_scope(name or "TensorArraySplit"):
            value = convert_to_tensor(value, dtype=self._dtype, name="value")
            with self._maybe_colocate_with(value):
                lengths_64 = array_ops.cast(lengths, dtypes.int64)
                clengths = constant_value(lengths_64)
                if value.shape.ndims is not None and clengths is not None:
                    clengths = np.asarray(clengths)
                    if clengths.shape and clengths.size and clengths.max() == clengths.min():
                        self._check_element_shape(
                            TensorShape([int(clengths[0])]).concatenate(value.shape[1:])
                        )
                flow_out = op_output(
                    "TensorArraySplitV3", name, [self._handle, value, lengths_64, self._flow]
                )
            return build_ta_with_new_flow(self, flow_out)

    def size(self, name=None) -> Tensor:
        """The number of elements (a constant when the size is fixed)."""
        if not self._dynamic_size and self._size is not None:
            return convert_to_tensor(self._size, dtype=dtypes.int32)
        return op_output("TensorArraySizeV3", name, [self._handle, self.flow])

    def close(self, name=None):
        """Closes the array (an op to run)."""
        return apply_op("TensorArrayCloseV3", name, [self._handle])


def _check_dtypes(value: Tensor, dtype) -> None:
    """As TF: a value of another dtype is logged as an error here; the kernel rejects it."""
    if value.dtype._base is not dtype:
        logging.getLogger("tfgraph").error(
            "Error: Input value %s has dtype %s, but expected dtype %s.  This leads to "
            "undefined behavior and will be an error in future versions of TensorFlow.  "
            "Traceback:\n%s",
            value,
            value.dtype,
            dtype,
            "".join(traceback.format_stack()),
        )


def _static_int(value) -> int | None:
    """A size's value when known at graph-construction time (no op is made)."""
    if isinstance(value, Tensor):
        value = constant_value(value)
    return None if value is None else int(np.asarray(value))


def build_ta_with_new_flow(old: TensorArray, flow: Tensor) -> TensorArray:
    """`old` with `flow` as its flow (same handle, shared element shape)."""
    ta = TensorArray(
        dtype=old.dtype,
        handle=old.handle,
        flow=flow,
        infer_shape=old._infer_shape,
        colocate_with_first_write_call=old._colocate_with_first_write_call,
    )
    ta._dynamic_size = old._dynamic_size
    ta._size = old._size
    ta._colocate_with = old._colocate_with
    ta._element_shape = old._element_shape
    return ta


class TensorArraySpec(TypeSpec):
    """The type of a `TensorArray`: its elements' shape and dtype, whether it grows, and
    whether it infers its element shape from writes."""

    __slots__ = ("_dtype", "_dynamic_size", "_element_shape", "_infer_shape")

    def __init__(
        self, element_shape=None, dtype=dtypes.float32, dynamic_size=False, infer_shape=True
    ):
        self._element_shape = as_shape(element_shape)
        self._dtype = dtypes.as_dtype(dtype)._base
        self._dynamic_size = dynamic_size
        self._infer_shape = infer_shape

    @property
    def value_type(self):
        return TensorArray

    def _serialize(self) -> tuple:
        return (self._element_shape, self._dtype, self._dynamic_size, self._infer_shape)

    def is_subtype_of(self, other) -> bool:
        # (as TF's: the element shape and shape inference do not take part)
        return (
            isinstance(other, TensorArraySpec)
            and self._dtype == other._dtype
            and self._dynamic_size == other._dynamic_size
        )

    def most_specific_common_supertype(self, others):
        others = list(others)
        if not all(isinstance(o, TensorArraySpec) for o in others):
            return None
        if any(
            (o._dtype, o._dynamic_size, o._infer_shape)
            != (self._dtype, self._dynamic_size, self._infer_shape)
            for o in others
        ):
            return None
        # (TF's own returns this spec's shape unchanged: it reads its generator of the
        # others' shapes twice; here the shape is the common one)
        shape = self._element_shape
        for o in others:
            shape = _common_shape(shape, o._element_shape)
        return TensorArraySpec(shape, self._dtype, self._dynamic_size, self._infer_shape)

    @staticmethod
    def from_value(value) -> TensorArraySpec:
        if not isinstance(value, TensorArray):
            raise TypeError(f"Expected value to be a TensorArray, but got: `{type(value)}`")
        return TensorArraySpec(
            value.element_shape, value.dtype, value.dynamic_size, value._infer_shape
        )


def _common_shape(a: TensorShape, b: TensorShape) -> TensorShape:
    if a.rank is None or b.rank is None or a.rank != b.rank:
        return TensorShape(None)
    return TensorShape([x if x == y else None for x, y in zip(a.as_list(), b.as_list())])

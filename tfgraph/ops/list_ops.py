"""TensorList ops: the `variant` lists TF2's TensorArrays are made of (what v2
`while_loop`s and `tf.map_fn` leave in `tf.function` graphs).

A list value is a `TensorListValue`: its items (None for an element never set), their
dtype and the element shape it was made with. Lists are values: every op that changes
one returns a new list and leaves its input as it was. An `element_shape` input is an
int tensor: -1 for an unknown rank, else one entry per dimension (-1 unknown).
Reading an element never set gives zeros when the element shape is fully known, as in
TF. Gradients are TF's (list_ops.py): a list's gradient is a list of its elements'
gradients (an element never set has none); `ZerosLike` and `AddN` take lists too.
"""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops
from tfgraph.ops.apply import apply_op
from tfgraph.ops.common_shapes import constant_value_as_shape, shape_error

__all__ = ["TensorListValue"]


class TensorListValue:
    """A TensorList's value: items (None = never set), dtype, element shape."""

    __slots__ = ("dtype", "element_shape", "items", "max_num_elements")

    def __init__(self, items: list, dtype, element_shape, max_num_elements: int = -1) -> None:
        self.items = items
        self.dtype = dtype
        self.element_shape = element_shape  # None (unknown rank) or tuple, -1 = unknown
        self.max_num_elements = max_num_elements

    def with_items(self, items: list) -> TensorListValue:
        return TensorListValue(items, self.dtype, self.element_shape, self.max_num_elements)

    def zeros_like(self) -> TensorListValue:
        """TF's ZerosLike of a list: zeros for every set element (unset ones stay unset)."""
        return self.with_items([None if v is None else np.zeros_like(v) for v in self.items])

    def __add__(self, other: TensorListValue) -> TensorListValue:
        """TF's AddN of two lists: element by element (an unset element adds nothing)."""
        if not isinstance(other, TensorListValue):
            return NotImplemented
        if other.dtype._base is not self.dtype._base:
            raise errors.InvalidArgumentError(
                None,
                None,
                "Trying to add two lists of tensors of different dtypes. One is "
                f"{self.dtype.name} and the other is {other.dtype.name}",
            )
        if len(other.items) != len(self.items):
            raise errors.InvalidArgumentError(
                None,
                None,
                "Trying to add two lists of tensors with different lengths. One is "
                f"{len(self.items)} and the other is {len(other.items)}",
            )
        items = [
            b if a is None else a if b is None else np.add(a, b)
            for a, b in zip(self.items, other.items)
        ]
        shape = _merge(self.element_shape, other.element_shape, "adding two lists")
        return TensorListValue(items, self.dtype, shape, self.max_num_elements)


def _shape_of(value) -> tuple | None:
    a = np.asarray(value).reshape(-1) if np.ndim(value) else np.asarray(value)
    if a.ndim == 0:
        if int(a) != -1:
            raise ValueError(f"element_shape must be -1 or a vector; got {int(a)}")
        return None
    return tuple(int(d) for d in a)


def _merge(a: tuple | None, b: tuple | None, what: str) -> tuple | None:
    if a is None:
        return b
    if b is None:
        return a
    if len(a) != len(b):
        raise errors.InvalidArgumentError(
            None, None, f"Incompatible ranks during merge: {len(a)} vs. {len(b)} ({what})"
        )
    out = []
    for x, y in zip(a, b):
        if x != -1 and y != -1 and x != y:
            raise errors.InvalidArgumentError(
                None, None, f"Incompatible shapes during merge: {list(a)} vs. {list(b)} ({what})"
            )
        out.append(x if x != -1 else y)
    return tuple(out)


def _fmt(shape) -> str:
    """A partial shape as TF prints it: [?,2], or <unknown>."""
    if shape is None:
        return "<unknown>"
    return "[" + ",".join("?" if d == -1 else str(d) for d in shape) + "]"


def _check_compatible(shape: tuple | None, tail: tuple) -> None:
    """InvalidArgumentError unless elements shaped `tail` fit the list's `shape`."""
    if shape is None:
        return
    if len(shape) != len(tail) or any(d not in (-1, t) for d, t in zip(shape, tail)):
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Specified a list with shape {_fmt(shape)} from a tensor with shape {_fmt(tail)}",
        )


def _item(lst: TensorListValue, i: int, element_shape) -> np.ndarray:
    v = lst.items[i]
    if v is not None:
        return v
    shape = _merge(lst.element_shape, element_shape, "reading an unset element")
    if shape is None or -1 in shape:
        raise errors.InvalidArgumentError(
            None,
            None,
            "Trying to read an uninitialized tensor but element_shape is not fully defined: "
            f"{'<unknown>' if shape is None else list(shape)} and no list element is set.",
        )
    return np.zeros(shape, lst.dtype.np_dtype)


def _check_index(lst: TensorListValue, i: int, what: str) -> None:
    if i < 0 or i >= len(lst.items):
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Trying to {what} element {i} in a list with {len(lst.items)} elements.",
        )


def _check_dtype(lst: TensorListValue, node) -> None:
    want = node._attrs["element_dtype"]
    if lst.dtype._base is not want._base:
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Invalid data types; op elements {want.name} but list elements {lst.dtype.name}",
        )


def _stack(lst: TensorListValue, element_shape, dtype) -> np.ndarray:
    if not lst.items:
        shape = _merge(lst.element_shape, element_shape, "stacking an empty list")
        if shape is None or -1 in shape:
            raise errors.InvalidArgumentError(
                None,
                None,
                "Tried to stack elements of an empty list with non-fully-defined "
                f"element_shape: {'<unknown>' if shape is None else list(shape)}",
            )
        return np.zeros((0, *shape), dtype.np_dtype)
    known = next((v for v in lst.items if v is not None), None)
    fill = element_shape if known is None else np.shape(known)
    fill = None if fill is None else tuple(fill)
    return np.stack([_item(lst, i, fill) for i in range(len(lst.items))])


# -- kernels ---------------------------------------------------------------------------


def _empty_kernel(node, ctx):
    dtype = node._attrs["element_dtype"]

    def kernel(element_shape, max_num_elements):
        return TensorListValue([], dtype, _shape_of(element_shape), int(max_num_elements))

    return kernel


def _reserve_kernel(node, ctx):
    dtype = node._attrs["element_dtype"]

    def kernel(element_shape, num_elements):
        n = int(num_elements)
        if n < 0:
            raise errors.InvalidArgumentError(
                None, None, f"The num_elements to reserve must be a non negative number, got {n}"
            )
        return TensorListValue([None] * n, dtype, _shape_of(element_shape))

    return kernel


def _from_tensor_kernel(node, ctx):
    dtype = node._attrs["element_dtype"]

    def kernel(tensor, element_shape):
        t = np.asarray(tensor)
        if t.ndim == 0:
            raise errors.InvalidArgumentError(
                None, None, "Tensor must be at least a vector, but saw shape: []"
            )
        shape = _shape_of(element_shape)
        _check_compatible(shape, t.shape[1:])
        return TensorListValue([t[i] for i in range(t.shape[0])], dtype, shape)

    return kernel


def _get_item_kernel(node, ctx):
    def kernel(handle, index, element_shape):
        _check_dtype(handle, node)
        i = int(index)
        _check_index(handle, i, "access")
        return _item(handle, i, _shape_of(element_shape))

    return kernel


def _set_item_kernel(node, ctx):
    resize = node._attrs["resize_if_index_out_of_bounds"]

    def kernel(handle, index, item):
        _check_dtype(handle, node)
        i = int(index)
        items = list(handle.items)
        if resize and i >= len(items):
            items.extend([None] * (i + 1 - len(items)))
        _check_index(handle.with_items(items), i, "modify")
        items[i] = np.asarray(item)
        return handle.with_items(items)

    return kernel


def _stack_kernel(node, ctx):
    n = node._attrs["num_elements"]
    dtype = node._attrs["element_dtype"]

    def kernel(handle, element_shape):
        _check_dtype(handle, node)
        if n != -1 and len(handle.items) != n:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Operation expected a list with {n} elements but got a list with "
                f"{len(handle.items)} elements.",
            )
        return _stack(handle, _shape_of(element_shape), dtype)

    return kernel


def _push_back_kernel(node, ctx):
    def kernel(handle, tensor):
        _check_dtype(handle, node)
        if handle.max_num_elements != -1 and len(handle.items) >= handle.max_num_elements:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Tried to push item into a full list list size: {len(handle.items)}, max_num_"
                f"elements: {handle.max_num_elements}",
            )
        return handle.with_items([*handle.items, np.asarray(tensor)])

    return kernel


def _pop_back_kernel(node, ctx):
    def kernel(handle, element_shape):
        _check_dtype(handle, node)
        if not handle.items:
            raise errors.InvalidArgumentError(None, None, "Trying to pop from an empty list.")
        last = _item(handle, len(handle.items) - 1, _shape_of(element_shape))
        return handle.with_items(handle.items[:-1]), last

    return kernel


def _element_shape_kernel(node, ctx):
    np_type = node._attrs["shape_type"].np_dtype

    def kernel(handle):
        s = handle.element_shape
        return np.array(-1 if s is None else list(s), np_type)

    return kernel


def _gather_kernel(node, ctx):
    dtype = node._attrs["element_dtype"]

    def kernel(handle, indices, element_shape):
        _check_dtype(handle, node)
        idx = [int(i) for i in np.asarray(indices).reshape(-1)]
        for i in idx:
            _check_index(handle, i, "access")
        picked = handle.with_items([handle.items[i] for i in idx])
        return _stack(picked, _shape_of(element_shape), dtype)

    return kernel


def _resize_kernel(node, ctx):
    def kernel(handle, size):
        n = int(size)
        if n < 0:
            raise errors.InvalidArgumentError(
                None, None, f"TensorListSlice expects size to be non-negative. Got: {n}"
            )
        items = list(handle.items[:n]) + [None] * max(0, n - len(handle.items))
        return handle.with_items(items)

    return kernel


def _scatter_existing_kernel(node, ctx):
    def kernel(handle, tensor, indices):
        _check_dtype(handle, node)
        t = np.asarray(tensor)
        idx = [int(i) for i in np.asarray(indices).reshape(-1)]
        if t.ndim == 0 or t.shape[0] != len(idx):
            raise errors.InvalidArgumentError(
                None,
                None,
                "Specified a list with shape ... from a tensor with shape "
                f"{list(t.shape)} and {len(idx)} indices: they must match",
            )
        items = list(handle.items)
        for k, i in enumerate(idx):
            if i < 0:
                raise errors.InvalidArgumentError(None, None, f"Indices must be >= 0: {i}")
            if i >= len(items):
                items.extend([None] * (i + 1 - len(items)))
            items[i] = t[k]
        return handle.with_items(items)

    return kernel


def _scatter_kernel(node, ctx):
    """TensorListScatter(V2): a new list with `tensor`'s rows at `indices` (a later
    repeat wins); V2's `num_elements` sets its length (-1: the highest index + 1)."""
    dtype = node._attrs["element_dtype"]

    def kernel(tensor, indices, element_shape, num_elements=-1):
        t = np.asarray(tensor)
        if t.ndim == 0:
            raise errors.InvalidArgumentError(
                None, None, "Tensor must be at least a vector, but saw shape: []"
            )
        shape = _shape_of(element_shape)
        _check_compatible(shape, t.shape[1:])
        idx = [int(i) for i in np.asarray(indices).reshape(-1)]
        if len(idx) != t.shape[0]:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Invalid number of rows in input tensor. Expected: {len(idx)} "
                f"Actual: {t.shape[0]}",
            )
        if any(i < 0 for i in idx):
            raise errors.InvalidArgumentError(
                None, None, "Indices in TensorListScatter must all be non-negative."
            )
        size = max(idx, default=-1) + 1 if int(num_elements) == -1 else int(num_elements)
        items: list = [None] * size
        for k, i in enumerate(idx):
            if i >= size:
                raise errors.InvalidArgumentError(
                    None,
                    None,
                    f"TensorListScatter: Trying to scatter at index {i} in list with size {size}",
                )
            items[i] = t[k]
        return TensorListValue(items, dtype, shape)

    return kernel


def _split_kernel(node, ctx):
    """TensorListSplit: `tensor` cut along its first axis into pieces of `lengths`."""
    dtype = node._attrs["element_dtype"]

    def kernel(tensor, element_shape, lengths):
        t = np.asarray(tensor)
        if t.ndim == 0:
            raise errors.InvalidArgumentError(
                None, None, "Tensor must be at least a vector, but saw shape: []"
            )
        shape = _shape_of(element_shape)
        if shape is not None:
            if not shape:
                raise errors.InvalidArgumentError(
                    None, None, "TensorListSplit requires element_shape to be at least of rank 1"
                )
            _check_compatible(shape[1:], t.shape[1:])
        items, start = [], 0
        for n in (int(v) for v in np.asarray(lengths).reshape(-1)):
            if n < 0:
                raise errors.InvalidArgumentError(None, None, f"Invalid value in lengths: {n}")
            if start + n > t.shape[0]:
                raise errors.InvalidArgumentError(
                    None,
                    None,
                    f"Attempting to slice [{start}, {start + n}] from tensor with length "
                    f"{t.shape[0]}",
                )
            items.append(t[start : start + n])
            start += n
        if start != t.shape[0]:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Unused values in tensor. Length of tensor: {t.shape[0]} Values used: {start}",
            )
        return TensorListValue(items, dtype, shape)

    return kernel


def _concat_tail(lst: TensorListValue, shape: tuple | None) -> tuple | None:
    """The elements' shape past the first axis, merged over every set element."""
    tail = None if shape is None else shape[1:]
    for i, v in enumerate(lst.items):
        if v is None:
            continue
        if np.ndim(v) == 0:
            raise errors.InvalidArgumentError(
                None, None, f"Concat saw a scalar shape at index {i} but requires at least vectors."
            )
        tail = _merge(tail, np.shape(v)[1:], "TensorListConcat")
    return tail


def _concat(lst: TensorListValue, given, leading_dims, dtype):
    shape = _merge(lst.element_shape, given, "TensorListConcat")
    tail = _concat_tail(lst, shape)
    if tail is None or -1 in tail:
        what = "concating an empty tensor list" if not lst.items else "an element is not set"
        raise errors.InvalidArgumentError(
            None,
            None,
            f"All except the first dimension must be fully defined when {what}. "
            f"element_shape: {_fmt(shape if tail is None else (-1, *tail))}",
        )
    known = next((v for v in lst.items if v is not None), None)
    first = shape[0] if shape is not None and shape[0] != -1 else None
    if first is None and known is not None:
        first = np.shape(known)[0]
    leading = [int(d) for d in np.asarray(leading_dims).reshape(-1)]
    parts, lengths = [], []
    for i, v in enumerate(lst.items):
        if v is None:
            n = leading[i] if len(leading) == len(lst.items) else first
            if n is None:
                raise errors.InvalidArgumentError(
                    None,
                    None,
                    f"Trying to concat an unset element {i} whose length is unknown: give "
                    "leading_dims or a list element_shape with a known first dimension",
                )
            v = np.zeros((n, *tail), dtype.np_dtype)
        parts.append(v)
        lengths.append(np.shape(v)[0])
    tensor = np.concatenate(parts) if parts else np.zeros((0, *tail), dtype.np_dtype)
    return tensor, np.array(lengths, np.int64)


def _concat_v2_kernel(node, ctx):
    dtype = node._attrs["element_dtype"]

    def kernel(handle, element_shape, leading_dims):
        _check_dtype(handle, node)
        return _concat(handle, _shape_of(element_shape), leading_dims, dtype)

    return kernel


def _concat_v1_kernel(node, ctx):
    dtype = node._attrs["element_dtype"]
    attr = TensorShape(node._attrs["element_shape"])
    given = None if attr.ndims is None else tuple(-1 if d is None else d for d in attr.as_list())

    def kernel(handle):
        _check_dtype(handle, node)
        return _concat(handle, given, [], dtype)

    return kernel


# -- shapes ----------------------------------------------------------------------------


def _concat_lists_kernel(node, ctx):
    def kernel(input_a, input_b):
        a, b = array_ops.variant_array(input_a), array_ops.variant_array(input_b)
        if a.shape != b.shape:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Incompatible input TensorList tensor shapes: {_fmt(a.shape)} vs. {_fmt(b.shape)}",
            )
        want = node._attrs["element_dtype"]
        out = np.empty(a.shape, dtype=object)
        for i, (la, lb) in enumerate(zip(a.flat, b.flat)):
            for side, lst in (("input_a", la), ("input_b", lb)):
                if lst.dtype._base is not want._base:
                    raise errors.InvalidArgumentError(
                        None,
                        None,
                        f"{side}[{i}].dtype != element_dtype.  Saw: "
                        f"{dtypes.cpp_name(lst.dtype)} vs. {dtypes.cpp_name(want)}",
                    )
            shape = _merge(la.element_shape, lb.element_shape, f"input_a[{i}] and input_b[{i}]")
            out.flat[i] = TensorListValue(la.items + lb.items, la.dtype, shape, la.max_num_elements)
        return out if out.ndim else out[()]

    return kernel


def _push_back_batch_kernel(node, ctx):
    def kernel(input_handles, tensor):
        handles = array_ops.variant_array(input_handles)  # (a batch of lists)
        if handles.ndim != 1:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Expected input_handles to be a vector, but saw shape: {_fmt(handles.shape)}",
            )
        tensor = np.asarray(tensor)
        if tensor.ndim < 1 or tensor.shape[0] != handles.shape[0]:
            saw = tensor.shape[0] if tensor.ndim else 0
            raise errors.InvalidArgumentError(
                None,
                None,
                "Expected tensor.shape[0] == input_handles.size, but saw "
                f"{saw} vs. {handles.shape[0]}",
            )
        out = np.empty(handles.shape, dtype=object)
        for i, lst in enumerate(handles):
            out[i] = _pushed(node, lst, tensor[i], i)
        return out

    return kernel


def _pushed(node, lst: TensorListValue, item: np.ndarray, i: int) -> TensorListValue:
    """`lst` with `item` appended (list `i` of a TensorListPushBackBatch)."""
    want = node._attrs["element_dtype"]
    if lst.dtype._base is not want._base:
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Invalid data type at index {i}; op elements {dtypes.cpp_name(want)} but list "
            f"elements {dtypes.cpp_name(lst.dtype)}",
        )
    shape = lst.element_shape
    if shape is not None and (
        len(shape) != item.ndim or any(d not in (-1, t) for d, t in zip(shape, item.shape))
    ):
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Tried to append a tensor with incompatible shape to a list at index {i}. Op "
            f"element shape: {_fmt(item.shape)} list shape: {_fmt(shape)}",
        )
    if lst.max_num_elements != -1 and len(lst.items) >= lst.max_num_elements:
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Tried to push item into a full list at index {i} list size: {len(lst.items)}, "
            f"max_num_elements: {lst.max_num_elements}",
        )
    return lst.with_items([*lst.items, item.copy()])


def _concat_lists_shape(node):
    a, b = node._inputs[0]._shape, node._inputs[1]._shape
    if a.ndims is None or b.ndims is None:
        return [a if b.ndims is None else b]
    if a.ndims != b.ndims:
        raise shape_error(node, f"Shapes must be equal rank, but are {a.ndims} and {b.ndims}")
    da = [-1 if d is None else d for d in a.as_list()]
    db = [-1 if d is None else d for d in b.as_list()]
    dims = []
    for i, (x, y) in enumerate(zip(a.as_list(), b.as_list())):
        if x is not None and y is not None and x != y:
            raise shape_error(
                node,
                f"Dimension {i} in both shapes must be equal, but are {x} and {y}. Shapes are "
                f"{_fmt(da)} and {_fmt(db)}.",
            )
        dims.append(x if x is not None else y)
    return [TensorShape(dims)]


def _push_back_batch_shape(node):
    handles, tensor = node._inputs[0]._shape, node._inputs[1]._shape
    if handles.ndims is not None and handles.ndims != 1:
        raise shape_error(node, f"Shape must be rank 1 but is rank {handles.ndims}")
    if tensor.ndims == 0:
        raise shape_error(node, "Shape must be at least rank 1 but is rank 0")
    lead = handles.dims[0].value if handles.ndims else None
    batch = tensor.dims[0].value if tensor.ndims else None
    if lead is not None and batch is not None and lead != batch:
        raise shape_error(node, f"Dimensions must be equal, but are {batch} and {lead}")
    return [TensorShape([lead if lead is not None else batch])]


def _handle(node):
    return [TensorShape([])]


def _item_shape(node, k: int):
    t = node._inputs[k]
    if t._shape.ndims == 0:  # (-1: an unknown rank)
        return TensorShape(None)
    return constant_value_as_shape(t)


def _stacked_shape(node, k: int, lead):
    element = _item_shape(node, k)
    if element.ndims is None:
        return TensorShape(None)
    return TensorShape([lead, *element.as_list()])


def _split_shape(node):
    t, element = node._inputs[0]._shape, _item_shape(node, 1)
    if t.ndims == 0:
        raise ValueError(
            f"Shape must be at least rank 1 but is rank 0 for '{node.name}' (op: "
            "TensorListSplit): the tensor to split must be at least a vector"
        )
    if t.ndims is not None and element.ndims is not None:
        if element.ndims != t.ndims:
            raise ValueError(
                f"Shapes must be equal rank, but are {t.ndims} and {element.ndims} for "
                f"'{node.name}' (op: TensorListSplit): element_shape {element} and tensor {t}"
            )
        for k, (a, b) in enumerate(zip(t.as_list()[1:], element.as_list()[1:]), 1):
            if a is not None and b is not None and a != b:
                raise ValueError(
                    f"Dimension {k} in both shapes must be equal, but are {a} and {b} for "
                    f"'{node.name}' (op: TensorListSplit): element_shape {element} and tensor {t}"
                )
    return [TensorShape([])]


def _concat_shapes(element: TensorShape):
    if element.ndims is None or element.ndims == 0:
        return [TensorShape(None), TensorShape([None])]
    return [TensorShape([None, *element.as_list()[1:]]), TensorShape([None])]


# -- gradients (TF's list_ops.py) ------------------------------------------------------


def _list_op(op_type: str, inputs: list, **attrs):
    return apply_op(op_type, None, inputs, attrs)


def _static_element_shape(shape: TensorShape):
    """An `element_shape` input for a static shape: -1 for an unknown rank, else its
    dimensions with -1 for the unknown ones."""
    if shape.ndims is None:
        return array_ops.constant(-1, dtypes.int32)
    return array_ops.constant([-1 if d is None else d for d in shape.as_list()], dtypes.int32)


def _shape_tail(t):
    """The shape of `t` without its first dimension (as a tensor)."""
    return array_ops.slice(array_ops.shape(t), [1], [-1])


def _element_shape_of(handle):
    return _list_op("TensorListElementShape", [handle], shape_type=dtypes.int32).outputs[0]


def _empty_like(handle, dtype):
    """An empty list with `handle`'s element shape (the gradient nobody supplied)."""
    shape = _element_shape_of(handle)
    return _list_op("EmptyTensorList", [shape, -1], element_dtype=dtype).outputs[0]


def _push_back_grad(op, dresult):
    shape = array_ops.shape(op._inputs[1])
    out = _list_op("TensorListPopBack", [dresult, shape], element_dtype=op._attrs["element_dtype"])
    return list(out.outputs)


def _pop_back_grad(op, dlist, delement):
    if dlist is None:
        dlist = _empty_like(op._outputs[0], delement.dtype._base)
    if delement is None:
        delement = array_ops.zeros_like(op._outputs[1])
    return [_list_op("TensorListPushBack", [dlist, delement]).outputs[0], None]


def _stack_grad(op, dtensor):
    shape = _static_element_shape(dtensor.shape[1:])
    return [_list_op("TensorListFromTensor", [dtensor, shape]).outputs[0], None]


def _from_tensor_grad(op, dlist):
    t = op._inputs[0]
    dims = t.shape.dims
    num = dims[0].value if dims and dims[0].value is not None else -1
    if dlist is None:
        dlist = _empty_like(op._outputs[0], t.dtype._base)
    out = _list_op(
        "TensorListStack",
        [dlist, _shape_tail(t)],
        element_dtype=t.dtype._base,
        num_elements=num,
    )
    return [out.outputs[0], None]


def _get_item_grad(op, ditem):
    handle = op._inputs[0]
    size = _list_op("TensorListLength", [handle]).outputs[0]
    zeros = _list_op(
        "TensorListReserve", [_element_shape_of(handle), size], element_dtype=ditem.dtype._base
    ).outputs[0]
    return [_list_op("TensorListSetItem", [zeros, op._inputs[1], ditem]).outputs[0], None, None]


def _set_item_grad(op, dlist):
    handle, index, item = op._inputs
    list_grad = _list_op("TensorListSetItem", [dlist, index, array_ops.zeros_like(item)]).outputs[0]
    item_grad = _list_op(
        "TensorListGetItem",
        [dlist, index, array_ops.shape(item)],
        element_dtype=item.dtype._base,
    ).outputs[0]
    if op._attrs["resize_if_index_out_of_bounds"]:
        size = _list_op("TensorListLength", [handle]).outputs[0]
        list_grad = _list_op("TensorListResize", [list_grad, size]).outputs[0]
    return [list_grad, None, item_grad]


def _resize_grad(op, dlist):
    size = _list_op("TensorListLength", [op._inputs[0]]).outputs[0]
    return [_list_op("TensorListResize", [dlist, size]).outputs[0], None]


def _gather_grad(op, dtensor):
    handle, indices, _ = op._inputs
    size = _list_op("TensorListLength", [handle]).outputs[0]
    dlist = _list_op(
        "TensorListReserve", [_element_shape_of(handle), size], element_dtype=dtensor.dtype._base
    ).outputs[0]
    dlist = _list_op("TensorListScatterIntoExistingList", [dlist, dtensor, indices]).outputs[0]
    return [dlist, None, None]


def _scatter_existing_grad(op, dlist):
    _, tensor, indices = op._inputs
    dtensor = _list_op(
        "TensorListGather",
        [dlist, indices, _shape_tail(tensor)],
        element_dtype=tensor.dtype._base,
    ).outputs[0]
    zeros = array_ops.zeros_like(tensor)
    dlist = _list_op("TensorListScatterIntoExistingList", [dlist, zeros, indices]).outputs[0]
    return [dlist, dtensor, None]


def _scatter_grad(op, dlist):
    tensor, indices = op._inputs[0], op._inputs[1]
    dtensor = _list_op(
        "TensorListGather",
        [dlist, indices, _shape_tail(tensor)],
        element_dtype=tensor.dtype._base,
    ).outputs[0]
    return [dtensor] + [None] * (len(op._inputs) - 1)


def _concat_grad(op, dtensor, dlengths):
    dlist = _list_op(
        "TensorListSplit", [dtensor, _element_shape_of(op._inputs[0]), op._outputs[1]]
    ).outputs[0]
    return [dlist] + [None] * (len(op._inputs) - 1)


def _split_grad(op, dlist):
    tensor, _, lengths = op._inputs
    element_shape = array_ops.concat([[-1], _shape_tail(tensor)], axis=0)
    out = _list_op(
        "TensorListConcatV2",
        [dlist, element_shape, lengths],
        element_dtype=tensor.dtype._base,
    )
    return [out.outputs[0], None, None]


_SHAPE_TYPE = "shape_type: {int32, int64}"
_ELEMENT = "element_dtype: type"

register_op(
    "EmptyTensorList",
    inputs=["element_shape: shape_type", "max_num_elements: int32"],
    outputs=["handle: variant"],
    attrs=[_ELEMENT, _SHAPE_TYPE],
    shape=_handle,
    make_kernel=_empty_kernel,
)
register_op(
    "TensorListReserve",
    inputs=["element_shape: shape_type", "num_elements: int32"],
    outputs=["handle: variant"],
    attrs=[_ELEMENT, _SHAPE_TYPE],
    shape=_handle,
    make_kernel=_reserve_kernel,
)
register_op(
    "TensorListFromTensor",
    inputs=["tensor: element_dtype", "element_shape: shape_type"],
    outputs=["output_handle: variant"],
    attrs=[_ELEMENT, _SHAPE_TYPE],
    shape=_handle,
    make_kernel=_from_tensor_kernel,
    grad=_from_tensor_grad,
)
register_op(
    "TensorListGetItem",
    inputs=["input_handle: variant", "index: int32", "element_shape: Tshape"],
    outputs=["item: element_dtype"],
    attrs=[_ELEMENT, "Tshape: {int32, int64} = int32"],
    shape=lambda node: [_item_shape(node, 2)],
    make_kernel=_get_item_kernel,
    grad=_get_item_grad,
)
register_op(
    "TensorListSetItem",
    inputs=["input_handle: variant", "index: int32", "item: element_dtype"],
    outputs=["output_handle: variant"],
    attrs=[_ELEMENT, "resize_if_index_out_of_bounds: bool = false"],
    shape=_handle,
    make_kernel=_set_item_kernel,
    grad=_set_item_grad,
)
register_op(
    "TensorListStack",
    inputs=["input_handle: variant", "element_shape: int32"],
    outputs=["tensor: element_dtype"],
    attrs=[_ELEMENT, "num_elements: int = -1"],
    shape=lambda node: [
        _stacked_shape(
            node, 1, None if node._attrs["num_elements"] == -1 else node._attrs["num_elements"]
        )
    ],
    make_kernel=_stack_kernel,
    grad=_stack_grad,
)
register_op(
    "TensorListPushBack",
    inputs=["input_handle: variant", "tensor: element_dtype"],
    outputs=["output_handle: variant"],
    attrs=[_ELEMENT],
    shape=_handle,
    make_kernel=_push_back_kernel,
    grad=_push_back_grad,
)
register_op(
    "TensorListPopBack",
    inputs=["input_handle: variant", "element_shape: int32"],
    outputs=["output_handle: variant", "tensor: element_dtype"],
    attrs=[_ELEMENT],
    shape=lambda node: [TensorShape([]), _item_shape(node, 1)],
    make_kernel=_pop_back_kernel,
    grad=_pop_back_grad,
)
register_op(
    "TensorListLength",
    inputs=["input_handle: variant"],
    outputs=["length: int32"],
    shape=_handle,
    kernel=lambda handle: np.int32(len(handle.items)),
    grad=NOT_DIFFERENTIABLE,
)
register_op(
    "TensorListElementShape",
    inputs=["input_handle: variant"],
    outputs=["element_shape: shape_type"],
    attrs=[_SHAPE_TYPE],
    shape=lambda node: [TensorShape(None)],
    make_kernel=_element_shape_kernel,
    grad=NOT_DIFFERENTIABLE,
)
register_op(
    "TensorListGather",
    inputs=["input_handle: variant", "indices: int32", "element_shape: int32"],
    outputs=["values: element_dtype"],
    attrs=[_ELEMENT],
    shape=lambda node: [_stacked_shape(node, 2, node._inputs[1]._shape.num_elements())],
    make_kernel=_gather_kernel,
    grad=_gather_grad,
)
register_op(
    "TensorListResize",
    inputs=["input_handle: variant", "size: int32"],
    outputs=["output_handle: variant"],
    shape=_handle,
    make_kernel=_resize_kernel,
    grad=_resize_grad,
)
register_op(
    "TensorListScatterIntoExistingList",
    inputs=["input_handle: variant", "tensor: element_dtype", "indices: int32"],
    outputs=["output_handle: variant"],
    attrs=[_ELEMENT],
    shape=_handle,
    make_kernel=_scatter_existing_kernel,
    grad=_scatter_existing_grad,
)

register_op(
    "TensorListScatter",
    inputs=["tensor: element_dtype", "indices: int32", "element_shape: shape_type"],
    outputs=["output_handle: variant"],
    attrs=[_ELEMENT, _SHAPE_TYPE],
    shape=_handle,
    make_kernel=_scatter_kernel,
    grad=_scatter_grad,
)
register_op(
    "TensorListScatterV2",
    inputs=[
        "tensor: element_dtype",
        "indices: int32",
        "element_shape: shape_type",
        "num_elements: int32",
    ],
    outputs=["output_handle: variant"],
    attrs=[_ELEMENT, _SHAPE_TYPE],
    shape=_handle,
    make_kernel=_scatter_kernel,
    grad=_scatter_grad,
)
register_op(
    "TensorListSplit",
    inputs=["tensor: element_dtype", "element_shape: shape_type", "lengths: int64"],
    outputs=["output_handle: variant"],
    attrs=[_ELEMENT, _SHAPE_TYPE],
    shape=_split_shape,
    make_kernel=_split_kernel,
    grad=_split_grad,
)
register_op(
    "TensorListConcatV2",
    inputs=["input_handle: variant", "element_shape: shape_type", "leading_dims: int64"],
    outputs=["tensor: element_dtype", "lengths: int64"],
    attrs=[_ELEMENT, _SHAPE_TYPE],
    shape=lambda node: _concat_shapes(_item_shape(node, 1)),
    make_kernel=_concat_v2_kernel,
    grad=_concat_grad,
)
register_op(
    "TensorListConcat",
    inputs=["input_handle: variant"],
    outputs=["tensor: element_dtype", "lengths: int64"],
    attrs=[_ELEMENT, "element_shape: shape = unknown"],
    shape=lambda node: _concat_shapes(TensorShape(node._attrs["element_shape"])),
    make_kernel=_concat_v1_kernel,
    grad=_concat_grad,
)

# Batched lists (tf.vectorized_map's graphs): not differentiable, as in TF.
register_op(
    "TensorListConcatLists",
    inputs=["input_a: variant", "input_b: variant"],
    outputs=["output: variant"],
    attrs=[_ELEMENT],
    shape=_concat_lists_shape,
    make_kernel=_concat_lists_kernel,
    grad=NOT_DIFFERENTIABLE,
)
register_op(
    "TensorListPushBackBatch",
    inputs=["input_handles: variant", "tensor: element_dtype"],
    outputs=["output_handles: variant"],
    attrs=[_ELEMENT],
    shape=_push_back_batch_shape,
    make_kernel=_push_back_batch_kernel,
    grad=NOT_DIFFERENTIABLE,
)

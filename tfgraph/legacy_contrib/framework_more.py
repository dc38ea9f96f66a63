"""The rest of TF 1.15's `tf.contrib.framework` helpers: static-or-dynamic conditionals
(`smart_cond`, `smart_case`, `smart_constant_value`), shape checks that become run-time
assertions when shapes are not known (`with_shape`, `with_same_shape`), `reduce_sum_n`,
`get_placeholders` and contrib's `remove_squeezable_dimensions` (predictions first)."""

from __future__ import annotations

from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import control_dependencies, get_default_graph, name_scope
from tfgraph.framework.ops import Tensor
from tfgraph.framework.tensor_shape import as_shape
from tfgraph.ops import array_ops, check_ops, confusion_matrix, control_flow_ops, math_ops
from tfgraph.ops.common_shapes import constant_value
from tfgraph.ops.control_flow_case import case

__all__ = [
    "get_placeholders",
    "reduce_sum_n",
    "remove_squeezable_dimensions",
    "smart_case",
    "smart_cond",
    "smart_constant_value",
    "with_same_shape",
    "with_shape",
]


def smart_constant_value(pred):
    """`pred`'s value when known while building (a Python bool, 0 or 1, or a tensor whose
    value is static), else None.

    Raises:
        TypeError: `pred` is none of those.
    """
    if isinstance(pred, Tensor):
        value = constant_value(pred)
        return None if value is None else bool(value)
    if isinstance(pred, bool) or pred in (0, 1):
        return bool(pred)
    raise TypeError(
        "Argument `pred` must be a Tensor, or a Python bool, or 1 or 0. "
        f"Received: pred={pred} of type {type(pred).__name__}"
    )


def smart_cond(pred, true_fn=None, false_fn=None, name=None):
    """`true_fn()` or `false_fn()` when `pred` is known while building, else `tf.cond`."""
    if not callable(true_fn):
        raise TypeError(f"Argument `true_fn` must be callable. Received {true_fn}")
    if not callable(false_fn):
        raise TypeError(f"Argument `false_fn` must be callable. Received {false_fn}")
    value = smart_constant_value(pred)
    if value is not None:
        return true_fn() if value else false_fn()
    return control_flow_ops.cond(pred, true_fn=true_fn, false_fn=false_fn, name=name)


def smart_case(pred_fn_pairs, default=None, exclusive=False, name="smart_case"):
    """`tf.case`, with the pairs whose predicates are known while building decided then:
    a statically true predicate ahead of every unknown one picks its function, statically
    false ones are dropped (with `exclusive`, two true ones raise ValueError)."""
    pairs = list(pred_fn_pairs.items()) if isinstance(pred_fn_pairs, dict) else pred_fn_pairs
    remaining = []
    chosen = None
    for pred, fn in pairs:
        value = smart_constant_value(pred)
        if value is False:
            continue
        if value is True:
            if chosen is not None and exclusive:
                raise ValueError("More than one condition evaluated as True but exclusive=True.")
            if chosen is None:
                chosen = fn
            if not exclusive:
                break
            continue
        remaining.append((pred, fn))
    if chosen is not None and not remaining:
        return chosen()
    if chosen is not None:  # (a true predicate after unknown ones: it is the default)
        default = chosen
    if not remaining:
        if default is None:
            raise ValueError("No condition is True and no default is given.")
        return default()
    return case(remaining, default=default, exclusive=exclusive, name=name)


def with_shape(expected_shape, tensor):
    """`tensor`, checked to have `expected_shape` (a list or a 1-D int tensor): a
    ValueError now when the static shapes disagree, else, when either is not known, a
    run-time assertion the returned tensor depends on."""
    tensor = convert_to_tensor(tensor)
    if isinstance(expected_shape, (list, tuple)):
        expected = as_shape(expected_shape)
        actual = tensor.shape
        if not actual.is_compatible_with(expected):
            raise ValueError(
                f"Invalid shape for tensor {tensor.name}, expected {expected}, got {actual}."
            )
        if actual.is_fully_defined() and expected.is_fully_defined():
            return tensor
        expected_shape = convert_to_tensor(expected_shape, name="expected_shape")
    with name_scope(f"{tensor.op.name}/", values=[tensor]):
        actual_shape = array_ops.shape(tensor, out_type=expected_shape.dtype)
        same = check_ops.assert_equal(
            actual_shape,
            expected_shape,
            data=["Wrong shape for", tensor.name, actual_shape, "vs", expected_shape],
            name="assert_shape",
        )
        with control_dependencies([same]):
            return array_ops.identity(tensor)


def with_same_shape(expected_tensor, tensor):
    """`tensor`, checked to have `expected_tensor`'s shape (see `with_shape`)."""
    expected = expected_tensor.shape
    if expected.is_fully_defined():
        return with_shape(expected.as_list(), tensor)
    return with_shape(array_ops.shape(expected_tensor), tensor)


def reduce_sum_n(tensors, name=None):
    """The sum of all elements of all `tensors` (a scalar)."""
    if not tensors:
        raise ValueError("No tensors provided.")
    with name_scope(name, "reduce_sum_n", tensors) as scope:
        tensors = [
            math_ops.reduce_sum(t, name=f"{t.op.name}/sum") for t in map(convert_to_tensor, tensors)
        ]
        if len(tensors) == 1:
            return tensors[0]
        return math_ops.add_n(tensors, name=scope)


def get_placeholders(graph=None):
    """The output tensors of `graph`'s Placeholder ops, in creation order."""
    graph = graph or get_default_graph()
    return [op.outputs[0] for op in graph.get_operations() if op.type == "Placeholder"]


def remove_squeezable_dimensions(predictions, labels, name=None):
    """contrib's (deprecated) order of `tf.confusion_matrix.remove_squeezable_dimensions`:
    (predictions, labels) in and out."""
    labels, predictions = confusion_matrix.remove_squeezable_dimensions(
        labels, predictions, name=name
    )
    return predictions, labels

"""Shape rules and kernel factories read only the narrow node view (framework/node.py):
every op of every gradient-contract case (forward and gradient ops) is run through a
view detached from its Graph, and must give the shapes and values the op gives; and
kernels run on concrete values with no Graph at all, as eager execution will call them.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

import tfgraph as tf
from tests import test_gradients_contract as contract
from tfgraph.client.passes import KernelContext, bind_kernel
from tfgraph.framework.node import NodeView
from tfgraph.framework.resources import DEAD, DeviceStores
from tfgraph.ops.list_ops import TensorListValue
from tfgraph.ops.optional_ops import OptionalValue


def _runnable(op) -> bool:
    d = op._op_def
    return (
        (d.kernel is not None or d.make_kernel is not None)
        and not (d.placeholder or d.variable or d.control_flow)
        and not d.has_ref_inputs
    )


def _dims(shapes) -> list:
    return [s.as_list() if s.ndims is not None else None for s in shapes]


def _shape(x):
    """A kernel result's shape (per output; a resource, such as a TensorArray: its type)."""
    if isinstance(x, (list, tuple)):
        return [_shape(v) for v in x]
    return np.shape(x) if isinstance(x, (np.ndarray, np.generic, int, float)) else type(x)


def _same(a, b) -> bool:
    if isinstance(a, OptionalValue) and isinstance(b, OptionalValue):  # (a variant)
        if a.components is None or b.components is None:
            return a.components is b.components
        return _same(a.components, b.components)
    if isinstance(a, TensorListValue) and isinstance(b, TensorListValue):  # (a variant)
        return (
            (a.dtype, a.element_shape, a.max_num_elements)
            == (b.dtype, b.element_shape, b.max_num_elements)
            and [x is None for x in a.items] == [y is None for y in b.items]
            and _same([x for x in a.items if x is not None], [y for y in b.items if y is not None])
        )
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=np.asarray(a).dtype.kind in "fc")


@pytest.mark.parametrize(("op_type", "case"), list(contract._all_cases()))
def test_kernels_and_shape_rules_run_on_a_detached_view(op_type, case):
    g = tf.Graph()
    xs, assigns, _, _ = contract._build(case, g)
    ops = [op for op in g.get_operations() if _runnable(op)]
    memo: dict = {}
    with g.as_default(), tf.Session(graph=g) as sess:
        if case.variables:
            sess.run(tf.global_variables_initializer())
            sess.run([a for _, a in assigns], {ph: v for (ph, _), v in zip(assigns, case.values)})
            feed = {}
        else:
            feed = dict(zip(xs, [np.asarray(v) for v in case.values]))
        ctx = KernelContext(DeviceStores(), None, g)
        checked = 0
        for op in ops:
            view = NodeView.from_operation(op, memo)
            shape_rule = op._op_def.shape
            if shape_rule is not None:
                assert _dims(shape_rule(view)) == _dims(shape_rule(op)), op.name
            try:
                args = sess.run(list(op.inputs), feed)
            except (ValueError, tf.errors.InvalidArgumentError, tf.errors.InternalError):
                continue  # a cond's untaken or unfetchable value (a variant, as in TF)
            if any(a is DEAD for a in args):
                continue
            if any(t.dtype == tf.resource for t in op.inputs):  # (each call changes the
                # resource, a TensorArray: each gets its own copy)
                mine = bind_kernel(view, ctx)(*copy.deepcopy(args))
                theirs = bind_kernel(op, ctx)(*copy.deepcopy(args))
            else:
                mine = bind_kernel(view, ctx)(*args)
                theirs = bind_kernel(op, ctx)(*args)
            if op._op_def.is_stateful:  # (a random op draws on: compare shapes only)
                assert _shape(mine) == _shape(theirs), op.name
            else:
                assert _same(mine, theirs), op.name
            checked += 1
        assert checked or not ops


def test_kernels_run_on_values_with_no_graph():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.ones((3, 2), np.float32)
    stores = DeviceStores()
    ctx = KernelContext(stores, None, None)

    matmul = NodeView.for_values(
        "MatMul", {"transpose_a": False, "transpose_b": False, "T": tf.float32}, [a, b]
    )
    assert matmul.outputs[0].shape.as_list() == [2, 2] and matmul.outputs[0].dtype == tf.float32
    np.testing.assert_array_equal(bind_kernel(matmul, ctx)(a, b), a @ b)

    shape = np.array([3, -1], np.int32)
    reshape = NodeView.for_values("Reshape", {"T": tf.float32, "Tshape": tf.int32}, [a, shape])
    assert reshape.outputs[0].shape.as_list() == [3, 2]  # the shape rule folded the value
    np.testing.assert_array_equal(bind_kernel(reshape, ctx)(a, shape), a.reshape(3, 2))

    attrs = {"dtype": tf.float32, "seed": 1, "seed2": 2, "T": tf.int32}
    dims = np.array([2, 2], np.int32)
    draw = NodeView.for_values("RandomUniform", attrs, [dims], name="r")
    first = bind_kernel(draw, ctx)(dims)
    assert first.shape == (2, 2) and first.dtype == np.float32
    assert not np.array_equal(bind_kernel(draw, ctx)(dims), first)  # one stream per name

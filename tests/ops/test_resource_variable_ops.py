"""Resource variable ops' kernels against TF 2.21's behaviour: error messages of
out-of-range indices and uninitialized reads, scalar scatter updates, ResourceCountUpTo."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.ops import resource_variable_ops as rv


@pytest.fixture(autouse=True)
def _fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def _var(value, **kw):
    return tf.Variable(value, use_resource=True, **kw)


def test_uninitialized_read_names_the_missing_resource_once_the_container_exists():
    # TF: "Container localhost does not exist" before any resource, then the resource.
    v, w = _var([1.0, 2.0]), _var(1.0)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="Container localhost does"):
            sess.run(v.value())
        sess.run(w.initializer)
        with pytest.raises(tf.errors.FailedPreconditionError) as err:
            sess.run(v.value())
    assert (
        "Could not find variable Variable. This could mean that the variable has been "
        "deleted. In TF1, it can also mean the variable is uninitialized. Debug info: "
        "container=localhost, status error message=Resource "
        "localhost/Variable/N10tensorflow3VarE does not exist." in err.value.message
    )


def test_gather_is_named_gather_and_reports_the_bad_index_position():
    v = _var([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    g = tf.gather(v, [[0, 5], [1, 2]])
    assert (g.op.type, g.op.name) == ("ResourceGather", "Gather")
    assert v.sparse_read([1]).op.name == "Gather_1"
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(
            tf.errors.InvalidArgumentError, match=r"indices\[0,1\] = 5 is not in \[0, 3\)"
        ):
            sess.run(g)


def test_scatter_reports_the_first_bad_index_position():
    v = _var([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    op = v.scatter_add(tf.IndexedSlices(tf.constant([[1.0, 1.0], [1.0, 1.0]]), tf.constant([0, 7])))
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(
            tf.errors.InvalidArgumentError, match=r"indices\[1\] = 7 is not in \[0, 3\)"
        ):
            sess.run(op)


def test_scatter_broadcasts_a_scalar_update():
    v = _var([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    op = rv.resource_scatter("ResourceScatterAdd", v.handle, tf.constant([0, 2]), tf.constant(5.0))
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(op)
        np.testing.assert_array_equal(sess.run(v), [[6.0, 7.0], [3.0, 4.0], [10.0, 11.0]])


def test_count_up_to_on_a_resource_variable():
    v = _var(0)
    c = v.count_up_to(2)
    assert (c.op.type, c.dtype, c.op.inputs[0].name) == (
        "ResourceCountUpTo",
        tf.int32,
        "Variable:0",
    )
    assert c.op.get_attr("limit") == 2
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert [sess.run(c), sess.run(c)] == [0, 1]
        with pytest.raises(tf.errors.OutOfRangeError, match="Reached limit of 2"):
            sess.run(c)
        assert sess.run(v) == 2


def _slice_assign(handle, value, begin, end, strides, **masks):
    from tfgraph.ops.apply import apply_op

    attrs = {k: v for k, v in masks.items()}
    return apply_op(
        "ResourceStridedSliceAssign",
        None,
        [handle, tf.constant(begin), tf.constant(end), tf.constant(strides), value],
        attrs,
    )


def test_resource_strided_slice_assign_writes_the_slice():
    # what TF builds for `v[0].assign(...)` and `v[:, 1:].assign(...)` on a resource variable
    v = _var([[1.0, 2.0], [3.0, 4.0]])
    row = _slice_assign(v.handle, tf.constant([9.0, 9.0]), [0], [1], [1], shrink_axis_mask=1)
    col = _slice_assign(
        v.handle, tf.constant([[7.0], [8.0]]), [0, 1], [0, 0], [1, 1], begin_mask=1, end_mask=3
    )
    bad = _slice_assign(v.handle, tf.constant([1.0, 2.0, 3.0]), [0], [1], [1], shrink_axis_mask=1)
    assert row.outputs == [] and row.get_attr("T") == tf.float32
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(row)
        sess.run(col)
        np.testing.assert_array_equal(sess.run(v), [[9.0, 7.0], [3.0, 8.0]])
        with pytest.raises(
            tf.errors.InvalidArgumentError,
            match=r"Cannot broadcast input shape \[3\] into final shape \[2\]",
        ):
            sess.run(bad)
        np.testing.assert_array_equal(sess.run(v), [[9.0, 7.0], [3.0, 8.0]])


def test_variable_shape_and_destroy_resource_op():
    v = _var([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    from tfgraph.ops.apply import op_output

    shape = op_output("VariableShape", None, [v.handle])  # (the raw op, as TF's gen op)
    shape64 = op_output("VariableShape", None, [v.handle], {"out_type": tf.int64})
    assert (shape.op.type, shape.dtype, shape.shape.as_list()) == ("VariableShape", tf.int32, [2])
    assert rv.variable_shape(v.handle).op.type == "Const"  # a known shape folds, as TF's
    destroy = rv.destroy_resource_op(v.handle)
    strict = rv.destroy_resource_op(v.handle, ignore_lookup_error=False)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(shape).tolist() == [3, 2] and sess.run(shape64).dtype == np.int64
        sess.run(destroy)
        sess.run(destroy)  # ignore_lookup_error (the default): nothing to destroy is fine
        with pytest.raises(tf.errors.FailedPreconditionError, match="Could not find variable"):
            sess.run(v.value())  # TF: the resource is gone
        with pytest.raises(tf.errors.NotFoundError):
            sess.run(strict)
        sess.run(v.initializer)
        assert sess.run(v).tolist() == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]


def test_gather_gradient_dense_shape_is_the_variable_shape():
    v = _var([[1.0, 2.0], [3.0, 4.0]])
    (grad,) = tf.gradients(tf.reduce_sum(tf.gather(v, [1, 1])), v)
    assert grad.dense_shape.op.type == "Const"  # TF folds the known shape
    p = tf.placeholder(tf.float32, [None, 2])
    u = tf.Variable(p, use_resource=True, validate_shape=False)
    (ugrad,) = tf.gradients(tf.reduce_sum(tf.gather(u, [0])), u)
    assert ugrad.dense_shape.op.type == "VariableShape"  # as TF's _GatherGrad
    with tf.Session() as sess:
        sess.run([v.initializer, u.initializer], {p: np.ones((3, 2), np.float32)})
        _, indices, dense_shape = sess.run([ugrad.values, ugrad.indices, ugrad.dense_shape])
        assert dense_shape.tolist() == [3, 2] and indices.tolist() == [0]
        assert sess.run(tf.convert_to_tensor(grad)).tolist() == [[0.0, 0.0], [2.0, 2.0]]

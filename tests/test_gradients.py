"""tf.gradients: the reverse pass, aggregation, unconnected xs, grad_ys, stop_gradients,
IndexedSlices, gradient registration and override, errors, and cond."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.ops import control_flow_ops


def run(fetches, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed_dict=feed)


def _grad_ops(g=None):
    g = g or tf.get_default_graph()
    return [op for op in g.get_operations() if op.name.startswith("gradients")]


# -- basics, names ------------------------------------------------------------------------------
def test_simple_gradient_values_and_names():
    x = tf.placeholder(tf.float32, [3], name="x")
    y = tf.reduce_sum(x * x)
    (dx,) = tf.gradients(y, x)
    assert dx.name.startswith("gradients/")
    assert all(op.name.startswith("gradients/") for op in _grad_ops())
    names = {op.name for op in _grad_ops()}
    assert {"gradients/Shape", "gradients/grad_ys_0", "gradients/grad_ys_0/Const"} <= names
    assert any(n.startswith("gradients/mul_grad/") for n in names)
    assert any(n.startswith("gradients/Sum_grad/") for n in names)
    np.testing.assert_allclose(run(dx, {x: [1.0, 2.0, 3.0]}), [2.0, 4.0, 6.0])


def test_second_call_uses_a_new_scope_and_custom_name():
    x = tf.placeholder(tf.float32, [2])
    y = x * 3.0
    a = tf.gradients(y, x)[0]
    b = tf.gradients(y, x)[0]
    c = tf.gradients(y, x, name="my_grads")[0]
    assert a.name.startswith("gradients/")
    assert b.name.startswith("gradients_1/")
    assert c.name.startswith("my_grads/")


def test_xs_that_is_a_y():
    x = tf.placeholder(tf.float32, [2])
    (g,) = tf.gradients(x, x)
    np.testing.assert_allclose(run(g, {x: [1.0, 2.0]}), [1.0, 1.0])


def test_multiple_ys_are_summed_and_y_depending_on_y():
    x = tf.placeholder(tf.float32, [])
    y1 = x * 2.0
    y2 = y1 * y1  # depends on y1
    (g,) = tf.gradients([y1, y2], x)
    # d(y1 + y2)/dx = 2 + 8x
    assert run(g, {x: 1.5}) == pytest.approx(2.0 + 8.0 * 1.5)


# -- aggregation ------------------------------------------------------------------------------
def test_aggregation_with_add_n_colocated_with_first_summand():
    x = tf.placeholder(tf.float32, [2, 2], name="x")
    y = x * 2.0 + x * 3.0
    (g,) = tf.gradients(y, x)
    assert g.op.type == "AddN" and g.op.name == "gradients/AddN"
    assert g.op.get_attr("_class") == [("loc:@" + g.op.inputs[0].op.name).encode()]
    np.testing.assert_allclose(run(g, {x: np.ones((2, 2))}), np.full((2, 2), 5.0))


@pytest.mark.parametrize(
    "method",
    [tf.AggregationMethod.EXPERIMENTAL_TREE, tf.AggregationMethod.EXPERIMENTAL_ACCUMULATE_N],
)
def test_tree_aggregation(method):
    x = tf.placeholder(tf.float32, [2])
    y = x * 1.0 + x * 2.0 + x * 3.0
    (g,) = tf.gradients(y, x, aggregation_method=method)
    assert "_gradient_sum" in g.name
    np.testing.assert_allclose(run(g, {x: [1.0, 1.0]}), [6.0, 6.0])


def test_invalid_aggregation_method():
    x = tf.placeholder(tf.float32, [2])
    with pytest.raises(ValueError, match="Invalid `aggregation_method` specified 7"):
        tf.gradients(x * 2.0, x, aggregation_method=7)


# -- unconnected, stop gradients --------------------------------------------------------------
def test_unconnected_gradients_none_and_zero():
    x = tf.placeholder(tf.float32, [3], name="x")
    u = tf.placeholder(tf.float32, [2, 2], name="u")
    y = tf.reduce_sum(x * 2.0)
    assert tf.gradients(y, [x, u])[1] is None
    _, gu = tf.gradients(y, [x, u], unconnected_gradients="zero")
    assert gu.name == "zeros_like:0"  # made after the gradients scope closes, as in TF
    np.testing.assert_array_equal(run(gu, {x: [1, 2, 3]}), np.zeros((2, 2)))
    _, gu = tf.gradients(y, [x, u], unconnected_gradients=tf.UnconnectedGradients.ZERO)
    assert gu is not None
    with pytest.raises(ValueError, match="Unknown value for unconnected_gradients: 'some'"):
        tf.gradients(y, x, unconnected_gradients="some")


def test_integer_path_gives_none():
    x = tf.placeholder(tf.float32, [2])
    y = tf.cast(tf.cast(x, tf.int32), tf.float32) * 2.0
    assert tf.gradients(y, x) == [None]


def test_stop_gradient_op_and_stop_gradients_argument():
    x = tf.placeholder(tf.float32, [])
    a = x * x
    y = a + x
    assert run(tf.gradients(tf.stop_gradient(a) + x, x)[0], {x: 3.0}) == pytest.approx(1.0)
    (g,) = tf.gradients(y, x, stop_gradients=[a])
    assert run(g, {x: 3.0}) == pytest.approx(1.0)
    (g,) = tf.gradients(y, [x, a], stop_gradients=[a])[:1]
    assert run(g, {x: 3.0}) == pytest.approx(1.0)


def test_not_differentiable_ops_stop_silently():
    x = tf.placeholder(tf.float32, [3])
    y = tf.reduce_sum(tf.cast(tf.argmax(x), tf.float32) * x)
    (g,) = tf.gradients(y, x)
    assert run(g, {x: [1.0, 5.0, 2.0]}).tolist() == [1.0, 1.0, 1.0]


# -- grad_ys ------------------------------------------------------------------------------------
def test_grad_ys():
    x = tf.placeholder(tf.float32, [2])
    y = x * 3.0
    (g,) = tf.gradients(y, x, grad_ys=[tf.constant([1.0, 10.0])])
    assert any(op.name == "gradients/grad_ys_0" and op.type == "Identity" for op in _grad_ops())
    np.testing.assert_allclose(run(g, {x: [0.0, 0.0]}), [3.0, 30.0])
    (g,) = tf.gradients(y, x, grad_ys=np.array([2.0, 2.0], np.float32))
    np.testing.assert_allclose(run(g, {x: [0.0, 0.0]}), [6.0, 6.0])


def test_grad_ys_errors():
    x = tf.placeholder(tf.float32, [2])
    with pytest.raises(ValueError, match="Length mismatch. Passed 2 grad_ys for 1 ys"):
        tf.gradients(x * 2.0, x, grad_ys=[tf.ones([2]), tf.ones([2])])
    with pytest.raises(TypeError, match="must be real or integer"):
        tf.gradients(x * 2.0, x, grad_ys=[tf.constant([True, False])])
    z = tf.complex(x, x)
    with pytest.raises(TypeError, match="Gradients of complex tensors .* must set grad_ys"):
        tf.gradients(z, x)


# -- variables ------------------------------------------------------------------------------
def test_gradient_with_respect_to_variable_flows_through_read():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="v")
    y = tf.reduce_sum(v * v)
    (g,) = tf.gradients(y, v)
    assert g.shape.as_list() == [2, 2]
    np.testing.assert_allclose(run(g), [[2.0, 4.0], [6.0, 8.0]])
    (g2,) = tf.gradients(y, v._ref())
    np.testing.assert_allclose(run(g2), [[2.0, 4.0], [6.0, 8.0]])


# -- IndexedSlices --------------------------------------------------------------------------------
def test_gather_gradient_is_indexed_slices():
    v = tf.Variable(np.arange(8.0, dtype=np.float32).reshape(4, 2), name="emb")
    e = tf.gather(v, [0, 2, 2])
    (g,) = tf.gradients(tf.reduce_sum(e * 2.0), v)
    assert isinstance(g, tf.IndexedSlices)
    val = run(g)
    assert isinstance(val, tf.IndexedSlicesValue)
    np.testing.assert_array_equal(val.indices, [0, 2, 2])
    np.testing.assert_allclose(val.values, np.full((3, 2), 2.0))
    np.testing.assert_array_equal(val.dense_shape, [4, 2])
    dense = run(tf.convert_to_tensor(g))
    np.testing.assert_allclose(dense, [[2, 2], [0, 0], [4, 4], [0, 0]])


def test_indexed_slices_aggregate_by_concat():
    v = tf.Variable(np.zeros((4, 2), np.float32))
    y = tf.reduce_sum(tf.gather(v, [1])) + tf.reduce_sum(tf.gather(v, [3, 1]))
    (g,) = tf.gradients(y, v)
    assert isinstance(g, tf.IndexedSlices)
    assert g.values.op.type == "ConcatV2" and g.indices.op.type == "ConcatV2"
    val = run(g)
    assert sorted(val.indices.tolist()) == [1, 1, 3]


def test_indexed_slices_densified_when_mixed_with_dense():
    v = tf.Variable(np.ones((3, 2), np.float32))
    y = tf.reduce_sum(tf.gather(v, [0, 0])) + tf.reduce_sum(v * 3.0)
    (g,) = tf.gradients(y, v)
    assert isinstance(g, tf.Tensor) and g.op.type == "AddN"
    assert any(i.op.type == "UnsortedSegmentSum" for i in g.op.inputs)
    np.testing.assert_allclose(run(g), [[5, 5], [3, 3], [3, 3]])


def test_embedding_lookup_partitioned_gradients():
    p0 = tf.Variable(np.arange(6.0, dtype=np.float32).reshape(3, 2))
    p1 = tf.Variable(np.arange(6.0, 10.0, dtype=np.float32).reshape(2, 2))
    ids = tf.constant([[0, 4], [1, 1]])
    for strategy, expect in (
        ("mod", [[0, 1], [8, 9], [2, 3], [2, 3]]),
        ("div", [[0, 1], [8, 9], [2, 3], [2, 3]]),
    ):
        e = tf.nn.embedding_lookup([p0, p1], ids, partition_strategy=strategy)
        assert e.shape.as_list() == [2, 2, 2]
        got = run(e).reshape(4, 2)
        rows = np.concatenate([run(p0), run(p1)]) if strategy == "div" else None
        if strategy == "mod":
            table = {0: run(p0)[0], 1: run(p1)[0], 2: run(p0)[1], 3: run(p1)[1], 4: run(p0)[2]}
            want = np.stack([table[i] for i in [0, 4, 1, 1]])
        else:
            want = rows[[0, 4, 1, 1]]
        np.testing.assert_allclose(got, want)
        del expect
        g0, g1 = tf.gradients(tf.reduce_sum(e), [p0, p1])
        assert isinstance(g0, tf.IndexedSlices)
        d0, d1 = run([tf.convert_to_tensor(g0), tf.convert_to_tensor(g1)])
        assert d0.sum() + d1.sum() == 8.0


# -- registration, override, errors --------------------------------------------------------------
def test_lookup_error_for_op_without_gradient():
    x = tf.placeholder(tf.float32, [3])
    y, _ = tf.unique(x)
    with pytest.raises(LookupError) as info:
        tf.gradients(y, x)
    assert "No gradient defined for operation" in str(info.value)
    assert "'Unique' (op type: Unique)" in str(info.value)


def test_register_gradient_and_override_map():
    @tf.RegisterGradient("TestDoubleGrad")
    def _double(op, grad):
        return grad * 2.0

    g = tf.get_default_graph()
    x = tf.placeholder(tf.float32, [2])
    with g.gradient_override_map({"Identity": "TestDoubleGrad"}):
        y = tf.identity(x)
    assert y.op.get_attr("_gradient_op_type") == b"TestDoubleGrad"
    (gx,) = tf.gradients(y, x)
    np.testing.assert_allclose(run(gx, {x: [1.0, 1.0]}), [2.0, 2.0])
    # Mapping to a built-in op type's gradient works too.
    with g.gradient_override_map({"Floor": "Identity"}):
        z = tf.floor(x)
    (gz,) = tf.gradients(z, x)
    np.testing.assert_allclose(run(gz, {x: [1.5, 2.5]}), [1.0, 1.0])
    # An unknown override name is a missing gradient.
    with g.gradient_override_map({"Identity": "NoSuchGradient"}):
        w = tf.identity(x)
    with pytest.raises(LookupError, match="No gradient defined for operation"):
        tf.gradients(w, x)


def test_registering_twice_raises_key_error():
    @tf.RegisterGradient("TestOnce")
    def _once(op, grad):
        return grad

    with pytest.raises(KeyError, match="Registering two gradient with name 'TestOnce'"):
        tf.RegisterGradient("TestOnce")(_once)
    with pytest.raises(KeyError, match="Registering two gradient with name 'MatMul'"):
        tf.RegisterGradient("MatMul")(_once)
    with pytest.raises(KeyError):
        tf.NotDifferentiable("Relu")
    with pytest.raises(TypeError, match="op_type must be a string"):
        tf.RegisterGradient(3)


def test_not_differentiable_registration_stops_gradients():
    tf.NotDifferentiable("TestStopper")
    with pytest.raises(KeyError):
        tf.no_gradient("TestStopper")
    g = tf.get_default_graph()
    x = tf.placeholder(tf.float32, [2])
    with g.gradient_override_map({"Square": "TestStopper"}):
        y = tf.square(x)
    assert tf.gradients(y + x, x)[0] is not None
    assert tf.gradients(y, x) == [None]


# -- options ------------------------------------------------------------------------------------
def test_gate_gradients_and_colocation():
    a = tf.placeholder(tf.float32, [2, 3])
    b = tf.placeholder(tf.float32, [3, 2])
    y = tf.matmul(a, b)
    ga, _ = tf.gradients(y, [a, b], gate_gradients=True)
    assert ga.op.type == "Identity" and ga.op.control_inputs
    av, bv = np.ones((2, 3), np.float32), np.ones((3, 2), np.float32)
    np.testing.assert_allclose(run(ga, {a: av, b: bv}), np.full((2, 3), 2.0))
    with tf.device("/cpu:0"):
        c = tf.matmul(a, b, name="mm")
    ga, _ = tf.gradients(c, [a, b], colocate_gradients_with_ops=True)
    assert b"loc:@mm" in ga.op.get_attr("_class")


def test_incompatible_gradient_shape_is_reported():
    @tf.RegisterGradient("TestBadShape")
    def _bad(op, grad):
        return tf.zeros([5])

    g = tf.get_default_graph()
    x = tf.placeholder(tf.float32, [2])
    with g.gradient_override_map({"Identity": "TestBadShape"}):
        y = tf.identity(x)
    with pytest.raises(ValueError, match="Incompatible shapes between op input and calculated"):
        tf.gradients(y, x)


def test_wrong_number_of_gradients():
    @tf.RegisterGradient("TestTooMany")
    def _many(op, grad):
        return [grad, grad]

    g = tf.get_default_graph()
    x = tf.placeholder(tf.float32, [2])
    with g.gradient_override_map({"Identity": "TestTooMany"}):
        y = tf.identity(x)
    with pytest.raises(ValueError, match="Num gradients 2 generated for op"):
        tf.gradients(y, x)


# -- cond ------------------------------------------------------------------------------------------
def test_gradient_through_cond_is_the_taken_branch():
    x = tf.placeholder(tf.float32, [2], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    y = tf.cond(p, lambda: x * x * 3.0, lambda: x * 5.0)
    (g,) = tf.gradients(y, x)
    xv = np.array([1.0, 2.0], np.float32)
    np.testing.assert_allclose(run(g, {x: xv, p: True}), 6.0 * xv)
    np.testing.assert_allclose(run(g, {x: xv, p: False}), [5.0, 5.0])
    names = {op.name for op in _grad_ops()}
    assert any("cond_grad" in n for n in names)


def test_gradient_through_cond_with_outside_use_and_variable():
    v = tf.Variable([1.0, -2.0], name="v")
    p = tf.placeholder(tf.bool, [])
    y = tf.reduce_sum(tf.cond(p, lambda: tf.square(v), lambda: v * 0.0) + v)
    (g,) = tf.gradients(y, v)
    np.testing.assert_allclose(run(g, {p: True}), [3.0, -3.0])
    np.testing.assert_allclose(run(g, {p: False}), [1.0, 1.0])


def test_gradient_through_nested_cond():
    x = tf.placeholder(tf.float32, [])
    p = tf.placeholder(tf.bool, [])
    q = tf.placeholder(tf.bool, [])
    y = tf.cond(p, lambda: tf.cond(q, lambda: x * x, lambda: x * 3.0), lambda: -x)
    (g,) = tf.gradients(y, x)
    with tf.Session() as sess:
        assert sess.run(g, {x: 2.0, p: True, q: True}) == pytest.approx(4.0)
        assert sess.run(g, {x: 2.0, p: True, q: False}) == pytest.approx(3.0)
        assert sess.run(g, {x: 2.0, p: False, q: True}) == pytest.approx(-1.0)


def test_gradient_through_manual_switch_merge():
    x = tf.placeholder(tf.float32, [])
    p = tf.placeholder(tf.bool, [])
    f, t = control_flow_ops.switch(x, p)
    y = control_flow_ops.merge([f * 2.0, t * 7.0])[0]
    (g,) = tf.gradients(y, x)
    with tf.Session() as sess:
        assert sess.run(g, {x: 1.0, p: True}) == pytest.approx(7.0)
        assert sess.run(g, {x: 1.0, p: False}) == pytest.approx(2.0)


def test_gradient_of_a_resource_variable_read_in_a_cond_branch():
    """The untaken side's zeros have the variable's shape and dtype (not a resource), so
    a variable read in one branch or both differentiates as in TF."""
    v = tf.Variable([2.0, 1.0], use_resource=True)
    w = tf.Variable(5.0, use_resource=True)
    p = tf.placeholder(tf.bool, [])
    y = tf.cond(p, lambda: tf.reduce_sum(v * 3.0), lambda: tf.constant(1.0))
    z = tf.cond(p, lambda: w * 3.0, lambda: w * w)
    g, gz = tf.gradients(y, v)[0], tf.gradients(z, w)[0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(g, {p: True}), [3.0, 3.0])
        np.testing.assert_array_equal(sess.run(g, {p: False}), [0.0, 0.0])
        assert sess.run(gz, {p: True}) == 3.0
        assert sess.run(gz, {p: False}) == 10.0

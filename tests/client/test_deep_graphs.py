"""Graphs thousands of ops deep (issue 10, bug 5): nothing in planning, running,
differentiating, importing, exporting or freezing recurses on graph depth (TF handles
chains of 8,000+ ops)."""

from __future__ import annotations

import numpy as np

import tfgraph as tf

DEPTH = 10_000


def _control_chain(depth: int):
    v = tf.Variable(0.0, name="v")
    prev = v.initializer
    for _ in range(depth):
        with tf.control_dependencies([prev]):
            prev = tf.no_op()
    return v, prev


def test_a_control_dependency_chain_runs():
    v, last = _control_chain(DEPTH)
    with tf.Session() as sess:
        assert sess.run(last) is None
        assert sess.run(v) == 0.0  # the chain's first op (the initializer) ran


def test_a_chain_of_pure_ops_under_control_dependencies_runs():
    x = tf.constant(1.0)
    prev = tf.identity(x)
    for i in range(DEPTH):
        with tf.control_dependencies([prev.op]):
            prev = tf.add(prev, 1.0) if i % 2 else tf.identity(prev)
    with tf.Session() as sess:
        assert sess.run(prev) == 1.0 + DEPTH // 2


def _data_chain(depth: int):
    x = tf.placeholder(tf.float32, [], name="x")
    y = x
    for _ in range(depth):
        y = y * 1.0001
    return x, y


def test_gradients_of_a_deep_chain():
    x, y = _data_chain(DEPTH)
    (grad,) = tf.gradients(y, x)
    with tf.Session() as sess:
        value, slope = sess.run([y, grad], {x: 1.0})
    np.testing.assert_allclose(value, 1.0001**DEPTH, rtol=1e-3)
    np.testing.assert_allclose(slope, 1.0001**DEPTH, rtol=1e-3)


def test_import_export_and_subgraph_of_a_deep_chain():
    _, y = _data_chain(DEPTH)
    graph_def = tf.get_default_graph().as_graph_def()
    sub = tf.graph_util.extract_sub_graph(graph_def, [y.op.name])
    assert len(sub.node) == len(graph_def.node)
    with tf.Graph().as_default():
        tf.import_graph_def(sub, name="")
        with tf.Session() as sess:
            value = sess.run(y.name, {"x:0": 2.0})
    np.testing.assert_allclose(value, 2.0 * 1.0001**DEPTH, rtol=1e-3)


def test_freezing_and_meta_graph_round_trip_of_a_deep_chain():
    v = tf.Variable(3.0, name="v")
    y = v.value()
    for _ in range(DEPTH):
        y = tf.identity(y)
    with tf.Session() as sess:
        sess.run(v.initializer)
        frozen = tf.graph_util.convert_variables_to_constants(
            sess, tf.get_default_graph().as_graph_def(), [y.op.name]
        )
    meta = tf.train.export_meta_graph()
    with tf.Graph().as_default():
        tf.import_graph_def(frozen, name="")
        with tf.Session() as sess:
            assert sess.run(y.name) == 3.0
    with tf.Graph().as_default():
        tf.train.import_meta_graph(meta)
        with tf.Session() as sess:
            sess.run("v/Assign")
            assert sess.run(y.name) == 3.0

"""Resource variables in graphs (use_resource=True, tf.enable_resource_variables()):
TF's op structure, reads that see updates, optimizers, checkpoints and meta graphs
both ways with TensorFlow."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf

STRUCTURE = """
v = tf.Variable([1.0, 2.0], name="v", use_resource=True)
ops = [[o.type, o.name, [i.name for i in o.inputs], sorted(o.node_def.attr)]
       for o in tf.get_default_graph().get_operations()]
result = [ops, repr(v), v.initializer.name, str(v.to_proto())]
"""

TRAINING = """
w = tf.get_variable("w", [3, 2], use_resource=True,
                    initializer=tf.constant_initializer([[1.0, -2.0], [0.5, 3.0], [2.0, 1.0]]))
emb = tf.get_variable("emb", [5, 2], use_resource=True, initializer=tf.ones_initializer())
loss = tf.reduce_sum(w * w) + tf.reduce_sum(tf.gather(emb, [1, 1, 3]) * [2.0, 3.0])
steps = [tf.train.AdamOptimizer(0.1).minimize(loss),
         tf.train.MomentumOptimizer(0.05, 0.9, use_nesterov=True).minimize(loss),
         tf.train.RMSPropOptimizer(0.01).minimize(loss),
         tf.train.AdagradOptimizer(0.1).minimize(loss),
         tf.train.GradientDescentOptimizer(0.1).minimize(loss)]
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(3):
        for s in steps:
            sess.run(s)
    values = sess.run([w, emb])
types = sorted(set(o.type for o in tf.get_default_graph().get_operations()
                   if o.type.startswith("Resource")))
result = [[x.tolist() for x in values], types, [v.name for v in tf.global_variables()]]
"""


def _run(program):
    scope = {"tf": tf, "np": np}
    exec(program, scope)
    return scope["result"]


def test_graph_structure_is_tensorflows():
    ops, text, init, _ = _run(STRUCTURE)
    assert [o[:2] for o in ops] == [
        ["Const", "v/Initializer/initial_value"],
        ["VarHandleOp", "v"],
        ["VarIsInitializedOp", "v/IsInitialized/VarIsInitializedOp"],
        ["AssignVariableOp", "v/Assign"],
        ["ReadVariableOp", "v/Read/ReadVariableOp"],
    ]
    assert text == "<tf.Variable 'v:0' shape=(2,) dtype=float32>" and init == "v/Assign"


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("program", [STRUCTURE, TRAINING], ids=["structure", "training"])
def test_matches_tensorflow(program):
    theirs = json.loads(run_tf(program + "print(json.dumps(result))\n").strip().splitlines()[-1])
    ours = _run(program)
    if program is TRAINING:
        np.testing.assert_allclose(ours[0][0], theirs[0][0], rtol=1e-5)
        np.testing.assert_allclose(ours[0][1], theirs[0][1], rtol=1e-5)
        assert ours[1:] == theirs[1:]
    else:
        assert ours == theirs


def test_reads_see_updates_and_uninitialized_reads_fail():
    v = tf.Variable([1.0, 2.0], name="v", use_resource=True)
    doubled = v * 2.0
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="Could not find variable v"):
            sess.run(doubled)
        sess.run(v.initializer)
        assert sess.run(v.assign([3.0, 4.0])).tolist() == [3.0, 4.0]
        assert sess.run(doubled).tolist() == [6.0, 8.0]
        assert sess.run(v.assign_add([1.0, 1.0])).tolist() == [4.0, 5.0]
        sess.run(v.scatter_sub(tf.IndexedSlices(tf.constant([1.0]), tf.constant([1]))))
        assert sess.run(v).tolist() == [4.0, 4.0]
        assert sess.run(tf.is_variable_initialized(v))
    with pytest.raises(ValueError, match="Shape mismatch"):
        v.assign([1.0, 2.0, 3.0])


def test_enable_resource_variables_switches_tf_variable():
    tf.enable_resource_variables()
    assert tf.resource_variables_enabled()
    v = tf.Variable(1.0)
    w = tf.get_variable("w", [2])
    assert v.op.type == "VarHandleOp" and w.op.type == "VarHandleOp"
    tf.disable_resource_variables()
    assert tf.Variable(1.0).op.type == "VariableV2"


def test_gradients_and_gather():
    w = tf.get_variable("w", [3, 2], use_resource=True, initializer=tf.ones_initializer())
    g = tf.gather(w, [0, 0])
    assert g.op.type == "ResourceGather"
    sparse = tf.gradients(tf.reduce_sum(g), w)[0]
    dense = tf.gradients(tf.reduce_sum(w * 2.0), w)[0]
    assert isinstance(sparse, tf.IndexedSlices)
    with tf.Session() as sess:
        sess.run(w.initializer)
        s, d = sess.run([sparse, dense])
    assert s.indices.tolist() == [0, 0] and d.tolist() == [[2.0, 2.0]] * 3


def _save_program(prefix):
    return f"""
w = tf.get_variable("w", [3, 2], use_resource=True, initializer=tf.ones_initializer())
v = tf.Variable([1.0, 2.0], name="v", use_resource=True)
saver = tf.train.Saver()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(w.assign(w * 3.0))
    saver.save(sess, {prefix!r})
"""


def _restore_program(prefix):
    return f"""
saver = tf.train.import_meta_graph({prefix!r} + ".meta")
names = [v.name for v in tf.global_variables()]
with tf.Session() as sess:
    saver.restore(sess, {prefix!r})
    values = [x.tolist() for x in sess.run(tf.global_variables())]
result = [names, values]
"""


def test_checkpoints_and_meta_graphs_round_trip(tmp_path):
    exec(_save_program(str(tmp_path / "m")), {"tf": tf})
    tf.reset_default_graph()
    names, values = _run(_restore_program(str(tmp_path / "m")))
    assert names == ["w:0", "v:0"] and values == [[[3.0, 3.0]] * 3, [1.0, 2.0]]
    assert dict(tf.train.list_variables(str(tmp_path / "m"))) == {"v": [2], "w": [3, 2]}


@pytest.mark.tf
@requires_tf
def test_checkpoints_cross_read_with_tensorflow(tmp_path):
    ours, theirs = str(tmp_path / "ours"), str(tmp_path / "theirs")
    exec(_save_program(ours), {"tf": tf})
    got = json.loads(
        run_tf(_restore_program(ours) + "print(json.dumps(result))\n").strip().splitlines()[-1]
    )
    assert got == [["w:0", "v:0"], [[[3.0, 3.0]] * 3, [1.0, 2.0]]]
    run_tf(_save_program(theirs))
    tf.reset_default_graph()
    assert _run(_restore_program(theirs)) == got

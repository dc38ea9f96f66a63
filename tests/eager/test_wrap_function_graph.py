"""tf.compat.v1.wrap_function in TF1 graph mode: the variables go into the default
graph, the function into its library, and each call adds a StatefulPartitionedCall
(compared with TensorFlow 2.21 in compat.v1 graph mode)."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json


@pytest.fixture(autouse=True)
def graph_mode(eager):
    tf.disable_v2_behavior()
    with tf.Graph().as_default():
        yield


PROGRAM = """
import json
out = {}
def f(x):
    v = tf.get_variable("v", initializer=2.0)
    return x * v, tf.identity(x, name="same")
w = tf.wrap_function(f, [tf.TensorSpec([None], tf.float32, name="x")])
out["variables"] = [v.name for v in w.variables]
y, same = w(tf.constant([1.0, 2.0]))
y2, _ = w(tf.constant([5.0]))
g = tf.get_default_graph()
out["ops"] = [(op.name, op.type) for op in g.get_operations()]
out["call_inputs"] = [t.name for t in y.op.inputs]
out["global_variables"] = [v.name for v in tf.global_variables()]
out["library"] = len(g.as_graph_def().library.function)
out["f_is_library"] = y.op.get_attr("f").name == g.as_graph_def().library.function[0].signature.name
with tf.Session() as s:
    try:
        s.run(y)
    except tf.errors.OpError as e:
        out["uninitialized"] = [type(e).__name__, "Could not find variable v" in e.message]
    s.run(tf.global_variables_initializer())
    out["values"] = [a.tolist() for a in s.run([y, same, y2])]
    s.run(w.variables[0].assign(4.0))
    out["after_assign"] = s.run(y2).tolist()
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_graph_mode_wrap_function_matches_tensorflow():
    ours = run_here_json(PROGRAM)
    theirs = run_tf_json(PROGRAM)
    assert ours == theirs


@pytest.mark.tf
@requires_tf
def test_exported_call_runs_in_tensorflow():
    def f(x):
        v = tf.get_variable("v", initializer=3.0)
        return x * v + 1.0

    w = tf.wrap_function(f, [tf.TensorSpec([None], tf.float32, name="x")])
    w(tf.constant([1.0, 2.0]))
    gd = tf.get_default_graph().as_graph_def().SerializeToString()
    code = f"""
tf.import_graph_def(tf.GraphDef.FromString({gd!r}), name="")
with tf.Session() as s:
    s.run("v/Assign")
    print(json.dumps(s.run("StatefulPartitionedCall:0").tolist()))
"""
    assert run_tf_json(code) == [4.0, 7.0]

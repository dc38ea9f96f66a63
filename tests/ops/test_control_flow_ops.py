import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json


def _graph_ops():
    return [
        (o.name, o.type, [i.name for i in o.inputs], [c.name for c in o.control_inputs])
        for o in tf.get_default_graph().get_operations()
    ]


def test_cond_builds_tf1_switch_merge_graph():
    p = tf.placeholder(tf.bool, name="p")
    x = tf.constant(2.0, name="x")
    r = tf.cond(p, lambda: x * 3, lambda: x + 1)
    assert r.name == "cond/Merge:0"
    # Exactly what TensorFlow 2.21 (compat.v1) builds for this program.
    assert _graph_ops() == [
        ("p", "Placeholder", [], []),
        ("x", "Const", [], []),
        ("cond/Switch", "Switch", ["p:0", "p:0"], []),
        ("cond/switch_t", "Identity", ["cond/Switch:1"], []),
        ("cond/switch_f", "Identity", ["cond/Switch:0"], []),
        ("cond/pred_id", "Identity", ["p:0"], []),
        ("cond/mul/y", "Const", [], ["cond/switch_t"]),
        ("cond/mul", "Mul", ["cond/mul/Switch:1", "cond/mul/y:0"], []),
        ("cond/mul/Switch", "Switch", ["x:0", "cond/pred_id:0"], []),
        ("cond/add/y", "Const", [], ["cond/switch_f"]),
        ("cond/add", "AddV2", ["cond/add/Switch:0", "cond/add/y:0"], []),
        ("cond/add/Switch", "Switch", ["x:0", "cond/pred_id:0"], []),
        ("cond/Merge", "Merge", ["cond/add:0", "cond/mul:0"], []),
    ]
    with tf.Session() as sess:
        assert sess.run(r, {p: True}) == 6.0
        assert sess.run(r, {p: False}) == 3.0


def test_untaken_branch_does_not_run():
    v = tf.Variable(0.0)
    p = tf.placeholder(tf.bool)
    r = tf.cond(p, lambda: v.assign_add(1.0), lambda: tf.identity(v.value()))
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(r, {p: False}) == 0.0
        assert sess.run(r, {p: True}) == 1.0
        assert sess.run(r, {p: False}) == 1.0
        assert sess.run(v) == 1.0


def test_cond_with_structures_and_nesting():
    p = tf.placeholder(tf.bool)
    q = tf.placeholder(tf.bool)
    x = tf.constant(2.0)
    pair = tf.cond(p, lambda: (x, x * 2), lambda: (x + 1, x))
    single = tf.cond(p, lambda: [x], lambda: [x + 10])
    nested = tf.cond(p, lambda: tf.cond(q, lambda: x * 100, lambda: x * 10), lambda: x)
    assert isinstance(pair, tuple) and len(pair) == 2
    assert isinstance(single, tf.Tensor)
    with tf.Session() as sess:
        assert sess.run(pair, {p: True}) == (2.0, 4.0)
        assert sess.run(pair, {p: False}) == (3.0, 2.0)
        assert sess.run(single, {p: False}) == 12.0
        assert sess.run(nested, {p: True, q: True}) == 200.0
        assert sess.run(nested, {p: True, q: False}) == 20.0
        assert sess.run(nested, {p: False, q: True}) == 2.0


def test_cond_branch_ops_without_inputs_get_the_pivot():
    p = tf.placeholder(tf.bool)
    r = tf.cond(p, lambda: tf.constant(5.0), lambda: tf.constant(6.0))
    with tf.Session() as sess:
        assert sess.run(r, {p: True}) == 5.0
        assert sess.run(r, {p: False}) == 6.0


def test_cond_errors():
    p = tf.placeholder(tf.bool)
    x = tf.constant(1.0)
    with pytest.raises(TypeError, match="'pred' must not be a Python bool."):
        tf.cond(True, lambda: x, lambda: x)
    with pytest.raises(TypeError, match="'true_fn' must be callable."):
        tf.cond(p, 1, lambda: x)
    with pytest.raises(
        ValueError, match="Received float32 from 'true_fn' and int32 from 'false_fn'"
    ):
        tf.cond(p, lambda: x, lambda: tf.constant(1))
    with pytest.raises(ValueError, match="'true_fn' must have a return value."):
        tf.cond(p, lambda: None, lambda: x)


def test_switch_outputs_are_not_fetchable():
    p = tf.placeholder(tf.bool)
    tf.cond(p, lambda: tf.constant(1.0), lambda: tf.constant(2.0))
    switch = tf.get_default_graph().get_operation_by_name("cond/Switch")
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="has been marked as not fetchable"):
            sess.run(switch.outputs[0], {p: True})


def test_group_tuple_and_with_dependencies():
    v = tf.Variable(0.0)
    a = v.assign_add(1.0)
    b = v.assign_add(10.0)
    g = tf.group(a, b, name="both")
    assert g.name == "both" and g.type == "NoOp"
    assert g.control_inputs == [a.op, b.op]
    x = tf.constant(3.0, name="x")
    assert tf.group(x).control_inputs == [x.op]
    t = tf.tuple([x, x * 2])
    assert [y.name for y in t] == ["tuple/control_dependency:0", "tuple/control_dependency_1:0"]
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(g)
        assert sess.run(v) == 11.0
        assert sess.run(t) == [3.0, 6.0]
        assert sess.run(tf.no_op()) is None


# Switch and Merge as a loop's steps run them (dead inputs, dead control inputs, the
# Merge's value_index), through the low-level functions both libraries have.
_ROUTING = """
import json
p = tf.placeholder(tf.bool, [])
x = tf.placeholder(tf.float32, [2])
f, t = cf.switch(x, p)
g_f, g_t = cf.switch(f * 2.0, p)  # (its input is dead when p is true)
with tf.control_dependencies([tf.identity(t)]):  # (a control input dead when p is false)
    c = tf.identity(tf.constant([5.0, 6.0]))
one = cf.merge([t + 1.0, f - 1.0])
two = cf.merge([g_f, c])  # (one live input each run)
out = {}
with tf.Session() as sess:
    for pv in (True, False):
        vals = sess.run(list(one) + list(two), {p: pv, x: [1.0, 2.0]})
        out[str(pv)] = [np.asarray(v).tolist() for v in vals]
print(json.dumps(out))
"""
_OURS = "from tfgraph.ops import control_flow_ops as cf\n" + _ROUTING
_TFS = "from tensorflow.python.ops import control_flow_ops as cf\n" + _ROUTING


def test_switch_and_merge_route_values_and_indices():
    assert run_here_json(_OURS) == {
        "True": [[2.0, 3.0], 0, [5.0, 6.0], 1],
        "False": [[0.0, 1.0], 1, [2.0, 4.0], 0],
    }


@pytest.mark.tf
@requires_tf
def test_switch_and_merge_routing_matches_tf():
    assert run_tf_json(_TFS) == run_here_json(_OURS)

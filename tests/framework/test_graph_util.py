"""tf.graph_util (freeze, extract_sub_graph, remove_training_nodes), write_graph and
Graph.as_graph_def."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tfgraph import proto


def _model():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    w = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="w")
    b = tf.Variable([1.0, 1.0], name="b")
    i = tf.Variable(3, name="i")
    y = tf.add(tf.matmul(x, w), b, name="y")
    z = tf.identity(y * tf.cast(i, tf.float32), name="z")
    tf.assign(b, [0.0, 0.0])
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    return sess, x, z


def test_freeze_matches_tensorflows_structure():
    sess, _x, _z = _model()
    gd = sess.graph.as_graph_def()
    frozen = tf.graph_util.convert_variables_to_constants(sess, gd, ["z"])
    assert [(n.name, n.op) for n in frozen.node] == [
        ("x", "Placeholder"),
        ("w", "Const"),
        ("w/read", "Identity"),
        ("b", "Const"),
        ("b/read", "Identity"),
        ("i", "Const"),
        ("i/read", "Identity"),
        ("MatMul", "MatMul"),
        ("y", "AddV2"),
        ("Cast", "Cast"),
        ("mul", "Mul"),
        ("z", "Identity"),
    ]
    w = frozen.node[1]
    assert sorted(w.attr) == ["dtype", "value"]
    assert w.attr["value"].tensor.tensor_content == np.float32([1, 2, 3, 4]).tobytes()
    assert frozen.node[5].attr["value"].tensor.int_val == [3]
    assert frozen.HasField("library") and frozen.versions.producer == 2474
    with tf.Graph().as_default():
        (out,) = tf.import_graph_def(frozen, return_elements=["z:0"], name="")
        with tf.Session() as s:
            np.testing.assert_array_equal(s.run(out, {"x:0": [[1.0, 1.0]]}), [[15.0, 21.0]])
    assert gd == sess.graph.as_graph_def()  # the input is not modified


def test_freeze_allow_and_deny_lists():
    sess, _, _ = _model()
    gd = sess.graph.as_graph_def()
    denied = tf.graph_util.convert_variables_to_constants(
        sess, gd, ["z"], variable_names_blacklist=["b"]
    )
    assert {n.name: n.op for n in denied.node}["b"] == "VariableV2"
    allowed = tf.graph_util.convert_variables_to_constants(
        sess, gd, ["z"], variable_names_whitelist=["w"]
    )
    ops = {n.name: n.op for n in allowed.node}
    assert (ops["w"], ops["b"], ops["i"]) == ("Const", "VariableV2", "VariableV2")
    with pytest.raises(AssertionError, match="nope is not in graph"):
        tf.graph_util.convert_variables_to_constants(sess, gd, ["nope"])


def test_extract_sub_graph():
    sess, _, _ = _model()
    gd = sess.graph.as_graph_def()
    sub = tf.graph_util.extract_sub_graph(gd, ["y"])
    assert [n.name for n in sub.node] == ["x", "w", "w/read", "b", "b/read", "MatMul", "y"]
    with pytest.raises(TypeError, match="dest_nodes must be an iterable of strings"):
        tf.graph_util.extract_sub_graph(gd, "y")
    with pytest.raises(AssertionError, match="nope is not in graph"):
        tf.graph_util.extract_sub_graph(gd, ["nope"])
    with pytest.raises(TypeError, match="must be a graph_pb2.GraphDef"):
        tf.graph_util.extract_sub_graph("gd", ["y"])


def test_remove_training_nodes():
    sess, _, _ = _model()
    out = tf.graph_util.remove_training_nodes(sess.graph.as_graph_def())
    by_name = {n.name: list(n.input) for n in out.node}
    assert "w/read" not in by_name and "z" not in by_name
    assert by_name["MatMul"] == ["x", "w"]
    assert by_name["init"] == ["^b/Assign", "^i/Assign", "^w/Assign"]
    kept = tf.graph_util.remove_training_nodes(sess.graph.as_graph_def(), protected_nodes=["z"])
    assert "z" in {n.name for n in kept.node}


def test_must_run_on_cpu_and_shape_lookup():
    s = tf.constant("s")
    f = tf.constant(1.0)
    assert tf.graph_util.must_run_on_cpu(s.op)
    assert not tf.graph_util.must_run_on_cpu(f.op)
    assert tf.graph_util.must_run_on_cpu(f.op.node_def) is False
    v = tf.Variable(1.0, name="v")
    assert tf.graph_util.must_run_on_cpu(v.op, pin_variables_on_cpu=True)
    g = tf.get_default_graph()
    assert tf.graph_util.tensor_shape_from_node_def_name(g, "v").as_list() == []


def test_as_graph_def_add_shapes_and_versions():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    tf.identity(x, name="y")
    tf.no_op(name="n")
    g = tf.get_default_graph()
    gd = g.as_graph_def(add_shapes=True)
    shapes = {n.name: n.attr["_output_shapes"] for n in gd.node if "_output_shapes" in n.attr}
    assert list(shapes) == ["x", "y"]
    dims = shapes["y"].list.shape[0].dim
    assert [d.size for d in dims] == [-1, 3]
    assert gd.versions.producer == 2474
    assert g.graph_def_versions.producer == 2474
    # from_version is ignored, as by TensorFlow 2.x's C API.
    assert g.as_graph_def(from_version=g.version) == g.as_graph_def()
    assert g.graph_def == g.as_graph_def()


def test_as_graph_def_sorts_control_inputs_by_name():
    a = tf.constant(1.0, name="zz")
    b = tf.constant(2.0, name="aa")
    with tf.control_dependencies([a, b]):
        n = tf.no_op(name="n")
    assert list(n.node_def.input) == ["^zz", "^aa"]
    assert list(tf.get_default_graph().as_graph_def().node[-1].input) == ["^aa", "^zz"]


def test_write_graph(tmp_path):
    tf.constant([1.0, 2.0], name="c")
    g = tf.get_default_graph()
    p = tf.train.write_graph(g, str(tmp_path / "out"), "g.pbtxt")
    assert p == str(tmp_path / "out" / "g.pbtxt")
    parsed = proto.text_format.Parse((tmp_path / "out" / "g.pbtxt").read_text(), tf.GraphDef())
    assert parsed == g.as_graph_def()
    p = tf.io.write_graph(g.as_graph_def(), str(tmp_path), "g.pb", as_text=False)
    assert tf.GraphDef.FromString((tmp_path / "g.pb").read_bytes()) == g.as_graph_def()
    assert [f.name for f in tmp_path.iterdir() if f.name.endswith(".tmp")] == []

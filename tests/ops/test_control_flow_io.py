"""Control-flow contexts in MetaGraphDefs (`cond_context` / `while_context` collections)."""

from __future__ import annotations

import json
import logging
import textwrap

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf, run_tf_json
from tfgraph import proto
from tfgraph.ops.control_flow_ops import CondContext, op_context
from tfgraph.ops.while_loop import WhileContext

# A cond in a loop that uses the loop's initial value, nested conds, nested loops.
PROGRAM = """
x = tf.placeholder(tf.float32, [], name="x")
def body(i, a):
    b = tf.cond(a > 1.0, lambda: a * 2.0, lambda: a + x)
    return [i + 1, b]
r = tf.while_loop(lambda i, a: i < 3, body, [0, x], maximum_iterations=5)
c = tf.cond(x > 0, lambda: tf.cond(x > 1, lambda: x, lambda: -x), lambda: x * 3)
def outer(j):
    return tf.while_loop(lambda k: k < 20, lambda k: k + j, [j]) + 1
w2 = tf.while_loop(lambda j: j < 40, outer, [tf.constant(1)])
"""

_DESCRIBE = """
def describe(mg, protos):
    from google.protobuf import json_format
    out = {"nodes": sorted(n.name for n in mg.graph_def.node)}
    for key, cls in (("while_context", protos.WhileContextDef),
                     ("cond_context", protos.CondContextDef)):
        out[key] = []
        for b in mg.collection_def[key].bytes_list.value:
            p = cls()
            p.ParseFromString(b)
            out[key].append(json_format.MessageToDict(p))
    return out
"""


def _build():
    ns = {"tf": tf}
    exec(PROGRAM, ns)
    return ns


def _describe(mg) -> dict:
    ns: dict = {}
    exec(_DESCRIBE, ns)
    return json.loads(json.dumps(ns["describe"](mg, proto)))


def test_contexts_are_exported_nested_inside_their_outer_context():
    _build()
    mg = tf.train.export_meta_graph()
    d = _describe(mg)
    assert [c["contextName"] for c in d["while_context"]] == [
        "while/while_context",
        "while_1/while_context",
    ]
    assert [c["contextName"] for c in d["cond_context"]] == ["cond/cond_text", "cond/cond_text_1"]
    loop = d["while_context"][0]
    assert loop["loopEnterNames"] == ["while/Enter:0", "while/Enter_1:0", "while/Enter_2:0"]
    assert loop["maximumIterationsName"] == "while/maximum_iterations:0"
    assert loop["valuesDef"]["externalValues"]["x:0"] == "while/cond/add/Enter:0"
    nested = [n["condCtxt"]["contextName"] for n in loop["nestedContexts"]]
    assert nested == ["while/cond/cond_text", "while/cond/cond_text_1"]
    inner = d["while_context"][1]["nestedContexts"][0]["whileCtxt"]
    outer_j = {"while_1/Identity:0": "while_1/while/add/Enter:0"}
    assert inner["valuesDef"]["externalValues"] == outer_j


def test_a_body_using_the_initial_value_gets_a_constant_enter():
    ns = _build()
    g = tf.get_default_graph()
    enter = g.get_operation_by_name("while/cond/add/Enter")
    assert enter.type == "Enter" and enter.get_attr("is_constant")
    assert enter.inputs[0] is ns["x"]
    with tf.Session() as sess:
        assert sess.run(ns["r"], {ns["x"]: 0.75}) == [3, 6.0]


def test_saving_a_loop_graph_says_nothing(tmp_path, caplog):
    _build()
    with caplog.at_level(logging.DEBUG, logger="tfgraph"):
        tf.train.export_meta_graph(str(tmp_path / "m.meta"))
    assert caplog.text == ""


def test_import_rebuilds_the_contexts():
    _build()
    mg = tf.train.export_meta_graph()
    with tf.Graph().as_default() as g2:
        tf.train.import_meta_graph(mg)
        loops = g2.get_collection(tf.GraphKeys.WHILE_CONTEXT)
        conds = g2.get_collection(tf.GraphKeys.COND_CONTEXT)
        assert all(isinstance(c, WhileContext) for c in loops)
        assert all(isinstance(c, CondContext) for c in conds)
        assert loops[0].pivot is g2.get_tensor_by_name("while/LoopCond:0")
        assert [t.name for t in loops[0].loop_exits] == [
            "while/Exit:0",
            "while/Exit_1:0",
            "while/Exit_2:0",
        ]
        assert op_context(g2.get_operation_by_name("cond/cond/Neg")).name == "cond/cond/cond_text_1"
        # exported again, the contexts are the same protos
        assert _describe(tf.train.export_meta_graph()) == _describe(mg)
        with tf.Session() as sess:
            out = sess.run(["while/Exit_2:0", "cond/Merge:0", "while_1/Exit:0"], {"x:0": 1.5})
    assert out[0] == pytest.approx(12.0) and out[1] == pytest.approx(1.5) and out[2] == 40


def test_import_under_a_scope():
    _build()
    mg = tf.train.export_meta_graph()
    with tf.Graph().as_default() as g2:
        tf.train.import_meta_graph(mg, import_scope="imported")
        names = [c.name for c in g2.get_collection(tf.GraphKeys.WHILE_CONTEXT)]
        assert names == ["imported/while/while_context", "imported/while_1/while_context"]
        exported = proto.WhileContextDef()
        exported.ParseFromString(
            tf.train.export_meta_graph(export_scope="imported")
            .collection_def["while_context"]
            .bytes_list.value[0]
        )
        assert exported.context_name == "while/while_context"


@pytest.mark.tf
@requires_tf
def test_contexts_and_graph_equal_tensorflows():
    theirs = run_tf_json(
        _DESCRIBE
        + PROGRAM
        + textwrap.dedent(
            """
            from tensorflow.core.protobuf import control_flow_pb2
            print(json.dumps(describe(tf.train.export_meta_graph(), control_flow_pb2)))
            """
        )
    )
    _build()
    assert _describe(tf.train.export_meta_graph()) == theirs


@pytest.mark.tf
@requires_tf
def test_tensorflow_takes_gradients_through_our_imported_loop(tmp_path):
    """TF needs the while context of an imported loop to differentiate through it."""
    x = tf.placeholder(tf.float32, [], name="x")
    r = tf.while_loop(lambda i, a: i < 3, lambda i, a: [i + 1, a * x], [0, tf.constant(2.0)])
    tf.identity(r[1], name="out")
    path = tmp_path / "loop.meta"
    tf.train.export_meta_graph(str(path))
    out = run_tf(
        f"""
tf.train.import_meta_graph({str(path)!r})
g = tf.get_default_graph()
x, y = g.get_tensor_by_name("x:0"), g.get_tensor_by_name("out:0")
(dx,) = tf.gradients(y, x)
with tf.Session() as sess:
    print(json.dumps([float(v) for v in sess.run([y, dx], {{x: 1.5}})]))
"""
    )
    y, dx = json.loads(out.strip().splitlines()[-1])
    assert y == pytest.approx(2 * 1.5**3)
    assert dx == pytest.approx(2 * 3 * 1.5**2)


@pytest.mark.tf
@requires_tf
def test_tensorflows_contexts_import(tmp_path, caplog):
    path = tmp_path / "tf.meta"
    run_tf(PROGRAM + f"tf.train.export_meta_graph({str(path)!r})\n")
    with caplog.at_level(logging.WARNING, logger="tfgraph"):
        tf.train.import_meta_graph(str(path))
    assert caplog.text == ""
    g = tf.get_default_graph()
    assert len(g.get_collection(tf.GraphKeys.WHILE_CONTEXT)) == 2
    with tf.Session() as sess:
        out = sess.run(["while/Exit_2:0", "while_1/Exit:0"], {"x:0": np.float32(0.5)})
    assert out[0] == pytest.approx(3.0) and out[1] == 40

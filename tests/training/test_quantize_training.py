"""tf.train.do_quantize_training_on_graphdef against TF 2.21: the same rewritten GraphDef
(node names, ops, inputs, attrs) and, run for a few steps, the same values (the range
variables follow the same moving averages)."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
def build():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2, 4], name="x")
        w = tf.Variable(np.arange(8, dtype=np.float32).reshape(4, 2) - 3.0, name="w")
        h = tf.matmul(tf.nn.relu6(x), w, name="mm")
        v = tf.Variable([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], name="v")
        y = tf.matmul(tf.tanh(h), v, name="mm2")
        act = tf.identity(tf.nn.relu(y), name="act")
        tf.matmul(act, tf.constant([[1.0], [2.0], [-1.0]]), name="mm3")
    return g.as_graph_def()

out = tf.train.do_quantize_training_on_graphdef(build(), 8)
def decode_strings(t):
    raw, at, lengths = t.tensor_content, 0, []
    for _ in range(int(np.prod([d.size for d in t.tensor_shape.dim]))):
        n = shift = 0
        while True:
            byte = raw[at]
            at += 1
            n |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        lengths.append(n)
    out = []
    for n in lengths:
        out.append(raw[at : at + n].decode())
        at += n
    return out


def attrs(n):
    r = {}
    for k, v in sorted(n.attr.items()):
        if k == "_has_manual_control_dependencies":
            continue  # (TF's Python Saver marks its Assigns; not part of the rewrite)
        kind = v.WhichOneof("value")
        if kind == "tensor" and v.tensor.dtype == 7 and v.tensor.tensor_content:
            r[k] = decode_strings(v.tensor)  # (TF's C++ writes string lists packed)
        elif kind == "tensor":
            r[k] = tf.make_ndarray(v.tensor).tolist()
            if v.tensor.dtype == 7:
                r[k] = [b.decode() for b in np.asarray(r[k], object).reshape(-1)]
        elif kind == "type":
            r[k] = int(v.type)
        elif kind == "shape":
            r[k] = [d.size for d in v.shape.dim]
        elif kind == "list":
            r[k] = str(v.list)
        elif kind == "s":
            r[k] = v.s.decode()
        else:
            r[k] = getattr(v, kind)
    return r
nodes = {n.name: [n.op, list(n.input), attrs(n)] for n in out.node}
g = tf.Graph()
with g.as_default():
    tf.import_graph_def(out, name="")
    with tf.Session() as s:
        s.run([g.get_operation_by_name("w/Assign"), g.get_operation_by_name("v/Assign")])
        feeds = {"x:0": np.array([[1.0, -2.0, 7.0, 0.3], [0.5, 2.5, -1.0, 4.0]], np.float32)}
        vals = []
        for i in range(3):
            fetch = ["mm3:0", "mm:0", "w/read/Min/AssignValue:0", "act/QuantizeAndDequantizeV2:0"]
            vals.append(s.run(fetch, feeds))
            feeds["x:0"] = feeds["x:0"] * 1.5
errs = {}
try:
    tf.train.do_quantize_training_on_graphdef(build(), 0)
except Exception as e:
    errs["bits"] = [type(e).__name__, str(e)]
result = {"nodes": nodes, "vals": [[np.asarray(a).tolist() for a in v] for v in vals], "errs": errs}
def unknown_inputs():
    g = tf.Graph()
    with g.as_default():
        a, b, c = (tf.placeholder(tf.float32, [2, 2], name=n) for n in "abc")
        tf.matmul(tf.matmul(a, b, name="m1"), c, name="m2")
        tf.matmul(tf.square(a), tf.abs(b), name="m3")
    try:
        tf.train.do_quantize_training_on_graphdef(g.as_graph_def(), 4)
    except Exception as e:
        return [type(e).__name__, str(e)]
result["errs"]["unknown"] = unknown_inputs()


def with_saver(tmp):
    g = tf.Graph()
    with g.as_default():
        w = tf.Variable(tf.ones([2, 2]), name="w")
        x = tf.placeholder(tf.float32, [2, 2], name="x")
        tf.matmul(x, w, name="mm")
        tf.train.Saver()
    out = tf.train.do_quantize_training_on_graphdef(g.as_graph_def(), 8)
    feed = {"x:0": [[1.0, -2.0], [3.0, 0.5]]}
    with tf.Graph().as_default() as g2:
        tf.import_graph_def(out, name="")
        with tf.Session() as s:
            s.run("w/Assign")
            s.run("mm:0", feed)
            s.run("save/control_dependency:0", {"save/Const:0": tmp})
        with tf.Session() as s:
            s.run("save/restore_all", {"save/Const:0": tmp})
            restored = s.run(["x/Min/Variable:0", "x/Max/Variable:0"])
    return {n.name: [n.op, list(n.input), attrs(n)] for n in out.node}, restored


import tempfile
result["saver"] = with_saver(tempfile.mkdtemp() + "/ckpt")
"""


def _assert_close(ours, theirs) -> None:
    """Nested lists of numbers equal up to float32 rounding."""
    if isinstance(ours, list) and any(isinstance(x, list) for x in ours):
        assert isinstance(theirs, list) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _assert_close(a, b)
    else:
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


@pytest.mark.tf
@requires_tf
def test_rewrite_matches_tf():
    here, theirs = run_both(PROGRAM)
    assert here["nodes"] == theirs["nodes"]
    # (products round as the CPU's BLAS kernels do: equal to float32 precision)
    _assert_close(here["vals"], theirs["vals"])
    assert here["errs"]["bits"] == theirs["errs"]["bits"]
    assert here["errs"]["unknown"][0] == "UnimplementedError"
    assert here["errs"]["unknown"][1] in theirs["errs"]["unknown"][1]
    assert here["saver"][0] == theirs["saver"][0]  # (the Saver saves and restores them too)
    assert here["saver"][1] == theirs["saver"][1] == [-2.0, 3.0]


def test_rewrite_quantizes_inputs_of_matmuls():
    r = run_here(PROGRAM)
    assert r["nodes"]["mm"][1] == [
        "Relu6/QuantizeAndDequantizeV2",
        "w/read/QuantizeAndDequantizeV2",
    ]
    assert r["nodes"]["Relu6/InputMax"][2]["value"] == 6.0
    assert r["vals"][0][2] == -3.0  # (the first run sets the range variable to w's min)


def test_graph_with_two_savers_is_refused():
    g = tf.Graph()
    with g.as_default():
        w = tf.Variable(tf.ones([2, 2]))
        tf.matmul(w, w)
        tf.train.Saver()
        tf.train.Saver()
    with pytest.raises(tf.errors.InvalidArgumentError, match="multiple SaveV2 ops"):
        tf.train.do_quantize_training_on_graphdef(g.as_graph_def(), 8)

"""Malformed GraphDefs imported by real TensorFlow 2.21 and by tfgraph: the same error
class (at import, or when the imported graph runs) and the same key phrase."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json
from tfgraph import errors
from tfgraph.proto import text_format


def _base():
    g = tf.Graph()
    with g.as_default():
        x = tf.constant([[1.0, 2.0], [3.0, 4.0]], name="x")
        tf.identity(x, name="y")
        tf.split(x, 2, name="s")
        tf.add_n([x, x], name="n")
        tf.nn.relu(x, name="relu")
        tf.reshape(x, [4], name="r")
    return g.as_graph_def()


def _node(gd, name):
    return next(n for n in gd.node if n.name == name)


def _set_attr(node, attr, text):
    def mutate(gd):
        av = _node(gd, node).attr[attr]
        av.Clear()
        text_format.Parse(text, av)

    return mutate


def _rename(node, new):
    def mutate(gd):
        _node(gd, node).name = new

    return mutate


def _input(node, new):
    def mutate(gd):
        _node(gd, node).input[0] = new

    return mutate


def _const(shape, content=None, float_val=()):
    def build():
        gd = tf.GraphDef()
        n = gd.node.add()
        n.name, n.op = "c", "Const"
        n.attr["dtype"].type = tf.float32.as_datatype_enum
        t = n.attr["value"].tensor
        t.dtype = tf.float32.as_datatype_enum
        for d in shape:
            t.tensor_shape.dim.add().size = d
        if content is not None:
            t.tensor_content = content
        t.float_val.extend(float_val)
        return gd

    return build


def _mutated(mutate):
    def build():
        gd = _base()
        mutate(gd)
        return gd

    return build


def _long_shape_tensor(gd):
    t = _node(gd, "r/shape").attr["value"].tensor
    t.ClearField("tensor_content")
    t.tensor_shape.dim[0].size = 10**12
    t.int_val[:] = [4]


# name -> (GraphDef builder, tensor to run after a successful import, key phrase).
CASES = {
    "T shape": (_mutated(_set_attr("y", "T", "shape {}")), None, "had value with type 'shape'"),
    "T int": (_mutated(_set_attr("y", "T", "i: 3")), None, "had value with type 'int'"),
    "T empty": (_mutated(_set_attr("y", "T", "")), None, "AttrValue missing value"),
    "T ref": (_mutated(_set_attr("y", "T", "type: DT_FLOAT_REF")), None, "reference type"),
    "T not allowed": (
        _mutated(_set_attr("relu", "T", "type: DT_STRING")),
        None,
        "is not in the list of allowed values",
    ),
    "num_split string": (
        _mutated(_set_attr("s", "num_split", 's: "x"')),
        None,
        "had value with type 'string'",
    ),
    "num_split 0": (
        _mutated(_set_attr("s", "num_split", "i: 0")),
        None,
        "must be at least minimum 1",
    ),
    "num_split 1e7": (
        _mutated(_set_attr("s", "num_split", "i: 10000000")),
        None,
        "evenly divisible by 10000000",
    ),
    # (N=10**9 makes TF itself run out of memory: tfgraph says ValueError, see
    # tests/framework/test_importer.py.)
    "N 3": (_mutated(_set_attr("n", "N", "i: 3")), None, "do not match 2 inputs"),
    "value type": (_mutated(_set_attr("x", "value", "type: DT_FLOAT")), None, "'tensor' expected"),
    "name empty": (_mutated(_rename("y", "")), None, "Node name contains invalid characters"),
    "name space": (_mutated(_rename("y", "a b")), None, "Node name contains invalid characters"),
    "name underscore": (_mutated(_rename("y", "_a")), None, "Node name contains invalid"),
    "name slashes": (_mutated(_rename("y", "a//b/")), None, None),
    "input x:a": (_mutated(_input("y", "x:a")), None, "Unknown input node 'x:a'"),
    "input ^x:0": (_mutated(_input("y", "^x:0")), None, "Unknown input node '^x:0'"),
    "_class string": (_mutated(_set_attr("y", "_class", 's: "loc:@x"')), None, None),
    "_class empty": (_mutated(_set_attr("y", "_class", "")), "y:0", None),
    "const 1e12": (_const([10**12], float_val=[1.0]), "c:0", "Cannot parse tensor from proto"),
    "const odd content": (_const([2], b"abcde"), "c:0", "Cannot parse tensor from proto"),
    "const short content": (_const([3], b"abcdefgh"), "c:0", "Cannot parse tensor from proto"),
    "const overflow": (_const([2**40, 2**40], float_val=[1.0]), None, "more than 2**63 - 1"),
    "const unknown dim": (_const([-1], float_val=[1.0]), None, "is not fully defined"),
    "const too many values": (_const([2], float_val=[1.0, 2.0, 3.0]), "c:0", None),
    "shape tensor 1e12 long": (
        _mutated(_long_shape_tensor),
        None,
        "Cannot create a tensor with 1000000000000 dimensions",
    ),
}

_TF_SNIPPET = """
import base64, json
cases = json.loads({cases!r})
out = {{}}
for name, (data, fetch) in cases.items():
    gd = tf.GraphDef.FromString(base64.b64decode(data))
    g = tf.Graph()
    res = {{"import": "OK", "run": None, "message": "", "value": None}}
    with g.as_default():
        try:
            tf.import_graph_def(gd, name="")
        except Exception as e:
            res["import"], res["message"] = type(e).__name__, str(e)
        else:
            if fetch:
                with tf.Session() as sess:
                    try:
                        res["value"] = sess.run(fetch).tolist()
                        res["run"] = "OK"
                    except Exception as e:
                        res["run"], res["message"] = type(e).__name__, str(e)
    out[name] = res
print(json.dumps(out))
"""


def _tfgraph_result(gd, fetch):
    res = {"import": "OK", "run": None, "message": "", "value": None}
    g = tf.Graph()
    with g.as_default():
        try:
            tf.import_graph_def(gd, name="")
        except (ValueError, TypeError, errors.OpError) as e:
            res["import"], res["message"] = type(e).__name__, str(e)
            assert g.get_operations() == [], "partially imported graph"
            return res
        if fetch:
            with tf.Session() as sess:
                try:
                    res["value"] = np.asarray(sess.run(fetch)).tolist()
                    res["run"] = "OK"
                except errors.OpError as e:
                    res["run"], res["message"] = type(e).__name__, str(e)
    return res


@pytest.fixture(scope="module")
def tf_results():
    payload = {
        name: (base64.b64encode(build().SerializeToString()).decode(), fetch)
        for name, (build, fetch, _) in CASES.items()
    }
    return run_tf_json(_TF_SNIPPET.format(cases=json.dumps(payload)), timeout=300)


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("name", sorted(CASES))
def test_import_error_matches_tf(tf_results, name):
    build, fetch, phrase = CASES[name]
    want = tf_results[name]
    got = _tfgraph_result(build(), fetch)
    assert (got["import"], got["run"]) == (want["import"], want["run"]), (want, got)
    assert got["value"] == want["value"]
    if phrase is not None:
        assert phrase in want["message"], want["message"]
        assert phrase in got["message"], got["message"]

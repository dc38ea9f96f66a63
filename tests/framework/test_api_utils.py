"""Python-level TF1 names (tfgraph/framework/api_utils.py and small aliases): version
constants, QUANTIZED_DTYPES, is_tensor, get_static_value, broadcast_static_shape,
container, op_scope, NoGradient/OpError, make_ndarray/make_tensor_proto, floor_div,
to_complex64/128; compared with what TF 2.21 gives where it runs."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests import tfrun


def test_versions_and_dtypes():
    assert tf.VERSION == "2.21.0" and isinstance(tf.GIT_VERSION, str)
    assert tf.Graph().as_graph_def().versions.producer == tf.GRAPH_DEF_VERSION
    assert tf.GRAPH_DEF_VERSION_MIN_CONSUMER == 0 and tf.GRAPH_DEF_VERSION_MIN_PRODUCER == 0
    assert tf.qint8 in tf.QUANTIZED_DTYPES and tf.float32 not in tf.QUANTIZED_DTYPES
    assert len(tf.QUANTIZED_DTYPES) == 10


def test_is_tensor_and_static_values():
    x = tf.placeholder(tf.float32, [2, None])
    assert tf.is_tensor(x) and tf.is_tensor(tf.Variable(1.0))
    assert tf.is_tensor(tf.IndexedSlices(x, x)) and not tf.is_tensor(np.ones(2))
    assert not tf.is_tensor(1.0)
    np.testing.assert_array_equal(tf.get_static_value(tf.constant([1, 2])), [1, 2])
    assert tf.get_static_value(x) is None
    assert tf.get_static_value(5) == 5


def test_broadcast_static_shape():
    assert tf.broadcast_static_shape(tf.TensorShape([2, 1]), tf.TensorShape([3])) == [2, 3]
    assert tf.broadcast_static_shape([None, 1], [4]).as_list() == [None, 4]
    assert tf.broadcast_static_shape(tf.TensorShape(None), [4]).ndims is None
    with pytest.raises(ValueError, match=r"Received: \(2,\) and \(3,\)"):
        tf.broadcast_static_shape(tf.TensorShape([2]), tf.TensorShape([3]))


def test_container_and_op_scope():
    with tf.container("abc"):
        v = tf.Variable(1.0, name="v")
    w = tf.Variable(1.0, name="w")
    assert v.op.get_attr("container") == b"abc" and w.op.get_attr("container") == b""
    with tf.op_scope([v], "n", "d") as scope:
        assert scope == "n/"
    with tf.op_scope([v], None, "d") as scope:
        assert scope == "d/"


def test_aliases():
    assert tf.NoGradient is tf.no_gradient and tf.OpError is tf.errors.OpError
    np.testing.assert_array_equal(tf.make_ndarray(tf.make_tensor_proto([1, 2])), [1, 2])


_PROGRAM = """
out = {}
g = tf.Graph()
with g.as_default():
    a = tf.to_complex64(tf.constant([1.0, 2.0]))
    b = tf.to_complex128(tf.constant([1.0, 2.0]), name="c")
    d = tf.floor_div(7, 2)
    e = tf.floor_div(tf.constant([-7.0, 7.5]), 2.0, name="fd")
    with tf.container("box"):
        v = tf.Variable(1.0, name="v")
    with tf.op_scope([a], None, "dflt") as s:
        pass
    out["ops"] = [[op.name, op.type] for op in g.get_operations()]
    out["container"] = v.op.get_attr("container").decode()
    out["scope"] = s
    with tf.Session() as sess:
        va, vb, vd, ve = sess.run([a, b, d, e])
    out["values"] = [str(va.dtype), str(vb.dtype), int(vd), ve.tolist()]
print(json.dumps(out))
"""


@pytest.mark.tf
@tfrun.requires_tf
def test_against_tf():
    want = json.loads(tfrun.run_tf(_PROGRAM))
    ns: dict = {"tf": tf, "np": np, "json": json}
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(_PROGRAM, ns)
    assert json.loads(buf.getvalue()) == want


def test_tensor_predicates_timestamp_guarantee_const():
    import time

    x = tf.constant([1.0, 2.0])
    s = tf.placeholder(tf.string)
    assert tf.is_numeric_tensor(x) and not tf.is_numeric_tensor(s)
    assert not tf.is_numeric_tensor(1.0)
    assert tf.is_symbolic_tensor(x) and not tf.is_symbolic_tensor(1.0)
    slices = tf.IndexedSlices(x, tf.constant([0, 1]))
    assert tf.convert_to_tensor_or_indexed_slices(slices) is slices
    assert isinstance(tf.convert_to_tensor_or_indexed_slices([1, 2]), tf.Tensor)
    t = tf.timestamp()
    assert t.dtype == tf.float64 and t.op.op_def.is_stateful
    g = tf.guarantee_const(x)
    assert g.op.type == "GuaranteeConst"
    with tf.Session() as sess:
        before = time.time()
        stamp, value = sess.run([t, g])
        assert before - 1 <= stamp <= time.time() + 1
        np.testing.assert_array_equal(value, [1.0, 2.0])
    with pytest.raises(LookupError, match="No gradient defined"):
        tf.gradients(g, x)

"""tf.py_func / tf.numpy_function / tf.py_function (tfgraph/ops/script_ops.py): op types,
names, attrs, statefulness, values, no gradient for PyFunc, and the error classes a
raising or ill-typed function gives, compared with TF 2.21."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests import tfrun

_PROGRAM = r"""
out = {}
g = tf.Graph()
with g.as_default():
    x = tf.placeholder(tf.float32, [2], name="x")
    a = tf.py_func(lambda v: v * 2, [x], tf.float32)
    b = tf.py_func(lambda v: (v, v.astype(np.int64)), [x], [tf.float32, tf.int64],
                   stateful=False, name="pf")
    c = tf.numpy_function(lambda v: v + 1, [x], tf.float32)
    d = tf.py_function(lambda v: v.numpy() * 3, [x], tf.float32)
    k = tf.py_func(lambda v: None, [x], [])
    bad = {
        "zero_div": tf.py_func(lambda v: 1 / 0, [x], tf.float32),
        "dtype": tf.py_func(lambda v: v, [x], tf.int32),
        "count": tf.py_func(lambda v: (v, v), [x], tf.float32),
        "python_float": tf.py_func(lambda v: 1.5, [x], tf.float32),
    }
    for ex in [ValueError, TypeError, NotImplementedError, KeyError, MemoryError]:
        def f(v, ex=ex):
            raise ex("boom")
        bad[ex.__name__] = tf.py_func(f, [x], tf.float32)
    out["ops"] = [
        [op.name, op.type, op.op_def.is_stateful, sorted(op.node_def.attr)]
        for op in g.get_operations()[:6]
    ]
    out["k"] = k.type
    out["static"] = [str(a.shape), str(b[1].shape), b[1].dtype.name]
    out["grad"] = [v is None for v in tf.gradients(a, x)]
    with tf.Session() as s:
        va, vb, vc, vd, vk = s.run([a, b, c, d, k], {x: [1.0, 2.0]})
        out["values"] = [va.tolist(), vb[0].tolist(), vb[1].tolist(), str(vb[1].dtype),
                         vc.tolist(), vd.tolist(), vk]
        out["errors"] = {}
        for key, t in sorted(bad.items()):
            try:
                s.run(t, {x: [1.0, 2.0]})
                out["errors"][key] = None
            except tf.errors.OpError as e:
                msg = e.message
                out["errors"][key] = [type(e).__name__, "returns 2 values, but expects to see 1"
                                      in msg or "is float, but expects int32" in msg
                                      or "is double, but expects float" in msg
                                      or f"{key}: boom" in msg or "division by zero" in msg]
print(json.dumps(out))
"""


def _ours() -> dict:
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(_PROGRAM, {"tf": tf, "np": np, "json": json})
    return json.loads(buf.getvalue())


def test_graph_values_and_errors():
    out = _ours()
    assert out["ops"][1] == ["PyFunc", "PyFunc", True, ["Tin", "Tout", "token"]]
    assert out["ops"][2] == ["pf", "PyFuncStateless", False, ["Tin", "Tout", "token"]]
    assert out["ops"][4] == [
        "EagerPyFunc",
        "EagerPyFunc",
        True,
        ["Tin", "Tout", "is_async", "token"],
    ]
    assert out["k"] == "PyFunc" and out["grad"] == [True]
    assert out["values"] == [[2.0, 4.0], [1.0, 2.0], [1, 2], "int64", [2.0, 3.0], [3.0, 6.0], None]
    assert out["errors"]["ValueError"] == ["InvalidArgumentError", True]
    assert out["errors"]["zero_div"] == ["UnknownError", True]
    assert out["errors"]["count"] == ["InvalidArgumentError", True]


def test_a_token_without_a_function_fails_at_run_time():
    g = tf.Graph()
    with g.as_default():
        tf.py_func(lambda v: v, [tf.constant(1.0)], tf.float32, name="f")
    g2 = tf.Graph()
    gd = g.as_graph_def()
    gd.node[1].attr["token"].s = b"pyfunc_not_here"
    with g2.as_default():
        tf.import_graph_def(gd, name="")
        with tf.Session() as s, pytest.raises(tf.errors.UnknownError, match="is not found"):
            s.run("f:0")


@pytest.mark.tf
@tfrun.requires_tf
def test_against_tf():
    want = json.loads(tfrun.run_tf(_PROGRAM))
    assert _ours() == want

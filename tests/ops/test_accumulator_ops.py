"""`tf.ConditionalAccumulator`: ops, stale gradients, global steps, errors; against TF."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = """
def message(e):
    text = getattr(e, "message", str(e))
    return [l for l in text.split("\\n") if "must be" in l or "Shape" in l or "shape" in l][0][:90]


q = tf.ConditionalAccumulator(tf.float32, shape=[2], shared_name="acc")
a = q.apply_grad([1.0, 2.0], local_step=0)
t = q.take_grad(1)
n = q.num_accumulated()
s = q.set_global_step(3)
out = {"ops": [[op.name, op.type] for op in tf.get_default_graph().get_operations()],
       "t_shape": str(t.shape), "name": q.name}
with tf.Session() as sess:
    sess.run(a)
    sess.run(q.apply_grad([3.0, 4.0], local_step=0))
    out["n"] = int(sess.run(n))
    out["t"] = sess.run(t).tolist()
    out["n2"] = int(sess.run(n))
    sess.run(q.apply_grad([5.0, 5.0], local_step=0))
    out["stale"] = int(sess.run(n))
    sess.run(q.apply_grad([5.0, 5.0], local_step=1))
    out["fresh"] = int(sess.run(n))
    sess.run(s)
    sess.run(q.apply_grad([5.0, 5.0], local_step=2))
    out["after_set"] = int(sess.run(n))
    for key, f in (("zero", lambda: sess.run(q.take_grad(0))),
                   ("shape", lambda: q.apply_grad([1.0, 2.0, 3.0])),
                   ("rank", lambda: sess.run(q.apply_grad([[1.0, 2.0]], local_step=5)))):
        try:
            f()
            out[key] = "ok"
        except Exception as e:
            out[key] = [type(e).__name__, message(e)]
    q2 = tf.ConditionalAccumulator(tf.float64, reduction_type="SUM", name="sum_acc")
    sess.run(q2.apply_grad([1.0, 2.0]))
    sess.run(q2.apply_grad([1.0, 2.0]))
    out["sum"] = sess.run(q2.take_grad(2)).tolist()
"""


def _ours() -> dict:
    scope = {"tf": tf, "np": np}
    exec(PROGRAM, scope)
    return scope["out"]


def test_accumulates_drops_stale_gradients_and_counts_steps():
    out = _ours()
    assert [op for _, op in out["ops"]][:2] == ["ResourceConditionalAccumulator", "Const"]
    assert (out["n"], out["t"], out["n2"]) == (2, [2.0, 3.0], 0)
    assert (out["stale"], out["fresh"], out["after_set"]) == (0, 1, 1)
    assert out["zero"] == [
        "InvalidArgumentError",
        "Argument num_required must be positive, but was 0",
    ]
    assert out["shape"][0] == "ValueError" and out["sum"] == [2.0, 4.0]


def test_take_grad_waits_for_enough_gradients():
    q = tf.ConditionalAccumulator(tf.float32, shape=[])
    take = q.take_grad(2)
    apply = q.apply_grad(tf.placeholder_with_default(1.0, []))
    with tf.Session() as sess:
        got = []
        taker = threading.Thread(target=lambda: got.append(sess.run(take)))
        taker.start()
        sess.run(apply)
        time.sleep(0.2)
        assert not got  # (one of two)
        sess.run(apply)
        taker.join(timeout=10)
        assert got == [1.0]


@pytest.mark.tf
@requires_tf
def test_matches_tensorflow():
    assert _ours() == run_tf_json(PROGRAM + "\nprint(json.dumps(out))")

"""tf.batch_scatter_update against TF (graph, values)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = """
out = {}
with tf.Graph().as_default():
    v = tf.Variable(np.arange(24, dtype=np.float32).reshape(2, 3, 4))
    updates = tf.constant([[[-1.0] * 4, [-2.0] * 4], [[-3.0] * 4, [-4.0] * 4]])
    u1 = tf.batch_scatter_update(v, tf.constant([[0, 2], [1, 1]]), updates)
    w = tf.Variable([1.0, 2.0, 3.0])
    u2 = tf.batch_scatter_update(w, [2, 0], [9.0, 8.0], name="flat")
    out["ops"] = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out["values"] = [sess.run(u1).tolist(), sess.run(u2).tolist()]
"""


def _here():
    scope = {"tf": tf, "np": np}
    exec(PROGRAM, scope)
    return json.loads(json.dumps(scope["out"]))


def test_values():
    v = _here()["values"]
    assert v[0][0][0] == [-1.0] * 4 and v[0][0][2] == [-2.0] * 4 and v[0][1][1] == [-4.0] * 4
    assert v[0][0][1] == [4.0, 5.0, 6.0, 7.0]
    assert v[1] == [8.0, 2.0, 9.0]


@pytest.mark.tf
@requires_tf
def test_matches_tf():
    assert _here() == run_tf_json(PROGRAM + "\nprint(json.dumps(out))\n")

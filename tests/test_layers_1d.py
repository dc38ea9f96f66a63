"""tf.layers.conv1d / Conv1D and max/average_pooling1d against TF (graphs, values,
gradients)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

GRAPHS = """
def show(title, build):
    g = tf.Graph()
    with g.as_default():
        y = build()
        ops = sorted(o.name + ":" + o.type for o in g.get_operations())
        out[title] = [ops, [v.name for v in tf.global_variables()], str(y.shape), y.name]
out = {}
ph = tf.placeholder
show("conv1d", lambda: tf.layers.conv1d(ph(tf.float32, [None, 10, 3]), 4, 3,
                                        activation=tf.nn.relu))
show("conv1d same s2", lambda: tf.layers.conv1d(ph(tf.float32, [2, 10, 3]), 4, 3, strides=2,
                                                padding="same", use_bias=False))
show("conv1d dil", lambda: tf.layers.conv1d(ph(tf.float32, [2, 10, 3]), 2, 3, dilation_rate=2))
show("maxpool1d", lambda: tf.layers.max_pooling1d(ph(tf.float32, [None, 10, 3]), 2, 2))
show("avgpool1d", lambda: tf.layers.average_pooling1d(ph(tf.float32, [None, 10, 3]), 3, 1,
                                                      padding="same"))
"""

VALUES = """
rng = np.random.RandomState(0)
out = {}
for title, build in [
    ("conv1d", lambda x, k: tf.layers.conv1d(x, 4, 3, kernel_initializer=k,
                                             activation=tf.nn.tanh)),
    ("conv1d same s2", lambda x, k: tf.layers.conv1d(x, 4, 3, strides=2, padding="same",
                                                     kernel_initializer=k)),
    ("conv1d dilated", lambda x, k: tf.layers.conv1d(x, 4, 3, dilation_rate=2,
                                                     kernel_initializer=k)),
    ("conv1d causal", lambda x, k: tf.layers.conv1d(x, 4, 2, padding="causal",
                                                    dilation_rate=2, kernel_initializer=k)),
    ("maxpool1d", lambda x, k: tf.layers.max_pooling1d(x, 2, 2)),
    ("avgpool1d same", lambda x, k: tf.layers.average_pooling1d(x, 3, 1, padding="same")),
]:
    xv = rng.standard_normal((2, 9, 3)).astype(np.float32)
    kernel = tf.constant_initializer(rng.standard_normal(3 * 3 * 4).astype(np.float32)[
        : (2 if "causal" in title else 3) * 3 * 4])
    with tf.Graph().as_default():
        x = tf.constant(xv)
        y = build(x, kernel)
        w = tf.constant(rng.standard_normal(y.shape.as_list()).astype(np.float32))
        grads = tf.gradients(tf.reduce_sum(y * w), [x] + tf.trainable_variables())
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            out[title] = [v.tolist() for v in sess.run([y] + grads)]
"""


def _here(code: str) -> dict:
    scope = {"tf": tf, "np": np}
    exec(code, scope)
    return json.loads(json.dumps(scope["out"]))


def test_shapes():
    out = _here(GRAPHS)
    assert out["conv1d"][1:] == [["conv1d/kernel:0", "conv1d/bias:0"], "(?, 8, 4)", "conv1d/Relu:0"]
    assert out["maxpool1d"][2:] == ["(?, 5, 3)", "max_pooling1d/Squeeze:0"]


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("code", [GRAPHS, VALUES], ids=["graphs", "values"])
def test_matches_tf(code):
    theirs = run_tf_json(code + "\nprint(json.dumps(out))\n")
    ours = _here(code)
    assert ours.keys() == theirs.keys()
    for key in theirs:
        if code is GRAPHS:
            if key == "conv1d dil":  # (TF dilates with SpaceToBatchND; tfgraph's Conv2D)
                assert ours[key][1:] == theirs[key][1:]
            else:
                assert ours[key] == theirs[key], key
            continue
        for a, b in zip(ours[key], theirs[key]):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5, err_msg=key)

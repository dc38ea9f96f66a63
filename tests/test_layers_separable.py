"""tf.layers.separable_conv2d/SeparableConv2D and separable_conv1d/SeparableConv1D:
graphs (op names and types), variables, static shapes, values and gradients against TF."""

from __future__ import annotations

import json

import numpy as np

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = """
rng = np.random.RandomState(0)
out = {}
init = tf.constant_initializer
with tf.Graph().as_default() as g:
    x = tf.placeholder(tf.float32, (2, 7, 6, 3))
    y = tf.layers.separable_conv2d(
        x, 4, (3, 2), strides=(2, 2), padding="same", depth_multiplier=2,
        activation=tf.nn.relu, depthwise_initializer=init(rng.randn(3, 2, 3, 2)),
        pointwise_initializer=init(rng.randn(1, 1, 6, 4)), bias_initializer=init(rng.randn(4)))
    x1 = tf.placeholder(tf.float32, (2, 9, 3))
    z = tf.layers.separable_conv1d(
        x1, 4, 3, strides=2, padding="valid", depthwise_initializer=init(rng.randn(3, 3, 1)),
        pointwise_initializer=init(rng.randn(1, 3, 4)), bias_initializer=init(rng.randn(4)))
    zc = tf.layers.SeparableConv1D(
        2, 2, padding="causal", depth_multiplier=2, dilation_rate=1,
        depthwise_initializer=init(rng.randn(2, 3, 2)),
        pointwise_initializer=init(rng.randn(1, 6, 2)))(x1)
    xc = tf.placeholder(tf.float32, (2, 3, 7, 6))
    w = tf.layers.SeparableConv2D(2, 2, data_format="channels_first", name="sep_cf")(xc)
    outs = [y, z, zc]
    loss = sum(tf.reduce_sum(t * t) for t in outs)
    grads = tf.gradients(loss, [x, x1] + tf.trainable_variables()[:9])
    out["ops"] = [o.name + ":" + o.type for o in g.get_operations()]
    out["vars"] = [v.name + str(v.shape) for v in tf.global_variables()]
    out["shapes"] = [str(t.shape) for t in outs + [w]]
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        feed = {x: rng.randn(2, 7, 6, 3), x1: rng.randn(2, 9, 3)}
        vals = s.run(outs + grads, feed)
    out["values"] = [v.tolist() for v in vals]
"""


def _here():
    scope = {"tf": tf, "np": np}
    exec(PROGRAM, scope)
    return json.loads(json.dumps(scope["out"]))


def test_variable_names():
    out = _here()
    assert out["vars"][:3] == [
        "separable_conv2d/depthwise_kernel:0(3, 2, 3, 2)",
        "separable_conv2d/pointwise_kernel:0(1, 1, 6, 4)",
        "separable_conv2d/bias:0(4,)",
    ]


@requires_tf
def test_matches_tf():
    theirs = run_tf_json(PROGRAM + "\nprint(json.dumps(out))\n")
    ours = _here()
    for key in ("ops", "vars", "shapes"):
        assert ours[key] == theirs[key], key
    for i, (a, b) in enumerate(zip(ours["values"], theirs["values"])):
        scale = max(np.abs(np.asarray(b)).max(), 1.0)
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-5 * scale, err_msg=str(i))

"""tf.layers.conv2d_transpose / Conv2DTranspose against TF (graphs, shapes, values,
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
        out[title] = [[[o.name, o.type] for o in g.get_operations()],
                      [v.name for v in tf.global_variables()], str(y.shape), y.name]
out = {}
ct = tf.layers.conv2d_transpose
show("same s2 relu", lambda: ct(tf.placeholder(tf.float32, [None, 5, 5, 3]), 4, 3, strides=2,
                                padding="same", activation=tf.nn.relu))
show("valid", lambda: ct(tf.placeholder(tf.float32, [2, 5, 5, 3]), 4, (3, 2), strides=(2, 1),
                         padding="valid", use_bias=False))
show("unknown hw", lambda: ct(tf.placeholder(tf.float32, [None, None, None, 3]), 2, 2, strides=2))
"""

VALUES = """
rng = np.random.RandomState(0)
out = {}
for title, shape, kwargs in [
    ("same s2", [2, 4, 5, 3], {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"}),
    ("valid", [2, 4, 5, 3], {"filters": 2, "kernel_size": (3, 2), "strides": (2, 1)}),
    ("valid s3", [1, 3, 3, 2], {"filters": 3, "kernel_size": 2, "strides": 3,
                                "activation": tf.nn.tanh}),
]:
    xv = rng.standard_normal(shape).astype(np.float32)
    size = kwargs["kernel_size"]
    kh, kw = (size, size) if isinstance(size, int) else size
    kernel = rng.standard_normal([kh, kw, kwargs["filters"], shape[-1]]).astype(np.float32)
    bias = rng.standard_normal([kwargs["filters"]]).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None] + shape[1:])
        y = tf.layers.conv2d_transpose(
            x, kernel_initializer=tf.constant_initializer(kernel),
            bias_initializer=tf.constant_initializer(bias), **kwargs)
        w = tf.constant(rng.standard_normal([shape[0]] + y.shape.as_list()[1:]).astype(np.float32))
        grads = tf.gradients(tf.reduce_sum(y * w), [x] + tf.trainable_variables())
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            values = sess.run([y] + grads, {x: xv})
    out[title] = [v.tolist() for v in values]
"""


def _here(code: str) -> dict:
    scope = {"tf": tf, "np": np}
    exec(code, scope)
    return json.loads(json.dumps(scope["out"]))


def test_shapes_and_variables():
    out = _here(GRAPHS)
    ops, variables, shape, name = out["same s2 relu"]
    assert variables == ["conv2d_transpose/kernel:0", "conv2d_transpose/bias:0"]
    assert (shape, name) == ("(?, 10, 10, 4)", "conv2d_transpose/Relu:0")
    assert ["conv2d_transpose/conv2d_transpose", "Conv2DBackpropInput"] in ops
    assert out["valid"][2] == "(2, 11, 6, 4)"


def test_values_are_conv2d_s_input_gradient():
    with tf.Graph().as_default():
        x = tf.constant(np.arange(8, dtype=np.float32).reshape(1, 2, 2, 2))
        y = tf.layers.conv2d_transpose(
            x, 1, 1, kernel_initializer=tf.constant_initializer([[1.0, 2.0]]), use_bias=False
        )
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got = sess.run(y)
    np.testing.assert_allclose(got[..., 0], np.arange(8).reshape(1, 2, 2, 2) @ [1.0, 2.0])


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("code", [GRAPHS, VALUES], ids=["graphs", "values"])
def test_matches_tf(code):
    theirs = run_tf_json(code + "\nprint(json.dumps(out))\n")
    ours = _here(code)
    if code is GRAPHS:
        assert ours == theirs
        return
    assert ours.keys() == theirs.keys()
    for key in theirs:
        for a, b in zip(ours[key], theirs[key]):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4, err_msg=key)

"""More of tf.nn (zero_fraction, swish/silu, crelu, relu_layer, log_poisson_loss, the
moments helpers, max/avg_pool1d, space_to_depth/depth_to_space): graphs, values and
gradients against TF."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = """
rng = np.random.RandomState(0)
X = rng.standard_normal((4, 6)).astype(np.float32)
X3 = rng.standard_normal((2, 8, 3)).astype(np.float32)
X4 = rng.standard_normal((2, 4, 4, 8)).astype(np.float32)
out = {}
cases = {
    "zero_fraction": lambda x: tf.nn.zero_fraction(tf.nn.relu(x)),
    "swish": lambda x: tf.nn.swish(x),
    "silu": lambda x: tf.nn.silu(x, beta=1.5),
    "crelu": lambda x: tf.nn.crelu(x),
    "crelu_axis0": lambda x: tf.nn.crelu(x, axis=0),
    "relu_layer": lambda x: tf.nn.relu_layer(
        x, tf.constant(X.T[:, :3] * 0.5), tf.constant([0.1, -0.2, 0.3])),
    "log_poisson": lambda x: tf.nn.log_poisson_loss(tf.abs(x), x * 0.3),
    "log_poisson_full": lambda x: tf.nn.log_poisson_loss(
        tf.abs(x) * 3.0, x * 0.3, compute_full_loss=True),
    "sufficient_statistics": lambda x: tf.nn.sufficient_statistics(x, [0]),
    "sufficient_statistics_shift": lambda x: tf.nn.sufficient_statistics(
        x, [0, 1], shift=0.5, keep_dims=True),
    "normalize_moments": lambda x: tf.nn.normalize_moments(
        tf.constant(4.0), tf.reduce_sum(x, 0), tf.reduce_sum(x * x, 0), None),
    "normalize_moments_shift": lambda x: tf.nn.normalize_moments(
        tf.constant(4.0), tf.reduce_sum(x - 0.5, 0), tf.reduce_sum((x - 0.5) ** 2, 0), 0.5),
    "weighted_moments": lambda x: tf.nn.weighted_moments(
        x, [0], tf.constant([[1.0], [2.0], [0.5], [0.0]])),
    "weighted_moments_keep": lambda x: tf.nn.weighted_moments(x, [1], tf.abs(x), keepdims=True),
    "max_pool1d": lambda x: tf.nn.max_pool1d(tf.constant(X3), 2, 2, "VALID"),
    "avg_pool1d": lambda x: tf.nn.avg_pool1d(tf.constant(X3), 3, 1, "SAME"),
    "space_to_depth": lambda x: tf.nn.space_to_depth(tf.constant(X4), 2),
    "depth_to_space": lambda x: tf.nn.depth_to_space(tf.constant(X4), 2),
}
for name, build in cases.items():
    with tf.Graph().as_default():
        x = tf.constant(X)
        y = build(x)
        ys = [t for t in (list(y) if isinstance(y, (tuple, list)) else [y])
              if t is not None]
        g = tf.gradients(
            tf.add_n([tf.reduce_sum(t * t) for t in ys if t.dtype == tf.float32]), x)
        with tf.Session() as sess:
            vals = sess.run(ys + [gg for gg in g if gg is not None])
        ops = tf.get_default_graph().get_operations()
        out[name] = {"values": [np.asarray(v).tolist() for v in vals],
                     "names": [t.name for t in ys],
                     "ops": sorted(o.name + ":" + o.type for o in ops)}
"""


def _here():
    scope = {"tf": tf, "np": np}
    exec(PROGRAM, scope)
    return json.loads(json.dumps(scope["out"]))


def test_values():
    out = _here()
    relu = np.maximum(np.asarray(out["crelu"]["values"][0]), 0)
    assert relu.shape == (4, 12)
    x = np.random.RandomState(0).standard_normal((4, 6)).astype(np.float32)
    assert out["zero_fraction"]["values"][0] == pytest.approx(float(np.mean(x <= 0)))
    np.testing.assert_allclose(out["swish"]["values"][0], x / (1 + np.exp(-x)), rtol=1e-5)
    mean, var = out["weighted_moments"]["values"][:2]
    w = np.array([[1.0], [2.0], [0.5], [0.0]])
    m = (w * x).sum(0) / w.sum()
    np.testing.assert_allclose(mean, m, rtol=1e-5)
    np.testing.assert_allclose(var, (w * (x - m) ** 2).sum(0) / w.sum(), rtol=1e-4)


def test_pool1d_rejects_bad_formats():
    with pytest.raises(ValueError, match="data_format"):
        tf.nn.max_pool1d(tf.zeros([1, 4, 2]), 2, 2, "VALID", data_format="NHWC")


@pytest.mark.tf
@requires_tf
def test_matches_tf():
    theirs = run_tf_json(PROGRAM + "\nprint(json.dumps(out))\n")
    ours = _here()
    assert ours.keys() == theirs.keys()
    for key in theirs:
        assert ours[key]["names"] == theirs[key]["names"], key
        assert ours[key]["ops"] == theirs[key]["ops"], key
        assert len(ours[key]["values"]) == len(theirs[key]["values"])
        for a, b in zip(ours[key]["values"], theirs[key]["values"]):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=key)

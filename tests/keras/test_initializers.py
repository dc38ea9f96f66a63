"""tf.keras.initializers' lower-case `normal` and `uniform` (Keras 2's v1 RandomNormal
and RandomUniform in TF1 mode) against tf_keras: the classes, configs, round trips."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

PROGRAM = """
I = tf.keras.initializers
result = {
    "same": [I.normal is I.RandomNormal, I.uniform is I.RandomUniform],
    "normal": I.normal().get_config(),
    "uniform": I.uniform(minval=-1.0, maxval=2.0, seed=3).get_config(),
    "names": [type(I.get(n)).__name__ for n in ["normal", "uniform"]],
    "round_trip": I.serialize(I.deserialize(I.serialize(I.normal(stddev=0.3)))),
}
"""


@pytest.mark.tf
@requires_tf
def test_normal_and_uniform_match_tf_keras():
    assert_same(ours(PROGRAM), theirs(PROGRAM))


def test_normal_and_uniform_values():
    with tf.Graph().as_default():
        n = tf.keras.initializers.normal(mean=1.0, stddev=0.05, seed=1)([4000])
        u = tf.keras.initializers.uniform(minval=2.0, maxval=3.0, seed=1)([4000])
        with tf.Session() as sess:
            nv, uv = sess.run([n, u])
    assert abs(nv.mean() - 1.0) < 0.01 and abs(nv.std() - 0.05) < 0.005
    assert uv.min() >= 2.0 and uv.max() < 3.0 and np.isclose(uv.mean(), 2.5, atol=0.02)

"""tf.keras.layers.enable_v2_dtype_behavior / disable_v2_dtype_behavior against
TensorFlow: layer dtypes, weight dtypes and input casting under each."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

PROGRAM = """
L = tf.keras.layers
result = {}
x = tf.placeholder(tf.float64, [None, 3])
i = tf.placeholder(tf.int32, [None, 3])

def probe(tag):
    d = L.Dense(2)
    y = d(x)
    d64 = L.Dense(2, dtype="float64")
    result[tag] = [y.dtype.name, d.kernel.dtype.base_dtype.name, d.dtype,
                   d.get_config()["dtype"], d64(x).dtype.name,
                   L.Lambda(lambda t: t)(i).dtype.name, L.Lambda(lambda t: t)(x).dtype.name]

probe("v1")
try:
    L.enable_v2_dtype_behavior()
    probe("v2")
finally:
    L.disable_v2_dtype_behavior()
probe("v1_again")
"""


@pytest.mark.tf
@requires_tf
def test_dtype_behavior_matches_tensorflow():
    expected = theirs(PROGRAM)
    tf.reset_default_graph()
    got = ours(PROGRAM)
    assert_same(got, expected)
    assert got["v2"][:3] == ["float32", "float32", "float32"]

"""tf.vectorized_map against TF: values and gradients (TF vectorizes with pfor;
tfgraph runs the equivalent while loop), nested inputs and outputs, captured tensors."""

from __future__ import annotations

import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
x = tf.constant(np.arange(12, dtype=np.float32).reshape(4, 3), name="x")
w = tf.constant([[1.0, -1.0], [0.5, 2.0], [0.0, 1.0]], name="w")
y = tf.vectorized_map(lambda row: tf.reduce_sum(row * row), x)
z = tf.vectorized_map(lambda row: tf.matmul(row[None], w)[0], x)
pair = tf.vectorized_map(lambda e: (e[0] * 2.0, tf.cast(e[1], tf.float32) + e[0][0]),
                         (x, tf.constant([1, 2, 3, 4])))
ints = tf.vectorized_map(lambda v: tf.argmax(v, output_type=tf.int32), x)
g = tf.gradients(tf.reduce_sum(z) + tf.reduce_sum(y), [x, w])
result = {"shapes": [str(t.shape) for t in (y, z, pair[0], pair[1], ints)],
          "dtypes": [t.dtype.name for t in (y, z, pair[0], pair[1], ints)]}
with tf.Session() as s:
    result["values"] = s.run([y, z, pair, ints, g])
"""


@pytest.mark.tf
@requires_tf
def test_vectorized_map_matches_tf():
    here, theirs = run_both(PROGRAM)
    assert here["values"] == theirs["values"] and here["dtypes"] == theirs["dtypes"]
    # Static shapes: TF's pfor knows the batch size; the while loop's TensorArray
    # stack does too when elems' first dimension is static.
    assert here["shapes"] == theirs["shapes"]


def test_vectorized_map():
    r = run_here(PROGRAM)
    assert r["values"][0] == [5.0, 50.0, 149.0, 302.0]
    assert r["values"][3] == [2, 2, 2, 2]

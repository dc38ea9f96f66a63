"""tf.nn.isotonic_regression (TF2; the IsotonicRegression op) against TF: values,
segments, dtypes, axis, decreasing=False, gradients."""

from __future__ import annotations

import numpy as np
import pytest

from tests import tfrun

_PROGRAM = """
import json
import numpy as np
rng = np.random.RandomState(4)
x_np = rng.randn(3, 6).astype(np.float32)
x = tf.constant(x_np, name="x")
o, s = tf.nn.isotonic_regression(x)
o2, s2 = tf.nn.isotonic_regression(x, decreasing=False, axis=0)
o3, s3 = tf.nn.isotonic_regression(tf.constant([[3, 3, 1, 5]], tf.int16))
o4, _ = tf.nn.isotonic_regression(tf.constant([[3, 3, 1, 5]], tf.int32))
g = tf.gradients(tf.reduce_sum(o * np.arange(6.0, dtype=np.float32))
                 + tf.reduce_sum(o2 ** 2), x)[0]
with tf.Session() as sess:
    r = sess.run([o, s, o2, s2, o3, s3, o4, g])
print(json.dumps({"v": [np.asarray(a).tolist() for a in r],
                  "dtypes": [t.dtype.name for t in (o, s, o3, o4)],
                  "types": o.op.type, "shapes": [str(t.shape) for t in (o, s, o2, s2)]}))
"""


@pytest.mark.tf
@tfrun.requires_tf
def test_isotonic_regression_matches_tensorflow():
    theirs = tfrun.run_tf_json(
        "import tensorflow as tf2\ntf.nn.isotonic_regression = tf2.nn.isotonic_regression\n"
        + _PROGRAM
    )
    ours = tfrun.run_here_json(
        "from tfgraph.ops.isotonic_ops import isotonic_regression\n"
        "tf.nn.isotonic_regression = isotonic_regression\n" + _PROGRAM
    )
    assert ours["dtypes"] == theirs["dtypes"] and ours["types"] == theirs["types"]
    assert ours["shapes"] == theirs["shapes"]
    for i, (a, b) in enumerate(zip(ours["v"], theirs["v"])):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6, err_msg=str(i))

"""tf.nn.pool and tf.nn.with_space_to_batch (graphs, shapes, values, gradients and
errors), compared with TF."""

from __future__ import annotations

import numpy as np
import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
x = tf.constant(np.arange(2*7*6*3, dtype=np.float32).reshape(2,7,6,3) % 13)
outs = [
 tf.nn.pool(x, [2, 2], "MAX", "VALID"),
 tf.nn.pool(x, [3, 2], "AVG", "SAME", strides=[2, 1]),
 tf.nn.pool(x, [2, 2], "MAX", "VALID", dilation_rate=[2, 2]),
 tf.nn.pool(x, [3, 2], "AVG", "VALID", dilation_rate=[2, 3]),
 tf.nn.pool(tf.reshape(x, [2, 42, 3]), [3], "MAX", "VALID", dilation_rate=[3]),
 tf.nn.pool(tf.reshape(x, [2, 7, 2, 3, 3]), [2, 2, 2], "MAX", "VALID", dilation_rate=[2, 1, 1]),
 tf.nn.with_space_to_batch(x, [2, 2], "SAME",
     lambda i, n, p: tf.nn.avg_pool(i, [1, 3, 3, 1], [1,1,1,1], p), filter_shape=[3, 3]),
 tf.nn.with_space_to_batch(x, [2], "VALID", lambda i, n, p: i * 2.0, spatial_dims=[2]),
]
nc = [tf.nn.pool(tf.reshape(x, [2, 3, 42]), [2], "AVG", "SAME", strides=[2], data_format="NCW"),
 tf.nn.pool(tf.reshape(x, [2, 3, 7, 6]), [2, 2], "MAX", "VALID", dilation_rate=[2, 2],
            data_format="NCHW", name="p")]
ph = tf.placeholder_with_default(x, [None, None, None, 3])
outs.append(tf.nn.pool(ph, [2, 2], "MAX", "VALID", dilation_rate=[2, 2]))
g = tf.gradients(tf.reduce_sum(outs[3] * outs[3]) + tf.reduce_sum(outs[2]), x)
errs = []
for kw in [dict(window_shape=[2,2], pooling_type="MAX", padding="SAME", dilation_rate=[2,2]),
           dict(window_shape=[2,2], pooling_type="MAX", padding="VALID", strides=[3,1]),
           dict(window_shape=[2,2], pooling_type="MAX", padding="VALID", strides=[2,1],
                dilation_rate=[2,1]),
           dict(window_shape=[2,2], pooling_type="MIN", padding="VALID")]:
    try:
        tf.nn.pool(x, **kw)
    except ValueError as e:
        errs.append(str(e))
result = {
  "ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
  "names": [t.name for t in outs + nc],
  "shapes": [str(t.shape) for t in outs + nc],
  "errs": errs,
}
with tf.Session() as s:
  v = s.run(outs + g)
result["values"] = v
"""


@pytest.mark.tf
@requires_tf
def test_pool_and_with_space_to_batch_match_tf():
    here, theirs = run_both(PROGRAM)
    for key in ("ops", "names", "shapes", "errs"):
        assert here[key] == theirs[key], key
    assert len(here["values"]) == len(theirs["values"])
    for mine, tf_value in zip(here["values"], theirs["values"]):
        np.testing.assert_allclose(mine, tf_value, rtol=1e-5, atol=1e-5)


def test_dilated_max_pool_picks_every_other_row():
    code = """
x = tf.constant(np.arange(16, dtype=np.float32).reshape(1, 16, 1))
result = {"v": tf.Session().run(tf.nn.pool(x, [2], "MAX", "VALID", dilation_rate=[3]))}
"""
    assert np.asarray(run_here(code)["v"]).ravel().tolist() == list(range(3, 16))

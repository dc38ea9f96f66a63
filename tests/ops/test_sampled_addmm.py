"""tf.sparse.sampled_addmm (TF2) against TF 2.21: batched and plain, output_type, the
dense_shape check. Runs under compat.v2 in a subprocess (TF2 behaviour)."""

from __future__ import annotations

import pytest

from tests import tfrun
from tests.compat.test_v2_values import _close, _tfgraph_v2

_PROGRAM = """
import numpy as np
rng = np.random.RandomState(2)
m1 = rng.randn(2, 3, 4).astype(np.float32)
m2 = rng.randn(2, 4, 5).astype(np.float32)
idx = np.array([[[0, 1], [2, 4]], [[1, 0], [2, 3]]], np.int64)
vals = rng.randn(2, 2).astype(np.float32)
out = {}
i, v, s = tf.sparse.sampled_addmm(idx, vals, [3, 5], m1, m2, 0.5, 2.0)
out["batch"] = [np.asarray(i).tolist(), np.round(np.asarray(v), 5).tolist(), np.asarray(s).tolist()]
i, v, s = tf.sparse.sampled_addmm([[0, 1], [2, 2]], [1.0, 2.0], [3, 3], m1[0, :, :2],
                                  m1[1, :2, :3], output_type=tf.float64)
out["plain"] = [v.dtype.name, np.round(np.asarray(v), 5).tolist()]
try:
    tf.sparse.sampled_addmm([[0, 1]], [1.0], [4, 4], m1[0], m2[0])
except ValueError as e:
    out["bad"] = str(e)[:11]
print(json.dumps(out))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_sampled_addmm_matches_tensorflow():
    _close(_tfgraph_v2(_PROGRAM), tfrun.run_tf_json(_PROGRAM, v1=False))


def test_sampled_addmm_in_a_graph():
    import numpy as np

    import tfgraph as tf
    from tfgraph.ops.sampled_addmm import sampled_addmm

    with tf.Graph().as_default() as g:
        shape = tf.placeholder(tf.int32, [2])
        _, v, _ = sampled_addmm([[0, 1]], [1.0], shape, np.eye(2), np.ones((2, 3)))
        (check,) = [op for op in g.get_operations() if op.type == "Assert"]
        with tf.Session() as sess:
            assert sess.run(v, {shape: [2, 3]}).tolist() == [2.0]
            # (as in TF1, the Assert runs only when fetched: nothing depends on it)
            assert sess.run(v, {shape: [3, 3]}).tolist() == [2.0]
            with pytest.raises(tf.errors.InvalidArgumentError, match="Dense shape"):
                sess.run(check, {shape: [3, 3]})

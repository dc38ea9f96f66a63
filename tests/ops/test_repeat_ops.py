"""tf.repeat (TF's composite, op for op): values, static shapes and gradients compared
with TF."""

from __future__ import annotations

import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
x = tf.constant([[1., 2.], [3., 4.], [5., 6.]])
r = [tf.repeat(x, 2), tf.repeat(x, [1, 0, 2], axis=0), tf.repeat(x, [3, 1], axis=1),
     tf.repeat(x, 2, axis=-1), tf.repeat(tf.constant(7), 3),
     tf.repeat(["a", "b"], [2, 1], name="s"),
     tf.repeat(x, tf.constant([2], tf.int64), axis=1)]
g = tf.gradients(tf.reduce_sum(r[2] * r[2]) + tf.reduce_sum(r[1]) + tf.reduce_sum(r[0]), x)
result = {"ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()
                        if "gradients" not in o.name),
          "shapes": [str(t.shape) for t in r]}
with tf.Session() as s:
    result["values"] = s.run(r + [g])
"""


@pytest.mark.tf
@requires_tf
def test_repeat_matches_tf():
    here, theirs = run_both(PROGRAM)
    assert here == theirs


def test_repeat():
    r = run_here(PROGRAM)
    v = r["values"]
    assert v[0] == [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0, 5.0, 5.0, 6.0, 6.0]
    assert v[1] == [[1.0, 2.0], [5.0, 6.0], [5.0, 6.0]]
    assert v[2][0] == [1.0, 1.0, 1.0, 2.0] and v[4] == [7, 7, 7] and v[5] == ["a", "a", "b"]
    # (repeats folded statically, as TF's shape inference does)
    assert r["shapes"][:4] == ["(12,)", "(?, 2)", "(3, 4)", "(3, 4)"]
    # d/dx: 2 * x * 3 copies (column 0) + rows repeated 1, 0, 2 + 2 flat copies
    assert v[7][0][0] == [2 * 1.0 * 3 + 1 + 2, 2 * 2.0 + 1 + 2]

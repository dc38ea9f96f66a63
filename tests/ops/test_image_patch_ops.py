"""ExtractImagePatches (tf.extract_image_patches): patches, shapes and gradients
(VALID/SAME, strides, rates) compared with TF."""

from __future__ import annotations

import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
x = tf.reshape(tf.range(2 * 5 * 6 * 2, dtype=tf.float32), [2, 5, 6, 2])
p = [tf.extract_image_patches(x, [1, 2, 2, 1], [1, 1, 1, 1], [1, 1, 1, 1], "VALID"),
     tf.extract_image_patches(x, [1, 3, 2, 1], [1, 2, 3, 1], [1, 1, 1, 1], "SAME"),
     tf.extract_image_patches(x, ksizes=[1, 2, 2, 1], strides=[1, 2, 2, 1], rates=[1, 2, 2, 1],
                              padding="SAME", name="dil"),
     tf.extract_image_patches(x, sizes=[1, 3, 3, 1], strides=[1, 3, 4, 1], rates=[1, 1, 2, 1],
                              padding="VALID")]
ph = tf.placeholder(tf.float32, [None, 7, None, 3])
p2 = tf.extract_image_patches(ph, [1, 2, 3, 1], [1, 2, 2, 1], [1, 1, 1, 1], "SAME")
g = [tf.gradients(tf.reduce_sum(q * q), x)[0] for q in p]
result = {"ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()
                        if "gradients" not in o.name),
          "shapes": [str(t.shape) for t in p + [p2]]}
with tf.Session() as s:
    result["values"] = s.run(p + g)
"""


@pytest.mark.tf
@requires_tf
def test_extract_image_patches_matches_tf():
    here, theirs = run_both(PROGRAM)
    assert here == theirs


def test_extract_image_patches():
    r = run_here(PROGRAM)
    v = r["values"]
    assert r["shapes"] == [
        "(2, 4, 5, 8)",
        "(2, 3, 2, 12)",
        "(2, 3, 3, 8)",
        "(2, 1, 1, 18)",
        "(?, ?, ?, 18)",
    ]
    # x[0, 0:2, 0:2, :], row by row: rows of x are 12 apart, columns 2
    assert v[0][0][0][0] == [0.0, 1.0, 2.0, 3.0, 12.0, 13.0, 14.0, 15.0]
    # 3x3 patch, column rate 2: columns 0, 2, 4
    assert v[3][0][0][0][:6] == [0.0, 1.0, 4.0, 5.0, 8.0, 9.0]
    # d sum(p0^2) / dx: 2x per patch holding it (the corner: 1 patch, x[0,1,1]: 4)
    assert v[4][0][0][0] == [0.0, 2.0] and v[4][0][1][1] == [8 * 14.0, 8 * 15.0]

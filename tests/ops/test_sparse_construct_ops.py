"""tf.sparse.from_dense / eye / expand_dims against TF: graphs, static shapes, values."""

from __future__ import annotations

import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
fd = tf.sparse.from_dense(tf.constant([[0, 2, 0], [3, 0, 4]]))
fs = tf.sparse.from_dense(tf.constant(["", "a", "b"]))
ey = tf.sparse.eye(3, 4)
ey2 = tf.sparse.eye(tf.constant(2), dtype=tf.int32)
st = tf.SparseTensor([[0, 1], [2, 0]], [5., 6.], [3, 2])
e = [tf.sparse.expand_dims(st), tf.sparse.expand_dims(st, 0), tf.sparse.expand_dims(st, axis=-2)]
errors = []
for bad in (lambda: tf.sparse.eye(2.5), lambda: tf.sparse.expand_dims(st, 0.5)):
    try:
        bad()
    except TypeError as err:
        errors.append(str(err))
result = {"ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
          "shapes": [str(t.shape) for t in [fd, ey, ey2]], "errors": errors}
with tf.Session() as s:
    result["values"] = s.run([fd, fs, ey, ey2, e])
"""


@pytest.mark.tf
@requires_tf
def test_sparse_constructors_match_tf():
    here, theirs = run_both(PROGRAM)
    assert here == theirs


def test_sparse_constructors():
    r = run_here(PROGRAM)
    fd, fs, ey, ey2, e = r["values"]
    assert fd == [[[0, 1], [1, 0], [1, 2]], [2, 3, 4], [2, 3]]
    assert fs[1] == ["a", "b"] and fs[0] == [[1], [2]]
    assert ey == [[[0, 0], [1, 1], [2, 2]], [1.0, 1.0, 1.0], [3, 4]]
    assert ey2[1] == [1, 1]
    assert e[0] == [[[0, 1, 0], [2, 0, 0]], [5.0, 6.0], [3, 2, 1]]
    assert e[2][0] == [[0, 0, 1], [2, 0, 0]] and e[2][2] == [3, 1, 2]
    assert len(r["errors"]) == 2

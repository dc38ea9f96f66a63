"""Equal / NotEqual with incompatible_shape_error=false (TF2's `==`, ExtensionType
equality) against TF 2.21: values that do not broadcast compare unequal as a scalar,
statically (a scalar shape) and at run time."""

from __future__ import annotations

import json

from tests.tfrun import requires_tf, run_tf_json

CASES = """
cases = [([1., 2.], [1., 2., 3.]), (np.ones([2, 3]), np.ones([3, 2])), ([1., 2.], [1.]),
         ([[1.], [2.]], [1., 2., 3.]), ([1., 2.], [1., 5.]), ([], [1.]), (3., [3., 4.])]
out = []
for a, b in cases:
    for negate in (False, True):
        with tf.Graph().as_default():
            known = EQ(tf.constant(a, tf.float32), tf.constant(b, tf.float32), negate)
            pa = tf.placeholder(tf.float32, [None] * np.ndim(a))
            pb = tf.placeholder(tf.float32, [None] * np.ndim(b))
            free = EQ(pa, pb, negate)
            with tf.Session() as sess:
                out.append([known.shape.as_list(), np.asarray(sess.run(known)).tolist(),
                            free.shape.as_list(),
                            np.asarray(sess.run(free, {pa: a, pb: b})).tolist(), free.op.type])
print(json.dumps(out))
"""

TF_EQ = """
from tensorflow.python.ops import gen_math_ops
def EQ(x, y, negate):
    f = gen_math_ops.not_equal if negate else gen_math_ops.equal
    return f(x, y, incompatible_shape_error=False)
"""


def _ours() -> list:
    import contextlib
    import io

    import numpy as np

    import tfgraph as tf
    from tfgraph.ops.math_ops import tensor_equals

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(CASES, {"tf": tf, "np": np, "json": json, "EQ": tensor_equals})
    return json.loads(printed.getvalue().strip().splitlines()[-1])


@requires_tf
def test_incompatible_shapes_compare_unequal_as_tf():
    assert _ours() == run_tf_json(TF_EQ + CASES)


def test_default_equal_still_raises_on_incompatible_shapes():
    import pytest

    import tfgraph as tf

    with pytest.raises(ValueError, match="Dimensions must be equal"):
        tf.equal(tf.constant([1.0, 2.0]), tf.constant([1.0, 2.0, 3.0]))
    with tf.Graph().as_default():
        pa, pb = tf.placeholder(tf.float32, [None]), tf.placeholder(tf.float32, [None])
        with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(tf.equal(pa, pb), {pa: [1.0, 2.0], pb: [1.0, 2.0, 3.0]})

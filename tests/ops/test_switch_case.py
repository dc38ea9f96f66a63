"""tf.switch_case against TF: values for indices in and out of range (with and
without default), nested outputs, gradients through the taken branch, errors."""

from __future__ import annotations

import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
i = tf.placeholder(tf.int32, [], name="i")
x = tf.constant([1.0, 2.0], name="x")
v = tf.Variable(3.0, name="v")
r = tf.switch_case(i, [lambda: x * 2.0, lambda: x * v, lambda: x + v * v])
rd = tf.switch_case(i, {1: lambda: (x[0], x * 3.0), 0: lambda: (x[1], -x)},
                    default=lambda: (v, x * 0.0), name="with_default")
g = tf.gradients(tf.reduce_sum(r), [x, v])
gd = tf.gradients(rd[0] + tf.reduce_sum(rd[1]), [x, v])
errors = []
for bad in (lambda: tf.switch_case(1, [lambda: x]),
            lambda: tf.switch_case(tf.constant(1.0), [lambda: x]),
            lambda: tf.switch_case(i, []),
            lambda: tf.switch_case(i, {0: lambda: x, 2: lambda: x}),
            lambda: tf.switch_case(i, [(0, 3)]),
            lambda: tf.switch_case(i, "abc")):
    try:
        bad()
        errors.append(None)
    except (TypeError, ValueError) as e:
        errors.append([type(e).__name__, str(e)])
result = {"types": [type(rd).__name__] + [isinstance(t, tf.Tensor) for t in rd],
          "errors": errors, "shapes": str(r.shape)}
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    result["values"] = [s.run([r, rd, g, gd], {i: k}) for k in (-1, 0, 1, 2, 3, 7)]
"""


@pytest.mark.tf
@requires_tf
def test_switch_case_matches_tf():
    here, theirs = run_both(PROGRAM)
    assert here == theirs


def test_switch_case():
    r = run_here(PROGRAM)
    by_index = dict(zip((-1, 0, 1, 2, 3, 7), r["values"]))
    assert by_index[0][0] == [2.0, 4.0] and by_index[1][0] == [3.0, 6.0]
    assert by_index[-1][0] == by_index[2][0] == [10.0, 11.0]  # out of range: last branch
    assert by_index[7][1] == [3.0, [0.0, 0.0]]  # out of range: the default
    assert by_index[1][2] == [[3.0, 3.0], 3.0]  # d/dx, d/dv of sum(x * v)

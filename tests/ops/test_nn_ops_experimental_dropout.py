"""tf.nn.experimental.{stateless_dropout, general_dropout}: TF's masks for TF's seeds."""

from __future__ import annotations

import pytest

from tests.tfrun import requires_tf, run_here_json, run_tf_json

PROGRAM = """
g = tf.Graph()
with g.as_default():
    x = tf.reshape(tf.range(1.0, 13.0), [3, 4])
    outs = [
        tf.nn.experimental.stateless_dropout(x, 0.5, seed=[1, 2]),
        tf.nn.experimental.stateless_dropout(x, 0.5, seed=[3, 4], noise_shape=[3, 1]),
        tf.nn.experimental.stateless_dropout(x, 0.25, seed=[3, 4], rng_alg="philox"),
        tf.nn.experimental.stateless_dropout(x, tf.constant(0.3), seed=[7, 8]),
        tf.nn.experimental.stateless_dropout(x, 0.0, seed=[1, 2]),
        tf.nn.experimental.general_dropout(
            x, 0.5, lambda shape, dtype: tf.random.stateless_uniform(shape, [5, 6], dtype=dtype)
        ),
    ]
    with tf.Session() as sess:
        values = sess.run(outs)
errors = []
for rate in (1.0, -0.1):
    try:
        tf.nn.experimental.stateless_dropout(x, rate, seed=[1, 2])
    except ValueError as e:
        errors.append(str(e))
print(json.dumps({
    "values": [v.tolist() for v in values],
    "names": [t.name for t in outs],
    "shapes": [t.shape.as_list() for t in outs],
    "errors": errors,
}))
"""


@pytest.mark.tf
@requires_tf
def test_dropout_masks_names_and_errors_equal_tf():
    assert run_here_json(PROGRAM.replace("json.", "__import__('json').")) == run_tf_json(PROGRAM)

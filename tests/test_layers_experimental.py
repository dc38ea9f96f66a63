"""tf.layers.experimental: Keras-style TF1 layers name and make their variables as TF's."""

from __future__ import annotations

import pytest

from tests.tfrun import requires_tf, run_here_json, run_tf_json

PROGRAM = """
x = tf.placeholder(tf.float32, [None, 3])
errors = []
with tf.layers.experimental.keras_style_scope():
    d = tf.layers.Dense(2, kernel_regularizer=lambda w: tf.reduce_sum(w))
    y = d(x)
    y2 = d(x)
    with tf.variable_scope("vs"):
        d2 = tf.layers.Dense(2, name="named")
        y3 = d2(x)
        d4 = tf.layers.Dense(2, name="named")
        y4 = d4(x)
    c = tf.layers.Conv2D(2, 3)
    yc = c(tf.zeros([1, 5, 5, 1]))
    for kw in [dict(_scope="s"), dict(_reuse=True)]:
        try:
            tf.layers.Dense(2, **kw)
        except ValueError as e:
            errors.append(str(e))
    try:
        tf.layers.dense(x, 3, name="fn")
    except ValueError as e:
        errors.append(str(e))
    e = tf.layers.Dense(2)
d3 = tf.layers.Dense(2)
y5 = d3(x)
graph = tf.get_default_graph()
ops = sorted(
    o.name for o in graph.get_operations()
    if "Initializer" not in o.name and o.type != "ReadVariableOp"
)
print(__import__("json").dumps({
    "vars": [v.name for v in tf.global_variables()],
    "trainable": [v.name for v in tf.trainable_variables()],
    "outs": [t.name for t in (y, y2, y3, y4, yc, y5)],
    "errors": errors,
    "losses": [t.name for t in tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)],
    "weights": [v.name for v in d.weights],
    "names": [d.name, d2.name, c.name, e.name],
    "ops": ops,
}))
"""


@pytest.mark.tf
@requires_tf
def test_keras_style_layers_equal_tf():
    assert run_here_json(PROGRAM) == run_tf_json(PROGRAM)


def test_set_keras_style_turns_it_on_for_good():
    import tfgraph as tf
    from tfgraph.legacy_layers import keras_style

    try:
        tf.layers.experimental.set_keras_style()
        with pytest.raises(ValueError, match="scope argument not allowed"):
            tf.layers.dense(tf.zeros([1, 2]), 3, name="fn")
    finally:
        keras_style._state["on"] = False

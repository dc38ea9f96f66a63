"""`tf.keras.experimental.SequenceFeatures` against tf_keras in graph mode: the dense
[batch, steps, features] tensor and sequence lengths of embedding, indicator and numeric
sequence columns, the variable names, a training step through the embedding, and the
errors for columns it does not take and lengths that disagree."""

from __future__ import annotations

import pytest

from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

PROGRAM = """
fc = tf.feature_column
tf.set_random_seed(0)
ids = tf.SparseTensor(indices=[[0, 0], [0, 1], [1, 0], [2, 0], [2, 1], [2, 2]],
                      values=[1, 2, 0, 3, 1, 1], dense_shape=[3, 3])
flat = [[0, i] for i in range(4)] + [[1, 0], [1, 1]] + [[2, i] for i in range(6)]
nums = tf.SparseTensor(indices=flat, values=[float(v) for v in range(12)], dense_shape=[3, 6])
cat = fc.sequence_categorical_column_with_identity("ids", 4)
init = tf.constant_initializer(np.arange(8).reshape(4, 2) / 10.0)
emb = fc.embedding_column(cat, 2, initializer=init)
ind = fc.indicator_column(cat)
num = fc.sequence_numeric_column("nums", shape=(2,))
layer = tf.keras.experimental.SequenceFeatures([num, emb, ind])
out, length = layer({"ids": ids, "nums": nums})
loss = tf.reduce_sum(tf.square(out)) / 10.0
step = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
result = {"shape": str(out.shape), "length_shape": str(length.shape),
          "ops": [out.op.name, out.op.type, length.op.name],
          "vars": [v.name for v in tf.global_variables()],
          "weights": [w.name for w in layer.weights]}
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    result["out"], result["length"] = sess.run([out, length])
    sess.run(step)
    result["trained"] = sess.run(layer.weights[0])
only = tf.keras.experimental.SequenceFeatures([num], name="numbers")
_, alone = only({"nums": nums})
short = tf.SparseTensor(indices=[[0, 0], [1, 0], [2, 0]], values=[0, 1, 2], dense_shape=[3, 3])
_, clash = tf.keras.experimental.SequenceFeatures([emb, ind], name="clash")(
    {"ids": short, "nums": nums})
_, bad = tf.keras.experimental.SequenceFeatures([emb, num], name="bad")(
    {"ids": short, "nums": nums})
with tf.Session() as sess:
    result["alone"] = sess.run(alone)
    result["clash"] = sess.run(clash)
    try:
        sess.run(bad)
        result["mismatch"] = None
    except tf.errors.InvalidArgumentError as e:
        result["mismatch"] = "Condition x == y did not hold" in e.message
errors = {}
for key, make in [
    ("numeric", lambda: tf.keras.experimental.SequenceFeatures([fc.numeric_column("a")])),
    ("plain", lambda: tf.keras.experimental.SequenceFeatures(
        [fc.embedding_column(fc.categorical_column_with_identity("b", 3), 2)])(
        {"b": tf.SparseTensor([[0, 0]], [1], [1, 1])})),
]:
    try:
        make()
        errors[key] = None
    except ValueError as e:
        errors[key] = str(e).split(". ")[0]
result["errors"] = errors
"""


@pytest.mark.tf
@requires_tf
def test_sequence_features_match_tf_keras():
    assert_same(ours(PROGRAM), theirs(PROGRAM))

"""Keras 2's DenseFeatures in a TF1 graph against TensorFlow: numeric, bucketized,
indicator and embedding columns concatenated in name order, the embedding weights'
names, values from the same weights and a gradient step."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

L = tf.keras.layers
fc = tf.feature_column

PROGRAM = """
rng = np.random.RandomState(6)
K = tf.keras
L = tf.keras.layers
fc = tf.feature_column
result = {}
price = fc.numeric_column("price", shape=(2,))
age = fc.numeric_column("age")
color = fc.categorical_column_with_vocabulary_list("color", ["red", "green", "blue"])
item = fc.categorical_column_with_identity("item", 5)
columns = [price, fc.bucketized_column(age, [18.0, 40.0]), fc.indicator_column(color),
           fc.embedding_column(item, 3), fc.embedding_column(color, 2, combiner="sum")]
features = {
    "price": tf.placeholder(tf.float32, [None, 2]),
    "age": tf.placeholder(tf.float32, [None, 1]),
    "color": tf.placeholder(tf.string, [None, 2]),
    "item": tf.placeholder(tf.int64, [None, 1]),
}
layer = L.DenseFeatures(columns)
out = layer(features)
extra = L.DenseFeatures([price, age], name="plain")
out2 = extra(features)
layer.set_weights([rng.standard_normal(w.shape.as_list()).astype("float32")
                   for w in layer.weights])
feed = {features["price"]: [[1.0, 2.0], [3.0, 4.0], [0.5, -1.0]],
        features["age"]: [[10.0], [30.0], [60.0]],
        features["color"]: [[b"red", b"blue"], [b"green", b""], [b"", b""]],
        features["item"]: [[0], [4], [2]]}
sess = K.backend.get_session()
sess.run(tf.tables_initializer())
result["values"] = sess.run([out, out2], feed)
result["shape"] = str(out.shape)
result["names"] = [w.name for w in layer.weights]
loss = tf.reduce_sum(tf.square(out))
sess.run(tf.train.GradientDescentOptimizer(0.1).minimize(loss), feed)
result["stepped"] = sess.run(layer.weights)
"""


@pytest.mark.tf
@requires_tf
def test_dense_features_match_tensorflow():
    expected = theirs(PROGRAM)
    tf.reset_default_graph()
    assert_same(ours(PROGRAM), expected, rtol=1e-4, atol=1e-4)


def test_dense_features_errors():
    color = fc.categorical_column_with_vocabulary_list("color", ["red"])
    with pytest.raises(ValueError, match="You can wrap a categorical column"):
        L.DenseFeatures([color])
    with pytest.raises(ValueError, match="We expected a dictionary here"):
        L.DenseFeatures([fc.numeric_column("a")])(tf.zeros([2, 1]))

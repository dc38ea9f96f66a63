"""tf.feature_column (TF1) against TF 2.21's compat.v1: input_layer's graph (op names
and types), variables, values (seeded embeddings), parse specs and errors."""

from __future__ import annotations

import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
fc = tf.feature_column
# (tfgraph's random streams are not TF's: embeddings start from a fixed pattern here)
init = lambda shape, dtype=None, partition_info=None: tf.reshape(
    tf.range(np.prod(shape), dtype=tf.float32) * 0.1 - 0.5, shape)
price = fc.numeric_column("price")
size = fc.numeric_column("size", shape=2, normalizer_fn=lambda x: x * 2.0)
age = fc.bucketized_column(fc.numeric_column("age"), [18, 30, 50])
color = fc.categorical_column_with_vocabulary_list("color", ["red", "green", "blue"])
color_oov = fc.categorical_column_with_vocabulary_list("color2", ["red", "green"],
                                                       num_oov_buckets=2)
item = fc.categorical_column_with_identity("item", 5, default_value=0)
word = fc.categorical_column_with_hash_bucket("word", 7)
num_id = fc.categorical_column_with_hash_bucket("num_id", 4, dtype=tf.int64)
weighted = fc.weighted_categorical_column(item, "item_weight")
columns = [price, size, age, fc.indicator_column(color),
           fc.embedding_column(color, 2, initializer=init),
           fc.indicator_column(color_oov),
           fc.embedding_column(item, 3, combiner="sum", initializer=init),
           fc.indicator_column(word),
           fc.embedding_column(word, 2, combiner="sqrtn", initializer=init),
           fc.indicator_column(num_id), fc.indicator_column(weighted),
           fc.embedding_column(weighted, 2, initializer=init), fc.indicator_column(age)]
features = {
    "price": tf.constant([[1.0], [2.0], [3.0]]),
    "size": tf.constant([[1.0, 2.0], [3.0, 4.0], [0.5, 0.0]]),
    "age": tf.constant([20.0, 60.0, 5.0]),
    "color": tf.constant([["red", ""], ["blue", "green"], ["", ""]]),
    "color2": tf.constant([["red"], ["purple"], ["green"]]),
    "item": tf.constant([[1, 7], [3, -1], [4, 4]]),
    "item_weight": tf.constant([[0.5, 2.0], [1.5, 0.0], [1.0, 3.0]]),
    "word": tf.SparseTensor([[0, 0], [1, 0], [1, 1]], ["hello", "world", "hello"], [3, 2]),
    "num_id": tf.constant([[11], [22], [33]], tf.int64),
}
cols_to_vars = {}
net = fc.input_layer(features, columns, cols_to_vars=cols_to_vars)
net2 = fc.input_layer(features, [price, fc.embedding_column(color, 2, initializer=init)])
spec = fc.make_parse_example_spec([price, size, age, color, item, weighted])
result = {
    "ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
    "vars": [v.name for v in tf.global_variables()],
    "model_vars": [v.name for v in tf.get_collection(tf.GraphKeys.MODEL_VARIABLES)],
    "trainable": [v.name for v in tf.trainable_variables()],
    "cols_to_vars": sorted((c.name, [v.name for v in vs]) for c, vs in cols_to_vars.items()),
    "shape": [str(net.shape), str(net2.shape)],
    "spec": sorted((k, type(v).__name__, str(getattr(v, "shape", "")), v.dtype.name)
                   for k, v in spec.items()),
    "names": [c.name for c in columns],
}
errors = []
for bad in (lambda: fc.input_layer(features, [color]),
            lambda: fc.bucketized_column(price, [3, 1]),
            lambda: fc.categorical_column_with_vocabulary_list("c", ["a", "a"]),
            lambda: fc.categorical_column_with_identity("c", 3, default_value=5),
            lambda: fc.embedding_column(color, 0),
            lambda: fc.input_layer(features, [fc.numeric_column("missing")])):
    try:
        bad()
        errors.append(None)
    except (ValueError, TypeError) as e:
        errors.append([type(e).__name__, str(e)[:60]])
result["errors"] = errors
with tf.Session() as s:
    s.run([tf.global_variables_initializer(), tf.tables_initializer()])
    result["values"] = np.round(s.run(net), 5).tolist()
    result["values2"] = np.round(s.run(net2), 5).tolist()
"""


@pytest.mark.tf
@requires_tf
def test_feature_columns_match_tf():
    here, theirs = run_both(PROGRAM)
    assert here == theirs


def test_feature_columns():
    r = run_here(PROGRAM)
    assert r["shape"][0].startswith("(3, ")
    assert "input_layer/color_embedding/embedding_weights:0" in r["vars"]
    assert r["vars"] == r["model_vars"]
    age_row = r["values"][0][:4]  # age 20 -> bucket 1 of 4 (sorted columns: age first)
    assert age_row == [0.0, 1.0, 0.0, 0.0]

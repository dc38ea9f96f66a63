"""tf.feature_column.crossed_column against TF 2.21's compat.v1: names, parse specs,
input_layer graphs (indicator and embedding views), variables, values and errors."""

from __future__ import annotations

import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
fc = tf.feature_column
init = lambda shape, dtype=None, partition_info=None: tf.reshape(
    tf.range(np.prod(shape), dtype=tf.float32) * 0.01 - 0.3, shape)
age = fc.bucketized_column(fc.numeric_column("age"), [18, 30, 50])
color = fc.categorical_column_with_vocabulary_list("color", ["red", "green", "blue"])
item = fc.categorical_column_with_identity("item", 5)
c1 = fc.crossed_column(["word", "kind"], 11)
c2 = fc.crossed_column([age, color], 13, hash_key=7)
c3 = fc.crossed_column([c1, item, "num"], 17)
c4 = fc.crossed_column(["word", "kind"], 9)
columns = [fc.indicator_column(c1), fc.indicator_column(c2), fc.indicator_column(c3),
           fc.embedding_column(c2, 3, initializer=init),
           fc.embedding_column(c4, 2, combiner="sum", initializer=init)]
features = {
    "age": tf.constant([20.0, 60.0, 5.0]),
    "color": tf.constant([["red", ""], ["blue", "green"], ["", ""]]),
    "item": tf.constant([[1, 4], [3, -1], [0, 2]]),
    "word": tf.SparseTensor([[0, 0], [1, 0], [1, 1], [2, 0]], ["hi", "yo", "hey", "x"], [3, 2]),
    "kind": tf.constant([["a"], ["b"], ["c"]]),
    "num": tf.constant([[7, 8], [9, 10], [11, 12]], tf.int32),
}
cols_to_vars = {}
net = fc.input_layer(features, columns, cols_to_vars=cols_to_vars)
spec = fc.make_parse_example_spec([c1, c2, c3])
result = {
    "ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
    "vars": [v.name for v in tf.global_variables()],
    "cols_to_vars": sorted((c.name, [v.name for v in vs]) for c, vs in cols_to_vars.items()),
    "shape": str(net.shape),
    "spec": sorted((k, type(v).__name__, v.dtype.name) for k, v in spec.items()),
    "names": [c.name for c in (c1, c2, c3)],
    "buckets": [c._num_buckets for c in (c1, c2, c3)],
}
errors = []
for bad in (lambda: fc.crossed_column(["a"], 3),
            lambda: fc.crossed_column(["a", "b"], 0),
            lambda: fc.crossed_column(["a", fc.categorical_column_with_hash_bucket("h", 3)], 4),
            lambda: fc.crossed_column(["a", fc.numeric_column("n")], 4),
            lambda: fc.input_layer(features, [c1])):
    try:
        bad()
        errors.append(None)
    except (ValueError, TypeError) as e:
        errors.append([type(e).__name__, str(e)[:60]])
result["errors"] = errors
with tf.Session() as s:
    s.run([tf.global_variables_initializer(), tf.tables_initializer()])
    result["values"] = np.round(s.run(net), 5).tolist()
"""


@pytest.mark.tf
@requires_tf
def test_crossed_columns_match_tf():
    here, theirs = run_both(PROGRAM)
    for key in theirs:
        assert here[key] == theirs[key], key


def test_crossed_columns():
    r = run_here(PROGRAM)
    assert r["names"] == ["kind_X_word", "age_bucketized_X_color", "item_X_kind_X_num_X_word"]
    assert r["buckets"] == [11, 13, 17]
    assert r["shape"] == "(3, 46)"
    values = r["values"]
    # (columns sorted by name: kind_X_word_indicator is last) row 1: 2 words x 1 kind
    assert [sum(row[-11:]) for row in values] == [1.0, 2.0, 1.0]

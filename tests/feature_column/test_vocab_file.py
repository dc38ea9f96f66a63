"""tf.feature_column.categorical_column_with_vocabulary_file against TF 2.21's
compat.v1: the table graph (TextFileInitializer), ids with default_value and
num_oov_buckets, string and int vocabularies, input_layer values and errors."""

from __future__ import annotations

import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
fc = tf.feature_column
words = os.path.join(DIR, "words.txt")
nums = os.path.join(DIR, "nums.txt")
with open(words, "w") as f:
    f.write("red\\ngreen\\nblue\\nyellow\\n")
with open(nums, "w") as f:
    f.write("10\\n20\\n30")
init = lambda shape, dtype=None, partition_info=None: tf.reshape(
    tf.range(np.prod(shape), dtype=tf.float32) * 0.1 - 0.5, shape)
color = fc.categorical_column_with_vocabulary_file("color", words)
color3 = fc.categorical_column_with_vocabulary_file("color3", words, vocabulary_size=3,
                                                    default_value=7)
color_oov = fc.categorical_column_with_vocabulary_file("color_oov", words, num_oov_buckets=3)
num = fc.categorical_column_with_vocabulary_file("num", nums, dtype=tf.int64)
num_oov = fc.categorical_column_with_vocabulary_file("num_oov", nums, num_oov_buckets=2,
                                                     dtype=tf.int32)
columns = [fc.indicator_column(color), fc.indicator_column(color_oov),
           fc.embedding_column(color_oov, 2, initializer=init), fc.indicator_column(color3),
           fc.indicator_column(num),
           fc.indicator_column(num_oov),
           fc.indicator_column(fc.categorical_column_with_vocabulary_list(
               "nlist", [10, 20, 30], dtype=tf.int32)),
           fc.indicator_column(fc.crossed_column([color, "kind"], 5))]
features = {
    "color": tf.constant([["red", "blue"], ["pink", ""], ["yellow", "green"]]),
    "color3": tf.constant([["yellow"], ["green"], ["red"]]),
    "color_oov": tf.SparseTensor([[0, 0], [1, 0], [2, 1]], ["blue", "pink", "cyan"], [3, 2]),
    "num": tf.constant([[10, 30], [40, -1], [20, 20]], tf.int64),
    "num_oov": tf.constant([[10], [99], [30]], tf.int32),
    "kind": tf.constant([["a"], ["b"], ["a"]]),
    "nlist": tf.SparseTensor([[0, 0], [2, 1]], tf.constant([20, 40], tf.int32), [3, 2]),
}
net = fc.input_layer(features, columns)
result = {
    "ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
    "vars": [v.name for v in tf.global_variables()],
    "shape": str(net.shape),
    "sizes": [c._num_buckets for c in (color, color3, color_oov, num, num_oov)],
    "assets": len(tf.get_collection(tf.GraphKeys.ASSET_FILEPATHS)),
}
errors = []
for bad in (lambda: fc.categorical_column_with_vocabulary_file("c", ""),
            lambda: fc.categorical_column_with_vocabulary_file("c", words + ".missing"),
            lambda: fc.categorical_column_with_vocabulary_file("c", words, 0),
            lambda: fc.categorical_column_with_vocabulary_file("c", words, num_oov_buckets=2,
                                                               default_value=1),
            lambda: fc.categorical_column_with_vocabulary_file("c", words, dtype=tf.float32)):
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


def _program(tmp_path) -> str:
    return f"import os\nDIR = {str(tmp_path)!r}\n" + PROGRAM


@pytest.mark.tf
@requires_tf
def test_vocabulary_file_columns_match_tf(tmp_path):
    here, theirs = run_both(_program(tmp_path))
    for key in theirs:
        assert here[key] == theirs[key], key


def test_vocabulary_file_columns(tmp_path):
    r = run_here(_program(tmp_path))
    assert r["sizes"] == [4, 3, 7, 3, 5]
    assert r["errors"][0] == ["ValueError", "Missing vocabulary_file in c."]

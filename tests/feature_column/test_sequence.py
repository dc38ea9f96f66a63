"""The sequence feature columns (tf.feature_column.sequence_*) against TF 2.21's
compat.v1: names, parse specs, bucket counts, linear_model over sequence categorical
columns (graph and values) and input_layer's rejection of them."""

from __future__ import annotations

import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
import os
fc = tf.feature_column
words = os.path.join(DIR, "words.txt")
with open(words, "w") as f:
    f.write("a\\nb\\nc\\n")
ids = fc.sequence_categorical_column_with_identity("ids", 5)
hashed = fc.sequence_categorical_column_with_hash_bucket("tok", 4)
vocab = fc.sequence_categorical_column_with_vocabulary_list("tok2", ["x", "y"],
                                                            num_oov_buckets=1)
vfile = fc.sequence_categorical_column_with_vocabulary_file("tok3", words)
nums = fc.sequence_numeric_column("nums", shape=2, normalizer_fn=lambda x: x * 2.0)
features = {
    "ids": tf.SparseTensor([[0, 0], [0, 1], [1, 0]], tf.constant([1, 4, 2], tf.int64),
                           [2, 3]),
    "tok": tf.SparseTensor([[0, 0], [1, 0], [1, 1]], ["p", "q", "r"], [2, 2]),
    "tok2": tf.SparseTensor([[0, 0], [1, 1]], ["y", "zz"], [2, 2]),
    "tok3": tf.SparseTensor([[0, 0], [0, 1], [1, 0]], ["c", "a", "q"], [2, 2]),
}
c2v = {}
y = fc.linear_model(features, [ids, hashed, vocab, vfile], sparse_combiner="mean",
                    cols_to_vars=c2v)
sets = [tf.assign(v, tf.reshape(tf.sin(tf.range(int(np.prod(v.shape.as_list())),
                                                dtype=tf.float32) + i), v.shape))
        for i, v in enumerate(tf.global_variables())]
spec = fc.make_parse_example_spec([ids, hashed])
result = {
    "ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
    "vars": [v.name for v in tf.global_variables()],
    "names": [c.name for c in (ids, hashed, vocab, vfile, nums)],
    "buckets": [c._num_buckets for c in (ids, hashed, vocab, vfile)],
    "spec": sorted((k, type(v).__name__, v.dtype.name) for k, v in spec.items()),
    "nums": [nums.shape, nums.default_value, nums.dtype.name,
             sorted((k, v.dtype.name) for k, v in nums.parse_example_spec.items())],
}
errors = []
for bad in (lambda: fc.input_layer(features, [fc.indicator_column(ids)]),
            lambda: fc.input_layer(features, [fc.embedding_column(hashed, 2)]),
            lambda: fc.sequence_numeric_column("n", dtype=tf.string),
            lambda: fc.make_parse_example_spec([nums]),
            lambda: fc.input_layer(features, [nums]),
            lambda: fc.sequence_numeric_column("n", shape=0)):
    try:
        with tf.Graph().as_default():
            bad()
        errors.append(None)
    except (ValueError, TypeError) as e:
        errors.append([type(e).__name__, str(e)[:60]])
result["errors"] = errors
with tf.Session() as s:
    s.run([tf.global_variables_initializer(), tf.tables_initializer()])
    s.run(sets)
    result["values"] = np.round(s.run(y), 4).tolist()
"""


def _program(tmp_path) -> str:
    return f"DIR = {str(tmp_path)!r}\n" + PROGRAM


@pytest.mark.tf
@requires_tf
def test_sequence_columns_match_tf(tmp_path):
    here, theirs = run_both(_program(tmp_path))
    for key in theirs:
        assert here[key] == theirs[key], key


def test_sequence_columns(tmp_path):
    r = run_here(_program(tmp_path))
    assert r["buckets"] == [5, 4, 3, 3]
    assert r["names"] == ["ids", "tok", "tok2", "tok3", "nums"]

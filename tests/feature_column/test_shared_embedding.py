"""tf.feature_column.shared_embedding_columns (TF1) against TF 2.21's compat.v1: one
shared variable (names, collections), input_layer and linear_model graphs, values
with a fixed initializer, weighted columns, gradients and errors."""

from __future__ import annotations

import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
fc = tf.feature_column
init = lambda shape, dtype=None, partition_info=None: tf.reshape(
    tf.range(np.prod(shape), dtype=tf.float32) * 0.1 - 0.5, shape)
watched = fc.categorical_column_with_identity("watched", 6)
impressed = fc.categorical_column_with_identity("impressed", 6)
weighted = fc.weighted_categorical_column(
    fc.categorical_column_with_identity("seen", 6), "seen_w")
a, b, c = fc.shared_embedding_columns([watched, impressed, weighted], 3, initializer=init)
d, e = fc.shared_embedding_columns([watched, impressed], 2, combiner="sum", initializer=init,
                                   shared_embedding_collection_name="mine")
features = {
    "watched": tf.constant([[1, 5], [2, -1], [0, 3]]),
    "impressed": tf.SparseTensor([[0, 0], [2, 0], [2, 1]], tf.constant([4, 1, 1], tf.int64),
                                 [3, 2]),
    "seen": tf.constant([[2], [3], [4]]),
    "seen_w": tf.constant([[0.5], [2.0], [1.0]]),
}
net = fc.input_layer(features, [a, b, c, fc.numeric_column("seen_w")])
net2 = fc.input_layer(features, [d, e])
grads = [tf.gradients(tf.reduce_sum(tf.square(y)), v)[0]
         for y, v in zip((net, net2), tf.global_variables())]
result = {
    "ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
    "vars": [v.name for v in tf.global_variables()],
    "names": [x.name for x in (a, b, c, d, e)],
    "scopes": [x._var_scope_name for x in (a, b, c, d, e)],
    "collection": [v.name for v in tf.get_collection(a.shared_embedding_collection_name)],
    "mine": [v.name for v in tf.get_collection("mine")],
    "shape": [str(net.shape), str(net2.shape)],
}
errors = []
for bad in (lambda: fc.shared_embedding_columns([watched, fc.categorical_column_with_identity(
                "x", 7)], 2),
            lambda: fc.shared_embedding_columns([watched, fc.categorical_column_with_hash_bucket(
                "h", 6)], 2),
            lambda: fc.shared_embedding_columns([watched, impressed], 0),
            lambda: fc.shared_embedding_columns([watched, impressed], 2, initializer=3)):
    try:
        bad()
        errors.append(None)
    except (ValueError, TypeError) as err:
        errors.append([type(err).__name__, str(err)[:60]])
result["errors"] = errors
with tf.Session() as s:
    s.run([tf.global_variables_initializer(), tf.tables_initializer()])
    result["values"] = np.round(s.run(net), 5).tolist()
    result["values2"] = np.round(s.run(net2), 5).tolist()
    result["grads"] = [np.round(s.run(tf.convert_to_tensor(g)), 4).tolist() for g in grads]
"""


@pytest.mark.tf
@requires_tf
def test_shared_embedding_columns_match_tf():
    here, theirs = run_both(PROGRAM)
    for key in theirs:
        assert here[key] == theirs[key], key


def test_shared_embedding_columns():
    r = run_here(PROGRAM)
    assert r["collection"] == [
        "input_layer/impressed_seen_weighted_by_seen_w_watched_shared_embedding/embedding_weights:0"
    ]
    assert r["mine"] == ["input_layer_1/mine/embedding_weights:0"]
    assert len(r["vars"]) == 2
    assert r["shape"] == ["(3, 10)", "(3, 4)"]


LINEAR = """
fc = tf.feature_column
init = lambda shape, dtype=None, partition_info=None: tf.reshape(
    tf.range(np.prod(shape), dtype=tf.float32) * 0.1 - 0.5, shape)
w = fc.categorical_column_with_identity("w", 4)
i = fc.categorical_column_with_identity("i", 4)
a, b = fc.shared_embedding_columns([w, i], 2, initializer=init)
feat = {"w": tf.constant([[1], [3]]), "i": tf.constant([[0], [2]])}
y = fc.linear_model(feat, [a, b, fc.crossed_column([w, i], 5)])
result = {
    "ops": [o.name + ":" + o.type for o in tf.get_default_graph().get_operations()],
    "vars": [v.name for v in tf.global_variables()],
}
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    s.run([tf.assign(v, tf.ones_like(v) * (k + 1.0))
           for k, v in enumerate(tf.global_variables()) if "embedding" not in v.name])
    result["values"] = np.round(s.run(y), 5).tolist()
"""


@pytest.mark.tf
@requires_tf
def test_shared_embeddings_and_crosses_in_linear_model_match_tf():
    here, theirs = run_both(LINEAR)
    assert here == theirs

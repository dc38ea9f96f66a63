"""tf.feature_column.linear_model (TF1) against TF 2.21's compat.v1: graph (op names
and types), variables and collections, cols_to_vars, values with set weights for
each sparse_combiner, units > 1, and gradients of a loss wrt the model's variables."""

from __future__ import annotations

import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
fc = tf.feature_column
price = fc.numeric_column("price")
size = fc.numeric_column("size", shape=2)
age = fc.bucketized_column(fc.numeric_column("age"), [18, 30, 50])
color = fc.categorical_column_with_vocabulary_list("color", ["red", "green", "blue"])
item = fc.categorical_column_with_identity("item", 5)
weighted = fc.weighted_categorical_column(item, "item_weight")
word = fc.categorical_column_with_hash_bucket("word", 7)
cross = fc.crossed_column(["word", color], 6)
features = {
    "price": tf.constant([[1.0], [2.0], [3.0]]),
    "size": tf.constant([[1.0, 2.0], [3.0, 4.0], [0.5, 0.0]]),
    "age": tf.constant([20.0, 60.0, 5.0]),
    "color": tf.constant([["red", "blue"], ["green", ""], ["", ""]]),
    "item": tf.constant([[1, 4], [3, -1], [0, 0]]),
    "item_weight": tf.constant([[0.5, 2.0], [1.5, 0.0], [1.0, 3.0]]),
    "word": tf.SparseTensor([[0, 0], [1, 0], [1, 1]], ["hello", "world", "hi"], [3, 2]),
}
columns = [price, size, age, color, weighted, word, cross,
           fc.indicator_column(color)]
result = {"values": {}, "grads": {}}
models = {}
for combiner in ("sum", "mean", "sqrtn"):
    c2v = {}
    models[combiner] = (fc.linear_model(features, columns, sparse_combiner=combiner,
                                        cols_to_vars=c2v), c2v)
multi = fc.linear_model(features, [price, color, age], units=3,
                        weight_collections=["mine"], trainable=False)
result["ops"] = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
result["vars"] = [v.name for v in tf.global_variables()]
result["trainable"] = [v.name for v in tf.trainable_variables()]
result["model_vars"] = [v.name for v in tf.get_collection(tf.GraphKeys.MODEL_VARIABLES)]
result["mine"] = [v.name for v in tf.get_collection("mine")]
result["shapes"] = [str(m[0].shape) for m in models.values()] + [str(multi.shape)]
result["cols_to_vars"] = {
    k: sorted((c if isinstance(c, str) else c.name, [v.name for v in vs])
              for c, vs in m[1].items())
    for k, m in models.items()}
sets = []
for i, v in enumerate(tf.global_variables()):
    n = int(np.prod(v.shape.as_list()))
    sets.append(tf.assign(v, tf.reshape(
        tf.cos(tf.range(n, dtype=tf.float32) + float(i)), v.shape)))
target = tf.constant([[1.0], [-1.0], [0.5]])
for k, (y, c2v) in models.items():
    loss = tf.reduce_sum(tf.square(y - target))
    vs = [v for c in sorted(c2v, key=lambda c: c if isinstance(c, str) else c.name)
          for v in c2v[c]]
    result["grads"][k] = (vs, tf.gradients(loss, vs))
errors = []
for bad in (lambda: fc.linear_model(features, [fc.numeric_column("missing")]),
            lambda: fc.linear_model(features, [])):
    try:
        bad()
        errors.append(None)
    except (ValueError, TypeError) as e:
        errors.append([type(e).__name__, str(e)[:60]])
result["errors"] = errors
with tf.Session() as s:
    s.run([tf.global_variables_initializer(), tf.tables_initializer()])
    zero = s.run(models["sum"][0])
    s.run(sets)
    for k, (y, _) in models.items():
        result["values"][k] = np.round(s.run(y), 4).tolist()
    result["values"]["multi"] = np.round(s.run(multi), 4).tolist()
    result["values"]["zero"] = zero.tolist()
    for k, (vs, gs) in list(result["grads"].items()):
        result["grads"][k] = [[v.name, np.round(s.run(tf.convert_to_tensor(g)), 4).tolist()]
                              for v, g in zip(vs, gs)]
"""


@pytest.mark.tf
@requires_tf
def test_linear_model_matches_tf():
    here, theirs = run_both(PROGRAM)
    for key in theirs:
        assert here[key] == theirs[key], key


def test_linear_model():
    r = run_here(PROGRAM)
    assert r["values"]["zero"] == [[0.0], [0.0], [0.0]]
    assert r["shapes"][-1] == "(3, 3)"
    names = dict(r["cols_to_vars"]["sum"])
    assert names["bias"] == ["linear_model/bias_weights:0"]
    assert names["price"] == ["linear_model/price/weights:0"]
    assert r["mine"] and not any(v.startswith("linear_model_3/") for v in r["trainable"])

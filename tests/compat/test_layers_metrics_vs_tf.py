"""tf.layers and tf.metrics against real TF: same ops, variables, collections and values.

TF 2.21 ships Keras 3, which has no `tf.compat.v1.layers`; its TF1 layers live on in
`tensorflow.python.keras.legacy_tf_layers` (what `tf.compat.v1.layers` is with Keras 2),
which the cases use as `L` there.
"""

from __future__ import annotations

import pytest

from tests import tfrun
from tests.compat import opdiff

_L = """
import types
try:
    tf.layers.dense
    L = tf.layers
except AttributeError:
    from tensorflow.python.keras.legacy_tf_layers import convolutional as _c, core as _k, \\
        pooling as _p
    L = types.SimpleNamespace(
        dense=_k.dense, Dense=_k.Dense, dropout=_k.dropout, Dropout=_k.Dropout,
        flatten=_k.flatten, Flatten=_k.Flatten, conv2d=_c.conv2d, Conv2D=_c.Conv2D,
        max_pooling2d=_p.max_pooling2d, MaxPooling2D=_p.MaxPooling2D,
        average_pooling2d=_p.average_pooling2d)
"""

_X = """
x = tf.placeholder(tf.float32, [None, 4], name="x")
feed = {x: np.arange(8, dtype=np.float32).reshape(2, 4) / 8 - 0.25}
"""

_IMG = """
img = tf.placeholder(tf.float32, [None, 6, 6, 2], name="img")
feed = {img: np.sin(np.arange(144, dtype=np.float32)).reshape(2, 6, 6, 2)}
"""

CASES: dict[str, str] = {
    "dense_names_and_values": _L
    + _X
    + """
h = L.dense(x, 3, activation=tf.nn.relu,
            kernel_initializer=tf.constant_initializer(np.linspace(-1, 1, 12)))
h2 = L.dense(h, 2, name="out", kernel_initializer=tf.constant_initializer(0.5),
             bias_initializer=tf.ones_initializer())
with tf.variable_scope("s"):
    h3 = L.dense(h, 2, use_bias=False, kernel_regularizer=lambda w: tf.reduce_sum(w),
                 kernel_initializer=tf.constant_initializer(0.25))
h4 = L.dense(h, 2, activation="sigmoid")  # glorot-uniform kernel: values not compared
init = tf.global_variables_initializer()
names = [v.name for v in tf.global_variables()] + [v.name for v in tf.trainable_variables()]
out = [h, h2, h3, tf.shape(h4), tf.constant(names),
       tf.constant([t.name for t in tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)])]
""",
    "dense_reuse_by_name": _L
    + _X
    + """
a = L.dense(x, 2, name="shared", kernel_initializer=tf.ones_initializer())
b = L.dense(x, 2, name="shared", reuse=True)
init = tf.global_variables_initializer()
out = [a, b, tf.constant([v.name for v in tf.global_variables()])]
""",
    "dense_layer_object": _L
    + _X
    + """
layer = L.Dense(3, kernel_initializer=tf.constant_initializer(0.1), name="proj")
y1 = layer(x)
y2 = layer(x * 2.0)
init = tf.global_variables_initializer()
out = [y1, y2, tf.constant([layer.name, layer.scope_name] + [w.name for w in layer.weights])]
""",
    "dense_3d_input": _L
    + """
x = tf.placeholder(tf.float32, [2, 3, 4], name="x")
feed = {x: np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 24}
y = L.dense(x, 5, kernel_initializer=tf.constant_initializer(0.2))
init = tf.global_variables_initializer()
out = [y]
""",
    "dense_rank1_input": _L
    + """
x = tf.placeholder(tf.float32, [4], name="x")
L.dense(x, 2)
phrase = "expected min_ndim=2, found ndim=1"
""",
    "dense_unknown_last_dim": _L
    + """
x = tf.placeholder(tf.float32, [None, None], name="x")
L.dense(x, 2)
phrase = "The last dimension of the inputs to a Dense layer should be defined. Found None."
""",
    "conv_pool_flatten": _L
    + _IMG
    + """
c = L.conv2d(img, 4, 3, padding="same", activation=tf.nn.relu,
             kernel_initializer=tf.constant_initializer(np.cos(np.arange(72.0))))
c0 = L.conv2d(img, 2, 3)  # glorot-uniform kernel: values not compared
c2 = L.conv2d(c, 3, (2, 2), strides=2, kernel_initializer=tf.constant_initializer(0.1),
              name="c2")
p = L.max_pooling2d(c, 2, 2)
q = L.average_pooling2d(c, 3, 2, padding="same")
f = L.flatten(p)
f2 = L.flatten(q, name="fl")
init = tf.global_variables_initializer()
out = [c, c2, p, q, f, f2, tf.shape(c0)]
""",
    "dropout_static_training": _L
    + _X
    + """
d_eval = L.dropout(x, 0.3)
d_eval2 = L.dropout(x, 0.3, training=tf.constant(False))
out = [d_eval, d_eval2]
""",
    "metrics_accuracy_mean": """
labels = tf.placeholder(tf.int64, [None], name="labels")
pred = tf.placeholder(tf.int64, [None], name="pred")
acc, upd = tf.metrics.accuracy(labels, pred)
vals = tf.placeholder(tf.float32, [None], name="v")
m, mu = tf.metrics.mean(vals, name="avg")
init = tf.local_variables_initializer()
feed = {labels: [1, 2, 3, 4], pred: [1, 2, 0, 4], vals: [1.0, 2.0, 4.5]}
out = [upd, mu, tf.constant([v.name for v in tf.local_variables()]
       + [v.name for v in tf.get_collection(tf.GraphKeys.METRIC_VARIABLES)])]
""",
    "metrics_accuracy_weights": """
labels = tf.constant([[1], [2], [3]], tf.int32, name="labels")
pred = tf.constant([1, 2, 0], tf.int64, name="pred")
w = tf.constant([1.0, 0.5, 2.0], name="w")
acc, upd = tf.metrics.accuracy(labels, pred, weights=w, metrics_collections=["mc"],
                               updates_collections=["uc"])
m, mu = tf.metrics.mean(tf.constant([[1.0, 2.0], [3.0, 4.0]]), weights=[[1.0], [0.0]])
init = tf.local_variables_initializer()
out = [upd, mu, tf.constant([t.name for t in tf.get_collection("mc") + tf.get_collection("uc")])]
""",
}


@pytest.fixture(scope="module")
def tf_results():
    return opdiff.run_cases_in_tf(CASES)


@tfrun.requires_tf
@pytest.mark.tf
@pytest.mark.parametrize("case", sorted(CASES))
def test_parity_with_tf(case, tf_results):
    code = CASES[case]
    actual = opdiff.run_case_in_tfgraph(code)
    problems = opdiff.compare(case, code, tf_results[case], actual)
    assert not problems, f"case {case!r}:\n" + "\n".join(problems)

"""Differential tests of tf.gradients: the same training-style programs on tfgraph and on
real TensorFlow, compared op by op (name, type, inputs, control inputs, device, attr
names: every gradient op is under `gradients*/`, named as TF names it) and by value.

All programs run in one TensorFlow subprocess (see tests/compat/harness.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from tests import tfrun
from tests.compat import harness

PROGRAMS = {
    "mlp_softmax_xent": """
rng = np.random.RandomState(0)
x = tf.placeholder(tf.float32, [None, 5], name="x")
y = tf.placeholder(tf.float32, [None, 3], name="y")
w1 = tf.Variable(rng.randn(5, 4).astype(np.float32), name="w1")
b1 = tf.Variable(np.zeros(4, np.float32), name="b1")
w2 = tf.Variable(rng.randn(4, 3).astype(np.float32), name="w2")
b2 = tf.Variable(np.zeros(3, np.float32), name="b2")
h = tf.nn.relu(tf.matmul(x, w1) + b1)
logits = tf.matmul(h, w2) + b2
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
grads = tf.gradients(loss, [w1, b1, w2, b2])
xv = rng.randn(6, 5).astype(np.float32)
yv = np.eye(3, dtype=np.float32)[rng.randint(0, 3, 6)]
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    record("grads", s.run(grads, {x: xv, y: yv}))
    record("loss", s.run(loss, {x: xv, y: yv}))
""",
    "mlp_sparse_xent_v1": """
rng = np.random.RandomState(1)
x = tf.placeholder(tf.float32, [8, 5], name="x")
lab = tf.placeholder(tf.int64, [8], name="lab")
w1 = tf.Variable(rng.randn(5, 4).astype(np.float32), name="w1")
w2 = tf.Variable(rng.randn(4, 3).astype(np.float32), name="w2")
h = tf.tanh(tf.matmul(x, w1))
logits = tf.matmul(h, w2)
l1 = tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=lab, logits=logits))
l2 = tf.reduce_mean(
    tf.nn.softmax_cross_entropy_with_logits(labels=tf.one_hot(lab, 3), logits=logits))
grads = tf.gradients(l1 + l2, [w1, w2, x])
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    record("grads", s.run(grads, {x: rng.randn(8, 5), lab: rng.randint(0, 3, 8)}))
""",
    "embedding_gather": """
emb = tf.Variable(np.arange(12, dtype=np.float32).reshape(6, 2) / 10, name="emb")
ids = tf.constant([[0, 3], [3, 5]])
e = tf.nn.embedding_lookup(emb, ids)
g1 = tf.gather(emb, [1, 1, 4])
loss = tf.reduce_sum(e * e) + tf.reduce_sum(g1 * 3.0)
g, = tf.gradients(loss, emb)
gd, = tf.gradients(loss + tf.reduce_sum(emb), emb)
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    record("type", type(g).__name__)
    record("values", s.run([g.values, g.indices, g.dense_shape]))
    record("dense", s.run(tf.convert_to_tensor(g)))
    record("mixed", s.run(gd))
""",
    "embedding_partitioned": """
p0 = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2), name="p0")
p1 = tf.Variable(np.arange(6, 10, dtype=np.float32).reshape(2, 2), name="p1")
ids = tf.constant([[0, 4], [1, 2]])
outs = []
for strat in ("mod", "div"):
    e = tf.nn.embedding_lookup([p0, p1], ids, partition_strategy=strat)
    g0, g1 = tf.gradients(tf.reduce_sum(e * e), [p0, p1])
    outs.append((e, tf.convert_to_tensor(g0), tf.convert_to_tensor(g1)))
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    record("vals", s.run(outs))
""",
    "broadcasting": """
a = tf.placeholder(tf.float32, [3, 1, 4], name="a")
b = tf.placeholder(tf.float32, [2, 4], name="b")
c = tf.placeholder(tf.float32, [], name="c")
ys = [a * b, a / b, a - b, a + c, tf.maximum(a, b), tf.minimum(b, c), tf.pow(a, b),
      tf.squared_difference(a, b), tf.atan2(a, b), tf.div_no_nan(a, b), tf.floormod(a, b)]
grads = [tf.gradients(tf.reduce_sum(y), [a, b, c]) for y in ys]
grads = [[g for g in gs if g is not None] for gs in grads]
rng = np.random.RandomState(2)
feed = {a: rng.uniform(0.5, 2, (3, 1, 4)), b: rng.uniform(0.5, 2, (2, 4)), c: 1.3}
with tf.Session() as s:
    record("grads", s.run(grads, feed))
""",
    "broadcasting_unknown_shapes": """
a = tf.placeholder(tf.float32, [None, None], name="a")
b = tf.placeholder(tf.float32, [None], name="b")
y = (tf.reduce_mean(a * b + a / (b * b + 1.0)) + tf.reduce_sum(tf.reduce_max(a, 1))
     + tf.reduce_prod(b))
grads = tf.gradients(y, [a, b])
rng = np.random.RandomState(3)
with tf.Session() as s:
    record("grads", s.run(grads, {a: rng.randn(3, 4), b: rng.uniform(0.5, 1.5, 4)}))
""",
    "cond": """
x = tf.placeholder(tf.float32, [3], name="x")
p = tf.placeholder(tf.bool, [], name="p")
v = tf.Variable([1., 2., 3.], name="v")
y = tf.cond(p, lambda: tf.reduce_sum(x * v * x),
            lambda: tf.reduce_sum(tf.exp(x)) + tf.reduce_sum(v))
grads = tf.gradients(y, [x, v])
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    xv = np.array([0.5, -1.0, 2.0])
    record("true", s.run(grads, {x: xv, p: True}))
    record("false", s.run(grads, {x: xv, p: False}))
""",
    "batch_norm": """
rng = np.random.RandomState(4)
x = tf.placeholder(tf.float32, [4, 2, 2, 3], name="x")
scale = tf.Variable(rng.uniform(0.5, 1.5, 3).astype(np.float32), name="scale")
offset = tf.Variable(rng.randn(3).astype(np.float32), name="offset")
mean, var = tf.nn.moments(x, [0, 1, 2])
y1 = tf.nn.batch_normalization(x, mean, var, offset, scale, 1e-3)
y2, m2, v2 = tf.nn.fused_batch_norm(x, scale, offset, epsilon=1e-3)
y3, _, _ = tf.nn.fused_batch_norm(x, scale, offset, mean=[0.1, 0.2, 0.3], variance=[1., 2., 3.],
                                  epsilon=1e-3, is_training=False)
w = tf.constant(rng.randn(4, 2, 2, 3).astype(np.float32))
loss = tf.reduce_sum(y1 * w) + tf.reduce_sum(y2 * w * 2.0) + tf.reduce_sum(y3 * w * 3.0)
grads = tf.gradients(loss, [x, scale, offset])
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    xv = rng.randn(4, 2, 2, 3)
    record("fwd", s.run([mean, var, y1, y2, m2, v2, y3], {x: xv}))
    record("grads", s.run(grads, {x: xv}))
""",
    "fused_batch_norm_nchw": """
rng = np.random.RandomState(5)
x = tf.placeholder(tf.float32, [2, 3, 2, 2], name="x")
scale = tf.constant(rng.uniform(0.5, 1.5, 3).astype(np.float32))
offset = tf.constant(rng.randn(3).astype(np.float32))
y, m, v = tf.nn.fused_batch_norm(x, scale, offset, data_format="NCHW")
y2, m2, v2 = tf.nn.fused_batch_norm(x, scale, offset, mean=m, variance=v, data_format="NCHW",
                                    is_training=False)
w = tf.constant(rng.randn(2, 3, 2, 2).astype(np.float32))
grads = tf.gradients(tf.reduce_sum(y * w) + tf.reduce_sum(y2 * w), [x, scale, offset])
with tf.Session() as s:
    xv = rng.randn(2, 3, 2, 2)
    record("fwd", s.run([y, m, v, y2], {x: xv}))
    record("grads", s.run(grads, {x: xv}))
""",
    "reductions": """
x = tf.placeholder(tf.float64, [2, 3, 4], name="x")
ys = [tf.reduce_sum(x, 1), tf.reduce_sum(x), tf.reduce_sum(x, [0, 2], keepdims=True),
      tf.reduce_mean(x, -1), tf.reduce_mean(x), tf.reduce_max(x, 1), tf.reduce_min(x, [0, 2]),
      tf.reduce_prod(x, 2), tf.reduce_logsumexp(x, 1), tf.cumsum(x, 1, exclusive=True),
      tf.cumprod(x, 2, reverse=True)]
grads = [tf.gradients(tf.reduce_sum(tf.sin(y)), x)[0] for y in ys]
rng = np.random.RandomState(6)
with tf.Session() as s:
    record("grads", s.run(grads, {x: rng.uniform(0.5, 2.0, (2, 3, 4))}))
""",
    "shapes_and_slicing": """
x = tf.placeholder(tf.float32, [4, 3, 2], name="x")
ys = [x[1:, ::2], x[..., 0], x[::-1, 1, tf.newaxis], tf.slice(x, [1, 0, 0], [2, -1, 1]),
      tf.concat([x, x * 2.0], 1), tf.split(x, [1, 2], 1)[1], tf.split(x, 2, 2)[0],
      tf.pad(x, [[1, 0], [0, 2], [1, 1]]), tf.pad(x, [[1, 1], [1, 0], [0, 1]], "REFLECT"),
      tf.tile(x, [1, 2, 1]), tf.transpose(x, [2, 0, 1]), tf.gather(x, [2, 0], axis=1),
      tf.reshape(x, [6, -1]), tf.expand_dims(x, 0), tf.squeeze(x[:, :1]), tf.reverse(x, [1]),
      tf.stack([x, x], 1), tf.unstack(x, axis=2)[1], tf.broadcast_to(x[:1], [2, 3, 2]),
      tf.where(x > 0, x, x * x), tf.where_v2(x[0] > 0, x, 1.0)]
grads = [tf.gradients(tf.reduce_sum(y * y), x)[0] for y in ys]
rng = np.random.RandomState(7)
with tf.Session() as s:
    record("grads", s.run(grads, {x: rng.randn(4, 3, 2)}))
""",
    "activations": """
x = tf.placeholder(tf.float32, [3, 4], name="x")
ys = [tf.nn.relu(x), tf.nn.relu6(x * 4), tf.nn.elu(x), tf.nn.selu(x), tf.nn.softplus(x),
      tf.nn.softsign(x), tf.nn.leaky_relu(x, 0.3), tf.sigmoid(x), tf.tanh(x), tf.nn.softmax(x),
      tf.nn.log_softmax(x), tf.nn.softmax(x, axis=0), tf.abs(x), tf.sqrt(tf.abs(x) + 1),
      tf.rsqrt(tf.abs(x) + 1), tf.reciprocal(x), tf.exp(x), tf.log(tf.abs(x)), tf.square(x),
      tf.sin(x), tf.cos(x), tf.atan(x)]
grads = [tf.gradients(tf.reduce_sum(y * tf.range(1., 13., dtype=tf.float32)[:4]), x)[0]
         for y in ys]
rng = np.random.RandomState(8)
with tf.Session() as s:
    record("grads", s.run(grads, {x: rng.uniform(0.2, 2, (3, 4)) * rng.choice([-1, 1], (3, 4))}))
""",
    "losses_and_clipping": """
rng = np.random.RandomState(9)
x = tf.placeholder(tf.float32, [4, 3], name="x")
z = tf.constant(rng.uniform(0, 1, (4, 3)).astype(np.float32))
ys = [tf.nn.l2_loss(x), tf.nn.l2_normalize(x, 1),
      tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
      tf.nn.weighted_cross_entropy_with_logits(labels=z, logits=x, pos_weight=2.5),
      tf.clip_by_norm(x, 1.5), tf.clip_by_norm(x, 0.5, axes=[1]), tf.clip_by_value(x, -0.5, 0.5),
      tf.clip_by_global_norm([x, x * 2.0], 2.0)[0][1], tf.global_norm([x, x * 3.0])]
grads = [tf.gradients(tf.reduce_sum(y * 1.7), x)[0] for y in ys]
with tf.Session() as s:
    xv = rng.randn(4, 3)
    record("fwd", s.run(ys, {x: xv}))
    record("grads", s.run(grads, {x: xv}))
""",
    "topk_lrn_misc": """
rng = np.random.RandomState(10)
x = tf.placeholder(tf.float32, [2, 5], name="x")
v, i = tf.nn.top_k(x, 3)
img = tf.placeholder(tf.float32, [1, 2, 2, 4], name="img")
l = tf.nn.lrn(img, depth_radius=1, bias=1.2, alpha=0.5, beta=0.6)
g1, = tf.gradients(tf.reduce_sum(v * [1., 2., 3.]), x)
g2, = tf.gradients(tf.reduce_sum(l * tf.range(16.0)[None, None, None, :4]), img)
itk = tf.nn.in_top_k(x, [0, 4], 2)
with tf.Session() as s:
    xv = np.array([[1., 5., 3., 2., 4.], [0., -1., 7., 2., 6.]], np.float32)
    iv = rng.randn(1, 2, 2, 4)
    record("fwd", s.run([v, i, itk, l], {x: xv, img: iv}))
    record("grads", s.run([g1, g2], {x: xv, img: iv}))
""",
    "aggregation_stop_unconnected": """
x = tf.placeholder(tf.float32, [2], name="x")
u = tf.placeholder(tf.float32, [2], name="u")
a = x * 2.0
y = a + x * 3.0 + tf.stop_gradient(a * x)
g = tf.gradients(y, [x, u])
g0 = tf.gradients(y, [x, u], unconnected_gradients="zero")
g1 = tf.gradients(y, x, stop_gradients=[a])
g2 = tf.gradients(y, x, grad_ys=[tf.constant([1., -2.])])
g3 = tf.gradients(y, x, aggregation_method=tf.AggregationMethod.EXPERIMENTAL_TREE)
g4 = tf.gradients(y * y, x, gate_gradients=True)
with tf.Session() as s:
    record("vals", s.run([g[0], g0, g1, g2, g3, g4], {x: [1., 2.], u: [3., 4.]}))
    record("none", g[1] is None)
""",
}


@pytest.fixture(scope="module")
def tf_results():
    return harness.run_programs_in_tf(PROGRAMS)


def _assert_close(expected, actual, path: str) -> None:
    if isinstance(expected, dict) and "array" in expected:
        assert isinstance(actual, dict) and "array" in actual, f"{path}: {actual!r}"
        assert expected["dtype"] == actual["dtype"], f"{path}: dtype {actual['dtype']}"
        e = np.asarray(expected["array"], dtype=np.float64)
        a = np.asarray(actual["array"], dtype=np.float64)
        assert e.shape == a.shape, f"{path}: shape {a.shape} != {e.shape}"
        rtol = 1e-4 if expected["dtype"] in ("float32", "float16") else 1e-9
        np.testing.assert_allclose(a, e, rtol=rtol, atol=rtol * 1e-1, err_msg=path)
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{path}: {actual!r}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            _assert_close(e, a, f"{path}[{i}]")
    elif isinstance(expected, float):
        assert actual == pytest.approx(expected, rel=1e-5), path
    else:
        assert expected == actual, f"{path}: {actual!r} != {expected!r}"


@tfrun.requires_tf
@pytest.mark.tf
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_gradients_match_tf(name, tf_results):
    expected = tf_results[name]
    actual = harness.run_program_in_tfgraph(PROGRAMS[name])
    grad_ops = [op for op in actual["graph"] if op[0].startswith("gradients")]
    assert grad_ops, "the program builds no gradient ops"
    for key, value in expected["results"].items():
        _assert_close(value, actual["results"].get(key), f"{name}:{key}")
    tf_ops = [tuple(map(repr, op)) for op in expected["graph"]]
    our_ops = [tuple(map(repr, op)) for op in actual["graph"]]
    if tf_ops != our_ops:
        import difflib

        diff = "\n".join(
            difflib.unified_diff(
                [" ".join(o) for o in tf_ops],
                [" ".join(o) for o in our_ops],
                "tf",
                "tfgraph",
                lineterm="",
                n=1,
            )
        )
        pytest.fail(f"graphs differ:\n{diff[:6000]}")
    assert expected["collections"] == actual["collections"]

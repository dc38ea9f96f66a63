"""The product-sum pass (client/passes/products.py): an AddN of many `a_i^T @ g_i`
products (an unrolled RNN's weight gradient) runs as one product of the stacked
operands, with op-by-op values (to float rounding), TF's values and TF's errors."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json
from tfgraph.client.passes import fuse, products


@pytest.fixture
def made(monkeypatch):
    """The groups plans make: (summing op name, number of products)."""
    seen: list = []
    find = products.product_sums

    def spy(*args):
        groups = find(*args)
        seen.extend((g.total.name, len(g.products)) for g in groups)
        return groups

    import tfgraph.client.passes as passes

    monkeypatch.setattr(passes, "product_sums", spy)
    return seen


def _shared_weight_grads(steps: int, batch=None, fetch_product: bool = False):
    """x_t @ W + b for `steps` inputs, a loss, and the gradients of W and b."""
    xs = [tf.placeholder(tf.float32, [batch, 24], name=f"x{t}") for t in range(steps)]
    w = tf.Variable(np.linspace(-1, 1, 24 * 32, dtype=np.float32).reshape(24, 32), name="w")
    b = tf.Variable(np.zeros(32, np.float32), name="b")
    loss = tf.add_n([tf.reduce_sum(tf.tanh(tf.matmul(x, w) + b) ** 2) for x in xs])
    grads = tf.gradients(loss, [w, b])
    extra = []
    if fetch_product:
        total = grads[0].op
        extra = [total.inputs[0]]
    return xs, grads, extra


def _feeds(xs, rows=8, seed=0):
    rng = np.random.RandomState(seed)
    return {x: rng.randn(rows, 24).astype(np.float32) for x in xs}


def _run(steps, fused: bool, monkeypatch, **kw):
    monkeypatch.setattr(fuse, "ENABLED", fused)
    with tf.Graph().as_default():
        xs, grads, extra = _shared_weight_grads(steps, **kw)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return sess.run(grads + extra, _feeds(xs))


def test_weight_gradient_sum_is_one_stacked_product(made, monkeypatch):
    fused = _run(12, True, monkeypatch)
    assert [n for _, n in made] == [12]  # (the bias gradient sums BiasAddGrads: left alone)
    plain = _run(12, False, monkeypatch)
    for f, p in zip(fused, plain):
        np.testing.assert_allclose(f, p, rtol=1e-5, atol=1e-5)


def test_unknown_batch_size_is_stacked_at_run_time(made, monkeypatch):
    fused = _run(6, True, monkeypatch, batch=None)
    plain = _run(6, False, monkeypatch, batch=None)
    assert made
    np.testing.assert_allclose(fused[0], plain[0], rtol=1e-5, atol=1e-5)


def test_few_terms_are_left_alone(made, monkeypatch):
    _run(products.MIN_TERMS - 1, True, monkeypatch)
    assert made == []


def test_a_fetched_product_keeps_its_own_step(made, monkeypatch):
    fused = _run(8, True, monkeypatch, fetch_product=True)
    plain = _run(8, False, monkeypatch, fetch_product=True)
    assert made == []
    np.testing.assert_allclose(fused[2], plain[2], rtol=1e-6)


def test_rows_that_do_not_pair_up_raise_the_products_error(monkeypatch):
    """Operands of unknown rows that differ at run time: the op-by-op path runs and the
    MatMul reports TF's error, naming itself."""
    with tf.Graph().as_default():
        a = [tf.placeholder(tf.float32, [None, 16], name=f"a{t}") for t in range(5)]
        g = [tf.placeholder(tf.float32, [None, 16], name=f"g{t}") for t in range(5)]
        total = tf.add_n([tf.matmul(x, y, transpose_a=True) for x, y in zip(a, g)])
        feeds = {x: np.ones((4, 16), np.float32) for x in a + g}
        feeds[g[3]] = np.ones((3, 16), np.float32)
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match="Matrix size-incompatible"):
                sess.run(total, feeds)
            feeds[g[3]] = np.ones((4, 16), np.float32)
            np.testing.assert_allclose(sess.run(total, feeds), np.full((16, 16), 20.0))


def test_run_metadata_names_every_fused_op(monkeypatch):
    with tf.Graph().as_default():
        xs, grads, _ = _shared_weight_grads(5)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            meta = tf.RunMetadata()
            sess.run(
                grads,
                _feeds(xs),
                options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
                run_metadata=meta,
            )
    names = {n.node_name for d in meta.step_stats.dev_stats for n in d.node_stats}
    total = grads[0].op
    assert total.name in names
    assert all(t.op.type == "MatMul" and t.op.name in names for t in total.inputs)


_TF_CODE = """
import json
tf.set_random_seed(0)
rng = np.random.RandomState(1)
x = tf.constant(rng.randn(8, 32, 20).astype(np.float32))
cell = tf.nn.rnn_cell.BasicLSTMCell(16)
outs, _ = tf.nn.static_rnn(cell, tf.unstack(x), dtype=tf.float32)
loss = tf.reduce_sum(tf.stack(outs) ** 2)
kernel, bias = tf.trainable_variables()
g = tf.gradients(loss, [kernel, bias])
with tf.Session() as sess:
    sess.run(kernel.assign(np.linspace(-0.5, 0.5, 36 * 64, dtype=np.float32).reshape(36, 64)))
    sess.run(bias.initializer)
    gk, gb = sess.run(g)
print(json.dumps({"kernel": gk.tolist(), "bias": gb.tolist()}))
"""


@requires_tf
def test_static_rnn_weight_gradient_equals_tf(made):
    with tf.Graph().as_default():
        ours = run_here_json(_TF_CODE)
    assert [n for _, n in made] == [8]
    theirs = run_tf_json(_TF_CODE)
    np.testing.assert_allclose(ours["kernel"], theirs["kernel"], rtol=2e-5, atol=2e-5)
    np.testing.assert_allclose(ours["bias"], theirs["bias"], rtol=2e-5, atol=2e-5)


# -- loop accumulators: a weight's gradient summed over a gradient loop's iterations --------


@pytest.fixture
def accumulators(monkeypatch):
    """The number of deferred loop accumulators each plan makes."""
    seen: list = []
    find = products.loop_accumulators

    def spy(*args):
        found = find(*args)
        seen.append(len(found))
        return found

    monkeypatch.setattr(products, "loop_accumulators", spy)
    return seen


def _loop_grads(fused: bool, monkeypatch, steps: int = 7, rows=None):
    """The gradients of a tf.while_loop that multiplies each step's input by a weight."""
    monkeypatch.setattr(fuse, "ENABLED", fused)
    rng = np.random.RandomState(3)
    with tf.Graph().as_default():
        xs = tf.placeholder(tf.float32, [None, rows, 24])
        w = tf.Variable(rng.randn(24, 32).astype(np.float32) * 0.3, name="w")
        n = tf.shape(xs)[0]

        def body(i, h):
            return i + 1, tf.tanh(tf.matmul(xs[i], w) + h[:, :1])

        _, h = tf.while_loop(lambda i, h: i < n, body, [0, tf.zeros([8, 32])])
        grads = tf.gradients(tf.reduce_sum(h**2), [w, xs])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return sess.run(grads, {xs: rng.randn(steps, 8, 24).astype(np.float32)})


def test_loop_weight_gradient_is_one_stacked_product(accumulators, monkeypatch):
    fused = _loop_grads(True, monkeypatch)
    assert max(accumulators) == 1
    plain = _loop_grads(False, monkeypatch)
    for f, p in zip(fused, plain):
        np.testing.assert_allclose(f, p, rtol=1e-5, atol=1e-6)


def test_loop_of_no_iteration_gives_the_zero_gradient(accumulators, monkeypatch):
    grads = _loop_grads(True, monkeypatch, steps=0)
    assert max(accumulators) == 1
    np.testing.assert_array_equal(grads[0], np.zeros((24, 32), np.float32))


def test_nested_loops_sum_each_inner_run(accumulators, monkeypatch):
    def run(fused):
        monkeypatch.setattr(fuse, "ENABLED", fused)
        with tf.Graph().as_default():
            w = tf.Variable(np.linspace(-1, 1, 16 * 16, dtype=np.float32).reshape(16, 16))

            def inner(x):
                _, y = tf.while_loop(
                    lambda j, y: j < 3, lambda j, y: (j + 1, tf.tanh(tf.matmul(y, w))), [0, x]
                )
                return y

            _, out = tf.while_loop(
                lambda i, x: i < 4, lambda i, x: (i + 1, inner(x) + 0.1), [0, tf.ones([5, 16])]
            )
            g = tf.gradients(tf.reduce_sum(out), w)[0]
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                return sess.run(g)

    np.testing.assert_allclose(run(True), run(False), rtol=1e-5, atol=1e-6)
    assert max(accumulators) >= 1


_TF_DYNAMIC = """
import json
rng = np.random.RandomState(2)
x = tf.constant(rng.randn(4, 9, 20).astype(np.float32))
cell = tf.nn.rnn_cell.BasicLSTMCell(16)
seq, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
kernel, bias = tf.trainable_variables()
g = tf.gradients(tf.reduce_sum(seq ** 2), [kernel, bias])
with tf.Session() as sess:
    sess.run(kernel.assign(np.linspace(-0.5, 0.5, 36 * 64, dtype=np.float32).reshape(36, 64)))
    sess.run(bias.initializer)
    gk, gb = sess.run(g)
print(json.dumps({"kernel": gk.tolist(), "bias": gb.tolist()}))
"""


@requires_tf
def test_dynamic_rnn_weight_gradient_equals_tf(accumulators):
    with tf.Graph().as_default():
        ours = run_here_json(_TF_DYNAMIC)
    assert 1 in accumulators
    theirs = run_tf_json(_TF_DYNAMIC)
    np.testing.assert_allclose(ours["kernel"], theirs["kernel"], rtol=2e-5, atol=2e-5)
    np.testing.assert_allclose(ours["bias"], theirs["bias"], rtol=2e-5, atol=2e-5)

"""tf.contrib.rnn.NTMCell (tfgraph/legacy_contrib/ntm_cell.py): TF 1.15 contrib's
variable names and shapes, and two steps of its values against a numpy Neural Turing
Machine written from the formulas (content and location addressing, reads, erase/add
writes, the learned initial state at time 0)."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf

MEMORY, WIDTH, CTRL = 5, 2, 4


def _build(batch, reads, writes, shift, output_dim=None, steps=2):
    x = tf.placeholder(tf.float32, [batch, steps, 3], name="x")
    cell = tf.contrib.rnn.NTMCell(
        tf.nn.rnn_cell.BasicRNNCell(CTRL), MEMORY, WIDTH, reads, writes, shift, output_dim
    )
    outputs, state = tf.nn.static_rnn(
        cell, tf.unstack(x, axis=1), initial_state=cell.zero_state(batch, tf.float32)
    )
    return x, cell, outputs, state


# -- a numpy NTM -----------------------------------------------------------------------


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _softplus(z):
    return np.log1p(np.exp(z))


def _address(p, M, w_prev, shift):
    d = WIDTH
    k, beta, g = np.tanh(p[:, :d]), _softplus(p[:, d]), _sigmoid(p[:, d + 1])
    s, gamma = _softmax(p[:, d + 2 : d + 3 + 2 * shift]), _softplus(p[:, -1]) + 1
    cosine = np.einsum("bnd,bd->bn", M, k) / (
        np.linalg.norm(M, axis=2) * np.linalg.norm(k, axis=1)[:, None] + 1e-8
    )
    w = g[:, None] * _softmax(beta[:, None] * cosine) + (1 - g[:, None]) * w_prev
    # shift weights for moves 0..shift, then -shift..-1, convolved around the memory
    moves = list(range(shift + 1)) + list(range(-shift, 0))
    shifted = sum(s[:, j : j + 1] * np.roll(w, m, axis=1) for j, m in enumerate(moves))
    sharp = shifted ** gamma[:, None]
    return sharp / sharp.sum(1, keepdims=True)


def _ntm_step(v, x, state, reads, writes, shift):
    """One step; `state` is None at time 0 (the learned start), else (h, r, w, M)."""
    if state is None:
        n = len(x)
        r = [np.tile(np.tanh(v[f"initial_read_vector_{i}"]), (n, 1)) for i in range(reads)]
        w_prev = [
            np.tile(_softmax(v[f"initial_address_weights_{i}"]), (n, 1))
            for i in range(reads + writes)
        ]
        M = np.tile(v["memory"][None], (n, 1, 1))
        h = np.zeros((n, CTRL), np.float32)
    else:
        h, r, w_prev, M = state
    h = np.tanh(
        np.concatenate([x, *r, h], 1) @ v["basic_rnn_cell/kernel"] + v["basic_rnn_cell/bias"]
    )
    p = np.clip(h @ v["parameters_kernel"] + v["parameters_bias"], -20, 20)
    per_head = WIDTH + 2 * shift + 4
    heads = reads + writes
    w = [
        _address(p[:, i * per_head : (i + 1) * per_head], M, w_prev[i], shift) for i in range(heads)
    ]
    read = [np.einsum("bn,bnd->bd", w[i], M) for i in range(reads)]
    erase_add = np.split(p[:, heads * per_head :], 2 * writes, axis=1)
    for i in range(writes):
        ww = w[reads + i][:, :, None]
        erase, add = _sigmoid(erase_add[2 * i])[:, None], np.tanh(erase_add[2 * i + 1])[:, None]
        M = M * (1 - ww * erase) + ww * add
    out = np.concatenate([h, *read], 1) @ v["output_kernel"] + v["output_bias"]
    return np.clip(out, -20, 20), (h, read, w, M)


# -- tests -----------------------------------------------------------------------------


def test_variables_are_named_and_shaped_as_tf_1_15s():
    _build(2, 2, 1, 1, output_dim=3)
    got = [(v.op.name, v.shape.as_list()) for v in tf.global_variables()]
    scope = "rnn/ntm_cell/"
    assert got == [
        (scope + "parameters_kernel", [4, 28]),  # 3 heads of 2 + 2 + 4, erase/add 2 + 2
        (scope + "parameters_bias", [28]),
        (scope + "output_kernel", [8, 3]),
        (scope + "output_bias", [3]),
        (scope + "initial_read_vector_0", [1, 2]),
        (scope + "initial_read_vector_1", [1, 2]),
        (scope + "initial_address_weights_0", [1, 5]),
        (scope + "initial_address_weights_1", [1, 5]),
        (scope + "initial_address_weights_2", [1, 5]),
        (scope + "memory", [5, 2]),
        (scope + "basic_rnn_cell/kernel", [11, 4]),
        (scope + "basic_rnn_cell/bias", [4]),
    ]


@pytest.mark.parametrize(
    ("batch", "reads", "writes", "shift", "output_dim"),
    [(2, 1, 1, 1, None), (2, 2, 1, 1, 3), (1, 1, 2, 2, 4)],
)
def test_two_steps_equal_a_numpy_ntm(batch, reads, writes, shift, output_dim):
    x, cell, outputs, state = _build(batch, reads, writes, shift, output_dim)
    variables = tf.global_variables()
    rng = np.random.RandomState(3)
    values = {v: rng.uniform(-0.8, 0.8, v.shape.as_list()).astype(np.float32) for v in variables}
    xv = rng.randn(batch, 2, 3).astype(np.float32)
    with tf.Session() as sess:
        sess.run([tf.assign(v, a) for v, a in values.items()])
        ys, final = sess.run([outputs, state._replace(time=tf.no_op())], {x: xv})
    v = {var.op.name[len("rnn/ntm_cell/") :]: a for var, a in values.items()}
    expected, np_state = [], None
    for t in range(2):
        y, np_state = _ntm_step(v, xv[:, t], np_state, reads, writes, shift)
        expected.append(y)
    np.testing.assert_allclose(ys, expected, rtol=2e-5, atol=2e-6)
    _, read, w, M = np_state
    np.testing.assert_allclose(final.M, M, rtol=2e-5, atol=2e-6)
    np.testing.assert_allclose(final.w_list, w, rtol=2e-5, atol=2e-6)
    np.testing.assert_allclose(final.read_vector_list, read, rtol=2e-5, atol=2e-6)
    assert state.time == 2  # (zero_state's time is a Python 0, and stays a Python int)
    assert cell.output_size == (output_dim or 3)


def test_state_structure_and_zero_state():
    cell = tf.contrib.rnn.NTMCell(tf.nn.rnn_cell.BasicRNNCell(CTRL), MEMORY, WIDTH, 2, 1)
    size = cell.state_size
    assert isinstance(size, tf.contrib.rnn.NTMControllerState)
    assert size.controller_state == CTRL
    assert size.read_vector_list == [WIDTH, WIDTH]
    assert size.w_list == [MEMORY] * 3
    assert size.M.as_list() == [MEMORY * WIDTH] and size.time.as_list() == []
    zero = cell.zero_state(4, tf.float32)
    assert zero.time == 0
    assert zero.M.shape.as_list() == [4, MEMORY, WIDTH]
    assert [w.shape.as_list() for w in zero.w_list] == [[4, MEMORY]] * 3
    assert cell.output_size is None  # (the input size, once built)


def test_gradients_reach_inputs_and_every_variable():
    x, _, outputs, _ = _build(2, 1, 1, 1)
    loss = tf.reduce_sum(tf.stack(outputs) * tf.constant([[[0.5, -1.0, 2.0]]]))
    grads = tf.gradients(loss, [x, *tf.trainable_variables()])
    assert all(g is not None for g in grads)
    xv = np.random.RandomState(0).randn(2, 2, 3).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        gx = sess.run(grads[0], {x: xv})
        eps, numeric = 1e-2, np.zeros_like(xv)
        for idx in np.ndindex(*xv.shape):
            plus, minus = xv.copy(), xv.copy()
            plus[idx] += eps
            minus[idx] -= eps
            numeric[idx] = (sess.run(loss, {x: plus}) - sess.run(loss, {x: minus})) / (2 * eps)
    np.testing.assert_allclose(gx, numeric, rtol=2e-2, atol=2e-3)


def test_errors():
    cell = tf.contrib.rnn.NTMCell(tf.nn.rnn_cell.BasicRNNCell(CTRL), MEMORY, WIDTH, 1, 1)
    unknown_batch = tf.placeholder(tf.float32, [None, 3])
    with pytest.raises(TypeError, match="static batch size"):
        cell(unknown_batch, cell.zero_state(2, tf.float32))
    cell = tf.contrib.rnn.NTMCell(tf.nn.rnn_cell.BasicRNNCell(CTRL), MEMORY, WIDTH, 1, 1)
    with pytest.raises(ValueError, match="Expected inputs.shape"):
        cell(tf.placeholder(tf.float32, [2, None]), cell.zero_state(2, tf.float32))
    with pytest.raises(TypeError, match="NTM RNN controller cell"):
        tf.contrib.rnn.NTMCell(object(), MEMORY, WIDTH, 1, 1)

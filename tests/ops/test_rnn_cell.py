"""tf.nn.rnn_cell: every cell and option against real TensorFlow (outputs, final
states, gradients, variable names, an Adam step), plus reuse and scope rules."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.ops import rnn_cases
from tests.tfrun import requires_tf, run_tf

rc = tf.nn.rnn_cell


@pytest.fixture(scope="module")
def tf_results():
    out = run_tf(
        "from tests.ops import rnn_cases\n"
        "print(json.dumps({n: rnn_cases.run_case(tf, np, n) for n in rnn_cases.CASES}))\n"
        "print(json.dumps(rnn_cases.basic_lstm_step_ops(tf)))\n"
    )
    lines = out.strip().splitlines()
    return json.loads(lines[-2]), json.loads(lines[-1])


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("case", sorted(rnn_cases.CASES))
def test_cell_matches_tensorflow(case, tf_results):
    ref = tf_results[0][case]
    mine = rnn_cases.run_case(tf, np, case)
    assert mine["names"] == ref["names"]
    assert mine["state_shapes"] == ref["state_shapes"]
    assert set(mine) == set(ref)
    for key in ("outputs", "state", "grads", "loss", "init", "after_adam"):
        if key not in ref:
            continue
        assert len(mine[key]) == len(ref[key]), key
        for a, b in zip(mine[key], ref[key]):
            np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-5, err_msg=f"{case} {key}")


@pytest.mark.tf
@requires_tf
def test_basic_lstm_step_op_names_and_types_match_tensorflow(tf_results):
    assert [list(x) for x in rnn_cases.basic_lstm_step_ops(tf)] == tf_results[1]


# TF 2.21 (tf_keras legacy cells) names, checked with the oracle.
@pytest.mark.parametrize(
    "make, names",
    [
        (lambda: rc.BasicRNNCell(3), ["basic_rnn_cell/kernel", "basic_rnn_cell/bias"]),
        (lambda: rc.BasicLSTMCell(3), ["basic_lstm_cell/kernel", "basic_lstm_cell/bias"]),
        (
            lambda: rc.LSTMCell(3, use_peepholes=True, num_proj=2),
            [
                "lstm_cell/kernel",
                "lstm_cell/bias",
                "lstm_cell/w_f_diag",
                "lstm_cell/w_i_diag",
                "lstm_cell/w_o_diag",
                "lstm_cell/projection/kernel",
            ],
        ),
        (
            lambda: rc.GRUCell(3),
            [
                "gru_cell/gates/kernel",
                "gru_cell/gates/bias",
                "gru_cell/candidate/kernel",
                "gru_cell/candidate/bias",
            ],
        ),
        (
            lambda: rc.MultiRNNCell([rc.BasicLSTMCell(3), rc.BasicLSTMCell(3)]),
            [
                "multi_rnn_cell/cell_0/basic_lstm_cell/kernel",
                "multi_rnn_cell/cell_0/basic_lstm_cell/bias",
                "multi_rnn_cell/cell_1/basic_lstm_cell/kernel",
                "multi_rnn_cell/cell_1/basic_lstm_cell/bias",
            ],
        ),
    ],
)
def test_variable_names_under_static_rnn(make, names):
    x = [tf.zeros([2, 4]) for _ in range(3)]
    tf.nn.static_rnn(make(), x, dtype=tf.float32)
    assert [v.op.name for v in tf.global_variables()] == ["rnn/" + n for n in names]


def test_calling_a_cell_twice_shares_its_variables():
    cell = rc.BasicLSTMCell(3)
    x = tf.zeros([2, 4])
    state = cell.zero_state(2, tf.float32)
    _, state = cell(x, state)
    out2, _ = cell(x, state)
    assert len(tf.global_variables()) == 2
    assert out2.op.name == "basic_lstm_cell/Mul_5"
    assert cell.trainable_weights == tf.trainable_variables()


def test_two_cells_get_unique_scopes_and_reuse_true_shares():
    x = tf.zeros([2, 4])
    s = tf.zeros([2, 3])
    rc.BasicRNNCell(3)(x, s)
    rc.BasicRNNCell(3)(x, s)
    assert [v.op.name for v in tf.global_variables()] == [
        "basic_rnn_cell/kernel",
        "basic_rnn_cell/bias",
        "basic_rnn_cell_1/kernel",
        "basic_rnn_cell_1/bias",
    ]
    shared = rc.BasicRNNCell(3, name="basic_rnn_cell", reuse=True)
    shared(x, s)
    assert len(tf.global_variables()) == 4
    assert shared.trainable_weights == tf.global_variables()[:2]


def test_variable_scope_reuse_shares_between_cells():
    x = tf.zeros([2, 4])
    s = tf.zeros([2, 3])
    with tf.variable_scope("enc"):
        rc.GRUCell(3)(x, s)
    with tf.variable_scope("enc", reuse=True):
        rc.GRUCell(3)(x, s)
    assert len(tf.global_variables()) == 4
    with tf.variable_scope("enc"):
        with pytest.raises(ValueError, match="already exists"):
            rc.GRUCell(3)(x, s)


def test_scope_argument_names_the_variables():
    cell = rc.BasicLSTMCell(3)
    cell(tf.zeros([2, 4]), cell.zero_state(2, tf.float32), scope="my_lstm")
    assert [v.op.name for v in tf.global_variables()] == ["my_lstm/kernel", "my_lstm/bias"]


def test_zero_state_and_sizes():
    cell = rc.MultiRNNCell([rc.LSTMCell(4, num_proj=2), rc.GRUCell(3)])
    assert cell.state_size == (rc.LSTMStateTuple(4, 2), 3)
    assert cell.output_size == 3
    state = cell.zero_state(5, tf.float32)
    assert isinstance(state[0], rc.LSTMStateTuple)
    assert [s.shape.as_list() for s in (state[0].c, state[0].h, state[1])] == [
        [5, 4],
        [5, 2],
        [5, 3],
    ]
    assert state[0].c.op.name.startswith("MultiRNNCellZeroState/LSTMCellZeroState/")
    batch = tf.placeholder(tf.int32, [])
    dyn = rc.BasicLSTMCell(3).get_initial_state(batch_size=batch, dtype=tf.float32)
    assert dyn.c.shape.as_list() == [None, 3]
    with tf.Session() as sess:
        assert sess.run(dyn.h, {batch: 2}).tolist() == [[0.0] * 3] * 2
    x = tf.zeros([7, 2])
    assert rc.GRUCell(3).get_initial_state(inputs=x).shape.as_list() == [7, 3]
    with pytest.raises(ValueError, match="batch_size and dtype cannot be None"):
        rc.GRUCell(3).get_initial_state()


def test_bad_cells_and_inputs():
    with pytest.raises(ValueError, match="Must specify at least one cell"):
        rc.MultiRNNCell([])
    with pytest.raises(ValueError, match="state_is_tuple is not set"):
        rc.MultiRNNCell([rc.BasicLSTMCell(2)], state_is_tuple=False)
    with pytest.raises(TypeError, match="is not an RNNCell"):
        rc.DropoutWrapper(object())
    with pytest.raises(ValueError, match="must be between 0 and 1"):
        rc.DropoutWrapper(rc.GRUCell(2), input_keep_prob=1.5)
    with pytest.raises(ValueError, match="dtype must be provided"):
        rc.DropoutWrapper(rc.GRUCell(2), variational_recurrent=True)
    with pytest.raises(ValueError, match=r"shape\[-1\] to be known, received shape: \(2, None\)"):
        rc.GRUCell(2)(tf.placeholder(tf.float32, [2, None]), tf.zeros([2, 2]))
    with pytest.raises(ValueError, match="only supports floating point inputs, but received dtype"):
        rc.BasicRNNCell(2)(tf.zeros([2, 3], tf.int32), tf.zeros([2, 2], tf.int32))


def test_dropout_wrapper_drops_h_but_keeps_c_and_is_seeded():
    tf.set_random_seed(1)
    cell = rc.DropoutWrapper(rc.BasicLSTMCell(50), state_keep_prob=0.5, seed=4)
    x = tf.ones([4, 3])
    state = rc.LSTMStateTuple(tf.ones([4, 50]), tf.ones([4, 50]))
    _, new_state = cell(x, state)
    assert new_state.c.op.type == "AddV2"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        h1 = sess.run(new_state.h)
        h2 = sess.run(new_state.h)
    zeros = (h1 == 0).mean()
    assert 0.3 < zeros < 0.7
    assert (h1 != h2).any()


def test_variational_dropout_uses_one_mask_for_every_step():
    cell = rc.DropoutWrapper(
        rc.GRUCell(40), output_keep_prob=0.5, variational_recurrent=True, dtype=tf.float32
    )
    outs, _ = tf.nn.static_rnn(cell, [tf.ones([3, 2])] * 3, dtype=tf.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        o = sess.run(outs)
    masks = [x == 0 for x in o]
    assert masks[0].any() and (masks[0] == masks[1]).all() and (masks[1] == masks[2]).all()
    assert (masks[0] == masks[0][0]).all()  # one mask for the whole batch


def test_device_wrapper_places_the_cell_ops():
    cell = rc.DeviceWrapper(rc.BasicRNNCell(2), "/cpu:0")
    out, _ = cell(tf.zeros([1, 2]), tf.zeros([1, 2]))
    assert out.op.device == "/device:CPU:0"


def test_residual_wrapper_adds_inputs():
    cell = rc.ResidualWrapper(rc.BasicRNNCell(3))
    out, state = cell(tf.ones([1, 3]), tf.zeros([1, 3]))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        o, s = sess.run([out, state])
    np.testing.assert_allclose(o, 1 + s, rtol=1e-6)
    with pytest.raises(ValueError):
        rc.ResidualWrapper(rc.BasicRNNCell(3))(tf.ones([1, 2]), tf.zeros([1, 3]))

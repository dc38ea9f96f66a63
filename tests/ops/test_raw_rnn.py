"""tf.nn.raw_rnn (tfgraph/legacy_layers/raw_rnn.py): TF's graphs op for op, TF's emits,
final states, loop states and gradients, on a program run on both sides."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json

PROGRAM = (Path(__file__).parent / "raw_rnn_program.txt").read_text()
rc = tf.nn.rnn_cell


def _compare(ours: dict, theirs: dict, keys) -> None:
    for case, t in theirs.items():
        o = ours[case]
        assert o["names"] == t["names"], case
        assert o["shapes"] == t["shapes"], case
        for key in keys:
            assert len(o[key]) == len(t[key]), (case, key)
            for a, b in zip(o[key], t[key]):
                np.testing.assert_allclose(a, b, atol=2e-5, err_msg=f"{case} {key}")


@pytest.mark.tf
@requires_tf
def test_graphs_emits_states_and_gradients_equal_tensorflows():
    """The docstring's LSTM example, an emit structure of its own with a loop state and
    an initial state, a MultiRNNCell over an unknown batch."""
    theirs = run_tf_json("GRADS = True\n" + PROGRAM)
    ours = run_here_json("import json\nGRADS = True\n" + PROGRAM)
    for case in theirs:
        assert ours[case]["ops"] == theirs[case]["ops"], case  # names, types, order
    _compare(ours, theirs, ("emits", "state", "loop_state", "grads"))


def _loop_fn(cell, inputs, lengths):
    def loop_fn(time, cell_output, cell_state, loop_state):
        if cell_output is None:
            cell_state = cell.zero_state(2, tf.float32)
        finished = time >= lengths
        next_input = tf.cond(
            tf.reduce_all(finished), lambda: tf.zeros([2, 3]), lambda: inputs.read(time)
        )
        return finished, next_input, cell_state, cell_output, loop_state

    return loop_fn


def test_finished_entries_emit_zeros_and_keep_their_state():
    x = np.random.RandomState(0).randn(4, 2, 3).astype(np.float32)
    inputs = tf.TensorArray(tf.float32, size=4).unstack(x)
    cell = rc.BasicRNNCell(5)
    emit_ta, state, loop_state = tf.nn.raw_rnn(cell, _loop_fn(cell, inputs, [4, 2]))
    assert loop_state is None
    emits = emit_ta.stack()
    assert emits.shape.as_list() == [None, 2, 5] and state.shape.as_list() == [2, 5]
    assert [v.op.name for v in tf.trainable_variables()] == [
        "rnn/basic_rnn_cell/kernel",
        "rnn/basic_rnn_cell/bias",
    ]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        e, s = sess.run([emits, state])
    assert e.shape == (4, 2, 5)
    assert (e[2:, 1] == 0).all() and (e[:2, 1] != 0).all() and (e[:, 0] != 0).all()
    np.testing.assert_array_equal(s, [e[3, 0], e[1, 1]])


def test_raw_rnn_argument_errors():
    with pytest.raises(TypeError, match="Argument `loop_fn` must be a callable"):
        tf.nn.raw_rnn(rc.GRUCell(2), loop_fn=3)
    with pytest.raises(TypeError, match="is not an RNNCell"):
        tf.nn.raw_rnn(object(), loop_fn=lambda *a: None)

    def wrong_state(time, cell_output, cell_state, loop_state):
        return tf.constant([False]), tf.zeros([1, 2]), (tf.zeros([1, 2]),) * 2, None, None

    with pytest.raises((ValueError, TypeError), match="structure"):
        tf.nn.raw_rnn(rc.GRUCell(2), wrong_state)

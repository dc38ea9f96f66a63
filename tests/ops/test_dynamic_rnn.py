"""tf.nn.dynamic_rnn / bidirectional_dynamic_rnn (tfgraph/legacy_layers/dynamic_rnn.py):
TF's graphs op for op and TF's numbers, on a program run on both sides."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = (Path(__file__).parent / "dynamic_rnn_program.txt").read_text()
rc = tf.nn.rnn_cell


def _ours(grads: bool) -> dict:
    ns = {"tf": tf, "np": np, "json": json, "GRADS": grads}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(PROGRAM, ns)
    return json.loads(out.getvalue())


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
def test_graphs_outputs_and_states_equal_tensorflows():
    """LSTM (batch-major), GRU with sequence_length, MultiRNNCell of an LSTM with a
    projection and a basic cell (time-major), an initial state, bidirectional with
    sequence_length."""
    theirs = run_tf_json("GRADS = False\n" + PROGRAM)
    ours = _ours(grads=False)
    for case in theirs:
        assert ours[case]["ops"] == theirs[case]["ops"], case  # names, types, order
    _compare(ours, theirs, ("outputs", "state"))


@pytest.mark.tf
@requires_tf
def test_gradients_equal_tensorflows():
    theirs = run_tf_json("GRADS = True\n" + PROGRAM)
    _compare(_ours(grads=True), theirs, ("grads",))


def test_sequence_length_zeroes_outputs_and_copies_the_state():
    x = tf.placeholder(tf.float32, [None, 4, 2])
    lengths = tf.placeholder(tf.int32, [None])
    outputs, state = tf.nn.dynamic_rnn(
        rc.BasicRNNCell(3), x, sequence_length=lengths, dtype=tf.float32
    )
    assert outputs.shape.as_list() == [None, 4, 3] and state.shape.as_list() == [None, 3]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        o, s = sess.run([outputs, state], {x: np.ones((2, 4, 2)), lengths: [4, 2]})
    assert (o[1, 2:] == 0).all() and (o[1, :2] != 0).all() and (o[0] != 0).all()
    np.testing.assert_array_equal(s, [o[0, 3], o[1, 1]])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(tf.errors.InvalidArgumentError, match="Expected shape for Tensor"):
            sess.run(outputs, {x: np.ones((2, 4, 2)), lengths: [4, 2, 1]})


def test_dynamic_rnn_argument_errors():
    x = tf.zeros([2, 3, 4])
    with pytest.raises(ValueError, match="argument `dtype` must be specified"):
        tf.nn.dynamic_rnn(rc.GRUCell(2), x)
    with pytest.raises(ValueError, match="Input size \\(depth of inputs\\) must be accessible"):
        tf.nn.dynamic_rnn(rc.GRUCell(2), tf.placeholder(tf.float32, [2, 3, None]), dtype=tf.float32)
    with pytest.raises(ValueError, match="sequence_length must be a vector"):
        tf.nn.dynamic_rnn(rc.GRUCell(2), x, sequence_length=[[1]], dtype=tf.float32)
    with pytest.raises(TypeError, match="is not an RNNCell"):
        tf.nn.dynamic_rnn(object(), x, dtype=tf.float32)

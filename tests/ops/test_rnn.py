"""tf.nn.static_rnn / static_bidirectional_rnn beyond the cell cases of
test_rnn_cell.py: argument errors, graph structure, tf.reverse_sequence, and
checkpoints exchanged with real TensorFlow."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import tfgraph as tf
from tests.ops import rnn_cases
from tests.tfrun import requires_tf, run_here_json, run_tf, run_tf_json

rc = tf.nn.rnn_cell


def test_static_rnn_argument_errors():
    cell = rc.GRUCell(2)
    x = tf.zeros([3, 4])
    with pytest.raises(TypeError, match="Argument `inputs` must be a sequence. Received: "):
        tf.nn.static_rnn(cell, x, dtype=tf.float32)
    with pytest.raises(ValueError, match="Argument `inputs` must not be empty."):
        tf.nn.static_rnn(cell, [], dtype=tf.float32)
    with pytest.raises(
        ValueError, match="If no initial_state is provided, argument `dtype` must be specified"
    ):
        tf.nn.static_rnn(cell, [x])
    with pytest.raises(
        ValueError, match="Argument `sequence_length` must be a vector of length 3. Received"
    ):
        tf.nn.static_rnn(cell, [x], dtype=tf.float32, sequence_length=[[1]])
    with pytest.raises(
        ValueError,
        match=r"Input size \(dimension 0 of input .*must be accessible via shape inference",
    ):
        tf.nn.static_rnn(cell, [tf.placeholder(tf.float32, [3, None])], dtype=tf.float32)
    with pytest.raises(TypeError, match="is not an RNNCell"):
        tf.nn.static_rnn(object(), [x], dtype=tf.float32)


def test_static_rnn_unknown_batch_and_sequence_length_feed():
    x = [tf.placeholder(tf.float32, [None, 2]) for _ in range(3)]
    lengths = tf.placeholder(tf.int32, [None])
    outs, state = tf.nn.static_rnn(rc.BasicRNNCell(2), x, dtype=tf.float32, sequence_length=lengths)
    assert outs[0].shape.as_list() == [None, 2]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        feed = {t: np.ones((2, 2)) for t in x}
        feed[lengths] = [1, 3]
        o, s = sess.run([outs, state], feed)
    assert (o[1][0] == 0).all() and (o[2][0] == 0).all() and (o[2][1] != 0).all()
    np.testing.assert_array_equal(s[0], o[0][0])
    np.testing.assert_array_equal(s[1], o[2][1])


def test_reverse_sequence_values_gradient_and_errors():
    x = tf.constant(np.arange(24, dtype=np.float32).reshape(2, 4, 3))
    y = tf.reverse_sequence(x, [3, 1], seq_axis=1, batch_axis=0)
    assert y.op.type == "ReverseSequence" and y.op.get_attr("Tlen") == tf.int32
    w = tf.constant(np.arange(24, dtype=np.float32).reshape(2, 4, 3))
    (g,) = tf.gradients(tf.reduce_sum(y * w), x)
    with tf.Session() as sess:
        got, grad = sess.run([y, g])
        expected = np.arange(24, dtype=np.float32).reshape(2, 4, 3)
        expected[0, :3] = expected[0, :3][::-1]
        np.testing.assert_array_equal(got, expected)
        w_np = np.arange(24, dtype=np.float32).reshape(2, 4, 3)
        w_np[0, :3] = w_np[0, :3][::-1]
        np.testing.assert_array_equal(grad, w_np)
        bad = tf.reverse_sequence(x, tf.constant([5, 1]), seq_axis=1)
        with pytest.raises(
            tf.errors.InvalidArgumentError, match=r"seq_lens\(0\) > input.dims\(1\)"
        ):
            sess.run(bad)
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        tf.reverse_sequence(x, [1, 2, 3], seq_axis=1)


@pytest.mark.tf
@requires_tf
def test_reverse_sequence_matches_tensorflow():
    code = """
x = np.arange(60, dtype=np.float32).reshape(3, 5, 4)
with tf.Session() as s:
    y = tf.reverse_sequence(x, tf.constant([5, 0, 2], tf.int64), seq_axis=1, batch_axis=0)
    z = tf.reverse_sequence(x.transpose(1, 0, 2), [1, 4, 3], seq_axis=0, batch_axis=1)
    print(json.dumps([s.run(y).tolist(), s.run(z).tolist(), y.op.get_attr("seq_dim")]))
"""
    ref = json.loads(run_tf(code).strip().splitlines()[-1])
    x = np.arange(60, dtype=np.float32).reshape(3, 5, 4)
    y = tf.reverse_sequence(x, tf.constant([5, 0, 2], tf.int64), seq_axis=1, batch_axis=0)
    z = tf.reverse_sequence(x.transpose(1, 0, 2), [1, 4, 3], seq_axis=0, batch_axis=1)
    with tf.Session() as s:
        assert [s.run(y).tolist(), s.run(z).tolist(), y.op.get_attr("seq_dim")] == ref


@pytest.mark.tf
@requires_tf
def test_checkpoints_interchange_with_tensorflow(tmp_path):
    tf_ckpt = str(tmp_path / "tf" / "model")
    mine_ckpt = str(tmp_path / "mine" / "model")
    mine_saved = rnn_cases.run_ckpt_program(tf, np, mine_ckpt, save=True)
    code = f"""
from tests.ops.rnn_cases import run_ckpt_program
print(json.dumps([run_ckpt_program(tf, np, {tf_ckpt!r}, True),
                  run_ckpt_program(tf, np, {mine_ckpt!r}, False)]))
"""
    tf_saved, tf_restored_mine = json.loads(run_tf(code).strip().splitlines()[-1])
    np.testing.assert_allclose(tf_restored_mine, mine_saved, rtol=1e-5, atol=1e-6)
    mine_restored_tf = rnn_cases.run_ckpt_program(tf, np, tf_ckpt, save=False)
    np.testing.assert_allclose(mine_restored_tf, tf_saved, rtol=1e-5, atol=1e-6)


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("with_gradients", [False, True])
def test_static_rnn_graphs_have_tensorflows_ops(with_gradients):
    code = (
        "from tests.ops import rnn_cases\n"
        f"print(json.dumps(rnn_cases.static_rnn_graph_ops(tf, {with_gradients})))"
    )
    ref = json.loads(run_tf(code).strip().splitlines()[-1])
    mine = rnn_cases.static_rnn_graph_ops(tf, with_gradients)
    assert [list(x) for x in mine] == ref


STATE_SAVING_PROGRAM = (Path(__file__).parent / "state_saving_rnn_program.txt").read_text()


@pytest.mark.tf
@requires_tf
def test_static_state_saving_rnn_graphs_and_values_equal_tensorflows():
    """A saver keeping states in variables, two segments run back to back: an LSTM with a
    tuple of names, a GRU with sequence_length, a MultiRNNCell with nested names."""
    theirs = run_tf_json(STATE_SAVING_PROGRAM)
    ours = run_here_json("import json\n" + STATE_SAVING_PROGRAM)
    for case, t in theirs.items():
        o = ours[case]
        assert o["ops"] == t["ops"], case
        assert (o["names"], o["shapes"]) == (t["names"], t["shapes"]), case
        for key in ("values", "saved"):
            for a, b in zip(o[key], t[key], strict=True):
                np.testing.assert_allclose(a, b, atol=2e-5, err_msg=f"{case} {key}")


class _ListSaver:
    def __init__(self):
        self.saved = {}

    def state(self, name):
        return tf.zeros([2, 3], name=name)

    def save_state(self, name, value):
        self.saved[name] = value
        return tf.no_op()


def test_static_state_saving_rnn_saves_before_the_last_output():
    saver = _ListSaver()
    xs = [tf.ones([2, 4])] * 2
    outputs, state = tf.nn.static_state_saving_rnn(rc.BasicLSTMCell(3), xs, saver, ("c", "h"))
    assert sorted(saver.saved) == ["c", "h"]
    assert saver.saved["h"] is not state.h and state.h.op.type == "Identity"
    assert state.h.op.control_inputs and outputs[-1].op.control_inputs
    assert not outputs[0].op.control_inputs


def test_static_state_saving_rnn_state_name_errors():
    xs = [tf.ones([2, 4])]
    with pytest.raises(ValueError, match="`state_name` should be the same type as"):
        tf.nn.static_state_saving_rnn(rc.BasicLSTMCell(3), xs, _ListSaver(), "s")
    with pytest.raises(ValueError, match="Number of elements in argument `state_name`"):
        tf.nn.static_state_saving_rnn(rc.BasicLSTMCell(3), xs, _ListSaver(), ("c", "h", "x"))

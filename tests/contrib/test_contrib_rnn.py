"""TF 1.15's tf.contrib.rnn cells, wrappers and stacked bidirectional RNNs
(tfgraph/legacy_contrib/rnn_cell.py, stacked_rnn.py). TF 2.21 has no contrib, so the
TensorFlow side runs a hand-built stand-in following contrib's source
(contrib_rnn_reference.txt: the same variables, formulas and calls, tf-slim's
layer_norm, TF's fused LSTMBlockCell / GRUBlockCell ops); the graphs must match op for
op, the values and gradients number for number."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json

HERE = Path(__file__).parent
PROGRAM = (HERE / "contrib_rnn_program.txt").read_text()
REFERENCE = (HERE / "contrib_rnn_reference.txt").read_text()
rc = tf.nn.rnn_cell
C = tf.contrib.rnn


@pytest.mark.tf
@requires_tf
def test_contrib_cells_graphs_values_and_gradients_equal_tensorflows():
    theirs = run_tf_json(REFERENCE + "\nC = CONTRIB\n" + PROGRAM)
    ours = run_here_json("import json\nC = tf.contrib.rnn\n" + PROGRAM)
    assert ours.keys() == theirs.keys()
    for case, t in theirs.items():
        o = ours[case]
        assert o["names"] == t["names"], case
        assert o["ops"] == t["ops"], case  # names, types, order (the fused cells: none)
        assert o["shapes"] == t["shapes"], case
        for key in ("outputs", "state", "grads"):
            assert len(o[key]) == len(t[key]), (case, key)
            for a, b in zip(o[key], t[key]):
                # float32 sums through layer norms: error relative to the array's scale
                scale = max(1.0, float(np.abs(b).max()))
                np.testing.assert_allclose(a, b, atol=2e-5 * scale, err_msg=f"{case} {key}")


def _variables(cell, rnn=tf.nn.dynamic_rnn, depth=4):
    x = tf.zeros([2, 3, depth])
    if rnn is tf.nn.static_rnn:
        rnn(cell, tf.unstack(x, axis=1), dtype=tf.float32)
    else:
        rnn(cell, x, dtype=tf.float32)
    return [(v.op.name, v.shape.as_list()) for v in tf.global_variables()]


def test_layer_norm_basic_lstm_cell_variables_are_named_as_in_tf_1_15():
    scope = "rnn/layer_norm_basic_lstm_cell"
    norms = [
        (f"{scope}/{gate}/{p}", [3])
        for gate in ("input", "transform", "forget", "output")
        for p in ("gamma", "beta")
    ]
    expected = [(f"{scope}/kernel", [7, 12])] + norms
    expected += [(f"{scope}/state/gamma", [3]), (f"{scope}/state/beta", [3])]
    assert _variables(C.LayerNormBasicLSTMCell(3)) == expected


def test_layer_norm_basic_lstm_cell_gains_shifts_and_dropout():
    cell = C.LayerNormBasicLSTMCell(3, norm_gain=2.0, norm_shift=0.5, dropout_keep_prob=0.5)
    x = tf.ones([2, 3, 4])
    outputs, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    ops = [op.type for op in tf.get_default_graph().get_operations()]
    assert "RandomUniform" in ops
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        gamma, beta = sess.run(tf.global_variables()[1:3])
        o = sess.run(outputs)
    np.testing.assert_array_equal(gamma, [2.0] * 3)
    np.testing.assert_array_equal(beta, [0.5] * 3)
    assert o.shape == (2, 3, 3) and np.isfinite(o).all()


def test_block_cells_and_wrappers_variable_names():
    assert _variables(C.LSTMBlockCell(2, use_peephole=True)) == [
        ("rnn/lstm_cell/kernel", [6, 8]),
        ("rnn/lstm_cell/bias", [8]),
        ("rnn/lstm_cell/w_i_diag", [2]),
        ("rnn/lstm_cell/w_f_diag", [2]),
        ("rnn/lstm_cell/w_o_diag", [2]),
    ]
    tf.reset_default_graph()
    assert [n for n, _ in _variables(C.GRUBlockCell(2))] == [
        "rnn/gru_cell/w_ru",
        "rnn/gru_cell/b_ru",
        "rnn/gru_cell/w_c",
        "rnn/gru_cell/b_c",
    ]
    tf.reset_default_graph()
    assert [n for n, _ in _variables(C.OutputProjectionWrapper(rc.GRUCell(2), 3))] == [
        "rnn/output_projection_wrapper/gru_cell/gates/kernel",
        "rnn/output_projection_wrapper/gru_cell/gates/bias",
        "rnn/output_projection_wrapper/gru_cell/candidate/kernel",
        "rnn/output_projection_wrapper/gru_cell/candidate/bias",
        "rnn/output_projection_wrapper/kernel",
        "rnn/output_projection_wrapper/bias",
    ]


def test_contrib_rnn_argument_errors():
    with pytest.raises(ValueError, match="Parameter output_size must be > 0: 0."):
        C.OutputProjectionWrapper(rc.GRUCell(2), 0)
    with pytest.raises(ValueError, match="attn_length should be greater than zero, got 0"):
        C.AttentionCellWrapper(rc.GRUCell(2), 0)
    with pytest.raises(ValueError, match="state_is_tuple is not set"):
        C.AttentionCellWrapper(rc.BasicLSTMCell(2), 2, state_is_tuple=False)
    with pytest.raises(TypeError, match="is not an RNNCell"):
        C.InputProjectionWrapper(object(), 2)
    with pytest.raises(ValueError, match="Exactly one of num_units or cell_size"):
        C.GRUBlockCell()
    with pytest.raises(ValueError, match="embedding_classes and embedding_size must be > 0"):
        C.EmbeddingWrapper(rc.GRUCell(2), 0, 3)
    with pytest.raises(ValueError, match="Must have input size == output size"):
        tf.nn.dynamic_rnn(C.IntersectionRNNCell(3), tf.zeros([2, 3, 4]), dtype=tf.float32)
    with pytest.raises(ValueError, match="Too many shards"):
        C.CoupledInputForgetGateLSTMCell(2, num_proj=1, num_proj_shards=3)(
            tf.zeros([1, 2]), (tf.zeros([1, 2]), tf.zeros([1, 1]))
        )


def test_stacked_bidirectional_rnn_errors():
    x = tf.zeros([2, 3, 4])
    fw, bw = [rc.GRUCell(2)], [rc.GRUCell(2)]
    with pytest.raises(ValueError, match="Must specify at least one fw cell"):
        C.stack_bidirectional_dynamic_rnn([], bw, x, dtype=tf.float32)
    with pytest.raises(ValueError, match="cells_bw must be a list of RNNCells"):
        C.stack_bidirectional_dynamic_rnn(fw, tuple(bw), x, dtype=tf.float32)
    with pytest.raises(ValueError, match="Forward and Backward cells must have the same depth"):
        C.stack_bidirectional_rnn(fw, bw * 2, tf.unstack(x, axis=1), dtype=tf.float32)
    with pytest.raises(ValueError, match="initial_states_fw must be a list of state tensors"):
        C.stack_bidirectional_rnn(fw, bw, tf.unstack(x, axis=1), initial_states_fw=[])


def test_conv_lstm_cell_shapes_skip_connection_and_errors():
    cell = C.Conv2DLSTMCell(
        input_shape=[5, 5, 2], output_channels=3, kernel_shape=[3, 3], skip_connection=True
    )
    assert cell.output_size.as_list() == [5, 5, 5]
    assert cell.state_size.c.as_list() == [5, 5, 3]
    state = cell.zero_state(2, tf.float32)
    output, new_state = cell(tf.ones([2, 5, 5, 2]), state)
    assert output.shape.as_list() == [2, 5, 5, 5] and new_state.c.shape.as_list() == [2, 5, 5, 3]
    assert [v.op.name for v in tf.global_variables()] == [
        "conv_2d_lstm_cell/kernel",
        "conv_2d_lstm_cell/biases",
    ]
    with pytest.raises(ValueError, match=r"Invalid input_shape \[5, 2\] for conv_ndims=2."):
        C.ConvLSTMCell(2, [5, 2], 3, [3])


def test_lstm_block_fused_cell_variables_and_errors():
    cell = C.LSTMBlockFusedCell(2, use_peephole=True)
    outputs, state = cell(tf.zeros([5, 3, 4]), dtype=tf.float32, sequence_length=[5, 1, 0])
    assert outputs.shape.as_list() == [5, 3, 2] and state.h.shape.as_list() == [3, 2]
    assert [v.op.name for v in tf.global_variables()] == [
        "lstm_fused_cell/kernel",
        "lstm_fused_cell/bias",
        "lstm_fused_cell/w_i_diag",
        "lstm_fused_cell/w_f_diag",
        "lstm_fused_cell/w_o_diag",
    ]
    with pytest.raises(ValueError, match="Either initial_state or dtype needs to be specified"):
        C.LSTMBlockFusedCell(2, name="other")(tf.zeros([5, 3, 4]))
    with pytest.raises(ValueError, match="Expecting initial_state to be a tuple with length 2"):
        one_part = (tf.zeros([3, 2]),)
        C.LSTMBlockFusedCell(2, name="third")(tf.zeros([5, 3, 4]), initial_state=one_part)


def test_grid_lstm_state_names_and_errors():
    cell = C.GridLSTMCell(2, feature_size=2, frequency_skip=1, num_frequency_blocks=[3])
    assert cell.state_size._fields[:2] == ("state_f00_b00_c", "state_f00_b00_m")
    assert cell.output_size == 12
    bi = C.BidirectionalGridLSTMCell(2, feature_size=2, frequency_skip=1, num_frequency_blocks=[3])
    assert bi.state_size._fields[-1] == "bwd_state_f02_b00_m" and bi.output_size == 24
    with pytest.raises(ValueError, match="Must specify num_frequency_blocks"):
        C.GridLSTMCell(2)
    wrong = C.GridLSTMCell(2, feature_size=2, frequency_skip=1, num_frequency_blocks=[2])
    with pytest.raises(ValueError, match="Invalid num_frequency_blocks, requires 2 but gets 3"):
        tf.nn.dynamic_rnn(wrong, tf.zeros([2, 3, 4]), dtype=tf.float32)


def test_minimal_rnn_and_cfn_cells_take_keras_initializers_by_name():
    cell = C.MinimalRNNCell(3)
    tf.nn.dynamic_rnn(cell, tf.ones([2, 3, 4]), dtype=tf.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        kernel, bias = sess.run([cell.kernel, cell.bias])
    assert kernel.shape == (10, 3) and (bias == 1).all()
    cfn = C.CFNCell(2, bias_initializer="zeros", name="cfn")
    tf.nn.dynamic_rnn(cfn, tf.ones([2, 3, 4]), dtype=tf.float32, scope="other")
    assert [v.op.name for v in cfn.trainable_variables] == [
        "other/cfn/kernel",
        "other/cfn/recurrent_kernel",
        "other/cfn/bias",
    ]

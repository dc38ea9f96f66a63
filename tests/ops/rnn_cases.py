"""RNN programs run the same way in tfgraph and in real TensorFlow (`run_case(tf, np,
name)`): each builds a cell and an RNN over fixed inputs, sets every variable from
numpy (values derived from the variable's name), and reports variable names, outputs,
final states, gradients of a loss w.r.t. every trainable variable and, optionally,
the variables after one Adam step. This module imports neither library."""

from __future__ import annotations

import zlib

T, B, D = 4, 3, 5

# name -> code defining `cell` (and optionally `seq_len`, `bidi_bw`, `adam`, `state_in`).
CASES = {
    "basic_rnn": "cell = rc.BasicRNNCell(6)",
    "basic_rnn_relu": "cell = rc.BasicRNNCell(6, activation=tf.nn.relu)",
    "basic_lstm": "cell = rc.BasicLSTMCell(6)",
    "basic_lstm_options": "cell = rc.BasicLSTMCell(6, forget_bias=0.3, activation=tf.nn.relu)",
    "basic_lstm_concat_state": "cell = rc.BasicLSTMCell(6, state_is_tuple=False)",
    "lstm": "cell = rc.LSTMCell(6)",
    "lstm_peep_clip_proj": (
        "cell = rc.LSTMCell(6, use_peepholes=True, cell_clip=0.4, num_proj=4, proj_clip=0.3, "
        "forget_bias=0.5)"
    ),
    "lstm_proj_concat_state": "cell = rc.LSTMCell(6, num_proj=4, state_is_tuple=False)",
    "lstm_sharded": "cell = rc.LSTMCell(6, num_unit_shards=2, num_proj=4, num_proj_shards=2)",
    "gru": "cell = rc.GRUCell(6)",
    "gru_initializers": (
        "cell = rc.GRUCell(6, kernel_initializer=tf.constant_initializer(0.1), "
        "bias_initializer=tf.constant_initializer(-0.2))\nkeep_init = True"
    ),
    "multi_lstm": (
        "cell = rc.MultiRNNCell([rc.BasicLSTMCell(6), rc.BasicLSTMCell(4)])\nadam = True"
    ),
    "multi_lstm_concat_state": (
        "cell = rc.MultiRNNCell([rc.BasicLSTMCell(6, state_is_tuple=False), "
        "rc.GRUCell(4)], state_is_tuple=False)"
    ),
    "multi_lstmcell_proj": (
        "cell = rc.MultiRNNCell([rc.LSTMCell(6, num_proj=3, use_peepholes=True), rc.LSTMCell(5)])"
    ),
    "residual_dropout_device": (
        "cell = rc.MultiRNNCell([rc.DeviceWrapper(rc.DropoutWrapper(rc.BasicLSTMCell(5), "
        "input_keep_prob=kp, output_keep_prob=kp, state_keep_prob=kp), '/cpu:0'), "
        "rc.ResidualWrapper(rc.GRUCell(5))])"
    ),
    "dropout_variational": (
        "cell = rc.DropoutWrapper(rc.LSTMCell(5), input_keep_prob=kp, output_keep_prob=kp, "
        "state_keep_prob=kp, variational_recurrent=True, input_size=5, dtype=tf.float32, "
        "seed=3)"
    ),
    "seq_len_lstm": "cell = rc.BasicLSTMCell(6)\nseq_len = [4, 2, 0]",
    "seq_len_multi": (
        "cell = rc.MultiRNNCell([rc.LSTMCell(6, num_proj=3), rc.GRUCell(4)])\nseq_len = [1, 3, 2]"
    ),
    "seq_len_all_full": "cell = rc.GRUCell(4)\nseq_len = [4, 4, 4]",
    "bidirectional": "cell = rc.BasicLSTMCell(6)\nbidi_bw = rc.GRUCell(3)",
    "bidirectional_seq_len": (
        "cell = rc.LSTMCell(6, use_peepholes=True)\nbidi_bw = rc.BasicLSTMCell(3)\n"
        "seq_len = [2, 4, 1]"
    ),
    "initial_state": "cell = rc.BasicLSTMCell(6)\nstate_in = True",
}


def _value(np, name, shape):
    rng = np.random.RandomState(zlib.crc32(name.encode()) & 0xFFFF)
    return rng.uniform(-0.5, 0.5, size=shape).astype(np.float32)


def _flat(x):
    if isinstance(x, (list, tuple)):
        return [y for e in x for y in _flat(e)]
    return [x]


def run_case(tf, np, name):
    rc = tf.nn.rnn_cell
    graph = tf.Graph()
    with graph.as_default():
        rng = np.random.RandomState(7)
        inputs = [tf.constant(rng.randn(B, D).astype(np.float32)) for _ in range(T)]
        kp = tf.placeholder_with_default(1.0, [])
        env = {"tf": tf, "rc": rc, "kp": kp}
        exec(CASES[name], env)
        cell = env["cell"]
        seq_len = env.get("seq_len")
        if "bidi_bw" in env:
            outputs, state_fw, state_bw = tf.nn.static_bidirectional_rnn(
                cell, env["bidi_bw"], inputs, dtype=tf.float32, sequence_length=seq_len
            )
            state = (state_fw, state_bw)
        elif env.get("state_in"):
            init = rc.LSTMStateTuple(
                tf.constant(rng.randn(B, 6).astype(np.float32)),
                tf.constant(rng.randn(B, 6).astype(np.float32)),
            )
            outputs, state = tf.nn.static_rnn(cell, inputs, initial_state=init)
        else:
            outputs, state = tf.nn.static_rnn(
                cell, inputs, dtype=tf.float32, sequence_length=seq_len
            )
        loss = tf.add_n([tf.reduce_sum(tf.square(o)) * (i + 1) for i, o in enumerate(outputs)])
        for s in _flat(state):
            loss = loss + tf.reduce_sum(s)
        variables = tf.trainable_variables()
        grads = tf.gradients(loss, variables)
        train = None
        if env.get("adam"):
            train = tf.train.AdamOptimizer(0.01).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            result = {"names": [v.name for v in tf.global_variables()]}
            if env.get("keep_init"):
                result["init"] = [sess.run(v).tolist() for v in variables]
            else:
                for v in variables:
                    sess.run(tf.assign(v, _value(np, v.op.name, v.shape.as_list())))
            out = sess.run(
                {"outputs": outputs, "state": _flat(state), "grads": grads, "loss": loss}
            )
            result.update({k: [np.asarray(a).tolist() for a in _flat(v)] for k, v in out.items()})
            result["state_shapes"] = [s.shape.as_list() for s in _flat(state)]
            if train is not None:
                sess.run(train)
                result["after_adam"] = [sess.run(v).tolist() for v in variables]
    return result


def basic_lstm_step_ops(tf):
    """(name, type) of every op of one BasicLSTMCell step on placeholders."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [2, 3], name="x")
        c = tf.placeholder(tf.float32, [2, 4], name="c")
        h = tf.placeholder(tf.float32, [2, 4], name="h")
        cell = tf.nn.rnn_cell.BasicLSTMCell(4)
        cell(x, tf.nn.rnn_cell.LSTMStateTuple(c, h))
        cell(x, tf.nn.rnn_cell.LSTMStateTuple(c, h))
        return [(op.name, op.type) for op in graph.get_operations()]


_CKPT_PROGRAM = """
rng = np.random.RandomState(3)
xs = rng.randn(5, 2, 3).astype(np.float32)
inputs = [tf.constant(x) for x in xs]
cell = tf.nn.rnn_cell.MultiRNNCell(
    [tf.nn.rnn_cell.BasicLSTMCell(4), tf.nn.rnn_cell.LSTMCell(3, use_peepholes=True)])
outputs, state = tf.nn.static_rnn(cell, inputs, dtype=tf.float32, sequence_length=[5, 3])
saver = tf.train.Saver()
"""


def run_ckpt_program(tf_module, np, path, save):
    """Builds a static_rnn of two LSTMs; saves fresh variables to `path` or restores
    them, and returns the last output and final state."""
    env = {"tf": tf_module, "np": np}
    with tf_module.Graph().as_default():
        exec(_CKPT_PROGRAM, env)
        with tf_module.Session() as sess:
            if save:
                sess.run(tf_module.global_variables_initializer())
                env["saver"].save(sess, path)
            else:
                env["saver"].restore(sess, path)
            return [sess.run(env["outputs"][-1]).tolist(), sess.run(env["state"][1].h).tolist()]


def static_rnn_graph_ops(tf, with_gradients=False):
    """(name, type) of every op of a static_rnn (MultiRNNCell with a DropoutWrapper,
    sequence_length) and a static_bidirectional_rnn with sequence_length (and, with
    `with_gradients`, of the gradients of a loss w.r.t. every variable)."""
    graph = tf.Graph()
    with graph.as_default():
        x = [tf.placeholder(tf.float32, [3, 4]) for _ in range(3)]
        rc = tf.nn.rnn_cell
        cell = rc.MultiRNNCell(
            [rc.BasicLSTMCell(5), rc.DropoutWrapper(rc.GRUCell(2), output_keep_prob=0.9)]
        )
        outs, _ = tf.nn.static_rnn(cell, x, dtype=tf.float32, sequence_length=[1, 2, 3])
        outs_bi, _, _ = tf.nn.static_bidirectional_rnn(
            rc.LSTMCell(3, num_proj=2, use_peepholes=True),
            rc.BasicRNNCell(2),
            x,
            dtype=tf.float32,
            sequence_length=[3, 1, 2],
        )
        if with_gradients:
            loss = tf.reduce_sum(outs[-1]) + tf.reduce_sum(outs_bi[0])
            tf.gradients(loss, tf.trainable_variables())
        return [(op.name, op.type) for op in graph.get_operations()]

"""Training step time of a character-level LSTM (vocabulary 65, two BasicLSTMCell layers
of 128, 50 unrolled steps, batch 32, Adam): the same TF1 code on tfgraph and on real TF
in one invocation, and the ratio.

    python benchmarks/bench_char_rnn.py            # TFGRAPH_TF_PYTHON=... adds TF

The RNN is built by `tf.nn.static_rnn` (TF's op graph: 50 copies of the cell's ops and
their gradients) and by `tf.nn.dynamic_rnn` (a while_loop over TensorArrays, and TF1's
gradient loop with stacks). Both frameworks' processes build the models, then run
blocks of BENCH_STEPS steps in turn, BENCH_ROUNDS rounds (benchmarks/_common.py's
paired blocks); a step's time is the best block's mean, the ratio the median of the
rounds' ratios. numpy's BLAS follows the environment (e.g. OPENBLAS_NUM_THREADS).
"""

from __future__ import annotations

import json
import os

from _common import paired_blocks, paired_ratio, tf_python

STEPS = int(os.environ.get("BENCH_STEPS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "8"))
LEGACY_KERAS = {"TF_USE_LEGACY_KERAS": "1"}

# name -> code turning `cell`, `inputs` (a list of [batch, vocab] tensors) into `outputs`.
RNN_BUILDERS = {
    "static_rnn": "outputs, _ = tf.nn.static_rnn(cell, inputs, dtype=tf.float32)",
    "dynamic_rnn": (
        "seq, _ = tf.nn.dynamic_rnn(cell, tf.stack(inputs, 1), dtype=tf.float32)\n"
        "outputs = tf.unstack(seq, axis=1)"
    ),
}

CODE = f"""
STEPS = {STEPS}
VOCAB, HIDDEN, LAYERS, T, BATCH = 65, 128, 2, 50, 32
rng = np.random.RandomState(0)
data = rng.randint(0, VOCAB, size=(8, BATCH, T + 1)).astype(np.int32)
BLOCKS = {{}}


def build(name, code):
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(0)
        x = tf.placeholder(tf.int32, [BATCH, T])
        y = tf.placeholder(tf.int32, [BATCH, T])
        cell = tf.nn.rnn_cell.MultiRNNCell(
            [tf.nn.rnn_cell.BasicLSTMCell(HIDDEN) for _ in range(LAYERS)])
        inputs = tf.unstack(tf.one_hot(x, VOCAB), axis=1)
        env = {{"tf": tf, "cell": cell, "inputs": inputs}}
        exec(code, env)
        outputs = env["outputs"]
        logits = tf.layers.dense(tf.reshape(tf.stack(outputs, 1), [-1, HIDDEN]), VOCAB)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=tf.reshape(y, [-1]), logits=logits))
        train = tf.train.AdamOptimizer(0.002).minimize(loss)
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())

    def step(i):
        d = data[i % 8]
        return sess.run([loss, train], {{x: d[:, :-1], y: d[:, 1:]}})[0]

    t = time.perf_counter()
    step(0)
    first = time.perf_counter() - t
    for i in range(1, 3):
        step(i)

    def block():
        for i in range(STEPS):
            step(i)

    BLOCKS[name] = block
    BLOCKS[name + ":first"] = lambda: first


for name, code in {RNN_BUILDERS!r}.items():
    build(name, code)
"""


def main() -> dict:
    if tf_python() is None:
        print("  (real TF not available: set TFGRAPH_TF_PYTHON to compare)")
    names = list(RNN_BUILDERS)
    # (nn.rnn_cell needs Keras 2, tf_keras, in TF 2.21, as TF1 programs do)
    times = paired_blocks(CODE, names + [n + ":first" for n in names], ROUNDS, LEGACY_KERAS)
    print(
        "char_rnn: 2x128 BasicLSTMCell, vocab 65, 50 steps, batch 32, Adam; ms per training "
        f"step (blocks of {STEPS} steps, {ROUNDS} rounds, both frameworks' blocks "
        "alternating; ratio: the median of the rounds' ratios)"
    )
    results = {}
    for name in names:
        ours = min(times[name]["tfgraph"]) / STEPS * 1e3
        first = times[name + ":first"]["tfgraph"][0] * 1e3
        row = {"tfgraph": ours, "tfgraph_first_step": first}
        line = f"  {name:<12} tfgraph {ours:8.2f} (first step {first:7.1f})"
        r = paired_ratio(times[name])
        if r is not None:
            theirs = min(times[name]["tf"]) / STEPS * 1e3
            row.update(tf=theirs, ratio=r)
            line += f"   TF {theirs:8.2f}   tfgraph/TF {r:5.2f}"
        print(line)
        results[name] = row
    return results


if __name__ == "__main__":
    print(json.dumps(main()))

"""Training step time of a character-level LSTM (vocabulary 65, two BasicLSTMCell layers
of 128, 50 unrolled steps, batch 32, Adam): the same TF1 code on tfgraph and on real TF
in one invocation, and the ratio.

    python benchmarks/bench_char_rnn.py            # TFGRAPH_TF_PYTHON=... adds TF

The RNN is built by `tf.nn.static_rnn` (TF's op graph: 50 copies of the cell's ops and
their gradients) and by `tf.nn.dynamic_rnn` (a while_loop over TensorArrays, and TF1's
gradient loop with stacks). Each framework runs in a fresh process, BENCH_ROUNDS
times, interleaved; a step's time is the best block mean (blocks of BENCH_STEPS
steps). numpy's BLAS follows the environment (e.g. OPENBLAS_NUM_THREADS).
"""

from __future__ import annotations

import json
import os

from _common import TF_PRELUDE, run_json, run_tfgraph, tf_python

STEPS = int(os.environ.get("BENCH_STEPS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))

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
out = {{}}
for name, build in {RNN_BUILDERS!r}.items():
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        x = tf.placeholder(tf.int32, [BATCH, T])
        y = tf.placeholder(tf.int32, [BATCH, T])
        cell = tf.nn.rnn_cell.MultiRNNCell(
            [tf.nn.rnn_cell.BasicLSTMCell(HIDDEN) for _ in range(LAYERS)])
        inputs = tf.unstack(tf.one_hot(x, VOCAB), axis=1)
        env = {{"tf": tf, "cell": cell, "inputs": inputs}}
        exec(build, env)
        outputs = env["outputs"]
        logits = tf.layers.dense(tf.reshape(tf.stack(outputs, 1), [-1, HIDDEN]), VOCAB)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=tf.reshape(y, [-1]), logits=logits))
        train = tf.train.AdamOptimizer(0.002).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())

            def step(i):
                d = data[i % 8]
                return sess.run([loss, train], {{x: d[:, :-1], y: d[:, 1:]}})[0]

            t = time.perf_counter()
            step(0)
            first = time.perf_counter() - t
            for i in range(1, 3):
                step(i)
            blocks = []
            for _ in range(3):
                t = time.perf_counter()
                for i in range(STEPS):
                    step(i)
                blocks.append((time.perf_counter() - t) / STEPS)
            out[name] = min(blocks) * 1e3
            out[name + "_first"] = first * 1e3
print(json.dumps(out))
"""


def _run_tf(code: str) -> dict | None:
    """TF's run; nn.rnn_cell needs Keras 2 (tf_keras) there, as TF1 programs do."""
    python = tf_python()
    if python is None:
        return None
    return run_json(python, TF_PRELUDE, code, env={"TF_USE_LEGACY_KERAS": "1"})


def main() -> dict:
    ours_runs, tf_runs = [], []
    if tf_python() is None:
        print("  (real TF not available: set TFGRAPH_TF_PYTHON to compare)")
    for _ in range(ROUNDS):
        ours_runs.append(run_tfgraph(CODE))
        theirs = _run_tf(CODE)
        if theirs is not None:
            tf_runs.append(theirs)
    print(
        "char_rnn: 2x128 BasicLSTMCell, vocab 65, 50 steps, batch 32, Adam; ms per training "
        f"step (best block of {STEPS} steps over {ROUNDS} interleaved rounds)"
    )
    results = {}
    for name in RNN_BUILDERS:
        ours = min(r[name] for r in ours_runs)
        first = min(r[name + "_first"] for r in ours_runs)
        row = {"tfgraph": ours, "tfgraph_first_step": first}
        line = f"  {name:<12} tfgraph {ours:8.2f} (first step {first:7.1f})"
        if tf_runs:
            theirs = min(r[name] for r in tf_runs)
            row.update(tf=theirs, ratio=ours / theirs)
            line += f"   TF {theirs:8.2f}   tfgraph/TF {ours / theirs:5.2f}"
        print(line)
        results[name] = row
    return results


if __name__ == "__main__":
    print(json.dumps(main()))

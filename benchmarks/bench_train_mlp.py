"""Training step time of a 784-256-10 ReLU MLP (softmax cross-entropy, batch 128 fed
through feed_dict) with GradientDescent and Adam: the same TF1 code on tfgraph and on
real TF, and a hand-written numpy forward/backward/update step, in one invocation.

    python benchmarks/bench_train_mlp.py            # TFGRAPH_TF_PYTHON=... adds TF

Targets (issue 4): tfgraph's step no slower than TF's, and within 1.15x of the numpy
step. tfgraph, tfgraph copying its updates, numpy and TF each build in a process of
their own, then run blocks of BENCH_STEPS steps in turn, BENCH_ROUNDS rounds, so that
every round sees about the same machine (benchmarks/_common.py's paired blocks); a
step's time is the best block's mean, a ratio the median of the rounds' ratios.
numpy's BLAS follows the environment (e.g. OPENBLAS_NUM_THREADS), for both the numpy
step and tfgraph's small products; tfgraph's big products run on its private OpenBLAS
(OpenBLAS's own kernels for the CPU); TF uses its own kernels and thread pool. Where the
environment pins OpenBLAS to other kernels than it would pick for this CPU
(OPENBLAS_CORETYPE; this project's machines pin AVX2 kernels on CPUs with AVX-512, which
TF uses), numpy and tfgraph also run with OpenBLAS's own choice, and both sets of
ratios are printed.
"""

from __future__ import annotations

import json
import os
import textwrap

from _common import TFGRAPH_PRELUDE, blas_configurations, paired_blocks, paired_ratio

STEPS = int(os.environ.get("BENCH_STEPS", "100"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "8"))

# The model and data, shared by all three programs (the numpy step uses the same init).
SETUP = f"""
STEPS = {STEPS}
rng = np.random.RandomState(0)
N_IN, N_HID, N_OUT, BATCH = 784, 256, 10, 128
init = {{
    "w1": (rng.standard_normal((N_IN, N_HID)) * np.sqrt(2.0 / N_IN)).astype(np.float32),
    "b1": np.zeros(N_HID, np.float32),
    "w2": (rng.standard_normal((N_HID, N_OUT)) * np.sqrt(2.0 / N_HID)).astype(np.float32),
    "b2": np.zeros(N_OUT, np.float32),
}}
data_x = rng.random_sample((16 * BATCH, N_IN)).astype(np.float32)
data_y = rng.randint(0, N_OUT, 16 * BATCH).astype(np.int64)
batches = [(data_x[i * BATCH:(i + 1) * BATCH], data_y[i * BATCH:(i + 1) * BATCH])
           for i in range(16)]
BLOCKS = {{}}


def add_block(name, step):
    for i in range(20):  # warm up (plans, allocator, BLAS threads)
        step(*batches[i % 16])

    def block():
        for i in range(STEPS):
            step(*batches[i % 16])

    BLOCKS[name] = block
"""

# TF1 code: runs unchanged as `tf` = tfgraph or tensorflow.compat.v1.
TF1_CODE = (
    SETUP
    + """
for name in ("GradientDescent", "Adam"):
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [None, N_IN], name="x")
        y = tf.placeholder(tf.int64, [None], name="y")
        w1 = tf.Variable(init["w1"], name="w1")
        b1 = tf.Variable(init["b1"], name="b1")
        w2 = tf.Variable(init["w2"], name="w2")
        b2 = tf.Variable(init["b2"], name="b2")
        hidden = tf.nn.relu(tf.matmul(x, w1) + b1)
        logits = tf.matmul(hidden, w2) + b2
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        if name == "Adam":
            opt = tf.train.AdamOptimizer(0.001)
        else:
            opt = tf.train.GradientDescentOptimizer(0.1)
        train = opt.minimize(loss)
        init_op = tf.global_variables_initializer()
    sess = tf.Session(graph=graph)
    sess.run(init_op)

    def step(bx, by, sess=sess, train=train, x=x, y=y):
        sess.run(train, {x: bx, y: by})

    for i in range(3):  # the same 3 first steps everywhere: losses must agree
        step(*batches[i])
    final_loss = float(sess.run(loss, {x: data_x, y: data_y}))
    BLOCKS[name + ":loss"] = lambda value=final_loss: value
    add_block(name, step)
"""
)

NUMPY_CODE = (
    SETUP
    + """
def make_step(kind):
    w1, b1, w2, b2 = (init[k].copy() for k in ("w1", "b1", "w2", "b2"))
    params = [w1, b1, w2, b2]
    lr = np.float32(0.1 if kind == "GradientDescent" else 0.001)
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    state = {"t": 0}
    b1_, b2_, eps = np.float32(0.9), np.float32(0.999), np.float32(1e-8)
    rows = np.arange(BATCH)

    def step(bx, by):
        # forward
        h = bx @ w1
        h += b1
        np.maximum(h, 0, out=h)
        logits = h @ w2
        logits += b2
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        # backward: d loss / d logits = (softmax - onehot) / batch
        dlogits = logits
        dlogits[rows, by] -= 1
        dlogits *= np.float32(1.0 / len(by))
        grads = [None, None, h.T @ dlogits, dlogits.sum(axis=0)]
        dh = dlogits @ w2.T
        dh *= h > 0
        grads[0] = bx.T @ dh
        grads[1] = dh.sum(axis=0)
        # update (in place)
        if kind == "GradientDescent":
            for p, g in zip(params, grads):
                g *= lr
                p -= g
        else:
            state["t"] += 1
            t = state["t"]
            alpha = lr * np.sqrt(1 - b2_ ** t) / (1 - b1_ ** t)
            for p, g, mi, vi in zip(params, grads, m, v):
                mi *= b1_
                mi += (1 - b1_) * g
                vi *= b2_
                vi += (1 - b2_) * (g * g)
                p -= alpha * mi / (np.sqrt(vi) + eps)

    return step

for name in ("GradientDescent", "Adam"):
    add_block(name, make_step(name))
    BLOCKS[name + ":loss"] = lambda: float("nan")  # (not computed by this baseline)
"""
)

NUMPY_PRELUDE = """
import json, sys, time
import numpy as np
"""


# tfgraph with training ops that copy the variable instead of updating it in place
# (tfgraph/ops/training_ops.py IN_PLACE), for comparison.
COPY_PRELUDE = "from tfgraph.ops import training_ops\ntraining_ops.IN_PLACE = False\n"


def main() -> dict:
    names = ["GradientDescent", "Adam"]
    print(
        f"train_mlp: 784-256-10 ReLU MLP, softmax cross-entropy, batch 128 via feed_dict; "
        f"ms per step (best block of {STEPS} steps; {ROUNDS} rounds of every process's "
        "blocks in turn; ratios: medians of the rounds' ratios)"
    )
    results = {}
    for label, env in blas_configurations():
        others = (
            ("copy", TFGRAPH_PRELUDE + COPY_PRELUDE, TF1_CODE, env),
            ("numpy", NUMPY_PRELUDE, textwrap.dedent(NUMPY_CODE), env),
        )
        times = paired_blocks(
            TF1_CODE, names + [n + ":loss" for n in names], ROUNDS, others=others, env=env
        )
        print(f"  {label}:")
        rows = {}
        for name in names:
            t = times[name]
            best = {k: min(v) / STEPS * 1e3 for k, v in t.items() if v}
            line = f"    {name:<16} tfgraph {best['tfgraph']:6.3f}   numpy {best['numpy']:6.3f}"
            row = {
                "tfgraph": best["tfgraph"],
                "numpy": best["numpy"],
                "tfgraph/numpy": paired_ratio(t, to="numpy"),
            }
            if t["tf"]:
                row.update(TF=best["tf"], **{"tfgraph/TF": paired_ratio(t)})
                row["numpy/TF"] = paired_ratio(t, of="numpy")
                # the same training on both: losses after the first steps agree
                row["loss_tfgraph"] = times[name + ":loss"]["tfgraph"][0]
                row["loss_TF"] = times[name + ":loss"]["tf"][0]
                line += f"   TF {best['tf']:6.3f}   tfgraph/TF {row['tfgraph/TF']:5.2f}x"
            line += f"   tfgraph/numpy {row['tfgraph/numpy']:5.2f}x"
            line += f"   (copying updates: tfgraph {best['copy']:6.3f})"
            row["tfgraph_copy_updates"] = best["copy"]
            print(line)
            rows[name] = row
        results[label] = rows
    return results


if __name__ == "__main__":
    print(json.dumps(main()))

"""Eager execution (TF2 behaviour): the cost of one eager op call, and a `tf.function`
training step of the train_mlp model (784-256-10 ReLU MLP, softmax cross-entropy, batch
128, GradientTape + SGD updates), on tfgraph (`import tfgraph.compat.v2 as tf`) and on
TF 2.21 eager (`import tensorflow as tf`), in one invocation; the same TF2 code on both.

    python benchmarks/bench_eager.py            # TFGRAPH_TF_PYTHON=... adds TF

Targets (issue 15): an eager op call at <= 1/5 of TF's time; the tf.function step
<= 1.0x TF's. Each framework runs in a fresh process, BENCH_ROUNDS times interleaved;
the figure is the best block mean.
"""

from __future__ import annotations

import os
import sys

from _common import LOAD, run_json, tf_python

STEPS = int(os.environ.get("BENCH_STEPS", "200"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))

TF2_PRELUDE = """
import json, logging, os, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np
import tensorflow as tf
tf.get_logger().setLevel(logging.ERROR)
"""

TFGRAPH_PRELUDE = """
import json, os, sys, time
import numpy as np
import tfgraph.compat.v2 as tf
"""

CODE = f"""
STEPS = {STEPS}


def best(fn, n, blocks=5):
    for _ in range(min(n, 50)):
        fn()
    times = []
    for _ in range(blocks):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        times.append((time.perf_counter() - t) / n)
    return min(times) * 1e6  # microseconds


out = {{}}
x = tf.constant([1.0, 2.0, 3.0])
y = tf.constant([4.0, 5.0, 6.0])
a = tf.constant(np.ones((4, 4), np.float32))
out["x + 1"] = best(lambda: x + 1, 20 * STEPS)
out["tf.add(x, y)"] = best(lambda: tf.add(x, y), 20 * STEPS)
out["tf.matmul 4x4"] = best(lambda: tf.matmul(a, a), 20 * STEPS)
out["tf.reduce_sum(x)"] = best(lambda: tf.reduce_sum(x), 20 * STEPS)

rng = np.random.RandomState(0)
N_IN, N_HID, N_OUT, BATCH = 784, 256, 10, 128
w1 = tf.Variable((rng.standard_normal((N_IN, N_HID)) * np.sqrt(2.0 / N_IN)).astype(np.float32))
b1 = tf.Variable(np.zeros(N_HID, np.float32))
w2 = tf.Variable((rng.standard_normal((N_HID, N_OUT)) * np.sqrt(2.0 / N_HID)).astype(np.float32))
b2 = tf.Variable(np.zeros(N_OUT, np.float32))
params = [w1, b1, w2, b2]
data_x = tf.constant(rng.random_sample((BATCH, N_IN)).astype(np.float32))
data_y = tf.constant(rng.randint(0, N_OUT, BATCH).astype(np.int64))


@tf.function
def train_step(xb, yb):
    with tf.GradientTape() as tape:
        hidden = tf.nn.relu(tf.matmul(xb, w1) + b1)
        logits = tf.matmul(hidden, w2) + b2
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=yb, logits=logits))
    grads = tape.gradient(loss, params)
    for p, g in zip(params, grads):
        p.assign_sub(0.1 * g)
    return loss


out["tf.function MLP step"] = best(lambda: train_step(data_x, data_y), STEPS // 2)
out["final loss"] = float(train_step(data_x, data_y))
print(json.dumps(out))
"""


def main() -> None:
    print(f"eager ops and a tf.function step (rounds={ROUNDS}, load={LOAD})")
    results: dict[str, list] = {"tfgraph": [], "tf": []}
    for _ in range(ROUNDS):
        results["tfgraph"].append(run_json(sys.executable, TFGRAPH_PRELUDE, CODE))
        python = tf_python()
        if python is not None:
            results["tf"].append(run_json(python, TF2_PRELUDE, CODE))
    ours = {k: min(r[k] for r in results["tfgraph"]) for k in results["tfgraph"][0]}
    theirs = (
        {k: min(r[k] for r in results["tf"]) for k in results["tf"][0]} if results["tf"] else None
    )
    print(f"{'case':<24}{'tfgraph us':>12}{'TF us':>12}{'tfgraph/TF':>12}")
    for key, value in ours.items():
        if key == "final loss":
            continue
        tf_value = theirs[key] if theirs else float("nan")
        shown = f"{value / tf_value:.2f}x" if theirs else "n/a"
        print(f"{key:<24}{value:>12.1f}{tf_value:>12.1f}{shown:>12}")
    if theirs:
        print(f"final loss: tfgraph {ours['final loss']:.6f}, TF {theirs['final loss']:.6f}")


if __name__ == "__main__":
    main()

"""Training step time of the TF1 tutorial MLP, written the way the tutorials write it:
784-256-256-10, weights and biases `tf.Variable(tf.random_normal(...))` (stddev 1), no
activations, softmax cross-entropy on one-hot labels, Adam(0.1), batch 128 fed through
feed_dict. Large weights saturate the softmax, and Adam's slots decay, so the step
computes with subnormal floats unless they are flushed to zero (as TF does).

    python benchmarks/bench_tutorial_mlp.py [--load N]   # TFGRAPH_TF_PYTHON=... adds TF

tfgraph and TF run the same code in fresh processes, BENCH_ROUNDS times interleaved; a
step's time is the median over all timed steps of a framework; printed: tfgraph/TF.
Target (issue 17): <= 1.0, and <= 1.3 with 3 competing busy processes (--load 3).
"""

from __future__ import annotations

import json
import os
import statistics

from _common import LOAD, run_tf, run_tfgraph

STEPS = int(os.environ.get("BENCH_STEPS", "300"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))

CODE = f"""
STEPS = {STEPS}
rng = np.random.RandomState(0)
data_x = rng.random_sample((16 * 128, 784)).astype(np.float32)
data_y = np.eye(10, dtype=np.float32)[rng.randint(0, 10, 16 * 128)]
tf.set_random_seed(1)
X = tf.placeholder("float", [None, 784])
Y = tf.placeholder("float", [None, 10])
weights = {{
    "h1": tf.Variable(tf.random_normal([784, 256])),
    "h2": tf.Variable(tf.random_normal([256, 256])),
    "out": tf.Variable(tf.random_normal([256, 10])),
}}
biases = {{
    "b1": tf.Variable(tf.random_normal([256])),
    "b2": tf.Variable(tf.random_normal([256])),
    "out": tf.Variable(tf.random_normal([10])),
}}
layer_1 = tf.add(tf.matmul(X, weights["h1"]), biases["b1"])
layer_2 = tf.add(tf.matmul(layer_1, weights["h2"]), biases["b2"])
logits = tf.matmul(layer_2, weights["out"]) + biases["out"]
loss_op = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(logits=logits, labels=Y))
train_op = tf.train.AdamOptimizer(learning_rate=0.1).minimize(loss_op)
times = []
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(STEPS + 20):
        k = (i % 16) * 128
        bx, by = data_x[k:k + 128], data_y[k:k + 128]
        t = time.perf_counter()
        sess.run(train_op, {{X: bx, Y: by}})
        if i >= 20:  # (warm-up: plans, allocator, threads)
            times.append((time.perf_counter() - t) * 1e3)
print(json.dumps({{"times": times}}))
"""


def main() -> dict:
    ours: list = []
    theirs: list = []
    for _ in range(ROUNDS):
        ours += run_tfgraph(CODE)["times"]
        tf_run = run_tf(CODE)
        if tf_run is not None:
            theirs += tf_run["times"]
    out = {"load": LOAD, "tfgraph_ms": statistics.median(ours)}
    line = f"tutorial MLP (load {LOAD}): median step tfgraph {out['tfgraph_ms']:.3f} ms"
    if theirs:
        out["TF_ms"] = statistics.median(theirs)
        out["tfgraph/TF"] = out["tfgraph_ms"] / out["TF_ms"]
        line += f"   TF {out['TF_ms']:.3f} ms   tfgraph/TF {out['tfgraph/TF']:.2f}x"
    print(line)
    return out


if __name__ == "__main__":
    print(json.dumps(main()))

"""Training step time of the TF1 tutorial MLP, written the way the tutorials write it:
784-256-256-10, weights and biases `tf.Variable(tf.random_normal(...))` (stddev 1), no
activations, softmax cross-entropy on one-hot labels, Adam(0.1), batch 128 fed through
feed_dict. Large weights saturate the softmax, and Adam's slots decay, so the step
computes with subnormal floats unless they are flushed to zero (as TF does).

    python benchmarks/bench_tutorial_mlp.py [--load N]   # TFGRAPH_TF_PYTHON=... adds TF

tfgraph and TF build the same code in processes of their own, then train in blocks of
BENCH_STEPS steps in turn, BENCH_ROUNDS rounds after a warm-up block (benchmarks/
_common.py's paired blocks); a block's time is its median step; printed: the median of
the blocks' medians, and tfgraph/TF, the median of the rounds' ratios; then the same for
the blocks' mean steps (throughput). Beside busy processes a step's time is bimodal:
~2.5 ms when no other process takes its core mid-step, ~6.5 ms when one does, so a
block's median lands on either mode, and the mean says more about the time a user waits.
Target (issue 17): <= 1.0, and <= 1.3 with 3 competing busy processes (--load 3).
"""

from __future__ import annotations

import json
import os
import statistics

from _common import LOAD, paired_blocks, paired_ratio

STEPS = int(os.environ.get("BENCH_STEPS", "100"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "6"))

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
sess = tf.Session()
sess.run(tf.global_variables_initializer())
count = [0]


def block():  # (training goes on from block to block: the median step time of this one)
    times = []
    for _ in range(STEPS):
        k = (count[0] % 16) * 128
        count[0] += 1
        bx, by = data_x[k:k + 128], data_y[k:k + 128]
        t = time.perf_counter()
        sess.run(train_op, {{X: bx, Y: by}})
        times.append(time.perf_counter() - t)
    means[0] = float(np.mean(times))
    return float(np.median(times))


means = [0.0]
BLOCKS = {{"step": block, "mean": lambda: means[0]}}  # ("mean": the last block's mean step)
"""


def main() -> dict:
    both = paired_blocks(CODE, ["step", "mean"], ROUNDS)
    times, means = both["step"], both["mean"]
    ours = statistics.median(times["tfgraph"]) * 1e3
    out = {
        "load": LOAD,
        "tfgraph_ms": ours,
        "tfgraph_mean_ms": statistics.median(means["tfgraph"]) * 1e3,
    }
    line = f"tutorial MLP (load {LOAD}): median step tfgraph {ours:.3f} ms"
    if times["tf"]:
        out["TF_ms"] = statistics.median(times["tf"]) * 1e3
        out["tfgraph/TF"] = paired_ratio(times)
        out["TF_mean_ms"] = statistics.median(means["tf"]) * 1e3
        out["mean tfgraph/TF"] = paired_ratio(means)
        line += f"   TF {out['TF_ms']:.3f} ms   tfgraph/TF {out['tfgraph/TF']:.2f}x"
        line += f"\n  mean step (throughput) tfgraph {out['tfgraph_mean_ms']:.3f} ms   TF "
        line += f"{out['TF_mean_ms']:.3f} ms   tfgraph/TF {out['mean tfgraph/TF']:.2f}x"
    print(line)
    return out


if __name__ == "__main__":
    print(json.dumps(main()))

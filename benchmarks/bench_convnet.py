"""End to end: the MNIST convnet as the TF1 tutorial writes it, trained on random
MNIST-shaped data, in tfgraph and in real TF (TFGRAPH_TF_PYTHON), same code, one run.

Two 5x5 SAME convolutions + ReLU + 2x2 max-pools (32 and 64 filters), a 1024-unit ReLU
layer, a 10-unit output layer, `tf.random_normal` initial weights, softmax cross-entropy,
Adam(1e-3). For batch sizes 32, 128 and 512 (each in a fresh process per framework) it
prints the median training step time and tfgraph/TF, and the step's peak memory: the
process's peak resident size after the steps minus its resident size before them (both
frameworks' allocations, numpy's and TF's C++ ones alike).

Run: python benchmarks/bench_convnet.py [batch ...]. The machine may be shared: compare
the ratios, and repeat to see the noise (BENCH_STEPS sets the timed steps,
BENCH_ROUNDS the alternating runs per framework, the fastest kept).
"""

from __future__ import annotations

import os
import sys

from _common import onednn_status, run_tf, run_tfgraph

CODE = """
import resource

def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

def weight(shape):
    return tf.Variable(tf.random_normal(shape, stddev=0.1))

def bias(shape):
    return tf.Variable(tf.constant(0.1, shape=shape))

def conv2d(x, w):
    return tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding="SAME")

def max_pool_2x2(x):
    return tf.nn.max_pool(x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")

tf.set_random_seed(0)
x = tf.placeholder(tf.float32, [None, 784])
y_ = tf.placeholder(tf.float32, [None, 10])
x_image = tf.reshape(x, [-1, 28, 28, 1])
h_conv1 = tf.nn.relu(conv2d(x_image, weight([5, 5, 1, 32])) + bias([32]))
h_pool1 = max_pool_2x2(h_conv1)
h_conv2 = tf.nn.relu(conv2d(h_pool1, weight([5, 5, 32, 64])) + bias([64]))
h_pool2 = max_pool_2x2(h_conv2)
h_pool2_flat = tf.reshape(h_pool2, [-1, 7 * 7 * 64])
h_fc1 = tf.nn.relu(tf.matmul(h_pool2_flat, weight([7 * 7 * 64, 1024])) + bias([1024]))
y_conv = tf.matmul(h_fc1, weight([1024, 10])) + bias([10])
cross_entropy = tf.reduce_mean(
    tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y_conv))
train_step = tf.train.AdamOptimizer(1e-3).minimize(cross_entropy)

rng = np.random.RandomState(0)
batches = []
for _ in range(4):
    xs = rng.rand(BATCH, 784).astype(np.float32)
    ys = np.eye(10, dtype=np.float32)[rng.randint(0, 10, BATCH)]
    batches.append({x: xs, y_: ys})
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    before = rss_bytes()
    for i in range(3):
        sess.run(train_step, batches[i % 4])
    times = []
    for i in range(STEPS):
        t = time.perf_counter()
        sess.run(train_step, batches[i % 4])
        times.append(time.perf_counter() - t)
    loss = float(sess.run(cross_entropy, batches[0]))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"ms": sorted(times)[len(times) // 2] * 1e3,
                  "peak_mb": (peak - before) / 2**20, "loss": loss}))
"""


def _best(runs: list[dict]) -> dict:
    """The run with the fastest median step (noise on a shared machine only adds time)."""
    return min(runs, key=lambda r: r["ms"])


def main() -> None:
    batches = [int(b) for b in sys.argv[1:]] or [32, 128, 512]
    steps = int(os.environ.get("BENCH_STEPS", "15"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "2"))
    print(
        "MNIST convnet training step (Adam, batch N): median ms (best of "
        f"{rounds} alternating rounds), tfgraph/TF; step peak MB"
    )
    print(f"  tfgraph's convolutions on oneDNN: {onednn_status()} (TFGRAPH_ONEDNN=0: off)")
    for batch in batches:
        code = f"BATCH = {batch}\nSTEPS = {steps}\n" + CODE
        ours, theirs = [], []
        for _ in range(rounds):
            ours.append(run_tfgraph(code))
            tf_run = run_tf(code)
            if tf_run:
                theirs.append(tf_run)
        mine = _best(ours)
        line = f"  batch {batch:4d}: tfgraph {mine['ms']:8.1f} ms, peak {mine['peak_mb']:7.1f} MB"
        if theirs:
            ref = _best(theirs)
            line += (
                f" | TF {ref['ms']:8.1f} ms, peak {ref['peak_mb']:7.1f} MB"
                f" | step tfgraph/TF = {mine['ms'] / ref['ms']:.2f}x,"
                f" peak tfgraph/TF = {mine['peak_mb'] / max(ref['peak_mb'], 1e-9):.2f}x"
            )
        print(line)


if __name__ == "__main__":
    main()

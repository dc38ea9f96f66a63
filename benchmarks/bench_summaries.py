"""A summary-heavy TF1 training script: a 784-256-256-10 MLP whose every step writes
scalar and histogram summaries of all weights, biases and activations (as tutorials do
with `tf.summary.merge_all()` at each step), on tfgraph and on real TF.

    python benchmarks/bench_summaries.py            # TFGRAPH_TF_PYTHON=... adds TF

Reports the step time with summaries and without, and the time of the summary op alone.
"""

from __future__ import annotations

from _common import ratio, run_tf, run_tfgraph

CODE = """
rng = np.random.RandomState(0)
x = tf.placeholder(tf.float32, [None, 784], name="x")
y = tf.placeholder(tf.int64, [None], name="y")
h = x
for i, width in enumerate((256, 256)):
    with tf.name_scope(f"layer{i}"):
        w = tf.Variable(tf.truncated_normal([int(h.shape[1]), width], stddev=0.1), name="w")
        b = tf.Variable(tf.constant(0.1, shape=[width]), name="b")
        h = tf.nn.relu(tf.matmul(h, w) + b)
        tf.summary.histogram("weights", w)
        tf.summary.histogram("biases", b)
        tf.summary.histogram("activations", h)
w = tf.Variable(tf.truncated_normal([256, 10], stddev=0.1), name="w_out")
logits = tf.matmul(h, w)
loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
tf.summary.scalar("loss", loss)
tf.summary.histogram("logits", logits)
train = tf.train.AdamOptimizer(1e-3).minimize(loss)
merged = tf.summary.merge_all()
feed = {x: rng.random_sample((128, 784)).astype(np.float32), y: rng.randint(0, 10, 128)}
out = {}
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for label, fetches in (("step_with_summaries", [merged, train]), ("step", [train]),
                           ("summaries_only", [merged])):
        for _ in range(5):
            sess.run(fetches, feed)
        best = float("inf")
        for _ in range(5):
            t = time.perf_counter()
            for _ in range(10):
                sess.run(fetches, feed)
            best = min(best, (time.perf_counter() - t) / 10)
        out[label] = best * 1e3
print(json.dumps(out))
"""


def main() -> None:
    ours = run_tfgraph(CODE)
    theirs = run_tf(CODE)
    print("Summary-heavy MLP step, ms (batch 128; best of 5 blocks of 10 steps)")
    for key in ours:
        line = f"  {key:22s} tfgraph {ours[key]:8.2f}"
        if theirs:
            line += f"   TF {theirs[key]:8.2f}   tfgraph/TF {ratio(ours[key], theirs[key])}"
        print(line)


if __name__ == "__main__":
    main()

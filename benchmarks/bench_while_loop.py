"""A `tf.while_loop` as an LSTM layer writes it by hand: 50 steps, batch 32, hidden 128
(a gather, two matmuls, split, gates), forward only, on tfgraph and on real TF (which
runs loops in its C++ executor).

    python benchmarks/bench_while_loop.py            # TFGRAPH_TF_PYTHON=... adds TF
"""

from __future__ import annotations

from _common import ratio, run_tf, run_tfgraph

CODE = """
T, B, H = 50, 32, 128
rng = np.random.RandomState(0)
xs = tf.constant(rng.standard_normal((T, B, H)).astype(np.float32))
W = tf.Variable(rng.standard_normal((H, 4 * H)).astype(np.float32) * 0.05)
U = tf.Variable(rng.standard_normal((H, 4 * H)).astype(np.float32) * 0.05)
b = tf.Variable(np.zeros(4 * H, np.float32))
def body(t, h, c):
    x = tf.gather(xs, t)
    z = tf.matmul(x, W) + tf.matmul(h, U) + b
    i, j, f, o = tf.split(z, 4, axis=1)
    c = c * tf.sigmoid(f + 1.0) + tf.sigmoid(i) * tf.tanh(j)
    h = tf.tanh(c) * tf.sigmoid(o)
    return t + 1, h, c
_, h, c = tf.while_loop(lambda t, h, c: t < T, body, [0, tf.zeros([B, H]), tf.zeros([B, H])])
times = []
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(5):
        sess.run(h)
    for _ in range(40):
        t0 = time.perf_counter()
        sess.run(h)
        times.append(time.perf_counter() - t0)
times.sort()
print(json.dumps({"lstm_loop_forward": times[len(times) // 2] * 1e3}))
"""


def main() -> None:
    ours = run_tfgraph(CODE)
    theirs = run_tf(CODE)
    print("Hand-written LSTM while_loop (50 steps, batch 32, hidden 128), ms per run (median)")
    for key, value in ours.items():
        line = f"  {key:18s} tfgraph {value:7.2f}"
        if theirs:
            line += f"   TF {theirs[key]:7.2f}   tfgraph/TF {ratio(value, theirs[key])}"
        print(line)


if __name__ == "__main__":
    main()

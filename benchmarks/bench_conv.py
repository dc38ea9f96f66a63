"""Conv family per call (NHWC float32): the same TF1 graph in tfgraph and real TF.

Each case builds one op (Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter,
DepthwiseConv2dNative and its two backprops, MaxPool, MaxPoolGrad, AvgPool,
AvgPoolGrad) from placeholders and times `sess.run` of it, fed with random arrays
(MaxPoolGrad: the pooled output is fed too, so only the gradient op runs). Shapes: the
MNIST convnet's (batch 128: 28x28x1 -> 32 filters 5x5 SAME, 14x14x32 -> 64 filters 5x5
SAME, 2x2 stride-2 max-pools) and stride-2, VALID, 3x3, 1x1 and odd-size variants.

Run: python benchmarks/bench_conv.py [substring ...] (only the cases whose names hold
one of the substrings). Prints the best milliseconds per call of BENCH_REPEAT calls
(default 15; on a shared machine other processes only add time) and tfgraph/TF;
compare the ratios, and repeat to see the noise.
"""

from __future__ import annotations

import sys

from _common import run_tf, run_tfgraph

# (name, op, input shape, filter/window shape, strides, padding)
#   conv:  filter [kh, kw, c, co];  depthwise: [kh, kw, c, m];  pool: window (kh, kw)
CASES = [
    ("mnist conv1 5x5 1->32", "conv", (128, 28, 28, 1), (5, 5, 1, 32), 1, "SAME"),
    ("mnist conv2 5x5 32->64", "conv", (128, 14, 14, 32), (5, 5, 32, 64), 1, "SAME"),
    ("3x3 s2 VALID 17x17 16->24", "conv", (64, 17, 17, 16), (3, 3, 16, 24), 2, "VALID"),
    ("3x3 SAME 15x15 8->16", "conv", (64, 15, 15, 8), (3, 3, 8, 16), 1, "SAME"),
    ("1x1 14x14 64->32", "conv", (128, 14, 14, 64), (1, 1, 64, 32), 1, "SAME"),
    ("5x5 s2 SAME 27x27 3->16", "conv", (64, 27, 27, 3), (5, 5, 3, 16), 2, "SAME"),
    ("depthwise 3x3 14x14x32", "depthwise", (128, 14, 14, 32), (3, 3, 32, 1), 1, "SAME"),
    ("depthwise 5x5 s2 15x15x16 m2", "depthwise", (64, 15, 15, 16), (5, 5, 16, 2), 2, "VALID"),
    ("pool 2x2 s2 28x28x32", "pool", (128, 28, 28, 32), (2, 2), 2, "SAME"),
    ("pool 2x2 s2 14x14x64", "pool", (128, 14, 14, 64), (2, 2), 2, "SAME"),
    ("pool 3x3 s2 SAME 15x15x32", "pool", (64, 15, 15, 32), (3, 3), 2, "SAME"),
    ("pool 3x3 s1 VALID 13x13x16", "pool", (64, 13, 13, 16), (3, 3), 1, "VALID"),
]

CODE = """
def best_ms(fn, repeat=int(os.environ.get("BENCH_REPEAT", "15"))):
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times) * 1e3

def timed(sess, fetch, feed):
    return best_ms(lambda: sess.run(fetch, feed))

out = {}
rng = np.random.RandomState(0)
for name, kind, xs, ws, s, padding in CASES:
    g = tf.Graph()
    with g.as_default():
        xv = rng.randn(*xs).astype(np.float32)
        x = tf.placeholder(tf.float32, xs)
        runs = []
        if kind == "pool":
            k = [1, ws[0], ws[1], 1]
            st = [1, s, s, 1]
            for label, pool in (("MaxPool", tf.nn.max_pool), ("AvgPool", tf.nn.avg_pool)):
                y = pool(x, k, st, padding)
                dyv = rng.randn(*y.shape.as_list()).astype(np.float32)
                dy = tf.placeholder(tf.float32, dyv.shape)
                gx = tf.gradients(y, x, grad_ys=dy)[0]
                runs.append((label, y, {x: xv}))
                feed = {x: xv, dy: dyv}
                if label == "MaxPool":
                    with tf.Session() as s0:
                        feed[y] = s0.run(y, {x: xv})
                runs.append((label + "Grad", gx, feed))
        else:
            wv = rng.randn(*ws).astype(np.float32)
            w = tf.placeholder(tf.float32, ws)
            st = [1, s, s, 1]
            if kind == "conv":
                y = tf.nn.conv2d(x, w, st, padding)
                bi = tf.nn.conv2d_backprop_input
                bf = tf.nn.conv2d_backprop_filter
                label = "Conv2D"
            else:
                y = tf.nn.depthwise_conv2d_native(x, w, st, padding)
                bi = tf.nn.depthwise_conv2d_native_backprop_input
                bf = tf.nn.depthwise_conv2d_native_backprop_filter
                label = "Depthwise"
            dyv = rng.randn(*y.shape.as_list()).astype(np.float32)
            dy = tf.placeholder(tf.float32, dyv.shape)
            gx = bi(list(xs), w, dy, st, padding)
            gw = bf(x, list(ws), dy, st, padding)
            runs.append((label, y, {x: xv, w: wv}))
            runs.append((label + " bprop input", gx, {w: wv, dy: dyv}))
            runs.append((label + " bprop filter", gw, {x: xv, dy: dyv}))
        with tf.Session() as sess:
            for label, fetch, feed in runs:
                out[name + " | " + label] = timed(sess, fetch, feed)
print(json.dumps(out))
"""


def main() -> None:
    wanted = sys.argv[1:]
    cases = [c for c in CASES if not wanted or any(w in c[0] for w in wanted)]
    code = f"CASES = {cases!r}\n" + CODE
    ours = run_tfgraph(code)
    theirs = run_tf(code) or {}
    print("conv family, NHWC float32: best ms per sess.run, tfgraph/TF")
    for label, ms in ours.items():
        tf_ms = theirs.get(label)
        tail = f"   TF {tf_ms:8.3f} ms   tfgraph/TF = {ms / tf_ms:.2f}x" if tf_ms else ""
        print(f"  {label:<52} tfgraph {ms:8.3f} ms{tail}")


if __name__ == "__main__":
    main()

"""Conv2D / pooling kernels: a 32x28x28x16 input with 3x3x16x32 filters (SAME, stride 1).

Times, in one run: tfgraph's numpy kernels called directly (forward, input gradient,
filter gradient, 2x2 max/avg pooling and their gradients), the same through
Session.run (forward alone, forward + both gradients), naive numpy references (a Python
loop over output pixels, each a BLAS product over batch and channels), and real TF
(TFGRAPH_TF_PYTHON) running the same graph. Set OPENBLAS_NUM_THREADS to pin BLAS threads;
shared machines are noisy, so each number is the best of several repeats.
"""

from __future__ import annotations

from _common import ratio, run_tf, run_tfgraph

GRAPH = """
def best(fn, repeat=int(os.environ.get("BENCH_REPEAT", "15"))):
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times) * 1e3

rng = np.random.RandomState(0)
xv = rng.randn(32, 28, 28, 16).astype(np.float32)
fv = rng.randn(3, 3, 16, 32).astype(np.float32)
x = tf.placeholder(tf.float32, xv.shape)
f = tf.placeholder(tf.float32, fv.shape)
y = tf.nn.conv2d(x, f, 1, "SAME")
gx, gf = tf.gradients(tf.reduce_sum(y * y), [x, f])
p = tf.nn.max_pool(x, 2, 2, "SAME")
gp = tf.gradients(p, x)[0]
out = {}
with tf.Session() as sess:
    feed = {x: xv, f: fv}
    out["session conv2d forward"] = best(lambda: sess.run(y, feed))
    out["session conv2d fwd+grads"] = best(lambda: sess.run([y, gx, gf], feed))
    out["session maxpool fwd+grad"] = best(lambda: sess.run([p, gp], feed))
"""

KERNELS = """
from tfgraph.ops import conv_kernels as ck
xv = rng.randn(32, 28, 28, 16).astype(np.float32)
dy = rng.randn(32, 28, 28, 32).astype(np.float32)
pads = (1, 1, 1, 1)
out["kernel conv2d"] = best(lambda: ck.conv2d(xv, fv, (1, 1), (1, 1), pads, (28, 28)))
out["kernel backprop_input"] = best(
    lambda: ck.conv2d_backprop_input(xv.shape, fv, dy, (1, 1), (1, 1), pads))
out["kernel backprop_filter"] = best(
    lambda: ck.conv2d_backprop_filter(xv, fv.shape, dy, (1, 1), (1, 1), pads))
k4, s4, pp = [1, 2, 2, 1], [1, 2, 2, 1], [(0, 0)] * 4
pshape = [32, 14, 14, 16]
dp = rng.randn(*pshape).astype(np.float32)
out["kernel max_pool"] = best(lambda: ck.max_pool(xv, k4, s4, pp, pshape))
out["kernel max_pool_grad"] = best(lambda: ck.max_pool_grad(xv, dp, k4, s4, pp, pshape))
out["kernel avg_pool_grad"] = best(lambda: ck.avg_pool_grad(xv.shape, dp, k4, s4, pp, pshape))

# Naive references: one BLAS product per output pixel (no per-element Python loop).
xp = np.pad(xv, ((0, 0), (1, 1), (1, 1), (0, 0)))
def naive_conv():
    o = np.empty((32, 28, 28, 32), np.float32)
    for i in range(28):
        for j in range(28):
            o[:, i, j] = np.tensordot(xp[:, i:i + 3, j:j + 3], fv, axes=3)
    return o
def naive_backprop_input():
    d = np.zeros_like(xp)
    for i in range(28):
        for j in range(28):
            d[:, i:i + 3, j:j + 3] += np.tensordot(dy[:, i, j], fv, axes=([1], [3]))
    return d[:, 1:-1, 1:-1]
def naive_backprop_filter():
    d = np.zeros_like(fv)
    for i in range(28):
        for j in range(28):
            d += np.tensordot(xp[:, i:i + 3, j:j + 3], dy[:, i, j], axes=([0], [0]))
    return d
def naive_max_pool_grad():
    d = np.zeros_like(xv)
    for i in range(14):
        for j in range(14):
            win = xv[:, 2 * i:2 * i + 2, 2 * j:2 * j + 2].reshape(32, 4, 16)
            k = win.argmax(axis=1)
            blk = np.zeros((32, 4, 16), np.float32)
            np.put_along_axis(blk, k[:, None], dp[:, i, j][:, None], axis=1)
            d[:, 2 * i:2 * i + 2, 2 * j:2 * j + 2] = blk.reshape(32, 2, 2, 16)
    return d
checks = {
    "conv2d": (naive_conv, lambda: ck.conv2d(xv, fv, (1, 1), (1, 1), pads, (28, 28))),
    "backprop_input": (naive_backprop_input,
                       lambda: ck.conv2d_backprop_input(xv.shape, fv, dy, (1, 1), (1, 1), pads)),
    "backprop_filter": (naive_backprop_filter,
                        lambda: ck.conv2d_backprop_filter(xv, fv.shape, dy, (1, 1), (1, 1), pads)),
    "max_pool_grad": (naive_max_pool_grad,
                      lambda: ck.max_pool_grad(xv, dp, k4, s4, pp, pshape)),
}
for name, (ref, fast) in checks.items():
    np.testing.assert_allclose(fast(), ref(), rtol=1e-3, atol=1e-3)
    out["naive " + name] = best(ref, repeat=3)
"""


def main() -> None:
    ours = run_tfgraph(GRAPH + KERNELS + "\nprint(json.dumps(out))\n")
    theirs = run_tf(GRAPH + "\nprint(json.dumps(out))\n") or {}
    print("conv2d 32x28x28x16 * 3x3x16x32 SAME, 2x2 pooling: milliseconds (best of repeats)")
    for label, ms in ours.items():
        line = f"  {label:<28} tfgraph {ms:8.2f} ms"
        if label.startswith("naive "):
            kernel = ours.get("kernel " + label[len("naive ") :])
            line = f"  {label:<28} numpy   {ms:8.2f} ms   naive/tfgraph = {ratio(ms, kernel)}"
        elif label in theirs:
            line += f"   TF {theirs[label]:8.2f} ms   tfgraph/TF = {ratio(ms, theirs[label])}"
        print(line)


if __name__ == "__main__":
    main()

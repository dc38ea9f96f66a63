"""Per-call overhead of Session.run on a tiny graph (assign_add + fetch; a feed variant).

Target (issue 2): tfgraph's overhead at most 1/10 of TF's.
"""

from __future__ import annotations

from _common import ratio, run_tf, run_tfgraph

CODE = """
v = tf.Variable(0.0, name="v")
inc = v.assign_add(1.0)
x = tf.placeholder(tf.float32, [], name="x")
y = x * 2.0 + v
N = int(os.environ.get("BENCH_N", "20000"))
out = {}
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for label, fetch, feed in (("assign_add", inc, None), ("feed", y, {x: 1.0})):
        for _ in range(500):
            sess.run(fetch, feed)
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            for _ in range(N):
                sess.run(fetch, feed)
            best = min(best, (time.perf_counter() - t) / N)
        out[label] = best * 1e6
print(json.dumps(out))
"""

NUMPY_BASELINE = """
import numpy as np, time, json
v = np.float32(0.0)
N = 200000
t = time.perf_counter()
for _ in range(N):
    v = v + np.float32(1.0)
print(json.dumps({"assign_add": (time.perf_counter() - t) / N * 1e6}))
"""


def main() -> None:
    ours = run_tfgraph(CODE)
    theirs = run_tf(CODE)
    print("Session.run overhead, microseconds per call (best of 3)")
    for label in ours:
        line = f"  {label:<11} tfgraph {ours[label]:7.2f} us"
        if theirs:
            line += (
                f"   TF {theirs[label]:7.2f} us   TF/tfgraph = {ratio(theirs[label], ours[label])}"
            )
        print(line)


if __name__ == "__main__":
    main()

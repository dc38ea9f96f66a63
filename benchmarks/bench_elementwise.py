"""A long chain of elementwise ops on a big tensor (`wide_elementwise`): 100 ops on 1M
float32 values, as a hand-written activation/normalisation pipeline builds them, on
tfgraph, on real TF and in hand-written numpy (one new array per op, and in place).

    python benchmarks/bench_elementwise.py            # TFGRAPH_TF_PYTHON=... adds TF

Target (issue 17): tfgraph/TF <= 1.0 (median step time).
"""

from __future__ import annotations

import statistics

from _common import ratio, run_json, run_tf, run_tfgraph

CHAIN = """
def chain(y, tf):
    for i in range(25):
        y = y * 0.999 + 0.001          # Mul, AddV2
        y = tf.maximum(y - 0.5, -2.0)  # Sub, Maximum
    return y
"""

CODE = (
    CHAIN
    + """
x = tf.placeholder(tf.float32, [1000000], name="x")
y = chain(x, tf)
xv = np.random.RandomState(0).standard_normal(1000000).astype(np.float32)
times = []
with tf.Session() as sess:
    for _ in range(5):
        sess.run(y, {x: xv})
    for _ in range(30):
        t = time.perf_counter()
        sess.run(y, {x: xv})
        times.append(time.perf_counter() - t)
print(json.dumps({"wide_elementwise": times}))
"""
)

NUMPY = (
    CHAIN
    + """
import json, time
import numpy as np
xv = np.random.RandomState(0).standard_normal(1000000).astype(np.float32)
c = {k: np.float32(v) for k, v in (("a", 0.999), ("b", 0.001), ("h", 0.5), ("m", -2.0))}
def by_hand(y):
    for i in range(25):
        y = y * c["a"] + c["b"]
        y = np.maximum(y - c["h"], c["m"])
    return y
def in_place(y):
    y = y * c["a"]
    for i in range(25):
        if i:
            np.multiply(y, c["a"], out=y)
        np.add(y, c["b"], out=y)
        np.subtract(y, c["h"], out=y)
        np.maximum(y, c["m"], out=y)
    return y
out = {}
for label, f in (("numpy", by_hand), ("numpy_in_place", in_place)):
    times = []
    for _ in range(30):
        t = time.perf_counter()
        f(xv)
        times.append(time.perf_counter() - t)
    out[label] = times
print(json.dumps(out))
"""
)


def main() -> None:
    import sys

    ours = run_tfgraph(CODE)["wide_elementwise"]
    theirs = run_tf(CODE)
    base = run_json(sys.executable, "", NUMPY)
    med = statistics.median
    print("100 chained elementwise ops on 1M float32, ms per run (median of 30)")
    print(f"  tfgraph        {med(ours) * 1e3:8.2f}")
    if theirs:
        t = theirs["wide_elementwise"]
        print(f"  TF             {med(t) * 1e3:8.2f}   tfgraph/TF {ratio(med(ours), med(t))}")
    for label, times in base.items():
        r = ratio(med(ours), med(times))
        print(f"  {label:14s} {med(times) * 1e3:8.2f}   tfgraph/{label} {r}")


if __name__ == "__main__":
    main()

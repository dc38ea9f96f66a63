"""Graph construction speed per op (2,000 and 20,000 ops), then the first Session.run
(which plans the graph) and later runs (cached plan), on tfgraph and real TF.

Target (issue 2): building at least 10x faster per op than TF.

Then the later runs of the 20,000-op graph again, paired (benchmarks/_common.py: the
processes stay alive and run blocks of 20 runs in turn; a block's time is its median
run), beside numpy running the same ops by hand (a separate 16x16 constant and 0-d
constants per block of ops, as the graph has): the floor of calling numpy once per op.
Target (issue 17): tfgraph/TF <= 1.0.
"""

from __future__ import annotations

import statistics

from _common import TFGRAPH_PRELUDE, paired_blocks, paired_ratio, ratio, run_tf, run_tfgraph

# the graph: blocks of 14 ops (6 of them constants) until the graph has `n_ops` ops
BUILD = """
def build_graph(n_ops):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 16], name="x")
        h = x
        t0 = time.perf_counter()
        while g.version < n_ops:
            w = tf.constant(np.full((16, 16), 0.01, np.float32))
            h = tf.matmul(h, w)
            h = tf.maximum(h + 0.5, 0.0)
            h = tf.identity(h * 0.9)
            s = tf.reduce_sum(h, axis=1, keepdims=True)
            h = h - s * 0.001
        build_s = time.perf_counter() - t0
        n = len(g.get_operations())
    return g, x, h, build_s, n

"""

CODE = (
    BUILD
    + """
out = {}
for n_ops in (2000, 20000):
    g, x, h, build_s, n = build_graph(n_ops)
    with tf.Session(graph=g) as sess:
        feed = {x: np.ones((4, 16), np.float32)}
        t0 = time.perf_counter()
        sess.run(h, feed)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        for _ in range(5):
            sess.run(h, feed)
        later = (time.perf_counter() - t0) / 5
    out[str(n_ops)] = {"ops": n, "build_us_per_op": build_s / n * 1e6, "first_run_s": first,
                       "later_run_s": later}
print(json.dumps(out))
"""
)


STEADY = (
    BUILD
    + """
g, x, h, _, _ = build_graph(20000)
sess = tf.Session(graph=g)
feed = {x: np.ones((4, 16), np.float32)}
sess.run(h, feed)


def block():
    times = []
    for _ in range(20):
        t = time.perf_counter()
        sess.run(h, feed)
        times.append(time.perf_counter() - t)
    return float(np.median(times))


BLOCKS = {"later_runs": block}
"""
)

# the same ops by hand: 1,429 blocks of 14 ops make the graph's 20,000
NUMPY_STEADY = """
blocks = [
    (np.full((16, 16), 0.01, np.float32),
     *[np.asarray(c, np.float32) for c in (0.5, 0.0, 0.9, 0.001)])
    for _ in range(1429)
]
x0 = np.ones((4, 16), np.float32)


def run():
    h = x0
    for w, c05, c0, c09, c001 in blocks:
        h = np.multiply(np.maximum(np.add(np.dot(h, w), c05), c0), c09)
        h = np.subtract(h, np.multiply(np.add.reduce(h, 1, h.dtype, None, True), c001))
    return h


def block():
    times = []
    for _ in range(20):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


BLOCKS = {"later_runs": block}
"""


def steady() -> None:
    """The 20,000-op graph's later runs, paired with TF and numpy's by hand."""
    others = (("numpy", TFGRAPH_PRELUDE.replace("import tfgraph as tf", ""), NUMPY_STEADY, None),)
    times = paired_blocks(STEADY, ["later_runs"], 8, others=others)["later_runs"]
    line = "  20,000-op graph, later runs, paired: median run"
    for label in ("tfgraph", "numpy", "tf"):
        if times.get(label):
            line += f"  {label} {statistics.median(times[label]) * 1e3:.2f} ms"
    print(line)
    line = f"    tfgraph/numpy {paired_ratio(times, to='numpy'):.2f}x"
    if times.get("tf"):
        line += f"   tfgraph/TF {paired_ratio(times):.2f}x   numpy/TF "
        line += f"{paired_ratio(times, of='numpy'):.2f}x"
    print(line)


def main() -> None:
    ours = run_tfgraph(CODE)
    theirs = run_tf(CODE)
    print("Graph build and run (same TF1 code)")
    for key, o in ours.items():
        print(f"  {o['ops']} ops:")
        t = theirs[key] if theirs else None
        for field, unit in (
            ("build_us_per_op", "us/op"),
            ("first_run_s", "s"),
            ("later_run_s", "s"),
        ):
            line = f"    {field:<16} tfgraph {o[field]:9.4f} {unit}"
            if t:
                line += f"   TF {t[field]:9.4f} {unit}   TF/tfgraph = {ratio(t[field], o[field])}"
            print(line)
    steady()


if __name__ == "__main__":
    main()

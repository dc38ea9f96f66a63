"""Graph construction speed per op (2,000 and 20,000 ops), then the first Session.run
(which plans the graph) and later runs (cached plan), on tfgraph and real TF.

Target (issue 2): building at least 10x faster per op than TF.
"""

from __future__ import annotations

from _common import ratio, run_tf, run_tfgraph

CODE = """
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


if __name__ == "__main__":
    main()

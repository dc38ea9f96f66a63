"""Writes TF1 while-loop GraphDefs with real TensorFlow, for tfgraph's frame executor
tests (tests/client/test_frames.py): run with a Python that has tensorflow-cpu.

    TF_CPP_MIN_LOG_LEVEL=3 .venv-tf/bin/python tools/make_loop_goldens.py tests/data/golden/tf_loops

Each case writes <name>.pb (the GraphDef) and adds to expected.json the fetched tensor
names, the feeds and the values TF computes.
"""

import json
import sys
from pathlib import Path

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()


def counter():
    x = tf.placeholder(tf.float32, [2], name="x")
    i, a = tf.while_loop(
        lambda i, a: i < 3, lambda i, a: (i + 1, a * 2.0 + x), [tf.constant(0), tf.zeros([2])]
    )
    return [i, a], {"x:0": [1.0, 2.0]}


def nested():
    n = tf.placeholder(tf.int32, [], name="n")

    def outer_body(i, total):
        _, inner = tf.while_loop(
            lambda j, s: j < i, lambda j, s: (j + 1, s + j), [tf.constant(0), tf.constant(0)]
        )
        return i + 1, total + inner

    i, total = tf.while_loop(lambda i, t: i < n, outer_body, [tf.constant(0), tf.constant(0)])
    return [i, total], {"n:0": 5}


def cond_in_loop_and_loop_in_cond():
    p = tf.placeholder(tf.bool, [], name="p")

    def body(i, acc):
        step = tf.cond(tf.equal(i % 2, 0), lambda: acc + 1.0, lambda: acc * 3.0)
        return i + 1, step

    def looped():
        return tf.while_loop(lambda i, a: i < 4, body, [tf.constant(0), tf.constant(1.0)])[1]

    out = tf.cond(p, looped, lambda: tf.constant(-1.0))
    return [out], {"p:0": True}


def max_iterations_and_shapes():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    _, grown = tf.while_loop(
        lambda i, m: tf.constant(True),
        lambda i, m: (i + 1, tf.concat([m, m[-1:] + 1.0], 0)),
        (tf.constant(0), x),
        shape_invariants=(tf.TensorShape([]), tf.TensorShape([None, 2])),
        maximum_iterations=3,
    )
    return [grown], {"x:0": [[0.0, 1.0]]}


def variable_in_loop():
    v = tf.Variable([1.0, 2.0], name="v")
    _, s = tf.while_loop(
        lambda i, s: i < 3, lambda i, s: (i + 1, s + tf.reduce_sum(v)), [0, tf.constant(0.0)]
    )
    return [s], {}


CASES = [
    counter,
    nested,
    cond_in_loop_and_loop_in_cond,
    max_iterations_and_shapes,
    variable_in_loop,
]


def main(out_dir: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    expected = {}
    for case in CASES:
        with tf.Graph().as_default() as g:
            fetches, feed = case()
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                values = sess.run(fetches, feed)
            (out / f"{case.__name__}.pb").write_bytes(g.as_graph_def().SerializeToString())
            init = [op.name for op in g.get_operations() if op.type == "Assign"]
        expected[case.__name__] = {
            "fetches": [t.name for t in fetches],
            "feed": feed,
            "init": init,
            "values": [np.asarray(v).tolist() for v in values],
        }
    (out / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])

"""tf.sets (set_size, set_intersection, set_union, set_difference) with dense and
sparse inputs, against TF: values, graphs, errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = """
out = {}
a = np.array([[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [1, 1, 2]]], np.int64)
b = np.array([[[2, 3, 9], [4, 4, 4]], [[0, 8, 7], [2, 5, 1]]], np.int64)
sp = lambda: tf.SparseTensor([[0, 0, 0], [0, 0, 1], [0, 1, 0], [1, 1, 2]],
                             tf.constant([3, 1, 6, 5], tf.int64), [2, 2, 3])
cases = {
    "dd_inter": lambda: tf.sets.intersection(a, b),
    "dd_union": lambda: tf.sets.union(a, b),
    "dd_diff": lambda: tf.sets.difference(a, b),
    "dd_bma": lambda: tf.sets.difference(a, b, aminusb=False),
    "ds_inter": lambda: tf.sets.set_intersection(a, sp()),
    "sd_diff_flipped": lambda: tf.sets.set_difference(sp(), a),
    "ss_union": lambda: tf.sets.set_union(sp(), sp()),
    "strings": lambda: tf.sets.union(tf.constant([["a", "b"], ["c", "a"]]),
                                     tf.constant([["b", "z"], ["a", "a"]])),
}
with tf.Graph().as_default():
    results = {k: f() for k, f in cases.items()}
    size = tf.sets.size(results["dd_union"])
    with tf.Session() as sess:
        for k, r in results.items():
            v = sess.run(r)
            values = [x.decode() if isinstance(x, bytes) else x for x in v.values.tolist()]
            out[k] = [v.indices.tolist(), values, v.dense_shape.tolist()]
        out["size"] = sess.run(size).tolist()
    out["ops"] = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
errs = []
for bad in (lambda: tf.sets.size(a), lambda: tf.sets.union(a, a.astype(np.int32)),
            lambda: tf.sets.union(a.astype(np.float32), a.astype(np.float32))):
    try:
        bad()
    except (TypeError, ValueError) as e:
        errs.append(type(e).__name__)
out["errors"] = errs
"""


def _here():
    scope = {"tf": tf, "np": np}
    exec(PROGRAM, scope)
    return json.loads(json.dumps(scope["out"]))


def test_values():
    out = _here()
    assert out["dd_inter"] == [
        [[0, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 0, 1], [1, 1, 0], [1, 1, 1]],
        [2, 3, 4, 7, 8, 1, 2],
        [2, 2, 2],
    ]
    assert out["strings"][1] == ["a", "b", "z", "a", "c"]
    assert out["size"] == [[4, 3], [4, 3]]
    assert out["errors"] == ["TypeError", "TypeError", "TypeError"]


@pytest.mark.tf
@requires_tf
def test_matches_tf():
    theirs = run_tf_json(PROGRAM + "\nprint(json.dumps(out))\n")
    assert _here() == theirs

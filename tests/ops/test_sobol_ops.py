"""SobolSample (`tf.math.sobol_sample`) against TF 2.21: points bit for bit in float32
and float64 (also far into the sequence and in TF's largest dimension), the graph, the
static shapes and the errors."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = """
import json
cases = [(3, 6, 0, tf.float64), (2, 5, 3, tf.float32), (50, 200, 17, tf.float64),
         (1111, 7, 5000, tf.float32), (21200, 2, 0, tf.float64), (4, 30, 2**20, tf.float64)]
out = {}
with tf.Graph().as_default():
    samples = [tf.math.sobol_sample(d, n, skip=s, dtype=t) for d, n, s, t in cases]
    p = tf.placeholder(tf.int32, [])
    out["ops"] = [[o.name, o.type] for o in tf.get_default_graph().get_operations()][:4]
    out["shapes"] = [t.shape.as_list() for t in samples]
    out["unknown"] = tf.math.sobol_sample(p, 4).shape.as_list()
    with tf.Session() as sess:
        values = sess.run(samples)
    out["values"] = [v.astype(np.float64).tolist() for v in values]
    out["dtypes"] = [v.dtype.name for v in values]
errs = {}
for key, args in {"dim0": (0, 3, 0), "dimbig": (21201, 3, 0), "num": (2, 0, 0),
                  "skip": (2, 3, -1)}.items():
    with tf.Graph().as_default(), tf.Session() as sess:
        try:
            sess.run(tf.math.sobol_sample(*args[:2], skip=args[2]))
            errs[key] = None
        except tf.errors.OpError as e:
            errs[key] = [type(e).__name__, e.message]
out["errors"] = errs
try:
    tf.math.sobol_sample([2, 3], 4)
except ValueError as e:
    out["rank"] = str(e)
print(json.dumps(out))
"""


def _ours() -> dict:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(PROGRAM, {"tf": tf, "np": np})
    return json.loads(printed.getvalue().strip().splitlines()[-1])


@pytest.mark.tf
@requires_tf
def test_points_graph_and_errors_are_tfs():
    ours, theirs = _ours(), run_tf_json(PROGRAM)
    for key in ("ops", "shapes", "unknown", "values", "dtypes"):
        assert ours[key] == theirs[key], key
    for key, (cls, message) in theirs["errors"].items():
        assert ours["errors"][key][0] == cls, key
        assert ours["errors"][key][1].split("\n")[0] in message, key
    assert ours["rank"].split(" for '")[0] in theirs["rank"]


def test_first_points_leave_out_the_origin():
    with tf.Session() as sess:
        points = sess.run(tf.math.sobol_sample(2, 3, dtype=tf.float64))
    np.testing.assert_array_equal(points, [[0.5, 0.5], [0.75, 0.25], [0.25, 0.75]])

"""ApproxTopK (`tf.math.approx_max_k` / `approx_min_k`, `tf.nn` aliases) against TF 2.21:
values and index order (exact top k on CPU), static shapes (XLA's reduction sizes when
not aggregating), build-time errors, and the runtime error where TF's CPU runtime has no
kernel."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json
from tfgraph.ops.approx_top_k_ops import reduction_output_size

PROGRAM = """
import json
x = np.array([[3., 1, 3, 2, 5, 1], [0, 0, 0, -1, 7, 7]], np.float32)
y = np.array([[1., np.nan, 3, -np.inf], [5, 2, np.nan, 0]], np.float32)
big = np.random.RandomState(0).randint(0, 5, size=(3, 100)).astype(np.float32)
cases = {
 "max": lambda: tf.math.approx_max_k(x, 3),
 "nan": lambda: tf.math.approx_max_k(y, 3),
 "half": lambda: tf.math.approx_max_k(x.astype(np.float16), 2),
 "bf16": lambda: tf.nn.approx_max_k(tf.cast(x, tf.bfloat16), 2),
 "noagg": lambda: tf.math.approx_max_k(x, 2, aggregate_to_topk=False, recall_target=0.5),
 "3d": lambda: tf.math.approx_max_k(np.arange(24, dtype=np.float32).reshape(2, 3, 4) % 5, 2),
 "1d": lambda: tf.math.approx_max_k(np.array([1., 5, 5, 2], np.float32), 4),
 "negzero": lambda: tf.math.approx_max_k(np.array([0., -0., 0., -0.], np.float32), 4),
 "big": lambda: tf.math.approx_max_k(big, 10, name="top"),
 "override": lambda: tf.math.approx_max_k(x, 2, reduction_input_size_override=100),
 "k0": lambda: tf.math.approx_max_k(x, 0),
 "k7": lambda: tf.math.approx_max_k(x, 7),
 "dim2": lambda: tf.math.approx_max_k(x, 2, reduction_dimension=2),
 "scalar": lambda: tf.math.approx_max_k(np.float32(3), 1),
 "int": lambda: tf.math.approx_max_k(np.arange(3), 1),
 "dim0": lambda: tf.math.approx_max_k(x, 2, reduction_dimension=0),
 "min": lambda: tf.nn.approx_min_k(x, 2),
}
out = {}
for key, make in cases.items():
    try:
        with tf.Graph().as_default():
            v, i = make()
            shapes = [v.shape.as_list(), i.shape.as_list(), v.op.name, i.dtype.name]
            with tf.Session() as sess:
                vv, iv = sess.run([tf.cast(v, tf.float64), i])
            out[key] = [vv.tolist(), iv.tolist(), shapes]
    except (ValueError, TypeError) as e:
        out[key] = [type(e).__name__, str(e)]
    except tf.errors.OpError as e:
        out[key] = [type(e).__name__, e.message]
for n, k, r, o in [(10000, 50, 0.99, -1), (300, 2, 0.95, 1000), (129, 1, 0.95, -1),
                   (5000, 3, 0.5, -1), (100000, 10, 0.95, -1), (1000, 200, 0.95, -1),
                   (300, 2, 0.95, 100), (3000, 5, 0.9, -1)]:
    with tf.Graph().as_default():
        v, i = tf.math.approx_max_k(tf.zeros([1, n]), k, recall_target=r,
                                    aggregate_to_topk=False, reduction_input_size_override=o)
        w, j = tf.math.approx_max_k(tf.zeros([n]), k, recall_target=r, aggregate_to_topk=False)
        out[f"size{n},{k},{r},{o}"] = [v.shape.as_list(), w.shape.as_list()]
print(json.dumps(out).replace("NaN", '"nan"'))
"""

_NAN = float("nan")


def _ours() -> dict:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(PROGRAM, {"tf": tf, "np": np})
    return json.loads(printed.getvalue().strip().splitlines()[-1])


@pytest.fixture(scope="module")
def both():
    return _ours(), run_tf_json(PROGRAM)


@pytest.mark.tf
@requires_tf
def test_values_indices_shapes_are_tfs(both):
    ours, theirs = both
    assert ours.keys() == theirs.keys()
    for key in theirs:
        if key == "nan":  # (NaN first; TF's order next to NaNs depends on its sort)
            assert ours[key][0][0] == theirs[key][0][0] and ours[key][2] == theirs[key][2]
            continue
        if isinstance(theirs[key][0], str):
            continue
        assert ours[key] == theirs[key], key


@pytest.mark.tf
@requires_tf
def test_errors_are_tfs(both):
    ours, theirs = both
    for key in ("k7", "dim2", "scalar", "int", "dim0", "min"):
        assert ours[key][0] == theirs[key][0], key
        first = ours[key][1].split("\n")[0].split(" for '")[0]
        if key == "dim0" or key == "min":
            first = first.split(" used by")[0]
        assert first in theirs[key][1], key


def test_reduction_output_size_examples():
    assert reduction_output_size(6, 2, 2, 0.5, False, -1) == 6
    assert reduction_output_size(300, 2, 2, 0.95, False, -1) == 256
    assert reduction_output_size(10000, 2, 50, 0.99, False, -1) == 5120
    assert reduction_output_size(10000, 2, 50, 0.99, True, -1) == 50


def test_gradient_scatters_into_the_top_entries():
    x = tf.constant([[3.0, 1.0, 4.0], [0.0, 2.0, -1.0]])
    values, _ = tf.math.approx_max_k(x, 2)
    (grad,) = tf.gradients(values * tf.constant([[1.0, 2.0], [3.0, 4.0]]), [x])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(grad), [[2.0, 0.0, 1.0], [4.0, 3.0, 0.0]])


def test_raw_op_and_named_results():
    x = tf.constant([[1.0, 9.0, 4.0]])
    raw = tf.approx_top_k(x, 2)
    named = tf.nn.approx_max_k(x, 2)
    assert raw._fields == ("values", "indices") and raw.values.op.type == "ApproxTopK"
    with tf.Session() as sess:
        a, b = sess.run([raw, named])
    np.testing.assert_array_equal(a.values, [[9.0, 4.0]])
    np.testing.assert_array_equal(b.indices, [[1, 2]])


def test_min_k_has_no_cpu_kernel_as_in_tf():
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match="No OpKernel"):
        sess.run(tf.math.approx_min_k(tf.constant([[1.0, 2.0]]), 1))

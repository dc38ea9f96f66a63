"""`tf.ConditionalAccumulator`: ops, stale gradients, global steps, errors; against TF."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = """
def message(e):
    text = getattr(e, "message", str(e))
    return [l for l in text.split("\\n") if "must be" in l or "Shape" in l or "shape" in l][0][:90]


q = tf.ConditionalAccumulator(tf.float32, shape=[2], shared_name="acc")
a = q.apply_grad([1.0, 2.0], local_step=0)
t = q.take_grad(1)
n = q.num_accumulated()
s = q.set_global_step(3)
out = {"ops": [[op.name, op.type] for op in tf.get_default_graph().get_operations()],
       "t_shape": str(t.shape), "name": q.name}
with tf.Session() as sess:
    sess.run(a)
    sess.run(q.apply_grad([3.0, 4.0], local_step=0))
    out["n"] = int(sess.run(n))
    out["t"] = sess.run(t).tolist()
    out["n2"] = int(sess.run(n))
    sess.run(q.apply_grad([5.0, 5.0], local_step=0))
    out["stale"] = int(sess.run(n))
    sess.run(q.apply_grad([5.0, 5.0], local_step=1))
    out["fresh"] = int(sess.run(n))
    sess.run(s)
    sess.run(q.apply_grad([5.0, 5.0], local_step=2))
    out["after_set"] = int(sess.run(n))
    for key, f in (("zero", lambda: sess.run(q.take_grad(0))),
                   ("shape", lambda: q.apply_grad([1.0, 2.0, 3.0])),
                   ("rank", lambda: sess.run(q.apply_grad([[1.0, 2.0]], local_step=5)))):
        try:
            f()
            out[key] = "ok"
        except Exception as e:
            out[key] = [type(e).__name__, message(e)]
    q2 = tf.ConditionalAccumulator(tf.float64, reduction_type="SUM", name="sum_acc")
    sess.run(q2.apply_grad([1.0, 2.0]))
    sess.run(q2.apply_grad([1.0, 2.0]))
    out["sum"] = sess.run(q2.take_grad(2)).tolist()
"""


def _ours() -> dict:
    scope = {"tf": tf, "np": np}
    exec(PROGRAM, scope)
    return scope["out"]


def test_accumulates_drops_stale_gradients_and_counts_steps():
    out = _ours()
    assert [op for _, op in out["ops"]][:2] == ["ResourceConditionalAccumulator", "Const"]
    assert (out["n"], out["t"], out["n2"]) == (2, [2.0, 3.0], 0)
    assert (out["stale"], out["fresh"], out["after_set"]) == (0, 1, 1)
    assert out["zero"] == [
        "InvalidArgumentError",
        "Argument num_required must be positive, but was 0",
    ]
    assert out["shape"][0] == "ValueError" and out["sum"] == [2.0, 4.0]


def test_take_grad_waits_for_enough_gradients():
    q = tf.ConditionalAccumulator(tf.float32, shape=[])
    take = q.take_grad(2)
    apply = q.apply_grad(tf.placeholder_with_default(1.0, []))
    with tf.Session() as sess:
        got = []
        taker = threading.Thread(target=lambda: got.append(sess.run(take)))
        taker.start()
        sess.run(apply)
        time.sleep(0.2)
        assert not got  # (one of two)
        sess.run(apply)
        taker.join(timeout=10)
        assert got == [1.0]


@pytest.mark.tf
@requires_tf
def test_matches_tensorflow():
    assert _ours() == run_tf_json(PROGRAM + "\nprint(json.dumps(out))")


SPARSE_PROGRAM = """
def message(e):
    text = getattr(e, "message", str(e))
    keys = ("must be", "Shape", "should be", "cannot be", "non-empty", "notification")
    return [l for l in text.split("\\n") if any(k in l for k in keys)][0][:120]


def value(v):
    return [np.asarray(x).tolist() for x in v]


q = tf.SparseConditionalAccumulator(tf.float32, shape=[4, 2], shared_name="acc")
a = q.apply_grad([2, 0], [[1.0, 2.0], [3.0, 4.0]], local_step=0)
a2 = q.apply_grad(grad_indices=[2, 3], grad_values=[[5.0, 6.0], [7.0, 8.0]], grad_shape=[4, 2])
t = q.take_grad(1)
ti = q.take_indexed_slices_grad(1, name="slices")
n = q.num_accumulated()
s = q.set_global_step(3)
out = {"ops": [[op.name, op.type, [i.name for i in op.inputs]]
               for op in tf.get_default_graph().get_operations()],
       "ref": [str(q.accumulator_ref.dtype), str(q.accumulator_ref.shape)],
       "take": [type(t).__name__, list(t._fields), str(t.indices.shape), t.values.dtype.name],
       "slices": [type(ti).__name__, ti.indices.name], "name": q.name,
       "has_known_shape": [a.get_attr("has_known_shape"), a2.get_attr("has_known_shape")]}
with tf.Session() as sess:
    out["handle"] = [b.decode() for b in sess.run(q.accumulator_ref)]
    sess.run(a)
    sess.run(a2)
    out["n"] = int(sess.run(n))
    out["t"] = value(sess.run(t))
    out["n2"] = int(sess.run(n))
    sess.run(q.apply_grad([1], [[1.0, 1.0]], local_step=0))
    out["stale"] = int(sess.run(n))
    sess.run(q.apply_grad([1], [[1.0, 1.0]], local_step=1))
    sess.run(q.apply_indexed_slices_grad(
        tf.IndexedSlices(tf.constant([[3.0, 1.0], [2.0, 2.0]]), tf.constant([1, 0]),
                         tf.constant([4, 2])), local_step=1))
    got = sess.run(ti)
    out["ti"] = value([got.indices, got.values, got.dense_shape])
    sess.run(s)
    sess.run(q.apply_grad([3], [[1.0, 1.0]], local_step=3))
    out["after_set"] = int(sess.run(n))
    sess.run(q.apply_grad([-1], [[5.0, 5.0]], local_step=3))
    wait = tf.RunOptions(timeout_in_ms=5000)
    out["negative_index"] = value(sess.run(q.take_grad(2), options=wait))
    cases = {
        "zero": lambda: q.take_grad(0),
        "index": lambda: q.apply_grad([5], [[1.0, 2.0]], local_step=9),
        "dense_dim": lambda: q.apply_grad([1], [[1.0, 2.0]], grad_shape=[4, 3], local_step=9),
        "dense_rank": lambda: q.apply_grad([1], [[1.0, 2.0]], grad_shape=[4], local_step=9),
        "values_rank": lambda: q.apply_grad([1], [1.0], local_step=9),
        "values_dim": lambda: q.apply_grad([1], [[1.0, 2.0, 3.0]], local_step=9),
        "indices_rank": lambda: q.apply_grad([[1]], [[1.0, 2.0]], local_step=9),
        "scalar": lambda: q.apply_grad([1], 1.0, local_step=9),
        "count": lambda: q.apply_grad([1, 2], [[1.0, 2.0]], local_step=9),
        "stale_bad": lambda: q.apply_grad([9], [1.0], local_step=0),
    }
    for key, f in cases.items():
        try:
            sess.run(f())
            out[key] = "ok"
        except Exception as e:
            out[key] = [type(e).__name__, message(e)]
    try:
        sess.run(q.take_grad(1), options=tf.RunOptions(timeout_in_ms=200))
    except Exception as e:
        out["timeout"] = [type(e).__name__, message(e)]

    u = tf.SparseConditionalAccumulator(tf.float32, name="scope/unknown")
    sess.run(u.apply_grad([3, 1], [[1.0, 2.0], [3.0, 4.0]]))
    sess.run(u.apply_grad([0, 5, 1], [[1.0, 2.0], [3.0, 4.0], [1.0, 1.0]]))
    out["unknown"] = value(sess.run(u.take_grad(2))) + [u.name, u.num_accumulated().name]
    sess.run(u.apply_grad([1], [[1.0, 2.0]], local_step=1))
    for key, f in (("rank_after", lambda: u.apply_grad([1], [1.0], local_step=1)),
                   ("dim_after", lambda: u.apply_grad([1], [[1.0, 2.0, 3.0]], local_step=1))):
        try:
            sess.run(f())
            out[key] = "ok"
        except Exception as e:
            out[key] = [type(e).__name__, message(e)]

    m = tf.SparseConditionalAccumulator(tf.float64, shape=[3, 2, 2], reduction_type="SUM")
    sess.run(m.apply_grad([1, 2], np.ones([2, 2, 2])))
    sess.run(m.apply_grad([2], np.full([1, 2, 2], 2.5)))
    sess.run(m.apply_grad(np.zeros([0], np.int64), np.zeros([0, 2, 2])))
    out["sum"] = value(sess.run(m.take_grad(3)))
    h = tf.SparseConditionalAccumulator(tf.float16, shape=[None, 1])
    sess.run(h.apply_grad([0, 1], np.array([[1.0], [2.0]], np.float16)))
    sess.run(h.apply_grad([0], np.array([[0.2]], np.float16)))
    sess.run(h.apply_grad([0], np.array([[0.3]], np.float16)))
    out["half"] = value(sess.run(h.take_grad(3)))
    try:
        sess.run(tf.SparseConditionalAccumulator(tf.int32).num_accumulated())
    except Exception as e:
        out["int32"] = [type(e).__name__, "No OpKernel was registered" in getattr(e, "message", "")]
for key, f in (("bad_dtype", lambda: tf.SparseConditionalAccumulator(tf.string)),
               ("bad_reduction", lambda: tf.SparseConditionalAccumulator(tf.float32,
                                                                         reduction_type="MAX"))):
    try:
        f()
    except Exception as e:
        out[key] = type(e).__name__
"""


def _sparse_ours() -> dict:
    scope = {"tf": tf, "np": np}
    exec(SPARSE_PROGRAM, scope)
    return scope["out"]


def test_sparse_accumulator_merges_rows_and_averages_each_row():
    out = _sparse_ours()
    # (rows merged in one ordered walk; MEAN divides each row by its own count)
    assert out["t"] == [[2, 0, 3], [[3.0, 4.0], [3.0, 4.0], [7.0, 8.0]], [4, 2]]
    assert out["ti"] == [[1, 0], [[2.0, 1.0], [2.0, 2.0]], [4, 2]]
    assert (out["n"], out["n2"], out["stale"], out["after_set"]) == (2, 0, 0, 1)
    assert out["unknown"][:3] == [
        [0, 3, 1, 5, 1],
        [[1, 2], [1, 2], [3, 4], [3, 4], [1, 1]],
        [-1, 2],
    ]
    assert out["timeout"] == ["DeadlineExceededError", "Timed out waiting for notification"]
    assert out["index"][1].endswith("index is 5 exceeded 4")
    assert out["stale_bad"] == "ok"  # (a stale gradient is dropped unchecked)


def test_sparse_take_grad_waits_for_enough_gradients():
    q = tf.SparseConditionalAccumulator(tf.float32, shape=[None])
    take = q.take_grad(2)
    apply = q.apply_grad([1], tf.placeholder_with_default([1.0], [1]))
    with tf.Session() as sess:
        got = []
        taker = threading.Thread(target=lambda: got.append(sess.run(take)))
        taker.start()
        sess.run(apply)
        time.sleep(0.2)
        assert not got  # (one of two)
        sess.run(apply)
        taker.join(timeout=10)
        assert [v.tolist() for v in got[0]] == [[1], [1.0], [-1]]


def test_sparse_gradient_of_another_dtype_is_an_error():
    # (TF's kernel aborts the process on this; tfgraph raises)
    q = tf.SparseConditionalAccumulator(tf.float64, shape=[3])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="cast them to float64"):
            sess.run(q.apply_grad([1], [2]))


@pytest.mark.tf
@requires_tf
def test_sparse_matches_tensorflow():
    assert _sparse_ours() == run_tf_json(SPARSE_PROGRAM + "\nprint(json.dumps(out))")

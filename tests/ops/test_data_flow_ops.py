"""Queues: FIFOQueue, RandomShuffleQueue, PaddingFIFOQueue, PriorityQueue (ops, blocking,
timeouts, closing), compared with TensorFlow where deterministic."""

from __future__ import annotations

import json
import re
import threading
import time

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.ndarray, np.generic)):
        return _jsonable(value.tolist())
    if isinstance(value, bytes):
        return value.decode()
    return value


def run_here(code: str):
    """Runs `code` (which sets `result`) with tfgraph as `tf`, in a fresh graph."""
    scope = {"tf": tf, "np": np}
    with tf.Graph().as_default():
        exec(code, scope)
    return json.loads(json.dumps(_jsonable(scope["result"])))


def run_both(code: str):
    here = run_here(code)
    prelude = ""
    theirs = run_tf_json(
        prelude
        + "\nimport inspect\n"
        + _JSONABLE_SRC
        + code
        + "\nprint(json.dumps(_jsonable(result)))\n"
    )
    return here, theirs


_JSONABLE_SRC = """
def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.ndarray, np.generic)):
        return _jsonable(value.tolist())
    if isinstance(value, bytes):
        return value.decode()
    return value
"""

_ERRORS = """
def error(fn):
    try:
        fn()
    except tf.errors.OpError as e:
        return [type(e).__name__, e.message]
    return None
"""

FIFO_PROGRAM = (
    _ERRORS
    + """
q = tf.FIFOQueue(3, [tf.int32, tf.float32], shapes=[[], [2]])
e = q.enqueue([1, [1., 2.]])
em = q.enqueue_many([[2, 3], [[3., 4.], [5., 6.]]])
d = q.dequeue()
dm = q.dequeue_many(2)
du = q.dequeue_up_to(5)
result = {
    "names": [q.name, e.name, em.name, d[0].op.name, dm[0].op.name, du[0].op.name,
              q.size().op.name, q.close().name, q.is_closed().op.name],
    "types": [q.queue_ref.op.type, e.type, em.type, d[0].op.type, dm[0].op.type,
              du[0].op.type],
    "shapes": [str(t.shape) for t in d + dm + du],
}
with tf.Session() as s:
    s.run(e)
    s.run(em)
    result["size"] = s.run(q.size())
    result["d"] = s.run(d)
    result["dm"] = s.run(dm)
    result["timeout"] = error(lambda: s.run(d, options=tf.RunOptions(timeout_in_ms=20)))
    s.run(q.enqueue_many([[7, 8], [[1., 1.], [2., 2.]]]))
    s.run(q.close())
    result["closed"] = s.run(q.is_closed())
    result["enqueue_closed"] = error(lambda: s.run(e))
    result["du"] = s.run(du)
    result["du_empty"] = error(lambda: s.run(du))
    result["d_empty"] = error(lambda: s.run(d))
"""
)


def _phrase(err):
    """An error's class and its message without TF's node annotations (and with the
    per-process number in a queue's shared name, `_0_fifo_queue`, left out)."""
    if err is None:
        return None
    cls, message = err
    lines = [ln for ln in message.splitlines() if ln and "[[{{node" not in ln]
    return [cls, re.sub(r"'_\d+_", "'_N_", lines[-1])]


@pytest.mark.tf
@requires_tf
def test_fifo_queue_matches_tf():
    here, theirs = run_both(FIFO_PROGRAM)
    for key in ("timeout", "enqueue_closed", "du_empty", "d_empty"):
        here[key], theirs[key] = _phrase(here[key]), _phrase(theirs[key])
    assert here == theirs


def test_fifo_queue_semantics():
    r = run_here(FIFO_PROGRAM)
    assert r["d"] == [1, [1.0, 2.0]]
    assert r["dm"] == [[2, 3], [[3.0, 4.0], [5.0, 6.0]]]
    assert r["du"] == [[7, 8], [[1.0, 1.0], [2.0, 2.0]]]
    assert _phrase(r["timeout"]) == ["DeadlineExceededError", "Timed out waiting for notification"]
    assert r["enqueue_closed"][0] == "CancelledError"
    assert "is closed." in r["enqueue_closed"][1]
    assert r["d_empty"][0] == "OutOfRangeError"
    assert (
        "is closed and has insufficient elements (requested 1, current size 0)" in (r["d_empty"][1])
    )
    assert r["names"][0] == "fifo_queue"


PADDING_PRIORITY_PROGRAM = (
    _ERRORS
    + """
p = tf.PaddingFIFOQueue(5, [tf.int32, tf.string], shapes=[[None], []])
pq = tf.PriorityQueue(5, [tf.string], shapes=[[]])
f = tf.FIFOQueue(5, tf.int32)
f2 = tf.FIFOQueue(5, tf.int32, shapes=[[2]])
result = {"p_shapes": [str(t.shape) for t in p.dequeue_many(2)],
          "pq": [pq.dtypes[0].name, str(pq.shapes)]}
with tf.Session() as s:
    s.run(p.enqueue([[1, 2, 3], "a"]))
    s.run(p.enqueue([[4], "b"]))
    result["p"] = s.run(p.dequeue_many(2))
    s.run(pq.enqueue_many([[3, 1, 2], ["c", "a", "b"]]))
    result["pq_values"] = s.run(pq.dequeue_many(3))
    s.run(f.enqueue(1))
    result["unknown_shapes"] = error(lambda: s.run(f.dequeue_many(1)))
    result["bad_shape"] = error(
        lambda: s.run(f2.enqueue(tf.placeholder_with_default([1, 2, 3], [None]))))
"""
)


@pytest.mark.tf
@requires_tf
def test_padding_and_priority_queues_match_tf():
    here, theirs = run_both(PADDING_PRIORITY_PROGRAM)
    for key in ("unknown_shapes", "bad_shape"):
        here[key], theirs[key] = _phrase(here[key]), _phrase(theirs[key])
    assert here == theirs


def test_padding_and_priority_queues():
    r = run_here(PADDING_PRIORITY_PROGRAM)
    assert r["p"] == [[[1, 2, 3], [4, 0, 0]], ["a", "b"]]
    assert r["pq_values"] == [[1, 2, 3], ["a", "b", "c"]]
    assert _phrase(r["bad_shape"]) == [
        "InvalidArgumentError",
        "Shape mismatch in tuple component 0. Expected [2], got [3]",
    ]
    assert _phrase(r["unknown_shapes"]) == [
        "InvalidArgumentError",
        "FIFOQueue's DequeueMany and DequeueUpTo require the components to have specified shapes.",
    ]


def test_random_shuffle_queue_is_seeded_and_keeps_min_after_dequeue():
    def draw():
        with tf.Graph().as_default():
            tf.set_random_seed(1)
            q = tf.RandomShuffleQueue(10, 2, tf.int32, shapes=[[]], seed=3)
            assert q.queue_ref.op.get_attr("seed") == 1
            assert q.queue_ref.op.get_attr("seed2") == 3
            with tf.Session() as s:
                s.run(q.enqueue_many([list(range(10))]))
                first = s.run(q.dequeue_many(4)).tolist()
                with pytest.raises(tf.errors.DeadlineExceededError):
                    # 6 left, 2 kept back: 5 are not available
                    s.run(q.dequeue_many(5), options=tf.RunOptions(timeout_in_ms=20))
                s.run(q.close())
                rest = s.run(q.dequeue_up_to(10)).tolist()
        return first, rest

    first, rest = draw()
    assert sorted(first + rest) == list(range(10))
    assert first != [0, 1, 2, 3]
    assert draw() == (first, rest)


def test_blocked_dequeue_wakes_when_another_thread_enqueues():
    q = tf.FIFOQueue(2, tf.int32, shapes=[[]])
    d = q.dequeue()
    e = q.enqueue(5)
    with tf.Session() as s:
        got = []
        t = threading.Thread(target=lambda: got.append(s.run(d)))
        t.start()
        time.sleep(0.05)
        s.run(e)
        t.join(5)
        assert not t.is_alive()
        assert got == [5]


def test_enqueue_blocks_while_full_and_close_cancels_pending_enqueues():
    q = tf.FIFOQueue(1, tf.int32, shapes=[[]])
    e = q.enqueue(1)
    with tf.Session() as s:
        s.run(e)
        with pytest.raises(tf.errors.DeadlineExceededError):
            s.run(e, options=tf.RunOptions(timeout_in_ms=20))
        errs = []

        def blocked():
            try:
                s.run(e)
            except tf.errors.OpError as err:
                errs.append(err)

        t = threading.Thread(target=blocked)
        t.start()
        time.sleep(0.05)
        s.run(q.close(cancel_pending_enqueues=True))
        t.join(5)
        assert not t.is_alive()
        assert isinstance(errs[0], tf.errors.CancelledError)
        assert "Enqueue operation was cancelled" in errs[0].message
        assert s.run(q.dequeue_up_to(3)).tolist() == [1]


def test_closing_the_session_cancels_a_blocked_dequeue():
    q = tf.FIFOQueue(1, tf.int32, shapes=[[]])
    d = q.dequeue()
    s = tf.Session()
    errs = []

    def blocked():
        try:
            s.run(d)
        except tf.errors.OpError as err:
            errs.append(err)

    t = threading.Thread(target=blocked)
    t.start()
    time.sleep(0.05)
    s.close()
    t.join(5)
    assert not t.is_alive()
    assert isinstance(errs[0], tf.errors.CancelledError)
    assert "Dequeue operation was cancelled" in errs[0].message


def test_operation_timeout_from_the_session_config():
    q = tf.FIFOQueue(1, tf.int32, shapes=[[]])
    config = tf.ConfigProto(operation_timeout_in_ms=20)
    with tf.Session(config=config) as s:
        with pytest.raises(tf.errors.DeadlineExceededError):
            s.run(q.dequeue())


def test_shared_name_shares_one_queue_between_ops():
    q1 = tf.FIFOQueue(3, tf.int32, shapes=[[]], shared_name="shared")
    q2 = tf.FIFOQueue(3, tf.int32, shapes=[[]], shared_name="shared")
    with tf.Session() as s:
        s.run(q1.enqueue(4))
        assert s.run(q2.dequeue()) == 4


def test_named_components_enqueue_and_dequeue_dicts():
    q = tf.FIFOQueue(3, [tf.int32, tf.float32], shapes=[[], []], names=["a", "b"])
    with tf.Session() as s:
        s.run(q.enqueue({"a": 1, "b": 2.0}))
        out = s.run(q.dequeue())
    assert out == {"a": 1, "b": 2.0}
    with pytest.raises(ValueError, match="must enqueue a dictionary"):
        q.enqueue([1, 2.0])


def test_build_time_shape_checks():
    q = tf.FIFOQueue(3, tf.int32, shapes=[[2]])
    with pytest.raises(ValueError, match="incompatible"):
        q.enqueue([1, 2, 3])
    with pytest.raises(ValueError, match="fully defined"):
        tf.FIFOQueue(3, tf.int32, shapes=[[None]])


def test_closing_the_queue_ends_a_blocked_dequeue_with_out_of_range():
    q = tf.FIFOQueue(2, tf.int32, shapes=[[]])
    d = q.dequeue_many(2)
    with tf.Session() as s:
        s.run(q.enqueue(7))
        errs = []

        def blocked():
            try:
                s.run(d, options=tf.RunOptions(timeout_in_ms=5000))
            except tf.errors.OpError as err:
                errs.append(err)

        t = threading.Thread(target=blocked)
        t.start()
        time.sleep(0.05)
        s.run(q.close())
        t.join(5)
        assert not t.is_alive()
        assert isinstance(errs[0], tf.errors.OutOfRangeError)
        # (as TF: the waiting dequeue held the element, and lacked one more)
        assert "is closed and has insufficient elements (requested 1, current size 0)" in (
            errs[0].message
        )
        assert s.run(q.dequeue_up_to(2)).tolist() == [7]


def test_many_threads_share_one_queue():
    q = tf.FIFOQueue(5, tf.int32, shapes=[[]])
    value = tf.placeholder(tf.int32, [])
    enqueue = q.enqueue(value)
    dequeue = q.dequeue()
    with tf.Session() as s:
        got = []
        lock = threading.Lock()

        def producer(base):
            for i in range(50):
                s.run(enqueue, {value: base + i}, options=tf.RunOptions(timeout_in_ms=5000))

        def consumer():
            for _ in range(50):
                v = s.run(dequeue, options=tf.RunOptions(timeout_in_ms=5000))
                with lock:
                    got.append(int(v))

        threads = [threading.Thread(target=producer, args=(k * 100,)) for k in range(3)]
        threads += [threading.Thread(target=consumer) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        assert not any(t.is_alive() for t in threads)
    assert sorted(got) == sorted(k * 100 + i for k in range(3) for i in range(50))


CLOSE_WAITS_PROGRAM = """
import threading, time
q = tf.FIFOQueue(1, tf.int32, shapes=[[]])
e = q.enqueue(2)
close = q.close()
result = {}
with tf.Session() as s:
    s.run(q.enqueue(1))
    log = []
    def enqueuer():
        s.run(e)
        log.append("enqueued")
    def closer():
        s.run(close)
        log.append("closed")
    a = threading.Thread(target=enqueuer)
    a.start()
    time.sleep(0.3)
    b = threading.Thread(target=closer)
    b.start()
    time.sleep(0.3)
    result["while_pending"] = [list(log), bool(s.run(q.is_closed()))]
    result["first"] = int(s.run(q.dequeue()))
    a.join(10)
    b.join(10)
    result["after"] = [sorted(log), bool(s.run(q.is_closed()))]
    result["second"] = int(s.run(q.dequeue()))
    try:
        s.run(e)
    except tf.errors.CancelledError as err:
        result["new"] = [l for l in err.message.splitlines() if "closed" in l][0].split("'")[2]
"""


@pytest.mark.tf
@requires_tf
def test_close_waits_for_pending_enqueues_as_tf():
    here, theirs = run_both(CLOSE_WAITS_PROGRAM)
    assert here == theirs


def test_close_waits_for_pending_enqueues():
    r = run_here(CLOSE_WAITS_PROGRAM)
    # the close took effect once the enqueue waiting before it was done
    assert r["while_pending"] == [[], False]
    assert r["after"] == [["closed", "enqueued"], True]
    assert (r["first"], r["second"], r["new"]) == (1, 2, " is closed.")


def test_dequeue_many_batches_are_fresh_writable_arrays_of_every_kind():
    """A batch is a new array equal to the stacked elements, whatever the elements are
    (whole arrays, rows of an enqueue_many, strided views, strings), and writing into it
    changes nothing queued."""
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    with tf.Graph().as_default():
        q = tf.FIFOQueue(10, [tf.float32, tf.int64, tf.string], [[3], [], []])
        fed = tf.placeholder(tf.float32, [3])
        enqueue_one = q.enqueue([fed, tf.constant(7, tf.int64), tf.constant(b"ab")])
        enqueue_rows = q.enqueue_many(
            [
                base[:, :3],
                tf.constant([1, 2, 3, 4], tf.int64),
                tf.constant([b"c", b"d", b"e", b"f"]),
            ]
        )
        x, n, s = q.dequeue_many(5)
        with tf.Session() as sess:
            sess.run(enqueue_one, {fed: base[0, ::2]})  # (a strided view)
            sess.run(enqueue_rows)
            xs, ns, ss = sess.run([x, n, s])
    np.testing.assert_array_equal(xs, np.vstack([base[0, ::2], base[:, :3]]))
    assert xs.dtype == np.float32 and xs.flags.writeable and xs.flags.c_contiguous
    assert ns.tolist() == [7, 1, 2, 3, 4] and ns.dtype == np.int64
    assert ss.tolist() == [b"ab", b"c", b"d", b"e", b"f"]
    xs[:] = -1
    assert base.min() == 0

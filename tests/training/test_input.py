"""Input producers and batching (`tf.train.string_input_producer`, `batch`, ...), queue
runners and the coordinator, compared with TensorFlow where deterministic."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import tfgraph as tf
from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PIPELINE_PROGRAM = """
def last_line(e):
    line = [ln for ln in e.message.splitlines() if ln and "[[{{node" not in ln][-1]
    return re.sub(r"'_[0-9]+_", "'_N_", line)
import re
result = {}
tf.set_random_seed(7)
fq = tf.train.string_input_producer(["a", "b", "c"], num_epochs=2, shuffle=False)
rq = tf.train.range_input_producer(5, num_epochs=1, shuffle=False)
sl = tf.train.slice_input_producer(
    [tf.constant([1, 2, 3]), tf.constant([[1., 1.], [2., 2.], [3., 3.]])],
    num_epochs=1, shuffle=False)
x = tf.train.limit_epochs(tf.constant([1, 2]), 2)
b = tf.train.batch([sl[0], sl[1]], 2, allow_smaller_final_batch=True)
b1 = tf.train.batch([rq.dequeue()], 2)
sb = tf.train.shuffle_batch({"k": tf.constant(1.0)}, 4, 20, 5)
bj = tf.train.batch_join([[tf.constant([1, 2])], [tf.constant([3, 4])]], 2, dynamic_pad=True)
sbj = tf.train.shuffle_batch_join([[tf.constant(1)], [tf.constant(2)]], 3, 10, 2)
mb = tf.train.maybe_batch([tf.constant(1)], tf.constant(True), 2)
result["names"] = sorted(
    op.name + ":" + op.type for op in tf.get_default_graph().get_operations()
    if "Assert" not in op.name)
result["qr"] = [qr.name for qr in tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)]
result["local"] = [v.op.name for v in tf.local_variables()]
result["summaries"] = [s.op.name for s in tf.get_collection(tf.GraphKeys.SUMMARIES)]
result["shapes"] = [str(t.shape) for t in [b[0], b[1], b1, sb["k"], bj, sbj, mb]]
with tf.Session() as s:
    s.run(tf.local_variables_initializer())
    coord = tf.train.Coordinator()
    threads = tf.train.start_queue_runners(s, coord)
    out = []
    try:
        while True:
            out.append(s.run(fq.dequeue()))
    except tf.errors.OutOfRangeError as e:
        result["fq_err"] = last_line(e)
    result["fq"] = out
    got = []
    try:
        while True:
            got.append(s.run(b))
    except tf.errors.OutOfRangeError as e:
        result["b_err"] = last_line(e)
    result["b"] = got
    result["b1"] = [s.run(b1), s.run(b1)]
    result["bj"] = [sorted(r) in ([1, 2], [3, 4]) for r in s.run(bj).tolist()]
    result["x"] = [s.run(x), s.run(x)]
    try:
        s.run(x)
    except tf.errors.OutOfRangeError as e:
        result["x_err"] = last_line(e)
    coord.request_stop()
    coord.join(threads, stop_grace_period_secs=5)
"""


@pytest.mark.tf
@requires_tf
def test_producers_and_batching_match_tf():
    here, theirs = run_both(PIPELINE_PROGRAM)
    assert here == theirs


def test_producers_and_batching():
    r = run_here(PIPELINE_PROGRAM)
    assert r["fq"] == ["a", "b", "c", "a", "b", "c"]
    assert r["fq_err"] == (
        "FIFOQueue '_N_input_producer' is closed and has insufficient elements (requested 1, "
        "current size 0)"
    )
    assert r["b"] == [[[1, 2], [[1.0, 1.0], [2.0, 2.0]]], [[3], [[3.0, 3.0]]]]
    assert r["b1"] == [[0, 1], [2, 3]]
    assert r["x_err"] == "Reached limit of 2"
    assert "input_producer/fraction_of_32_full" in r["summaries"]
    assert "shuffle_batch/fraction_over_5_of_15_full" in r["summaries"]
    assert r["local"][0] == "input_producer/limit_epochs/epochs"


def test_shuffled_producer_covers_every_epoch():
    tf.set_random_seed(3)
    q = tf.train.string_input_producer(["a", "b", "c", "d"], num_epochs=3, seed=1)
    d = q.dequeue()
    with tf.Session() as s:
        s.run(tf.local_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(s, coord)
        seen = []
        with pytest.raises(tf.errors.OutOfRangeError):
            for _ in range(20):
                seen.append(s.run(d))
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=5)
    assert len(seen) == 12
    for k in range(3):
        assert sorted(seen[4 * k : 4 * k + 4]) == [b"a", b"b", b"c", b"d"]


def test_num_epochs_needs_local_variables_initialized():
    q = tf.train.string_input_producer(["a"], num_epochs=1)
    with tf.Session() as s:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(s, coord)
        coord.wait_for_stop(5)
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value"):
            coord.join(threads, stop_grace_period_secs=5)
        with pytest.raises(tf.errors.OutOfRangeError):  # (cancelled when the coord stopped)
            s.run(q.dequeue(), options=tf.RunOptions(timeout_in_ms=1000))


def test_bad_arguments():
    with pytest.raises(ValueError, match="requires a non-null input tensor"):
        tf.train.string_input_producer([])
    with pytest.raises(ValueError, match="num_epochs must be > 0 not 0."):
        tf.train.limit_epochs(tf.constant(1), 0)
    with pytest.raises(ValueError, match="capacity 5 must be bigger than min_after_dequeue 5."):
        tf.train.shuffle_batch([tf.constant(1)], 2, 5, 5)
    with pytest.raises(ValueError, match="Cannot start queue runners: No default session"):
        tf.train.start_queue_runners()
    sparse = tf.SparseTensor([[0, 0]], [1.0], [1, 2])
    with pytest.raises(NotImplementedError, match="Batching SparseTensors"):
        tf.train.batch([sparse], 2)


def test_coordinator_reports_the_first_error_and_treats_out_of_range_as_clean():
    coord = tf.train.Coordinator()

    def fails():
        with coord.stop_on_exception():
            raise RuntimeError("boom")

    def waits():
        while not coord.should_stop():
            time.sleep(0.01)

    threads = [threading.Thread(target=fails), threading.Thread(target=waits)]
    for t in threads:
        t.start()
    with pytest.raises(RuntimeError, match="boom"):
        coord.join(threads, stop_grace_period_secs=5)
    assert coord.joined

    clean = tf.train.Coordinator()
    clean.request_stop(tf.errors.OutOfRangeError(None, None, "done"))
    assert clean.should_stop()
    clean.join([])  # nothing re-raised
    clean.clear_stop()
    assert not clean.should_stop()


def test_coordinator_join_names_threads_that_do_not_stop():
    coord = tf.train.Coordinator()
    release = threading.Event()
    t = threading.Thread(target=release.wait, name="stuck")
    t.start()
    coord.request_stop()
    try:
        with pytest.raises(
            RuntimeError, match="Coordinator stopped with threads still running: stuck"
        ):
            coord.join([t], stop_grace_period_secs=0.05)
    finally:
        release.set()
        t.join(5)


def test_queue_runner_reports_errors_through_the_coordinator():
    q = tf.FIFOQueue(10, tf.float32, shapes=[[]])
    bad = tf.check_numerics(tf.constant(np.nan, tf.float32), "bad value")
    qr = tf.train.QueueRunner(q, [q.enqueue(bad)])
    with tf.Session() as s:
        coord = tf.train.Coordinator()
        threads = qr.create_threads(s, coord=coord, start=True)
        assert len(threads) == 2  # the enqueue thread and the one closing on stop
        with pytest.raises(tf.errors.InvalidArgumentError, match="bad value"):
            coord.join(threads, stop_grace_period_secs=5)
        assert s.run(q.is_closed())  # cancelled when the coordinator stopped


def _write_csv(tmp_path, n_files=2, rows=10):
    names = []
    rng = np.random.default_rng(0)
    for f in range(n_files):
        path = tmp_path / f"part{f}.csv"
        lines = []
        for _ in range(rows):
            x1, x2 = rng.uniform(-1, 1, 2)
            lines.append(f"{x1:.4f},{x2:.4f},{2 * x1 - 3 * x2 + 0.5:.4f}")
        path.write_text("\n".join(lines) + "\n")
        names.append(str(path))
    return names


def test_csv_pipeline_trains_to_the_end_of_its_epochs(tmp_path):
    """string_input_producer -> TextLineReader -> decode_csv -> shuffle_batch -> SGD on
    a linear model, until the epochs run out; every run bounded by a timeout."""
    files = _write_csv(tmp_path, n_files=2, rows=50)
    tf.set_random_seed(0)
    filename_queue = tf.train.string_input_producer(files, num_epochs=40, seed=1)
    _, line = tf.TextLineReader().read(filename_queue)
    x1, x2, y = tf.decode_csv(line, [[0.0], [0.0], [0.0]])
    features = tf.stack([x1, x2])
    xb, yb = tf.train.shuffle_batch(
        [features, y],
        batch_size=10,
        capacity=60,
        min_after_dequeue=20,
        num_threads=2,
        seed=2,
        allow_smaller_final_batch=True,
    )
    w = tf.Variable(tf.zeros([2, 1]))
    b = tf.Variable(0.0)
    pred = tf.squeeze(tf.matmul(xb, w), 1) + b
    loss = tf.reduce_mean(tf.square(pred - yb))
    step = tf.train.GradientDescentOptimizer(0.2).minimize(loss)
    options = tf.RunOptions(timeout_in_ms=10000)
    with tf.Session() as s:
        s.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(s, coord)
        examples = 0
        try:
            while not coord.should_stop():
                _, n = s.run([step, tf.shape(yb)[0]], options=options)
                examples += n
        except tf.errors.OutOfRangeError:
            pass
        finally:
            coord.request_stop()
        coord.join(threads, stop_grace_period_secs=10)
        w_val, b_val = s.run([w, b])
    assert examples == 2 * 50 * 40
    np.testing.assert_allclose(w_val.ravel(), [2.0, -3.0], atol=0.02)
    assert abs(b_val - 0.5) < 0.02
    assert not any(t.is_alive() for t in threads)


QUEUE_RUNNER_PROTO_PROGRAM = """
q = tf.FIFOQueue(3, tf.int32, shapes=[[]], name="q")
qr = tf.train.QueueRunner(q, [q.enqueue(1)])
tf.train.add_queue_runner(qr)
mg = tf.train.export_meta_graph()
result = {"def": str(qr.to_proto()),
          "col": len(mg.collection_def["queue_runners"].bytes_list.value)}
with tf.Graph().as_default():
    tf.train.import_meta_graph(mg)
    (qr2,) = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)
    result["imported"] = [qr2.queue.name, [o.name for o in qr2.enqueue_ops], qr2.close_op.name,
                          qr2.cancel_op.name]
"""


@pytest.mark.tf
@requires_tf
def test_queue_runner_def_in_meta_graphs_matches_tf():
    here, theirs = run_both(QUEUE_RUNNER_PROTO_PROGRAM)
    assert here == theirs


def test_queue_runner_round_trips_through_a_meta_graph():
    r = run_here(QUEUE_RUNNER_PROTO_PROGRAM)
    assert r["col"] == 1
    assert r["imported"] == ["q", ["q_enqueue"], "q_Close", "q_Close_1"]
    assert "queue_closed_exception_types: OUT_OF_RANGE" in r["def"]


def test_example_protos_are_in_tf_train():
    ex = tf.train.Example(
        features=tf.train.Features(
            feature={
                "a": tf.train.Feature(int64_list=tf.train.Int64List(value=[1, 2])),
                "b": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"x"])),
                "c": tf.train.Feature(float_list=tf.train.FloatList(value=[0.5])),
            }
        )
    )
    again = tf.train.Example.FromString(ex.SerializeToString())
    assert list(again.features.feature["a"].int64_list.value) == [1, 2]


_RUN_IMPORTED_PIPELINE = """
with tf.Session() as s:
    s.run(tf.local_variables_initializer())
    coord = tf.train.Coordinator()
    threads = tf.train.start_queue_runners(s, coord)
    batches = []
    try:
        while True:
            batches.append(s.run(b).tolist())
    except tf.errors.OutOfRangeError:
        pass
    coord.request_stop()
    coord.join(threads, stop_grace_period_secs=5)
"""


def test_queue_runners_restored_from_a_meta_graph_run(tmp_path):
    with tf.Graph().as_default():
        q = tf.train.range_input_producer(6, num_epochs=1, shuffle=False)
        b = tf.train.batch([q.dequeue()], 2, name="out")
        tf.train.export_meta_graph(str(tmp_path / "ours.meta"))
    with tf.Graph().as_default():
        tf.train.import_meta_graph(str(tmp_path / "ours.meta"))
        scope = {"tf": tf, "b": tf.get_default_graph().get_tensor_by_name(b.name)}
        exec(_RUN_IMPORTED_PIPELINE, scope)
    assert scope["batches"] == [[0, 1], [2, 3], [4, 5]]


@pytest.mark.tf
@requires_tf
def test_pipeline_meta_graphs_run_in_both_directions(tmp_path):
    from tests.tfrun import run_tf_json

    # TF's pipeline (queues, queue runners, epochs) imported and run by tfgraph
    name = run_tf_json(f"""
q = tf.train.range_input_producer(6, num_epochs=1, shuffle=False)
b = tf.train.batch([q.dequeue()], 2, name="out")
tf.train.export_meta_graph({str(tmp_path / "tf.meta")!r})
print(json.dumps(b.name))
""")
    with tf.Graph().as_default():
        tf.train.import_meta_graph(str(tmp_path / "tf.meta"))
        scope = {"tf": tf, "b": tf.get_default_graph().get_tensor_by_name(name)}
        exec(_RUN_IMPORTED_PIPELINE, scope)
    assert scope["batches"] == [[0, 1], [2, 3], [4, 5]]
    # tfgraph's pipeline imported and run by TF
    with tf.Graph().as_default():
        q = tf.train.range_input_producer(6, num_epochs=1, shuffle=False)
        b = tf.train.batch([q.dequeue()], 2, name="out")
        tf.train.export_meta_graph(str(tmp_path / "ours.meta"))
    out = run_tf_json(
        f"tf.train.import_meta_graph({str(tmp_path / 'ours.meta')!r})\n"
        f"b = tf.get_default_graph().get_tensor_by_name({b.name!r})\n"
        + _RUN_IMPORTED_PIPELINE
        + "print(json.dumps(batches))\n"
    )
    assert out == [[0, 1], [2, 3], [4, 5]]


MAYBE_BATCH_PROGRAM = """
result = {}
x = tf.constant([1, 2, 3, 4, 5, 6])
keep = tf.constant([True, False, True, True, False, True])
mb = tf.train.maybe_batch([x], keep, 2, enqueue_many=True)
bm = tf.train.batch({"x": x, "y": tf.constant([[1.0]] * 6)}, 3, enqueue_many=True)
tf.train.maybe_batch([tf.constant(5)], tf.constant(False), 1, capacity=4)
result["names"] = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
result["shapes"] = [str(mb.shape), str(bm["x"].shape), str(bm["y"].shape)]
with tf.Session() as s:
    coord = tf.train.Coordinator()
    threads = tf.train.start_queue_runners(s, coord)
    result["mb"] = [s.run(mb), s.run(mb)]
    result["bm"] = s.run(bm)
    coord.request_stop()
    coord.join(threads, stop_grace_period_secs=5)
"""


@pytest.mark.tf
@requires_tf
def test_maybe_batch_and_enqueue_many_match_tf():
    here, theirs = run_both(MAYBE_BATCH_PROGRAM)
    assert here == theirs


def test_maybe_batch_keeps_the_selected_rows():
    r = run_here(MAYBE_BATCH_PROGRAM)
    assert r["mb"] == [[1, 3], [4, 6]]
    assert r["bm"] == {"x": [1, 2, 3], "y": [[1.0], [1.0], [1.0]]}
    assert "batch/DynamicPartition:DynamicPartition" in r["names"]


def _max_concurrency_of_enqueues(work_seconds: float, num_threads: int = 2) -> int:
    """The most enqueue runs of one op that overlapped, with `work_seconds` of
    GIL-holding CPU work per run."""
    active, peak = [0], [0]
    lock = threading.Lock()

    def step(x):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        end = time.thread_time() + work_seconds
        while time.thread_time() < end:
            pass
        with lock:
            active[0] -= 1
        return x

    value = tf.py_func(step, [tf.constant(1.0)], tf.float32, stateful=True)
    value.set_shape([])
    batch = tf.train.batch([value], batch_size=2, capacity=4, num_threads=num_threads)
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        for _ in range(12):
            sess.run(batch)
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=10)
    return peak[0]


def test_short_enqueue_runs_of_one_op_take_turns():
    """Python-bound runs cannot overlap under the GIL: the threads take turns, which
    saves contending for the queue's locks (see training/queue_runner.py)."""
    assert _max_concurrency_of_enqueues(0.0) == 1


def test_long_enqueue_runs_of_one_op_run_concurrently():
    assert _max_concurrency_of_enqueues(0.03) == 2  # (longer than a GIL switch interval)


MAYBE_MORE_PROGRAM = """
import os, tempfile
result = {}
x = tf.constant([1, 2, 3, 4, 5, 6])
keep = tf.constant([True, False, True, True, False, True])
mbj = tf.train.maybe_batch_join([[x], [x * 10]], keep, 2, enqueue_many=True)
msb = tf.train.maybe_shuffle_batch([x], 2, 20, 0, keep, enqueue_many=True, seed=3)
msbj = tf.train.maybe_shuffle_batch_join([[x], [x + 100]], 2, 20, 0, keep, enqueue_many=True)
d = tempfile.mkdtemp()
for f in ("b.txt", "a.txt", "c.csv"):
    open(os.path.join(d, f), "w").close()
m = tf.train.match_filenames_once(os.path.join(d, "*.txt"))
result["names"] = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
result["shapes"] = [str(t.shape) for t in (mbj, msb, msbj)]
result["var"] = [m.name, str(m.shape), [v.name for v in tf.local_variables()],
                 [v.name for v in tf.global_variables()]]
with tf.Session() as s:
    s.run(tf.local_variables_initializer())
    result["files"] = [os.path.basename(f.decode()) for f in s.run(m)]
    coord = tf.train.Coordinator()
    threads = tf.train.start_queue_runners(s, coord)
    # (the enqueue threads repeat their inputs, so only which rows arrive is checked)
    kept = {1, 3, 4, 6}
    result["mbj"] = set(sum((s.run(mbj).tolist() for _ in range(8)), [])) <= kept | {
        10 * k for k in kept}
    result["msb"] = set(sum((s.run(msb).tolist() for _ in range(8)), [])) <= kept
    result["msbj"] = set(sum((s.run(msbj).tolist() for _ in range(8)), [])) <= kept | {
        100 + k for k in kept}
    coord.request_stop()
    coord.join(threads, stop_grace_period_secs=5)
"""


@pytest.mark.tf
@requires_tf
def test_maybe_batch_join_shuffle_and_match_filenames_match_tf():
    here, theirs = run_both(MAYBE_MORE_PROGRAM)
    assert here == theirs


def test_maybe_batch_join_shuffle_and_match_filenames():
    r = run_here(MAYBE_MORE_PROGRAM)
    assert r["mbj"] and r["msb"] and r["msbj"]
    assert r["files"] == ["a.txt", "b.txt"]
    assert r["var"][:2] == ["matching_filenames:0", "<unknown>"]

"""tf.summary.FileWriter, FileWriterCache and tf.train.summary_iterator: the events TF1's
FileWriter writes, the background flush, and no event lost at close or exit."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import textwrap
import threading
import time
import warnings

import pytest

import tfgraph as tf
import tfgraph.compat.v1 as tf_v1
from tests.tfrun import REPO_ROOT
from tfgraph import proto, summary_writer
from tfgraph.summary_writer import _event_bytes


def _files(logdir) -> list[str]:
    return sorted(glob.glob(os.path.join(str(logdir), "events.out.tfevents.*")))


def _events(logdir) -> list:
    return [e for f in _files(logdir) for e in tf.train.summary_iterator(f)]


def _scalar(tag: str, value: float):
    return tf.Summary(value=[tf.Summary.Value(tag=tag, simple_value=value)])


def test_namespace():
    assert tf.summary.FileWriter is tf_v1.summary.FileWriter
    assert tf.train.summary_iterator is tf_v1.train.summary_iterator
    assert tf.summary.Summary is proto.Summary is tf.Summary
    assert tf.summary.Event is proto.Event and tf.summary.SessionLog is proto.SessionLog
    assert tf.summary.SummaryDescription is proto.SummaryDescription
    assert tf.summary.TaggedRunMetadata is proto.TaggedRunMetadata


def test_file_writer_with_graph_writes_tf_event_sequence(tmp_path):
    x = tf.Variable(1.0, name="x")
    loss = tf.square(x, name="loss_val")
    s = tf.summary.scalar("loss", loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        writer = tf.summary.FileWriter(str(tmp_path / "run"), sess.graph)
        assert writer.get_logdir() == str(tmp_path / "run")
        for step in range(3):
            writer.add_summary(sess.run(s), step)
        writer.close()
    (path,) = _files(tmp_path / "run")
    events = list(tf.train.summary_iterator(path))
    kinds = [e.WhichOneof("what") for e in events]
    assert kinds == ["file_version", "graph_def", "meta_graph_def"] + ["summary"] * 3
    graph = proto.GraphDef.FromString(events[1].graph_def)
    assert [n.name for n in graph.node] == [op.name for op in sess.graph.get_operations()]
    # TF adds `_output_shapes` to every node that has outputs (not to NoOps).
    with_outputs = {op.name for op in sess.graph.get_operations() if op.outputs}
    assert all(("_output_shapes" in n.attr) == (n.name in with_outputs) for n in graph.node)
    meta = proto.MetaGraphDef.FromString(events[2].meta_graph_def)
    assert meta.graph_def == graph
    assert "variables" in meta.collection_def  # collections travel with the meta graph
    assert "ScalarSummary" in [op.name for op in meta.meta_info_def.stripped_op_list.op]
    assert [
        (e.step, e.summary.value[0].tag, e.summary.value[0].simple_value) for e in events[3:]
    ] == [
        (0, "loss", 1.0),
        (1, "loss", 1.0),
        (2, "loss", 1.0),
    ]
    assert all(e.wall_time >= events[0].wall_time for e in events)


def test_event_encoding_equals_protobuf():
    summary = _scalar("loss", 0.5).SerializeToString()
    for step in (None, 0, 3, 2**40, -1):
        expected = proto.Event(wall_time=1234.5, summary=proto.Summary.FromString(summary))
        if step is not None:
            expected.step = step
        assert _event_bytes(1234.5, step, 0x2A, summary) == expected.SerializeToString()


def test_add_summary_proto_bytes_and_steps(tmp_path):
    with tf.summary.FileWriter(tmp_path) as writer:
        writer.add_summary(_scalar("a", 1.0))
        writer.add_summary(_scalar("a", 2.0).SerializeToString(), global_step=7)
        writer.add_summary(_scalar("a", 3.0), global_step=-2)
    events = _events(tmp_path)[1:]
    assert [(e.step, e.summary.value[0].simple_value) for e in events] == [
        (0, 1.0),
        (7, 2.0),
        (-2, 3.0),
    ]


def test_metadata_kept_only_for_the_first_value_of_a_tag(tmp_path):
    t = tf.summary.text("notes", tf.constant("hello"))
    with tf.Session() as sess:
        data = sess.run(t)
    writer = tf.summary.FileWriter(tmp_path)
    writer.add_summary(data, 1)
    writer.add_summary(data, 2)
    summary = proto.Summary.FromString(data)
    writer.add_summary(summary, 3)
    writer.close()
    assert not summary.value[0].HasField("metadata")  # TF clears it in the caller's proto
    values = [e.summary.value[0] for e in _events(tmp_path)[1:]]
    assert [v.HasField("metadata") for v in values] == [True, False, False]
    assert values[0].metadata.plugin_data.plugin_name == "text"


def test_session_log_run_metadata_meta_graph_and_event(tmp_path):
    writer = tf.summary.FileWriter(tmp_path)
    writer.add_session_log(tf.SessionLog(status=tf.SessionLog.START), 5)
    writer.add_run_metadata(tf.RunMetadata(), "step1", global_step=1)
    with pytest.raises(ValueError, match="The provided tag was already used"):
        writer.add_run_metadata(tf.RunMetadata(), "step1")
    meta = tf.MetaGraphDef()
    meta.meta_info_def.tags.append("serve")
    writer.add_meta_graph(meta, global_step=2)
    with pytest.raises(TypeError, match="meta_graph_def must be type MetaGraphDef"):
        writer.add_meta_graph(tf.GraphDef())
    writer.add_event(tf.Event(wall_time=42.0, step=9, file_version="custom"))
    writer.close()
    e = _events(tmp_path)[1:]
    assert e[0].session_log.status == proto.SessionLog.START and e[0].step == 5
    assert e[1].tagged_run_metadata.tag == "step1" and e[1].step == 1
    assert proto.MetaGraphDef.FromString(e[2].meta_graph_def).meta_info_def.tags == ["serve"]
    assert (e[3].wall_time, e[3].step, e[3].file_version) == (42.0, 9, "custom")


def test_add_graph_forms_and_errors(tmp_path):
    tf.constant(1.0, name="c")
    writer = tf.summary.FileWriter(tmp_path)
    writer.add_graph(tf.get_default_graph(), global_step=3)
    writer.add_graph(None, graph_def=tf.get_default_graph().as_graph_def())
    with pytest.raises(ValueError, match="Please pass only graph, or graph_def"):
        writer.add_graph(tf.get_default_graph(), graph_def=tf.GraphDef())
    with pytest.raises(TypeError, match="must be an instance of `Graph`"):
        writer.add_graph("graph")
    writer.close()
    events = _events(tmp_path)[1:]
    graphs = [proto.GraphDef.FromString(e.graph_def) for e in events]
    assert events[0].step == 3 and [n.name for n in graphs[0].node] == ["c"]
    assert "_output_shapes" in graphs[0].node[0].attr
    assert "_output_shapes" not in graphs[1].node[0].attr
    gd_writer = tf.summary.FileWriter(
        tmp_path / "gd", graph_def=tf.get_default_graph().as_graph_def()
    )
    gd_writer.close()
    kinds = [e.WhichOneof("what") for e in _events(tmp_path / "gd")]
    assert kinds == ["file_version", "graph_def", "meta_graph_def"]


def test_closed_writer_warns_ignores_and_reopens_to_a_new_file(tmp_path):
    writer = tf.summary.FileWriter(tmp_path)
    writer.add_summary(_scalar("a", 1.0), 1)
    writer.close()
    writer.close()  # closing twice is fine
    with pytest.warns(UserWarning, match="Attempting to use a closed FileWriter"):
        writer.add_summary(_scalar("a", 2.0), 2)
    with pytest.warns(UserWarning):
        writer.flush()
    assert [e.step for e in _events(tmp_path)] == [0, 1]
    time.sleep(1.05)  # the new file's name holds a later second
    writer.reopen()
    writer.add_summary(_scalar("a", 3.0), 3)
    writer.close()
    files = _files(tmp_path)
    assert len(files) == 2
    assert [e.step for e in tf.train.summary_iterator(files[1])] == [0, 3]


def test_filename_suffix_creates_the_file_at_once(tmp_path):
    writer = tf.summary.FileWriter(tmp_path, filename_suffix=".mine")
    (path,) = _files(tmp_path)
    assert path.endswith(".mine")
    assert [e.file_version for e in tf.train.summary_iterator(path)] == ["brain.Event:2"]
    writer.close()
    plain = tf.summary.FileWriter(tmp_path / "plain")
    assert _files(tmp_path / "plain") == []  # like TF: created with the first event
    plain.close()


def test_flush_writes_everything_added(tmp_path):
    writer = tf.summary.FileWriter(tmp_path, flush_secs=1000)
    for i in range(50):
        writer.add_summary(_scalar("a", float(i)), i)
    writer.flush()
    assert [e.step for e in _events(tmp_path)[1:]] == list(range(50))
    writer.close()


def test_events_become_visible_without_flush(tmp_path):
    writer = tf.summary.FileWriter(tmp_path, flush_secs=0.2)
    writer.add_summary(_scalar("a", 1.0), 1)  # the first event is flushed at once
    writer.add_summary(_scalar("a", 2.0), 2)  # this one when flush_secs have passed
    deadline = time.monotonic() + 10
    steps: list[int] = []
    while time.monotonic() < deadline:
        try:
            steps = [e.step for e in _events(tmp_path)]
        except tf.errors.DataLossError:  # a record being written
            steps = []
        if steps == [0, 1, 2]:
            break
        time.sleep(0.05)
    assert steps == [0, 1, 2]
    writer.close()


def test_small_queue_and_many_threads_lose_nothing(tmp_path):
    writer = tf.summary.FileWriter(tmp_path, max_queue=1)

    def add(offset):
        for i in range(200):
            writer.add_summary(_scalar(f"t{offset}", float(i)), offset * 1000 + i)

    threads = [threading.Thread(target=add, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writer.close()
    steps = sorted(e.step for e in _events(tmp_path)[1:])
    assert steps == sorted(k * 1000 + i for k in range(4) for i in range(200))


_EXIT_SCRIPT = """
import sys
import tfgraph as tf
w = tf.summary.FileWriter(sys.argv[1], flush_secs=1000, max_queue=1000)
for i in range(500):
    w.add_summary(tf.Summary(value=[tf.Summary.Value(tag="x", simple_value=i)]), i)
{ending}
"""


@pytest.mark.parametrize(
    ("ending", "returncode"),
    [("", 0), ("sys.exit(3)", 3), ("raise RuntimeError('boom')", 1), ("del w", 0)],
)
def test_interpreter_exit_writes_every_added_event(tmp_path, ending, returncode):
    script = textwrap.dedent(_EXIT_SCRIPT).format(ending=ending)
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    proc = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert proc.returncode == returncode, proc.stderr
    assert [e.step for e in _events(tmp_path)[1:]] == list(range(500))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forked_child_neither_writes_nor_corrupts(tmp_path):
    writer = tf.summary.FileWriter(tmp_path, flush_secs=1000)
    writer.add_summary(_scalar("a", 1.0), 1)
    pid = os.fork()
    if pid == 0:  # the child: its copy is closed; its exit must not touch the file
        code = 0
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                writer.add_summary(_scalar("a", 9.0), 9)
                writer.flush()
            summary_writer._close_open_writers()  # what the child's atexit runs
        except BaseException:
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    writer.add_summary(_scalar("a", 2.0), 2)
    writer.close()
    assert [e.step for e in _events(tmp_path)] == [0, 1, 2]


def test_file_writer_cache(tmp_path):
    tf.constant(1.0, name="in_default_graph")
    a = tf.summary.FileWriterCache.get(str(tmp_path))
    assert tf.summary.FileWriterCache.get(str(tmp_path)) is a
    b = tf.summary.FileWriterCache.get(str(tmp_path / "other"))
    assert b is not a
    tf.summary.FileWriterCache.clear()
    assert tf.summary.FileWriterCache.get(str(tmp_path)) is not a
    tf.summary.FileWriterCache.clear()
    graph = proto.GraphDef.FromString(_events(tmp_path)[1].graph_def)
    assert [n.name for n in graph.node] == ["in_default_graph"]

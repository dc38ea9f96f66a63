"""tfgraph's event files read by real TensorFlow and real TensorBoard.

(a) TF's `tf.compat.v1.train.summary_iterator` reads our file and imports our graph;
(b) tensorboard's `EventAccumulator`s (in TF's interpreter) find our graph, scalar steps
and values, histograms and images; (c) the real TensorBoard server, started on
127.0.0.1 with our logdir, serves the run, the scalars and the graph over HTTP.

TF's interpreter is `TFGRAPH_TF_PYTHON`; the server binary is `TFGRAPH_TENSORBOARD`;
each test skips when what it needs is absent.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import TF_PYTHON, requires_tf, run_tf
from tfgraph import proto

TENSORBOARD = os.environ.get("TFGRAPH_TENSORBOARD")
requires_tensorboard = pytest.mark.skipif(
    not (TENSORBOARD and Path(TENSORBOARD).exists()),
    reason="real TensorBoard not available (set TFGRAPH_TENSORBOARD)",
)

STEPS = 5


def _write_run(logdir: Path) -> dict:
    """Trains a tiny linear model with tfgraph, logging graph, scalars, histograms and an
    image to `logdir`; returns what was logged."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None], name="x")
        w = tf.Variable(0.5, name="w")
        pred = tf.multiply(x, w, name="pred")
        loss = tf.reduce_mean(tf.square(pred - 1.0), name="loss_value")
        with tf.name_scope("train"):
            update = tf.assign_sub(w, 0.01 * tf.reduce_mean(2.0 * (pred - 1.0) * x))
        tf.summary.scalar("loss", loss)
        tf.summary.histogram("predictions", pred)
        tf.summary.image("pattern", tf.reshape(tf.range(16.0), [1, 4, 4, 1]), max_outputs=1)
        merged = tf.summary.merge_all()
        losses, histos = [], []
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            writer = tf.summary.FileWriter(str(logdir), sess.graph)
            for step in range(STEPS):
                feed = {x: np.linspace(0.0, 1.0, 20).astype(np.float32) + step}
                summary, value, _ = sess.run([merged, loss, update], feed)
                writer.add_summary(summary, step)
                losses.append(float(np.float32(value)))
                histos.append(proto.Summary.FromString(summary).value[1].histo)
            writer.close()
        nodes = [op.name for op in g.get_operations()]
    (path,) = logdir.glob("events.out.tfevents.*")
    return {"path": str(path), "losses": losses, "histos": histos, "nodes": nodes}


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    root = tmp_path_factory.mktemp("tb")
    info = _write_run(root / "run1")
    info["root"] = root
    return info


# -- (a) TensorFlow reads our event file ---------------------------------------------------
@pytest.mark.tf
@requires_tf
def test_tf_summary_iterator_reads_our_events(logged):
    code = f"""
rows = []
for e in tf.train.summary_iterator({logged["path"]!r}):
    what = e.WhichOneof("what")
    row = {{"what": what, "step": e.step, "wall_time": e.wall_time}}
    if what == "file_version":
        row["version"] = e.file_version
    elif what == "graph_def":
        gd = tf.GraphDef.FromString(e.graph_def)
        with tf.Graph().as_default() as g:
            tf.import_graph_def(gd, name="")
            row["nodes"] = [op.name for op in g.get_operations()]
    elif what == "summary":
        row["values"] = [[v.tag, v.WhichOneof("value"),
                          v.simple_value if v.HasField("simple_value") else None]
                         for v in e.summary.value]
        row["histo_num"] = [v.histo.num for v in e.summary.value if v.HasField("histo")]
    rows.append(row)
print(json.dumps(rows))
"""
    rows = json.loads(run_tf(code).strip().splitlines()[-1])
    assert [r["what"] for r in rows] == ["file_version", "graph_def", "meta_graph_def"] + [
        "summary"
    ] * STEPS
    assert rows[0]["version"] == "brain.Event:2"
    assert rows[1]["nodes"] == logged["nodes"]
    summaries = rows[3:]
    assert [r["step"] for r in summaries] == list(range(STEPS))
    for r, loss in zip(summaries, logged["losses"]):
        assert r["values"][0] == ["loss", "simple_value", pytest.approx(loss)]
        assert [v[:2] for v in r["values"][1:]] == [
            ["predictions", "histo"],
            ["pattern/image", "image"],
        ]
        assert r["histo_num"] == [20.0]


# -- (b) tensorboard's event accumulators ---------------------------------------------------
_ACCUMULATOR = r"""
import json, sys
from tensorboard.backend.event_processing import event_accumulator, plugin_event_accumulator
path = sys.argv[1]
acc = event_accumulator.EventAccumulator(path, size_guidance={
    event_accumulator.SCALARS: 0, event_accumulator.HISTOGRAMS: 0,
    event_accumulator.IMAGES: 0, event_accumulator.GRAPH: 1})
acc.Reload()
tags = acc.Tags()
graph = acc.Graph()
out = {
    "tags": {k: v for k, v in tags.items() if isinstance(v, list)},
    "graph": tags["graph"], "meta_graph": tags["meta_graph"],
    "nodes": [n.name for n in graph.node],
    "scalars": [[s.step, s.value] for s in acc.Scalars("loss")],
    "histograms": [[h.step, h.histogram_value.num, h.histogram_value.min,
                    h.histogram_value.max, h.histogram_value.sum,
                    list(h.histogram_value.bucket_limit), list(h.histogram_value.bucket)]
                   for h in acc.Histograms("predictions")],
    "images": [[i.step, i.width, i.height, i.encoded_image_string[:8].hex()]
               for i in acc.Images("pattern/image")],
}
plugin = plugin_event_accumulator.EventAccumulator(path, size_guidance={"tensors": 0})
plugin.Reload()
out["plugin_tags"] = plugin.Tags()["tensors"]
out["plugin_scalars"] = [[t.step, float(t.tensor_proto.float_val[0])]
                         for t in plugin.Tensors("loss")]
out["plugin_scalar_tags"] = sorted(plugin.PluginTagToContent("scalars"))
print(json.dumps(out))
"""


def _tensorboard_python() -> str:
    if TF_PYTHON is None:
        pytest.skip("TensorFlow's interpreter (with tensorboard) not available")
    probe = subprocess.run(
        [TF_PYTHON, "-c", "import tensorboard"], capture_output=True, check=False, timeout=120
    )
    if probe.returncode != 0:
        pytest.skip("tensorboard is not installed in TFGRAPH_TF_PYTHON's environment")
    return TF_PYTHON


@pytest.mark.tf
def test_tensorboard_event_accumulator_reads_our_events(logged):
    python = _tensorboard_python()
    proc = subprocess.run(
        [python, "-c", _ACCUMULATOR, logged["path"]],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["graph"] is True and out["meta_graph"] is True
    assert out["nodes"] == logged["nodes"]
    assert out["tags"]["scalars"] == ["loss"]
    assert out["tags"]["histograms"] == ["predictions"]
    assert out["tags"]["images"] == ["pattern/image"]
    assert out["scalars"] == [[s, pytest.approx(v)] for s, v in enumerate(logged["losses"])]
    for row, histo in zip(out["histograms"], logged["histos"]):
        _, num, lo, hi, total, limits, counts = row
        assert (num, lo, hi, total) == (histo.num, histo.min, histo.max, histo.sum)
        assert limits == list(histo.bucket_limit) and counts == list(histo.bucket)
    assert [h[0] for h in out["histograms"]] == list(range(STEPS))
    assert out["images"][0] == [0, 4, 4, b"\x89PNG\r\n\x1a\n".hex()]
    # The plugin accumulator turns the graph into a `__run_graph__` blob sequence.
    assert out["plugin_tags"] == ["__run_graph__", "loss", "predictions", "pattern/image"]
    assert out["plugin_scalar_tags"] == ["loss"]
    assert out["plugin_scalars"] == [[s, pytest.approx(v)] for s, v in enumerate(logged["losses"])]


# -- (c) the TensorBoard server --------------------------------------------------------------
def _get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def _wait_for(fn, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            value = fn()
            if value:
                return value
            last = value
        except (OSError, urllib.error.URLError, ValueError) as e:
            last = e
        time.sleep(0.25)
    raise AssertionError(f"TensorBoard did not serve {what} within {timeout}s (last: {last!r})")


@requires_tensorboard
@pytest.mark.parametrize("load_fast", ["false", "true"])
def test_tensorboard_server_serves_our_graph_and_scalars(logged, tmp_path, load_fast):
    log = tmp_path / "tensorboard.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                TENSORBOARD,
                "--logdir",
                str(logged["root"]),
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                f"--load_fast={load_fast}",
                "--reload_interval",
                "1",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the fast loader's data server dies with the group
            env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
        )
    try:

        def base_url():
            if proc.poll() is not None:
                raise AssertionError(f"TensorBoard exited:\n{log.read_text()[-3000:]}")
            m = re.search(r"http://127\.0\.0\.1:(\d+)/", log.read_text(errors="replace"))
            return m and f"http://127.0.0.1:{m.group(1)}"

        url = _wait_for(base_url, 120, "its address")
        runs = _wait_for(lambda: json.loads(_get(url + "/data/runs")), 120, "/data/runs")
        assert runs == ["run1"]

        def scalars():
            rows = json.loads(_get(url + "/data/plugin/scalars/scalars?run=run1&tag=loss"))
            return rows if len(rows) == STEPS else None

        rows = _wait_for(scalars, 120, "the loss scalars")
        assert [r[1] for r in rows] == list(range(STEPS))
        assert [r[2] for r in rows] == pytest.approx(logged["losses"])
        tags = json.loads(_get(url + "/data/plugin/scalars/tags"))
        assert list(tags["run1"]) == ["loss"]
        text = _wait_for(lambda: _get(url + "/data/plugin/graphs/graph?run=run1"), 60, "the graph")
        graph = proto.text_format.Parse(text, proto.GraphDef())
        assert [n.name for n in graph.node] == logged["nodes"]
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)

"""tf.summary.initialize and tf.summary.all_v2_summary_ops (TF1 meaning) against TF 2.21:
a TF1 graph has no default TF2 summary writer."""

from __future__ import annotations

import json

import pytest

from tests import tfrun

_PROGRAM = """
import json
out = {"ops": tf.summary.all_v2_summary_ops()}
tf.summary.scalar("loss", tf.constant(1.0))  # (a TF1 summary: not a v2 summary op)
out["after_v1"] = tf.summary.all_v2_summary_ops()
tf.add_to_collection("_SUMMARY_V2", tf.no_op(name="v2_summary"))
out["collected"] = [op.name for op in tf.summary.all_v2_summary_ops()]
for kwargs in ({}, {"graph": tf.get_default_graph()}):
    try:
        with tf.Session() as sess:
            tf.summary.initialize(session=sess, **kwargs)
    except RuntimeError as e:
        out.setdefault("errors", []).append(str(e))
print(json.dumps(out))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_matches_tf():
    assert tfrun.run_here_json(_PROGRAM) == tfrun.run_tf_json(_PROGRAM)


# -- TF2's tf.summary writer API (eager): tfgraph writes, TF's summary_iterator reads ----
_WRITE = """
import numpy as np
w = tf.summary.create_file_writer(LOGDIR)
out = {}
with w.as_default(step=3):
    out["scalar"] = bool(tf.summary.scalar("loss", 0.5).numpy())
    tf.summary.scalar("acc", tf.constant(2), step=7, description="accuracy")
    with tf.name_scope("grp"):
        tf.summary.histogram("h", np.arange(10.0) ** 2)
        tf.summary.histogram("few", [1.0, 1.0], buckets=4)
    tf.summary.image("im", np.linspace(0, 1, 60, dtype=np.float32).reshape(2, 2, 5, 3),
                     max_outputs=1)
    tf.summary.text("t", tf.constant(["hello", "world"]))
    clips = np.sin(np.arange(24, dtype=np.float32)).reshape(2, 6, 2) * 0.5
    tf.summary.audio("snd", clips, 8000, max_outputs=1, description="two channels")
    with tf.summary.record_if(False):
        out["off"] = bool(tf.summary.scalar("skipped", 1.0).numpy())
    tf.summary.write("raw", tf.constant([1, 2], tf.int64), step=9)
    g = tf.Graph()
    with g.as_default():
        tf.constant(1.0, name="c")
    out["graph"] = bool(tf.summary.graph(g).numpy())
    tf.summary.flush()
out["no_writer"] = bool(tf.summary.scalar("x", 1.0, step=1).numpy())
try:
    with w.as_default():
        tf.summary.scalar("nostep", 1.0)
except ValueError as e:
    out["no_step"] = str(e)
w.close()
print(json.dumps(out))
"""

_READ = """
import glob, io, os
from PIL import Image
def events(d):
    [path] = glob.glob(os.path.join(d, "events.out.tfevents.*"))
    name = os.path.basename(path).split(".")
    out = [name[:3] + [name[5].isdigit()] + name[6:]]
    for e in tf.compat.v1.train.summary_iterator(path):
        if e.HasField("file_version"):
            out.append(e.file_version)
            continue
        if e.HasField("graph_def"):
            gd = tf.compat.v1.GraphDef.FromString(e.graph_def)
            out.append([e.step, [(n.name, n.op) for n in gd.node]])
            continue
        for v in e.summary.value:
            arr = tf.make_ndarray(v.tensor)
            if v.metadata.plugin_data.plugin_name == "images":
                arr = [a.decode() for a in arr[:2]] + [
                    np.asarray(Image.open(io.BytesIO(b))).tolist() for b in arr[2:]]
            elif arr.dtype == object:
                arr = [a.hex() for a in arr.reshape(-1)]
            else:
                arr = np.round(arr.astype(np.float64), 9).tolist()
            out.append([e.step, v.tag, str(v.metadata), str(v.tensor.dtype),
                        str(v.tensor.tensor_shape), arr])
    return out
print(json.dumps(events(LOGDIR)))
"""


def _tfgraph_v2(code: str) -> dict:
    import subprocess
    import sys

    program = "import json\nimport tfgraph.compat.v2 as tf\n" + code
    proc = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        cwd=tfrun.REPO_ROOT,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@tfrun.requires_tf
@pytest.mark.tf
def test_tf2_writer_files_read_back_in_tf_as_tf_writes_them(tmp_path):
    ours, theirs = tmp_path / "ours", tmp_path / "tf"
    got = _tfgraph_v2(f"LOGDIR = {str(ours)!r}\n" + _WRITE)
    want = tfrun.run_tf_json(f"LOGDIR = {str(theirs)!r}\n" + _WRITE, v1=False)
    assert got == want
    read_ours = tfrun.run_tf_json(f"LOGDIR = {str(ours)!r}\n" + _READ, v1=False)
    read_theirs = tfrun.run_tf_json(f"LOGDIR = {str(theirs)!r}\n" + _READ, v1=False)
    assert read_ours == read_theirs
    assert read_ours[0][-1] == "v2" and len(read_ours) == 11

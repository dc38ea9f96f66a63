"""serialize_tensor / parse_tensor, decode_compressed and matching_files against TF
(bytes, values, graphs, errors)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = r"""
import tempfile, os
d = tempfile.mkdtemp()
for n in ("b.txt", "a.txt", "c.log"):
    open(os.path.join(d, n), "w").close()
import zlib, gzip
out = {}
with tf.Graph().as_default():
    s = tf.serialize_tensor(tf.constant([[1.5, 2.0]]))
    ts = [s, tf.parse_tensor(s, tf.float32),
          tf.serialize_tensor(tf.constant("x")), tf.serialize_tensor(tf.constant([1, 2], tf.int64)),
          tf.parse_tensor(tf.serialize_tensor(tf.constant(["a", "bc"])), tf.string),
          tf.io.decode_compressed(tf.constant([zlib.compress(b"hello"), zlib.compress(b"")]),
                                  "ZLIB"),
          tf.decode_compressed(tf.constant([[gzip.compress(b"hi", mtime=0)]]), "GZIP"),
          tf.decode_compressed(tf.constant([b"raw"])),
          tf.matching_files([os.path.join(d, "*.txt"), "/nonexistent/*"]),
          tf.io.matching_files(os.path.join(d, "b.txt"))]
    bad = [tf.parse_tensor(s, tf.int32),
           tf.parse_tensor(tf.constant(b"garbage\xff"), tf.int32),
           tf.decode_compressed(tf.constant([b"raw"]), "ZLIB")]
    out["shapes"] = [str(t.shape) for t in ts]
    out["ops"] = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
    with tf.Session() as sess:
        vals = sess.run(ts)
        out["values"] = [repr(v.tolist()).replace(d, "D") if isinstance(v, np.ndarray)
                         else repr(v) for v in vals]
        errs = []
        for t in bad:
            try:
                sess.run(t)
            except tf.errors.OpError as e:
                lines = [line for line in e.message.splitlines()
                         if line and not line.startswith(("Graph", "Detected", "  ", "Node"))]
                errs.append([type(e).__name__, lines[0]])
        out["errors"] = errs
"""


def _here():
    scope = {"tf": tf, "np": np}
    exec(PROGRAM, scope)
    return json.loads(json.dumps(scope["out"]))


def test_round_trips_and_errors():
    out = _here()
    assert out["values"][0] == repr(
        b'\x08\x01\x12\x08\x12\x02\x08\x01\x12\x02\x08\x02"\x08\x00\x00\xc0?\x00\x00\x00@'
    )
    assert out["values"][1] == "[[1.5, 2.0]]"
    assert out["values"][5] == "[b'hello', b'']"
    assert out["values"][8] == "[b'D/a.txt', b'D/b.txt']"
    assert [e[0] for e in out["errors"]] == [
        "InvalidArgumentError", "InvalidArgumentError", "DataLossError",
    ]  # fmt: skip


@pytest.mark.tf
@requires_tf
def test_matches_tf():
    theirs = run_tf_json(PROGRAM + "\nprint(json.dumps(out))\n")
    assert _here() == theirs


def test_matching_files_sees_new_files(tmp_path):
    with tf.Graph().as_default():
        files = tf.matching_files(str(tmp_path / "*.txt"))
        with tf.Session() as sess:
            assert sess.run(files).tolist() == []
            (tmp_path / "a.txt").write_text("x")
            assert sess.run(files).tolist() == [str(tmp_path / "a.txt").encode()]

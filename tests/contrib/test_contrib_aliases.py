"""TF 1.15's small contrib modules that are other namespaces under older names
(contrib.signal, keras, util, stateless, linalg) and TF 1.0's summary functions
(contrib.deprecated), the latter against TF 2.21's own logging_ops."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json

C = tf.contrib


def test_aliases_are_the_same_objects():
    assert C.signal.stft is tf.signal.stft
    assert C.signal.mfccs_from_log_mel_spectrograms is tf.signal.mfccs_from_log_mel_spectrograms
    assert C.keras.layers is tf.keras.layers and C.keras.backend is tf.keras.backend
    assert C.linalg.LinearOperatorDiag is tf.linalg.LinearOperatorDiag
    assert C.stateless.stateless_random_uniform is tf.random.stateless_uniform
    assert C.stateless.stateless_random_normal is tf.random.stateless_normal
    with pytest.raises(AttributeError):
        C.keras.no_such_module  # noqa: B018


def test_util_round_trips_tensor_protos_and_reads_constants():
    value = np.arange(6, dtype=np.int32).reshape(2, 3)
    proto = C.util.make_tensor_proto(value)
    np.testing.assert_array_equal(C.util.make_ndarray(proto), value)
    with tf.Graph().as_default():
        assert C.util.constant_value(tf.constant(3.0) * 2) == 6.0
        assert C.util.constant_value(tf.placeholder(tf.float32)) is None
        tf.add(tf.constant(1), tf.constant(2))
        graph_def = tf.get_default_graph().as_graph_def()
    assert sorted(C.util.ops_used_by_graph_def(graph_def)) == [
        "AddV2",
        "Const",
        "Mul",
        "Placeholder",
    ]
    assert sorted(o.name for o in C.util.stripped_op_list_for_graph(graph_def).op) == [
        "AddV2", "Const", "Mul", "Placeholder",
    ]  # fmt: skip


SUMMARIES = r"""
from tensorflow.core.framework import summary_pb2 as _pb
def parse(b):
    s = _pb.Summary.FromString(b) if not hasattr(tf, "proto") else tf.proto.Summary.FromString(b)
    out = []
    for v in s.value:
        kind = v.WhichOneof("value")
        if kind == "simple_value":
            out.append([v.tag, kind, v.simple_value])
        elif kind == "histo":
            out.append([v.tag, kind, [v.histo.min, v.histo.max, v.histo.num, v.histo.sum]])
        elif kind == "image":
            out.append([v.tag, kind, [v.image.height, v.image.width, v.image.colorspace]])
        else:
            out.append([v.tag, kind, [v.audio.sample_rate, v.audio.num_channels,
                                      v.audio.length_frames]])
    return out
with tf.Graph().as_default() as g:
    a = D.scalar_summary(tf.constant(["loss", "acc"]), tf.constant([0.5, 0.25]))
    b = D.histogram_summary("weights", tf.constant([1.0, 2.0, 4.0]), name="h")
    c = D.image_summary("img", tf.ones([2, 4, 3, 1]), max_images=1, collections=["images"])
    d = D.audio_summary("clip", tf.zeros([2, 8]), 8000.0, max_outputs=2)
    m = D.merge_summary([a, b, d])
    ops = [[o.name, o.type] for o in g.get_operations()]
    with tf.Session() as sess:
        values = [parse(x) for x in sess.run([a, b, c, d, m])]
    out = {"ops": ops, "values": values,
           "summaries": [t.name for t in tf.get_collection(tf.GraphKeys.SUMMARIES)],
           "images": [t.name for t in tf.get_collection("images")]}
print(json.dumps(out))
"""


def _ours():
    return run_here_json(
        "import json\nD = tf.contrib.deprecated\ntf.proto = __import__('tfgraph').proto\n"
        + SUMMARIES.replace("from tensorflow.core.framework import summary_pb2 as _pb\n", "")
    )


def test_deprecated_summaries_build_tf_1_0s_ops():
    ours = _ours()
    names = [name for name, _ in ours["ops"]]
    assert ["ScalarSummary", "ScalarSummary"] in ours["ops"]
    assert ["h", "HistogramSummary"] in ours["ops"]
    assert ["MergeSummary/MergeSummary", "MergeSummary"] in ours["ops"]
    assert "AudioSummary/sample_rate" in names
    assert ours["values"][0] == [["loss", "simple_value", 0.5], ["acc", "simple_value", 0.25]]
    assert [v[0] for v in ours["values"][4]] == ["loss", "acc", "weights", "clip/audio/0",
                                                 "clip/audio/1"]  # fmt: skip
    assert ours["summaries"] == ["ScalarSummary:0", "h:0", "AudioSummary:0"]
    assert ours["images"] == ["ImageSummary:0"]
    with tf.Graph().as_default():
        assert C.deprecated.merge_all_summaries() is None


@pytest.mark.tf
@requires_tf
def test_deprecated_summaries_equal_tfs_logging_ops():
    theirs = run_tf_json(
        "from tensorflow.python.ops import logging_ops as D\n"
        "D.merge_summary = lambda inputs: tf.summary.merge(inputs, name='MergeSummary')\n"
        + SUMMARIES
    )
    ours = _ours()
    assert ours["ops"] == theirs["ops"]
    assert ours["values"] == theirs["values"]
    assert ours["summaries"] == theirs["summaries"] and ours["images"] == theirs["images"]


@pytest.mark.tf
@requires_tf
def test_stateless_ops_under_their_old_names_give_tfs_numbers():
    code = (
        "import json\n"
        "with tf.Graph().as_default():\n"
        "    u = S.stateless_random_uniform([3], seed=[1, 2])\n"
        "    n = S.stateless_random_normal([3], seed=[3, 4])\n"
        "    t = S.stateless_truncated_normal([3], seed=[5, 6])\n"
        "    with tf.Session() as sess:\n"
        "        print(json.dumps([v.tolist() for v in sess.run([u, n, t])]))\n"
    )
    theirs = run_tf_json(
        "import types\nS = types.SimpleNamespace("
        "stateless_random_uniform=tf.random.stateless_uniform,"
        " stateless_random_normal=tf.random.stateless_normal,"
        " stateless_truncated_normal=tf.random.stateless_truncated_normal)\n" + code
    )
    ours = run_here_json("S = tf.contrib.stateless\n" + code)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)

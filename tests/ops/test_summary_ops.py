"""Summary ops: TF's node names and tags, kernels' serialized Summaries, errors; and the
same programs run by real TensorFlow give the same bytes (same decoded pixels for PNG)."""

from __future__ import annotations

import bisect
import json
import struct
import zlib

import numpy as np
import pytest

import tfgraph as tf
from tests.golden import golden
from tests.tfrun import requires_tf, run_tf
from tfgraph import errors, proto
from tfgraph.io.tensor_proto import make_ndarray
from tfgraph.ops import summary_ops
from tfgraph.platform import denormal


def _run(t, feed=None):
    with tf.Session() as sess:
        return sess.run(t, feed)


def _summary(t, feed=None):
    return proto.Summary.FromString(_run(t, feed))


def _ops():
    return [
        (op.name, op.type, [i.name for i in op.inputs])
        for op in tf.get_default_graph().get_operations()
    ]


# -- graph construction as TF builds it ----------------------------------------------------
def test_scalar_builds_tags_const_and_op_named_after_the_scope():
    x = tf.constant(2.5)
    s = tf.summary.scalar("loss", x)
    assert s.name == "loss:0" and s.dtype == tf.string and s.shape.as_list() == []
    assert _ops()[1:] == [
        ("loss/tags", "Const", []),
        ("loss", "ScalarSummary", ["loss/tags:0", "Const:0"]),
    ]
    assert tf.get_default_graph().get_operation_by_name("loss/tags").get_attr(
        "value"
    ).string_val == [b"loss"]
    assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [s]


def test_tags_follow_scopes_repeats_families_and_cleaning():
    x = tf.constant(1.0)
    a = tf.summary.scalar("loss", x)
    b = tf.summary.scalar("loss", x)
    c = tf.summary.scalar("loss", x, family="fam")
    with tf.name_scope("outer"):
        d = tf.summary.scalar("my loss:", x)
        h = tf.summary.histogram(None, x)
    e = tf.summary.histogram("", x)
    merged = _summary(tf.summary.merge([a, b, c, d, h, e]))
    assert [v.tag for v in merged.value] == [
        "loss",
        "loss_1",
        "fam/fam/loss",  # TF prefixes the family to a scope that already holds it
        "outer/my_loss_",
        "outer/HistogramSummary",
        "",  # an empty name opens the root scope: empty tag, op named after its type
    ]
    assert [t.op.name for t in (a, b, c, d, h, e)] == [
        "loss",
        "loss_1",
        "fam/loss",
        "outer/my_loss_",
        "outer/HistogramSummary",
        "HistogramSummary",
    ]


def test_python_values_are_converted_inside_the_summary_scope():
    tf.summary.scalar("lr", 0.1)
    assert [n for n, *_ in _ops()] == ["lr/tags", "lr/values", "lr"]


def test_other_summary_ops_graph():
    tf.summary.image("img", tf.zeros([2, 4, 5, 3]))
    tf.summary.audio("snd", tf.zeros([2, 10]), 8000)
    tf.summary.text("txt", tf.constant(["a", "b"]))
    tf.summary.tensor_summary(
        "ts", tf.constant([[1, 2]]), summary_description="desc", display_name="dn"
    )
    names = [(n, t, i) for n, t, i in _ops() if t != "Const" or "/" in n]
    assert names == [
        ("img/tag", "Const", []),
        ("img", "ImageSummary", ["img/tag:0", "zeros:0"]),
        ("snd/sample_rate", "Const", []),
        ("snd/tag", "Const", []),
        ("snd", "AudioSummaryV2", ["snd/tag:0", "zeros_1:0", "snd/sample_rate:0"]),
        ("txt/tag", "Const", []),
        ("txt/serialized_summary_metadata", "Const", []),
        ("txt", "TensorSummaryV2", ["txt/tag:0", "Const:0", "txt/serialized_summary_metadata:0"]),
        ("ts/tag", "Const", []),
        ("ts/serialized_summary_metadata", "Const", []),
        ("ts", "TensorSummaryV2", ["ts/tag:0", "Const_1:0", "ts/serialized_summary_metadata:0"]),
    ]
    g = tf.get_default_graph()
    img = g.get_operation_by_name("img")
    assert img.get_attr("max_images") == 3
    node = img.node_def
    assert make_ndarray(node.attr["bad_color"].tensor).tolist() == [255, 0, 0, 255]
    meta = g.get_operation_by_name("ts/serialized_summary_metadata").get_attr("value").string_val[0]
    assert meta == b"\x12\x02dn\x1a\x04desc"


def test_merge_and_merge_all_names_and_collections():
    x = tf.constant(1.0)
    a = tf.summary.scalar("a", x)
    with tf.name_scope("inner"):
        b = tf.summary.scalar("b", x)
    c = tf.summary.scalar("c", x, collections=["mine"])
    m1 = tf.summary.merge([a, b], name="mm")
    m2 = tf.summary.merge([a, b])
    m3 = tf.summary.merge_all()
    m4 = tf.summary.merge_all(scope="inner")
    m5 = tf.summary.merge_all(key="mine")
    assert (m1.op.name, m2.op.name, m3.op.name) == (
        "mm/mm",
        "Merge/MergeSummary",
        "Merge_1/MergeSummary",
    )
    assert m1.op.type == "MergeSummary" and m1.op.get_attr("N") == 2
    assert [i.op.name for i in m3.op.inputs] == ["a", "inner/b"]
    assert [i.op.name for i in m4.op.inputs] == ["inner/b"]
    assert [i.op.name for i in m5.op.inputs] == ["c"]
    assert tf.summary.merge_all(key="nothing") is None
    assert c not in tf.get_collection(tf.GraphKeys.SUMMARIES)


def test_summaries_are_built_in_the_graph_of_their_input():
    g = tf.Graph()
    with g.as_default():
        x = tf.constant(1.0)
    s = tf.summary.scalar("in_g", x)
    assert s.graph is g and g.get_collection(tf.GraphKeys.SUMMARIES) == [s]
    assert tf.get_default_graph().get_collection(tf.GraphKeys.SUMMARIES) == []


def test_text_requires_a_string_tensor():
    with pytest.raises(ValueError, match="Expected tensor Const:0 to have dtype string, got"):
        tf.summary.text("t", tf.constant(1.0))


# -- kernels ------------------------------------------------------------------------------
def _expected_scalar(tag: str, value: float) -> bytes:
    s = proto.Summary()
    v = s.value.add()
    v.tag = tag
    v.simple_value = value
    return s.SerializeToString()


@pytest.mark.parametrize(
    ("dtype", "value", "expected"),
    [
        (tf.float32, 2.5, 2.5),
        (tf.float32, 0.0, 0.0),
        (tf.float64, 1e300, float("inf")),
        (tf.int64, 2**40, float(2**40)),
        (tf.int32, -7, -7.0),
        (tf.uint8, 200, 200.0),
        (tf.float16, 1.5, 1.5),
    ],
)
def test_scalar_kernel_bytes(dtype, value, expected):
    out = _run(tf.summary.scalar("loss", tf.constant(value, dtype=dtype)))
    assert isinstance(out, bytes)
    assert out == _expected_scalar("loss", expected)


def test_scalar_kernel_bfloat16_values():
    # (A scalar bfloat16 constant is built with shape [1] by the core; feed a vector.)
    values = tf.constant([3.0, -0.5], dtype=tf.bfloat16)
    s = summary_ops.op_output("ScalarSummary", None, [["a", "b"], values])
    assert [v.simple_value for v in _summary(s).value] == [3.0, -0.5]


def test_scalar_kernel_with_vector_tags_and_fed_values():
    tags = tf.placeholder(tf.string, [None])
    values = tf.placeholder(tf.float32, [None])
    s = summary_ops.op_output("ScalarSummary", None, [tags, values])
    out = _run(s, {tags: [b"a", "b", "a"], values: [1.0, 2.0, 3.0]})
    assert [(v.tag, v.simple_value) for v in proto.Summary.FromString(out).value] == [
        ("a", 1.0),
        ("b", 2.0),
        ("a", 3.0),
    ]
    empty_tag = summary_ops.op_output("ScalarSummary", None, ["", 1.0])
    assert _run(empty_tag) == _expected_scalar("", 1.0)


def test_scalar_kernel_shape_mismatch_error():
    s = tf.summary.scalar("v", tf.constant([1.0, 2.0]), family="ff")
    with pytest.raises(errors.InvalidArgumentError) as info:
        _run(s)
    assert "tags and values are not the same shape: [] != [2] (tag 'ff/ff/v')" in str(info.value)
    assert "[[{{node ff/v}}]]" in str(info.value)
    vec = summary_ops.op_output("ScalarSummary", None, [["a", "b"], [1.0, 2.0, 3.0]])
    with pytest.raises(errors.InvalidArgumentError, match=r"not the same shape: \[2\] != \[3\]\n"):
        _run(vec)


def _edge_values() -> np.ndarray:
    limits = summary_ops.default_bucket_limits()[1:-1]
    # (not the largest double itself: TF's upper_bound would index past its buckets)
    extremes = [0.0, -0.0, 5e-324, 2.2e-308, np.nextafter(np.finfo(np.float64).max, 0)]
    values = [limits, np.nextafter(limits, np.inf), np.nextafter(limits, -np.inf), extremes]
    return np.concatenate([*values, -np.array(extremes)])


def _reference_histogram(values) -> bytes:
    """TF's Histogram as documented: ascending limits, upper_bound bucketing, zero runs
    collapsed into their last bucket; written with protobuf for comparison."""
    pos = []
    v = 1e-12
    while v < 1e20:
        pos.append(v)
        v *= 1.1
    dbl_max = np.finfo(np.float64).max
    pos.append(dbl_max)
    limits = [-x for x in reversed(pos)] + [0.0] + pos
    counts = [0.0] * len(limits)
    lo, hi, n, total, squares = dbl_max, -dbl_max, 0.0, 0.0, 0.0
    for x in values:
        x = float(x)
        counts[bisect.bisect_right(limits, x)] += 1
        lo, hi = min(lo, x), max(hi, x)
        n += 1
        total += x
        squares += x * x
    h = proto.HistogramProto(min=lo, max=hi, num=n, sum=total, sum_squares=squares)
    i = 0
    while i < len(counts):
        end, count = limits[i], counts[i]
        i += 1
        if count <= 0:
            while i < len(counts) and counts[i] <= 0:
                end, count = limits[i], counts[i]
                i += 1
        h.bucket_limit.append(end)
        h.bucket.append(count)
    return h.SerializeToString()


@pytest.mark.parametrize(
    "values",
    [
        [1.0, 2.0],
        [3, -1, 0, 0],
        [],
        [-0.0],
        [1e300, -1e300, 0.0, 5e-324],
        list(np.random.RandomState(0).randn(1000) * 50),
        list(np.random.RandomState(1).rand(300) * 1e-13),
        # large inputs take the key-table path (_bucket_counts); values on and next to
        # every bucket limit, signed zeros, subnormals and the largest doubles
        list(np.random.RandomState(2).randn(6000) * 10.0 ** np.arange(-15, 25).repeat(150)),
        list(_edge_values()),
    ],
)
def test_histogram_matches_tf_bucket_layout(values):
    arr = np.array(values, dtype=np.float64)
    assert summary_ops.histogram_proto_bytes(arr) == _reference_histogram(arr)
    out = _summary(tf.summary.histogram("h", tf.constant(arr)))
    assert out.value[0].tag == "h"
    # in a session the kernel runs with TF's FTZ/DAZ (subnormals count as zeros, tiny
    # squares flush), so the reference is computed in that mode too
    fp = denormal.enter()
    try:
        expected = _reference_histogram(arr)
    finally:
        denormal.exit(fp)
    assert out.value[0].histo.SerializeToString() == expected


def test_histogram_of_other_dtypes_and_limits():
    limits = summary_ops.default_bucket_limits()
    assert limits[0] == -np.finfo(np.float64).max and limits[-1] == np.finfo(np.float64).max
    assert limits[len(limits) // 2] == 0.0 and np.all(np.diff(limits) > 0)
    for dtype in (tf.int8, tf.uint16, tf.float16, tf.bfloat16):
        out = _summary(tf.summary.histogram("h", tf.constant([1, 2, 2, 7], dtype=dtype)))
        assert out.value[0].histo.SerializeToString() == _reference_histogram([1, 2, 2, 7])


def test_histogram_errors_name_the_node():
    nan = tf.summary.histogram("n", tf.constant([1.0, np.nan]), family="fam")
    inf = tf.summary.histogram("n", tf.constant([np.inf, np.nan]), family="fam")
    with pytest.raises(errors.InvalidArgumentError, match="Nan in summary histogram for: fam/n"):
        _run(nan)
    with pytest.raises(errors.InvalidArgumentError, match="Infinity in Histogram for: fam/n_1"):
        _run(inf)
    bad_tag = summary_ops.op_output("HistogramSummary", None, [["a", "b"], [1.0]])
    with pytest.raises(errors.InvalidArgumentError, match="tags must be scalar"):
        _run(bad_tag)


def _decode_png(data: bytes) -> np.ndarray:
    """Decodes the non-interlaced 8-bit PNGs written with filter 0 (ours)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body)
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, color, *_ = header
    channels = {0: 1, 4: 2, 2: 3, 6: 4}[color]
    assert depth == 8
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(height, 1 + width * channels)
    assert not rows[:, 0].any()
    return rows[:, 1:].reshape(height, width, channels)


def test_image_summary_uint8_float_and_bad_color():
    rng = np.random.RandomState(0)
    u8 = rng.randint(0, 256, size=(4, 3, 5, 3)).astype(np.uint8)
    out = _summary(tf.summary.image("img", tf.constant(u8)))
    assert [v.tag for v in out.value] == ["img/image/0", "img/image/1", "img/image/2"]
    for i, v in enumerate(out.value):
        assert (v.image.height, v.image.width, v.image.colorspace) == (3, 5, 3)
        np.testing.assert_array_equal(_decode_png(v.image.encoded_image_string), u8[i])

    pos = np.array([[[[0.0], [1.0]], [[2.0], [4.0]]]], np.float32)
    one = _summary(tf.summary.image("pos", tf.constant(pos), max_outputs=1)).value[0]
    assert one.tag == "pos/image"
    assert _decode_png(one.image.encoded_image_string)[..., 0].tolist() == [[0, 63], [127, 255]]

    neg = np.array([[[[-2.0], [0.0]], [[1.0], [np.nan]]]], np.float32)
    v = _summary(tf.summary.image("neg", tf.constant(neg))).value[0]
    assert _decode_png(v.image.encoded_image_string)[..., 0].tolist() == [[1, 128], [191, 255]]

    rgba = np.zeros((1, 1, 2, 4), np.float32)
    rgba[0, 0, 1, 2] = np.inf
    v = _summary(tf.summary.image("rgba", tf.constant(rgba))).value[0]
    assert _decode_png(v.image.encoded_image_string).tolist() == [[[0, 0, 0, 0], [255, 0, 0, 255]]]


def test_image_summary_errors():
    bad = summary_ops.op_output("ImageSummary", None, ["a", tf.zeros([2, 2, 2])])
    with pytest.raises(
        errors.InvalidArgumentError, match=r"4-D with last dim 1, 3, or 4, not \[2,2,2\]"
    ):
        _run(bad)
    bad_tag = summary_ops.op_output("ImageSummary", None, [["a"], tf.zeros([1, 2, 2, 1])])
    with pytest.raises(errors.InvalidArgumentError, match="Tags must be a scalar"):
        _run(bad_tag)
    empty = tf.placeholder(tf.float32, [None, 2, 2, 1])
    assert _run(tf.summary.image("empty", empty), {empty: np.zeros((0, 2, 2, 1))}) == b""


def test_audio_summary_wav():
    x = np.array([[0.5, -0.5, 1.0, -1.0, 2.0]], np.float32)
    v = _summary(tf.summary.audio("snd", tf.constant(x), 8000.5, max_outputs=1)).value[0]
    assert v.tag == "snd/audio"
    a = v.audio
    assert (a.sample_rate, a.num_channels, a.length_frames, a.content_type) == (
        8000.5,
        1,
        5,
        "audio/wav",
    )
    wav = a.encoded_audio_string
    assert wav[:4] == b"RIFF" and wav[8:16] == b"WAVEfmt "
    fmt = struct.unpack("<HHIIHH", wav[20:36])
    assert fmt == (1, 1, 8000, 16000, 2, 16)
    assert np.frombuffer(wav[44:], "<i2").tolist() == [16384, -16384, 32767, -32768, 32767]
    stereo = _summary(tf.summary.audio("st", tf.zeros([3, 4, 2]), 100)).value
    assert [v.tag for v in stereo] == ["st/audio/0", "st/audio/1", "st/audio/2"]
    assert stereo[0].audio.num_channels == 2
    bad = summary_ops.op_output("AudioSummaryV2", None, ["a", tf.zeros([2]), 1.0])
    with pytest.raises(errors.InvalidArgumentError, match=r"Tensor must be 3-D or 2-D, got: \[2\]"):
        _run(bad)


def test_tensor_summary_and_text():
    v = _summary(tf.summary.tensor_summary("ts", tf.constant([[1, 2]]), display_name="dn")).value[0]
    assert v.tag == "ts" and v.metadata.display_name == "dn"
    assert v.tensor.tensor_content == b"\x01\0\0\0\x02\0\0\0"
    np.testing.assert_array_equal(make_ndarray(v.tensor), [[1, 2]])
    scalar = _summary(tf.summary.tensor_summary("f", tf.constant(1.5))).value[0]
    assert scalar.HasField("metadata") and scalar.tensor.tensor_content == struct.pack("<f", 1.5)
    t = _summary(tf.summary.text("txt", tf.constant(["a", "b"]))).value[0]
    assert t.metadata.plugin_data.plugin_name == "text"
    assert list(t.tensor.string_val) == [b"a", b"b"]
    bools = _summary(tf.summary.tensor_summary("b", tf.constant([True, False]))).value[0]
    assert bools.tensor.tensor_content == b"\x01\x00"


def test_legacy_tensor_summary_and_summary_description():
    op = tf.get_default_graph()._create_op(
        "TensorSummary",
        [tf.constant([1.0, 2.0])],
        {"description": b'{"typeHint": "x"}', "display_name": b"dn"},
        name="legacy",
    )
    v = _summary(op.outputs[0]).value[0]
    assert v.node_name == "legacy" and not v.tag and not v.HasField("metadata")
    assert tf.summary.get_summary_description(op.node_def).type_hint == "x"
    with pytest.raises(ValueError, match="Can't get_summary_description on Const"):
        tf.summary.get_summary_description(tf.constant(1).op.node_def)


def test_merge_errors_and_empty_inputs():
    a = tf.summary.scalar("d", 1.0)
    dup = tf.summary.merge([a, tf.constant(_expected_scalar("d", 0.0))])
    with pytest.raises(
        errors.InvalidArgumentError, match="Duplicate tag d found in summary inputs"
    ):
        _run(dup)
    bad = tf.summary.merge([tf.constant(b""), tf.constant(b"\xff\xff")])
    with pytest.raises(
        errors.InvalidArgumentError, match="Could not parse one of the summary inputs"
    ):
        _run(bad)
    assert _run(tf.summary.merge([tf.constant([b"", b""]), a])) == _expected_scalar("d", 1.0)


def test_scalar_kernel_is_cheap():
    """Not a timing assertion: the kernel reuses its encoded tag between runs."""
    x = tf.placeholder(tf.float32, [])
    s = tf.summary.scalar("loss", x)
    with tf.Session() as sess:
        outs = [sess.run(s, {x: float(i)}) for i in range(3)]
    assert outs == [_expected_scalar("loss", float(i)) for i in range(3)]


# -- against real TensorFlow --------------------------------------------------------------
_TF_PROGRAM = r"""
import tfgraph as tg
rng = np.random.RandomState(0)
HIST = {
    "pair": (np.array([1.0, 2.0]), "float32"),
    "normal": (rng.randn(5000) * 3, "float32"),
    "wide": (rng.randn(2000) * 10.0 ** rng.randint(-15, 25, 2000), "float64"),
    "tiny": (rng.rand(100) * 1e-13 - 5e-14, "float64"),
    "ints": (rng.randint(-1000, 1000, 500), "int32"),
    "int8": (rng.randint(-128, 128, 64), "int8"),
    "uint64": (np.array([0, 1, 2**63]), "uint64"),
    "half": (rng.randn(100), "float16"),
    "bf16": (rng.randn(100), "bfloat16"),
    "zeros": (np.zeros(7), "float32"),
    "empty": (np.zeros(0), "float32"),
    "negzero": (np.array([-0.0]), "float64"),
    "huge": (np.array([1e300, -1e300, 1e-300]), "float64"),
    "wide_large": (rng.randn(8000) * 10.0 ** rng.randint(-15, 25, 8000), "float64"),
}
TENSOR = rng.randn(2, 3)
def programs(t):
    out = {}
    for k, (v, d) in HIST.items():
        out["hist_" + k] = lambda k=k, v=v, d=d: t.summary.histogram(
            k, t.constant(v, dtype=getattr(t, d)))
    for d in ["float32", "float64", "int32", "int64", "uint8", "float16"]:
        v = 3.25 if d.startswith("float") else 3
        out["scalar_" + d] = lambda d=d, v=v: t.summary.scalar(
            "s", t.constant(v, dtype=getattr(t, d)))
    out["scalar_big"] = lambda: t.summary.scalar("big", t.constant(1e300, dtype=t.float64))
    wave = np.linspace(-1.3, 1.3, 240).reshape(2, 60, 2).astype(np.float32)
    for rate in (0.2, 2.5, 3.5, 22050.5, 44100.7):
        out[f"audio_{rate}"] = lambda rate=rate: t.summary.audio(
            "a", t.constant(wave), rate, max_outputs=1)
    out["audio_mono"] = lambda: t.summary.audio("m", t.constant(wave[:, :, 0]), 8000)
    out["tensor_f"] = lambda: t.summary.tensor_summary(
        "tf", t.constant(TENSOR), summary_description="d")
    out["tensor_s"] = lambda: t.summary.tensor_summary(
        "ts", t.constant([["a", "bb"]]), display_name="x")
    out["tensor_b"] = lambda: t.summary.tensor_summary("tb", t.constant(True))
    out["tensor_c"] = lambda: t.summary.tensor_summary("tc", t.constant([1 + 2j]))
    out["text"] = lambda: t.summary.text("txt", t.constant("hello"))
    def merged():
        t.summary.scalar("a", 1.0)
        with t.name_scope("s"):
            t.summary.histogram("h", t.constant([1.0, 2.0]), family="f")
        return t.summary.merge_all()
    out["merge_all"] = merged
    return out
IMAGES = {
    "f32": (rng.rand(3, 5, 6, 3) * 7, "float32"),
    "neg": (rng.randn(2, 4, 4, 1) * 3, "float32"),
    "f64": (rng.randn(2, 4, 4, 4) * 1e3, "float64"),
    "f16": (rng.randn(2, 4, 4, 3), "float16"),
    "u8": (rng.randint(0, 255, size=(2, 3, 3, 3)), "uint8"),
    "nan": (np.array([[[[1.0, np.nan, 2.0], [0.5, 0.25, 3.0]],
                       [[np.inf, 0, 0], [-1, 2, 3]]]]), "float32"),
    "tiny": (np.full((1, 2, 2, 1), 1e-7), "float32"),
}

def run(t, fn):
    g = t.Graph()
    with g.as_default():
        x = fn()
        names = [(o.name, o.type, [i.name for i in o.inputs]) for o in g.get_operations()]
        with t.Session() as s:
            return s.run(x), names

result = {}
tf_programs, tg_programs = programs(tf), programs(tg)
for key in tf_programs:
    a, na = run(tf, tf_programs[key])
    b, nb = run(tg, tg_programs[key])
    result[key] = {"bytes": a == b, "graph": na == nb}
    if a != b:
        result[key]["tf"] = str(tf.Summary.FromString(a))[:3000]
        result[key]["tg"] = str(tf.Summary.FromString(b))[:3000]
decode_sess = tf.Session()
for key, (v, d) in IMAGES.items():
    a, _ = run(tf, lambda: tf.summary.image("im", tf.constant(v, dtype=getattr(tf, d))))
    b, _ = run(tg, lambda: tg.summary.image("im", tg.constant(v, dtype=getattr(tg, d))))
    sa, sb = tf.Summary.FromString(a), tf.Summary.FromString(b)
    same = len(sa.value) == len(sb.value)
    for va, vb in zip(sa.value, sb.value):
        ia, ib = va.image, vb.image
        dims_a = (ia.height, ia.width, ia.colorspace)
        same = same and va.tag == vb.tag and dims_a == (ib.height, ib.width, ib.colorspace)
        pa = decode_sess.run(tf.image.decode_png(ia.encoded_image_string))
        pb = decode_sess.run(tf.image.decode_png(ib.encoded_image_string))
        same = same and np.array_equal(pa, pb)
    result["image_" + key] = {"bytes": bool(same), "graph": True}
print(json.dumps(result))
"""


@pytest.mark.tf
@requires_tf
def test_summary_ops_match_real_tensorflow():
    out = json.loads(run_tf(_TF_PROGRAM).strip().splitlines()[-1])
    bad = {k: v for k, v in out.items() if not (v["bytes"] and v["graph"])}
    assert not bad, json.dumps(bad, indent=1)[:6000]
    assert len(out) > 30


# -- against TF's golden files ------------------------------------------------------------
def test_node_defs_equal_tf_golden_graph():
    path = golden("tf", "graph.pbtxt")
    tf_graph = proto.text_format.Parse(path.read_text(), proto.GraphDef())
    tf_nodes = {n.name: n for n in tf_graph.node}
    total = tf.add(tf.constant(1.0), tf.constant(2.0), name="add")
    tf.summary.scalar("loss", total)
    tf.summary.merge_all()
    ours = {n.name: n for n in tf.get_default_graph().as_graph_def().node}
    for name in ("loss/tags", "loss", "Merge/MergeSummary"):
        assert ours[name] == tf_nodes[name], name

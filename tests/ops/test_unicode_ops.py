"""tf.strings.unicode_decode / _with_offsets, unicode_split / _with_offsets,
unicode_encode, unicode_transcode and unicode_script against TF 2.21 (compat.v1 graph
mode): values, static shapes, the graph's ops and errors."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.ragged import harness
from tests.tfrun import requires_tf

CASES = r"""
BAD = [b"a\xffb", b"\xe2\x82", b"\xe2\x82x", b"\xf0\x9f\x98", b"\xed\xa0\x80z", b"\xc0\xaf",
       b"\xf4\x90\x80\x80", b"\x00\x01\x1f\x7f\xc2\x80\xc2\x9f\xc2\xa0"]
U16 = [b"\x00a\xd8\x3d\xde\x0a", b"\xd8\x3dx", b"\x00a\xdc\x00\x00b", b"\x00a\x00", b"\xd8\x3d",
       b"\xd8\x00\x00a"]
U32 = [b"\x00\x00\x00a\x00\x01\xf6\x0a", b"\x00\x11\x00\x00\x00\x00\x00b", b"\x00\x00\xd8\x00",
       b"\x00\x00\x00a\x00"]
CPS = [[104, -1, 0xD800, 0x110000, 0x1F60A], []]
S = ["h\u00e9llo", "ab", "", "\U0001f60a!"]
def _fed_decode():
    p = tf.placeholder(tf.string, [None])
    return [tf.strings.unicode_decode(p, "UTF-8"), {p: np.array([b"x\xc3\xa9", b""])}]
def _fed_encode():
    p = tf.placeholder(tf.int32, [None, None])
    return [tf.strings.unicode_encode(p, "UTF-16-BE"), {p: np.array([[104, 105], [106, 0]])}]
cases = {
  "decode": lambda: tf.strings.unicode_decode(S, "UTF-8"),
  "decode_scalar": lambda: tf.strings.unicode_decode("h\u00e9llo", "UTF-8"),
  "decode_2d": lambda: tf.strings.unicode_decode([["h\u00e9llo", "x"], ["ab", ""]], "UTF-8"),
  "decode_ragged": lambda: tf.strings.unicode_decode(tf.ragged.constant([["ab", "c"], []]),
                                                      "UTF-8"),
  "decode_fed": _fed_decode,
  "decode_2d_fed": lambda: [tf.strings.unicode_decode_with_offsets(
      tf.placeholder_with_default([["ab", "\u00e9"], ["", "x"]], [None, None]), "UTF-8")[1]],
  "encode_3d_fed": lambda: [tf.strings.unicode_encode(
      tf.placeholder_with_default([[[104, 105]], [[106, 107]]], [None, None, 2]), "UTF-8")],
  "transcode_fed": lambda: [tf.strings.unicode_transcode(
      tf.placeholder_with_default([["ab"]], [None, 1]), "UTF-8", "UTF-16-BE")],
  "decode_ragged_uniform": lambda: tf.strings.unicode_decode(
      tf.RaggedTensor.from_tensor(tf.constant([[["ab", "c"]], [["", "d"]]]), ragged_rank=1),
      "UTF-8"),
  "encode_ragged_inner_dense": lambda: tf.strings.unicode_encode(
      tf.ragged.constant([[[104, 105]], [[106, 107], [108, 109]]], ragged_rank=1), "UTF-8"),
  "split_ragged": lambda: tf.strings.unicode_split(tf.ragged.constant([["ab", "c"], []]),
                                                   "UTF-8"),
  "decode_name": lambda: tf.strings.unicode_decode(["a"], "UTF-8", name="dec"),
  "decode_offsets": lambda: list(tf.strings.unicode_decode_with_offsets(S, "UTF-8")),
  "decode_offsets_scalar": lambda: list(tf.strings.unicode_decode_with_offsets("\u00e9a", "UTF-8")),
  "decode_offsets_2d": lambda: list(tf.strings.unicode_decode_with_offsets([["ab"], ["\u00e9"]],
                                                                      "UTF-8")),
  "bad_replace": lambda: list(tf.strings.unicode_decode_with_offsets(BAD, "UTF-8")),
  "bad_ignore": lambda: list(tf.strings.unicode_decode_with_offsets(BAD, "UTF-8", errors="ignore")),
  "bad_strict": lambda: tf.strings.unicode_decode(BAD, "UTF-8", errors="strict"),
  "bad_control": lambda: tf.strings.unicode_decode(BAD, "UTF-8", replace_control_characters=True),
  "bad_char": lambda: tf.strings.unicode_decode(BAD, "UTF-8", replacement_char=63),
  "bad_char_surrogate": lambda: tf.strings.unicode_decode(BAD, "UTF-8", replacement_char=0xD800),
  "bad_char_range": lambda: tf.strings.unicode_decode(BAD, "UTF-8", replacement_char=-5),
  "u16": lambda: list(tf.strings.unicode_decode_with_offsets(U16, "UTF-16-BE")),
  "u16_ignore": lambda: list(tf.strings.unicode_decode_with_offsets(U16, "UTF-16-BE",
                                                                   errors="ignore")),
  "u16_strict": lambda: tf.strings.unicode_decode(U16, "UTF-16-BE", errors="strict"),
  "u16le": lambda: tf.strings.unicode_decode([b"a\x00\xe9\x00"], "UTF-16-LE"),
  "u32": lambda: list(tf.strings.unicode_decode_with_offsets(U32, "UTF-32-BE")),
  "u32_ignore": lambda: list(tf.strings.unicode_decode_with_offsets(U32, "UTF-32-BE",
                                                                   errors="ignore")),
  "latin1": lambda: list(tf.strings.unicode_decode_with_offsets([b"a\xe9"], "ISO-8859-1")),
  "utf16_bom": lambda: list(tf.strings.unicode_decode_with_offsets(
      [b"\xff\xfea\x00b\x00", b"\xfe\xff\x00a\x00b", b"\x00a\xfe\xff", b"\xff\xfe", b"\xd8\x00"],
      "UTF-16")),
  "utf32_bom": lambda: list(tf.strings.unicode_decode_with_offsets(
      [b"\xff\xfe\x00\x00a\x00\x00\x00b\x00\x00\x00", b"\x00\x00\x00a"], "UTF-32")),
  "other_codecs": lambda: [
      t
      for data, enc in [([b"ab\x80c", b"\xff"], "US-ASCII"),
                        ([b"a\x80\x81\x8d\x9d"], "windows-1252"),
                        ([b"\x82\xa0a"], "Shift_JIS"), ([b"\xa4"], "ISO-8859-15"),
                        ([b"a\x00\x00\x00"], "UTF-32LE"), ([b"ab"], "utf8")]
      for t in tf.strings.unicode_decode_with_offsets(data, enc)],
  "unknown_encoding": lambda: tf.strings.unicode_decode(["ab"], "FOO"),
  "bad_errors_attr": lambda: tf.strings.unicode_decode(["ab"], "UTF-8", errors="bad"),
  "decode_unknown_rank": lambda: tf.strings.unicode_decode(tf.placeholder(tf.string), "UTF-8"),
  "split": lambda: tf.strings.unicode_split(S, "UTF-8"),
  "split_scalar": lambda: tf.strings.unicode_split("h\u00e9", "UTF-8"),
  "split_2d": lambda: tf.strings.unicode_split([["h\u00e9"], ["ab"]], "UTF-8"),
  "split_bad": lambda: tf.strings.unicode_split(BAD, "UTF-8"),
  "split_u16": lambda: tf.strings.unicode_split(U16, "UTF-16-BE"),
  "split_fed": lambda: [tf.strings.unicode_split(tf.placeholder_with_default(["ab"], [None]),
                                                 "UTF-8")],
  "transcode_ragged": lambda: tf.strings.unicode_transcode(tf.ragged.constant([["a"], []]),
                                                           "UTF-8", "UTF-16-BE"),
  "transcode_repl16": lambda: tf.strings.unicode_transcode(BAD, "UTF-8", "UTF-16-BE",
                                                           replacement_char=0xDC00),
  "encode_repl_surrogate16": lambda: tf.strings.unicode_encode(
      tf.ragged.constant([[104, -1]]), "UTF-16-BE", replacement_char=0xD800),
  "encode_repl_surrogate32": lambda: tf.strings.unicode_encode(
      tf.ragged.constant([[104, -1]]), "UTF-32-BE", replacement_char=0xD800),
  "split_offsets": lambda: list(tf.strings.unicode_split_with_offsets(S, "UTF-8")),
  "encode": lambda: tf.strings.unicode_encode(tf.ragged.constant([[104, 233], [98], []]),
                                              "UTF-8"),
  "encode_vector": lambda: tf.strings.unicode_encode([104, 233], "UTF-8"),
  "encode_dense": lambda: tf.strings.unicode_encode([[104, 233], [98, 99]], "UTF-16-BE"),
  "encode_3d": lambda: tf.strings.unicode_encode([[[104, 105], [106, 107]]], "UTF-32-BE"),
  "encode_ragged2": lambda: tf.strings.unicode_encode(
      tf.ragged.constant([[[104], [105, 106]], []]), "UTF-8"),
  "encode_fed": _fed_encode,
  "encode_replace8": lambda: tf.strings.unicode_encode(tf.ragged.constant(CPS), "UTF-8"),
  "encode_replace16": lambda: tf.strings.unicode_encode(tf.ragged.constant(CPS), "UTF-16-BE"),
  "encode_replace32": lambda: tf.strings.unicode_encode(tf.ragged.constant(CPS), "UTF-32-BE"),
  "encode_ignore": lambda: tf.strings.unicode_encode(tf.ragged.constant(CPS), "UTF-8",
                                                     errors="ignore"),
  "encode_strict": lambda: tf.strings.unicode_encode(tf.ragged.constant(CPS), "UTF-8",
                                                     errors="strict"),
  "encode_repl_surrogate": lambda: tf.strings.unicode_encode(tf.ragged.constant([[104, -1]]),
                                                             "UTF-8", replacement_char=0xD800),
  "encode_repl_range": lambda: tf.strings.unicode_encode(tf.ragged.constant([[104, -1]]),
                                                         "UTF-8", replacement_char=-5),
  "encode_bad_encoding": lambda: tf.strings.unicode_encode(tf.ragged.constant([[104]]), "UTF-7"),
  "encode_scalar": lambda: tf.strings.unicode_encode(5, "UTF-8"),
  "transcode": lambda: tf.strings.unicode_transcode(BAD, "UTF-8", "UTF-16-BE"),
  "transcode_ignore": lambda: tf.strings.unicode_transcode(BAD, "UTF-8", "UTF-16-BE",
                                                           errors="ignore"),
  "transcode_strict": lambda: tf.strings.unicode_transcode(BAD, "UTF-8", "UTF-8",
                                                           errors="strict"),
  "transcode_control": lambda: tf.strings.unicode_transcode(BAD, "UTF-8", "UTF-8",
                                                            replace_control_characters=True),
  "transcode_repl": lambda: tf.strings.unicode_transcode(BAD, "UTF-8", "UTF-32-BE",
                                                         replacement_char=0xD800),
  "transcode_zero": lambda: tf.strings.unicode_transcode(BAD, "UTF-8", "UTF-8",
                                                         replacement_char=0),
  "transcode_u16": lambda: tf.strings.unicode_transcode([[b"a\xff\xfe", b"\xd8\x00\x00a"]],
                                                        "UTF-16-BE", "UTF-8"),
  "transcode_latin1": lambda: tf.strings.unicode_transcode([b"a\x00\xe9"], "ISO-8859-1",
                                                           "UTF-8", name="t"),
  "transcode_unknown": lambda: tf.strings.unicode_transcode(["a"], "FOO", "UTF-8"),
  "script": lambda: tf.strings.unicode_script(
      [0x41, 0x61, 0x5d0, 0x627, 0x4e00, 0x3042, 0x30a2, 0xac00, 0x0e01, 0x905, 0x10a0, 0x20,
       0x31, -1, 0, 0x110000, 0x300, 0x1F60A, 0xE000, 0x378, 0x10FFFF, 0x370, 0x3e2]),
  "script_2d": lambda: tf.strings.unicode_script([[0x41, 0x416], [0x3b1, 0x5d0]], name="s"),
  "script_ragged": lambda: tf.strings.unicode_script(tf.strings.unicode_decode(S, "UTF-8")),
}
"""


@pytest.fixture(scope="module")
def both():
    return harness.run_here(CASES), harness.run_tf(CASES)


@requires_tf
@pytest.mark.parametrize("name", harness.case_names(CASES))
def test_unicode_as_tf(both, name):
    harness.compare(*both, name)


def test_decode_values():
    with tf.Graph().as_default():
        rt = tf.strings.unicode_decode(["h\u00e9", ""], "UTF-8")
        with tf.Session() as sess:
            assert sess.run(rt).to_list() == [[104, 233], []]


_EXPORT_PROGRAM = r"""
s = tf.placeholder(tf.string, [None], name="s")
codes = tf.strings.unicode_decode(s, "UTF-8")
chars, offsets = tf.strings.unicode_split_with_offsets(s, "UTF-8")
words = tf.ragged.constant([["a", "b", "c"], ["d"]])
outs = [
    codes.flat_values, codes.row_splits, chars.flat_values, offsets.flat_values,
    tf.strings.unicode_encode(codes, "UTF-16-BE"),
    tf.strings.unicode_transcode(s, "UTF-8", "UTF-32-BE", errors="ignore"),
    tf.strings.unicode_script(codes.flat_values),
    tf.strings.bytes_split(s).flat_values,
    tf.strings.ngrams(words, [1, 2], pad_values="#").flat_values,
    tf.ragged.cross([words, tf.constant([["x"], ["y"]])]).flat_values,
    tf.ragged.cross_hashed([words, tf.constant([[1], [2]])], 7).flat_values,
    tf.ragged_fill_empty_rows(tf.constant([1, 3], tf.int64), [1.0, 2.0],
                              tf.constant(4, tf.int64), 0.5)[1],
]
"""
_FEED = [b"h\xc3\xa9llo", b"a\xffb", b""]


@requires_tf
def test_graph_def_with_unicode_ops_runs_in_tf(tmp_path):
    """A GraphDef tfgraph writes with these ops imports into TF and computes the same."""
    import json

    from tests import tfrun

    def plain(v):
        v = np.asarray(v)
        return [x.decode("latin-1") if isinstance(x, bytes) else x for x in v.tolist()]

    with tf.Graph().as_default() as g:
        ns = {"tf": tf}
        exec(_EXPORT_PROGRAM, ns)
        with tf.Session() as sess:
            ours = sess.run(ns["outs"], {ns["s"]: _FEED})
        (tmp_path / "graph.pb").write_bytes(g.as_graph_def().SerializeToString())
        names = [t.name for t in ns["outs"]]
    theirs = json.loads(
        tfrun.run_tf(
            f"""
gd = tf.GraphDef()
gd.ParseFromString(open("graph.pb", "rb").read())
tf.import_graph_def(gd, name="")
with tf.Session() as sess:
    vals = sess.run({names!r}, {{"s:0": {_FEED!r}}})
def plain(v):
    v = np.asarray(v)
    return [x.decode("latin-1") if isinstance(x, bytes) else x for x in v.tolist()]
print(json.dumps([plain(v) for v in vals]))
""",
            cwd=tmp_path,
        )
    )
    for name, mine, tf_value in zip(names, ours, theirs, strict=True):
        assert plain(mine) == tf_value, name


def test_script_codes():
    with tf.Graph().as_default():
        codes = tf.strings.unicode_script([0x41, 0x3B1, 0x416, 0x4E00, 0x300, 0x20, -1, 0xE000])
        with tf.Session() as sess:
            assert sess.run(codes).tolist() == [25, 14, 8, 17, 1, 0, -1, 103]

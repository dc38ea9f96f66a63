"""SaveV2, RestoreV2, MergeV2Checkpoints and the filename string ops."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json
from tfgraph import errors
from tfgraph.io import bundle
from tfgraph.ops import io_ops


def _run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def test_save_v2_then_restore_v2(tmp_path):
    prefix = str(tmp_path / "ck")
    a = tf.constant([1.0, 2.0])
    b = tf.constant([[1, 2], [3, 4]], dtype=tf.int64)
    s = tf.constant([b"x", b"", b"\x00\xff"])
    save = io_ops.save_v2(prefix, ["a", "b", "s"], ["", "", ""], [a, b, s])
    assert save.type == "SaveV2" and save.name == "SaveV2"
    assert [t.name for t in save.inputs[:3]] == [
        "SaveV2/prefix:0",
        "SaveV2/tensor_names:0",
        "SaveV2/shape_and_slices:0",
    ]
    assert save.get_attr("dtypes") == [tf.float32, tf.int64, tf.string]
    _run(save)
    with bundle.BundleReader(prefix) as r:
        assert r.keys() == ["a", "b", "s"]
    out = io_ops.restore_v2(prefix, ["s", "a"], ["", ""], [tf.string, tf.float32])
    assert [t.dtype for t in out] == [tf.string, tf.float32]
    assert out[0].shape.ndims is None
    got = _run(out)
    assert list(got[0]) == [b"x", b"", b"\x00\xff"]
    np.testing.assert_array_equal(got[1], [1.0, 2.0])


def test_restore_v2_reads_the_bundle_once_per_call(tmp_path, monkeypatch):
    prefix = str(tmp_path / "ck")
    _run(io_ops.save_v2(prefix, ["a", "b"], ["", ""], [tf.constant(1.0), tf.constant(2.0)]))
    opened = []
    real = bundle.BundleReader

    class Counting(real):
        def __init__(self, p):
            opened.append(p)
            super().__init__(p)

    monkeypatch.setattr(bundle, "BundleReader", Counting)
    out = io_ops.restore_v2(prefix, ["a", "b"], ["", ""], [tf.float32, tf.float32])
    assert _run(out) == [1.0, 2.0]
    assert opened == [prefix]


def test_save_of_uninitialized_variable_fails(tmp_path):
    v = tf.Variable([1.0], name="v")
    save = io_ops.save_v2(str(tmp_path / "ck"), ["v"], [""], [v._variable])
    with pytest.raises(
        errors.FailedPreconditionError, match="Attempting to use uninitialized value v"
    ):
        _run(save)
    assert not os.listdir(tmp_path)  # nothing half-written


def test_save_creates_one_directory_level_but_not_its_parents(tmp_path):
    _run(io_ops.save_v2(str(tmp_path / "new" / "ck"), ["a"], [""], [tf.constant(1.0)]))
    assert (tmp_path / "new" / "ck.index").exists()
    deep = str(tmp_path / "x" / "y" / "ck")
    with pytest.raises(errors.NotFoundError, match=r"y; No such file or directory"):
        _run(io_ops.save_v2(deep, ["a"], [""], [tf.constant(1.0)]))


def test_restore_errors(tmp_path):
    prefix = str(tmp_path / "ck")
    _run(io_ops.save_v2(prefix, ["v"], [""], [tf.constant([1.0, 2.0])]))
    missing = io_ops.restore_v2(prefix, ["zz"], [""], [tf.float32])
    with pytest.raises(errors.NotFoundError, match="Key zz not found in checkpoint"):
        _run(missing)
    nofile = io_ops.restore_v2(str(tmp_path / "nope"), ["v"], [""], [tf.float32])
    with pytest.raises(
        errors.NotFoundError,
        match="Unsuccessful TensorSliceReader constructor: Failed to find any matching files",
    ):
        _run(nofile)
    wrong = io_ops.restore_v2(prefix, ["v"], [""], [tf.int32])
    with pytest.raises(
        errors.InvalidArgumentError,
        match="tensor_name = v; expected dtype int32 does not equal original dtype float",
    ):
        _run(wrong)


def test_name_count_mismatch_is_an_error(tmp_path):
    names = tf.placeholder(tf.string, [None])
    save = io_ops.save_v2(
        str(tmp_path / "ck"), names, ["", ""], [tf.constant(1.0), tf.constant(2.0)]
    )
    with pytest.raises(errors.InvalidArgumentError, match="Expected tensor_names"):
        with tf.Session() as sess:
            sess.run(save, {names: ["a"]})


def test_shape_rules_reject_bad_inputs(tmp_path):
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1"):
        io_ops.save_v2(["a", "b"], ["a"], [""], [tf.constant(1.0)])
    with pytest.raises(ValueError, match=r"must be \[1\]"):
        io_ops.save_v2(str(tmp_path / "ck"), ["a", "b"], ["", ""], [tf.constant(1.0)])


def test_sliced_save_and_restore(tmp_path):
    prefix = str(tmp_path / "ck")
    top = tf.constant(np.ones([2, 3], np.float32))
    bottom = tf.constant(np.full([2, 3], 2.0, np.float32))
    _run(io_ops.save_v2(prefix, ["p", "p"], ["4 3 0,2:0,3", "4 3 2,2:-"], [top, bottom]))
    with bundle.BundleReader(prefix) as r:
        full = r.read("p")
    np.testing.assert_array_equal(full, np.concatenate([np.ones([2, 3]), np.full([2, 3], 2.0)]))
    part = io_ops.restore_v2(prefix, ["p", "p"], ["4 3 1,2:0,3", ""], [tf.float32, tf.float32])
    assert part[0].shape.as_list() == [2, 3]
    got = _run(part)
    np.testing.assert_array_equal(got[0], [[1, 1, 1], [2, 2, 2]])
    np.testing.assert_array_equal(got[1], full)
    bad = io_ops.restore_v2(prefix, ["p"], ["5 3 0,1:-"], [tf.float32])
    with pytest.raises(errors.InvalidArgumentError, match="does not match the shape stored"):
        _run(bad)


def test_parse_shape_and_slice():
    assert io_ops.parse_shape_and_slice("") is None
    assert io_ops.parse_shape_and_slice("4 3 0,2:-") == ([4, 3], [(0, 2), (0, -1)])
    with pytest.raises(errors.InvalidArgumentError, match="shape and slice"):
        io_ops.parse_shape_and_slice("4 3 x")


def test_sharded_filename_and_filespec():
    name = io_ops.sharded_filename("/a/b", 3, 12)
    spec = io_ops.sharded_filespec("/a/b", 12)
    assert _run([name, spec]) == [b"/a/b-00003-of-00012", b"/a/b-?????-of-00012"]


def test_string_join_broadcasts_scalars():
    joined = io_ops.string_join([tf.constant(["a", "b"]), "-", tf.constant(["x", "y"])])
    assert list(_run(joined)) == [b"a-x", b"b-y"]
    sep = io_ops.string_join(["p", "q"], separator="/")
    assert _run(sep) == b"p/q"
    with pytest.raises(ValueError, match="do not match"):
        io_ops.string_join([tf.constant(["a", "b"]), tf.constant(["a", "b", "c"])])


def test_static_regex_full_match():
    m = io_ops.static_regex_full_match(tf.constant(["s3://x", "/tmp/s3://"]), "^s3://.*")
    assert m.dtype == tf.bool
    assert list(_run(m)) == [True, False]


_REGEX_INPUTS = ["abc", "aaa", "a\nb", "ab", "\u00e9", "\u00e9x", ""]
_REGEX_CASES = [  # pattern, expected matches of _REGEX_INPUTS (as TF 2.21 gives them)
    ("a.*", [1, 1, 0, 1, 0, 0, 0]),  # `.` does not match a newline
    ("(?s)a.b", [0, 0, 1, 0, 0, 0, 0]),
    ("(a+)+$", [0, 1, 0, 0, 0, 0, 0]),
    (".", [0, 0, 0, 0, 1, 0, 0]),  # UTF-8: one character, two bytes
    ("..", [0, 0, 0, 1, 0, 1, 0]),
    ("\\w+", [1, 1, 0, 1, 0, 0, 0]),  # ASCII word characters only
    ("(?P<n>a)bc", [1, 0, 0, 0, 0, 0, 0]),
    ("", [0, 0, 0, 0, 0, 0, 1]),
]


@pytest.mark.parametrize("pattern, expected", _REGEX_CASES)
def test_static_regex_full_match_is_re2(pattern, expected):
    m = io_ops.static_regex_full_match(tf.constant(_REGEX_INPUTS), pattern)
    assert _run(m).tolist() == [bool(e) for e in expected]


@pytest.mark.parametrize(
    "pattern, error",
    [
        ("(", "missing ): ("),
        ("(a)\\1", "invalid escape sequence: \\1"),  # RE2 has no backreferences
        ("(?=a)a", "invalid perl operator: (?="),  # nor lookaround
        ("a{1001}", "invalid repetition size: {1001}"),
        ("[z-a]", "invalid character class range: z-a"),
        ("a**", "bad repetition operator: **"),
    ],
)
def test_static_regex_full_match_invalid_pattern(pattern, error):
    m = io_ops.static_regex_full_match(tf.constant(["a"]), pattern)
    with pytest.raises(errors.InvalidArgumentError) as info:
        _run(m)
    assert f"Invalid pattern: {pattern}, error: {error}" in info.value.message


def test_static_regex_full_match_is_linear_time():
    # Python's re backtracks exponentially here (each extra "a" doubles the time).
    m = io_ops.static_regex_full_match(tf.constant(["a" * 5000 + "b", "a" * 5000]), "(a+)+$")
    start = time.perf_counter()
    assert _run(m).tolist() == [False, True]
    assert time.perf_counter() - start < 2.0


@pytest.mark.tf
@requires_tf
def test_static_regex_full_match_matches_tf():
    import json

    patterns = [p for p, _ in _REGEX_CASES] + ["(", "(a)\\1", "a|b*", "[[:alpha:]]+", "\\pL+"]
    theirs = run_tf_json(
        f"""
out = []
x = tf.constant({_REGEX_INPUTS!r})
for p in {patterns!r}:
    try:
        with tf.Session() as s:
            out.append(s.run(tf.strings.regex_full_match(x, p)).tolist())
    except tf.errors.InvalidArgumentError as e:
        out.append(e.message.split("Invalid pattern: ")[1].split("\\n")[0])
print(json.dumps(out))
"""
    )
    ours = []
    for p in patterns:
        try:
            ours.append(
                _run(io_ops.static_regex_full_match(tf.constant(_REGEX_INPUTS), p)).tolist()
            )
        except errors.InvalidArgumentError as e:
            ours.append(e.message.split("Invalid pattern: ")[1].split("\n")[0])
    assert json.loads(json.dumps(ours)) == theirs


def _bundle(prefix, **tensors):
    with bundle.BundleWriter(prefix) as w:
        for k, v in tensors.items():
            w.add(k, v)


def test_merge_v2_checkpoints(tmp_path):
    tmp = tmp_path / "m_temp"
    a, b = str(tmp / "part-00000-of-00002"), str(tmp / "part-00001-of-00002")
    _bundle(a, x=np.float32([1, 2]))
    _bundle(b, y=np.int32([3]))
    dest = str(tmp_path / "m")
    _run(io_ops.merge_v2_checkpoints([a, b], dest))
    assert sorted(os.listdir(tmp_path)) == [
        "m.data-00000-of-00002",
        "m.data-00001-of-00002",
        "m.index",
    ]
    with bundle.BundleReader(dest) as r:
        assert r.header.num_shards == 2
        np.testing.assert_array_equal(r.read("x"), [1, 2])
        np.testing.assert_array_equal(r.read("y"), [3])


def test_merge_single_shard_equals_an_unsharded_save(tmp_path):
    src = str(tmp_path / "t_temp" / "part-00000-of-00001")
    _bundle(src, v=np.float32([1, 2]), w=np.arange(6, dtype=np.float32).reshape(2, 3))
    _run(io_ops.merge_v2_checkpoints([src], str(tmp_path / "t")))
    _bundle(
        str(tmp_path / "u"), v=np.float32([1, 2]), w=np.arange(6, dtype=np.float32).reshape(2, 3)
    )
    for suffix in (".index", ".data-00000-of-00001"):
        assert (tmp_path / ("t" + suffix)).read_bytes() == (tmp_path / ("u" + suffix)).read_bytes()


def test_merge_missing_source(tmp_path):
    dest = str(tmp_path / "m")
    with pytest.raises(errors.NotFoundError, match="No such file or directory"):
        _run(io_ops.merge_v2_checkpoints([str(tmp_path / "nope")], dest))
    src = str(tmp_path / "s" / "part")
    _bundle(src, v=np.float32([1]))
    merge = io_ops.merge_v2_checkpoints(
        [str(tmp_path / "nope"), src], dest, allow_missing_files=True
    )
    _run(merge)
    with bundle.BundleReader(dest) as r:
        assert r.keys() == ["v"]

"""Array ops: values against numpy, static shapes (incl. partially known), errors."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json
from tfgraph import errors

X = (np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 10) / 4


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict=feed)


def dims(t):
    return t.shape.as_list() if t.shape.ndims is not None else None


@pytest.fixture
def x():
    return tf.placeholder(tf.float32, [2, 3, 4], name="x")


@pytest.fixture
def p():
    return tf.placeholder(tf.float32, [None, 3], name="p")


P = np.array([[1, -2, 3], [4, 5, -6]], np.float32)


# -- slicing ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "index",
    [
        1,
        -1,
        (0, 1),
        (1, 2, 3),
        (slice(None), 1),
        (Ellipsis, 2),
        (0, Ellipsis, slice(1, 3)),
        slice(1, None),
        slice(None, None, -1),
        (slice(None), slice(-2, None)),
        (slice(None), slice(None), slice(3, 0, -2)),
        slice(-5, 5),
        (slice(None), slice(None, None, -2), slice(1, -1)),
        None,
        (slice(None), None),
        (Ellipsis, None),
        (None, 0, Ellipsis, None, 1),
        (1, None, slice(None), None, -1),
    ],
)
def test_getitem_matches_numpy(x, index):
    y = x[index]
    expected = X[index]
    assert dims(y) == list(expected.shape)
    np.testing.assert_array_equal(run(y, {x: X}), expected)


def test_getitem_builds_one_strided_slice_with_stack_constants(x):
    y = x[1:, ::2, 0]
    op = y.op
    assert op.type == "StridedSlice"
    assert [t.op.name for t in op.inputs[1:]] == [
        "strided_slice/stack",
        "strided_slice/stack_1",
        "strided_slice/stack_2",
    ]
    assert op._attrs["begin_mask"] == 2
    assert op._attrs["end_mask"] == 3
    assert op._attrs["shrink_axis_mask"] == 4


def test_getitem_tensor_indices(x):
    i = tf.constant(1)
    j = tf.placeholder(tf.int32, [])
    ys = [x[i], x[:, j], x[i:j], x[tf.constant(1, tf.int64)], x[0, i:, :j]]
    assert dims(ys[0]) == [3, 4]
    assert dims(ys[1]) == [2, 4]
    assert ys[3].op.inputs[1].dtype == tf.int64
    out = run(ys, {x: X, j: 2})
    for got, want in zip(out, [X[1], X[:, 2], X[1:2], X[1], X[0, 1:, :2]], strict=True):
        np.testing.assert_array_equal(got, want)


def test_getitem_partial_and_unknown_shapes(p):
    assert dims(p[0]) == [3]
    assert dims(p[:, 1]) == [None]
    assert dims(p[1:, :2]) == [None, 2]
    u = tf.placeholder(tf.float32)
    assert u[0].shape.ndims is None
    np.testing.assert_array_equal(run(p[..., ::-1], {p: P}), P[..., ::-1])


def test_getitem_errors(x, p):
    with pytest.raises(TypeError, match="Only integers, slices"):
        x[1.5]
    with pytest.raises(ValueError, match="slice index 5 of dimension 0 out of bounds"):
        x[5]
    with pytest.raises(ValueError, match="Index out of range using input dim 3"):
        x[0, 0, 0, 0]
    with pytest.raises(ValueError, match="Multiple ellipses in slice spec not allowed"):
        x[..., ...]
    with pytest.raises(errors.InvalidArgumentError, match="slice index 3 of dimension 0 out of"):
        run(p[3], {p: P})


def test_getitem_variable_and_bool_mask():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    m = tf.constant([True, False])
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(v[:, 1]), [2.0, 4.0])
        np.testing.assert_array_equal(sess.run(v.value()[m]), [[1.0, 2.0]])


def test_strided_slice_and_slice(x, p):
    y = tf.strided_slice(x, [1, 0, 3], [2, 3, 0], [1, 1, -1], shrink_axis_mask=1)
    assert dims(y) == [3, 3]
    s = tf.slice(x, [0, 1, 0], [1, 2, -1])
    assert dims(s) == [1, 2, 4]
    b = tf.placeholder(tf.int32, [2])
    assert dims(tf.slice(p, b, [1, -1])) == [1, None]
    got = run([y, s, tf.slice(p, b, [1, 2])], {x: X, p: P, b: [1, 1]})
    np.testing.assert_array_equal(got[0], X[1, 0:3, 3:0:-1])
    np.testing.assert_array_equal(got[1], X[0:1, 1:3, :])
    np.testing.assert_array_equal(got[2], P[1:2, 1:3])


def test_slice_errors(x, p):
    with pytest.raises(ValueError, match="Negative dimension size caused by subtracting 4"):
        tf.slice(x, [0, 4, 0], [1, -1, 1])
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 3"):
        tf.slice(x, [0, 0], [1, 1])
    with pytest.raises(errors.InvalidArgumentError, match=r"Expected size\[0\] in \[0, 1\]"):
        run(tf.slice(p, [1, 0], [5, 2]), {p: P})
    with pytest.raises(ValueError, match=r"strides\[0\] must be non-zero"):
        tf.strided_slice(x, [0], [1], [0])


# -- gather, tile, unstack, split ---------------------------------------------------------
def test_gather(x, p):
    i = tf.placeholder(tf.int32, [None])
    g = [tf.gather(x, [1, 0]), tf.gather(x, 2, axis=1), tf.gather(x, [[0, 1], [3, 3]], axis=-1)]
    assert [dims(t) for t in g] == [[2, 3, 4], [2, 4], [2, 3, 2, 2]]
    assert dims(tf.gather(p, i, axis=1)) == [None, None]
    assert g[0].op.type == "GatherV2" and g[0].op.inputs[2].op.name == "GatherV2/axis"
    out = run(g + [tf.gather(p, i, axis=1)], {x: X, p: P, i: [2, 0]})
    np.testing.assert_array_equal(out[0], X[[1, 0]])
    np.testing.assert_array_equal(out[1], X[:, 2])
    np.testing.assert_array_equal(out[2], np.take(X, [[0, 1], [3, 3]], axis=-1))
    np.testing.assert_array_equal(out[3], P[:, [2, 0]])


def test_gather_errors(x):
    with pytest.raises(ValueError, match="Shape must be at least rank 4 but is rank 3"):
        tf.gather(x, [0], axis=3)
    with pytest.raises(TypeError, match="not in list of allowed values"):
        tf.gather(x, [0.5])
    i = tf.placeholder(tf.int32, [2, 2])
    with pytest.raises(errors.InvalidArgumentError, match=r"indices\[1,0\] = 7 is not in \[0, 2\)"):
        run(tf.gather(x, i), {x: X, i: [[0, 1], [7, 0]]})
    with pytest.raises(errors.InvalidArgumentError, match=r"indices\[0\] = -1 is not in \[0, 4\)"):
        run(tf.gather(x, [-1], axis=2), {x: X})
    many = [0, 1, 2, 3] * 3 + [4]  # (more than a few indices: checked by numpy)
    with pytest.raises(errors.InvalidArgumentError, match=r"indices\[12\] = 4 is not in \[0, 4\)"):
        run(tf.gather(x, many, axis=2), {x: X})


def test_gather_of_a_scalar_index(x):
    """A loop's `tf.gather(xs, t)`: a fresh array per run, and TF's message (no position)
    for an index out of range."""
    t = tf.placeholder(tf.int32, [])
    rows, cols = tf.gather(x, t), tf.gather(x, t, axis=1)
    first = run(rows, {x: X, t: 1})
    np.testing.assert_array_equal(first, X[1])
    assert not np.shares_memory(first, X)
    np.testing.assert_array_equal(run(cols, {x: X, t: 2}), X[:, 2])
    for bad in (-1, 3):
        message = rf"^indices = {bad} is not in \[0, 3\)"
        with pytest.raises(errors.InvalidArgumentError, match=message):
            run(cols, {x: X, t: bad})


def test_tile(x, p):
    m = tf.placeholder(tf.int32, [])
    t = [tf.tile(x, [1, 2, 1]), tf.tile(p, [m, 2]), tf.tile([[1, 2]], [2, 2])]
    assert [dims(v) for v in t] == [[2, 6, 4], [None, 6], [2, 4]]
    out = run(t, {x: X, p: P, m: 2})
    np.testing.assert_array_equal(out[0], np.tile(X, [1, 2, 1]))
    np.testing.assert_array_equal(out[1], np.tile(P, [2, 2]))
    with pytest.raises(ValueError, match="Shape must be rank 3 but is rank 2"):
        tf.tile(x, [1, 2])


def test_unstack(x, p):
    parts = tf.unstack(x, axis=1)
    assert len(parts) == 3 and dims(parts[0]) == [2, 4]
    np.testing.assert_array_equal(run(parts, {x: X})[2], X[:, 2])
    single = tf.unstack(tf.zeros([1, 2]))
    assert len(single) == 1
    np.testing.assert_array_equal(run(single[0]), [0.0, 0.0])
    with pytest.raises(ValueError, match="Cannot infer argument `num` from shape"):
        tf.unstack(p)
    with pytest.raises(ValueError, match="Dimension must be 3 but is 2"):
        tf.unstack(x, num=3)
    with pytest.raises(errors.InvalidArgumentError, match="Input shape axis 0 must equal 3"):
        run(tf.unstack(p, num=3), {p: P})


def test_split(x, p):
    a = tf.split(x, 2, axis=2)
    b = tf.split(x, [1, -1], axis=1)
    assert [dims(t) for t in a] == [[2, 3, 2]] * 2
    assert [dims(t) for t in b] == [[2, 1, 4], [2, 2, 4]]
    assert a[0].op.type == "Split" and b[0].op.type == "SplitV"
    assert [dims(t) for t in tf.split(p, 2)] == [[None, 3]] * 2
    out = run(a + b, {x: X})
    for got, want in zip(out, np.split(X, 2, axis=2) + np.split(X, [1], axis=1), strict=True):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(run(tf.split(x, 1)[0], {x: X}), X)


def test_split_errors(x, p):
    with pytest.raises(ValueError, match="Dimension size must be evenly divisible by 5 but is 4"):
        tf.split(x, 5, axis=2)
    with pytest.raises(ValueError, match=r"can't split axis of size 3 into pieces of size \[1,1\]"):
        tf.split(x, [1, 1], 1)
    with pytest.raises(ValueError, match="size_splits can only have one -1"):
        tf.split(x, [1, -1, -1], 1)
    with pytest.raises(errors.InvalidArgumentError, match="should evenly divide the split dim"):
        run(tf.split(p, 4), {p: P})


# -- pad, reverse, where, masks -------------------------------------------------------------
@pytest.mark.parametrize(
    ("mode", "np_mode"),
    [("CONSTANT", "constant"), ("REFLECT", "reflect"), ("symmetric", "symmetric")],
)
def test_pad_modes(x, mode, np_mode):
    pads = [[0, 0], [1, 2], [2, 1]]
    y = tf.pad(x, pads, mode)
    assert dims(y) == [2, 6, 7]
    np.testing.assert_array_equal(run(y, {x: X}), np.pad(X, pads, mode=np_mode))


def test_pad_constant_values_and_partial(p):
    y = tf.pad(p, [[1, 1], [2, 0]], constant_values=2.5)
    assert y.op.type == "PadV2" and dims(y) == [None, 5]
    np.testing.assert_array_equal(run(y, {p: P}), np.pad(P, [[1, 1], [2, 0]], constant_values=2.5))
    assert tf.pad(p, [[1, 1], [2, 0]]).op.type == "Pad"


def test_pad_errors(x, p):
    with pytest.raises(ValueError, match="Paddings must be non-negative"):
        tf.pad(x, [[0, 0], [-1, 3], [0, 0]])
    with pytest.raises(ValueError, match='expected to be one of "CONSTANT"'):
        tf.pad(x, [[0, 0]] * 3, "WRAP")
    with pytest.raises(errors.InvalidArgumentError, match="must be less than the dimension size"):
        run(tf.pad(p, [[0, 0], [3, 3]], "REFLECT"), {p: P})
    with pytest.raises(errors.InvalidArgumentError, match="no greater than the dimension size"):
        run(tf.pad(p, [[0, 0], [4, 3]], "SYMMETRIC"), {p: P})


def test_reverse(x):
    y = tf.reverse(x, [1, -1])
    np.testing.assert_array_equal(run(y, {x: X}), X[:, ::-1, ::-1])
    with pytest.raises(ValueError, match=r"'axis'\[0\] = 3 is out of valid range"):
        tf.reverse(x, [3])
    with pytest.raises(ValueError, match="axis 1 specified more than once"):
        tf.reverse(x, [1, 1])


def test_where_forms(x, p):
    idx = tf.where(x > 0)
    assert idx.dtype == tf.int64 and dims(idx) == [None, 3]
    sel = tf.where(x > 0, x, -x)
    rows = tf.where(tf.constant([True, False]), x, tf.zeros_like(x))
    v2 = tf.where_v2(x > 0, x, 0.0)
    assert sel.op.type == "Select" and v2.op.type == "SelectV2"
    out = run([idx, sel, rows, v2], {x: X})
    np.testing.assert_array_equal(out[0], np.argwhere(X > 0))
    np.testing.assert_array_equal(out[1], np.abs(X))
    np.testing.assert_array_equal(out[2], np.where([True, False], X.T, 0).T)
    np.testing.assert_array_equal(out[3], np.maximum(X, 0))
    with pytest.raises(ValueError, match="x and y must both be non-None"):
        tf.where(x > 0, x)
    with pytest.raises(ValueError, match="Shapes must be equal rank, but are 3 and 1"):
        tf.where(x > 0, x, tf.zeros([3]))
    with pytest.raises(errors.InvalidArgumentError, match="must have the same size and shape"):
        run(tf.where(p > 0, p, p[:1]), {p: P})


def test_boolean_mask(x, p):
    m = tf.placeholder(tf.bool, [3])
    a = tf.boolean_mask(x, [True, False])
    b = tf.boolean_mask(x, m, axis=1)
    c = tf.boolean_mask(p, p[:, 0] > 1)
    assert dims(a) == [None, 3, 4] and dims(b) == [2, None, 4] and dims(c) == [None, 3]
    assert a.op.type == "GatherV2" and a.op.name == "boolean_mask/GatherV2"
    out = run([a, b, c], {x: X, p: P, m: [True, False, True]})
    np.testing.assert_array_equal(out[0], X[[True, False]])
    np.testing.assert_array_equal(out[1], X[:, [True, False, True]])
    np.testing.assert_array_equal(out[2], P[P[:, 0] > 1])
    with pytest.raises(ValueError, match="mask cannot be scalar"):
        tf.boolean_mask(x, True)


def test_report_uninitialized_variables_uses_boolean_mask():
    v = tf.Variable(1.0, name="v")
    tf.Variable([1.0, 2.0], name="u")
    report = tf.report_uninitialized_variables()
    with tf.Session() as sess:
        sess.run(v.initializer)
        got = sess.run(report)
    assert list(got) == [b"u"]


def test_one_hot():
    i = tf.constant([0, 2, -1, 1])
    a = tf.one_hot(i, 3)
    b = tf.one_hot(i, 4, on_value=5, off_value=-1, axis=0)
    assert a.dtype == tf.float32 and dims(a) == [4, 3]
    assert b.dtype == tf.int32 and dims(b) == [4, 4]
    out = run([a, b])
    np.testing.assert_array_equal(
        out[0], np.eye(3, dtype=np.float32)[[0, 2, 1, 1]] * [[1], [1], [0], [1]]
    )
    want = np.where(np.arange(4)[:, None] == np.array([0, 2, -1, 1]), 5, -1)
    np.testing.assert_array_equal(out[1], want)
    with pytest.raises(TypeError, match="does not match dtype parameter"):
        tf.one_hot(i, 3, on_value=1.0, dtype=tf.int32)


def test_misc_array_ops(x, p):
    s = tf.stop_gradient(x)
    bt = tf.broadcast_to(x[0, 0], [2, 4])
    y, idx = tf.unique([1, 1, 3, 2, 3])
    sm = tf.sequence_mask([1, 3, 2], 4)
    sn = tf.shape_n([x, p])
    assert dims(bt) == [2, 4] and dims(sm) == [3, 4] and dims(y) == [None]
    out = run([s, bt, y, idx, sm] + sn, {x: X, p: P})
    np.testing.assert_array_equal(out[0], X)
    np.testing.assert_array_equal(out[1], np.broadcast_to(X[0, 0], (2, 4)))
    np.testing.assert_array_equal(out[2], [1, 3, 2])
    np.testing.assert_array_equal(out[3], [0, 0, 1, 2, 1])
    np.testing.assert_array_equal(out[4], np.arange(4) < np.array([[1], [3], [2]]))
    np.testing.assert_array_equal(out[5], [2, 3, 4])
    np.testing.assert_array_equal(out[6], [2, 3])
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        tf.broadcast_to(x, [3, 3, 4])


# -- existing ops checked against TF's graphs -------------------------------------------------
def test_shape_size_are_constants_when_known(x, p):
    assert tf.shape(x).op.type == "Const" and tf.size(x).op.type == "Const"
    assert tf.shape(p).op.type == "Shape" and tf.size(p).op.type == "Size"
    assert run([tf.shape(x), tf.size(p)], {p: P})[0].tolist() == [2, 3, 4]


def test_zeros_switch_to_fill_at_1000_elements():
    assert tf.zeros([999]).op.type == "Const"
    big = tf.zeros([1000])
    assert big.op.type == "Fill" and big.op.inputs[0].op.name == "zeros_1/shape_as_tensor"
    assert run(big).shape == (1000,)


def test_stack_of_python_values_is_constant_and_autopacking_names(x):
    assert tf.stack([1, 2, 3]).op.type == "Const"
    packed = tf.stack([x[0], 2.0 * x[1]])
    assert packed.op.type == "Pack"
    c = tf.concat([[1, 2], [tf.constant(3), 4]], 0)
    assert [t.op.name for t in c.op.inputs] == ["concat/values_0", "concat/values_1", "concat/axis"]
    assert c.op.inputs[1].op.inputs[1].op.name == "concat/values_1/1"
    assert run(c).tolist() == [1, 2, 3, 4]


def test_reshape_of_empty_tensors_infers_minus_one_as_tf():
    # TF leaves zero dimensions out when it infers -1 (numpy finds it ambiguous).
    p = tf.placeholder(tf.float32, [None, None])
    empty = np.zeros((3, 0), np.float32)
    shapes = [tf.reshape(p, [-1, 0]), tf.reshape(p, [0, -1]), tf.reshape(p, [-1, 2])]
    with tf.Session() as sess:
        assert [sess.run(t, {p: empty}).shape for t in shapes] == [(3, 0), (0, 3), (0, 2)]
        assert sess.run(shapes[0], {p: np.zeros((0, 4), np.float32)}).shape == (4, 0)
        with pytest.raises(
            errors.InvalidArgumentError,
            match="Input to reshape is a tensor with 15 values, but the requested shape has 0",
        ):
            sess.run(shapes[0], {p: np.zeros((3, 5), np.float32)})


# -- run-time shape errors in TF's words (shapes known only when fed; TF 2.21's phrases) -------
_M23 = np.ones([2, 3], np.float32)


def _fed_error(build, feeds):
    """The OpError running `build(u, v, i)` on placeholders of unknown shape raises."""
    u = tf.placeholder(tf.float32, name="u")
    v = tf.placeholder(tf.float32, name="v")
    i = tf.placeholder(tf.int32, name="i")
    out = build(u, v, i)
    names = {"u": u, "v": v, "i": i}
    with pytest.raises(errors.OpError) as info:
        run(out, {names[k]: value for k, value in feeds.items()})
    return info.value, out


@pytest.mark.parametrize(
    ("build", "feeds", "cls", "message"),
    [
        (
            lambda u, v, i: tf.reshape(u, i),
            {"u": _M23, "i": [-1, 4]},
            errors.InvalidArgumentError,
            "Input to reshape is a tensor with 6 values, but the requested shape requires a "
            "multiple of 4",
        ),
        (
            lambda u, v, i: tf.reshape(u, i),
            {"u": _M23, "i": [2, 4]},
            errors.InvalidArgumentError,
            "Input to reshape is a tensor with 6 values, but the requested shape has 8",
        ),
        (
            lambda u, v, i: tf.reshape(u, i),
            {"u": _M23, "i": [0, -1]},
            errors.InvalidArgumentError,
            "Input to reshape is a tensor with 6 values, but the requested shape has 0",
        ),
        (
            lambda u, v, i: tf.reshape(u, i),
            {"u": _M23, "i": [-2, 3]},
            errors.InvalidArgumentError,
            "Size 0 must be non-negative, not -2",
        ),
        (
            lambda u, v, i: tf.concat([u, v], 0),
            {"u": _M23, "v": np.ones([2, 4])},
            errors.InvalidArgumentError,
            "ConcatOp : Dimension 1 in both shapes must be equal: shape[0] = [2,3] vs. "
            "shape[1] = [2,4]",
        ),
        (
            lambda u, v, i: tf.concat([u, v], 0),
            {"u": _M23, "v": np.ones([2])},
            errors.InvalidArgumentError,
            "ConcatOp : Ranks of all input tensors should match: shape[0] = [2,3] vs. "
            "shape[1] = [2]",
        ),
        (
            lambda u, v, i: tf.concat([u, v], 3),
            {"u": _M23, "v": _M23},
            errors.InvalidArgumentError,
            "ConcatOp : Expected concatenating dimensions in the range [-2, 2), but got 3",
        ),
        (
            lambda u, v, i: tf.stack([u, v]),
            {"u": _M23, "v": np.ones([2, 4])},
            errors.InvalidArgumentError,
            "Shapes of all inputs must match: values[0].shape = [2,3] != values[1].shape = [2,4]",
        ),
        (
            lambda u, v, i: tf.transpose(u, i),
            {"u": _M23, "i": [0, 1, 2]},
            errors.InvalidArgumentError,
            "transpose expects a vector of size 2. But input(1) is a vector of size 3",
        ),
        (
            lambda u, v, i: tf.transpose(u, i),
            {"u": _M23, "i": [0, 0]},
            errors.InvalidArgumentError,
            "1 is missing from {0,0}.",
        ),
        (
            lambda u, v, i: tf.transpose(u, i),
            {"u": _M23, "i": [0, 2]},
            errors.InvalidArgumentError,
            "2 is out of range [0 .. 2)",
        ),
        (
            lambda u, v, i: tf.pad(u, i),
            {"u": _M23, "i": [[1, 1]]},
            errors.InvalidArgumentError,
            "The first dimension of paddings must be the rank of inputs[1,2] [2,3]",
        ),
        (
            lambda u, v, i: tf.pad(u, i),
            {"u": _M23, "i": [[1, 1], [-1, 0]]},
            errors.InvalidArgumentError,
            "Paddings must be non-negative: -1 0",
        ),
        (
            lambda u, v, i: tf.squeeze(u, [0]),
            {"u": _M23},
            errors.InvalidArgumentError,
            "Can not squeeze dim[0], expected a dimension of 1, got 2",
        ),
        (
            lambda u, v, i: tf.expand_dims(u, i),
            {"u": _M23, "i": 5},
            errors.InvalidArgumentError,
            "Tried to expand dim index 5 for tensor with 2 dimensions.",
        ),
        (
            lambda u, v, i: tf.fill(i, 1.0),
            {"i": [2, -1]},
            errors.InvalidArgumentError,
            "Dimension -1 must be >= 0",
        ),
        (
            lambda u, v, i: tf.zeros(i),
            {"i": [2, -1]},
            errors.InvalidArgumentError,
            "Dimension -1 must be >= 0",
        ),
        (
            lambda u, v, i: tf.fill(i, u),
            {"i": [2], "u": np.ones([2])},
            errors.InvalidArgumentError,
            "value must represent a scalar, got shape [2]",
        ),
        (
            lambda u, v, i: tf.fill(i, u),
            {"i": [[2]], "u": 1.0},
            errors.InvalidArgumentError,
            "dims must represent a vector, got shape [1,1]",
        ),
        (
            lambda u, v, i: tf.reverse(u, i),
            {"u": _M23, "i": [[0]]},
            errors.InvalidArgumentError,
            "'dims' must be 1-dimension, not 2",
        ),
        (
            lambda u, v, i: tf.reverse(u, i),
            {"u": _M23, "i": [0, -2]},
            errors.InvalidArgumentError,
            "axis 0 specified more than once.",
        ),
        (
            lambda u, v, i: tf.broadcast_to(u, i),
            {"u": _M23, "i": [[2, 3]]},
            errors.InvalidArgumentError,
            "shape must be a vector of {int32,int64}, got shape [1,2]",
        ),
        (
            lambda u, v, i: tf.expand_dims(u, i),
            {"u": _M23, "i": np.zeros([0], np.int32)},
            errors.InvalidArgumentError,
            "'dim' must be a tensor with a single value",
        ),
        (
            lambda u, v, i: tf.gather(u, [0], axis=i),
            {"u": _M23, "i": [0, 1]},
            errors.InvalidArgumentError,
            "axis must be scalar",
        ),
        (
            lambda u, v, i: tf.argmax(u, i),
            {"u": _M23, "i": [0, 1]},
            errors.InvalidArgumentError,
            "dim must be a scalar, but received tensor of shape: [2]",
        ),
        (
            lambda u, v, i: tf.cumsum(u, i),
            {"u": _M23, "i": [0, 1]},
            errors.InvalidArgumentError,
            "ScanOp: axis must be a scalar, not [2]",
        ),
        (
            lambda u, v, i: tf.complex(u, v),
            {"u": _M23, "v": np.ones([4])},
            errors.InvalidArgumentError,
            "Incompatible shapes: [2,3] vs. [4]",
        ),
        (
            lambda u, v, i: tf.nn.top_k(u, i).values,
            {"u": _M23, "i": [1, 2]},
            errors.InvalidArgumentError,
            "k must be scalar, got shape [2]",
        ),
        (
            lambda u, v, i: tf.nn.softmax(u),
            {"u": 1.0},
            errors.InvalidArgumentError,
            "logits must have >= 1 dimension, got []",
        ),
    ],
)
def test_run_time_shape_errors_use_tf_words(build, feeds, cls, message):
    error, out = _fed_error(build, feeds)
    assert type(error) is cls
    assert error.message.split("\n\t [[")[0] == message
    assert error.op is out.op


def test_transpose_perm_errors_at_build_time():
    c = tf.ones([2, 3])
    with pytest.raises(ValueError, match=r"Dimension must be 2 but is 3 for '\{\{node transpose"):
        tf.transpose(c, [0, 1, 2])
    with pytest.raises(ValueError, match="perm dim 2 is out of range of input rank 2"):
        tf.transpose(c, [0, 2])
    # as in TF: negative entries count from the end, and repeats are the kernel's to refuse
    assert tf.transpose(c, [-1, 0]).shape.as_list() == [3, 2]
    repeated = tf.transpose(c, [0, 0])
    assert repeated.shape.as_list() == [2, 2]
    with pytest.raises(errors.InvalidArgumentError, match=r"1 is missing from \{0,0\}\."):
        run(repeated)
    np.testing.assert_array_equal(run(tf.transpose(c, [-1, 0])), np.ones([3, 2]))


def test_fill_value_must_be_a_scalar_at_build_time():
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1 for '{{node Fill}}"):
        tf.fill([2], [1.0, 2.0])


def test_indexing_an_unknown_rank_tensor_with_an_unknown_rank_index():
    u = tf.placeholder(tf.float32)
    i = tf.placeholder(tf.int32)
    y = u[i[0]]
    with pytest.raises(errors.InvalidArgumentError, match="slice index 5 of dimension 0 out of"):
        run(y, {u: _M23, i: [5]})
    np.testing.assert_array_equal(run(y, {u: _M23, i: [1]}), np.ones(3))


# -- shapes beyond int64 (TF 2.21's words) -----------------------------------------------------
@pytest.mark.parametrize(
    "build",
    [
        lambda shape: tf.placeholder(tf.float32, shape),
        lambda shape: tf.placeholder_with_default(tf.zeros([2, 2]), shape),
        lambda shape: tf.get_variable("v", shape),
    ],
    ids=["placeholder", "placeholder_with_default", "variable"],
)
def test_shapes_of_more_than_int64_elements_are_refused(build):
    with pytest.raises(
        ValueError,
        match=r"Shape \[4611686018427387904,4611686018427387904\] is too large \(more than "
        r"2\*\*63 - 1 entries\) for '\{\{node ",
    ):
        build([2**62, 2**62])


def test_huge_but_partial_or_empty_shapes_are_accepted_as_in_tf():
    assert tf.placeholder(tf.float32, [None, 2**62, 2**62]).shape.as_list() == [
        None,
        2**62,
        2**62,
    ]
    assert tf.placeholder(tf.float32, [0, 2**62, 2**62]).shape.num_elements() == 0
    assert tf.placeholder(tf.float32, [2**63 - 1]).shape.as_list() == [2**63 - 1]


def test_a_dimension_beyond_int64_is_refused():
    with pytest.raises(TypeError, match=r"TensorShape: Value out of range: 9223372036854775808"):
        tf.placeholder(tf.float32, [2**63])


def test_zeros_of_a_huge_shape_is_not_mistaken_for_a_small_constant():
    z = tf.zeros([2**62, 2**62])
    assert z.op.type == "Fill"
    assert z.shape.as_list() == [2**62, 2**62]


def test_softmax_of_an_empty_fed_tensor_is_empty():
    u = tf.placeholder(tf.float32)
    got = run([tf.nn.softmax(u), tf.nn.log_softmax(u)], {u: np.ones([2, 0], np.float32)})
    assert [g.shape for g in got] == [(2, 0), (2, 0)]


def test_reshape_and_reductions_check_the_rank_of_their_shape_arguments():
    # (found by the importer fuzz; TF's words)
    x = tf.ones([2, 3])
    with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 2"):
        tf.reshape(x, tf.constant([[6]]))
    with pytest.raises(ValueError, match="Shape must be at most rank 1 but is rank 2"):
        tf.reduce_sum(x, tf.constant([[0]]))
    s = tf.placeholder(tf.int32)
    with (
        tf.Session() as sess,
        pytest.raises(
            tf.errors.InvalidArgumentError, match=r"sizes input must be 1-D, not \[1,1\]"
        ),
    ):
        sess.run(tf.reshape(x, s), {s: [[6]]})


def test_tf1_deprecated_casts_and_identity_n():
    x = tf.placeholder(tf.int32, [2, 3], name="x")
    f = tf.to_float(x)
    assert (f.op.type, f.op.name, f.dtype) == ("Cast", "ToFloat", tf.float32)
    assert tf.to_int32(f).op.name == "ToInt32" and tf.to_double(x).dtype == tf.float64
    a, b = tf.identity_n([x, f])
    assert a.op is b.op and a.op.type == "IdentityN" and b.dtype == tf.float32
    with tf.Session() as sess:
        xv = np.arange(6, dtype=np.int32).reshape(2, 3)
        av, bv = sess.run([a, b], {x: xv})
    np.testing.assert_array_equal(av, xv)
    np.testing.assert_array_equal(bv, xv.astype(np.float32))


# -- gather / gather_nd with batch_dims (compared with TensorFlow) ------------------------
BATCH_GATHER = """
import json
p = tf.constant(np.arange(24.).reshape(2, 3, 4))
i = tf.constant([[0, 2], [1, 1]])
pp = tf.placeholder(tf.float64, [None, None, 4])
ii = tf.placeholder(tf.int32, [None, 2])
w = tf.constant(np.arange(12.).reshape(2, 3, 2))
ys = [
    tf.gather(p, i, batch_dims=1),
    tf.gather(p, i, batch_dims=-1, axis=2),
    tf.gather(p, [[0, 1], [1, 0]], batch_dims=1, axis=0),  # axis 0: batch_dims is dropped
    tf.gather(pp, ii, batch_dims=1),
    tf.gather(pp, ii, batch_dims=1, axis=2),
]
grads = tf.gradients(tf.reduce_sum(ys[1] * w), p) + tf.gradients(ys[3], pp)
out = {
    "shapes": [str(y.shape) for y in ys],
    "attrs": [y.op.get_attr("batch_dims") for y in ys],
    "types": [y.op.type for y in ys],
    "grad_ops": sorted({o.type for o in tf.get_default_graph().get_operations()
                        if o.name.startswith("gradients/GatherV2_1_grad")}),
}
try:
    tf.gather(p, i, batch_dims=-3, axis=2)
except ValueError as e:
    out["build_error"] = str(e).split(" for ")[0]
feed = {pp: np.arange(24.).reshape(2, 3, 4), ii: [[0, 2], [1, 1]]}
with tf.Session() as sess:
    out["values"] = [v.tolist() for v in sess.run(ys + grads, feed)]
    for name, f in [("batch", {pp: np.zeros((3, 2, 4)), ii: [[0, 1], [0, 1]]}),
                    ("index", {pp: np.zeros((2, 2, 4)), ii: [[0, 1], [0, 5]]})]:
        try:
            sess.run(ys[3], f)
        except tf.errors.InvalidArgumentError as e:
            lines = e.message.splitlines()
            out[name] = [x for x in lines if "should be" in x or "is not in" in x][0]
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_gather_batch_dims_matches_tensorflow():
    assert run_here_json(BATCH_GATHER) == run_tf_json(BATCH_GATHER)


BATCH_GATHER_ND = """
import json
p = tf.constant(np.arange(24.).reshape(2, 3, 4))
pp = tf.placeholder(tf.float64, [None, None, 4])
ii = tf.placeholder(tf.int32, [None, None, 2])
ys = [
    tf.gather_nd(p, [[[0, 1], [2, 3]], [[1, 0], [0, 0]]], batch_dims=1),
    tf.gather_nd(p, [[[1], [0]], [[2], [2]]], batch_dims=1, name="bg"),
    tf.gather_nd(tf.reshape(p, [2, 3, 2, 2]), np.ones((2, 3, 1, 1), np.int64), batch_dims=2),
    tf.gather_nd(pp, ii, batch_dims=1),
]
grads = tf.gradients(tf.reduce_sum(ys[1] * ys[1]), p) + tf.gradients(ys[3], pp)
out = {"shapes": [str(y.shape) for y in ys], "names": [y.name for y in ys],
       "gather": [[o.name, o.type] for o in tf.get_default_graph().get_operations()
                  if o.type in ("GatherNd", "Range", "Cast", "Tile", "Prod")]}
for kw in [dict(batch_dims=-1), dict(batch_dims=3)]:
    try:
        tf.gather_nd(p, [[[0, 1]], [[1, 1]]], **kw)
    except ValueError as e:
        out[str(kw)] = str(e)
feed = {pp: np.arange(24.).reshape(2, 3, 4), ii: [[[0, 1]], [[2, 3]]]}
with tf.Session() as sess:
    out["values"] = [v.tolist() for v in sess.run(ys + grads, feed)]
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_gather_nd_batch_dims_matches_tensorflow():
    assert run_here_json(BATCH_GATHER_ND) == run_tf_json(BATCH_GATHER_ND)


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: tf.gather(x, [[2, 0, 2], [1, 1, 0]], batch_dims=1),
        lambda x: tf.gather(x, [[1, 0], [0, 0]], axis=2, batch_dims=-1),
        lambda x: tf.gather_nd(x, [[[1, 0], [0, 1]], [[2, 1], [2, 1]]], batch_dims=1),
    ],
)
def test_batch_gather_numerical_gradient(fn):
    x = tf.constant(np.random.RandomState(1).randn(2, 3, 2))
    y = fn(x)
    with tf.Session().as_default():
        err = tf.test.compute_gradient_error(x, [2, 3, 2], y, y.shape.as_list())
    assert err < 1e-6

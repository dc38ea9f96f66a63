"""Math ops: reductions, arg reductions, cumsum, clipping, logsumexp, tensordot."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json
from tfgraph import errors
from tfgraph.ops.apply import op_output

X = (np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 10) / 4
P = np.array([[1, -2, 3], [4, 5, -6]], np.float32)


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


# -- reductions -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fn", "ref"),
    [
        (tf.reduce_sum, np.sum),
        (tf.reduce_mean, np.mean),
        (tf.reduce_max, np.max),
        (tf.reduce_min, np.min),
        (tf.reduce_prod, np.prod),
    ],
)
@pytest.mark.parametrize(
    ("axis", "keep"), [(None, False), (0, False), ([0, 2], False), (1, True), (-1, True)]
)
def test_reductions_match_numpy(x, fn, ref, axis, keep):
    y = fn(x, axis=axis, keepdims=keep)
    want = ref(X, axis=None if axis is None else tuple(np.atleast_1d(axis)), keepdims=keep)
    assert dims(y) == list(np.shape(want))
    assert y.dtype == tf.float32
    np.testing.assert_allclose(run(y, {x: X}), want, rtol=1e-6)


def test_reduction_legacy_argument_names(x):
    a = tf.reduce_sum(x, reduction_indices=[1])
    b = tf.reduce_mean(x, -1, keep_dims=True)
    assert dims(a) == [2, 4] and dims(b) == [2, 3, 1]
    assert a.op.inputs[1].op.name == "Sum/reduction_indices"
    with pytest.raises(ValueError, match="Cannot specify both"):
        tf.reduce_sum(x, axis=0, reduction_indices=0)


def test_reductions_keep_integer_dtypes():
    a = tf.constant([[1, 2, 4], [3, 3, 3]])
    outs = [tf.reduce_mean(a), tf.reduce_mean(a, 1), tf.reduce_sum(a, 0), tf.reduce_prod(a)]
    assert all(t.dtype == tf.int32 for t in outs)
    got = run(outs)
    assert got[0] == 2 and got[1].tolist() == [2, 3] and got[2].tolist() == [4, 5, 7]
    assert got[3] == 216
    assert got[0].dtype == np.int32


def test_reductions_partial_and_unknown_shapes(p):
    assert dims(tf.reduce_sum(p)) == []
    assert dims(tf.reduce_mean(p, 0)) == [3]
    assert dims(tf.reduce_max(p, 1, keepdims=True)) == [None, 1]
    u = tf.placeholder(tf.float32)
    assert dims(tf.reduce_sum(u)) == []
    assert tf.reduce_sum(u).op.inputs[1].op.type == "Range"
    assert tf.reduce_mean(u, keepdims=True).shape.ndims is None
    assert run(tf.reduce_sum(u), {u: P}) == P.sum()


def test_reduction_errors(x):
    with pytest.raises(ValueError, match="Invalid reduction dimension 3 for input with 3"):
        tf.reduce_sum(x, 3)
    with pytest.raises(errors.InvalidArgumentError, match="Axes contains duplicate dimension: 0"):
        run(tf.reduce_sum(x, [0, 0]), {x: X})


def test_reduce_all_any_and_empty_inputs():
    b = tf.constant([[True, False], [True, True]])
    e = tf.placeholder(tf.float32, [None])
    got = run(
        [tf.reduce_all(b), tf.reduce_any(b, 1), tf.reduce_max(e), tf.reduce_sum(e)],
        {e: np.zeros(0, np.float32)},
    )
    assert not got[0] and got[1].tolist() == [True, True]
    assert got[2] == -np.inf and got[3] == 0


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_reduce_logsumexp_is_stable(x):
    big = tf.constant([[1000.0, 1000.0], [-np.inf, -np.inf]])
    a = tf.reduce_logsumexp(big, 1)
    b = tf.reduce_logsumexp(x, [0, 2], keepdims=True)
    assert dims(a) == [2] and dims(b) == [1, 3, 1]
    got = run([a, b], {x: X})
    np.testing.assert_allclose(got[0], [1000.0 + np.log(2.0), -np.inf])
    want = np.log(np.sum(np.exp(X.astype(np.float64)), axis=(0, 2), keepdims=True))
    np.testing.assert_allclose(got[1], want, rtol=1e-5)
    assert a.op.name == "ReduceLogSumExp" and a.op.type == "AddV2"


def test_count_nonzero(p):
    a = tf.count_nonzero(p)
    b = tf.count_nonzero(p > 1, 1, keepdims=True, dtype=tf.int32)
    assert a.dtype == tf.int64 and b.dtype == tf.int32 and dims(b) == [None, 1]
    got = run([a, b], {p: np.array([[0, 1, 2], [0, 0, 3]], np.float32)})
    assert got[0] == 3 and got[1].tolist() == [[1], [1]]


# -- arg reductions, cumsum, clip -------------------------------------------------------------
def test_argmax_argmin(x, p):
    a = tf.argmax(x, 1)
    b = tf.argmin(x, axis=-1, output_type=tf.int32)
    c = tf.argmax(x, dimension=2)
    d = tf.argmax(p)
    assert a.dtype == tf.int64 and b.dtype == tf.int32
    assert a.op.inputs[1].op.name == "ArgMax/dimension"
    assert [dims(t) for t in (a, b, c, d)] == [[2, 4], [2, 3], [2, 3], [3]]
    got = run([a, b, c, d], {x: X, p: P})
    np.testing.assert_array_equal(got[0], X.argmax(1))
    np.testing.assert_array_equal(got[1], X.argmin(-1))
    np.testing.assert_array_equal(got[2], X.argmax(2))
    np.testing.assert_array_equal(got[3], P.argmax(0))


def test_argmax_errors(x):
    with pytest.raises(ValueError, match=r"Dimension \(3\) must be in the range \[-3, 3\)"):
        tf.argmax(x, 3)
    with pytest.raises(TypeError, match="axis must be int"):
        tf.argmax(x, 1.0)
    e = tf.placeholder(tf.float32, [None])
    with pytest.raises(errors.InvalidArgumentError, match="Reduction axis 0 is empty in shape"):
        run(tf.argmax(e), {e: np.zeros(0, np.float32)})


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
def test_cumsum(x, exclusive, reverse):
    y = tf.cumsum(x, 1, exclusive=exclusive, reverse=reverse)
    a = X[:, ::-1] if reverse else X
    want = np.cumsum(a, 1)
    if exclusive:
        want = np.concatenate([np.zeros_like(want[:, :1]), want[:, :-1]], 1)
    if reverse:
        want = want[:, ::-1]
    assert y.op.type == "Cumsum" and dims(y) == [2, 3, 4]
    np.testing.assert_allclose(run(y, {x: X}), want, rtol=1e-6)


def test_cumsum_int_dtype_and_bad_axis(x):
    c = tf.cumsum(tf.constant([1, 2, 3]))
    assert run(c).dtype == np.int32
    with pytest.raises(errors.InvalidArgumentError, match="Expected scan axis in the range"):
        run(tf.cumsum(x, 3), {x: X})


def test_clip_by_value(x):
    y = tf.clip_by_value(x, -1.0, 1.0)
    assert y.op.type == "Maximum" and y.op.name == "clip_by_value"
    assert y.op.inputs[0].op.name == "clip_by_value/Minimum"
    np.testing.assert_array_equal(run(y, {x: X}), np.clip(X, -1, 1))
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        tf.clip_by_value(x, 0.0, tf.zeros([3, 1, 1]))


CLIP_SLICES = """
s = tf.IndexedSlices(tf.constant([[3.0, -4.0], [0.5, 2.0], [3.0, 1.0]]), tf.constant([0, 2, 0]),
                     tf.constant([4, 2]))
c = tf.clip_by_value(s, -1.0, 1.0)
with tf.Session() as sess:
    v, i = sess.run([c.values, c.indices])
out = [type(c).__name__, c.values.op.name, v.tolist(), i.tolist()]
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_clip_by_value_indexed_slices_like_tf():
    """An IndexedSlices is clipped row by row as given (a repeated row is not summed
    first) and stays an IndexedSlices."""
    import contextlib
    import io
    import json

    printed = io.StringIO()
    with tf.Graph().as_default(), contextlib.redirect_stdout(printed):
        exec(CLIP_SLICES, {"tf": tf.compat.v1, "json": json})
    assert json.loads(printed.getvalue()) == run_tf_json(CLIP_SLICES)


def test_tensordot():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    b = np.arange(12, dtype=np.float32).reshape(4, 3)
    cases = [(1, 1), ([[1, 2], [1, 0]], ([1, 2], [1, 0])), (0, 0)]
    for axes, np_axes in cases:
        y = tf.tensordot(tf.constant(a), tf.constant(b), axes)
        want = np.tensordot(a, b, np_axes)
        assert dims(y) == list(want.shape)
        np.testing.assert_allclose(run(y), want)


# -- operators keep TF's names ---------------------------------------------------------------
def test_function_valued_operators_open_their_scope():
    a = tf.constant([True, False])
    b = tf.constant([True, True])
    xor = a ^ b
    assert xor.op.name == "xor"
    assert xor.op.inputs[0].op.name == "xor/LogicalOr"
    assert run(xor).tolist() == [False, True]
    i = tf.constant([7, -7])
    q = i / tf.constant([2, 2])
    assert q.dtype == tf.float64 and q.op.inputs[0].op.name == "truediv/Cast"


# -- integer division (TF's kernels, verified with TF 2.21) ----------------------------------
def _int_feeds(dtype=tf.int32):
    a = tf.placeholder(dtype, name="a")
    b = tf.placeholder(dtype, name="b")
    return a, b


@pytest.mark.parametrize(
    "build",
    [
        lambda a, b: a // b,
        lambda a, b: a % b,
        lambda a, b: tf.floordiv(a, b),
        lambda a, b: tf.floormod(a, b),
        lambda a, b: tf.div(a, b),
        lambda a, b: op_output("Div", None, [a, b]),
    ],
    ids=["floordiv_op", "mod_op", "floordiv", "floormod", "div", "Div"],
)
@pytest.mark.parametrize("dtype", [tf.int32, tf.int64, tf.uint8])
def test_integer_division_by_zero_raises(build, dtype):
    a, b = _int_feeds(dtype)
    out = build(a, b)
    with pytest.raises(errors.InvalidArgumentError, match="Integer division by zero") as info:
        run(out, {a: [7, 3, 1], b: [2, 0, 1]})
    assert info.value.op is out.op
    assert f"[[{{{{node {out.op.name}}}}}]]" in info.value.message


@pytest.mark.parametrize("fn", [tf.truncatediv, tf.truncatemod])
def test_truncate_div_and_mod_by_zero_raise_tf_internal_error(fn):
    a, b = _int_feeds()
    with pytest.raises(errors.InternalError, match="only integer div and mod should have errors"):
        run(fn(a, b), {a: [7, 3], b: [2, 0]})


def test_integer_division_by_a_folded_zero_raises_at_run_time():
    out = tf.constant(3) // tf.constant(0)
    with pytest.raises(errors.InvalidArgumentError, match="Integer division by zero"):
        run(out)


def test_float_division_by_zero_gives_inf_and_nan():
    x = tf.constant([1.0, -1.0, 0.0])
    zero = tf.constant([0.0, 0.0, 0.0])
    fdiv, fmod, tdiv, tmod, div = run(
        [x // zero, x % zero, tf.truncatediv(x, zero), tf.truncatemod(x, zero), tf.div(x, zero)]
    )
    np.testing.assert_array_equal(fdiv, [np.inf, -np.inf, np.nan])
    np.testing.assert_array_equal(div, [np.inf, -np.inf, np.nan])
    np.testing.assert_array_equal(tdiv, [np.inf, -np.inf, np.nan])
    assert np.isnan(fmod).all() and np.isnan(tmod).all()


def test_div_op_on_integers_truncates_like_c():
    x = tf.constant([7, -7, 7, -7])
    y = tf.constant([2, 2, -2, -2])
    out = op_output("Div", None, [x, y])
    assert out.dtype == tf.int32
    got = run(out)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, [3, -3, -3, 3])


def test_imported_div_node_on_integers_truncates():
    g = tf.Graph()
    with g.as_default():
        op_output("Div", "d", [tf.constant([-7, 9], name="x"), tf.constant([2, 4], name="y")])
    graph_def = g.as_graph_def()
    (out,) = tf.import_graph_def(graph_def, return_elements=["d:0"], name="")
    got = run(out)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, [-3, 2])


def test_truncatemod_and_truncatediv_values():
    x = tf.constant([-7, 7, -7, 7])
    y = tf.constant([2, -2, -2, 2])
    mod, div = run([tf.truncatemod(x, y), tf.truncatediv(x, y)])
    np.testing.assert_array_equal(mod, [-1, 1, -1, 1])
    np.testing.assert_array_equal(div, [-3, -3, 3, 3])
    low = np.iinfo(np.int32).min
    np.testing.assert_array_equal(run(tf.truncatediv(tf.constant([low]), tf.constant([-1]))), [low])
    fmod = run(tf.truncatemod(tf.constant([-7.5, 7.5]), tf.constant([2.0, -2.0])))
    np.testing.assert_allclose(fmod, [-1.5, 1.5])
    assert tf.truncatemod(x, y).op.type == "TruncateMod"


def test_realdiv_has_no_integer_kernel():
    a, b = _int_feeds()
    out = tf.realdiv(a, b)
    with pytest.raises(
        errors.InvalidArgumentError,
        match=r"No OpKernel was registered to support Op 'RealDiv' used by \{\{node RealDiv\}\} "
        r"with these attrs: \[T=DT_INT32\]",
    ):
        run(out, {a: [1], b: [1]})


def test_div_no_nan_casts_integers_to_float():
    out = tf.div_no_nan(tf.constant([1, 2]), tf.constant([0, 4]))
    assert out.dtype == tf.float64
    assert [op.type for op in tf.get_default_graph().get_operations()][-3:] == [
        "Cast",
        "Cast",
        "DivNoNan",
    ]
    np.testing.assert_array_equal(run(out), [0.0, 0.5])


def test_integer_mean_truncates_without_overflow():
    big = tf.constant([2**30, 2**30])
    got = run(
        [
            tf.reduce_mean(tf.constant([-1, -2, -2])),
            tf.reduce_mean(big),
            tf.reduce_mean(tf.constant([200, 200], tf.uint8)),
            tf.reduce_mean(tf.zeros([0], tf.int32)),
        ]
    )
    assert [int(v) for v in got] == [-1, 2**30, 200, 0]


def _binary_int_cases():
    from tfgraph.framework import registry

    for name, op_def in sorted(registry.registered_ops().items()):
        ins, outs = op_def.inputs, op_def.outputs
        if sorted(a.name for a in ins) != ["x", "y"] or [a.name for a in outs] != ["z"]:
            continue  # the elementwise binary math ops: z = f(x, y)
        if any(a.type_attr != "T" for a in ins + outs):
            continue
        allowed = op_def.attrs["T"].allowed
        for dtype in (tf.int32, tf.int64, tf.uint8, tf.int16):
            if not allowed or dtype in allowed:
                yield pytest.param(name, dtype, id=f"{name}-{dtype.name}")


@pytest.mark.parametrize(("op_type", "dtype"), list(_binary_int_cases()))
def test_binary_ops_on_integers_keep_the_declared_dtype(op_type, dtype):
    """Every binary math op fed integers returns values of the tensor's dtype (or has no
    kernel for it, as RealDiv in TF), never a drifted float64."""
    x = tf.constant(np.array([[7, 9], [4, 5]]), dtype)
    y = tf.constant(np.array([[2, 3], [1, 5]]), dtype)
    out = op_output(op_type, None, [x, y])
    try:
        got = run(out)
    except errors.InvalidArgumentError as e:
        assert "No OpKernel was registered" in e.message
        return
    assert np.asarray(got).dtype == out.dtype.as_numpy_dtype


# -- run-time shape errors in TF's words (shapes known only when fed; TF 2.21's phrases) -------
def _fed_error(build, a_value, b_value, dtype=tf.float32):
    a = tf.placeholder(dtype, name="a")
    b = tf.placeholder(dtype, name="b")
    out = build(a, b)
    with pytest.raises(errors.InvalidArgumentError) as info:
        run(out, {a: a_value, b: b_value})
    assert info.value.op is out.op
    return info.value.message.split("\n\t [[")[0]


@pytest.mark.parametrize(
    ("a_shape", "b_shape", "message"),
    [
        ([2, 3], [4, 1], "Matrix size-incompatible: In[0]: [2,3], In[1]: [4,1]"),
        ([2, 3, 2], [4, 1], "Matrix size-incompatible: In[0]: [2,3,2], In[1]: [4,1]"),
        ([2, 2, 3], [2, 4, 1], "Matrix size-incompatible: In[0]: [2,2,3], In[1]: [2,4,1]"),
        ([3], [3, 1], "In[0] ndims must be >= 2: 1"),
        ([2, 3], [3], "In[1] ndims must be >= 2: 1"),
        (
            [2, 2, 3],
            [3, 3, 1],
            "In[0] and In[1] must have compatible batch dimensions: [2,2,3] vs. [3,3,1]",
        ),
    ],
)
def test_matmul_run_time_shape_errors(a_shape, b_shape, message):
    got = _fed_error(tf.matmul, np.ones(a_shape), np.ones(b_shape))
    assert got == message


def test_matmul_of_unknown_rank_inputs_is_a_batch_matmul_as_in_tf():
    a = tf.placeholder(tf.float32)
    assert tf.matmul(a, a).op.type == "BatchMatMulV2"
    assert tf.matmul(tf.placeholder(tf.float32, [None, None]), a).op.type == "BatchMatMulV2"
    m = tf.placeholder(tf.float32, [None, None])
    assert tf.matmul(m, m).op.type == "MatMul"
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 1"):
        tf.matmul(tf.ones([3]), tf.ones([3, 1]))


def test_matmul_of_partially_known_matrices_reports_the_fed_shapes():
    m = tf.placeholder(tf.float32, [None, None], name="m")
    n = tf.placeholder(tf.float32, [None, None], name="n")
    out = tf.matmul(m, n, transpose_b=True)
    assert out.op.type == "MatMul"
    with pytest.raises(
        errors.InvalidArgumentError, match=r"Matrix size-incompatible: In\[0\]: \[2,3\], In\[1\]"
    ):
        run(out, {m: np.ones([2, 3]), n: np.ones([1, 4])})


@pytest.mark.parametrize(
    "build",
    [
        tf.add,
        tf.subtract,
        tf.multiply,
        tf.maximum,
        tf.equal,
        tf.less,
        tf.floordiv,
        tf.truediv,
        tf.squared_difference,
        lambda a, b: a * b,
    ],
)
def test_broadcasting_failure_says_incompatible_shapes(build):
    assert _fed_error(build, np.ones([2, 3]), np.ones([4])) == "Incompatible shapes: [2,3] vs. [4]"


def test_broadcasting_failure_of_integers_and_booleans():
    got = _fed_error(tf.floormod, np.ones([2, 3]), np.ones([0]), tf.int32)
    assert got == "Incompatible shapes: [2,3] vs. [0]"
    got = _fed_error(tf.logical_and, np.ones([2, 3], bool), np.ones([4], bool), tf.bool)
    assert got == "Incompatible shapes: [2,3] vs. [4]"


# -- Range bounds ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("bounds", "message"),
    [
        ((0, 5, -1), "Requires start >= limit when delta < 0: 0/5"),
        ((5, 0, 1), "Requires start <= limit when delta > 0: 5/0"),
        ((0, 5, 0), "Requires delta != 0"),
        ((0.5, 5.0, -1.0), "Requires start >= limit when delta < 0: 0.5/5"),
    ],
)
def test_range_with_bad_constant_bounds_fails_at_build_time(bounds, message):
    with pytest.raises(ValueError, match=f"^{message} for '{{{{node range}}}} = Range"):
        tf.range(*bounds)


@pytest.mark.parametrize(
    ("bounds", "message"),
    [
        ((0, 5, -1), "Requires start >= limit when delta < 0: 0/5"),
        ((5, 0, 1), "Requires start <= limit when delta > 0: 5/0"),
        ((0, 5, 0), "Requires delta != 0: 0"),
        (([0, 1], 5, 1), "start must be a scalar, not shape [2]"),
    ],
)
def test_range_with_bad_fed_bounds_fails_at_run_time(bounds, message):
    start, limit, delta = (tf.placeholder(tf.int32) for _ in range(3))
    out = tf.range(start, limit, delta)
    with pytest.raises(errors.InvalidArgumentError) as info:
        run(out, dict(zip((start, limit, delta), bounds)))
    assert info.value.message.split("\n\t [[")[0] == message
    assert info.value.op is out.op


def test_range_with_good_fed_bounds():
    start, limit, delta = (tf.placeholder(tf.int32) for _ in range(3))
    out = tf.range(start, limit, delta)
    np.testing.assert_array_equal(run(out, {start: 5, limit: 0, delta: -2}), [5, 3, 1])
    assert run(out, {start: 5, limit: 5, delta: -2}).size == 0


RANGE_OF_TENSORS = """
g = tf.Graph()
with g.as_default():
    n = tf.constant(4, tf.int32)
    results = [tf.range(n, dtype=tf.int64), tf.range(n, 10, 3, dtype=tf.float32),
               tf.range(tf.constant(1, tf.int64), n), tf.range(2, n)]
    with tf.Session() as sess:
        values = sess.run(results)
out = [[r.dtype.name, v.tolist()] for r, v in zip(results, values)]
out.append(sorted(op.name + ":" + op.type for op in g.get_operations()))
"""


def test_range_casts_tensor_bounds_to_the_requested_dtype():
    scope = {"tf": tf}
    exec(RANGE_OF_TENSORS, scope)
    assert scope["out"][:4] == [
        ["int64", [0, 1, 2, 3]],
        ["float32", [4.0, 7.0]],
        ["int64", [1, 2, 3]],
        ["int32", [2, 3]],
    ]


@pytest.mark.tf
@requires_tf
def test_range_of_tensors_matches_tensorflow():
    scope = {"tf": tf}
    exec(RANGE_OF_TENSORS, scope)
    assert scope["out"] == run_tf_json(RANGE_OF_TENSORS + "print(json.dumps(out))")


def test_tf1_arg_max_and_arg_min_take_the_dimension():
    x = tf.constant([[3, -1, 7], [0, 9, 2]])
    with tf.Session() as sess:
        assert sess.run(tf.arg_max(x, 1)).tolist() == [2, 1]
        assert sess.run(tf.arg_min(x, 0, output_type=tf.int32)).tolist() == [1, 0, 1]
    assert tf.arg_max(x, 1).op.name.startswith("ArgMax")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sum_and_mean_over_leading_axes_of_big_arrays(dtype):
    """A bias gradient's sum over the leading axes runs as one BLAS product: same values
    (to float rounding, closer to the exact sums than row-by-row addition), shapes as TF."""
    x = np.random.RandomState(0).randn(64, 9, 7, 5).astype(dtype)
    exact = x.astype(np.float64).sum(axis=(0, 1, 2))
    p = tf.placeholder(dtype, [None, 9, 7, 5])
    fetches = [
        tf.reduce_sum(p, [0, 1, 2]),
        tf.reduce_sum(p, [-4, -3, -2], keepdims=True),
        tf.reduce_mean(p, [0, 1, 2]),
        tf.reduce_sum(p, [0]),
        tf.reduce_sum(tf.transpose(p, [0, 2, 1, 3]), [0, 1]),  # not C-contiguous in numpy
    ]
    with tf.Session() as sess:
        s, sk, m, s0, st = sess.run(fetches, {p: x})
    tol = 1e-4 if dtype == np.float32 else 1e-12
    assert s.dtype == dtype and s.shape == (5,) and sk.shape == (1, 1, 1, 5)
    np.testing.assert_allclose(s, exact, rtol=tol, atol=tol * 64)
    np.testing.assert_allclose(sk.reshape(5), exact, rtol=tol, atol=tol * 64)
    np.testing.assert_allclose(m, exact / (64 * 9 * 7), rtol=tol, atol=tol)
    np.testing.assert_allclose(s0, x.astype(np.float64).sum(0), rtol=tol, atol=tol * 8)
    np.testing.assert_allclose(st, x.astype(np.float64).sum((0, 2)), rtol=tol, atol=tol * 8)


@pytest.mark.parametrize("rows", [1, 32, 64, 65])
@pytest.mark.parametrize("width", [100, 512])
def test_matmul_transpose_b_equals_the_product_for_every_shape(rows, width):
    # (a few rows against a wide transposed operand take another BLAS call: the values
    # must be the product's, the result an ordinary C-ordered array)
    rng = np.random.RandomState(rows + width)
    a = rng.randn(rows, width).astype(np.float32)
    b = rng.randn(200, width).astype(np.float32)
    out = tf.Session().run(tf.matmul(a, b, transpose_b=True))
    np.testing.assert_allclose(
        out, a.astype(np.float64) @ b.T.astype(np.float64), rtol=2e-5, atol=2e-4
    )
    assert out.flags.c_contiguous and out.dtype == np.float32


DYNAMIC_TENSORDOT = """
import json
rs = np.random.RandomState(0)
A = rs.randn(2, 3, 4); B = rs.randn(4, 3, 5)
a = tf.constant(A); b = tf.constant(B)
pa = tf.placeholder(tf.float64); pb = tf.placeholder(tf.float64, [None, 3, 5])
ax = tf.placeholder(tf.int32, [2, 1])
ys = [
    tf.tensordot(a, b, tf.constant([[2], [0]])),
    tf.tensordot(a, b, ax),
    tf.tensordot(pa, b, 1),
    tf.tensordot(pa, pb, [[-1, 1], [0, 1]]),
    tf.tensordot(a, pb, [[1, 2], [1, 0]]),
]
grads = tf.gradients(tf.reduce_sum(ys[3] * ys[3]), [pa, pb]) + tf.gradients(ys[1], [a])
out = {"shapes": [str(y.shape) for y in ys], "names": [y.name for y in ys],
       "ops": [[o.name, o.type] for o in tf.get_default_graph().get_operations()
               if o.name.startswith("Tensordot")]}
with tf.Session() as s:
    r = s.run(ys + grads, {pa: A, pb: B, ax: [[2], [0]]})
    out["vals"] = [np.round(v, 9).tolist() for v in r]
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_tensordot_tensor_axes_and_unknown_rank_match_tensorflow():
    assert run_here_json(DYNAMIC_TENSORDOT) == run_tf_json(DYNAMIC_TENSORDOT)


def test_tensordot_unknown_rank_numerical_gradient():
    rs = np.random.RandomState(3)
    a0, b0 = rs.randn(2, 3), rs.randn(3, 2)
    a = tf.placeholder_with_default(a0, None)
    b = tf.constant(b0)
    y = tf.tensordot(a, b, tf.constant([[1], [0]]))
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(y), a0 @ b0)
        err = tf.test.compute_gradient_error(b, [3, 2], y, [2, 2])
    assert err < 1e-6


def test_comparisons_and_logical_ops_of_scalars_give_numpys_values_and_types():
    """Scalars (a loop's counter and bound) compare with the scalar types' operators
    rather than the ufuncs: the same values, NaN included, and the same types."""
    a = tf.placeholder(tf.float32, [], name="a")
    cases = {
        "lt": lambda x, y: tf.less(x, y),
        "le": lambda x, y: tf.less_equal(x, y),
        "gt": lambda x, y: tf.greater(x, y),
        "ge": lambda x, y: tf.greater_equal(x, y),
    }
    x = a * 1.0  # (numpy scalars, as ops compute them)
    fetches = {}
    for name, f in cases.items():
        for other in (2.0, float("nan")):
            fetches[name, other] = f(x, tf.constant(other) * 1.0)
    i = tf.constant(3) + 0
    fetches["int"] = tf.less(i, tf.constant(5) + 0)
    fetches["and"] = tf.logical_and(tf.less(x, 5.0), tf.greater(x, 0.0))
    fetches["or"] = tf.logical_or(tf.less(x, 0.0), tf.greater(x, 5.0))
    with tf.Session() as sess:
        for value in (1.0, 2.0, 3.0, float("nan")):
            out = sess.run(fetches, {a: value})
            for (name, other), got in ((k, v) for k, v in out.items() if isinstance(k, tuple)):
                expected = getattr(
                    np,
                    {"lt": "less", "le": "less_equal", "gt": "greater", "ge": "greater_equal"}[
                        name
                    ],
                )(np.float32(value), np.float32(other))
                assert type(got) is np.bool_ and got == expected, (name, value, other)
            assert type(out["int"]) is np.bool_ and out["int"]
            assert out["and"] == (0.0 < value < 5.0)
            assert out["or"] == (value < 0.0 or value > 5.0)

"""Sparse ops beyond SparseToDense (sparse_placeholder, matmul, reorder, reshape,
transpose, retain, reductions, add), compared with TF: op types, static shapes, values,
gradients and errors."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PRELUDE = """
def run(s, t, feed=None):
    try:
        return s.run(t, feed)
    except tf.errors.OpError as e:
        lines = [ln for ln in e.message.splitlines()
                 if ln.strip() and "[[{{node" not in ln and not ln.startswith(("Node:", "  "))]
        return [type(e).__name__, lines[-1]]
def core_ops():
    return sorted(o.type for o in tf.get_default_graph().get_operations()
                  if o.type.startswith("Sparse"))
"""

PROGRAM = (
    PRELUDE
    + """
st = tf.SparseTensor([[2, 0], [0, 1], [1, 1]], [5., 6., 7.], [3, 2])
dense = tf.constant([[1., 2., 3.], [4., 5., 6.]])
m = tf.sparse_tensor_dense_matmul(st, dense)
ma = tf.sparse.matmul(st, dense, adjoint_a=True, adjoint_b=True)
ro = tf.sparse_reorder(st)
rs = tf.sparse_reshape(ro, [-1, 3])
tr = tf.sparse_transpose(ro)
rt = tf.sparse_retain(ro, [True, False, True])
s1 = tf.sparse_reduce_sum(ro, 1)
s2 = tf.sparse.reduce_sum(ro, axis=0, keepdims=True)
s3 = tf.sparse_reduce_sum(ro)
mx = tf.sparse_reduce_max(ro, 1)
ss = tf.sparse_reduce_sum_sparse(ro, 0)
ms = tf.sparse.reduce_max_sparse(ro, 1, keepdims=True)
ad = tf.sparse_add(ro, tf.SparseTensor([[0, 1], [1, 0]], [-6., 1.], [3, 2]), threshold=0.5)
add_dense = tf.sparse_add(tf.ones([3, 2]), ro)
ph = tf.sparse_placeholder(tf.float32, name="sp")
ph2 = tf.sparse.placeholder(tf.float32, shape=[4, None])
pm = tf.sparse_reduce_sum(ph, 1)
pd = tf.sparse.to_dense(ph2)
g = tf.gradients(tf.reduce_sum(m * m) + tf.reduce_sum(ma), [st.values, dense])
g2 = tf.gradients(tf.reduce_sum(s1 * s1) + tf.reduce_sum(ro.values * [1., 2., 3.]), [st.values])
g3 = tf.gradients(tf.reduce_sum(ad.values * ad.values) + tf.reduce_sum(add_dense * add_dense),
                  [st.values])
try:
    tf.sparse_reshape(st, [4, -1])
except ValueError as e:
    reshape_error = str(e).rstrip(".")
result = {
    "reshape_error": reshape_error,
    "ops": core_ops(),
    "shapes": [str(t.shape) for t in (m, ma, ro.indices, rs.indices, s1, s2, s3, mx,
                                       ss.indices, ad.indices, add_dense, ph.indices,
                                       ph2.indices, ph2.dense_shape)],
    "sp_shapes": [str(x.shape) for x in (ro, rs, tr, rt, ad, ph, ph2)],
    "names": [t.name for t in (ph.indices, ph.values, ph.dense_shape)],
}
with tf.Session() as s:
    result["values"] = s.run([m, ma, ro, rs, tr, rt, s1, s2, s3, mx, ss, ms, ad, add_dense])
    result["grads"] = s.run([g, g2, g3])
    feed = {ph: tf.SparseTensorValue([[0, 0], [1, 2], [1, 0]], [1., 2., 3.], [2, 3])}
    result["fed"] = s.run([pm, ph], feed)
    result["fed_tuple"] = s.run(pd, {ph2: ([[3, 1]], [4.], [4, 2])})
    result["errors"] = [
        run(s, tf.sparse_tensor_dense_matmul(st, tf.placeholder_with_default(tf.ones([3, 3]),
                                                                             [None, 3]))),
        run(s, tf.sparse_reshape(tf.SparseTensor(
            st.indices, st.values, tf.placeholder_with_default(st.dense_shape, [2])),
            [4, -1]).indices),
        run(s, tf.sparse_reduce_sum(st, 2)),
        run(s, tf.sparse_add(st, tf.SparseTensor(
            [[0, 0]], [1.], tf.placeholder_with_default(np.array([2, 2], np.int64), [2]))).values),
    ]
"""
)


@pytest.mark.tf
@requires_tf
def test_sparse_ops_match_tf():
    here, theirs = run_both(PROGRAM)
    for key in theirs:
        assert here[key] == theirs[key], key


def test_sparse_ops():
    r = run_here(PROGRAM)
    assert r["values"][0] == [[24.0, 30.0, 36.0], [28.0, 35.0, 42.0], [5.0, 10.0, 15.0]]
    assert r["values"][6] == [6.0, 7.0, 5.0]
    assert r["fed"][0] == [1.0, 5.0]


@pytest.mark.parametrize("adjoint", [(False, False), (True, False), (False, True), (True, True)])
def test_sparse_dense_matmul_numerical_gradient(adjoint):
    adj_a, adj_b = adjoint
    rng = np.random.RandomState(0)
    a_shape = (4, 3) if adj_a else (3, 4)
    idx = np.array([[0, 1], [1, 3], [2, 0], [2, 2]]) if not adj_a else None
    if adj_a:
        idx = np.array([[1, 0], [3, 1], [0, 2], [2, 2]])
    vals = rng.randn(4)
    b_np = rng.randn(5, 4) if adj_b else rng.randn(4, 5)
    with tf.Graph().as_default():
        v = tf.placeholder(tf.float64, [4])
        b = tf.placeholder(tf.float64, b_np.shape)
        sp = tf.SparseTensor(idx, v, a_shape)
        out = tf.sparse_tensor_dense_matmul(sp, b, adjoint_a=adj_a, adjoint_b=adj_b)
        w = tf.constant(rng.randn(3, 5))
        loss = tf.reduce_sum(out * w)
        gv, gb = tf.gradients(loss, [v, b])
        with tf.Session() as s:
            f = lambda vv, bb: s.run(loss, {v: vv, b: bb})  # noqa: E731
            got_v, got_b = s.run([gv, gb], {v: vals, b: b_np})
            eps = 1e-6
            num_v = np.array(
                [(f(vals + eps * e, b_np) - f(vals - eps * e, b_np)) / (2 * eps) for e in np.eye(4)]
            )
            num_b = np.zeros_like(b_np)
            for i in np.ndindex(*b_np.shape):
                e = np.zeros_like(b_np)
                e[i] = eps
                num_b[i] = (f(vals, b_np + e) - f(vals, b_np - e)) / (2 * eps)
    np.testing.assert_allclose(got_v, num_v, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(got_b, num_b, rtol=1e-6, atol=1e-8)


SEGMENT_PROGRAM = (
    PRELUDE
    + """
data = tf.constant([[1., 2.], [3., 4.], [5., 6.], [7., 9.]])
idx = tf.constant([0, 2, 3, 1, 1])
seg = tf.constant([0, 0, 1, 3, 3])
outs = [tf.sparse_segment_sum(data, idx, seg), tf.sparse.segment_mean(data, idx, seg),
        tf.sparse.segment_sqrt_n(data, idx, seg),
        tf.sparse_segment_sum(data, idx, seg, num_segments=5),
        tf.sparse_segment_mean(data, idx, seg, num_segments=5),
        tf.sparse_segment_sqrt_n(data, idx, seg, num_segments=6),
        tf.sparse_segment_sum(tf.constant([1, 2, 3]), [2, 0], [0, 1])]
w = tf.constant(np.arange(12.).reshape(6, 2).astype(np.float32))
grads = [tf.gradients(tf.reduce_sum(o * w[:tf.shape(o)[0]]), [data])[0] for o in outs[:6]]
result = {"ops": sorted(o.type for o in tf.get_default_graph().get_operations()
                        if o.type.startswith("SparseSegment")),
          "shapes": [str(o.shape) for o in outs]}
with tf.Session() as s:
    result["values"] = s.run(outs)
    result["grads"] = s.run(grads)
    result["errors"] = [
        run(s, tf.sparse_segment_sum(data, [0, 7], [0, 0])),
        run(s, tf.sparse_segment_sum(data, [0, 1], [1, 0])),
        run(s, tf.sparse_segment_mean(data, [0, 1], [0, 3], num_segments=2)),
    ]
"""
)


@pytest.mark.tf
@requires_tf
def test_sparse_segment_ops_match_tf():
    here, theirs = run_both(SEGMENT_PROGRAM)
    for key in theirs:
        assert here[key] == theirs[key], key


def test_sparse_segment_ops():
    r = run_here(SEGMENT_PROGRAM)
    assert r["values"][0] == [[6.0, 8.0], [7.0, 9.0], [0.0, 0.0], [6.0, 8.0]]
    assert r["values"][1][0] == [3.0, 4.0]


@pytest.mark.parametrize("kind", ["sum", "mean", "sqrt_n"])
def test_sparse_segment_numerical_gradient(kind):
    rng = np.random.RandomState(1)
    x = rng.randn(5, 3)
    with tf.Graph().as_default():
        d = tf.placeholder(tf.float64, [5, 3])
        fn = getattr(tf, f"sparse_segment_{kind}")
        out = fn(d, [4, 0, 0, 2, 3], [0, 0, 2, 2, 2], num_segments=4)
        loss = tf.reduce_sum(out * tf.constant(rng.randn(4, 3)))
        (g,) = tf.gradients(loss, [d])
        with tf.Session() as s:
            got = s.run(g, {d: x})
            num = np.zeros_like(x)
            for i in np.ndindex(*x.shape):
                e = np.zeros_like(x)
                e[i] = 1e-6
                num[i] = (s.run(loss, {d: x + e}) - s.run(loss, {d: x - e})) / 2e-6
    np.testing.assert_allclose(got, num, rtol=1e-6, atol=1e-8)


def _close(a, b) -> bool:
    """Nested lists equal, numbers within float32 rounding."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return bool(np.isclose(a, b, rtol=1e-6, atol=1e-7))
    return a == b


SPARSE2_PROGRAM = (
    PRELUDE
    + """
a = tf.SparseTensor([[0, 1], [1, 0], [2, 2]], [1., -2., 3.], [3, 3])
b = tf.SparseTensor([[0, 0], [1, 0], [2, 1]], [4., 5., -6.], [3, 2])
c0 = tf.sparse_concat(0, [a, tf.SparseTensor([[0, 2]], [9.], [1, 3])])
c1 = tf.sparse.concat(1, [a, b])
sl = tf.sparse_slice(a, [1, 0], [5, 2])
sp = tf.sparse_split(sp_input=a, num_split=2, axis=1)
sp0 = tf.sparse.split(sp_input=b, num_split=3, axis=0)
mx = tf.sparse_maximum(a, tf.SparseTensor([[0, 1], [1, 1]], [0.5, 7.], [3, 3]))
mn = tf.sparse.minimum(a, tf.SparseTensor([[0, 1], [1, 1]], [0.5, 7.], [3, 3]))
e = tf.SparseTensor([[1, 0], [1, 3], [3, 1]], [1., 2., 3.], [5, 4])
fe, empty = tf.sparse_fill_empty_rows(e, -1.)
sm = tf.sparse_softmax(tf.SparseTensor([[0, 0], [0, 2], [1, 1], [2, 0], [2, 1]],
                                       [1., 2., 3., -1., 4.], [3, 3]))
sm3 = tf.sparse.softmax(tf.SparseTensor([[0, 0, 0], [0, 0, 1], [1, 0, 1]], [1., 2., 3.],
                                        [2, 1, 2]))
w = tf.constant([1., -2., 3., 0.5, 2.])
g_sm = tf.gradients(tf.reduce_sum(sm.values * w), [sm.op.inputs[1]])
g_sl = tf.gradients(tf.reduce_sum(sl.values * [2., 3.]), [a.values])
g_fe = tf.gradients(tf.reduce_sum(fe.values * tf.range(6.)), [e.values])
result = {
    "ops": core_ops(),
    "shapes": [str(t.shape) for t in (c0.indices, c1.indices, sl.indices, sp[0].indices,
                                       mx.indices, fe.indices, empty, sm.values)],
    "sp_shapes": [str(x.shape) for x in (c0, c1, sl, sp[0], mx, fe, sm)],
}
with tf.Session() as s:
    result["values"] = s.run([c0, c1, sl, sp, sp0, mx, mn, fe, empty, sm, sm3])
    result["grads"] = s.run([g_sm, g_sl, g_fe])
    result["errors"] = [
        run(s, tf.sparse_concat(1, [a, tf.SparseTensor(
            [[0, 0]], [1.], tf.placeholder_with_default(np.array([2, 2], np.int64), [2]))]).values),
        run(s, tf.sparse_fill_empty_rows(tf.SparseTensor([[7, 0]], [1.], [3, 2]), 0.)[1]),
        run(s, tf.sparse.split(sp_input=b, num_split=3, axis=1)[0].values),
    ]
"""
)


@pytest.mark.tf
@requires_tf
def test_sparse_ops_2_match_tf():
    here, theirs = run_both(SPARSE2_PROGRAM)
    for key in theirs:
        if key in ("values", "grads"):  # (TF's float32 exp is Eigen's: 1 ulp apart)
            assert _close(here[key], theirs[key]), key
        else:
            assert here[key] == theirs[key], key


def test_sparse_ops_2():
    r = run_here(SPARSE2_PROGRAM)
    assert r["values"][8] == [True, False, True, False, True]


SPARSE3_PROGRAM = (
    PRELUDE
    + """
a = tf.SparseTensor([[0, 1], [1, 0], [2, 2]], [1., -2., 3.], [3, 3])
r1 = tf.sparse_reset_shape(a, [4, 5])
r2 = tf.sparse.reset_shape(a)
r3 = tf.sparse_reset_shape(a, tf.placeholder_with_default(np.array([3, 4], np.int64), [2]))
ids = tf.SparseTensor([[0, 0], [0, 1], [2, 0]], tf.constant([3, 1, 0], tf.int64), [3, 2])
vals = tf.SparseTensor([[0, 0], [0, 1], [2, 0]], [10., 20., 30.], [3, 2])
mg = tf.sparse_merge(ids, vals, 4)
ind = tf.sparse_to_indicator(tf.SparseTensor([[0, 0], [0, 1], [2, 0]], [3, 1, 0], [3, 2]), 4)
mk = tf.sparse_mask(tf.IndexedSlices(tf.reshape(tf.range(8.), [4, 2]), tf.constant([0, 2, 5, 7])),
                    [2, 7])
x = tf.constant([[1., 0.], [0., 2.], [3., 0.]])
y = tf.constant([[1., 2., 3.], [4., 5., 6.]])
smm = tf.sparse_matmul(x, y, a_is_sparse=True)
smm2 = tf.matmul(y, x, b_is_sparse=True)
g_smm = tf.gradients(tf.reduce_sum(smm * smm) + tf.reduce_sum(smm2), [x, y])
cv = tf.convert_to_tensor_or_sparse_tensor(tf.SparseTensorValue([[0, 1]], [1.], [2, 2]))
cd = tf.convert_to_tensor_or_sparse_tensor([1, 2])
ser = tf.serialize_sparse(a)
sm = tf.serialize_many_sparse(a)
de = tf.deserialize_many_sparse(sm, tf.float32)
two = tf.stack([tf.serialize_sparse(tf.SparseTensor([[1]], [5], [3])),
                tf.serialize_sparse(tf.SparseTensor([[0], [4]], [6, 7], [5]))])
de2 = tf.deserialize_many_sparse(two, tf.int32, rank=2)
result = {
    "ops": sorted(o.type for o in tf.get_default_graph().get_operations()),
    "shapes": [str(t.shape) for t in (ind, mk.values, smm, smm2, ser, sm, de.indices,
                                       de2.indices, de2.dense_shape, cd)],
    "sp_shapes": [str(t.shape) for t in (r1, r2, r3, mg, cv, de)],
    "dtypes": [t.dtype.name for t in (smm, smm2, cd)],
}
with tf.Session() as s:
    result["values"] = s.run([r1, r2, r3, mg, ind, mk.values, mk.indices, smm, smm2, cv, cd,
                              de, de2])
    result["grads"] = s.run(g_smm)
    result["serialized"] = [[b.hex() for b in v] for v in s.run([ser, sm[1]])]
    result["errors"] = [
        run(s, tf.sparse_reset_shape(a, tf.placeholder_with_default(
            np.array([2, 4], np.int64), [2])).dense_shape)[0],
        run(s, tf.deserialize_many_sparse(sm, tf.int32).values),
    ]
try:
    tf.sparse_reset_shape(a, [2, 5])
except ValueError as e:
    result["reset_error"] = str(e)
"""
)


@pytest.mark.tf
@requires_tf
def test_sparse_ops_3_match_tf():
    here, theirs = run_both(SPARSE3_PROGRAM)
    for key in theirs:
        assert here[key] == theirs[key], key


def test_sparse_ops_3():
    r = run_here(SPARSE3_PROGRAM)
    assert r["values"][4] == [
        [False, True, False, True],
        [False, False, False, False],
        [True, False, False, False],
    ]


def _numeric_check(build, x0):
    """`build(x)` -> scalar loss of a float64 placeholder `x`; compares tf.gradients with
    central differences."""
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, x0.shape)
        loss = build(x)
        (g,) = tf.gradients(loss, [x])
        with tf.Session() as s:
            got = s.run(g, {x: x0})
            num = np.zeros_like(x0)
            for i in np.ndindex(*x0.shape):
                e = np.zeros_like(x0)
                e[i] = 1e-6
                num[i] = (s.run(loss, {x: x0 + e}) - s.run(loss, {x: x0 - e})) / 2e-6
    np.testing.assert_allclose(got, num, rtol=1e-5, atol=1e-7)


_IDX = [[2, 1], [0, 1], [1, 0], [0, 0]]
_W = np.array([0.3, -1.2, 2.0, 0.7])
GRAD_CASES = {
    "reorder": lambda v: tf.reduce_sum(
        tf.sparse_reorder(tf.SparseTensor(_IDX, v, [3, 2])).values * _W
    ),
    "reduce_sum": lambda v: tf.reduce_sum(
        tf.sparse_reduce_sum(tf.SparseTensor(_IDX, v, [3, 2]), 1) ** 2
    ),
    "add": lambda v: tf.reduce_sum(
        tf.sparse_add(
            tf.sparse_reorder(tf.SparseTensor(_IDX, v, [3, 2])),
            tf.SparseTensor([[0, 1], [2, 0]], tf.constant([1.0, 2.0], tf.float64), [3, 2]),
        ).values
        ** 2
    ),
    "dense_add": lambda v: tf.reduce_sum(
        tf.sparse_add(tf.constant(np.ones((3, 2))), tf.SparseTensor(_IDX, v, [3, 2])) ** 2
    ),
    "slice": lambda v: tf.reduce_sum(
        tf.sparse_slice(tf.SparseTensor(_IDX, v, [3, 2]), [0, 1], [3, 1]).values ** 2
    ),
    "fill_empty_rows": lambda v: tf.reduce_sum(
        tf.sparse_fill_empty_rows(tf.SparseTensor([[0, 0], [2, 1]], v[:2], [4, 2]), v[2])[0].values
        ** 2
    ),
    "softmax": lambda v: tf.reduce_sum(
        tf.sparse_softmax(tf.sparse_reorder(tf.SparseTensor(_IDX, v, [3, 2]))).values * _W
    ),
    "to_dense": lambda v: tf.reduce_sum(
        tf.sparse.to_dense(tf.sparse_reorder(tf.SparseTensor(_IDX, v, [3, 2]))) ** 3
    ),
}


@pytest.mark.parametrize("case", sorted(GRAD_CASES))
def test_sparse_numerical_gradients(case):
    _numeric_check(GRAD_CASES[case], np.array([0.5, -1.0, 2.0, 1.5]))


def test_sparse_matmul_numerical_gradient():
    b = np.array([[1.0, 2.0], [0.5, -1.0], [3.0, 0.0]], np.float32)
    with tf.Graph().as_default():
        a = tf.placeholder(tf.float32, [2, 3])
        loss = tf.reduce_sum(tf.sparse_matmul(a, b, transpose_a=False, a_is_sparse=True) ** 2)
        (g,) = tf.gradients(loss, [a])
        a0 = np.array([[1.0, 0.0, 2.0], [0.0, -1.0, 0.0]], np.float32)
        with tf.Session() as s:
            got = s.run(g, {a: a0})
    expected = 2 * (a0 @ b) @ b.T
    np.testing.assert_allclose(got, expected, rtol=1e-6)


EDIT_PROGRAM = """
h = tf.SparseTensor([[0, 0, 0], [1, 0, 0], [1, 1, 0], [1, 1, 1]], ["a", "b", "k", "x"],
                    [2, 2, 2])
t = tf.SparseTensor([[0, 1, 0], [1, 0, 0], [1, 0, 1], [1, 1, 0], [1, 1, 1], [1, 1, 2]],
                    ["a", "b", "c", "k", "i", "t"], [2, 2, 3])
d = tf.edit_distance(h, t)
d2 = tf.edit_distance(h, t, normalize=False)
ints = tf.edit_distance(tf.SparseTensor([[0, 0], [0, 1], [0, 2]], [1, 2, 3], [1, 3]),
                        tf.SparseTensor([[0, 0], [0, 1]], [2, 3], [1, 2]))
result = {"ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
          "shapes": [str(x.shape) for x in (d, d2, ints)]}
with tf.Session() as s:
    result["values"] = s.run([d, d2, ints])
"""


@pytest.mark.tf
@requires_tf
def test_edit_distance_matches_tf():
    here, theirs = run_both(EDIT_PROGRAM)
    for key in theirs:
        assert here[key] == theirs[key], key


def test_edit_distance():
    r = run_here(EDIT_PROGRAM)
    assert r["values"][1] == [[1.0, 1.0], [1.0, 2.0]]
    assert r["values"][2] == [1 / 2]


OPERATORS = """
def last_line(e):
    lines = [ln for ln in e.message.splitlines()
             if ln.strip() and "[[{{node" not in ln and not ln.startswith(("Node:", "  "))]
    return lines[-1]
st = tf.SparseTensor([[0, 1], [2, 0], [2, 1]], [5., 6., -3.], [3, 2])
ist = tf.SparseTensor([[0, 1], [2, 0]], tf.constant([5, 7], tf.int32), [3, 2])
neg = tf.SparseTensor([[0, 0], [0, 1]], tf.constant([-7, 7], tf.int32), [1, 2])
a = st * tf.constant([2., 3.])
b = st / 2.
c = st.__div__(tf.constant([[1.], [2.], [4.]]))
d = ist / 2
e = st * tf.constant([[1., 2.], [3., 4.], [5., 6.]])
f = tf.constant([[1., 2.], [3., 4.], [5., 6.]]) * st
h = neg.__div__(tf.constant([2, -2]))
g = tf.gradients(tf.reduce_sum(a.values * c.values) + tf.reduce_sum(e.values), [st.values])
dy = tf.gradients(tf.reduce_sum(a.values) + tf.reduce_sum(c.values * c.values),
                  [a.values.op.inputs[3], c.values.op.inputs[3]])
result = {"ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()
                        if "gradients" not in o.name),
          "types": [type(x).__name__ for x in (a, b, c, d, f)],
          "dtypes": [x.dtype.name for x in (a, d)],
          "shapes": [str(x.values.shape) for x in (a, f)]}
with tf.Session() as s:
    result["values"] = s.run([a, b, c, d, e, f, h, g, dy])
    try:
        s.run(neg.__div__(tf.constant([0, 1])).values)
    except tf.errors.InvalidArgumentError as err:
        result["error"] = last_line(err)
    try:
        s.run((st * tf.constant([1., 2., 3.])).values)
    except tf.errors.InvalidArgumentError as err:
        result["error2"] = last_line(err)
"""


@pytest.mark.tf
@requires_tf
def test_sparse_tensor_mul_div_operators_match_tf():
    here, theirs = run_both(OPERATORS)
    assert here == theirs


def test_sparse_tensor_mul_div_operators():
    r = run_here(OPERATORS)
    a, b, c, d, e, f, h, g, dy = r["values"]
    assert a[1] == [15.0, 12.0, -9.0] and b[1] == [2.5, 3.0, -1.5] and c[1] == [5.0, 1.5, -0.75]
    assert d[1] == [2.5, 3.5] and r["dtypes"] == ["float32", "float64"]  # int / -> float64
    assert e[1] == [10.0, 30.0, -18.0] and f[1] == e[1] and h[1] == [-3, -3]  # truncating
    assert g == [[32.0, 11.0, 1.5]]
    assert dy[0] == [6.0, 2.0]  # d/dy of sum(values * y): the values per column
    assert r["types"] == ["SparseTensor"] * 5
    assert "cannot divide by zero" in r["error"]

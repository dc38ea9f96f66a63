"""Graphs, values, gradients and errors of the TF1 math/array/linalg API added for
issue 14 (special functions, einsum, linspace, linalg exports), compared with real TF
through `opdiff` (ops by name/type/inputs, static shapes, values, error class+phrase).
"""

from __future__ import annotations

import json

import pytest

from tests import tfrun
from tests.compat import opdiff

_V = """
x = tf.placeholder(tf.float32, [4], name="x")
xv = np.array([0.25, 0.5, 1.0, 2.5], np.float32)
feed = {x: xv}
"""
_D = """
x = tf.placeholder(tf.float64, [2, 3], name="x")
xv = np.array([[0.25, 0.5, 1.0], [1.5, 2.5, 4.0]])
feed = {x: xv}
"""
_SPD = """
rng = np.random.RandomState(3)
m = rng.randn(2, 3, 3)
x = tf.placeholder(tf.float64, [2, 3, 3], name="x")
feed = {x: m @ m.transpose(0, 2, 1) + 3 * np.eye(3)}
"""

CASES: dict[str, str] = {
    # -- special functions: values and TF's gradient graphs --------------------------------
    "erf_erfc": _V + "y = [tf.erf(x), tf.erfc(-x, name='c')]\nout = y + tf.gradients(y, x)",
    "lgamma_digamma": _V + "y = [tf.lgamma(x), tf.digamma(x)]\nout = y + tf.gradients(y, x)",
    "lgamma_poles": "out = [tf.lgamma([0.0, -1.0, -1.5, 1e-3]), tf.digamma([0.0, -2.0, 1.0])]",
    "inverse_hyperbolic": _V
    + """
y = [tf.asinh(x), tf.acosh(x + 1.0), tf.atanh(x / 4.0)]
out = y + tf.gradients(y, x)
""",
    "inverse_hyperbolic_domain": "out = [tf.acosh([0.5, 1.0]), tf.atanh([1.0, -1.0, 2.0])]",
    "rint": """
x = tf.constant([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.7], tf.float64)
out = [tf.rint(x), tf.gradients(tf.rint(x), x)[0] is None and tf.constant(1)]
""",
    "polygamma": _D
    + """
n = tf.constant([[0.0], [1.0]], tf.float64)
y = tf.polygamma(n, x)
out = [y, tf.polygamma(tf.constant([-1.0, 0.5, 3.0], tf.float64), tf.constant(2.0, tf.float64))]
out += tf.gradients(y, x)
""",
    "zeta": _D
    + """
s = tf.constant([[2.0], [3.5]], tf.float64)
y = tf.zeta(s, x)
out = [y, tf.zeta(tf.constant([0.5, 1.0], tf.float64), tf.constant(1.0, tf.float64))]
out += tf.gradients(y, x)
""",
    "igamma_igammac": _D
    + """
a = tf.constant([[0.5], [3.0]], tf.float64)
y = [tf.igamma(a, x), tf.igammac(a, x)]
out = y + tf.gradients(y, [a, x])
""",
    "betainc": """
a = tf.constant([0.5, 2.0, 3.0], tf.float64)
b = tf.constant([1.5, 2.0, 0.5], tf.float64)
x = tf.placeholder(tf.float64, [3], name="x")
y = tf.betainc(a, b, x)
out = [y, tf.betainc(2.0, 3.0, tf.constant([0.0, 0.5, 1.0]))] + tf.gradients(y, x)
feed = {x: [0.1, 0.5, 0.9]}
""",
    "betainc_bad_shapes": """
out = tf.betainc(tf.ones([2]), tf.ones([3]), tf.ones([2]))
phrase = "Dimension 0 in both shapes must be equal, but are 2 and 3"
""",
    "betainc_bad_shapes_at_run_time": """
a = tf.placeholder(tf.float32)
b = tf.placeholder(tf.float32)
out = tf.betainc(a, b, 0.5)
feed = {a: [1.0, 2.0], b: [1.0, 2.0, 3.0]}
phrase = "Shapes of a and b are inconsistent: [2] vs. [3]"
""",
    "lbeta": _D + "y = tf.lbeta(x)\nout = [y, tf.lbeta(tf.ones([0, 2]))] + tf.gradients(y, x)",
    "log_sigmoid": _V
    + """
y = tf.log_sigmoid(x * 40.0 - 20.0)
out = [y, tf.log_sigmoid(tf.constant([-100.0, 100.0]), name="ls")] + tf.gradients(y, x)
""",
    "erf_int_rejected": """
out = tf.erf(tf.constant([1, 2]))
""",
    # -- einsum: TF's op and equation, gradients, errors ---------------------------------------
    "einsum_matmul": """
x = tf.placeholder(tf.float32, [2, 3], name="x")
y = tf.placeholder(tf.float32, [3, 4], name="y")
z = tf.einsum("ij,jk->ik", x, y)
out = [z, tf.einsum("ij,jk", x, y, name="implicit")] + tf.gradients(z, [x, y])
feed = {x: np.arange(6.0).reshape(2, 3), y: np.arange(12.0).reshape(3, 4) / 7}
""",
    "einsum_unary": """
x = tf.placeholder(tf.float64, [3, 3], name="x")
y = [tf.einsum("ij->ji", x), tf.einsum("ij->i", x), tf.einsum("ii->i", x), tf.einsum("ii", x)]
out = y + tf.gradients(y[0], x) + tf.gradients(y[1], x) + tf.gradients(y[2], x)
feed = {x: np.arange(9.0).reshape(3, 3)}
""",
    "einsum_batch_and_reduce": """
a = tf.placeholder(tf.float32, [2, 3, 4], name="a")
b = tf.placeholder(tf.float32, [2, 4, 5], name="b")
z = tf.einsum("bij,bjk->bik", a, b)
w = tf.einsum("bij,bjk->bk", a, b)
out = [z, w] + tf.gradients(z, [a, b]) + tf.gradients(w, [a, b])
rng = np.random.RandomState(0)
feed = {a: rng.randn(2, 3, 4), b: rng.randn(2, 4, 5)}
""",
    "einsum_ellipsis_broadcast": """
a = tf.placeholder(tf.float32, [5, 2, 3], name="a")
b = tf.placeholder(tf.float32, [3, 4], name="b")
z = tf.einsum("...ij,jk->...ik", a, b)
out = [z] + tf.gradients(z, [a, b])
rng = np.random.RandomState(1)
feed = {a: rng.randn(5, 2, 3), b: rng.randn(3, 4)}
""",
    "einsum_outer_dtypes": """
out = [tf.einsum("i,j->ij", tf.constant([1, 2, 3]), tf.constant([4, 5])),
       tf.einsum("i,i->", tf.zeros([0]), tf.zeros([0]))]
""",
    "einsum_static_mismatch": """
out = tf.einsum("ij,jk->ik", tf.ones([2, 3]), tf.ones([4, 5]))
phrase = "Dimensions must be equal, but are 3 and 4"
""",
    "einsum_bad_output_label": """
out = tf.einsum("ij,jk->ikz", tf.ones([2, 3]), tf.ones([3, 4]))
phrase = "Output subscripts contain the label z not present in the input subscripts."
""",
    "einsum_wrong_input_count": """
out = tf.einsum("ij->ij", tf.ones([2, 3]), tf.ones([3, 4]))
phrase = 'Got 2 inputs for equation "ij->ij", expecting 1'
""",
    "einsum_runtime_mismatch": """
p = tf.placeholder(tf.float32, [None, 3])
q = tf.placeholder(tf.float32, [None, 4])
out = tf.einsum("ij,jk->ik", p, q)
feed = {p: np.ones((2, 3)), q: np.ones((4, 4))}
phrase = "Expected dimension 3 at axis 0 of the input shaped [4,4] but got dimension 4"
""",
    # -- linalg: ops, composites, gradients, errors -------------------------------------------
    "linalg_square_ops": _SPD
    + """
y = [tf.matrix_determinant(x), tf.matrix_inverse(x), tf.matrix_inverse(x, adjoint=True),
     tf.linalg.slogdet(x)[1], tf.cholesky(x)]
out = y + tf.gradients(y[0], x) + tf.gradients(y[1], x) + tf.gradients(y[2], x)
out += tf.gradients(y[3], x) + tf.gradients(y[4], x)
""",
    "linalg_solves": _SPD
    + """
b = tf.constant(np.arange(12.0).reshape(2, 3, 2) / 5)
y = [tf.matrix_solve(x, b), tf.matrix_solve(x, b, adjoint=True),
     tf.cholesky_solve(tf.cholesky(x), b)]
out = y + tf.gradients(y[0], [x, b]) + tf.gradients(y[1], [x, b]) + tf.gradients(y[2], [x, b])
""",
    "linalg_eig": _SPD
    + """
e, v = tf.self_adjoint_eig(x)
ev = tf.self_adjoint_eigvals(x)
out = [e, tf.abs(v), ev] + tf.gradients(e, x) + tf.gradients(ev, x)
out += tf.gradients(tf.reduce_sum(tf.square(v)) + tf.reduce_sum(e * e), x)
""",
    "linalg_svd_sqrtm": _SPD
    + """
s, u, v = tf.svd(x)
s2 = tf.svd(tf.constant(np.arange(6.0).reshape(2, 3)), compute_uv=False)
s3, u3, v3 = tf.svd(tf.ones([2, 4, 3]), full_matrices=True)
out = [s, tf.abs(u), tf.abs(v), s2, tf.matrix_square_root(x), s3, tf.shape(u3), tf.shape(v3)]
""",
    "linalg_composites": _SPD
    + """
out = [tf.trace(x), tf.matrix_transpose(x), tf.linalg.adjoint(x), tf.matrix_diag_part(x),
       tf.diag([1.0, 2.0]), tf.diag_part(tf.diag([1.0, 2.0])), tf.linalg.tensor_diag([3, 4]),
       tf.linalg.diag([[1.0, 2.0]]), tf.linalg.band_part(x, 0, -1), tf.eye(2, 3),
       tf.matrix_set_diag(x, tf.zeros([2, 3], tf.float64)), tf.linalg.transpose(x)]
out += tf.gradients(tf.trace(x), x)
""",
    "linalg_inverse_singular": """
out = tf.matrix_inverse(tf.zeros([2, 2]))
phrase = "Input is not invertible."
""",
    "linalg_solve_singular": """
out = tf.matrix_solve(tf.zeros([2, 2]), tf.ones([2, 1]))
phrase = "Input matrix is not invertible."
""",
    "linalg_determinant_not_square": """
out = tf.matrix_determinant(tf.ones([2, 3]))
phrase = "Dimensions must be equal, but are 3 and 2"
""",
    "linalg_inverse_rank1": """
out = tf.matrix_inverse(tf.ones([3]))
phrase = "Shape must be at least rank 2 but is rank 1"
""",
    "linalg_solve_rows_mismatch": """
out = tf.matrix_solve(tf.ones([2, 2]), tf.ones([3, 1]))
phrase = "Dimensions must be equal, but are 2 and 3"
""",
    "linalg_empty": """
out = [tf.matrix_determinant(tf.ones([0, 0])), tf.matrix_inverse(tf.ones([2, 0, 0])),
       tf.matrix_determinant(tf.ones([0, 2, 2]))]
""",
    # -- segment reductions ------------------------------------------------------------------
    "segment_sorted": """
d = tf.placeholder(tf.float64, [5, 2], name="d")
ids = tf.constant([0, 0, 2, 2, 3])
y = [tf.segment_sum(d, ids), tf.segment_mean(d, ids), tf.segment_max(d, ids),
     tf.segment_min(d, ids), tf.segment_prod(d, ids)]
out = y + [tf.gradients(t, d)[0] for t in y]
feed = {d: [[1.0, -2.0], [3.0, 0.0], [0.5, 0.0], [2.0, 0.0], [-1.0, 4.0]]}
""",
    "segment_unsorted": """
d = tf.placeholder(tf.float64, [5, 2], name="d")
ids = tf.constant([2, 0, -1, 2, 0])
y = [tf.unsorted_segment_max(d, ids, 4), tf.unsorted_segment_min(d, ids, 4),
     tf.unsorted_segment_prod(d, ids, 4), tf.unsorted_segment_mean(d, ids, 4),
     tf.unsorted_segment_sqrt_n(d, ids, 4)]
out = y + [tf.gradients(t, d)[0] for t in y]
feed = {d: [[1.0, -2.0], [3.0, 0.0], [0.5, 0.0], [2.0, 0.0], [-1.0, 4.0]]}
""",
    "segment_int_and_empty": """
out = [tf.segment_max(tf.constant([3, 1, 2]), [0, 0, 1]),
       tf.unsorted_segment_max(tf.constant([3, 1]), [0, 0], 2),
       tf.segment_sum(tf.zeros([0, 2]), tf.zeros([0], tf.int32))]
""",
    "segment_not_increasing": """
ids = tf.placeholder(tf.int32, [3])
out = tf.segment_sum(tf.ones([3]), ids)
feed = {ids: [0, 2, 1]}
phrase = "segment ids are not increasing"
""",
    "segment_out_of_range": """
out = tf.unsorted_segment_max(tf.ones([3]), [0, 5, 1], 3)
phrase = "is out of range [0, 3)"
""",
    # -- manipulation: roll, sort, cross, angle, ensure_shape, linspace, accumulate_n ----------
    "roll": _D
    + """
y = [tf.roll(x, 1, 0), tf.roll(x, [1, -1], [0, 1]), tf.roll(x, 4, -1)]
out = y + tf.gradients(y[1], x)
""",
    "sort_argsort": """
x = tf.constant([[3.0, 1.0, 2.0, 1.0], [0.5, -1.0, 7.0, 0.5]])
i = tf.constant([[3, 1, 2, 1]], tf.int32)
u = tf.constant([[3, 1, 200]], tf.uint8)
out = [tf.sort(x), tf.argsort(x), tf.sort(x, direction="DESCENDING"), tf.sort(x, axis=0),
       tf.argsort(x, axis=0, name="a0"), tf.sort(i), tf.argsort(i, direction="DESCENDING"),
       tf.sort(u)]
out += tf.gradients(tf.sort(x) * tf.constant([1.0, 2.0, 3.0, 4.0]), x)
""",
    "sort_bad_direction": """
out = tf.sort(tf.ones([3]), direction="UP")
phrase = "Argument `direction` should be one of ASCENDING, DESCENDING"
""",
    "cross_angle": """
a = tf.placeholder(tf.float64, [2, 3], name="a")
b = tf.constant([[0.0, 1.0, 2.0], [3.0, -1.0, 0.5]], tf.float64)
c = tf.cross(a, b)
z = tf.constant([1 + 1j, -2 + 0.5j, -1 + 0j], tf.complex128)
out = [c, tf.angle(z), tf.angle(tf.constant([-2.0, 3.0]))] + tf.gradients(c, [a, b])
out += tf.gradients(tf.angle(z), z)
feed = {a: [[1.0, 2.0, 3.0], [0.0, 0.5, -1.0]]}
""",
    "cross_bad_dim": """
out = tf.cross(tf.ones([2, 4]), tf.ones([2, 4]))
phrase = "Dimension must be 3 but is 4"
""",
    "ensure_shape": """
p = tf.placeholder(tf.float32, [None, 3], name="p")
e = tf.ensure_shape(p, [2, None])
out = [e, tf.gradients(e, p)[0]]
feed = {p: np.ones((2, 3))}
""",
    "ensure_shape_run_time": """
p = tf.placeholder(tf.float32, [None, 3], name="p")
out = tf.ensure_shape(p, [2, 3])
feed = {p: np.ones((4, 3))}
phrase = "is not compatible with expected shape [2,3]"
""",
    "accumulate_n": _D + "out = [tf.accumulate_n([x, x, 2 * x])]",
    # -- assertions and monotonicity ----------------------------------------------------------
    "assert_near_none_equal": """
x = tf.placeholder(tf.float32, [3], name="x")
a = tf.assert_near(x, x + 1e-7)
b = tf.assert_none_equal(x, x + 1.0)
c = tf.assert_rank_at_least(x, 1)
with tf.control_dependencies([a, b, c]):
    out = tf.identity(x)
feed = {x: [1.0, 2.0, 3.0]}
""",
    "assert_near_fails": """
x = tf.placeholder(tf.float32, [2], name="x")
with tf.control_dependencies([tf.assert_near(x, x + 1.0)]):
    out = tf.identity(x)
feed = {x: [1.0, 2.0]}
phrase = "x and y not equal to tolerance"
""",
    "assert_none_equal_fails": """
x = tf.placeholder(tf.int32, [2], name="x")
with tf.control_dependencies([tf.assert_none_equal(x, [1, 5])]):
    out = tf.identity(x)
feed = {x: [1, 2]}
phrase = "Condition x != y did not hold"
""",
    "assert_rank_at_least_static": """
out = tf.assert_rank_at_least(tf.ones([2]), 2)
phrase = "must have rank at least 2.  Received rank 1"
""",
    "assert_scalar_and_integer": """
s = tf.assert_scalar(tf.constant(1.0))
i = tf.assert_integer(tf.constant([1, 2]))
out = [s]
""",
    "assert_integer_fails": """
out = tf.assert_integer(tf.constant([1.0]))
phrase = "to be integer"
""",
    "verify_finite": """
x = tf.placeholder(tf.float32, [2], name="x")
out = [tf.verify_tensor_all_finite(x, "bad x")]
feed = {x: [1.0, 2.0]}
""",
    "verify_finite_fails": """
x = tf.placeholder(tf.float32, [2], name="x")
out = tf.verify_tensor_all_finite(x, "bad x")
feed = {x: [1.0, np.nan]}
phrase = "bad x : Tensor had NaN values"
""",
    "monotonic": """
x = tf.placeholder(tf.float32, [None], name="x")
out = [tf.is_non_decreasing(x), tf.is_strictly_increasing(x), tf.is_non_decreasing([1]),
       tf.is_strictly_increasing([[1, 2], [2, 3]])]
feed = {x: [1.0, 2.0, 2.0]}
""",
    # -- space_to_depth, reverse_sequence, unique_with_counts, broadcast_dynamic_shape --------
    "space_depth": """
x = tf.placeholder(tf.float32, [2, 4, 6, 3], name="x")
a = tf.space_to_depth(x, 2)
b = tf.depth_to_space(a, 2, name="back")
d = tf.placeholder(tf.float32, [1, 2, 2, 8], name="d")
c = tf.depth_to_space(d, 2)
out = [a, b, c] + tf.gradients(a * a, x) + tf.gradients(tf.reduce_sum(c * c), d)
rng = np.random.RandomState(5)
feed = {x: rng.randn(2, 4, 6, 3), d: rng.randn(1, 2, 2, 8)}
""",
    "space_depth_errors": """
out = tf.space_to_depth(tf.ones([1, 3, 4, 1]), 2)
phrase = "Dimension size must be evenly divisible by 2 but is 3"
""",
    "reverse_sequence": """
x = tf.placeholder(tf.float32, [3, 4, 2], name="x")
r = tf.reverse_sequence(x, [1, 4, 2], seq_axis=1, batch_axis=0)
r2 = tf.reverse_sequence(x, tf.constant([0, 2], tf.int32), seq_axis=0, batch_axis=2)
out = [r, r2] + tf.gradients(r * r, x) + tf.gradients(r2 * tf.range(24.0)[:2], x)
feed = {x: np.arange(24.0).reshape(3, 4, 2)}
""",
    "reverse_sequence_too_long": """
out = tf.reverse_sequence(tf.ones([2, 3]), [1, 5], seq_axis=1, batch_axis=0)
phrase = "seq_lens(1) > input.dims(1)"
""",
    "unique_with_counts_broadcast_args": """
u = tf.unique_with_counts(tf.constant([4, 1, 4, 2, 1, 4]))
out = [u.y, u.idx, u.count, tf.unique_with_counts([1.5, 1.5], out_idx=tf.int64).count,
       tf.broadcast_dynamic_shape([2, 1], [3, 1, 4]),
       tf.broadcast_dynamic_shape(tf.constant([5], tf.int64), tf.constant([1], tf.int64))]
""",
    "broadcast_args_incompatible": """
s = tf.placeholder(tf.int32, [2])
out = tf.broadcast_dynamic_shape(s, [3, 4])
feed = {s: [2, 3]}
phrase = "Incompatible shapes: [2,3] vs. [3,4]"
""",
    # -- variable scatters ---------------------------------------------------------------------
    "scatter_ufuncs": """
v = tf.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], name="v")
init = tf.global_variables_initializer()
a = tf.scatter_mul(v, [0, 2], [[2.0, 2.0], [0.5, 3.0]])
with tf.control_dependencies([a]):
    b = tf.scatter_div(v, [1], [[2.0, 4.0]])
with tf.control_dependencies([b]):
    c = tf.scatter_min(v, [0, 0], [[1.5, 9.0], [3.0, 0.5]])
with tf.control_dependencies([c]):
    d = tf.scatter_max(v, [2], [[7.0, 0.0]])
with tf.control_dependencies([d]):
    out = [v.read_value()]
""",
    "scatter_nd": """
v = tf.Variable(np.arange(12.0).reshape(3, 4), name="v")
init = tf.global_variables_initializer()
u = tf.scatter_nd_update(v, [[0, 1], [2, 3]], [-1.0, -2.0])
with tf.control_dependencies([u]):
    a = tf.scatter_nd_add(v, [[1]], [[10.0, 10.0, 10.0, 10.0]])
with tf.control_dependencies([a]):
    out = [tf.identity(tf.scatter_nd_sub(v, [[0, 0], [0, 0]], [1.0, 2.0]))]
""",
    "scatter_nd_bad_index": """
v = tf.Variable(np.zeros((2, 2)), name="v")
init = tf.global_variables_initializer()
out = [tf.identity(tf.scatter_nd_update(v, [[0, 5]], [1.0]))]
phrase = "does not index into shape [2,2]"
""",
    "scatter_int_div": """
v = tf.Variable([7, -7, 9], name="v")
init = tf.global_variables_initializer()
out = [tf.identity(tf.scatter_div(v, [0, 1], [2, 2]))]
""",
    # -- tf.norm ---------------------------------------------------------------------------------
    "norm": _D
    + """
y = [tf.norm(x), tf.norm(x, axis=1), tf.norm(x, ord=1, axis=0, keepdims=True),
     tf.norm(x, ord=np.inf), tf.norm(x, ord=3, axis=-1), tf.norm(x, ord="fro", axis=(0, 1)),
     tf.norm(x, ord=1, axis=[0, 1]), tf.norm(x, ord=np.inf, axis=(0, 1), keep_dims=True)]
out = y + tf.gradients(y[0], x) + tf.gradients(y[4], x)
""",
    "norm_bad_ord": """
out = tf.norm(tf.ones([2]), ord=-1)
phrase = "'ord' must be a supported vector norm, got -1"
""",
    "meshgrid": """
x = tf.placeholder(tf.float32, [3], name="x")
out = tf.meshgrid([1, 2], [3, 4, 5]) + tf.meshgrid(x, [0.5, 1.5], indexing="ij")
out += tf.meshgrid([1.0], [2.0], [3.0, 4.0], name="m3")
out += tf.gradients(tf.meshgrid(x, [0.5, 1.5])[0], x)
feed = {x: [1.0, 2.0, 3.0]}
""",
    "tensor_scatter": """
t = tf.placeholder(tf.float64, [4, 2], name="t")
u = tf.placeholder(tf.float64, [2, 2], name="u")
idx = tf.constant([[1], [3]])
y = [tf.tensor_scatter_nd_update(t, idx, u), tf.tensor_scatter_nd_add(t, idx, u),
     tf.tensor_scatter_nd_sub(t, idx, u), tf.tensor_scatter_nd_min(t, idx, u),
     tf.tensor_scatter_nd_max(t, idx, u), tf.tensor_scatter_update(t, [[0, 0]], [9.0]),
     tf.tensor_scatter_add(t, [[0, 1], [0, 1]], [1.0, 2.0])]
out = y
for v in y[:5]:
    out = out + tf.gradients(v * v, [t, u])
feed = {t: np.arange(8.0).reshape(4, 2), u: [[-1.0, 5.0], [6.0, 6.0]]}
""",
    "tensor_scatter_bad_index": """
out = tf.tensor_scatter_nd_update(tf.zeros([2, 2]), [[5]], [[1.0, 1.0]])
phrase = "does not index into shape [2,2]"
""",
    "unravel_histogram_clip": """
x = tf.placeholder(tf.float32, [2, 2], name="x")
c = tf.clip_by_average_norm(x, 0.5)
out = [tf.unravel_index([1, 5, 7], [2, 4]), tf.unravel_index(tf.constant(6, tf.int64), [2, 4]),
       tf.histogram_fixed_width([-1.0, 0.0, 1.5, 2.0, 5.0, 15], [0.0, 5.0], nbins=5),
       tf.histogram_fixed_width(tf.constant([1, 2, 9]), [0, 5], nbins=3, dtype=tf.int64),
       c] + tf.gradients(c, x)
feed = {x: [[1.0, 2.0], [3.0, 4.0]]}
""",
    "unravel_out_of_bound": """
out = tf.unravel_index([1, 9], [2, 4])
phrase = "index is out of bound as with dims"
""",
    "histogram_bad_range": """
out = tf.histogram_fixed_width([1.0], [5.0, 0.0], nbins=3)
phrase = "value_range should satisfy value_range[0] < value_range[1]"
""",
    # -- make_template ----------------------------------------------------------------------
    "make_template": """
def dense(x, units):
    w = tf.get_variable("w", [2, units], initializer=tf.constant_initializer(0.5))
    return tf.matmul(x, w)
t = tf.make_template("layer", dense, units=3)
x = tf.placeholder(tf.float32, [None, 2], name="x")
a = t(x)
b = t(x * 2.0)
t2 = tf.make_template("layer", dense, create_scope_now_=True, units=1)
c = t2(x)
d = t2(x)
init = tf.global_variables_initializer()
out = [a, b, c, d, tf.constant([v.name for v in tf.global_variables()])]
feed = {x: [[1.0, 2.0]]}
""",
    "bincount": """
a = tf.placeholder(tf.int32, [None], name="a")
out = [tf.bincount([1, 1, 3]), tf.bincount(a, minlength=6), tf.bincount(a, maxlength=2),
       tf.bincount(a, weights=[0.5, 1.0, 2.0, 0.25], dtype=tf.float32),
       tf.bincount(tf.zeros([0], tf.int32)), tf.math.bincount([[0, 2], [2, 2]])]
feed = {a: [0, 4, 4, 1]}
""",
    "bincount_negative": """
out = tf.bincount([1, -1])
phrase = "must be non-negative"
""",
    "searchsorted": """
s = tf.placeholder(tf.float32, [2, 4], name="s")
v = tf.constant([[2.5, 0.5, 9.0], [3.0, 3.0, -1.0]])
out = [tf.searchsorted(s, v), tf.searchsorted(s, v, side="right", out_type=tf.int64),
       tf.searchsorted([1.0, 2.0, 3.0], [2.0, 2.5])]
feed = {s: [[1.0, 2.0, 3.0, 4.0], [3.0, 3.0, 3.0, 5.0]]}
""",
    "searchsorted_bad_side": """
out = tf.searchsorted([1.0], [1.0], side="middle")
phrase = "Argument `side` must be either 'right' or 'left'"
""",
    "parallel_stack": """
x = tf.placeholder(tf.float32, [2, 3], name="x")
out = [tf.parallel_stack([x, x * 2.0, x + 1.0]), tf.parallel_stack([1, 2], name="ps")]
feed = {x: np.arange(6.0).reshape(2, 3)}
""",
}


@pytest.fixture(scope="module")
def tf_results():
    return opdiff.run_cases_in_tf(CASES)


@tfrun.requires_tf
@pytest.mark.tf
@pytest.mark.parametrize("case", sorted(CASES))
def test_parity_with_tf(case, tf_results):
    code = CASES[case]
    actual = opdiff.run_case_in_tfgraph(code)
    problems = opdiff.compare(case, code, tf_results[case], actual)
    assert not problems, f"case {case!r}:\n" + "\n".join(problems)


_LINSPACE = """
import json
outs = [tf.linspace(0.0, 1.0, 5), tf.lin_space(-2.0, 3.0, 1), tf.linspace(1.0, 0.0, 2),
        tf.linspace(tf.constant(0.0, tf.float64), 10.0, 11), tf.linspace(3.0, 4.0, 0),
        tf.linspace(0.0, 1.0, tf.constant(7)), tf.linspace(-1.0, 1.0, 3, name="ls")]
with tf.Session() as s:
    values = s.run(outs)
print(json.dumps({
    "types": [t.op.type for t in outs],
    "static": [t.shape.as_list() for t in outs],
    "dtypes": [t.dtype.name for t in outs],
    "values": [v.tolist() for v in values],
}))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_linspace_values_shapes_and_result_op_type_as_tf():
    """tfgraph's linspace is a smaller composite than TF 2.21's (about 20 ops, not 60),
    ending in the same op type (Slice) with the same values and static shapes."""
    import contextlib
    import io

    import numpy as np

    import tfgraph

    want = json.loads(tfrun.run_tf(_LINSPACE))
    buf = io.StringIO()
    with tfgraph.Graph().as_default(), contextlib.redirect_stdout(buf):
        exec(_LINSPACE, {"tf": tfgraph, "np": np})
    got = json.loads(buf.getvalue())
    assert got["types"] == want["types"] == ["Slice"] * 7
    assert got["static"] == want["static"] and got["dtypes"] == want["dtypes"]
    for a, b in zip(got["values"], want["values"]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)

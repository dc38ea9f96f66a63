"""Parity of graphs and values with real TensorFlow for issue 2's public op surface.

Every case is built in tfgraph and in TF 2.21 (compat.v1, graph mode); the ops (name,
type, input names, control inputs), the static dtypes/shapes of the fetched tensors,
the fetched values, and errors (class, key phrase) must agree. See `opdiff.py`.
"""

from __future__ import annotations

import json

import pytest

from tests import tfrun
from tests.compat import opdiff

_X = """
x = tf.placeholder(tf.float32, [2, 3, 4], name="x")
xv = (np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 10) / 4
feed = {x: xv}
"""
_P = """
p = tf.placeholder(tf.float32, [None, 3], name="p")
pv = np.array([[1, -2, 3], [4, 5, -6]], np.float32)
feed = {p: pv}
"""

CASES: dict[str, str] = {
    # -- constants, fills, likes ----------------------------------------------------------
    "zeros_ones": """
out = [tf.zeros([2, 3]), tf.ones([2], tf.int32), tf.zeros([]), tf.ones((1, 2), name="o")]
""",
    "zeros_big": "out = [tf.zeros([40, 40]), tf.ones([1001], dtype=tf.int64)]",
    "zeros_tensor_shape": """
s = tf.constant([2, 2])
out = [tf.zeros(s), tf.ones(s, tf.float64)]
""",
    "fill": """
out = [tf.fill([2, 3], 7), tf.fill(tf.constant([2]), 1.5, name="f")]
""",
    "zeros_like": _P
    + """
out = [tf.zeros_like(p), tf.zeros_like(tf.constant([1, 2])), tf.zeros_like(p, dtype=tf.int32)]
""",
    "ones_like": _P
    + """
out = [tf.ones_like(p), tf.ones_like(tf.constant([1.0])), tf.ones_like(p, dtype=tf.int64)]
""",
    "constant_shapes": """
out = [
    tf.constant(1.5),
    tf.constant([1, 2], tf.int64),
    tf.constant(0, shape=[2, 2]),
    tf.constant("ab"),
]
""",
    # -- range, cast, reshape ---------------------------------------------------------------
    "range": """
out = [
    tf.range(5),
    tf.range(1, 7, 2),
    tf.range(0.0, 1.0, 0.25),
    tf.range(3, dtype=tf.float32),
    tf.range(tf.constant(4)),
]
""",
    "cast": _P
    + """
out = [
    tf.cast(p, tf.int32),
    tf.cast(p, tf.float32),
    tf.cast([1, 2], tf.float64),
    tf.cast(p > 0, tf.float32),
]
""",
    "reshape": _X
    + """
out = [
    tf.reshape(x, [6, 4]),
    tf.reshape(x, [-1]),
    tf.reshape(x, (4, -1)),
    tf.reshape(x, tf.shape(x)),
    tf.reshape([1, 2, 3, 4], [2, 2]),
]
""",
    "reshape_partial": _P
    + """
out = [
    tf.reshape(p, [-1]),
    tf.reshape(p, [3, -1]),
    tf.reshape(p, tf.stack([tf.shape(p)[0], 3])),
]
""",
    "reshape_bad": _X
    + """
out = tf.reshape(x, [5, 5])
phrase = "Cannot reshape a tensor with 24 elements to shape [5,5]"
""",
    "squeeze_expand": _X
    + """
y = tf.reshape(x, [2, 1, 12, 1])
out = [
    tf.squeeze(y),
    tf.squeeze(y, [1]),
    tf.squeeze(y, axis=-1),
    tf.squeeze(y, squeeze_dims=[3]),
    tf.expand_dims(x, 0),
    tf.expand_dims(x, -1),
    tf.expand_dims(x, axis=1),
    tf.expand_dims(x, dim=2),
]
""",
    "squeeze_bad": _X
    + """
out = tf.squeeze(x, [1])
phrase = "Can not squeeze dim[1], expected a dimension of 1, got 3"
""",
    "transpose": _X
    + """
out = [
    tf.transpose(x),
    tf.transpose(x, [0, 2, 1]),
    tf.transpose(x, perm=(2, 0, 1), name="t"),
    tf.transpose([[1, 2]]),
]
""",
    "transpose_unknown_rank": """
u = tf.placeholder(tf.float32, name="u")
out = tf.transpose(u)
feed = {u: np.ones((2, 3), np.float32)}
""",
    # -- join / split ------------------------------------------------------------------------
    "concat": _X
    + """
out = [
    tf.concat([x, x], 0),
    tf.concat([x, x, x], axis=-1),
    tf.concat([x], 1),
    tf.concat([[1, 2], [3]], 0),
]
""",
    "stack": _X
    + """
out = [
    tf.stack([x, x]),
    tf.stack([x, x], axis=1),
    tf.stack([x, x], -1),
    tf.stack([1, 2, 3]),
    tf.stack([x[0], 2 * x[1]], name="s"),
]
""",
    "stack_python_axis1": "out = tf.stack([[1, 2], [3, 4]], axis=1)",
    "unstack": _X
    + """
out = tf.unstack(x) + tf.unstack(x, axis=1) + tf.unstack(x, num=4, axis=-1, name="u")
""",
    "unstack_unknown": """
u = tf.placeholder(tf.float32, [None, 2])
out = tf.unstack(u)
phrase = "Cannot infer argument `num` from shape"
""",
    "split": _X
    + """
out = (
    tf.split(x, 2)
    + tf.split(x, 2, axis=2)
    + tf.split(x, [1, 2], 1)
    + tf.split(x, [1, -1], axis=-1, name="sp")
)
""",
    "split_tensor_sizes": _X + "out = tf.split(x, tf.constant([3, 1]), axis=2)",
    "split_bad": _X
    + """
out = tf.split(x, 5, axis=2)
phrase = "Dimension size must be evenly divisible by 5 but is 4"
""",
    "tile": _X
    + """
out = [
    tf.tile(x, [1, 2, 1]),
    tf.tile([[1, 2]], [2, 2]),
    tf.tile(x, tf.constant([2, 1, 1]), name="tt"),
]
""",
    "pad": _X
    + """
out = [
    tf.pad(x, [[0, 0], [1, 2], [1, 1]]),
    tf.pad(x, [[1, 1], [0, 0], [0, 0]], constant_values=2.5),
    tf.pad(x, [[0, 0], [2, 2], [3, 3]], "REFLECT"),
    tf.pad(x, [[0, 0], [2, 2], [3, 3]], mode="symmetric"),
]
""",
    "pad_partial": _P
    + """
out = [tf.pad(p, [[1, 1], [2, 0]]), tf.pad(p, tf.constant([[1, 1], [2, 0]]))]
""",
    "reverse": _X
    + """
out = [tf.reverse(x, [0]), tf.reverse(x, axis=[1, -1]), tf.reverse([1, 2, 3], [0])]
""",
    "shape_size_rank": _X
    + """
p = tf.placeholder(tf.float32, [None, 3], name="p")
pv = np.array([[1, -2, 3], [4, 5, -6]], np.float32)
feed2 = {p: pv}
feed.update(feed2)
out = [
    tf.shape(x),
    tf.size(x),
    tf.rank(x),
    tf.shape(p),
    tf.size(p),
    tf.rank(p),
    tf.shape(x, out_type=tf.int64),
    tf.shape([1, 2]),
    tf.size(p, out_type=tf.int64),
]
""",
    "shape_unknown_rank": """
u = tf.placeholder(tf.float32, name="u")
out = [tf.shape(u), tf.size(u), tf.rank(u)]
feed = {u: np.ones((2, 3), np.float32)}
""",
    "shape_n": _X
    + """
p = tf.placeholder(tf.float32, [None, 3], name="p")
pv = np.array([[1, -2, 3], [4, 5, -6]], np.float32)
feed2 = {p: pv}
feed.update(feed2)
out = tf.shape_n([x, p]) + tf.shape_n([p], out_type=tf.int64)
""",
    # -- slicing ---------------------------------------------------------------------------
    "slice": _X
    + """
out = [
    tf.slice(x, [0, 1, 0], [1, 2, -1]),
    tf.slice(x, tf.constant([1, 0, 2]), [1, -1, 2], name="sl"),
]
""",
    "strided_slice": _X
    + """
out = [
    tf.strided_slice(x, [0, 1], [2, 3]),
    tf.strided_slice(x, [1, 0, 3], [2, 3, 0], [1, 1, -1], shrink_axis_mask=1),
    tf.strided_slice(x, [0], [0], end_mask=1, new_axis_mask=0, ellipsis_mask=0),
]
""",
    "getitem_basic": _X
    + """
out = [x[1], x[-1], x[0, 1], x[1, 2, 3], x[:, 1], x[..., 2], x[0, ..., 1:3]]
""",
    "getitem_slices": _X
    + """
out = [x[1:], x[:1], x[::2], x[::-1], x[:, -2:], x[:, :, 3:0:-2], x[-5:5], x[:, ::-2, 1:-1]]
""",
    "getitem_newaxis": _X
    + """
out = [x[None], x[:, None], x[..., None], x[tf.newaxis, 0, ..., None, 1], x[None, ...]]
""",
    "getitem_tensor_index": _X
    + """
i = tf.constant(1)
j = tf.placeholder(tf.int32, [])
feed[j] = 2
out = [x[i], x[:, j], x[i:j], x[0, i:, :j], x[tf.constant(1, tf.int64)]]
""",
    "getitem_partial": _P + "out = [p[0], p[:, 1], p[1:, :2], p[..., ::-1], p[-1]]",
    "getitem_variable": """
v = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="v")
out = [v[0], v[:, 1]]
init = v.initializer
""",
    "getitem_bad": _X
    + """
out = x[1.5]
phrase = "Only integers, slices"
""",
    "getitem_out_of_range": _X
    + """
out = x[5]
phrase = "out of bounds"
""",
    "getitem_bool_mask": """
m = tf.constant([True, False, True])
out = tf.constant([1, 2, 3])[m]
""",
    # -- gather, where, masks -------------------------------------------------------------
    "gather": _X
    + """
out = [
    tf.gather(x, [1, 0]),
    tf.gather(x, 2, axis=1),
    tf.gather(x, [[0, 1], [3, 3]], axis=-1),
    tf.gather([1, 2, 3], [2, 0]),
    tf.gather(x, tf.constant([0, 0, 1]), axis=tf.constant(0), name="g"),
]
""",
    "gather_variable": """
v = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="v")
out = tf.gather(v, [1, 0])
""",
    "gather_bad_index": _X
    + """
i = tf.placeholder(tf.int32, [2])
feed[i] = [1, 7]
out = tf.gather(x, i)
phrase = "indices[1] = 7 is not in [0, 2)"
""",
    "where_1arg": _X
    + """
out = [tf.where(x > 0), tf.where([True, False, True]), tf.where(x[0, 0] > -2, name="w")]
""",
    "where_3arg": _X
    + """
out = [
    tf.where(x > 0, x, -x),
    tf.where([True, False], [1, 2], [3, 4]),
    tf.where(x[:, 0, 0] > 0, x, tf.zeros_like(x)),
]
""",
    "where_v2": _X
    + """
out = [tf.where_v2(x > 0, x, 0.0), tf.where_v2(x[0, 0] > 0, 1.0, x), tf.where_v2(x > 1)]
""",
    "boolean_mask": _X
    + """
out = [
    tf.boolean_mask(x, [True, False]),
    tf.boolean_mask(x, x[:, :, 0] > 0),
    tf.boolean_mask(x, [True, False, True], axis=1),
    tf.boolean_mask([1, 2, 3], [False, True, True], name="bm"),
]
""",
    "boolean_mask_partial": _P + "out = tf.boolean_mask(p, p[:, 0] > 1)",
    "one_hot": """
i = tf.constant([0, 2, -1, 1])
out = [
    tf.one_hot(i, 3),
    tf.one_hot(i, 3, on_value=5, off_value=-1),
    tf.one_hot(i, 4, axis=0, dtype=tf.float64),
    tf.one_hot([[1], [0]], 2, 1.0, 0.0, name="oh"),
]
""",
    "sequence_mask": """
out = [
    tf.sequence_mask([1, 3, 2], 4),
    tf.sequence_mask([1, 3, 2]),
    tf.sequence_mask(tf.constant([[1], [2]]), 3, dtype=tf.float32),
]
""",
    "broadcast_to": _X
    + """
out = [
    tf.broadcast_to(x[0, 0], [2, 4]),
    tf.broadcast_to([1, 2], [3, 2]),
    tf.broadcast_to(x, tf.constant([2, 2, 3, 4])),
]
""",
    "unique": """
out = list(tf.unique([1, 1, 3, 2, 3])) + list(
    tf.unique(tf.constant([4.0, 4.0]), out_idx=tf.int64)
)
""",
    "stop_gradient": _X
    + """
out = [tf.stop_gradient(x), tf.stop_gradient([1.0, 2.0], name="sg")]
""",
    # -- math: elementwise -----------------------------------------------------------------
    "unary_math": _X
    + """
out = [
    tf.abs(x),
    tf.negative(x),
    tf.square(x),
    tf.sqrt(tf.abs(x)),
    tf.rsqrt(tf.abs(x) + 1),
    tf.exp(x),
    tf.log(tf.abs(x) + 1),
    tf.log1p(tf.abs(x)),
    tf.tanh(x),
    tf.sigmoid(x),
    tf.sign(x),
    tf.floor(x),
    tf.ceil(x),
    tf.round(x),
    tf.reciprocal(x + 10),
    tf.sin(x),
    tf.cos(x),
    tf.expm1(x),
]
""",
    "binary_math": _X
    + """
y = x + 3
out = [
    tf.add(x, y),
    tf.subtract(x, 1),
    tf.multiply(x, y),
    tf.divide(x, y),
    tf.truediv(x, 2.0),
    tf.div(x, y),
    tf.floordiv(x, y),
    tf.mod(x, 2.0),
    tf.floormod(x, y),
    tf.pow(tf.abs(x), 2.0),
    tf.maximum(x, 0.0),
    tf.minimum(x, y),
    tf.squared_difference(x, y),
    tf.div_no_nan(x, y - 3),
    tf.atan2(x, y),
    tf.atan2(1.0, y),
]
""",
    "int_math": """
a = tf.constant([7, -7, 3])
b = tf.constant([2, 2, -2])
out = [
    a / b,
    a // b,
    a % b,
    tf.div(a, b),
    tf.truediv(a, b),
    tf.truncatediv(a, b),
    tf.floordiv(a, b),
    tf.abs(a),
    a * b,
    a - b,
    -a,
]
""",
    "operators": _X
    + """
out = [
    x + 1,
    x - 1,
    x * 2,
    x / 2,
    x // 2,
    x % 2,
    x**2,
    -x,
    abs(x),
    x @ tf.ones([4, 2]),
    x > 0,
    x >= 0,
    x < 1,
    x <= 1,
]
""",
    "reflected_operators": _X
    + """
out = [1 + x, 1 - x, 2 * x, 2 / (x + 10), 2 // (x + 10), 5 % (x + 10), 2**x, np.float32(3) + x]
""",
    "logical": _X
    + """
a = x > 0
b = x < 1
out = [
    tf.logical_and(a, b),
    tf.logical_or(a, b),
    tf.logical_not(a),
    tf.logical_xor(a, b),
    a & b,
    a | b,
    a ^ b,
    ~a,
]
""",
    "comparisons": _X
    + """
out = [
    tf.equal(x, 0.5),
    tf.not_equal(x, 0.5),
    tf.less(x, 0),
    tf.less_equal(x, 0),
    tf.greater(x, 0),
    tf.greater_equal(x, 0),
    tf.equal(tf.constant("a"), "a"),
]
""",
    "add_n": _X
    + """
out = [tf.add_n([x, x, x]), tf.add_n([x]), tf.add_n([x, 2 * x], name="an")]
""",
    "matmul": """
a = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3))
b = tf.constant(np.arange(12, dtype=np.float32).reshape(3, 4))
out = [
    tf.matmul(a, b),
    tf.matmul(a, a, transpose_b=True),
    tf.matmul(a, a, transpose_a=True),
    tf.matmul(b, a, transpose_a=True, transpose_b=True, name="mm"),
    tf.matmul([[1.0, 2.0]], [[3.0], [4.0]]),
]
""",
    "matmul_bad": """
out = tf.matmul(tf.ones([2, 3]), tf.ones([2, 3]))
phrase = "Dimensions must be equal, but are 3 and 2"
""",
    "batch_matmul": """
a = tf.ones([2, 2, 3])
out = [tf.matmul(a, tf.ones([3, 4])), tf.matmul(a, a, transpose_b=True)]
""",
    # -- reductions -----------------------------------------------------------------------
    "reduce_sum": _X
    + """
out = [
    tf.reduce_sum(x),
    tf.reduce_sum(x, 0),
    tf.reduce_sum(x, axis=[0, 2]),
    tf.reduce_sum(x, 1, keepdims=True),
    tf.reduce_sum(x, reduction_indices=[1]),
    tf.reduce_sum(x, -1, keep_dims=True),
    tf.reduce_sum([1, 2, 3]),
    tf.reduce_sum(x, axis=tf.constant(1), name="rs"),
]
""",
    "reductions": _X
    + """
out = [
    tf.reduce_mean(x),
    tf.reduce_mean(x, 1),
    tf.reduce_max(x, [0, 1]),
    tf.reduce_min(x, keepdims=True),
    tf.reduce_prod(x + 3, 2),
    tf.reduce_all(x > -3, 0),
    tf.reduce_any(x > 2),
    tf.reduce_logsumexp(x),
    tf.reduce_logsumexp(x, 1, keepdims=True),
    tf.reduce_logsumexp(x, axis=[0, 2]),
]
""",
    "reductions_int": """
a = tf.constant([[1, 2, 4], [3, 3, 3]])
out = [
    tf.reduce_mean(a),
    tf.reduce_mean(a, 1),
    tf.reduce_sum(a, 0),
    tf.reduce_prod(a),
    tf.reduce_max(a),
    tf.reduce_min(a, 1),
]
""",
    "reductions_partial": _P
    + """
out = [
    tf.reduce_sum(p),
    tf.reduce_mean(p, 0),
    tf.reduce_max(p, 1, keepdims=True),
    tf.reduce_sum(p, keepdims=True),
]
""",
    "reductions_unknown_rank": """
u = tf.placeholder(tf.float32, name="u")
out = [tf.reduce_sum(u), tf.reduce_mean(u, keepdims=True), tf.reduce_max(u, 0)]
feed = {u: np.arange(6, dtype=np.float32).reshape(2, 3)}
""",
    "reduce_scalar": """
s = tf.constant(3.0)
out = [tf.reduce_sum(s), tf.reduce_mean(s), tf.reduce_max(s)]
""",
    "reduce_bad_axis": _X
    + """
out = tf.reduce_sum(x, 3)
phrase = "Invalid reduction dimension 3 for input with 3 dimensions"
""",
    "argmax": _X
    + """
out = [
    tf.argmax(x),
    tf.argmax(x, 1),
    tf.argmax(x, axis=-1),
    tf.argmin(x, 2),
    tf.argmax(x, dimension=1),
    tf.argmax(x, 0, output_type=tf.int32),
    tf.argmin(x, axis=tf.constant(1), name="am"),
    tf.argmax([1, 3, 2]),
]
""",
    "cumsum": _X
    + """
out = [
    tf.cumsum(x),
    tf.cumsum(x, 1),
    tf.cumsum(x, axis=2, exclusive=True),
    tf.cumsum(x, reverse=True),
    tf.cumsum([1, 2, 3], exclusive=True, reverse=True, name="cs"),
]
""",
    "clip_by_value": _X
    + """
out = [
    tf.clip_by_value(x, -1.0, 1.0),
    tf.clip_by_value(x, 0.0, x + 1),
    tf.clip_by_value([1, 5, 9], 2, 6, name="c"),
]
""",
    "count_nonzero": _X
    + """
out = [
    tf.count_nonzero(x),
    tf.count_nonzero(x > 0, 1),
    tf.count_nonzero(tf.constant([0, 1, 2]), keepdims=True, dtype=tf.int32),
]
""",
    "tensordot": """
a = tf.constant(np.arange(24, dtype=np.float32).reshape(2, 3, 4))
b = tf.constant(np.arange(12, dtype=np.float32).reshape(4, 3))
out = [
    tf.tensordot(a, b, 1),
    tf.tensordot(a, b, [[1, 2], [1, 0]]),
    tf.tensordot(a, b, axes=[[2], [0]]),
    tf.tensordot(b, b, 0),
]
""",
    # -- nn -------------------------------------------------------------------------------
    "activations": _X
    + """
out = [
    tf.nn.relu(x),
    tf.nn.relu6(x * 4),
    tf.nn.elu(x),
    tf.nn.selu(x),
    tf.nn.leaky_relu(x),
    tf.nn.leaky_relu(x, alpha=0.1, name="lr"),
    tf.nn.softplus(x),
    tf.nn.softsign(x),
    tf.nn.sigmoid(x),
    tf.nn.tanh(x),
    tf.nn.relu([-1.0, 2.0]),
]
""",
    "leaky_relu_int": "out = tf.nn.leaky_relu(tf.constant([-2, 3]))",
    "softmax": _X
    + """
out = [
    tf.nn.softmax(x),
    tf.nn.log_softmax(x),
    tf.nn.softmax(x, axis=-1),
    tf.nn.softmax(x * 100, name="sm"),
    tf.nn.log_softmax(x * 100),
]
""",
    "softmax_axis": _X
    + """
out = [tf.nn.softmax(x, axis=1), tf.nn.log_softmax(x, 0), tf.nn.softmax(x, dim=1)]
""",
    "softmax_bad_axis": _X
    + """
out = tf.nn.softmax(x, axis=3)
phrase = "must be in the range [-3, 3)"
""",
    # -- check ops --------------------------------------------------------------------------
    "assert_equal_ok": _X
    + """
a = tf.debugging.assert_equal(x, x + 0)
with tf.control_dependencies([a]):
    y = tf.identity(x)
out = [y]
""",
    "deprecated_casts_and_arg_reductions": """
x = tf.placeholder(tf.int32, [2, 3], name="x")
xv = np.array([[3, -1, 7], [0, 9, 2]], np.int32)
feed = {x: xv}
f = tf.to_float(x)
b = tf.to_bfloat16(x, name="b")  # (built and compared, not fetched)
out = [f, tf.to_int32(f), tf.to_int64(x), tf.to_double(x),
       tf.arg_max(x, 1), tf.arg_min(x, 0, output_type=tf.int32, name="amin"),
       *tf.identity_n([x, f])]
""",
    "while_loop_basic": """
x = tf.placeholder(tf.float32, [2], name="x")
r = tf.while_loop(
    lambda i, a: i < 3, lambda i, a: (i + 1, a * 2.0 + x), [tf.constant(0), tf.zeros([2])]
)
out = list(r); feed = {x: [1.0, 2.0]}
""",
    "while_loop_single_var": """
r = tf.while_loop(lambda i: i < 10, lambda i: i * 2 + 1, [tf.constant(1)])
out = [r]; feed = {}
""",
    "while_loop_python_vars": """
r = tf.while_loop(
    lambda i, s: i < 4, lambda i, s: (i + 1, s + tf.cast(i, tf.float32)), (0, 0.0), name="loop"
)
out = list(r); feed = {}
""",
    "while_loop_nested": """
n = tf.placeholder(tf.int32, [], name="n")
def outer_body(i, total):
    _, inner = tf.while_loop(
        lambda j, s: j < i, lambda j, s: (j + 1, s + j), [tf.constant(0), tf.constant(0)]
    )
    return i + 1, total + inner
r = tf.while_loop(lambda i, t: i < n, outer_body, [tf.constant(0), tf.constant(0)])
out = list(r); feed = {n: 5}
""",
    "while_loop_cond_in_loop": """
def body(i, acc):
    step = tf.cond(tf.equal(i % 2, 0), lambda: acc + 1.0, lambda: acc * 3.0)
    return i + 1, step
r = tf.while_loop(lambda i, a: i < 4, body, [tf.constant(0), tf.constant(1.0)])
out = list(r); feed = {}
""",
    "while_loop_loop_in_cond": """
p = tf.placeholder(tf.bool, [], name="p")
r = tf.cond(
    p,
    lambda: tf.while_loop(lambda i: i < 5, lambda i: i + 2, [tf.constant(0)]),
    lambda: tf.constant(-1),
)
out = [r]; feed = {p: True}
""",
    "while_loop_max_iterations": """
x = tf.placeholder(tf.float32, [None, 2], name="x")
_, grown = tf.while_loop(
    lambda i, m: tf.constant(True),
    lambda i, m: (i + 1, tf.concat([m, m[-1:] + 1.0], 0)),
    (tf.constant(0), x),
    shape_invariants=(tf.TensorShape([]), tf.TensorShape([None, 2])),
    maximum_iterations=3,
)
out = [grown]; feed = {x: [[0.0, 1.0]]}
""",
    "while_loop_uses_its_initial_value": """
x = tf.placeholder(tf.float32, [], name="x")
def body(i, a):
    b = tf.cond(a > 1.0, lambda: a * 2.0, lambda: a + x)  # x itself: a constant Enter
    return [i + 1, b * x]
r = tf.while_loop(lambda i, a: i < 3, body, [0, x], maximum_iterations=5)
out = list(r); feed = {x: 0.75}
""",
    "while_loop_inner_uses_outer_var": """
def outer(j):
    return tf.while_loop(lambda k: k < 20, lambda k: k + j, [j]) + 1  # j enters the inner loop
r = tf.while_loop(lambda j: j < 40, outer, [tf.constant(1)])
out = [r]; feed = {}
""",
    "while_loop_variable": """
v = tf.Variable([1.0, 2.0], name="v")
r = tf.while_loop(
    lambda i, s: i < 3, lambda i, s: (i + 1, s + tf.reduce_sum(v)), [0, tf.constant(0.0)]
)
out = list(r); feed = {}; init = tf.global_variables_initializer()
""",
    "check_numerics": _X
    + """
y = tf.check_numerics(x * 2.0, "bad x")
z = tf.debugging.check_numerics(tf.cast(x, tf.float64), "z", name="cz")
g = tf.gradients(y * 3.0, x)[0]
out = [y, z, g]
""",
    "check_numerics_nan": """
v = tf.placeholder(tf.float32, [3], name="v")
out = tf.check_numerics(v, "bad v")
feed = {v: [1.0, float("nan"), float("inf")]}
phrase = "bad v : Tensor had Inf and NaN values"
""",
    "check_numerics_int": """
out = tf.check_numerics(tf.constant([1, 2]), "i")
phrase = "has DataType int32 not in list of allowed values"
""",
    "assert_equal_fail": _X
    + """
out = [tf.debugging.assert_equal(x, x + 1)]
phrase = "Condition x == y did not hold"
""",
    "assert_equal_static_fail": """
out = tf.assert_equal(tf.constant([1, 2]), tf.constant([1, 3]))
phrase = "Condition x == y did not hold"
""",
    "assert_equal_same": """
a = tf.constant(1)
out = tf.assert_equal(a, a)
""",
    "assert_less_greater": _X
    + """
out = [
    tf.debugging.assert_less(x, x + 1),
    tf.debugging.assert_greater(x + 1, x, message="msg"),
    tf.assert_less(x, 10.0, name="al"),
]
""",
    "assert_less_fail": """
i = tf.placeholder(tf.int32, [3], name="i")
out = tf.assert_less(i, 2)
feed = {i: [1, 2, 3]}
phrase = "Condition x < y did not hold"
""",
    "assert_positive": _X
    + """
out = [
    tf.debugging.assert_positive(x + 10),
    tf.debugging.assert_non_negative(x + 10),
    tf.assert_positive(tf.abs(x) + 1, message="m"),
]
""",
    "assert_positive_fail": _X
    + """
out = tf.debugging.assert_positive(x)
phrase = "Condition x > 0 did not hold element-wise"
""",
    "assert_non_negative_fail": """
i = tf.placeholder(tf.int32, [2], name="i")
out = tf.debugging.assert_non_negative(i)
feed = {i: [1, -1]}
phrase = "assertion failed"
""",
    "assert_rank": _X
    + """
u = tf.placeholder(tf.float32, name="u")
out = [tf.debugging.assert_rank(x, 3), tf.assert_rank(u, 2)]
feed[u] = np.ones((2, 2), np.float32)
""",
    "assert_rank_fail_static": _X
    + """
out = tf.assert_rank(x, 2)
phrase = "must have rank 2"
""",
    "assert_rank_fail_dynamic": """
u = tf.placeholder(tf.float32, name="u")
out = tf.assert_rank(u, 2)
feed = {u: np.ones(3, np.float32)}
phrase = "must have rank"
""",
    "Assert": """
c = tf.placeholder(tf.bool, [], name="c")
y = tf.placeholder(tf.int32, [None], name="y")
out = tf.Assert(c, ["bad", y], summarize=2)
feed = {c: True, y: [1, 2, 3]}
""",
    "Assert_fail": """
c = tf.placeholder(tf.bool, [], name="c")
y = tf.placeholder(tf.int32, [None], name="y")
out = tf.Assert(c, ["bad", y], summarize=2)
feed = {c: False, y: [1, -2, 3]}
phrase = "assertion failed: [bad] [1 -2...]"
""",
    "Assert_float_fail": """
c = tf.placeholder(tf.bool, [], name="c")
y = tf.placeholder(tf.float32, [2], name="y")
out = tf.Assert(c, [y], name="A")
feed = {c: False, y: [1.5, 2]}
phrase = "assertion failed: [1.5 2]"
""",
    "assert_variables_initialized": """
v = tf.Variable(1.0, name="v")
u = tf.Variable([1.0, 2.0], name="u")
out = tf.assert_variables_initialized()
phrase = "Attempting to use uninitialized value"
""",
    "report_uninitialized_variables": """
v = tf.Variable(1.0, name="v")
u = tf.Variable([1.0, 2.0], name="u")
out = tf.report_uninitialized_variables()
""",
    # -- more slicing, shapes and run-time errors ------------------------------------------
    "getitem_tensor_bounds": _X
    + """
b = tf.constant(1, tf.int64)
e = tf.placeholder(tf.int32, [], name="e")
feed[e] = 3
out = [x[b:], x[:, :e], x[0, b:e:1], x[::e], x[..., tf.constant(2, tf.int64)]]
""",
    "getitem_combos": _X
    + """
out = [x[..., None, 1:2], x[None, ..., None], x[1, None, :, None, -1], x[:, tf.newaxis], x[...]]
""",
    "getitem_unknown_rank": """
u = tf.placeholder(tf.float32, name="u")
out = [u[0], u[1:, 2], u[..., 0]]
feed = {u: np.arange(12, dtype=np.float32).reshape(3, 4)}
""",
    "getitem_run_error": _P
    + """
out = p[3]
phrase = "slice index 3 of dimension 0 out of bounds."
""",
    "getitem_shape_tensor": _P
    + """
s = tf.shape(p)
out = [s[0], s[1:], s[-1], tf.reshape(p, [s[0] * 3])]
""",
    "slice_run_error": _P
    + """
out = tf.slice(p, [1, 0], [5, 2])
phrase = "Expected size[0] in [0, 1], but got 5"
""",
    "slice_partial": _P
    + """
b = tf.placeholder(tf.int32, [2], name="b")
feed[b] = [1, 1]
out = [tf.slice(p, [0, 0], [-1, 2]), tf.slice(p, b, [1, 2]), tf.slice(p, b, [1, -1])]
""",
    "reshape_run_error": _P
    + """
out = tf.reshape(p, [4, -1])
phrase = "Input to reshape is a tensor with 6 values"
""",
    "reshape_two_unknown": _P
    + """
out = tf.reshape(p, [-1, -1])
phrase = "Only one input size may be -1"
""",
    "gather_partial": _P
    + """
i = tf.placeholder(tf.int32, [None], name="i")
feed[i] = [1, 0, 1]
out = [tf.gather(p, i), tf.gather(p, i, axis=1), tf.gather(tf.constant([[1, 2], [3, 4]]), i)]
""",
    "split_partial": _P + "out = tf.split(p, 3, axis=1) + tf.split(p, [1, -1], 1) + tf.split(p, 2)",
    "split_run_error": _P
    + """
out = tf.split(p, 4)
phrase = "Number of ways to split should evenly divide"
""",
    "unstack_partial": _P + "out = tf.unstack(p, axis=-1) + tf.unstack(p, num=2)",
    "unstack_run_error": _P
    + """
out = tf.unstack(p, num=3)
phrase = "Input shape axis 0 must equal 3"
""",
    "tile_partial": _P
    + """
m = tf.placeholder(tf.int32, [], name="m")
feed[m] = 2
out = [tf.tile(p, [2, 1]), tf.tile(p, [m, 2]), tf.tile(p, tf.stack([1, m]))]
""",
    "mirror_pad_run_error": _P
    + """
out = tf.pad(p, [[0, 0], [3, 3]], "REFLECT")
phrase = "paddings must be less than the dimension size"
""",
    "select_run_error": _P
    + """
out = tf.where(p > 0, p, p[:1])
phrase = "must have the same size and shape"
""",
    "broadcast_to_run_error": _P
    + """
out = tf.broadcast_to(p, [3, 3])
phrase = "Incompatible shapes: [2,3] vs. [3,3]"
""",
    "broadcast_to_bad": _X
    + """
out = tf.broadcast_to(x, [3, 3, 4])
phrase = "Dimensions must be equal"
""",
    "one_hot_more": """
i = tf.placeholder(tf.int64, [None], name="i")
d = tf.placeholder(tf.int32, [], name="d")
out = [tf.one_hot(i, 3, axis=0), tf.one_hot(i, d), tf.one_hot([[0, 1], [2, 3]], 3, axis=1)]
feed = {i: [0, 5, -1, 2], d: 4}
""",
    "reverse_partial": _P + "out = [tf.reverse(p, [0]), tf.reverse(p, [-1, 0])]",
    "unique_partial": """
u = tf.placeholder(tf.int32, [None], name="u")
y, idx = tf.unique(u)
out = [y, idx]
feed = {u: [5, 5, 1, 7, 1]}
""",
    "sequence_mask_tensor_maxlen": """
l = tf.placeholder(tf.int32, [None], name="l")
m = tf.placeholder(tf.int32, [], name="m")
out = [tf.sequence_mask(l, m), tf.sequence_mask(l), tf.sequence_mask(l, 3, dtype=tf.int32)]
feed = {l: [0, 2, 1], m: 3}
""",
    "boolean_mask_more": _X
    + """
m = tf.placeholder(tf.bool, [3], name="m")
feed[m] = [True, False, True]
out = [tf.boolean_mask(x, m, axis=1), x[x > 1], tf.boolean_mask(x, x > 0)]
""",
    "shape_variable": """
v = tf.Variable(tf.zeros([2, 3]), name="v")
out = [tf.shape(v), tf.size(v), tf.rank(v), tf.zeros_like(v), tf.ones_like(v)]
init = v.initializer
""",
    "size_zero_dim": """
z = tf.placeholder(tf.float32, [None, 0], name="z")
out = [tf.size(z), tf.shape(z)]
feed = {z: np.zeros((3, 0), np.float32)}
""",
    # -- more math ---------------------------------------------------------------------------
    "broadcast_partial": _P
    + """
r = tf.placeholder(tf.float32, [3], name="r")
feed[r] = [1, 2, 3]
out = [p + r, p * r[None, :], tf.maximum(p, r), r - p, p / r, tf.pow(p, 2.0)]
""",
    "broadcast_bad": _X
    + """
out = x + tf.zeros([3])
phrase = "Dimensions must be equal, but are 4 and 3"
""",
    "reductions_bool_int": """
b = tf.constant([[True, False], [True, True]])
i = tf.constant([[1, 2], [3, 4]], tf.int64)
out = [
    tf.reduce_all(b),
    tf.reduce_any(b, 1, keepdims=True),
    tf.reduce_all(b, axis=0),
    tf.reduce_sum(i),
    tf.reduce_prod(i, 1),
    tf.reduce_mean(i, 0),
    tf.reduce_max(i, keep_dims=True),
]
""",
    "reduce_duplicate_axes": _X
    + """
out = tf.reduce_sum(x, [0, 0])
phrase = "Axes contains duplicate dimension: 0"
""",
    "reduce_empty": """
e = tf.placeholder(tf.float32, [None], name="e")
out = [tf.reduce_sum(e), tf.reduce_prod(e), tf.reduce_max(e), tf.reduce_min(e)]
feed = {e: np.zeros(0, np.float32)}
""",
    "argmax_partial": _P
    + """
out = [tf.argmax(p, 1), tf.argmin(p), tf.argmax(p, -1, output_type=tf.int32)]
""",
    "argmax_bad_axis": _X
    + """
out = tf.argmax(x, 3)
phrase = "Dimension (3) must be in the range [-3, 3)"
""",
    "argmax_empty": """
e = tf.placeholder(tf.float32, [None], name="e")
out = tf.argmax(e)
feed = {e: np.zeros(0, np.float32)}
phrase = "Reduction axis 0 is empty in shape [0]"
""",
    "cumsum_bad_axis": _X
    + """
out = tf.cumsum(x, 3)
phrase = "Expected scan axis in the range [-3, 3), but got 3"
""",
    "cumsum_int": """
out = [
    tf.cumsum(tf.constant([[1, 2], [3, 4]]), 1, exclusive=True),
    tf.cumsum(tf.constant([1.5, 2.5], tf.float64), reverse=True),
]
""",
    "matmul_int_partial": _P
    + """
w = tf.constant(np.arange(6, dtype=np.float32).reshape(3, 2))
out = [
    tf.matmul(p, w),
    tf.matmul(p, p, transpose_b=True),
    tf.matmul(tf.constant([[1, 2]]), tf.constant([[3], [4]])),
]
""",
    "clip_partial": _P
    + """
out = [tf.clip_by_value(p, -1.0, 2.0), tf.clip_by_value(p, [-1.0, 0.0, 1.0], 5.0)]
""",
    "clip_bad": _X
    + """
out = tf.clip_by_value(x, 0.0, tf.zeros([3, 1, 1]))
phrase = "Dimensions must be equal"
""",
    "count_nonzero_more": _P
    + """
out = [
    tf.count_nonzero(p, 0),
    tf.count_nonzero(p, axis=[0, 1], keepdims=True),
    tf.count_nonzero(p > 1, dtype=tf.int32),
]
""",
    "logsumexp_more": """
i = tf.constant([[-np.inf, -np.inf], [1000.0, 1000.0]])
out = [
    tf.reduce_logsumexp(i, 1),
    tf.reduce_logsumexp(i, axis=1, keepdims=True),
    tf.reduce_logsumexp([1.0, 2.0], name="lse"),
]
""",
    "tensordot_partial": _P
    + """
w = tf.constant(np.arange(6, dtype=np.float32).reshape(3, 2))
out = [tf.tensordot(p, w, 1), tf.tensordot(p, w, [[1], [0]])]
""",
    # -- more nn -----------------------------------------------------------------------------
    "activations_partial": _P
    + """
out = [
    tf.nn.relu(p),
    tf.nn.softmax(p),
    tf.nn.log_softmax(p, axis=0),
    tf.nn.elu(p),
    tf.nn.softplus(p * 100),
]
""",
    "softmax_1d_and_double": """
a = tf.constant([1.0, 2.0, 3.0], tf.float64)
out = [tf.nn.softmax(a), tf.nn.log_softmax(a), tf.nn.softmax(tf.constant([[1.0, 1.0]]), dim=0)]
""",
    "softmax_scalar": """
out = tf.nn.softmax(tf.constant(1.0))
phrase = "Shape must be at least rank 1 but is rank 0"
""",
    "relu_int": """
out = [tf.nn.relu(tf.constant([-1, 2])), tf.nn.relu6(tf.constant([-1, 9], tf.int64))]
""",
    # -- more checks -------------------------------------------------------------------------
    "assert_rank_tensor": _X
    + """
r = tf.placeholder(tf.int32, [], name="r")
feed[r] = 3
out = tf.assert_rank(x, r)
""",
    "assert_greater_fail": """
a = tf.placeholder(tf.float32, [2], name="a")
out = tf.assert_greater(a, 1.0, message="too small")
feed = {a: [2.0, 0.5]}
phrase = "too small"
""",
    "Assert_2d_summary": """
c = tf.placeholder(tf.bool, [], name="c")
out = tf.Assert(
    c, [tf.constant([[1.5, 2.0], [1e-10, 1e20]]), tf.constant([True, False])], summarize=4
)
feed = {c: False}
phrase = "assertion failed: [[1.5 2][1e-10 1e+20]] [1 0]"
""",
    "assert_type": """
out = tf.assert_type(tf.constant(1.0), tf.int32)
phrase = "must be of type"
""",
    # -- remaining public functions ----------------------------------------------------------
    "identity_defaults": _P
    + """
d = tf.placeholder_with_default(tf.constant([[1.0, 2.0, 3.0]]), [None, 3], name="d")
out = [tf.identity(p), tf.identity([1, 2], name="i"), d, tf.reverse_v2(p, [1])]
""",
    "print_passthrough": """
a = tf.constant([1.0, 2.0])
out = [tf.Print(a, [a, "tail"], message="value: ", first_n=1), tf.Print(a, [a], name="pr")]
""",
    "more_unary": """
a = tf.constant([[0.25, -0.5], [0.75, 0.1]])
out = [
    tf.asin(a),
    tf.acos(a),
    tf.atan(a),
    tf.tan(a),
    tf.sinh(a),
    tf.cosh(a),
    tf.is_nan(a / 0.0),
    tf.is_inf(a / 0.0),
    tf.is_finite(a),
    tf.negative(tf.constant([1, -2])),
    tf.abs(tf.constant([-3, 4], tf.int64)),
    tf.square(tf.constant([3], tf.int64)),
]
""",
    "more_binary_dtypes": """
a = tf.constant([1.5, -2.5], tf.float64)
b = tf.constant([2, 3], tf.int64)
out = [
    a * 2,
    a - a,
    b * 2,
    b // 2,
    b % 2,
    tf.squared_difference(b, b * 2),
    tf.truncatediv(-b, 2),
    tf.maximum(b, 2),
    2 - b,
    tf.pow(b, 2),
    a / 4,
]
""",
    "logical_python_values": """
a = tf.constant([True, False])
out = [tf.logical_and(a, True), tf.logical_or(a, [False, True]), True & a, a | False, a ^ True]
""",
    "matmul_reflected": """
a = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3))
out = [[[1.0, 2.0]] @ a, a @ [[1.0], [2.0], [3.0]], tf.matmul(a, tf.transpose(a))]
""",
    "reduce_variable": """
v = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="v")
out = [tf.reduce_sum(v), tf.reduce_mean(v, 1), tf.argmax(v, 1), v[1] * 2, tf.gather(v, [1])]
init = v.initializer
""",
    "concat_partial_and_axis_tensor": _P
    + """
a = tf.placeholder(tf.int32, [], name="a")
feed[a] = 0
out = [tf.concat([p, p], 1), tf.concat([p, p], a), tf.concat([p, tf.ones([1, 3])], 0)]
""",
    "expand_squeeze_partial": _P
    + """
out = [tf.expand_dims(p, 1), tf.squeeze(tf.expand_dims(p, -1), [2]), tf.squeeze(p[:1])]
""",
    "cast_more": """
a = tf.constant([1.7, -1.7, 0.0])
out = [
    tf.cast(a, tf.int64),
    tf.cast(a, tf.bool),
    tf.cast(tf.constant([True]), tf.int32),
    tf.cast(a, tf.float16),
]
""",
    "unknown_rank_masks": """
u = tf.placeholder(tf.float32, name="u")
m = tf.placeholder(tf.bool, [None], name="m")
out = [tf.boolean_mask(u, m), tf.where(u > 2), tf.nn.relu(u), tf.reverse(u, [0])]
feed = {u: np.arange(6, dtype=np.float32).reshape(3, 2), m: [True, False, True]}
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


def _our_op_defs() -> dict:
    from tfgraph.framework import registry

    out = {}
    for name, op_def in registry.registered_ops().items():
        attrs = []
        for a in op_def.attrs.values():
            default = a.default
            if isinstance(default, bytes):
                default = default.decode()
            elif hasattr(default, "as_datatype_enum"):
                default = default.name
            elif hasattr(default, "tolist"):
                default = default.tolist()
            attrs.append([a.name, a.type, default if a.has_default else None])
        out[name] = {
            "inputs": [a.name for a in op_def.inputs],
            "outputs": [a.name for a in op_def.outputs],
            "attrs": attrs,
            "stateful": op_def.is_stateful,
        }
    return out


_TF_OP_DEFS = """
from tensorflow.python.framework import dtypes, op_def_registry

def default(a):
    if not a.HasField("default_value"):
        return None
    v = a.default_value
    kind = v.WhichOneof("value")
    if kind == "type":
        return dtypes.as_dtype(v.type).name
    if kind == "s":
        return v.s.decode()
    if kind == "list":
        return list(v.list.i) or list(v.list.s) or [round(f, 6) for f in v.list.f]
    if kind == "shape":
        return None if v.shape.unknown_rank else [d.size for d in v.shape.dim]
    if kind == "tensor":
        return tf.make_ndarray(v.tensor).tolist()
    return getattr(v, kind)

out = {}
for name in NAMES:
    od = op_def_registry.get(name)
    out[name] = None if od is None else {
        "inputs": [a.name for a in od.input_arg],
        "outputs": [a.name for a in od.output_arg],
        "attrs": [[a.name, a.type, default(a)] for a in od.attr],
        "stateful": od.is_stateful,
    }
print(json.dumps(out))
"""


# Ops of TF 1.15's contrib op libraries, which TF 2.21 no longer has (registered, as in TF
# 1.x, when their contrib module is imported): their OpDefs as TF 1.15 registered them.
CONTRIB_OP_DEFS = {
    "GatherTree": {  # tensorflow/contrib/seq2seq/ops/beam_search_ops.cc
        "inputs": ["step_ids", "parent_ids", "max_sequence_lengths", "end_token"],
        "outputs": ["beams"],
        "attrs": [["T", "type", None]],
        "stateful": False,
    },
    "ImageConnectedComponents": {  # tensorflow/contrib/image/ops/image_ops.cc
        "inputs": ["image"],
        "outputs": ["components"],
        "attrs": [["dtype", "type", None]],
        "stateful": False,
    },
    "AdjustHsvInYiq": {  # tensorflow/contrib/image/ops/distort_image_ops.cc
        "inputs": ["images", "delta_h", "scale_s", "scale_v"],
        "outputs": ["output"],
        "attrs": [["T", "type", None]],
        "stateful": False,
    },
}


@tfrun.requires_tf
@pytest.mark.tf
def test_op_defs_match_tf():
    """Argument names, attr names/types/defaults and statefulness of every registered op
    equal TF's OpDefs (what GraphDef export and import rely on); contrib's ops equal TF
    1.15's."""
    import tfgraph.contrib.image  # (registers contrib's image ops)
    import tfgraph.contrib.seq2seq  # noqa: F401  (registers GatherTree)

    ours = _our_op_defs()
    theirs = json.loads(tfrun.run_tf(f"NAMES = {sorted(ours)!r}\n" + _TF_OP_DEFS))
    theirs.update(CONTRIB_OP_DEFS)
    problems = []
    for name, mine in sorted(ours.items()):
        tf_def = theirs[name]
        if tf_def is None:
            problems.append(f"{name}: not a TF op")
            continue
        tf_def["attrs"] = sorted(tf_def["attrs"])
        mine = dict(mine, attrs=sorted(mine["attrs"]))
        for a in mine["attrs"]:
            if isinstance(a[2], float):
                a[2] = round(a[2], 6)
            elif isinstance(a[2], list) and a[2] and isinstance(a[2][0], float):
                a[2] = [round(f, 6) for f in a[2]]
        for a in tf_def["attrs"]:
            if isinstance(a[2], float):
                a[2] = round(a[2], 6)
        if mine != tf_def:
            problems.append(f"{name}:\n  tfgraph {mine}\n  tf      {tf_def}")
    assert not problems, "\n".join(problems)


_EXPORT_PROGRAM = """
x = tf.placeholder(tf.float32, [2, 3, 4], name="x")
outs = [
    x[1:, ::2, 0], tf.slice(x, [0, 1, 0], [1, 2, -1]), tf.gather(x, [1, 0], axis=1),
    tf.tile(x, [1, 2, 1]), tf.unstack(x)[1], tf.split(x, 2, axis=2)[1], tf.split(x, [1, 2], 1)[1],
    tf.pad(x, [[0, 0], [1, 1], [1, 1]], constant_values=2.0),
    tf.pad(x, [[0, 0], [1, 1], [1, 1]], "REFLECT"),
    tf.reverse(x, [1]), tf.where(x > 0), tf.where(x > 0, x, -x), tf.where_v2(x > 0, x, 0.0),
    tf.boolean_mask(x, [True, False]), tf.one_hot([0, 2], 3), tf.broadcast_to(x[0, 0], [2, 4]),
    tf.unique([1, 1, 2])[1], tf.shape_n([x, x])[0], tf.sequence_mask([1, 2], 3), tf.argmax(x, 1),
    tf.cumsum(x, 1, exclusive=True, reverse=True), tf.reduce_logsumexp(x, 1),
    tf.nn.leaky_relu(x, 0.3), tf.nn.selu(x), tf.nn.softmax(x, axis=1), tf.nn.log_softmax(x),
    tf.Print(x, [x], message="m", first_n=0),
]
guard = tf.Assert(x[0, 0, 0] < 0, [x], summarize=4)
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_graph_def_with_new_ops_runs_in_tf(tmp_path):
    """A GraphDef tfgraph writes with these ops imports into TF and computes the same."""
    import numpy as np

    import tfgraph

    ns = {"tf": tfgraph}
    exec(_EXPORT_PROGRAM, ns)
    xv = (np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 10) / 4
    with tfgraph.Session() as sess:
        ours = sess.run(ns["outs"] + [ns["guard"]], {ns["x"]: xv})[:-1]
    (tmp_path / "graph.pb").write_bytes(
        tfgraph.get_default_graph().as_graph_def().SerializeToString()
    )
    names = [t.name for t in ns["outs"]]
    theirs = json.loads(
        tfrun.run_tf(
            f"""
gd = tf.GraphDef()
gd.ParseFromString(open("graph.pb", "rb").read())
tf.import_graph_def(gd, name="")
xv = (np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 10) / 4
with tf.Session() as sess:
    vals = sess.run({names!r} + ["{ns["guard"].name}"], {{"x:0": xv}})[:-1]
print(json.dumps([np.asarray(v).tolist() for v in vals]))
""",
            cwd=tmp_path,
        )
    )
    for name, mine, tf_value in zip(names, ours, theirs, strict=True):
        np.testing.assert_allclose(np.asarray(mine), np.asarray(tf_value), err_msg=name, rtol=1e-6)

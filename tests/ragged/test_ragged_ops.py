"""Ops on RaggedTensors: operators and tf.math dispatch, reductions, indexing,
tf.concat / tf.stack / tf.gather, tf.ragged.boolean_mask / stack / range /
map_flat_values and the segment-id helpers: values, graphs and errors against TF."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.ragged import harness
from tests.tfrun import requires_tf

CASES = r"""
C = tf.ragged.constant
def _elem():
    x = C([[1., 2], [3]])
    return [x + 1, x * x, x - x, x / 2., 2. - x, -x, abs(x), x ** 2, x // 2., x % 2.]
def _elem_sep():
    x = C([[1., 2], [3]]); y = C([[4., 5], [6]]); return x * y
def _emb():
    p = tf.constant(np.arange(12.).reshape(4, 3), tf.float32)
    r = tf.nn.embedding_lookup(p, C([[0, 3], [], [1]]))
    return [r, tf.convert_to_tensor(tf.gradients(tf.reduce_sum(r.flat_values), p)[0])]
def _x():
    return C([[1., -2], [3]])
ELEMENTWISE = {
  "identity": tf.identity, "stop_gradient": tf.stop_gradient,
  "check_numerics": lambda x: tf.debugging.check_numerics(x, "m"),
  "saturate_cast": lambda x: tf.saturate_cast(x, tf.int8), "to_float": tf.to_float,
  "to_int32": tf.to_int32, "clip": lambda x: tf.clip_by_value(x, -1., 1.),
  "leaky": tf.nn.leaky_relu, "relu6": tf.nn.relu6, "elu": tf.nn.elu, "selu": tf.nn.selu,
  "softsign": tf.nn.softsign, "log_sigmoid": tf.math.log_sigmoid, "rint": tf.math.rint,
  "round": tf.round, "sign": tf.sign, "reciprocal": tf.math.reciprocal, "is_nan": tf.math.is_nan,
  "softplus": tf.math.softplus, "erf": tf.math.erf, "lgamma": tf.math.lgamma, "floor": tf.floor,
  "ceil": tf.math.ceil, "neg": tf.negative, "abs": tf.abs, "tanh": tf.tanh,
  "atan2": lambda x: tf.atan2(x, 2.), "div_no_nan": lambda x: tf.div_no_nan(x, 2.),
  "mod": lambda x: tf.mod(x, 2.), "floordiv": lambda x: tf.floordiv(x, 2.),
  "realdiv": lambda x: tf.realdiv(x, 2.), "truediv": lambda x: tf.truediv(x, 2.),
  "div": lambda x: tf.div(x, 2.), "divide": lambda x: tf.divide(x, 2.),
  "xlogy": lambda x: tf.math.xlogy(x, 2.), "logical_and": lambda x: tf.logical_and(x > 0, True),
  "logical_xor": lambda x: tf.math.logical_xor(x > 0, True),
  "not_equal": lambda x: tf.not_equal(x, 1.), "less_equal": lambda x: tf.less_equal(x, 1.),
  "square_diff": lambda x: tf.squared_difference(x, 1.), "sigmoid_nn": tf.nn.sigmoid,
  "dropout0": lambda x: tf.nn.dropout(x, rate=0.0),
  "dropout": lambda x: tf.shape(tf.nn.dropout(x, rate=0.5, seed=1).flat_values),
}
_rng = np.random.RandomState(7)
_ROWS = [[list(range(_rng.randint(0, 4))) for _ in range(_rng.randint(0, 3))] for _ in range(9)]
_IDX = _rng.randint(0, 9, size=(4, 3)).tolist()
_STARTS = _rng.randint(-5, 5, 12).tolist()
_LIMITS = _rng.randint(-5, 5, 12).tolist()
_DELTAS = [d if d else 1 for d in _rng.randint(-3, 4, 12).tolist()]
cases = {"fn_" + n: (lambda f=f: f(_x())) for n, f in ELEMENTWISE.items()}
cases["random_gather"] = lambda: tf.gather(C(_ROWS, ragged_rank=2, dtype=tf.int64), _IDX)
cases["random_range"] = lambda: tf.ragged.range(_STARTS, _LIMITS, _DELTAS)
cases["random_range_float"] = lambda: tf.ragged.range(
    np.array(_STARTS, np.float32) / 2, np.array(_LIMITS, np.float32) / 3, np.array(_DELTAS) / 4.)
cases.update({
  "elem": _elem,
  "embedding_lookup": _emb,
  "elem_sep": _elem_sep,
  "math_unary": lambda: (lambda x: [tf.exp(x), tf.math.log(x), tf.sqrt(x), tf.math.square(x),
      tf.cast(x, tf.int32), tf.math.sigmoid(x), tf.nn.relu(x - 2.), tf.math.sin(x),
      tf.ones_like(x), tf.zeros_like(x)])(C([[1., 2], [3]])),
  "math_binary": lambda: (lambda x: [tf.add(x, 1.), tf.math.maximum(x, 2.),
      tf.math.minimum(2., x), tf.math.equal(x, 2.), tf.math.greater(x, 1.5),
      tf.math.pow(x, 2.), tf.math.squared_difference(x, 1.)])(C([[1., 2], [3]])),
  "compare_ops": lambda: (lambda x: [x > 1, x >= 2, x < 3, x <= 1])(C([[1, 2], [3]])),
  "logical": lambda: (lambda x: [x & True, x | False, ~x, x ^ True])(C([[True, False], [True]])),
  "broadcast_dense_inner": lambda: C([[[1, 2], [3, 4]], [[5, 6]]], ragged_rank=1)
      + tf.constant([10, 20]),
  "dense_plus_ragged": lambda: tf.constant(1) + C([[1, 2], [3]]),
  "dense_mul_ragged": lambda: tf.constant(2.) * C([[1., 2], [3]]),
  "dense_sub_ragged": lambda: tf.constant(2.) - C([[1., 2], [3]]),
  "dense_div_ragged": lambda: tf.constant(2.) / C([[1., 2], [3]]),
  "reduce_sum1": lambda: tf.reduce_sum(C([[1., 2], [3], []]), axis=1),
  "reduce_sum0": lambda: tf.reduce_sum(C([[1., 2], [3], []]), axis=0),
  "reduce_sum_all": lambda: tf.reduce_sum(C([[1., 2], [3], []])),
  "reduce_max1": lambda: tf.reduce_max(C([[1., 2], [3], [-1.]]), axis=1),
  "reduce_min0": lambda: tf.math.reduce_min(C([[1, 2], [3]]), axis=0),
  "reduce_mean1": lambda: tf.reduce_mean(C([[1., 2], [3]]), axis=1),
  "reduce_mean0": lambda: tf.reduce_mean(C([[1., 2], [3]]), axis=0),
  "reduce_prod": lambda: tf.reduce_prod(C([[1., 2], [3, 4]]), axis=1),
  "reduce_all": lambda: tf.reduce_all(C([[True, False], [True]]), axis=1),
  "reduce_any": lambda: tf.reduce_any(C([[True, False], [False]]), axis=1),
  "reduce_rr2_axis2": lambda: tf.reduce_sum(C([[[1, 2], [3]], [[4]]]), axis=2),
  "reduce_rr2_axis1": lambda: tf.reduce_sum(C([[[1, 2], [3]], [[4]]]), axis=1),
  "reduce_axes": lambda: tf.reduce_sum(C([[[1, 2], [3]], [[4]]]), axis=[1, 2]),
  "reduce_keepdims": lambda: tf.reduce_sum(C([[1., 2], [3]]), axis=1, keepdims=True),
  "reduce_std": lambda: tf.math.reduce_std(C([[1., 2], [3, 5, 7]]), axis=1),
  "getitem_int": lambda: C([[1, 2], [3], [4, 5, 6]])[2],
  "getitem_neg": lambda: C([[1, 2], [3], [4, 5, 6]])[-1],
  "getitem_slice": lambda: C([[1, 2], [3], [4, 5, 6]])[1:],
  "getitem_slice2": lambda: C([[1, 2], [3], [4, 5, 6]])[:2],
  "getitem_step": lambda: C([[1, 2], [3], [4, 5, 6]])[::2],
  "getitem_inner": lambda: C([[1, 2], [3], [4, 5, 6]])[:, 1:],
  "getitem_inner2": lambda: C([[1, 2], [3], [4, 5, 6]])[1:, :2],
  "getitem_inner_neg": lambda: C([[1, 2], [3], [4, 5, 6]])[:, -2:],
  "getitem_int_int": lambda: C([[1, 2], [3], [4, 5, 6]])[2, 1],
  "getitem_rr2": lambda: C([[[1, 2], [3]], [[4]]])[0],
  "getitem_inner_int": lambda: C([[1, 2], [3]])[:, 0],
  "concat0": lambda: tf.concat([C([[1, 2], [3]]), C([[4], [5, 6], []])], axis=0),
  "concat1": lambda: tf.concat([C([[1, 2], [3]]), C([[4], [5, 6]])], axis=1),
  "concat_dense": lambda: tf.concat([C([[1, 2], [3]]), tf.constant([[7, 8]])], axis=0),
  "stack0": lambda: tf.stack([C([[1, 2], [3]]), C([[4], [5, 6], []])], axis=0),
  "stack1": lambda: tf.stack([C([[1, 2], [3]]), C([[4], [5, 6]])], axis=1),
  "ragged_stack": lambda: tf.ragged.stack([tf.constant([1, 2]), tf.constant([3])]),
  "gather": lambda: tf.gather(C([[1, 2], [3], [4, 5, 6]]), [2, 0, 2]),
  "gather2d": lambda: tf.gather(C([[1, 2], [3], [4, 5, 6]]), [[2, 0], [1, 1]]),
  "gather_rr2": lambda: tf.gather(C([[[1, 2], [3]], [[4]], [[5], [6, 7]]]), [2, 0]),
  "gather_ragged_idx": lambda: tf.gather(tf.constant([10, 20, 30]), C([[0, 2], [1]])),
  "gather_bad_index": lambda: tf.gather(C([[1, 2], [3]]), [2]),
  "tf_boolean_mask_is_dense_only": lambda: tf.boolean_mask(C([[1, 2], [3]]), [True, False]),
  "mask_1d": lambda: tf.ragged.boolean_mask(C([[1, 2], [3], [4, 5, 6]]), [True, False, True]),
  "mask_ragged": lambda: tf.ragged.boolean_mask(
      C([[1, 2], [3], [4, 5, 6]]), C([[True, False], [False], [True, True, False]])),
  "mask_dense2d": lambda: tf.ragged.boolean_mask(
      tf.constant([[1, 2, 3], [4, 5, 6]]),
      tf.constant([[True, False, True], [False, False, True]])),
  "mask_dense1d": lambda: tf.ragged.boolean_mask(tf.constant([1, 2, 3]), [True, False, True]),
  "map_flat_values": lambda: tf.ragged.map_flat_values(tf.multiply, C([[1, 2], [3]]), 3),
  "map_flat_values2": lambda: (lambda x: tf.ragged.map_flat_values(tf.add, x, x))(
      C([[1, 2], [3]])),
  "range": lambda: tf.ragged.range([3, 0, 2]),
  "range2": lambda: tf.ragged.range([1, 5], [4, 1], [1, -2]),
  "range_float": lambda: tf.ragged.range(0., [1., 2.5], 0.5),
  "range_int64_splits32": lambda: tf.ragged.range(tf.constant([2, 3], tf.int64),
                                                  row_splits_dtype=tf.int32),
  "range_zero_delta": lambda: tf.ragged.range([3], deltas=0),
  "sdp1": lambda: tf.ragged.stack_dynamic_partitions(
      ["a", "b", "c", "d", "e"], [3, 0, 2, 2, 3], num_partitions=5),
  "sdp0": lambda: tf.ragged.stack_dynamic_partitions(tf.constant(7), 1, 3),
  "sdp_ragged": lambda: tf.ragged.stack_dynamic_partitions(
      C([[1, 2], [3], [4, 5, 6]]), [1, 0, 1], 2),
  "sdp2d": lambda: tf.ragged.stack_dynamic_partitions(
      tf.constant([[1, 2], [3, 4]]), tf.constant([[0, 1], [1, 1]]), 2),
  "sdp_bad": lambda: tf.ragged.stack_dynamic_partitions([1, 2], [0, 3], 2),
  "size": lambda: tf.size(C([[1, 2], [3]])),
  "size64": lambda: tf.size(C([[1, 2], [3]]), out_type=tf.int64),
  "rank": lambda: tf.rank(C([[[1, 2], [3]], [[4]]])),
  "expand0": lambda: tf.expand_dims(C([[1, 2], [3]]), 0),
  "expand1": lambda: tf.expand_dims(C([[1, 2], [3]]), 1),
  "expand2": lambda: tf.expand_dims(C([[1, 2], [3]]), 2),
  "expand_neg": lambda: tf.expand_dims(C([[1, 2], [3]]), axis=-1),
  "reverse0": lambda: tf.reverse(C([[1, 2], [3], [4, 5, 6]]), [0]),
  "reverse1": lambda: tf.reverse(C([[1, 2], [3], [4, 5, 6]]), [1]),
  "reverse01": lambda: tf.reverse(C([[1, 2], [3], [4, 5, 6]]), [0, 1]),
  "getitem_inner_step": lambda: C([[1, 2, 3, 4], [5]])[:, ::2],
  "getitem_newaxis": lambda: C([[1, 2], [3]])[tf.newaxis],
  "where_coords": lambda: tf.where(C([[True, False], [False, True, True]])),
  "where_coords_rr2": lambda: tf.where(C([[[True], [False, True]], [[True]]])),
  "where_all_ragged": lambda: tf.where(C([[True, False], [True]]), C([[1, 2], [3]]),
                                       C([[10, 20], [30]])),
  "where_rows": lambda: tf.where([True, False], C([[1, 2], [3]]), C([[10], [20, 30]])),
  "where_rows_dense": lambda: tf.where([True, False, True], C([[1, 2], [3], []]),
                                       tf.constant([[7, 8], [9, 9], [0, 0]])),
  "useg_sum": lambda: tf.math.unsorted_segment_sum(C([[1., 2], [3], [4, 5, 6]]), [1, 0, 1], 2),
  "useg_max": lambda: tf.unsorted_segment_max(C([[1, 2], [3], [4, 5, 6]]), [1, 0, 1], 3),
  "useg_mean": lambda: tf.math.unsorted_segment_mean(C([[1., 2], [3], [4, 5, 6]]), [1, 0, 1], 2),
  "useg_sqrt": lambda: tf.math.unsorted_segment_sqrt_n(
      C([[1., 2], [3], [4, 5, 6]]), [1, 0, 1], 2),
  "useg_ragged_ids": lambda: tf.math.unsorted_segment_sum(C([[1., 2], [3]]), C([[0, 1], [1]]), 2),
  "add_n": lambda: (lambda r: tf.add_n([r, r, r]))(C([[1., 2], [3]])),
  "add_n_math": lambda: (lambda r: tf.math.add_n([r, r * 2.]))(C([[1., 2], [3]])),
  "squeeze_inner": lambda: tf.squeeze(C([[[1], [2]], [[3]]], ragged_rank=1), axis=2),
  "squeeze_ragged": lambda: tf.squeeze(C([[[1, 2]], [[3]]]), axis=1),
  "squeeze_outer": lambda: tf.squeeze(C([[[1, 2], [3]]]), axis=[0]),
  "squeeze_bad": lambda: tf.squeeze(C([[1, 2], [3]]), axis=1),
  "squeeze_noaxis": lambda: tf.squeeze(C([[1, 2], [3]])),
  "tile_rows": lambda: tf.tile(C([[1, 2], [3]]), [2, 1]),
  "tile_cols": lambda: tf.tile(C([[1, 2], [3]]), [1, 3]),
  "tile_both": lambda: tf.tile(C([[1, 2], [3]]), [2, 2]),
  "tile_rr2": lambda: tf.tile(C([[[1, 2], [3]], [[4]]]), [2, 1, 2]),
  "tile_inner": lambda: tf.tile(C([[[1, 2]], [[3, 4], [5, 6]]], ragged_rank=1), [1, 2, 2]),
  "segment_ids": lambda: tf.ragged.row_splits_to_segment_ids([0, 3, 3, 5]),
  "row_splits": lambda: tf.ragged.segment_ids_to_row_splits([0, 0, 2, 3]),
  "row_splits_n": lambda: tf.ragged.segment_ids_to_row_splits([0, 0, 2], num_segments=5),
})
"""

# Graphs that differ from TF's: two RaggedTensors with separately built row partitions
# (TF broadcasts their shapes; tfgraph asserts the splits are equal), and the
# ragged-with-dense broadcast.
OPS_DIFFER = {"elem_sep"}


@pytest.fixture(scope="module")
def both():
    return harness.run_here(CASES), harness.run_tf(CASES)


@requires_tf
@pytest.mark.parametrize("name", harness.case_names(CASES))
def test_ragged_ops_as_tf(both, name):
    harness.compare(*both, name, ops=name not in OPS_DIFFER)


def test_different_splits_are_checked_at_run_time():
    with tf.Graph().as_default():
        x = tf.ragged.constant([[1, 2], [3]])
        with pytest.raises(tf.errors.InvalidArgumentError, match="identical ragged splits"):
            _ = x + tf.ragged.constant([[1], [2, 3]])  # (static splits: found when built)
        s = tf.placeholder(tf.int64, [None])
        z = x + tf.RaggedTensor.from_row_splits([1, 2, 3], s)
        with tf.Session() as sess:
            assert sess.run(z, {s: [0, 2, 3]}).to_list() == [[2, 4], [6]]
            with pytest.raises(tf.errors.InvalidArgumentError, match="identical ragged splits"):
                sess.run(z, {s: [0, 1, 3]})


def test_dense_with_size_one_ragged_dimension_broadcasts():
    with tf.Graph().as_default():
        x = tf.ragged.constant([[1, 2], [3], []])
        with tf.Session() as sess:
            assert sess.run(x * tf.constant([[10], [20], [30]])).to_list() == [[10, 20], [60], []]
            assert sess.run(x + tf.constant([[1]])).to_list() == [[2, 3], [4], []]


def test_dense_broadcast_over_ragged_rows_is_refused_at_build_time():
    # (TF broadcasts a [3] vector against [2, (r)] rows and fails when run; tfgraph
    # handles only the size-1 case and says so when the graph is built)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="tfgraph broadcasts a dense tensor"):
            _ = tf.constant([1, 2, 3]) + tf.ragged.constant([[1, 2], [3]])


def test_namespaces_share_one_wrapper():
    assert tf.add is tf.math.add and tf.compat.v1.add is tf.add
    assert tf.reduce_sum is tf.math.reduce_sum
    with tf.Graph().as_default():
        assert tf.add(tf.constant(1), 2).op.type == "AddV2"

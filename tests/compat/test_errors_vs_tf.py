"""Bad programs run on tfgraph and on real TF: the same error class and the same words.

Each program makes one `attempt("r", ...)`: build-time errors (TF's shape functions raise
ValueError "<what> for '{{node ...}} = ...' with input shapes: ...") are compared up to
" for '", run-time errors (TF's "Graph execution error: ... Node: 'x'\\n<what>\\n\\t
[[{{node x}}]]") by <what>. Programs that succeed are compared by value and dtype.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests import tfrun
from tests.compat import harness

_FED = """
s = tf.Session()
u = tf.placeholder(tf.float32, name="u")
v = tf.placeholder(tf.float32, name="v")
i = tf.placeholder(tf.int32, name="i")
a = tf.placeholder(tf.int32, name="a")
b = tf.placeholder(tf.int32, name="b")
x = tf.placeholder(tf.float32, [1, 4, 4, 1], name="x")
w = tf.ones([2, 2, 1, 1])
M = np.ones([2, 3])
if hasattr(tf, "raw_ops"):
    def raw_op(op_type, **inputs):
        return getattr(tf.raw_ops, op_type)(**inputs)
else:
    from tfgraph.ops.apply import op_output

    def raw_op(op_type, **inputs):
        return op_output(op_type, None, list(inputs.values()))
"""

CASES = {
    # integer division (bugs 2, 3)
    "floordiv_by_zero": "s.run(a // b, {a: [7, 3], b: [2, 0]})",
    "mod_by_zero": "s.run(a % b, {a: [7, 3], b: [2, 0]})",
    "floormod_by_zero_int64": "s.run(tf.floormod(tf.cast(a, tf.int64), tf.cast(b, tf.int64)), "
    "{a: [7], b: [0]})",
    "truncatediv_by_zero": "s.run(tf.truncatediv(a, b), {a: [7, 3], b: [2, 0]})",
    "truncatemod_by_zero": "s.run(tf.truncatemod(a, b), {a: [7, 3], b: [2, 0]})",
    "div_by_zero": "s.run(tf.div(a, b), {a: [7, 3], b: [2, 0]})",
    "uint8_floordiv_by_zero": "s.run(tf.constant([1], tf.uint8) // tf.constant([0], tf.uint8))",
    "folded_floordiv_by_zero": "s.run(tf.constant(3) // tf.constant(0))",
    "float_division_by_zero": "s.run([tf.constant([1., -1., 0.]) // 0., tf.constant([1., 0.]) % 0.,"
    " tf.truncatemod(tf.constant([1., -7.]), [0., 2.]), tf.div(tf.constant([1., -1.]), 0.)])",
    "int_values": "s.run([a // b, a % b, tf.truncatediv(a, b), tf.truncatemod(a, b), tf.div(a, b),"
    " a / b], {a: [7, -7, 7, -7], b: [2, 2, -2, -2]})",
    "realdiv_int": "s.run(tf.realdiv(a, b), {a: [1], b: [1]})",
    "div_no_nan_int": "s.run(tf.div_no_nan(a, b), {a: [1, 2], b: [0, 4]})",
    "int_mean": "s.run([tf.reduce_mean(tf.constant([-1, -2, -2])), "
    "tf.reduce_mean(tf.constant([2**30, 2**30])), "
    "tf.reduce_mean(tf.constant([200, 200], tf.uint8))])",
    # Python ints (bug 4)
    "const_2p63": "s.run(tf.constant(2**63))",
    "const_list_2p63": "s.run(tf.constant([2**63, 2**63 + 1]))",
    "const_2p64": "tf.constant(2**64)",
    "const_below_int64": "tf.constant(-2**63 - 1)",
    # strides and windows (bug 12)
    "conv_stride_0": "tf.nn.conv2d(x, w, [1, 0, 1, 1], 'VALID')",
    "conv_stride_negative": "tf.nn.conv2d(x, w, [1, -1, 0, 1], 'VALID')",
    "conv_stride_0_unknown_shape": "tf.nn.conv2d(u, w, [1, 0, 1, 1], 'VALID')",
    "conv_dilation_0": "tf.nn.conv2d(x, w, [1, 1, 1, 1], 'VALID', dilations=[1, 0, 1, 1])",
    "depthwise_stride_0": "tf.nn.depthwise_conv2d_native(x, w, [1, 0, 1, 1], 'VALID')",
    "max_pool_stride_0": "tf.nn.max_pool(x, [1, 2, 2, 1], [1, 0, 1, 1], 'VALID')",
    "max_pool_depth_stride_0": "tf.nn.max_pool(x, [1, 2, 2, 1], [1, 1, 1, 0], 'VALID')",
    "max_pool_ksize_0": "tf.nn.max_pool(x, [1, 0, 2, 1], [1, 1, 1, 1], 'VALID')",
    "avg_pool_stride_0": "tf.nn.avg_pool(u, [1, 2, 2, 1], [1, 0, 1, 1], 'SAME')",
    "avg_pool_ksize_0_run": "s.run(tf.nn.avg_pool(x, [1, 0, 2, 1], [1, 1, 1, 1], 'VALID'), "
    "{x: np.ones([1, 4, 4, 1])})",
    "max_pool_ksize_negative_run": "s.run(tf.nn.max_pool(x, [1, -1, 2, 1], [1, 1, 1, 1], "
    "'VALID'), {x: np.ones([1, 4, 4, 1])})",
    "max_pool_batch_stride_run": "s.run(tf.nn.max_pool(x, [1, 2, 2, 1], [2, 1, 1, 1], 'VALID'), "
    "{x: np.ones([1, 4, 4, 1])})",
    "conv_batch_stride_run": "s.run(tf.nn.conv2d(x, w, [2, 1, 1, 1], 'VALID'), "
    "{x: np.ones([1, 4, 4, 1])})",
    # range, transpose, feeds, huge shapes (bug 15)
    "range_negative_delta": "tf.range(0, 5, -1)",
    "range_positive_delta": "tf.range(5, 0, 1)",
    "range_zero_delta": "tf.range(0, 5, 0)",
    "range_fed_negative_delta": "s.run(tf.range(a, b, i), {a: 0, b: 5, i: -1})",
    "range_fed_positive_delta": "s.run(tf.range(a, b, i), {a: 5, b: 0, i: 1})",
    "range_fed_zero_delta": "s.run(tf.range(a, b, i), {a: 0, b: 5, i: 0})",
    "range_fed_good": "s.run(tf.range(a, b, i), {a: 5, b: 0, i: -2})",
    "transpose_length": "tf.transpose(tf.ones([2, 3]), [0, 1, 2])",
    "transpose_out_of_range": "tf.transpose(tf.ones([2, 3]), [0, 2])",
    "transpose_repeat": "s.run(tf.transpose(tf.ones([2, 3]), [0, 0]))",
    "transpose_negative": "s.run(tf.transpose(tf.ones([2, 3]), [-1, 0]))",
    "transpose_fed_length": "s.run(tf.transpose(u, i), {u: M, i: [0, 1, 2]})",
    "transpose_fed_repeat": "s.run(tf.transpose(u, i), {u: M, i: [0, 0]})",
    "transpose_fed_out_of_range": "s.run(tf.transpose(u, i), {u: M, i: [0, 2]})",
    "feed_nan_int32": "s.run(a, {a: np.array([np.nan, 1.5])})",
    "feed_big_int32": "s.run(a, {a: 2**40})",
    "feed_big_list_int32": "s.run(a, {a: [1, 2**40]})",
    "feed_int_bool": "s.run(tf.placeholder(tf.bool), {tf.get_default_graph()"
    ".get_operations()[-1].outputs[0]: 2})",
    "placeholder_too_large": "tf.placeholder(tf.float32, [2**62, 2**62])",
    "variable_too_large": "tf.get_variable('big', [2**62, 2**62])",
    # run-time shape errors (bug 16)
    "matmul": "s.run(tf.matmul(u, v), {u: M, v: np.ones([4, 1])})",
    "matmul_rank_1": "s.run(tf.matmul(u, v), {u: M, v: np.ones([3])})",
    "matmul_batch": "s.run(tf.matmul(u, v), {u: np.ones([2, 2, 3]), v: np.ones([3, 3, 1])})",
    "add": "s.run(u + v, {u: M, v: np.ones([4])})",
    "equal": "s.run(tf.equal(u, v), {u: M, v: np.ones([4])})",
    "floordiv_shapes": "s.run(a // b, {a: [[1, 2]], b: [1, 2, 3]})",
    "reshape_minus_one": "s.run(tf.reshape(u, i), {u: M, i: [-1, 4]})",
    "reshape": "s.run(tf.reshape(u, i), {u: M, i: [2, 4]})",
    "reshape_minus_two": "s.run(tf.reshape(u, i), {u: M, i: [-2, 3]})",
    "xent": "s.run(tf.nn.softmax_cross_entropy_with_logits_v2(labels=u, logits=v), "
    "{u: M, v: np.ones([2, 4])})",
    "concat": "s.run(tf.concat([u, v], 0), {u: M, v: np.ones([2, 4])})",
    "concat_rank": "s.run(tf.concat([u, v], 0), {u: M, v: np.ones([2])})",
    "concat_axis": "s.run(tf.concat([u, v], 3), {u: M, v: M})",
    "stack": "s.run(tf.stack([u, v]), {u: M, v: np.ones([2, 4])})",
    "pad": "s.run(tf.pad(u, i), {u: M, i: [[1, 1]]})",
    "pad_negative": "s.run(tf.pad(u, i), {u: M, i: [[1, 1], [-1, 0]]})",
    "squeeze": "s.run(tf.squeeze(u, [0]), {u: M})",
    "expand_dims": "s.run(tf.expand_dims(u, i), {u: M, i: 5})",
    "bias_add": "s.run(tf.nn.bias_add(u, v), {u: M, v: np.ones([4])})",
    "bias_add_broadcastable": "s.run(tf.nn.bias_add(u, v), {u: np.ones([2, 1]), v: np.ones([3])})",
    "conv_rank": "s.run(tf.nn.conv2d(u, v, [1, 1, 1, 1], 'VALID'), {u: np.ones([4, 4, 2]), "
    "v: np.ones([2, 2, 2, 1])})",
    "fill_negative": "s.run(tf.fill(i, 1.0), {i: [2, -1]})",
    "fill_value": "s.run(tf.fill(i, u), {i: [2], u: np.ones([2])})",
    "gather": "s.run(tf.gather(u, i), {u: M, i: [0, 5]})",
    "slice": "s.run(tf.slice(u, [0, 0], i), {u: M, i: [3, 1]})",
    "tile": "s.run(tf.tile(u, i), {u: M, i: [1, 2, 3]})",
    "one_hot": "s.run(tf.one_hot(i, tf.placeholder_with_default(-1, [])), {i: [0, 1]})",
    "index_unknown_rank": "s.run(u[i[0]], {u: M, i: [5]})",
    "argmax_axis_vector": "s.run(tf.argmax(u, i), {u: M, i: [0, 1]})",
    "cumsum_axis_vector": "s.run(tf.cumsum(u, i), {u: M, i: [0, 1]})",
    "gather_axis_vector": "s.run(tf.gather(u, [0], axis=i), {u: M, i: [0, 1]})",
    "top_k_vector": "s.run(tf.nn.top_k(u, i), {u: M, i: [1, 2]})",
    "softmax_scalar": "s.run(tf.nn.softmax(u), {u: 1.0})",
    "softmax_empty": "s.run([tf.nn.softmax(u), tf.nn.log_softmax(u)], {u: np.ones([2, 0])})",
    "relu_grad": "s.run(raw_op('ReluGrad', gradients=u, features=v), {u: M, v: np.ones([4])})",
    "sigmoid_grad": "s.run(raw_op('SigmoidGrad', y=u, dy=v), {u: M, v: np.ones([4])})",
    "reverse_axis_matrix": "s.run(tf.reverse(u, i), {u: M, i: [[0]]})",
    "reverse_repeated_axis": "s.run(tf.reverse(u, i), {u: M, i: [0, 0]})",
    "broadcast_to_matrix": "s.run(tf.broadcast_to(u, i), {u: M, i: [[2, 3]]})",
    "expand_dims_empty": "s.run(tf.expand_dims(u, i), {u: M, i: np.zeros([0], np.int32)})",
    "sparse_xent_labels": "s.run(raw_op('SparseSoftmaxCrossEntropyWithLogits', features=u, "
    "labels=i), {u: M, i: [0, 1, 2]})",
    "sparse_xent_rank": "s.run(raw_op('SparseSoftmaxCrossEntropyWithLogits', features=u, "
    "labels=i), {u: np.ones([3]), i: [0]})",
    "complex": "s.run(tf.complex(u, v), {u: M, v: np.ones([4])})",
    "segment_count_vector": "s.run(tf.unsorted_segment_sum(u, i, "
    "tf.placeholder_with_default([2], None)), {u: M, i: [0, 1]})",
    "range_vector_delta": "s.run(tf.range(a, b, i), {a: 0, b: 5, i: [1, 2]})",
}


def _program(expr: str) -> str:
    return _FED + f'attempt("r", lambda: {expr})\n'


PROGRAMS = {name: _program(expr) for name, expr in CASES.items()}


def _what(message: str) -> str:
    """The part of an error message both libraries must say alike (its first line)."""
    if "\nNode: '" in message:  # TF's run-time wrapper
        message = message.split("\nNode: '", 1)[1].split("\n", 1)[1]
    message = message.split("\n\t [[")[0].split("\n")[0]
    return message.split(" for '")[0]


@pytest.fixture(scope="module")
def tf_results():
    return harness.run_programs_in_tf(PROGRAMS)


@pytest.mark.tf
@tfrun.requires_tf
@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_program_fails_as_in_tensorflow(name, tf_results):
    theirs = tf_results[name]["results"]["r"]
    ours = harness.run_program_in_tfgraph(PROGRAMS[name])["results"]["r"]
    if "error" in theirs:
        assert "error" in ours, f"TF raised {theirs}, tfgraph returned {ours}"
        assert ours["error"] == theirs["error"], (ours, theirs)
        assert _what(ours["message"]) == _what(theirs["message"])
    else:
        assert "ok" in ours, f"TF returned {theirs}, tfgraph raised {ours}"
        _assert_same(ours["ok"], theirs["ok"])


def _assert_same(ours, theirs):
    if isinstance(theirs, dict) and "array" in theirs:
        assert ours["dtype"] == theirs["dtype"]
        np.testing.assert_array_equal(ours["array"], theirs["array"])
    elif isinstance(theirs, list) and isinstance(ours, list):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _assert_same(a, b)
    elif isinstance(theirs, str) and theirs.startswith("<tf.Tensor"):
        assert ours.split(" dtype=")[-1] == theirs.split(" dtype=")[-1]
    else:
        assert ours == theirs

"""tf.nn.quantized_conv2d / quantized_max_pool / quantized_avg_pool / quantized_relu_x
(QuantizedConv2D, QuantizedMaxPool, QuantizedAvgPool, QuantizedRelu*) against TF 2.21:
graphs, static shapes, values and output ranges, and the dtypes TF has no kernel for."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests import tfrun
from tests.compat import opdiff

_IN = """
X = np.arange(2 * 4 * 5 * 3).reshape(2, 4, 5, 3) % 256
F = (np.arange(2 * 2 * 3 * 2).reshape(2, 2, 3, 2) * 7) % 256
XI = np.arange(-40, 41, 3)[:27].reshape(1, 3, 3, 3)
x = tf.constant(X, tf.quint8, name="x")
f = tf.constant(F, tf.quint8, name="f")
xi = tf.constant(XI, tf.qint8, name="xi")
"""

CASES = {
    "conv_same_stride2": _IN
    + 'out = list(tf.nn.quantized_conv2d(x, f, -1.0, 2.0, -0.5, 3.0, [1, 2, 2, 1], "SAME"))',
    "conv_valid": _IN
    + 'out = list(tf.nn.quantized_conv2d(x, f, 0.0, 1.0, -1.0, 1.0, [1, 1, 1, 1], "VALID",'
    + ' name="qc"))',
    "conv_zero_not_representable": _IN
    + 'out = list(tf.nn.quantized_conv2d(x, f, 1.0, 5.0, 0.0, 2.0, [1, 3, 3, 1], "SAME"))',
    "conv_qint8_has_no_kernel": _IN
    + """
w = tf.constant(np.ones((1, 1, 3, 1)), tf.qint8)
out = list(tf.nn.quantized_conv2d(xi, w, 0.0, 1.0, -1.0, 1.0, [1, 1, 1, 1], "VALID"))
phrase = "No OpKernel was registered to support Op 'QuantizedConv2D'"
""",
    "max_pool_same": _IN
    + 'out = list(tf.nn.quantized_max_pool(x, -1.0, 2.0, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"))',
    "max_pool_qint8": _IN
    + 'out = list(tf.nn.quantized_max_pool(xi, -1.0, 2.0, [1, 2, 2, 1], [1, 1, 1, 1], "VALID"))',
    "avg_pool_same": _IN
    + 'out = list(tf.nn.quantized_avg_pool(x, -1.0, 2.0, [1, 3, 2, 1], [1, 2, 2, 1], "SAME"))',
    "avg_pool_qint8_negative": _IN
    + 'out = list(tf.nn.quantized_avg_pool(xi, 0.0, 1.0, [1, 2, 3, 1], [1, 1, 2, 1], "SAME",'
    + ' name="ap"))',
    "relu_x_graph": _IN
    + """
r = tf.nn.quantized_relu_x(x, 0.5, -1.0, 2.0)
out = None
""",
    "conv_bad_depth": _IN
    + """
tf.nn.quantized_conv2d(x, tf.constant(np.ones((1, 1, 2, 1)), tf.quint8), 0.0, 1.0, 0.0, 1.0,
                       [1, 1, 1, 1], "VALID")
""",
    "pool_range_not_scalar": _IN
    + 'tf.nn.quantized_max_pool(x, [-1.0], 2.0, [1, 2, 2, 1], [1, 1, 1, 1], "VALID")',
}


@pytest.fixture(scope="module")
def tf_results():
    return opdiff.run_cases_in_tf(CASES)


@tfrun.requires_tf
@pytest.mark.tf
@pytest.mark.parametrize("case", sorted(CASES))
def test_graph_values_and_errors_match_tf(case, tf_results):
    code = CASES[case]
    problems = opdiff.compare(case, code, tf_results[case], opdiff.run_case_in_tfgraph(code))
    assert not problems, f"case {case!r}:\n" + "\n".join(problems)


_STATIC = """
import json
x = tf.placeholder(tf.quint8, [None, 7, 6, 3])
f = tf.placeholder(tf.quint8, [3, 3, 3, 4])
outs = [
    tf.nn.quantized_conv2d(x, f, 0.0, 1.0, 0.0, 1.0, [1, 2, 2, 1], "SAME"),
    tf.nn.quantized_conv2d(x, f, 0.0, 1.0, 0.0, 1.0, [1, 2, 2, 1], "VALID"),
    tf.nn.quantized_max_pool(x, 0.0, 1.0, [1, 3, 3, 1], [1, 2, 2, 1], "VALID"),
    tf.nn.quantized_avg_pool(x, 0.0, 1.0, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"),
    tf.nn.quantized_relu_x(x, 6.0, 0.0, 1.0, out_type=tf.quint8),
]
print(json.dumps([[[t.dtype.name, t.shape.as_list()] for t in o] for o in outs]))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_static_shapes_and_dtypes_match_tf():
    assert tfrun.run_here_json(_STATIC) == tfrun.run_tf_json(_STATIC)


def test_relu_x_follows_tfs_kernel_source():
    """TF 2.21's pip build registers no QuantizedReluX kernel; tfgraph computes what TF's
    kernel source defines: codes clamped to [code(0), code(max_value)], range unchanged."""
    codes = np.arange(0, 256, 15)
    x = tf.constant(codes, tf.quint8)
    out, lo, hi = tf.nn.quantized_relu_x(x, 0.5, -1.0, 2.0)
    with tf.Session() as sess:
        got, mn, mx = sess.run([out, lo, hi])
    # range [-1, 2] over 255 levels: 0.0 is code 85, 0.5 is code round(1.5 * 85) = 128
    np.testing.assert_array_equal(got, np.clip(codes, 85, 128).astype(np.uint8))
    assert (mn, mx) == (-1.0, 2.0)

"""tf.conv (TF 2.21's raw `Conv` op) against TF: graphs, static shapes, values for 2-D
and 3-D convolutions, extra batch dimensions, explicit padding, dilations, int32, and the
settings TF's CPU kernel rejects."""

from __future__ import annotations

import pytest

from tests import tfrun
from tests.compat import opdiff

_IN = """
xv = np.arange(2 * 5 * 6 * 4, dtype=np.float32).reshape(2, 5, 6, 4) / 50 - 2
wv = np.arange(3 * 3 * 4 * 6, dtype=np.float32).reshape(3, 3, 4, 6) / 100 - 0.5
x = tf.constant(xv, name="x")
w = tf.constant(wv, name="w")
"""

CASES = {
    "same": _IN + 'out = tf.conv(x, w, [1, 1, 1, 1], "SAME")',
    "valid_stride": _IN + 'out = tf.conv(x, w, [1, 2, 2, 1], "VALID", name="cv")',
    "dilated": _IN + 'out = tf.conv(x, w, [1, 1, 1, 1], "SAME", dilations=[1, 2, 1, 1])',
    "explicit": _IN
    + 'out = tf.conv(x, w, [1, 1, 1, 1], "EXPLICIT", explicit_paddings=[0, 0, 1, 2, 0, 1, 0, 0])',
    "batch_dims_2": _IN
    + 'out = tf.conv(tf.stack([x, x * 2.0]), w, [1, 1, 2, 1], "SAME", batch_dims=2)',
    "conv3d": """
# (/ 400: sums of 16 terms that cancel to 0.004 would carry 1e-6 of rounding with / 40)
x = tf.constant(np.arange(2 * 4 * 5 * 3 * 2, dtype=np.float32).reshape(2, 4, 5, 3, 2) / 400)
w = tf.constant(np.linspace(-1, 1, 2 * 2 * 2 * 2 * 3).astype(np.float32).reshape(2, 2, 2, 2, 3))
out = [tf.conv(x, w, [1, 1, 1, 1, 1], "VALID"), tf.conv(x, w, [1, 2, 1, 2, 1], "SAME")]
""",
    "int32_and_float64": _IN
    + """
out = [tf.conv(tf.cast(x * 10.0, tf.int32), tf.cast(w * 10.0, tf.int32), [1, 1, 1, 1], "SAME"),
       tf.conv(tf.cast(x, tf.float64), tf.cast(w, tf.float64), [1, 1, 1, 1], "VALID")]
""",
    "partial_shape": """
p = tf.placeholder(tf.float32, [None, 7, None, 3], name="p")
out = tf.conv(p, tf.ones([2, 2, 3, 5]), [1, 2, 2, 1], "SAME")
feed = {p: np.ones((1, 7, 4, 3), np.float32)}
""",
    "groups_unsupported": _IN
    + """
out = tf.conv(x, w[:, :, :2, :], [1, 1, 1, 1], "SAME", groups=2)
phrase = "Grouped/Depthwise Convolutions are not supported yet."
""",
    "channels_first_unsupported": _IN
    + """
out = tf.conv(tf.transpose(x, [0, 3, 1, 2]), w, [1, 1, 1, 1], "SAME",
              data_format="CHANNELS_FIRST")
phrase = "only supports the NHWC tensor format on the CPU"
""",
    "rank_error": _IN
    + """
tf.conv(x[0], w[0], [1, 1, 1], "SAME")
phrase = "Input tensor must be rank 4 or 5, excluding extra batch dimensions, but got: 3"
""",
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

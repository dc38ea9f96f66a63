"""tf.quantization.quantize_and_dequantize / _v2 (QuantizeAndDequantizeV2 / V4, V4Grad)
against TF 2.21: graphs, values over the modes (signed, num_bits, range_given, narrow
range, rounding, per-axis), errors, and gradients."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests import tfrun
from tests.compat import opdiff

_X = """
xv = np.array([[-1.7, -0.51, 0.0, 0.25], [0.5, 0.77, 1.2, 2.6], [-3.0, 1.0, 0.125, -0.0625]],
              np.float32)
x = tf.constant(xv, name="x")
"""

CASES = {
    "v1_defaults": _X + "out = tf.quantization.quantize_and_dequantize(x, -1.0, 1.0)",
    "v2_defaults": _X + "out = tf.quantization.quantize_and_dequantize_v2(x, -1.0, 1.0)",
    "range_given": _X
    + """
q = tf.quantization.quantize_and_dequantize_v2
out = [q(x, -1.0, 1.0, range_given=True), q(x, -2.0, 0.5, range_given=True, name="rg"),
       q(x, 0.0, 2.0, range_given=True, signed_input=False)]
""",
    "bits_and_modes": _X
    + """
q = tf.quantization.quantize_and_dequantize_v2
out = [q(x, -1.0, 1.0, num_bits=4), q(x, -1.0, 1.0, num_bits=3, narrow_range=True),
       q(x, -1.0, 1.0, num_bits=2, round_mode="HALF_UP"),
       q(x, -1.0, 1.0, signed_input=False, num_bits=5)]
""",
    "per_axis": _X
    + """
q = tf.quantization.quantize_and_dequantize_v2
out = [q(x, [-1.0, -2.0, -3.0], [1.0, 2.0, 3.0], axis=0, range_given=True),
       q(x, [0.0] * 4, [0.0] * 4, axis=-1),
       tf.quantization.quantize_and_dequantize(x, [0.0] * 3, [0.0] * 3, axis=0, num_bits=3)]
""",
    "per_axis_data_range": _X
    + """
q = tf.quantization.quantize_and_dequantize_v2
out = [q(x, [-1.0] * 4, [1.0] * 4, axis=1), q(x, [0.0] * 3, [0.0] * 3, axis=-2, num_bits=3)]
""",
    "half_has_no_cpu_kernel": _X
    + """
out = tf.quantization.quantize_and_dequantize_v2(tf.constant(xv, tf.float16), 0.0, 0.0)
phrase = "No OpKernel was registered to support Op 'QuantizeAndDequantizeV4'"
""",
    "float64": """
x = tf.constant(np.linspace(-2, 3, 11))
out = tf.quantization.quantize_and_dequantize_v2(x, -1.0, 1.0, num_bits=6)
""",
    "gradient_v4_masks": _X
    + """
y = tf.quantization.quantize_and_dequantize_v2(x, -1.0, 1.0)
out = tf.gradients(y * xv, x)
""",
    "gradient_v4_per_axis": _X
    + """
y = tf.quantization.quantize_and_dequantize_v2(x, [-1.0] * 4, [1.0, 0.3, 0.0, 3.0], axis=1,
                                               range_given=True)
out = tf.gradients(tf.reduce_sum(y * 2.0), x)
""",
    "gradient_v2_passes": _X
    + """
y = tf.quantization.quantize_and_dequantize(x, -1.0, 1.0)
out = tf.gradients(y * xv, x)
""",
    "bad_range": _X
    + """
out = tf.quantization.quantize_and_dequantize_v2(x, 1.0, -1.0, range_given=True)
phrase = "Invalid range: input_min"
""",
    "bad_num_bits": _X
    + """
out = tf.quantization.quantize_and_dequantize_v2(x, -1.0, 1.0, num_bits=0)
phrase = "num_bits is out of range"
""",
    "range_rank": _X + "tf.quantization.quantize_and_dequantize_v2(x, [-1.0], [1.0])",
    "axis_range_size": _X
    + "tf.quantization.quantize_and_dequantize_v2(x, [-1.0] * 2, [1.0] * 2, axis=0)",
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


def test_negative_axis_needs_known_rank():
    with pytest.raises(ValueError, match="known rank"):
        tf.quantization.quantize_and_dequantize_v2(tf.placeholder(tf.float32), 0.0, 1.0, axis=-1)

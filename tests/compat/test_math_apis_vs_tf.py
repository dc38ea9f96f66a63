"""Graphs, values, gradients and errors of the TF1 math/array/linalg API added for
issue 14 (special functions, einsum, linspace, linalg exports), compared with real TF
through `opdiff` (ops by name/type/inputs, static shapes, values, error class+phrase).
"""

from __future__ import annotations

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

"""tf.math's Bessel functions, erfinv/ndtri/erfcinv, multiply_no_nan,
reciprocal_no_nan, reduce_euclidean_norm, cumulative_logsumexp, nextafter and polyval
against TF: ops, values (edge cases included) and gradients."""

from __future__ import annotations

import numpy as np
import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
x = tf.constant([-2.5, -0.3, 0.0, 0.7, 4.0], name="x")
p = tf.constant([0.0, 0.2, 0.5, 0.9, 1.0], name="p")
y = tf.constant([1.0, 0.0, 2.0, 0.0, -3.0], name="y")
inf = tf.constant([np.inf, np.nan, 1.0, -np.inf, 2.0])
m = tf.constant([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]], name="m")
outs = {
    "i0": tf.math.bessel_i0(x), "i0e": tf.math.bessel_i0e(x), "i1": tf.math.bessel_i1(x),
    "i1e": tf.math.bessel_i1e(x, name="b"), "erfinv": tf.math.erfinv(p * 2.0 - 1.0),
    "ndtri": tf.math.ndtri(p), "erfcinv": tf.math.erfcinv(p * 2.0),
    "mul_no_nan": tf.math.multiply_no_nan(inf, y), "recip": tf.math.reciprocal_no_nan(y),
    "norm": tf.math.reduce_euclidean_norm(m), "norm1": tf.math.reduce_euclidean_norm(m, 1),
    "norm_keep": tf.math.reduce_euclidean_norm(m, 0, keepdims=True),
    "norm_int": tf.math.reduce_euclidean_norm(tf.constant([[3, 4], [5, 12]]), 1),
    "cls": tf.math.cumulative_logsumexp(m, axis=1),
    "cls_ex_rev": tf.math.cumulative_logsumexp(m, axis=0, exclusive=True, reverse=True),
    "next": tf.math.nextafter(x, y), "poly": tf.math.polyval([1.0, -2.0, 3.0], x),
    "poly_t": tf.math.polyval([x, 2.0], y),
}
grad_of = {"i0": x, "i0e": x, "i1": x, "i1e": x, "mul_no_nan": y, "norm1": m, "cls": m,
           "cls_ex_rev": m, "poly": x, "erfinv": p, "ndtri": p, "next": x}
grads = {k: tf.gradients(tf.reduce_sum(outs[k] * tf.cast(tf.range(1, 1 + tf.size(outs[k])),
                                                         tf.float32)[:outs[k].shape[-1]]
                         if outs[k].shape.ndims == 1 else tf.reduce_sum(outs[k] * outs[k])),
                         v)[0] for k, v in grad_of.items()}
result = {"ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()
                        if not o.name.startswith("gradients")),
          "shapes": {k: str(v.shape) for k, v in outs.items()}}
with tf.Session() as s:
    vals, gvals = s.run([outs, grads])
    rnd = lambda v: np.where(np.isfinite(v), np.round(np.asarray(v, np.float64), 4),
                             np.asarray(v, np.float64)).tolist()
    result["values"] = {k: rnd(v) for k, v in vals.items()}
    result["grads"] = {k: rnd(v) for k, v in gvals.items()}
    result["dtypes"] = {k: str(np.asarray(v).dtype) for k, v in vals.items()}
    errors = []
    for bad in (lambda: tf.math.polyval(tf.constant([1.0]), x),):
        try:
            bad()
        except ValueError as e:
            errors.append(str(e).split(" <class")[0])
    result["errors"] = errors
"""


def _close(a, b):
    np.testing.assert_allclose(
        np.asarray(a, np.float64), np.asarray(b, np.float64), rtol=2e-4, atol=2e-4
    )


@pytest.mark.tf
@requires_tf
def test_math_more_matches_tf():
    here, theirs = run_both(PROGRAM)
    for key in ("values", "grads"):
        assert here[key].keys() == theirs[key].keys()
        for k in here[key]:
            _close(here[key][k], theirs[key][k])
    for key in ("ops", "shapes", "dtypes", "errors"):
        assert here[key] == theirs[key], key


def test_math_more():
    r = run_here(PROGRAM)
    v = r["values"]
    assert v["mul_no_nan"][1] == 0.0 and v["mul_no_nan"][3] == 0.0  # nan/inf * 0 -> 0
    assert v["recip"] == [1.0, 0.0, 0.5, 0.0, pytest.approx(-1 / 3, abs=1e-4)]
    assert v["norm_int"] == [5, 13] and r["dtypes"]["norm_int"] == "int32"
    assert v["ndtri"][0] == -np.inf and v["ndtri"][2] == 0.0
    assert v["poly"][2] == 3.0

"""`tf.math.special` against TF 2.21: the Bessel J/K/Y, Dawson, exponential-integral,
Fresnel and Spence ops (values in float32 and float64, gradients, graph names)."""

from __future__ import annotations

import pytest

from tests.tfrun import requires_tf, run_here_json, run_tf_json

PROGRAM = """
import json
names = ["bessel_i0", "bessel_i0e", "bessel_i1", "bessel_i1e", "bessel_j0", "bessel_j1",
         "bessel_k0", "bessel_k0e", "bessel_k1", "bessel_k1e", "bessel_y0", "bessel_y1",
         "dawsn", "expint", "fresnel_cos", "fresnel_sin", "spence"]
xs = np.array([0.3, 1.0, 1.7, 2.5, 4.0, 11.5])
out = {}
fetch = {}
for dtype in (tf.float32, tf.float64):
    x = tf.placeholder(dtype, [6])
    for n in names:
        y = getattr(tf.math.special, n)(x)
        fetch[f"{n}_{dtype.name}"] = (y, tf.gradients(y, x)[0])
listed = tf.math.special.bessel_y1([1.0, 2.0], name="listed")
for fn in (tf.math.bessel_i0, tf.math.bessel_i1e, tf.math.erfinv, tf.math.ndtri):
    fn([0.5])  # (a Python input becomes the op's input "x", inside the op's scope)
out["graph"] = [(op.name, op.type) for op in tf.get_default_graph().get_operations()
                if not op.name.startswith("gradients")]
with tf.Session() as sess:
    for key, (y, g) in fetch.items():
        feed = {y.op.inputs[0]: xs}
        out[key] = [v.astype(float).tolist() for v in sess.run([y, g], feed)]
    out["listed"] = sess.run(listed).tolist()
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_special_functions_match_tf():
    import numpy as np

    ours, theirs = run_here_json(PROGRAM), run_tf_json(PROGRAM)
    assert ours.pop("graph") == theirs.pop("graph")
    np.testing.assert_allclose(ours.pop("listed"), theirs.pop("listed"), rtol=2e-6)
    assert sorted(ours) == sorted(theirs)
    for key, (y, g) in theirs.items():
        # (float32 gradients that subtract near-equal terms differ by an ulp of the terms)
        rtol, atol = (2e-5, 1e-6) if "float32" in key else (1e-10, 1e-14)
        np.testing.assert_allclose(ours[key][0], y, rtol, atol, err_msg=key + " values")
        np.testing.assert_allclose(ours[key][1], g, rtol, atol, err_msg=key + " gradients")

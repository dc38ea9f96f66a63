"""`tf.fftnd`, `tf.ifftnd`, `tf.rfftnd`, `tf.irfftnd` (ops FFTND, IFFTND, RFFTND, IRFFTND)
compared with TF: the graph, dtypes, static shapes (TF keeps the input's shape whatever
fft_length says) and no gradient. TF 2.21 has GPU kernels only, so values are checked against
numpy's n-D transforms."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = """
xv = (np.arange(24).reshape(2, 3, 4) + 1j * np.cos(np.arange(24)).reshape(2, 3, 4))
cases = [([3, 4], [1, 2]), ([2, 6], [1, 2]), ([5], [-1]), ([2, 3, 4], [0, 1, 2]), ([4], [0])]
out = {"graph": [], "grad": []}
fetch = []
with tf.Graph().as_default():
    x = tf.constant(xv.astype(np.complex64))
    r = tf.constant(xv.real.astype(np.float64))
    for fl, ax in cases:
        ys = [tf.fftnd(x, fl, ax), tf.ifftnd(x, fl, ax, name="inv"),
              tf.rfftnd(r, fl, ax), tf.rfftnd(r, fl, ax, Tcomplex=tf.complex128),
              tf.irfftnd(x, fl, ax), tf.irfftnd(tf.cast(x, tf.complex128), fl, ax,
                                               Treal=tf.float64)]
        out["graph"].append([[y.op.type, y.op.name, y.dtype.name, y.shape.as_list(),
                              [i.op.type for i in y.op.inputs]] for y in ys])
        fetch += ys
    p = tf.placeholder(tf.int32, [2])
    out["graph"].append(tf.fftnd(x, p, [1, 2]).shape.as_list())
    for y in fetch[:6]:
        try:
            tf.gradients(tf.reduce_sum(tf.abs(y)), x if y.op.type != "RFFTND" else r)
        except LookupError as e:
            out["grad"].append("No gradient defined for operation" in str(e))
    if not IS_TF:
        with tf.Session() as s:
            vals = s.run(fetch)
"""


def _ours():
    scope = {"tf": tf, "np": np, "IS_TF": False}
    exec(PROGRAM, scope)
    return scope


def test_nd_transforms_match_numpy():
    scope = _ours()
    xv, vals = scope["xv"], scope["vals"]
    for i, (fl, ax) in enumerate(scope["cases"]):
        got = vals[6 * i : 6 * i + 6]
        want = [
            np.fft.fftn(xv, fl, ax),
            np.fft.ifftn(xv, fl, ax),
            np.fft.rfftn(xv.real, fl, ax),
            np.fft.rfftn(xv.real, fl, ax),
            np.fft.irfftn(xv, fl, ax),
            np.fft.irfftn(xv, fl, ax),
        ]
        dtypes = [np.complex64, np.complex64, np.complex64, np.complex128, np.float32, np.float64]
        for g, w, d in zip(got, want, dtypes):
            assert g.dtype == d and g.shape == w.shape
            np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-3)


@pytest.mark.tf
@requires_tf
def test_nd_transforms_graph_matches_tf():
    theirs = run_tf_json("IS_TF = True\n" + PROGRAM + "\nprint(json.dumps(out))")
    ours = json.loads(json.dumps(_ours()["out"]))
    assert ours == theirs
    assert theirs["grad"] == [True] * 6

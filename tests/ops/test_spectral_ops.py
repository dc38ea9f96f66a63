"""FFT / IFFT (1-D, 2-D, 3-D) and their gradients, compared with TF."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
re = tf.reshape(tf.range(24.) * 0.25, [2, 3, 4])
im = tf.reshape(tf.cos(tf.range(24.)), [2, 3, 4])
x = tf.complex(re, im)
x64 = tf.complex(tf.cast(re, tf.float64), tf.cast(im, tf.float64))
outs = [tf.fft(x), tf.ifft(x), tf.fft2d(x), tf.ifft2d(x), tf.fft3d(x64), tf.ifft3d(x64)]
w = tf.reshape(tf.range(24.), [2, 3, 4])
grads = []
for o in outs[:4]:
    grads += tf.gradients(tf.reduce_sum(tf.real(o) * w + tf.imag(o)), [x])
grads += tf.gradients(tf.reduce_sum(tf.real(outs[4]) * tf.cast(w, tf.float64)), [x64])
grads += tf.gradients(tf.reduce_sum(tf.imag(outs[5]) * tf.cast(w, tf.float64)), [x64])
result = {
    "ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
    "shapes": [str(o.shape) for o in outs],
    "dtypes": [o.dtype.name for o in outs + grads],
}
try:
    tf.fft2d(tf.complex(1., 2.))
except ValueError as e:
    result["error"] = str(e).split(" for '")[0]
with tf.Session() as s:
    vals = s.run(outs + grads)
    result["values"] = [[np.real(v).tolist(), np.imag(v).tolist()] for v in vals]
"""


def _close(a, b) -> bool:
    return np.allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-4)


@pytest.mark.tf
@requires_tf
def test_fft_ops_match_tf():
    here, theirs = run_both(PROGRAM)
    for key in theirs:
        if key == "values":  # (TF's complex64 FFT rounds differently from numpy's)
            assert all(_close(a, b) for a, b in zip(here[key], theirs[key]))
        else:
            assert here[key] == theirs[key], key


def test_fft_ops():
    r = run_here(PROGRAM)
    assert r["shapes"] == ["(2, 3, 4)"] * 6


@pytest.mark.parametrize("op", ["fft", "ifft", "fft2d", "ifft3d"])
def test_fft_numerical_gradient(op):
    rng = np.random.RandomState(0)
    x0 = rng.randn(2, 2, 3) + 1j * rng.randn(2, 2, 3)
    w = rng.randn(2, 2, 3)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.complex128, x0.shape)
        y = getattr(tf, op)(x)
        loss = tf.reduce_sum(tf.real(y) * w + 2.0 * tf.imag(y) * w)
        (g,) = tf.gradients(loss, [x])
        with tf.Session() as s:
            got = s.run(g, {x: x0})
            num = np.zeros_like(x0)
            for i in np.ndindex(*x0.shape):
                e = np.zeros_like(x0)
                e[i] = 1e-6
                d_re = (s.run(loss, {x: x0 + e}) - s.run(loss, {x: x0 - e})) / 2e-6
                d_im = (s.run(loss, {x: x0 + 1j * e}) - s.run(loss, {x: x0 - 1j * e})) / 2e-6
                num[i] = d_re + 1j * d_im
    np.testing.assert_allclose(got, num, rtol=1e-6, atol=1e-8)

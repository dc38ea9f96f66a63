"""FakeQuantWithMinMax{Args,Vars,VarsPerChannel} and their *Gradient ops: values (bit
for bit), gradients, shapes and errors compared with TF on random inputs, inputs
outside [min, max] and on the nudged boundaries, narrow_range and num_bits 2..16."""

from __future__ import annotations

import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
rng = np.random.RandomState(7)
def bits(v):
    return np.asarray(v, np.float32).view(np.uint32).tolist()
x = (rng.randn(6, 5) * 4).astype(np.float32)
x[0, :] = [-6.0, 6.0, 0.0, -5.9765625, 5.9765625]
fetch = []
ranges = [(-6.0, 6.0), (-1.0, 2.5), (0.1, 3.0), (-3.7, -0.2), (-0.3, 0.7), (-1e-3, 1e-3)]
for num_bits in range(2, 17):
    for narrow in (False, True):
        mn, mx = ranges[num_bits % len(ranges)]
        fetch.append(tf.fake_quant_with_min_max_args(x, mn, mx, num_bits, narrow))
        fetch.append(tf.quantization.fake_quant_with_min_max_args_gradient(
            x * 0.5, x, min=mn, max=mx, num_bits=num_bits, narrow_range=narrow))
        fetch.append(tf.fake_quant_with_min_max_vars(x, mn, mx, num_bits=num_bits,
                                                     narrow_range=narrow))
        fetch.extend(tf.fake_quant_with_min_max_vars_gradient(
            x + 1, x, mn, mx, num_bits=num_bits, narrow_range=narrow))
        mins = np.array([r[0] for r in ranges[:5]], np.float32)
        maxs = np.array([r[1] for r in ranges[:5]], np.float32)
        fetch.append(tf.fake_quant_with_min_max_vars_per_channel(x, mins, maxs, num_bits,
                                                                 narrow))
        fetch.extend(tf.quantization.fake_quant_with_min_max_vars_per_channel_gradient(
            x - 1, x, mins, maxs, num_bits, narrow))
# min == max == 0, min > max (Vars checks nothing), 4-D per channel
fetch.append(tf.fake_quant_with_min_max_vars(x, 0.0, 0.0))
fetch.extend(tf.fake_quant_with_min_max_vars_gradient(x, x, 0.0, 0.0))
fetch.append(tf.fake_quant_with_min_max_vars(x, 2.0, -1.0))
x4 = rng.uniform(-2, 2, (2, 3, 2, 3)).astype(np.float32)
fetch.append(tf.fake_quant_with_min_max_vars_per_channel(x4, [-1.0, 0.0, -0.5], [1.0, 0.0, 0.25]))
fetch.extend(tf.fake_quant_with_min_max_vars_per_channel_gradient(
    x4, x4, [-1.0, 0.0, -0.5], [1.0, 0.0, 0.25]))
# gradients through the ops
xv = tf.constant(x)
mnv, mxv = tf.constant(-1.5), tf.constant(2.0)
pmin, pmax = tf.constant(mins), tf.constant(maxs)
ys = [tf.fake_quant_with_min_max_args(xv, -2.0, 1.0, num_bits=4),
      tf.fake_quant_with_min_max_vars(xv, mnv, mxv, narrow_range=True),
      tf.fake_quant_with_min_max_vars_per_channel(xv, pmin, pmax, num_bits=3)]
# (one gradient per op: no AddN, whose order of summation is not this test's matter)
grads = [g for y, w in zip(ys, ([xv], [xv, mnv, mxv], [xv, pmin, pmax]))
         for g in tf.gradients(tf.reduce_sum(y * y), w)]
ph = tf.placeholder(tf.float32, [None, 3])
result = {
    "shapes": [str(t.shape) for t in fetch] + [
        str(tf.fake_quant_with_min_max_vars_per_channel(ph, [0.0] * 3, [1.0] * 3).shape),
        str(tf.fake_quant_with_min_max_vars_per_channel_gradient(ph, ph, [0.0] * 3,
                                                                 [1.0] * 3)[1].shape)],
    "types": sorted(o.type for o in tf.get_default_graph().get_operations()
                    if "gradients" in o.name and "FakeQuant" in o.type),
}
with tf.Session() as s:
    result["values"] = [bits(v) for v in s.run(fetch + grads)]
"""

ERRORS = """
x = np.linspace(-3, 3, 7).astype(np.float32)
def run(f):
    try:
        with tf.Graph().as_default():
            t = f()
            with tf.Session() as s:
                s.run(t)
        return "ok"
    except (tf.errors.OpError, ValueError) as e:
        msg = e.message if isinstance(e, tf.errors.OpError) else str(e)
        skip = (" ", "Graph", "Det", "Node:")
        lines = [l for l in msg.splitlines() if l and not l.startswith(skip)]
        key = lines[0] if isinstance(e, tf.errors.OpError) else ""
        return type(e).__name__ + ": " + key
cases = [
    lambda: tf.fake_quant_with_min_max_args(x, min=1.0, max=-1.5),
    lambda: tf.fake_quant_with_min_max_args(x, min=1.0, max=1.0),
    lambda: tf.fake_quant_with_min_max_args(x, num_bits=1),
    lambda: tf.fake_quant_with_min_max_args(x, num_bits=17, narrow_range=True),
    lambda: tf.fake_quant_with_min_max_args_gradient(x, x, num_bits=0),
    lambda: tf.fake_quant_with_min_max_args_gradient(x, x[:3]),
    lambda: tf.fake_quant_with_min_max_vars(x, 0.0, 0.0, num_bits=17),
    lambda: tf.fake_quant_with_min_max_vars_gradient(x, x, 0.0, 1.0, num_bits=1),
    lambda: tf.fake_quant_with_min_max_vars_per_channel(x, [0.0], [1.0], num_bits=18),
    lambda: tf.fake_quant_with_min_max_vars_per_channel(
        tf.placeholder_with_default(x.reshape(7, 1), None), [0.0, 1.0], [1.0, 2.0]),
    lambda: tf.fake_quant_with_min_max_vars_per_channel_gradient(
        tf.placeholder_with_default(x.reshape(7, 1), None), x.reshape(7, 1), [0.0], [1.0, 2.0]),
    lambda: tf.fake_quant_with_min_max_vars(x, [1.0], [2.0]),
    lambda: tf.fake_quant_with_min_max_vars_per_channel(x.reshape(7, 1), [0.0, 1.0], [1.0, 2.0]),
    lambda: tf.fake_quant_with_min_max_vars_per_channel(x.reshape(7, 1), 0.0, 1.0),
    lambda: tf.fake_quant_with_min_max_vars_gradient(x, x[:3], 0.0, 1.0),
]
result = [run(c) for c in cases]
"""


@pytest.mark.tf
@requires_tf
def test_fake_quant_matches_tf():
    here, theirs = run_both(PROGRAM)
    assert here["shapes"] == theirs["shapes"]
    assert here["types"] == theirs["types"]
    assert len(here["values"]) == len(theirs["values"])
    for i, (a, b) in enumerate(zip(here["values"], theirs["values"])):
        assert a == b, i


@pytest.mark.tf
@requires_tf
def test_fake_quant_errors_match_tf():
    here, theirs = run_both(ERRORS)
    assert here == theirs


def test_fake_quant_values():
    import numpy as np

    import tfgraph as tf

    x = np.array([-7.0, -6.9, -0.03, 0.02, 5.99, 7.0], np.float32)
    with tf.Graph().as_default(), tf.Session() as s:
        out = s.run(tf.quantization.fake_quant_with_min_max_args(x))
    step = np.float32(12.0) / np.float32(255.0)
    assert out[0] == out[1] and out[-1] == out[-2] and out[3] == 0.0
    assert np.allclose(out[-1] - out[0], 255 * step)
    r = run_here(ERRORS)
    assert r[0].startswith("InvalidArgumentError: min has to be smaller than max")

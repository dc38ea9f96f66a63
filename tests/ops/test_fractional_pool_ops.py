"""FractionalMaxPool / FractionalAvgPool (+ gradients) compared with TF: the pooling
sequences drawn from TF's Philox stream bit for bit (random and pseudo-random, seeded),
overlapping regions, values, gradients, static shapes and errors."""

from __future__ import annotations

import numpy as np
import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = r"""
def run(s, t):
    try:
        return s.run(t)
    except tf.errors.OpError as e:
        lines = [ln for ln in e.message.splitlines()
                 if ln.strip() and "[[" not in ln and not ln.startswith(("Node:", "  "))]
        return [type(e).__name__, lines[-1]]
x = tf.constant((np.arange(2 * 9 * 7 * 2) * 37 % 23).reshape(2, 9, 7, 2).astype(np.float32))
xi = tf.cast(x, tf.int32)
fm, fa = tf.nn.fractional_max_pool, tf.nn.fractional_avg_pool
outs = [
  fm(x, [1, 1.44, 1.73, 1], deterministic=True, seed=1, seed2=2),
  fm(x, [1, 1.44, 1.73, 1], pseudo_random=True, deterministic=True, seed=1, seed2=2),
  fm(x, [1, 2.0, 1.5, 1], overlapping=True, deterministic=True, seed=123456789012, seed2=7),
  fa(x, [1, 1.44, 1.73, 1], pseudo_random=True, overlapping=True, deterministic=True, seed=5,
     seed2=9),
  fa(x, [1, 1.2, 2.5, 1], deterministic=True, seed=11, seed2=3),
  fa(xi, [1, 1.44, 1.73, 1], deterministic=True, seed=11, seed2=3),
  fm(xi, [1, 1.44, 1.73, 1], overlapping=True, pseudo_random=True, deterministic=True, seed=2,
     seed2=3),
  fa(tf.cast(x, tf.float64), [1, 3.0, 1.0, 1], pseudo_random=True, deterministic=True, seed=4,
     seed2=4),
]
dy = tf.constant(np.linspace(-1, 1, 2 * 6 * 4 * 2).reshape(2, 6, 4, 2).astype(np.float32))
grads = [tf.gradients(o[0], x, grad_ys=dy)[0] for o in outs[:2]] + [
  tf.gradients(tf.reduce_sum(outs[2][0] * outs[2][0]), x)[0],
  tf.gradients(outs[3][0], x, grad_ys=dy)[0],
  tf.gradients(tf.reduce_sum(outs[4][0] * 3.0), x)[0],
]
ph = tf.placeholder(tf.float32, [None, 9, None, 2])
unk = fa(ph, [1, 1.44, 1.73, 1])
bad = [fa(x, [1, 10, 1.73, 1]), fa(x, [1, 1, 1.73, 1], seed=3), fm(x, [2, 1.5, 1.5, 2])]
result = {
  "ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
  "shapes": [[str(t.shape) for t in o] for o in outs] + [str(g.shape) for g in grads]
            + [str(t.shape) for t in unk],
}
with tf.Session() as s:
    result["values"] = s.run(outs)
    result["again"] = s.run(outs[:2])
    result["grads"] = s.run(grads)
    r = s.run(unk, {ph: np.zeros([1, 9, 7, 2], np.float32)})
    result["unk"] = [r[0].shape, r[1].shape, r[2].shape]
    result["errors"] = [run(s, b) for b in bad]
"""


@pytest.mark.tf
@requires_tf
def test_fractional_pools_match_tf():
    here, theirs = run_both(PROGRAM)
    for key in ("ops", "shapes", "again", "unk", "errors"):
        assert here[key] == theirs[key], key
    for key in ("values", "grads"):
        for mine, tf_value in zip(here[key], theirs[key]):
            if isinstance(mine, list) and len(mine) == 3 and key == "values":
                assert mine[1:] == tf_value[1:]  # the sequences, exactly
                mine, tf_value = mine[0], tf_value[0]
            np.testing.assert_allclose(mine, tf_value, rtol=1e-6, atol=1e-6)


def test_unseeded_pools_cover_the_input():
    code = """
x = tf.constant(np.arange(1 * 10 * 10 * 1, dtype=np.float32).reshape(1, 10, 10, 1))
out, rows, cols = tf.nn.fractional_max_pool(x, [1, 1.5, 1.5, 1])
with tf.Session() as s:
    result = {"v": s.run([out, rows, cols])}
"""
    out, rows, cols = run_here(code)["v"]
    assert rows[0] == 0 and rows[-1] == 10 and len(rows) == 7
    assert set(np.diff(rows).tolist()) <= {1, 2} and set(np.diff(cols).tolist()) <= {1, 2}
    assert np.asarray(out)[0, :, :, 0].tolist() == [
        [10 * (r - 1) + c - 1 for c in cols[1:]] for r in rows[1:]
    ]

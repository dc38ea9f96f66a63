"""tf.linalg's logdet, matvec, normalize, pinv, matrix_rank, lu/lu_solve/
lu_matrix_inverse/lu_reconstruct and logm against TF: values, gradients, shapes."""

from __future__ import annotations

import numpy as np
import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
rng = np.random.RandomState(0)
a_np = rng.randn(4, 4).astype(np.float32)
a = tf.constant(a_np, name="a")
spd = tf.constant(a_np @ a_np.T + 4 * np.eye(4, dtype=np.float32), name="spd")
batch = tf.constant(rng.randn(2, 3, 3).astype(np.float32), name="batch")
rect = tf.constant(np.array([[1., 2., 3.], [2., 4., 6.], [1., 0., 1.], [0., 0., 0.]],
                            np.float32), name="rect")
v = tf.constant([1.0, -2.0, 0.5, 3.0], name="v")
b = tf.constant(rng.randn(4, 2).astype(np.float32), name="b")
lu_, p = tf.linalg.lu(a)
blu, bp = tf.linalg.lu(batch)
outs = {
    "logdet": tf.linalg.logdet(spd), "matvec": tf.linalg.matvec(a, v),
    "matvec_t": tf.linalg.matvec(a, v, transpose_a=True),
    "normalize": tf.linalg.normalize(a)[0], "norm_of": tf.linalg.normalize(a, axis=1)[1],
    "pinv": tf.linalg.pinv(rect), "rank": tf.linalg.matrix_rank(rect),
    "rank_full": tf.linalg.matrix_rank(a), "lu": lu_, "p": p, "blu": blu, "bp": bp,
    "lu_solve": tf.linalg.lu_solve(lu_, p, b),
    "lu_inv": tf.linalg.lu_matrix_inverse(lu_, p),
    "lu_rec": tf.linalg.lu_reconstruct(lu_, p),
    "blu_rec": tf.linalg.lu_reconstruct(blu, bp),
    "blu_inv": tf.linalg.lu_matrix_inverse(blu, bp),
    "logm": tf.math.real(tf.linalg.logm(tf.cast(spd, tf.complex64))),
}
grads = tf.gradients(tf.reduce_sum(outs["logdet"]) + tf.reduce_sum(outs["pinv"] ** 2)
                     + tf.reduce_sum(outs["lu_solve"]) + tf.reduce_sum(outs["matvec"] ** 2),
                     [spd, rect, b, v])
lookup = []
try:
    tf.gradients(tf.reduce_sum(outs["lu"]), a)
except LookupError as e:
    lookup.append(str(e).split(".")[0])
result = {"lookup": lookup, "shapes": {k: str(t.shape) for k, t in outs.items()},
          "dtypes": {k: t.dtype.name for k, t in outs.items()}}
with tf.Session() as s:
    vals = s.run(outs)
    result["values"] = {k: np.round(np.asarray(x, np.float64), 3).tolist() for k, x in vals.items()}
    result["grads"] = [np.round(g, 3).tolist() for g in s.run(grads)]
"""


@pytest.mark.tf
@requires_tf
def test_linalg_more_matches_tf():
    here, theirs = run_both(PROGRAM)
    assert here["shapes"] == theirs["shapes"] and here["dtypes"] == theirs["dtypes"]
    assert here["lookup"] == theirs["lookup"]
    for k in here["values"]:
        np.testing.assert_allclose(here["values"][k], theirs["values"][k], atol=5e-3, err_msg=k)
    for g1, g2 in zip(here["grads"], theirs["grads"], strict=True):
        np.testing.assert_allclose(g1, g2, atol=5e-3)


def test_linalg_more():
    r = run_here(PROGRAM)
    v = r["values"]
    np.testing.assert_allclose(v["lu_rec"], np.array(v["lu_rec"]), atol=0)
    assert v["rank"] == 2 and v["rank_full"] == 4
    a = np.random.RandomState(0).randn(4, 4)
    np.testing.assert_allclose(v["lu_rec"], a, atol=2e-3)
    np.testing.assert_allclose(np.array(v["lu_inv"]) @ a, np.eye(4), atol=2e-2)

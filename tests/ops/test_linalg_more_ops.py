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


# -- Eig (TF2's tf.linalg.eig / eigvals; TF1 has no public name for it) ---------------------
_EIG = """
import json
rng = np.random.RandomState(3)
a_np = np.array([[2.0, 1.0, 0.0], [0.5, 3.0, 1.0], [0.2, 0.1, 1.0]], np.float32)
x = tf.placeholder(tf.float32, [None, 3, 3], name="x")
x64 = tf.constant(rng.randn(4, 4), name="x64")
xc = tf.constant((rng.randn(3, 3) + 1j * rng.randn(3, 3)).astype(np.complex64), name="xc")
e, v = EIG(x)
ev = EIGVALS(x, name="vals")
e64, v64 = EIG(x64)
ec = EIGVALS(xc)
loss = tf.reduce_sum(tf.math.real(e) ** 2) + tf.reduce_sum(tf.abs(v))
g = tf.gradients(loss, x)[0]
gv = tf.gradients(tf.reduce_sum(tf.math.real(ev) ** 3), x)[0]
def srt(z):
    z = np.asarray(z)
    return np.sort_complex(z.reshape(-1, z.shape[-1]))
with tf.Session() as s:
    r = s.run({"e": e, "v": v, "e64": e64, "v64": v64, "ec": ec, "g": g, "gv": gv},
              {x: np.stack([a_np, a_np.T + np.eye(3, dtype=np.float32)])})
resid = [np.abs(m @ r["v"][i] - r["v"][i] * r["e"][i]).max() for i, m in
         enumerate([a_np, a_np.T + np.eye(3)])]
print(json.dumps({
    "types": [t.op.type for t in (e, ev)], "names": [e.op.name, ev.op.name],
    "dtypes": [t.dtype.name for t in (e, v, e64, v64, ec)],
    "shapes": [str(t.shape) for t in (e, v, ev, e64, v64, ec)],
    "compute_v": [e.op.get_attr("compute_v"), ev.op.get_attr("compute_v")],
    "e": [[z.real, z.imag] for z in srt(r["e"]).ravel().tolist()],
    "e64": [[z.real, z.imag] for z in srt(r["e64"]).ravel().tolist()],
    "ec": [[z.real, z.imag] for z in srt(r["ec"]).ravel().tolist()],
    "unit": bool(np.abs(np.linalg.norm(r["v"], axis=-2) - 1).max() < 1e-5),
    "resid": bool(max(resid) < 1e-4),
    "g": r["g"].tolist(), "gv": r["gv"].tolist(),
}))
"""


@pytest.mark.tf
@requires_tf
def test_eig_matches_tensorflow():
    from tests import tfrun

    theirs = tfrun.run_tf_json(
        "import tensorflow as tf2\n"
        + _EIG.replace("EIGVALS", "tf2.linalg.eigvals").replace("EIG", "tf2.linalg.eig")
    )
    ours = tfrun.run_here_json(
        "from tfgraph.ops.linalg_more_ops import eig, eigvals\n"
        + _EIG.replace("EIGVALS", "eigvals").replace("EIG", "eig")
    )
    for key in ("types", "names", "dtypes", "shapes", "compute_v", "unit", "resid"):
        assert ours[key] == theirs[key], key
    for key in ("e", "e64", "ec", "g", "gv"):
        np.testing.assert_allclose(ours[key], theirs[key], rtol=2e-4, atol=2e-4, err_msg=key)


_BANDED = """
import json
import numpy as np
rng = np.random.RandomState(1)
bl = tf.constant(rng.uniform(1, 2, (2, 3, 4)), name="bl")
bu = tf.constant(rng.uniform(1, 2, (3, 4)), name="bu")
rhs = tf.constant(rng.randn(2, 4, 2), name="rhs")
o1 = BTS(bl, rhs)
o2 = BTS(bu, rhs, lower=False, adjoint=True, name="up")
o3 = BTS(bl[0, :2], rhs[0], adjoint=True)
g = tf.gradients(tf.reduce_sum(o1 ** 2) + tf.reduce_sum(o2 * 3) + tf.reduce_sum(o3), [bl, bu, rhs])
with tf.Session() as s:
    r = s.run([o1, o2, o3] + g)
print(json.dumps({"names": [o1.name, o2.name, o2.op.type],
                  "shapes": [str(t.shape) for t in (o1, o2, o3)],
                  "v": [x.tolist() for x in r]}))
"""


@pytest.mark.tf
@requires_tf
def test_banded_triangular_solve_matches_tensorflow():
    from tests import tfrun

    theirs = tfrun.run_tf_json(
        "import tensorflow as tf2\n" + _BANDED.replace("BTS", "tf2.linalg.banded_triangular_solve")
    )
    ours = tfrun.run_here_json(
        "from tfgraph.ops.linalg_more_ops import banded_triangular_solve\n"
        + _BANDED.replace("BTS", "banded_triangular_solve")
    )
    assert ours["names"] == theirs["names"] and ours["shapes"] == theirs["shapes"]
    for i, (a, b) in enumerate(zip(ours["v"], theirs["v"])):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=str(i))


def test_banded_triangular_solve_shape_errors():
    import tfgraph as tf
    from tfgraph.ops.linalg_more_ops import banded_triangular_solve

    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Dimensions must be equal, but are 4 and 3"):
            banded_triangular_solve(tf.ones([2, 4]), tf.ones([3, 1]))
        with pytest.raises(ValueError, match="at least rank 2"):
            banded_triangular_solve(tf.ones([2, 4]), tf.ones([4]))

"""tf.linalg.LinearOperator* against TF: every public method's values, shapes and
dtypes on batched float32/float64 operators, hints, gradients and TF's errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

# Runs every method of each operator in OPS (built by the snippet before it) and
# records static facts plus the values of all tensors in one session run.
HARNESS = """
def _facts(op):
    return {"shape": str(op.shape), "batch_shape": str(op.batch_shape),
            "domain": str(op.domain_dimension), "range": str(op.range_dimension),
            "rank": op.tensor_rank, "dtype": op.dtype.name,
            "hints": [op.is_non_singular, op.is_self_adjoint, op.is_positive_definite,
                      op.is_square]}

def _methods(op, x, v, square=True):
    xa, va = x, v
    if not square:
        m = op.shape[-2].value
        xa = tf.reshape(tf.cast(tf.range(2 * m * 4), op.dtype) / 7.0, [2, m, 4])
        va = xa[..., 0]
    out = {"dense": op.to_dense(), "shape_t": op.shape_tensor(),
           "batch_t": op.batch_shape_tensor(), "dd": op.domain_dimension_tensor(),
           "rd": op.range_dimension_tensor(), "rank_t": op.tensor_rank_tensor(),
           "matmul": op.matmul(x), "matmul_a": op.matmul(xa, adjoint=True),
           "matmul_aa": op.matmul(tf.linalg.adjoint(x), adjoint_arg=True),
           "at": op @ x, "matvec": op.matvec(v), "matvec_a": op.matvec(va, adjoint=True),
           "diag_part": op.diag_part(), "trace": op.trace(),
           "add": op.add_to_tensor(op.to_dense()), "cond": op.cond()}
    if square:
        out.update({"det": op.determinant(), "logdet": op.log_abs_determinant(),
                    "solve": op.solve(x), "solve_a": op.solve(x, adjoint=True),
                    "solve_aa": op.solve(tf.linalg.adjoint(x), adjoint_arg=True),
                    "solvevec": op.solvevec(v), "solvevec_a": op.solvevec(v, adjoint=True),
                    "inv_dense": op.inverse().to_dense(), "adj_dense": op.H.to_dense()})
        if op.is_self_adjoint:
            out["eigvals"] = op.eigvals()
        if op.is_self_adjoint and op.is_positive_definite:
            out["chol"] = op.cholesky().to_dense()
    return out

facts, tensors = {}, {}
for key, (op, x, v, square) in OPS.items():
    facts[key] = _facts(op)
    ts = _methods(op, x, v, square)
    tensors[key] = ts
    facts[key]["out_shapes"] = {k: str(t.shape) for k, t in ts.items()}
    facts[key]["out_dtypes"] = {k: t.dtype.name for k, t in ts.items()}
with tf.Session() as s:
    vals = s.run(tensors)
def _num(a):
    a = np.asarray(a)
    if np.iscomplexobj(a):
        a = np.stack([a.real, a.imag])
    return a.astype(np.float64).round(4).tolist()
result = {"facts": facts,
          "values": {k: {m: _num(a) for m, a in d.items()} for k, d in vals.items()}}
"""

BASIC = """
rng = np.random.RandomState(1)
def mat(shape, dt):
    a = rng.randn(*shape)
    return (a + 3 * np.eye(shape[-1])).astype(dt)
def spd(shape, dt):
    a = rng.randn(*shape)
    return (a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])).astype(dt)
OPS = {}
for dt, tdt in [("float32", tf.float32), ("float64", tf.float64)]:
    x = tf.constant(rng.randn(2, 3, 4).astype(dt))
    v = tf.constant(rng.randn(2, 3).astype(dt))
    OPS["full_" + dt] = (tf.linalg.LinearOperatorFullMatrix(mat((2, 3, 3), dt)), x, v, True)
    OPS["full_spd_" + dt] = (tf.linalg.LinearOperatorFullMatrix(
        spd((2, 3, 3), dt), is_self_adjoint=True, is_positive_definite=True), x, v, True)
    OPS["diag_" + dt] = (tf.linalg.LinearOperatorDiag(
        (rng.rand(2, 3) + 0.5).astype(dt), is_positive_definite=True), x, v, True)
    OPS["tril_" + dt] = (tf.linalg.LinearOperatorLowerTriangular(mat((2, 3, 3), dt)), x, v, True)
    OPS["id_" + dt] = (tf.linalg.LinearOperatorIdentity(3, batch_shape=[2], dtype=tdt),
                       x, v, True)
    OPS["sid_" + dt] = (tf.linalg.LinearOperatorScaledIdentity(
        3, np.array([2.0, -0.5], dt)), x, v, True)
    OPS["rect_" + dt] = (tf.linalg.LinearOperatorFullMatrix(rng.randn(2, 3, 3).astype(dt)[..., :2]),
                         tf.constant(rng.randn(2, 2, 4).astype(dt)),
                         tf.constant(rng.randn(2, 2).astype(dt)), False)
"""

COMPOSITE = """
rng = np.random.RandomState(2)
def mat(shape, dt):
    return (rng.randn(*shape) + 3 * np.eye(shape[-1])).astype(dt)
OPS = {}
for dt in ["float32", "float64"]:
    x = tf.constant(rng.randn(2, 4, 3).astype(dt))
    v = tf.constant(rng.randn(2, 4).astype(dt))
    a = tf.linalg.LinearOperatorFullMatrix(mat((2, 4, 4), dt))
    d = tf.linalg.LinearOperatorDiag((rng.rand(4) + 1).astype(dt))
    t = tf.linalg.LinearOperatorLowerTriangular(mat((4, 4), dt))
    OPS["comp_" + dt] = (tf.linalg.LinearOperatorComposition([a, d, t]), x, v, True)
    OPS["adj_" + dt] = (tf.linalg.LinearOperatorAdjoint(a), x, v, True)
    OPS["inv_" + dt] = (tf.linalg.LinearOperatorInversion(t), x, v, True)
    b1 = tf.linalg.LinearOperatorFullMatrix(mat((2, 3, 3), dt))
    b2 = tf.linalg.LinearOperatorDiag((rng.rand(1) + 1).astype(dt))
    OPS["block_" + dt] = (tf.linalg.LinearOperatorBlockDiag([b1, b2]), x, v, True)
    k1 = tf.linalg.LinearOperatorFullMatrix(mat((2, 2, 2), dt))
    k2 = tf.linalg.LinearOperatorLowerTriangular(mat((2, 2), dt))
    OPS["kron_" + dt] = (tf.linalg.LinearOperatorKronecker([k1, k2]), x, v, True)
    OPS["kron_pd_" + dt] = (tf.linalg.LinearOperatorKronecker(
        [tf.linalg.LinearOperatorDiag(np.array([1., 2.], dt), is_positive_definite=True),
         tf.linalg.LinearOperatorScaledIdentity(2, np.array(3., dt),
                                                is_positive_definite=True)]), x, v, True)
"""

MORE = """
rng = np.random.RandomState(3)
OPS = {}
for dt in ["float32", "float64"]:
    x = tf.constant(rng.randn(2, 4, 3).astype(dt))
    v = tf.constant(rng.randn(2, 4).astype(dt))
    base = tf.linalg.LinearOperatorDiag((rng.rand(2, 4) + 1).astype(dt), is_positive_definite=True)
    u = rng.randn(2, 4, 2).astype(dt)
    OPS["lru_chol_" + dt] = (tf.linalg.LinearOperatorLowRankUpdate(base, u), x, v, True)
    OPS["lru_diag_" + dt] = (tf.linalg.LinearOperatorLowRankUpdate(
        base, u, diag_update=(rng.rand(2) + 0.5).astype(dt), is_diag_update_positive=True),
        x, v, True)
    full = tf.linalg.LinearOperatorFullMatrix(
        (rng.randn(4, 4) + 4 * np.eye(4)).astype(dt))
    OPS["lru_uv_" + dt] = (tf.linalg.LinearOperatorLowRankUpdate(
        full, u, diag_update=(rng.rand(2, 2) + 0.5).astype(dt),
        v=rng.randn(2, 4, 2).astype(dt)), x, v, True)
    OPS["perm_" + dt] = (tf.linalg.LinearOperatorPermutation(
        np.array([[2, 0, 3, 1], [3, 2, 1, 0]], np.int32), dtype=dt), x, v, True)
    OPS["house_" + dt] = (tf.linalg.LinearOperatorHouseholder(
        rng.randn(2, 4).astype(dt)), x, v, True)
    OPS["zeros_" + dt] = (tf.linalg.LinearOperatorZeros(4, batch_shape=[2], dtype=dt),
                          x, v, False)
    OPS["zeros_rect_" + dt] = (tf.linalg.LinearOperatorZeros(
        3, 4, is_square=False, is_self_adjoint=False, dtype=dt),
                               x, v, False)
"""

STRUCTURED = """
rng = np.random.RandomState(4)
OPS = {}
for dt, cdt in [("float32", "complex64"), ("float64", "complex128")]:
    x = tf.constant(rng.randn(2, 4, 3).astype(dt))
    v = tf.constant(rng.randn(2, 4).astype(dt))
    kernel = rng.randn(2, 4).astype(dt)
    kernel[:, 0] += 5
    spectrum = tf.cast(tf.signal.fft(tf.cast(kernel, cdt)), cdt)
    OPS["circ_" + dt] = (tf.linalg.LinearOperatorCirculant(
        spectrum, input_output_dtype=dt), x, v, True)
    OPS["circ_pd_" + dt] = (tf.linalg.LinearOperatorCirculant(
        (rng.rand(2, 4) + 1).astype(dt), input_output_dtype=dt,
        is_positive_definite=True), x, v, True)
    k2 = rng.randn(2, 2).astype(dt)
    k2[0, 0] += 4
    OPS["circ2d_" + dt] = (tf.linalg.LinearOperatorCirculant2D(
        tf.signal.fft2d(tf.cast(k2, cdt)), input_output_dtype=dt), x, v, True)
    k3 = rng.randn(1, 2, 2).astype(dt)
    k3[0, 0, 0] += 4
    OPS["circ3d_" + dt] = (tf.linalg.LinearOperatorCirculant3D(
        tf.signal.fft3d(tf.cast(k3, cdt)), input_output_dtype=dt), x, v, True)
    col = rng.randn(2, 4).astype(dt)
    col[:, 0] += 4
    row = rng.randn(2, 4).astype(dt)
    row[:, 0] = col[:, 0]
    OPS["toep_" + dt] = (tf.linalg.LinearOperatorToeplitz(col, row), x, v, True)
    d = rng.randn(2, 3, 4).astype(dt)
    d[:, 1] += 4
    OPS["tri_" + dt] = (tf.linalg.LinearOperatorTridiag(d), x, v, True)
    OPS["tri_seq_" + dt] = (tf.linalg.LinearOperatorTridiag(
        [d[:, 0], d[:, 1], d[:, 2]], diagonals_format="sequence"), x, v, True)
    full = np.triu(np.tril(rng.randn(2, 4, 4), 1), -1).astype(dt) + 4 * np.eye(4, dtype=dt)
    OPS["tri_mat_" + dt] = (tf.linalg.LinearOperatorTridiag(
        full, diagonals_format="matrix"), x, v, True)
"""

BLOCKS = """
rng = np.random.RandomState(5)
def mat(shape, dt):
    return (rng.randn(*shape) + 3 * np.eye(shape[-1])).astype(dt)
OPS = {}
for dt in ["float32", "float64"]:
    x = tf.constant(rng.randn(2, 5, 3).astype(dt))
    v = tf.constant(rng.randn(2, 5).astype(dt))
    a = tf.linalg.LinearOperatorFullMatrix(mat((2, 2, 2), dt))
    b = tf.linalg.LinearOperatorFullMatrix(rng.randn(3, 2).astype(dt))
    c = tf.linalg.LinearOperatorLowerTriangular(mat((3, 3), dt))
    OPS["blt2_" + dt] = (tf.linalg.LinearOperatorBlockLowerTriangular([[a], [b, c]]), x, v, True)
    d1 = tf.linalg.LinearOperatorDiag((rng.rand(1) + 1).astype(dt))
    e = tf.linalg.LinearOperatorFullMatrix(rng.randn(2, 1).astype(dt))
    f = tf.linalg.LinearOperatorFullMatrix(mat((2, 2), dt))
    g = tf.linalg.LinearOperatorFullMatrix(rng.randn(2, 1).astype(dt))
    h = tf.linalg.LinearOperatorFullMatrix(rng.randn(2, 2).astype(dt))
    k = tf.linalg.LinearOperatorDiag((rng.rand(2) + 1).astype(dt))
    OPS["blt3_" + dt] = (tf.linalg.LinearOperatorBlockLowerTriangular(
        [[d1], [e, f], [g, h, k]]), x, v, True)
"""

BLOCKWISE = """
rng = np.random.RandomState(6)
outs = {}
for dt in ["float32", "float64"]:
    a = tf.linalg.LinearOperatorFullMatrix((rng.randn(2, 2) + 3 * np.eye(2)).astype(dt))
    b = tf.linalg.LinearOperatorFullMatrix(rng.randn(3, 2).astype(dt))
    c = tf.linalg.LinearOperatorDiag((rng.rand(3) + 1).astype(dt))
    bd = tf.linalg.LinearOperatorBlockDiag([a, c])
    blt = tf.linalg.LinearOperatorBlockLowerTriangular([[a], [b, c]])
    x1 = tf.constant(rng.randn(2, 4).astype(dt))
    x2 = tf.constant(rng.randn(3, 4).astype(dt))
    v1 = tf.constant(rng.randn(2).astype(dt))
    v2 = tf.constant(rng.randn(3).astype(dt))
    for name, op in [("bd", bd), ("blt", blt)]:
        outs[name + "_mm_" + dt] = op.matmul([x1, x2])
        outs[name + "_mma_" + dt] = op.matmul([x1, x2], adjoint=True)
        outs[name + "_sv_" + dt] = op.solve([x1, x2])
        outs[name + "_sva_" + dt] = op.solve([x1, x2], adjoint=True)
        outs[name + "_mv_" + dt] = op.matvec([v1, v2])
        outs[name + "_svv_" + dt] = op.solvevec([v1, v2])
        outs[name + "_inv_" + dt] = [op.inverse().to_dense()]
        outs[name + "_op_" + dt] = [op.matmul(op).to_dense(), op.solve(op).to_dense()]
with tf.Session() as s:
    vals = s.run(outs)
result = {k: [np.asarray(a, np.float64).round(4).tolist() for a in v] for k, v in vals.items()}
"""

GRADS = """
rng = np.random.RandomState(7)
m = tf.constant((rng.randn(2, 3, 3) + 3 * np.eye(3)).astype("float64"))
d = tf.constant((rng.rand(2, 3) + 1).astype("float64"))
u = tf.constant(rng.randn(2, 3, 2).astype("float64"))
x = tf.constant(rng.randn(2, 3, 2).astype("float64"))
tri = tf.constant((rng.randn(2, 3, 3) + np.array([0, 4, 0])[:, None]).astype("float64"))
full = tf.linalg.LinearOperatorFullMatrix(m)
diag = tf.linalg.LinearOperatorDiag(d, is_positive_definite=True)
lru = tf.linalg.LinearOperatorLowRankUpdate(diag, u)
kron = tf.linalg.LinearOperatorKronecker([tf.linalg.LinearOperatorFullMatrix(m[:, :2, :2]),
                                          tf.linalg.LinearOperatorDiag(d[:, :2])])
loss = (tf.reduce_sum(full.solve(x) ** 2) + tf.reduce_sum(full.log_abs_determinant())
        + tf.reduce_sum(lru.solve(x)) + tf.reduce_sum(lru.log_abs_determinant())
        + tf.reduce_sum(kron.matmul(tf.concat([x, x[:, :1]], 1)) ** 2)
        + tf.reduce_sum(tf.linalg.LinearOperatorTridiag(tri).solve(x) ** 2)
        + tf.reduce_sum(tf.linalg.LinearOperatorCirculant(
            tf.cast(d, tf.complex128), input_output_dtype=tf.float64).matmul(x) ** 2))
grads = tf.gradients(loss, [m, d, u, x, tri])
with tf.Session() as s:
    result = [np.round(g, 5).tolist() for g in s.run(grads)]
"""

ERRORS = """
def err(f):
    try:
        f()
        return None
    except Exception as e:
        return [type(e).__name__, str(e).split(" for ")[0]]
m = tf.ones([2, 3, 3])
full = tf.linalg.LinearOperatorFullMatrix(m)
sing = tf.linalg.LinearOperatorFullMatrix(m, is_non_singular=False)
rect = tf.linalg.LinearOperatorFullMatrix(tf.ones([3, 2]))
result = [
    err(lambda: tf.linalg.LinearOperatorFullMatrix(m, is_positive_definite=True,
                                                   is_non_singular=False)),
    err(lambda: tf.linalg.LinearOperatorFullMatrix(m, is_non_singular=True, is_square=False)),
    err(lambda: tf.linalg.LinearOperatorFullMatrix(m, is_self_adjoint=True, is_square=False)),
    err(lambda: tf.linalg.LinearOperatorFullMatrix(m, is_square=False).is_square),
    err(lambda: tf.linalg.LinearOperatorFullMatrix(tf.ones([3]))),
    err(lambda: tf.linalg.LinearOperatorFullMatrix(tf.ones([3, 3], tf.int32))),
    err(lambda: sing.solve(tf.ones([2, 3, 1]))),
    err(lambda: sing.inverse()),
    err(lambda: rect.solve(tf.ones([3, 1]))),
    err(lambda: rect.determinant()),
    err(lambda: rect.inverse()),
    err(lambda: full.matmul(tf.ones([2, 4, 1]))),
    err(lambda: full.matmul(tf.ones([2, 3, 1], tf.float64))),
    err(lambda: full.matvec(tf.ones([2, 4]))),
    err(lambda: full.solvevec(tf.ones([2, 4]))),
    err(lambda: full.eigvals()),
    err(lambda: full.cholesky()),
    err(lambda: full.matmul(rect.H)),
    err(lambda: tf.linalg.LinearOperatorDiag(tf.ones([3]), is_self_adjoint=False)),
    err(lambda: tf.linalg.LinearOperatorDiag(tf.ones([3]), is_square=False)),
    err(lambda: tf.linalg.LinearOperatorIdentity(3, is_self_adjoint=False)),
    err(lambda: tf.linalg.LinearOperatorIdentity(-1)),
    err(lambda: tf.linalg.LinearOperatorIdentity(3, batch_shape=[-2])),
    err(lambda: tf.linalg.LinearOperatorIdentity(2.5)),
    err(lambda: tf.linalg.LinearOperatorScaledIdentity(3, 2.0, is_square=False)),
    err(lambda: tf.linalg.LinearOperatorLowerTriangular(m, is_square=False)),
    err(lambda: tf.linalg.LinearOperatorComposition([])),
    err(lambda: tf.linalg.LinearOperatorComposition([full, tf.linalg.LinearOperatorDiag(
        tf.ones([3], tf.float64))])),
    err(lambda: tf.linalg.LinearOperatorInversion(sing)),
    err(lambda: tf.linalg.LinearOperatorBlockDiag([full, full], is_non_singular=False) if False
        else tf.linalg.LinearOperatorBlockDiag(
            [tf.linalg.LinearOperatorDiag(tf.ones([3]), is_non_singular=True)],
            is_non_singular=False)),
    err(lambda: tf.linalg.LinearOperatorKronecker([])),
    err(lambda: tf.linalg.LinearOperatorPermutation([0, 0, 1])),
    err(lambda: tf.linalg.LinearOperatorPermutation([0.0, 1.0])),
    err(lambda: tf.linalg.LinearOperatorHouseholder(tf.ones([3]), is_positive_definite=True)),
    err(lambda: tf.linalg.LinearOperatorZeros(3, is_non_singular=True)),
    err(lambda: tf.linalg.LinearOperatorZeros(3, 4)),
    err(lambda: tf.linalg.LinearOperatorToeplitz(tf.ones([3]), tf.ones([4]))),
    err(lambda: tf.linalg.LinearOperatorTridiag(tf.ones([3, 3]), diagonals_format="bad")),
    err(lambda: tf.linalg.LinearOperatorCirculant(tf.ones([3]), is_self_adjoint=False)),
    err(lambda: tf.linalg.LinearOperatorBlockLowerTriangular([[full], [full]])),
    err(lambda: tf.linalg.LinearOperatorLowRankUpdate(
        tf.linalg.LinearOperatorDiag(tf.ones([3])), tf.ones([3, 1]),
        is_diag_update_positive=False)),
]
with tf.Session() as s:
    try:
        s.run(tf.linalg.LinearOperatorDiag(tf.constant([1.0, 0.0])).assert_non_singular())
        result.append(None)
    except Exception as e:
        result.append([type(e).__name__, "Singular operator" in str(e)])
    try:
        s.run(tf.linalg.LinearOperatorDiag(tf.constant([1.0, -1.0])).assert_positive_definite())
        result.append(None)
    except Exception as e:
        result.append([type(e).__name__, "non-positive" in str(e)])
    s.run(tf.linalg.LinearOperatorDiag(tf.constant([1.0, 2.0])).assert_non_singular())
    s.run(full.assert_self_adjoint())
"""

BROADCAST_COMPLEX = """
rng = np.random.RandomState(9)
def mat(shape, dt):
    return (rng.randn(*shape) + 3 * np.eye(shape[-1])).astype(dt)
def cmat(shape, dt):
    return (mat(shape, "float64") + 0.5j * rng.randn(*shape)).astype(dt)
OPS = {}
x = tf.constant(rng.randn(3, 3, 2))
v = tf.constant(rng.randn(3, 3))
OPS["full_b21"] = (tf.linalg.LinearOperatorFullMatrix(mat((2, 1, 3, 3), "float64")), x, v, True)
OPS["diag_b3"] = (tf.linalg.LinearOperatorDiag(rng.rand(3, 1, 3) + 1), x, v, True)
OPS["sid_b2"] = (tf.linalg.LinearOperatorScaledIdentity(3, np.array([[2.0], [3.0]])), x, v, True)
OPS["lru_b"] = (tf.linalg.LinearOperatorLowRankUpdate(
    tf.linalg.LinearOperatorDiag(rng.rand(3) + 1, is_positive_definite=True),
    rng.randn(2, 1, 3, 1)), x, v, True)
for dt in ["complex64", "complex128"]:
    xc = tf.constant((rng.randn(2, 3, 2) + 1j * rng.randn(2, 3, 2)).astype(dt))
    vc = tf.constant((rng.randn(2, 3) + 1j * rng.randn(2, 3)).astype(dt))
    OPS["cfull_" + dt] = (tf.linalg.LinearOperatorFullMatrix(cmat((2, 3, 3), dt)), xc, vc, True)
    OPS["cdiag_" + dt] = (tf.linalg.LinearOperatorDiag(
        (rng.rand(2, 3) + 1 + 1j * rng.rand(2, 3)).astype(dt)), xc, vc, True)
    OPS["ctril_" + dt] = (tf.linalg.LinearOperatorLowerTriangular(cmat((3, 3), dt)), xc, vc, True)
    OPS["ccirc_" + dt] = (tf.linalg.LinearOperatorCirculant(
        (rng.rand(2, 3) + 1 + 1j * rng.rand(2, 3)).astype(dt), input_output_dtype=dt),
        xc, vc, True)
    OPS["chouse_" + dt] = (tf.linalg.LinearOperatorHouseholder(
        (rng.randn(2, 3) + 1j * rng.randn(2, 3)).astype(dt)), xc, vc,
                           True)
"""


def _compare(here, theirs):
    assert here["facts"] == theirs["facts"]
    for key, methods in here["values"].items():
        for m, val in methods.items():
            np.testing.assert_allclose(
                val, theirs["values"][key][m], rtol=2e-3, atol=2e-3, err_msg=f"{key}.{m}"
            )


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize(
    "ops",
    [BASIC, COMPOSITE, MORE, STRUCTURED, BLOCKS, BROADCAST_COMPLEX],
    ids=["basic", "composite", "more", "structured", "blocks", "broadcast_complex"],
)
def test_methods_match_tf(ops):
    here, theirs = run_both(ops + HARNESS)
    _compare(here, theirs)


@pytest.mark.tf
@requires_tf
def test_blockwise_arguments_match_tf():
    here, theirs = run_both(BLOCKWISE)
    assert here.keys() == theirs.keys()
    for key, vals in here.items():
        assert len(vals) == len(theirs[key]), key
        for a, b in zip(vals, theirs[key], strict=True):
            np.testing.assert_allclose(a, b, rtol=2e-3, atol=2e-3, err_msg=key)


@pytest.mark.tf
@requires_tf
def test_gradients_match_tf():
    here, theirs = run_both(GRADS)
    for a, b in zip(here, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


@pytest.mark.tf
@requires_tf
def test_errors_match_tf():
    here, theirs = run_both(ERRORS)
    assert len(here) == len(theirs)
    for i, (a, b) in enumerate(zip(here, theirs, strict=True)):
        assert a == b, (i, a, b)


def test_methods_run_here():
    r = run_here(BASIC + HARNESS)
    v = r["values"]["full_float64"]
    np.testing.assert_allclose(
        np.array(v["inv_dense"]) @ np.array(v["dense"]), np.eye(3)[None].repeat(2, 0), atol=1e-3
    )


CG = (Path(__file__).parent / "conjugate_gradient_program.txt").read_text()


@pytest.mark.tf
@requires_tf
def test_conjugate_gradient_matches_tf():
    here, theirs = run_both(CG)
    assert {k: here[k] for k in ("errors", "type", "fields", "shapes")} == {
        k: theirs[k] for k in ("errors", "type", "fields", "shapes")
    }
    for key, val in here["values"].items():
        np.testing.assert_allclose(val, theirs["values"][key], rtol=2e-3, atol=2e-3, err_msg=key)


VARIABLES = (Path(__file__).parent / "linear_operator_variables_program.txt").read_text()


@pytest.mark.tf
@requires_tf
def test_operators_of_variables_train_as_tf():
    here, theirs = run_both(VARIABLES)
    assert here["dtype"] == theirs["dtype"] and here["shape"] == theirs["shape"]
    assert here["dense_name"] == theirs["dense_name"]
    np.testing.assert_allclose(here["loss"], theirs["loss"], rtol=1e-5)
    np.testing.assert_allclose(here["d"], theirs["d"], rtol=1e-5)


DISPATCH = (Path(__file__).parent / "linear_operator_dispatch_program.txt").read_text()


@pytest.mark.tf
@requires_tf
def test_tf_functions_dispatch_to_operators_as_tf():
    here, theirs = run_both(DISPATCH)
    assert here["names"] == theirs["names"]
    assert here["errors"] == theirs["errors"]
    for key, val in here["values"].items():
        np.testing.assert_allclose(val, theirs["values"][key], rtol=2e-3, atol=2e-3, err_msg=key)


SLICING = (Path(__file__).parent / "linear_operator_slicing_program.txt").read_text()


@pytest.mark.tf
@requires_tf
def test_batch_slicing_matches_tf():
    here, theirs = run_both(SLICING)
    assert here["shapes"] == theirs["shapes"] and here["types"] == theirs["types"]
    for key, val in here["values"].items():
        np.testing.assert_allclose(val, theirs["values"][key], rtol=2e-3, atol=2e-3, err_msg=key)


DYNAMIC = (Path(__file__).parent / "linear_operator_dynamic_program.txt").read_text()


@pytest.mark.tf
@requires_tf
def test_unknown_shapes_match_tf():
    """Placeholders of unknown batch/size: static shapes, shape tensors and values."""
    here, theirs = run_both(DYNAMIC)
    assert here["static"] == theirs["static"] and here["dd"] == theirs["dd"]
    for key, val in here["values"].items():
        np.testing.assert_allclose(val, theirs["values"][key], rtol=2e-3, atol=2e-3, err_msg=key)


CIRCULANT = (Path(__file__).parent / "linear_operator_circulant_program.txt").read_text()


@pytest.mark.tf
@requires_tf
def test_circulant_kernels_and_products_match_tf():
    """convolution_kernel, block shapes, and the circulant results of @, solve, H, inverse
    (TF's adjoint of a float circulant is complex64: TF drops input_output_dtype)."""
    here, theirs = run_both(CIRCULANT)
    assert {k: v for k, v in here.items() if k != "values"} == {
        k: v for k, v in theirs.items() if k != "values"
    }
    for key, val in here["values"].items():
        np.testing.assert_allclose(val, theirs["values"][key], rtol=2e-3, atol=2e-3, err_msg=key)

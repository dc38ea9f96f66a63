"""tf.debugging.assert_shapes / assert_all_finite / enable_check_numerics /
get_log_device_placement and the traceback-filtering flags, compared with TF (graphs,
static errors, runtime checks)."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.ops.test_data_flow_ops import run_both
from tests.tfrun import requires_tf

PROGRAM = r"""
def run(s, t, feed=None):
    try:
        s.run(t, feed)
        return "ok"
    except tf.errors.OpError as e:
        lines = [ln for ln in e.message.splitlines()
                 if ln.strip() and "[[" not in ln and not ln.startswith(("Node:", "  "))]
        return [type(e).__name__, lines[-1]]
x = tf.zeros([2, 3, 4])
y = tf.zeros([3])
p = tf.placeholder(tf.float32, [None, 3])
q = tf.placeholder(tf.float32, None)
r = tf.placeholder(tf.float32, [None])
a1 = tf.debugging.assert_shapes([(x, ("N", "Q", 4)), (y, ["Q"]), (p, [None, "Q"])])
a2 = tf.debugging.assert_shapes({p: ("N", 3), r: ("N",)}, message="pairs", name="chk")
a3 = tf.debugging.assert_shapes([(q, (..., "M", 2)), (r, ("M",))])
a4 = tf.debugging.assert_shapes([(x, ("*", 4)), (tf.constant(3.0), [])])
errs = []
for spec in ([(x, ("N", 2, 4))], [(x, ("N", "N", 4))], [(x, ("N", ..., 4))], [(x, 3)],
             [(x, (2, 3))]):
    try:
        tf.debugging.assert_shapes(spec, message="m")
    except ValueError as e:
        errs.append(str(e))
f = tf.debugging.assert_all_finite(tf.constant([1.0, np.inf]), "bad value")
g = tf.debugging.assert_all_finite(tf.constant([1.0, 2.0]), msg="fine", name="ok")
flags = [tf.debugging.get_log_device_placement(), tf.debugging.is_traceback_filtering_enabled()]
tf.debugging.disable_traceback_filtering()
flags.append(tf.debugging.is_traceback_filtering_enabled())
tf.debugging.enable_traceback_filtering()
flags.append(tf.debugging.is_traceback_filtering_enabled())
result = {
    "ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
    "names": [t.name for t in (a1, a2, a3, a4, f, g)],
    "errs": errs, "flags": flags,
}
with tf.Session() as s:
    result["runs"] = [
        run(s, a1, {p: np.zeros([5, 3])}),
        run(s, a2, {p: np.zeros([5, 3]), r: np.zeros([5])}),
        run(s, a2, {p: np.zeros([5, 3]), r: np.zeros([4])}),
        run(s, a3, {q: np.zeros([7, 4, 2]), r: np.zeros([4])}),
        run(s, a3, {q: np.zeros([7, 4, 2]), r: np.zeros([3])}),
        run(s, a3, {q: np.zeros([2]), r: np.zeros([3])}),
        run(s, a4), run(s, f), s.run(g).tolist(),
    ]
"""


@pytest.mark.tf
@requires_tf
def test_debugging_extras_match_tf():
    here, theirs = run_both(PROGRAM)
    for key in theirs:
        assert here[key] == theirs[key], key


def test_assert_shapes_static_mismatch_raises():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="dimension 1 must have size 2"):
            tf.debugging.assert_shapes([(tf.zeros([2, 3]), ("N", 2))])


CHECK_NUMERICS = r"""
def run(s, t, feed=None):
    try:
        return s.run(t, feed).tolist()
    except tf.errors.OpError as e:
        lines = [ln for ln in e.message.splitlines() if ln.strip()]
        return [type(e).__name__, e.op.name if e.op is not None else None,
                [ln for ln in lines if "Detected in" in ln or "!!!" in ln or "Tensor had" in ln
                 or ln.startswith(("  dtype", "  shape", "  Input"))]]
x = tf.placeholder(tf.float32, [2])
tf.debugging.enable_check_numerics()
y = tf.math.log(x)
z = tf.nn.relu(y)
w = tf.sqrt(x)
u = tf.identity(w)
q = tf.reshape(u, [2, 1])
tf.debugging.disable_check_numerics()
v = tf.math.log(x)
result = {
    "ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
    "names": [t.name for t in (y, z, w, u, q, v)],
}
with tf.Session() as s:
    result["runs"] = [run(s, z, {x: [1.0, 2.0]}), run(s, z, {x: [1.0, 0.0]}),
                      run(s, q, {x: [-1.0, 4.0]}), run(s, v, {x: [0.0, -1.0]})]
"""


@pytest.mark.tf
@requires_tf
def test_enable_check_numerics_matches_tf():
    here, theirs = run_both(CHECK_NUMERICS)
    for key in theirs:
        assert here[key] == theirs[key], key

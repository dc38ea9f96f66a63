"""Differential tests of the core runtime: the same programs on tfgraph and real TF.

Compared: every op (name, type, inputs, control inputs, device, attr names), variable
collections, fetched values, and error classes (with a key phrase of the message).
"""

from __future__ import annotations

import numpy as np
import pytest

from tests import tfrun
from tests.compat import harness

PROGRAMS = {
    "variables_and_init": """
v = tf.Variable([1., 2.], name="v")
w = tf.Variable(v.initialized_value() * 2.0, name="w")
u = tf.Variable(v + 1, name="u")
n = tf.Variable(1, name="untrained", trainable=False)
loc = tf.Variable(0., collections=[tf.GraphKeys.LOCAL_VARIABLES], name="loc")
fn = tf.Variable(lambda: tf.ones([2]), name="fn")
init = tf.global_variables_initializer()
linit = tf.local_variables_initializer()
with tf.Session() as s:
    s.run(u.initializer)
    record("u_alone", s.run(u))
    s.run([init, linit])
    record("all", s.run([v, w, u, n, loc, fn]))
    record("assign", [s.run(v.assign([3., 4.])), s.run(v.assign_add([1., 1.])),
                      s.run(v.assign_sub([2., 2.]))])
""",
    "names_scopes_devices": """
with tf.name_scope("a") as s1:
    c = tf.constant(1., name="c")
with tf.name_scope("a"):
    d = tf.constant(2.)
    with tf.name_scope("b"):
        e = c + d
with tf.name_scope("a/"):
    f = tf.identity(e)
with tf.device("/job:ps/task:0"):
    with tf.device("/gpu:1"):
        g = tf.constant(3.)
    with tf.device(None):
        h = tf.constant(4.)
with tf.control_dependencies([c]):
    i = tf.identity(d)
    with tf.control_dependencies(None):
        j = tf.identity(d)
with tf.colocate_with(g):
    k = tf.constant(5.)
x = tf.placeholder(tf.float32, [None, 3], name="x")
y = [x + 1, 1 + x, x - 1, 2 - x, x * 2, 2 * x, x / 2, 2 / x, x // 2, x % 2, x ** 2, -x, abs(x),
     x < 1, x <= 1, x > 1, x >= 1, x @ tf.ones([3, 3]), tf.add(x, 1.),
     tf.matmul(x, tf.ones([3, 1])), tf.constant([1, 2]) / 2, tf.reduce_sum(x),
     tf.reduce_mean(x, 1, keepdims=True), tf.reduce_max(x, axis=[0]), tf.zeros([2, 3]),
     tf.ones_like(x), tf.zeros_like(x), tf.fill([2], 3.)]
record("names", [t.name for t in y])
""",
    "session_errors": """
x = tf.placeholder(tf.float32, [None, 2], name="x")
v = tf.Variable(1., name="v")
cnt = tf.Variable(0, name="cnt")
up = cnt.count_up_to(1)
s = tf.Session()
attempt("unfed", lambda: s.run(x * 2))
attempt("bad_shape", lambda: s.run(x, {x: np.zeros(3)}))
attempt("tensor_feed", lambda: s.run(x, {x: tf.constant(1.)}))
attempt("uninit", lambda: s.run(v + 1))
attempt("uninit_fetch", lambda: s.run(v))
attempt("none_fetch", lambda: s.run(None))
attempt("bad_name", lambda: s.run("nope:0"))
s.run(cnt.initializer)
attempt("count1", lambda: s.run(up))
attempt("count2", lambda: s.run(up))
attempt("count_value", lambda: s.run(cnt))
attempt("assign_shape", lambda: v.assign([1., 2.]))
attempt("add_types", lambda: tf.add(tf.constant(1.), tf.constant(1)))
attempt("matmul_shapes", lambda: tf.matmul(tf.ones([2, 3]), tf.ones([2, 3])))
attempt("reshape", lambda: tf.reshape(tf.ones([2, 3]), [4]))
attempt("no_default_session", lambda: x.eval())
s.close()
attempt("closed", lambda: s.run(v))
""",
    "cond_and_collections": """
p = tf.placeholder(tf.bool, name="p")
a = tf.constant(2., name="a")
r = tf.cond(p, lambda: a * 3, lambda: a + 1)
r2 = tf.cond(p, lambda: (a, a * 2), lambda: (a + 1, a))
with tf.name_scope("layer"):
    w = tf.Variable(1., name="w")
tf.Variable(2., name="layer2")
tf.add_to_collection("mine", w)
record("scoped", [v.name for v in tf.global_variables("layer")])
record("scoped_slash", [v.name for v in tf.global_variables("layer/")])
record("mine", [v.name for v in tf.get_collection("mine")])
with tf.Session() as s:
    record("cond", [s.run(r, {p: True}), s.run(r, {p: False}), s.run(r2, {p: False})])
""",
}

# Error message phrases tfgraph must share with TF (TF adds node context around them).
PHRASES = {
    "unfed": "You must feed a value for placeholder tensor 'x' with dtype float and shape [?,2]",
    "bad_shape": "Cannot feed value of shape (3,) for Tensor x:0, which has shape (?, 2)",
    "tensor_feed": "The value of a feed cannot be a tf.Tensor object",
    "uninit": "Attempting to use uninitialized value v",
    "uninit_fetch": "Attempting to use uninitialized value v",
    "none_fetch": "Cannot be None",
    "bad_name": "The operation, 'nope', does not exist in the graph",
    "count2": "Reached limit of 1",
    "assign_shape": "Shapes must be equal rank, but are 0 and 1",
    "add_types": "Input 'y' of 'AddV2' Op has type int32 that does not match type float32",
    "matmul_shapes": "Dimensions must be equal, but are 3 and 2",
    "reshape": "Cannot reshape a tensor with 6 elements to shape [4]",
    "no_default_session": "No default session is registered",
    "closed": "Attempted to use a closed Session.",
}


@pytest.fixture(scope="module")
def tf_results():
    return harness.run_programs_in_tf(PROGRAMS)


def _assert_same(ours, theirs, path=""):
    if isinstance(theirs, dict) and "array" in theirs:
        assert ours["dtype"] == theirs["dtype"], path
        np.testing.assert_allclose(ours["array"], theirs["array"], rtol=1e-6, err_msg=path)
    elif isinstance(theirs, dict):
        assert set(ours) == set(theirs), path
        for k in theirs:
            _assert_same(ours[k], theirs[k], f"{path}/{k}")
    elif isinstance(theirs, list):
        assert len(ours) == len(theirs), path
        for i, (a, b) in enumerate(zip(ours, theirs)):
            _assert_same(a, b, f"{path}[{i}]")
    elif isinstance(theirs, float):
        assert ours == pytest.approx(theirs, rel=1e-6), path
    else:
        assert ours == theirs, path


@tfrun.requires_tf
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_matches_tensorflow(name, tf_results):
    ours = harness.run_program_in_tfgraph(PROGRAMS[name])
    theirs = tf_results[name]
    assert ours["graph"] == theirs["graph"]
    assert ours["collections"] == theirs["collections"]
    for key, value in theirs["results"].items():
        mine = ours["results"][key]
        if isinstance(value, dict) and "error" in value:
            assert "error" in mine, f"{key}: TF raised {value['error']}, tfgraph returned {mine}"
            assert mine["error"] == value["error"], key
            phrase = PHRASES.get(key)
            if phrase:
                assert phrase in value["message"], f"{key}: phrase not in TF's message"
                assert phrase in mine["message"], f"{key}: phrase not in tfgraph's message"
        else:
            _assert_same(mine, value, key)

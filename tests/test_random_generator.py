"""`tf.random.Generator` against TF 2.21: in a TF1 graph (the graph's op names and types,
successive draws and the state after each) and eagerly (TF2 behaviour): every
constructor, draw, reset, skip, make_seeds, split and the global generator."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

GRAPH = """
import json
g = tf.random.Generator.from_seed(1234)
x = g.uniform([5]); y = g.normal([3]); z = g.uniform_full_int([2], tf.int64)
s = g.make_seeds(2)
tn = g.truncated_normal([4], dtype=tf.float64)
ui = g.uniform([5], 3, 17, dtype=tf.int64)
u32 = g.uniform_full_int([3], tf.uint32, name="full")
k = g.key
sk = g.skip(7)
h = tf.random.experimental.Generator.from_seed(2**64 + 5, alg="philox")
hx = h.normal([2, 2], mean=3.0, stddev=0.5, dtype=tf.float64)
hb = h.binomial([3, 2], counts=np.array([20., 40.]), probs=np.array([0.5, 0.1]))
names = [(op.name, op.type) for op in tf.get_default_graph().get_operations()]
R = lambda t: sess.run(t).tolist()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    out = {"names": names, "shapes": [t.shape.as_list() for t in (x, y, z, s, tn, ui, sk)]}
    out["vals"] = [R(g.state), R(x), R(g.state), R(x), R(y), R(z), R(s), R(tn), R(ui),
                   R(u32), R(k), R(sk), R(g.state)]
    out["h"] = [R(h.state), R(hx), R(h.state), R(hb), R(h.state)]
print(json.dumps(out))
"""

EAGER = """
import json
g = tf.random.Generator.from_seed(77)
out = {}
out["a"] = g.normal([4]).numpy().tolist()
gs = g.split(3)
out["split"] = [s.state.numpy().tolist() for s in gs]
out["split_draw"] = [gs[2].uniform([3]).numpy().tolist(), gs[2].state.numpy().tolist()]
g2 = tf.random.Generator.from_key_counter(5, [1, 2], "philox")
out["kc"] = [g2.state.numpy().tolist(), g2.uniform([2], dtype=tf.float64).numpy().tolist(),
             g2.key.numpy().tolist()]
g3 = tf.random.Generator.from_state([3, 4, 5], tf.random.Algorithm.PHILOX)
out["st"] = [g3.algorithm, g3.uniform([3], maxval=10, dtype=tf.int32).numpy().tolist(),
             g3.uniform_full_int([2]).numpy().tolist()]
g3.reset_from_seed(9); out["r1"] = g3.state.numpy().tolist()
g3.reset([1, 2, 3]); out["r2"] = g3.state.numpy().tolist()
g3.reset_from_key_counter(8, [0, 1]); out["r3"] = g3.state.numpy().tolist()
out["skip"] = [g3.skip(2).numpy().tolist(), g3.state.numpy().tolist()]
g4 = tf.random.Generator(copy_from=g3); out["copy"] = g4.state.numpy().tolist()
out["seeds"] = g3.make_seeds(3).numpy().tolist()
out["stateless"] = tf.random.stateless_uniform([2], seed=g3.make_seeds(1)[:, 0]).numpy().tolist()
out["big"] = tf.random.Generator.from_seed(2**64 + 5).state.numpy().tolist()
out["tn"] = g.truncated_normal([2, 3], 1.0, 2.0).numpy().tolist()
b = tf.random.Generator.from_seed(5)
out["binomial"] = [b.binomial([4, 2], counts=[10., 50.], probs=[0.3, 0.9]).numpy().tolist(),
                   b.state.numpy().tolist(),
                   b.binomial([3], counts=5., probs=0.5, dtype=tf.int64).numpy().tolist(),
                   b.state.numpy().tolist(),
                   b.binomial([2, 3], counts=[100., 7., 1.], probs=0.25).numpy().tolist(),
                   b.state.numpy().tolist()]
out["nd"] = tf.random.Generator.from_non_deterministic_state().state.shape.as_list()
tf.random.set_global_generator(tf.random.Generator.from_seed(42))
out["glob"] = tf.random.get_global_generator().uniform([2]).numpy().tolist()
try:
    g.uniform([2], minval=1, dtype=tf.int32)
except ValueError as e:
    out["err"] = str(e)
try:
    tf.random.Generator.from_state([1, 2], alg="philox")
except ValueError as e:
    out["err2"] = "ValueError"
print(json.dumps(out))
"""

FUNCTION_AND_CHECKPOINT = """
import json, os, tempfile
g = tf.random.Generator.from_seed(11)
@tf.function
def f():
    return g.normal([3]), g.uniform([2], 0, 10, dtype=tf.int32)
out = {}
a = f(); b = f()
out["fn"] = [a[0].numpy().tolist(), a[1].numpy().tolist(), b[0].numpy().tolist(),
             g.state.numpy().tolist()]
ck = tf.train.Checkpoint(g=g)
path = ck.save(os.path.join(tempfile.mkdtemp(), "ck"))
x1 = g.uniform([2]).numpy().tolist()
ck.restore(path)
out["ck"] = [x1 == g.uniform([2]).numpy().tolist(), x1]
out["keys"] = sorted(n for n, _ in tf.train.list_variables(path))
print(json.dumps(out))
"""


def _run_here(program: str, module) -> dict:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(program, {"tf": module, "np": np})
    return json.loads(printed.getvalue().strip().splitlines()[-1])


@pytest.mark.tf
@requires_tf
def test_graph_ops_and_draws_are_tfs():
    with tf.Graph().as_default():
        ours = _run_here(GRAPH, tf)
    theirs = run_tf_json(GRAPH)
    assert ours["names"] == theirs["names"]
    assert ours == theirs


@pytest.fixture
def tf2():
    """tfgraph.compat.v2, imported without leaving `tf.compat.v2` bound as an attribute
    (which the TF1 API deliberately lacks: tests/test_api_names.py checks it)."""
    import tfgraph.compat

    had = "v2" in vars(tfgraph.compat)
    import tfgraph.compat.v2 as v2

    yield v2
    if not had:
        vars(tfgraph.compat).pop("v2", None)


@pytest.mark.tf
@requires_tf
def test_eager_draws_are_tfs(tf2):
    tf.enable_v2_behavior()
    try:
        ours = _run_here(EAGER, tf2)
    finally:
        tf.disable_v2_behavior()
        tf.random.set_global_generator(None)
    theirs = run_tf_json(EAGER, v1=False)
    assert ours == theirs


@pytest.mark.tf
@requires_tf
def test_tf_function_draws_and_checkpoints_are_tfs(tf2):
    tf.enable_v2_behavior()
    try:
        ours = _run_here(FUNCTION_AND_CHECKPOINT, tf2)
    finally:
        tf.disable_v2_behavior()
    assert ours == run_tf_json(FUNCTION_AND_CHECKPOINT, v1=False)


def test_two_sessions_have_their_own_state():
    g = tf.random.Generator.from_seed(3)
    x = g.uniform([2])
    with tf.Session() as a, tf.Session() as b:
        a.run(g.state.initializer)
        b.run(g.state.initializer)
        first = a.run(x)
        np.testing.assert_array_equal(b.run(x), first)
        assert not np.array_equal(a.run(x), first)


def test_uninitialized_state_raises():
    g = tf.random.Generator.from_seed(3)
    with tf.Session() as sess, pytest.raises(tf.errors.NotFoundError, match="StateVar"):
        sess.run(g.normal([1]))


@pytest.mark.tf
@requires_tf
def test_tf_runs_our_graph_def(tmp_path):
    g = tf.random.Generator.from_seed(99)
    x = g.normal([3], name="x")
    y = g.binomial([2], 10.0, 0.5, name="y")
    path = tmp_path / "graph.pb"
    path.write_bytes(tf.get_default_graph().as_graph_def().SerializeToString())
    with tf.Session() as sess:
        sess.run(g.state.initializer)
        ours = [sess.run(x).tolist(), sess.run(x).tolist(), sess.run(y).tolist()]
    theirs = run_tf_json(
        f"""
gd = tf.GraphDef()
gd.ParseFromString(open({str(path)!r}, "rb").read())
tf.import_graph_def(gd, name="")
with tf.Session() as sess:
    sess.run("{g.state.initializer.name}")
    print(json.dumps([sess.run("{x.name}").tolist(), sess.run("{x.name}").tolist(),
                      sess.run("{y.name}").tolist()]))
"""
    )
    assert ours == theirs

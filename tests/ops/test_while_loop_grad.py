"""Gradients through tf.while_loop (TF1's grad loops: counters, stacks, accumulators).

Each program in PROGRAMS builds a loop and its gradients with `tf` (tfgraph here, real
TF in the oracle) and names `outs` (the tensors to compare) and `feed`; `steps` are run
first (an optimizer). The TF-comparison tests check tfgraph builds TF's graph op for op
(names, types, inputs, control inputs) and gets TF's values; the others check the
gradients against finite differences and TF's behaviours checked once with the oracle.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests import tfrun
from tests.tfrun import requires_tf
from tfgraph.ops import stack_ops

PROGRAMS = {
    "square_scalar": """
x = tf.placeholder(tf.float64, [], name="x")
_, r = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * y), [tf.constant(0), x])
outs = [r] + tf.gradients(r, x)
feed = {x: 1.1}
""",
    "square_matrix": """
x = tf.placeholder(tf.float64, [2, 2], name="x")
_, r = tf.while_loop(
    lambda i, y: i < 2, lambda i, y: (i + 1, tf.matmul(y, y)), [tf.constant(0), x]
)
outs = [r] + tf.gradients(tf.reduce_sum(r), x)
feed = {x: [[0.5, 0.2], [-0.3, 0.8]]}
""",
    "matmul_invariant_variable": """
w = tf.Variable([[0.9, 0.1], [-0.2, 0.7]], dtype=tf.float64, name="w")
x = tf.constant([[1.0, 2.0]], dtype=tf.float64)
_, r = tf.while_loop(
    lambda i, y: i < 3, lambda i, y: (i + 1, tf.tanh(tf.matmul(y, w))), [tf.constant(0), x]
)
loss = tf.reduce_sum(r * r)
outs = [r] + tf.gradients(loss, [w, x])
init = True
feed = {}
""",
    "two_vars_interacting": """
a = tf.placeholder(tf.float64, [], name="a")
b = tf.placeholder(tf.float64, [], name="b")
_, ra, rb = tf.while_loop(
    lambda i, p, q: i < 4, lambda i, p, q: (i + 1, p * q, tf.sin(p) + q), [tf.constant(0), a, b]
)
outs = [ra, rb] + tf.gradients(ra + 2.0 * rb, [a, b])
feed = {a: 0.7, b: 1.3}
""",
    "nested_loop": """
x = tf.placeholder(tf.float64, [], name="x")


def inner(y):
    return tf.while_loop(
        lambda j, z: j < 2, lambda j, z: (j + 1, z * 1.5 + tf.sin(z)), [tf.constant(0), y]
    )[1]


_, r = tf.while_loop(
    lambda i, y: i < 3, lambda i, y: (i + 1, inner(y) * y), [tf.constant(0), x]
)
outs = [r] + tf.gradients(r, x)
feed = {x: 0.3}
""",
    "cond_in_body": """
x = tf.placeholder(tf.float64, [], name="x")
_, r = tf.while_loop(
    lambda i, y: i < 4,
    lambda i, y: (i + 1, tf.cond(i % 2 < 1, lambda: y * y, lambda: tf.sin(y) * 3.0)),
    [tf.constant(0), x],
)
outs = [r] + tf.gradients(r, x)
feed = {x: 0.9}
""",
    "maximum_iterations": """
x = tf.placeholder(tf.float64, [], name="x")
r = tf.while_loop(
    lambda y: y < 100.0, lambda y: y * 1.7 + 0.1 * y * y, [x], maximum_iterations=3
)
outs = [r] + tf.gradients(r, x)
feed = {x: 0.4}
""",
    "unused_output": """
a = tf.placeholder(tf.float64, [], name="a")
b = tf.placeholder(tf.float64, [], name="b")
_, ra, rb = tf.while_loop(
    lambda i, p, q: i < 3, lambda i, p, q: (i + 1, p * 2.0, q * p), [tf.constant(0), a, b]
)
g = tf.gradients(ra, [a, b])
outs = [ra, g[0], tf.constant(-1.0 if g[1] is None else 1.0)]
feed = {a: 0.7, b: 1.3}
""",
    "wrt_intermediate": """
x = tf.placeholder(tf.float64, [], name="x")
h = tf.exp(x, name="h")
_, r = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * h + 1.0), [tf.constant(0), h])
outs = [r] + tf.gradients(r, [h, x])
feed = {x: 0.2}
""",
    "data_dependent_count": """
x = tf.placeholder(tf.float64, [], name="x")
r = tf.while_loop(lambda y: y < 10.0, lambda y: y * y + 0.5, [x])
outs = [r] + tf.gradients(r, x)
feed = {x: 1.2}
""",
    "loop_invariant_placeholder": """
x = tf.placeholder(tf.float64, [3], name="x")
k = tf.placeholder(tf.float64, [3], name="k")
_, r = tf.while_loop(
    lambda i, y: i < 3, lambda i, y: (i + 1, y * k + tf.sin(k)), [tf.constant(0), x]
)
outs = [r] + tf.gradients(tf.reduce_sum(r), [x, k])
feed = {x: [0.1, 0.2, 0.3], k: [1.1, 0.9, -0.5]}
""",
    "back_prop_false": """
x = tf.placeholder(tf.float64, [], name="x")
r = tf.while_loop(lambda y: y < 10.0, lambda y: y * 2.0, [x], back_prop=False)
g = tf.gradients(r * x, x)
outs = [r, g[0]]
feed = {x: 1.5}
""",
    "loop_in_cond": """
x = tf.placeholder(tf.float64, [], name="x")
p = tf.placeholder(tf.bool, [], name="p")
r = tf.cond(
    p, lambda: tf.while_loop(lambda y: y < 10.0, lambda y: y * y + 1.0, [x]), lambda: tf.sin(x)
)
outs = [r] + tf.gradients(r, x)
feed = {x: 1.2, p: True}
""",
    "optimizer_step": """
w = tf.Variable([[0.9, 0.1], [-0.2, 0.7]], dtype=tf.float32, name="w")
b = tf.Variable([0.1, -0.1], dtype=tf.float32, name="b")
x = tf.constant([[1.0, 2.0], [0.5, -1.0]], dtype=tf.float32)
_, r = tf.while_loop(
    lambda i, y: i < 3, lambda i, y: (i + 1, tf.tanh(tf.matmul(y, w) + b)), [tf.constant(0), x]
)
loss = tf.reduce_mean(tf.square(r - 0.5))
train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
outs = [loss]
steps = [train, train, train]
feed = {}
""",
    "while_of_while_invariant": """
x = tf.placeholder(tf.float64, [2], name="x")
k = tf.placeholder(tf.float64, [2], name="k")


def outer_body(i, y):
    z = tf.while_loop(lambda j, z: j < i + 1, lambda j, z: (j + 1, z * k), [0, y])[1]
    return i + 1, z + tf.sin(y)


_, r = tf.while_loop(lambda i, y: i < 3, outer_body, [tf.constant(0), x])
outs = [r] + tf.gradients(tf.reduce_sum(r), [x, k])
feed = {x: [0.5, -0.4], k: [1.1, 0.8]}
""",
}

# Programs compared with TF by values only: with shapes unknown until run time, TF's
# gradients of AddV2 / Mul in a loop push the operands' shapes onto the history stacks,
# tfgraph's push the operands (the same numbers, a different graph).
VALUE_PROGRAMS = {
    # a cond in the loop reading a tensor from outside it, shapes known only at run time
    # (the decoder loop of tf.contrib.seq2seq's TrainingHelper): the zeros for the branch
    # not taken need the value's shape pushed per iteration from inside the cond
    "cond_on_outside_value_unknown_batch": """
x = tf.placeholder(tf.float64, [None, 3], name="x")
limits = tf.placeholder(tf.int32, [None], name="limits")
zero = tf.zeros_like(x)
def body(i, h, done):
    nxt = i + 1
    finished = nxt >= limits
    inp = tf.cond(tf.reduce_all(finished), lambda: zero, lambda: x * tf.cast(nxt, tf.float64))
    return nxt, tf.tanh(h + inp), tf.logical_or(done, finished)
_, r, _ = tf.while_loop(
    lambda i, h, done: tf.logical_not(tf.reduce_all(done)), body,
    [tf.constant(0), tf.zeros_like(x), tf.equal(0, limits)],
)
outs = [r] + tf.gradients(tf.reduce_sum(r * r), x)
feed = {x: [[0.5, -0.2, 0.1], [0.3, 0.4, -0.6]], limits: [3, 2]}
""",
}

_SIGNATURE_AND_VALUES = """
def run_program(code):
    g = tf.Graph()
    with g.as_default():
        ns = {"tf": tf, "np": np}
        exec(code, ns)
        sig = sorted(
            [op.name, op.type, [t.name for t in op.inputs],
             sorted(c.name for c in op.control_inputs)]
            for op in g.get_operations()
        )
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for step in ns.get("steps", []):
                sess.run(step, ns["feed"])
            outs = ns["outs"]
            vals = sess.run([o for o in outs if o is not None], ns["feed"])
    return sig, [np.asarray(v).tolist() for v in vals], [o is None for o in outs]
"""


def _ours(code: str):
    ns = {"tf": tf, "np": np}
    exec(_SIGNATURE_AND_VALUES, ns)
    return ns["run_program"](code)


@pytest.fixture(scope="module")
def tf_results():
    return json.loads(
        tfrun.run_tf(
            _SIGNATURE_AND_VALUES
            + f"PROGRAMS = {dict(PROGRAMS, **VALUE_PROGRAMS)!r}\n"
            + "print(json.dumps({k: run_program(c) for k, c in PROGRAMS.items()}))\n"
        )
    )


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("name", list(PROGRAMS) + list(VALUE_PROGRAMS))
def test_values_match_tf(name, tf_results):
    _, ours, ours_none = _ours({**PROGRAMS, **VALUE_PROGRAMS}[name])
    _, theirs, theirs_none = tf_results[name]
    assert ours_none == theirs_none
    assert len(ours) == len(theirs)
    for mine, their in zip(ours, theirs):
        np.testing.assert_allclose(np.asarray(mine), np.asarray(their), rtol=1e-5, atol=1e-7)


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("name", list(PROGRAMS))
def test_graphs_match_tf_op_for_op(name, tf_results):
    ours, _, _ = _ours(PROGRAMS[name])
    theirs = tf_results[name][0]
    assert json.loads(json.dumps(ours)) == theirs


# -- finite differences -------------------------------------------------------------------
def _square(x):
    return tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * y), [tf.constant(0), x])[1]


def _matrix_power(x):
    return tf.while_loop(
        lambda i, y: i < 2, lambda i, y: (i + 1, tf.matmul(y, y)), [tf.constant(0), x]
    )[1]


def _two_vars(a, b):
    _, p, q = tf.while_loop(
        lambda i, p, q: i < 4,
        lambda i, p, q: (i + 1, p * q, tf.sin(p) + q),
        [tf.constant(0), a, b],
    )
    return p + 2.0 * q


def _nested(x, k):
    def outer_body(i, y):
        z = tf.while_loop(lambda j, z: j < i + 1, lambda j, z: (j + 1, z * k), [0, y])[1]
        return i + 1, z + tf.sin(y)

    return tf.while_loop(lambda i, y: i < 3, outer_body, [tf.constant(0), x])[1]


def _cond_in_body(x):
    return tf.while_loop(
        lambda i, y: i < 4,
        lambda i, y: (i + 1, tf.cond(i % 2 < 1, lambda: y * y, lambda: tf.sin(y) * 3.0)),
        [tf.constant(0), x],
    )[1]


def _max_iterations(x):
    return tf.while_loop(
        lambda y: tf.reduce_sum(y) < 100.0, lambda y: y * 1.7 + 0.1 * y * y, [x],
        maximum_iterations=3,
    )  # fmt: skip


def _data_dependent(x):
    return tf.while_loop(lambda y: y < 10.0, lambda y: y * y + 0.5, [x])


def _invariant(x, k):
    return tf.while_loop(
        lambda i, y: i < 3, lambda i, y: (i + 1, y * k + tf.sin(k)), [tf.constant(0), x]
    )[1]


def _loop_in_cond(x):
    return tf.cond(
        tf.reduce_sum(x) > 0.0,
        lambda: tf.while_loop(lambda i, y: i < 2, lambda i, y: (i + 1, y * y + x), [0, x])[1],
        lambda: tf.sin(x),
    )


_rng = np.random.RandomState(7)
NUMERIC = {
    "square": (_square, [np.float64(1.1)]),
    "matrix_power": (_matrix_power, [_rng.randn(3, 3) * 0.5]),
    "two_vars": (_two_vars, [np.float64(0.7), np.float64(1.3)]),
    "nested": (_nested, [_rng.randn(2), np.array([1.1, 0.8])]),
    "cond_in_body": (_cond_in_body, [np.float64(0.9)]),
    "maximum_iterations": (_max_iterations, [_rng.rand(3)]),
    "data_dependent_count": (_data_dependent, [np.float64(1.2)]),
    "invariant": (_invariant, [_rng.randn(3), _rng.randn(3)]),
    "loop_in_cond": (_loop_in_cond, [np.abs(_rng.randn(2)) * 0.5]),
}


@pytest.mark.parametrize("name", list(NUMERIC))
def test_gradients_match_finite_differences(name):
    build, values = NUMERIC[name]
    with tf.Graph().as_default(), tf.Session() as sess:
        xs = [tf.placeholder(tf.float64, np.shape(v)) for v in values]
        y = build(*xs)
        weights = tf.sin(tf.cast(tf.range(tf.size(y)), tf.float64) + 1.0)
        loss = tf.reduce_sum(y * tf.reshape(weights, tf.shape(y)))
        grads = tf.gradients(loss, xs)
        feed = dict(zip(xs, values))
        symbolic = sess.run(grads, feed)
        eps = 1e-6
        for i, v in enumerate(values):
            v = np.asarray(v, dtype=np.float64)
            numeric = np.zeros(v.shape)
            for k in range(v.size):
                plus, minus = v.copy(), v.copy()
                plus.reshape(-1)[k] += eps
                minus.reshape(-1)[k] -= eps
                f_plus = sess.run(loss, {**feed, xs[i]: plus})
                f_minus = sess.run(loss, {**feed, xs[i]: minus})
                numeric.reshape(-1)[k] = (f_plus - f_minus) / (2 * eps)
            np.testing.assert_allclose(symbolic[i], numeric, rtol=1e-5, atol=1e-7)


# -- TF's behaviours (checked with the oracle) --------------------------------------------
def test_back_prop_false_passes_no_gradient_through_the_loop():
    x = tf.placeholder(tf.float64, [])
    r = tf.while_loop(lambda y: y < 10.0, lambda y: y * 2.0, [x], back_prop=False)
    assert tf.gradients(r, x) == [None]
    (g,) = tf.gradients(r * x, x)  # (only the factor outside the loop)
    with tf.Session() as sess:
        assert sess.run(g, {x: 1.5}) == 12.0


def test_unused_loop_output_gets_no_gradient():
    a = tf.placeholder(tf.float64, [])
    b = tf.placeholder(tf.float64, [])
    _, ra, _ = tf.while_loop(
        lambda i, p, q: i < 3, lambda i, p, q: (i + 1, p * 2.0, q * p), [tf.constant(0), a, b]
    )
    ga, gb = tf.gradients(ra, [a, b])
    assert gb is None
    with tf.Session() as sess:
        assert sess.run(ga, {a: 0.7, b: 1.3}) == 8.0


def test_second_order_gradient_through_a_loop_is_none_as_tf():
    x = tf.placeholder(tf.float64, [])
    r = tf.while_loop(lambda y: y < 10.0, lambda y: y * y, [x])
    (g,) = tf.gradients(r, x)
    assert tf.gradients(g, x) == [None]
    with tf.Session() as sess:
        assert sess.run(g, {x: 1.5}) == pytest.approx(8 * 1.5**7)  # (three squarings)


def test_optimizer_minimizes_a_loss_computed_in_a_loop():
    w = tf.Variable([[0.9, 0.1], [-0.2, 0.7]], name="w")
    x = tf.constant([[1.0, 2.0], [0.5, -1.0]])
    _, r = tf.while_loop(
        lambda i, y: i < 3, lambda i, y: (i + 1, tf.tanh(tf.matmul(y, w))), [tf.constant(0), x]
    )
    loss = tf.reduce_mean(tf.square(r - 0.5))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(loss)
        for _ in range(5):
            sess.run(train)
        assert sess.run(loss) < before


def test_grad_loop_uses_tf_names():
    x = tf.placeholder(tf.float64, [], name="x")
    r = tf.while_loop(lambda y: y < 10.0, lambda y: y * y, [x])
    tf.gradients(r, x)
    types = {op.name: op.type for op in tf.get_default_graph().get_operations()}
    assert types["gradients/f_count"] == "Const"
    assert types["gradients/b_count_2"] == "LoopCond"
    assert types["gradients/while/Exit_grad/b_exit"] == "Enter"
    assert types["gradients/while/Switch_grad/b_switch"] == "Merge"
    assert "StackPushV2" in types.values() and "StackPopV2" in types.values()


def test_pop_of_an_empty_stack_names_the_op():
    h = stack_ops.stack_v2(-1, tf.float32, stack_name="foo")
    push = stack_ops.stack_push_v2(h, tf.constant(1.0))
    with tf.control_dependencies([push]):
        a = stack_ops.stack_pop_v2(h, tf.float32)
    with tf.control_dependencies([a]):
        b = stack_ops.stack_pop_v2(h, tf.float32, name="second_pop")
    with tf.Session() as sess:
        assert sess.run(a) == 1.0
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"is empty when calling Pop\(\)"):
            sess.run(b)
        with pytest.raises(tf.errors.InvalidArgumentError, match="second_pop"):
            sess.run(b)


def test_a_push_past_max_size_or_onto_a_closed_stack_names_the_op():
    h = stack_ops.stack_v2(1, tf.float32, stack_name="foo")
    first = stack_ops.stack_push_v2(h, tf.constant(1.0))
    with tf.control_dependencies([first]):
        second = stack_ops.stack_push_v2(h, tf.constant(2.0), name="second_push")
    with tf.Session() as sess:
        assert sess.run(first) == 1.0
        with pytest.raises(
            tf.errors.InvalidArgumentError, match=r"Stack\[foo\] overflowed its max_size \(1\)"
        ) as info:
            sess.run(second)
        assert info.value.op.name == "second_push"
    h = stack_ops.stack_v2(-1, tf.float32)
    close = stack_ops.stack_close_v2(h)
    with tf.control_dependencies([close]):
        late = stack_ops.stack_push_v2(h, tf.constant(1.0), name="late_push")
        late_pop = stack_ops.stack_pop_v2(h, tf.float32, name="late_pop")
    with tf.Session() as sess:
        for op in (late, late_pop):
            with pytest.raises(tf.errors.InvalidArgumentError, match="Stack handle is not valid"):
                sess.run(op)


def test_error_inside_the_grad_loop_names_the_op():
    x = tf.placeholder(tf.float64, [])
    r = tf.while_loop(
        lambda i, y: i < 2,
        lambda i, y: (i + 1, tf.check_numerics(tf.sqrt(y), "bad")),
        [0, x],
    )[1]
    (g,) = tf.gradients(r, x)
    with tf.Session() as sess:
        with pytest.raises(
            tf.errors.InvalidArgumentError, match="gradients/while/CheckNumerics_grad/CheckNumerics"
        ):
            sess.run(g, {x: 0.0})


# -- GraphDefs across the two ---------------------------------------------------------------
_GRAPH = """
x = tf.placeholder(tf.float64, [2], name="x")
k = tf.placeholder(tf.float64, [2], name="k")
_, r = tf.while_loop(
    lambda i, y: i < 3,
    lambda i, y: (i + 1, tf.cond(i < 1, lambda: y * k, lambda: tf.sin(y) + k)),
    [tf.constant(0), x],
)
grads = tf.gradients(tf.reduce_sum(r * r), [x, k])
fetches = [r.name] + [g.name for g in grads]
"""
_FEED = {"x:0": [0.3, -0.8], "k:0": [1.2, 0.4]}


@pytest.mark.tf
@requires_tf
def test_tf_loop_gradient_graph_def_runs_in_tfgraph(tmp_path):
    out = tfrun.run_tf(
        _GRAPH
        + "open('g.pb', 'wb').write(tf.get_default_graph().as_graph_def().SerializeToString())\n"
        + f"with tf.Session() as s:\n    vals = s.run(fetches, {_FEED!r})\n"
        + "print(json.dumps([fetches, [np.asarray(v).tolist() for v in vals]]))\n",
        cwd=tmp_path,
    )
    fetches, theirs = json.loads(out)
    gd = tf.GraphDef()
    gd.ParseFromString((tmp_path / "g.pb").read_bytes())
    with tf.Graph().as_default():
        tf.import_graph_def(gd, name="")
        with tf.Session() as sess:
            ours = sess.run(fetches, _FEED)
    for mine, their in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(mine, their, rtol=1e-10)


@pytest.mark.tf
@requires_tf
def test_tfgraph_loop_gradient_graph_def_runs_in_tf(tmp_path):
    ns = {"tf": tf}
    with tf.Graph().as_default() as g:
        exec(_GRAPH, ns)
        with tf.Session() as sess:
            ours = sess.run(ns["fetches"], _FEED)
        (tmp_path / "g.pb").write_bytes(g.as_graph_def().SerializeToString())
    out = tfrun.run_tf(
        "gd = tf.GraphDef()\ngd.ParseFromString(open('g.pb', 'rb').read())\n"
        "tf.import_graph_def(gd, name='')\n"
        f"with tf.Session() as s:\n    vals = s.run({ns['fetches']!r}, {_FEED!r})\n"
        "print(json.dumps([np.asarray(v).tolist() for v in vals]))\n",
        cwd=tmp_path,
    )
    for mine, their in zip(ours, json.loads(out), strict=True):
        np.testing.assert_allclose(mine, their, rtol=1e-10)

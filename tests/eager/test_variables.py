"""Eager variables (TF2's tf.Variable): resource variables made and read at once,
printed as TF prints them, watched by tapes, created once by tf.function."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf

PROGRAM = """
out = []
v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
out.append(repr(v))
out.append(repr(tf.Variable(1, trainable=False)))
a = tf.Variable([2.0, 3.0], name="a")
out.append(repr(a.assign([1, 2])))
out.append(a.assign_add([1.0, 1.0]).numpy().tolist())
try:
    a.assign([1.0, 2.0, 3.0])
except ValueError as e:
    out.append(str(e))
with tf.name_scope("outer"):
    out.append(tf.Variable(0.0, name="s").name)
out.append([tf.Variable(1.0, name="Mark").name, tf.Variable(2.0, name="Mark").name])
e = tf.Variable(tf.ones([4, 2]))
e.scatter_add(tf.IndexedSlices(tf.constant([[1.0, 2.0]]), tf.constant([2])))
out.append(e.numpy().tolist())
out.append(e.sparse_read([2, 0]).numpy().tolist())
w = tf.Variable(3.0)
with tf.GradientTape() as tape:
    y = w * w + v[0, 0]
out.append([float(g) if g is not None and g.shape == () else None
            for g in tape.gradient(y, [w])])
with tf.GradientTape(watch_accessed_variables=False) as tape:
    y = w * w
out.append(tape.gradient(y, w) is None)
frozen = tf.Variable(5.0, trainable=False)
with tf.GradientTape() as tape:
    y = frozen * 2.0
out.append(tape.gradient(y, frozen) is None)
result = out
"""


def _ours():
    scope = {"tf": tf, "np": np}
    exec(PROGRAM, scope)
    return scope["result"]


def test_eager_variables_behave_as_tensorflows():
    out = _ours()
    assert out[0] == (
        "<tf.Variable 'Variable:0' shape=(2, 2) dtype=float32, numpy=\n"
        "array([[1., 2.],\n       [3., 4.]], dtype=float32)>"
    )
    assert out[2] == (
        "<tf.Variable 'UnreadVariable' shape=(2,) dtype=float32, numpy=array([1., 2.], "
        "dtype=float32)>"
    )
    assert out[4].startswith("Cannot assign value to variable ' a:0': Shape mismatch.")
    assert out[5] == "outer/s:0" and out[6] == ["Mark:0", "Mark:0"]
    assert out[9] == [6.0] and out[10] is True and out[11] is True


@pytest.mark.tf
@requires_tf
def test_eager_variables_match_tensorflow():
    theirs = json.loads(run_tf(PROGRAM + "print(json.dumps(result))\n", v1=False))
    assert _ours() == theirs


def test_tf_function_creates_variables_on_the_first_call_only():
    class Scale(tf.Module):
        def __init__(self):
            super().__init__()
            self.v = None

        @tf.function
        def __call__(self, x):
            if self.v is None:
                self.v = tf.Variable(2.0)
            return x * self.v

    m = Scale()
    assert float(m(tf.constant(3.0))) == 6.0
    m.v.assign(5.0)
    assert float(m(tf.constant(3.0))) == 15.0  # the function reads the variable's value

    @tf.function
    def bad(x):
        return x * tf.Variable(1.0)

    with pytest.raises(ValueError, match="only supports singleton tf.Variables"):
        bad(tf.constant(1.0))


def test_training_step_in_a_tf_function_equals_eager():
    rng = np.random.RandomState(0)
    x = tf.constant(rng.rand(8, 3).astype(np.float32))
    y = tf.constant(rng.rand(8, 1).astype(np.float32))

    def make():
        return tf.Variable(np.ones((3, 1), np.float32)), tf.Variable(0.0)

    def step(w, b):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((tf.matmul(x, w) + b - y) ** 2)
        gw, gb = tape.gradient(loss, [w, b])
        w.assign_sub(0.1 * gw)
        b.assign_sub(0.1 * gb)
        return loss

    eager_w, eager_b = make()
    graph_w, graph_b = make()
    traced = tf.function(step)
    for _ in range(5):
        a = step(eager_w, eager_b)
        c = traced(graph_w, graph_b)
        np.testing.assert_allclose(a.numpy(), c.numpy(), rtol=1e-6)
    np.testing.assert_allclose(eager_w.numpy(), graph_w.numpy(), rtol=1e-6)
    assert traced.experimental_get_tracing_count() == 1

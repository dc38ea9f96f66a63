"""tf.function: one trace per input signature, traced graphs run as cached plans."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf

# Call sequences whose trace counts are compared with TF 2.21's.
TRACE_PROGRAM = """
counts = {}
def traced(name):
    counts[name] = counts.get(name, 0) + 1

@tf.function
def f(x):
    traced('f')
    return x * 2.0

f(tf.constant(1.0)); f(tf.constant(2.0)); f(tf.constant([1.0, 2.0]))
f(tf.constant([3.0, 4.0])); f(tf.constant([1.0, 2.0, 3.0])); f(tf.constant(5.0))

@tf.function
def g(x, n):
    traced('g')
    return x * n

g(tf.constant(1.0), 2); g(tf.constant(1.0), 2); g(tf.constant(1.0), 3); g(tf.constant(1.0), 2.0)

@tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
def h(x):
    traced('h')
    return tf.reduce_sum(x)

h(tf.constant([1.0])); h(tf.constant([1.0, 2.0])); h(tf.constant([1.0, 2.0, 3.0]))

results = [f(tf.constant([1.0, 2.0])).numpy().tolist(), g(tf.constant(3.0), 2).numpy().tolist(),
           h(tf.constant([1.0, 2.0, 3.0])).numpy().tolist()]
tracing = [f.experimental_get_tracing_count(), g.experimental_get_tracing_count(),
           h.experimental_get_tracing_count()]
"""


def _run_trace_program(namespace):
    scope = {"tf": namespace}
    exec(TRACE_PROGRAM, scope)
    return [scope["counts"], scope["results"], scope["tracing"]]


def test_traces_once_per_signature():
    counts, results, tracing = _run_trace_program(tf)
    assert counts == {"f": 3, "g": 2, "h": 1}  # (g: 2 and 2.0 share a trace, as in TF)
    assert results == [[2.0, 4.0], 6.0, 6.0]
    assert tracing == [3, 2, 1]


@pytest.mark.tf
@requires_tf
def test_trace_counts_match_tensorflow():
    code = f"exec({TRACE_PROGRAM!r})\nprint(json.dumps([counts, results, tracing]))\n"
    theirs = json.loads(run_tf(code, v1=False).strip().splitlines()[-1])
    assert _run_trace_program(tf) == theirs


def test_placeholders_are_named_after_parameters():
    seen = []

    @tf.function
    def f(x, scale):
        seen.append(x.name)
        return x * scale

    f(tf.constant(1.0), tf.constant(2.0))
    assert seen == ["x:0"]


def test_input_signature_rejects_incompatible_tensors():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def f(x):
        return x + 1.0

    assert f(tf.constant([1.0, 2.0])).numpy().tolist() == [2.0, 3.0]
    with pytest.raises(TypeError, match="Binding inputs to tf.function"):
        f(tf.constant([[1.0]]))
    with pytest.raises(TypeError):
        f(tf.constant([1.0]), tf.constant([2.0]))


def test_control_flow_and_structures_inside_functions():
    @tf.function
    def f(x):
        y = tf.cond(tf.reduce_sum(x) > 0, lambda: x * 2.0, lambda: -x)
        i, acc = tf.while_loop(
            lambda i, a: i < 3, lambda i, a: (i + 1, a + y), [0, tf.zeros_like(y)]
        )
        return {"y": y, "acc": acc, "i": i}

    out = f(tf.constant([1.0, 2.0]))
    assert out["y"].numpy().tolist() == [2.0, 4.0]
    assert out["acc"].numpy().tolist() == [6.0, 12.0]
    assert int(out["i"]) == 3
    assert f(tf.constant([-1.0, -2.0]))["y"].numpy().tolist() == [1.0, 2.0]


def test_captured_eager_tensors_and_numpy_arguments():
    c = tf.constant(10.0)

    @tf.function
    def f(x):
        return x + c

    assert float(f(tf.constant(1.0))) == 11.0
    assert f(np.array([1.0, 2.0], np.float32)).numpy().tolist() == [11.0, 12.0]


def test_gradient_tape_inside_a_function():
    @tf.function
    def grad(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(x * x * x)
        return tape.gradient(y, x)

    assert grad(tf.constant([1.0, 2.0])).numpy().tolist() == [3.0, 12.0]


def test_functions_called_while_building_a_graph_add_their_ops():
    tf.disable_v2_behavior()

    @tf.function
    def f(x):
        return x * 3.0

    y = f(tf.constant(2.0))
    with tf.Session() as sess:
        assert sess.run(y) == 6.0


def test_methods_trace_per_instance():
    class Scaler:
        def __init__(self, k):
            self.k = k

        @tf.function
        def __call__(self, x):
            return x * self.k

    a, b = Scaler(2.0), Scaler(3.0)
    assert float(a(tf.constant(1.0))) == 2.0
    assert float(b(tf.constant(1.0))) == 3.0

"""Functional control flow (PartitionedCall, If, Case, While and their stateless twins)
in GraphDefs written by TensorFlow 2: tf.function graphs and v2 cond/while_loop.

TensorFlow builds each graph, imports it into a v1 graph and runs it (the expected
values, static shapes and errors); tfgraph imports the same bytes and must agree. The
GraphDef tfgraph exports again must still import and run in TensorFlow.
"""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf, run_tf_json
from tfgraph import errors

pytestmark = [pytest.mark.tf, requires_tf]

# Each case: a graph built by TF 2 (`build()` returns the GraphDef), then runs:
# (feeds by tensor name, fetch names).
BUILD = r"""
import base64
tf1 = tf.compat.v1
cases = {}

def add(name, graph_def, runs):
    cases[name] = {"gd": base64.b64encode(graph_def.SerializeToString()).decode(),
                   "runs": runs}

@tf.function
def cond_while(x, n):
    y = tf.cond(x[0] > 0, lambda: x * 2.0, lambda: x - 1.0)
    _, acc = tf.while_loop(lambda i, a: i < n, lambda i, a: (i + 1, a + y),
                           (0, tf.zeros_like(x)))
    return acc
add("cond_while", cond_while.get_concrete_function(
        tf.TensorSpec([3], tf.float32, name="x"), tf.TensorSpec([], tf.int32, name="n")
    ).graph.as_graph_def(),
    [({"x:0": [1.0, 2.0, 3.0], "n:0": 4}, ["Identity:0"]),
     ({"x:0": [-1.0, 2.0, 3.0], "n:0": 2}, ["Identity:0"]),
     ({"x:0": [1.0, 2.0, 3.0], "n:0": 0}, ["Identity:0"])])

@tf.function
def inner(a):
    return a * 3.0, tf.shape(a)

@tf.function
def nested(x):
    y, s = inner(x)
    tf.debugging.assert_positive(x[0], message="first must be positive")
    return y + 1.0, s
add("nested_call_assert", nested.get_concrete_function(
        tf.TensorSpec([None, 2], tf.float32, name="x")).graph.as_graph_def(),
    [({"x:0": [[1.0, 2.0]]}, ["Identity:0", "Identity_1:0"]),
     ({"x:0": [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]}, ["Identity:0", "Identity_1:0"]),
     ({"x:0": [[-1.0, 2.0]]}, ["Identity:0"])])

@tf.function
def switch(i, x):
    return tf.switch_case(i, [lambda: x + 1, lambda: x * 10, lambda: -x])
add("switch_case", switch.get_concrete_function(
        tf.TensorSpec([], tf.int32, name="i"), tf.TensorSpec([2], tf.int64, name="x")
    ).graph.as_graph_def(),
    [({"i:0": k, "x:0": [3, 4]}, ["Identity:0"]) for k in (0, 1, 2, 7, -1)])

@tf.function
def loop_in_cond(p, x):
    def count():
        return tf.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s * x), (0, x))[1]
    return tf.cond(p, count, lambda: x)
add("while_in_cond", loop_in_cond.get_concrete_function(
        tf.TensorSpec([], tf.bool, name="p"), tf.TensorSpec([None], tf.float64, name="x")
    ).graph.as_graph_def(),
    [({"p:0": True, "x:0": [1.5, -2.0]}, ["Identity:0"]),
     ({"p:0": False, "x:0": [1.5, -2.0, 3.0]}, ["Identity:0"])])

@tf.function
def tensor_arrays(x):
    ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
    def body(i, ta):
        return i + 1, ta.write(i, x[i] * 2.0)
    _, ta = tf.while_loop(lambda i, ta: i < tf.shape(x)[0], body, (0, ta))
    return ta.stack(), tf.map_fn(lambda r: r * r, x)
add("tensor_arrays", tensor_arrays.get_concrete_function(
        tf.TensorSpec([None, 2], tf.float32, name="x")).graph.as_graph_def(),
    [({"x:0": [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]}, ["Identity:0", "Identity_1:0"]),
     ({"x:0": [[1.0, -2.0]]}, ["Identity:0", "Identity_1:0"])])

# TF1-style graph code (placeholders, v1 cond/while_loop) under control flow v2.
g = tf.Graph()
with g.as_default():
    x = tf1.placeholder(tf.float32, [None], name="x")
    k = tf1.placeholder(tf.int32, [], name="k")
    c = tf1.cond(tf.reduce_sum(x) > 0, lambda: tf.reduce_max(x), lambda: tf.reduce_min(x),
                 name="c")
    w = tf1.while_loop(lambda i, v: i < k, lambda i, v: (i + 1, v * 2.0), [0, x],
                       name="w")
    tf.identity(c, name="c_out")
    tf.identity(w[1], name="w_out")
add("v1_graph", g.as_graph_def(),
    [({"x:0": [1.0, -3.0, 4.0], "k:0": 3}, ["c_out:0", "w_out:0"]),
     ({"x:0": [-1.0, -3.0], "k:0": 0}, ["c_out:0", "w_out:0"])])

# A resource variable updated inside a branch (a stateful If with a resource input).
g = tf.Graph()
with g.as_default():
    p = tf1.placeholder(tf.bool, [], name="p")
    v = tf1.get_variable("v", initializer=1.0, use_resource=True)
    r = tf1.cond(p, lambda: v.assign_add(2.0), lambda: v.read_value(), name="r")
    tf.identity(r, name="r_out")
add("resource_in_cond", g.as_graph_def(),
    [({}, ["v/Assign"]), ({"p:0": True}, ["r_out:0"]), ({"p:0": False}, ["r_out:0"]),
     ({"p:0": True}, ["r_out:0"])])
"""

# Imports each case's GraphDef into a v1 graph and runs its runs in one session:
# values (or the error), the static shapes of the fetches, and op types.
RUN = r"""
def run_cases(cases, tf1, parse):
    out = {}
    for name, case in cases.items():
        g = tf1.Graph()
        with g.as_default():
            tf1.import_graph_def(parse(base64.b64decode(case["gd"])), name="")
            results = []
            with tf1.Session(graph=g) as sess:
                for feeds, fetches in case["runs"]:
                    tensors = [g.as_graph_element(f) for f in fetches]
                    shapes = [None if not hasattr(t, "shape") or t.shape.rank is None
                              else [d for d in t.shape.as_list()] for t in tensors]
                    try:
                        vals = sess.run(tensors, feeds)
                        results.append({"values": [None if v is None else np.asarray(v).tolist()
                                                   for v in vals], "shapes": shapes})
                    except tf1.errors.OpError as e:
                        results.append({"error": type(e).__name__, "message": e.message})
            out[name] = {"results": results,
                         "types": sorted({op.type for op in g.get_operations()})}
    return out
"""


@pytest.fixture(scope="module")
def tf_cases():
    code = (
        BUILD + RUN + "print(json.dumps({'cases': cases, 'results': run_cases(cases, tf1, "
        "tf1.GraphDef.FromString)}))"
    )
    return run_tf_json(code, v1=False)


def _graph_def(case):
    return tf.GraphDef.FromString(base64.b64decode(case["gd"]))


def _run_here(case) -> dict:
    g = tf.Graph()
    with g.as_default():
        tf.import_graph_def(_graph_def(case), name="")
        results = []
        with tf.Session(graph=g) as sess:
            for feeds, fetches in case["runs"]:
                tensors = [g.as_graph_element(f) for f in fetches]
                shapes = [
                    None if not hasattr(t, "shape") or t.shape.ndims is None else t.shape.as_list()
                    for t in tensors
                ]
                try:
                    vals = sess.run(tensors, feeds)
                    values = [None if v is None else np.asarray(v).tolist() for v in vals]
                    results.append({"values": values, "shapes": shapes})
                except errors.OpError as e:
                    results.append({"error": type(e).__name__, "message": e.message})
        types = sorted({op.type for op in g.get_operations()})
    return {"results": results, "types": types, "graph": g}


CASE_NAMES = [
    "cond_while",
    "nested_call_assert",
    "switch_case",
    "while_in_cond",
    "v1_graph",
    "resource_in_cond",
    "tensor_arrays",
]


def _same(ours: dict, theirs: dict) -> None:
    assert ours["types"] == theirs["types"]
    for mine, want in zip(ours["results"], theirs["results"]):
        if "error" in want:
            assert mine.get("error") == want["error"], mine
            # TF's message (the inner node named), ours names the calling op after it.
            first = want["message"].split("\n")[0].replace("Graph execution error:", "")
            assert first.strip() in mine["message"]
            node = want["message"].rsplit("{{node ", 1)[1].split("}}")[0]
            assert "{{node " + node + "}}" in mine["message"]
            continue
        assert "error" not in mine, mine
        assert mine["shapes"] == want["shapes"]
        for a, b in zip(mine["values"], want["values"]):
            np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-6)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_runs_tf2_graph_defs_as_tf(tf_cases, name):
    case = tf_cases["cases"][name]
    _same(_run_here(case), tf_cases["results"][name])


def test_function_ops_in_the_cases(tf_cases):
    types = set()
    for name in CASE_NAMES:
        types.update(tf_cases["results"][name]["types"])
    assert {"PartitionedCall", "StatelessIf", "If", "StatelessCase", "StatelessWhile"} <= types


def test_library_survives_import_and_export(tf_cases):
    for name in CASE_NAMES:
        gd = _graph_def(tf_cases["cases"][name])
        with tf.Graph().as_default() as g:
            tf.import_graph_def(gd, name="")
        out = g.as_graph_def()
        ours = {f.signature.name: f for f in out.library.function}
        theirs = {f.signature.name: f for f in gd.library.function}
        assert ours == theirs


def test_exported_graph_defs_run_in_tf(tf_cases):
    exported = {}
    for name in CASE_NAMES:
        case = tf_cases["cases"][name]
        g = _run_here(case)["graph"]
        gd = g.as_graph_def().SerializeToString()
        exported[name] = {"gd": base64.b64encode(gd).decode(), "runs": case["runs"]}
    code = (
        "import base64\ntf1 = tf.compat.v1\n"
        + RUN
        + f"cases = json.loads({json.dumps(json.dumps(exported))})\n"
        + "print(json.dumps(run_cases(cases, tf1, tf1.GraphDef.FromString)))"
    )
    again = json.loads(run_tf(code, v1=False).strip().splitlines()[-1])
    for name in CASE_NAMES:
        assert again[name]["results"] == tf_cases["results"][name]["results"], name


GRADIENT_PROGRAM = r"""
import base64
tf1 = tf.compat.v1

@tf.function
def inner(a):
    return tf.sin(a) * a, tf.shape(a)

@tf.function
def f(x, i):
    y = tf.cond(x[0] > 0, lambda: x * x, lambda: tf.exp(x))
    z = tf.switch_case(i, [lambda: y * 2.0, lambda: tf.square(y)])
    w, _ = inner(z)
    return w

gd = f.get_concrete_function(
    tf.TensorSpec([3], tf.float64, name="x"), tf.TensorSpec([], tf.int32, name="i")
).graph.as_graph_def()
runs = [([0.5, 1.0, 2.0], 0), ([-0.5, 1.0, 2.0], 1), ([0.3, -1.0, 0.2], 1)]
g = tf.Graph()
with g.as_default():
    tf1.import_graph_def(gd, name="")
    (grad,) = tf1.gradients(g.get_tensor_by_name("Identity:0"), g.get_tensor_by_name("x:0"))
    with tf1.Session() as sess:
        values = [sess.run(grad, {"x:0": x, "i:0": i}).tolist() for x, i in runs]
print(json.dumps({"gd": base64.b64encode(gd.SerializeToString()).decode(), "runs": runs,
                  "grads": values}))
"""


def test_gradients_through_calls_conditionals_and_cases_match_tf():
    theirs = run_tf_json(GRADIENT_PROGRAM, v1=False)
    tf.import_graph_def(tf.GraphDef.FromString(base64.b64decode(theirs["gd"])), name="")
    g = tf.get_default_graph()
    (grad,) = tf.gradients(g.get_tensor_by_name("Identity:0"), g.get_tensor_by_name("x:0"))
    types = {op.type for op in g.get_operations() if op.name.startswith("gradients/")}
    assert {"PartitionedCall", "StatelessIf", "StatelessCase"} <= types
    with tf.Session() as sess:
        for (x, i), want in zip(theirs["runs"], theirs["grads"]):
            np.testing.assert_allclose(sess.run(grad, {"x:0": x, "i:0": i}), want, rtol=1e-12)
    # The gradient functions join the library: TF imports and runs the gradient graph.
    gd = g.as_graph_def().SerializeToString()
    code = f"""
g = tf.Graph()
with g.as_default():
    tf.import_graph_def(tf.GraphDef.FromString({gd!r}), name="")
    with tf.Session() as sess:
        print(json.dumps([sess.run("{grad.name}", {{"x:0": x, "i:0": i}}).tolist()
                          for x, i in {theirs["runs"]!r}]))
"""
    np.testing.assert_allclose(run_tf_json(code), theirs["grads"], rtol=1e-12)


WHILE_GRADIENT_PROGRAM = r"""
import base64
tf1 = tf.compat.v1

@tf.function
def f(x, n):
    _, acc, p = tf.while_loop(
        lambda i, a, p: i < n,
        lambda i, a, p: (i + 1, a + tf.sin(p) * x, p * 1.1),
        (0, tf.zeros_like(x), x),
    )
    return acc + p

gd = f.get_concrete_function(
    tf.TensorSpec([3], tf.float64, name="x"), tf.TensorSpec([], tf.int32, name="n")
).graph.as_graph_def()
runs = [0, 1, 4]
g = tf.Graph()
with g.as_default():
    tf1.import_graph_def(gd, name="")
    (grad,) = tf1.gradients(g.get_tensor_by_name("Identity:0"), g.get_tensor_by_name("x:0"))
    with tf1.Session() as sess:
        values = [sess.run(grad, {"x:0": [0.5, 1.0, 2.0], "n:0": n}).tolist() for n in runs]
print(json.dumps({"gd": base64.b64encode(gd.SerializeToString()).decode(), "runs": runs,
                  "grads": values}))
"""


def test_gradients_through_while_loops_match_tf():
    theirs = run_tf_json(WHILE_GRADIENT_PROGRAM, v1=False)
    tf.import_graph_def(tf.GraphDef.FromString(base64.b64decode(theirs["gd"])), name="")
    g = tf.get_default_graph()
    (grad,) = tf.gradients(g.get_tensor_by_name("Identity:0"), g.get_tensor_by_name("x:0"))
    with tf.Session() as sess:
        for n, want in zip(theirs["runs"], theirs["grads"]):
            got = sess.run(grad, {"x:0": [0.5, 1.0, 2.0], "n:0": n})
            np.testing.assert_allclose(got, want, rtol=1e-12)
    gd = g.as_graph_def().SerializeToString()
    code = f"""
g = tf.Graph()
with g.as_default():
    tf.import_graph_def(tf.GraphDef.FromString({gd!r}), name="")
    with tf.Session() as sess:
        print(json.dumps([sess.run("{grad.name}", {{"x:0": [0.5, 1.0, 2.0], "n:0": n}}).tolist()
                          for n in {theirs["runs"]!r}]))
"""
    np.testing.assert_allclose(run_tf_json(code), theirs["grads"], rtol=1e-12)


def test_errors_inside_a_body_name_the_inner_node_and_the_calling_op(tf_cases):
    result = _run_here(tf_cases["cases"]["nested_call_assert"])["results"][2]
    assert result["error"] == "InvalidArgumentError"
    message = result["message"]
    assert "first must be positive" in message
    assert "{{node assert_positive/assert_less/Assert/AssertGuard/Assert}}" in message
    assert message.endswith("[[assert_positive/assert_less/Assert/AssertGuard]]")

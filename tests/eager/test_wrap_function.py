"""tf.compat.v1.wrap_function under eager execution: values, structure, lifted
variables and prune, compared with TensorFlow 2.21."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json

PROGRAM = """
import json
tf1 = tf.compat.v1
out = {}
def f(x):
    v = tf1.get_variable("v", initializer=2.0)
    y = x * v
    z = tf.identity(y + 1.0, name="z")
    return y, {"z": z}

w = tf1.wrap_function(f, [tf.TensorSpec([None], tf.float32, name="x")])
y, d = w(tf.constant([1.0, 2.0]))
out["call"] = [y.numpy().tolist(), d["z"].numpy().tolist(), y.dtype.name]
out["variables"] = [v.name for v in w.variables]
out["n_inputs"] = len(w.inputs)
out["outputs"] = [t.name for t in w.outputs]
out["arg"] = w.inputs[0].name
out["structure"] = [type(w.structured_outputs).__name__,
                    sorted(w.structured_outputs[1])]
w.variables[0].assign(3.0)
out["after_assign"] = w(tf.constant([1.0]))[0].numpy().tolist()
p = w.prune(feeds=w.graph.get_tensor_by_name("x:0"), fetches=w.graph.get_tensor_by_name("z:0"))
out["prune_one"] = p(tf.constant([3.0])).numpy().tolist()
p2 = w.prune(feeds=["x:0"], fetches={"a": "z:0", "b": "mul:0"})
r = p2(tf.constant([3.0]))
out["prune_dict"] = {k: r[k].numpy().tolist() for k in sorted(r)}
# Feeding an intermediate tensor: what comes before it does not run.
p3 = w.prune(feeds=["mul:0"], fetches="z:0")
out["prune_mid"] = p3(tf.constant([10.0, 20.0])).numpy().tolist()
w2 = tf1.wrap_function(lambda: tf.constant(5), [])
out["no_args"] = int(w2().numpy())
def g(a, b):
    return {"sum": a + b, "prod": a * b}
w3 = tf1.wrap_function(g, [tf.TensorSpec([2], tf.int32), tf.TensorSpec([2], tf.int32)])
r = w3(tf.constant([1, 2]), tf.constant([3, 4]))
out["dict_out"] = {k: r[k].numpy().tolist() for k in sorted(r)}
out["arg_names"] = [t.name for t in w3.inputs]
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_wrap_function_matches_tensorflow():
    ours = run_here_json(PROGRAM)
    theirs = run_tf_json(PROGRAM, v1=False)
    assert ours == theirs


def test_variables_are_lifted_and_initialized():
    def f(x):
        v = tf.compat.v1.get_variable("w", initializer=[1.0, 2.0])
        return x + v

    w = tf.compat.v1.wrap_function(f, [tf.TensorSpec([2], tf.float32)])
    (v,) = w.variables
    np.testing.assert_allclose(v.numpy(), [1.0, 2.0])
    np.testing.assert_allclose(w(tf.constant([1.0, 1.0])).numpy(), [2.0, 3.0])
    assert w.graph.get_operations()  # the traced graph
    assert "w" not in [op.name for op in w.graph.get_operations()]  # (lifted out)


def test_calls_check_the_argument_count():
    w = tf.compat.v1.wrap_function(lambda x: x * 2, [tf.TensorSpec([], tf.float32)])
    with pytest.raises(TypeError, match="positional"):
        w(1.0, 2.0)


def test_unrelated_stateful_ops_do_not_run():
    """No automatic control dependencies (TF1 semantics): an assign nothing returned
    needs does not run."""

    def f(x):
        v = tf.compat.v1.get_variable("u", initializer=0.0)
        v.assign_add(1.0)
        return x * 2.0

    w = tf.compat.v1.wrap_function(f, [tf.TensorSpec([], tf.float32)])
    assert float(w(tf.constant(2.0)).numpy()) == 4.0
    assert float(w.variables[0].numpy()) == 0.0


FROZEN_PROGRAM = """
import base64, json
@tf.function
def f(x, n):
    y = tf.cond(x[0] > 0, lambda: x * 2.0, lambda: x - 1.0)
    return tf.while_loop(lambda i, a: i < n, lambda i, a: (i + 1, a + y),
                         (0, tf.zeros_like(x)))[1]
gd = f.get_concrete_function(
    tf.TensorSpec([3], tf.float32, name="x"), tf.TensorSpec([], tf.int32, name="n")
).graph.as_graph_def()
print(json.dumps(base64.b64encode(gd.SerializeToString()).decode()))
"""

# The usual way to run a frozen GraphDef under TF2: import it inside wrap_function,
# then prune the wrapped graph to its inputs and outputs.
LOAD_FROZEN = """
import base64, json
gd = tf.compat.v1.GraphDef.FromString(base64.b64decode(GD))
def _imports_graph_def():
    tf.compat.v1.import_graph_def(gd, name="")
wrapped = tf.compat.v1.wrap_function(_imports_graph_def, [])
g = wrapped.graph
frozen = wrapped.prune(
    tf.nest.map_structure(g.as_graph_element, ["x:0", "n:0"]),
    tf.nest.map_structure(g.as_graph_element, "Identity:0"),
)
print(json.dumps([frozen(tf.constant([1.0, 2.0, 3.0]), tf.constant(4)).numpy().tolist(),
                  frozen(tf.constant([-1.0, 2.0, 3.0]), tf.constant(2)).numpy().tolist()]))
"""


@pytest.mark.tf
@requires_tf
def test_frozen_graph_defs_with_functions_load_as_in_tensorflow():
    gd = run_tf_json(FROZEN_PROGRAM, v1=False)
    program = f"GD = {gd!r}\n" + LOAD_FROZEN
    assert run_here_json(program) == run_tf_json(program, v1=False)

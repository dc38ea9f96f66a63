"""The function library of a graph: FunctionDefs imported with a GraphDef, kept on the
graph, instantiated to run, and exported again."""

from __future__ import annotations

import base64

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json
from tfgraph import errors
from tfgraph.framework import function_library
from tfgraph.proto import text_format

# A polymorphic function ($T placeholders, bound by the caller's func attr) called by
# a PartitionedCall, and a function whose body calls another function by name.
GENERIC = """
node { name: "c" op: "Placeholder" attr { key: "dtype" value { type: DT_DOUBLE } } }
node { name: "call" op: "PartitionedCall" input: "c"
  attr { key: "Tin" value { list { type: DT_DOUBLE } } }
  attr { key: "Tout" value { list { type: DT_DOUBLE } } }
  attr { key: "f" value { func { name: "SquarePlus2"
                                 attr { key: "T" value { type: DT_DOUBLE } } } } } }
node { name: "outer" op: "StatefulPartitionedCall" input: "c"
  attr { key: "Tin" value { list { type: DT_DOUBLE } } }
  attr { key: "Tout" value { list { type: DT_DOUBLE } } }
  attr { key: "f" value { func { name: "Twice" } } } }
library {
  function {
    signature {
      name: "SquarePlus2"
      input_arg { name: "x" type_attr: "T" }
      output_arg { name: "y" type_attr: "T" }
      attr { name: "T" type: "type" }
    }
    node_def { name: "m" op: "Mul" input: "x" input: "x"
               attr { key: "T" value { placeholder: "T" } } }
    node_def { name: "two" op: "Cast" input: "k:output:0"
               attr { key: "SrcT" value { type: DT_INT32 } }
               attr { key: "DstT" value { placeholder: "T" } } }
    node_def { name: "k" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
               attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape {}
                                                    int_val: 2 } } } }
    node_def { name: "s" op: "AddV2" input: "m:z:0" input: "two:y:0"
               attr { key: "T" value { placeholder: "T" } } }
    ret { key: "y" value: "s:z:0" }
  }
  function {
    signature {
      name: "Twice"
      input_arg { name: "a" type: DT_DOUBLE }
      output_arg { name: "b" type: DT_DOUBLE }
    }
    node_def { name: "inner" op: "Half" input: "a" }
    node_def { name: "sq" op: "SquarePlus2" input: "a"
               attr { key: "T" value { type: DT_DOUBLE } } }
    node_def { name: "sum" op: "AddV2" input: "inner:h:0" input: "inner:h:0"
               attr { key: "T" value { type: DT_DOUBLE } } }
    node_def { name: "total" op: "AddV2" input: "sum:z:0" input: "sq:y:0"
               attr { key: "T" value { type: DT_DOUBLE } } }
    ret { key: "b" value: "total:z:0" }
  }
  function {
    signature {
      name: "Half"
      input_arg { name: "v" type: DT_DOUBLE }
      output_arg { name: "h" type: DT_DOUBLE }
    }
    node_def { name: "half" op: "Const" attr { key: "dtype" value { type: DT_DOUBLE } }
               attr { key: "value" value { tensor { dtype: DT_DOUBLE tensor_shape {}
                                                    double_val: 0.5 } } } }
    node_def { name: "p" op: "Mul" input: "v" input: "half:output:0"
               attr { key: "T" value { type: DT_DOUBLE } } }
    ret { key: "h" value: "p:z:0" }
  }
}
"""


def _generic():
    return text_format.Parse(GENERIC, tf.GraphDef())


def test_polymorphic_functions_and_calls_by_name_run():
    tf.import_graph_def(_generic(), name="")
    g = tf.get_default_graph()
    with tf.Session() as sess:
        call, outer = sess.run(["call:0", "outer:0"], {"c:0": [1.0, 3.0]})
    np.testing.assert_allclose(call, [3.0, 11.0])
    np.testing.assert_allclose(outer, [1.0 + 3.0, 3.0 + 11.0])  # a/2 + a/2 + a*a + 2
    fn = g.get_operation_by_name("call").get_attr("f")
    assert fn == "SquarePlus2"
    assert sorted(g._functions) == ["Half", "SquarePlus2", "Twice"]


def test_the_library_and_call_attrs_are_exported_unchanged():
    gd = _generic()
    tf.import_graph_def(gd, name="imp")
    out = tf.get_default_graph().as_graph_def()
    assert {f.signature.name: f for f in out.library.function} == {
        f.signature.name: f for f in gd.library.function
    }
    call = next(n for n in out.node if n.name == "imp/call")
    assert call.attr["f"] == gd.node[1].attr["f"]  # (with its attr T)


def test_importing_the_same_library_twice_adds_nothing():
    tf.import_graph_def(_generic())
    tf.import_graph_def(_generic())
    assert len(tf.get_default_graph().as_graph_def().library.function) == 3


def test_a_different_function_of_the_same_name_is_refused():
    tf.import_graph_def(_generic())
    gd = _generic()
    gd.library.function[2].node_def[0].name = "other"
    with pytest.raises(ValueError, match="Cannot add function 'Half' because a different"):
        tf.import_graph_def(gd)


def test_a_failed_import_leaves_no_functions():
    gd = _generic()
    gd.node[0].input.append("missing")
    with pytest.raises(ValueError):
        tf.import_graph_def(gd)
    g = tf.get_default_graph()
    assert g._functions == {} and not g.as_graph_def().library.function


def test_calling_an_undefined_function_fails_when_run():
    gd = _generic()
    del gd.library.function[:]
    tf.import_graph_def(gd, name="")
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError, match="Op type not registered 'Twice'"):
            sess.run("outer:0", {"c:0": [1.0]})


def test_instantiations_are_shared_per_attrs():
    tf.import_graph_def(_generic(), name="")
    fn = tf.get_default_graph()._functions["Twice"]
    assert isinstance(fn, function_library.GraphFunction)
    body = fn.instantiate()
    assert fn.instantiate() is body
    assert [t.op.type for t in body.outputs] == ["AddV2"]
    assert [t.op.type for t in body.inputs] == ["Placeholder"]


def test_imported_dataset_functions_run():
    """tf.data functions exported by tfgraph run again once imported (their FunctionDefs
    come back as library functions)."""
    g = tf.Graph()
    with g.as_default():
        k = tf.constant(10, tf.int64)
        ds = tf.data.Dataset.range(5).map(lambda x: x * k).filter(lambda x: x > 10)
        nxt = tf.data.make_one_shot_iterator(ds).get_next()
    gd = g.as_graph_def()
    with tf.Graph().as_default():
        (out,) = tf.import_graph_def(gd, return_elements=[nxt.name], name="")
        with tf.Session() as sess:
            assert [int(sess.run(out)) for _ in range(3)] == [20, 30, 40]


DEFUN_PROGRAM = """
import base64
from tensorflow.python.framework import function

@function.Defun(tf.float32, tf.float32)
def mysq(a, b):
    return a * a + b

x = tf.placeholder(tf.float32, [2], name="x")
y = tf.identity(mysq(x, x), name="y")
(grad,) = tf.gradients(y, x)
gd = tf.get_default_graph().as_graph_def()
with tf.Session() as sess:
    values = [v.tolist() for v in sess.run([y, grad], {x: [1.0, 2.0]})]
print(json.dumps({"gd": base64.b64encode(gd.SerializeToString()).decode(),
                  "values": values}))
"""


@pytest.mark.tf
@requires_tf
def test_nodes_calling_functions_by_name_run_as_in_tf():
    """TF1's `Defun` writes calls as nodes whose op type is the function's name."""
    theirs = run_tf_json(DEFUN_PROGRAM)
    gd = tf.GraphDef.FromString(base64.b64decode(theirs["gd"]))
    tf.import_graph_def(gd, name="")
    g = tf.get_default_graph()
    x, y = g.get_tensor_by_name("x:0"), g.get_tensor_by_name("y:0")
    assert y.op.inputs[0].op.type == gd.library.function[0].signature.name
    # TF's own gradient (a SymbolicGradient node) and ours (a gradient function).
    tf_grad = next(op for op in g.get_operations() if op.type == "SymbolicGradient")
    (grad,) = tf.gradients(y, x)
    with tf.Session() as sess:
        values = [v.tolist() for v in sess.run([y, grad], {x: [1.0, 2.0]})]
        d_a, d_b = sess.run(tf_grad.outputs, {x: [1.0, 2.0]})  # (x is both a and b)
        assert (d_a + d_b).tolist() == values[1]
    assert values == theirs["values"]
    out = g.as_graph_def().SerializeToString()
    code = f"""
tf.import_graph_def(tf.GraphDef.FromString({out!r}), name="")
with tf.Session() as sess:
    print(json.dumps([v.tolist() for v in sess.run(["y:0", "{grad.name}"], {{"x:0": [1.0, 2.0]}})]))
"""
    assert run_tf_json(code) == theirs["values"]


def test_unknown_ops_in_a_body_fail_when_run():
    gd = _generic()
    gd.library.function[2].node_def[1].op = "NoSuchOp"
    tf.import_graph_def(gd, name="")
    with tf.Session() as sess:
        with pytest.raises(errors.NotFoundError, match="Op type not registered 'NoSuchOp'"):
            sess.run("outer:0", {"c:0": [1.0]})

"""tf.import_graph_def: names, input_map, return_elements, devices, colocation, errors."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tfgraph import errors
from tfgraph.proto import text_format

CONST = """
node { name: "c" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape {} float_val: 1 } } } }
"""


def _graph_def(text: str):
    return text_format.Parse(text, tf.GraphDef())


def _sample_graph_def():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        with tf.device("/cpu:0"):
            v = tf.Variable([1.0, 2.0, 3.0], name="v")
        y = tf.add(x, v, name="y")
        z = tf.identity(y, name="z")
        with tf.control_dependencies([z]):
            tf.no_op(name="q")
        tf.zeros([2, 3], name="k")
    return g.as_graph_def(add_shapes=True)


def _names(g):
    return [o.name for o in g.get_operations()]


def test_import_rebuilds_ops_through_the_registry(fresh_graph):
    gd = _sample_graph_def()
    y, q, v = tf.import_graph_def(gd, return_elements=["y:0", "q", "v"])
    assert y.name == "import/y:0" and y.shape.as_list() == [None, 3]
    assert q.type == "NoOp" and [c.name for c in q.control_inputs] == ["import/z"]
    assert v.type == "VariableV2" and v.outputs[0].dtype.name == "float32_ref"
    assert _names(fresh_graph)[:3] == ["import/x", "import/v/initial_value", "import/v"]
    assign = fresh_graph.get_operation_by_name("import/v/Assign")
    assert assign.get_attr("_class") == [b"loc:@import/v"]
    assert assign.get_attr("use_locking") is True
    # _output_shapes is dropped on import, as TF does.
    assert "_output_shapes" not in assign.node_def.attr
    with tf.Session() as sess:
        sess.run(assign)
        np.testing.assert_array_equal(sess.run(y, {"import/x:0": [[1, 1, 1]]}), [[2, 3, 4]])


def test_import_names(fresh_graph):
    gd = _sample_graph_def()
    tf.constant(1.0, name="import/x")
    tf.import_graph_def(gd)
    assert fresh_graph.get_operation_by_name("import/x_1").type == "Placeholder"
    tf.import_graph_def(gd)
    assert "import_1/y" in _names(fresh_graph)
    tf.import_graph_def(gd, name="m")
    tf.import_graph_def(gd, name="m/")
    assert "m/y_1" in _names(fresh_graph)
    with tf.name_scope("outer"):
        tf.import_graph_def(gd)
    assert "outer/import/y" in _names(fresh_graph)


def test_import_at_the_root_marks_names_used(fresh_graph):
    tf.import_graph_def(_graph_def(CONST), name="")
    assert fresh_graph.get_operation_by_name("c").type == "Const"
    assert tf.constant(2.0, name="c").name == "c_1:0"


def test_input_map(fresh_graph):
    gd = _sample_graph_def()
    p = tf.placeholder(tf.float32, [2, 3], name="p")
    c = tf.constant(1.0, name="anchor")
    y, q = tf.import_graph_def(gd, input_map={"x:0": p, "^z": c}, return_elements=["y:0", "q"])
    assert y.shape.as_list() == [2, 3]
    assert y.op.inputs[0] is p
    assert q.control_inputs == [c.op]
    # "x" means "x:0"; Python values are converted in a "_inputs" scope.
    (y2,) = tf.import_graph_def(gd, input_map={"x": [[1.0, 2.0, 3.0]]}, return_elements=["y:0"])
    assert y2.op.inputs[0].name.startswith("import_1/_inputs/")


def test_input_map_and_return_element_errors(fresh_graph):
    gd = _sample_graph_def()
    p = tf.placeholder(tf.float32, [2, 3], name="p")
    before = len(fresh_graph.get_operations())
    cases = [
        (dict(input_map={"nope:0": p}), "Attempted to map inputs that were not found in graph_def"),
        (dict(input_map={"x:3": p}), r"not found in graph_def: \[x:3\]"),
        (
            dict(return_elements=["nope:0"]),
            "Requested return tensor 'nope:0' not found in graph def",
        ),
        (dict(return_elements=["nope"]), "Requested return node 'nope' not found in graph def"),
        (dict(return_elements=["y:5"]), "Invalid return output 5 of node 'y', which has 1 output"),
        (
            dict(name="", input_map={"x": [[1.0, 2.0, 3.0]]}),
            "requires a non-empty `name` if `input_map` contains non-Tensor values",
        ),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValueError, match=message):
            tf.import_graph_def(gd, **kwargs)
    # A failed import leaves the graph as it was.
    assert len(fresh_graph.get_operations()) == before
    i = tf.constant([1, 2])
    with pytest.raises(ValueError, match=r"Input 0 of node .*/y was passed int32 from Const:0 "):
        tf.import_graph_def(gd, input_map={"x:0": i})
    with pytest.raises(TypeError, match="must be a dictionary"):
        tf.import_graph_def(gd, input_map=[("x:0", p)])
    with pytest.raises(TypeError, match="must be strings"):
        tf.import_graph_def(gd, input_map={1: p})
    with pytest.raises(TypeError, match="must be a list of strings"):
        tf.import_graph_def(gd, return_elements=[1])
    with pytest.raises(TypeError, match="must be a GraphDef proto"):
        tf.import_graph_def("not a graph")


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        (CONST + CONST, ValueError, "Node 'c' is not unique"),
        (
            CONST + 'node { name: "x" op: "Foo" }',
            errors.NotFoundError,
            "Op type not registered 'Foo'",
        ),
        (
            CONST + 'node { name: "x" op: "Identity" input: "nope" '
            'attr { key: "T" value { type: DT_FLOAT } } }',
            ValueError,
            "Node 'x': Unknown input node 'nope'",
        ),
        (
            CONST + 'node { name: "x" op: "Identity" input: "c:3" '
            'attr { key: "T" value { type: DT_FLOAT } } }',
            ValueError,
            "Node 'x': Connecting to invalid output 3 of source node c which has 1 outputs.",
        ),
        (
            CONST + 'node { name: "x" op: "Identity" input: "c" }',
            ValueError,
            r"NodeDef missing attr 'T' from Op<name=Identity; .*NodeDef: \{\{node import/x\}\}",
        ),
        (
            CONST + 'node { name: "x" op: "Identity" input: "c" '
            'attr { key: "T" value { type: DT_INT32 } } }',
            ValueError,
            "Input 0 of node import/x was passed float from import/c:0 incompatible with "
            "expected int32.",
        ),
        (
            CONST + 'node { name: "x" op: "Identity" input: "^c" input: "c" '
            'attr { key: "T" value { type: DT_FLOAT } } }',
            ValueError,
            "Control dependencies must come after regular dependencies",
        ),
        (
            'node { name: "x" op: "Identity" input: "y" '
            'attr { key: "T" value { type: DT_FLOAT } } }'
            'node { name: "y" op: "Identity" input: "x" '
            'attr { key: "T" value { type: DT_FLOAT } } }',
            ValueError,
            "2 nodes in a cycle",
        ),
        (
            CONST + 'node { name: "x" op: "Assign" input: "c" input: "c" '
            'attr { key: "T" value { type: DT_FLOAT } } }',
            ValueError,
            "incompatible with expected float_ref",
        ),
        (
            CONST + "versions { producer: 10 min_consumer: 3000 }",
            ValueError,
            "GraphDef min consumer version 3000 above current version 2474",
        ),
        (
            CONST + 'node { name: "x" op: "Identity" input: "c" '
            'attr { key: "T" value { type: DT_FLOAT } } '
            'attr { key: "_class" value { list { s: "loc:@zz" } } } }',
            ValueError,
            "Node 'x' expects to be colocated with unknown node 'zz'",
        ),
    ],
)
def test_import_errors(fresh_graph, text, error, message):
    with pytest.raises(error, match=message):
        tf.import_graph_def(_graph_def(text))
    assert fresh_graph.get_operations() == []


def test_unknown_op_type_error_is_also_a_value_error():
    with pytest.raises(ValueError, match=r"'Foo' .*node 'x'"):
        tf.import_graph_def(_graph_def('node { name: "x" op: "Foo" }'))


def test_attr_defaults_come_from_the_registry(fresh_graph):
    text = """
    node { name: "v" op: "VariableV2" attr { key: "dtype" value { type: DT_FLOAT } }
           attr { key: "shape" value { shape { dim { size: 2 } } } } }
    """
    (v,) = tf.import_graph_def(_graph_def(text), return_elements=["v"], name="")
    assert v.get_attr("container") == b"" and v.get_attr("shared_name") == b""
    assert v.outputs[0].shape.as_list() == [2]


def test_unknown_attrs_are_kept_and_producer_defaults_stripped(fresh_graph):
    from tfgraph import proto

    op_list = proto.OpList()
    identity = op_list.op.add()
    identity.name = "Identity"
    extra = identity.attr.add()
    extra.name = "foo"
    extra.type = "int"
    extra.default_value.i = 1
    text = CONST + (
        'node { name: "x" op: "Identity" input: "c" attr { key: "T" value { type: DT_FLOAT } } '
        'attr { key: "foo" value { i: 1 } } }'
    )
    (x,) = tf.import_graph_def(_graph_def(text), return_elements=["x"])
    assert x.get_attr("foo") == 1
    (x,) = tf.import_graph_def(_graph_def(text), return_elements=["x"], producer_op_list=op_list)
    assert "foo" not in x.node_def.attr


def test_devices_and_colocation(fresh_graph):
    gd = _sample_graph_def()
    with tf.device("/job:w/task:1"):
        tf.import_graph_def(gd, name="dev")
    g = fresh_graph
    assert g.get_operation_by_name("dev/x").device == "/job:w/task:1"
    assert g.get_operation_by_name("dev/v").device == "/job:w/task:1/device:CPU:0"
    # Colocated ops take their group's device.
    assert g.get_operation_by_name("dev/v/read").device == "/job:w/task:1/device:CPU:0"
    text = CONST + (
        'node { name: "x" op: "Identity" input: "c" device: "/cpu:0" '
        'attr { key: "T" value { type: DT_FLOAT } } } '
        'node { name: "y" op: "Identity" input: "c" device: "/gpu:0" '
        'attr { key: "T" value { type: DT_FLOAT } } '
        'attr { key: "_class" value { list { s: "loc:@x" } } } }'
    )
    tf.import_graph_def(_graph_def(text), name="co")
    assert g.get_operation_by_name("co/y").device == "/device:CPU:0"
    assert g.get_operation_by_name("co/y").get_attr("_class") == [b"loc:@co/x"]


def test_enclosing_control_dependencies_apply_to_ops_without_inputs(fresh_graph):
    a = tf.constant(2.0, name="a")
    with tf.control_dependencies([a]):
        tf.import_graph_def(_graph_def(CONST + 'node { name: "x" op: "Identity" input: "c" '
                                               'attr { key: "T" value { type: DT_FLOAT } } }'),
                            name="cd")  # fmt: skip
    assert fresh_graph.get_operation_by_name("cd/c").control_inputs == [a.op]
    assert fresh_graph.get_operation_by_name("cd/x").control_inputs == []


def test_constants_keep_their_encoding(fresh_graph):
    src = tf.Graph()
    with src.as_default():
        tf.zeros([2, 3], name="z")
        tf.constant([1.0, 2.0, 3.0], name="c")
        tf.constant("s", name="s")
    gd = src.as_graph_def()
    tf.import_graph_def(gd, name="")
    assert fresh_graph.as_graph_def() == gd
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run("z:0"), np.zeros([2, 3]))


def test_graph_def_from_real_tf_class_is_accepted(fresh_graph):
    class Foreign:  # a message of another descriptor pool, e.g. real TF's GraphDef
        class DESCRIPTOR:
            full_name = "tensorflow.GraphDef"

        def SerializeToString(self):
            return _graph_def(CONST).SerializeToString()

    tf.import_graph_def(Foreign(), name="")
    assert _names(fresh_graph) == ["c"]


def test_import_into_another_graph_and_run(fresh_graph):
    gd = _sample_graph_def()
    g2 = tf.Graph()
    with g2.as_default():
        (y,) = tf.import_graph_def(gd, return_elements=["y:0"], name="")
        assert y.graph is g2
    assert fresh_graph.get_operations() == []

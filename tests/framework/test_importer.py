"""tf.import_graph_def: names, input_map, return_elements, devices, colocation, errors."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tfgraph import errors
from tfgraph.io.tensor_proto import make_tensor_proto
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


# -- robustness against malformed GraphDefs (fault probe, issue 10) ----------------------
def _base_graph_def():
    g = tf.Graph()
    with g.as_default():
        x = tf.constant([[1.0, 2.0], [3.0, 4.0]], name="x")
        tf.identity(x, name="y")
        tf.split(x, 2, name="s")
    return g.as_graph_def()


def _node(gd, name):
    return next(n for n in gd.node if n.name == name)


def _import_error(gd):
    g = tf.Graph()
    with g.as_default():
        with pytest.raises(ValueError) as info:
            tf.import_graph_def(gd, name="")
    assert g.get_operations() == []
    return str(info.value)


@pytest.mark.parametrize(
    ("node", "attr", "value", "phrase"),
    [
        (
            "y",
            "T",
            "shape { dim { size: 2 } }",
            "AttrValue had value with type 'shape' when 'type' expected",
        ),
        ("y", "T", "i: 3", "AttrValue had value with type 'int' when 'type' expected"),
        ("y", "T", "", "AttrValue missing value with expected type 'type'"),
        ("s", "num_split", 's: "x"', "AttrValue had value with type 'string' when 'int'"),
        ("s", "num_split", "f: 2", "AttrValue had value with type 'float' when 'int'"),
        ("s", "num_split", "list { i: 2 }", "type 'list(int)' when 'int' expected"),
        ("s", "num_split", "i: 0", "Value for attr 'num_split' of 0 must be at least minimum 1"),
        ("x", "value", "type: DT_FLOAT", "AttrValue had value with type 'type' when 'tensor'"),
        ("x", "value", 's: "zz"', "AttrValue had value with type 'string' when 'tensor'"),
        ("x", "dtype", "type: DT_INVALID", "invalid DataType enum: 0"),
    ],
)
def test_import_checks_attr_value_kinds(node, attr, value, phrase):
    # TF 2.21: ValueError from ValidateAttrValue, naming the attr and the node.
    gd = _base_graph_def()
    av = _node(gd, node).attr[attr]
    av.Clear()
    text_format.Parse(value, av)
    message = _import_error(gd)
    assert phrase in message
    assert f"for attr '{attr}'" in message or f"attr '{attr}'" in message
    assert f"{{{{node {node}}}}}" in message


def test_import_checks_allowed_values_and_list_minimums():
    g = tf.Graph()
    with g.as_default():
        x = tf.constant([[1, 2]], name="x")
        tf.nn.relu(x, name="r")
        tf.pad(x, [[0, 0], [0, 1]], name="p")
        c = tf.zeros([1, 4, 4, 1])
        tf.nn.conv2d(c, tf.zeros([1, 1, 1, 1]), [1, 1, 1, 1], "SAME", name="c")
    gd = g.as_graph_def()
    bad = tf.GraphDef()
    bad.CopyFrom(gd)
    _node(bad, "r").attr["T"].type = tf.string.as_datatype_enum
    assert "Value for attr 'T' of string is not in the list of allowed values" in _import_error(bad)
    bad.CopyFrom(gd)
    _node(bad, "p").attr["Tpaddings"].type = tf.float32.as_datatype_enum
    message = _import_error(bad)
    assert "Value for attr 'Tpaddings' of float is not in the list of allowed values" in message
    assert "int32" in message and "int64" in message
    bad.CopyFrom(gd)
    _node(bad, "c").attr["padding"].s = b"FOO"
    assert "Value for attr 'padding' of \"FOO\" is not in the list of allowed values" in (
        _import_error(bad)
    )


def test_failed_import_leaves_the_graph_exactly_as_before():
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(1.0, name="a")
        tf.add_to_collection("things", a)
        tf.import_graph_def(_base_graph_def(), name="import")  # "import" taken once
        before_ops = g.get_operations()
        before_consumers = list(a.consumers())
        before_version = g.version
        bad = _base_graph_def()
        _node(bad, "s").attr["num_split"].i = 0  # the last node fails
        with pytest.raises(ValueError):
            tf.import_graph_def(bad, input_map={"x:0": a}, name="import")
        assert g.get_operations() == before_ops
        assert list(a.consumers()) == before_consumers
        assert g.version == before_version
        assert g.get_collection("things") == [a]
        # The name counters are as before: the next import is import_1, a new "y" is y.
        assert g.unique_name("import", mark_as_used=False) == "import_1"
        assert g.unique_name("y", mark_as_used=False) == "y"


@pytest.mark.parametrize("exc", [MemoryError, KeyboardInterrupt, RuntimeError])
def test_import_rolls_back_on_any_exception(monkeypatch, exc):
    from tfgraph.framework import importer

    g = tf.Graph()
    with g.as_default():
        a = tf.constant(1.0, name="a")
        real = importer._Importer._import_node
        calls = []

        def failing(self, node, outer):
            calls.append(node.name)
            if len(calls) == 2:
                raise exc("injected")
            return real(self, node, outer)

        monkeypatch.setattr(importer._Importer, "_import_node", failing)
        with pytest.raises(exc):
            tf.import_graph_def(_base_graph_def(), input_map={"x:0": a})
        assert g.get_operations() == [a.op]
        assert a.consumers() == []
        assert g.unique_name("import", mark_as_used=False) == "import"


def test_class_attr_that_is_not_a_list_of_strings():
    # TF 2.21: an empty AttrValue imports (no colocation); a string or int value is a
    # TypeError in TF's importer (it iterates the value as a list of strings).
    gd = _base_graph_def()
    _node(gd, "y").attr["_class"].Clear()
    g = tf.Graph()
    with g.as_default():
        (y,) = tf.import_graph_def(gd, name="", return_elements=["y:0"])
        assert y.op.colocation_groups() == [b"loc:@y"]
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(y), [[1, 2], [3, 4]])
    for text in ('s: "loc:@x"', "i: 4", "list { i: 4 }"):
        gd = _base_graph_def()
        text_format.Parse(text, _node(gd, "y").attr["_class"])
        g = tf.Graph()
        with g.as_default():
            with pytest.raises(TypeError, match="_class"):
                tf.import_graph_def(gd, name="")
            assert g.get_operations() == []


def _const_graph_def(shape, content=None, float_val=None):
    gd = tf.GraphDef()
    n = gd.node.add()
    n.name, n.op = "c", "Const"
    n.attr["dtype"].type = tf.float32.as_datatype_enum
    t = n.attr["value"].tensor
    t.dtype = tf.float32.as_datatype_enum
    for d in shape:
        t.tensor_shape.dim.add().size = d
    if content is not None:
        t.tensor_content = content
    if float_val is not None:
        t.float_val.extend(float_val)
    return gd


@pytest.mark.parametrize(
    ("shape", "content", "float_val"),
    [
        ([10**12], None, [1.0]),  # valid, but far too large to decode
        ([10**12], None, None),
        ([2], b"abcde", None),  # content is not a whole number of floats
        ([3], b"abcdefgh", None),  # content too short for the shape
        ([1], b"abcdefgh", None),  # too long
    ],
)
def test_undecodable_constants_import_and_fail_when_run(shape, content, float_val):
    # TF 2.21 imports these and fails at run time: InvalidArgumentError "Cannot parse
    # tensor from proto".
    g = tf.Graph()
    with g.as_default():
        (c,) = tf.import_graph_def(
            _const_graph_def(shape, content, float_val), name="", return_elements=["c:0"]
        )
        assert c.shape.as_list() == shape
        # Exported (and read back) as the proto it was.
        assert g.as_graph_def().node[0] == _const_graph_def(shape, content, float_val).node[0]
        with tf.Session() as sess:
            with pytest.raises(errors.InvalidArgumentError, match="Cannot parse tensor from proto"):
                sess.run(c)


@pytest.mark.parametrize(
    ("shape", "phrase"),
    [
        ([2**40, 2**40], "is too large (more than 2**63 - 1 entries)"),
        ([-1], "Shape [?] is not fully defined"),
        ([-5], "Shape [-5] is not fully defined"),
    ],
)
def test_constants_with_impossible_shapes_fail_at_import(shape, phrase):
    assert phrase in _import_error(_const_graph_def(shape, float_val=[1.0]))


def test_constant_with_more_values_than_elements_is_truncated_like_tf():
    g = tf.Graph()
    with g.as_default():
        (c,) = tf.import_graph_def(
            _const_graph_def([2], float_val=[1.0, 2.0, 3.0]), name="", return_elements=["c:0"]
        )
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(c), [1.0, 2.0])


@pytest.mark.parametrize("name", ["", "a b", "_a", "a:0", "-a", "A\\x"])
def test_invalid_node_names_are_rejected(name):
    gd = _base_graph_def()
    _node(gd, "y").name = name
    assert f"Node '{name}': Node name contains invalid characters" in _import_error(gd)


@pytest.mark.parametrize("name", ["a/b", ".a", "a.b-c_d/e", "a//b", "a/", "a>b"])
def test_valid_unusual_node_names_import(name):
    gd = _base_graph_def()
    _node(gd, "y").name = name
    g = tf.Graph()
    with g.as_default():
        tf.import_graph_def(gd, name="")
        assert g.get_operation_by_name(name).type == "Identity"


@pytest.mark.parametrize("inp", ["x:a", "x:", "^x:0", "x:-1", ":0", "^", "x y", "^^x"])
def test_malformed_input_names_are_rejected(inp):
    gd = _base_graph_def()
    _node(gd, "y").input[0] = inp
    assert f"Node 'y': Unknown input node '{inp}'" in _import_error(gd)


def _timed_import_error(gd):
    import time

    start = time.perf_counter()
    message = _import_error(gd)
    assert time.perf_counter() - start < 2.0
    return message


def test_huge_output_count_attrs_fail_fast():
    # TF 2.21: ValueError from the shape function in well under a second.
    gd = _base_graph_def()
    _node(gd, "s").attr["num_split"].i = 10**7
    assert "Dimension size must be evenly divisible by 10000000 but is 2" in (
        _timed_import_error(gd)
    )
    g = tf.Graph()
    with g.as_default():
        x = tf.zeros([2, 2], name="x")
        tf.unstack(x, num=2, name="u")
        v = tf.split(x, [1, 1], name="v")
        assert v[0].op.type == "SplitV"
    gd = g.as_graph_def()
    _node(gd, "u").attr["num"].i = 10**7
    assert "Dimension must be 10000000 but is 2" in _timed_import_error(gd)
    gd = g.as_graph_def()
    _node(gd, "v").attr["num_split"].i = 10**7
    assert "Length of size_splits should be equal to num_split" in _timed_import_error(gd)


def test_huge_input_count_attr_fails_fast():
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(1.0, name="a")
        tf.add_n([a, a], name="n")
    gd = g.as_graph_def()
    _node(gd, "n").attr["N"].i = 10**9
    assert "NodeDef expected inputs '1000000000' do not match 2 inputs specified" in (
        _timed_import_error(gd)
    )


def test_reference_types_in_type_attrs_are_rejected():
    # TF 2.21: ValueError "AttrValue must not have reference type value of float_ref".
    gd = _base_graph_def()
    _node(gd, "y").attr["T"].type = tf.float32._as_ref.as_datatype_enum
    message = _import_error(gd)
    assert "AttrValue must not have reference type value of float_ref" in message
    assert "for attr 'T'" in message


def test_undeclared_attrs_are_kept_even_when_undecodable():
    # TF 2.21 imports attrs the op does not declare without reading them.
    gd = _base_graph_def()
    _node(gd, "y").attr["foo"].type = 0  # DT_INVALID
    _node(gd, "y").attr["_bar"].tensor.dtype = 21  # DT_VARIANT
    _node(gd, "y").attr["_empty"].Clear()
    _node(gd, "y").attr["_f"].func.name = "f"
    _node(gd, "x").attr["T"].tensor.CopyFrom(make_tensor_proto(b""))  # not Const's dtype
    g = tf.Graph()
    with g.as_default():
        tf.import_graph_def(gd, name="")
        exported = _node(g.as_graph_def(), "y")
        for key in ("foo", "_bar", "_empty", "_f"):
            assert exported.attr[key] == _node(gd, "y").attr[key]
        assert _node(g.as_graph_def(), "x").attr["T"] == _node(gd, "x").attr["T"]


def test_const_value_of_another_dtype_is_rejected():
    # TF's Const kernel rejects this and TF's shape inference aborts the process when a
    # consumer evaluates it; tfgraph refuses it at import.
    gd = _base_graph_def()
    _node(gd, "s/split_dim").attr["value"].tensor.dtype = tf.float32.as_datatype_enum
    assert "Type mismatch between value (float) and dtype (int32)" in _import_error(gd)


def test_shape_tensor_of_absurd_length_is_an_internal_error():
    # TF 2.21: InternalError "Cannot create a tensor with 1000000000000 dimensions".
    g = tf.Graph()
    with g.as_default():
        x = tf.zeros([2, 2], name="x")
        tf.reshape(x, [4], name="r")
    gd = g.as_graph_def()
    t = _node(gd, "r/shape").attr["value"].tensor
    t.ClearField("tensor_content")
    t.tensor_shape.dim[0].size = 10**12
    t.int_val[:] = [4]
    g = tf.Graph()
    with g.as_default():
        with pytest.raises(errors.InternalError, match="Cannot create a tensor with 1000000000000"):
            tf.import_graph_def(gd, name="")
        assert g.get_operations() == []


@pytest.mark.parametrize("dim", [np.zeros([0], np.int32), np.zeros([2], np.int32)])
def test_expand_dims_with_a_dim_that_is_not_one_value(dim):
    # Found by the importer fuzz (an imported empty Const as ExpandDims' dim gave an
    # IndexError). TF 2.21: ValueError "'dim' input must be a tensor with a single value".
    g = tf.Graph()
    with g.as_default():
        with pytest.raises(ValueError, match="'dim' input must be a tensor with a single value"):
            tf.expand_dims(tf.constant([1, 2]), dim)


def test_an_empty_list_where_a_shape_is_declared_is_refused():
    # (found when merging: an empty list passed as a shape reached the shape rule; TF
    # reads it as no value)
    from tfgraph import proto

    gd = tf.Graph().as_graph_def()
    node = gd.node.add(name="p", op="Placeholder")
    node.attr["dtype"].type = tf.float32.as_datatype_enum
    node.attr["shape"].list.SetInParent()
    with pytest.raises(ValueError, match="AttrValue missing value with expected type 'shape'"):
        tf.import_graph_def(gd, name="")
    assert isinstance(gd, proto.GraphDef)

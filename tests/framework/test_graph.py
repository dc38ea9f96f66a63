import threading

import pytest

import tfgraph as tf


# -- default graph ------------------------------------------------------------------------
def test_as_default_and_nesting():
    g1, g2 = tf.Graph(), tf.Graph()
    outer = tf.get_default_graph()
    with g1.as_default():
        assert tf.get_default_graph() is g1
        with g2.as_default():
            assert tf.get_default_graph() is g2
            assert tf.constant(1.0).graph is g2
        assert tf.get_default_graph() is g1
    assert tf.get_default_graph() is outer


def test_reset_default_graph_replaces_graph_and_refuses_when_nested():
    before = tf.get_default_graph()
    tf.constant(1.0)
    tf.reset_default_graph()
    assert tf.get_default_graph() is not before
    assert tf.get_default_graph().get_operations() == []
    with tf.Graph().as_default():
        with pytest.raises(AssertionError, match="Do not use tf.reset_default_graph"):
            tf.reset_default_graph()


def test_default_graph_is_thread_local_with_global_fallback():
    g = tf.Graph()
    seen = {}

    def worker():
        seen["plain"] = tf.get_default_graph()
        with g.as_default():
            seen["inner"] = tf.get_default_graph()

    with tf.Graph().as_default() as mine:
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert tf.get_default_graph() is mine
    assert seen["inner"] is g
    assert seen["plain"] is tf.get_default_graph()  # the global default, not `mine`


def test_finalize_prevents_new_ops():
    g = tf.get_default_graph()
    tf.constant(1.0)
    g.finalize()
    assert g.finalized
    with pytest.raises(RuntimeError, match="Graph is finalized and cannot be modified."):
        tf.constant(2.0)
    with pytest.raises(RuntimeError, match="finalized"):
        g.add_to_collection("c", 1)


# -- names ----------------------------------------------------------------------------------
def test_op_names_uniquified_like_tensorflow():
    names = [tf.constant(1.0).op.name for _ in range(3)]
    assert names == ["Const", "Const_1", "Const_2"]
    v1 = tf.Variable(1.0)
    v2 = tf.Variable(1.0)
    assert (v1.op.name, v2.op.name) == ("Variable", "Variable_1")


def test_name_clashes_are_case_insensitive():
    a = tf.constant(1.0, name="add")
    b = tf.constant(1.0, name="Add")
    assert (a.op.name, b.op.name) == ("add", "Add_1")


def test_ops_and_scopes_share_one_namespace():
    tf.constant(1.0, name="foo")
    with tf.name_scope("foo") as scope:
        assert scope == "foo_1/"


def test_unique_name():
    g = tf.get_default_graph()
    assert g.unique_name("foo") == "foo"
    assert g.unique_name("foo") == "foo_1"
    assert g.unique_name("foo", mark_as_used=False) == "foo_2"
    assert g.unique_name("Foo") == "Foo_2"


def test_name_scopes_nested_reentered_absolute_and_reset():
    with tf.name_scope("a") as s:
        assert s == "a/"
        assert tf.constant(1.0, name="c").name == "a/c:0"
    with tf.name_scope("a") as s:
        assert s == "a_1/"
    with tf.name_scope("a/") as s:
        assert s == "a/"
        assert tf.constant(2.0).name == "a/Const:0"
    with tf.name_scope("a"):
        with tf.name_scope("b") as s:
            assert s == "a_2/b/"
        with tf.name_scope("") as s:
            assert s == ""
            assert tf.constant(1.0).name == "Const:0"
        with tf.name_scope(None) as s:
            assert s == ""
    assert tf.get_default_graph().get_name_scope() == ""


def test_name_scope_default_name_and_invalid_names():
    with tf.name_scope(None, "default") as s:
        assert s == "default/"
    with tf.name_scope("given", "default") as s:
        assert s == "given/"
    with pytest.raises(ValueError, match="'bad name!' is not a valid root scope name. A root"):
        with tf.name_scope("bad name!"):
            pass
    with tf.name_scope("outer"):
        with pytest.raises(ValueError, match="'bad!' is not a valid scope name. A scope name"):
            with tf.name_scope("bad!"):
                pass
        with tf.name_scope("_inner") as s:  # (leading underscores are fine below the root)
            assert s == "outer/_inner/"


# -- lookups --------------------------------------------------------------------------------
def test_get_operation_and_tensor_by_name():
    g = tf.get_default_graph()
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    assert g.get_operation_by_name("x") is x.op
    assert g.get_tensor_by_name("x:0") is x
    assert g.as_graph_element("x:0") is x
    assert g.as_graph_element(x.op) is x.op
    assert g.get_operations() == [x.op]


@pytest.mark.parametrize(
    "name, cls, phrase",
    [
        ("nope", ValueError, "looks like an (invalid) Operation name, not a Tensor"),
        ("x:5", KeyError, "exists but only has 1 outputs"),
        ("x", ValueError, "refers to an Operation, not a Tensor"),
        ("nope:0", KeyError, "The operation, 'nope', does not exist in the graph"),
        ("x:a", ValueError, "looks a like a Tensor name, but is not a valid one"),
    ],
)
def test_get_tensor_by_name_errors(name, cls, phrase):
    tf.placeholder(tf.float32, name="x")
    with pytest.raises(cls) as info:
        tf.get_default_graph().get_tensor_by_name(name)
    assert phrase in str(info.value)


def test_get_operation_by_name_errors():
    g = tf.get_default_graph()
    tf.placeholder(tf.float32, name="x")
    with pytest.raises(KeyError, match="refers to an Operation not in the graph"):
        g.get_operation_by_name("zz")
    with pytest.raises(ValueError, match="appears to refer to a Tensor, not a Operation"):
        g.get_operation_by_name("x:0")
    with pytest.raises(TypeError, match="Can not convert a int into a Tensor or Operation"):
        g.as_graph_element(3)


def test_element_of_another_graph_is_rejected():
    with tf.Graph().as_default():
        other = tf.constant(1.0)
    with pytest.raises(ValueError, match="is not an element of this graph"):
        tf.get_default_graph().as_graph_element(other)


# -- control dependencies --------------------------------------------------------------------
def test_control_dependencies_nested_and_cleared():
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    x = tf.placeholder(tf.float32, name="x")
    with tf.control_dependencies([a]):
        c = tf.identity(x)
        with tf.control_dependencies([b]):
            d = tf.identity(x)
        with tf.control_dependencies(None):
            e = tf.identity(x)
            with tf.control_dependencies([b]):
                f = tf.identity(x)
    assert c.op.control_inputs == [a.op]
    assert d.op.control_inputs == [a.op, b.op]
    assert e.op.control_inputs == []
    assert f.op.control_inputs == [b.op]


def test_control_dependency_skipped_when_input_made_in_same_block():
    a = tf.constant(1.0, name="a")
    with tf.control_dependencies([a]):
        b = tf.identity(a)  # input is the control dependency itself: no extra edge
        c = tf.identity(tf.identity(tf.placeholder(tf.float32)))
    assert b.op.control_inputs == []
    assert c.op.control_inputs == []  # dominated: its input was created in the block


def test_control_dependencies_rejects_non_graph_elements():
    with pytest.raises(TypeError), tf.control_dependencies([object()]):
        pass


# -- devices and colocation ------------------------------------------------------------------
@pytest.mark.parametrize(
    "spec, expected",
    [
        ("/gpu:1", "/device:GPU:1"),
        ("/device:GPU:1", "/device:GPU:1"),
        ("CPU:0", "/device:CPU:0"),
        ("/job:ps/task:0", "/job:ps/task:0"),
    ],
)
def test_device_strings_are_canonicalized(spec, expected):
    with tf.device(spec):
        assert tf.constant(1.0).op.device == expected


def test_nested_devices_merge_and_none_clears():
    with tf.device("/job:ps"):
        with tf.device("/gpu:0"):
            assert tf.constant(1.0).op.device == "/job:ps/device:GPU:0"
        with tf.device("/job:w/task:1"):
            assert tf.constant(1.0).op.device == "/job:w/task:1"
        with tf.device(None):
            assert tf.constant(1.0).op.device == ""
        with tf.device(""):
            assert tf.constant(1.0).op.device == "/job:ps"


def test_device_function():
    with tf.device(lambda op: "/cpu:0" if op.type == "Const" else ""):
        c = tf.constant(1.0)
        i = tf.identity(c)
    # TF keeps a device function's string as returned (checked with TF 2.21: '/cpu:0');
    # only specs merged by tf.device(<name>) are canonical.
    assert c.op.device == "/cpu:0"
    assert i.op.device == ""
    with tf.device("/job:a"), tf.device(lambda op: "/cpu:0"):
        assert tf.constant(1.0).op.device == "/job:a/device:CPU:0"


def test_colocate_with_sets_class_and_device():
    with tf.device("/gpu:0"):
        c = tf.constant(1.0, name="cc")
    with tf.device("/job:ps/cpu:0"):
        with tf.colocate_with(c.op):
            d = tf.constant(2.0)
        with tf.colocate_with(c):
            e = tf.constant(3.0)
    assert d.op.device == "/device:GPU:0"
    assert d.op.get_attr("_class") == [b"loc:@cc"]
    assert e.op.colocation_groups() == [b"loc:@cc"]


# -- collections -----------------------------------------------------------------------------
def test_graph_keys():
    assert tf.GraphKeys.VARIABLES == tf.GraphKeys.GLOBAL_VARIABLES == "variables"
    assert tf.GraphKeys.TRAINABLE_VARIABLES == "trainable_variables"
    assert tf.GraphKeys.LOCAL_VARIABLES == "local_variables"
    assert tf.GraphKeys.MODEL_VARIABLES == "model_variables"
    assert tf.GraphKeys.UPDATE_OPS == "update_ops"
    assert tf.GraphKeys.SUMMARIES == "summaries"
    assert tf.GraphKeys.TRAIN_OP == "train_op"
    assert tf.GraphKeys.REGULARIZATION_LOSSES == "regularization_losses"


def test_collections_add_get_ref_clear():
    g = tf.get_default_graph()
    tf.add_to_collection("mine", 1)
    tf.add_to_collections(["mine", "other"], 2)
    tf.add_to_collections("single", 3)
    assert tf.get_collection("mine") == [1, 2]
    assert tf.get_collection("other") == [2]
    assert tf.get_collection("single") == [3]
    ref = tf.get_collection_ref("mine")
    ref.append(4)
    assert tf.get_collection("mine") == [1, 2, 4]
    copy = tf.get_collection("mine")
    copy.append(5)
    assert tf.get_collection("mine") == [1, 2, 4]
    assert set(g.get_all_collection_keys()) >= {"mine", "other", "single"}
    g.clear_collection("mine")
    assert tf.get_collection("mine") == []
    assert tf.get_collection("never") == []


def test_get_collection_scope_filter_is_a_prefix_regex_on_names():
    with tf.name_scope("layer1"):
        a = tf.constant(1.0, name="w")
    with tf.name_scope("layer10"):
        b = tf.constant(1.0, name="w")
    c = tf.constant(1.0, name="layer2")
    for t in (a, b, c):
        tf.add_to_collection("ts", t)
    tf.add_to_collection("ts", 42)  # items without a name are skipped when filtering
    assert tf.get_collection("ts", scope="layer1") == [a, b]
    assert tf.get_collection("ts", scope="layer1/") == [a]
    assert tf.get_collection("ts", scope="layer[12]$|layer2") == [c]
    assert len(tf.get_collection("ts")) == 4


def test_empty_name_with_default_opens_the_root_scope():
    with tf.name_scope("outer"):
        with tf.name_scope("", "dflt") as s:
            assert s == ""
        with tf.name_scope(None, "dflt") as s:
            assert s == "outer/dflt/"


@pytest.mark.parametrize(
    ("build", "phrase"),
    [
        (lambda x: tf.split(x, 10**7), "Dimension size must be evenly divisible by 10000000"),
        (lambda x: tf.unstack(x, num=10**7), "Dimension must be 10000000 but is 2"),
        (lambda x: tf.split(x, 3), "Dimension size must be evenly divisible by 3 but is 2"),
    ],
)
def test_failing_shape_rule_adds_nothing_and_fails_fast(build, phrase):
    # A huge output count from an attr is checked before the outputs are made (TF:
    # ValueError in well under a second), and a failed op leaves no consumer edge.
    import time

    g = tf.Graph()
    with g.as_default():
        x = tf.zeros([2, 2])
        before = g.get_operations()
        start = time.perf_counter()
        with pytest.raises(ValueError, match=phrase):
            build(x)
        assert time.perf_counter() - start < 2.0
        assert x.consumers() == []
        assert [op for op in g.get_operations() if op.type in ("Split", "Unpack")] == []
        assert before == g.get_operations()[: len(before)]

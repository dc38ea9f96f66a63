"""get_variable, variable_scope and the per-graph variable store.

Expected names, messages and behaviours were checked against TensorFlow 2.21
(`tensorflow.compat.v1`, v2 behaviour disabled); tests/compat/test_scopes_vs_tf.py
compares many of them with real TF directly.
"""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.variable_scope import VariableStore, _PartitionInfo


def _run(*fetches, init=True):
    with tf.Session() as sess:
        if init:
            sess.run(tf.global_variables_initializer())
            sess.run(tf.local_variables_initializer())
        return sess.run(list(fetches))


# -- creation ---------------------------------------------------------------------------------
def test_default_float_variable_is_glorot_uniform():
    w = tf.get_variable("w", [2, 3])
    assert w.name == "w:0"
    assert w.dtype.name == "float32_ref"
    assert w.shape.as_list() == [2, 3]
    assert w.initial_value.name == "w/Initializer/random_uniform:0"
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert names == [
        "w/Initializer/random_uniform/shape",
        "w/Initializer/random_uniform/min",
        "w/Initializer/random_uniform/max",
        "w/Initializer/random_uniform/RandomUniform",
        "w/Initializer/random_uniform/sub",
        "w/Initializer/random_uniform/mul",
        "w/Initializer/random_uniform",
        "w",
        "w/Assign",
        "w/read",
    ]
    g = tf.get_default_graph()
    limit = np.sqrt(6.0 / 5.0)
    mx = g.get_operation_by_name("w/Initializer/random_uniform/max")._attrs["value"]
    np.testing.assert_allclose(mx, limit, rtol=1e-6)
    for op in g.get_operations():
        assert op._attrs["_class"] == [b"loc:@w"], op.name
    (value,) = _run(w)
    assert value.shape == (2, 3)
    assert np.all(np.abs(value) <= limit)


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [(tf.int32, 0), (tf.int64, 0), (tf.bool, False), (tf.string, b""), (tf.uint8, 0)],
)
def test_default_initializer_for_non_floats_is_zeros(dtype, expected):
    v = tf.get_variable("v", [3], dtype=dtype)
    assert v.initial_value.op.name == "v/Initializer/zeros"
    (value,) = _run(v)
    assert value.tolist() == [expected] * 3


def test_complex_variable_needs_an_initializer():
    with pytest.raises(ValueError, match="An initializer for variable c of <dtype: 'complex64'>"):
        tf.get_variable("c", [2], dtype=tf.complex64)


def test_initializer_kinds():
    a = tf.get_variable("a", [2], initializer=tf.ones_initializer())  # object
    b = tf.get_variable("b", [2], initializer=tf.ones_initializer)  # class
    c = tf.get_variable("c", initializer=tf.constant([1.0, 2.0]))  # tensor
    d = tf.get_variable("d", initializer=[1, 2, 3])  # python value: int32
    e = tf.get_variable("e", initializer=np.ones([2, 2], np.float64))  # numpy
    f = tf.get_variable("f", initializer=lambda: tf.zeros([4]))  # zero-argument callable
    g = tf.get_variable("g", initializer=3.0)  # scalar
    assert [v.dtype.base_dtype.name for v in (a, b, c, d, e, f, g)] == [
        "float32", "float32", "float32", "int32", "float64", "float32", "float32",
    ]  # fmt: skip
    assert [v.shape.as_list() for v in (c, d, e, f, g)] == [[2], [3], [2, 2], [4], []]
    values = _run(a, b, c, d, e, f, g)
    assert values[0].tolist() == [1, 1] and values[1].tolist() == [1, 1]
    assert values[2].tolist() == [1, 2] and values[3].tolist() == [1, 2, 3]
    assert values[6] == 3.0


def test_tensor_initializer_with_shape_raises():
    with pytest.raises(ValueError, match="If initializer is a constant, do not specify shape."):
        tf.get_variable("x", shape=[2], initializer=tf.constant([1.0, 2.0]))
    with pytest.raises(ValueError, match="If initializer is a constant, do not specify shape."):
        tf.get_variable("y", shape=[2], initializer="abc")


def test_initializer_dtype_mismatch_raises():
    with pytest.raises(
        ValueError,
        match="Initializer type '<dtype: 'float32'>' and explicit dtype '<dtype: 'int32'>' "
        "don't match.",
    ):
        tf.get_variable("x", dtype=tf.int32, initializer=tf.constant([1.0, 2.0]))
    with pytest.raises(ValueError, match="don't match"):
        tf.get_variable("y", dtype=tf.float32, initializer=[1, 2])


def test_missing_shape_raises():
    with pytest.raises(
        ValueError,
        match="Variable x did not get an initializer, so its `shape` argument must be specified.",
    ):
        tf.get_variable("x")


def test_partial_shape_with_shape_initializer_raises():
    with pytest.raises(ValueError, match="The initializer passed is not valid"):
        tf.get_variable("x", shape=[None, 3])


def test_callable_with_shape_gets_shape_and_dtype():
    calls = []

    def init(shape, dtype=None, partition_info=None):
        calls.append((shape, dtype, partition_info))
        return tf.ones(shape, dtype)

    v = tf.get_variable("v", [2, 2], dtype=tf.float64, initializer=init)
    assert calls == [([2, 2], tf.float64, None)]
    assert v.dtype.base_dtype == tf.float64


def test_trainable_collections_and_local_variables():
    t = tf.get_variable("t", [1])
    n = tf.get_variable("n", [1], trainable=False)
    c = tf.get_variable("c", [1], collections=["mine"])
    loc = tf.get_local_variable("loc", [1])
    loc2 = tf.get_variable("loc2", [1], collections=[tf.GraphKeys.LOCAL_VARIABLES])
    assert tf.global_variables() == [t, n]
    assert tf.trainable_variables() == [t, c, loc2]
    assert tf.local_variables() == [loc, loc2]
    assert tf.get_collection("mine") == [c]
    assert not loc.trainable


def test_get_local_variable_appends_to_collections():
    cols = ["extra"]
    v = tf.get_local_variable("v", [1], collections=cols)
    assert tf.get_collection("extra") == [v]
    assert tf.local_variables() == [v]
    assert v not in tf.trainable_variables()


def test_use_resource_true_makes_a_resource_variable():
    r = tf.get_variable("r", [1], use_resource=True)
    assert r.op.type == "VarHandleOp" and r.name == "r:0"
    with tf.variable_scope(tf.get_variable_scope(), reuse=True):
        assert tf.get_variable("r", [1]) is r


def test_validate_shape_false_and_caching_device():
    v = tf.get_variable("v", initializer=tf.constant([1.0]), validate_shape=False)
    assert v.shape.ndims is None
    with tf.variable_scope("s", caching_device="/cpu:0"):
        c = tf.get_variable("c", [1])
    assert c.device == ""
    assert c.value().device == "/device:CPU:0"
    assert c.value().name == "s/c/read:0"


def test_variables_per_graph():
    g1, g2 = tf.Graph(), tf.Graph()
    with g1.as_default():
        a = tf.get_variable("v", [1])
    with g2.as_default():
        b = tf.get_variable("v", [1])
    assert a.graph is g1 and b.graph is g2
    assert isinstance(g1._variable_store, VariableStore)
    assert g1._variable_store is not g2._variable_store


# -- reuse ------------------------------------------------------------------------------------
def test_already_exists_error_names_the_first_creation_site():
    tf.get_variable("x", [1])
    with pytest.raises(ValueError) as info:
        tf.get_variable("x", [1])
    msg = str(info.value)
    assert msg.startswith(
        "Variable x already exists, disallowed. Did you mean to set reuse=True or "
        "reuse=tf.AUTO_REUSE in VarScope? Originally defined at:"
    )
    assert "test_variable_scope.py" in msg
    assert "test_already_exists_error_names_the_first_creation_site" in msg


def test_does_not_exist_error():
    with (
        tf.variable_scope("r", reuse=True),
        pytest.raises(
            ValueError,
            match=r"Variable r/zz does not exist, or was not created with tf.get_variable\(\). "
            r"Did you mean to set reuse=tf.AUTO_REUSE in VarScope\?",
        ),
    ):
        tf.get_variable("zz", [1])


def test_reuse_checks_shape_and_dtype():
    v = tf.get_variable("v", [3])
    with tf.variable_scope("", reuse=True):
        assert tf.get_variable("v", [3]) is v
        assert tf.get_variable("v") is v
        with pytest.raises(
            ValueError,
            match=r"Trying to share variable v, but specified shape \(4,\) and found shape "
            r"\(3,\).",
        ):
            tf.get_variable("v", [4])
        with pytest.raises(
            ValueError,
            match="Trying to share variable v, but specified dtype float64 and found dtype "
            "float32_ref.",
        ):
            tf.get_variable("v", [3], dtype=tf.float64)


def test_auto_reuse():
    with tf.variable_scope("a", reuse=tf.AUTO_REUSE):
        v1 = tf.get_variable("v", [2])
        v2 = tf.get_variable("v", [2])
        with tf.variable_scope("inner"):
            assert tf.get_variable_scope().reuse is tf.AUTO_REUSE
    assert v1 is v2
    assert tf.global_variables() == [v1]


def test_reuse_inherited_by_string_scopes_not_by_reentered_objects():
    with tf.variable_scope("foo") as foo:
        v = tf.get_variable("v", [1])
        with tf.variable_scope("bar"):
            w = tf.get_variable("w", [1])
    with tf.variable_scope("foo", reuse=True):
        assert tf.get_variable("v") is v
        with tf.variable_scope("bar"):
            assert tf.get_variable_scope().reuse is True
            assert tf.get_variable("w") is w
        with tf.variable_scope(foo):  # a scope object keeps its own reuse flag
            assert tf.get_variable_scope().reuse is False
    with tf.variable_scope(foo, reuse=True):
        assert tf.get_variable("v") is v


def test_reuse_variables_and_bad_reuse_values():
    with tf.variable_scope("m") as m:
        v = tf.get_variable("v", [1])
        m.reuse_variables()
        assert tf.get_variable("v") is v
        with tf.variable_scope("mm"):
            assert tf.get_variable_scope().reuse is True
    with pytest.raises(ValueError, match="The reuse parameter must be True or False or None."):
        tf.variable_scope("q", reuse=3)
    with pytest.raises(ValueError, match="reuse=True cannot be used without a name_or_scope"):
        with tf.variable_scope(None, default_name="d", reuse=True):
            pass
    with tf.variable_scope("f", reuse=False):
        assert tf.get_variable_scope().reuse is False


def test_regularizer_added_once_and_not_on_reuse():
    def reg(w):
        return tf.reduce_sum(tf.square(w), name="l2")

    with tf.variable_scope("s"):
        w = tf.get_variable("w", [2], initializer=tf.ones_initializer(), regularizer=reg)
    with tf.variable_scope("s", reuse=True):
        tf.get_variable("w", [2], regularizer=reg)
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert len(losses) == 1
    assert losses[0].name == "s/w/Regularizer/l2:0"
    assert losses[0].op.colocation_groups() == [b"loc:@s/w"]
    total = tf.add_n(losses)
    with tf.Session() as sess:
        sess.run(w.initializer)
        assert sess.run(total) == 2.0
        assert sess.run(losses[0]) == 2.0
    assert w.name == "s/w:0"


def test_scope_regularizer_inherited_and_no_regularizer():
    with tf.variable_scope("r", regularizer=lambda t: tf.reduce_sum(t)):
        tf.get_variable("a", [2])
        with tf.variable_scope("sub"):
            tf.get_variable("b", [2])
            tf.get_variable("c", [2], regularizer=tf.no_regularizer)
    names = [t.name for t in tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)]
    assert names == ["r/a/Regularizer/Sum:0", "r/sub/b/Regularizer/Sum:0"]
    assert tf.no_regularizer(object()) is None


# -- variable_scope ---------------------------------------------------------------------------
def test_variable_names_ignore_name_scopes():
    with tf.name_scope("ns"):
        with tf.variable_scope("vs"):
            w = tf.get_variable("w", [1])
            c = tf.constant(1.0)
        x = tf.get_variable("x", [1])
        y = tf.add(x, 1.0)
    assert (w.name, c.name, x.name, y.name) == ("vs/w:0", "ns/vs/Const:0", "x:0", "ns/Add:0")
    assert tf.get_variable_scope().name == ""


def test_reentered_scope_object_gets_new_name_scope():
    with tf.variable_scope("conv1") as scope:
        v = tf.get_variable("v", [1])
        assert tf.constant(1.0).name == "conv1/Const:0"
    with tf.variable_scope(scope, reuse=True) as again:
        assert again.name == "conv1"
        assert again.original_name_scope == "conv1/"
        assert tf.constant(1.0).name == "conv1_1/Const:0"
        assert tf.get_variable("v") is v
    with tf.variable_scope("other"):
        with tf.variable_scope(scope):
            assert tf.get_variable_scope().name == "conv1"
            assert tf.constant(1.0).name == "other/conv1/Const:0"


def test_default_name_uniquification():
    names = []
    for _ in range(3):
        with tf.variable_scope(None, default_name="layer") as s:
            names.append((s.name, s.original_name_scope, tf.get_variable("w", [1]).name))
    assert names == [
        ("layer", "layer/", "layer/w:0"),
        ("layer_1", "layer_1/", "layer_1/w:0"),
        ("layer_2", "layer_2/", "layer_2/w:0"),
    ]
    with tf.variable_scope("outer"):
        with tf.variable_scope(None, default_name="layer") as a:
            pass
        with tf.variable_scope(None, default_name="layer") as b:
            pass
    with tf.variable_scope("outer"):  # counts of sub-scopes reset when "outer" closed
        with tf.variable_scope(None, default_name="layer") as c:
            pass
    assert (a.name, b.name, c.name) == ("outer/layer", "outer/layer_1", "outer/layer")
    assert c.original_name_scope == "outer_1/layer/"


def test_default_name_requires_name_or_default():
    with pytest.raises(TypeError, match="If default_name is None then name_or_scope is required"):
        tf.variable_scope(None)
    with pytest.raises(TypeError, match="name_or_scope must be a string or VariableScope"):
        with tf.variable_scope(3):
            pass


def test_auxiliary_name_scope_false():
    with tf.variable_scope("aux", auxiliary_name_scope=False) as aux:
        assert aux.original_name_scope == ""
        assert tf.constant(1.0).name == "Const:0"
        assert tf.get_variable("q", [1]).name == "aux/q:0"
    with tf.variable_scope(aux):
        assert tf.constant(1.0).name == "aux/Const:0"
    with pytest.raises(TypeError, match="auxiliary_name_scope must be `True` or `False`"):
        tf.variable_scope("x", auxiliary_name_scope=1)


def test_inherited_initializer_dtype_partitioner_and_caching_device():
    with tf.variable_scope(
        "s", initializer=tf.constant_initializer(3.0), dtype=tf.float64, caching_device="/cpu:0"
    ):
        a = tf.get_variable("a", [2])
        with tf.variable_scope("sub", partitioner=tf.fixed_size_partitioner(2)):
            b = tf.get_variable("b", [4])
            c = tf.get_variable("c", [2], dtype=tf.float32, initializer=tf.zeros_initializer())
    assert a.dtype.base_dtype == tf.float64
    assert a.initial_value.op.name == "s/a/Initializer/Const"
    assert [p.name for p in b] == ["s/sub/b/part_0:0", "s/sub/b/part_1:0"]
    assert b.dtype == tf.float64
    assert [p.name for p in c] == ["s/sub/c/part_0:0", "s/sub/c/part_1:0"]
    assert a.value().device == "/device:CPU:0"
    values = _run(a, tf.convert_to_tensor(b), tf.convert_to_tensor(c))
    assert values[0].tolist() == [3.0, 3.0]
    assert values[1].tolist() == [3.0] * 4
    assert values[2].tolist() == [0.0, 0.0]


def test_scope_object_setters_and_collections():
    with tf.variable_scope("s") as s:
        s.set_initializer(tf.ones_initializer())
        s.set_dtype(tf.int32)
        v = tf.get_variable("v", [2])
        loc = tf.get_local_variable("loc", [1])
    assert v.dtype.base_dtype == tf.int32
    assert s.global_variables() == [v]
    assert s.trainable_variables() == [v]
    assert s.local_variables() == [loc]
    assert s.get_collection(tf.GraphKeys.GLOBAL_VARIABLES) == [v]
    assert isinstance(s, tf.VariableScope)


def test_custom_getters_compose_inner_first():
    def suffix(tag):
        def getter(getter, name, *args, **kwargs):
            return getter(name + tag, *args, **kwargs)

        return getter

    with tf.variable_scope("cg", custom_getter=suffix("_g1")):
        with tf.variable_scope("cg2", custom_getter=suffix("_g2")):
            inner = tf.get_variable("z", [1])
        outer = tf.get_variable("z", [1])
        direct = tf.get_variable("y", [1], custom_getter=suffix("_d"))
    assert inner.name == "cg/cg2/z_g2_g1:0"
    assert outer.name == "cg/z_g1:0"
    assert direct.name == "cg/y_d:0"


def test_custom_getter_receives_all_arguments():
    seen = {}

    def getter(getter, *args, **kwargs):
        seen.update(kwargs)
        return getter(*args, **kwargs)

    tf.get_variable("v", [2], custom_getter=getter, constraint=lambda t: t)
    assert set(seen) >= {
        "name", "shape", "dtype", "initializer", "regularizer", "reuse", "trainable",
        "collections", "caching_device", "partitioner", "validate_shape", "use_resource",
        "synchronization", "aggregation", "constraint",
    }  # fmt: skip
    assert seen["name"] == "v"
    with pytest.raises(ValueError, match="Passed a custom_getter which is not callable: 3"):
        tf.get_variable("w", [1], custom_getter=3)


def test_improper_nesting_raises():
    outer = tf.variable_scope("a")
    inner = tf.variable_scope("b")
    outer.__enter__()
    inner.__enter__()
    with pytest.raises(RuntimeError, match="Improper nesting of variable_scope."):
        outer.__exit__(None, None, None)
    inner.__exit__(None, None, None)
    outer.__exit__(None, None, None)


def test_variable_scope_values_picks_graph():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(1.0)
    with tf.variable_scope("s", values=[c]):
        assert tf.get_default_graph() is g
        v = tf.get_variable("v", [1])
    assert v.graph is g
    assert tf.get_default_graph() is not g


def test_variable_op_scope_and_empty_scope():
    with tf.variable_op_scope([], "vos"):
        v = tf.get_variable("v", [1])
    assert v.name == "vos/v:0"
    with tf.variable_scope(""):
        assert tf.get_variable_scope().name == ""
        assert tf.get_variable("e", [1]).name == "e:0"


def test_synchronization_on_read_defaults_to_not_trainable():
    v = tf.get_variable("v", [1], synchronization=tf.VariableSynchronization.ON_READ)
    assert not v.trainable
    with pytest.raises(ValueError, match="Invalid variable synchronization mode"):
        tf.get_variable("w", [1], synchronization=9)


def test_partition_info_helpers():
    info = _PartitionInfo(full_shape=[4, 3], var_offset=[2, 0])
    assert info.single_offset([2, 3]) == 2
    assert info.single_slice_dim([2, 3]) == 0
    assert _PartitionInfo([4, 3], [0, 0]).single_slice_dim([4, 3]) is None
    with pytest.raises(ValueError, match="Expected 0 <= offset < shape"):
        _PartitionInfo([4], [4])
    with pytest.raises(TypeError, match="`full_shape` must be a sequence"):
        _PartitionInfo(4, [0])
    with pytest.raises(ValueError, match="would exceed"):
        info.single_slice_dim([3, 3])


def test_constraint_from_argument_and_scope():
    def clip(t):
        return t

    with tf.variable_scope("s", constraint=clip):
        v = tf.get_variable("v", [1])
        w = tf.get_variable("w", [1], constraint=None)
    u = tf.get_variable("u", [1], constraint=clip)
    assert v.constraint is clip and w.constraint is clip and u.constraint is clip
    assert tf.get_variable("plain", [1]).constraint is None
    with tf.variable_scope("r", use_resource=True):
        assert tf.get_variable("x", [1]).op.type == "VarHandleOp"

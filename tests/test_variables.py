import numpy as np
import pytest

import tfgraph as tf


def _ops():
    return [(op.name, op.type) for op in tf.get_default_graph().get_operations()]


# -- construction ----------------------------------------------------------------------------
def test_ops_built_as_tensorflow_builds_them():
    v = tf.Variable([1.0, 2.0], name="v")
    assert _ops() == [
        ("v/initial_value", "Const"),
        ("v", "VariableV2"),
        ("v/Assign", "Assign"),
        ("v/read", "Identity"),
    ]
    assert v.initializer.name == "v/Assign"
    assert v.initial_value.name == "v/initial_value:0"
    assert v.value().name == "v/read:0"
    assert v.op.get_attr("shape").dim[0].size == 2
    assert v.initializer.get_attr("_class") == [b"loc:@v"]
    assert v.value().op.get_attr("_class") == [b"loc:@v"]
    assert v.initializer.get_attr("use_locking") is True
    assert v.initializer.get_attr("validate_shape") is True


def test_default_names_are_uniquified():
    assert [tf.Variable(1.0).name for _ in range(3)] == [
        "Variable:0",
        "Variable_1:0",
        "Variable_2:0",
    ]


@pytest.mark.parametrize(
    "initial, dtype, expected_dtype",
    [
        ([1, 2], None, tf.int32),
        ([1.0, 2.0], None, tf.float32),
        (np.array([1.0, 2.0]), None, tf.float64),
        ([False, True], None, tf.bool),
        ([5 + 4j, 6 + 1j], None, tf.complex128),
        ([1, 2], tf.float32, tf.float32),
        (b"text", None, tf.string),
    ],
)
def test_dtype_from_initial_value(initial, dtype, expected_dtype):
    v = tf.Variable(initial, dtype=dtype)
    assert v.dtype == expected_dtype._as_ref
    assert v.value().dtype is expected_dtype


def test_callable_initial_value_is_built_under_initializer_scope():
    v = tf.Variable(lambda: tf.ones([2]), name="fn")
    assert v.initial_value.name == "fn/Initializer/ones:0"
    assert v.initial_value.op.get_attr("_class") == [b"loc:@fn"]
    w = tf.Variable(lambda: 3.0, dtype=tf.float32, name="fn2")
    assert w.initial_value.name == "fn2/Initializer/initial_value:0"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(v), [1.0, 1.0])
        assert sess.run(w) == 3.0


def test_constructor_errors():
    with pytest.raises(ValueError, match="initial_value must be specified."):
        tf.Variable()
    with pytest.raises(
        ValueError, match="collections argument to Variable constructor must be a list"
    ):
        tf.Variable(1.0, collections="abc")
    p = tf.placeholder(tf.float32)
    with pytest.raises(ValueError, match="initial_value must have a shape specified"):
        tf.Variable(p)
    with pytest.raises(ValueError, match="The `constraint` argument must be a callable."):
        tf.Variable(1.0, constraint=3)


def test_validate_shape_false_allows_unknown_shape_and_resize():
    p = tf.placeholder(tf.float32)
    q = tf.Variable(p, validate_shape=False, name="q")
    assert q.shape.ndims is None
    r = tf.Variable([1.0, 2.0], validate_shape=False, name="r")
    with tf.Session() as sess:
        sess.run(q.initializer, {p: [1.0, 2.0, 3.0]})
        np.testing.assert_array_equal(sess.run(q), [1.0, 2.0, 3.0])
        sess.run(r.initializer)
        np.testing.assert_array_equal(
            sess.run(tf.assign(r, [1.0, 2.0, 3.0], validate_shape=False)), [1.0, 2.0, 3.0]
        )
        with pytest.raises(
            tf.errors.InvalidArgumentError, match="Assign requires shapes of both tensors to match"
        ):
            sess.run(tf.assign(r, [1.0, 2.0, 3.0, 4.0]))


def test_expected_shape_and_caching_device_accepted():
    v = tf.Variable([1.0], expected_shape=[1], caching_device="/cpu:0", name="c")
    assert v.value().op.device == "/device:CPU:0"
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(v), [1.0])


# -- collections ---------------------------------------------------------------------------
def test_collections_and_trainable():
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(1.0, trainable=False, name="b")
    c = tf.Variable(1.0, collections=[tf.GraphKeys.LOCAL_VARIABLES], name="c")
    d = tf.Variable(1.0, collections=["custom"], name="d")
    assert tf.global_variables() == [a, b]
    assert tf.all_variables() == [a, b]
    assert tf.trainable_variables() == [a, c, d]  # TF: trainable unless told otherwise
    assert tf.local_variables() == [c]
    assert tf.get_collection("custom") == [d]
    assert tf.model_variables() == []
    assert (a.trainable, b.trainable) == (True, False)


def test_collection_helpers_filter_by_scope():
    with tf.name_scope("layer"):
        a = tf.Variable(1.0, name="w")
    tf.Variable(1.0, name="other")
    assert tf.global_variables("layer") == [a]
    assert tf.trainable_variables("layer/") == [a]


def test_initializer_ops():
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(2.0, name="b")
    loc = tf.Variable(3.0, collections=[tf.GraphKeys.LOCAL_VARIABLES], name="loc")
    init = tf.global_variables_initializer()
    assert init.name == "init" and init.type == "NoOp"
    assert init.control_inputs == [a.initializer, b.initializer]
    assert tf.initialize_all_variables().name == "init_1"
    local = tf.local_variables_initializer()
    assert local.control_inputs == [loc.initializer]
    assert tf.variables_initializer([]).type == "NoOp"
    assert tf.variables_initializer([a], name="just_a").name == "just_a"
    with tf.Session() as sess:
        sess.run(init)
        assert sess.run([a, b]) == [1.0, 2.0]
        sess.run(local)
        assert sess.run(loc) == 3.0


# -- session state -----------------------------------------------------------------------------
def test_uninitialized_read_is_failed_precondition():
    v = tf.Variable(1.0, name="v")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError) as info:
            sess.run(v + 1)
        assert "Attempting to use uninitialized value v" in str(info.value)
        assert info.value.op.name == "v/read"
        with pytest.raises(
            tf.errors.FailedPreconditionError, match="Attempting to use uninitialized value v"
        ):
            sess.run(v)


def test_each_session_has_its_own_state():
    v = tf.Variable(1.0)
    inc = v.assign_add(1.0)
    with tf.Session() as s1:
        s1.run(v.initializer)
        s1.run(inc)
        with tf.Session() as s2:
            with pytest.raises(tf.errors.FailedPreconditionError):
                s2.run(v)
            s2.run(v.initializer)
            assert s2.run(v) == 1.0
        assert s1.run(v) == 2.0


def test_is_variable_initialized():
    v = tf.Variable(1.0)
    flag = tf.is_variable_initialized(v)
    with tf.Session() as sess:
        assert sess.run(flag) == False  # noqa: E712
        sess.run(v.initializer)
        assert sess.run(flag) == True  # noqa: E712


# -- updates -----------------------------------------------------------------------------------
def test_assign_family_returns_updated_value():
    v = tf.Variable([2.0, 3.0], name="v")
    a = v.assign([1, 2])
    b = v.assign_add([2, 3])
    c = v.assign_sub([7, 9])
    assert (a.op.name, b.op.name, c.op.name) == ("Assign", "AssignAdd", "AssignSub")
    assert a.dtype == tf.float32._as_ref
    assert v.assign([1.0, 2.0], read_value=False).type == "Assign"
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(a), [1.0, 2.0])
        np.testing.assert_array_equal(sess.run(b), [3.0, 5.0])
        np.testing.assert_array_equal(sess.run(c), [-4.0, -4.0])
        np.testing.assert_array_equal(v.eval(sess), [-4.0, -4.0])


def test_assign_use_locking_attr():
    v = tf.Variable(1.0)
    assert v.assign(2.0).op.get_attr("use_locking") is False
    assert v.assign(2.0, use_locking=True).op.get_attr("use_locking") is True
    assert tf.assign(v, 2.0).op.get_attr("use_locking") is True
    assert v.assign_add(1.0).op.get_attr("use_locking") is False


def test_assign_shape_mismatch_is_value_error():
    v = tf.Variable([2.0, 3.0])
    with pytest.raises(
        ValueError, match="Dimension 0 in both shapes must be equal, but are 2 and 3"
    ):
        v.assign([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="Shapes must be equal rank, but are 1 and 2"):
        tf.assign(v, [[1.0, 2.0]])


def test_assign_add_on_uninitialized_variable():
    v = tf.Variable(5.0, name="u")
    with tf.Session() as sess:
        with pytest.raises(
            tf.errors.FailedPreconditionError, match="Attempting to use uninitialized value u"
        ):
            sess.run(v.assign_add(1.0))


def test_scatter_updates_need_indexed_slices():
    v = tf.Variable([1.0, 2.0, 3.0])
    sub = v.scatter_sub(tf.IndexedSlices(tf.constant([1.0, 1.0]), tf.constant([0, 2])))
    add = v.scatter_add(tf.IndexedSlices(tf.constant([10.0]), tf.constant([1])))
    upd = v.scatter_update(tf.IndexedSlices(tf.constant([0.0]), tf.constant([0])))
    assert (
        sub.op.type == "ScatterSub"
        and add.op.type == "ScatterAdd"
        and upd.op.type == "ScatterUpdate"
    )
    with pytest.raises(TypeError, match="sparse_delta is not IndexedSlices"):
        v.scatter_sub([1.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(sub), [0.0, 2.0, 2.0])
        np.testing.assert_array_equal(sess.run(add), [0.0, 12.0, 2.0])
        np.testing.assert_array_equal(sess.run(upd), [0.0, 12.0, 2.0])


def test_scatter_out_of_range_index():
    v = tf.Variable([1.0, 2.0])
    bad = tf.scatter_update(v, [5], [1.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(tf.errors.InvalidArgumentError, match="is not in \\[0, 2\\)"):
            sess.run(bad)


def test_count_up_to():
    v = tf.Variable(0, name="cu")
    up = v.count_up_to(2)
    assert up.dtype is tf.int32 and up.op.type == "CountUpTo"
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(up) == 0
        assert sess.run(up) == 1
        with pytest.raises(tf.errors.OutOfRangeError, match="Reached limit of 2"):
            sess.run(up)
        assert sess.run(v) == 2


def test_load_eval_read_value_ref():
    v = tf.Variable(1.0, name="v")
    r1 = v.read_value()
    r2 = v.read_value()
    assert (r1.name, r2.name) == ("read:0", "read_1:0")
    ref = v.ref()
    assert ref.deref() is v and ref == v.ref() and {ref: 1}[v.ref()] == 1
    assert ref != tf.Variable(1.0).ref()
    assert (ref.name, ref.op, ref.dtype) == ("v:0", v.op, tf.float32._as_ref)
    from tfgraph.framework.convert import convert_to_tensor  # (tf's takes no as_ref, as TF)

    assert convert_to_tensor(ref, as_ref=True) is v.op.outputs[0]
    assert tf.get_default_graph().as_graph_element(ref) is v.op.outputs[0]
    with tf.Session() as sess:
        v.load(5.0, sess)
        assert sess.run(v) == 5.0
        assert v.eval(session=sess) == 5.0
        with sess.as_default():
            v.load(6.0)
            assert v.eval() == 6.0
    with pytest.raises(ValueError, match="Either session argument should be provided"):
        v.load(1.0)


def test_properties_repr_and_operators():
    with tf.device("/cpu:0"):
        v = tf.Variable([1.0, 2.0], name="v")
    assert repr(v) == "<tf.Variable 'v:0' shape=(2,) dtype=float32_ref>"
    assert v.name == "v:0" and v.op.name == "v" and v.graph is tf.get_default_graph()
    assert v.device == "/device:CPU:0"
    assert v.dtype == tf.float32._as_ref
    assert v.shape == v.get_shape() == tf.TensorShape([2])
    w = tf.Variable([3.0, 4.0], name="w")
    expr = [
        v + w,
        v - 1,
        2 * v,
        v * w,
        v / 2,
        -v,
        v**2,
        abs(v),
        v < w,
        v @ tf.ones([2, 1]) if False else v,
    ]
    assert (v + w).op.inputs[0].name == "v/read:0"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run(expr[:9])
    np.testing.assert_array_equal(out[0], [4.0, 6.0])
    np.testing.assert_array_equal(out[5], [-1.0, -2.0])
    np.testing.assert_array_equal(out[8], [True, True])
    with pytest.raises(TypeError, match="Iterating over a symbolic `tf.Tensor` is not allowed"):
        iter(v)


def test_variable_converts_to_its_snapshot():
    v = tf.Variable(1.0, name="v")
    assert tf.convert_to_tensor(v) is v.value()
    assert tf.identity(v).op.inputs[0].name == "v/read:0"
    with pytest.raises(ValueError, match="Incompatible type conversion requested"):
        tf.convert_to_tensor(v, dtype=tf.int32)


# -- initialization order -------------------------------------------------------------------
def test_initialized_value_orders_initialization():
    v = tf.Variable(tf.constant([1.0, 2.0]), name="v")
    w = tf.Variable(v.initialized_value() * 2.0, name="w")
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert "cond/read/Switch" in names and "mul_w" in names
    with tf.Session() as sess:
        sess.run(w.initializer)  # v not initialized: uses v's initial value
        np.testing.assert_array_equal(sess.run(w), [2.0, 4.0])
        with pytest.raises(tf.errors.FailedPreconditionError):
            sess.run(v)


def test_initial_value_reading_a_variable_is_guarded():
    v = tf.Variable([1.0, 2.0], name="v")
    u = tf.Variable(v + 1, name="u")
    assert u.initial_value.name == "add:0"
    assert u.initializer.inputs[1].name == "add_u:0"
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(v.assign([10.0, 20.0]))
        sess.run(u.initializer)
        np.testing.assert_array_equal(sess.run(u), [11.0, 21.0])
    with tf.Session() as sess:
        sess.run(u.initializer)
        np.testing.assert_array_equal(sess.run(u), [2.0, 3.0])


def test_global_initializer_works_with_dependent_variables():
    v = tf.Variable(tf.ones([10, 4]), name="v")
    w = tf.Variable(v.initialized_value() * 2.0, name="w")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(w), 2 * np.ones((10, 4)))

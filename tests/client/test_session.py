import collections
import threading

import numpy as np
import pytest

import tfgraph as tf


# -- fetch structures ------------------------------------------------------------------------
def test_fetch_single_tensor_returns_numpy():
    with tf.Session() as sess:
        out = sess.run(tf.constant([[1.0, 2.0]]))
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    np.testing.assert_array_equal(out, [[1.0, 2.0]])


def test_scalar_fetches_are_numpy_scalars_and_strings_bytes():
    with tf.Session() as sess:
        f, s, ss, b = sess.run(
            [tf.constant(1.0), tf.constant("a"), tf.constant(["a", "bc"]), tf.constant(True)]
        )
    assert type(f) is np.float32 and f == 1.0
    assert s == b"a"
    assert ss.dtype == object and list(ss) == [b"a", b"bc"]
    assert type(b) is np.bool_


def test_nested_fetch_structures():
    a = tf.constant(1.0)
    b = tf.constant(2.0)
    Pair = collections.namedtuple("Pair", ["x", "y"])
    fetches = {
        "list": [a, (b, a)],
        "pair": Pair(a, b),
        "ordered": collections.OrderedDict([("z", b), ("a", a)]),
        "op": tf.no_op(),
    }
    with tf.Session() as sess:
        out = sess.run(fetches)
    assert out["list"] == [1.0, (2.0, 1.0)]
    assert isinstance(out["pair"], Pair) and out["pair"] == Pair(1.0, 2.0)
    assert isinstance(out["ordered"], collections.OrderedDict)
    assert list(out["ordered"].items()) == [("z", 2.0), ("a", 1.0)]
    assert out["op"] is None


def test_fetch_by_name_variable_and_duplicates():
    v = tf.Variable([1.0, 2.0], name="v")
    c = tf.constant(3.0, name="c")
    with tf.Session() as sess:
        assert sess.run("init" if False else v.initializer) is None
        out = sess.run(["v:0", v, "c:0", c, c])
    np.testing.assert_array_equal(out[0], [1.0, 2.0])
    np.testing.assert_array_equal(out[1], [1.0, 2.0])
    assert out[2:] == [3.0, 3.0, 3.0]


def test_fetch_op_by_name_returns_none():
    init = tf.global_variables_initializer()
    with tf.Session() as sess:
        assert sess.run("init") is None
        assert sess.run(init) is None


@pytest.mark.parametrize(
    "fetch, cls, phrase",
    [
        (None, TypeError, 'Argument `fetch` = None has invalid type "NoneType". Cannot be None'),
        (3, TypeError, 'has invalid type "int" must be a string or Tensor'),
        ("nope:0", ValueError, "cannot be interpreted as a Tensor"),
        ("nope", ValueError, "refers to an Operation not in the graph"),
    ],
)
def test_bad_fetches(fetch, cls, phrase):
    tf.constant(1.0)  # (an empty graph fails first, whatever the fetch)
    with tf.Session() as sess, pytest.raises(cls) as info:
        sess.run(fetch)
    assert phrase in str(info.value)


def test_fetch_from_another_graph_raises_value_error():
    with tf.Graph().as_default():
        other = tf.constant(1.0)
    tf.constant(2.0)
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="is not an element of this graph"):
            sess.run(other)


def test_fetched_arrays_do_not_alias_session_state():
    v = tf.Variable([1.0, 2.0])
    c = tf.constant([5.0, 6.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        got = sess.run(v)
        got[0] = 100.0
        np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])
        const = sess.run(c)
        const[0] = 100.0
        np.testing.assert_array_equal(sess.run(c), [5.0, 6.0])


# -- feeds ---------------------------------------------------------------------------------
def test_feed_by_tensor_and_by_name():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    y = x * 2
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: [[1, 2]]}), [[2.0, 4.0]])
        np.testing.assert_array_equal(sess.run(y, {"x:0": [[3, 4]]}), [[6.0, 8.0]])


def test_feed_any_tensor_replaces_its_producer():
    a = tf.constant(1.0)
    b = a + 1
    c = b * 10
    with tf.Session() as sess:
        assert sess.run(c) == 20.0
        assert sess.run(c, {b: 5.0}) == 50.0
        assert sess.run(b, {b: 7.0}) == 7.0


@pytest.mark.parametrize(
    "value, shape_text",
    [(np.zeros(3), "(3,)"), ([[1, 2, 3]], "(1, 3)")],
)
def test_feed_wrong_shape(value, shape_text):
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    with tf.Session() as sess, pytest.raises(ValueError) as info:
        sess.run(x * 2, {x: value})
    assert str(info.value) == (
        f"Cannot feed value of shape {shape_text} for Tensor x:0, which has shape (?, 2)"
    )


def test_feed_tensor_value_is_type_error():
    x = tf.placeholder(tf.float32, name="x")
    with tf.Session() as sess:
        with pytest.raises(TypeError, match="The value of a feed cannot be a tf.Tensor object"):
            sess.run(x, {x: tf.constant(1.0)})


def test_feed_key_naming_an_operation_is_type_error():
    x = tf.placeholder(tf.float32, name="x")
    with tf.Session() as sess:
        with pytest.raises(TypeError, match="Cannot interpret feed_dict key as Tensor"):
            sess.run(x, {"x": 1.0})


def test_feed_values_are_converted_to_the_tensor_dtype():
    xi = tf.placeholder(tf.int32, name="xi")
    with tf.Session() as sess:
        out = sess.run(xi * 2, {xi: [1, 2]})
        assert out.dtype == np.int32
        with pytest.raises(TypeError, match="is not compatible with Tensor type"):
            sess.run(xi, {xi: 2**40})
        with pytest.raises(ValueError):
            sess.run(
                tf.placeholder(tf.float32) * 1,
                {tf.get_default_graph().get_tensor_by_name("Placeholder:0"): "abc"},
            )


def test_unfed_placeholder_is_invalid_argument():
    x = tf.placeholder(tf.float32, name="x")
    y = tf.placeholder(tf.float32, [None, 2], name="y")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(x * 2)
        assert "You must feed a value for placeholder tensor 'x' with dtype float" in str(
            info.value
        )
        assert info.value.op is x.op
        with pytest.raises(
            tf.errors.InvalidArgumentError, match="with dtype float and shape \\[\\?,2\\]"
        ):
            sess.run(y)


def test_placeholder_with_default():
    x = tf.placeholder_with_default(tf.constant([1.0, 2.0]), shape=[None])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(x * 2), [2.0, 4.0])
        np.testing.assert_array_equal(sess.run(x * 2, {x: [5.0]}), [10.0])


# -- session lifecycle --------------------------------------------------------------------
def test_closed_session_raises_runtime_error():
    sess = tf.Session()
    sess.close()
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session."):
        sess.run(tf.constant(1.0))


def test_context_manager_makes_session_and_graph_default():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(3.0)
    assert tf.get_default_session() is None
    with tf.Session(graph=g) as sess:
        assert tf.get_default_session() is sess
        assert tf.get_default_graph() is g
        assert c.eval() == 3.0
    assert tf.get_default_session() is None
    assert tf.get_default_graph() is not g


def test_as_default_keeps_graph():
    c = tf.constant(2.0)
    sess = tf.Session()
    with sess.as_default():
        assert tf.get_default_session() is sess
        assert c.eval() == 2.0
    sess.close()


def test_eval_and_run_without_default_session():
    c = tf.constant(1.0)
    with pytest.raises(
        ValueError, match="Cannot evaluate tensor using `eval\\(\\)`: No default session"
    ):
        c.eval()
    with pytest.raises(
        ValueError, match="Cannot execute operation using `run\\(\\)`: No default session"
    ):
        tf.no_op().run()


def test_eval_in_session_of_other_graph():
    c = tf.constant(1.0)
    with tf.Session(graph=tf.Graph()):
        with pytest.raises(
            ValueError, match="the tensor's graph is different from the session's graph"
        ):
            c.eval()


def test_interactive_session_installs_itself():
    c = tf.constant(4.0)
    sess = tf.InteractiveSession()
    try:
        assert tf.get_default_session() is sess
        assert c.eval() == 4.0
    finally:
        sess.close()
    assert tf.get_default_session() is None


def test_config_objects_are_accepted():
    config = tf.ConfigProto(
        intra_op_parallelism_threads=2, inter_op_parallelism_threads=2, allow_soft_placement=True
    )
    with tf.Session(config=config) as sess:
        assert (
            sess.run(tf.constant(1.0), options=tf.RunOptions(), run_metadata=tf.RunMetadata())
            == 1.0
        )


# -- execution ----------------------------------------------------------------------------
def test_only_the_needed_subgraph_runs():
    x = tf.placeholder(tf.float32, name="x")  # never fed, never needed
    unused = x * 2
    c = tf.constant(1.0) + 1
    with tf.Session() as sess:
        assert sess.run(c) == 2.0
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run([c, unused])


def test_control_dependencies_order_execution():
    v = tf.Variable(0.0)
    inc = v.assign_add(1.0)
    with tf.control_dependencies([inc]):
        read = v.read_value()
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(read) == 1.0
        assert sess.run(read) == 2.0


def test_plans_are_cached_and_reused():
    x = tf.placeholder(tf.float32)
    y = x + 1
    with tf.Session() as sess:
        sess.run(y, {x: 1.0})
        n = len(sess._cache)
        for i in range(5):
            assert sess.run(y, {x: float(i)}) == i + 1
        assert len(sess._cache) == n
        sess.run([y, y], {x: 1.0})
        assert len(sess._cache) > n


def test_plan_invalidated_when_control_inputs_added_later():
    v = tf.Variable(0.0)
    inc = v.assign_add(1.0)
    read = tf.identity(v.op.outputs[0])  # reads the variable when it runs
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(read) == 0.0
        read.op._add_control_input(inc.op)
        assert sess.run(read) == 1.0


def test_make_callable_uses_the_same_plan():
    x = tf.placeholder(tf.float32, name="x")
    y = x * 3
    with tf.Session() as sess:
        f = sess.make_callable([y, y], feed_list=[x])
        assert f(2.0) == [6.0, 6.0]
        g = sess.make_callable(y, feed_list=["x:0"])
        assert g(1.0) == 3.0
        with pytest.raises(TypeError):
            f()


def test_kernel_errors_become_op_errors_naming_the_node():
    a = tf.placeholder(tf.float32, [None, None], name="a")
    b = tf.placeholder(tf.float32, [None, None], name="b")
    c = tf.matmul(a, b, name="mm")
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(c, {a: np.ones((2, 3)), b: np.ones((4, 5))})
    assert info.value.op is c.op
    assert "[[{{node mm}}]]" in str(info.value)


def test_many_threads_share_one_session_without_losing_updates():
    v = tf.Variable(0, name="counter")
    inc = v.assign_add(1, use_locking=True)
    x = tf.placeholder(tf.float32)
    y = x * 2
    errors = []
    with tf.Session() as sess:
        sess.run(v.initializer)

        def work(k):
            try:
                for i in range(1000):
                    sess.run(inc)
                    assert sess.run(y, {x: float(k * i)}) == 2.0 * k * i
            except Exception as e:
                errors.append(e)

        threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert sess.run(v) == 8000


# -- errors --------------------------------------------------------------------------------
def test_error_classes_and_codes():
    e = tf.errors.NotFoundError(None, None, "msg")
    assert str(e) == "msg" and e.message == "msg" and e.error_code == tf.errors.NOT_FOUND
    assert isinstance(e, tf.errors.OpError)
    assert tf.errors.exception_type_from_error_code(9) is tf.errors.FailedPreconditionError
    assert tf.errors.error_code_from_exception_type(tf.errors.OutOfRangeError) == 11
    codes = {
        "CancelledError": 1,
        "UnknownError": 2,
        "InvalidArgumentError": 3,
        "DeadlineExceededError": 4,
        "NotFoundError": 5,
        "AlreadyExistsError": 6,
        "PermissionDeniedError": 7,
        "ResourceExhaustedError": 8,
        "FailedPreconditionError": 9,
        "AbortedError": 10,
        "OutOfRangeError": 11,
        "UnimplementedError": 12,
        "InternalError": 13,
        "UnavailableError": 14,
        "DataLossError": 15,
        "UnauthenticatedError": 16,
    }
    for name, code in codes.items():
        assert getattr(tf.errors, name)(None, None, "m").error_code == code


def test_list_outputs_of_length_one():
    # A list output with one element is still a list output (Split/Unpack/ShapeN, N=1).
    x = tf.constant([[1.0, 2.0]])
    (only,) = tf.split(x, 1, axis=0)
    (row,) = tf.unstack(x)
    (shape,) = tf.shape_n([tf.placeholder(tf.float32)])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(only), [[1.0, 2.0]])
        np.testing.assert_array_equal(sess.run(row), [1.0, 2.0])
        np.testing.assert_array_equal(
            sess.run(shape, {tf.get_default_graph().get_tensor_by_name("Placeholder:0"): [1, 2]}),
            [2],
        )


def test_a_dropped_session_frees_its_state_at_once():
    import weakref

    v = tf.Variable(np.zeros(1000, np.float32))
    sess = tf.Session()
    sess.run(v.initializer)
    sess.run(v + 1)
    store = weakref.ref(sess._resources)
    ref = weakref.ref(sess)
    del sess  # no close(): reference counting alone must free it (no cycles), as in TF
    assert ref() is None and store() is None
    with tf.Session() as sess:
        sess.run(v.initializer)
    ref = weakref.ref(sess)
    del sess
    assert ref() is None


# -- feed conversion as TF 2.21 does it ----------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (np.nan, np.iinfo(np.int32).min),
        (np.inf, np.iinfo(np.int32).min),
        (np.array([np.nan, 1.5]), [np.iinfo(np.int32).min, 1]),
        (1.5, 1),
        ([1, 2**40], [1, 0]),  # ints in a list wrap, as numpy's cast does
        (np.array([2**40]), [0]),
    ],
)
def test_int32_feed_converts_like_tf(value, expected):
    p = tf.placeholder(tf.int32)
    with tf.Session() as sess:
        got = sess.run(p, {p: value})
    assert np.asarray(got).dtype == np.int32
    np.testing.assert_array_equal(got, expected)


def test_python_int_feeds_the_dtype_cannot_hold():
    i32 = tf.placeholder(tf.int32)
    i64 = tf.placeholder(tf.int64)
    flag = tf.placeholder(tf.bool)
    f32 = tf.placeholder(tf.float32)
    with tf.Session() as sess:
        with pytest.raises(TypeError, match=r"Type of feed value 1099511627776 with type"):
            sess.run(i32, {i32: 2**40})
        with pytest.raises(
            TypeError, match=r"Type of feed value 2 with type <class 'int'> is not compatible"
        ):
            sess.run(flag, {flag: 2})
        assert sess.run(flag, {flag: 1})
        with pytest.raises(OverflowError, match="Python int too large to convert to C long"):
            sess.run(i64, {i64: 2**64})
        with pytest.raises(ValueError, match="could not convert string to float"):
            sess.run(f32, {f32: "a"})


def test_every_kernel_error_ends_with_the_node_as_tf_does():
    # (kernels that name their op themselves get TF's "[[{{node ...}}]]" suffix too)
    from tfgraph.ops import training_ops

    v = tf.Variable([1.0, 2.0], name="v")
    g = tf.placeholder(tf.float32, [None], name="g")
    step = training_ops.apply_gradient_descent(v, 0.1, g, name="sgd")
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(step, {g: [1.0, 2.0, 3.0]})
    assert info.value.message.endswith("[[{{node sgd}}]]")
    assert info.value.op.name == "sgd"


def test_a_structure_of_tensors_is_fed_leaf_by_leaf():
    """As TF's `nest.flatten_dict_items`: an RNN state tuple as one feed_dict key."""
    cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.BasicLSTMCell(3) for _ in range(2)])
    x = tf.placeholder(tf.float32, [1, 2])
    state = cell.zero_state(1, tf.float32)
    _, new_state = cell(x, state)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(new_state, {x: np.ones((1, 2))})
        again = sess.run(new_state, {x: np.ones((1, 2)), state: first})
        zeros = sess.run(new_state, {x: np.ones((1, 2)), state: first})
        assert not np.allclose(again[1].h, first[1].h)
        np.testing.assert_array_equal(again[1].h, zeros[1].h)
        with pytest.raises(ValueError, match="Key had 4 elements, but value had 3 elements"):
            sess.run(new_state, {x: np.ones((1, 2)), state: (1, 2, 3)})

import numpy as np
import pytest

import tfgraph as tf


def test_tensor_identity_and_repr():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    assert x.name == "x:0"
    assert x.value_index == 0
    assert x.op.type == "Placeholder"
    assert x.dtype is tf.float32
    assert x.graph is tf.get_default_graph()
    assert repr(x) == "<tf.Tensor 'x:0' shape=(?, 3) dtype=float32>"
    assert str(x) == 'Tensor("x:0", shape=(?, 3), dtype=float32)'
    assert x.shape == x.get_shape() == tf.TensorShape([None, 3])


def test_ref_dtype_of_variable_output():
    v = tf.Variable([1.0], name="v")
    ref = v.op.outputs[0]
    assert ref.dtype == tf.float32._as_ref
    assert ref.dtype.name == "float32_ref"
    assert repr(ref) == "<tf.Tensor 'v:0' shape=(1,) dtype=float32_ref>"
    assert v.value().dtype is tf.float32


def test_set_shape_merges_and_rejects_incompatible():
    x = tf.placeholder(tf.float32, [None, 3])
    x.set_shape([5, None])
    assert x.shape.as_list() == [5, 3]
    with pytest.raises(
        ValueError, match="Dimension 1 in both shapes must be equal, but are 3 and 4"
    ):
        x.set_shape([5, 4])


def test_operation_properties():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    c = tf.constant([[1.0, 2.0]], name="c")
    y = tf.add(x, c, name="y")
    op = y.op
    assert (op.name, op.type) == ("y", "AddV2")
    assert op.inputs == (x, c)
    assert op.outputs == [y]
    assert op.values() == (y,)
    assert op.control_inputs == []
    assert op.device == ""
    assert op.graph is tf.get_default_graph()
    assert x.consumers() == [op]
    assert repr(op) == "<tf.Operation 'y' type=AddV2>"
    assert op.get_attr("T") is tf.float32
    with pytest.raises(ValueError, match="Operation 'y' has no attr named 'nope'."):
        op.get_attr("nope")


def test_node_def():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    c = tf.constant(1.0, name="c")
    with tf.control_dependencies([c]):
        y = tf.identity(x, name="y")
    nd = y.op.node_def
    assert nd.name == "y" and nd.op == "Identity"
    assert list(nd.input) == ["x", "^c"]
    assert nd.attr["T"].type == 1
    pnd = x.op.node_def
    assert [d.size for d in pnd.attr["shape"].shape.dim] == [-1, 2]
    assert x.op.get_attr("shape").dim[1].size == 2


def test_bool_iter_len_are_refused():
    x = tf.constant([1, 2])
    with pytest.raises(TypeError, match="as a Python `bool` is not allowed"):
        bool(x)
    with pytest.raises(TypeError, match="Iterating over a symbolic `tf.Tensor` is not allowed"):
        iter(x)
    with pytest.raises(TypeError, match="len is not well defined for a symbolic Tensor"):
        len(x)
    with pytest.raises(NotImplementedError, match="Cannot convert a symbolic tf.Tensor"):
        np.asarray(x)


def test_equality_is_identity_in_graph_mode():
    a = tf.constant(1.0)
    b = tf.constant(1.0)
    assert (a == a) is True
    assert (a == b) is False
    assert len({a, b, a}) == 2


@pytest.mark.parametrize(
    "build, name, op_type",
    [
        (lambda x: x + 1, "add", "AddV2"),
        (lambda x: 1 + x, "add", "AddV2"),
        (lambda x: x - 1, "sub", "Sub"),
        (lambda x: 2 - x, "sub", "Sub"),
        (lambda x: x * 2, "mul", "Mul"),
        (lambda x: 2 * x, "mul", "Mul"),
        (lambda x: x / 2, "truediv", "RealDiv"),
        (lambda x: 2 / x, "truediv", "RealDiv"),
        (lambda x: x // 2, "floordiv", "FloorDiv"),
        (lambda x: x % 2, "mod", "FloorMod"),
        (lambda x: x**2, "pow", "Pow"),
        (lambda x: -x, "Neg", "Neg"),
        (lambda x: abs(x), "Abs", "Abs"),
        (lambda x: x < 1, "Less", "Less"),
        (lambda x: x <= 1, "LessEqual", "LessEqual"),
        (lambda x: x > 1, "Greater", "Greater"),
        (lambda x: x >= 1, "GreaterEqual", "GreaterEqual"),
        (lambda x: x @ tf.ones([3, 3]), "matmul", "MatMul"),
    ],
)
def test_operator_overloads_use_tf_op_names(build, name, op_type):
    x = tf.placeholder(tf.float32, [2, 3], name="x")
    y = build(x)
    assert y.op.name == name
    assert y.op.type == op_type


def test_reflected_operand_converted_with_tensor_dtype():
    x = tf.placeholder(tf.float32, name="x")
    y = 1 + x
    assert [t.name for t in y.op.inputs] == ["add/x:0", "x:0"]
    assert y.op.inputs[0].dtype is tf.float32
    z = x + 1
    assert [t.name for t in z.op.inputs] == ["x:0", "add_1/y:0"]


def test_integer_truediv_casts_to_float64():
    y = tf.constant([1, 2]) / 2
    assert y.dtype is tf.float64
    assert [t.op.type for t in y.op.inputs] == ["Cast", "Cast"]
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(y), [0.5, 1.0])


def test_logical_operators():
    a = tf.constant([True, False])
    b = tf.constant([True, True])
    with tf.Session() as sess:
        got = sess.run([a & b, a | b, a ^ b, ~a])
    np.testing.assert_array_equal(got[0], [True, False])
    np.testing.assert_array_equal(got[1], [True, True])
    np.testing.assert_array_equal(got[2], [False, True])
    np.testing.assert_array_equal(got[3], [False, True])


def test_mismatched_input_types_raise_type_error():
    x = tf.constant(1.0)
    i = tf.constant(1)
    with pytest.raises(
        TypeError,
        match="Input 'y' of 'AddV2' Op has type int32 that does not match type float32 of "
        "argument 'x'",
    ):
        tf.add(x, i)


def test_allowed_types_are_checked():
    s = tf.constant("a")
    with pytest.raises(TypeError, match="not in list of allowed values"):
        tf.matmul(s, s)


def test_impossible_shapes_raise_at_build_time():
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        tf.matmul(tf.ones([2, 3]), tf.ones([2, 3]))
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        tf.ones([2, 3]) + tf.ones([4, 3])
    with pytest.raises(ValueError, match="Cannot reshape a tensor with 6 elements"):
        tf.reshape(tf.ones([2, 3]), [4])


def test_static_shape_inference():
    x = tf.placeholder(tf.float32, [None, 3])
    assert (x + tf.ones([3])).shape.as_list() == [None, 3]
    assert tf.matmul(x, tf.ones([3, 5])).shape.as_list() == [None, 5]
    assert tf.reduce_sum(x, 1).shape.as_list() == [None]
    assert tf.reduce_sum(x, 1, keepdims=True).shape.as_list() == [None, 1]
    assert tf.reshape(x, [-1]).shape.as_list() == [None]
    assert tf.reshape(tf.ones([2, 3]), [-1, 2]).shape.as_list() == [3, 2]
    assert tf.transpose(x).shape.as_list() == [3, None]
    assert tf.concat([x, x], 1).shape.as_list() == [None, 6]
    assert tf.stack([x, x]).shape.as_list() == [2, None, 3]
    assert tf.expand_dims(x, 0).shape.as_list() == [1, None, 3]
    assert tf.squeeze(tf.zeros([1, 2, 1])).shape.as_list() == [2]
    assert tf.shape(x).shape.as_list() == [2]
    assert tf.zeros(tf.shape(x)).shape.as_list() == [None, 3]


def test_bfloat16_constants_and_casts():
    c = tf.constant(1.5, dtype=tf.bfloat16)
    assert c.shape == tf.TensorShape([])
    x = tf.cast(tf.constant([1.5, -2.0, 3.0]), tf.bfloat16)
    back = tf.cast(x, tf.float32)
    with tf.Session() as sess:
        bits = sess.run(x).view(np.uint16)
        np.testing.assert_array_equal(bits, [0x3FC0, 0xC000, 0x4040])  # spec §1.3 patterns
        np.testing.assert_array_equal(sess.run(back), [1.5, -2.0, 3.0])


def test_constant_with_an_empty_shape():
    z = tf.zeros([0, 2, 2, 1])
    assert z.shape.as_list() == [0, 2, 2, 1]
    with tf.Session() as sess:
        assert sess.run(z).shape == (0, 2, 2, 1)

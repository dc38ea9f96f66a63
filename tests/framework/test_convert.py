import numpy as np
import pytest

import tfgraph as tf


@pytest.mark.parametrize(
    "value, dtype",
    [
        (1, tf.int32),
        (2**40, tf.int64),
        (1.5, tf.float32),
        (True, tf.bool),
        ("s", tf.string),
        (b"b", tf.string),
        (1 + 2j, tf.complex128),
        ([1, 2.5], tf.float32),
        ([np.float64(1.0)], tf.float32),
        (np.float64(1.0), tf.float64),
        (np.array([1, 2]), tf.int64),
        ([], tf.float32),
        ([2**31, 1], tf.int64),
        (2**63 - 1, tf.int64),
        (-(2**63), tf.int64),
        (2**63, tf.uint64),
        (2**64 - 1, tf.uint64),
        ([2**63], tf.uint64),
        ([[2**63, 2**63 + 1]], tf.uint64),
        ([1, 2**63], tf.float32),  # numpy makes it float64, TF then float32
    ],
)
def test_python_value_dtype_inference_matches_tensorflow(value, dtype):
    assert tf.constant(value).dtype is dtype


@pytest.mark.parametrize(
    "value, dtype, phrase",
    [
        (1.5, tf.int32, "Expected int32, but got 1.5 of type 'float'."),
        ([1, 2.5], tf.int32, "Expected int32, but got 2.5 of type 'float'."),
        (1, tf.bool, "Expected bool, but got 1 of type 'int'."),
        ("a", tf.float32, "Expected float32, but got a of type 'str'."),
        (1j, tf.float32, "Expected float32, but got 1j of type 'complex'."),
    ],
)
def test_lossy_python_conversions_are_type_errors(value, dtype, phrase):
    with pytest.raises(TypeError) as info:
        tf.constant(value, dtype=dtype)
    assert phrase in str(info.value)


def test_numpy_values_convert_to_requested_dtype():
    assert tf.convert_to_tensor(np.array([1.5]), dtype=tf.int32).dtype is tf.int32


def test_none_and_mixed_lists():
    with pytest.raises(ValueError, match="None values not supported."):
        tf.constant(None)
    with pytest.raises(TypeError, match="Failed to convert elements of"):
        tf.constant([1, None])


def test_constant_shape_fill_and_last_value_padding():
    assert tf.constant(5.0, shape=[2, 3]).shape.as_list() == [2, 3]
    padded = tf.constant([1, 2, 3], shape=[2, 2])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(padded), [[1, 2], [3, 3]])
    with pytest.raises(TypeError, match="Expected Tensor's shape: \\(2, 2\\), but got \\(2,\\)."):
        tf.constant([1, 2], shape=[2, 2], verify_shape=True)
    # TF writes a fill constant as a single value with the full shape.
    value = tf.constant(5.0, shape=[2, 3]).op.get_attr("value")
    assert list(value.float_val) == [5.0] and [d.size for d in value.tensor_shape.dim] == [2, 3]


def test_lists_of_tensors_are_packed():
    x = tf.constant(1.0)
    packed = tf.convert_to_tensor([x, 2.0])
    assert packed.op.type == "Pack"
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(packed), [1.0, 2.0])
    with pytest.raises(TypeError, match="Expected any non-tensor type, but got a tensor instead."):
        tf.constant([x, x])


def test_shapes_and_dimensions_convert_like_tensorflow():
    t = tf.ones([3, 4])
    s = tf.convert_to_tensor(t.shape)
    d = tf.convert_to_tensor(t.shape[1])
    assert (s.name, s.dtype, d.name) == ("shape_as_tensor:0", tf.int32, "shape_as_tensor_1:0")
    assert tf.reshape(t, [t.shape[0], -1]).shape.as_list() == [3, 4]
    p = tf.placeholder(tf.float32, [None, 4])
    with pytest.raises(
        ValueError, match="Cannot convert a partially known TensorShape \\(\\?, 4\\)"
    ):
        tf.convert_to_tensor(p.shape)
    with pytest.raises(ValueError, match="Cannot convert unknown Dimension \\? to a Tensor."):
        tf.convert_to_tensor(p.shape[0])
    with pytest.raises(TypeError):
        tf.reshape(p, [p.shape[0], -1])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(s), [3, 4])


def test_unsupported_objects():
    with pytest.raises(TypeError):
        tf.convert_to_tensor(object())


def test_python_int_beyond_int64_is_uint64_not_wrapped():
    with tf.Session() as sess:
        assert sess.run(tf.constant(2**63)) == 2**63
        assert sess.run(tf.convert_to_tensor(2**64 - 1)) == 2**64 - 1


@pytest.mark.parametrize("value", [2**64, -(2**63) - 1, [1, 2**64]])
def test_python_int_beyond_uint64_fails_to_convert(value):
    with pytest.raises(TypeError, match=r"Failed to convert elements of .* to Tensor\. Consider"):
        tf.constant(value)

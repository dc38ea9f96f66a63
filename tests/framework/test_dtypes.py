import numpy as np
import pytest

import tfgraph as tf
from tfgraph.framework import dtypes
from tfgraph.io.tensor_proto import make_ndarray


def test_names_repr_and_str():
    assert tf.float32.name == "float32"
    assert repr(tf.float32) == "tf.float32"
    assert str(tf.float32) == "<dtype: 'float32'>"
    assert str(tf.float32._as_ref) == "<dtype: 'float32_ref'>"
    assert tf.double is tf.float64 and tf.half is tf.float16


@pytest.mark.parametrize(
    "value, expected",
    [
        ("float32", tf.float32),
        ("float32_ref", tf.float32._as_ref),
        (np.float64, tf.float64),
        (np.dtype("int64"), tf.int64),
        (1, tf.float32),
        (101, tf.float32._as_ref),
        (np.bool_, tf.bool),
        (np.dtype("U3"), tf.string),
        (np.object_, tf.string),
        (tf.int8, tf.int8),
    ],
)
def test_as_dtype(value, expected):
    assert tf.as_dtype(value) is expected


def test_as_dtype_rejects_unknown_with_tf_message():
    with pytest.raises(TypeError, match="Cannot convert the argument `type_value`: 'foo'"):
        tf.as_dtype("foo")
    with pytest.raises(TypeError):
        tf.as_dtype(int)


def test_enum_values_match_tensorflow():
    expected = {
        "float32": 1,
        "float64": 2,
        "int32": 3,
        "uint8": 4,
        "int16": 5,
        "int8": 6,
        "string": 7,
        "complex64": 8,
        "int64": 9,
        "bool": 10,
        "bfloat16": 14,
        "uint16": 17,
        "complex128": 18,
        "float16": 19,
        "resource": 20,
        "variant": 21,
        "uint32": 22,
        "uint64": 23,
    }
    for name, enum in expected.items():
        dt = tf.as_dtype(name)
        assert dt.as_datatype_enum == enum
        assert dt._as_ref.as_datatype_enum == enum + 100
        assert dt._as_ref.base_dtype is dt


def test_ref_compatibility_is_one_directional():
    assert tf.float32.is_compatible_with(tf.float32._as_ref)
    assert not tf.float32._as_ref.is_compatible_with(tf.float32)
    assert not tf.float32.is_compatible_with(tf.int32)


def test_equality_and_hash():
    assert tf.float32 == np.float32
    assert tf.float32 == "float32"
    assert tf.float32 != None  # noqa: E711
    assert tf.float32 != tf.float32._as_ref
    assert hash(tf.float32) != hash(tf.float32._as_ref)
    assert {tf.float32: 1}[tf.as_dtype("float32")] == 1


def test_classification_and_limits():
    assert tf.float16.is_floating and not tf.int32.is_floating
    assert tf.uint8.is_integer and tf.uint8.is_unsigned and not tf.bool.is_integer
    assert tf.complex64.is_complex and tf.complex64.real_dtype is tf.float32
    assert tf.int32.min == -(2**31) and tf.int32.max == 2**31 - 1
    assert tf.float16.max == np.float16(65504)
    assert tf.uint8.size == 1 and tf.float64.size == 8
    assert tf.qint8.is_quantized
    with pytest.raises(TypeError):
        _ = tf.string.min


def test_numpy_types():
    assert tf.float32.as_numpy_dtype is np.float32
    assert tf.string.as_numpy_dtype is object
    assert tf.bool.as_numpy_dtype is np.bool_
    assert dtypes.as_numpy(tf.int16._as_ref) == np.dtype(np.int16)


# Values near bfloat16 ties, subnormals and the top of the range, with the bit patterns
# TF 2.21 writes for them (tf.constant(values, dtype=tf.bfloat16)): Python floats round
# directly from double precision; float32 arrays round from float32.
_BF16_CASES = [
    # value, bits from float64, bits from float32
    (1.00390625000001, 0x3F81, 0x3F80),
    (1.00390625, 0x3F80, 0x3F80),
    (1.01171875, 0x3F82, 0x3F82),
    (1.0117187499999, 0x3F81, 0x3F82),
    (3e-39, 0x0021, 0x0021),
    (1.5e-40, 0x0002, 0x0002),
    (9.18e-41, 0x0001, 0x0001),
    (3.4e38, 0x7F80, 0x7F80),
    (3.396177529230399e38, 0x7F7F, 0x7F80),
    (float("nan"), 0x7FC0, 0x7FC0),
    (-1.00390625000001, 0xBF81, 0xBF80),
    (-0.0, 0x8000, 0x8000),
]


def _bf16_bits(value) -> list[int]:
    """The bit patterns a bfloat16 constant's NodeDef holds."""
    proto = tf.constant(value, dtype=tf.bfloat16).op.get_attr("value")
    return make_ndarray(proto).view(np.uint16).reshape(-1).tolist()


def test_bfloat16_rounds_from_the_precision_it_is_given():
    values = [c[0] for c in _BF16_CASES]
    assert _bf16_bits(values) == [c[1] for c in _BF16_CASES]
    assert _bf16_bits(np.array(values, np.float32)) == [c[2] for c in _BF16_CASES]
    assert _bf16_bits(1.00390625000001) == [0x3F81]

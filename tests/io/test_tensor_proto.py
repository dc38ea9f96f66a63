"""numpy <-> TensorProto, against the spec's rules and against real TF."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from tests.tfrun import requires_tf, run_tf_json
from tfgraph import proto
from tfgraph.framework import dtypes
from tfgraph.io.tensor_proto import (
    bfloat16_bits,
    make_ndarray,
    make_tensor_proto,
    shape_from_proto,
    shape_to_proto,
)

# --------------------------------------------------------------------------------------
# Shapes


@pytest.mark.parametrize(
    "dims, hexbytes",
    [
        ([], ""),
        ([-1, 3], "12 0b 08 ff ff ff ff ff ff ff ff ff 01 12 02 08 03"),
        ([None, 3], "12 0b 08 ff ff ff ff ff ff ff ff ff 01 12 02 08 03"),
        ([0, 2], "12 00 12 02 08 02"),
        (None, "18 01"),
    ],
)
def test_shape_to_proto_bytes(dims, hexbytes):
    assert shape_to_proto(dims).SerializeToString().hex(" ") == hexbytes


def test_shape_from_proto():
    assert shape_from_proto(shape_to_proto(None)) is None
    assert shape_from_proto(shape_to_proto([])) == []
    assert shape_from_proto(shape_to_proto([None, 0, 7])) == [None, 0, 7]


# --------------------------------------------------------------------------------------
# Encoding rules (spec section 1.3)


def test_scalar_goes_to_value_list():
    t = make_tensor_proto(1.5)
    assert t.dtype == proto.DT_FLOAT and list(t.float_val) == [1.5]
    assert t.HasField("tensor_shape") and not t.tensor_shape.dim
    assert t.SerializeToString() == bytes.fromhex("0801 1200 2a04 0000c03f".replace(" ", ""))


def test_arrays_go_to_tensor_content():
    t = make_tensor_proto(np.array([1.0, 2.0], np.float32))
    assert t.tensor_content == bytes.fromhex("0000803f00000040")
    assert not t.float_val
    t = make_tensor_proto([[2, 3]], dtype=dtypes.int32)
    assert t.tensor_content == np.array([2, 3], "<i4").tobytes()


def test_half_and_bfloat16_bit_patterns():
    assert list(make_tensor_proto(1.5, dtype=dtypes.float16).half_val) == [15872]
    assert list(make_tensor_proto(1.5, dtype=dtypes.bfloat16).half_val) == [16320]
    assert list(make_tensor_proto(-2.0, dtype=dtypes.bfloat16).half_val) == [0xC000]
    bits = bfloat16_bits([np.nan, 1.00390625, 1.01171875, -0.0, np.inf, 3.4e38, 1e-40])
    assert bits.tolist() == [0x7FC0, 0x3F80, 0x3F82, 0x8000, 0x7F80, 0x7F80, 0x0001]


def test_bool_complex_uint16_string_use_lists():
    assert list(make_tensor_proto([True, False]).bool_val) == [True, False]
    t = make_tensor_proto([1 + 2j, 3], dtype=dtypes.complex64)
    assert list(t.scomplex_val) == [1, 2, 3, 0] and not t.tensor_content
    assert list(make_tensor_proto([1, 2], dtype=dtypes.uint16).int_val) == [1, 2]
    t = make_tensor_proto([b"a\x00", "é", b""])
    assert list(t.string_val) == [b"a\x00", "é".encode(), b""]


def test_fill_constant_has_single_value():
    t = make_tensor_proto(0.0, shape=[2, 3])
    assert [d.size for d in t.tensor_shape.dim] == [2, 3]
    assert list(t.float_val) == [0.0] and not t.tensor_content
    t = make_tensor_proto(1.0, shape=[2, 2], allow_broadcast=True)
    assert list(t.float_val) == [1.0]


def test_empty_array_is_shape_only():
    t = make_tensor_proto(np.zeros((0, 3), np.float32))
    assert t.SerializeToString() == bytes.fromhex("080112061200120208 03".replace(" ", ""))


def test_errors():
    with pytest.raises(ValueError, match="None values not supported"):
        make_tensor_proto(None)
    with pytest.raises(TypeError, match=r"Expected int32, but got 1\.5 of type 'float'\."):
        make_tensor_proto(1.5, dtype=dtypes.int32)
    with pytest.raises(ValueError, match=r"Too many elements provided\. Takes at most 2"):
        make_tensor_proto([1, 2, 3], shape=[2])
    with pytest.raises(TypeError, match=r"Expected Tensor's shape: \(2, 1\), but got \(2,\)"):
        make_tensor_proto([1, 2], shape=[2, 1], verify_shape=True)
    with pytest.raises(TypeError, match="not supported"):
        make_tensor_proto([1], dtype=dtypes.resource)


# --------------------------------------------------------------------------------------
# Decoding rules


def _proto(text):
    return proto.text_format.Parse(text, proto.TensorProto())


def test_decode_short_lists_fill_with_last():
    a = make_ndarray(_proto("dtype: DT_FLOAT tensor_shape {dim {size: 4}} float_val: [1, 2]"))
    assert a.dtype == np.float32 and a.tolist() == [1, 2, 2, 2]
    s = make_ndarray(_proto('dtype: DT_STRING tensor_shape {dim {size: 3}} string_val: "a"'))
    assert s.dtype == object and s.tolist() == [b"a", b"a", b"a"]
    c = make_ndarray(
        _proto("dtype: DT_COMPLEX64 tensor_shape {dim {size: 2}} scomplex_val: [1, 2]")
    )
    assert c.tolist() == [1 + 2j, 1 + 2j]


def test_decode_empty_lists_are_zeros():
    a = make_ndarray(_proto("dtype: DT_INT64 tensor_shape {dim {size: 2} dim {size: 2}}"))
    assert a.dtype == np.int64 and a.tolist() == [[0, 0], [0, 0]]
    s = make_ndarray(_proto("dtype: DT_STRING tensor_shape {dim {size: 2}}"))
    assert s.tolist() == [b"", b""]


def test_decode_tensor_content_is_authoritative():
    t = _proto("dtype: DT_FLOAT tensor_shape {dim {size: 2}} float_val: 9")
    t.tensor_content = np.array([1, 2], "<f4").tobytes()
    assert make_ndarray(t).tolist() == [1, 2]
    t = _proto("dtype: DT_BOOL tensor_shape {dim {size: 3}}")
    t.tensor_content = b"\x01\x00\x01"
    assert make_ndarray(t).tolist() == [True, False, True]
    t.tensor_content = b"\x01"
    with pytest.raises(ValueError, match="tensor_content"):
        make_ndarray(t)


def test_decode_errors():
    with pytest.raises(ValueError, match="values for 1 elements"):
        make_ndarray(_proto("dtype: DT_FLOAT tensor_shape {} float_val: [1, 2]"))
    with pytest.raises(TypeError):
        make_ndarray(_proto("dtype: DT_RESOURCE tensor_shape {}"))
    with pytest.raises(ValueError, match="unknown shape"):
        make_ndarray(_proto("dtype: DT_FLOAT tensor_shape {dim {size: -1}}"))


def test_decode_result_is_writable_copy():
    t = make_tensor_proto(np.arange(4, dtype=np.float32))
    a = make_ndarray(t)
    a[0] = 7
    assert make_ndarray(t)[0] == 0


@pytest.mark.parametrize(
    "values",
    [
        np.float16([1.5, -2, 65504]),
        np.float32(3.25),
        np.arange(6, dtype=np.float64).reshape(2, 3),
        np.array([-1, 7], np.int8),
        np.array([[1, -2], [3, 4]], np.int32),
        np.array([2**40, -1], np.int64),
        np.array([1, 255], np.uint8),
        np.array([1, 65535], np.uint16),
        np.array([2**32 - 1, 0], np.uint32),
        np.array([2**64 - 1, 5], np.uint64),
        np.array([True, False, True]),
        np.array([1 + 2j, -3 - 4j], np.complex64),
        np.array([[1 + 2j]], np.complex128),
        np.array([b"hello", b"", b"x" * 200], dtype=object),
        np.zeros((0, 3), np.float32),
    ],
)
def test_round_trip(values):
    back = make_ndarray(make_tensor_proto(values))
    assert back.dtype == values.dtype and back.shape == values.shape
    assert back.tolist() == values.tolist()


def test_bfloat16_round_trip_keeps_bits():
    bits = np.array([0x3F80, 0xC020, 0x7FC0, 0x0001], np.uint16)
    values = bits.view(dtypes.bfloat16.np_dtype)
    t = make_tensor_proto(values, dtype=dtypes.bfloat16)
    assert t.tensor_content == bits.astype("<u2").tobytes()
    assert make_ndarray(t).view(np.uint16).tolist() == bits.tolist()


# --------------------------------------------------------------------------------------
# Against real TF: every row of spec section 1.3, scalars, fills, short lists, empties.

_DTYPES = ["float16", "float32", "float64", "bfloat16", "int8", "int16", "int32", "int64",
           "uint8", "uint16", "uint32", "uint64", "bool", "complex64", "complex128",
           "string"]  # fmt: skip
_SCALAR = {"bool": "True", "string": "b'ab'", "complex64": "1+2j", "complex128": "1-2j"}
_ARRAY = {
    "bool": "[[True, False, True], [False, False, True]]",
    "string": "[[b'a', b'', b'c\\x00'], [b'\\xff', 'e', b'f' * 300]]",
    "complex64": "[[1+2j, 3, 4], [5, 6, 7j]]",
    "complex128": "[[1+2j, 3, 4], [5, 6, 7j]]",
}
CASES = []
for _d in _DTYPES:
    _v = _SCALAR.get(_d, "3")
    _a = _ARRAY.get(_d, "[[1, 2, 3], [4, 5, 6]]")
    CASES += [
        f"values={_v}, dtype=tf.{_d}",
        f"values=[{_v}], dtype=tf.{_d}",
        f"values={_a}, dtype=tf.{_d}",
        f"values={_v}, dtype=tf.{_d}, shape=[2, 3]",
        f"values=[{_v}, {_v}], dtype=tf.{_d}, shape=[4]",
        f"values=[], dtype=tf.{_d}, shape=[0, 3]",
    ]
CASES += [
    "values=1.5", "values=3", "values=2**40", "values=[1, 2.5]", "values=[1, 2**40]",
    "values=np.float64(1.5)", "values=np.array([1.5, 2.])", "values=np.array([1, 2])",
    "values=True", "values='h\\xe9llo'", "values=b'x\\x00y'", "values=1+2j",
    "values=['a', b'b']", "values=np.array([b'ab', b'c'])", "values=np.array(['ab', 'c\\xe9'])",
    "values=np.array([b'a\\x00', b''], dtype=object)", "values=[[], []]", "values=[]",
    "values=np.array([2**63 + 5, 1], dtype=np.uint64)", "values=np.uint32(7)",
    "values=np.array([1.5, -2], np.float16)", "values=np.zeros((0, 3), np.float32)",
    "values=np.arange(12, dtype=np.float32).reshape(3, 4)", "values=np.array(3.0, np.float32)",
    "values=[np.float32(1.5), 2]", "values=(1, 2)", "values=[1e300]", "values=2**63",
    "values=[1, 2], dtype=tf.float32", "values=np.array([1.1, 2.2]), dtype=tf.float32",
    "values=np.array([1.5, 2.7]), dtype=tf.int32", "values=np.float32(1.5), dtype=tf.int32",
    "values=True, dtype=tf.int32", "values=[-1, 2], dtype=tf.uint8",
    "values=[300, 2], dtype=tf.int8", "values=2**40, dtype=tf.int32",
    "values=[float('nan'), 1.00390625, 1.01171875, -0.0, 1e-40], dtype=tf.bfloat16",
    "values=np.array([1.00390625000001]), dtype=tf.bfloat16",
    "values=[65520.0, 1e-8], dtype=tf.float16", "values=1.5, dtype=tf.complex64",
    "values=[1, 2, 3, 4], shape=[2, 2]", "values=[5], shape=[]", "values=5., shape=[1]",
    "values=[1.], shape=[2, 2], allow_broadcast=True",
    "values=[1+1j, 2], shape=[3], dtype=tf.complex64",
    "values=np.array([1, 2], np.uint16)", "values=[[7]], dtype=tf.int64",
    "values=np.array([1.5], np.float32), shape=[1]",
    # errors: class and message must match TF's
    "values=None", "values=1.5, dtype=tf.int32", "values='1', dtype=tf.int32",
    "values=1, dtype=tf.bool", "values=1, dtype=tf.string", "values=[1.0], dtype=tf.uint8",
    "values=[1, 2, 3], shape=[2]", "values=[1, 2], shape=[2, 1], verify_shape=True",
    "values=[1, 2], shape=[4], allow_broadcast=True", "values=[1, None]",
]  # fmt: skip


def _encode_here(case):
    try:
        kwargs = eval(f"dict({case})", {"np": np, "tf": dtypes})  # test-only case literals
        return make_tensor_proto(**kwargs).SerializeToString().hex()
    except (TypeError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"


@pytest.fixture(scope="module")
def tf_encodings():
    return run_tf_json(
        textwrap.dedent(
            f"""
            import json
            out = []
            for case in {CASES!r}:
                try:
                    out.append(tf.make_tensor_proto(**eval(f"dict({{case}})")).SerializeToString().hex())
                except (TypeError, ValueError) as exc:
                    out.append(f"{{type(exc).__name__}}: {{exc}}")
            print(json.dumps(out))
            """
        )
    )


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("index", range(len(CASES)), ids=lambda i: CASES[i][:60])
def test_encoding_matches_tf(tf_encodings, index):
    assert _encode_here(CASES[index]) == tf_encodings[index]


_DECODE_TEXTS = [
    "dtype: DT_FLOAT tensor_shape {dim {size: 4}} float_val: [1, 2]",
    'dtype: DT_STRING tensor_shape {dim {size: 3}} string_val: "a\\000\\377"',
    "dtype: DT_INT64 tensor_shape {dim {size: 2} dim {size: 2}}",
    "dtype: DT_COMPLEX128 tensor_shape {dim {size: 3}} dcomplex_val: [1, 2, 3, 4]",
    "dtype: DT_HALF tensor_shape {dim {size: 3}} half_val: [15872]",
    "dtype: DT_BFLOAT16 tensor_shape {dim {size: 2}} half_val: [16320, 49152]",
    "dtype: DT_BOOL tensor_shape {dim {size: 3}} bool_val: [true]",
    "dtype: DT_UINT16 tensor_shape {dim {size: 2}} int_val: [65535]",
    "dtype: DT_INT8 tensor_shape {} int_val: -5",
    "dtype: DT_UINT64 tensor_shape {dim {size: 2}} uint64_val: [18446744073709551615]",
    'dtype: DT_INT32 tensor_shape {dim {size: 2}} int_val: 9 '
    'tensor_content: "\\001\\000\\000\\000\\002\\000\\000\\000"',
    'dtype: DT_COMPLEX64 tensor_shape {dim {size: 1}} '
    'tensor_content: "\\000\\000\\200?\\000\\000\\000@"',
]  # fmt: skip


def _summary(a):
    a = np.asarray(a)
    if a.dtype == object:
        return [a.shape and list(a.shape), [bytes(x).hex() for x in a.reshape(-1)]]
    if a.dtype.itemsize == 2 and a.dtype.kind not in "iuf":  # bfloat16 (any representation)
        a = a.view(np.uint16)
    return [list(a.shape), str(a.dtype), a.tobytes().hex()]


@pytest.mark.tf
@requires_tf
def test_decoding_matches_tf():
    theirs = run_tf_json(
        inspect_source(_summary)
        + textwrap.dedent(
            f"""
            import json
            from google.protobuf import text_format
            from tensorflow.core.framework import tensor_pb2
            out = []
            for text in {_DECODE_TEXTS!r}:
                p = text_format.Parse(text, tensor_pb2.TensorProto())
                out.append(_summary(tf.make_ndarray(p)))
            print(json.dumps(out))
            """
        )
    )
    for text, expected in zip(_DECODE_TEXTS, theirs, strict=True):
        got = _summary(make_ndarray(_proto(text)))
        if "BFLOAT16" in text:
            got[1] = expected[1]  # TF names the dtype bfloat16 (ml_dtypes); bits compared
        assert got == expected, text


def inspect_source(fn):
    import inspect

    return inspect.getsource(fn)


# -- malformed protos: sizes are checked before anything is allocated ---------------------
def _float_proto(shape, content=None, float_val=()):
    t = proto.TensorProto(dtype=dtypes.float32.as_datatype_enum)
    for d in shape:
        t.tensor_shape.dim.add().size = d
    if content is not None:
        t.tensor_content = content
    t.float_val.extend(float_val)
    return t


@pytest.mark.parametrize(
    ("shape", "content", "float_val", "phrase"),
    [
        ([2**40, 2**40], None, (), "too large (more than 2**63 - 1 entries)"),
        ([2**40, 2**40], None, (1.0,), "too large (more than 2**63 - 1 entries)"),
        ([10**12], None, (1.0,), "more than the"),  # would need 4 TB
        ([10**12], None, (), "more than the"),
        ([2], b"abcde", (), "tensor_content of 5 bytes does not hold the 2 elements"),
        ([3], b"abcdefgh", (), "tensor_content of 8 bytes does not hold the 3 elements"),
        ([1], b"abcdefgh", (), "tensor_content of 8 bytes does not hold the 1 elements"),
        ([2], None, (1.0, 2.0, 3.0), "holds 3 values for 2 elements"),
        ([-1], None, (1.0,), "unknown shape"),
    ],
)
def test_make_ndarray_rejects_malformed_protos_before_allocating(shape, content, float_val, phrase):
    # TF's make_ndarray raises ValueError (or MemoryError / numpy errors) for these;
    # tfgraph raises ValueError with a message saying what is wrong, without allocating.
    with pytest.raises(ValueError) as info:
        make_ndarray(_float_proto(shape, content, float_val))
    assert phrase in str(info.value)


def test_make_ndarray_unknown_dtype_enum_is_a_type_error():
    # TF: TypeError "Cannot convert the argument `type_value`: 999 to a TensorFlow DType."
    t = proto.TensorProto()
    t.dtype = 999
    with pytest.raises(TypeError, match="999"):
        make_ndarray(t)


def test_make_ndarray_wraps_out_of_range_small_ints():
    t = proto.TensorProto(dtype=dtypes.int8.as_datatype_enum)
    t.tensor_shape.dim.add().size = 2
    t.int_val.extend([300, -1])
    np.testing.assert_array_equal(make_ndarray(t), np.array([44, -1], np.int8))


def test_bfloat16_from_float64_rounds_once():
    # TF 2.21 encodes 1.00390625000001 (float64) as bfloat16 0x3f81: rounded once,
    # not via a float32 tie (which would give 0x3f80).
    bits = bfloat16_bits(np.array([1.00390625000001, 1.00390625, -1.00390625000001, 1e300]))
    assert [hex(b) for b in bits] == ["0x3f81", "0x3f80", "0xbf81", "0x7f80"]

"""DecodeCSV and DecodeRaw, compared with TensorFlow."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

CSV_PROGRAM = """
def run(t):
    try:
        return s.run(t)
    except tf.errors.OpError as e:
        lines = [ln for ln in e.message.splitlines() if ln and "[[{{node" not in ln]
        return [type(e).__name__, lines[-1]]
result = {}
with tf.Session() as s:
    r = tf.decode_csv(["1,2.5,a", ",,", '3,"4",b'], [[0], [1.0], ["z"]])
    result["names"] = [t.name for t in r] + [str(t.shape) for t in r]
    result["basic"] = run(r)
    result["delim"] = run(tf.decode_csv(tf.constant([["1;2"], ["3;4"]]),
                                        [tf.constant([], tf.int64), [7.0]], field_delim=";"))
    result["count"] = run(tf.decode_csv(["1,2"], [[0], [0], [0]]))
    result["required"] = run(tf.decode_csv([","], [tf.constant([], tf.int32), [0]]))
    result["bad_int"] = run(tf.decode_csv(["a,1"], [[0], [0]]))
    result["bad_float"] = run(tf.decode_csv(["1,x"], [[0], [0.0]]))
    result["bad_double"] = run(tf.decode_csv(["1,x"], [[0], tf.constant([0.0], tf.float64)]))
    result["na"] = run(tf.decode_csv(["1,NA"], [[0], [0.0]], na_value="NA"))
    result["select"] = run(tf.decode_csv(["1,2,3"], [[0], [0.0]], select_cols=[0, 2]))
    result["quote1"] = run(tf.decode_csv(['"a"b,1'], [[""], [0]]))
    result["quote2"] = run(tf.decode_csv(['a"b,1'], [[""], [0]]))
    result["noquote"] = run(tf.decode_csv(['a"b,1'], [[""], [0]], use_quote_delim=False))
    result["escaped"] = run(tf.decode_csv(['"a""b,c",1'], [[""], [0]]))
    result["range"] = run(tf.decode_csv(["99999999999,1"], [[0], [0]]))
    result["frac"] = run(tf.decode_csv(["1.5,1"], [[0], [0]]))
    result["spaces"] = run(tf.decode_csv([" 1 , 2.5 "], [[0], [0.0]]))
    result["raw"] = run(tf.decode_raw(tf.constant(["abcd", "efgh"]), tf.int16))
    result["raw_big"] = run(tf.decode_raw(tf.constant(["abcd"]), tf.int16, little_endian=False))
    result["raw_sizes"] = run(tf.decode_raw(tf.constant(["abcd", "efg"]), tf.int16))
    result["raw_multiple"] = run(tf.decode_raw(tf.constant(["abc"]), tf.int16))
    result["raw_u8"] = run(tf.decode_raw(tf.constant("abcd"), tf.uint8))
    result["raw_shape"] = str(tf.decode_raw(tf.constant(["ab"]), tf.uint8).shape)
"""


@pytest.mark.tf
@requires_tf
def test_decode_csv_and_decode_raw_match_tf():
    here, theirs = run_both(CSV_PROGRAM)
    assert here == theirs


def test_decode_csv_and_decode_raw():
    r = run_here(CSV_PROGRAM)
    assert r["basic"] == [[1, 0, 3], [2.5, 1.0, 4.0], ["a", "z", "b"]]
    assert r["count"] == ["InvalidArgumentError", "Expect 3 fields but have 2 in record 0"]
    assert r["required"] == [
        "InvalidArgumentError",
        "Field 0 is required but missing in record 0!",
    ]
    assert r["bad_float"] == [
        "InvalidArgumentError",
        "Field 1 in record 0 is not a valid float: x",
    ]
    assert r["escaped"] == [['a"b,c'], [1]]
    assert r["raw"] == [[25185, 25699], [26213, 26727]]


def test_decode_csv_default_shape_is_checked_when_building():
    with pytest.raises(ValueError, match="Shape of a default must be a length-0 or length-1"):
        tf.decode_csv(["1"], [[0, 1]])

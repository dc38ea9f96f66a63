"""DecodeJSONExample (`tf.decode_json_example`): JSON Examples to serialized protos."""

from __future__ import annotations

import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = r"""
x = tf.placeholder(tf.string, name="x")
y = tf.io.decode_json_example(x, name="dec")
one = '{"features":{"feature":{"a":{"int64List":{"value":["1",2]}}}}}'
many = ('{"features":{"feature":{"f":{"floatList":{"value":[1.5,-2]}},'
        '"b":{"bytes_list":{"value":["aGk="]}},"i":{"int64List":{"value":[]}}}}}')
result = {"meta": [y.op.type, y.op.name, str(y.shape), y.dtype.name,
                   str(tf.decode_json_example(tf.zeros([2, 3], tf.string)).shape)]}
parsed = tf.parse_example(
    y, {"f": tf.VarLenFeature(tf.float32), "b": tf.FixedLenFeature([], tf.string),
        "i": tf.VarLenFeature(tf.int64)})
with tf.Session() as s:
    out = s.run(y, {x: [[one, "{}"]]})
    result["bytes"] = [[v.hex() for v in row] for row in out]
    result["many"] = s.run(y, {x: many}).hex()
    result["empty"] = [
        v.hex() for v in s.run(y, {x: ['{"features":{}}', '{"features":{"feature":{"e":{}}}}']})
    ]
    p = s.run(parsed, {x: [many]})
    result["f"] = [p["f"].values.tolist(), p["f"].dense_shape.tolist()]
    result["b"] = [v.decode() for v in p["b"]]
    result["i"] = p["i"].dense_shape.tolist()
    errs = []
    for bad in ["{", '{"foo":1}', "[1]",
                '{"features":{"feature":{"a":{"int64List":{"value":["x"]}}}}}']:
        try:
            s.run(y, {x: bad})
            errs.append(None)
        except tf.errors.InvalidArgumentError as e:
            errs.append("Error while parsing JSON" in e.message)
    result["errs"] = errs
"""


@pytest.mark.tf
@requires_tf
def test_decode_json_example_matches_tf():
    here, theirs = run_both(PROGRAM)
    assert here == theirs


def test_decode_json_example():
    r = run_here(PROGRAM)
    assert r["bytes"] == [["0a0d0a0b0a016112061a0408010802", ""]]
    assert r["f"] == [[1.5, -2.0], [1, 2]] and r["b"] == ["hi"]
    assert r["errs"] == [True] * 4

"""`tf.io.decode_proto` / `encode_proto` against TF 2.21: sizes, padded values, the
batch shapes, text format, a FileDescriptorSet source, round trips and TF's errors."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json

PROGRAM = """
import json
def plain(x):
    if isinstance(x, (list, tuple)):
        return [plain(i) for i in x]
    x = np.asarray(x)
    if x.dtype.kind in "OS":
        return np.vectorize(lambda b: b.hex(), otypes=[object])(x).tolist() if x.size else []
    return x.tolist()
tp = tf.make_tensor_proto(np.array([[1.5, 2.5]], np.float32)).SerializeToString()
tp2 = tf.make_tensor_proto(np.array([7, 8, 9], np.int32)).SerializeToString()
names = ["dtype", "float_val", "int_val", "tensor_content", "tensor_shape", "version_number"]
types = [tf.int32, tf.float64, tf.int32, tf.string, tf.string, tf.int32]
sizes, values = tf.io.decode_proto([tp, tp2], "tensorflow.TensorProto", names, types)
grid = tf.io.decode_proto([[tp, tp2]], "tensorflow.TensorProto", ["int_val"], [tf.int32])
single = tf.io.decode_proto(tp2, "tensorflow.TensorProto", ["int_val", "dtype"], [tf.int32] * 2)
text = tf.io.decode_proto([b"dtype: DT_INT32 int_val: 3 int_val: 4"], "tensorflow.TensorProto",
                          ["dtype", "int_val"], [tf.int32, tf.int32], message_format="text")
encoded = tf.io.encode_proto(sizes, values, names, "tensorflow.TensorProto")
out = {"graph": [(op.name, op.type) for op in tf.get_default_graph().get_operations()],
       "shapes": [str(t.shape) for t in [sizes, *values, *grid[1], single[0], encoded]]}
with tf.Session() as sess:
    out["decoded"] = plain(sess.run([sizes, values]))
    out["grid"] = plain(sess.run(list(grid)))
    out["single"] = plain(sess.run(list(single)))
    out["text"] = plain(sess.run(list(text)))
    out["encoded"] = plain(sess.run(encoded))
    errors = []
    for message_type, fields, dtypes_ in (("tensorflow.TensorProto", ["dtype"], [tf.float32]),
                                          ("tensorflow.Nope", ["dtype"], [tf.int32]),
                                          ("tensorflow.TensorProto", ["nope"], [tf.int32])):
        try:
            sess.run(tf.io.decode_proto([tp], message_type, fields, dtypes_)[0])
        except tf.errors.InvalidArgumentError as e:
            lines = e.message.splitlines()  # (the line before the node's [[...]])
            errors.append(lines[[l.startswith("\\t [[") for l in lines].index(True) - 1])
    out["errors"] = errors
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_decode_and_encode_proto_match_tf():
    ours, theirs = run_here_json(PROGRAM), run_tf_json(PROGRAM)
    for key in theirs:
        assert ours[key] == theirs[key], key


def test_a_file_descriptor_set_names_message_types(tmp_path):
    from google.protobuf import descriptor_pb2

    from tfgraph import proto

    files = descriptor_pb2.FileDescriptorSet()
    file = proto.Example.DESCRIPTOR.file
    deps = [file.pool.FindFileByName(d.name) for d in file.dependencies]
    for f in [*deps, file]:
        f.CopyToProto(files.file.add())
    path = tmp_path / "example.desc"
    path.write_bytes(files.SerializeToString())
    record = tf.train.Example(
        features=tf.train.Features(
            feature={"a": tf.train.Feature(int64_list=tf.train.Int64List(value=[4]))}
        )
    ).SerializeToString()
    sizes, (features,) = tf.io.decode_proto(
        [record], "tensorflow.Example", ["features"], [tf.string], descriptor_source=str(path)
    )
    with tf.Session() as sess:
        got_sizes, got = sess.run([sizes, features])
    assert got_sizes.tolist() == [[1]]
    parsed = proto.Features.FromString(got[0, 0])
    assert list(parsed.feature["a"].int64_list.value) == [4]

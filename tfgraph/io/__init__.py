"""Bytes on disk: the file formats TensorFlow reads and writes, and the public `tf.io`.

This package is both tfgraph's file-format layer and the `tf.io` namespace users
see (`import tfgraph as tf; tf.io.gfile.exists(...)`): one package, so `tf.io` and
`tfgraph.io` can never disagree or shadow each other. The public names below are
loaded on first use (PEP 562), so importing the package stays cheap and the
format modules keep importing each other without cycles.

Public `tf.io` names: `gfile` (module), `write_graph`, `TFRecordWriter`,
`TFRecordOptions`, `TFRecordCompressionType`, `tf_record_iterator`.

Implementation modules (import them directly):

* `crc32c`: CRC-32C with TF's mask/unmask, fast with numpy alone.
* `tensor_proto`: numpy <-> `TensorProto`, shapes <-> `TensorShapeProto`.
* `sstable`: the LevelDB-style table of checkpoint `.index` files.
* `bundle`: V2 checkpoints (`BundleWriter`, `BundleReader`, `merge_bundles`).
* `tfrecord`: TFRecord framing (TensorBoard event files).
* `events_writer`: TensorBoard event files: TF's naming, first event, reading back.
* `checkpoint_state`: the text `checkpoint` file of a checkpoint directory.
* `atomic`: temp-file + fsync + rename writes used by every writer.
* `gfile`: `tf.io.gfile` / `tf.gfile` file access.
"""

import importlib as _importlib

__all__ = [
    "TFRecordCompressionType",
    "TFRecordOptions",
    "TFRecordWriter",
    "gfile",
    "tf_record_iterator",
    "write_graph",
]

_PUBLIC = {
    "TFRecordWriter": ("tfgraph.io.tfrecord", "TFRecordWriter"),
    "TFRecordOptions": ("tfgraph.io.tfrecord", "TFRecordOptions"),
    "TFRecordCompressionType": ("tfgraph.io.tfrecord", "TFRecordCompressionType"),
    "tf_record_iterator": ("tfgraph.io.tfrecord", "public_tf_record_iterator"),
    "write_graph": ("tfgraph.framework.graph_io", "write_graph"),
    # the input-pipeline ops TF also exposes under tf.io
    "decode_csv": ("tfgraph.ops.parsing_ops", "decode_csv"),
    "decode_raw": ("tfgraph.ops.parsing_ops", "decode_raw"),
    "decode_json_example": ("tfgraph.ops.parsing_ops", "decode_json_example"),
    "decode_proto": ("tfgraph.ops.proto_ops", "decode_proto"),
    "encode_proto": ("tfgraph.ops.proto_ops", "encode_proto"),
    "parse_example": ("tfgraph.ops.parsing_ops", "parse_example"),
    "parse_single_example": ("tfgraph.ops.parsing_ops", "parse_single_example"),
    "FixedLenFeature": ("tfgraph.ops.parsing_ops", "FixedLenFeature"),
    "FixedLenSequenceFeature": ("tfgraph.ops.parsing_ops", "FixedLenSequenceFeature"),
    "RaggedFeature": ("tfgraph.ops.parsing_ops", "RaggedFeature"),
    "VarLenFeature": ("tfgraph.ops.parsing_ops", "VarLenFeature"),
    "SparseFeature": ("tfgraph.ops.sequence_parsing_ops", "SparseFeature"),
    "parse_sequence_example": ("tfgraph.ops.sequence_parsing_ops", "parse_sequence_example"),
    "parse_single_sequence_example": (
        "tfgraph.ops.sequence_parsing_ops",
        "parse_single_sequence_example",
    ),
    "read_file": ("tfgraph.ops.reader_ops", "read_file"),
    "write_file": ("tfgraph.ops.reader_ops", "write_file"),
    "serialize_tensor": ("tfgraph.ops.serialize_ops", "serialize_tensor"),
    "parse_tensor": ("tfgraph.ops.serialize_ops", "parse_tensor"),
    "decode_compressed": ("tfgraph.ops.serialize_ops", "decode_compressed"),
    "matching_files": ("tfgraph.ops.serialize_ops", "matching_files"),
    "PaddingFIFOQueue": ("tfgraph.ops.data_flow_ops", "PaddingFIFOQueue"),
    "PriorityQueue": ("tfgraph.ops.data_flow_ops", "PriorityQueue"),
    "QueueBase": ("tfgraph.ops.data_flow_ops", "QueueBase"),
    "RandomShuffleQueue": ("tfgraph.ops.data_flow_ops", "RandomShuffleQueue"),
    "decode_base64": ("tfgraph.ops.string_ops", "decode_base64"),
    "encode_base64": ("tfgraph.ops.string_ops", "encode_base64"),
    "decode_image": ("tfgraph.ops.image_codec_ops", "decode_image"),
    "decode_and_crop_jpeg": ("tfgraph.ops.image_codec_ops", "decode_and_crop_jpeg"),
    "decode_bmp": ("tfgraph.ops.image_codec_ops", "decode_bmp"),
    "decode_gif": ("tfgraph.ops.image_codec_ops", "decode_gif"),
    "decode_webp": ("tfgraph.ops.image_codec_ops", "decode_webp"),
    "decode_jxl": ("tfgraph.ops.jxl_ops", "decode_jxl"),
    "encode_jpeg": ("tfgraph.ops.image_codec_ops", "encode_jpeg"),
    "encode_png": ("tfgraph.ops.image_codec_ops", "encode_png"),
    "extract_jpeg_shape": ("tfgraph.ops.image_codec_ops", "extract_jpeg_shape"),
    "is_jpeg": ("tfgraph.ops.image_codec_ops", "is_jpeg"),
    "decode_jpeg": ("tfgraph.ops.image_ops", "decode_jpeg"),
    "decode_png": ("tfgraph.ops.image_ops", "decode_png"),
    "serialize_sparse": ("tfgraph.ops.sparse_ops", "serialize_sparse"),
    "serialize_many_sparse": ("tfgraph.ops.sparse_ops", "serialize_many_sparse"),
    "deserialize_many_sparse": ("tfgraph.ops.sparse_ops", "deserialize_many_sparse"),
    "match_filenames_once": ("tfgraph.training.input", "match_filenames_once"),
}


def __getattr__(name):
    if name == "gfile":
        return _importlib.import_module("tfgraph.io.gfile")
    target = _PUBLIC.get(name)
    if target is None:
        raise AttributeError(f"module 'tfgraph.io' has no attribute {name!r}")
    value = getattr(_importlib.import_module(target[0]), target[1])
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))

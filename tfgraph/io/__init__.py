"""Bytes on disk: the file formats TensorFlow reads and writes.

Modules (import them directly; this package imports nothing eagerly):

* `crc32c`: CRC-32C with TF's mask/unmask, fast with numpy alone.
* `tensor_proto`: numpy <-> `TensorProto`, shapes <-> `TensorShapeProto`.
* `sstable`: the LevelDB-style table of checkpoint `.index` files.
* `bundle`: V2 checkpoints (`BundleWriter`, `BundleReader`).
* `tfrecord`: TFRecord framing (TensorBoard event files).
* `events_writer`: TensorBoard event files: TF's naming, first event, reading back.
* `checkpoint_state`: the text `checkpoint` file of a checkpoint directory.
* `atomic`: temp-file + fsync + rename writes used by every writer.
"""

"""`tf.python_io`: TFRecord files (re-exports only)."""

from tfgraph.io.tfrecord import (
    TFRecordCompressionType,
    TFRecordOptions,
    TFRecordWriter,
)
from tfgraph.io.tfrecord import public_tf_record_iterator as tf_record_iterator

__all__ = ["TFRecordCompressionType", "TFRecordOptions", "TFRecordWriter", "tf_record_iterator"]

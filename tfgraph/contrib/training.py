"""`tf.contrib.training` (re-exports only; implementations in
tfgraph/legacy_contrib/hparam.py and bucket_ops.py)."""

from tfgraph.legacy_contrib.bucket_ops import bucket, bucket_by_sequence_length
from tfgraph.legacy_contrib.hparam import HParams, parse_values

__all__ = ["HParams", "bucket", "bucket_by_sequence_length", "parse_values"]

"""`tf.strings` (re-exports only)."""

from tfgraph.ops.hash_ops import string_to_hash_bucket as to_hash_bucket
from tfgraph.ops.hash_ops import string_to_hash_bucket_fast as to_hash_bucket_fast
from tfgraph.ops.hash_ops import string_to_hash_bucket_strong as to_hash_bucket_strong
from tfgraph.ops.io_ops import string_join as join
from tfgraph.ops.logging_ops import string_format as format
from tfgraph.ops.string_ops import (
    as_string,
    decode_base64,
    encode_base64,
    length,
    lower,
    reduce_join,
    regex_full_match,
    regex_replace,
    strip,
    substr,
    unsorted_segment_join,
    upper,
)
from tfgraph.ops.string_ops import string_to_number as to_number
from tfgraph.ops.unicode_ops import unicode_script, unicode_transcode
from tfgraph.ragged.ragged_string_ops import strings_split_v1 as split
from tfgraph.ragged.ragged_unicode_ops import (
    bytes_split,
    ngrams,
    unicode_decode,
    unicode_decode_with_offsets,
    unicode_encode,
    unicode_split,
    unicode_split_with_offsets,
)

__all__ = [
    "as_string",
    "bytes_split",
    "decode_base64",
    "encode_base64",
    "format",
    "join",
    "length",
    "lower",
    "ngrams",
    "reduce_join",
    "regex_full_match",
    "regex_replace",
    "split",
    "strip",
    "substr",
    "to_hash_bucket",
    "to_hash_bucket_fast",
    "to_hash_bucket_strong",
    "to_number",
    "unicode_decode",
    "unicode_decode_with_offsets",
    "unicode_encode",
    "unicode_script",
    "unicode_split",
    "unicode_split_with_offsets",
    "unicode_transcode",
    "unsorted_segment_join",
    "upper",
]

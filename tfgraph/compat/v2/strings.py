"""`tf.strings` under TF2 (`tfgraph.compat.v2.strings`, re-exports only):
`tfgraph.strings`, with TF2's functions where their parameters differ from TF1's."""

import tfgraph.strings as _v1
from tfgraph.ops.hash_ops import (
    string_to_hash_bucket_v2 as to_hash_bucket,
)
from tfgraph.ops.string_ops import (
    length_v2 as length,
)
from tfgraph.ops.string_ops import (
    reduce_join_v2 as reduce_join,
)
from tfgraph.ops.string_ops import (
    string_to_number_v2 as to_number,
)
from tfgraph.ops.string_ops import (
    substr_v2 as substr,
)
from tfgraph.ragged.ragged_string_ops import (
    string_split_v2 as split,
)


def __getattr__(name):
    return getattr(_v1, name)


def __dir__():
    return sorted(set(globals()) | set(dir(_v1)))

"""`tf.io` under TF2 (`tfgraph.compat.v2.io`, re-exports only):
`tfgraph.io`, with TF2's functions where their parameters differ from TF1's."""

import tfgraph.io as _v1
from tfgraph.ops.parsing_ops import (
    decode_csv_v2 as decode_csv,
)
from tfgraph.ops.parsing_ops import (
    decode_raw_v2 as decode_raw,
)
from tfgraph.ops.parsing_ops import (
    parse_example_v2 as parse_example,
)
from tfgraph.ops.parsing_ops import (
    parse_single_example_v2 as parse_single_example,
)
from tfgraph.ops.sparse_ops import (
    serialize_many_sparse_v2 as serialize_many_sparse,
)
from tfgraph.ops.sparse_ops import (
    serialize_sparse_v2 as serialize_sparse,
)


def __getattr__(name):
    return getattr(_v1, name)


def __dir__():
    return sorted(set(globals()) | set(dir(_v1)))

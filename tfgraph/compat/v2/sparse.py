"""`tf.sparse` under TF2 (`tfgraph.compat.v2.sparse`, re-exports only):
`tfgraph.sparse`, with TF2's functions where their parameters differ from TF1's."""

import tfgraph.sparse as _v1
from tfgraph.ops.sampled_addmm import sampled_addmm
from tfgraph.ops.segment_ops import (
    sparse_segment_mean_v2 as segment_mean,
)
from tfgraph.ops.segment_ops import (
    sparse_segment_sqrt_n_v2 as segment_sqrt_n,
)
from tfgraph.ops.segment_ops import (
    sparse_segment_sum_v2 as segment_sum,
)
from tfgraph.ops.sparse_ops import (
    map_values,
)
from tfgraph.ops.sparse_ops import (
    sparse_add_v2 as add,
)
from tfgraph.ops.sparse_ops import (
    sparse_concat_v2 as concat,
)
from tfgraph.ops.sparse_ops import (
    sparse_reduce_max_v2 as reduce_max,
)
from tfgraph.ops.sparse_ops import (
    sparse_reduce_sum_v2 as reduce_sum,
)
from tfgraph.ops.sparse_ops import (
    sparse_split_v2 as split,
)


def __getattr__(name):
    return getattr(_v1, name)


def __dir__():
    return sorted(set(globals()) | set(dir(_v1)))

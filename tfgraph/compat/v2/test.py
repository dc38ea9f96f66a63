"""`tf.test` under TF2 (`tfgraph.compat.v2.test`, re-exports only):
`tfgraph.test`, with TF2's functions where their parameters differ from TF1's."""

import tfgraph.test as _v1
from tfgraph.platform.graph_def_diff import (
    assert_equal_graph_def_v2 as assert_equal_graph_def,
)
from tfgraph.platform.test_util import (
    compute_gradient_v2 as compute_gradient,
)


def __getattr__(name):
    return getattr(_v1, name)


def __dir__():
    return sorted(set(globals()) | set(dir(_v1)))

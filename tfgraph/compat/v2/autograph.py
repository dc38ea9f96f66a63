"""`tf.autograph` under TF2 (`tfgraph.compat.v2.autograph`, re-exports only):
`tfgraph.autograph`, with TF2's functions where their parameters differ from TF1's."""

import tfgraph.autograph as _v1
from tfgraph.autograph.api import (
    to_code_v2 as to_code,
)
from tfgraph.autograph.api import (
    to_graph_v2 as to_graph,
)


def __getattr__(name):
    return getattr(_v1, name)


def __dir__():
    return sorted(set(globals()) | set(dir(_v1)))

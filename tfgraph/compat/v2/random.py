"""`tf.random` under TF2 (`tfgraph.compat.v2.random`, re-exports only):
`tfgraph.random`, with TF2's functions where their parameters differ from TF1's."""

import tfgraph.random as _v1
from tfgraph.framework.random_seed import (
    set_seed,
)
from tfgraph.ops.random_ops import (
    random_poisson_v2 as poisson,
)


def __getattr__(name):
    return getattr(_v1, name)


def __dir__():
    return sorted(set(globals()) | set(dir(_v1)))

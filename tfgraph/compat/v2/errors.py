"""`tf.errors` under TF2 (`tfgraph.compat.v2.errors`, re-exports only): `tfgraph.errors`
and TF2's `OperatorNotAllowedInGraphError` (TF1 has it only at the top level)."""

import tfgraph.errors as _v1
from tfgraph.framework.ops import OperatorNotAllowedInGraphError


def __getattr__(name):
    return getattr(_v1, name)


def __dir__():
    return sorted(set(globals()) | set(dir(_v1)))

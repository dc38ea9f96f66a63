"""`tf.data` under TF2 (`tfgraph.compat.v2.data`, re-exports only): `tfgraph.data` and
TF2's `IteratorSpec`."""

import tfgraph.data as _v1
from tfgraph.data.iterator_ops import IteratorSpec


def __getattr__(name):
    return getattr(_v1, name)


def __dir__():
    return sorted(set(globals()) | set(dir(_v1)))

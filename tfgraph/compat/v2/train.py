"""`tf.train` under TF2 (`tfgraph.compat.v2.train`, re-exports only): `tfgraph.train` and
TF2's `CheckpointView` and `TrackableView`."""

import tfgraph.train as _v1
from tfgraph.training.checkpoint_view import CheckpointView, TrackableView


def __getattr__(name):
    return getattr(_v1, name)


def __dir__():
    return sorted(set(globals()) | set(dir(_v1)))

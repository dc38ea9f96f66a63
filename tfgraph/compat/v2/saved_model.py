"""`tf.saved_model` under TF2 (`tfgraph.compat.v2.saved_model`, re-exports only):
`tfgraph.saved_model`, with TF2's functions where their parameters differ from TF1's."""

import tfgraph.saved_model as _v1
from tfgraph.saved_model._load_v2 import (
    load_v2 as load,
)
from tfgraph.saved_model._save_options import LoadOptions


def __getattr__(name):
    return getattr(_v1, name)


def __dir__():
    return sorted(set(globals()) | set(dir(_v1)))

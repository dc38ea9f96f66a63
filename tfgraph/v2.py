"""`import tfgraph.v2 as tf`: the same module as `tfgraph.compat.v2` (TF2 behaviour)."""

import sys as _sys

from tfgraph.compat import v2 as _v2

_sys.modules[__name__] = _v2

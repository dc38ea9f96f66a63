"""`import tfgraph.compat.v1 as tf`: the same TF1 API as `import tfgraph as tf` (every
public name of `tfgraph`, the TF1 toggles such as `disable_v2_behavior` among them)."""

import sys as _sys

import tfgraph as _tfgraph

_self = _sys.modules[__name__]
for _name in dir(_tfgraph):
    if not _name.startswith("__") and _name not in ("compat",):
        setattr(_self, _name, getattr(_tfgraph, _name))
compat = _sys.modules["tfgraph.compat"]


def __getattr__(name):
    # Names tfgraph builds on first use (protos, tf.flags, tf.app) and its message for
    # names it does not implement.
    return getattr(_tfgraph, name)

"""`import tfgraph.compat.v2 as tf` (or `import tfgraph.v2 as tf`): TensorFlow 2 behaviour.

Importing it turns eager execution on for the process, as importing TensorFlow 2 does
(`tf.compat.v1.disable_v2_behavior()` turns it off again). The names are tfgraph's, with
TF2's spellings where they differ from TF1's.
"""

import sys as _sys

import tfgraph as _tfgraph
from tfgraph.platform.v2_toggles import enable_v2_behavior as _enable_v2_behavior

_enable_v2_behavior()

_self = _sys.modules[__name__]
for _name in dir(_tfgraph):
    if not _name.startswith("__") and _name not in ("compat", "v2"):
        setattr(_self, _name, getattr(_tfgraph, _name))
compat = _sys.modules["tfgraph.compat"]


def __getattr__(name):
    return getattr(_tfgraph, name)

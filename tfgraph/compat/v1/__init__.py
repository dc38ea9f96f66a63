"""`import tfgraph.compat.v1 as tf`: the same TF1 API as `import tfgraph as tf`."""

import sys as _sys

import tfgraph as _tfgraph

_self = _sys.modules[__name__]
for _name in dir(_tfgraph):
    if not _name.startswith("__") and _name not in ("compat",):
        setattr(_self, _name, getattr(_tfgraph, _name))
compat = _sys.modules["tfgraph.compat"]


def disable_v2_behavior() -> None:
    """No-op: tfgraph always behaves as TF1 graph mode."""


def disable_eager_execution() -> None:
    """No-op: tfgraph has no eager mode."""


def enable_v2_behavior() -> None:
    raise NotImplementedError("tfgraph implements TensorFlow 1.x graph mode only.")


def executing_eagerly() -> bool:
    return False


def __getattr__(name):
    return getattr(_tfgraph, name)

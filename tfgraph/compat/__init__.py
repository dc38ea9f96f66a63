"""`tf.compat`: `tf.compat.v1` is tfgraph itself (tfgraph implements the TF1 API);
`import tfgraph.compat.v2` gives TF2 behaviour; bytes/text helpers (re-exports only)."""

from tfgraph.compat import v1
from tfgraph.framework.compat_util import (
    as_bytes,
    as_str,
    as_str_any,
    as_text,
    bytes_or_text_types,
    complex_types,
    forward_compatibility_horizon,
    forward_compatible,
    integral_types,
    path_to_str,
    real_types,
)
from tfgraph.framework.tensor_shape import dimension_at_index, dimension_value


def __getattr__(name):
    # Importing tfgraph.compat.v2 turns TF2 behaviour (eager execution) on: reaching it
    # as an attribute of a TF1 program would switch that program's mode silently.
    if name == "v2":
        raise AttributeError(
            "tfgraph does not provide tf.compat.v2 as an attribute of the TF1 API: importing "
            "it turns on TF2 behaviour. Use `import tfgraph.compat.v2 as tf` for TF2 code.",
            name=name,
        )
    raise AttributeError(f"module 'tfgraph.compat' has no attribute {name!r}", name=name)


__all__ = [
    "as_bytes",
    "as_str",
    "as_str_any",
    "as_text",
    "bytes_or_text_types",
    "complex_types",
    "dimension_at_index",
    "dimension_value",
    "forward_compatibility_horizon",
    "forward_compatible",
    "integral_types",
    "path_to_str",
    "real_types",
    "v1",
    "v2",
]

"""`tf.experimental` (re-exports only)."""

from tfgraph.data.optional_ops import Optional
from tfgraph.framework.dtypes_experimental import (
    float4_e2m1fn,
    float8_e4m3b11fnuz,
    float8_e4m3fn,
    float8_e4m3fnuz,
    float8_e5m2,
    float8_e5m2fnuz,
    int2,
    int4,
    uint2,
    uint4,
)
from tfgraph.platform.experimental_toggles import (
    async_clear_error,
    async_scope,
    enable_strict_mode,
    function_executor_type,
    output_all_intermediates,
    register_filesystem_plugin,
)

__all__ = [
    "Optional",
    "async_clear_error",
    "async_scope",
    "enable_strict_mode",
    "float4_e2m1fn",
    "float8_e4m3b11fnuz",
    "float8_e4m3fn",
    "float8_e4m3fnuz",
    "float8_e5m2",
    "float8_e5m2fnuz",
    "function_executor_type",
    "int2",
    "int4",
    "output_all_intermediates",
    "register_filesystem_plugin",
    "uint2",
    "uint4",
]

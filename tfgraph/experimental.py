"""`tf.experimental` (re-exports only)."""

from tfgraph import experimental_extension_type as extension_type
from tfgraph.data.optional_ops import Optional
from tfgraph.framework.dispatch import (
    dispatch_for_api,
    dispatch_for_binary_elementwise_apis,
    dispatch_for_binary_elementwise_assert_apis,
    dispatch_for_unary_elementwise_apis,
    unregister_dispatch_for,
)
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
from tfgraph.framework.extension_type import (
    BatchableExtensionType,
    ExtensionType,
    ExtensionTypeBatchEncoder,
    ExtensionTypeSpec,
)
from tfgraph.platform.experimental_toggles import (
    async_clear_error,
    async_scope,
    enable_strict_mode,
    function_executor_type,
    output_all_intermediates,
    register_filesystem_plugin,
)
from tfgraph.ragged.dynamic_ragged_shape import DynamicRaggedShape
from tfgraph.ragged.row_partition import RowPartition
from tfgraph.ragged.structured_tensor import StructuredTensor

__all__ = [
    "BatchableExtensionType",
    "DynamicRaggedShape",
    "ExtensionType",
    "ExtensionTypeBatchEncoder",
    "ExtensionTypeSpec",
    "Optional",
    "RowPartition",
    "StructuredTensor",
    "async_clear_error",
    "async_scope",
    "dispatch_for_api",
    "dispatch_for_binary_elementwise_apis",
    "dispatch_for_binary_elementwise_assert_apis",
    "dispatch_for_unary_elementwise_apis",
    "enable_strict_mode",
    "extension_type",
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
    "unregister_dispatch_for",
]

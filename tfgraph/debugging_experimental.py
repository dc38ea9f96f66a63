"""`tf.debugging.experimental` (re-exports only)."""

from tfgraph.platform.runtime_only import disable_dump_debug_info, enable_dump_debug_info

__all__ = ["disable_dump_debug_info", "enable_dump_debug_info"]

"""`tf.test.experimental` (re-exports only)."""

from tfgraph.platform.runtime_only import sync_devices

__all__ = ["sync_devices"]

"""`tf.keras.export` (re-exports only)."""

from tfgraph.keras.saving.export_lib import ExportArchive

__all__ = ["ExportArchive"]

"""`tf.contrib.deprecated` (TF 1.15; re-exports only): TF 1.0's summary functions."""

from tfgraph.legacy_contrib.deprecated_summaries import (
    audio_summary,
    histogram_summary,
    image_summary,
    merge_all_summaries,
    merge_summary,
    scalar_summary,
)

__all__ = [
    "audio_summary",
    "histogram_summary",
    "image_summary",
    "merge_all_summaries",
    "merge_summary",
    "scalar_summary",
]

"""Dataset transformations TF 1.x had only in `tf.contrib.data` (re-exported by
`tfgraph.contrib.data`), built from the core ones."""

from __future__ import annotations

from tfgraph.data.experimental import _transformation, parallel_interleave, unbatch

__all__ = [
    "batch_and_drop_remainder",
    "padded_batch_and_drop_remainder",
    "sloppy_interleave",
    "unbatch",
]


def batch_and_drop_remainder(batch_size):
    """The transformation `dataset.batch(batch_size, drop_remainder=True)`."""
    return _transformation("batch", batch_size, drop_remainder=True)


def padded_batch_and_drop_remainder(batch_size, padded_shapes, padding_values=None):
    """The transformation `dataset.padded_batch(..., drop_remainder=True)`."""
    return _transformation(
        "padded_batch", batch_size, padded_shapes, padding_values, drop_remainder=True
    )


def sloppy_interleave(map_func, cycle_length, block_length=1):
    """`parallel_interleave(map_func, cycle_length, block_length, sloppy=True)`."""
    return parallel_interleave(map_func, cycle_length, block_length, sloppy=True)

"""`tf.data.experimental`: the pieces TF1 input pipelines use."""

from __future__ import annotations

from tfgraph.data.dataset_ops import AUTOTUNE

__all__ = ["AUTOTUNE", "map_and_batch", "shuffle_and_repeat"]


def shuffle_and_repeat(buffer_size, count=None, seed=None):
    """`dataset.shuffle(buffer_size, seed).repeat(count)` (what TF's deprecated
    transformation now builds)."""

    def _apply(dataset):
        return dataset.shuffle(buffer_size, seed).repeat(count)

    return _apply


def map_and_batch(
    map_func, batch_size, num_parallel_batches=None, drop_remainder=False, num_parallel_calls=None
):
    """`dataset.map(map_func).batch(batch_size, drop_remainder)`: the same elements as
    TF's fused MapAndBatchDataset (tfgraph builds the two ops)."""

    def _apply(dataset):
        return dataset.map(map_func, num_parallel_calls=num_parallel_calls).batch(
            batch_size, drop_remainder=drop_remainder
        )

    return _apply

"""`tf.contrib.data` (TF 1.x; re-exports only): the dataset transformations TF1 input
pipelines applied from contrib, as `tf.data.experimental` / `Dataset` methods build
them."""

from tfgraph.data.experimental import (
    Counter,
    bucket_by_sequence_length,
    choose_from_datasets,
    enumerate_dataset,
    get_single_element,
    group_by_window,
    map_and_batch,
    parallel_interleave,
    scan,
    shuffle_and_repeat,
    unique,
)
from tfgraph.data.legacy import (
    batch_and_drop_remainder,
    padded_batch_and_drop_remainder,
    sloppy_interleave,
    unbatch,
)

__all__ = [
    "Counter",
    "batch_and_drop_remainder",
    "bucket_by_sequence_length",
    "choose_from_datasets",
    "enumerate_dataset",
    "get_single_element",
    "group_by_window",
    "map_and_batch",
    "padded_batch_and_drop_remainder",
    "parallel_interleave",
    "scan",
    "shuffle_and_repeat",
    "sloppy_interleave",
    "unbatch",
    "unique",
]

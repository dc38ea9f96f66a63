"""`tf.data.experimental`: the pieces TF1 input pipelines use."""

from __future__ import annotations

from tfgraph.data.dataset_ops import AUTOTUNE
from tfgraph.data.experimental_more import (
    SHARD_HINT,
    DatasetInitializer,
    DatasetStructure,
    RaggedTensorStructure,
    Reducer,
    SparseTensorStructure,
    SqlDataset,
    Structure,
    TensorArrayStructure,
    TensorStructure,
    TFRecordWriter,
    dense_to_ragged_batch,
    from_list,
    from_variant,
    get_structure,
    group_by_reducer,
    ignore_errors,
    index_table_from_dataset,
    map_and_batch_with_legacy_function,
    pad_to_cardinality,
    parse_example_dataset,
    table_from_dataset,
    to_variant,
)
from tfgraph.data.iterator_state import make_saveable_from_iterator
from tfgraph.data.optional_ops import Optional, OptionalStructure, get_next_as_optional
from tfgraph.data.options import (
    AutoShardPolicy,
    AutotuneAlgorithm,
    AutotuneOptions,
    DistributeOptions,
    ExternalStatePolicy,
    OptimizationOptions,
    ServiceOptions,
    ThreadingOptions,
)
from tfgraph.data.prefetching import copy_to_device, enable_debug_mode, prefetch_to_device
from tfgraph.data.readers import CsvDataset, make_batched_features_dataset, make_csv_dataset
from tfgraph.data.resampling import rejection_resample

INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2

__all__ = [
    "AUTOTUNE",
    "INFINITE_CARDINALITY",
    "SHARD_HINT",
    "UNKNOWN_CARDINALITY",
    "AutoShardPolicy",
    "AutotuneAlgorithm",
    "AutotuneOptions",
    "Counter",
    "CsvDataset",
    "DatasetInitializer",
    "DatasetStructure",
    "DistributeOptions",
    "ExternalStatePolicy",
    "OptimizationOptions",
    "Optional",
    "OptionalStructure",
    "RaggedTensorStructure",
    "RandomDataset",
    "Reducer",
    "ServiceOptions",
    "SparseTensorStructure",
    "SqlDataset",
    "Structure",
    "TFRecordWriter",
    "TensorArrayStructure",
    "TensorStructure",
    "ThreadingOptions",
    "assert_cardinality",
    "bucket_by_sequence_length",
    "cardinality",
    "choose_from_datasets",
    "copy_to_device",
    "dense_to_ragged_batch",
    "dense_to_sparse_batch",
    "enable_debug_mode",
    "enumerate_dataset",
    "from_list",
    "from_variant",
    "get_next_as_optional",
    "get_single_element",
    "get_structure",
    "group_by_reducer",
    "group_by_window",
    "ignore_errors",
    "index_table_from_dataset",
    "make_batched_features_dataset",
    "make_csv_dataset",
    "make_saveable_from_iterator",
    "map_and_batch",
    "map_and_batch_with_legacy_function",
    "pad_to_cardinality",
    "parallel_interleave",
    "parse_example_dataset",
    "prefetch_to_device",
    "rejection_resample",
    "sample_from_datasets",
    "scan",
    "shuffle_and_repeat",
    "snapshot",
    "table_from_dataset",
    "take_while",
    "to_variant",
    "unbatch",
    "unique",
]


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


def _transformation(method: str, *args, **kwargs):
    def _apply(dataset):
        return getattr(dataset, method)(*args, **kwargs)

    return _apply


def scan(initial_state, scan_func):
    """The transformation `dataset.scan(initial_state, scan_func)`."""
    return _transformation("scan", initial_state, scan_func)


def take_while(predicate):
    """The transformation `dataset.take_while(predicate)`."""
    return _transformation("take_while", predicate)


def unique():
    """The transformation `dataset.unique()`."""
    return _transformation("unique")


def enumerate_dataset(start=0):
    """The transformation `dataset.enumerate(start)`."""
    return _transformation("enumerate", start)


def group_by_window(key_func, reduce_func, window_size=None, window_size_func=None):
    """The transformation `dataset.group_by_window(...)`."""
    return _transformation("group_by_window", key_func, reduce_func, window_size, window_size_func)


def bucket_by_sequence_length(
    element_length_func,
    bucket_boundaries,
    bucket_batch_sizes,
    padded_shapes=None,
    padding_values=None,
    pad_to_bucket_boundary=False,
    no_padding=False,
    drop_remainder=False,
):
    """The transformation `dataset.bucket_by_sequence_length(...)`."""
    return _transformation(
        "bucket_by_sequence_length",
        element_length_func,
        bucket_boundaries,
        bucket_batch_sizes,
        padded_shapes,
        padding_values,
        pad_to_bucket_boundary,
        no_padding,
        drop_remainder,
    )


def get_single_element(dataset):
    """`dataset.get_single_element()`."""
    return dataset.get_single_element()


def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=False):
    """Elements of `datasets[i]` for each i of `choice_dataset` (unlike
    `Dataset.choose_from_datasets`, by default going on past an exhausted dataset, as
    TF's experimental function does)."""
    from tfgraph.data.transformations import choose_from_datasets as choose

    return choose(datasets, choice_dataset, stop_on_empty_dataset)


def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False):
    """Elements drawn at random from `datasets` with probabilities `weights`."""
    from tfgraph.data.windowing import sample_from_datasets as sample

    return sample(datasets, weights, seed, stop_on_empty_dataset)


def RandomDataset(seed=None):
    """The infinite dataset of TF's pseudorandom int64 values for `seed`."""
    from tfgraph.data.windowing import random

    return random(seed)


def snapshot(path, compression="AUTO", reader_func=None, shard_func=None):
    """The transformation `dataset.snapshot(path, ...)`."""

    def _apply(dataset):
        return dataset.snapshot(path, compression, reader_func, shard_func)

    return _apply


def dense_to_sparse_batch(batch_size, row_shape):
    """The transformation `dataset.sparse_batch(batch_size, row_shape)`."""
    return _transformation("sparse_batch", batch_size, row_shape)


def Counter(start=0, step=1, dtype=None):
    """The dataset start, start + step, ... (int64 unless `dtype`)."""
    from tfgraph.data.transformations import counter
    from tfgraph.framework import dtypes

    return counter(start, step, dtype or dtypes.int64)


def cardinality(dataset):
    """`dataset.cardinality()`: its number of elements, -1 (infinite) or -2 (unknown)."""
    return dataset.cardinality()


def assert_cardinality(expected_cardinality):
    """A transformation that fails (FailedPreconditionError) when the dataset has more
    or fewer elements than `expected_cardinality`; its cardinality becomes that."""

    def _apply(dataset):
        from tfgraph.data.dataset_ops import _int64

        return dataset._unary(
            "AssertCardinalityDataset", [_int64(expected_cardinality, "cardinality")]
        )

    return _apply


def parallel_interleave(
    map_func,
    cycle_length,
    block_length=1,
    sloppy=False,
    buffer_output_elements=None,
    prefetch_input_elements=None,
):
    """The TF1 transformation interleaving the datasets map_func makes of each element
    (one LegacyParallelInterleaveDatasetV2 op; elements in the deterministic order)."""

    def _apply(dataset):
        from tfgraph.data.dataset_ops import Dataset, _attrs_for, _int64

        f, spec, captured = dataset._dataset_fn(map_func, "parallel_interleave")
        attrs = _attrs_for(spec)
        deterministic = b"default" if sloppy is None else (b"false" if sloppy else b"true")
        attrs.update(
            {
                "f": f,
                "Targuments": [t.dtype._base for t in captured],
                "deterministic": deterministic,
            }
        )
        buffered = 2 * block_length if buffer_output_elements is None else buffer_output_elements
        prefetched = (
            2 * cycle_length if prefetch_input_elements is None else prefetch_input_elements
        )
        inputs = [
            dataset._variant_tensor,
            captured,
            _int64(cycle_length, "cycle_length"),
            _int64(block_length, "block_length"),
            _int64(buffered, "buffer_output_elements"),
            _int64(prefetched, "prefetch_input_elements"),
        ]
        from tfgraph.ops.apply import op_output

        variant = op_output("LegacyParallelInterleaveDatasetV2", None, inputs, attrs)
        return Dataset(variant, spec)

    return _apply


def unbatch():
    """The transformation `dataset.unbatch()`."""
    return _transformation("unbatch")

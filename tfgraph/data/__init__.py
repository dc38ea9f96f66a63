"""`tf.data` (TF1 graph mode): datasets as variant tensors, iterators as resources."""

from tfgraph.data import experimental
from tfgraph.data.dataset_ops import (
    AUTOTUNE,
    Dataset,
    FixedLengthRecordDataset,
    NumpyIterator,
    TextLineDataset,
    TFRecordDataset,
)
from tfgraph.data.experimental import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY
from tfgraph.data.iterator_ops import Iterator, make_initializable_iterator, make_one_shot_iterator
from tfgraph.data.options import DatasetSpec, Options, ThreadingOptions
from tfgraph.data.structure import TensorSpec


def get_output_types(dataset_or_iterator):
    return dataset_or_iterator.output_types


def get_output_shapes(dataset_or_iterator):
    return dataset_or_iterator.output_shapes


def get_output_classes(dataset_or_iterator):
    return dataset_or_iterator.output_classes


__all__ = [
    "AUTOTUNE",
    "INFINITE_CARDINALITY",
    "UNKNOWN_CARDINALITY",
    "Dataset",
    "DatasetSpec",
    "FixedLengthRecordDataset",
    "Iterator",
    "NumpyIterator",
    "Options",
    "TFRecordDataset",
    "TensorSpec",
    "TextLineDataset",
    "ThreadingOptions",
    "experimental",
    "get_output_classes",
    "get_output_shapes",
    "get_output_types",
    "make_initializable_iterator",
    "make_one_shot_iterator",
]

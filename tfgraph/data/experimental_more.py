"""More of `tf.data.experimental`: ignore_errors, from_list, group_by_reducer and
Reducer, TFRecordWriter, SqlDataset, pad_to_cardinality, dense_to_ragged_batch,
to_variant / from_variant, get_structure and the TF1 `*Structure` names of the
TypeSpec classes. Each builds TF's ops (ops/dataset_experimental_ops.py)."""

from __future__ import annotations

import collections
from collections.abc import Mapping

from tfgraph.data import structure as nest
from tfgraph.data.function import trace
from tfgraph.data.options import DatasetSpec
from tfgraph.data.structure import TensorSpec
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.framework.type_spec import SparseTensorSpec, TypeSpec
from tfgraph.ops import dataset_experimental_ops as _ops  # noqa: F401 - registers the ops
from tfgraph.ops.apply import op_output

__all__ = [
    "SHARD_HINT",
    "DatasetInitializer",
    "DatasetStructure",
    "RaggedTensorStructure",
    "Reducer",
    "SparseTensorStructure",
    "SqlDataset",
    "Structure",
    "TFRecordWriter",
    "TensorArrayStructure",
    "TensorStructure",
    "dense_to_ragged_batch",
    "from_list",
    "from_variant",
    "get_structure",
    "group_by_reducer",
    "ignore_errors",
    "index_table_from_dataset",
    "map_and_batch_with_legacy_function",
    "pad_to_cardinality",
    "parse_example_dataset",
    "table_from_dataset",
    "to_variant",
]

# `shard_func` may return this for "let tf.data decide the shard" (as TF's constant).
SHARD_HINT = -1

# TF1's names for the TypeSpec classes (the functions build the specs, as TF's do).
Structure = TypeSpec
DatasetStructure = DatasetSpec


def TensorStructure(dtype, shape):
    """`tf.TensorSpec(shape, dtype)` (TF1's name)."""
    return TensorSpec(shape, dtype)


def SparseTensorStructure(dtype, shape):
    """`tf.SparseTensorSpec(shape, dtype)` (TF1's name)."""
    return SparseTensorSpec(shape, dtype)


def TensorArrayStructure(dtype, element_shape, dynamic_size, infer_shape):
    """`tf.TensorArraySpec(element_shape, dtype, dynamic_size, infer_shape)`."""
    from tfgraph.ops.tensor_array_ops import TensorArraySpec

    return TensorArraySpec(element_shape, dtype, dynamic_size, infer_shape)


def RaggedTensorStructure(dtype, shape, ragged_rank):
    """`tf.RaggedTensorSpec(shape, dtype, ragged_rank)` (TF1's name)."""
    from tfgraph.ragged.ragged_tensor import RaggedTensorSpec

    return RaggedTensorSpec(shape, dtype, ragged_rank)


def _lib():
    from tfgraph.data import dataset_ops

    return dataset_ops


def get_structure(dataset_or_iterator):
    """The `element_spec` of a dataset or iterator."""
    try:
        return dataset_or_iterator.element_spec
    except AttributeError:
        raise TypeError(
            "Invalid `dataset_or_iterator`. `dataset_or_iterator` must be a "
            "`tf.data.Dataset` or tf.data.Iterator object, but got "
            f"{type(dataset_or_iterator)}."
        ) from None


def to_variant(dataset):
    """The variant tensor standing for `dataset`."""
    return dataset._variant_tensor


def from_variant(variant, structure):
    """The dataset a variant tensor (from `to_variant`) stands for, whose elements have
    the `structure` (a nest of TypeSpecs)."""
    return _lib().Dataset(variant, structure)


def ignore_errors(log_warning=False):
    """The transformation dropping the elements whose computation fails (an
    IgnoreErrorsDataset op): `dataset.ignore_errors(log_warning)`."""

    def _apply(dataset):
        return dataset.ignore_errors(log_warning)

    return _apply


def ignore_errors_dataset(dataset, log_warning=False):
    """`dataset.ignore_errors(log_warning)`: one IgnoreErrorsDataset op."""
    lib = _lib()
    attrs = lib._attrs_for(dataset._element_spec)
    del attrs["metadata"]
    attrs["log_warning"] = bool(log_warning)
    variant = op_output("IgnoreErrorsDataset", None, [dataset._variant_tensor], attrs)
    return lib.Dataset(variant, dataset._element_spec)


def _common_spec(a, b):
    if a.dtype != b.dtype:
        raise TypeError(
            f"Invalid `elements`: the elements have different types ({a.dtype} and "
            f"{b.dtype}) at the same position."
        )
    return TensorSpec(a.shape.most_specific_compatible_shape(b.shape), a.dtype)


def from_list(elements, name=None):
    """The dataset of the elements of the list `elements` (one ListDataset op): each
    element a nest of tensors of the same structure and types."""
    if not elements:
        raise ValueError(
            "Invalid `elements`. `elements` should not be empty. If you want an empty "
            "dataset, use `tf.data.Dataset.range(0)`."
        )
    if not isinstance(elements, list):
        raise ValueError("Invalid `elements`. `elements` must be a list.")
    lib = _lib()
    normalized = [lib._normalize_element(e) for e in elements]
    structures = [nest.map_structure(lib._spec_of_value, e) for e, _ in normalized]
    flat_specs = [nest.flatten(s) for s in structures]
    for specs in flat_specs[1:]:
        if len(specs) != len(flat_specs[0]):
            raise ValueError(
                "Invalid `elements`: the elements do not have the same nested structure."
            )
    merged = list(flat_specs[0])
    for specs in flat_specs[1:]:
        merged = [_common_spec(a, b) for a, b in zip(merged, specs)]
    spec = nest.pack_sequence_as(structures[0], merged)
    tensors = [t for _, flat in normalized for t in flat]
    attrs = lib._attrs_for(spec)
    attrs["Tinput_types"] = [t.dtype._base for t in tensors]
    variant = op_output("ListDataset", None, [tensors], attrs)
    return lib.Dataset(variant, spec)


class Reducer:
    """What `group_by_reducer` does with each group: `init_func(key)` makes the state,
    `reduce_func(state, element)` updates it, `finalize_func(state)` gives the output."""

    def __init__(self, init_func, reduce_func, finalize_func) -> None:
        self._init_func = init_func
        self._reduce_func = reduce_func
        self._finalize_func = finalize_func

    @property
    def init_func(self):
        return self._init_func

    @property
    def reduce_func(self):
        return self._reduce_func

    @property
    def finalize_func(self):
        return self._finalize_func


def group_by_reducer(key_func, reducer):
    """The transformation grouping elements by `key_func(element)` (a scalar int64) and
    reducing each group with `reducer`; one output per key, in key order, once the
    input is exhausted (one ExperimentalGroupByReducerDataset op)."""

    def _apply(dataset):
        return _group_by_reducer(dataset, key_func, reducer)

    return _apply


def _group_by_reducer(dataset, key_func, reducer):
    from tfgraph.data.transformations import _relaxed, _trace_with_state

    lib = _lib()
    name = "tf_data_experimental_group_by_reducer"
    key_f = dataset._trace(key_func, name, lib._element_outputs)
    key_out = nest.flatten(key_f.structured_outputs)
    if (
        len(key_out) != 1
        or key_out[0].dtype != dtypes.int64
        or not key_out[0].shape.is_compatible_with(TensorShape([]))
    ):
        raise ValueError(
            "Invalid `key_func`. Expected `key_func` to return a scalar tf.int64 tensor, "
            f"but instead `key_func` has output {key_f.structured_outputs!r}."
        )
    scalar = [TensorSpec(TensorShape([]), dtypes.int64)]
    init_f = trace(reducer.init_func, name, scalar, lambda flat: flat[0], lib._element_outputs)
    state_spec = init_f.structured_outputs
    while True:
        reduce_f = _trace_with_state(
            dataset, reducer.reduce_func, name, state_spec, lib._element_outputs
        )
        relaxed = _relaxed(state_spec, reduce_f.structured_outputs)
        if relaxed is None:
            break
        state_spec = relaxed
    state_flat = nest.flatten(state_spec)
    finalize_f = trace(
        reducer.finalize_func,
        name,
        state_flat,
        lambda flat: nest.pack_sequence_as(state_spec, flat),
        lib._element_outputs,
    )
    spec = finalize_f.structured_outputs
    fns = [key_f, init_f, reduce_f, finalize_f]
    captured = [dataset._captured(f) for f in fns]
    attrs = lib._attrs_for(spec)
    del attrs["metadata"]
    for f, caps, prefix in zip(
        fns, captured, ("key_func", "init_func", "reduce_func", "finalize_func")
    ):
        attrs[prefix] = f
        attrs[f"T{prefix}_other_arguments"] = [t.dtype._base for t in caps]
    variant = op_output(
        "ExperimentalGroupByReducerDataset", None, [dataset._variant_tensor, *captured], attrs
    )
    return lib.Dataset(variant, spec)


class TFRecordWriter:
    """Writes the scalar string elements of a dataset to a TFRecord file:
    `write(dataset)` is the DatasetToTFRecord op that does it when run."""

    def __init__(self, filename, compression_type=None) -> None:
        self._filename = convert_to_tensor(filename, dtypes.string, name="filename")
        self._compression_type = convert_to_tensor(
            "" if compression_type is None else compression_type,
            dtypes.string,
            name="compression_type",
        )

    def write(self, dataset):
        """The op writing `dataset`'s elements (scalar strings) to the file."""
        lib = _lib()
        if not isinstance(dataset, lib.Dataset):
            raise TypeError(
                f"Invalid `dataset.` Expected a `tf.data.Dataset` object but got {type(dataset)}."
            )
        spec = dataset._element_spec
        if not (
            isinstance(spec, TensorSpec)
            and spec.dtype == dtypes.string
            and spec.shape.is_compatible_with(TensorShape([]))
        ):
            raise TypeError(
                "Invalid `dataset`. Expected a`dataset` that produces scalar `tf.string` "
                "elements, but got a dataset which produces elements with shapes "
                f"{dataset.output_shapes} and types {dataset.output_types}."
            )
        from tfgraph.ops.apply import apply_op

        return apply_op(
            "DatasetToTFRecord",
            None,
            [dataset._variant_tensor, self._filename, self._compression_type],
            {},
        )


def SqlDataset(driver_name, data_source_name, query, output_types):
    """The rows a SQL query returns (driver "sqlite": Python's sqlite3), one element
    per row: a tuple of scalars of `output_types`."""
    lib = _lib()
    driver = convert_to_tensor(driver_name, dtypes.string, name="driver_name")
    source = convert_to_tensor(data_source_name, dtypes.string, name="data_source_name")
    text = convert_to_tensor(query, dtypes.string, name="query")
    spec = nest.map_structure(
        lambda t: TensorSpec(TensorShape([]), dtypes.as_dtype(t)), output_types
    )
    attrs = lib._attrs_for(spec)
    del attrs["metadata"]
    variant = op_output("SqlDataset", None, [driver, source, text], attrs)
    return lib.Dataset(variant, spec)


def pad_to_cardinality(cardinality, mask_key="valid"):
    """The transformation padding a dataset of dicts to `cardinality` elements: each
    element gains `mask_key` (True), then zero elements with `mask_key` False follow."""

    def _apply(dataset):
        from tfgraph.ops.array_ops import zeros

        if not isinstance(dataset.element_spec, Mapping):
            raise ValueError("`pad_to_cardinality` requires its input dataset to be a dictionary.")
        lib = _lib()
        padding = cardinality - dataset.cardinality()
        filler = nest.map_structure(lambda s: zeros(s.shape, s.dtype), dataset.element_spec)
        filler[mask_key] = False
        filler_dataset = lib.Dataset.from_tensors(filler).repeat(padding)

        def apply_valid_mask(x):
            x[mask_key] = True
            return x

        return dataset.map(apply_valid_mask).concatenate(filler_dataset)

    return _apply


def dense_to_ragged_batch(batch_size, drop_remainder=False, row_splits_dtype=dtypes.int64):
    """The transformation `dataset.ragged_batch(batch_size, drop_remainder,
    row_splits_dtype)`."""

    def _apply(dataset):
        return dataset.ragged_batch(batch_size, drop_remainder, row_splits_dtype)

    return _apply


def map_and_batch_with_legacy_function(
    map_func, batch_size, num_parallel_batches=None, drop_remainder=False, num_parallel_calls=None
):
    """`map_and_batch` (tfgraph's traced functions serve both kinds)."""
    from tfgraph.data.experimental import map_and_batch

    return map_and_batch(
        map_func, batch_size, num_parallel_batches, drop_remainder, num_parallel_calls
    )


def parse_example_dataset(features, num_parallel_calls=1, deterministic=None):
    """The transformation parsing a dataset of serialized `tf.train.Example` vectors
    into dicts of features (one ParseExampleDatasetV2 op; SparseFeatures then merged
    by a map, as TF). RaggedFeature is not supported here."""
    if features is None:
        raise ValueError("Argument `features` is required, but not specified.")

    def _apply(dataset):
        return _parse_example_dataset(dataset, features, num_parallel_calls, deterministic)

    return _apply


def _parse_example_dataset(dataset, features, num_parallel_calls, deterministic):
    from tfgraph.ops import parsing_ops
    from tfgraph.ops import sequence_parsing_ops as sp

    lib = _lib()
    if any(isinstance(f, parsing_ops.RaggedFeature) for f in features.values()):
        raise NotImplementedError(
            "parse_example_dataset: tfgraph does not parse RaggedFeature in datasets; "
            "use dataset.map(lambda x: tf.io.parse_example(x, features)) instead."
        )
    spec_in = dataset._element_spec
    if not (isinstance(spec_in, TensorSpec) and spec_in.dtype == dtypes.string):
        raise TypeError(
            f"Input dataset should be a dataset of vectors of strings. Instead it is `{spec_in}`."
        )
    kinds = (
        parsing_ops.VarLenFeature,
        sp.SparseFeature,
        parsing_ops.FixedLenFeature,
        parsing_ops.FixedLenSequenceFeature,
    )
    params = sp.params_from_features(features, kinds)
    outer = spec_in.shape
    spec: dict = {}
    for key, dtype in zip(params.sparse_keys, params.sparse_types):
        spec[key] = SparseTensorSpec(outer.concatenate([None]), dtype)
    for key, dtype, shape in zip(params.dense_keys, params.dense_types, params.dense_shapes):
        spec[key] = TensorSpec(outer.concatenate(shape), dtype)
    attrs = lib._attrs_for(spec)
    del attrs["metadata"]
    attrs.update(
        sparse_keys=[k.encode() for k in params.sparse_keys],
        dense_keys=[k.encode() for k in params.dense_keys],
        sparse_types=params.sparse_types,
        Tdense=params.dense_types,
        dense_shapes=params.dense_shapes,
        deterministic={None: b"default", True: b"true", False: b"false"}[deterministic],
        ragged_keys=[],
        ragged_value_types=[],
        ragged_split_types=[],
    )
    defaults = params.dense_defaults_vec()
    variant = op_output(
        "ParseExampleDatasetV2",
        None,
        [dataset._variant_tensor, num_parallel_calls, defaults],
        attrs,
    )
    out = lib.Dataset(variant, spec)
    if any(isinstance(f, sp.SparseFeature) for f in features.values()):
        out = out.map(lambda x: sp.construct_composite_features(features, x))
    return out


def _check_table_initializer_element_spec(element_spec) -> None:
    base = (
        "Datasets used to initialize lookup tables must produce elements in the form "
        "(key, value), where the keys and values are scalar tensors. However, the given "
        "dataset produces "
    )
    if len(element_spec) != 2:  # (a lone TensorSpec: TypeError, as TF)
        raise ValueError(
            base + f"{len(element_spec)} components instead of two (key, value) components. "
            f"Full dataset element spec: {element_spec}."
        )
    for what, spec in zip(("keys", "values"), element_spec):
        if not isinstance(spec, TensorSpec):
            raise ValueError(base + f"non-Tensor {what} of type {type(spec)}.")
    for what, spec in zip(("key", "value"), element_spec):
        if spec.shape.rank not in (None, 0):
            raise ValueError(base + f"non-scalar {what} Tensors of rank {spec.shape.rank}.")


class DatasetInitializer:
    """A lookup-table initializer filling the table with the (key, value) scalar pairs
    a dataset produces (one InitializeTableFromDataset op)."""

    def __init__(self, dataset) -> None:
        self.dataset = dataset
        spec = dataset.element_spec
        _check_table_initializer_element_spec(spec)
        self._key_dtype = spec[0].dtype
        self._value_dtype = spec[1].dtype

    @property
    def key_dtype(self):
        return self._key_dtype

    @property
    def value_dtype(self):
        return self._value_dtype

    def initialize(self, table):
        from tfgraph.framework.graph import GraphKeys, add_to_collection
        from tfgraph.ops.apply import apply_op
        from tfgraph.ops.lookup_ops import _check_table_dtypes

        _check_table_dtypes(table, self._key_dtype, self._value_dtype)
        init_op = apply_op(
            "InitializeTableFromDataset",
            None,
            [table.resource_handle, self.dataset._variant_tensor],
            {},
        )
        add_to_collection(GraphKeys.TABLE_INITIALIZERS, init_op)
        return init_op


# TF's lookup_ops.FastHashSpec: the default (and only) hash of out-of-vocabulary buckets.
HasherSpec = collections.namedtuple("HasherSpec", ["hasher", "key"])
FAST_HASH_SPEC = HasherSpec("fasthash", None)


def table_from_dataset(
    dataset=None,
    num_oov_buckets=0,
    vocab_size=None,
    default_value=None,
    hasher_spec=FAST_HASH_SPEC,
    key_dtype=dtypes.string,
    name=None,
):
    """A lookup table of the (key, value) pairs of `dataset`; other keys get
    `default_value` or, with `num_oov_buckets`, a hash bucket after the table's ids."""
    from tfgraph.framework.graph import get_default_graph
    from tfgraph.framework.ops import Tensor
    from tfgraph.ops.lookup_ops import StaticHashTable, StaticVocabularyTable

    if num_oov_buckets and getattr(hasher_spec, "hasher", "fasthash") != "fasthash":
        raise NotImplementedError(
            "table_from_dataset: tfgraph hashes out-of-vocabulary keys with FastHashSpec "
            f"only, not {hasher_spec}."
        )
    spec = dataset.element_spec
    _check_table_initializer_element_spec(spec)
    if default_value is None:
        default_value = -1
        if not (spec[1].dtype.is_integer or spec[1].dtype.is_floating):
            raise ValueError(
                "`default_value` must be specified when creating a table from a dataset "
                f"that produces values of type {spec[1].dtype}."
            )
    if num_oov_buckets < 0:
        raise ValueError(
            f"`num_oov_buckets` must be greater than or equal to 0, got {num_oov_buckets}."
        )
    if not isinstance(vocab_size, Tensor) and vocab_size is not None and vocab_size < 1:
        raise ValueError(f"`vocab_size` must be greater than 0, got {vocab_size}.")
    key_dtype = dtypes.as_dtype(key_dtype)
    if not key_dtype.is_integer and key_dtype._base != dtypes.string:
        raise TypeError(
            f"`key_dtype` must be either an integer or string type, but got {key_dtype}"
        )
    if vocab_size is not None:
        from tfgraph.data.experimental import assert_cardinality

        dataset = dataset.take(vocab_size).apply(assert_cardinality(vocab_size))
    g = get_default_graph()
    with g.name_scope(name or "string_to_index"):
        initializer = DatasetInitializer(dataset)
        with g.name_scope("hash_table"):
            if num_oov_buckets:
                return StaticVocabularyTable(initializer, num_oov_buckets, key_dtype)
            return StaticHashTable(initializer, default_value)


def index_table_from_dataset(
    dataset=None,
    num_oov_buckets=0,
    vocab_size=None,
    default_value=-1,
    hasher_spec=FAST_HASH_SPEC,
    key_dtype=dtypes.string,
    name=None,
):
    """A table mapping each element of `dataset` (scalar keys) to its position."""
    return table_from_dataset(
        dataset.enumerate().map(lambda v, k: (k, v)),
        num_oov_buckets,
        vocab_size,
        default_value,
        hasher_spec,
        key_dtype,
        name,
    )

"""ParseSequenceExampleV2 (`tf.io.parse_sequence_example`,
`tf.io.parse_single_sequence_example`) and `tf.io.SparseFeature`.

The kernel follows TF's fast SequenceExample parser step by step (first every
record is split into its requested features, then the lengths of all features are
measured, then the outputs are filled feature by feature), so the first error TF
reports for a bad batch is the one reported here, with TF's wording."""

from __future__ import annotations

import collections

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.apply import apply_op
from tfgraph.ops.parsing_ops import (
    FixedLenFeature,
    FixedLenSequenceFeature,
    RaggedFeature,
    VarLenFeature,
    _dense_default,
    _strings_array,
)

__all__ = ["SparseFeature", "parse_sequence_example", "parse_single_sequence_example"]


class SparseFeature(
    collections.namedtuple(
        "SparseFeature", ["index_key", "value_key", "dtype", "size", "already_sorted"]
    )
):
    """A sparse feature stored as index feature(s) plus a value feature of one Example;
    parsed into a SparseTensor of dense shape `size` (per example)."""

    def __new__(cls, index_key, value_key, dtype, size, already_sorted=False):
        return super().__new__(cls, index_key, value_key, dtype, size, already_sorted)


# -- The parameters of a parse op, gathered from a dict of feature configs ---------------
class _ParseParams:
    def __init__(self):
        self.sparse_keys: list = []
        self.sparse_types: list = []
        self.dense_keys: list = []
        self.dense_types: list = []
        self.dense_shapes: list = []
        self.dense_defaults: dict = {}
        self.ragged_keys: list = []
        self.ragged_value_types: list = []
        self.ragged_split_types: list = []

    @property
    def num_features(self) -> int:
        return len(self.sparse_keys) + len(self.dense_keys) + len(self.ragged_keys)

    def add_ragged(self, key, value_type, split_type):
        if key in self.ragged_keys:
            i = self.ragged_keys.index(key)
            if self.ragged_value_types[i] != value_type:
                raise ValueError(
                    f"Conflicting type {self.ragged_value_types[i]} vs {value_type} for "
                    f"feature {key}."
                )
            if self.ragged_split_types[i] != split_type:
                raise ValueError(
                    f"Conflicting partition type {self.ragged_split_types[i]} vs {split_type} "
                    f"for feature {key}."
                )
        else:
            self.ragged_keys.append(key)
            self.ragged_value_types.append(value_type)
            self.ragged_split_types.append(split_type)

    def _add_ragged_feature(self, key, feature):
        value_key = key if feature.value_key is None else feature.value_key
        self.add_ragged(value_key, feature.dtype, feature.row_splits_dtype)
        for partition in feature.partitions:
            if not isinstance(partition, RaggedFeature.UniformRowLength):
                self.add_ragged(partition.key, dtypes.int64, feature.row_splits_dtype)

    def add_sparse(self, key, dtype):
        dtype = dtypes.as_dtype(dtype)
        if key in self.sparse_keys:
            original = self.sparse_types[self.sparse_keys.index(key)]
            if original != dtype:
                raise ValueError(f"Conflicting type {original} vs {dtype} for feature {key}.")
        else:
            self.sparse_keys.append(key)
            self.sparse_types.append(dtype)

    def add(self, key, feature):
        if isinstance(feature, VarLenFeature):
            if not feature.dtype:
                raise ValueError(f"Missing type for feature {key}. Received feature={feature}")
            self.add_sparse(key, feature.dtype)
        elif isinstance(feature, SparseFeature):
            self._add_sparse_feature(feature)
        elif isinstance(feature, FixedLenFeature):
            self._add_fixed(key, feature)
        elif isinstance(feature, RaggedFeature):
            self._add_ragged_feature(key, feature)
        elif isinstance(feature, FixedLenSequenceFeature):
            self._check_typed(key, feature)
            self._add_dense(key, feature)
            if feature.allow_missing:
                self.dense_defaults[key] = None
            if feature.default_value is not None:
                self.dense_defaults[key] = feature.default_value
        else:
            raise ValueError(f"Invalid feature {key}:{feature}.")

    def _add_sparse_feature(self, feature):
        if not feature.index_key:
            raise ValueError(f"Missing index_key for SparseFeature {feature}.")
        if not feature.value_key:
            raise ValueError(f"Missing value_key for SparseFeature {feature}.")
        if not feature.dtype:
            raise ValueError(
                f"Missing type for feature {feature.value_key}. Received feature={feature}."
            )
        index_keys = feature.index_key
        if isinstance(index_keys, str):
            index_keys = [index_keys]
        for index_key in sorted(index_keys):
            self.add_sparse(index_key, dtypes.int64)
        self.add_sparse(feature.value_key, feature.dtype)

    @staticmethod
    def _check_typed(key, feature):
        if not feature.dtype:
            raise ValueError(f"Missing type for feature {key}. Received feature={feature}.")
        if feature.shape is None:
            raise ValueError(f"Missing shape for feature {key}. Received feature={feature}.")

    def _add_fixed(self, key, feature):
        self._check_typed(key, feature)
        shape = TensorShape(feature.shape)
        if feature.shape and shape.rank and shape.as_list()[0] is None:
            raise ValueError(
                f"First dimension of shape for feature {key} unknown. Consider using "
                f"FixedLenSequenceFeature. Received feature={feature}."
            )
        if not shape.is_fully_defined():
            raise ValueError(
                f"All dimensions of shape for feature {key} need to be known but received "
                f"{feature.shape!s}."
            )
        self._add_dense(key, feature)
        if feature.default_value is not None:
            self.dense_defaults[key] = feature.default_value

    def _add_dense(self, key, feature):
        self.dense_keys.append(key)
        self.dense_shapes.append(TensorShape(feature.shape))
        self.dense_types.append(dtypes.as_dtype(feature.dtype))

    def validate(self):
        dense, sparse = set(self.dense_keys), set(self.sparse_keys)
        if not dense.isdisjoint(sparse):
            raise ValueError(
                f"Dense and sparse keys must not intersect; dense_keys: {self.dense_keys}, "
                f"sparse_keys: {self.sparse_keys}, intersection: {dense & sparse}"
            )
        ragged = set(self.ragged_keys)
        if not dense.isdisjoint(ragged):
            raise ValueError(  # (two arguments, as TF raises it)
                "Dense and ragged keys must not intersect; dense_keys: ",
                f"{self.dense_keys}, ragged_keys: {self.ragged_keys}, intersection: "
                f"{dense & ragged}",
            )
        if not ragged.isdisjoint(sparse):
            raise ValueError(
                f"Ragged and sparse keys must not intersect; ragged_keys: {self.ragged_keys}, "
                f"sparse_keys: {self.sparse_keys}, intersection: {ragged & sparse}"
            )

    def dense_defaults_vec(self):
        out = []
        for key, shape, dtype in zip(self.dense_keys, self.dense_shapes, self.dense_types):
            default = self.dense_defaults.get(key)
            if isinstance(default, Tensor):  # (TF uses a Tensor default as it is)
                out.append(default)
                continue
            out.append(_dense_default(key, FixedLenFeature(shape, dtype, default), shape))
        return out


def params_from_features(features, types) -> _ParseParams:
    """TF's `_ParseOpParams.from_features`: the features in key order, each checked to
    be one of `types`."""
    params = _ParseParams()
    for key in sorted(features or {}):
        feature = features[key]
        if not isinstance(feature, tuple(types)):
            raise ValueError(f"Unsupported {type(feature).__name__} {feature} for key '{key}'")
        params.add(key, feature)
    params.validate()
    return params


def prepend_none_dimension(features):
    """`parse_example`'s FixedLenSequenceFeatures with their leading unknown dimension."""
    if not features:
        return features
    out = dict(features)
    for key, feature in features.items():
        if isinstance(feature, FixedLenSequenceFeature):
            if not feature.allow_missing:
                raise ValueError(
                    "Unsupported: FixedLenSequenceFeature requires allow_missing to be True."
                )
            out[key] = FixedLenSequenceFeature(
                [None, *feature.shape], feature.dtype, feature.allow_missing, feature.default_value
            )
    return out


def construct_composite_features(features, tensor_dict):
    """TF's `_construct_tensors_for_composite_features`: each SparseFeature becomes one
    SparseTensor merged (`tf.sparse_merge`) from its index and value features; keys that
    are not features themselves are dropped."""
    from tfgraph.ops.sparse_ops import sparse_merge

    tensor_dict = dict(tensor_dict)
    updates = {}
    for key in sorted(features):
        feature = features[key]
        if isinstance(feature, RaggedFeature):
            from tfgraph.ragged.ragged_parsing import ragged_feature_tensor

            updates[key] = ragged_feature_tensor(key, feature, tensor_dict)
        elif isinstance(feature, SparseFeature):
            if isinstance(feature.index_key, str):
                ids = tensor_dict[feature.index_key]
            else:
                ids = [tensor_dict[k] for k in feature.index_key]
            updates[key] = sparse_merge(
                ids,
                tensor_dict[feature.value_key],
                vocab_size=feature.size,
                already_sorted=feature.already_sorted,
            )
    tensor_dict.update(updates)
    for key in set(tensor_dict) - set(features):
        del tensor_dict[key]
    return tensor_dict


# -- The kernel ------------------------------------------------------------------------------
_KIND_TYPE = {"int64_list": "int64", "float_list": "float32", "bytes_list": "string"}
_TYPE_WORD = {"int64": "int64", "float32": "float", "string": "string"}


def _count(feature, dtype) -> int:
    """The number of values of a Feature proto, or -1 when its type is not `dtype`."""
    kind = feature.WhichOneof("kind")
    if kind is None:
        return 0
    if _KIND_TYPE[kind] != dtype.name:
        return -1
    return len(getattr(feature, kind).value)


def _values(feature):
    kind = feature.WhichOneof("kind")
    return [] if kind is None else list(getattr(feature, kind).value)


def _empty(feature) -> bool:
    """Whether the Feature proto serializes to no bytes (no list set)."""
    return feature.WhichOneof("kind") is None


def _array(values, dtype, shape=None):
    if dtype is dtypes.string:
        out = np.empty(len(values), dtype=object)
        out[:] = [bytes(v) for v in values]
    else:
        out = np.array(values, dtype=dtype.np_dtype).reshape(-1)
    return out if shape is None else out.reshape(shape)


def _shape_text(dims) -> str:
    return "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


class _Parser:
    """One run of the kernel over a batch (or one record, when not `batched`)."""

    def __init__(self, op, serialized, names):
        self.op = op
        self.batched = serialized.ndim == 1
        self.records = serialized.reshape(-1)
        names = np.asarray(names, dtype=object).reshape(-1)
        self.names = [n.decode() if isinstance(n, bytes) else str(n) for n in names]
        self.n = self.records.size

    def error(self, message):
        return errors.InvalidArgumentError(None, self.op, message)

    def name(self, e) -> str:
        return self.names[e] if self.names else "<unknown>"

    def split(self):
        from tfgraph import proto

        if self.names and len(self.names) != self.n:
            raise self.error("example_names must be empty or have the correct number of elements")
        self.context, self.lists = [], []
        for e, record in enumerate(self.records):
            try:
                example = proto.SequenceExample.FromString(bytes(record))
            except Exception:
                raise self.error(
                    f"Invalid protocol message input, example id: {self.name(e)}"
                ) from None
            self.context.append(example.context.feature)
            self.lists.append(example.feature_lists.feature_list)

    def context_length(self, key, dtype, dense_default):
        """Sum (sparse) or max (dense, at least the default's size) of the value counts."""
        length = 0 if dense_default is None else int(np.size(dense_default))
        for e in range(self.n):
            feature = self.context[e].get(key)
            if feature is None or _empty(feature):
                continue
            count = _count(feature, dtype)
            if count < 0:
                raise self.error(
                    f"Name: {self.name(e)}, Context feature: {key}.  Data types don't match. "
                    f"Expected type: {_TYPE_WORD[dtype.name]}"
                )
            length = length + count if dense_default is None else max(length, count)
        return length

    def list_length(self, key, dtype, dense: bool):
        length = 0
        for e in range(self.n):
            feature_list = self.lists[e].get(key)
            if feature_list is None:
                continue
            total = 0
            for row, feature in enumerate(feature_list.feature):
                count = _count(feature, dtype)
                if count < 0:
                    raise self.error(
                        f"Name: {self.name(e)}, Feature list: {key}, Index: {row}.  Data types "
                        f"don't match. Expected type: {_TYPE_WORD[dtype.name]}"
                    )
                total += count
            length = max(length, total) if dense else length + total
        return length

    def context_dense(self, key, dtype, shape, default, length):
        size = int(np.prod(shape)) if shape else 1
        if length != size:
            raise self.error(
                f"Inconsistent max number of elements for feature {key}: expected {size}, "
                f"but found {length}"
            )
        rows = []
        for e in range(self.n):
            feature = self.context[e].get(key)
            if feature is None:
                if np.size(default) == 0:
                    raise self.error(
                        f"Feature: {key} (data type: {_TYPE_WORD[dtype.name]}) is required but "
                        "could not be found."
                    )
                values = list(np.asarray(default, dtype=object).reshape(-1))
            else:
                values = _values(feature)
            if len(values) != length:
                raise self.error(f"Unexpected number of elements in example {self.name(e)}")
            rows.append(_array(values, dtype, shape))
        if not self.batched:
            return rows[0]
        if not rows:
            return _array([], dtype, [0, *shape])
        return np.stack(rows)

    def context_sparse(self, key, dtype):
        indices, values, widest = [], [], 0
        for e in range(self.n):
            feature = self.context[e].get(key)
            vals = [] if feature is None else _values(feature)
            widest = max(widest, len(vals))
            for i, v in enumerate(vals):
                indices.append([e, i] if self.batched else [i])
                values.append(v)
        rank = 2 if self.batched else 1
        shape = [self.n, widest] if self.batched else [widest]
        return (
            np.array(indices, dtype=np.int64).reshape(-1, rank),
            _array(values, dtype),
            np.array(shape, dtype=np.int64),
        )

    def list_dense(self, key, dtype, shape, allow_missing, length):
        size = int(np.prod(shape)) if shape else 1
        if size == 0 or length % size:
            raise self.error(
                f"Feature list '{key}' has an unexpected number of values.  Total values size: "
                f"{length} is not consistent with output shape: {_shape_text([None, *shape])}"
            )
        longest = length // size
        pad = b"" if dtype is dtypes.string else 0
        out = _array([pad] * (self.n * longest * size), dtype, [self.n, longest, *shape])
        lengths = np.zeros(self.n, dtype=np.int64)
        for e in range(self.n):
            feature_list = self.lists[e].get(key)
            if feature_list is None:
                if not allow_missing:
                    raise self.error(
                        f"Name: {self.name(e)}, Feature list '{key}' is required but could not "
                        "be found.  Did you mean to include it in "
                        "feature_list_dense_missing_assumed_empty or feature_list_dense_defaults?"
                    )
                continue
            for row, feature in enumerate(feature_list.feature):
                values = _values(feature)
                if len(values) != size:
                    raise self.error(
                        f"Name: {self.name(e)}, Key: {key}, Index: {row}.  Number of values != "
                        f"expected.  values size: {len(values)} but output shape: "
                        f"{_shape_text(shape)}"
                    )
                out[e, row] = _array(values, dtype, shape)
            lengths[e] = len(feature_list.feature)
        if not self.batched:
            return out[0], lengths[0]
        return out, lengths

    def list_sparse(self, key, dtype):
        indices, values, rows, cols = [], [], 0, 0
        for e in range(self.n):
            feature_list = self.lists[e].get(key)
            if feature_list is None:
                continue
            rows = max(rows, len(feature_list.feature))
            for row, feature in enumerate(feature_list.feature):
                vals = _values(feature)
                cols = max(cols, len(vals))
                for i, v in enumerate(vals):
                    indices.append([e, row, i] if self.batched else [row, i])
                    values.append(v)
        rank = 3 if self.batched else 2
        shape = [self.n, rows, cols] if self.batched else [rows, cols]
        return (
            np.array(indices, dtype=np.int64).reshape(-1, rank),
            _array(values, dtype),
            np.array(shape, dtype=np.int64),
        )

    def context_ragged(self, key, dtype, splits_dtype):
        """Values of every record in turn and their row splits (a placeholder scalar
        for one record, as TF leaves it)."""
        values, splits = [], [0]
        for e in range(self.n):
            feature = self.context[e].get(key)
            values += [] if feature is None else _values(feature)
            splits.append(len(values))
        return _array(values, dtype), self._splits(splits, splits_dtype)

    def list_ragged(self, key, dtype, splits_dtype):
        """Values of every row of every record, the rows' splits (inner) and the
        records' splits over the rows (outer; a placeholder scalar for one record)."""
        values, inner, outer = [], [0], [0]
        for e in range(self.n):
            feature_list = self.lists[e].get(key)
            for feature in [] if feature_list is None else feature_list.feature:
                values += _values(feature)
                inner.append(len(values))
            outer.append(len(inner) - 1)
        inner_splits = np.array(inner, dtype=splits_dtype.np_dtype)
        return _array(values, dtype), self._splits(outer, splits_dtype), inner_splits

    def _splits(self, splits, splits_dtype):
        if not self.batched:
            return np.zeros((), dtype=splits_dtype.np_dtype)
        return np.array(splits, dtype=splits_dtype.np_dtype)


def _keys(values) -> list:
    return [k.decode() if isinstance(k, bytes) else str(k) for k in np.asarray(values).reshape(-1)]


def _parse_sequence_example_kernel(op, ctx):
    attrs = op._attrs
    c_sparse_types = list(attrs["context_sparse_types"])
    c_dense_types = list(attrs["Tcontext_dense"])
    c_shapes = [s.as_list() for s in attrs["context_dense_shapes"]]
    c_ragged_types = list(
        zip(attrs["context_ragged_value_types"], attrs["context_ragged_split_types"])
    )
    f_sparse_types = list(attrs["feature_list_sparse_types"])
    f_dense_types = list(attrs["feature_list_dense_types"])
    f_shapes = [s.as_list() for s in attrs["feature_list_dense_shapes"]]
    f_ragged_types = list(
        zip(attrs["feature_list_ragged_value_types"], attrs["feature_list_ragged_split_types"])
    )

    def parse(serialized, names, c_sparse, c_dense, c_ragged, f_sparse, f_dense, f_ragged, *rest):
        missing_ok = np.asarray(rest[0], dtype=bool).reshape(-1)
        defaults = rest[1:]
        p = _Parser(op, np.asarray(serialized, dtype=object), names)
        c_sparse, c_dense, c_ragged = _keys(c_sparse), _keys(c_dense), _keys(c_ragged)
        f_sparse, f_dense, f_ragged = _keys(f_sparse), _keys(f_dense), _keys(f_ragged)
        p.split()
        for k, t in zip(c_sparse, c_sparse_types):
            p.context_length(k, t, None)
        for k, (t, _) in zip(c_ragged, c_ragged_types):
            p.context_length(k, t, None)
        c_dense_len = [
            p.context_length(k, t, d) for k, t, d in zip(c_dense, c_dense_types, defaults)
        ]
        for k, t in zip(f_sparse, f_sparse_types):
            p.list_length(k, t, dense=False)
        for k, (t, _) in zip(f_ragged, f_ragged_types):
            p.list_length(k, t, dense=False)
        f_dense_len = [p.list_length(k, t, dense=True) for k, t in zip(f_dense, f_dense_types)]
        dense = [
            p.context_dense(k, t, s, d, n)
            for k, t, s, d, n in zip(c_dense, c_dense_types, c_shapes, defaults, c_dense_len)
        ]
        sparse = [p.context_sparse(k, t) for k, t in zip(c_sparse, c_sparse_types)]
        ragged = [p.context_ragged(k, t, st) for k, (t, st) in zip(c_ragged, c_ragged_types)]
        f_dense_out = [
            p.list_dense(k, t, s, bool(m), n)
            for k, t, s, m, n in zip(f_dense, f_dense_types, f_shapes, missing_ok, f_dense_len)
        ]
        f_sparse_out = [p.list_sparse(k, t) for k, t in zip(f_sparse, f_sparse_types)]
        f_ragged_out = [p.list_ragged(k, t, st) for k, (t, st) in zip(f_ragged, f_ragged_types)]
        return (
            _columns(sparse, 3)
            + dense
            + _columns(ragged, 2)
            + _columns(f_sparse_out, 3)
            + _columns(f_dense_out, 2)
            + _columns(f_ragged_out, 3)
        )

    return parse


def _columns(results, width) -> list:
    """Tuples of per-feature outputs regrouped output by output (all first items, ...)."""
    return [r[i] for i in range(width) for r in results]


def _parse_sequence_example_shape(op):
    attrs = op._attrs
    batch = op._inputs[0]._shape
    if batch.rank is not None and batch.rank > 1:
        from tfgraph.ops.common_shapes import shape_error

        raise shape_error(op, f"Shape must be at most rank 1 but is rank {batch.rank}")
    known = batch.rank is not None
    lead = batch.as_list() if known else None

    def sparse(n, delta):
        rank = (len(lead) + delta) if known else None
        return (
            [TensorShape([None, rank]) for _ in range(n)]
            + [TensorShape([None]) for _ in range(n)]
            + [TensorShape([rank]) for _ in range(n)]
        )

    def prefixed(shape, extra):
        return TensorShape(lead + extra).concatenate(shape) if known else TensorShape(None)

    splits = TensorShape([lead[0] + 1 if known and lead and lead[0] is not None else None])

    def ragged(n, inner):
        return [TensorShape([None])] * n + [splits] * n + [TensorShape([None])] * (n * inner)

    out = sparse(attrs["Ncontext_sparse"], 1)
    out += [prefixed(s, []) for s in attrs["context_dense_shapes"]]
    out += ragged(len(attrs["context_ragged_value_types"]), 0)
    out += sparse(attrs["Nfeature_list_sparse"], 2)
    out += [prefixed(s, [None]) for s in attrs["feature_list_dense_shapes"]]
    out += [TensorShape(lead) if known else TensorShape(None)] * attrs["Nfeature_list_dense"]
    out += ragged(len(attrs["feature_list_ragged_value_types"]), 1)
    return out


_TYPES = "list({float, int64, string}) >= 0 = []"
_SPLITS = "list({int32, int64}) >= 0 = []"

register_op(
    "ParseSequenceExampleV2",
    inputs=[
        "serialized: string",
        "debug_name: string",
        "context_sparse_keys: string",
        "context_dense_keys: string",
        "context_ragged_keys: string",
        "feature_list_sparse_keys: string",
        "feature_list_dense_keys: string",
        "feature_list_ragged_keys: string",
        "feature_list_dense_missing_assumed_empty: bool",
        "context_dense_defaults: Tcontext_dense",
    ],
    outputs=[
        "context_sparse_indices: Ncontext_sparse * int64",
        "context_sparse_values: context_sparse_types",
        "context_sparse_shapes: Ncontext_sparse * int64",
        "context_dense_values: Tcontext_dense",
        "context_ragged_values: context_ragged_value_types",
        "context_ragged_row_splits: context_ragged_split_types",
        "feature_list_sparse_indices: Nfeature_list_sparse * int64",
        "feature_list_sparse_values: feature_list_sparse_types",
        "feature_list_sparse_shapes: Nfeature_list_sparse * int64",
        "feature_list_dense_values: feature_list_dense_types",
        "feature_list_dense_lengths: Nfeature_list_dense * int64",
        "feature_list_ragged_values: feature_list_ragged_value_types",
        "feature_list_ragged_outer_splits: feature_list_ragged_split_types",
        "feature_list_ragged_inner_splits: feature_list_ragged_split_types",
    ],
    attrs=[
        "Ncontext_sparse: int >= 0 = 0",
        "Tcontext_dense: " + _TYPES,
        "context_sparse_types: " + _TYPES,
        "context_ragged_value_types: " + _TYPES,
        "context_ragged_split_types: " + _SPLITS,
        "context_dense_shapes: list(shape) >= 0 = []",
        "Nfeature_list_sparse: int >= 0 = 0",
        "Nfeature_list_dense: int >= 0 = 0",
        "feature_list_dense_types: " + _TYPES,
        "feature_list_sparse_types: " + _TYPES,
        "feature_list_ragged_value_types: " + _TYPES,
        "feature_list_ragged_split_types: " + _SPLITS,
        "feature_list_dense_shapes: list(shape) >= 0 = []",
    ],
    shape=_parse_sequence_example_shape,
    make_kernel=_parse_sequence_example_kernel,
)  # (no gradient: TF registers none, so tf.gradients through it raises LookupError)


# -- The Python functions --------------------------------------------------------------------
def _sequence_params(context_features, sequence_features):
    context = params_from_features(
        context_features, (VarLenFeature, FixedLenFeature, RaggedFeature)
    )
    feature_list = params_from_features(
        sequence_features, (VarLenFeature, FixedLenSequenceFeature, RaggedFeature)
    )
    return context, feature_list


def sparse_tensors(indices, values, shapes):
    from tfgraph.framework.sparse_tensor import SparseTensor

    return [SparseTensor(i, v, s) for i, v, s in zip(indices, values, shapes)]


def _parse_sequence_example_raw(serialized, debug_name, context, feature_list, name=None):
    if context.num_features + feature_list.num_features == 0:
        raise ValueError("Must provide at least one feature key.")
    with get_default_graph().name_scope(name or "ParseSequenceExample"):
        debug_name = [] if debug_name is None else debug_name
        assumed_empty = []
        for key, value in feature_list.dense_defaults.items():
            if value is not None:
                raise ValueError(f"Value feature_list.dense_defaults[{key}] must be None")
            assumed_empty.append(key)
        serialized = convert_to_tensor(serialized, name="serialized")
        has_ragged = context.ragged_keys or feature_list.ragged_keys
        if has_ragged and serialized.shape.ndims is None:
            raise ValueError("serialized must have statically-known rank to parse ragged features.")
        if not hasattr(debug_name, "op") and not len(debug_name):
            debug_name = _strings_array([])
        missing = np.array([k in assumed_empty for k in feature_list.dense_keys], dtype=bool)
        attrs = {
            "Ncontext_sparse": len(context.sparse_keys),
            "Tcontext_dense": context.dense_types,
            "context_sparse_types": context.sparse_types,
            "context_ragged_value_types": context.ragged_value_types,
            "context_ragged_split_types": context.ragged_split_types,
            "context_dense_shapes": context.dense_shapes,
            "Nfeature_list_sparse": len(feature_list.sparse_keys),
            "Nfeature_list_dense": len(feature_list.dense_keys),
            "feature_list_dense_types": feature_list.dense_types,
            "feature_list_sparse_types": feature_list.sparse_types,
            "feature_list_ragged_value_types": feature_list.ragged_value_types,
            "feature_list_ragged_split_types": feature_list.ragged_split_types,
            "feature_list_dense_shapes": feature_list.dense_shapes,
        }
        inputs = [
            serialized,
            debug_name,
            _strings_array(context.sparse_keys),
            _strings_array(context.dense_keys),
            _strings_array(context.ragged_keys),
            _strings_array(feature_list.sparse_keys),
            _strings_array(feature_list.dense_keys),
            _strings_array(feature_list.ragged_keys),
            missing,
            context.dense_defaults_vec(),
        ]
        outs = list(apply_op("ParseSequenceExampleV2", name, inputs, attrs)._outputs)
        return _sequence_outputs(outs, serialized.shape, context, feature_list)


def _sequence_outputs(outs, serialized_shape, context, feature_list):
    from tfgraph.ragged.ragged_parsing import build_ragged_tensors

    n, d, r = len(context.sparse_keys), len(context.dense_keys), len(context.ragged_keys)
    context_out = dict(
        zip(
            context.sparse_keys + context.dense_keys + context.ragged_keys,
            sparse_tensors(outs[:n], outs[n : 2 * n], outs[2 * n : 3 * n])
            + outs[3 * n : 3 * n + d]
            + build_ragged_tensors(
                serialized_shape,
                outs[3 * n + d : 3 * n + d + r],
                outs[3 * n + d + r : 3 * n + d + 2 * r],
            ),
        )
    )
    outs = outs[3 * n + d + 2 * r :]
    m, k, r = (
        len(feature_list.sparse_keys),
        len(feature_list.dense_keys),
        len(feature_list.ragged_keys),
    )
    ragged = outs[3 * m + 2 * k :]
    list_out = dict(
        zip(
            feature_list.sparse_keys + feature_list.dense_keys + feature_list.ragged_keys,
            sparse_tensors(outs[:m], outs[m : 2 * m], outs[2 * m : 3 * m])
            + outs[3 * m : 3 * m + k]
            + build_ragged_tensors(
                serialized_shape, ragged[:r], ragged[r : 2 * r], ragged[2 * r :]
            ),
        )
    )
    lengths = dict(zip(feature_list.dense_keys, outs[3 * m + k : 3 * m + 2 * k]))
    return context_out, list_out, lengths


def _composite(context_features, sequence_features, context, feature_list, outputs):
    """TF's RaggedTensors of the RaggedFeatures (their partitions applied), in place of
    the parse op's outputs, when there are any."""
    outputs = list(outputs)
    if context.ragged_keys:
        outputs[0] = construct_composite_features(context_features, outputs[0])
    if feature_list.ragged_keys:
        outputs[1] = construct_composite_features(sequence_features, outputs[1])
    return tuple(outputs)


def parse_sequence_example(
    serialized, context_features=None, sequence_features=None, example_names=None, name=None
):
    """Parses a batch (vector) of serialized `SequenceExample` protos into three dicts:
    the context features, the feature lists (padded to the longest, a leading batch
    dimension), and the lengths of the dense feature lists."""
    if not (context_features or sequence_features):
        raise ValueError(
            "Both `context_features` and `sequence_features` argument are None, but at least "
            "one should have values."
        )
    context, feature_list = _sequence_params(context_features, sequence_features)
    with get_default_graph().name_scope(name or "ParseSequenceExample"):
        outputs = _parse_sequence_example_raw(
            serialized, example_names, context, feature_list, name
        )
        return _composite(context_features, sequence_features, context, feature_list, outputs)


def _assert_scalar(value, name):
    """TF's check that `value` is a scalar: at build time when its rank is known."""
    rank = value.shape.rank
    if rank == 0:
        return value
    if rank is not None:
        raise ValueError(f"Input {name} must be a scalar")
    from tfgraph.ops import array_ops, check_ops, control_flow_ops, math_ops

    check = check_ops.Assert(
        math_ops.equal(array_ops.rank(value), 0),
        [f"Input {name} must be a scalar"],
        name=f"{name.capitalize()}IsScalar",
    )
    result = control_flow_ops.with_dependencies([check], value, name=f"{name}Dependencies")
    result.set_shape([])
    return result


def parse_single_sequence_example(
    serialized, context_features=None, sequence_features=None, example_name=None, name=None
):
    """Parses one serialized `SequenceExample` (a scalar) into two dicts: its context
    features and its feature lists (no batch dimension)."""
    if not (context_features or sequence_features):
        raise ValueError(
            "Both context_features and sequence_features are None, but at least one should "
            "have values."
        )
    context, feature_list = _sequence_params(context_features, sequence_features)
    g = get_default_graph()
    with g.name_scope(name or "ParseSingleSequenceExample"):
        with g.name_scope(name or "ParseSingleExample"):
            serialized = convert_to_tensor(serialized, name="serialized")
            serialized = _assert_scalar(serialized, "serialized")
        outputs = _parse_sequence_example_raw(
            serialized, example_name, context, feature_list, name
        )[:2]
        return _composite(context_features, sequence_features, context, feature_list, outputs)

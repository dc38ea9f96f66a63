"""Lookup tables: `tf.lookup.StaticHashTable`, `StaticVocabularyTable`,
`KeyValueTensorInitializer`, `TextFileInitializer`, and TF1's `tf.contrib.lookup`
forms (`HashTable`, `index_table_from_tensor`, `index_to_string_table_from_tensor`).

A table is a resource of the session (its task's resource store), made by a
HashTableV2 op and filled by its initializer op (in the TABLE_INITIALIZERS collection:
`tf.tables_initializer()` runs them). Finding keys before that fails as TF does
("Table not initialized.").
"""

from __future__ import annotations

import threading
import uuid

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import GraphKeys, add_to_collection, get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.sparse_tensor import SparseTensor
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, common_shapes, math_ops
from tfgraph.ops.apply import apply_op, op_output

__all__ = [
    "HashTable",
    "KeyValueTensorInitializer",
    "StaticHashTable",
    "StaticVocabularyTable",
    "TextFileIndex",
    "TextFileInitializer",
    "index_table_from_file",
    "index_table_from_tensor",
    "index_to_string_table_from_file",
    "index_to_string_table_from_tensor",
    "initialize_all_tables",
]


class _Table:
    """One table's contents (in the session's resource store)."""

    def __init__(self, key_dtype, value_dtype) -> None:
        self.key_dtype = key_dtype
        self.value_dtype = value_dtype
        self.data: dict | None = None
        self.lock = threading.Lock()


def _key(value):
    return value if isinstance(value, bytes) else value.item() if hasattr(value, "item") else value


def _hash_table_kernel(op, ctx):
    store = ctx.resources_for(op)
    attrs = op._attrs
    shared = attrs["shared_name"]
    shared = shared.decode() if isinstance(shared, bytes) else shared
    key = ("lookup_table", attrs["container"], shared or op._name)

    def kernel():
        return store.state(key, lambda: _Table(attrs["key_dtype"], attrs["value_dtype"]))

    return kernel


register_op(
    "HashTableV2",
    outputs=["table_handle: resource"],
    attrs=[
        "container: string = ''",
        "shared_name: string = ''",
        "use_node_name_sharing: bool = false",
        "key_dtype: type",
        "value_dtype: type",
    ],
    shape=common_shapes.scalar_shape,
    make_kernel=_hash_table_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def _import_kernel(op, ctx):
    def kernel(table, keys, values):
        keys, values = np.asarray(keys), np.asarray(values)
        if keys.shape[:1] != values.shape[:1] or keys.ndim != 1:
            raise errors.InvalidArgumentError(
                None, op, f"Expected shape {list(keys.shape)} for value, got {list(values.shape)}"
            )
        with table.lock:
            table.data = {_key(k): v for k, v in zip(keys.tolist(), values)}

    return kernel


for _op_type, _k, _v in (
    ("LookupTableImportV2", "Tin", "Tout"),
    ("InitializeTableV2", "Tkey", "Tval"),
):
    register_op(
        _op_type,
        inputs=["table_handle: resource", f"keys: {_k}", f"values: {_v}"],
        attrs=[f"{_k}: type", f"{_v}: type"],
        shape=lambda op: [],
        make_kernel=_import_kernel,
        grad=NOT_DIFFERENTIABLE,
        stateful=True,
    )


def _initialized(op, table) -> dict:
    data = table.data
    if data is None:
        raise errors.FailedPreconditionError(None, op, "Table not initialized.")
    return data


def _find_kernel(op, ctx):
    np_dtype = op._attrs["Tout"].np_dtype

    def kernel(table, keys, default):
        data = _initialized(op, table)
        keys = np.asarray(keys)
        reserved = getattr(table, "reserved", None)  # (DenseHashTable's reserved keys)
        if reserved:
            check_reserved(op, reserved, [_key(k) for k in keys.reshape(-1).tolist()])
        value_shape = getattr(table, "value_shape", ())  # (mutable tables of tensors)
        if value_shape:
            return _find_rows(op, data, keys, np.asarray(default, np_dtype), value_shape)
        default = np.asarray(default, np_dtype).reshape(())[()]
        flat = [data.get(_key(k), default) for k in keys.reshape(-1).tolist()]
        out = np.empty(len(flat), dtype=np_dtype)
        out[:] = flat
        return out.reshape(keys.shape)

    return kernel


def check_reserved(op, reserved: dict, keys: list) -> None:
    """InvalidArgumentError when a key is one of a DenseHashTable's reserved keys."""
    for what, value in reserved.items():
        if value is not None and any(k == value for k in keys):
            raise errors.InvalidArgumentError(
                None, op, f"Using the {what} as a table key is not allowed"
            )


def _find_rows(op, data: dict, keys, default, value_shape) -> np.ndarray:
    out = np.empty((keys.size, *value_shape), dtype=default.dtype)
    rows = default.reshape(-1, *value_shape) if default.ndim > len(value_shape) else None
    for i, k in enumerate(keys.reshape(-1).tolist()):
        found = data.get(_key(k))
        out[i] = found if found is not None else (rows[i] if rows is not None else default)
    return out.reshape(keys.shape + tuple(value_shape))


def _find_shape(op):
    keys, default = op._inputs[1]._shape, op._inputs[2]._shape
    if default.rank:  # (a table of tensors: the value shape follows the keys')
        return [keys.concatenate(default)]
    return [keys]


register_op(
    "LookupTableFindV2",
    inputs=["table_handle: resource", "keys: Tin", "default_value: Tout"],
    outputs=["values: Tout"],
    attrs=["Tin: type", "Tout: type"],
    shape=_find_shape,
    make_kernel=_find_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def _size_kernel(op, ctx):
    def kernel(table):
        return np.int64(0 if table.data is None else len(table.data))  # (0 before init)

    return kernel


register_op(
    "LookupTableSizeV2",
    inputs=["table_handle: resource"],
    outputs=["size: int64"],
    shape=common_shapes.scalar_shape,
    make_kernel=_size_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


# -- initializers -------------------------------------------------------------------------------
class KeyValueTensorInitializer:
    """Fills a table with `keys[i] -> values[i]` (two 1-D tensors)."""

    def __init__(self, keys, values, key_dtype=None, value_dtype=None, name=None) -> None:
        g = get_default_graph()
        self._keys = convert_to_tensor(keys, dtype=key_dtype, name="keys")
        self._values = convert_to_tensor(values, dtype=value_dtype, name="values")
        with g.name_scope(name or "key_value_init") as scope:
            self._name = scope
        self.key_dtype = self._keys.dtype
        self.value_dtype = self._values.dtype

    def initialize(self, table):
        _check_table_dtypes(table, self.key_dtype, self.value_dtype)
        g = get_default_graph()
        with g.name_scope(self._name):
            init_op = apply_op(
                "LookupTableImportV2",
                None,
                [table.resource_handle, self._keys, self._values],
                {"Tin": self.key_dtype._base, "Tout": self.value_dtype._base},
            )
        add_to_collection(GraphKeys.TABLE_INITIALIZERS, init_op)
        return init_op


class TextFileIndex:
    """Where a key or value comes from in a text file's line."""

    WHOLE_LINE = -2
    LINE_NUMBER = -1


class TextFileInitializer:
    """Fills a table from a text file: per line, the key and the value are the line
    itself (`TextFileIndex.WHOLE_LINE`), its number (`LINE_NUMBER`) or the field at an
    index of the line split by `delimiter`."""

    def __init__(
        self, filename, key_dtype, key_index, value_dtype, value_index, vocab_size=None,
        delimiter="\t", name=None, value_index_offset=0,
    ):  # fmt: skip
        if key_index == TextFileIndex.LINE_NUMBER and key_dtype != dtypes.int64:
            raise ValueError(f"`key_dtype` must be int64 if `key_index` is {key_index}.")
        if key_index == TextFileIndex.WHOLE_LINE and not (
            dtypes.as_dtype(key_dtype).is_integer or key_dtype == dtypes.string
        ):
            raise ValueError(
                f"`key_dtype` should be string or integer if `key_index` is {key_index}."
            )
        if value_index == TextFileIndex.LINE_NUMBER and value_dtype != dtypes.int64:
            raise ValueError(f"`value_dtype` must be int64 if `value_index` is {value_index}.")
        self._filename = filename
        if not isinstance(filename, Tensor):  # (TF tracks the file as an asset)
            self._filename = convert_to_tensor(filename, dtypes.string, name="asset_path")
            add_to_collection(GraphKeys.ASSET_FILEPATHS, self._filename)
        self.key_dtype = dtypes.as_dtype(key_dtype)
        self.value_dtype = dtypes.as_dtype(value_dtype)
        self._key_index, self._value_index = key_index, value_index
        self._vocab_size = -1 if vocab_size is None else vocab_size
        self._delimiter = delimiter
        self._offset = value_index_offset
        self._name = name or "text_file_init"

    def initialize(self, table):
        _check_table_dtypes(table, self.key_dtype, self.value_dtype)
        g = get_default_graph()
        with g.name_scope(self._name):
            init_op = apply_op(
                "InitializeTableFromTextFileV2",
                None,
                [table.resource_handle, self._filename],
                {
                    "key_index": self._key_index, "value_index": self._value_index,
                    "vocab_size": self._vocab_size, "delimiter": self._delimiter,
                    "offset": self._offset,
                },
            )  # fmt: skip
        add_to_collection(GraphKeys.TABLE_INITIALIZERS, init_op)
        return init_op


def _text_file_kernel(op, ctx):
    attrs = op._attrs
    key_index, value_index = attrs["key_index"], attrs["value_index"]
    vocab_size, offset = attrs["vocab_size"], attrs["offset"]
    delimiter = attrs["delimiter"]
    delimiter = delimiter.decode() if isinstance(delimiter, bytes) else delimiter

    def field(line: str, number: int, index: int, dtype):
        if index == TextFileIndex.LINE_NUMBER:
            return number + (offset if dtype is not None else 0)
        text = line if index == TextFileIndex.WHOLE_LINE else line.split(delimiter)[index]
        if dtype is dtypes.string:
            return text.encode()
        return dtype.np_dtype.type(text)

    def kernel(table, filename):
        from tfgraph.io.gfile import local_path

        filename = np.asarray(filename).item()
        path = local_path(filename.decode() if isinstance(filename, bytes) else str(filename))
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except OSError as e:
            raise errors.NotFoundError(None, op, f"{path}; No such file or directory") from e
        if vocab_size >= 0:
            if len(lines) < vocab_size:
                raise errors.InvalidArgumentError(
                    None, op,
                    f"Invalid vocab_size in {path}: expected: {vocab_size}, got: {len(lines)}",
                )  # fmt: skip
            lines = lines[:vocab_size]
        data = {}
        for number, line in enumerate(lines):
            k = field(line, number, key_index, table.key_dtype)
            v = field(line, number, value_index, table.value_dtype)
            data[_key(k)] = (
                np.asarray(v, table.value_dtype.np_dtype)
                if table.value_dtype is not dtypes.string
                else v
            )
        with table.lock:
            table.data = data

    return kernel


register_op(
    "InitializeTableFromTextFileV2",
    inputs=["table_handle: resource", "filename: string"],
    attrs=[
        "key_index: int >= -2",
        "value_index: int >= -2",
        "vocab_size: int >= -1 = -1",
        "delimiter: string = '\t'",
        "offset: int = 0",
    ],
    shape=lambda op: [],
    make_kernel=_text_file_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def _check_table_dtypes(table, key_dtype, value_dtype) -> None:
    if key_dtype._base != table.key_dtype:
        raise TypeError(
            f"Invalid key dtype for table, expected {table.key_dtype} but got {key_dtype}."
        )
    if value_dtype._base != table.value_dtype:
        raise TypeError(
            f"Invalid value dtype for table, expected {table.value_dtype} but got {value_dtype}."
        )


# -- tables -------------------------------------------------------------------------------------
class StaticHashTable:
    """A table that does not change once initialized: `lookup(keys)` gives each key's
    value, or `default_value`."""

    def __init__(self, initializer, default_value, name=None, experimental_is_anonymous=False):
        del experimental_is_anonymous
        self._initializer = initializer
        self.key_dtype = initializer.key_dtype._base
        self.value_dtype = initializer.value_dtype._base
        self._default_value = convert_to_tensor(default_value, dtype=self.value_dtype)
        self._default_value.get_shape().merge_with(TensorShape([]))
        base = name or "hash_table"
        self.resource_handle = op_output(
            "HashTableV2",
            base,
            [],
            {
                "shared_name": f"{base}_{uuid.uuid4()}",
                "key_dtype": self.key_dtype,
                "value_dtype": self.value_dtype,
            },
        )
        self._init_op = initializer.initialize(self)

    @property
    def name(self) -> str:
        return self.resource_handle.op.name.split("/")[-1]

    @property
    def default_value(self):
        return self._default_value

    @property
    def initializer(self):
        return self._init_op

    init = initializer

    def size(self, name=None):
        g = get_default_graph()
        with g.name_scope(name or f"{self.name}_Size"):
            return op_output("LookupTableSizeV2", None, [self.resource_handle])

    def lookup(self, keys, name=None):
        """The values of `keys` (a tensor, or a SparseTensor or RaggedTensor: its values
        looked up)."""
        sparse = keys if isinstance(keys, SparseTensor) else None
        if sparse is not None:
            keys = sparse.values
        ragged = keys if hasattr(keys, "with_flat_values") else None
        if ragged is not None:
            keys = ragged.flat_values
        if not isinstance(keys, Tensor):
            keys = convert_to_tensor(keys, dtype=self.key_dtype)
        if keys.dtype._base != self.key_dtype:
            raise TypeError(
                f"Dtype of argument `keys` must be {self.key_dtype}, received: {keys.dtype}"
            )
        g = get_default_graph()
        with g.name_scope(name or f"{self.name}_Lookup"):
            values = op_output(
                "LookupTableFindV2",
                None,
                [self.resource_handle, keys, self._default_value],
                {"Tin": self.key_dtype, "Tout": self.value_dtype},
            )
        values.set_shape(keys.get_shape())
        if sparse is not None:
            return SparseTensor(sparse.indices, values, sparse.dense_shape)
        if ragged is not None:
            return ragged.with_flat_values(values)
        return values


HashTable = StaticHashTable  # (TF1's tf.contrib.lookup.HashTable)


class StaticVocabularyTable:
    """A string (or integer) to id table with `num_oov_buckets` extra ids: a key not in
    the table gets `size + hash(key) % num_oov_buckets`."""

    def __init__(
        self, initializer, num_oov_buckets, lookup_key_dtype=None, name=None,
        experimental_is_anonymous=False,
    ):  # fmt: skip
        del experimental_is_anonymous
        if num_oov_buckets <= 0:
            raise ValueError("`num_oov_buckets` must be > 0; use StaticHashTable.")
        if initializer is not None and initializer.value_dtype._base != dtypes.int64:
            raise TypeError(
                f"Invalid `value_dtype`, expected {dtypes.int64} but got {initializer.value_dtype}."
            )
        self._num_oov_buckets = num_oov_buckets
        self._table = StaticHashTable(initializer, -1) if initializer is not None else None
        key_dtype = initializer.key_dtype._base if initializer is not None else dtypes.string
        self.key_dtype = dtypes.as_dtype(lookup_key_dtype or key_dtype)._base
        self.value_dtype = dtypes.int64
        self._name = name or (self._table.name if self._table is not None else "vocab_table")

    @property
    def name(self) -> str:
        return self._name

    @property
    def resource_handle(self):
        return None if self._table is None else self._table.resource_handle

    def size(self, name=None):
        g = get_default_graph()
        with g.name_scope(name or f"{self.name}_Size"):
            size = self._num_oov_buckets
            if self._table is not None:
                size = self._table.size() + size
            return convert_to_tensor(size, dtype=dtypes.int64)

    def lookup(self, keys, name=None):
        """The ids of `keys` (a tensor, or a SparseTensor: its values looked up)."""
        if isinstance(keys, SparseTensor):
            ids = self.lookup(keys.values, name)
            return SparseTensor(keys.indices, ids, keys.dense_shape)
        if hasattr(keys, "with_flat_values"):  # (a RaggedTensor)
            return keys.with_flat_values(self.lookup(keys.flat_values, name))
        from tfgraph.ops import hash_ops, string_ops

        if not isinstance(keys, Tensor):
            keys = convert_to_tensor(keys, dtype=self.key_dtype)
        if keys.dtype._base != self.key_dtype:
            raise TypeError(
                f"Dtype of argument `keys` must be {self.key_dtype}, received: {keys.dtype}"
            )
        g = get_default_graph()
        with g.name_scope(name or f"{self.name}_Lookup"):
            values = keys
            if keys.dtype.is_integer:
                values = string_ops.as_string(keys)
            buckets = hash_ops.string_to_hash_bucket_fast(
                values, num_buckets=self._num_oov_buckets, name="hash_bucket"
            )
            if self._table is None:
                return buckets
            ids = self._table.lookup(keys)
            buckets = math_ops.add(buckets, self._table.size())
            found = math_ops.not_equal(ids, self._table.default_value)
            return array_ops.where_v2(found, ids, buckets)


def index_table_from_file(
    vocabulary_file=None, num_oov_buckets=0, vocab_size=None, default_value=-1,
    hasher_spec=None, key_dtype=dtypes.string, name=None,
    key_column_index=TextFileIndex.WHOLE_LINE, value_column_index=TextFileIndex.LINE_NUMBER,
    delimiter="\t",
):  # fmt: skip
    """A table of each line of `vocabulary_file` to its number (int64); other keys get
    `default_value`, or with `num_oov_buckets` a hash bucket after the vocabulary (TF's
    fast hash whatever `hasher_spec` says). The column indices and `delimiter` pick the
    key and value from each line instead, as `TextFileInitializer` does."""
    del hasher_spec
    if not vocabulary_file:
        raise ValueError("`vocabulary_file` must be specified and must not be empty.")
    if num_oov_buckets < 0:
        raise ValueError(f"num_oov_buckets must be greater or equal than 0, got {num_oov_buckets}.")
    if vocab_size is not None and vocab_size < 1:
        raise ValueError(
            f"`vocab_size` must be greater than 0, got {vocab_size} for vocabulary_file: "
            f"{vocabulary_file}."
        )
    key_dtype = dtypes.as_dtype(key_dtype)
    if not key_dtype.is_integer and key_dtype != dtypes.string:
        raise TypeError("Dtype for `keys` should be either integer or string.")
    g = get_default_graph()
    with g.name_scope(name or "string_to_index"):
        with g.name_scope("hash_table"):
            init = TextFileInitializer(
                vocabulary_file,
                dtypes.int64 if key_dtype.is_integer else key_dtype,
                key_column_index,
                dtypes.int64,
                value_column_index,
                vocab_size=vocab_size,
                delimiter=delimiter,
                name="table_init",
            )
            if num_oov_buckets:
                return StaticVocabularyTable(init, num_oov_buckets, lookup_key_dtype=key_dtype)
            return StaticHashTable(init, default_value)


def index_to_string_table_from_file(
    vocabulary_file, vocab_size=None, default_value="UNK", name=None,
    key_column_index=TextFileIndex.LINE_NUMBER, value_column_index=TextFileIndex.WHOLE_LINE,
    delimiter="\t",
):  # fmt: skip
    """A table of int64 line numbers to the lines of `vocabulary_file` (the ids of
    `index_table_from_file` back to their strings; `default_value` for other ids)."""
    if not vocabulary_file:
        raise ValueError("`vocabulary_file` must be specified and must not be empty.")
    if vocab_size is not None and vocab_size < 1:
        raise ValueError(f"`vocab_size` must be greater than 0, got {vocab_size}.")
    g = get_default_graph()
    with g.name_scope(name or "index_to_string"):
        init = TextFileInitializer(
            vocabulary_file,
            dtypes.int64,
            key_column_index,
            dtypes.string,
            value_column_index,
            vocab_size=vocab_size,
            delimiter=delimiter,
            name="table_init",
        )
        return StaticHashTable(init, default_value)


def index_table_from_tensor(
    vocabulary_list, num_oov_buckets=0, default_value=-1, hasher_spec=None, dtype=dtypes.string,
    name=None,
):  # fmt: skip
    """A table mapping each element of `vocabulary_list` to its position (int64), and
    other keys to `default_value` (or, with `num_oov_buckets`, to a hash bucket after
    the vocabulary)."""
    del hasher_spec
    if vocabulary_list is None:
        raise ValueError("`vocabulary_list` must be specified.")
    g = get_default_graph()
    with g.name_scope(name or "string_to_index"):
        keys = convert_to_tensor(vocabulary_list)
        if keys.dtype.is_integer != dtypes.as_dtype(dtype).is_integer:
            raise ValueError(
                f"Invalid `dtype`: Expected {'integer' if keys.dtype.is_integer else 'non-integer'}"
                f", got {dtype}."
            )
        num_elements = array_ops.size(keys)
        values = array_ops.cast(math_ops.range(num_elements), dtypes.int64)
        with g.name_scope("hash_table"):
            table_keys = array_ops.cast(keys, dtypes.int64) if keys.dtype.is_integer else keys
            init = KeyValueTensorInitializer(
                table_keys, values, table_keys.dtype._base, dtypes.int64, name="table_init"
            )
            if num_oov_buckets:
                return StaticVocabularyTable(init, num_oov_buckets, lookup_key_dtype=dtype)
            return StaticHashTable(init, default_value)


def index_to_string_table_from_tensor(vocabulary_list, default_value="UNK", name=None):
    """A table mapping int64 ids to the strings of `vocabulary_list` (`default_value`
    for ids outside it)."""
    if vocabulary_list is None:
        raise ValueError("`vocabulary_list` must be specified.")
    g = get_default_graph()
    with g.name_scope(name or "index_to_string"):
        vocabulary_list = convert_to_tensor(vocabulary_list, dtypes.string)
        num_elements = array_ops.size(vocabulary_list)
        keys = array_ops.cast(math_ops.range(num_elements), dtypes.int64)
        init = KeyValueTensorInitializer(
            keys, vocabulary_list, dtypes.int64, dtypes.string, name="table_init"
        )
        return StaticHashTable(init, default_value)


def initialize_all_tables(name="init_all_tables"):
    """Deprecated alias of `tf.tables_initializer()`."""
    from tfgraph.ops.init_ops import tables_initializer

    return tables_initializer(name)

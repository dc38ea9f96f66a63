"""tf.data.experimental graph ops: IgnoreErrorsDataset, ListDataset,
ExperimentalGroupByReducerDataset, DatasetToTFRecord and SqlDataset (op types, inputs
and attrs as TF's; kernels over `DatasetValue`s, as in ops/dataset_ops.py)."""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.ops.dataset_ops import (
    _META,
    _SHAPES,
    _TYPES,
    SKIP_ERRORS,
    DatasetValue,
    _runner,
    _scalar_bytes,
    _variant_shape,
    skipping_errors,
)

__all__: list[str] = []


def _register(op_type, inputs, attrs, make_kernel, outputs=None, shape=_variant_shape, **kw):
    register_op(
        op_type,
        inputs=inputs,
        outputs=outputs if outputs is not None else ["handle: variant"],
        attrs=attrs,
        shape=shape,
        make_kernel=make_kernel,
        grad=NOT_DIFFERENTIABLE,
        **kw,
    )


# -- ignore_errors ---------------------------------------------------------------------
def _ignore_errors_kernel(op, ctx):
    log_warning = op._attrs.get("log_warning", False)

    def kernel(dataset):
        def iterate(state):
            it = dataset.iterate(state)
            while True:
                outer = state.get(SKIP_ERRORS)
                state[SKIP_ERRORS] = True  # (only while our input computes an element)
                try:
                    element = next(it)
                except StopIteration:
                    return
                except errors.OpError as e:
                    # raised by a kernel that cannot go on past a failed element: its
                    # iterator is finished, so this dataset is too.
                    if log_warning:
                        from tfgraph import logging

                        logging.warning("Error raised with error message %s", e.message)
                    return
                finally:
                    state[SKIP_ERRORS] = outer
                yield element

        return DatasetValue(iterate)

    return kernel


_register(
    "IgnoreErrorsDataset",
    ["input_dataset: variant"],
    [_TYPES, _SHAPES, "log_warning: bool = false"],
    _ignore_errors_kernel,
)


# -- from_list -------------------------------------------------------------------------
def _list_kernel(op, ctx):
    n = len(op._attrs["output_types"])

    def kernel(*tensors):
        rows = [tuple(tensors[i : i + n]) for i in range(0, len(tensors), n)]
        return DatasetValue(lambda state: iter(rows), len(rows))

    return kernel


_register(
    "ListDataset",
    ["tensors: Tinput_types"],
    ["Tinput_types: list(type) >= 1", _TYPES, _SHAPES, _META],
    _list_kernel,
    stateful=True,
)


# -- group_by_reducer ------------------------------------------------------------------
_REDUCER_FUNCS = ("key_func", "init_func", "reduce_func", "finalize_func")


def _group_by_reducer_kernel(op, ctx):
    key_fn, init_fn, reduce_fn, finalize_fn = (_runner(op, ctx, a) for a in _REDUCER_FUNCS)
    counts = [len(op._attrs[f"T{a}_other_arguments"]) for a in _REDUCER_FUNCS]
    bounds = np.cumsum([0, *counts])

    def kernel(dataset, *captured):
        key_args, init_args, reduce_args, final_args = (
            captured[bounds[i] : bounds[i + 1]] for i in range(4)
        )

        def iterate(state):
            states: dict[int, tuple] = {}
            for element in dataset.iterate(state):
                (key,) = key_fn(*element, *key_args)
                key = np.asarray(key)
                if key.dtype != np.int64 or key.shape != ():
                    raise errors.InvalidArgumentError(
                        None, op, "`key_func` must return a single tf.int64 scalar tensor."
                    )
                k = int(key)
                if k not in states:
                    states[k] = tuple(init_fn(key, *init_args))
                states[k] = tuple(reduce_fn(*states[k], *element, *reduce_args))
            for k in sorted(states):  # (TF keeps the states in a map ordered by key)
                yield tuple(finalize_fn(*states[k], *final_args))

        return DatasetValue(iterate)

    return kernel


_register(
    "ExperimentalGroupByReducerDataset",
    [
        "input_dataset: variant",
        *(f"{a}_other_arguments: T{a}_other_arguments" for a in _REDUCER_FUNCS),
    ],
    [
        *(f"{a}: func" for a in _REDUCER_FUNCS),
        *(f"T{a}_other_arguments: list(type) >= 0" for a in _REDUCER_FUNCS),
        _TYPES,
        _SHAPES,
    ],
    _group_by_reducer_kernel,
    stateful=True,
)


# -- TFRecordWriter --------------------------------------------------------------------
def _to_tfrecord_kernel(op, ctx):
    def kernel(dataset, filename, compression_type):
        from tfgraph.io.tfrecord import TFRecordWriter

        kind = _scalar_bytes(compression_type).decode()
        if kind not in ("", "GZIP", "ZLIB"):
            raise errors.InvalidArgumentError(None, op, f"Unsupported compression_type: {kind}.")
        path = _scalar_bytes(filename).decode()
        try:
            writer = TFRecordWriter(path, kind or None)
        except OSError as e:
            raise errors.NotFoundError(None, op, f"{path}; {e.strerror}") from None
        with writer:
            for element in dataset.iterate({}):
                writer.write(_scalar_bytes(element[0]))

    return kernel


_register(
    "DatasetToTFRecord",
    ["input_dataset: variant", "filename: string", "compression_type: string"],
    [],
    _to_tfrecord_kernel,
    outputs=[],
    shape=None,
    stateful=True,
)


# -- SqlDataset (sqlite3) --------------------------------------------------------------
_SQL_TYPES = {
    dtypes.string: "TEXT",
    dtypes.int8: "INTEGER",
    dtypes.int16: "INTEGER",
    dtypes.int32: "INTEGER",
    dtypes.int64: "INTEGER",
    dtypes.uint8: "INTEGER",
    dtypes.uint16: "INTEGER",
    dtypes.bool: "INTEGER",
    dtypes.float64: "REAL",
}


def _sql_value(conn, value, dtype):
    """`value` of a result column as `dtype`, converted as sqlite's column accessors
    convert (through a CAST on the same connection): NULL becomes 0 or b""."""
    kind = _SQL_TYPES[dtype]
    if value is not None and not (kind == "INTEGER" and isinstance(value, int)):
        value = conn.execute(f"SELECT CAST(? AS {kind})", (value,)).fetchone()[0]
    if kind == "TEXT":
        return b"" if value is None else value.encode() if isinstance(value, str) else value
    if kind == "REAL":
        return np.float64(0.0 if value is None else value)
    value = 0 if value is None else int(value)
    if dtype == dtypes.bool:
        return np.bool_((value & 0xFFFFFFFF) != 0)
    if dtype != dtypes.int64:
        value = np.int64(value).astype(np.int32)  # (sqlite3_column_int: low 32 bits)
    return np.asarray(value).astype(dtype.as_numpy_dtype)


def _sql_rows(op, path: str, query: str, types: list):
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA query_only = ON")  # (TF runs read-only queries)
        try:
            cursor = conn.execute(query)
        except sqlite3.Error as e:
            if "readonly" not in str(e):
                code = getattr(e, "sqlite_errorcode", 1)
                raise errors.UnknownError(
                    None, op, f"Prepare() failed: [{code}] {e}: {query}"
                ) from None
            cursor = None  # a statement that writes has no result columns
        columns = len(cursor.description or ()) if cursor is not None else 0
        if columns != len(types):
            raise errors.InvalidArgumentError(
                None,
                op,
                f"The number of columns in query ({columns}) must match the number of "
                f"elements in output_types ({len(types)}).",
            )
        assert cursor is not None
        for row in cursor:
            yield tuple(_sql_value(conn, v, t) for v, t in zip(row, types))
    finally:
        conn.close()


def _sql_kernel(op, ctx):
    types = [dtypes.as_dtype(t) for t in op._attrs["output_types"]]

    def kernel(driver_name, data_source_name, query):
        driver = _scalar_bytes(driver_name).decode()
        if driver != "sqlite":
            raise errors.InvalidArgumentError(
                None,
                op,
                f"The database type, {driver}, is not supported by SqlDataset. The set of "
                "supported databases is: {'sqlite'}.",
            )
        if any(t not in _SQL_TYPES for t in types):
            raise errors.InvalidArgumentError(
                None,
                op,
                "Each element of `output_types_` must be one of: DT_STRING, DT_INT8, "
                "DT_INT16, DT_INT32, DT_INT64, DT_UINT8, DT_UINT16, DT_BOOL, DT_DOUBLE ",
            )
        path = _scalar_bytes(data_source_name).decode()
        text = _scalar_bytes(query).decode()
        return DatasetValue(lambda state: _sql_rows(op, path, text, types))

    return kernel


_register(
    "SqlDataset",
    ["driver_name: string", "data_source_name: string", "query: string"],
    [_TYPES, _SHAPES],
    _sql_kernel,
    stateful=True,
)


# -- parse_example_dataset -------------------------------------------------------------
def _parse_example_dataset_kernel(op, ctx):
    from tfgraph.ops.parsing_ops import _parse_example_kernel
    from tfgraph.ops.sparse_ops import _indices2, _tensor_bytes

    parse = _parse_example_kernel(op, ctx)
    sparse_types = list(op._attrs["sparse_types"])
    n = len(sparse_types)
    keys = [
        np.array(op._attrs[a], dtype=object).reshape(-1)
        for a in ("sparse_keys", "dense_keys", "ragged_keys")
    ]
    order = np.argsort(  # (the element's components are in sorted key order)
        np.array([k.decode() if isinstance(k, bytes) else k for k in (*keys[0], *keys[1])])
    )

    def serialized_sparse(indices, values, shape, dtype):
        return np.array(
            [
                _tensor_bytes(_indices2(indices), dtypes.int64),
                _tensor_bytes(values, dtype),
                _tensor_bytes(np.asarray(shape, np.int64), dtypes.int64),
            ],
            dtype=object,
        )

    def kernel(dataset, num_parallel_calls, *dense_defaults):
        def iterate(state):
            for (serialized,) in dataset.iterate(state):
                try:
                    out = parse(serialized, np.zeros(0, object), *keys, *dense_defaults)
                except errors.OpError:
                    if skipping_errors(state):
                        continue
                    raise
                sparse = [
                    serialized_sparse(out[i], out[n + i], out[2 * n + i], sparse_types[i])
                    for i in range(n)
                ]
                components = sparse + list(out[3 * n :])
                yield tuple(components[i] for i in order)

        return DatasetValue(iterate, dataset.cardinality)

    return kernel


_register(
    "ParseExampleDatasetV2",
    ["input_dataset: variant", "num_parallel_calls: int64", "dense_defaults: Tdense"],
    [
        "sparse_keys: list(string) >= 0",
        "dense_keys: list(string) >= 0",
        "sparse_types: list({float, int64, string}) >= 0",
        "Tdense: list({float, int64, string}) >= 0",
        "dense_shapes: list(shape) >= 0",
        _TYPES,
        _SHAPES,
        "deterministic: string = 'default'",
        "ragged_keys: list(string) >= 0 = []",
        "ragged_value_types: list({float, int64, string}) >= 0 = []",
        "ragged_split_types: list({int32, int64}) >= 0 = []",
    ],
    _parse_example_dataset_kernel,
)


# -- lookup tables from datasets -------------------------------------------------------
def _table_from_dataset_kernel(op, ctx):
    from tfgraph.ops.lookup_ops import _key

    def kernel(table, dataset):
        data: dict = {}
        for element in dataset.iterate({}):
            key, value = _key(np.asarray(element[0])), np.asarray(element[1])
            old = data.get(key)
            if old is not None and old != value:
                raise errors.FailedPreconditionError(
                    None,
                    op,
                    f"HashTable has different value for same key. Key {_text(key)} has "
                    f"{_text(old)} and trying to add value {_text(value)}",
                )
            data[key] = value
        with table.lock:
            if table.data is None:
                table.data = data

    return kernel


def _text(value) -> str:
    value = value.item() if hasattr(value, "item") else value
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


_register(
    "InitializeTableFromDataset",
    ["table_handle: resource", "dataset: variant"],
    [],
    _table_from_dataset_kernel,
    outputs=[],
    shape=None,
    stateful=True,
)

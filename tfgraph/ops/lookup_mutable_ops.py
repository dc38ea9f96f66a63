"""Mutable lookup tables: `tf.lookup.experimental.MutableHashTable` (scalar or tensor
values) and `DenseHashTable`, with TF's ops (MutableHashTableV2,
MutableHashTableOfTensorsV2, MutableDenseHashTableV2, LookupTableInsertV2,
LookupTableRemoveV2, LookupTableExportV2; finding and sizing are lookup_ops.py's).

A table is a resource of the session, empty when made; a `tf.train.Saver` saves its
exported (keys, values) as `<name>-keys` / `<name>-values` (TF's SAVEABLE_OBJECTS).
DenseHashTable's export gives the stored pairs only, not TF's whole bucket array."""

from __future__ import annotations

from typing import Any

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import GraphKeys, add_to_collection, get_default_graph
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.apply import apply_op, op_output
from tfgraph.ops.lookup_ops import _key, _Table, check_reserved

__all__ = ["DenseHashTable", "MutableHashTable"]


class _MutableTable(_Table):
    def __init__(self, key_dtype, value_dtype, value_shape, empty=None, deleted=None) -> None:
        super().__init__(key_dtype, value_dtype)
        self.data = {}
        self.value_shape = tuple(value_shape)
        self.reserved = {"empty_key": empty, "deleted_key": deleted}


def _table_kernel(op, ctx):
    store = ctx.resources_for(op)
    attrs = op._attrs
    shared = attrs["shared_name"]
    shared = shared.decode() if isinstance(shared, bytes) else shared
    name = shared or (op._name if attrs.get("use_node_name_sharing") else f"{op._name}_{id(op)}")
    key = ("lookup_table", attrs["container"], name)
    shape = attrs.get("value_shape")
    value_shape = shape.as_list() if shape is not None and shape.rank else []

    def kernel(*reserved):
        keys = [_key(np.asarray(k)) for k in reserved] or [None, None]
        return store.state(
            key,
            lambda: _MutableTable(attrs["key_dtype"], attrs["value_dtype"], value_shape, *keys),
        )

    return kernel


_TABLE_ATTRS = [
    "container: string = ''",
    "shared_name: string = ''",
    "use_node_name_sharing: bool = false",
    "key_dtype: type",
    "value_dtype: type",
]
for _op_type, _inputs, _attrs in (
    ("MutableHashTableV2", [], _TABLE_ATTRS),
    ("MutableHashTableOfTensorsV2", [], [*_TABLE_ATTRS, "value_shape: shape = []"]),
    (
        "MutableDenseHashTableV2",
        ["empty_key: key_dtype", "deleted_key: key_dtype"],
        [
            *_TABLE_ATTRS,
            "value_shape: shape = []",
            "initial_num_buckets: int = 131072",
            "max_load_factor: float = 0.8",
        ],
    ),
):
    register_op(
        _op_type,
        inputs=_inputs,
        outputs=["table_handle: resource"],
        attrs=_attrs,
        shape=lambda op: [TensorShape([])],
        make_kernel=_table_kernel,
        grad=NOT_DIFFERENTIABLE,
        stateful=True,
    )


def _check_reserved(op, table, keys: list) -> None:
    check_reserved(op, table.reserved, keys)


def _dims(shape) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


def _insert_kernel(op, ctx):
    def kernel(table, keys, values):
        keys, values = np.asarray(keys), np.asarray(values)
        expected = keys.shape + table.value_shape
        if values.shape != expected:
            raise errors.InvalidArgumentError(
                None, op, f"Expected shape {_dims(expected)} for value, got {_dims(values.shape)}"
            )
        flat_keys = [_key(k) for k in keys.reshape(-1).tolist()]
        _check_reserved(op, table, flat_keys)
        rows = values.reshape((len(flat_keys), *table.value_shape))
        with table.lock:
            for k, v in zip(flat_keys, rows):
                table.data[k] = np.array(v)

    return kernel


def _remove_kernel(op, ctx):
    def kernel(table, keys):
        flat_keys = [_key(k) for k in np.asarray(keys).reshape(-1).tolist()]
        _check_reserved(op, table, flat_keys)
        with table.lock:
            for k in flat_keys:
                table.data.pop(k, None)

    return kernel


def _export_kernel(op, ctx):
    key_dtype, value_dtype = op._attrs["Tkeys"], op._attrs["Tvalues"]

    def kernel(table):
        with table.lock:
            items = list(table.data.items())
        keys = np.empty(len(items), dtype=key_dtype.np_dtype)
        keys[:] = [k for k, _ in items]
        values = np.empty((len(items), *table.value_shape), dtype=value_dtype.np_dtype)
        for i, (_, v) in enumerate(items):
            values[i] = v
        return keys, values

    return kernel


register_op(
    "LookupTableInsertV2",
    inputs=["table_handle: resource", "keys: Tin", "values: Tout"],
    attrs=["Tin: type", "Tout: type"],
    make_kernel=_insert_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)
register_op(
    "LookupTableRemoveV2",
    inputs=["table_handle: resource", "keys: Tin"],
    attrs=["Tin: type"],
    make_kernel=_remove_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)
register_op(
    "LookupTableExportV2",
    inputs=["table_handle: resource"],
    outputs=["keys: Tkeys", "values: Tvalues"],
    attrs=["Tkeys: type", "Tvalues: type"],
    shape=lambda op: [TensorShape(None), TensorShape(None)],
    make_kernel=_export_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


class _Saveable:
    """The table's exported keys and values, saved as `<name>-keys` and `<name>-values`;
    restoring imports them (LookupTableImportV2)."""

    def __init__(self, table, name: str) -> None:
        from tfgraph.data.iterator_state import SaveSpec

        keys, values = table.export()
        self.op = table.resource_handle
        self.name = name
        self._table = table
        self.specs = [SaveSpec(keys, "", name + "-keys"), SaveSpec(values, "", name + "-values")]

    def restore(self, restored_tensors, restored_shapes):
        keys, values = restored_tensors
        with get_default_graph().name_scope(f"{self._table.name}_table_restore"):
            return apply_op(
                "LookupTableImportV2",
                None,
                [self.op, keys, values],
                {"Tin": self._table.key_dtype, "Tout": self._table.value_dtype},
            )


class _MutableBase:
    """What MutableHashTable and DenseHashTable share: lookup, insert, remove, export,
    size, and saving with a Saver."""

    key_dtype: dtypes.DType
    value_dtype: dtypes.DType
    _name: str
    _handle: Any
    _default_value: Any
    _value_shape: TensorShape

    def _finish(self, checkpoint: bool) -> None:
        if checkpoint:
            add_to_collection(GraphKeys.SAVEABLE_OBJECTS, _Saveable(self, self.name))

    @property
    def name(self) -> str:
        return self._name

    @property
    def resource_handle(self):
        return self._handle

    def _keys(self, keys, what: str = "keys"):
        keys = convert_to_tensor(keys, dtype=self.key_dtype, name=what)
        if keys.dtype._base != self.key_dtype:
            raise TypeError(
                f"Dtype of argument `keys` must be {self.key_dtype}, received: {keys.dtype}"
            )
        return keys

    def size(self, name=None):
        """The number of keys in the table (an int64 scalar)."""
        with get_default_graph().name_scope(name or f"{self.name}_Size"):
            return op_output("LookupTableSizeV2", None, [self._handle])

    def lookup(self, keys, dynamic_default_values=None, name=None):
        """The values of `keys` (shape: keys' shape + the value shape); missing keys get
        the default value."""
        keys = self._keys(keys)
        default = self._default_value
        if dynamic_default_values is not None:
            default = convert_to_tensor(dynamic_default_values, dtype=self.value_dtype)
        with get_default_graph().name_scope(name or f"{self.name}_lookup_table_find"):
            with get_default_graph().colocate_with(self._handle.op):
                values = op_output(
                    "LookupTableFindV2",
                    None,
                    [self._handle, keys, default],
                    {"Tin": self.key_dtype, "Tout": self.value_dtype},
                )
        if dynamic_default_values is None:
            values.set_shape(keys.get_shape().concatenate(self._value_shape))
        return values

    def insert(self, keys, values, name=None):
        """The op setting `keys` to `values` (added or replaced)."""
        keys = self._keys(keys)
        values = convert_to_tensor(values, dtype=self.value_dtype, name="values")
        with get_default_graph().name_scope(name or f"{self.name}_lookup_table_insert"):
            with get_default_graph().colocate_with(self._handle.op):
                return apply_op(
                    "LookupTableInsertV2",
                    None,
                    [self._handle, keys, values],
                    {"Tin": self.key_dtype, "Tout": self.value_dtype},
                )

    def remove(self, keys, name=None):
        """The op removing `keys` (keys not in the table are ignored)."""
        keys = self._keys(keys)
        with get_default_graph().name_scope(name or f"{self.name}_lookup_table_remove"):
            return apply_op(
                "LookupTableRemoveV2", None, [self._handle, keys], {"Tin": self.key_dtype}
            )

    def export(self, name=None):
        """(keys, values): the table's contents, in no particular order."""
        with get_default_graph().name_scope(name or f"{self.name}_lookup_table_export_values"):
            with get_default_graph().colocate_with(self._handle.op):
                op = apply_op(
                    "LookupTableExportV2",
                    None,
                    [self._handle],
                    {"Tkeys": self.key_dtype, "Tvalues": self.value_dtype},
                )
        keys, values = op._outputs
        return keys, values


def _table_op(op_type, name, inputs, attrs):
    # (TF1 graph mode: no shared_name, the table shared by its node's name)
    attrs = {"shared_name": b"", "use_node_name_sharing": True, **attrs}
    return op_output(op_type, name, inputs, attrs)


class MutableHashTable(_MutableBase):
    """A table whose keys and values change with `insert` and `remove` ops; missing
    keys get `default_value` (its shape is the values' shape)."""

    def __init__(
        self,
        key_dtype,
        value_dtype,
        default_value,
        name="MutableHashTable",
        checkpoint=True,
        experimental_is_anonymous=False,
    ):
        del experimental_is_anonymous
        self.key_dtype = dtypes.as_dtype(key_dtype)._base
        self.value_dtype = dtypes.as_dtype(value_dtype)._base
        self._default_value = convert_to_tensor(default_value, dtype=self.value_dtype)
        self._value_shape = self._default_value.get_shape()
        attrs = {"key_dtype": self.key_dtype, "value_dtype": self.value_dtype}
        if self._value_shape.rank:
            attrs["value_shape"] = self._value_shape
            op_type = "MutableHashTableOfTensorsV2"
        else:
            op_type = "MutableHashTableV2"
        self._handle = _table_op(op_type, name, [], attrs)
        self._name = self._handle.op.name.split("/")[-1]
        self._finish(checkpoint)


class DenseHashTable(_MutableBase):
    """A mutable table stored in open addressing (in TF): `empty_key` and `deleted_key`
    are reserved, never keys; missing keys get `default_value`."""

    def __init__(
        self,
        key_dtype,
        value_dtype,
        default_value,
        empty_key,
        deleted_key,
        initial_num_buckets=None,
        name="MutableDenseHashTable",
        checkpoint=True,
        experimental_is_anonymous=False,
    ):
        del experimental_is_anonymous
        self.key_dtype = dtypes.as_dtype(key_dtype)._base
        self.value_dtype = dtypes.as_dtype(value_dtype)._base
        self._default_value = convert_to_tensor(
            default_value, dtype=self.value_dtype, name="default_value"
        )
        self._value_shape = self._default_value.get_shape()
        empty = convert_to_tensor(empty_key, dtype=self.key_dtype, name="empty_key")
        deleted = convert_to_tensor(deleted_key, dtype=self.key_dtype, name="deleted_key")
        attrs = {
            "key_dtype": self.key_dtype,
            "value_dtype": self.value_dtype,
            "value_shape": self._value_shape,
            "initial_num_buckets": 131072 if initial_num_buckets is None else initial_num_buckets,
            "max_load_factor": 0.8,
        }
        self._handle = _table_op("MutableDenseHashTableV2", name, [empty, deleted], attrs)
        self._name = self._handle.op.name.split("/")[-1]
        self._finish(checkpoint)

    def lookup(self, keys, name=None):
        """The values of `keys` (shape: keys' shape + the value shape); missing keys get
        the default value."""
        return super().lookup(keys, None, name)

"""`tf.experimental.StructuredTensor`: a tensor of records with named fields.

A StructuredTensor of static rank `r` maps each field name to a Tensor, RaggedTensor or
StructuredTensor whose outer `r` dimensions are the StructuredTensor's shape. tfgraph
builds them with `from_pyval` (dicts, lists of dicts, nested values), `from_fields` and
`from_fields_and_rank`, and reads them with `field_names`, `field_value`, `[...]`,
`shape`, `rank`, `nrows` and `row_partitions`; `with_updates`; `to_pyval` is eager-only, as in TF's
graph mode.

Not in tfgraph: ragged lists of dicts in `from_pyval` (`[[{...}], [{...}, {...}]]`), the
`typespec` argument of `from_pyval`, `promote`, `merge_dims`,
`partition_outer_dimension`, `from_shape`, and its TypeSpec (it is not a composite value
here: not a tf.nest/tf.cond/tf.while_loop structure and not a Session.run fetch).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.ops import Tensor
from tfgraph.framework.tensor_shape import TensorShape, as_shape
from tfgraph.ops import array_ops
from tfgraph.ragged.dynamic_ragged_shape import DynamicRaggedShape
from tfgraph.ragged.ragged_tensor import RaggedTensor
from tfgraph.ragged.row_partition import RowPartition

__all__ = ["StructuredTensor"]


def _field_shape(value) -> TensorShape:
    return value.shape


def _convert_field(value):
    if isinstance(value, (Tensor, RaggedTensor, StructuredTensor)):
        return value
    if isinstance(value, Mapping):
        return StructuredTensor.from_fields(value, shape=())
    return convert_to_tensor(value)


class StructuredTensor:
    """Records with named fields, all sharing the outer `shape` (see the module doc)."""

    FieldName = str | Sequence[str]

    def __init__(self, fields: dict, shape: TensorShape, nrows, row_partitions, internal=None):
        if internal is not _KEY:
            raise ValueError(
                "StructuredTensor constructor is private; use StructuredTensor.from_fields() "
                "or StructuredTensor.from_pyval()"
            )
        self._fields = fields
        self._shape = shape
        self._nrows = nrows
        self._row_partitions = tuple(row_partitions)

    # -- factories -----------------------------------------------------------------------
    @classmethod
    def from_fields(cls, fields, shape=(), nrows=None, row_partitions=None, validate=False):
        """A StructuredTensor of `shape` whose fields are `fields` (name -> value)."""
        shape = as_shape(shape)
        if shape.rank is None:
            raise ValueError("StructuredTensor's shape must have known rank.")
        if not isinstance(fields, Mapping):
            raise TypeError(f"fields must be a dictionary, got {type(fields).__name__}")
        converted = {}
        for name, value in fields.items():
            if not isinstance(name, str):
                raise TypeError(f"Unexpected type for key in `fields`: {name!r}")
            value = _convert_field(value)
            outer = TensorShape(_field_shape(value).as_list()[: shape.rank])
            if not shape.is_compatible_with(outer):
                raise ValueError(f"Shapes {shape} and {outer} are not compatible")
            shape = shape.merge_with(outer)
            converted[name] = value
        if shape.rank >= 1 and nrows is None:
            nrows = _nrows_of(shape, converted)
        if row_partitions is None:
            row_partitions = _row_partitions_of(shape, converted)
        return cls(converted, shape, nrows, row_partitions, internal=_KEY)

    @classmethod
    def from_fields_and_rank(cls, fields, rank, validate=False, dtype=None):
        """A StructuredTensor of rank `rank` whose shape comes from its fields."""
        if not fields:
            raise ValueError("Must provide at least one field")
        if not isinstance(rank, int) or rank < 0:
            raise ValueError("rank must be a non-negative int")
        first = _convert_field(next(iter(fields.values())))
        shape = TensorShape(_field_shape(first).as_list()[:rank])
        return cls.from_fields(fields, shape=shape, validate=validate)

    @classmethod
    def from_pyval(cls, pyval, typespec=None):
        """A StructuredTensor (or Tensor / RaggedTensor for non-dict leaves) from nested
        Python dicts, lists and scalars."""
        if typespec is not None:
            raise NotImplementedError("StructuredTensor.from_pyval's typespec is not in tfgraph")
        return _from_pyval(pyval)

    # -- accessors -----------------------------------------------------------------------
    @property
    def shape(self) -> TensorShape:
        return self._shape

    @property
    def rank(self) -> int:
        return len(self._shape.as_list())

    @property
    def row_partitions(self) -> tuple:
        return self._row_partitions

    def nrows(self):
        """The number of rows (an int64 scalar tensor); None for a scalar."""
        return self._nrows

    def field_names(self) -> tuple:
        return tuple(self._fields)

    def field_value(self, field_name):
        """The value of `field_name` (a name, or a sequence of names into nested
        StructuredTensors)."""
        if isinstance(field_name, (list, tuple)):
            value = self
            for name in field_name:
                if not isinstance(value, StructuredTensor):
                    raise KeyError(field_name)
                value = value.field_value(name)
            return value
        try:
            return self._fields[field_name]
        except KeyError:
            raise KeyError(field_name) from None

    def __getitem__(self, key):
        if not isinstance(key, tuple):
            key = (key,)
        if not key:
            return self
        if self.rank == 0 or isinstance(key[0], str):
            if not isinstance(key[0], str):
                raise ValueError(f"Key for indexing a StructuredTensor must be a string: {key}")
            return self._fields[key[0]].__getitem__(key[1:])
        raise NotImplementedError(
            "indexing the rows of a StructuredTensor is not in tfgraph; index a field value"
        )

    def with_updates(self, updates, validate=False):
        """A copy with fields replaced: `updates` maps a field name (or a tuple path into
        nested StructuredTensors) to a new value, a function of the old value, or None
        (delete the field)."""
        result = self
        for path, value in updates.items():
            path = (path,) if isinstance(path, str) else tuple(path)
            result = result._with_update((), path, value)
        return result

    def _with_update(self, prefix: tuple, path: tuple, value):
        what = "`StructuredTensor.with_updates`"
        if not path or not path[0]:
            raise ValueError(f"{what} does not allow empty names {prefix + (path,)}.")
        fields = dict(self._fields)
        head = path[0]
        if len(path) > 1:
            inner = fields.get(head)
            if head not in fields:
                raise ValueError(
                    f"{what} cannot create new sub-field {prefix + path} if parent field "
                    f"{prefix + (head,)} is not set."
                )
            if not isinstance(inner, StructuredTensor):
                raise ValueError(
                    f"{what} cannot create new sub-field {prefix + path} if parent structure "
                    f"{prefix + (head,)} is not a `StructuredTensor` that can contain "
                    f"sub-structures -- it is a `{type(inner)}`."
                )
            fields[head] = inner._with_update(prefix + (head,), path[1:], value)
        elif value is None:
            if head not in fields:
                raise ValueError(
                    f"{what} cannot delete field {prefix + (head,)} because it is not present."
                )
            del fields[head]
        elif callable(value):
            if head not in fields:
                raise ValueError(
                    f"{what} cannot update the field {prefix + (head,)} because a transforming "
                    "function was given, but that field does not already exist."
                )
            fields[head] = value(fields[head])
        else:
            fields[head] = value
        return StructuredTensor.from_fields(
            fields, shape=self._shape, nrows=self._nrows, row_partitions=self._row_partitions
        )

    def to_pyval(self):
        raise ValueError("StructuredTensor.to_pyval() is only supported in eager mode.")

    @property
    def ragged_shape(self) -> DynamicRaggedShape:
        if self._row_partitions:
            return DynamicRaggedShape(self._row_partitions, [self._row_partitions[-1].nvals()])
        return DynamicRaggedShape((), constant(self._shape.as_list(), dtype=dtypes.int64))

    def __repr__(self) -> str:
        items = (
            '"{}": {}'.format(k, str(v).replace("\n", "\n            "))
            for k, v in sorted(self._fields.items())
        )
        body = ",\n        ".join(items)
        return f"<StructuredTensor(\n    fields={{\n        {body}}},\n    shape={self._shape})>"


_KEY = object()


def _nrows_of(shape: TensorShape, fields: dict):
    n = shape.as_list()[0]
    if n is not None:
        return constant(n, dtype=dtypes.int64)
    for value in fields.values():
        if isinstance(value, RaggedTensor):
            return array_ops.cast(value.nrows(), dtypes.int64)
        if isinstance(value, StructuredTensor):
            return value.nrows()
        return array_ops.shape(value, out_type=dtypes.int64)[0]
    raise ValueError("nrows must be specified if rank==1 and `fields` is empty.")


def _row_partitions_of(shape: TensorShape, fields: dict) -> tuple:
    rank = len(shape.as_list())
    if rank <= 1:
        return ()
    for value in fields.values():
        if isinstance(value, RaggedTensor):
            return tuple(value._nested_row_partitions[: rank - 1])
        if isinstance(value, StructuredTensor):
            return value.row_partitions[: rank - 1]
    dims = shape.as_list()
    if any(d is None for d in dims):
        raise ValueError(
            "row_partitions of a StructuredTensor without ragged fields need a static shape"
        )
    parts, nrows = [], dims[0]
    for d in dims[1:]:
        parts.append(RowPartition.from_uniform_row_length(d, nvals=nrows * d, nrows=nrows))
        nrows *= d
    return tuple(parts)


def _from_pyval(pyval):
    from tfgraph.ragged.ragged_factory_ops import constant as ragged_constant

    if isinstance(pyval, Mapping):
        fields = {k: _from_pyval(v) for k, v in pyval.items()}
        return StructuredTensor.from_fields(fields, shape=())
    if isinstance(pyval, (list, tuple)):
        if pyval and all(isinstance(v, Mapping) for v in pyval):
            return _from_pylist_of_dict(pyval)
        if any(_has_dict(v) for v in pyval):
            raise NotImplementedError(
                "StructuredTensor.from_pyval of ragged lists of dicts is not in tfgraph"
            )
        return ragged_constant(pyval)
    return constant(pyval)


def _has_dict(value) -> bool:
    if isinstance(value, Mapping):
        return True
    return isinstance(value, (list, tuple)) and any(_has_dict(v) for v in value)


def _from_pylist_of_dict(pyval):
    keys: dict = {}
    for record in pyval:
        keys.update(dict.fromkeys(record))
    fields = {}
    for key in keys:
        if not all(key in record for record in pyval):
            raise ValueError(f"Field {key!r} is missing from some records of from_pyval's list")
        fields[key] = _from_pyval([record[key] for record in pyval])
    return StructuredTensor.from_fields(fields, shape=[len(pyval)])

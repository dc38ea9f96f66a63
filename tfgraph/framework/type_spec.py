"""`tf.TypeSpec` and the specs of composite values: what a value must be, without a value.

`TensorSpec` (framework/tensor_spec.py) describes a tensor; `SparseTensorSpec` and
`IndexedSlicesSpec` the composite tensors tfgraph has; `NoneTensorSpec` a missing value
(as TF's `tf.data` uses it). `type_spec_from_value` gives any of these for a value.
Specs are immutable: equality and hash come from `_serialize()`, as in TF.
"""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.tensor_shape import TensorShape, as_shape

__all__ = [
    "BatchableTypeSpec",
    "IndexedSlicesSpec",
    "NoneTensorSpec",
    "SparseTensorSpec",
    "TypeSpec",
    "type_spec_from_value",
]


class TypeSpec:
    """The type of a (possibly composite) value: subclasses define `value_type` and
    `_serialize()` (a tuple of their constructor's arguments)."""

    __slots__ = ()

    @property
    def value_type(self):
        raise NotImplementedError

    def _serialize(self) -> tuple:
        raise NotImplementedError

    def _key(self) -> tuple:
        return tuple(_comparable(part) for part in self._serialize())

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and self._key() == other._key()

    def __ne__(self, other) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))

    def __reduce__(self):
        return type(self), self._serialize()

    def __repr__(self) -> str:
        return f"{type(self).__name__}{self._serialize()!r}"

    def is_compatible_with(self, spec_or_value) -> bool:
        """Whether `spec_or_value` (a spec or a value) fits this spec: same type, dtypes
        equal, shapes compatible."""
        other = spec_or_value
        if not isinstance(other, TypeSpec):
            try:
                other = type_spec_from_value(other)
            except TypeError:
                return False
        if type(other) is not type(self):
            return False
        return all(
            _parts_compatible(a, b)
            for a, b in zip(self._serialize(), other._serialize(), strict=True)
        )

    def is_subtype_of(self, other) -> bool:
        """Whether every value of this spec is a value of `other` (shapes at least as
        specific, everything else equal)."""
        if type(other) is not type(self):
            return False
        return all(
            _part_is_subtype(a, b)
            for a, b in zip(self._serialize(), other._serialize(), strict=True)
        )

    def most_specific_common_supertype(self, others):
        """The most specific spec every one of `self` and `others` is a subtype of, or
        None (a different type, dtype or rank)."""
        parts = list(self._serialize())
        for other in others:
            if type(other) is not type(self):
                return None
            merged = []
            for a, b in zip(parts, other._serialize(), strict=True):
                m = _common_part(a, b)
                if m is _NO_COMMON:
                    return None
                merged.append(m)
            parts = merged
        return type(self)(*parts)

    def most_specific_compatible_type(self, other):
        """`most_specific_common_supertype([other])`; ValueError when there is none
        (TF's deprecated form)."""
        result = self.most_specific_common_supertype([other])
        if result is None:
            raise ValueError(f"No TypeSpec is compatible with both {self} and {other}")
        return result


class BatchableTypeSpec(TypeSpec):
    """A TypeSpec whose values can be batched and unbatched (as tf.data does)."""

    __slots__ = ()


_NO_COMMON = object()


def _comparable(part):
    if isinstance(part, TensorShape):
        return None if part._dims is None else tuple(part.as_list())
    return part


def _parts_compatible(a, b) -> bool:
    if isinstance(a, TensorShape) and isinstance(b, TensorShape):
        return a.is_compatible_with(b)
    if isinstance(a, TypeSpec) and isinstance(b, TypeSpec):
        return a.is_compatible_with(b)
    return a == b


def _part_is_subtype(a, b) -> bool:
    if isinstance(a, TensorShape) and isinstance(b, TensorShape):
        if b._dims is None:
            return True
        if a._dims is None or len(a._dims) != len(b._dims):
            return False
        return all(db is None or da == db for da, db in zip(a.as_list(), b.as_list(), strict=True))
    if isinstance(a, TypeSpec) and isinstance(b, TypeSpec):
        return a.is_subtype_of(b)
    return a == b


def _common_part(a, b):
    if isinstance(a, TensorShape) and isinstance(b, TensorShape):
        if a._dims is None or b._dims is None or len(a._dims) != len(b._dims):
            return TensorShape(None)
        return TensorShape(
            [x if x == y else None for x, y in zip(a.as_list(), b.as_list(), strict=True)]
        )
    if isinstance(a, TypeSpec) and isinstance(b, TypeSpec):
        common = a.most_specific_common_supertype([b])
        return _NO_COMMON if common is None else common
    return a if a == b else _NO_COMMON


class SparseTensorSpec(BatchableTypeSpec):
    """The type of a `tf.SparseTensor`: its dense `shape` (dimensions may be None) and
    the `dtype` of its values."""

    __slots__ = ("_dtype", "_shape")

    def __init__(self, shape=None, dtype=dtypes.float32) -> None:
        self._shape = as_shape(shape)
        self._dtype = dtypes.as_dtype(dtype)

    @property
    def shape(self) -> TensorShape:
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def value_type(self):
        from tfgraph.framework.sparse_tensor import SparseTensor

        return SparseTensor

    def _serialize(self) -> tuple:
        return (self._shape, self._dtype)

    @classmethod
    def from_value(cls, value) -> SparseTensorSpec:
        """The spec of a SparseTensor (or SparseTensorValue)."""
        from tfgraph.framework.sparse_tensor import SparseTensor

        if isinstance(value, SparseTensor):
            return cls(value.shape, value.dtype)
        values = getattr(value, "values", None)
        if values is None or not hasattr(value, "dense_shape"):
            raise TypeError(f"Expected a SparseTensor or SparseTensorValue, got {value!r}")
        return cls(as_shape([int(d) for d in value.dense_shape]), values.dtype)

    def __repr__(self) -> str:
        return f"SparseTensorSpec({self._shape!r}, {self._dtype!r})"


class IndexedSlicesSpec(TypeSpec):
    """The type of a `tf.IndexedSlices`: the dense `shape`, the `dtype` of its values,
    `indices_dtype`, `dense_shape_dtype` (None: it has no dense shape) and the shape of
    its indices."""

    __slots__ = ("_dense_shape_dtype", "_dtype", "_indices_dtype", "_indices_shape", "_shape")

    def __init__(
        self,
        shape=None,
        dtype=dtypes.float32,
        indices_dtype=dtypes.int64,
        dense_shape_dtype=None,
        indices_shape=None,
    ) -> None:
        self._shape = as_shape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        self._indices_dtype = dtypes.as_dtype(indices_dtype)
        self._dense_shape_dtype = (
            None if dense_shape_dtype is None else dtypes.as_dtype(dense_shape_dtype)
        )
        self._indices_shape = as_shape(indices_shape).with_rank(1)

    @property
    def shape(self) -> TensorShape:
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def value_type(self):
        from tfgraph.framework.indexed_slices import IndexedSlices

        return IndexedSlices

    def _serialize(self) -> tuple:
        return (
            self._shape,
            self._dtype,
            self._indices_dtype,
            self._dense_shape_dtype,
            self._indices_shape,
        )

    def __repr__(self) -> str:
        return "IndexedSlicesSpec({!r}, {!r}, {!r}, {!r}, {!r})".format(*self._serialize())


class NoneTensorSpec(BatchableTypeSpec):
    """The type of a missing value (None) where a tensor may be."""

    __slots__ = ()

    @property
    def value_type(self):
        return type(None)

    def _serialize(self) -> tuple:
        return ()

    def __repr__(self) -> str:
        return "NoneTensorSpec()"


def type_spec_from_value(value) -> TypeSpec:
    """The TypeSpec of `value`: a Tensor, SparseTensor, IndexedSlices, or anything
    `tf.convert_to_tensor` takes (numpy arrays, Python numbers and lists). TypeError
    for anything else."""
    from tfgraph.framework.indexed_slices import IndexedSlices
    from tfgraph.framework.ops import Tensor
    from tfgraph.framework.sparse_tensor import SparseTensor, SparseTensorValue
    from tfgraph.framework.tensor_spec import TensorSpec

    if isinstance(value, TypeSpec):
        raise TypeError(
            f"Could not build a TypeSpec for {value!r} of unsupported type {type(value)}."
        )
    if isinstance(value, Tensor):
        return TensorSpec(value.shape, value.dtype._base)
    if isinstance(value, (SparseTensor, SparseTensorValue)):
        return SparseTensorSpec.from_value(value)
    if isinstance(value, IndexedSlices):
        from tfgraph.ops.common_shapes import tf_constant_value_as_shape

        dense_shape = value.dense_shape
        shape = TensorShape([None]).concatenate(value.values.shape[1:])
        if dense_shape is not None:
            shape = shape.merge_with(tf_constant_value_as_shape(dense_shape))
        return IndexedSlicesSpec(
            shape,
            value.values.dtype._base,
            value.indices.dtype._base,
            None if dense_shape is None else dense_shape.dtype._base,
            value.indices.shape,
        )
    spec = getattr(value, "_type_spec", None)  # (composite values: TensorArray, ...)
    if isinstance(spec, TypeSpec):
        return spec
    from tfgraph.framework.convert import numpy_value

    try:
        array, dtype = numpy_value(value)
    except (TypeError, ValueError):
        raise TypeError(
            f"Could not build a TypeSpec for {value!r} of unsupported type {type(value)}."
        ) from None
    return TensorSpec(array.shape, dtype)

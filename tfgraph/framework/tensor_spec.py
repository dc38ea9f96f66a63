"""`tf.TensorSpec`: the dtype and (partial) shape a tensor argument must have."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.tensor_shape import TensorShape, as_shape
from tfgraph.framework.type_spec import BatchableTypeSpec

__all__ = ["TensorSpec"]


class TensorSpec(BatchableTypeSpec):
    """Describes a tensor: `shape` (dimensions may be None), `dtype`, optional `name`.
    Equal specs have equal shapes, dtypes and names; the hash leaves the name out."""

    __slots__ = ("_dtype", "_name", "_shape")

    def __init__(self, shape, dtype=dtypes.float32, name: str | None = None) -> None:
        self._shape = as_shape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        self._name = name

    @classmethod
    def from_tensor(cls, tensor, name: str | None = None) -> TensorSpec:
        """The spec of `tensor`, named `name` or else after its op (graph tensors)."""
        if name is None:
            op = getattr(tensor, "_op", None)
            name = getattr(op, "_name", None)
        return cls(tensor.shape, tensor.dtype, name)

    @classmethod
    def from_spec(cls, spec, name: str | None = None) -> TensorSpec:
        """A TensorSpec with `spec`'s shape and dtype, named `name` or as `spec` is."""
        return cls(spec.shape, spec.dtype, name if name is not None else spec.name)

    @property
    def shape(self) -> TensorShape:
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def name(self) -> str | None:
        return self._name

    @property
    def value_type(self):
        from tfgraph.framework.ops import Tensor

        return Tensor

    def _serialize(self) -> tuple:
        return (self._shape, self._dtype, self._name)

    def is_compatible_with(self, value) -> bool:
        """Whether a tensor or spec `value` has the same dtype and a compatible shape
        (names aside)."""
        dtype = getattr(value, "dtype", None)
        shape = getattr(value, "shape", None)
        if dtype is None or shape is None:
            return False
        return dtypes.as_dtype(dtype)._base is self._dtype._base and self._shape.is_compatible_with(
            as_shape(shape)
        )

    def is_subtype_of(self, other) -> bool:
        return (
            isinstance(other, TensorSpec)
            and self._dtype == other._dtype
            and self._name == other._name
            and super().is_subtype_of(other)
        )

    def most_specific_common_supertype(self, others):
        """The spec of the shapes' common dimensions (of unknown rank if the ranks
        differ; None if a dtype does), named when every name agrees."""
        names = {self._name, *(getattr(o, "name", None) for o in others)}
        shape = self._shape
        for other in others:
            if not isinstance(other, TensorSpec) or other._dtype != self._dtype:
                return None
            if (
                shape._dims is None
                or other._shape._dims is None
                or len(shape._dims) != len(other._shape._dims)
            ):
                shape = TensorShape(None)
            else:
                shape = TensorShape(
                    [a if a == b else None for a, b in zip(shape.as_list(), other._shape.as_list())]
                )
        return TensorSpec(shape, self._dtype, names.pop() if len(names) == 1 else None)

    def __hash__(self) -> int:
        dims = None if self._shape._dims is None else tuple(self._shape.as_list())
        return hash((dims, self._dtype))

    def __repr__(self) -> str:
        name = None if self._name is None else repr(self._name)
        return f"TensorSpec(shape={self._shape}, dtype={self._dtype!r}, name={name})"

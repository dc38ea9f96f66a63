"""`tf.TensorSpec`: the dtype and (partial) shape a tensor argument must have."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.tensor_shape import TensorShape, as_shape

__all__ = ["TensorSpec"]


class TensorSpec:
    """Describes a tensor: `shape` (dimensions may be None), `dtype`, optional `name`."""

    __slots__ = ("_dtype", "_name", "_shape")

    def __init__(self, shape, dtype=dtypes.float32, name: str | None = None) -> None:
        self._shape = as_shape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        self._name = name

    @classmethod
    def from_tensor(cls, tensor, name: str | None = None) -> TensorSpec:
        return cls(tensor.shape, tensor.dtype, name)

    @property
    def shape(self) -> TensorShape:
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def name(self) -> str | None:
        return self._name

    def is_compatible_with(self, value) -> bool:
        """Whether a tensor or spec `value` has a compatible dtype and shape."""
        dtype = getattr(value, "dtype", None)
        shape = getattr(value, "shape", None)
        if dtype is None or shape is None:
            return False
        return dtypes.as_dtype(dtype)._base is self._dtype._base and self._shape.is_compatible_with(
            as_shape(shape)
        )

    def _key(self):
        dims = None if self._shape._dims is None else tuple(self._shape.as_list())
        return (dims, self._dtype, self._name)

    def __eq__(self, other) -> bool:
        return isinstance(other, TensorSpec) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        name = None if self._name is None else repr(self._name)
        return f"TensorSpec(shape={self._shape}, dtype={self._dtype!r}, name={name})"

"""`tf.SparseTensor` and `tf.SparseTensorValue` (minimal: what parsing ops return).

A SparseTensor is three tensors: `indices` (int64 [N, rank]), `values` ([N]) and
`dense_shape` (int64 [rank]). Fetching one returns a `SparseTensorValue`.
"""

from __future__ import annotations

import collections

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.tensor_shape import TensorShape

__all__ = ["SparseTensor", "SparseTensorValue"]


class SparseTensorValue(
    collections.namedtuple("SparseTensorValue", ["indices", "values", "dense_shape"])
):
    """The value of a fetched SparseTensor (numpy arrays)."""


class SparseTensor:
    """A sparse tensor: `values` at `indices` of a tensor of shape `dense_shape`."""

    _static_shape: TensorShape | None = None

    def __init__(self, indices, values, dense_shape) -> None:
        from tfgraph.framework.graph import get_default_graph

        with get_default_graph().name_scope("SparseTensor"):
            self._indices = convert_to_tensor(indices, dtype=dtypes.int64, name="indices")
            self._values = convert_to_tensor(values, name="values")
            self._dense_shape = convert_to_tensor(
                dense_shape, dtype=dtypes.int64, name="dense_shape"
            )

    @classmethod
    def from_value(cls, sparse_tensor_value):
        if isinstance(sparse_tensor_value, SparseTensor):
            return sparse_tensor_value
        return cls(
            sparse_tensor_value.indices,
            sparse_tensor_value.values,
            sparse_tensor_value.dense_shape,
        )

    @property
    def indices(self):
        return self._indices

    @property
    def values(self):
        return self._values

    @property
    def dense_shape(self):
        return self._dense_shape

    @property
    def dtype(self):
        return self._values.dtype

    @property
    def op(self):
        return self._values.op

    @property
    def graph(self):
        return self._values.graph

    @property
    def shape(self) -> TensorShape:
        if self._static_shape is not None:  # (sparse_placeholder's declared shape)
            return self._static_shape
        producer = self._dense_shape.op
        if producer._op_def.constant:  # (a Const: its value is the shape)
            return TensorShape([int(d) for d in producer._attrs["value"].reshape(-1)])
        dims = self._dense_shape.shape
        if dims.rank == 1 and dims.as_list()[0] is not None:
            return TensorShape([None] * dims.as_list()[0])
        return TensorShape(None)

    def get_shape(self) -> TensorShape:
        return self.shape

    def eval(self, feed_dict=None, session=None):
        from tfgraph.framework.default_session import get_default_session

        session = session or get_default_session()
        if session is None:
            raise ValueError(
                "Cannot evaluate tensor using `eval()`: No default session is registered."
            )
        return session.run(self, feed_dict=feed_dict)

    def _tfgraph_fetch_components(self):
        """How Session.run fetches it: three tensors, rebuilt as a SparseTensorValue."""
        return [self._indices, self._values, self._dense_shape], lambda parts: SparseTensorValue(
            *parts
        )

    def _binary(self, y, op_name: str):
        from tfgraph.ops.sparse_ops import sparse_dense_binary_operator

        return sparse_dense_binary_operator(self, y, op_name)

    def __mul__(self, y):
        """Values times the dense `y` broadcast to this tensor's shape (a SparseTensor)."""
        return self._binary(y, "mul")

    def __truediv__(self, y):
        """Values divided by the dense `y` (integers converted to floats, as TF)."""
        return self._binary(y, "truediv")

    def __div__(self, y):
        return self._binary(y, "div")

    def __repr__(self) -> str:
        return (
            f"SparseTensor(indices={self._indices}, values={self._values}, "
            f"dense_shape={self._dense_shape})"
        )

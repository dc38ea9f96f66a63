"""`IndexedSlices`: a sparse slice representation (gradients of gathers, scatter updates)."""

from __future__ import annotations

import collections

from tfgraph.framework.ops import Tensor

__all__ = ["IndexedSlices", "IndexedSlicesValue"]

IndexedSlicesValue = collections.namedtuple(
    "IndexedSlicesValue", ["values", "indices", "dense_shape"]
)


class IndexedSlices:
    """Rows `indices` of a dense tensor of shape `dense_shape`, holding `values`."""

    def __init__(self, values: Tensor, indices: Tensor, dense_shape: Tensor | None = None) -> None:
        self._values = values
        self._indices = indices
        self._dense_shape = dense_shape

    @property
    def values(self) -> Tensor:
        return self._values

    @property
    def indices(self) -> Tensor:
        return self._indices

    @property
    def dense_shape(self) -> Tensor | None:
        return self._dense_shape

    @property
    def name(self) -> str:
        return self._values.name

    @property
    def device(self) -> str:
        return self._values.device

    @property
    def op(self):
        return self._values.op

    @property
    def dtype(self):
        return self._values.dtype

    @property
    def graph(self):
        return self._values.graph

    @property
    def shape(self):
        from tfgraph.ops.common_shapes import constant_value_as_shape

        if self._dense_shape is None:
            return self._values.shape
        return constant_value_as_shape(self._dense_shape)

    def get_shape(self):
        return self.shape

    def _tfgraph_fetch_components(self):
        parts = [self._values, self._indices]
        if self._dense_shape is not None:
            parts.append(self._dense_shape)

        def rebuild(vals):
            return IndexedSlicesValue(vals[0], vals[1], vals[2] if len(vals) > 2 else None)

        return parts, rebuild

    def __neg__(self) -> IndexedSlices:
        from tfgraph.ops import math_ops

        return IndexedSlices(math_ops.negative(self._values), self._indices, self._dense_shape)

    def __repr__(self) -> str:
        shape = "" if self._dense_shape is None else f", dense_shape={self._dense_shape}"
        return f"IndexedSlices(indices={self._indices}, values={self._values}{shape})"

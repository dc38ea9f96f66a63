"""`DeserializeSparse`: serialized SparseTensors (a [..., 3] tensor of string or variant
elements, as SerializeSparse / SerializeManySparse make them) back into one SparseTensor
whose leading dimensions are the input's leading dimensions. tf.data carries sparse
elements this way (a variant [3] per element, [batch, 3] once batched)."""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.sparse_ops import _parse_tensor

__all__: list[str] = []


def _deserialize_sparse_kernel(op, ctx):
    dtype = op._attrs["dtype"]

    def kernel(serialized):
        serialized = np.asarray(serialized, dtype=object)
        if serialized.ndim < 1 or serialized.shape[-1] != 3:
            raise errors.InvalidArgumentError(
                None,
                op,
                f"Serialized sparse should have 3 as the last dimension {list(serialized.shape)}",
            )
        lead = serialized.shape[:-1]
        rows = serialized.reshape(-1, 3)
        all_i, all_v, shapes = [], [], []
        for k, (si, sv, ss) in enumerate(rows):
            shp = np.asarray(_parse_tensor(ss, op), np.int64).reshape(-1)
            ind = np.asarray(_parse_tensor(si, op), np.int64).reshape(-1, len(shp))
            val = np.asarray(_parse_tensor(sv, op)).reshape(-1)
            if shapes and len(shp) != len(shapes[0]):
                raise errors.InvalidArgumentError(
                    None, op, "Inconsistent rank across SparseTensors"
                )
            prefix = np.array(np.unravel_index(k, lead) if lead else (), np.int64)
            all_i.append(np.concatenate([np.tile(prefix, (ind.shape[0], 1)), ind], 1))
            all_v.append(val)
            shapes.append(shp)
        if not shapes:
            return (
                np.zeros((0, len(lead)), np.int64),
                np.zeros(0, dtype.np_dtype),
                np.array(lead, np.int64),
            )
        shape = np.max(np.stack(shapes), axis=0)
        values = np.concatenate(all_v)
        values = values if dtype == dtypes.string else values.astype(dtype.np_dtype)
        return (
            np.concatenate(all_i).astype(np.int64),
            values,
            np.concatenate([np.array(lead, np.int64), shape]).astype(np.int64),
        )

    return kernel


register_op(
    "DeserializeSparse",
    inputs=["serialized_sparse: Tserialized"],
    outputs=["sparse_indices: int64", "sparse_values: dtype", "sparse_shape: int64"],
    attrs=["dtype: type", "Tserialized: {string, variant} = string"],
    shape=lambda op: [TensorShape([None, None]), TensorShape([None]), TensorShape([None])],
    make_kernel=_deserialize_sparse_kernel,
    grad=NOT_DIFFERENTIABLE,
)

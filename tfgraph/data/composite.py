"""SparseTensor elements of datasets, carried as TF carries them: one variant component
per SparseTensor (its serialized [3] parts; [batch, 3] once batched), made with
SerializeSparse / SerializeManySparse (out_type variant) and turned back into a
SparseTensor with DeserializeSparse where a function or `get_next` sees the element."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.sparse_tensor import SparseTensor
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.framework.tensor_spec import TensorSpec
from tfgraph.framework.type_spec import SparseTensorSpec
from tfgraph.ops import sparse_deserialize_ops as _ops  # noqa: F401 - registers the op
from tfgraph.ops.apply import apply_op, op_output

__all__ = ["is_sparse_spec", "sparse_spec_of"]

_VARIANT = TensorSpec(None, dtypes.variant)


def is_sparse_spec(spec) -> bool:
    return isinstance(spec, SparseTensorSpec)


def flat_spec(spec) -> TensorSpec:
    """The spec of the component carrying `spec`'s value."""
    return _VARIANT


def sparse_spec_of(value: SparseTensor) -> SparseTensorSpec:
    return SparseTensorSpec(value.shape, value.dtype._base)


def _serialize(op_type: str, value: SparseTensor, name=None):
    return op_output(
        op_type,
        name,
        [value.indices, value.values, value.dense_shape],
        {"T": value.dtype._base, "out_type": dtypes.variant},
    )


def serialize(value: SparseTensor):
    """An element's SparseTensor as its variant [3] component."""
    return _serialize("SerializeSparse", value)


def serialize_rows(value: SparseTensor):
    """A SparseTensor's rows (along dimension 0) as a variant [rows, 3] component."""
    return _serialize("SerializeManySparse", value)


def deserialize(component, spec: SparseTensorSpec) -> SparseTensor:
    """The SparseTensor of a component, its static shape the spec's."""
    parts = apply_op(
        "DeserializeSparse",
        None,
        [component],
        {"dtype": spec.dtype, "Tserialized": dtypes.variant},
    )._outputs
    indices, values, dense_shape = parts
    dims = TensorShape(spec.shape)
    if dims.rank is not None:  # (as TF: known dimensions restacked as constants)
        from tfgraph.framework.convert import constant
        from tfgraph.ops.array_ops import stack, unstack

        indices.set_shape([None, dims.rank])
        rows = unstack(dense_shape, num=dims.rank)
        dense_shape = stack(
            [
                rows[i] if d is None else constant(d, dtypes.int64)
                for i, d in enumerate(dims.as_list())
            ]
        )
    out = SparseTensor.__new__(SparseTensor)
    out._indices, out._values, out._dense_shape = indices, values, dense_shape
    out._static_shape = dims
    return out


def batched(spec: SparseTensorSpec, outer) -> SparseTensorSpec:
    return SparseTensorSpec(TensorShape([outer]).concatenate(spec.shape), spec.dtype)


def unbatched(spec: SparseTensorSpec) -> SparseTensorSpec:
    shape = spec.shape
    return SparseTensorSpec(shape[1:] if shape.rank is not None else shape, spec.dtype)

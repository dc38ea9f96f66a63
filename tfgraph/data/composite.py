"""SparseTensor and RaggedTensor elements of datasets, carried as TF carries them: one
variant component per composite value, turned back into the value where a function or
`get_next` sees the element.

* SparseTensor: its serialized [3] parts ([batch, 3] once batched), made with
  SerializeSparse / SerializeManySparse (out_type variant), read with DeserializeSparse.
* RaggedTensor: RaggedTensorToVariant (a scalar per element; rows with
  batched_input), read with RaggedTensorFromVariant (input_ragged_rank -1: the
  variant's rank says how many times it was batched)."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.sparse_tensor import SparseTensor
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.framework.tensor_spec import TensorSpec
from tfgraph.framework.type_spec import SparseTensorSpec
from tfgraph.ops import ragged_variant_ops as _ragged_ops  # noqa: F401 - registers the ops
from tfgraph.ops import sparse_deserialize_ops as _ops  # noqa: F401 - registers the op
from tfgraph.ops.apply import apply_op, op_output

__all__ = ["batched", "decode", "encode", "encode_rows", "is_spec", "is_value", "spec_of"]

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


# -- ragged --------------------------------------------------------------------------------
def _ragged():
    from tfgraph.ragged import ragged_tensor

    return ragged_tensor


def is_ragged_spec(spec) -> bool:
    return isinstance(spec, _ragged().RaggedTensorSpec)


def _ragged_parts(value):
    return list(value.nested_row_splits), value.flat_values


def _ragged_to_variant(value, batched_input: bool):
    from tfgraph.framework.graph import get_default_graph

    splits, values = _ragged_parts(value)
    with get_default_graph().name_scope("RaggedToVariant"):
        return op_output(
            "RaggedTensorToVariant",
            None,
            [splits, values],
            {
                "RAGGED_RANK": len(splits),
                "Tvalues": values.dtype._base,
                "Tsplits": splits[0].dtype._base,
                "batched_input": batched_input,
            },
        )


def _ragged_from_variant(component, spec):
    from tfgraph.framework.graph import get_default_graph

    rank = spec.ragged_rank
    with get_default_graph().name_scope("RaggedFromVariant"):
        outs = apply_op(
            "RaggedTensorFromVariant",
            None,
            [component],
            {
                "input_ragged_rank": -1,
                "output_ragged_rank": rank,
                "Tvalues": spec.dtype,
                "Tsplits": spec.row_splits_dtype,
            },
        )._outputs
    splits, values = list(outs[:-1]), outs[-1]
    shape = TensorShape(spec.shape)
    if shape.rank is not None:
        values.set_shape(TensorShape([None]).concatenate(shape[rank + 1 :]))
    if rank == 0:
        return values
    rt = _ragged().RaggedTensor.from_nested_row_splits(values, splits, validate=False)
    return rt


# -- both ----------------------------------------------------------------------------------
def is_value(value) -> bool:
    return isinstance(value, (SparseTensor, _ragged().RaggedTensor))


def is_spec(spec) -> bool:
    return is_sparse_spec(spec) or is_ragged_spec(spec)


def spec_of(value):
    if isinstance(value, SparseTensor):
        return sparse_spec_of(value)
    return _ragged().RaggedTensorSpec.from_value(value)


def encode(value):
    """A composite element value as its variant component."""
    if isinstance(value, SparseTensor):
        return serialize(value)
    return _ragged_to_variant(value, False)


def encode_rows(value):
    """A composite value's rows (along dimension 0) as a variant [rows, ...] component."""
    if isinstance(value, SparseTensor):
        return serialize_rows(value)
    return _ragged_to_variant(value, True)


def decode(component, spec):
    if is_sparse_spec(spec):
        return deserialize(component, spec)
    return _ragged_from_variant(component, spec)


def batched_spec(spec, outer):
    if is_sparse_spec(spec):
        return batched(spec, outer)
    shape = TensorShape([outer]).concatenate(spec.shape)
    return _ragged().RaggedTensorSpec(
        shape, spec.dtype, spec.ragged_rank + 1, spec.row_splits_dtype
    )


def unbatched_spec(spec):
    if is_sparse_spec(spec):
        return unbatched(spec)
    shape = spec.shape[1:] if spec.shape.rank is not None else spec.shape
    return _ragged().RaggedTensorSpec(
        shape, spec.dtype, max(spec.ragged_rank - 1, 0), spec.row_splits_dtype
    )
